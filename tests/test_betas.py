"""Betas at run time: the header catalogue (`BETA_HEADERS`), `beta_uses`, `required_betas`,
`strip_betas`, `unknown_elements` and `decode(..., betas=)`, on the recorded beta payloads and on
bodies drawn from the beta JSON Schema; and the spec checks of the `betas:` catalogue.
"""

from __future__ import annotations

import functools
import json
import typing
from pathlib import Path
from typing import Any

import anthropic.types
import jsonschema
import pytest

import anthropic_messages as m
from codegen.errors import SpecProblem

from .fuzz_inputs import PAYLOAD_KINDS
from .schema_instances import InstanceGenerator
from .support import GENERATED, PAYLOADS, kitchen_sink
from .test_dataclasses import without_annotations
from .test_spec_errors import check, only_problem, write_spec

ROOT_NAMES = PAYLOAD_KINDS  # payload folder -> root type name
BETA_FILES = sorted(p for kind in ROOT_NAMES for p in (PAYLOADS / "beta" / kind).glob("*.json"))
ALL_HEADERS = frozenset(m.BETA_HEADERS)
WITH_ELEMENTS = sorted(h for h, info in m.BETA_HEADERS.items() if info.elements)


def _schema(channel: str) -> dict[str, Any]:
    text = (GENERATED / "jsonschema" / f"{channel}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def stable_validator(root: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**_schema("stable"), "$ref": f"#/$defs/{root}"})


def _covers(removed: list[str], path: str) -> bool:
    """Whether `path` or an object or array holding it is among the removed paths."""
    return any(path == r or path.startswith(r + ".") or path.startswith(r + "[") for r in removed)


# Headers whose elements each body exercises (beta_uses found them and strip_betas removed
# them once they were not allowed), filled by the tests below and checked at the end.
EXERCISED: set[str] = set()


def check_betas(root: str, data: Any) -> None:
    """The properties every beta body must have; records the headers it exercises."""
    tp = getattr(m, root)
    before = json.dumps(data)
    obj = m.decode(tp, data)
    uses = m.beta_uses(obj)
    # Stripping nothing is the identity, and the headers required_betas names are enough.
    same, removed = m.strip_betas(obj, ALL_HEADERS)
    assert same is obj and removed == []
    needed = m.required_betas(obj)
    assert needed <= {h for use in uses for h in use.headers}
    m.reject_betas(obj, needed)
    assert m.decode(tp, data, betas=needed) == obj
    # Stripping everything leaves no beta element and a body the stable schema accepts; only
    # a stream event made of one beta block (or delta) can have nothing left.
    try:
        stripped, removed = m.strip_betas(obj, ())
    except ValueError as error:
        assert root == "MessageStreamEvent" and str(error).endswith(", $"), error
    else:
        assert m.beta_uses(stripped) == []
        assert all(_covers(removed, use.path) for use in uses)
        errors = list(stable_validator(root).iter_errors(m.encode(stripped)))
        assert errors == [], [f"{e.json_path}: {e.message}" for e in errors[:3]]
    # Each use goes once none of its headers is allowed, and strict decoding rejects it then.
    for headers in {use.headers for use in uses}:
        allowed = ALL_HEADERS - set(headers)
        first = next(use for use in uses if allowed.isdisjoint(use.headers))
        try:
            _, removed = m.strip_betas(obj, allowed)
        except ValueError:
            removed = ["$"]
        assert _covers(removed, first.path)
        with pytest.raises(m.DecodeError) as error:
            m.decode(tp, data, strict=True, betas=allowed)
        assert error.value.path == first.path
        EXERCISED.update(headers)
    # The input is left as it was.
    assert json.dumps(m.encode(obj)) == json.dumps(data) == before


@pytest.mark.parametrize("path", BETA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recorded_beta_payloads(path: Path) -> None:
    kind = path.parent.name
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data if kind == "stream" else [data]:
        check_betas(ROOT_NAMES[kind], item)


@functools.cache
def _generator() -> InstanceGenerator:
    return InstanceGenerator(
        without_annotations(_schema("beta")), optional_probability=0.9, max_depth=6
    )


DRAWN_ROOTS = ["MessageCreateParams", "Message", "MessageCountTokensParams", "MessageStreamEvent"]


@pytest.mark.parametrize("seed", range(12))
def test_drawn_beta_bodies(seed: int) -> None:
    for root in DRAWN_ROOTS + ["MessageTokensCount"]:
        check_betas(root, _generator().draw_definition(root, seed))


# Built by hand for elements that neither recording nor the drawn bodies above reach.
BUILT = [
    (
        "MessageStreamEvent",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "so", "estimated_tokens": 12},
        },
    ),
]


