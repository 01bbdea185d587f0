"""The SDK coverage ratchet, and the path syntax of the coverage walkers pinned on small types.

The ratchet: tests/coverage_baseline.json holds, per channel and root, how many SDK wire paths
our JSON Schemas cover and a digest of the missing ones. It is written only by
`make coverage-baseline`; coverage may grow (then the baseline must be rewritten) but never
shrink.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, Dict, Iterable, List, Optional, Union

import pytest
from anthropic._models import UnionDiscriminator
from anthropic._types import SequenceNotStr
from pydantic import BaseModel, Field
from typing_extensions import Annotated, Literal, Required, TypedDict

from tests import sdk_coverage as cov

# --- The walkers on hand-made types ---------------------------------------------------------------


class CharLocation(BaseModel):
    type: Literal["char_location"]
    cited_text: str


class PageLocation(BaseModel):
    type: Literal["page_location"]
    start_page: int


class TextBlock(BaseModel):
    type: Literal["text"]
    text: str
    citations: Optional[List[Union[CharLocation, PageLocation]]] = None


class ToolUseBlock(BaseModel):
    type: Literal["tool_use"]
    input: Dict[str, object]
    from_: str = Field(alias="from")


class Tree(BaseModel):
    label: str
    children: List[Tree]


class Response(BaseModel):
    content: List[Annotated[Union[TextBlock, ToolUseBlock], UnionDiscriminator("type")]]
    stop_reason: Optional[Literal["end_turn", "max_tokens"]]
    tree: Tree


class TextParam(TypedDict, total=False):
    type: Required[Literal["text"]]
    text: Required[str]


class UserParam(TypedDict, total=False):
    role: Required[Literal["user"]]
    content: Required[Union[str, Iterable[Union[TextParam, TextBlock]]]]


class AssistantParam(TypedDict):
    role: Literal["assistant"]
    content: str


class Request(TypedDict, total=False):
    messages: Required[Iterable[Union[UserParam, AssistantParam]]]
    stop_sequences: SequenceNotStr[str]
    metadata: Dict[str, Optional[TextParam]]
    workspace_id: str  # an HTTP header in the SDK's params, not a body field


RESPONSE_PATHS = {
    "R.content",
    "R.content[]{type=text}",
    "R.content[]{type=text}.text",
    "R.content[]{type=text}.citations",
    "R.content[]{type=text}.citations[]{type=char_location}",
    "R.content[]{type=text}.citations[]{type=char_location}.cited_text",
    "R.content[]{type=text}.citations[]{type=page_location}",
    "R.content[]{type=text}.citations[]{type=page_location}.start_page",
    "R.content[]{type=tool_use}",
    "R.content[]{type=tool_use}.input",
    "R.content[]{type=tool_use}.from",
    "R.stop_reason",
    "R.stop_reason=end_turn",
    "R.stop_reason=max_tokens",
    "R.tree",
    "R.tree.label",
    "R.tree.children",  # Tree is on the stack: the walk stops here
}

REQUEST_PATHS = {
    "Q.messages",
    "Q.messages[]{role=user}",
    "Q.messages[]{role=user}.content",  # a string, or a list of blocks:
    "Q.messages[]{role=user}.content[]{type=text}",  # a TypedDict and a model share a tag
    "Q.messages[]{role=user}.content[]{type=text}.text",
    "Q.messages[]{role=user}.content[]{type=text}.citations",
    "Q.messages[]{role=user}.content[]{type=text}.citations[]{type=char_location}",
    "Q.messages[]{role=user}.content[]{type=text}.citations[]{type=char_location}.cited_text",
    "Q.messages[]{role=user}.content[]{type=text}.citations[]{type=page_location}",
    "Q.messages[]{role=user}.content[]{type=text}.citations[]{type=page_location}.start_page",
    "Q.messages[]{role=assistant}",
    "Q.messages[]{role=assistant}.content",
    "Q.stop_sequences",
    "Q.metadata",
    "Q.metadata{}.type",  # a single-value Literal outside a union is a constant
    "Q.metadata{}.type=text",
    "Q.metadata{}.text",
}


def test_sdk_walker_pins_the_path_syntax() -> None:
    assert cov.sdk_paths("R", Response) == RESPONSE_PATHS
    assert cov.sdk_paths("Q", Request) == REQUEST_PATHS


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": []}


DEFS: dict[str, Any] = {
    "R": obj(
        content={"type": "array", "items": ref("Block")},
        stop_reason={"anyOf": [ref("StopReason"), {"type": "null"}]},
        tree=ref("Tree"),
    ),
    "StopReason": {"type": "string", "enum": ["end_turn", "max_tokens"]},
    "Block": {"oneOf": [ref("Text"), ref("ToolUse")], "discriminator": {"propertyName": "type"}},
    "Text": obj(
        type={"const": "text"},
        text={"type": "string"},
        citations={"anyOf": [{"type": "array", "items": ref("Citation")}, {"type": "null"}]},
    ),
    "Citation": {
        "oneOf": [ref("CharLocation"), ref("PageLocation")],
        "discriminator": {"propertyName": "type"},
    },
    "CharLocation": obj(type={"const": "char_location"}, cited_text={"type": "string"}),
    "PageLocation": obj(type={"const": "page_location"}, start_page={"type": "integer"}),
    "ToolUse": obj(
        type={"enum": ["tool_use", "server_tool_use"]},
        input={"type": "object", "additionalProperties": {}},
        **{"from": {"type": "string"}},
    ),
    "Tree": obj(label={"type": "string"}, children={"type": "array", "items": ref("Tree")}),
    "Q": obj(
        messages={"type": "array", "items": ref("MessageParam")},
        stop_sequences={"type": "array", "items": {"type": "string"}},
        details=ref("Details"),
    ),
    "MessageParam": {
        "oneOf": [ref("UserParam")],
        "discriminator": {"propertyName": "role"},
    },
    "UserParam": obj(
        role={"const": "user"},
        content={"oneOf": [{"type": "string"}, {"type": "array", "items": ref("Block")}]},
    ),
    "Details": {"oneOf": [ref("Refusal")], "discriminator": {"propertyName": "type"}},
    "Refusal": obj(type={"const": "refusal"}, category={"enum": ["cyber", "bio"]}),
}


def test_schema_walker_pins_the_same_path_syntax() -> None:
    # ToolUse pins two tag values: the object is a variant under each
    server = {"R.content[]{type=server_tool_use}" + p for p in ("", ".input", ".from")}
    assert cov.schema_paths("R", DEFS) == RESPONSE_PATHS | server
    blocks = {p.removeprefix("R.content") for p in RESPONSE_PATHS | server if "[]" in p}
    assert cov.schema_paths("Q", DEFS) == {
        "Q.messages",
        # a tagged union of one object is walked as that object, its tag a constant
        "Q.messages[].role",
        "Q.messages[].role=user",
        "Q.messages[].content",
        *("Q.messages[].content" + p for p in blocks),
        "Q.stop_sequences",
        "Q.details",
        "Q.details.type",
        "Q.details.type=refusal",
        "Q.details.category",
        "Q.details.category=cyber",
        "Q.details.category=bio",
    }
    assert cov.schema_paths("Absent", DEFS) == set()


def test_exception_patterns_treat_brackets_and_braces_literally() -> None:
    assert cov.matches("M.content[]{type=text}.*", "M.content[]{type=text}.citations[].x")
    assert not cov.matches("M.content[]{type=text}.*", "M.content[]{type=image}.source")
    assert cov.matches("M.model=claude-?-*", "M.model=claude-3-opus")
    assert not cov.matches("M.content", "M.contents")


def test_header_params_are_headers_in_the_sdk() -> None:
    """The keys dropped from the SDK's request params are those its client sends as headers."""
    from anthropic.resources.beta.messages import messages

    source = inspect.getsource(messages)
    for name, header in cov.HEADER_PARAMS.items():
        assert re.search(rf'"{header}":[^\n]*\b{name}\b', source), (name, header)


