"""The credential cache: successes remembered for a while, least recently used evicted."""

from __future__ import annotations

import pytest

from liveops.auth.cache import CredentialCache
from liveops.auth.principal import Principal, Role

ANCHOR = Principal(Role.ANCHOR, "show_a", 7)


@pytest.mark.parametrize(
    ("ttl", "asked_after", "expected"),
    [
        (5.0, 0.0, ANCHOR),
        (5.0, 4.9, ANCHOR),
        (5.0, 5.0, None),  # expired: the database is asked again
        (0.0, 0.0, None),  # 0 disables the cache
    ],
)
def test_a_verified_token_is_trusted_for_ttl_seconds(
    ttl: float, asked_after: float, expected: Principal | None
) -> None:
    cache = CredentialCache(ttl)
    cache.put("bearer:h", ANCHOR, now=100.0)
    assert cache.get("bearer:h", now=100.0 + asked_after) == expected


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = CredentialCache(60.0, max_entries=2)
    cache.put("a", ANCHOR, now=0)
    cache.put("b", ANCHOR, now=0)
    assert cache.get("a", now=1) == ANCHOR  # a is now the most recently used
    cache.put("c", ANCHOR, now=1)
    assert cache.get("b", now=1) is None
    assert cache.get("a", now=1) == ANCHOR
    assert cache.get("c", now=1) == ANCHOR


def test_a_cookie_and_a_bearer_token_are_different_keys() -> None:
    cache = CredentialCache(60.0)
    cache.put("cookie:h", ANCHOR, now=0)
    assert cache.get("bearer:h", now=0) is None
