"""The shape of a simulated show: product segments, the flash sale, waves of arriving viewers,
who is in the room when, and how busy each moment is. All times are integer milliseconds since
the show's start, so that what the plan decides and what a millisecond ``ts`` says agree."""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from dataclasses import dataclass

from liveops.simulate import texts
from liveops.simulate.lineup import Product


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time span ``[start_ms, end_ms)``."""

    start_ms: int
    end_ms: int

    def __contains__(self, t_ms: object) -> bool:
        return isinstance(t_ms, int | float) and self.start_ms <= t_ms < self.end_ms


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the show during which one product is pinned (讲解中)."""

    product: Product
    window: Window


@dataclass(frozen=True, slots=True)
class Wave:
    """A swell of arrivals, e.g. a paid-traffic push (投流) or a short video going viral."""

    center_ms: float
    width_ms: float
    weight: float
    channel: str | None


@dataclass(frozen=True, slots=True)
class Shape:
    """Everything about the show that does not depend on individual viewers."""

    duration_ms: int
    bucket_ms: int
    segments: tuple[Segment, ...]
    flash: Window
    flash_product: Product
    flash_announced_ms: int  # field control schedules the 秒杀: consoles count down from here
    warmup: Window
    closing: Window
    like_bursts: tuple[Window, ...]
    stall: Window
    waves: tuple[Wave, ...]

    @property
    def buckets(self) -> int:
        return max(1, math.ceil(self.duration_ms / self.bucket_ms))

    def segment_at(self, t_ms: int) -> Segment:
        """The product pinned at ``t_ms``: during the warm-up the first product's link is
        already up, and through the closing the last one stays pinned."""
        starts = [s.window.start_ms for s in self.segments]
        return self.segments[max(0, bisect.bisect_right(starts, t_ms) - 1)]


# Shares of the show, capped for long shows: seeds 000 orders a show warm-up → products →
# interaction, and a warm-up of a few minutes is what keeps early arrivals until the first push.
_WARMUP_SHARE, _WARMUP_MAX_MS = 0.06, 600_000
_CLOSING_SHARE, _CLOSING_MAX_MS = 0.04, 300_000
# Where the 秒杀 starts in its product's segment: after the hook, FABE and push, in the welfare
# beat (see scripts.STAGES).
FLASH_AT = 0.55


@dataclass(frozen=True, slots=True)
class Layout:
    """When each part of the show runs: the run-sheet's segments and the pinned products use
    the same windows, so that a `segment.goto` and the viewers' clicks move together."""

    warmup: Window
    segments: tuple[Segment, ...]
    closing: Window
    flash: Window
    flash_product: Product
    flash_announced_ms: int


