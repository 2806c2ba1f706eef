"""The twelve intents of a live comment (contract §11), in the order the labelling guide
(data/GUIDELINES.md) settles a comment that fits two."""

from __future__ import annotations

from typing import Literal, get_args

Intent = Literal[
    "spam",
    "complaint_quality",
    "complaint_logistics",
    "complaint_service",
    "question_size",
    "question_price",
    "question_shipping",
    "question_quality",
    "purchase_intent",
    "praise",
    "interaction",
    "other",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)

# The same twelve in the order contract §11 lists them (for tables a person reads).
CONTRACT_ORDER: tuple[Intent, ...] = (
    "question_size",
    "question_price",
    "question_shipping",
    "question_quality",
    "purchase_intent",
    "praise",
    "complaint_quality",
    "complaint_logistics",
    "complaint_service",
    "interaction",
    "spam",
    "other",
)

QUESTION_INTENTS: frozenset[Intent] = frozenset(
    {"question_size", "question_price", "question_shipping", "question_quality"}
)
COMPLAINT_INTENTS: frozenset[Intent] = frozenset(
    {"complaint_quality", "complaint_logistics", "complaint_service"}
)

# What a console calls each intent, in a word or two.
LABELS: dict[Intent, str] = {
    "spam": "垃圾",
    "complaint_quality": "质量投诉",
    "complaint_logistics": "物流投诉",
    "complaint_service": "客服投诉",
    "question_size": "尺码",
    "question_price": "价格",
    "question_shipping": "发货",
    "question_quality": "质量",
    "purchase_intent": "想买",
    "praise": "夸",
    "interaction": "互动",
    "other": "其他",
}
