"""The cloud platforms (spec/platforms.yaml): request bodies converted to the Vertex AI and
Bedrock forms and back, and the AWS event-stream framing of Bedrock's streamed answers.

Every recorded request goes to both platforms and back; every recorded stream is framed as
Bedrock frames it, cut into random chunks, and must decode to the events its payloads decode to.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import textwrap
import zlib
from pathlib import Path
from typing import Any

import pytest

import anthropic_messages as m
from codegen.errors import SpecError
from codegen.load import load_spec_dir
from codegen.spec_model import build as build_model
from codegen.validate import validate
from tests.support import PAYLOADS

REQUESTS = sorted((PAYLOADS / "request").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "request").glob("*.json")
)
COUNT_TOKENS = sorted((PAYLOADS / "count_tokens").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "count_tokens").glob("*.json")
)
STREAMS = sorted((PAYLOADS / "stream").glob("*.json")) + sorted(
    (PAYLOADS / "beta" / "stream").glob("*.json")
)
BETAS = ["interleaved-thinking-2025-05-14", "context-management-2025-06-27"]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def ident(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def same(a: Any, b: Any) -> bool:
    """Equal values with the same key order."""
    return json.dumps(a) == json.dumps(b)


# --- requests ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REQUESTS, ids=ident)
def test_every_request_goes_to_vertex_and_back_unchanged(path: Path) -> None:
    body = load(path)
    request = m.VERTEX_MESSAGES.to_platform(body, ", ".join(BETAS), strict=True)
    sent = m.encode(request.body)
    assert "model" not in sent and sent["anthropic_version"] == "vertex-2023-10-16"
    assert sent.get("stream", "absent") == body.get("stream", "absent")  # Vertex keeps it
    assert request.betas == BETAS  # Vertex takes the betas as a header
    action = "streamRawPredict" if body.get("stream") is True else "rawPredict"
    assert request.path.endswith(f":{action}") and request.stream == (action != "rawPredict")
    m.decode(m.VertexMessageCreateParams, sent, strict=True)

    url_values, stream = m.VERTEX_MESSAGES.match_path("/v1/projects/p/locations/r/" + request.path)
    assert url_values == {"model": body["model"]}
    back, betas = m.VERTEX_MESSAGES.from_platform(sent, url_values, betas=request.betas)
    assert same(m.encode(back), body)  # the model takes back the version's place
    assert betas == BETAS


@pytest.mark.parametrize("path", REQUESTS, ids=ident)
def test_every_request_goes_to_bedrock_and_back(path: Path) -> None:
    body = load(path)
    request = m.BEDROCK_MESSAGES.to_platform(body, BETAS, strict=True)
    sent = m.encode(request.body)
    assert "model" not in sent and "stream" not in sent
    assert sent["anthropic_version"] == "bedrock-2023-05-31"
    assert sent["anthropic_beta"] == BETAS and request.betas == []
    m.decode(m.BedrockMessageCreateParams, sent, strict=True)
    streams = body.get("stream") is True
    suffix = "invoke-with-response-stream" if streams else "invoke"
    assert request.path.endswith("/" + suffix) and request.stream == streams

    found = m.BEDROCK_MESSAGES.match_path(request.path)
    assert found == ({"model": body["model"]}, streams)
    back, betas = m.BEDROCK_MESSAGES.from_platform(sent, found[0], stream=found[1])
    assert betas == BETAS
    # What Bedrock's form cannot carry: `"stream": false` (the invoke path also means absent),
    # and where `stream` stood (it comes back right after `model`).
    expected = {k: v for k, v in body.items() if not (k == "stream" and v is False)}
    assert m.encode(back) == expected
    keys = [k for k in body if k != "stream"]
    if "stream" not in expected or keys.index("model") + 1 == list(body).index("stream"):
        assert same(m.encode(back), expected)


@pytest.mark.parametrize("path", COUNT_TOKENS, ids=ident)
def test_every_count_tokens_request_goes_to_vertex_and_back(path: Path) -> None:
    body = load(path)
    request = m.VERTEX_COUNT_TOKENS.to_platform(body)
    assert request.path == "publishers/anthropic/models/count-tokens:rawPredict"
    sent = m.encode(request.body)
    assert sent["model"] == body["model"] and sent["anthropic_version"] == "vertex-2023-10-16"
    back, _ = m.VERTEX_COUNT_TOKENS.from_platform(sent)
    assert same(m.encode(back), body)


def test_decoded_objects_convert_too_and_model_ids_are_quoted() -> None:
    body = load(REQUESTS[0])
    body = {**body, "model": "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.x"}
    request = m.BEDROCK_MESSAGES.to_platform(m.decode(m.MessageCreateParams, body))
    assert request.path.startswith("model/arn:aws:bedrock:us-east-1:1:inference-profile%2Fus.")
    assert request.url_values == {"model": body["model"]}
    assert m.BEDROCK_MESSAGES.match_path("/" + request.path) == (request.url_values, request.stream)
    assert m.BEDROCK_MESSAGES.match_path("/model/x/converse") is None


@pytest.mark.parametrize(
    "change, path",
    [
        ({"model": ".."}, "$.model"),  # would climb out of the path
        ({"model": 42}, "$.model"),
        ({"anthropic_version": "bedrock-2023-05-31"}, "$.anthropic_version"),
        ({"anthropic_beta": ["x"]}, "$.anthropic_beta"),
    ],
)
def test_bodies_that_cannot_convert_name_the_member(change: dict[str, Any], path: str) -> None:
    body = {**load(REQUESTS[0]), **change}
    with pytest.raises(m.DecodeError) as info:
        m.BEDROCK_MESSAGES.to_platform(body)
    assert info.value.path == path


def test_from_platform_needs_the_url_values() -> None:
    sent = m.encode(m.BEDROCK_MESSAGES.to_platform(load(REQUESTS[0])).body)
    with pytest.raises(m.DecodeError) as info:
        m.BEDROCK_MESSAGES.from_platform(sent, {})
    assert info.value.path == "$.model"
    with pytest.raises(m.DecodeError):
        m.BEDROCK_MESSAGES.from_platform(
            {**sent, "anthropic_version": "2099-01-01"}, {"model": "x"}
        )


def test_split_beta_header() -> None:
    assert m.split_beta_header(" a-1 ,b-2,, ") == ["a-1", "b-2"]
    assert m.split_beta_header(["a-1", "b-2, c-3"]) == ["a-1", "b-2", "c-3"]


# --- the Bedrock event stream ----------------------------------------------------------------


def framed(events: list[Any]) -> bytes:
    return b"".join(m.encode_bedrock_event(event) for event in events)


def chunks(data: bytes, rng: random.Random, largest: int) -> list[bytes]:
    pieces, start = [], 0
    while start < len(data):
        size = rng.randint(1, largest)
        pieces.append(data[start : start + size])
        start += size
    return pieces


def decode_all(pieces: list[bytes], strict: bool = False) -> list[Any]:
    decoder = m.BedrockEventStreamDecoder(strict=strict)
    events: list[Any] = []
    for piece in pieces:
        events += decoder.feed(piece)
    return events + decoder.close()


@pytest.mark.parametrize("path", STREAMS, ids=ident)
def test_every_stream_decodes_from_bedrock_frames_in_any_chunking(path: Path) -> None:
    payloads = load(path)
    expected = [m.decode(m.MessageStreamEvent, p, strict=True) for p in payloads]
    data = framed(payloads)
    rng = random.Random(path.name)
    for largest in (1, 7, 300, len(data)):
        pieces = [data[i : i + 1] for i in range(len(data))] if largest == 1 else None
        decoded = decode_all(pieces or chunks(data, rng, largest), strict=True)
        assert decoded == expected
        assert [m.encode(e) for e in decoded] == payloads


def test_decoded_objects_encode_as_frames_too() -> None:
    payloads = load(STREAMS[0])
    events = [m.decode(m.MessageStreamEvent, p) for p in payloads]
    assert framed(events) == framed(payloads)


def test_the_payload_wraps_the_event_in_base64() -> None:
    frame = m.encode_bedrock_event({"type": "message_stop"})
    total, headers_length = struct.unpack(">II", frame[:8])
    assert total == len(frame)
    payload = json.loads(frame[12 + headers_length : -4])
    assert json.loads(base64.b64decode(payload["bytes"])) == {"type": "message_stop"}


def message(headers: bytes, payload: bytes) -> bytes:
    """A frame with hand-written headers (any types), checksums right."""
    prelude = struct.pack(">II", 16 + len(headers) + len(payload), len(headers))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + payload
    return body + struct.pack(">I", zlib.crc32(body))


def header(name: str, kind: int, value: bytes) -> bytes:
    return bytes([len(name)]) + name.encode() + bytes([kind]) + value


def string_header(name: str, value: str) -> bytes:
    return header(name, 7, struct.pack(">H", len(value)) + value.encode())


def test_exception_messages_raise_with_every_header_type_read() -> None:
    headers = string_header(":message-type", "exception")
    headers += string_header(":exception-type", "throttlingException")
    headers += header("t", 0, b"") + header("f", 1, b"") + header("b", 2, b"\xff")
    headers += header("s", 3, b"\xff\xfe") + header("i", 4, struct.pack(">i", -5))
    headers += header("l", 5, struct.pack(">q", 2**40)) + header("y", 6, b"\x00\x02hi")
    headers += header("d", 8, struct.pack(">q", 1700000000000)) + header("u", 9, bytes(range(16)))
    exception = message(headers, b'{"message":"Too many requests, please wait."}')
    before = m.encode_bedrock_event({"type": "ping"})
    decoder = m.BedrockEventStreamDecoder()
    with pytest.raises(m.EventStreamException) as info:
        decoder.feed(before + exception)
    error = info.value
    assert isinstance(error, m.DecodeError)
    assert (error.error_type, error.message) == (
        "throttlingException",
        "Too many requests, please wait.",
    )
    assert [m.encode(e) for e in error.events] == [{"type": "ping"}]
    assert {k: error.headers[k] for k in "tfbsilydu"} == {
        "t": True,
        "f": False,
        "b": -1,
        "s": -2,
        "i": -5,
        "l": 2**40,
        "y": b"hi",
        "d": 1700000000000,
        "u": bytes(range(16)),
    }
    # The exception consumed its message: the stream may go on.
    assert [m.encode(e) for e in decoder.feed(before)] == [{"type": "ping"}]


def test_error_messages_raise() -> None:
    headers = string_header(":message-type", "error") + string_header(":error-code", "Internal")
    headers += string_header(":error-message", "it broke")
    with pytest.raises(m.EventStreamException) as info:
        m.BedrockEventStreamDecoder().feed(message(headers, b""))
    assert (info.value.error_type, info.value.message) == ("Internal", "it broke")


def test_other_event_types_are_skipped_unless_strict() -> None:
    other = message(string_header(":event-type", "metrics"), b"{}")
    assert decode_all([other]) == []
    with pytest.raises(m.DecodeError):
        decode_all([other], strict=True)


@pytest.mark.parametrize("where", ["prelude checksum", "message checksum", "payload", "length"])
def test_corruption_raises_decode_error_and_stays_failed(where: str) -> None:
    data = bytearray(framed(load(STREAMS[0])))
    index = {"prelude checksum": 9, "message checksum": -1, "payload": 60, "length": 2}[where]
    data[index] ^= 0x10
    decoder = m.BedrockEventStreamDecoder()
    with pytest.raises(m.DecodeError):
        decoder.feed(bytes(data))
        decoder.close()
    with pytest.raises(m.DecodeError):  # once the framing is lost, nothing more is trusted
        decoder.feed(m.encode_bedrock_event({"type": "ping"}))


@pytest.mark.parametrize("cut", [1, 4, 11, 12, 20, 100])
def test_a_truncated_stream_raises_at_close(cut: int) -> None:
    data = framed(load(STREAMS[0]))
    decoder = m.BedrockEventStreamDecoder()
    decoder.feed(data[:-cut])
    with pytest.raises(m.DecodeError) as info:
        decoder.close()
    assert "ended" in str(info.value.found)


def test_an_announced_huge_message_is_refused_before_buffering() -> None:
    prelude = struct.pack(">II", 2**31, 0)
    with pytest.raises(m.DecodeError):
        m.BedrockEventStreamDecoder().feed(prelude + struct.pack(">I", zlib.crc32(prelude)))


@pytest.mark.parametrize(
    "payload",
    [b"[]", b"{}", b'{"bytes": 5}', b'{"bytes": "not base64!"}', b"\xff", b'{"bytes": "e30="}'],
)
def test_bad_chunk_payloads_raise_decode_error(payload: bytes) -> None:
    with pytest.raises(m.DecodeError):
        decode_all([message(string_header(":event-type", "chunk"), payload)])


def test_garbage_raises_nothing_but_decode_error() -> None:
    rng = random.Random(12)
    good = framed(load(STREAMS[0]))
    for round_ in range(3000):
        if round_ % 3 == 0:
            data = rng.randbytes(rng.randint(0, 200))
        elif round_ % 3 == 1:  # a valid prelude, then anything
            total, headers_length = rng.randint(0, 400), rng.randint(0, 400)
            prelude = struct.pack(">II", total, headers_length)
            data = prelude + struct.pack(">I", zlib.crc32(prelude)) + rng.randbytes(total)
        else:  # a real stream with bytes changed, and checksums made right again
            data = bytearray(good[:200])
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(12, len(data))] = rng.randrange(256)
            data = message_with_fixed_checksums(bytes(data))
        try:
            decode_all(chunks(data, rng, 50))
        except m.DecodeError:
            pass


def message_with_fixed_checksums(data: bytes) -> bytes:
    """The first message of `data` with its checksums recomputed, so the bytes after the prelude
    are read as headers and payload."""
    total, headers_length = struct.unpack(">II", data[:8])
    if total > len(data) or total < 16:
        return data
    body = data[:8] + struct.pack(">I", zlib.crc32(data[:8])) + data[12 : total - 4]
    return body + struct.pack(">I", zlib.crc32(body))


# --- the spec declaration ------------------------------------------------------------------


BASE = """\
Body:
  fields:
    name: {type: string}
    flag: {type: boolean, optional: true}
    count: {type: integer, optional: true}
