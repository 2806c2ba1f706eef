"""The run-sheet, prompter and cue bodies and answers (contract §8, docs/runsheet.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from liveops.fields import Integral, Printable, Version
from liveops.rundown.prompter import SCRIPT_PATTERN, ScriptError, check_script

SEGMENTS_MAX = 200
SCRIPT_MAX_CHARS = 5_000
FABE_MAX_CHARS = 500
PLANNED_SECONDS_MAX = 24 * 3600

Beat = Literal["hook", "push", "welfare", "warmup", "interaction", "other"]
SegmentId = Annotated[str, Field(min_length=1, max_length=64), Printable]
Title = Annotated[str, Field(min_length=1, max_length=200), Printable]
Sku = Annotated[str, Field(min_length=1, max_length=64), Printable]
PlannedSeconds = Annotated[int, Strict(), Field(ge=1, le=PLANNED_SECONDS_MAX), Integral]


def _script(value: str) -> str:
    try:
        check_script(value)
    except ScriptError as bad:
        raise ValueError(str(bad)) from None
    return value


class _ScriptRule:
    """Annotated metadata: a renderable script (prompter.check_script), stated in the JSON
    schema as SCRIPT_PATTERN so that a client knows which scripts are accepted."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_script, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = SCRIPT_PATTERN
        return json_schema


Script = Annotated[str, Field(max_length=SCRIPT_MAX_CHARS), _ScriptRule()]
FabeText = Annotated[str, Field(max_length=FABE_MAX_CHARS), Printable]


class Fabe(BaseModel):
    """The FABE selling frame: feature, advantage, benefit, evidence (a demo, a test)."""

    model_config = ConfigDict(extra="forbid")

    feature: FabeText = ""
    advantage: FabeText = ""
    benefit: FabeText = ""
    evidence: FabeText = ""


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SegmentId
    title: Title
    sku: Sku | None = None
    planned_seconds: PlannedSeconds
    script: Script = ""
    beat: Beat | None = None
    fabe: Fabe | None = None


class RunsheetIn(BaseModel):
    """The whole run-sheet, replacing the stored one. `base_version`, when given, is the
    version the editor started from: a save over a newer one answers 409."""

    model_config = ConfigDict(extra="forbid")

    segments: Annotated[list[SegmentIn], Field(max_length=SEGMENTS_MAX)]
    base_version: Version | None = None


class Finding(BaseModel):
    """One compliance violation (contract §9) in a segment's script or FABE text."""

    segment_id: str
    field: str  # script, fabe.feature, fabe.advantage, fabe.benefit, fabe.evidence
    term: str
    kind: str
    start: int
    end: int
    reason: str
    suggestion: str | None


class SegmentRead(BaseModel):
    id: str
    title: str
    sku: str | None
    planned_seconds: int
    script: str
    beat: str | None
    fabe: dict[str, str] | None
    # From the show's start, by the plan: the sum of the planned seconds before it.
    planned_offset_seconds: int
    # Planned clock times: from the show's actual start, else its planned start, else null.
    planned_start_at: datetime | None
    planned_end_at: datetime | None
    started_at: datetime | None  # first became current
    ended_at: datetime | None  # last stopped being current (null while current)
    actual_seconds: float  # time spent current, over every visit, up to now
    current: bool


class RunsheetRead(BaseModel):
    show_id: str
    version: int  # 0: never saved
    updated_at: datetime | None
    current_segment_id: str | None
    segments: list[SegmentRead]
    findings: list[Finding]


class Actor(BaseModel):
    label: str
    role: str


class CueRead(BaseModel):
    id: int
    text: str
    by: Actor
    created_at: datetime
    acked_at: datetime | None
    ack_seconds: float | None
    acked_by: Actor | None
    open_seconds: float  # how long it has been (or was) open


class CueList(BaseModel):
    """Newest first. `next_before`: pass it as `before` for the next (older) page; null at
    the end."""

    cues: list[CueRead]
    next_before: int | None


class PrompterSegment(BaseModel):
    id: str
    title: str
    sku: str | None
    planned_seconds: int
    elapsed_seconds: int
    beat: str | None = Field(default=None, description="hook, push, welfare, … (the plan's)")


class PrompterNext(BaseModel):
    id: str
    title: str
    beat: str | None = None


class PrompterPart(BaseModel):
    start: int
    end: int
    name: str
    missing: bool


class Prompter(BaseModel):
    segment: PrompterSegment | None
    text: str
    next: PrompterNext | None
    cues: list[CueRead]
    parts: list[PrompterPart]
    values: dict[str, str | None]
    remaining_seconds: int | None
    overrun_seconds: int | None
    version: int
    questions: list[str] = Field(
        default_factory=list,
        description="the newest question-like comments of the live feed, newest first (at "
        "most 3), until question clusters exist (contract §11)",
    )


class StartOptions(BaseModel):
    """The optional body of `POST /shows/{id}/start`: a reason to start despite the
    run-sheet's compliance findings, kept in the audit log (`compliance.override`)."""

    model_config = ConfigDict(extra="forbid")

    # Optional, so that `{}` (what scripts send for "no options") is a plain start.
    override_reason: Annotated[str, Field(min_length=1, max_length=500), Printable] | None = None


class StartRefused(BaseModel):
    """A refused start: the show is not scheduled, or (code `compliance_findings`) its
    run-sheet has findings, listed."""

    detail: str
    code: str
    findings: list[Finding] = []
