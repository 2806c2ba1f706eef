from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from liveops.comments.intents import Intent
from liveops.fields import Printable

CLASSIFY_MAX_TEXTS = 1_000
COMMENT_MAX_CHARS = 500
REPLY_MAX_CHARS = 500

CommentText = Annotated[str, Field(max_length=COMMENT_MAX_CHARS)]


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: Annotated[list[CommentText], Field(min_length=1, max_length=CLASSIFY_MAX_TEXTS)]


class Classified(BaseModel):
    intent: Intent
    confidence: float = Field(ge=0, le=1, description="the model's probability for `intent`")


class ClassifyAnswer(BaseModel):
    results: list[Classified]


class ClusterRead(BaseModel):
    """A question cluster (contract §11): one question about one product, however worded."""

    id: str
    intent: Intent
    topic: str = Field(description="which question of the intent's family (docs/comments.md)")
    label: str = Field(description="the topic as a console shows it (尺码, 发货时间…)")
    sku: str | None = Field(description="the product pinned when it was asked")
    representative: str = Field(description="the wording viewers used most in this wave")
    examples: list[str] = Field(description="up to three other wordings")
    count: int = Field(description="comments in the current wave (at most 3 per viewer)")
    viewers: int = Field(description="distinct viewers in the current wave")
    first_at: datetime
    last_at: datetime
    status: Literal["open", "answered", "dismissed"]
    total: int = Field(description="comments ever counted in the cluster, every wave")
    answered_at: datetime | None = Field(description="when it was last answered or dismissed")


class ClusterList(BaseModel):
    clusters: list[ClusterRead]


class QuestionsView(BaseModel):
    """The queue as consoles hold it (the `questions` live message and snapshot key)."""

    clusters: list[ClusterRead] = Field(description="open clusters, most pressing first (≤ 50)")
    open: int = Field(description="open clusters in all")
    closed: list[ClusterRead] = Field(description="answered or dismissed, newest first (≤ 20)")


ReplyText = Annotated[str, Field(min_length=1, max_length=REPLY_MAX_CHARS), Printable]


class Answer(BaseModel):
    """Close the cluster as answered, noting what was said (`reply`) if it was written."""

    model_config = ConfigDict(extra="forbid")

    reply: ReplyText | None = None
    announce: Literal[False] = False


class AnswerAndAnnounce(BaseModel):
    """Close the cluster and set `reply` as the room's announcement (an `announcement.set`
    action), in one transaction: the reply is then required."""

    model_config = ConfigDict(extra="forbid")

    reply: ReplyText
    announce: Literal[True]


AnswerRequest = Answer | AnswerAndAnnounce


class DismissRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    intent: Intent
    topic: str
    label: str
    text: str


class ReplyList(BaseModel):
    replies: list[Reply]