"""


@pytest.mark.parametrize(
    "declaration, key, words",
    [
        (
            "without: [count]\n  platform: {route: R, path: 'x/{name}'}",
            "Routed.platform.path",
            "neither the path nor 'stream_flag' carries it",
        ),
        (
            "without: [name]\n  platform: {route: R, path: 'x/{nope}'}",
            "Routed.platform.path",
            "must name a field of Body",
        ),
        (
            "without: [count]\n  platform: {route: R, path: 'x/{count}'}",
            "Routed.platform.path",
            "must be a string field",
        ),
        (
            "platform: {route: R, path: 'x', stream_path: 'y', stream_flag: count}",
            "Routed.platform.stream_flag",
            "must be a boolean field of Body",
        ),
        (
            "platform: {route: R, path: 'x', betas_field: betas}",
            "Routed.platform.betas_field",
            "must be an optional field of type list[string]",
        ),
        ("platform: {route: UNSET, path: 'x'}", "Routed.platform.route", "already used"),
        ("platform: {route: R, path: 'x/{name'}", "Routed.platform.path", "unmatched brace"),
    ],
)
def test_bad_platform_declarations_are_spec_errors(
    tmp_path: Path, declaration: str, key: str, words: str
) -> None:
    spec = BASE + "Routed:\n  extends: Body\n  " + declaration + "\n"
    (tmp_path / "body.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        validate(build_model(load_spec_dir(tmp_path)))
    problems = [p for p in info.value.problems if p.location.key == key]
    assert any(words in p.message for p in problems), info.value.problems
    assert all(p.location.line > 0 for p in problems)


def test_a_platform_needs_extends(tmp_path: Path) -> None:
    spec = BASE + textwrap.dedent("""\
        Routed:
          fields: {name: {type: string}}
          platform: {route: R, path: x}
        """)
    (tmp_path / "body.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        validate(build_model(load_spec_dir(tmp_path)))
    assert "extends" in str(info.value)


def test_a_bad_event_names_its_index_in_the_stream() -> None:
    good = [{"type": "ping"}, {"type": "ping"}]
    bad_event = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta"}}
    data = framed(good) + m.encode_bedrock_event(bad_event)
    with pytest.raises(m.DecodeError) as info:
        decode_all([data], strict=True)
    assert info.value.path == "$[2].delta.text"
    # The count goes on across chunks, as iter_events counts its events.
    decoder = m.BedrockEventStreamDecoder()
    decoder.feed(framed(good))
    with pytest.raises(m.DecodeError) as info:
        decoder.feed(m.encode_bedrock_event(bad_event))
    assert info.value.path == "$[2].delta.text"
    # The events before the bad message in the same chunk are returned; the next call raises.
    decoder = m.BedrockEventStreamDecoder()
    assert [m.encode(e) for e in decoder.feed(data)] == good
    with pytest.raises(m.DecodeError) as info:
        decoder.close()
    assert info.value.path == "$[2].delta.text"
    bad_base64 = message(string_header(":event-type", "chunk"), b'{"bytes": 5}')
    with pytest.raises(m.DecodeError) as info:
        decode_all([framed(good[:1]) + bad_base64])
    assert info.value.path == "$[1].bytes"
    # A stream cut short names the message it stopped in; an exception message, its own.
    decoder = m.BedrockEventStreamDecoder()
    decoder.feed(framed(good) + m.encode_bedrock_event(good[0])[:-1])
    with pytest.raises(m.DecodeError) as info:
        decoder.close()
    assert info.value.path == "$[2]"
    exception = message(string_header(":message-type", "exception"), b'{"message": "x"}')
    decoder = m.BedrockEventStreamDecoder()
    with pytest.raises(m.EventStreamException) as info:
        decoder.feed(framed(good) + exception)
    assert info.value.path == "$[2]"
    with pytest.raises(m.EventStreamException) as info:
        decoder.feed(exception)
    assert info.value.path == "$[3]"


def test_match_path_takes_only_a_str() -> None:
    for value in (None, b"/model/x/invoke", 5):
        with pytest.raises(TypeError, match="match_path takes the request path as a str"):
            m.BEDROCK_MESSAGES.match_path(value)  # type: ignore[arg-type]
