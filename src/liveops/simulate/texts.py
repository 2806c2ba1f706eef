"""What simulated viewers say, give and look like: Chinese comments, gifts, audience traits."""

from __future__ import annotations

import random
from typing import Literal

from liveops.simulate.lineup import Product

Category = Literal[
    "greeting",
    "size",
    "price",
    "shipping",
    "quality",
    "praise",
    "intent",
    "complaint",
    "chatter",
    "flash",
    "flash_miss",
    "flash_wait",
    "sold_out",
]

_SIZES = ("S", "M", "L", "XL", "2XL")
_FAR_REGIONS = ("新疆", "西藏", "青海", "内蒙古", "海南")

_TEMPLATES: dict[Category, tuple[str, ...]] = {
    "greeting": (
        "主播好",
        "来了来了",
        "晚上好呀",
        "第一次来，已关注",
        "今天有什么福利",
        "刚下班就来了",
        "主播今天好精神",
    ),
    "size": (
        "身高{h}体重{w}斤穿什么码",
        "{name}有{size}码吗",
        "偏大还是偏小",
        "我平时穿{size}，{name}拍哪个码",
        "{size}码还有吗",
        "腰围{waist}穿哪个码",
    ),
    "price": (
        "{name}多少钱",
        "还能再便宜点吗",
        "有优惠券吗",
        "直播间是{price}元吗",
        "和旗舰店一个价吗",
        "买两件有优惠吗",
        "原价{list}现在{price}？真的假的",
    ),
    "shipping": (
        "什么时候发货",
        "发什么快递",
        "包邮吗",
        "{far}能发吗",
        "今天拍明天能发吗",
        "顺丰还是中通",
        "几天能到",
    ),
    "quality": (
        "质量怎么样",
        "是正品吗",
        "有质检报告吗",
        "{name}用久了会坏吗",
        "敏感肌能用吗",
        "味道大吗",
    ),
    "praise": (
        "主播好美",
        "讲得好清楚",
        "性价比绝了",
        "回购第三次了，真的好用",
        "{name}我买过，推荐",
        "支持主播",
        "颜色太好看了",
    ),
    "intent": (
        "拍了",
        "已下单",
        "拍了两件",
        "已拍，等发货",
        "下单了，快点发货哦",
        "给我妈也拍了一件",
    ),
    "complaint": (
        "上次买的还没发货",
        "客服一直不回消息",
        "卡了卡了",
        "比旗舰店还贵",
        "链接拍不了",
        "上次收到的有色差",
    ),
    "chatter": ("666", "哈哈哈哈", "扣1", "1", "想要", "左边那个好看", "主播今天穿的哪件"),
    "flash": ("3、2、1", "上链接！", "抢到了！！", "冲冲冲", "准备好了", "开抢了吗"),
    "flash_miss": ("没抢到😭", "手速太慢了", "秒没了", "还有吗", "再上一波吧"),
    # A 秒杀 link before its start: the storefront answers not_started.
    "flash_wait": ("怎么拍不了", "还没开始吗", "几点开抢", "链接是灰的", "蹲秒杀中"),
    "sold_out": ("补货补货", "没货了？", "求加库存", "怎么就没了", "什么时候补货"),
}

# Apparel gets apparel questions in place of these.
_APPAREL_VARIANTS = {"{name}用久了会坏吗": "{name}会起球吗", "敏感肌能用吗": "洗了会缩水吗"}

# Shares of a normal comment stream outside the flash sale; size questions need apparel.
_WEIGHTS: dict[Category, float] = {
    "greeting": 0.10,
    "size": 0.12,
    "price": 0.14,
    "shipping": 0.12,
    "quality": 0.10,
    "praise": 0.16,
    "intent": 0.10,
    "complaint": 0.04,
    "chatter": 0.12,
}


def pick_category(rng: random.Random, product: Product, *, in_flash: bool) -> Category:
    """The category of a comment said while ``product`` is pinned."""
    if in_flash and rng.random() < 0.6:
        return "flash"
    categories = [c for c in _WEIGHTS if product.sized or c != "size"]
    return rng.choices(categories, weights=[_WEIGHTS[c] for c in categories])[0]


def comment_text(rng: random.Random, category: Category, product: Product) -> str:
    """A comment of ``category`` about ``product``; always 1 to 500 characters."""
    template = rng.choice(_TEMPLATES[category])
    if product.sized:
        template = _APPAREL_VARIANTS.get(template, template)
    return template.format(
        name=product.name,
        size=rng.choice(_SIZES),
        h=rng.randrange(150, 186),
        w=rng.randrange(85, 181, 5),
        waist=rng.choice(("一尺九", "二尺", "二尺一", "二尺三")),
        price=f"{product.live_price / 100:g}",
        list=f"{product.list_price / 100:g}",
        far=rng.choice(_FAR_REGIONS),
    )[:500]


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