@pytest.mark.parametrize("root, data", BUILT, ids=[b[0] for b in BUILT])
def test_built_beta_bodies(root: str, data: Any) -> None:
    assert m.beta_uses(m.decode(getattr(m, root), data))
    check_betas(root, data)


def test_every_header_that_enables_elements_was_exercised() -> None:
    # Runs after the tests above (pytest keeps the file's order); alone it fills the set itself.
    if not EXERCISED:
        for path in BETA_FILES:
            test_recorded_beta_payloads(path)
        for seed in range(12):
            test_drawn_beta_bodies(seed)
        for root, data in BUILT:
            test_built_beta_bodies(root, data)
    assert sorted(set(WITH_ELEMENTS) - EXERCISED) == []
    assert len(WITH_ELEMENTS) >= 25


def test_the_catalogue_knows_the_sdk_headers_and_those_seen_in_traffic() -> None:
    sdk_values = set(typing.get_args(typing.get_args(anthropic.types.AnthropicBetaParam)[1]))
    assert len(sdk_values) > 40 and sdk_values <= set(m.BETA_HEADERS)
    traffic = {"prompt-caching-scope-2026-01-05", "claude-code-20250219"}
    assert traffic <= set(m.BETA_HEADERS)
    assert all(info.description and info.header == h for h, info in m.BETA_HEADERS.items())
    scope = m.BETA_HEADERS["prompt-caching-scope-2026-01-05"]
    assert "CacheControlEphemeralParam.scope" in scope.fields
    for header_only in (
        "interleaved-thinking-2025-05-14",
        "token-efficient-tools-2025-02-19",
        "fine-grained-tool-streaming-2025-05-14",
        "output-128k-2025-02-19",
        "claude-code-20250219",
    ):
        assert m.BETA_HEADERS[header_only].elements == ()
    compaction = m.BETA_HEADERS["compact-2026-01-12"]
    assert "ContentBlock[type=compaction]" in compaction.variants
    assert 'StopReason="compaction"' in compaction.enum_values
    assert "CompactionBlock" in compaction.types


CLAUDE_CODE = (
    PAYLOADS / "beta" / "request" / "made_here_claude_code_2_1_cache_control_scope_global.json"
)


def test_beta_uses_and_strict_decoding_with_betas_on_a_claude_code_request() -> None:
    body = json.loads(CLAUDE_CODE.read_text(encoding="utf-8"))
    request = m.decode(m.MessageCreateParams, body)
    uses = m.beta_uses(request)
    scope = [u for u in uses if u.element == "CacheControlEphemeralParam.scope"]
    assert [u.path for u in scope] == [
        "$.system[2].cache_control.scope",
        "$.tools[1].cache_control.scope",
    ]
    assert scope[0].kind == "field" and scope[0].headers == ("prompt-caching-scope-2026-01-05",)
    assert m.required_betas(request) == {
        "prompt-caching-scope-2026-01-05",
        "context-management-2025-06-27",
    }
    # A backend that knows context management but not the cache scope.
    for strict in (False, True):
        with pytest.raises(m.DecodeError) as error:
            m.decode(
                m.MessageCreateParams, body, strict=strict, betas=["context-management-2025-06-27"]
            )
        assert error.value.path == "$.system[2].cache_control.scope"
        assert "anthropic-beta: prompt-caching-scope-2026-01-05" in str(error.value)
    # Lazily decoded objects give the same uses, read as they are walked.
    assert m.beta_uses(m.decode(m.MessageCreateParams, body, lazy=True)) == uses
    lazy = m.decode(m.MessageCreateParams, body, lazy=True)
    assert (
        m.strip_betas(lazy, ["context-management-2025-06-27"])[0]
        == m.strip_betas(request, ["context-management-2025-06-27"])[0]
    )
    assert m.encode(lazy) == body
    stripped, removed = m.strip_betas(request, ["context-management-2025-06-27"])
    assert removed == ["$.system[2].cache_control.scope", "$.tools[1].cache_control.scope"]
    cache_control = dict(body["system"][2]["cache_control"])
    del cache_control["scope"]
    assert m.encode(stripped)["system"][2]["cache_control"] == cache_control
    assert m.encode(stripped)["context_management"] == body["context_management"]


def _request(**members: Any) -> Any:
    body = {"model": "claude-sonnet-4-5", "max_tokens": 100, **members}
    return m.decode(m.MessageCreateParams, body)


COMPACTION = {"type": "compaction", "content": "Earlier: the user asked for a summary."}
USER = {"role": "user", "content": "go on"}


