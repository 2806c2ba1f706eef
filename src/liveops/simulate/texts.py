"""What simulated viewers say, give and look like: Chinese comments, gifts, audience traits.

Every comment category has the intent a viewer means by it (`INTENT_OF`, the twelve of contract
§11, bounded as src/liveops/comments/data/GUIDELINES.md draws them), so the simulator knows
what each of its comments is and a test can hold the server's classification against it. A
question category is a few questions, each in several wordings (多大码 · 穿什么码 · 160斤穿啥),
the first asked most: the same question, asked again and again about the product on screen,
is what the question queue gathers into one cluster.
"""

from __future__ import annotations

import random
from typing import Literal

from liveops.comments.intents import CONTRACT_ORDER, Intent
from liveops.simulate.lineup import Product

INTENTS: tuple[Intent, ...] = CONTRACT_ORDER
"""The twelve comment intents, in contract §11's order."""

Category = Literal[
    "greeting",
    "chatter",
    "size",
    "price",
    "shipping",
    "quality",
    "praise",
    "intent",
    "want",
    "complaint_quality",
    "complaint_logistics",
    "complaint_service",
    "spam",
    "other",
    "flash",
    "flash_miss",
    "flash_wait",
    "sold_out",
]

INTENT_OF: dict[Category, Intent] = {
    "greeting": "interaction",
    "chatter": "interaction",
    "size": "question_size",
    "price": "question_price",
    "shipping": "question_shipping",
    "quality": "question_quality",
    "praise": "praise",
    "intent": "purchase_intent",  # bought: 拍了 · 已下单
    "want": "purchase_intent",  # buying: 想要 · 链接在哪
    "complaint_quality": "complaint_quality",
    "complaint_logistics": "complaint_logistics",
    "complaint_service": "complaint_service",
    "spam": "spam",
    "other": "other",
    # The 秒杀 and a sell-out: viewers trying to buy (抢到了 · 蹲 · 求补货).
    "flash": "purchase_intent",
    "flash_miss": "purchase_intent",
    "flash_wait": "purchase_intent",
    "sold_out": "purchase_intent",
}
"""The intent of each comment category."""


def intent_of(category: Category) -> Intent:
    """The intent a comment of ``category`` has."""
    return INTENT_OF[category]


def asks(category: Category) -> bool:
    """Whether comments of ``category`` are questions (one of the four question intents)."""
    return INTENT_OF[category].startswith("question_")


_SIZES = ("S", "M", "L", "XL", "2XL")
_FAR_REGIONS = ("新疆", "西藏", "青海", "内蒙古", "海南")

Question = tuple[str, ...]
"""One thing viewers want to know, in the wordings they type it."""

