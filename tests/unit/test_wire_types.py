"""The console's wire types are generated from docs/asyncapi.json and must be current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from liveops.live.close_codes import CloseCode
from liveops.live.typescript import COMMAND, UnsupportedSchema, render, type_of

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "asyncapi.json"
WIRE = ROOT / "frontend" / "src" / "live" / "wire.gen.ts"


def test_the_checked_in_wire_types_match_the_asyncapi_document() -> None:
    assert WIRE.read_text() == render(json.loads(DOC.read_text())), (
        f"frontend/src/live/wire.gen.ts is stale: run `{COMMAND}`"
    )


def test_the_wire_types_hold_every_close_code_and_metric_key() -> None:
    wire = WIRE.read_text()
    for code in CloseCode:
        assert f": {code.value}," in wire, code
    assert '"net_gmv",' in wire


def test_the_protocol_prose_lists_every_close_code_as_the_table_says() -> None:
    prose = (ROOT / "docs" / "protocol.md").read_text()
    for code in CloseCode:
        assert f"| {code.value} | {code.meaning} | {code.console} |" in prose, code


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "number | null"),
        ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "number"),
        ({"enum": ["a", "b"], "type": "string"}, '"a" | "b"'),
        ({"const": "snapshot", "type": "string", "title": "Type"}, '"snapshot"'),
        ({"$ref": "#/components/schemas/Alert"}, "Alert"),
        (
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/A"},
                        {"$ref": "#/components/schemas/B"},
                    ]
                },
            },
            "readonly (A | B)[]",
        ),
        (
            {
                "type": "object",
                "propertyNames": {"$ref": "#/components/schemas/MetricKey"},
                "additionalProperties": {"type": "number"},
            },
            "{ readonly [K in MetricKey]?: number }",
        ),
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            "{ readonly [key: string]: string }",
        ),
        (
            {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
                "required": ["id"],
                "additionalProperties": True,
            },
            "{\n  readonly id: number;\n  readonly note?: string;\n"
            "  readonly [key: string]: unknown;\n}",
        ),
    ],
)
def test_the_schema_the_document_uses_becomes_these_types(
    schema: dict[str, Any], expected: str
) -> None:
    assert type_of(schema) == expected


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^[a-z]+$"},  # a keyword the generator does not know
        {"allOf": [{"type": "string"}]},
        {"type": ["string", "null"]},
        {"$ref": "#/$defs/Elsewhere"},
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "additionalProperties": {"type": "integer"},
        },
    ],
)
def test_json_schema_the_generator_does_not_translate_is_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        type_of(schema)
