"""Shared FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Path
from starlette.requests import HTTPConnection

from liveops.fields import Printable
from liveops.runtime import Runtime


def runtime_of(connection: HTTPConnection) -> Runtime:
    return cast(Runtime, connection.state.runtime)


async def get_runtime(connection: HTTPConnection) -> Runtime:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, and this
    # one is on every request; the thread hop cost more than the whole reservation decision.
    return runtime_of(connection)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


# A show id in a path: the ids LiveOps makes are `show_` and 16 hex digits; anything with a
# control character (a NUL cannot even be sent to PostgreSQL) is refused with a 422.
ShowId = Annotated[str, Path(min_length=1, max_length=64), Printable]
