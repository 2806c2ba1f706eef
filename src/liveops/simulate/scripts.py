"""What the simulated show says: the run-sheet (segments, scripts with placeholders, FABE), the
anchor's speech as the platform's speech recognition hears it, and field control's cues. Pure.

Every script and every line the anchor speaks passes the shipped compliance rules, except the
deliberate slips in `_SLIPS` (a test holds both to it): a run-sheet with findings would stop
the show's start, and a demo whose anchor never slips would never show a compliance alert.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from liveops.simulate.lineup import Product
from liveops.simulate.timeline import Layout, Window

Stage = Literal["open", "hook", "fabe", "push", "welfare", "close"]
CueKind = Literal["lucky_bag", "question", "stock", "flash", "stall", "closing"]

# Where each beat of a product's segment begins, as a share of the segment: seeds 003's "15 s
# hook + 3 min hard push + 5 min welfare", the push opening on FABE (seeds 002). The 秒杀 starts
# at timeline.FLASH_AT, inside the welfare beat.
STAGES: tuple[tuple[float, Stage], ...] = (
    (0.0, "hook"),
    (0.05, "fabe"),
    (0.25, "push"),
    (0.45, "welfare"),
)
SEGMENTS_MAX = 200  # what a run-sheet holds (docs/runsheet.md)
_NAME = "<N>"  # where a template takes the product's name


@dataclass(frozen=True, slots=True)
class Fabe:
    """The FABE selling frame of one product: feature, advantage, benefit, evidence."""

    feature: str
    advantage: str
    benefit: str
    evidence: str

    def as_json(self) -> dict[str, str]:
        return {
            "feature": self.feature,
            "advantage": self.advantage,
            "benefit": self.benefit,
            "evidence": self.evidence,
        }


# The demo lineup's products, each pitched on what a buyer can check (fabric, a test, a demo
# on camera) rather than on claims the advertising law forbids.
_FABE: dict[str, Fabe] = {
    "LS-FSY-01": Fabe(
        "冰丝面料，UPF50+",
        "轻薄透气，穿上凉快不闷汗",
        "夏天通勤、骑车、带娃出门都能穿，胳膊不晒黑",
        "有第三方检测报告，现场用紫外线卡测给大家看",
    ),
    "LS-TXU-02": Fabe(
        "新疆长绒棉，32支精梳纱",
        "纱线长、毛羽少，洗了不容易起球变形",
        "贴身穿柔软不扎，一件能穿好几个夏天",
        "现场拉伸揉搓给大家看，吊牌上有成分",
    ),
    "LS-XMN-03": Fabe(
        "氨基酸表活，弱酸性配方",
        "泡沫细密，洗完不紧绷",
        "早晚都能用，洗完脸清清爽爽",
        "现场打泡给大家看，备案信息都能查到",
    ),
    "LS-LYQ-04": Fabe(
        "桑蚕丝面料，含量写在吊牌上",
        "垂感好，透气，有自然的光泽",
        "上班、约会、喝喜酒都能穿",
        "主播身上试穿，灯下给大家看光泽",
    ),
    "LS-BAG-05": Fabe(
        "头层牛皮，手工封边",
        "越用越有光泽，五金件不掉色",
        "通勤能装下笔记本电脑和水杯",
        "现场装东西演示，附皮料检测报告",
    ),
    "LS-WZI-06": Fabe(
        "精梳棉，中筒设计",
        "吸汗透气，袜口不勒腿",
        "一家人都能穿，一次囤够一季",
        "现场拉伸袜口给大家看回弹",
    ),
}


def fabe_for(product: Product) -> Fabe:
    """The product's FABE: written out for the demo lineup, a plain one for any other."""
    known = _FABE.get(product.sku)
    if known is not None:
        return known
    name = product.name[:100]
    return Fabe(
        f"{name}，品牌授权正品",
        "用料扎实，做工细致",
        "日常天天用得上，送人也体面",
        "现场上手给大家看细节，有质检报告",
    )


@dataclass(frozen=True, slots=True)
class ScriptLine:
    """One line of a segment's script, said in its ``stage``; placeholders in braces."""

    stage: Stage
    text: str


@dataclass(frozen=True, slots=True)
class PlannedSegment:
    """A run-sheet segment and the window of the show it is on air."""

    id: str
    title: str
    product: Product | None
    beat: str
    window: Window
    lines: tuple[ScriptLine, ...]
    fabe: Fabe | None = None

    @property
    def script(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def planned_seconds(self) -> int:
        """The window in whole seconds, at least 1 (the API's floor): a show of a few seconds
        plans 1 s per segment and is moved on by its windows, not by these."""
        seconds = round((self.window.end_ms - self.window.start_ms) / 1000)
        return min(86_400, max(1, seconds))

    def as_json(self) -> dict[str, Any]:
        """The segment as `PUT …/runsheet` takes it."""
        body: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "planned_seconds": self.planned_seconds,
            "beat": self.beat,
            "script": self.script,
        }
        if self.product is not None:
            body["sku"] = self.product.sku
        if self.fabe is not None:
            body["fabe"] = self.fabe.as_json()
        return body

    def stage_at(self, t_ms: int) -> Stage:
        """The beat being spoken at ``t_ms``: product segments walk through `STAGES`."""
        if self.product is None:
            return self.lines[0].stage if self.lines else "open"
        length = max(1, self.window.end_ms - self.window.start_ms)
        share = (t_ms - self.window.start_ms) / length
        stage: Stage = "hook"
        for start, name in STAGES:
            if share >= start:
                stage = name
        return stage