# Categories that are not questions are one group of texts; a question category is a few
# questions, the k-th asked 1/k as often as the first.
_TEMPLATES: dict[Category, tuple[Question, ...]] = {
    "greeting": (
        (
            "主播好",
            "来了来了",
            "晚上好呀",
            "主播晚上好",
            "第一次来，已关注",
            "刚下班就来了",
            "打卡",
            "又来啦",
        ),
    ),
    "chatter": (
        ("666", "哈哈哈哈", "扣1", "1", "1111", "加油", "支持主播", "点赞了", "抽我抽我", "在吗"),
    ),
    "size": (
        ("{name}多大", "尺寸多少", "多大尺寸", "规格是多少", "{name}是多大的"),
        ("有大号吗", "有没有大一点的", "有小号的吗"),
    ),
    "price": (
        ("{name}多少钱", "多少钱", "到手价多少", "现在什么价", "价格多少", "这个多少钱呀"),
        ("有优惠券吗", "有券吗", "券在哪领", "怎么领券", "还有优惠吗"),
        (
            "和旗舰店一个价吗",
            "比旗舰店便宜吗",
            "直播间是{price}元吗",
            "原价{list}现在{price}？真的假的",
        ),
        ("买两件有优惠吗", "拍两件能便宜点吗", "买二送一吗", "今天有什么福利", "有赠品吗"),
    ),
    "shipping": (
        ("什么时候发货", "几天发货", "多久发货", "今天拍明天发吗", "现货吗，多久发", "几天能到"),
        ("包邮吗", "包不包邮", "{far}包邮吗", "偏远地区包邮吗"),
        ("发什么快递", "顺丰还是中通", "顺丰吗", "什么快递"),
        ("{far}能发吗", "{far}发不发", "能发{far}吗", "{far}几天到"),
    ),
    "quality": (
        ("质量怎么样", "质量好吗", "质量好不好", "用久了会坏吗", "耐用吗", "有质检报告吗"),
        ("是正品吗", "正品吗", "保证正品吗"),
        ("味道大吗", "有味道吗", "有异味吗"),
    ),
    "praise": (
        (
            "主播好美",
            "讲得好清楚",
            "性价比绝了",
            "回购第三次了，真的好用",
            "{name}我买过，推荐",
            "颜色太好看了",
            "好看",
            "爱了爱了",
            "yyds",
            "上次买的很喜欢",
            "主播今天好精神",
        ),
    ),
    "intent": (("拍了", "已下单", "拍了两件", "已拍，等发货", "下单了下单了", "给我妈也拍了一件"),),
    "want": (("想要", "冲", "上车", "要了要了", "买买买", "链接在哪", "几号链接", "怎么买"),),
    "complaint_quality": (
        (
            "和直播间的不一样",
            "上次的{name}收到就坏了",
            "上次买的质量太差了",
            "上次买的味道好大",
            "收到是坏的",
            "上次买的是假货吧",
        ),
    ),
    "complaint_logistics": (
        (
            "上次买的还没发货",
            "一周了还没发货",
            "物流三天不动了",
            "快递丢了",
            "发错货了",
            "包裹压扁了",
        ),
    ),
    "complaint_service": (
        ("客服一直不回消息", "退款三天了没处理", "售后推来推去", "客服态度太差", "说好的赠品没有"),
    ),
    "spam": (
        (
            "加V看更多",
            "加v{digits}看更多",
            "vx{digits}",
            "互粉",
            "互粉互赞，有关必回",
            "看我主页",
            "兼职日赚300，私我",
            "低价代购私我",
            "进群领红包",
            "同款更便宜 www.{site}.com",
        ),
    ),
    "other": (
        (
            "主播哪里人",
            "背景音乐叫什么",
            "今天好冷",
            "你们吃饭了吗",
            "主播多高",
            "昨天怎么没播",
            "我家猫也这样",
            "外面下雨了",
            "加班到现在好累",
        ),
    ),
    "flash": (("上链接！", "抢到了！！", "冲冲冲", "开抢了吗", "蹲蹲蹲", "拍到了"),),
    "flash_miss": (("没抢到😭", "没抢到，还有吗", "还能抢吗", "再上一波吧", "求返场"),),
    # A 秒杀 link before its start: the storefront answers not_started.
    "flash_wait": (("怎么拍不了", "还没开抢吗", "几点开抢", "蹲秒杀中", "等开抢"),),
    "sold_out": (("求补货", "求加库存", "蹲补货", "没货了？还想要", "补货了喊我"),),
}

# Apparel (`Product.sized`) is asked about its 码 and its fabric, and complained about for
# pilling, shrinking and fading; the templates above are for other goods.
_APPAREL: dict[Category, tuple[Question, ...]] = {
    "size": (
        (
            "多大码",
            "穿什么码",
            "{w}斤穿啥",
            "{w}斤穿什么码",
            "身高{h}体重{w}斤穿什么码",
            "{h}/{w}穿几码",
            "我{w}斤拍哪个码",
            "{name}穿多大码",
        ),
        ("偏大还是偏小", "尺码标准吗", "码数正吗", "会不会偏小", "{name}偏大吗"),
        ("{size}码还有吗", "有{size}码吗", "{name}有{size}码吗", "{size}码还有货吗"),
        ("腰围{waist}穿哪个码", "腰围{waist}穿几码", "腰{waist}拍什么码"),
    ),
    "quality": (
        ("什么面料", "面料是什么", "是纯棉的吗", "什么材质", "{name}什么面料"),
        ("会起球吗", "起球吗", "{name}会起球吗", "穿久了起球吗"),
        ("洗了会缩水吗", "缩水吗", "会掉色吗", "洗了掉色吗"),
        ("是正品吗", "正品吗", "有质检报告吗"),
    ),
    "complaint_quality": (
        (
            "上次买的起球了",
            "上次收到的有色差",
            "洗一次就缩水了",
            "洗一次就掉色",
            "和直播间的不一样",
            "上次买的质量太差了",
        ),
    ),
}

# Shares of a normal comment stream outside the flash sale (they add up to 1): interaction
# 30%, questions 25% (~22% for goods, whose size questions are rarer), praise 21%, buying
# 13%, other chit-chat ~6%, complaints ~3%, spam 1.5%. A whole show has more buying (the
# 秒杀, sell-outs) and greetings (the warm-up): ~21% questions.
_WEIGHTS: dict[Category, float] = {
    "greeting": 0.08,
    "chatter": 0.22,
    "size": 0.07,
    "price": 0.08,
    "shipping": 0.05,
    "quality": 0.05,
    "praise": 0.21,
    "intent": 0.07,
    "want": 0.06,
    "complaint_quality": 0.012,
    "complaint_logistics": 0.012,
    "complaint_service": 0.008,
    "spam": 0.015,
    "other": 0.063,
}
_GOODS_SIZE_WEIGHT = 0.035
_FLASH_SHARE = 0.6  # of the comments during the 秒杀


