"""Every member the official SDK's types allow to be null is nullable in our spec too.

The differential test (test_sdk_differential.py) draws random instances, but only to a depth of
ten, so it never reaches deep places such as a tool definition replayed inside a compaction
block (`messages[].content[].tool_changes[].tool.definition.strict`). This test walks the SDK's
types and our JSON Schema export completely with the coverage walker (tests/sdk_coverage.py),
marking every place where `null` is accepted, and fails on each member the SDK lets be null that
we reject, naming the spec type and field to mark `nullable: true`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests import sdk_coverage as coverage
from tests.support import GENERATED

NULL = "<null>"
ROOTS = [
    "MessageCreateParams",
    "MessageCountTokensParams",
    "BatchCreateParams",
    "Message",
    "MessageStreamEvent",
    "MessageTokensCount",
    "MessageBatchIndividualResponse",
]


def _describe_sdk(tp: Any) -> coverage.Shape:
    if coverage._unwrap(tp)[0] is type(None):
        return coverage.Enum([NULL])
    return coverage.describe_sdk(tp)


def _describer(defs: dict[str, Any]) -> coverage.Describe:
    plain = coverage.schema_describer(defs)

    def describe(node: Any) -> coverage.Shape:
        return coverage.Enum([NULL]) if node == {"type": "null"} else plain(node)

    return describe


@functools.cache
def _defs(channel: str) -> dict[str, Any]:
    document = json.loads((GENERATED / "jsonschema" / f"{channel}.json").read_text())
    defs: dict[str, Any] = document["$defs"]
    return defs


def null_gaps(root: str, channel: str) -> list[str]:
    """Paths where the SDK accepts null and we have the member but not null."""
    sdk: set[str] = set()
    coverage.walk(_describe_sdk, coverage.sdk_type(root, channel), root, (), sdk)
    ours: set[str] = set()
    reference = {"$ref": f"#/$defs/{root}"}
    coverage.walk(_describer(_defs(channel)), reference, root, (), ours)
    suffix = "=" + NULL
    return sorted(
        p for p in sdk if p.endswith(suffix) and p not in ours and p[: -len(suffix)] in ours
    )


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\]|\{\}|\{(\w+)=([^}]*)\}")


def _alternatives(defs: dict[str, Any], name: str, node: Any) -> Iterator[tuple[str, Any]]:
    """The object, list or tagged-union nodes a schema node may be, with their $defs names."""
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        node = defs[name]
    options = None if "discriminator" in node else node.get("anyOf") or node.get("oneOf")
    if not options:
        yield name, node
        return
    for option in options:
        yield from _alternatives(defs, name, option)


def owner(defs: dict[str, Any], root: str, path: str) -> str:
    """`Type.field` of the member a gap path ends at, as named in the spec."""
    name: str = root
    node: Any = {"$ref": f"#/$defs/{root}"}
    member = ""
    for step in _STEP.finditer(path[len(root) :].removesuffix("=" + NULL)):
        field, tag, value = step.group(1), step.group(2), step.group(3)
        for name, node in _alternatives(defs, name, node):
            if field and field in node.get("properties", {}):
                member, node = f"{name}.{field}", node["properties"][field]
                break
            if step.group(0) == "[]" and "items" in node:
                node = node["items"]
                break
            if step.group(0) == "{}" and isinstance(node.get("additionalProperties"), dict):
                node = node["additionalProperties"]
                break
            if tag and "discriminator" in node:
                node = next(v for v in node["oneOf"] if _pins(defs, v, tag, value))
                break
        else:
            raise AssertionError(f"{path}: no schema node at {step.group(0)!r}")
    return member


def _pins(defs: dict[str, Any], variant: Any, tag: str, value: str) -> bool:
    pinned = defs[variant["$ref"].removeprefix("#/$defs/")]["properties"][tag]
    options = pinned.get("anyOf", [pinned])
    return any(o.get("const") == value or value in o.get("enum", []) for o in options)


@pytest.mark.parametrize("channel", coverage.CHANNELS)
@pytest.mark.parametrize("root", ROOTS)
def test_members_the_sdk_allows_to_be_null_are_nullable(root: str, channel: str) -> None:
    gaps = null_gaps(root, channel)
    members = {owner(_defs(channel), root, path): path for path in gaps}
    report = [f"{member}: mark it nullable (SDK path {path})" for member, path in members.items()]
    assert not report, "\n".join(sorted(report))


def test_the_walk_sees_a_null_the_schema_lacks() -> None:
    defs = {
        "Root": {"type": "object", "properties": {"box": {"$ref": "#/$defs/Box"}}},
        "Box": {"type": "object", "properties": {"flag": {"type": "boolean"}}},
    }
    ours: set[str] = set()
    coverage.walk(_describer(defs), {"$ref": "#/$defs/Root"}, "Root", (), ours)
    assert ours == {"Root.box", "Root.box.flag"}
    assert owner(defs, "Root", f"Root.box.flag={NULL}") == "Box.flag"
    defs["Box"]["properties"]["flag"] = {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
    ours.clear()
    coverage.walk(_describer(defs), {"$ref": "#/$defs/Root"}, "Root", (), ours)
    assert f"Root.box.flag={NULL}" in ours
