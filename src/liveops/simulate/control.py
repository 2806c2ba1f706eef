"""The simulated field control (场控) and anchor (主播) of a show, over the public API.

Before the start, field control saves the run-sheet; during the show it moves from segment to
segment on the run-sheet's timing (`segment.goto`), pins the product a segment is about
(`product.pin`), runs a lucky bag in each welfare segment (`lucky_bag.start` at its start,
`lucky_bag.draw` at its end, among the viewers who commented), sends cues and runs the 秒杀
(schedules it, so that consoles count down, and stops it when its window is over), answers the
top open question of the question queue every `ANSWER_EVERY_SECONDS`, and the anchor
acknowledges each cue a few seconds later. Each plays with a token of its own role, minted by
the simulator's admin token, so that the audit log and the cue list say who did what; a token
that may not mint (operations) plays both parts itself.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import orjson

from liveops.simulate.scenario import Rundown
from liveops.simulate.scripts import PlannedCue

FIELD_CONTROL_LABEL = "模拟场控"
ANCHOR_LABEL = "模拟主播"
OVERRIDE_REASON = "模拟演示：脚本未按本部署的合规规则复核，由模拟器放行"
# Minted tokens outlive the show by this much, then expire on their own.
_TOKEN_MARGIN_SECONDS = 900
_TOKEN_MAX_SECONDS = 366 * 86_400
_PROBLEMS_SAID = 3
LUCKY_BAG_PRIZE = "福袋：品牌保温杯"
LUCKY_BAG_WINNERS = 3
# How often (show seconds) field control answers the most pressing open question, if any.
ANSWER_EVERY_SECONDS = 25.0
# A server without a question queue, or a token that may not use it: stop asking.
_NO_QUEUE = frozenset({401, 403, 404, 405})


class SimulationError(RuntimeError):
    """The server cannot be played against: unreachable, or it refused us for good.

    Here rather than in the runner, which re-exports it, because both raise it and the runner
    imports this module."""


class Requester(Protocol):
    """What the control needs of the runner's HTTP sender."""

    api: str  # …/api/v1
    base: str  # …/api/v1/shows/{id}

    async def request(
        self,
        method: str,
        url: str,
        body: bytes,
        what: str,
        token: str | None = None,
        *,
        tries: int = ...,
    ) -> httpx.Response: ...

    def refusal(self, response: httpx.Response, *, size: int = 0, what: str = "") -> str: ...


@dataclass(slots=True)
class OnAirReport:
    """What the simulated field control and anchor did, and what the server said."""

    runsheet_version: int | None = None
    segments: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    tokens_minted: list[str] = field(default_factory=list)  # roles
    segment_moves: int = 0
    cues_sent: int = 0
    cues_acked: int = 0
    pins: int = 0
    lucky_bags_drawn: int = 0
    sales_started: int = 0  # flash sales scheduled or started (POST …/flash-sale)
    sales_stopped: int = 0
    questions_answered: int = 0  # question clusters closed (POST …/questions/{id}/answer)
    problems: list[str] = field(default_factory=list)


def _subject(action: dict[str, Any]) -> str:
    for key in ("segment_id", "sku", "bag_id", "text"):
        if key in action:
            return str(action[key])
    return ""


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


