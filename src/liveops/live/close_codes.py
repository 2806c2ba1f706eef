"""The close codes the server ends a console websocket with: the one table of them.

The server code that closes sockets uses these members; `live.asyncapi` writes the table
into docs/asyncapi.json (`x-close-codes` on the channel, and as prose), and `live.typescript`
turns that into the console's `CLOSE_CODES`, so a code is defined here and nowhere else.
"""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    """A close code with what it means and what a console should do about it.

    An `IntEnum`, so that a member goes straight into `websocket.close` and into metric labels
    (`str()` of an `IntEnum` is the number since Python 3.11).
    """

    meaning: str
    console: str

    def __new__(cls, code: int, meaning: str, console: str) -> CloseCode:
        member = int.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        member.console = console
        return member

    POLICY_VIOLATION = (
        1008,
        "handshake refused by policy (bad `Origin`)",
        "stop; fix the page's origin",
    )
    SERVER_ERROR = 1011, "server error", "reconnect with backoff and resume"
    SERVICE_RESTART = (
        1012,
        "server restarting, or the show's stream restarted (Redis lost it)",
        "reconnect soon, with jitter, and resume (you may get `resync`)",
    )
    TRY_AGAIN_LATER = (
        1013,
        "the show's live state is not ready (Redis unreachable, or a handover under way)",
        "reconnect with backoff and resume",
    )
    TOO_SLOW = 4008, "the console fell too far behind", "reconnect and resume"
    BAD_POSITION = (
        4400,
        "bad resume position (not an integer offset)",
        "reconnect without a position",
    )
    UNAUTHENTICATED = 4401, "not authenticated (no or unknown credentials)", "sign in again"
    FORBIDDEN = 4403, "the credentials may not read this show", "stop"
    NO_SUCH_SHOW = 4404, "no such show", "stop"
    NOT_ENDED = (
        4409,
        "`?replay=` on a show that has not ended (only an ended show can be replayed)",
        "open the live stream without `replay`, or wait for the end",
    )
    BAD_REPLAY = (
        4422,
        "bad `?replay=` speed (a number from 1 to 120)",
        "reconnect with a speed from 1 to 120",
    )
