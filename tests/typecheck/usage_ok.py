"""Code a gateway author writes against the generated package; must pass mypy --strict."""

from __future__ import annotations

import dataclasses

from typing_extensions import assert_type

import anthropic_messages as m


def total_input_tokens(message: m.Message) -> int:
    usage = message.usage
    total = usage.input_tokens
    if isinstance(usage.cache_read_input_tokens, int):
        total += usage.cache_read_input_tokens
    if isinstance(usage.cache_creation_input_tokens, int):
        total += usage.cache_creation_input_tokens
    return total


def texts(message: m.Message) -> list[str]:
    return [block.text for block in message.content if isinstance(block, m.TextBlock)]


def tool_names(request: m.MessageCreateParams) -> list[str]:
    names: list[str] = []
    if request.tools is m.UNSET:
        return names
    for tool in request.tools:
        if isinstance(tool, m.Tool):
            names.append(tool.name)
        elif isinstance(tool, m.UnknownToolUnionParam):
            names.append(tool.type)
    return names


def build_request() -> m.MessageCreateParams:
    return m.MessageCreateParams(
        model="claude-x",
        max_tokens=1024,
        messages=[
            m.UserMessageParam(content="hi"),
            m.AssistantMessageParam(content=[m.TextBlockParam(text="hello")]),
        ],
        tools=[m.Tool(name="grep", input_schema={"type": "object"})],
        stream=True,
    )


def decode_event(data: object) -> m.MessageStreamEvent:
    event: m.MessageStreamEvent = m.decode(m.MessageStreamEvent, data)
    return event


def stop_reason(message: m.Message) -> str | None:
    reason = message.stop_reason
    return None if reason is m.UNSET else reason


def typed_from_dict(data: object) -> m.Message:
    return m.Message.from_dict(data, strict=True)


def retitled(block: m.TextBlockParam) -> m.TextBlockParam:
    return dataclasses.replace(block, text="new text", cache_control=None)


def field_names() -> list[str]:
    return [field.name for field in dataclasses.fields(m.TextBlockParam)]


def as_plain_dict(message: m.Message) -> dict[str, object]:
    return dataclasses.asdict(message)


def summary(block: m.ContentBlock) -> str:
    # Every branch uses an attribute only the narrowed class has.
    match block:
        case m.TextBlock(text=text):
            return text.upper()
        case m.ToolUseBlock("tool_use", tool_id, name):
            return f"{tool_id}:{name.lower()}"
        case m.ThinkingBlock():
            return block.thinking
        case _:
            return ""


def decode_union(data: object) -> m.ContentBlockParam:
    block = m.decode(m.ContentBlockParam, data)
    assert_type(block, m.ContentBlockParam)
    return block


def lazy_request(data: object) -> tuple[str, int]:
    body = m.MessageCreateParams.from_dict(data, lazy=True)
    lazily = m.decode(m.Message, data, strict=True, lazy=True)
    return (
        body.model,
        lazily.usage.output_tokens + m.Message.from_json("{}", lazy=True).usage.input_tokens,
    )
