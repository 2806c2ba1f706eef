"""Standard replies to what viewers ask and complain about, with the product's live values
filled in (pure). The seeds ask for prepared replies to price doubts, logistics and quality
disputes; the assistant picks one, edits it if needed, and sends it as the room's
announcement in one action (`POST …/questions/{id}/answer` with `announce`).

A template names its values in braces: {name}, {price} (list), {live_price}, {saving},
{stock_left}, {coupon}. A template whose values are not known for the product is left out,
so a reply never shows a blank where a number should be.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from liveops.comments.intents import LABELS, Intent
from liveops.comments.topics import label_of


@dataclass(frozen=True, slots=True)
class Template:
    intent: Intent
    topic: str | None  # None: any topic of the intent
    text: str


TEMPLATES: tuple[Template, ...] = (
    Template(
        "question_size",
        "fit",
        "{name}尺码标准，平时穿什么码就拍什么码；拿不准的把身高体重发出来，助播帮你看",
    ),
    Template("question_size", "fit", "{name}版型偏宽松，微胖的宝宝正常拍，想要修身的拍小一码"),
    Template("question_size", None, "{name}的尺寸规格都在商品详情页第一张图，下单前看一眼更放心"),
    Template(
        "question_price", "price", "{name}直播间到手价{live_price}，日常价{price}，直接省{saving}"
    ),
    Template(
        "question_price", "price", "{name}现在就是直播间最低价{live_price}，库存只剩{stock_left}件"
    ),
    Template(
        "question_price", "deal", "{name}直播间专属券{coupon}，先领券再下单，到手{live_price}"
    ),
    Template(
        "question_price", "deal", "{name}直播价{live_price}已经是最大优惠，福利款限量{stock_left}件"
    ),
    Template("question_shipping", "ship_time", "付款后48小时内发货，预售款以详情页时间为准"),
    Template(
        "question_shipping", "free_shipping", "{name}全国包邮（新疆西藏等偏远地区除外），运费险也有"
    ),
    Template("question_shipping", "region", "偏远地区可以发，运费以下单页显示为准，客服可以帮你查"),
    Template("question_shipping", "courier", "默认发中通/圆通，需要顺丰的下单备注，补差价即可"),
    Template(
        "question_quality", "material", "{name}的面料和成分都在详情页，吊牌和质检报告随货寄出"
    ),
    Template(
        "question_quality",
        "suitability",
        "{name}适用人群看详情页说明；孕妇、敏感肌和过敏体质建议先咨询客服",
    ),
    Template("question_quality", "authenticity", "{name}官方正品，支持专柜验货，假一赔十"),
    Template("question_quality", "shelf_life", "{name}都是近期新批次，生产日期和保质期印在包装上"),
    Template("question_quality", "warranty", "{name}有官方质保，质量问题7天无理由退换，售后找客服"),
    Template("question_quality", None, "{name}质量有保障，收到不满意7天无理由退换，运费险兜底"),
    Template(
        "complaint_quality",
        None,
        "非常抱歉！收到有质量问题的宝宝拍照联系客服，优先给您退换，运费我们出",
    ),
    Template("complaint_logistics", None, "抱歉久等了！把订单号发给客服，马上帮您查物流、催发货"),
    Template("complaint_service", None, "抱歉让您不舒服了，场控已经记下，客服主管会优先联系您处理"),
    Template("purchase_intent", None, "{name}链接已经上了，点下方小黄车就能拍，还剩{stock_left}件"),
)

_FIELDS = frozenset({"name", "price", "live_price", "saving", "stock_left", "coupon"})


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def fill(text: str, values: Mapping[str, str | None]) -> str | None:
    """The template with every value in place, or None when one of them is not known."""
    needed = _names(text)
    if any(values.get(name) is None for name in needed):
        return None
    return text.format_map({name: values[name] for name in needed})


def replies(
    intent: Intent | None, topic: str | None, values: Mapping[str, str | None]
) -> list[dict[str, str]]:
    """The replies for a question (or complaint), the topic's own first; every template,
    in the table's order, when no intent is named."""
    if intent is None:
        matching = list(TEMPLATES)
    else:
        matching = [t for t in TEMPLATES if t.intent == intent and t.topic in (topic, None)]
        matching.sort(key=lambda t: t.topic is None)  # stable: the topic's own first
    found: list[dict[str, str]] = []
    for template in matching:
        text = fill(template.text, values)
        if text is not None:
            key = template.topic or topic or ""
            label = label_of(template.intent, key) if key else LABELS[template.intent]
            found.append({"intent": template.intent, "topic": key, "label": label, "text": text})
    return found


def yuan(minor: int) -> str:
    """Minor units as a price a viewer reads: 9900 → 99元, 9950 → 99.5元."""
    whole, cents = divmod(minor, 100)
    return f"{whole}元" if cents == 0 else f"{minor / 100:g}元"


def product_values(
    product: Mapping[str, object] | None,
    stock_left: int | None,
    coupon: Mapping[str, object] | None,
) -> dict[str, str | None]:
    """The template values for a product (a lineup row with the live price), its stock and
    the newest live coupon."""
    values: dict[str, str | None] = dict.fromkeys(_FIELDS)
    if product is not None:
        list_price = int(str(product["list_price"]))
        live_price = int(str(product["live_price"]))
        values["name"] = str(product["name"])
        values["price"] = yuan(list_price)
        values["live_price"] = yuan(live_price)
        values["saving"] = yuan(list_price - live_price) if list_price > live_price else None
    values["stock_left"] = None if stock_left is None else str(stock_left)
    if coupon is not None:
        amount = yuan(int(str(coupon["amount_off"])))
        threshold = coupon.get("threshold")
        values["coupon"] = (
            f"满{yuan(int(str(threshold)))}减{amount}" if threshold else f"立减{amount}"
        )
    return values
