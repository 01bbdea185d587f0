"""Bodies that must decode although the API moved on (issue 8, items 6 and 7).

Lenient decoding never fails only because a tag has a value this spec does not know: the object
becomes the `Unknown…` form of its union and is sent on unchanged. Strict decoding rejects the
same value at the tag's path. Real clients' additions (Claude Code's `cache_control.scope`, nulls
in replayed compaction blocks) decode strictly.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

import anthropic_messages as m
from tests.support import PAYLOADS

Body = dict[str, Any]


def request(**fields: Any) -> Body:
    return {"model": "claude-x", "max_tokens": 16, "messages": [], **fields}


def user_blocks(*blocks: Body) -> Body:
    return request(messages=[{"role": "user", "content": list(blocks)}])


def context_edit(kind: str, **fields: Any) -> Body:
    return request(context_management={"edits": [{"type": kind, **fields}]})


def message(*blocks: Body) -> Body:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": list(blocks),
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def server_result(kind: str, content: Any) -> Body:
    return {"type": kind, "tool_use_id": "srvtoolu_01", "content": content}


PERSISTENT = {"type": "persistent", "ttl": "1d"}


class Case(NamedTuple):
    """A valid body holding a tagged object; the tests swap its tag for one the spec lacks."""

    name: str
    root: Any  # the type the body is decoded as
    body: Body
    path: str  # JSON path of the tagged object
    unknown: str  # name of the Unknown class the object becomes under an unknown tag


CASES: list[Case] = [
    Case(
        "cache_control on a text block",
        m.MessageCreateParams,
        user_blocks({"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}),
        "$.messages[0].content[0].cache_control",
        "UnknownCacheControlParam",
    ),
    Case(
        "cache_control at the top level",
        m.MessageCreateParams,
        request(cache_control={"type": "ephemeral", "ttl": "1h"}),
        "$.cache_control",
        "UnknownCacheControlParam",
    ),
    Case(
        "cache_control on a tool",
        m.MessageCreateParams,
        request(tools=[{"name": "t", "input_schema": {}, "cache_control": {"type": "ephemeral"}}]),
        "$.tools[0].cache_control",
        "UnknownCacheControlParam",
    ),
    Case(
        "system prompt block",
        m.MessageCreateParams,
        request(system=[{"type": "text", "text": "Be brief."}]),
        "$.system[0]",
        "UnknownSystemPromptBlockParam",
    ),
    Case(
        "search result content block",
        m.MessageCreateParams,
        user_blocks(
            {
                "type": "search_result",
                "source": "s",
                "title": "t",
                "content": [{"type": "text", "text": "x"}],
            }
        ),
        "$.messages[0].content[0].content[0]",
        "UnknownSearchResultContentBlockParam",
    ),
    Case(
        "output_config.format",
        m.MessageCreateParams,
        request(output_config={"format": {"type": "json_schema", "schema": {}}}),
        "$.output_config.format",
        "UnknownOutputFormatParam",
    ),
    Case(
        "output_config.task_budget",
        m.MessageCreateParams,
        request(output_config={"task_budget": {"type": "tokens", "total": 1000}}),
        "$.output_config.task_budget",
        "UnknownTaskBudgetParam",
    ),
    Case(
        "mcp_servers item",
        m.MessageCreateParams,
        request(mcp_servers=[{"type": "url", "name": "n", "url": "https://mcp.example"}]),
        "$.mcp_servers[0]",
        "UnknownRequestMCPServerDefinitionParam",
    ),
    Case(
        "billing_policy",
        m.MessageCreateParams,
        request(billing_policy={"type": "billing_policy", "bill_to": "self"}),
        "$.billing_policy",
        "UnknownBillingPolicyUnionParam",
    ),
    Case(
        "compaction request setting",
        m.MessageCountTokensParams,
        {"model": "claude-x", "messages": [], "compaction": {"type": "summarize"}},
        "$.compaction",
        "UnknownCompactionConfigUnionParam",
    ),
    Case(
        "web search user_location",
        m.MessageCreateParams,
        request(
            tools=[
                {
                    "type": "web_search_20250305",
                    "name": "web_search",
                    "user_location": {"type": "approximate", "city": "Paris"},
                }
            ]
        ),
        "$.tools[0].user_location",
        "UnknownUserLocationUnionParam",
    ),
    Case(
        "context management keep",
        m.MessageCreateParams,
        context_edit("clear_tool_uses_20250919", keep={"type": "tool_uses", "value": 3}),
        "$.context_management.edits[0].keep",
        "UnknownClearToolUsesKeepParam",
    ),
    Case(
        "context management clear_at_least",
        m.MessageCreateParams,
        context_edit(
            "clear_tool_uses_20250919", clear_at_least={"type": "input_tokens", "value": 5000}
        ),
        "$.context_management.edits[0].clear_at_least",
        "UnknownClearAtLeastParam",
    ),
    Case(
        "compaction edit trigger",
        m.MessageCreateParams,
        context_edit("compact_20260112", trigger={"type": "input_tokens", "value": 1}),
        "$.context_management.edits[0].trigger",
        "UnknownCompactTriggerParam",
    ),
    Case(
        "replayed web search result item",
        m.MessageCreateParams,
        user_blocks(
            server_result(
                "web_search_tool_result",
                [{"type": "web_search_result", "url": "u", "title": "t", "encrypted_content": "e"}],
            )
        ),
        "$.messages[0].content[0].content[0]",
        "UnknownWebSearchResultBlockUnionParam",
    ),
    Case(
        "replayed web search error object",
        m.MessageCreateParams,
        user_blocks(
            server_result(
                "web_search_tool_result",
                {"type": "web_search_tool_result_error", "error_code": "unavailable"},
            )
        ),
        "$.messages[0].content[0].content",
        "UnknownWebSearchToolRequestErrorObjectUnionParam",
    ),
    Case(
        "replayed web fetch document",
        m.MessageCreateParams,
        user_blocks(
            server_result(
                "web_fetch_tool_result",
                {
                    "type": "web_fetch_result",
                    "url": "u",
                    "content": {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": "d"},
                    },
                },
            )
        ),
        "$.messages[0].content[0].content.content",
        "UnknownWebFetchBlockContentParam",
    ),
    Case(
        "code execution output in a response",
        m.Message,
        message(
            server_result(
                "code_execution_tool_result",
                {
                    "type": "code_execution_result",
                    "stdout": "",
                    "stderr": "",
                    "return_code": 0,
                    "content": [{"type": "code_execution_output", "file_id": "file_01"}],
                },
            )
        ),
        "$.content[0].content.content[0]",
        "UnknownCodeExecutionOutputBlockUnion",
    ),
    Case(
        "tool search reference in a response",
        m.Message,
        message(
            server_result(
                "tool_search_tool_result",
                {
                    "type": "tool_search_tool_search_result",
                    "tool_references": [{"type": "tool_reference", "tool_name": "grep"}],
                },
            )
        ),
        "$.content[0].content.tool_references[0]",
        "UnknownToolReferenceBlockUnion",
    ),
    Case(
        "fallback trigger in a response",
        m.Message,
        message(
            {
                "type": "fallback",
                "from": {"model": "claude-a"},
                "to": {"model": "claude-b"},
                "trigger": {"type": "refusal"},
            }
        ),
        "$.content[0].trigger",
        "UnknownFallbackTrigger",
    ),
]


each_case = pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])


def _at(value: Any, path: str) -> Any:
    """What sits at a `$.a[0].b` path, in parsed JSON or in decoded objects."""
    for part in path[2:].replace("[", ".[").split("."):
        if part.startswith("["):
            value = value[int(part[1:-1])]
        else:
            value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def _with_tag(body: Body, path: str, tag: str) -> Body:
    changed = copy.deepcopy(body)
    _at(changed, path)["type"] = tag
    return changed


@each_case
def test_a_known_tag_decodes_strictly(case: Case) -> None:
    decoded = m.decode(case.root, case.body, strict=True)
    assert not isinstance(_at(decoded, case.path), getattr(m, case.unknown))
    assert m.encode(decoded) == case.body


@each_case
def test_an_unknown_tag_decodes_leniently_and_is_sent_unchanged(case: Case) -> None:
    changed = _with_tag(case.body, case.path, "added_later")
    decoded = m.decode(case.root, changed)
    kept = _at(decoded, case.path)
    assert isinstance(kept, getattr(m, case.unknown))
    assert kept.type == "added_later"
    assert m.encode(decoded) == changed


@each_case
def test_an_unknown_tag_fails_strict_decoding_at_the_tag(case: Case) -> None:
    with pytest.raises(m.DecodeError) as caught:
        m.decode(case.root, _with_tag(case.body, case.path, "added_later"), strict=True)
    assert caught.value.path == f"{case.path}.type"
    assert '"added_later"' in str(caught.value)


def test_persistent_cache_control_round_trips_exactly_in_lenient_mode() -> None:
    body = user_blocks({"type": "text", "text": "hi", "cache_control": PERSISTENT})
    decoded = m.decode(m.MessageCreateParams, body)
    block = decoded.messages[0].content[0]
    assert isinstance(block, m.TextBlockParam)
    assert isinstance(block.cache_control, m.UnknownCacheControlParam)
    assert block.cache_control.to_dict() == PERSISTENT
    # Same JSON text once keys are sorted: null, absent and the number types stay as they were.
    assert json.dumps(m.encode(decoded), sort_keys=True) == json.dumps(body, sort_keys=True)


def test_persistent_cache_control_fails_strict_decoding_at_its_type() -> None:
    body = user_blocks({"type": "text", "text": "hi", "cache_control": PERSISTENT})
    with pytest.raises(m.DecodeError) as caught:
        m.decode(m.MessageCreateParams, body, strict=True)
    assert caught.value.path == "$.messages[0].content[0].cache_control.type"
    assert str(caught.value) == (
        '$.messages[0].content[0].cache_control.type: expected "ephemeral", '
        'found the string "persistent"'
    )


@pytest.mark.parametrize("strict", [False, True])
def test_an_error_event_without_message_decodes(strict: bool) -> None:
    data = {"type": "error", "error": {"type": "overloaded_error"}}
    event = m.decode(m.MessageStreamEvent, data, strict=strict)
    assert isinstance(event, m.ErrorEvent)
    assert isinstance(event.error, m.OverloadedErrorObject)
    assert event.error.message is m.UNSET
    assert m.encode(event) == data


@pytest.mark.parametrize("strict", [False, True])
def test_an_error_body_and_a_batch_error_without_message_decode(strict: bool) -> None:
    body = {"type": "error", "error": {"type": "api_error"}}
    assert m.encode(m.decode(m.ErrorResponse, body, strict=strict)) == body
    result = {"type": "errored", "error": body}
    assert m.encode(m.decode(m.MessageBatchResult, result, strict=strict)) == result


def test_an_error_of_an_unknown_kind_without_message_decodes_leniently() -> None:
    data = {"type": "error", "error": {"type": "forbidden"}}
    event = m.decode(m.MessageStreamEvent, data)
    assert isinstance(event, m.ErrorEvent) and isinstance(event.error, m.UnknownErrorObject)
    assert m.encode(event) == data


CLAUDE_CODE = "beta/request/made_here_claude_code_2_1_cache_control_scope_global.json"
COMPACTION_REPLAY = "beta/request/made_here_sdk_compaction_replay_tool_definition_nulls.json"


def _payload(name: str) -> Body:
    data: Body = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return data


def test_claude_code_cache_control_scope_decodes_strictly() -> None:
    body = _payload(CLAUDE_CODE)
    decoded = m.decode(m.MessageCreateParams, body, strict=True)
    assert m.encode(decoded) == body
    scopes = [
        (
            block.cache_control.scope
            if isinstance(block.cache_control, m.CacheControlEphemeralParam)
            else "no cache_control"
        )
        for block in [*decoded.system, *decoded.tools]
    ]
    # system: billing, identity, fixed instructions, session guidance; then two tools
    assert scopes == [
        "no cache_control",
        "no cache_control",
        "global",
        m.UNSET,
        "no cache_control",
        "global",
    ]


def test_an_unknown_cache_scope_is_kept_leniently_and_rejected_strictly() -> None:
    body = user_blocks(
        {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "scope": "planet"}}
    )
    decoded = m.decode(m.MessageCreateParams, body)
    assert decoded.messages[0].content[0].cache_control.scope == "planet"
    assert m.encode(decoded) == body
    with pytest.raises(m.DecodeError) as caught:
        m.decode(m.MessageCreateParams, body, strict=True)
    assert caught.value.path == "$.messages[0].content[0].cache_control.scope"


def test_compaction_replay_with_nulls_decodes_strictly() -> None:
    body = _payload(COMPACTION_REPLAY)
    decoded = m.decode(m.MessageCreateParams, body, strict=True)
    assert m.encode(decoded) == body
    compaction = decoded.messages[1].content[0]
    assert isinstance(compaction, m.CompactionBlockParam)
    first = compaction.tool_changes[0]
    assert isinstance(first, m.RequestToolAdditionBlockParam)
    assert isinstance(first.tool, m.ToolChangeToolDefinitionParam)
    definition = first.tool.definition
    assert isinstance(definition, m.Tool)
    assert (definition.defer_loading, definition.strict, definition.allowed_callers) == (
        True,
        None,
        None,
    )


# A member of a replayed definition that the SDK's response model writes as null, and a reader
# that returns it from the decoded definition.
NULLS_IN_DEFINITIONS: list[tuple[str, Body, Callable[[Any], object]]] = [
    (
        "cache_control.ttl",
        {"name": "t", "input_schema": {}, "cache_control": {"type": "ephemeral", "ttl": None}},
        lambda d: d.cache_control.ttl,
    ),
    (
        "citations.enabled",
        {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": None}},
        lambda d: d.citations.enabled,
    ),
    (
        "url_sources.user_input",
        {"type": "web_fetch_20260318", "name": "web_fetch", "url_sources": {"user_input": None}},
        lambda d: d.url_sources.user_input,
    ),
    (
        "mcp default_config",
        {"type": "mcp_toolset", "mcp_server_name": "s", "default_config": None},
        lambda d: d.default_config,
    ),
    (
        "description",
        {"name": "t", "input_schema": {}, "description": None},
        lambda d: d.description,
    ),
    (
        "enable_zoom",
        {
            "type": "computer_20251124",
            "name": "computer",
            "display_width_px": 1024,
            "display_height_px": 768,
            "enable_zoom": None,
        },
        lambda d: d.enable_zoom,
    ),
]


@pytest.mark.parametrize(
    ("name", "definition", "read"), NULLS_IN_DEFINITIONS, ids=[n[0] for n in NULLS_IN_DEFINITIONS]
)
def test_null_members_of_a_replayed_tool_definition_decode_strictly(
    name: str, definition: Body, read: Callable[[Any], object]
) -> None:
    change = {
        "type": "tool_addition",
        "tool": {"type": "tool_definition", "definition": definition},
    }
    compaction = {"type": "compaction", "content": "summary", "tool_changes": [change]}
    body = request(messages=[{"role": "assistant", "content": [compaction]}])
    decoded = m.decode(m.MessageCreateParams, body, strict=True)
    assert m.encode(decoded) == body
    assert read(decoded.messages[0].content[0].tool_changes[0].tool.definition) is None
