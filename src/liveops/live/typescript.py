"""Generate the console's wire types from docs/asyncapi.json.

    python -m liveops.live.typescript > frontend/src/live/wire.gen.ts

It reads the document, not the Python models, so that the document is the one source every
client generates from. It knows only the JSON Schema the document uses and raises on anything
else: a keyword it does not understand would otherwise come out as a type that is quietly
looser than the wire. tests/unit/test_wire_types.py checks that the committed file is what
this prints.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

COMMAND = "python -m liveops.live.typescript > frontend/src/live/wire.gen.ts"
DEFAULT_DOCUMENT = Path("docs/asyncapi.json")

Schema = Mapping[str, Any]

# Annotations: they say nothing about the type (`discriminator` only names the `const` field
# that the union's members already carry, which TypeScript narrows on by itself; a number's
# bounds are checked by the server, and TypeScript has no type for them).
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "format", "discriminator", "minimum", "maximum"}
)
_KEYWORDS = _ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
}
_SCALARS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}
_SCHEMA_REF = "#/components/schemas/"
# Enum schemas the console also needs as values (to iterate, or to check a key against).
_VALUE_LISTS = {"MetricKey": "METRIC_KEYS", "Intent": "INTENTS"}
_UNION_NAMES = {"receive": "ServerMessage", "send": "ClientMessage"}
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_WIDTH = 100  # the Python side's line length; prettier's is wider, so it leaves these alone


class UnsupportedSchema(ValueError):
    """The document uses JSON Schema this generator does not translate."""


def _literal(value: object) -> str:
    if not isinstance(value, str | int | float | bool) and value is not None:
        raise UnsupportedSchema(f"a literal that is not a JSON scalar: {value!r}")
    return json.dumps(value, ensure_ascii=False)


def _union(members: list[str]) -> str:
    unique = list(dict.fromkeys(members))  # integer | number are both `number`
    return " | ".join(unique)


def _ref_name(ref: str) -> str:
    if not ref.startswith(_SCHEMA_REF):
        raise UnsupportedSchema(f"a $ref outside the component schemas: {ref}")
    return ref.removeprefix(_SCHEMA_REF)


def _check_keywords(schema: Schema) -> None:
    unknown = set(schema) - _KEYWORDS
    if unknown:
        raise UnsupportedSchema(f"unsupported keywords {sorted(unknown)} in {schema}")


def type_of(schema: Schema, indent: str = "") -> str:
    """The TypeScript type of a (sub)schema, as an expression."""
    _check_keywords(schema)
    if "$ref" in schema:
        if set(schema) - _ANNOTATIONS - {"$ref"}:
            raise UnsupportedSchema(f"$ref beside other constraints: {schema}")
        return _ref_name(schema["$ref"])
    if "const" in schema:
        return _literal(schema["const"])
    if "enum" in schema:
        return _union([_literal(value) for value in schema["enum"]])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return _union([type_of(branch, indent) for branch in schema[combinator]])
    kind = schema.get("type")
    if isinstance(kind, str) and kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "null":
        return "null"
    if kind == "array":
        item = type_of(schema["items"], indent)
        return f"readonly ({item})[]" if " | " in item else f"readonly {item}[]"
    if kind == "object":
        return _object(schema, indent)
    raise UnsupportedSchema(f"unsupported type {kind!r} in {schema}")


def _object(schema: Schema, indent: str) -> str:
    extra = schema.get("additionalProperties", False)
    if "properties" not in schema:
        if "propertyNames" in schema:
            # Keys from a closed set: a map holds some of them (a `metrics` frame only the
            # keys that changed), so every key is optional.
            keys = type_of(schema["propertyNames"], indent)
            return f"{{ readonly [K in {keys}]?: {type_of(extra, indent)} }}"
        value = "unknown" if extra in (True, False) else type_of(extra, indent)
        return f"{{ readonly [key: string]: {value} }}"
    if "propertyNames" in schema or extra not in (True, False):
        raise UnsupportedSchema(f"properties beside a schema for the other keys: {schema}")
    inner = indent + "  "
    lines = ["{"]
    required = list(schema.get("required", ()))
    # Required fields in the model's order (the document sorts `properties` by name but keeps
    # `required` as declared), then the optional ones.
    names = [*required, *(name for name in schema["properties"] if name not in required)]
    for name in names:
        prop = schema["properties"][name]
        lines.extend(_comment(prop, inner))
        key = name if _IDENTIFIER.match(name) else json.dumps(name)
        optional = "" if name in required else "?"
        lines.append(f"{inner}readonly {key}{optional}: {type_of(prop, inner)};")
    if extra is True:
        lines.append(f"{inner}readonly [key: string]: unknown;")
    lines.append(indent + "}")
    return "\n".join(lines)


def _comment(schema: Schema, indent: str = "") -> list[str]:
    """JSDoc from the description, or from the branches' (`int | None` keeps it inside)."""
    branches = [schema, *schema.get("anyOf", ()), *schema.get("oneOf", ())]
    texts = list(dict.fromkeys(b["description"] for b in branches if "description" in b))
    formats = list(dict.fromkeys(b["format"] for b in branches if "format" in b))
    return _jsdoc([*texts[:1], *(f"Format: {fmt}." for fmt in formats)], indent)


