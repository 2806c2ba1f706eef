"""Recently verified credentials, so that a busy producer's every request does not cost a
database query. Pure: the caller gives the clock.

Only successes are remembered, so a token minted a moment ago works at once; what a cached
token loses (expiry, revocation in the database) takes effect within `ttl_seconds`.
"""

from __future__ import annotations

from collections import OrderedDict

from liveops.auth.principal import Principal


class CredentialCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, key: str, now: float) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        until, principal = entry
        if until <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return principal

    def put(self, key: str, principal: Principal, now: float) -> None:
        if self._ttl <= 0:
            return
        self._entries[key] = (now + self._ttl, principal)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)  # the least recently used
