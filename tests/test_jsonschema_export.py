"""The JSON Schema export: valid draft 2020-12, stable without beta, shapes as documented."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests.support import FIXTURES, GENERATED

DOCS = {
    name: json.loads((GENERATED / "jsonschema" / f"{name}.json").read_text())
    for name in ("stable", "beta")
}
KS = {
    name: json.loads(
        (FIXTURES / "kitchen_sink" / "expected" / "jsonschema" / f"{name}.json").read_text()
    )
    for name in ("stable", "beta")
}


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


@pytest.mark.parametrize("doc", [*DOCS.values(), *KS.values()])
def test_documents_are_valid_draft_2020_12_schemas_whose_refs_resolve(doc: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for ref in refs(doc):
        assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in doc["$defs"], ref


def test_root_types_are_defined_under_their_python_names() -> None:
    for root in (
        "MessageCreateParams",
        "Message",
        "MessageStreamEvent",
        "MessageCountTokensParams",
        "MessageTokensCount",
        "ErrorResponse",
        "ContentBlock",
        "ContentBlockParam",
    ):
        assert root in DOCS["stable"]["$defs"] and root in DOCS["beta"]["$defs"]


def test_stable_channel_leaves_out_every_beta_element() -> None:
    stable, beta = KS["stable"]["$defs"], KS["beta"]["$defs"]
    assert "SearchTool" in beta and "SearchTool" not in stable
    assert "effort" in beta["Request"]["properties"]
    assert "effort" not in stable["Request"]["properties"]
    assert beta["Request"]["properties"]["effort"]["x-anthropic-beta"] == ["effort-2099-01-01"]
    assert (
        "image/webp" in beta["MediaType"]["enum"]
        and "image/webp" not in stable["MediaType"]["enum"]
    )
    assert {"$ref": "#/$defs/SearchTool"} in beta["Block"]["oneOf"]
    assert {"$ref": "#/$defs/SearchTool"} not in stable["Block"]["oneOf"]
    assert "x-anthropic-beta" not in json.dumps(DOCS["stable"])


def test_union_variants_pin_the_discriminator_with_const() -> None:
    beta = KS["beta"]["$defs"]
    for variant in beta["Block"]["oneOf"]:
        target = beta[variant["$ref"].removeprefix("#/$defs/")]
        tag = target["properties"]["type"]
        assert "const" in tag or "enum" in tag
    assert beta["SearchTool"]["properties"]["type"] == {
        "enum": ["search_v2", "search"],
        "x-constant": True,
    }


def test_nullable_is_a_null_alternative_and_optional_fields_are_not_required() -> None:
    text = KS["beta"]["$defs"]["TextBlock"]
    assert text["properties"]["cache_control"] == {
        "anyOf": [{"$ref": "#/$defs/Cache"}, {"type": "null"}]
    }
    assert text["required"] == ["type", "text"]
    tool = KS["beta"]["$defs"]["CustomTool"]
    assert "type" not in tool["required"]


def test_the_schema_accepts_and_rejects_like_strict_decoding() -> None:
    validator = jsonschema.Draft202012Validator({**KS["beta"], "$ref": "#/$defs/Request"})
    good = {
        "model": "m",
        "max_tokens": 1,
        "required_payload": None,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    }
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "messages": [{"role": "user", "content": [{"type": "text"}]}]}
    assert list(validator.iter_errors(bad)) != []
