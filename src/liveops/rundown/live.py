"""The prompter and the cues on the live websocket (contract §8): a projection (live/projection.py).

What the anchor sees is `view.prompter_view` of the inputs read from storage and the live
values (stock, online, feed). The inputs are read again after every change that moves them (a
run-sheet saved, a segment put on air, a cue sent or acknowledged, the lineup or the show
edited); the view is rendered again whenever the live values move and once a second (the
countdown), and published as a `prompter` message when it differs from the one sent last.

A segment that runs past its planned time raises one `segment_overrun` alert to field control.

Cues go out as `cue` messages at once: when sent, and again when acknowledged (with the time it
took). A cue still open after the show's `cue_unacked` threshold (alerts/rules.py; by default
`cue_escalate_seconds`) raises one `cue_unacked` alert (alerts/live.py carries it out). The
escalations are remembered by this process only: a cue that was past the limit when its show
was loaded (a restart, or another process taking the show over) is taken as escalated already,
so that a handover never raises the same alert twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from liveops.alerts.board import Event
from liveops.events import parse_iso, utc_now
from liveops.live.changes import (
    ActionTaken,
    AllocationChanged,
    CueAcknowledged,
    RunsheetChanged,
    ShowChange,
    ShowEdited,
)
from liveops.live.projection import EVERYTHING, Moved
from liveops.live.reload import Reloader
from liveops.rundown.view import PrompterInputs, prompter_view

log = logging.getLogger("liveops.rundown")

RECENT_CUES = 20  # the cues a snapshot holds: every open one first in line, then the newest
TICK_SECONDS = 1.0

Message = dict[str, Any]

# Changes after which the prompter's inputs are read again from storage.
_RELOAD_ON = (RunsheetChanged, ActionTaken, CueAcknowledged, AllocationChanged, ShowEdited)


def cue_of_action(action: Mapping[str, Any]) -> Message | None:
    """A `cue` action's record as a cue (the shape of `GET …/cues`), or None for other types."""
    if action.get("type") != "cue":
        return None
    return {
        "id": action["id"],
        "text": action.get("text", ""),
        "by": action["by"],
        "created_at": action["at"],
        "acked_at": None,
        "ack_seconds": None,
        "acked_by": None,
        "open_seconds": 0.0,
    }


def overdue(cues: Mapping[int, Message], now: datetime, after: float) -> list[Message]:
    """The open cues that have waited `after` seconds or more, oldest first. Pure."""
    return [
        cue
        for cue in cues.values()
        if cue["acked_at"] is None and (now - parse_iso(cue["created_at"])).total_seconds() >= after
    ]


def cue_unacked_alert(cue: Message, after: float) -> Event:
    """The alert an overdue cue raises (for the roles that send cues, by default). Pure."""
    text = cue["text"]
    return Event(
        "cue_unacked",
        str(cue["id"]),
        f"提示 {after:.0f} 秒未确认：{text} / Cue not acknowledged after {after:.0f} s: {text}",
        {"cue_id": cue["id"]},
        value=after,
    )


def overrun_alert(segment: Mapping[str, Any], key: tuple[str, str]) -> Event:
    """The alert a segment raises when it runs past its plan (for field control, who paces
    the show, by default: move on, or cut the next segment short). Pure."""
    title, planned = segment["title"], segment["planned_seconds"]
    minutes, seconds = divmod(planned, 60)
    return Event(
        "segment_overrun",
        "@".join(key),  # one alert per stay on air
        f"「{title}」超出计划时长 {minutes}:{seconds:02d} / Segment “{title}” ran past its "
        f"planned {minutes}:{seconds:02d}",
        {"segment_id": segment["id"]},
    )


def overrun_key(inputs: PrompterInputs | None, view: Message) -> tuple[str, str] | None:
    """Which stay on air of which segment has run over (a segment put on air again may run
    over again), or None when none has."""
    segment = view.get("segment")
    if inputs is None or segment is None or not view.get("overrun_seconds"):
        return None
    entered = inputs.entered_at.isoformat() if inputs.entered_at else ""
    return segment["id"], entered


def comparable(view: Message) -> Message:
    """The view without what moves on its own (how long each cue has been open): two views
    that compare equal need no new publication."""
    return {**view, "cues": [{**c, "open_seconds": None} for c in view["cues"]]}


def keep_recent(cues: dict[int, Message], limit: int = RECENT_CUES) -> None:
    """Drop the oldest acknowledged cues beyond `limit` (open ones stay: they still flash)."""
    excess = len(cues) - limit
    for cue_id in [i for i, c in cues.items() if c["acked_at"] is not None]:
        if excess <= 0:
            return
        del cues[cue_id]
        excess -= 1


