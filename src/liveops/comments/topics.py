"""Which question a question comment asks, within its intent (pure).

The question queue groups comments that ask the same thing in different words: 多大码, 穿什么码
and 160斤穿啥 are one question about fit, but 包邮吗 and 什么时候发货 are two questions about
shipping that need two answers. The intent says which family a question is in; the topic says
which question of the family, by the words that decide it. The first topic whose words appear
wins; each family ends with a catch-all.
"""

from __future__ import annotations

from dataclasses import dataclass

from liveops.comments.intents import Intent


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    label: str  # what a console calls it
    words: tuple[str, ...]  # any of these in the normal form (empty: the family's catch-all)


TOPICS: dict[Intent, tuple[Topic, ...]] = {
    "question_size": (
        Topic(
            "fit",
            "尺码",
            ("码", "穿", "斤", "身高", "腰围", "胸围", "偏大", "偏小", "宽松", "修身", "肩宽"),
        ),
        Topic("dimensions", "尺寸规格", ()),
    ),
    "question_price": (
        Topic(
            "deal",
            "优惠券和赠品",
            ("券", "优惠", "满减", "折", "赠", "送", "福利", "活动", "红包", "买二", "第二件"),
        ),
        Topic("price", "价格", ()),
    ),
    "question_shipping": (
        Topic("free_shipping", "包邮运费", ("包邮", "运费", "邮费")),
        Topic(
            "region",
            "能否发到",
            # Places only: 能发吗 alone asks when, not where.
            (
                "新疆",
                "西藏",
                "青海",
                "内蒙",
                "海南",
                "香港",
                "澳门",
                "台湾",
                "海外",
                "国外",
                "偏远",
                "宁夏",
                "甘肃",
                "乡下",
                "农村",
                "部队",
            ),
        ),
        Topic(
            "courier",
            "快递",
            ("快递", "顺丰", "中通", "圆通", "韵达", "申通", "京东", "邮政", "ems", "物流"),
        ),
        Topic("ship_time", "发货时间", ()),
    ),
    "question_quality": (
        Topic(
            "suitability",
            "适用人群",
            (
                "孕妇",
                "敏感",
                "过敏",
                "小孩",
                "宝宝",
                "儿童",
                "老人",
                "油皮",
                "干皮",
                "痘",
                "适合",
                "能用",
                "能吃",
                "可以用",
                "可以吃",
                "糖尿病",
                "减肥",
            ),
        ),
        Topic(
            "authenticity",
            "正品",
            ("正品", "真的假的", "假货", "专柜", "官方", "授权", "旗舰", "正不正"),
        ),
        Topic("shelf_life", "保质期", ("保质期", "日期", "生产", "过期", "新鲜", "多久吃完")),
        Topic("warranty", "保修售后", ("保修", "质保", "售后", "坏了", "换新", "维修")),
        Topic(
            "material",
            "材质成分",
            (
                "面料",
                "材质",
                "成分",
                "棉",
                "起球",
                "掉色",
                "料子",
                "配料",
                "添加",
                "毛",
                "丝",
                "皮",
                "什么做的",
                "含",
            ),
        ),
        Topic("quality", "质量", ()),
    ),
}


def topic_of(intent: Intent, normal: str) -> Topic | None:
    """The question the comment asks, or None for an intent that is not a question."""
    family = TOPICS.get(intent)
    if family is None:
        return None
    for topic in family:
        if not topic.words or any(word in normal for word in topic.words):
            return topic
    return family[-1]


def label_of(intent: Intent, key: str) -> str:
    for topic in TOPICS.get(intent, ()):
        if topic.key == key:
            return topic.label
    return key