class Control:
    """Field control and the anchor of one simulated show."""

    def __init__(
        self,
        sender: Requester,
        *,
        show_id: str,
        token: str | None,
        duration: float,
        auto_ack: bool,
        out: Callable[[str], None],
    ) -> None:
        self.sender = sender
        self.show_id = show_id
        self.duration = duration
        self.auto_ack = auto_ack
        self.out = out
        self.report = OnAirReport()
        self.field_token = token
        self.anchor_token = token
        self.steps: list[tuple[float, int, str, Any]] = []
        self.seq = 0
        self.enabled = True
        self.answering = True  # False once the server has no question queue for us

    # -- before the start ---------------------------------------------------------------------

    async def _mint(self, role: str, label: str) -> str | None:
        """A token of ``role`` for the show; None when ours may not mint (not admin)."""
        seconds = math.ceil(self.duration) + _TOKEN_MARGIN_SECONDS
        body = orjson.dumps(
            {
                "role": role,
                "show_id": self.show_id,
                "label": label,
                "expires_in_seconds": min(_TOKEN_MAX_SECONDS, max(60, seconds)),
            }
        )
        response = await self.sender.request(
            "POST", f"{self.sender.api}/auth/tokens", body, f"minting a {role} token"
        )
        if response.status_code == 401:
            raise SimulationError(self.sender.refusal(response, what=f"mint a {role} token"))
        if response.status_code != 201:
            return None
        token = response.json().get("token")
        if not isinstance(token, str):
            return None
        self.report.tokens_minted.append(role)
        return token

    async def prepare(self, rundown: Rundown) -> bytes:
        """Mint the field-control and anchor tokens and save the run-sheet; answers the body
        of the show's start. A run-sheet with compliance findings is reported loudly and the
        start overrides them (the override is kept in the audit log): a simulated show plays
        on, and the tests assert there are none. A run-sheet the server refuses (a token that
        may not write one, a show already on another run-sheet) leaves the show without one."""
        field_token = await self._mint("field_control", FIELD_CONTROL_LABEL)
        if field_token is None:
            self.out("the token may not mint tokens: it plays field control and the anchor itself")
        else:
            self.field_token = field_token
            if self.auto_ack:
                self.anchor_token = await self._mint("anchor", ANCHOR_LABEL) or self.anchor_token
        body = orjson.dumps(rundown.body())
        response = await self.sender.request(
            "PUT", f"{self.sender.base}/runsheet", body, "saving the run-sheet", self.field_token
        )
        if response.status_code in (401, 404):
            raise SimulationError(self.sender.refusal(response, what="save the run-sheet"))
        if response.status_code != 200:
            self.enabled = False
            self.problem(
                f"run-sheet refused (HTTP {response.status_code} {_excerpt(response)}): the show"
                " plays without one"
            )
            return b"{}"
        saved = response.json()
        self.report.runsheet_version = int(saved.get("version", 0))
        self.report.segments = len(rundown.segments)
        self.report.findings = list(saved.get("findings") or [])
        acks = (
            "a simulated anchor acknowledges each after 2–8 s"
            if self.auto_ack
            else "for a human anchor to acknowledge"
        )
        if self.report.findings:
            terms = ", ".join(str(f.get("term")) for f in self.report.findings[:5])
            self.problem(
                f"THE RUN-SHEET HAS {len(self.report.findings)} COMPLIANCE FINDING(S) ({terms}"
                f"{', …' if len(self.report.findings) > 5 else ''}) under this server's rules:"
                " starting with an override, kept in the audit log"
            )
            return orjson.dumps({"override_reason": OVERRIDE_REASON})
        self.out(
            f"run-sheet v{self.report.runsheet_version} saved: {len(rundown.segments)} segments,"
            f" no compliance findings; field control sends cues {acks}"
        )
        return b"{}"

    # -- during the show ----------------------------------------------------------------------

    def schedule(self, rundown: Rundown, *, goto_first: bool) -> None:
        """Queue the segment moves (each segment at its start; the first only when the
        show's start did not put it on air) and the cues."""
        if not self.enabled:
            return
        for index, segment in enumerate(rundown.segments):
            start, end = segment.window.start_ms / 1000, segment.window.end_ms / 1000
            if index or goto_first:
                self._push(start, "goto", segment.id)
            if segment.product is not None:
                self._push(start, "pin", segment.product.sku)
            if segment.beat == "welfare":
                bag = f"bag-{segment.id}"
                self._push(start, "bag.start", bag)
                self._push(end, "bag.draw", bag)
        for cue in rundown.cues:
            self._push(cue.at, "cue", cue)
        # Within the show only: nothing is asked of the server after its end.
        rounds = math.ceil(self.duration / ANSWER_EVERY_SECONDS) - 1
        for n in range(1, rounds + 1):
            self._push(n * ANSWER_EVERY_SECONDS, "answer", None)

    def schedule_sale(
        self, sku: str, cap: int, *, at: float, starts_at: str | None, stop_at: float
    ) -> None:
        """Start the 秒杀 of ``sku`` at ``at`` seconds (scheduled for ``starts_at``, an RFC
        3339 instant, or at once) and stop it at ``stop_at``. Unlike the moves and cues, the
        sale is run even when the run-sheet was refused: it is the shop's, not the script's."""
        body: dict[str, Any] = {"cap": cap}
        if starts_at is not None:
            body["starts_at"] = starts_at
        self._push(at, "sale.start", (sku, body))
        self._push(stop_at, "sale.stop", sku)

    def _push(self, at: float, kind: str, payload: Any) -> None:
        self.seq += 1
        heapq.heappush(self.steps, (at, self.seq, kind, payload))

    @property
    def pending(self) -> bool:
        return bool(self.steps)

    @property
    def next_at(self) -> float:
        """When the next step is due (seconds into the show); inf when none is left."""
        return self.steps[0][0] if self.steps else math.inf

    async def advance(
        self, until: float, wait: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        """Take every step due by ``until`` seconds into the show, in time order; with
        ``wait`` (real time), wait for each step's moment first. A cue queues its
        acknowledgement, so real-time play ends after the last one."""
        while self.steps and self.steps[0][0] <= until:
            if wait is not None:
                await wait(self.steps[0][0])
            at, _, kind, payload = heapq.heappop(self.steps)
            try:
                await self._take(at, kind, payload)
            except SimulationError as exc:
                self._stop(str(exc))

    async def _take(self, at: float, kind: str, payload: Any) -> None:
        base = self.sender.base
        if kind in ("sale.start", "sale.stop"):
            await self._sale(kind, payload)
            return
        if kind == "answer":
            await self._answer_top_question()
            return
        if kind == "ack":
            cue_id = int(payload)
            response = await self.sender.request(
                "POST", f"{base}/cues/{cue_id}/ack", b"", "acknowledging a cue", self.anchor_token
            )
            if response.status_code == 200:
                self.report.cues_acked += 1
            else:
                self._refused(response, f"acknowledge cue {cue_id}")
            return
        action: dict[str, Any]
        if kind == "goto":
            action = {"type": "segment.goto", "segment_id": payload}
        elif kind == "pin":
            action = {"type": "product.pin", "sku": payload}
        elif kind == "bag.start":
            action = {
                "type": "lucky_bag.start",
                "bag_id": payload,
                "prize": LUCKY_BAG_PRIZE,
                "winners": LUCKY_BAG_WINNERS,
                "condition": "comment",
                "entries_from": "start",  # a 福袋 with a comment password, as on the platforms
            }
        elif kind == "bag.draw":
            action = {"type": "lucky_bag.draw", "bag_id": payload}
        else:
            action = {"type": "cue", "text": payload.text}
        what = f"{action['type']} {_subject(action)}"
        response = await self.sender.request(
            "POST", f"{base}/actions", orjson.dumps(action), what, self.field_token
        )
        if response.status_code != 201:
            self._refused(response, what)
            return
        if kind == "goto":
            self.report.segment_moves += 1
            return
        if kind == "pin":
            self.report.pins += 1
            return
        if kind.startswith("bag."):
            self.report.lucky_bags_drawn += kind == "bag.draw"
            return
        self.report.cues_sent += 1
        cue: PlannedCue = payload
        if self.auto_ack:
            self._push(at + cue.ack_after, "ack", response.json()["id"])

    async def _sale(self, kind: str, payload: Any) -> None:
        if kind == "sale.start":
            sku, body = payload
            method, content, what = "POST", orjson.dumps(body), f"start the flash sale of {sku}"
        else:
            sku, method, content, what = payload, "DELETE", b"", f"stop the flash sale of {payload}"
        url = f"{self.sender.base}/stock/{quote(sku, safe='')}/flash-sale"
        response = await self.sender.request(method, url, content, what, self.field_token)
        if response.status_code != 200:
            # Not `_refused`: a sale the server will not run leaves the moves and cues be.
            self.problem(
                f"the server refused to {what} (HTTP {response.status_code}): {_excerpt(response)}"
            )
        elif kind == "sale.start":
            self.report.sales_started += 1
        else:
            self.report.sales_stopped += 1

    async def _answer_top_question(self) -> None:
        """Answer the most pressing open question cluster, if there is one (contract §11).

        Quietly: the queue is an extra, so one try each, no retry, and nothing said about a
        failure; a server without the queue (404) or a token that may not use it is not asked
        again."""
        if not self.answering:
            return
        base = f"{self.sender.base}/questions"
        try:
            listed = await self.sender.request(
                "GET", base, b"", "listing the open questions", self.field_token, tries=1
            )
            if listed.status_code in _NO_QUEUE:
                self.answering = False
                return
            clusters = listed.json().get("clusters") if listed.status_code == 200 else None
            top = next(
                (
                    c
                    for c in clusters or ()
                    if isinstance(c, dict) and c.get("status") == "open" and c.get("id")
                ),
                None,
            )
            if top is None:
                return
            url = f"{base}/{quote(str(top['id']), safe='')}/answer"
            answered = await self.sender.request(
                "POST", url, b"{}", "answering a question", self.field_token, tries=1
            )
        except (SimulationError, ValueError, AttributeError, TypeError):
            return  # unreachable, or an answer that is not the contract's: try next time
        if answered.is_success:
            self.report.questions_answered += 1
        elif answered.status_code in (401, 403):
            self.answering = False

    def _refused(self, response: httpx.Response, what: str) -> None:
        problem = (
            f"the server refused to {what} (HTTP {response.status_code}): {_excerpt(response)}"
        )
        # A token that may not act now will not be allowed later either: stop trying.
        if response.status_code in (401, 403):
            self._stop(problem)
        else:
            self.problem(problem)

    def _stop(self, problem: str) -> None:
        self.problem(f"{problem}; field control and the anchor stop here")
        self.steps.clear()

    def problem(self, line: str) -> None:
        self.report.problems.append(line)
        # A server that refuses every step would bury the progress lines: say the first few.
        if len(self.report.problems) <= _PROBLEMS_SAID:
            self.out(line)
        elif len(self.report.problems) == _PROBLEMS_SAID + 1:
            self.out("more steps refused; the report lists them all")