def test_stripping_that_empties_a_content_or_tool_list_removes_the_list_holder() -> None:
    request = _request(
        messages=[USER, {"role": "assistant", "content": [COMPACTION]}, USER],
        tools=[{"type": "advisor_20260301", "name": "advisor", "model": "claude-opus-4-6"}],
    )
    stripped, removed = m.strip_betas(request, [])
    assert removed == ["$.messages[1].content[0]", "$.messages[1]", "$.tools[0]", "$.tools"]
    assert m.encode(stripped) == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [USER, USER],
    }
    assert len(request.messages) == 3 and len(request.tools) == 1  # the input is unchanged
    with pytest.raises(ValueError, match="whole value"):
        m.strip_betas(_request(messages=[{"role": "user", "content": [COMPACTION]}]), [])


def test_unknown_fields_and_variants_are_reported_apart_and_dropped_on_request() -> None:
    request = _request(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hi", "x_mark": 1},
                    {"type": "hologram", "data": "..."},
                ],
            }
        ],
        x_new_field=True,
    )
    assert m.unknown_elements(request) == [
        "$.x_new_field",
        "$.messages[0].content[0].x_mark",
        "$.messages[0].content[1]",
    ]
    kept, removed = m.strip_betas(request, [])
    assert kept is request and removed == []
    dropped, removed = m.strip_betas(request, [], drop_unknown=True)
    assert removed == [] and m.unknown_elements(dropped) == []
    assert m.encode(dropped)["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]}
    ]
    assert "x_new_field" not in m.encode(dropped)
    assert m.unknown_elements(request) != []  # the input keeps them


def test_a_field_enabled_by_either_of_two_headers() -> None:
    request = _request(
        messages=[USER],
        mcp_servers=[{"type": "url", "url": "https://mcp.example", "name": "docs"}],
    )
    [field_use, variant_use] = m.beta_uses(request)
    assert field_use.headers == ("mcp-client-2025-11-20", "mcp-client-2025-04-04")
    # Either header enables it; required_betas names the first the spec lists.
    assert m.required_betas(request) == {"mcp-client-2025-11-20"}
    for header in field_use.headers:
        assert m.strip_betas(request, [header])[1] == []
    assert variant_use.path == "$.mcp_servers[0]"


# --- the spec's catalogue -----------------------------------------------------------------


def test_a_beta_header_missing_from_the_catalogue_is_a_spec_error(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
            betas:
              known-2099-01-01: {description: A feature.}
            Thing:
              fields:
                old: {type: string, beta: known-2099-01-01}
                new: {type: string, beta: knwon-2099-01-01}
            """},
    )
    assert problem.location.file.endswith("a.yaml") and problem.location.line == 6
    assert problem.location.key == "Thing.fields.new.beta"
    assert "'knwon-2099-01-01' is not declared" in problem.message
    assert "did you mean 'known-2099-01-01'" in problem.message


def test_every_kind_of_beta_element_is_checked(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {
            "a.yaml": """
            betas:
              known-2099-01-01: {description: A feature.}
            Gone:
              beta: gone-2099-01-01
              fields:
                type: {const: gone}
            Mood:
              enum: [calm, {value: wild, beta: wild-2099-01-01}]
            Pick:
              union: {tag: type}
              variants: [{type: Gone, beta: pick-2099-01-01}]
            """,
            "b.yaml": """
            betas:
              known-2099-01-01: {description: The same again.}
            """,
        },
    )
    from codegen.errors import SpecError

    with pytest.raises(SpecError) as info:
        check(spec_dir)
    found = {
        (Path(p.location.file).name, p.location.line, p.location.key) for p in info.value.problems
    }
    assert found == {
        ("b.yaml", 2, "betas.known-2099-01-01"),
        ("a.yaml", 3, "Gone.beta"),
        ("a.yaml", 8, "Mood.enum.wild.beta"),
        ("a.yaml", 11, "Pick.variants.Gone.beta"),
    }


def test_a_spec_without_a_catalogue_takes_its_headers_from_its_elements(tmp_path: Path) -> None:
    spec = check(
        write_spec(
            tmp_path,
            {"a.yaml": "Thing:\n  fields:\n    new: {type: string, beta: any-2099-01-01}\n"},
        )
    )
    assert spec.betas == ()


def test_the_catalogue_entry_needs_a_description(tmp_path: Path) -> None:
    problem: SpecProblem = only_problem(tmp_path, {"a.yaml": "betas:\n  known-2099-01-01: {}\n"})
    assert problem.location.key == "betas.known-2099-01-01"
    assert "description" in problem.message


def test_a_spec_without_a_catalogue_still_gets_its_beta_helpers() -> None:
    # The kitchen sink fixture tags elements with headers but declares no catalogue.
    ks = kitchen_sink()
    assert {h: (i.description, i.elements) for h, i in ks.BETA_HEADERS.items()} == {
        "effort-2099-01-01": ("", ("Request.effort",)),
        "search-2099-01-01": ("", ("Block[type=search_v2]", "SearchTool")),
        "webp-2099-01-01": ("", ('MediaType="image/webp"',)),
    }