def category_weights(product: Product) -> dict[Category, float]:
    """The shares of a normal comment stream while ``product`` is pinned (not normalised)."""
    if product.sized:
        return dict(_WEIGHTS)
    return _WEIGHTS | {"size": _GOODS_SIZE_WEIGHT}


def pick_category(rng: random.Random, product: Product, *, in_flash: bool) -> Category:
    """The category of a comment said while ``product`` is pinned."""
    if in_flash and rng.random() < _FLASH_SHARE:
        return "flash"
    weights = category_weights(product)
    categories = list(weights)
    return rng.choices(categories, weights=[weights[c] for c in categories])[0]


def questions(category: Category, product: Product) -> tuple[Question, ...]:
    """The questions (or, for a category that asks nothing, its one group of texts) of
    ``category`` about ``product``, each a tuple of wordings."""
    if product.sized and category in _APPAREL:
        return _APPAREL[category]
    return _TEMPLATES[category]


def comment_text(rng: random.Random, category: Category, product: Product) -> str:
    """A comment of ``category`` about ``product``; always 1 to 500 characters."""
    groups = questions(category, product)
    group = rng.choices(groups, weights=[1 / k for k in range(1, len(groups) + 1)])[0]
    template = rng.choice(group)
    text = template.format(
        name=product.name,
        size=rng.choice(_SIZES),
        h=rng.randrange(150, 186),
        w=rng.randrange(85, 181, 5),
        waist=rng.choice(("一尺九", "二尺", "二尺一", "二尺三")),
        price=f"{product.live_price / 100:g}",
        list=f"{product.list_price / 100:g}",
        far=rng.choice(_FAR_REGIONS),
        digits=rng.randrange(10**7, 10**9),
        site=rng.choice(("tb-vip", "dy888", "haohuo", "quan365")),
    )[:500]
    return text or "1"


# (name, unit value in fen, weight): Douyin gifts, 1 抖币 = 10 fen.
_GIFTS: tuple[tuple[str, int, float], ...] = (
    ("小心心", 10, 0.40),
    ("人气票", 10, 0.15),
    ("棒棒糖", 90, 0.15),
    ("鲜花", 100, 0.10),
    ("加油鸭", 150, 0.10),
    ("为你闪耀", 990, 0.07),
    ("浪漫花火", 19900, 0.025),
    ("嘉年华", 300000, 0.002),
)
_COMBOS = (1, 1, 1, 1, 1, 2, 3, 5, 10, 66)


def gift(rng: random.Random) -> tuple[str, int]:
    """A gift's name and total value in fen (a combo of several counts as one event)."""
    name, unit, _ = rng.choices(_GIFTS, weights=[w for _, _, w in _GIFTS])[0]
    combo = 1 if unit >= 19900 else rng.choice(_COMBOS)
    return name, unit * combo


CHANNELS = ("recommend", "follow", "paid", "search", "short_video", "share", "other")
_CHANNEL_WEIGHTS = (0.45, 0.14, 0.12, 0.06, 0.15, 0.05, 0.03)
_REGIONS = (
    ("广东", 0.14),
    ("浙江", 0.09),
    ("江苏", 0.09),
    ("山东", 0.08),
    ("河南", 0.07),
    ("四川", 0.07),
    ("上海", 0.05),
    ("北京", 0.05),
    ("湖北", 0.05),
    ("福建", 0.05),
    ("湖南", 0.05),
    ("河北", 0.05),
    ("安徽", 0.04),
    ("辽宁", 0.03),
    ("新疆", 0.02),
    ("海外", 0.02),
)
_AGE_BANDS = (("18-24", 0.36), ("25-30", 0.26), ("31-40", 0.22), ("41-50", 0.10), ("50+", 0.06))
_DEVICES = (("android", 0.57), ("ios", 0.39), ("pc", 0.04))
_TIERS = (("new", 0.55), ("returning", 0.35), ("vip", 0.10))


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices(table, weights=[w for _, w in table])[0][0]


def channel(rng: random.Random) -> str:
    """A traffic source for a viewer arriving outside any wave."""
    return rng.choices(CHANNELS, weights=_CHANNEL_WEIGHTS)[0]


def audience(rng: random.Random) -> tuple[str, str, str, str]:
    """A viewer's region, age band, device and tier."""
    return (
        _weighted(rng, _REGIONS),
        _weighted(rng, _AGE_BANDS),
        _weighted(rng, _DEVICES),
        _weighted(rng, _TIERS),
    )
