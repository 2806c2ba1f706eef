"""The lucky bag's draw, pure so that anyone can re-run it (contract §10).

The candidates are the distinct viewer ids that met the bag's condition (a `comment`, or a
`follow`, event of the show stamped up to the draw: anywhere in the show, or at or after the
bag's start when it was started with `entries_from: "start"`), minus the viewers banned at the
draw. Sorted by code point, they are the population of Python's
`random.Random(seed).sample(population, min(winners, len(population)))`; the winners are its
answer, in its order. The action record keeps `seed`, `candidates` (the count) and
`candidates_sha256` (of the sorted ids joined by newlines, UTF-8), so a re-run can check that
it drew from the same population.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

# Seeds stay exact in JSON and in a browser (a JavaScript number): up to 2^53 − 1.
SEED_MAX = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Draw:
    seed: int
    candidates: int
    candidates_sha256: str
    winner_ids: list[str]


def population(viewer_ids: Iterable[str]) -> list[str]:
    return sorted(set(viewer_ids))


def draw(viewer_ids: Iterable[str], winners: int, seed: int | None = None) -> Draw:
    """Draw `winners` of the candidates (all of them if fewer), by `seed` (a fresh random one
    if None)."""
    pool = population(viewer_ids)
    if seed is None:
        seed = secrets.randbelow(SEED_MAX + 1)
    chosen = random.Random(seed).sample(pool, min(winners, len(pool)))
    digest = hashlib.sha256("\n".join(pool).encode()).hexdigest()
    return Draw(seed, len(pool), digest, chosen)
