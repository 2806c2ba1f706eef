"""This process's console connections, by show."""

from __future__ import annotations

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

    def broadcast(self, show_id: str, offset: int, frame: str) -> None:
        """Hand one already-encoded publication to every console of the show, never waiting."""
        for connection in self._by_show.get(show_id, ()):
            connection.push(frame, offset)

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