def _literal(text: str) -> str:
    """``text`` as literal script text: a brace in a product's name is not a placeholder."""
    return text.replace("{", "{{").replace("}", "}}")


_WARMUP = (
    "家人们晚上好！欢迎来到直播间，已经有{online}位家人在线了。",
    "刚进来的家人点个关注，福袋马上开，留在直播间就有机会抽中。",
    "点赞到一万，我们就加抽一轮福袋。",
    "今晚<N>款好物，件件都是直播间专属价，{countdown}后开讲第一款。",
)
_CLOSING = (
    "今晚的好物就到这里，没抢到的家人看看购物车，还有库存的都能拍。",
    "有家人问：{top_question}，下播前再回答一下。",
    "还有{countdown}就下播了，还没点关注的家人点个关注，明晚八点不见不散。",
    "感谢{online}位家人的陪伴，我们下一场见！",
)
_HOOK = (
    "原价{price}的<N>，今天直播间只要{live_price}！",
    "上链接之前先问一句，{price}的<N>，{live_price}要不要？",
)
_PUSH = (
    "已经卖出{sold}件，库存只剩{stock_left}件，喜欢的家人抓紧下单。",
    "有家人问：{top_question}，我来回答一下。",
    "{live_price}到手，现在{online}位家人在线，想要的公屏扣“想要”。",
    "小黄车里就是这款<N>，点进去直接拍，七天无理由退换。",
)
_WELFARE = (
    "现在下单再送一份小礼品，福利还剩{countdown}，拍完恢复原价{price}。",
    "库存只剩{stock_left}件，拍完就没有了，还没下单的家人抓紧。",
    "拍两件的家人，客服备注一下，再送运费险。",
    "已经卖出{sold}件了，没拍的家人再看一眼。",
)
_FLASH = (
    "秒杀马上开始，倒计时{countdown}，一人限一单，拼手速！",
    "<N>秒杀价{live_price}，只有{stock_left}件，拍完恢复原价{price}。",
    "没抢到的家人别走，公屏扣“没抢到”，我找运营看能不能加库存。",
    "已经抢走{sold}件了，还剩{stock_left}件，手快有手慢无。",
)
# In a long beat the anchor goes back over the pitch: a push repeats the FABE now and then,
# the welfare the FABE and the push.
RECAP: dict[Stage, tuple[Stage, ...]] = {"push": ("fabe",), "welfare": ("fabe", "push")}
RECAP_SHARE = 0.35


def _product_lines(product: Product, fabe: Fabe, *, flash: bool) -> tuple[ScriptLine, ...]:
    name = _literal(product.name)

    def lines(stage: Stage, templates: tuple[str, ...]) -> list[ScriptLine]:
        return [ScriptLine(stage, t.replace(_NAME, name)) for t in templates]

    f = {k: _literal(v) for k, v in fabe.as_json().items()}
    said = [
        ScriptLine("fabe", f"先说{name}：{f['feature']}，{f['advantage']}。"),
        ScriptLine("fabe", f"{f['benefit']}。"),
        ScriptLine("fabe", f"{f['evidence']}，大家放心拍。"),
    ]
    return (
        *lines("hook", _HOOK),
        *said,
        *lines("push", _PUSH),
        *lines("welfare", _FLASH if flash else _WELFARE),
    )


def runsheet(laid: Layout, lineup: tuple[Product, ...]) -> tuple[PlannedSegment, ...]:
    """The run-sheet of a show laid out as ``laid``: a warm-up, one segment per product on air
    (a re-run, 返场, is a segment of its own), a closing. The 秒杀's segment says so."""
    # The warm-up names how many products are coming where a product line names the product.
    count = str(len(lineup))
    segments = [
        PlannedSegment(
            "warmup",
            "开场暖场",
            None,
            "warmup",
            laid.warmup,
            tuple(ScriptLine("open", t.replace(_NAME, count)) for t in _WARMUP),
        )
    ]
    for k, seg in enumerate(laid.segments, 1):
        product = seg.product
        flash = product is laid.flash_product and laid.flash.start_ms in seg.window
        welfare = flash or product.role == "福利款"
        title = product.name if k <= len(lineup) else f"返场·{product.name}"
        fabe = fabe_for(product)
        segments.append(
            PlannedSegment(
                f"p{k}-{product.sku}"[:64],
                title[:200],
                product,
                "welfare" if welfare else "push",
                seg.window,
                _product_lines(product, fabe, flash=flash),
                fabe,
            )
        )
    segments.append(
        PlannedSegment(
            "closing",
            "收尾·预告下一场",
            None,
            "interaction",
            laid.closing,
            tuple(ScriptLine("close", t) for t in _CLOSING),
        )
    )
    return tuple(segments)


