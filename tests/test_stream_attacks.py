"""The run-time stream, platform and beta helpers under crafted input: only DecodeError (or the
documented misuse errors) escapes, nothing hangs, and what they build encodes and decodes again.

Each test here failed on the package before the fix it names in its docstring.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import anthropic_messages as m

START: dict[str, Any] = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
}
TOOL_START: dict[str, Any] = {
    "type": "content_block_start",
    "index": 0,
    "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
}
TOOL_STOP: dict[str, Any] = {"type": "content_block_stop", "index": 0}


def _input_delta(partial_json: str) -> dict[str, Any]:
    return {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": partial_json},
    }


def _fold_tool_input(pieces: list[str], stop: bool) -> m.MessageAccumulator:
    events = [START, TOOL_START, *map(_input_delta, pieces)] + ([TOOL_STOP] if stop else [])
    accumulator = m.MessageAccumulator()
    for data in events:
        accumulator.feed(m.decode(m.MessageStreamEvent, data))
        accumulator.message  # a gateway showing progress reads every snapshot
    return accumulator


def _round_trips(message: m.Message) -> None:
    """The message encodes to UTF-8 JSON text that decodes strictly to an equal message."""
    text = message.to_json()
    again = m.Message.from_json(text.encode("utf-8"), strict=True)
    assert again.to_json() == text


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}',
        '{"a": [Infinity]}',
        '{"a": -1e999}',
        '{"a": "\\ud800"}',
        '{"\\udfff": 1}',
        '{"a": ' + "[" * 300 + "]" * 300 + "}",
    ],
)
@pytest.mark.parametrize("stop", [True, False])
def test_tool_input_the_decoders_reject_never_reaches_the_message(text: str, stop: bool) -> None:
    """json.loads accepts NaN, Infinity, 1e999, lone surrogates and deep nesting; the folded
    message held them, so `to_json` raised ValueError or the UTF-8 encoding of its text
    UnicodeEncodeError. Such input is now kept only as text in `incomplete_inputs`."""
    for pieces in ([text], list(text)):
        accumulator = _fold_tool_input(pieces, stop)
        message = accumulator.message
        assert message is not None
        _round_trips(message)
        assert accumulator.incomplete_inputs == {0: text}
        # What is shown is the part read before the bad value: "a" holds at most empty lists.
        assert set(message.content[0].input) <= {"a"}


def test_a_good_member_before_a_bad_one_is_still_shown() -> None:
    accumulator = _fold_tool_input(['{"a": 1, ', '"b": NaN}'], stop=True)
    assert accumulator.message is not None
    assert accumulator.message.content[0].input == {"a": 1}
    _round_trips(accumulator.message)


@pytest.mark.parametrize("tail", ["", "\\ud83d", "x"])
def test_a_long_run_of_escaped_backslashes_in_tool_input_reads_in_linear_time(tail: str) -> None:
    """Structural: 400 000 backslashes in an open string value read in normal test time. The
    search for a trailing high-surrogate escape was a regular expression that backtracked over
    the whole run from each of its backslashes (40 000 of them took 25 s, so 400 000 would take
    about 40 minutes)."""
    text = '{"a": "' + "\\\\" * 200_000 + tail
    accumulator = _fold_tool_input([text[: len(text) // 2], text[len(text) // 2 :]], stop=False)
    message = accumulator.message
    assert message is not None
    assert message.content[0].input["a"] == "\\" * 200_000 + tail[:1].replace("\\", "")


@pytest.mark.parametrize(
    ("body", "cut"),
    [
        ("\\ud83d", True),  # a high surrogate whose low half has not come
        ("\\\\ud83d", False),  # an escaped backslash, then plain text
        ("\\\\\\ud83d", True),
        ("\\\\\\\\ud83d", False),
        ("x\\uD83D", True),
        ("\\ud83d\\ude00", False),  # a whole pair
    ],
)
def test_only_a_trailing_high_surrogate_escape_is_held_back(body: str, cut: bool) -> None:
    text = '{"a": "' + body
    accumulator = _fold_tool_input([text], stop=False)
    assert accumulator.message is not None
    shown = accumulator.message.content[0].input["a"]
    whole = json.loads('"' + (body[:-6] if cut else body) + '"')
    assert shown == whole
    _round_trips(accumulator.message)


class _CountingJSON:
    """Stands in for the json module in the accumulator, counting the text it is asked to
    parse: the work a partial-JSON reader does, independent of machine speed."""

    def __init__(self) -> None:
        self.characters = 0

    def loads(self, text: str) -> Any:
        self.characters += len(text)
        return json.loads(text)


def _text_block_events(indices: list[int]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [START]
    for index in indices:
        start = {"type": "text", "text": ""}
        events.append({"type": "content_block_start", "index": index, "content_block": start})
        delta = {"type": "text_delta", "text": f"block {index}"}
        events.append({"type": "content_block_delta", "index": index, "delta": delta})
        events.append({"type": "content_block_stop", "index": index})
    return events


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "' + "x" * 20_000 + '"}',
        "{" + ",".join(f'"k{i}": [{i}, "v\\u00e9"]' for i in range(1_000)) + "}",
        '{"a": [' + ",".join("[1, [2, {}]]" for _ in range(1_500)) + "]}",
    ],
)
def test_reading_every_snapshot_parses_the_tool_input_once(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Structural: a tracer reading `message` after each of 2 000 or more input_json_delta
    events has the tool input parsed about once in all. The reader re-parsed the whole text
    received so far on every read (40 000 deltas of 10 characters took 7.8 s instead of
    0.16 s for 5 000), so the text parsed grew with the square of the deltas."""
    from anthropic_messages import _accumulate

    counter = _CountingJSON()
    monkeypatch.setattr(_accumulate, "json", counter)
    pieces = [text[start : start + 10] for start in range(0, len(text), 10)]
    accumulator = _fold_tool_input(pieces, stop=True)
    message = accumulator.message
    assert message is not None and message.content[0].input == json.loads(text)
    # Once while streaming (quotes added around string pieces), once more at the block's stop.
    assert counter.characters < 4 * len(text), (counter.characters, len(text))
    _round_trips(message)


