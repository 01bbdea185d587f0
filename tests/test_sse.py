"""Server-sent events (issue 11): SSEDecoder, iter_events/aiter_events and encode_sse.

Every recorded stream is written as SSE bytes (by encode_sse, then with CRLF and CR line ends,
`data:` without its space, and a decorated form with a BOM, comments, ids and multi-line data)
and fed in seeded random chunkings down to one byte: the events equal those of a whole-text
parse, their raw bytes join into the input, and the typed events equal the recorded payloads
decoded directly. The raw recordings in tests/payloads/sse/ are checked the same way.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import SpecError
from codegen.pipeline import generate_files

from .support import FIXTURES, PAYLOADS, messages
from .test_spec_errors import check, write_spec

m = messages()

STREAM_FILES = sorted((PAYLOADS / "stream").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "stream").glob("*.json")
)
SSE_FILES = sorted((PAYLOADS / "sse").glob("*.sse"))


def _payloads(path: Path) -> list[Any]:
    payloads: list[Any] = json.loads(path.read_text(encoding="utf-8"))
    return payloads


def _render(payloads: list[Any], style: str) -> bytes:
    """The stream as SSE bytes in one of the styles the parser must read alike."""
    if style == "decorated":
        # A BOM, a comment, an event without data, retry and id lines, and each payload's JSON
        # indented over several `data:` lines (joined by newlines, it is the same JSON).
        parts = [b"\xef\xbb\xbf: comment\nevent: nothing\nretry: 1500\n\n"]
        for index, payload in enumerate(payloads):
            lines = json.dumps(payload, indent=1, ensure_ascii=False).split("\n")
            data = "".join(f"data:{line}\n" for line in lines)
            parts.append(f": keep-alive\nid: {index}\nevent: {payload['type']}\n{data}\n".encode())
        return b"".join(parts)
    text = b"".join(m.encode_sse(m.decode(m.MessageStreamEvent, p)) for p in payloads)
    lines = text.split(b"\n")  # JSON text holds no raw line end, so these are the SSE lines
    if style == "nospace":
        lines = [b"data:" + line[6:] if line.startswith(b"data: ") else line for line in lines]
    newline = {"crlf": b"\r\n", "cr": b"\r"}.get(style, b"\n")
    return newline.join(lines)


STYLES = ("lf", "crlf", "cr", "nospace", "decorated")


def _chunkings(data: bytes, seed: int) -> Iterator[list[bytes]]:
    """The data cut into one-byte chunks, then into random small and large chunks."""
    yield [data[i : i + 1] for i in range(len(data))]
    rng = random.Random(seed)
    for largest in (3, 64, 2000):
        chunks, at = [], 0
        while at < len(data):
            size = rng.randint(1, largest)
            chunks.append(data[at : at + size])
            at += size
        yield chunks


def _parse(chunks: Iterable[bytes]) -> list[Any]:
    decoder = m.SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.close()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", STREAM_FILES, ids=lambda p: p.stem)
def test_recorded_streams_parse_alike_however_cut(path: Path, style: str) -> None:
    payloads = _payloads(path)
    data = _render(payloads, style)
    whole = _parse([data])
    assert b"".join(event.raw for event in whole) == data
    named = [e for e in whole if e.event]  # all, except what close() returns of a tail
    assert [json.loads(e.data) for e in named] == payloads
    assert [e.event for e in named] == [p["type"] for p in payloads]
    if style == "decorated":
        assert [e.id for e in named] == [str(i) for i in range(len(payloads))]
        assert [e.retry for e in named] == [1500] + [None] * (len(payloads) - 1)
    for chunks in _chunkings(data, seed=len(data)):
        assert _parse(chunks) == whole


@pytest.mark.parametrize("path", STREAM_FILES, ids=lambda p: p.stem)
def test_iter_events_equals_decoding_the_payloads(path: Path) -> None:
    payloads = _payloads(path)
    expected = [m.decode(m.MessageStreamEvent, p) for p in payloads]
    data = _render(payloads, "crlf")
    chunks = next(_chunkings(data, 0)) if len(data) < 20_000 else [data[:7], data[7:]]
    assert list(m.iter_events(chunks)) == expected
    assert asyncio.run(_collect(m.aiter_events(_async(chunks)))) == expected
    try:
        strict = [m.decode(m.MessageStreamEvent, p, strict=True) for p in payloads]
    except m.DecodeError as error:
        with pytest.raises(m.DecodeError) as info:
            list(m.iter_events([data], strict=True))
        assert info.value.path.endswith(error.path[1:])
    else:
        assert list(m.iter_events([data], strict=True)) == strict


async def _async(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        await asyncio.sleep(0)
        yield chunk


async def _collect(events: AsyncIterator[Any]) -> list[Any]:
    return [event async for event in events]


# --- raw recordings -----------------------------------------------------------------------


@pytest.mark.parametrize("path", SSE_FILES, ids=lambda p: p.stem)
def test_raw_recordings_parse_and_decode(path: Path) -> None:
    data = path.read_bytes()
    whole = _parse([data])
    assert b"".join(event.raw for event in whole) == data
    for chunks in _chunkings(data, seed=7):
        assert _parse(chunks) == whole
    events = list(m.iter_events([data]))
    assert [m.encode(e) for e in events] == [json.loads(e.data) for e in whole]
    assert not any(isinstance(e, m.UnknownMessageStreamEvent) for e in events)
    paired = [p for p in STREAM_FILES if p.stem == path.stem]
    if paired:
        assert [m.encode(e) for e in events] == _payloads(paired[0])
    # encode_sse writes what the API writes, but for the spaces the API pads its JSON with
    # before the last brace, and the space in its ping's JSON.
    for sse, event in zip(whole, events):
        head, _, rest = sse.raw.partition(b"data: ")
        unpadded = head + b"data: " + rest.rstrip(b"\n")[:-1].rstrip(b" ") + b"}\n\n"
        if sse.event == "ping":
            unpadded = unpadded.replace(b'{"type": "ping"}', b'{"type":"ping"}')
        assert m.encode_sse(event) == unpadded


def test_raw_recordings_are_there() -> None:
    assert len(SSE_FILES) >= 3
    assert sum(any(p.stem == s.stem for p in STREAM_FILES) for s in SSE_FILES) >= 2


# --- the parser, rule by rule -------------------------------------------------------------


def _events(*chunks: bytes) -> list[tuple[str, str, str, int | None]]:
    return [(e.event, e.data, e.id, e.retry) for e in _parse(chunks)]


def test_line_ends_fields_and_comments() -> None:
    text = (
        b"\xef\xbb\xbf: a comment\r\n"
        b"event: first\rdata:no space\r\ndata:  two spaces\n"
        b"unknown: field\nid\ndata\n\n"
        b"id: 7\nretry: 250\nevent\ndata: x\n\n"
        b"id: bad\x00id\nretry: 1e3\ndata: y\r\r"
    )
    assert _events(text) == [
        ("first", "no space\n two spaces\n", "", None),  # `data` alone adds an empty line
        ("message", "x", "7", 250),  # `event` without a value: the default name
        ("message", "y", "7", None),  # an id holding NUL and a retry not all digits: ignored
    ]


def test_events_without_data_are_not_dispatched_but_keep_their_bytes() -> None:
    decoder = m.SSEDecoder()
    assert decoder.feed(b"event: a\n\n: just a comment\n\nretry: 10\n\n") == []
    [event] = decoder.feed(b"data: 1\n\n")
    assert (event.event, event.data, event.retry) == ("message", "1", 10)
    assert event.raw == b"event: a\n\n: just a comment\n\nretry: 10\n\ndata: 1\n\n"
    assert decoder.feed(b": trailing\n\nevent: empty\n") == []
    [tail] = decoder.close()
    assert (tail.event, tail.data, tail.raw) == ("", "", b": trailing\n\nevent: empty\n")
    assert decoder.close() == []


def test_last_event_without_blank_line_comes_from_close() -> None:
    decoder = m.SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: b\ndata: c") == [
        m.ServerSentEvent("message", "a", "", None, b"data: a\n\n")
    ]
    assert decoder.close() == [m.ServerSentEvent("message", "b\nc", "", None, b"data: b\ndata: c")]
    # close() leaves the decoder as new: a BOM is skipped again
    assert _events(b"\xef\xbb\xbfdata: z\n\n") == [("message", "z", "", None)]


def test_cuts_inside_crlf_utf8_and_bom() -> None:
    text = "data: h\u00e9llo \U0001f600\r\n\r\ndata: 2\r\n\r\n".encode()
    expected = [("message", "h\u00e9llo \U0001f600", "", None), ("message", "2", "", None)]
    for cut in range(len(text) + 1):
        assert _events(text[:cut], text[cut:]) == expected
    bom = b"\xef\xbb\xbfdata: b\n\n"
    assert _events(bom[:1], bom[1:2], bom[2:]) == [("message", "b", "", None)]
    # only the first line may start with a BOM; later, it is part of the field name
    assert _events(b"data: 1\n\n\xef\xbb\xbfdata: 2\n\n") == [
        ("message", "1", "", None),
        ("", "", "", None),  # the bytes of the line that dispatched nothing, from close()
    ]


def test_an_event_ending_in_a_cr_at_a_chunk_end_waits_for_the_next_byte() -> None:
    decoder = m.SSEDecoder()
    assert decoder.feed(b"data: 1\r\n\r") == []
    [first, second] = decoder.feed(b"\ndata: 2\r\n\r\n")
    assert (first.raw, second.raw) == (b"data: 1\r\n\r\n", b"data: 2\r\n\r\n")
    assert decoder.feed(b"data: 3\r\r") == []
    assert [e.raw for e in decoder.feed(b"data: 4\r\r")] == [b"data: 3\r\r"]
    assert [e.raw for e in decoder.close()] == [b"data: 4\r\r"]


def test_invalid_utf8_reads_as_replacement_characters() -> None:
    assert _events(b"data: \xff\xfe\xc3\n\n") == [("message", "\ufffd\ufffd\ufffd", "", None)]


def test_the_decoder_takes_bytes_like_chunks_only() -> None:
    decoder = m.SSEDecoder()
    assert decoder.feed(bytearray(b"data: 1\n")) == []
    assert decoder.feed(memoryview(b"\n"))[0].data == "1"
    with pytest.raises(TypeError):
        decoder.feed("data: 1\n\n")  # type: ignore[arg-type]


def test_garbage_never_raises_and_keeps_every_byte() -> None:
    rng = random.Random(11)
    alphabet = [b"\r", b"\n", b"\r\n", b":", b" ", b"data", b"event", b"id", b"retry", b"\x00"]
    alphabet += [b"\xef\xbb\xbf", b"\xff", b"\xc3", b"9", b"{", b'"type"', b"x"]
    for _ in range(300):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        whole = _parse([data])
        assert b"".join(e.raw for e in whole) == data
        for chunks in _chunkings(data, rng.randint(0, 1000)):
            assert _parse(chunks) == whole
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 80)))
        assert b"".join(e.raw for e in _parse([data])) == data
        try:
            list(m.iter_events([data], strict=bool(rng.randint(0, 1))))
        except m.DecodeError:
            pass


def test_a_long_line_fed_byte_by_byte_is_not_scanned_again() -> None:
    # Linear work: rescanning the growing line at every byte would take minutes here.
    size = 300_000
    decoder = m.SSEDecoder()
    feed = decoder.feed
    assert not any(feed(b"data: d"[i : i + 1]) for i in range(7))
    assert not any(feed(b"d") for _ in range(size))
    [event] = feed(b"\n\n")
    assert event.data == "d" * (size + 1)
    assert len(event.raw) == size + 9


# --- typed events -------------------------------------------------------------------------

START = _payloads(PAYLOADS / "stream" / "docs_basic_text.json")


def test_invalid_json_names_the_event() -> None:
    data = _render(START[:2], "lf") + b"event: ping\ndata: {not json\n\n"
    events = m.iter_events([data])
    assert next(events) == m.decode(m.MessageStreamEvent, START[0])
    next(events)
    with pytest.raises(m.DecodeError) as info:
        next(events)
    assert info.value.path == "$[2]"
    assert str(info.value).startswith("$[2]: expected well-formed JSON text, found text the JSON")


def test_a_bad_event_names_its_position_and_path() -> None:
    bad = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}}
    data = _render(START[:1], "lf") + f"data: {json.dumps(bad)}\n\n".encode()
    with pytest.raises(m.DecodeError) as info:
        list(m.iter_events([data]))
    assert info.value.path == "$[1].delta.text"


def test_unknown_event_types_lenient_keeps_strict_rejects() -> None:
    data = b'event: future\ndata: {"type":"future","x":[1]}\n\n'
    [event] = m.iter_events([data])
    assert isinstance(event, m.UnknownMessageStreamEvent)
    assert m.encode_sse(event) == data
    with pytest.raises(m.DecodeError) as info:
        list(m.iter_events([data], strict=True))
    assert info.value.path == "$[0].type"


def test_the_data_type_wins_over_the_event_name() -> None:
    data = b'event: message_stop\ndata: {"type":"ping"}\n\n'
    [event] = m.iter_events([data])
    assert isinstance(event, m.PingEvent)
    with pytest.raises(m.DecodeError) as info:
        list(m.iter_events([data], strict=True))
    assert info.value.path == "$[0].type"
    assert 'expected "message_stop" (the name of the SSE event)' in str(info.value)
    # No `event:` line at all: nothing to disagree with, even when strict.
    assert list(m.iter_events([b'data: {"type":"ping"}\n\n'], strict=True)) == [event]


def test_truncated_streams_raise_only_decode_errors() -> None:
    data = _render(_payloads(PAYLOADS / "stream" / "docs_tool_use_get_weather.json"), "lf")
    complete = list(m.iter_events([data]))
    for cut in range(0, len(data), 7):
        got: list[Any] = []
        try:
            got.extend(m.iter_events([data[:cut]]))
        except m.DecodeError:
            pass
        assert got == complete[: len(got)]


def test_aiter_events_raises_the_same_errors() -> None:
    data = b"data: {}\n\n"
    with pytest.raises(m.DecodeError) as info:
        asyncio.run(_collect(m.aiter_events(_async([data]))))
    assert info.value.path == "$[0].type"


def test_encode_sse_writes_the_api_form() -> None:
    assert m.encode_sse(m.PingEvent()) == b'event: ping\ndata: {"type":"ping"}\n\n'
    delta = m.decode(
        m.MessageStreamEvent,
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "é\n"}},
    )
    assert m.encode_sse(delta) == (
        b"event: content_block_delta\n"
        b'data: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"\xc3\xa9\\n"}}\n\n'
    )
    odd = m.UnknownMessageStreamEvent(raw={"type": "two\nlines"})
    assert m.encode_sse(odd) == b'data: {"type":"two\\nlines"}\n\n'
    assert [m.encode(e) for e in m.iter_events([m.encode_sse(odd)])] == [odd.raw]


# --- the spec declaration -----------------------------------------------------------------

_EVENT_SPEC = """
A:
  fields:
    type: {const: a}