# ---- speech -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{ *(\w+) *\}")


def speak(template: str, values: Mapping[str, str]) -> str:
    """A script line as the anchor says it: each placeholder read out from ``values`` (the
    spoken forms below), a doubled brace as one."""

    def said(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group()[0]
        return values.get(name, "")

    return _PLACEHOLDER.sub(said, template)


def spoken_price(fen: int) -> str:
    """How an anchor says a price: 99块, 9块9, 0.01元 (fen only when there are some)."""
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    if cents:
        return f"{fen / 100:.2f}元"
    return f"{yuan}块{jiao}" if jiao else f"{yuan}块"


def spoken_count(n: int) -> str:
    """A head count as said on air: exact below 100, then rounded down to hundreds, 1200多."""
    return str(n) if n < 100 or n % 100 == 0 else f"{n // 100 * 100}多"


def spoken_duration(ms: int) -> str:
    """Time left, said: 2分30秒, 3分钟, 40秒 (rounded up to the second, never below 1)."""
    seconds = max(1, math.ceil(ms / 1000))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}秒"
    return f"{minutes}分{rest}秒" if rest else f"{minutes}分钟"


# Words an anchor fills speech with, and lines said between the script's: speech recognition
# writes them down too.
_OPENERS = ("来，", "好，", "家人们，", "对，", "那个，")
FILLERS = (
    "扣1让我看到你们！",
    "新进来的家人先点个关注。",
    "喜欢主播的点点小红心。",
    "公屏上扣个想要，我看看有多少家人要。",
    "来，我们看一下细节。",
    "我把镜头拉近一点，大家看清楚。",
)


def roughen(rng: random.Random, text: str) -> str:
    """A line as speech recognition writes it: now and then a filler word in front, and the
    final punctuation often missing. Never changes the words themselves."""
    if rng.random() < 0.2:
        text = rng.choice(_OPENERS) + text
    if rng.random() < 0.4:
        text = text.rstrip("。！")
    return text[:500]


# Slips of the tongue that the compliance rules must catch: absolute claims, efficacy claims
# and taking buyers off the platform. Each is flagged by the shipped rules (a test checks).
_SLIPS = (
    "<N>全网最低价，错过今天就没有了！",
    "这个价格史上最低，闭眼入就对了。",
    "<N>是全网销量第一的爆款。",
    "我们这个品质是国家级的，放心买。",
    "质量绝对没问题，不好你来找我。",
    "想再便宜的加微信，私下给你们优惠。",
)
# Efficacy slips fit a product: a face wash that clears spots, socks that cure athlete's foot.
_SLIPS_BY_SKU: dict[str, tuple[str, ...]] = {
    "LS-XMN-03": ("这款洗面奶用三天祛斑，痘印都没了。", "洗面奶是纯天然的，没有副作用。"),
    "LS-WZI-06": ("穿上这袜子能治脚气。",),
    "LS-LYQ-04": ("穿上这条裙子显瘦十斤，比减肥药还管用。",),
}
_SLIPS_NO_PRODUCT = ("今晚的价格全网最低，错过就没有了！", "想要更便宜的加微信私聊。")


def all_slips(product: Product | None) -> tuple[str, ...]:
    """Every slip the anchor may make while ``product`` is on air."""
    if product is None:
        return _SLIPS_NO_PRODUCT
    general = tuple(s.replace(_NAME, product.name) for s in _SLIPS)
    return general + _SLIPS_BY_SKU.get(product.sku, ())


def slip(rng: random.Random, product: Product | None) -> str:
    """A line that breaks the compliance rules, about ``product`` if one is on air."""
    return rng.choice(all_slips(product))


# ---- cues ---------------------------------------------------------------------------------

# What field control sends, and what the anchor says once it has read it.
CUES: dict[CueKind, tuple[str, str]] = {
    "lucky_bag": ("福袋马上开", "福袋马上开，还没点关注的家人先点个关注！"),
    "question": ("看评论区提问", "来，我看一下公屏上家人们的问题。"),
    "stock": ("库存只剩不到一半，催单", "库存已经不到一半了，还在犹豫的家人抓紧拍！"),
    "flash": ("秒杀马上开始，准备倒数", "秒杀马上开始，家人们准备好，我数三二一就上链接！"),
    "stall": (
        "画面卡顿，已切备用线路，口播安抚一下",
        "刚才画面有点卡，现在好了，卡住的家人刷新一下。",
    ),
    "closing": ("下播前提醒关注，预告明晚八点", "下播前提醒一下，点个关注，明晚八点还有福利。"),
}


@dataclass(frozen=True, slots=True)
class PlannedCue:
    """A cue field control sends ``at`` seconds into the show; the simulated anchor
    acknowledges it ``ack_after`` seconds later."""

    at: float
    kind: CueKind
    text: str
    ack_after: float
    segment_id: str