def layout(duration_ms: int, lineup: tuple[Product, ...]) -> Layout:
    """Warm-up, each product in turn (the lineup again, 返场, about every half hour), closing;
    one 秒杀 in the 福利款's first segment, announced (its countdown starting) as that segment
    goes on air. Pure: no randomness, so the run-sheet can be laid
    out before the show is planned."""
    d = duration_ms
    warmup_end = min(int(d * _WARMUP_SHARE), _WARMUP_MAX_MS)
    closing_start = d - min(int(d * _CLOSING_SHARE), _CLOSING_MAX_MS)
    # A run-sheet holds at most 200 segments: warm-up, closing and up to 198 products.
    cycles = max(1, min(round(d / 1_800_000), 198 // len(lineup)))
    order = [p for _ in range(cycles) for p in lineup]
    span = closing_start - warmup_end
    bounds = [warmup_end + k * span // len(order) for k in range(len(order) + 1)]
    segments = tuple(Segment(p, Window(bounds[k], bounds[k + 1])) for k, p in enumerate(order))
    welfare = [p for p in lineup if p.role == "福利款"]
    flash_product = welfare[0] if welfare else min(lineup, key=lambda p: p.live_price)
    seg = next(s.window for s in segments if s.product is flash_product)
    length = seg.end_ms - seg.start_ms
    flash_start = seg.start_ms + int(length * FLASH_AT)
    flash_len = min(max(length // 4, 2_000), 5_000, max(1, seg.end_ms - flash_start))
    return Layout(
        warmup=Window(0, warmup_end),
        segments=segments,
        closing=Window(closing_start, d),
        flash=Window(flash_start, flash_start + flash_len),
        flash_product=flash_product,
        flash_announced_ms=seg.start_ms,
    )


def make_shape(rng: random.Random, duration_ms: int, lineup: tuple[Product, ...]) -> Shape:
    """Lay out the show (`layout`), then the like bursts, the stall and the arrival waves."""
    d = duration_ms
    laid = layout(d, lineup)
    flash = laid.flash

    bursts = []
    for _ in range(min(max(round(d / 20_000), 1), 12)):
        start = int(rng.uniform(0.05, 0.9) * d)
        bursts.append(Window(start, start + min(rng.randrange(3_000, 6_001), max(1, d // 10))))
    stall_start = int(rng.uniform(0.55, 0.7) * d)
    stall = Window(stall_start, stall_start + min(max(6_000, d // 25), max(1, d * 15 // 100)))

    waves = [Wave(0.04 * d, 0.04 * d, 0.15, "follow")]  # 开播提醒 brings the followers in
    for _ in range(rng.randrange(2, 4)):
        waves.append(
            Wave(
                rng.uniform(0.2, 0.9) * d,
                rng.uniform(0.03, 0.08) * d,
                rng.uniform(0.08, 0.15),
                rng.choice(("recommend", "paid", "short_video", "share")),
            )
        )
    waves.append(Wave(flash.start_ms - 0.02 * d, 0.03 * d, 0.10, "recommend"))
    return Shape(
        duration_ms=d,
        bucket_ms=max(100, math.ceil(d / 4000)),
        segments=laid.segments,
        flash=flash,
        flash_product=laid.flash_product,
        flash_announced_ms=laid.flash_announced_ms,
        warmup=laid.warmup,
        closing=laid.closing,
        like_bursts=tuple(bursts),
        stall=stall,
        waves=tuple(waves),
    )


@dataclass(frozen=True, slots=True)
class Viewer:
    id: str
    region: str
    age_band: str
    device: str
    tier: str
    engagement: float  # the chance a viewer picked at random actually speaks up


@dataclass(frozen=True, slots=True)
class Session:
    """One stay in the room; ``reconnect_ms`` is a second join sent while still present."""

    viewer: int
    join_ms: int
    leave_ms: int
    channel: str
    reconnect_ms: int | None


_BASE_WEIGHT = 0.4


def _arrival(rng: random.Random, shape: Shape, component: int) -> int:
    d = shape.duration_ms
    if component == 0:
        return rng.randrange(d)
    wave = shape.waves[component - 1]
    for _ in range(5):
        t = rng.gauss(wave.center_ms, wave.width_ms)
        if 0 <= t < d:
            return int(t)
    return rng.randrange(d)


def make_sessions(
    rng: random.Random, shape: Shape, count: int, seed: int
) -> tuple[list[Viewer], list[Session]]:
    """``count`` stays, in join order; about 6% are returning viewers (rejoins)."""
    d = shape.duration_ms
    weights = [_BASE_WEIGHT, *(w.weight for w in shape.waves)]
    components = rng.choices(range(len(weights)), weights=weights, k=count)
    arrivals = sorted((_arrival(rng, shape, c), c) for c in components)
    median_ms = min(max(d / 5, 3_000), 180_000)

    viewers: list[Viewer] = []
    sessions: list[Session] = []
    inside: list[tuple[int, int]] = []  # heap of (leave_ms, viewer)
    gone: list[int] = []  # viewers who left at least a second ago
    for join_ms, component in arrivals:
        while inside and inside[0][0] <= join_ms - 1_000:
            gone.append(heapq.heappop(inside)[1])
        if gone and rng.random() < 0.06:
            slot = rng.randrange(len(gone))
            gone[slot], gone[-1] = gone[-1], gone[slot]
            viewer = gone.pop()
        else:
            viewer = len(viewers)
            region, age_band, device, tier = texts.audience(rng)
            engagement = rng.choices((0.05, 0.4, 1.0), weights=(0.65, 0.25, 0.10))[0]
            if tier == "vip":
                engagement = max(engagement, 0.5)
            viewers.append(
                Viewer(f"dy_{seed}_{viewer:06d}", region, age_band, device, tier, engagement)
            )
        wave_channel = shape.waves[component - 1].channel if component else None
        chosen = wave_channel if wave_channel and rng.random() < 0.6 else texts.channel(rng)
        # Engaged viewers stay longer; the lognormal tail gives the few who watch it all.
        stay_median = median_ms * (0.6 + viewers[viewer].engagement)
        stay = max(1_000, int(rng.lognormvariate(math.log(stay_median), 1.0)))
        leave_ms = min(d, join_ms + stay)
        reconnect = None
        if leave_ms - join_ms >= 4_000 and rng.random() < 0.01:
            reconnect = join_ms + rng.randrange(1_000, leave_ms - join_ms - 1_000)
        sessions.append(Session(viewer, join_ms, leave_ms, chosen, reconnect))
        heapq.heappush(inside, (leave_ms, viewer))
    return viewers, sessions


@dataclass(frozen=True, slots=True)
class Intensity:
    """Cumulative weights per bucket, one series per kind of activity, for `sample_times`."""

    talk: list[float]  # comments, clicks, impressions, cart adds, shares, follows
    cheer: list[float]  # likes and gifts: bursts when the anchor calls for them
    buy: list[float]  # regular orders: they build up through each segment's hard push


def intensity(shape: Shape, sessions: list[Session]) -> Intensity:
    """How busy each bucket is: the people in the room times what is happening on air."""
    n = shape.buckets
    diff = [0] * (n + 1)
    for s in sessions:
        diff[min(n, s.join_ms // shape.bucket_ms)] += 1
        diff[min(n, s.leave_ms // shape.bucket_ms)] -= 1
    present = list(itertools.accumulate(diff[:n]))
    talk, cheer, buy = [], [], []
    flash = shape.flash
    after_flash = Window(flash.end_ms, flash.end_ms + 10_000)
    for b in range(n):
        t = b * shape.bucket_ms + shape.bucket_ms // 2
        room = max(present[b], 0) + 0.5
        seg = shape.segment_at(t).window
        # Clamped: the warm-up comes before the first product's window, the closing after the
        # last one's.
        progress = min(1.0, max(0.0, (t - seg.start_ms) / max(1, seg.end_ms - seg.start_ms)))
        excite = 1.0 + 0.6 * (progress < 0.15) + 2.5 * (t in flash) + 1.0 * (t in after_flash)
        burst = any(t in w for w in shape.like_bursts)
        talk.append(room * excite)
        cheer.append(room * (1 + 6 * burst))
        # Few buy before the first product is pitched, though its link is already up.
        pitched = 0.3 if t in shape.warmup else 1.0
        buy.append(room * (0.4 + progress) * (0.3 if t in flash else 1.0) * pitched)
    return Intensity(
        list(itertools.accumulate(talk)),
        list(itertools.accumulate(cheer)),
        list(itertools.accumulate(buy)),
    )


def sample_times(rng: random.Random, cumulative: list[float], n: int, shape: Shape) -> list[int]:
    """``n`` times in ``[0, duration_ms]`` drawn in proportion to the bucket weights."""
    if n <= 0:
        return []
    if cumulative[-1] <= 0:
        return [rng.randrange(shape.duration_ms + 1) for _ in range(n)]
    picked = rng.choices(range(len(cumulative)), cum_weights=cumulative, k=n)
    return [
        min(shape.duration_ms, b * shape.bucket_ms + rng.randrange(shape.bucket_ms)) for b in picked
    ]
