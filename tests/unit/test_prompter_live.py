"""The prompter projection (rundown/live.py) with a fake clock and storage, and the compliance
alert of a line of speech (compliance/speech.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from liveops.alerts.board import Event
from liveops.compliance import check
from liveops.compliance.speech import speech_alert
from liveops.events import iso
from liveops.live.changes import ActionTaken, CueAcknowledged, RunsheetChanged, StockChanged
from liveops.rundown.live import (
    PrompterProjection,
    comparable,
    cue_of_action,
    cue_unacked_alert,
    keep_recent,
    overdue,
)
from liveops.rundown.schemas import CueRead
from liveops.rundown.view import PlannedSegment, PrompterInputs

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def cue(cue_id: int, opened: datetime, acked: datetime | None = None) -> dict[str, Any]:
    return {
        "id": cue_id,
        "text": f"cue {cue_id}",
        "by": {"label": "场控", "role": "field_control"},
        "created_at": iso(opened),
        "acked_at": None if acked is None else iso(acked),
        "ack_seconds": None if acked is None else (acked - opened).total_seconds(),
        "acked_by": None,
        "open_seconds": 0.0,
    }


@pytest.mark.parametrize(
    ("opened_seconds_ago", "acked", "after", "is_overdue"),
    [
        (29.9, False, 30, False),
        (30.0, False, 30, True),
        (300, False, 30, True),
        (300, True, 30, False),  # acknowledged: never overdue
        (0.5, False, 0.5, True),
    ],
)
def test_overdue(opened_seconds_ago: float, acked: bool, after: float, is_overdue: bool) -> None:
    opened = T0 - timedelta(seconds=opened_seconds_ago)
    cues = {1: cue(1, opened, T0 if acked else None)}
    assert [c["id"] for c in overdue(cues, T0, after)] == ([1] if is_overdue else [])


def test_a_cue_action_is_a_cue_and_other_actions_are_not() -> None:
    action = {"id": 7, "type": "cue", "text": "看评论", "by": {"label": "a", "role": "r"}}
    made = cue_of_action({**action, "at": "2026-12-04T12:00:00Z"})
    assert made is not None
    assert (made["id"], made["text"], made["created_at"], made["acked_at"]) == (
        7,
        "看评论",
        "2026-12-04T12:00:00Z",
        None,
    )
    CueRead.model_validate(made)  # the shape of GET …/cues
    assert cue_of_action({**action, "type": "segment.goto", "at": "x"}) is None


def test_the_escalation_alert_names_the_cue() -> None:
    alert = cue_unacked_alert(cue(3, T0), 30)
    assert (alert.rule, alert.subject, alert.detail, alert.value) == (
        "cue_unacked",
        "3",
        {"cue_id": 3},
        30,
    )
    assert "cue 3" in alert.message


def test_keep_recent_drops_the_oldest_acknowledged_cues_never_an_open_one() -> None:
    cues = {i: cue(i, T0, T0 if i % 2 else None) for i in range(1, 9)}  # odd ids acknowledged
    keep_recent(cues, limit=5)
    assert list(cues) == [2, 4, 6, 7, 8]
    keep_recent(cues, limit=2)
    assert list(cues) == [2, 4, 6, 8]  # four open cues stay, over the limit


def test_how_long_a_cue_is_open_alone_never_makes_a_new_prompter_message() -> None:
    view = {"text": "t", "cues": [{**cue(1, T0), "open_seconds": 1.0}]}
    later = {"text": "t", "cues": [{**cue(1, T0), "open_seconds": 2.0}]}
    assert comparable(view) == comparable(later)
    assert comparable(view) != comparable({**later, "text": "u"})


@pytest.mark.parametrize(
    ("line", "terms"),
    [
        ("这是全网最好的围巾", ["最好"]),
        ("这款面霜能治愈湿疹，无副作用", ["治愈", "无副作用"]),
    ],
)
def test_speech_alert_quotes_the_line_and_its_terms(line: str, terms: list[str]) -> None:
    violations = check(line)
    assert violations, "the shipped rules flag it"
    alert = speech_alert("t9", line, violations)
    assert (alert.rule, alert.subject, alert.detail["line"]) == ("compliance", "t9", line)
    found = [v["term"] for v in alert.detail["violations"]]
    for term in terms:
        assert any(term in f for f in found)
        assert term in alert.message
    for v in alert.detail["violations"]:
        assert line[v["start"] : v["end"]] == v["term"]


# ---- the projection, driven by hand ------------------------------------------------------


class Harness:
    def __init__(
        self, inputs: PrompterInputs, escalate_after: float = 30, start: datetime = T0
    ) -> None:
        self.now = start
        self.inputs = inputs
        self.loads = 0
        self.published: list[dict[str, Any]] = []
        self.alerts: list[Event] = []
        self.live: dict[str, Any] = {"stock": [], "metrics": {"online": 10}, "feed": []}
        self.projection = PrompterProjection(
            show_id="s",
            inputs=inputs,
            load=self.load,
            live_values=lambda: self.live,
            publish=self.published.append,
            alert=self.alerts.append,
            escalate_after=lambda: escalate_after,
            now=lambda: self.now,
        )

    async def load(self) -> PrompterInputs:
        self.loads += 1
        await asyncio.sleep(0)
        return self.inputs

    def types(self) -> list[str]:
        return [m["type"] for m in self.published]


def inputs(current: str | None = "push", cues: tuple[CueRead, ...] = ()) -> PrompterInputs:
    return PrompterInputs(
        show_id="s",
        version=1,
        segments=(
            PlannedSegment("push", "强推", "A1", 60, "只剩{stock_left}件，{online}人在看"),
            PlannedSegment("close", "收尾", None, 30, "谢谢"),
        ),
        current_segment_id=current,
        entered_at=T0,
        ended_at=None,
        prices={"A1": (19900, 9900)},
        stock={"A1": {"sku": "A1", "available": 100, "sold": 0, "rev": 1}},
        cues=cues,
    )


@pytest.mark.anyio
async def test_it_publishes_only_when_what_the_anchor_sees_changes() -> None:
    h = Harness(inputs())
    h.projection.refresh()
    assert h.published == []  # the same as at load time
    h.live["stock"] = [{"sku": "A1", "available": 7, "sold": 93, "rev": 2}]
    h.projection.refresh()
    assert h.types() == ["prompter"]
    assert h.published[0]["prompter"]["text"] == "只剩7件，10人在看"
    h.projection.refresh()
    assert len(h.published) == 1
    h.now += timedelta(seconds=1)  # the clock: elapsed and countdown move
    h.projection.refresh()
    assert h.published[-1]["prompter"]["segment"]["elapsed_seconds"] == 1


@pytest.mark.anyio
async def test_a_cue_goes_out_at_once_and_the_inputs_are_read_again() -> None:
    h = Harness(inputs())
    action = {"id": 4, "type": "cue", "text": "讲库存", "by": {"label": "a", "role": "b"}}
    h.projection.apply_change(ActionTaken("s", {**action, "at": iso(T0)}))
    assert h.types() == ["cue"]
    assert [c["id"] for c in h.projection.snapshot_part()["cues"]] == [4]
    # Changes before the read begins need no read of their own; two changes while it is under
    # way need one more read, not two.
    h.projection.apply_change(RunsheetChanged("s"))
    await asyncio.sleep(0)
    assert h.loads == 1
    h.projection.apply_change(RunsheetChanged("s"))
    h.projection.apply_change(RunsheetChanged("s"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert h.loads == 2
    # Stock changes are the live values' business, not a reason to read storage.
    h.projection.apply_change(StockChanged("s", []))
    await asyncio.sleep(0)
    assert h.loads == 2

    acked = {**cue(4, T0, T0 + timedelta(seconds=2)), "text": "讲库存"}
    h.projection.apply_change(CueAcknowledged("s", acked))
    assert h.published[-1] == {"type": "cue", "cue": acked}
    assert h.projection.snapshot_part()["cues"] == [acked]
    h.projection.close()


@pytest.mark.anyio
async def test_an_open_cue_escalates_once() -> None:
    h = Harness(inputs(), escalate_after=30)
    action = {"id": 9, "type": "cue", "text": "福袋", "by": {"label": "a", "role": "b"}}
    h.projection.apply_change(ActionTaken("s", {**action, "at": iso(T0)}))
    h.now = T0 + timedelta(seconds=29)
    h.projection._tick()
    assert h.alerts == []
    h.now = T0 + timedelta(seconds=31)
    h.projection._tick()
    h.projection._tick()
    assert [a.detail["cue_id"] for a in h.alerts] == [9]
    h.projection.close()


def test_a_cue_past_the_limit_when_the_show_loads_is_not_escalated_again() -> None:
    old = CueRead.model_validate(cue(2, T0 - timedelta(minutes=5)))
    h = Harness(inputs(cues=(old,)), escalate_after=30)
    h.projection._escalate()
    assert h.alerts == []
    assert h.projection.snapshot_part()["cues"][0]["open_seconds"] == 300


@pytest.mark.anyio
async def test_a_segment_past_its_plan_warns_field_control_once() -> None:
    h = Harness(inputs())  # "push", 60 s planned, on air since T0
    h.now = T0 + timedelta(seconds=60)
    h.projection.refresh()
    assert h.alerts == []
    h.now = T0 + timedelta(seconds=61)
    h.projection.refresh()
    h.now = T0 + timedelta(seconds=90)
    h.projection.refresh()
    assert [(a.rule, a.detail["segment_id"]) for a in h.alerts] == [("segment_overrun", "push")]
    assert "1:00" in h.alerts[0].message


def test_a_segment_already_over_its_plan_when_the_show_loads_is_not_warned_again() -> None:
    h = Harness(inputs(), start=T0 + timedelta(seconds=300))
    h.projection.refresh()
    assert h.alerts == []