# --- The ratchet ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> list[cov.Coverage]:
    return cov.compute()


@pytest.fixture(scope="module")
def baseline() -> dict[str, dict[str, dict[str, Any]]]:
    data: dict[str, dict[str, dict[str, Any]]] = json.loads(cov.BASELINE.read_text())
    return data


def test_coverage_never_gets_worse(report: list[cov.Coverage], baseline: Any) -> None:
    now = cov.baseline_of(report)
    worse = {
        f"{channel} {root}": f"{before['covered']} → {now[channel][root]['covered']} covered"
        for channel, roots in baseline.items()
        for root, before in roots.items()
        if now[channel][root]["covered"] < before["covered"]
    }
    assert not worse, (
        "SDK wire paths the JSON Schemas no longer cover (fix the spec, or add a reason to "
        f"tests/coverage_exceptions.yaml); `make coverage` lists them: {worse}"
    )


def test_the_baseline_matches_the_current_coverage(
    report: list[cov.Coverage], baseline: Any
) -> None:
    """Coverage grew, or moved: the committed figures must say so (`make coverage-baseline`)."""
    assert (
        cov.baseline_of(report) == baseline
    ), "coverage changed: run `make coverage-baseline` and commit tests/coverage_baseline.json"


def test_stable_schema_has_no_path_the_sdk_has_only_in_beta(report: list[cov.Coverage]) -> None:
    leaked = {c.root: c.leaked for c in report if c.leaked}
    assert not leaked, f"beta-only SDK paths in stable.json:\n{json.dumps(leaked, indent=1)}"
