"""Shared FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends
from starlette.requests import HTTPConnection

from liveops.runtime import Runtime


def get_runtime(connection: HTTPConnection) -> Runtime:
    return cast(Runtime, connection.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
