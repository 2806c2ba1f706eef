"""The channel policy (live/channels.py) as a table: who sees which publication."""

from __future__ import annotations

import json

import pytest

from liveops.live.channels import (
    as_seen_by,
    audience_of,
    for_role,
    pack,
    skip_frame,
    unpack,
    visible,
)

STOCK_ALERT = {"type": "alert", "kind": "low_stock", "roles": ["field_control", "assistant"]}
COMPLIANCE_ALERT = {"type": "alert", "kind": "compliance", "roles": ["field_control", "anchor"]}

ROLES = ("admin", "operations", "field_control", "assistant", "anchor", "integrator")
CASES = [
    # message, roles that see it
    ({"type": "metrics"}, set(ROLES)),
    ({"type": "feed"}, set(ROLES)),
    ({"type": "stock"}, set(ROLES)),
    ({"type": "show"}, set(ROLES)),
    ({"type": "action"}, set(ROLES)),
    (STOCK_ALERT, {"admin", "operations", "field_control", "assistant"}),
    (COMPLIANCE_ALERT, {"admin", "operations", "field_control", "anchor"}),
    ({"type": "alert", "roles": []}, {"admin", "operations"}),
    ({"type": "prompter"}, {"admin", "operations", "field_control", "assistant", "anchor"}),
    ({"type": "cue"}, {"admin", "operations", "field_control", "assistant", "anchor"}),
]


@pytest.mark.parametrize(("message", "seen_by"), CASES)
def test_who_sees_what(message: dict[str, object], seen_by: set[str]) -> None:
    audience = audience_of(message)
    assert {role for role in ROLES if visible(role, audience)} == seen_by
    assert unpack(pack(audience)) == audience  # the Redis stream keeps it as it is


def test_a_console_outside_the_audience_gets_a_skip_at_the_same_position() -> None:
    frame = json.dumps({**STOCK_ALERT, "epoch": "E", "offset": 7})
    audience = audience_of(STOCK_ALERT)
    assert as_seen_by("field_control", (7, frame, audience)) == (7, frame)
    offset, skip = as_seen_by("anchor", (7, frame, audience))
    assert offset == 7
    assert json.loads(skip) == {"type": "skip", "epoch": "E", "offset": 7}
    assert skip == skip_frame("E", 7)


def test_a_snapshot_holds_only_the_alerts_the_role_may_see() -> None:
    snapshot = {"type": "snapshot", "alerts": [STOCK_ALERT, COMPLIANCE_ALERT], "metrics": {}}
    assert for_role(snapshot, "anchor")["alerts"] == [COMPLIANCE_ALERT]
    assert for_role(snapshot, "assistant")["alerts"] == [STOCK_ALERT]
    assert for_role(snapshot, "operations") is snapshot  # nothing to take out: not copied


def test_the_prompter_and_cues_in_a_snapshot_are_for_the_anchor_desk_only() -> None:
    snapshot = {"type": "snapshot", "alerts": [], "prompter": {"text": "t"}, "cues": [{"id": 1}]}
    assert for_role(snapshot, "anchor") is snapshot
    assert for_role(snapshot, "field_control") is snapshot
    seen = for_role(snapshot, "integrator")
    assert (seen["prompter"], seen["cues"]) == (None, [])
    assert snapshot["prompter"] == {"text": "t"}  # the shared snapshot is left as it was