def test_reading_every_snapshot_rebuilds_only_the_changed_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Structural: with many content blocks, a read rebuilt every block (8 000 one-delta text
    blocks took 8.4 s, 1 000 took 0.14 s); now only the blocks changed since the last read are
    rebuilt, whatever order the blocks start in."""
    from anthropic_messages import _accumulate

    built = 0
    original = _accumulate._Block.built

    def counting(block: Any) -> Any:
        nonlocal built
        built += 1
        return original(block)

    monkeypatch.setattr(_accumulate._Block, "built", counting)
    indices = list(range(400)) + [450, 420, 401, 499]
    events = [m.decode(m.MessageStreamEvent, data) for data in _text_block_events(indices)]
    accumulator = m.MessageAccumulator()
    for event in events:
        accumulator.feed(event)
        assert accumulator.message is not None
    assert built <= len(events)
    message = accumulator.message
    assert [block.text for block in message.content] == [
        f"block {index}" for index in sorted(indices)
    ]
    unread = m.MessageAccumulator()
    for event in events:
        unread.feed(event)
    assert unread.message == message


# --- betas given as a header value ------------------------------------------------------------

SCOPED: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16,
    "system": [
        {
            "type": "text",
            "text": "Be brief.",
            "cache_control": {"type": "ephemeral", "scope": "global"},
        }
    ],
    "messages": [{"role": "user", "content": "Hi"}],
}
SCOPE_BETA = "prompt-caching-scope-2026-01-05"


@pytest.mark.parametrize(
    "header", [SCOPE_BETA, f"interleaved-thinking-2025-05-14, {SCOPE_BETA}", [f" {SCOPE_BETA},"]]
)
def test_betas_given_as_an_anthropic_beta_header_value_are_its_names(header: Any) -> None:
    """The routes take `betas` as a header value or values; strip_betas and decode(betas=)
    read a str as a set of characters, so a body whose beta the header enables lost it, or
    was rejected."""
    request = m.decode(m.MessageCreateParams, SCOPED)
    stripped, removed = m.strip_betas(request, header)
    assert removed == [] and stripped is request
    assert m.decode(m.MessageCreateParams, SCOPED, betas=header) == request
    with pytest.raises(m.DecodeError):
        m.decode(m.MessageCreateParams, SCOPED, betas="interleaved-thinking-2025-05-14")


@pytest.mark.parametrize("betas", [[5], [None], [b"x"]])
def test_betas_that_are_not_strings_are_a_type_error(betas: list[Any]) -> None:
    request = m.decode(m.MessageCreateParams, SCOPED)
    for call in (
        lambda: m.strip_betas(request, betas),
        lambda: m.decode(m.MessageCreateParams, SCOPED, betas=betas),
        lambda: m.VERTEX_MESSAGES.to_platform(request, betas),
    ):
        with pytest.raises(TypeError, match="anthropic-beta"):
            call()
