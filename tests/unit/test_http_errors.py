"""How storage failures are answered (http_errors.py): what the database's errors become."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from liveops.http_errors import for_exception


def wrapped(driver_error: Exception) -> DBAPIError:
    """An error as SQLAlchemy's asyncpg dialect raises it: a DBAPIError whose `orig` is the
    adapter's error, itself raised from the driver's."""
    adapter_error = Exception("connection was closed in the middle of operation")
    adapter_error.__cause__ = driver_error
    error = DBAPIError("COMMIT", None, adapter_error)
    error.__cause__ = adapter_error
    return error


def test_a_connection_cut_during_the_commit_is_a_503_to_retry() -> None:
    # Seen in the fault test: the proxy cut the connection while COMMIT was on the wire.
    cut = wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("closed"))
    answer = for_exception(cut, "test")
    assert answer.status == 503
    assert answer.headers == {"Retry-After": "2"}


def test_any_other_database_error_is_not_dressed_up_as_unreachable() -> None:
    other = wrapped(ValueError("a bug"))
    with pytest.raises(DBAPIError):
        for_exception(other, "test")
