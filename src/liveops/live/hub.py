"""This process's console connections, by show."""

from __future__ import annotations

from liveops.live.channels import Audience, skip_frame_of, visible
from liveops.live.connection import ConsoleConnection


class Hub:
    def __init__(self) -> None:
        self._by_show: dict[str, set[ConsoleConnection]] = {}

    def add(self, show_id: str, connection: ConsoleConnection) -> None:
        self._by_show.setdefault(show_id, set()).add(connection)

    def remove(self, show_id: str, connection: ConsoleConnection) -> None:
        connections = self._by_show.get(show_id)
        if connections is not None:
            connections.discard(connection)
            if not connections:
                del self._by_show[show_id]

    def broadcast(self, show_id: str, offset: int, frame: str, audience: Audience = None) -> None:
        """Hand one already-encoded publication to every console of the show, never waiting:
        the frame itself to those in its audience, a `skip` at its position to the others."""
        connections = self._by_show.get(show_id, ())
        if audience is None:
            for connection in connections:
                connection.push(frame, offset)
            return
        skip: str | None = None
        for connection in connections:
            if visible(connection.role, audience):
                connection.push(frame, offset)
            else:
                skip = skip or skip_frame_of(frame)
                connection.push(skip, offset)

    def shows(self) -> set[str]:
        return set(self._by_show)

    def connections(self, show_id: str) -> list[ConsoleConnection]:
        return list(self._by_show.get(show_id, ()))

    def count(self, show_id: str | None = None) -> int:
        if show_id is not None:
            return len(self._by_show.get(show_id, ()))
        return sum(len(c) for c in self._by_show.values())

    def close_all(self) -> None:
        for connections in self._by_show.values():
            for connection in connections:
                connection.close()
