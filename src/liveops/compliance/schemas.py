"""The compliance check's body and answer (contract §9)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

MAX_TEXTS = 1_000
MAX_TEXT_CHARS = 10_000

CheckedText = Annotated[StrictStr, Field(max_length=MAX_TEXT_CHARS)]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: Annotated[list[CheckedText], Field(min_length=1, max_length=MAX_TEXTS)] = Field(
        description=f"1 to {MAX_TEXTS:,} texts of at most {MAX_TEXT_CHARS:,} characters each"
    )


class ViolationOut(BaseModel):
    term: str = Field(description="the text's own characters: text[start:end]")
    kind: str = Field(description="absolute, efficacy, platform, or a deployment's own kind")
    start: int = Field(description="character offset (Unicode code points) of the term")
    end: int
    reason: str
    suggestion: str | None


class TextResult(BaseModel):
    violations: list[ViolationOut]


class CheckAnswer(BaseModel):
    results: list[TextResult] = Field(description="one per text, in the order sent")
