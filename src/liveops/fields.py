"""The ranges and characters every value a client sends is held to (outside ingest, whose
rules are contract §3's). docs/api.md lists them; the OpenAPI description states each one, so
that a generated client, or a fuzzer, knows exactly what is accepted.

Every integer is bounded well inside a signed 64-bit column, so that nothing a client sends
can overflow the database or a JSON encoder after validation; every identifier and title
refuses control characters (PostgreSQL cannot store NUL at all) and unpaired surrogates
(which no encoder can write).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

MONEY_MAX = 10**12  # minor units (fen/cents): ten billion yuan
COUNT_MAX = 10**9
# The largest integer every JSON reader holds exactly (JavaScript's Number.MAX_SAFE_INTEGER);
# a microsecond timestamp, the version a `stock.set` event carries, stays under it until 2255.
VERSION_MAX = 2**53 - 1
# Planned starts and flash-sale starts: anything outside is a typo or an attack, not a plan.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive


def _integral(value: Any) -> Any:
    # JSON has one kind of number: to JSON Schema, and so to us, 226.0 is the integer 226.
    # Strings, booleans and fractions stay what they are, and are refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Last in an integer's metadata (after `Strict()` and its bounds, which then stay in the JSON
# schema): an integer is a JSON number without a fraction, never a string or a boolean.
Integral = BeforeValidator(_integral)
Money = Annotated[int, Strict(), Field(ge=0, le=MONEY_MAX), Integral]
Count = Annotated[int, Strict(), Field(ge=0, le=COUNT_MAX), Integral]
Version = Annotated[int, Strict(), Field(ge=0, le=VERSION_MAX), Integral]
Rate = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]

# C0 and C1 control characters (NUL, newline, tab, DEL…) and lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rule for the OpenAPI description (an ECMA-262 pattern; surrogates cannot be
# written in one, and JSON decoders refuse them anyway).
NO_CONTROL_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"


def is_printable(value: str) -> bool:
    return _CONTROL.search(value) is None


def refuse_control(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain control characters (found U+{ord(found.group()):04X} "
            f"at position {found.start()})"
        )
    return value


class _Printable:
    """Annotated metadata: the string holds no control character (validated, and stated as a
    `pattern` in the JSON schema)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(refuse_control, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = NO_CONTROL_PATTERN
        return json_schema


Printable = _Printable()


def _within_window(value: datetime) -> datetime:
    # The year as written (before any offset is applied), which is what the pattern sees.
    if not EARLIEST.year <= value.year < LATEST.year:
        raise ValueError(
            f"must lie in the years {EARLIEST.year}–{LATEST.year - 1} (got year {value.year})"
        )
    return value


class _Window:
    """Annotated metadata: a datetime within EARLIEST..LATEST; the JSON schema says so with a
    pattern on the year (JSON Schema has no range for date-times)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_within_window, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = r"^20[0-9]{2}-"
        json_schema["description"] = "RFC 3339, with an offset; in the years 2000–2099"
        return json_schema


Moment = Annotated[AwareDatetime, _Window()]
