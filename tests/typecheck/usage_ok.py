"""Code a gateway author writes against the generated package; must pass mypy --strict."""

from __future__ import annotations

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


def lazy_request(data: object) -> tuple[str, int]:
    body = m.MessageCreateParams.from_dict(data, lazy=True)
    lazily = m.decode(m.Message, data, strict=True, lazy=True)
    return (
        body.model,
        lazily.usage.output_tokens + m.Message.from_json("{}", lazy=True).usage.input_tokens,
    )
