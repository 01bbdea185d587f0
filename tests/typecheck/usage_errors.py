"""Misuse of the generated types; every line marked `# error: code` must fail mypy --strict
with that error code, and no other line may fail."""

from __future__ import annotations

import dataclasses

import anthropic_messages as m

m.TextBlockParam(text=1)  # error: arg-type
m.TextBlockParam()  # error: call-arg
m.TextBlockParam(text="a", colour="red")  # error: call-arg
m.TextBlockParam(text="a", type="image")  # error: arg-type
m.CacheControlEphemeralParam(ttl=5)  # error: arg-type
m.MessageCreateParams(model="x", max_tokens="many", messages=[])  # error: arg-type
response_block = m.TextBlock(text="a", citations=None)
m.MessageCreateParams(model="x", max_tokens=1, messages=[response_block])  # error: list-item
m.UserMessageParam(content=[m.Usage(input_tokens=1, output_tokens=2)])  # error: list-item


def block_text(block: m.ContentBlock) -> str:
    return block.text  # error: union-attr


def cache_ttl(block: m.TextBlockParam) -> str:
    return block.cache_control.ttl  # error: union-attr


def citations_count(block: m.TextBlockParam) -> int:
    return len(block.citations)  # error: arg-type


def positional() -> m.TextBlockParam:
    return m.TextBlockParam("hello")  # error: call-arg


def wrong_from_dict(data: object) -> m.Message:
    return m.Usage.from_dict(data)  # error: return-value


def replace_badly(block: m.TextBlockParam) -> None:
    dataclasses.replace(block, text=1)  # error: arg-type
    dataclasses.replace(block, colour="red")  # error: call-arg


def field_of_an_alias() -> object:
    return dataclasses.fields(m.ContentBlockParam)  # error: arg-type


def summary(block: m.ContentBlock) -> None:
    # Patterns narrow `block` and type what they bind, so these misuses are caught.
    match block:
        case m.TextBlock(text=text):
            text + 1  # error: operator
        case m.ToolUseBlock("tool_use", tool_id, name):
            name + tool_id + 1  # error: operator
        case m.ThinkingBlock():
            block.text  # error: attr-defined


def decoded_union(data: object) -> None:
    block: int = m.decode(m.ContentBlockParam, data)  # error: assignment