B:
  fields:
    type: {const: b}
Events:
  union: {tag: type}
  variants: [A, B]
"""
# A stream section that only names the events' union: the SSE helpers, and no accumulator.
_STREAM_SECTION = "stream:\n  events: Events\n"


def test_the_stream_section_must_name_a_tagged_union(tmp_path: Path) -> None:
    spec_dir = write_spec(tmp_path, {"one.yaml": _EVENT_SPEC + "stream:\n  events: A\n"})
    with pytest.raises(SpecError) as info:
        check(spec_dir)
    [problem] = info.value.problems
    written = (spec_dir / "one.yaml").read_text().splitlines()
    line = written.index("  events: A") + 1
    assert str(problem).startswith(f"{spec_dir / 'one.yaml'}:{line}: stream.events: ")
    assert "'A' is not a tagged union" in str(problem)


def test_a_spec_without_a_stream_section_gets_no_sse_module(tmp_path: Path) -> None:
    plain = write_spec(tmp_path, {"one.yaml": _EVENT_SPEC})
    files = generate_files(plain)
    assert "anthropic_messages/_sse.py" not in files
    assert b"iter_events" not in files["anthropic_messages/__init__.py"]
    assert not list((FIXTURES / "kitchen_sink" / "expected").rglob("_sse.py"))
    (tmp_path / "s").mkdir()
    streamed = generate_files(
        write_spec(tmp_path / "s", {"one.yaml": _EVENT_SPEC + _STREAM_SECTION})
    )
    assert "anthropic_messages/_accumulate.py" not in streamed
    source = streamed["anthropic_messages/_sse.py"].decode()
    assert "from ._unions import Events, decode_events" in source
    assert '_TAG = "type"' in source
