"""Which console may see which publication: the channel policy. Pure: no I/O.

A show has one stream of publications, and every console of the show follows it by position.
What differs by role is what a position holds: the publication itself when the console's role
is in its audience, or else a `skip` frame that carries only the position. So every console's
positions stay contiguous (resume works exactly, per console, as before), while an alert for
field control and the assistant never reaches an anchor's screen, not even in a snapshot.

Admin and operations see everything. An audience of None means every console of the show.

| publication | audience |
|---|---|
| `alert` | the roles it names (`roles`, contract §12) |
| `prompter`, `cue` | the anchor's desk: anchor, field control, assistant |
| everything else | every console |
"""

from __future__ import annotations

from typing import Any

import orjson

from liveops.auth.principal import GLOBAL_ROLES
from liveops.live.protocol import encode

Audience = frozenset[str] | None

_SEE_EVERYTHING = frozenset(role.value for role in GLOBAL_ROLES)
# What the anchor reads and the cues sent to them: for the anchor, and for the people who
# prompt the anchor (they see what the anchor sees, and how fast a cue was taken).
ANCHOR_DESK: Audience = frozenset({"anchor", "field_control", "assistant"})
_FOR_ANCHOR_DESK = frozenset({"prompter", "cue"})


def audience_of(message: dict[str, Any]) -> Audience:
    """The roles a publication is for (see the table above)."""
    kind = message.get("type")
    if kind == "alert":
        return alert_audience(message)
    if kind in _FOR_ANCHOR_DESK:
        return ANCHOR_DESK
    return None


def alert_audience(alert: dict[str, Any]) -> Audience:
    return frozenset(alert.get("roles") or ())


def visible(role: str, audience: Audience) -> bool:
    return audience is None or role in audience or role in _SEE_EVERYTHING


def pack(audience: Audience) -> str:
    """The audience as the Redis publication stream stores it ('' for every console)."""
    return "" if audience is None else ",".join(sorted(audience)) or ","


def unpack(packed: str | None) -> Audience:
    if not packed:
        return None
    return frozenset(role for role in packed.split(",") if role)


def skip_frame(epoch: str, offset: int) -> str:
    """What a console whose role is not in a publication's audience gets at its position."""
    return encode({"type": "skip", "epoch": epoch, "offset": offset})


def skip_frame_of(frame: str) -> str:
    """The `skip` standing in for an encoded publication. Only publications with an audience
    are decoded for it, and those are small (alerts)."""
    message = orjson.loads(frame)
    return skip_frame(message["epoch"], message["offset"])


def as_seen_by(role: str, publication: tuple[int, str, Audience]) -> tuple[int, str]:
    """A stored publication as a console of `role` receives it: (offset, frame or skip)."""
    offset, frame, audience = publication
    return offset, frame if visible(role, audience) else skip_frame_of(frame)


def for_role(snapshot: dict[str, Any], role: str) -> dict[str, Any]:
    """The snapshot as a console of `role` may see it (only what it would have been sent)."""
    if role in _SEE_EVERYTHING:
        return snapshot
    seen = snapshot
    alerts = snapshot.get("alerts")
    if alerts and any(not visible(role, alert_audience(a)) for a in alerts):
        seen = {**seen, "alerts": [a for a in alerts if visible(role, alert_audience(a))]}
    if not visible(role, ANCHOR_DESK) and (snapshot.get("prompter") or snapshot.get("cues")):
        seen = {**seen, "prompter": None, "cues": []}
    return seen
