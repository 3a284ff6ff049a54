"""Checking a tool call's input against the tool's JSON Schema, before the tool runs.

Only the part of JSON Schema our tools use is understood: `type` (object, array, string,
integer, number, boolean, null), `properties`, `required`, `additionalProperties: false`,
`items`, `enum`, `minimum`, `maximum`, `minLength` and `minItems`. The answer is one
sentence the model can act on, naming the parameter the way it wrote it
(`edits[1].old_string`), because the model reads it and retries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}

_ARTICLE = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def check_input(schema: Mapping[str, Any], value: object) -> str | None:
    """The first problem with `value` under `schema`, as a message for the model, or None."""
    if not isinstance(value, dict):
        return f"the tool input must be a JSON object, not {_describe(value)}"
    return _check(schema, value, "")


def _check(schema: Mapping[str, Any], value: object, where: str) -> str | None:
    expected = schema.get("type")
    if expected is not None and not _has_type(value, expected):
        return f"{_name(where)} must be {_wanted(expected)}, not {_describe(value)}"
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(json.dumps(choice) for choice in schema["enum"])
        return f"{_name(where)} must be one of {choices}, not {json.dumps(value)}"
    if isinstance(value, dict):
        return _check_object(schema, value, where)
    if isinstance(value, list):
        return _check_array(schema, value, where)
    if isinstance(value, str):
        shortest = schema.get("minLength")
        if shortest is not None and len(value) < shortest:
            if shortest == 1:
                return f"{_name(where)} must not be empty"
            return f"{_name(where)} must be at least {shortest} characters long"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        lowest = schema.get("minimum")
        if lowest is not None and value < lowest:
            return f"{_name(where)} must be at least {lowest}, not {value}"
        highest = schema.get("maximum")
        if highest is not None and value > highest:
            return f"{_name(where)} must be at most {highest}, not {value}"
    return None


def _check_object(schema: Mapping[str, Any], value: dict[str, Any], where: str) -> str | None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    for key in schema.get("required", ()):
        if key not in value:
            return f"{_name(_join(where, key))} is required"
    if schema.get("additionalProperties") is False:
        unknown = sorted(key for key in value if key not in properties)
        if unknown:
            known = ", ".join(f"`{key}`" for key in properties)
            return (
                f"{_name(_join(where, unknown[0]))} is not a parameter of this tool; "
                f"the parameters are {known}"
            )
    for key, item in value.items():
        if key in properties:
            problem = _check(properties[key], item, _join(where, key))
            if problem:
                return problem
    return None


def _check_array(schema: Mapping[str, Any], value: list[Any], where: str) -> str | None:
    fewest = schema.get("minItems")
    if fewest is not None and len(value) < fewest:
        if fewest == 1:
            return f"{_name(where)} must not be empty"
        return f"{_name(where)} must have at least {fewest} items, not {len(value)}"
    items = schema.get("items")
    if items is not None:
        for index, item in enumerate(value):
            problem = _check(items, item, f"{where}[{index}]")
            if problem:
                return problem
    return None


def _has_type(value: object, expected: str | list[str]) -> bool:
    if isinstance(expected, list):
        return any(_has_type(value, one) for one in expected)
    match expected:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "null":
            return value is None
    return True


def _wanted(expected: str | list[str]) -> str:
    if isinstance(expected, list):
        return " or ".join(_ARTICLE.get(one, one) for one in expected)
    return _ARTICLE.get(expected, expected)


def _describe(value: object) -> str:
    if isinstance(value, float):
        return f"a number ({value})"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _name(where: str) -> str:
    return f"`{where}`" if where else "the input"