class PrompterProjection:
    """One show's prompter and cues. Publishes through `publish` (a message dict) and raises
    alerts through `alert`; `live_values` gives the live snapshot's stock, metrics and feed."""

    keys = ("prompter", "cues")

    def __init__(
        self,
        *,
        show_id: str,
        inputs: PrompterInputs | None,
        load: Callable[[], Awaitable[PrompterInputs | None]],
        live_values: Callable[[], Mapping[str, Any]],
        publish: Callable[[Message], None],
        alert: Callable[[Event], None],
        escalate_after: Callable[[], float],
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.show_id = show_id
        self._inputs = inputs
        self._live_values = live_values
        self._publish = publish
        self._alert = alert
        self._escalate_after = escalate_after
        self._now = now
        self._cues: dict[int, Message] = {}
        for cue in inputs.cues if inputs else ():
            self._cues[cue.id] = cue.model_dump(mode="json")
        self._escalated = {c["id"] for c in overdue(self._cues, now(), escalate_after())}
        first = None if inputs is None else self.view()
        self._shown: Message | None = None if first is None else comparable(first)
        # Like cues, a segment already over its plan at load time was warned of before.
        self._overran: set[tuple[str, str]] = set()
        overran = None if first is None else overrun_key(inputs, first)
        if overran is not None:
            self._overran.add(overran)
        self._reloader: Reloader[PrompterInputs | None] = Reloader(
            f"show {show_id}'s prompter inputs", load, self._loaded
        )
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    # ---- the projection ------------------------------------------------------------------

    def start(self) -> None:
        """Begin the once-a-second render (needs the running loop)."""
        self._tick_later()

    def apply_change(self, change: ShowChange) -> None:
        if isinstance(change, ActionTaken):
            cue = cue_of_action(change.action)
            if cue is not None:
                self._cues[cue["id"]] = cue
                keep_recent(self._cues)
                self._publish({"type": "cue", "cue": cue})
        elif isinstance(change, CueAcknowledged):
            cue = dict(change.cue)
            if cue["id"] in self._cues or not self._cues:
                self._cues[cue["id"]] = cue
            else:
                self._cues = {cue["id"]: cue, **self._cues}  # older than every cue held
            keep_recent(self._cues)
            self._publish({"type": "cue", "cue": cue})
        if isinstance(change, _RELOAD_ON):
            self._reload()

    def refresh(self, moved: Moved = EVERYTHING) -> None:
        """Render again; publish when what the anchor sees changed."""
        if self._inputs is None or self._closed:
            return
        view = self.view()
        shown = comparable(view)
        if shown != self._shown:
            self._shown = shown
            self._publish({"type": "prompter", "prompter": view})
        overran = overrun_key(self._inputs, view)
        if overran is not None and overran not in self._overran:
            self._overran.add(overran)
            self._alert(overrun_alert(view["segment"], overran))

    def snapshot_part(self) -> dict[str, Any]:
        return {
            "prompter": None if self._inputs is None else self.view(),
            "cues": self.cues(),
        }

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._reloader.close()

    # ---- reading -------------------------------------------------------------------------

    def view(self) -> Message:
        assert self._inputs is not None
        return prompter_view(self._inputs, self._live_values(), self._now())

    def cues(self) -> list[Message]:
        """The recent cues, oldest first, each with how long it has been open now."""
        now = self._now()
        out = []
        for cue in self._cues.values():
            if cue["acked_at"] is None:
                opened = (now - parse_iso(cue["created_at"])).total_seconds()
                cue = {**cue, "open_seconds": round(max(0.0, opened), 3)}
            out.append(cue)
        return out

    # ---- inner workings ------------------------------------------------------------------

    def _reload(self) -> None:
        """Read the inputs again (live/reload.py: one read at a time)."""
        self._reloader.request()

    def _loaded(self, inputs: PrompterInputs | None) -> None:
        if inputs is None or self._closed:
            return  # deleted meanwhile: keep what the prompter shows
        self._inputs = inputs
        for cue in inputs.cues:  # open cues this process never saw sent (a handover)
            self._cues.setdefault(cue.id, cue.model_dump(mode="json"))
        self.refresh()

    def _tick_later(self) -> None:
        if not self._closed:
            self._timer = asyncio.get_running_loop().call_later(TICK_SECONDS, self._tick)

    def _tick(self) -> None:
        try:
            self._escalate()
            self.refresh()
        except Exception:  # a bug here must not stop the clock for every later second
            log.exception("show %s: the prompter's second failed", self.show_id)
        finally:
            self._tick_later()

    def _escalate(self) -> None:
        self._escalated &= self._cues.keys()  # acknowledged cues never escalate again
        after = self._escalate_after()
        for cue in overdue(self._cues, self._now(), after):
            if cue["id"] not in self._escalated:
                self._escalated.add(cue["id"])
                self._alert(cue_unacked_alert(cue, after))
