"""Recently verified credentials, so that a busy producer's every request does not cost a
database query. Pure: the caller gives the clock.

Only successes are remembered, so a token minted a moment ago works at once. A credential
revoked through this process is forgotten at once (`forget`); one revoked through another
process, or one that expires, stops working here within `ttl_seconds`.
"""

from __future__ import annotations

from collections import OrderedDict

from liveops.auth.principal import Principal


class CredentialCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        # Token ids revoked here, until when. A request that read the row just before the
        # revocation committed may `put` it afterwards; this keeps that late put out.
        self._revoked: dict[int, float] = {}

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
        if principal.token_id is not None and self._revoked.get(principal.token_id, 0.0) > now:
            return
        self._entries[key] = (now + self._ttl, principal)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)  # the least recently used

    def forget(self, token_id: int, now: float) -> None:
        """Drop every entry of a token just revoked; refuse to remember it for a while."""
        if self._ttl <= 0:
            return
        for key in [k for k, (_, p) in self._entries.items() if p.token_id == token_id]:
            del self._entries[key]
        self._revoked = {i: until for i, until in self._revoked.items() if until > now}
        self._revoked[token_id] = now + self._ttl
