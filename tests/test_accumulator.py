"""The stream accumulator (issue 11): recorded streams folded, compared with the official SDK's
beta accumulation, malformed streams, the partial-JSON reader and usage totals.

Recorded streams with a matching non-streaming response: none. No stream in tests/payloads
shares its message id (or its source exchange, see SOURCES.md) with a recorded response; the
nearest, the vercel fallback fixtures, are two separate hand-written examples. The test below
keeps looking for such pairs; meanwhile every recorded response is cut into a stream the way
the API streams (blocks started empty, text, thinking and tool input sent in pieces, citations
one by one, stop reason and final usage in message_delta), and folding it must give the
response back.

Against the SDK (`anthropic.lib.streaming._beta_messages.accumulate_event`, the beta one: it is
the superset; our Message is the beta superset too), compared as JSON values: ours through
`encode`, the SDK's through `model_dump(mode="json", exclude_unset=True, by_alias=True)`, the
form the SDK sends a message back in, which keeps absent members absent. Where the two differ,
the SDK loses or invents data; SDK_DIFFERENCES lists each case with the reason ours is right.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

import anthropic_messages as m
from tests.support import PAYLOADS

STREAMS = sorted((PAYLOADS / "stream").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "stream").glob("*.json")
)
FRAGMENT_STREAMS = sorted((PAYLOADS / "fragments" / "stream").glob("*.json"))
MESSAGES = sorted((PAYLOADS / "message").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "message").glob("*.json")
)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def fold(events: list[Any]) -> m.MessageAccumulator:
    accumulator = m.MessageAccumulator()
    for data in events:
        accumulator.feed(m.decode(m.MessageStreamEvent, data))
    return accumulator


# --- recorded streams -------------------------------------------------------------------------


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_recorded_stream_folds_to_an_encodable_message(path: Path) -> None:
    events = _load(path)
    accumulator = fold(events)
    assert accumulator.skipped == []
    if any(e["type"] == "error" for e in events):
        assert accumulator.error is not None and not accumulator.done
        return
    assert accumulator.done and accumulator.error is None
    assert accumulator.incomplete_inputs == {}
    message = accumulator.message
    assert message is not None
    data = m.encode(message, check=True, strict=True)
    assert m.decode(m.Message, data, strict=True) == message
    texts = "".join(
        e["delta"]["text"] for e in events if e.get("delta", {}).get("type") == "text_delta"
    )
    assert texts == "".join(b["text"] for b in data["content"] if b["type"] == "text")
    deltas = [e for e in events if e["type"] == "message_delta"]
    assert data["usage"]["output_tokens"] == deltas[-1]["usage"]["output_tokens"]
    assert accumulator.usage == message.usage


def test_no_recorded_stream_has_a_recorded_response_yet() -> None:
    """If a pair appears, the folded stream must equal the response (see the module notes)."""
    responses = {_load(p)["id"]: _load(p) for p in MESSAGES}
    pairs = 0
    for path in STREAMS:
        events = _load(path)
        starts = [e["message"]["id"] for e in events if e["type"] == "message_start"]
        response = responses.get(starts[0]) if starts else None
        if response is not None:
            pairs += 1
            assert m.encode(fold(events).message) == response
    assert pairs == 0, "a pair exists now: update the module notes and the report"


@pytest.mark.parametrize("path", FRAGMENT_STREAMS, ids=lambda p: p.name)
def test_fragment_stream_folds_what_decodes(path: Path) -> None:
    """Documentation fragments lack required members (the start event's usage): the events
    that decode are folded, the rest raise DecodeError, and nothing else escapes."""
    accumulator = m.MessageAccumulator()
    failed = 0
    for data in _load(path):
        try:
            event = m.decode(m.MessageStreamEvent, data)
        except m.DecodeError:
            failed += 1
            continue
        accumulator.feed(event)
    assert failed >= 1
    assert accumulator.message is None  # the start event did not decode
    assert accumulator.skipped and all(
        "before the message" in s.reason or "never started" in s.reason for s in accumulator.skipped
    )


# --- responses cut into streams ---------------------------------------------------------------


def _pieces(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, 6))) if len(text) > 1 else []
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def stream_of(response: dict[str, Any], seed: int = 0) -> list[dict[str, Any]]:
    """The events the API would send for `response`, pieces cut at random."""
    rng = random.Random(seed)
    shell = {k: v for k, v in response.items() if k not in ("content", "usage")}
    late = {k: shell.pop(k) for k in ("stop_reason", "stop_sequence") if k in shell}
    later = {k: shell.pop(k) for k in ("stop_details", "container") if k in shell}
    usage = dict(response["usage"], output_tokens=1)
    start = {**shell, "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(response["content"]):
        first, deltas = dict(block), []
        kind = block["type"]
        if kind == "text":
            first["text"] = ""
            deltas += [{"type": "text_delta", "text": t} for t in _pieces(block["text"], rng)]
            if block.get("citations"):
                first["citations"] = []
                deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
        elif kind == "thinking":
            first.update(thinking="", signature="")
            deltas += [
                {"type": "thinking_delta", "thinking": t} for t in _pieces(block["thinking"], rng)
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            first["input"] = {}
            text = json.dumps(block["input"], ensure_ascii=False)
            deltas += [{"type": "input_json_delta", "partial_json": t} for t in _pieces(text, rng)]
        elif kind == "compaction":
            summary = {k: first.pop(k) for k in ("content", "encrypted_content") if k in first}
            deltas.append({"type": "compaction_delta", **summary})
        events.append({"type": "content_block_start", "index": index, "content_block": first})
        events += [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]
        events.append({"type": "content_block_stop", "index": index})
    final_usage = {k: v for k, v in response["usage"].items() if k in _DELTA_USAGE}
    events.append({"type": "message_delta", "delta": {**late, **later}, "usage": final_usage})
    events.append({"type": "message_stop"})
    return events


_DELTA_USAGE = ("output_tokens", "input_tokens", "server_tool_use", "iterations")


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
def test_response_cut_into_a_stream_folds_back(path: Path) -> None:
    response = _load(path)
    for seed in range(3):
        accumulator = fold(stream_of(response, seed))
        assert accumulator.skipped == [] and accumulator.done
        assert m.encode(accumulator.message) == response


# --- the official SDK -------------------------------------------------------------------------

# Every difference between our fold and the SDK's on the recorded streams: (stream, JSON path,
# why ours is right). Anything else that differs fails the test.
SDK_DIFFERENCES: dict[tuple[str, str], str] = {}
_STOP_DETAILS_INVENTED = (
    "the SDK writes message_delta's stop_details over the message even when the event leaves it "
    "out, so a null appears that the server never sent; absent must not erase or add"
)
for _name in (
    "docs_basic_text.json",
    "docs_tool_use_get_weather.json",
    "prism_char_location_citations_delta.json",
    "prism_text_then_tool_use_input_json_delta.json",
    "pydantic_ai_redacted_thinking.json",
    "pydantic_ai_web_search_thinking_citations.json",
    "pydantic_ai_mcp_tool_use_result_thinking.json",
    "vercel_ai_clear_tool_uses_context_management_delta.json",
    "vercel_ai_handwritten_fallback_block.json",
):
    SDK_DIFFERENCES[(_name, "$.stop_details")] = _STOP_DETAILS_INVENTED
SDK_DIFFERENCES[
    ("pydantic_ai_compaction_delta_iterations.json", "$.content[0].encrypted_content")
] = (
    "the SDK copies both members of compaction_delta, absent ones as null: the delta sent only "
    "content, so the block has no encrypted_content (a null would be sent back to the API)"
)


def _differences(ours: Any, sdk: Any, path: str = "$") -> dict[str, tuple[Any, Any]]:
    found: dict[str, tuple[Any, Any]] = {}
    if isinstance(ours, dict) and isinstance(sdk, dict):
        for key in dict.fromkeys([*ours, *sdk]):
            missing = object()
            a, b = ours.get(key, missing), sdk.get(key, missing)
            if a is missing or b is missing:
                found[f"{path}.{key}"] = (a, b)
            else:
                found.update(_differences(a, b, f"{path}.{key}"))
    elif isinstance(ours, list) and isinstance(sdk, list) and len(ours) == len(sdk):
        for index, (a, b) in enumerate(zip(ours, sdk)):
            found.update(_differences(a, b, f"{path}[{index}]"))
    elif ours != sdk or type(ours) is not type(sdk):
        found[path] = (ours, sdk)
    return found


def sdk_fold(events: list[Any]) -> Any:
    httpx2 = pytest.importorskip("httpx2")
    streaming = pytest.importorskip("anthropic.lib.streaming._beta_messages")
    snapshot, buffers = None, {}
    for data in events:
        if data["type"] in ("ping", "error"):
            continue  # the SDK's event union has neither; its stream reader drops them
        snapshot = streaming.accumulate_event(
            event=copy.deepcopy(data),
            current_snapshot=snapshot,
            json_bufs=buffers,
            request_headers=httpx2.Headers(),
        )
    return snapshot


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_fold_equals_the_sdk_but_where_the_sdk_loses_data(path: Path) -> None:
    events = _load(path)
    snapshot = sdk_fold(events)
    message = fold(events).message
    if snapshot is None:  # only an error event: neither side has a message
        assert message is None
        return
    sdk = snapshot.model_dump(mode="json", exclude_unset=True, by_alias=True)
    found = _differences(m.encode(message), sdk)
    expected = {p for (name, p) in SDK_DIFFERENCES if name == path.name}
    assert set(found) == expected, {p: found[p] for p in set(found) ^ expected if p in found}


def test_every_listed_sdk_difference_names_a_recorded_stream() -> None:
    assert {name for name, _ in SDK_DIFFERENCES} <= {p.name for p in STREAMS}


# --- malformed streams ------------------------------------------------------------------------


def _events(name: str) -> list[Any]:
    return _load(PAYLOADS / "stream" / name)


def _usable(accumulator: m.MessageAccumulator) -> None:
    message = accumulator.message
    if message is not None:
        m.encode(message, check=True)


def test_events_before_the_start_are_kept_as_skipped() -> None:
    events = _events("prism_text_then_tool_use_input_json_delta.json")
    body = [e for e in events if e["type"] not in ("message_start", "ping")]
    accumulator = fold(body[:5])
    assert accumulator.message is None and len(accumulator.skipped) == 5
    assert [s.event for s in accumulator.skipped] == [
        m.decode(m.MessageStreamEvent, e) for e in body[:5]
    ]
    for data in [events[0], *body[5:]]:
        accumulator.feed(m.decode(m.MessageStreamEvent, data))
    _usable(accumulator)


def test_delta_for_an_unknown_index_is_skipped() -> None:
    events = _events("docs_basic_text.json")
    stray = {
        "type": "content_block_delta",
        "index": 7,
        "delta": {"type": "text_delta", "text": "x"},
    }
    accumulator = fold(events[:3] + [stray] + events[3:])
    assert [s.reason for s in accumulator.skipped] == ["a delta for block 7, which never started"]
    assert m.encode(accumulator.message) == m.encode(fold(events).message)


def test_mid_stream_error_is_recorded_and_the_snapshot_stays_usable() -> None:
    events = _events("prism_text_then_tool_use_input_json_delta.json")
    error = _events("docs_error_event_overloaded.json")[0]
    cut = next(
        i for i, e in enumerate(events) if e.get("delta", {}).get("type") == "input_json_delta"
    )
    accumulator = fold(events[: cut + 1] + [error])
    assert accumulator.error == m.decode(m.MessageStreamEvent, error) and not accumulator.done
    _usable(accumulator)
    assert accumulator.incomplete_inputs  # the tool input never finished


def test_truncated_stream_at_every_point_gives_a_usable_snapshot() -> None:
    """Cut after any event, the snapshot encodes, and what it holds is part of the final
    message: texts are prefixes, tool inputs parsed so far hold only final members."""
    checked_inputs = 0
    for path in STREAMS:
        events = _load(path)
        final = fold(events).message
        accumulator = m.MessageAccumulator()
        for data in events:
            accumulator.feed(m.decode(m.MessageStreamEvent, data))
            _usable(accumulator)
            message = accumulator.message
            if message is None or final is None:
                continue
            for block, whole in zip(message.content, final.content):
                if hasattr(block, "input") and block.input != whole.input:
                    assert _consistent(block.input, whole.input), (path.name, block.input)
                    checked_inputs += 1
                for member in ("text", "thinking"):
                    if isinstance(getattr(block, member, None), str):
                        assert getattr(whole, member).startswith(getattr(block, member))
    assert checked_inputs > 5  # partial tool input was really shown mid-stream


def test_snapshots_handed_out_never_change_and_events_are_not_touched() -> None:
    events = _events("pydantic_ai_web_search_thinking_citations.json")
    decoded = [m.decode(m.MessageStreamEvent, e) for e in events]
    accumulator = m.MessageAccumulator()
    seen = []
    for event in decoded:
        accumulator.feed(event)
        message = accumulator.message
        seen.append((message, None if message is None else json.dumps(m.encode(message))))
    for message, text in seen:
        assert None if message is None else json.dumps(m.encode(message)) == text
    assert [m.encode(e) for e in decoded] == events


def test_unknown_events_blocks_and_deltas_are_kept() -> None:
    events = _events("docs_basic_text.json")
    new_block = {
        "type": "content_block_start",
        "index": 1,
        "content_block": {"type": "hologram", "x": [1]},
    }
    new_delta = {
        "type": "content_block_delta",
        "index": 1,
        "delta": {"type": "hologram_delta", "y": 2},
    }
    wrong = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": "{"},
    }
    new_event = {"type": "message_hologram", "z": 3}
    stop = next(i for i, e in enumerate(events) if e["type"] == "message_delta")
    accumulator = fold(events[:stop] + [new_block, new_delta, wrong, new_event] + events[stop:])
    message = accumulator.message
    assert message is not None and isinstance(message.content[1], m.UnknownContentBlock)
    assert message.content[1].raw == new_block["content_block"]
    assert [m.encode(s.event) for s in accumulator.skipped] == [new_delta, wrong, new_event]


def test_invalid_tool_input_keeps_its_text() -> None:
    start = _events("docs_tool_use_get_weather.json")[0]
    block = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    events = [
        start,
        {"type": "content_block_start", "index": 0, "content_block": block},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"a": 1, "b": [tr'},
        },
        {"type": "content_block_stop", "index": 0},
    ]
    accumulator = fold(events)
    assert accumulator.incomplete_inputs == {0: '{"a": 1, "b": [tr'}
    assert m.encode(accumulator.message)["content"][0]["input"] == {"a": 1, "b": []}


def test_message_delta_present_overwrites_absent_keeps_null_only_where_accepted() -> None:
    events = _events("docs_basic_text.json")
    start = copy.deepcopy(events[0])
    start["message"]["usage"].update(cache_read_input_tokens=5, input_tokens=9)
    start["message"]["stop_details"] = None
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn"},
        "usage": {"output_tokens": 4, "input_tokens": None, "cache_read_input_tokens": 6},
    }
    message = fold([start, delta]).message
    assert message is not None
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.stop_details is None  # absent in the delta: kept as it was
    assert (message.usage.input_tokens, message.usage.cache_read_input_tokens) == (9, 6)
    assert message.usage.output_tokens == 4


# --- partial JSON -----------------------------------------------------------------------------


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind == 1:
        return rng.randrange(-(10**6), 10**6)
    if kind == 2:
        return rng.random() * 10 ** rng.randrange(-5, 20)
    if kind in (3, 4):
        return "".join(rng.choice('ab "\\\n/é😀\u2028') for _ in range(rng.randrange(8)))
    if kind in (5, 6):
        keys = [f"k{i}" + rng.choice(['"', "é", ""]) for i in range(rng.randrange(4))]
        return {key: _random_json(rng, depth + 1) for key in keys}
    return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def _consistent(partial: Any, final: Any) -> bool:
    """Whether a value read from a prefix can grow into the final value."""
    if partial is None:
        return True
    if isinstance(final, dict):
        return isinstance(partial, dict) and all(
            k in final and _consistent(v, final[k]) for k, v in partial.items()
        )
    if isinstance(final, list):
        return (
            isinstance(partial, list)
            and len(partial) <= len(final)
            and all(_consistent(a, b) for a, b in zip(partial, final))
        )
    if isinstance(final, str):
        return isinstance(partial, str) and final.startswith(partial)
    return partial == final and type(partial) is type(final)


def _reader() -> Any:
    from anthropic_messages import _accumulate

    return _accumulate._PartialJSON()


def test_every_prefix_of_valid_json_reads_as_part_of_the_final_value() -> None:
    rng = random.Random(11)
    for _ in range(150):
        value = {"v": _random_json(rng)} if rng.random() < 0.7 else _random_json(rng)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
        for end in range(len(text) + 1):
            reader = _reader()
            for piece in _pieces(text[:end], rng):
                reader.feed(piece)
            partial = reader.value()
            assert _consistent(partial, value), (text[:end], partial)
        reader = _reader()
        reader.feed(text)
        # A number or literal alone may still grow, so it is never shown; the whole text of
        # anything else reads as the value itself.
        if isinstance(value, (dict, list, str)):
            assert reader.value() == value
        else:
            assert reader.value() is None


def test_partial_json_reads_a_megabyte_in_linear_time() -> None:
    """Structural rather than timed: 1 MB texts of hostile shapes (deep nesting, long escapes,
    a long number) fed in 1 KB pieces and read every 64 KB finish within normal test time,
    which a scan of the whole text per piece (about 1000 x 1 MB) would not. Nesting deeper than
    json.loads can follow reads as the last value that could be read (RecursionError is caught)."""
    shapes = [
        '{"a": "' + "x\\n" * 350_000,
        "[" * 5_000 + "1," * 300_000,
        '{"k": ' + "1" * 1_000_000,
        '{"s": "' + "\\u00e9" * 170_000,
    ]
    for text in shapes:
        reader = _reader()
        for start in range(0, len(text), 1024):
            reader.feed(text[start : start + 1024])
            if start % (64 * 1024) == 0:
                reader.value()
        assert reader.text() == text
        value = reader.value()
        if text.startswith('{"k"'):
            assert value == {}  # the number may still grow
        elif text.startswith("["):
            # Deeper than json.loads goes under the default recursion limit (nothing could be
            # read); another test may have raised the limit, and then the nested lists read.
            assert value is None or isinstance(value, list)
        else:
            assert isinstance(value, dict) and len(next(iter(value.values()))) > 100_000


# --- usage totals ------------------------------------------------------------------------------


def test_usage_totals_reads_absent_and_null_as_zero() -> None:
    totals = m.usage_totals(m.Usage(input_tokens=3, output_tokens=4, cache_read_input_tokens=None))
    assert totals == m.UsageTotals(
        input_tokens=3,
        output_tokens=4,
        cache_read_input_tokens=0,
        cache_creation_input_tokens=0,
        cache_creation_5m_input_tokens=0,
        cache_creation_1h_input_tokens=0,
        total_input_tokens=3,
    )


def test_usage_totals_splits_cache_writes_and_counts_server_tools() -> None:
    usage = m.decode(
        m.Usage,
        {
            "input_tokens": 10,
            "output_tokens": 2,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 30,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 20},
            "server_tool_use": {"web_search_requests": 2, "web_fetch_requests": 1},
        },
    )
    totals = m.usage_totals(usage)
    assert (totals.cache_creation_5m_input_tokens, totals.cache_creation_1h_input_tokens) == (
        10,
        20,
    )
    assert totals.total_input_tokens == 140
    assert totals.server_tool_requests == {"web_search_requests": 2, "web_fetch_requests": 1}
    only_total = m.Usage(input_tokens=1, output_tokens=1, cache_creation_input_tokens=7)
    assert m.usage_totals(only_total).cache_creation_5m_input_tokens == 7  # the default lifetime


def test_usage_totals_sums_iterations_and_works_on_stream_usage() -> None:
    message = _load(PAYLOADS / "beta" / "message" / "pydantic_ai_compaction_usage_iterations.json")
    usage = message["usage"]
    totals = m.usage_totals(m.decode(m.Usage, usage))
    steps = usage["iterations"]
    assert totals.iterations == len(steps) >= 1
    assert totals.iterations_input_tokens == sum(s["input_tokens"] for s in steps)
    assert totals.iterations_output_tokens == sum(s["output_tokens"] for s in steps)
    assert totals.iterations_cache_read_input_tokens == sum(
        s["cache_read_input_tokens"] for s in steps
    )
    events = _load(PAYLOADS / "beta" / "stream" / "pydantic_ai_compaction_delta_iterations.json")
    delta = next(e for e in events if e["type"] == "message_delta")
    stream_totals = m.usage_totals(m.decode(m.MessageStreamEvent, delta).usage)
    stream_steps = delta["usage"]["iterations"]
    assert stream_totals.iterations == len(stream_steps) == 2
    assert {s["type"] for s in stream_steps} == {"compaction", "message"}
    # The top-level counts leave the compaction step out; the iteration sums hold it.
    assert stream_totals.iterations_input_tokens == sum(s["input_tokens"] for s in stream_steps)
    message_step = next(s for s in stream_steps if s["type"] == "message")
    assert stream_totals.input_tokens == message_step["input_tokens"]
    assert stream_totals.output_tokens == delta["usage"]["output_tokens"]


def test_folding_sse_bytes_read_by_iter_events_gives_the_same_message() -> None:
    for path in STREAMS:
        events = _load(path)
        wire = b"".join(m.encode_sse(m.decode(m.MessageStreamEvent, e)) for e in events)
        accumulator = m.MessageAccumulator()
        for event in m.iter_events([wire[i : i + 5] for i in range(0, len(wire), 5)]):
            accumulator.feed(event)
        assert accumulator.message == fold(events).message
