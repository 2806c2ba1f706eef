"""The interface an action needs from a live platform (contract §10's actions that the room's
viewers see). Every call names the show and the platform's room, and either succeeds or raises
`PlatformError`; the action is then not stored (the transaction rolls back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from liveops.errors import LiveOpsError


class PlatformError(LiveOpsError):
    """The platform refused or could not be reached: the action did not happen there, and is
    not stored (502)."""

    status_code = 502
    code = "platform_refused"


@dataclass(frozen=True, slots=True)
class Room:
    """Where on a platform a show is streamed."""

    platform: str  # the show's `platform` (douyin, taobao, kuaishou…)
    room: str | None
    show_id: str


class Platform(Protocol):
    """One call per action type that the room's viewers see. `detail` holds the action's own
    fields (sku, live_price, coupon_id…), as stored."""

    async def call(self, room: Room, operation: str, detail: dict[str, Any]) -> None: ...
