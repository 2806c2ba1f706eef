"""The question queue on the live websocket (the `questions` message): a projection
(live/projection.py) over the show's `QuestionBoard`.

It is built with the show's replay (every stored comment, with the answers, dismissals and pins
of the action log merged in by time: `replay_questions`), then fed each new comment as it is
folded in and each question or pin action as it is stored. A change is published at most every
`PUBLISH_INTERVAL` seconds, and only when what consoles show differs from what they were sent.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from liveops.comments.intents import COMPLAINT_INTENTS, Intent
from liveops.comments.questions import EXAMPLES, Cluster, QuestionBoard
from liveops.events import EventRecord, iso_from_micros, ms_from_iso
from liveops.live.changes import ActionTaken, ShowChange
from liveops.live.projection import Moved

PUBLISH_INTERVAL = 0.5
OPEN_SHOWN = 50  # open clusters in a snapshot and a message, most pressing first
CLOSED_SHOWN = 20  # closed ones, newest first
QUESTION_ACTIONS = ("question.answer", "question.dismiss")
PIN_ACTIONS = ("product.pin", "product.unpin")
TOP_FOR_LIVE_VALUES = 3  # the anchor's top three questions
# Complaint times kept for `complaint_spike` (its window is a minute or so: far fewer).
COMPLAINTS_KEPT = 10_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def cluster_json(cluster: Cluster) -> dict[str, Any]:
    """A cluster as the API and the websocket show it (contract §11, times in RFC 3339)."""
    wordings = cluster.ranked_wordings()
    answered = cluster.answered_at_ms
    return {
        "id": cluster.id,
        "intent": cluster.intent,
        "topic": cluster.topic,
        "label": cluster.label,
        "sku": cluster.sku,
        "representative": wordings[0] if wordings else "",
        "examples": wordings[1 : 1 + EXAMPLES],
        "count": cluster.count,
        "viewers": cluster.viewers,
        "first_at": iso_from_micros(cluster.first_at_ms * 1000),
        "last_at": iso_from_micros(cluster.last_at_ms * 1000),
        "status": cluster.status,
        "total": cluster.total,
        "answered_at": None if answered is None else iso_from_micros(answered * 1000),
    }


def board_view(board: QuestionBoard) -> dict[str, Any]:
    ranked = board.ranked()
    open_ = [c for c in ranked if c.status == "open"]
    closed = [c for c in ranked if c.status != "open"]
    return {
        "clusters": [cluster_json(c) for c in open_[:OPEN_SHOWN]],
        "open": len(open_),
        "closed": [cluster_json(c) for c in closed[:CLOSED_SHOWN]],
    }


@dataclass(frozen=True, slots=True)
class LoggedAction:
    """A question or pin action of the log, as the replay merges it in."""

    at_ms: int
    type: str
    fields: dict[str, Any]
    by: str | None = None


class BoardBuilder:
    """Rebuilds a show's board from its stored comments in storage order, applying each logged
    action before the first comment received after it."""

    def __init__(self, actions: Sequence[LoggedAction]) -> None:
        self.board = QuestionBoard()
        self.sku: str | None = None
        self.complaint_times_ms: deque[int] = deque(maxlen=COMPLAINTS_KEPT)
        self._actions = sorted(actions, key=lambda a: a.at_ms)
        self._times = [a.at_ms for a in self._actions]
        self._next = 0

    def comment(self, record: EventRecord) -> None:
        received_ms = record.received_at_us // 1000
        self._apply_until(bisect.bisect_right(self._times, received_ms))
        add_comment(self.board, record, self.sku)
        if record.intent in COMPLAINT_INTENTS:
            self.complaint_times_ms.append(record.ts_us // 1000)

    def finish(self) -> QuestionBoard:
        self._apply_until(len(self._actions))
        return self.board

    def _apply_until(self, end: int) -> None:
        while self._next < end:
            action = self._actions[self._next]
            self._next += 1
            self.sku = apply_action(self.board, self.sku, action)


def add_comment(board: QuestionBoard, record: EventRecord, sku: str | None) -> bool:
    """Count a comment on the board; whether it joined a question cluster."""
    if record.text is None or record.intent is None:
        return False
    joined = board.add(
        intent=cast(Intent, record.intent),  # stored by the classifier: one of INTENTS
        text=record.text,
        viewer_id=record.viewer_id,
        at_ms=record.ts_us // 1000,
        sku=sku,
    )
    return joined is not None


def apply_action(board: QuestionBoard, sku: str | None, action: LoggedAction) -> str | None:
    """Apply a logged question or pin action; returns the product on screen after it."""
    if action.type == "question.answer":
        board.close(str(action.fields.get("cluster_id")), "answered", action.at_ms, action.by)
    elif action.type == "question.dismiss":
        board.close(str(action.fields.get("cluster_id")), "dismissed", action.at_ms, action.by)
    elif action.type == "product.pin":
        return str(action.fields.get("sku")) if action.fields.get("sku") else sku
    elif action.type == "product.unpin" and action.fields.get("sku") == sku:
        return None
    return sku


def logged(action: dict[str, Any]) -> LoggedAction:
    """An action record (actions/log.py `action_json`) as the board applies it."""
    by = action.get("by") or {}
    return LoggedAction(ms_from_iso(action["at"]), action["type"], action, by.get("label"))


class QuestionsProjection:
    keys = ("questions",)

    def __init__(
        self,
        *,
        board: QuestionBoard,
        sku: str | None,
        complaint_times_ms: Iterable[int],
        publish: Callable[[dict[str, Any]], None],
    ) -> None:
        self.board = board
        self.sku = sku
        self.complaint_times_ms: deque[int] = deque(complaint_times_ms, maxlen=COMPLAINTS_KEPT)
        self._publish = publish
        self._sent = board_view(board)
        self._timer: asyncio.TimerHandle | None = None

    # ---- input ---------------------------------------------------------------------------

    def comments(self, records: Iterable[EventRecord]) -> None:
        """New comments folded into the show that consoles may see (ShowLive.on_comments)."""
        changed = False
        for record in records:
            changed |= add_comment(self.board, record, self.sku)
            if record.intent in COMPLAINT_INTENTS:
                self.complaint_times_ms.append(record.ts_us // 1000)
        if changed:
            self._schedule()

    def values(self) -> dict[str, Any]:
        """What the prompter ({top_question}, the top three) and the alert rules
        (`question_unanswered`, `complaint_spike`) read (ShowLive.live_values)."""
        open_ = self.board.open_clusters()
        return {
            "questions": {
                "clusters": [cluster_json(c) for c in open_[:TOP_FOR_LIVE_VALUES]],
                "open": len(open_),
                "oldest_open_seconds": self.board.oldest_open_seconds(now_ms()),
            },
            "complaint_times_ms": self.complaint_times_ms,
        }

    def apply_change(self, change: ShowChange) -> None:
        if not isinstance(change, ActionTaken):
            return
        kind = change.action.get("type")
        if kind in QUESTION_ACTIONS or kind in PIN_ACTIONS:
            self.sku = apply_action(self.board, self.sku, logged(change.action))
            if kind in QUESTION_ACTIONS:
                self._publish_now()

    def refresh(self, moved: Moved) -> None:
        """Nothing here moves with the metrics, stock or feed."""

    # ---- reading -------------------------------------------------------------------------

    def snapshot_part(self) -> dict[str, Any]:
        return {"questions": board_view(self.board)}

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ---- publishing ----------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(PUBLISH_INTERVAL, self._publish_now)

    def _publish_now(self) -> None:
        self.close()
        view = board_view(self.board)
        if view == self._sent:
            return
        self._sent = view
        self._publish({"type": "questions", "questions": view})
