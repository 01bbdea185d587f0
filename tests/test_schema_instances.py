"""Self-test of tests/schema_instances.py, the oracle of the SDK differential test.

Every drawn instance must be valid against the schema it was drawn from, checked by an
independent validator (jsonschema, draft 2020-12), with objects closed so that an invented
property would fail too. Small hand-written schemas pin down each keyword the generator claims
to handle.
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from datetime import datetime
from typing import Any

import jsonschema
import pytest

from tests.schema_instances import InstanceGenerator, UnsupportedSchema
from tests.test_sdk_differential import sdk_schema

SAMPLES = 100


def close_objects(schema: dict[str, Any]) -> dict[str, Any]:
    """`closed`, without mistaking a `$defs` entry or property named "properties" for a keyword."""
    result = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    visit(sub)
            elif key in ("default", "const", "enum", "examples"):
                continue
            else:
                visit(value)
        if isinstance(node.get("properties"), dict):
            node["additionalProperties"] = False

    visit(result)
    return result


def assert_valid(schema: Any, instances: list[Any]) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for index, instance in enumerate(instances):
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator.iter_errors(instance)
        ]
        assert not errors, f"instance {index}: {errors[:3]}\n{json.dumps(instance)[:500]}"


@pytest.mark.parametrize(
    "root_id",
    ["message", "stream_event", "request", "tokens_count", "beta_message", "beta_request"],
)
def test_sdk_instances_are_valid_against_the_closed_sdk_schema(root_id: str) -> None:
    schema = sdk_schema(root_id)
    generator = InstanceGenerator(schema)
    instances = [generator.draw(f"self-test/{root_id}/{i}") for i in range(SAMPLES)]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert_valid(close_objects(schema), instances)


def test_every_branch_of_a_large_union_is_drawn() -> None:
    """Uniform choice reaches every response content block of the SDK's Message."""
    schema = sdk_schema("message")
    branches = schema["properties"]["content"]["items"]["anyOf"]
    wanted = {
        schema["$defs"][b["$ref"].split("/")[-1]]["properties"]["type"]["const"] for b in branches
    }
    generator = InstanceGenerator(schema)
    seen = {
        block["type"] for i in range(300) for block in generator.draw(f"branches/{i}")["content"]
    }
    assert seen == wanted


def test_draws_are_reproducible() -> None:
    generator = InstanceGenerator(sdk_schema("request"))
    assert generator.draw("seed/1") == generator.draw("seed/1")
    assert generator.draw(7) == generator.draw(random.Random(7))
    assert len({json.dumps(generator.draw(f"seed/{i}")) for i in range(20)}) == 20


def draws(schema: Any, count: int = 400, **options: Any) -> list[Any]:
    generator = InstanceGenerator(schema, **options)
    instances = [generator.draw(i) for i in range(count)]
    assert_valid(schema, instances)
    return instances


def test_optional_properties_appear_about_half_the_time_and_required_ones_always() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": True,
    }
    instances = draws(schema, 1000)
    assert all(set(x) <= {"a", "b"} and "a" in x for x in instances)
    assert 400 < sum("b" in x for x in instances) < 600


def test_nullable_union_type_list_enum_and_const() -> None:
    schema = {
        "type": "object",
        "properties": {
            "nullable": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "listed": {"type": ["integer", "boolean", "null"]},
            "enum": {"enum": ["x", "y", 3]},
            "const": {"const": "fixed"},
        },
        "required": ["nullable", "listed", "enum", "const"],
    }
    instances = draws(schema)
    assert {type(x["nullable"]) for x in instances} == {str, type(None)}
    assert {type(x["listed"]) for x in instances} == {int, bool, type(None)}
    assert {x["enum"] for x in instances} == {"x", "y", 3}
    assert {x["const"] for x in instances} == {"fixed"}


def test_discriminated_one_of_with_mapping_and_refs() -> None:
    schema = {
        "$defs": {
            "Cat": {
                "type": "object",
                "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}},
                "required": ["kind", "lives"],
            },
            "Dog": {
                "type": "object",
                "properties": {"kind": {"const": "dog"}, "good": {"type": "boolean"}},
                "required": ["kind"],
            },
        },
        "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"},
        },
    }
    kinds = Counter(x["kind"] for x in draws(close_objects(schema)))
    assert set(kinds) == {"cat", "dog"} and min(kinds.values()) > 150