def _jsdoc(texts: list[str], indent: str) -> list[str]:
    width = _WIDTH - len(indent) - len(" * ")
    lines = [
        wrapped.replace("*/", "*\\/")
        for text in texts
        for line in text.strip().splitlines()
        for wrapped in textwrap.wrap(line, width) or [""]
    ]
    if not lines:
        return []
    single = f"{indent}/** {lines[0]} */"
    if len(lines) == 1 and len(single) <= _WIDTH:
        return [single]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def _declaration(name: str, schema: Schema) -> Iterator[str]:
    yield from _comment(schema)
    if name in _VALUE_LISTS:
        values = schema.get("enum")
        if schema.get("type") != "string" or not isinstance(values, list):
            raise UnsupportedSchema(f"{name} should be a string enum: {schema}")
        constant = _VALUE_LISTS[name]
        if "description" not in schema:
            yield f"/** Every `{name}`, in the document's order. */"
        yield f"export const {constant} = ["
        yield from (f"  {_literal(value)}," for value in values)
        yield "] as const;"
        yield ""
        yield f"export type {name} = (typeof {constant})[number];"
    elif schema.get("type") == "object" and "properties" in schema:
        yield f"export interface {name} {type_of(schema)}"
    else:
        yield f"export type {name} = {type_of(schema)};"


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _close_codes(document: Schema) -> Iterator[str]:
    table = document["channels"]["live"]["x-close-codes"]
    yield "/** The close codes the server ends a console websocket with (`x-close-codes`). */"
    yield "export const CLOSE_CODES = {"
    for row in table:
        yield from _jsdoc([f"{row['meaning']}: {row['console']}."], "  ")
        yield f"  {_pascal(row['name'])}: {int(row['code'])},"
    yield "} as const;"


def _resolve(document: Schema, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise UnsupportedSchema(f"a $ref outside the document: {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _message_unions(document: Schema) -> Iterator[str]:
    """`ServerMessage` and `ClientMessage`: each operation's messages, told apart by `type`."""
    schemas = document["components"]["schemas"]
    for operation_id, operation in document["operations"].items():
        names: list[str] = []
        for ref in operation["messages"]:
            message = _resolve(document, ref["$ref"])
            if "$ref" in message:  # a channel's message points at the component
                message = _resolve(document, message["$ref"])
            names.append(_ref_name(message["payload"]["$ref"]))
        tags = [schemas[name].get("properties", {}).get("type", {}).get("const") for name in names]
        if None in tags or len(set(tags)) != len(tags):
            raise UnsupportedSchema(f"{operation_id}: every message needs its own `type` const")
        yield ""
        yield f"/** Every message of `{operation_id}`, told apart by `type`. */"
        head = f"export type {_UNION_NAMES[operation['action']]} ="
        if len(f"{head} {' | '.join(names)};") <= _WIDTH:
            yield f"{head} {' | '.join(names)};"
        else:
            yield head
            yield from (f"  | {name}" for name in names[:-1])
            yield f"  | {names[-1]};"


def render(document: Schema) -> str:
    lines = [
        "// Generated from docs/asyncapi.json; do not edit. After a change to the message models",
        "// (src/liveops/live/), regenerate the document, then this file:",
        f"//     {COMMAND}",
        "// tests/unit/test_wire_types.py fails while it is stale.",
        "",
        *_close_codes(document),
    ]
    for name, schema in document["components"]["schemas"].items():
        lines.append("")
        lines.extend(_declaration(name, schema))
    lines.extend(_message_unions(document))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DOCUMENT
    print(render(json.loads(path.read_text())), end="")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv)
