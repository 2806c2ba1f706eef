"""The alerts API's bodies and answers (contract §12, docs/alerts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    field_validator,
    model_validator,
)

from liveops.alerts.rules import DEFAULTS, OVERRIDABLE, RULE_ROLES, Role, Severity
from liveops.fields import COUNT_MAX, Version
from liveops.rundown.schemas import Actor

AlertState = Literal["firing", "acknowledged", "resolved"]
# `open`: firing or acknowledged, what still needs someone (or its condition to clear).
StateFilter = Literal["firing", "acknowledged", "resolved", "open"]
ALERT_ID_PATTERN = r"^al_[0-9a-f]{16}$"
# The rule names a listing may filter on, as a pattern so that the description stays true
# when the rule table grows.
RULE_PATTERN = "^(" + "|".join(DEFAULTS) + ")$"
DAY_SECONDS = 86_400


class AlertRead(BaseModel):
    """An alert as the API, the live side and the review show it: contract §12's keys (null
    when absent) and our extensions `subject`, `acked_by`, `resolved_by`, `ack_seconds`,
    `resolve_seconds`, `detail`."""

    id: str = Field(description="`al_` and 16 hex digits")
    rule: str
    subject: str = Field(
        description="what the rule watched: the SKU, the cue id, the segment id, or empty for "
        "the show; one open alert per rule and subject"
    )
    severity: Severity
    state: AlertState
    roles: list[Role] = Field(description="the roles it is for (admin and operations see all)")
    message: str
    value: float | None = Field(description="the reading that fired it, in the rule's unit")
    threshold: float | None = Field(description="the rule's threshold when it fired")
    sku: str | None
    fired_at: datetime
    acked_at: datetime | None
    resolved_at: datetime | None
    acked_by: Actor | None = Field(description="who acknowledged it first")
    resolved_by: Actor | None = Field(
        description="who resolved it; null while open, and when it resolved by itself "
        "(its condition cleared)"
    )
    ack_seconds: float | None = Field(description="from `fired_at` to `acked_at`")
    resolve_seconds: float | None = Field(description="from `fired_at` to `resolved_at`")
    detail: dict[str, Any] = Field(
        description="the rule's own fields: `line` and `violations` (compliance), `cue_id`, "
        "`segment_id`, `available`…"
    )


class AlertList(BaseModel):
    """Newest first. `next_before`: pass it as `before` for the next (older) page; null at the
    end."""

    alerts: list[AlertRead]
    next_before: str | None


# ---- the rules ---------------------------------------------------------------------------

Unit = Literal["share", "seconds", "count"]
# The unit of each signal rule's threshold; it sets the threshold's range. A rule that fires
# on an event (threshold None) has none. tests/unit/test_alerts_parts.py keeps this and the
# override models below in step with the rule table.
UNITS: dict[str, Unit] = {
    "low_stock": "share",
    "sold_out": "count",
    "stream_unhealthy": "share",
    "stale_feed": "seconds",
    "online_drop": "share",
    "gmv_pace": "share",
    "complaint_spike": "count",
    "question_unanswered": "seconds",
    "cue_unacked": "seconds",
    "segment_overrun": "seconds",
}

Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Seconds = Annotated[float, Strict(), Field(ge=0, le=DAY_SECONDS, allow_inf_nan=False)]
Amount = Annotated[float, Strict(), Field(ge=0, le=COUNT_MAX, allow_inf_nan=False)]
Escalation = Annotated[float, Strict(), Field(ge=1, le=DAY_SECONDS, allow_inf_nan=False)]


def _distinct(roles: list[Role]) -> list[Role]:
    return list(dict.fromkeys(roles))


Roles = Annotated[
    list[Role], Field(min_length=1, max_length=len(RULE_ROLES)), AfterValidator(_distinct)
]

# Null is a value only for `escalate_after_seconds` (never escalate); any other field is
# left out to keep the rule's default.
_NULLABLE = frozenset({"escalate_after_seconds"})


def _not_nullable(schema: dict[str, Any]) -> None:
    """The JSON schema of an override: every field but `_NULLABLE` is a plain value (its
    `None` default only means "not sent")."""
    for name, prop in schema.get("properties", {}).items():
        prop.pop("default", None)
        if name in _NULLABLE:
            continue
        branches = prop.pop("anyOf", None)
        if branches is not None:
            (kept,) = [b for b in branches if b.get("type") != "null"]
            prop.update(kept)


class _Override(BaseModel):
    """What a show changes of one rule: only the fields sent change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_nullable)
    has_threshold: ClassVar[bool] = False

    enabled: StrictBool | None = None
    severity: Severity | None = None
    roles: Roles | None = None
    window_seconds: Seconds | None = None
    pending_seconds: Seconds | None = None
    recovery_seconds: Seconds | None = None
    escalate_after_seconds: Escalation | None = Field(
        default=None, description="null: never raise it again unacknowledged"
    )

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if "threshold" in data and not cls.has_threshold:
                raise ValueError("this rule fires on an event and has no threshold")
            unknown = sorted(str(key) for key in data if key not in cls.model_fields)
            if unknown:
                raise ValueError(
                    f"cannot change {', '.join(unknown)}; a rule's "
                    f"{', '.join(cls.model_fields)} can be changed"
                )
        return data

    @field_validator(
        *(f for f in OVERRIDABLE if f not in _NULLABLE), mode="before", check_fields=False
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null: leave the field out to keep the rule's default")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields sent, as stored and as `rules.effective` takes them."""
        return self.model_dump(mode="json", exclude_unset=True)


class EventRuleOverride(_Override):
    """A rule that fires on an event (`compliance`): no threshold."""


class ShareRuleOverride(_Override):
    has_threshold: ClassVar[bool] = True
    threshold: Share | None = Field(default=None, description="a share, 0–1")


class SecondsRuleOverride(_Override):
    has_threshold: ClassVar[bool] = True
    threshold: Seconds | None = Field(default=None, description="seconds, up to a day")


class CountRuleOverride(_Override):
    has_threshold: ClassVar[bool] = True
    threshold: Amount | None = Field(default=None, description="a count (units, comments)")


OVERRIDE_MODELS: dict[Unit | None, type[_Override]] = {
    None: EventRuleOverride,
    "share": ShareRuleOverride,
    "seconds": SecondsRuleOverride,
    "count": CountRuleOverride,
}


class RuleOverrides(BaseModel):
    """A show's overrides, by rule; a rule left out keeps its defaults."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_nullable)

    low_stock: ShareRuleOverride | None = None
    sold_out: CountRuleOverride | None = None
    stream_unhealthy: ShareRuleOverride | None = None
    stale_feed: SecondsRuleOverride | None = None
    online_drop: ShareRuleOverride | None = None
    gmv_pace: ShareRuleOverride | None = None
    complaint_spike: CountRuleOverride | None = None
    compliance: EventRuleOverride | None = None
    question_unanswered: SecondsRuleOverride | None = None
    cue_unacked: SecondsRuleOverride | None = None
    segment_overrun: SecondsRuleOverride | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_rules(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in cls.model_fields)
            if unknown:
                raise ValueError(
                    f"no alert rule {', '.join(repr(u) for u in unknown)}; the rules are: "
                    f"{', '.join(cls.model_fields)}"
                )
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null: leave the rule out to keep its defaults")
        return value

    def overrides(self) -> dict[str, dict[str, Any]]:
        """`{rule: {field: value}}` for the rules sent (an empty object changes nothing)."""
        sent: dict[str, dict[str, Any]] = {}
        for name in self.model_fields_set:
            override = getattr(self, name)
            if override is not None and override.changes():
                sent[name] = override.changes()
        return {name: sent[name] for name in DEFAULTS if name in sent}


class AlertRulesIn(BaseModel):
    """Replace the show's overrides: `{"rules": {rule: {field: value}}}`; `{"rules": {}}`
    returns every rule to its defaults. `base_version`, when given, is the version the editor
    started from: a save over a newer one answers 409."""

    model_config = ConfigDict(extra="forbid")

    rules: RuleOverrides
    base_version: Version | None = None


class RuleRead(BaseModel):
    """One rule as it applies to the show: the default with the show's overrides."""

    name: str
    description: str = Field(description="what it watches, in which unit")
    unit: Unit | None = Field(description="the threshold's unit; null: fires on an event")
    on_event: bool = Field(description="fires when its event happens; no threshold")
    enabled: bool
    severity: Severity
    roles: list[Role]
    threshold: float | None
    window_seconds: float
    pending_seconds: float = Field(description="the condition holds this long before it fires")
    recovery_seconds: float = Field(description="clear this long before it resolves by itself")
    escalate_after_seconds: float | None = Field(
        description="raised again, one level up, while unacknowledged this long; null: never"
    )
    overridable: list[str] = Field(description="the fields `PUT …/alert-rules` may change")
    overridden: list[str] = Field(description="the fields this show changed")


class AlertRulesRead(BaseModel):
    """Every rule, effective for the show, in the rule table's order. `overrides` is what
    the show changed, as a `PUT` takes it."""

    show_id: str
    version: int = Field(description="0: never saved (the defaults); one more per save")
    updated_at: datetime | None
    rules: list[RuleRead]
    overrides: dict[str, dict[str, Any]]