def test_all_of_and_ref_with_sibling_keywords_are_merged() -> None:
    schema = {
        "$defs": {
            "Base": {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            }
        },
        "type": "object",
        "properties": {
            "merged": {
                "allOf": [
                    {"$ref": "#/$defs/Base"},
                    {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
                ]
            },
            "described": {"$ref": "#/$defs/Base", "description": "annotation only"},
        },
        "required": ["merged", "described"],
    }
    for instance in draws(schema):
        assert set(instance["merged"]) == {"id", "n"}
        assert set(instance["described"]) == {"id"}


def test_arrays_are_short_and_respect_their_bounds() -> None:
    schema = {
        "type": "object",
        "properties": {
            "free": {"type": "array", "items": {"type": "integer"}},
            "bounded": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
            "unique": {"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": True},
        },
        "required": ["free", "bounded", "unique"],
    }
    instances = draws(schema)
    assert {len(x["free"]) for x in instances} == {0, 1, 2, 3}
    assert {len(x["bounded"]) for x in instances} == {2}


def test_numbers_are_ints_and_floats_within_bounds() -> None:
    schema = {
        "type": "object",
        "properties": {
            "number": {"type": "number"},
            "ratio": {"type": "number", "minimum": 0, "maximum": 1},
            "count": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10},
            "any_int": {"type": "integer"},
        },
        "required": ["number", "ratio", "count", "any_int"],
    }
    instances = draws(schema)
    assert {type(x["number"]) for x in instances} == {int, float}
    assert all(0 <= x["ratio"] <= 1 and 1 <= x["count"] < 10 for x in instances)
    assert any(x["any_int"] < 0 for x in instances) and any(x["any_int"] > 2**31 for x in instances)


def test_strings_are_short_sometimes_unicode_and_follow_formats() -> None:
    schema = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "when": {"type": "string", "format": "date-time"},
            "file": {"type": "string", "format": "path"},
        },
        "required": ["text", "when", "file"],
    }
    instances = draws(schema)
    assert max(len(x["text"]) for x in instances) <= 20
    assert any(not x["text"].isascii() for x in instances)
    assert any(x["text"] == "" for x in instances)
    for instance in instances:
        datetime.fromisoformat(instance["when"].replace("Z", "+00:00"))


def test_maps_and_any_values() -> None:
    schema = {
        "type": "object",
        "properties": {
            "map": {"type": "object", "additionalProperties": {"type": "integer"}},
            "free": {"additionalProperties": True, "type": "object"},
            "anything": {},
        },
        "required": ["map", "free", "anything"],
    }
    instances = draws(schema)
    assert all(all(type(v) is int for v in x["map"].values()) for x in instances)
    kinds = {type(x["anything"]).__name__ for x in instances}
    assert kinds == {"NoneType", "bool", "int", "float", "str", "list", "dict"}


def test_defaults_are_used_now_and_then() -> None:
    schema = {
        "type": "object",
        "properties": {"mode": {"enum": ["a", "b", "c", "d"], "default": "d"}},
        "required": ["mode"],
    }
    counts = Counter(x["mode"] for x in draws(schema, 1000))
    assert counts["d"] > max(counts["a"], counts["b"], counts["c"])


def test_recursion_terminates_with_the_cheapest_choices() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                    "value": {"type": "integer"},
                },
                "required": ["children", "next"],
            }
        },
        "$ref": "#/$defs/Node",
    }

    def depth(node: Any) -> int:
        inner = [depth(c) for c in node["children"]] + (
            [depth(node["next"])] if node["next"] else []
        )
        return 1 + max(inner, default=0)

    instances = draws(schema, 200, max_depth=6)
    assert max(depth(x) for x in instances) <= 6


def test_unsupported_keywords_and_unsatisfiable_recursion_are_refused() -> None:
    with pytest.raises(UnsupportedSchema, match="pattern"):
        InstanceGenerator({"type": "string", "pattern": "^a+$"})
    with pytest.raises(UnsupportedSchema, match="no finite instance"):
        InstanceGenerator(
            {
                "$defs": {
                    "Loop": {
                        "type": "object",
                        "properties": {"next": {"$ref": "#/$defs/Loop"}},
                        "required": ["next"],
                    }
                },
                "$ref": "#/$defs/Loop",
            }
        )
