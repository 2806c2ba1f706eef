"""The question queue of a show (contract §11): question comments clustered by meaning as they
arrive, ranked, answered or dismissed (pure, no I/O).

A cluster is one question about one product: the comment's intent and topic (topics.py), and
the product on screen when it was asked. Its id is derived from that key, so a rebuild from
storage gives every cluster the id it had.

Waves: a cluster is open while comments arrive. Answering closes it; the next comment opens a
new wave (its `count`, `viewers` and `first_at` start again, `total` keeps counting). Dismissing
closes it too, but a dismissed question only comes back when a new wave has been asked by
`REOPEN_DISMISSED_VIEWERS` distinct viewers: somebody judged it not worth the anchor's time.

Ranking, most pressing first: open clusters by comments in the wave, then distinct viewers,
then age (the longest waiting first); then the closed ones, newest first.

Floods: one viewer counts at most `PER_VIEWER_LIMIT` comments in a wave, so that somebody
pasting 多大码 fifty times does not jump the queue.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from liveops.comments.intents import QUESTION_INTENTS, Intent
from liveops.comments.normalize import normalize
from liveops.comments.topics import topic_of

Status = Literal["open", "answered", "dismissed"]

PER_VIEWER_LIMIT = 3
REOPEN_DISMISSED_VIEWERS = 3
MAX_WORDINGS = 64  # distinct wordings remembered per cluster, for its representative
EXAMPLES = 3
MAX_CLUSTERS = 2_000  # per show: intents x topics x products stays far below this


def cluster_id(intent: str, topic: str, sku: str | None) -> str:
    key = f"{intent}\x1f{topic}\x1f{sku or ''}"
    return "q_" + hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass(slots=True)
class _Wording:
    text: str  # as the first viewer typed it
    count: int = 0


@dataclass(slots=True)
class Cluster:
    id: str
    intent: Intent
    topic: str
    label: str
    sku: str | None
    first_at_ms: int
    last_at_ms: int
    status: Status = "open"
    count: int = 0
    total: int = 0
    answered_at_ms: int | None = None
    closed_by: str | None = None
    wave_closed: bool = False  # answered or dismissed: the next comment starts a new wave
    viewer_counts: Counter[str] = field(default_factory=Counter)
    wordings: dict[str, _Wording] = field(default_factory=dict)

    @property
    def viewers(self) -> int:
        return len(self.viewer_counts)

    def ranked_wordings(self) -> list[str]:
        ordered = sorted(self.wordings.values(), key=lambda w: -w.count)  # stable: first first
        return [w.text for w in ordered]

    @property
    def representative(self) -> str:
        """The wording viewers used most in this wave (its first spelling)."""
        wordings = self.ranked_wordings()
        return wordings[0] if wordings else ""

    @property
    def examples(self) -> list[str]:
        """Up to `EXAMPLES` other wordings, most used first."""
        return self.ranked_wordings()[1 : 1 + EXAMPLES]


class QuestionBoard:
    """One show's question clusters."""

    def __init__(self) -> None:
        self.clusters: dict[str, Cluster] = {}
        # Every wave closed while open: (cluster id, how, seconds it had waited). The review's
        # response times; one entry per answer or dismissal, so bounded by the action log.
        self.closed_waves: list[tuple[str, Status, float]] = []

    def add(
        self,
        *,
        intent: Intent,
        text: str,
        viewer_id: str | None,
        at_ms: int,
        sku: str | None,
    ) -> Cluster | None:
        """Count a comment; returns the cluster it joined (None when it is not a question)."""
        if intent not in QUESTION_INTENTS:
            return None
        normal = normalize(text)
        topic = topic_of(intent, normal)
        if topic is None:
            return None
        key = cluster_id(intent, topic.key, sku)
        cluster = self.clusters.get(key)
        if cluster is None:
            if len(self.clusters) >= MAX_CLUSTERS:
                return None
            cluster = Cluster(key, intent, topic.key, topic.label, sku, at_ms, at_ms)
            self.clusters[key] = cluster
        elif cluster.wave_closed:
            self._new_wave(cluster, at_ms, reopen=cluster.status == "answered")
        viewer = viewer_id or ""
        if cluster.viewer_counts[viewer] >= PER_VIEWER_LIMIT:
            return cluster
        cluster.viewer_counts[viewer] += 1
        cluster.count += 1
        cluster.total += 1
        cluster.last_at_ms = max(cluster.last_at_ms, at_ms)
        wording = cluster.wordings.get(normal)
        if wording is None and len(cluster.wordings) < MAX_WORDINGS:
            wording = cluster.wordings[normal] = _Wording(text.strip())
        if wording is not None:
            wording.count += 1
        if cluster.status == "dismissed" and cluster.viewers >= REOPEN_DISMISSED_VIEWERS:
            cluster.status = "open"
            cluster.answered_at_ms = cluster.closed_by = None
        return cluster

    def _new_wave(self, cluster: Cluster, at_ms: int, *, reopen: bool) -> None:
        cluster.wave_closed = False
        cluster.count = 0
        cluster.viewer_counts = Counter()
        cluster.wordings = {}
        cluster.first_at_ms = cluster.last_at_ms = at_ms
        if reopen:
            cluster.status = "open"
            cluster.answered_at_ms = cluster.closed_by = None

    def close(self, cluster_id: str, status: Status, at_ms: int, by: str | None = None) -> bool:
        """Answer or dismiss a cluster; False when there is no such cluster."""
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            return False
        if cluster.status == "open":
            waited = max(0.0, (at_ms - cluster.first_at_ms) / 1000)
            self.closed_waves.append((cluster_id, status, waited))
        cluster.status = status
        cluster.answered_at_ms = at_ms
        cluster.closed_by = by
        cluster.wave_closed = True
        return True

    def ranked(self) -> list[Cluster]:
        """Every cluster, most pressing first."""
        open_ = [c for c in self.clusters.values() if c.status == "open"]
        open_.sort(key=lambda c: (-c.count, -c.viewers, c.first_at_ms, c.id))
        closed = [c for c in self.clusters.values() if c.status != "open"]
        closed.sort(key=lambda c: (-(c.answered_at_ms or 0), c.id))
        return open_ + closed

    def open_clusters(self) -> list[Cluster]:
        return [c for c in self.ranked() if c.status == "open"]

    def top_question(self) -> str | None:
        """The representative of the most pressing open cluster ({top_question}, §8)."""
        top = self.open_clusters()[:1]
        return top[0].representative if top else None

    def oldest_open_seconds(self, now_ms: int) -> float | None:
        """How long the longest-waiting open question has waited (question_unanswered)."""
        waiting = [c.first_at_ms for c in self.clusters.values() if c.status == "open"]
        return max(0.0, (now_ms - min(waiting)) / 1000) if waiting else None
