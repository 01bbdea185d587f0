"""Behaviour of the generated kitchen-sink package (tests/fixtures/kitchen_sink/expected).

The fixture spec is small but uses every feature of the spec language, so these tests pin
down what every generated package does at run time: lossless round trips, absent vs null,
lenient vs strict decoding, the default variant of a tagged union, the precision of
DecodeError, and that bad input never raises anything but DecodeError.
"""

from __future__ import annotations

import copy
import functools
import json
import operator
import pickle
import random
import re
import typing
from typing import Any

import pytest

from tests.support import kitchen_sink

ks = kitchen_sink()

# --------------------------------------------------------------------------------------------
# Well-formed inputs, as JSON values (what json.loads gives).
# --------------------------------------------------------------------------------------------

CITATION_MINIMAL = {"type": "char_location", "cited_text": "The sky", "start": 0, "end": 7}
CITATION_FULL = {
    "type": "char_location",
    "cited_text": "is blue",
    "start": 8,
    "end": 15,
    "score": 0.75,
    "from": "doc-1",
}
CITATION_INTEGER_SCORE = {
    "type": "char_location",
    "cited_text": "x",
    "start": 1,
    "end": 2,
    "score": 1,
}

CACHE_PLAIN = {"type": "ephemeral"}
CACHE_5M = {"type": "ephemeral", "ttl": "5m"}
CACHE_1H = {"type": "ephemeral", "ttl": "1h"}

TEXT_PLAIN = {"type": "text", "text": "Hello"}
TEXT_CACHE_NULL = {"type": "text", "text": "no cache", "cache_control": None}
TEXT_CACHE_OBJECT = {"type": "text", "text": "cached", "cache_control": CACHE_PLAIN}
TEXT_CACHE_TTL = {"type": "text", "text": "cached an hour", "cache_control": CACHE_1H}
TEXT_CITATIONS_NULL = {"type": "text", "text": "uncited", "citations": None}
TEXT_CITATIONS_EMPTY = {"type": "text", "text": "uncited", "citations": []}
TEXT_WITH_CITATIONS = {
    "type": "text",
    "text": "The sky is blue",
    "citations": [CITATION_MINIMAL, CITATION_FULL],
    "cache_control": CACHE_5M,
}

SOURCE_PNG = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
SOURCE_JPEG = {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}
SOURCE_WEBP = {"type": "base64", "media_type": "image/webp", "data": "UklGRg=="}
SOURCE_URL = {"type": "url", "url": "https://example.com/cat.png"}

IMAGE_PNG = {"type": "image", "source": SOURCE_PNG}
IMAGE_JPEG = {"type": "image", "source": SOURCE_JPEG}
IMAGE_WEBP = {"type": "image", "source": SOURCE_WEBP}
IMAGE_URL = {"type": "image", "source": SOURCE_URL}

SEARCH_V2 = {"type": "search_v2", "query": "weather in Paris"}
SEARCH_LEGACY = {"type": "search", "query": "weather in Rome"}

USER_STRING = {"role": "user", "content": "Hi there"}
ASSISTANT_STRING = {"role": "assistant", "content": "Hello!"}
ASSISTANT_BLOCKS = {
    "role": "assistant",
    "content": [TEXT_WITH_CITATIONS, SEARCH_V2, SEARCH_LEGACY, TEXT_CACHE_NULL],
}
USER_BLOCKS = {"role": "user", "content": [TEXT_PLAIN, IMAGE_PNG, IMAGE_URL, IMAGE_WEBP]}
ASSISTANT_EMPTY = {"role": "assistant", "content": []}

CUSTOM_TOOL_UNTYPED = {
    "name": "get_weather",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer", "maximum": 7}},
        "required": ["city"],
        "additionalProperties": False,
    },
}
CUSTOM_TOOL_TYPED = {"type": "custom", "name": "lookup", "input_schema": {"type": "object"}}
CUSTOM_TOOL_NULL_SCHEMA = {"name": "anything", "input_schema": None}
BASH_TOOL = {"type": "bash_20250124", "name": "bash"}

NESTED_JSON = {
    "a": [1, 2.5, None, True, False, "s", {"b": {"c": [None, [], {}]}}],
    "n": None,
    "f": 1.0,
    "i": 1,
}

# Messages: [0] user string, [1] assistant blocks (text first), [2] user blocks (image second).
REQUEST_EVERYTHING = {
    "model": "claude-test",
    "messages": [USER_STRING, ASSISTANT_BLOCKS, USER_BLOCKS],
    "system": [TEXT_CACHE_OBJECT, TEXT_PLAIN],
    "max_tokens": 1024,
    "temperature": 0.5,
    "stream": True,
    "metadata": {"user_id": "u-1", "x-trace": "abc"},
    "tools": [CUSTOM_TOOL_UNTYPED, CUSTOM_TOOL_TYPED, BASH_TOOL],
    "tool_choice": {"name": "get_weather"},
    "stop_reason": "end_turn",
    "grid": [[1, 2, 3], [], [-4]],
    "labels": {"a": ["x", "y"], "b": [], "a b": ["spaced key"]},
    "payload": NESTED_JSON,
    "required_payload": {"nested": [NESTED_JSON, None]},
    "effort": "high",
}
REQUEST_MINIMAL = {
    "model": "m",
    "messages": [USER_STRING],
    "max_tokens": 1,
    "required_payload": None,
}
REQUEST_SYSTEM_STRING = {
    "model": "m",
    "messages": [USER_STRING, ASSISTANT_STRING],
    "system": "You are terse.",
    "max_tokens": 8,
    "temperature": 1,
    "stream": False,
    "tool_choice": "auto",
    "stop_reason": None,
    "payload": None,
    "required_payload": [1, "two", None],
}
REQUEST_TOOL_CHOICE_TRUE = {
    "model": "m",
    "messages": [ASSISTANT_EMPTY],
    "max_tokens": 8,
    "temperature": 1.0,
    "tool_choice": True,
    "required_payload": 0,
}
REQUEST_TOOL_CHOICE_FALSE = {
    "model": "m",
    "messages": [],
    "max_tokens": 0,
    "tool_choice": False,
    "stop_reason": "max_tokens",
    "required_payload": False,
}
REQUEST_EMPTY_COLLECTIONS = {
    "model": "",
    "messages": [],
    "system": [],
    "max_tokens": 3,
    "metadata": {},
    "tools": [],
    "grid": [],
    "labels": {},
    "payload": [],
    "required_payload": {},
}
REQUEST_UNICODE = {
    "model": "modèle-ü",
    "messages": [{"role": "user", "content": 'snow ☃ and emoji 🐍 and "quotes"\n'}],
    "max_tokens": 2**40,
    "labels": {"clé": ["välue"]},
    "required_payload": "ünïcode",
}

# Every well-formed case: name -> (type to decode with, JSON value).
WELL_FORMED: dict[str, tuple[Any, Any]] = {
    "request_everything": (ks.Request, REQUEST_EVERYTHING),
    "request_minimal": (ks.Request, REQUEST_MINIMAL),
    "request_system_string_tool_choice_auto": (ks.Request, REQUEST_SYSTEM_STRING),
    "request_tool_choice_true": (ks.Request, REQUEST_TOOL_CHOICE_TRUE),
    "request_tool_choice_false": (ks.Request, REQUEST_TOOL_CHOICE_FALSE),
    "request_empty_collections": (ks.Request, REQUEST_EMPTY_COLLECTIONS),
    "request_unicode": (ks.Request, REQUEST_UNICODE),
    "message_user_string": (ks.Message, USER_STRING),
    "message_user_blocks": (ks.Message, USER_BLOCKS),
    "message_assistant_string": (ks.Message, ASSISTANT_STRING),
    "message_assistant_blocks": (ks.Message, ASSISTANT_BLOCKS),
    "message_assistant_empty": (ks.Message, ASSISTANT_EMPTY),
    "block_text_plain": (ks.Block, TEXT_PLAIN),
    "block_text_cache_null": (ks.Block, TEXT_CACHE_NULL),
    "block_text_cache_object": (ks.Block, TEXT_CACHE_OBJECT),
    "block_text_cache_ttl": (ks.Block, TEXT_CACHE_TTL),
    "block_text_citations_null": (ks.Block, TEXT_CITATIONS_NULL),
    "block_text_citations_empty": (ks.Block, TEXT_CITATIONS_EMPTY),
    "block_text_with_citations": (ks.Block, TEXT_WITH_CITATIONS),
    "block_image_png": (ks.Block, IMAGE_PNG),
    "block_image_jpeg": (ks.Block, IMAGE_JPEG),
    "block_image_webp": (ks.Block, IMAGE_WEBP),
    "block_image_url": (ks.Block, IMAGE_URL),
    "block_search_v2": (ks.Block, SEARCH_V2),
    "block_search_legacy_tag": (ks.Block, SEARCH_LEGACY),
    "image_source_base64": (ks.ImageSource, SOURCE_JPEG),
    "image_source_url": (ks.ImageSource, SOURCE_URL),
    "citation_minimal": (ks.Citation, CITATION_MINIMAL),
    "citation_full_with_from": (ks.Citation, CITATION_FULL),
    "citation_integer_score": (ks.Citation, CITATION_INTEGER_SCORE),
    "cache_plain": (ks.Cache, CACHE_PLAIN),
    "cache_ttl_5m": (ks.Cache, CACHE_5M),
    "cache_ttl_1h": (ks.Cache, CACHE_1H),
    "tool_custom_untyped": (ks.Tool, CUSTOM_TOOL_UNTYPED),
    "tool_custom_typed": (ks.Tool, CUSTOM_TOOL_TYPED),
    "tool_custom_null_schema": (ks.Tool, CUSTOM_TOOL_NULL_SCHEMA),
    "tool_bash": (ks.Tool, BASH_TOOL),
    "content_string": (ks.Content, "just text"),
    "content_blocks": (ks.Content, [TEXT_PLAIN, IMAGE_URL, SEARCH_V2]),
    "system_prompt_string": (ks.SystemPrompt, "Be brief."),
    "system_prompt_blocks": (ks.SystemPrompt, [TEXT_PLAIN, TEXT_CACHE_TTL]),
    "tool_choice_auto": (ks.ToolChoice, "auto"),
    "tool_choice_specific": (ks.ToolChoice, {"name": "get_weather"}),
    "tool_choice_true": (ks.ToolChoice, True),
    "tool_choice_false": (ks.ToolChoice, False),
}

# The cases whose decoded value is a generated object (not a bare string, bool or list).
MODEL_CASES = [
    name for name, (tp, value) in WELL_FORMED.items() if isinstance(ks.decode(tp, value), ks.Model)
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def canonical(value: Any) -> str:
    """JSON text that tells 1 from 1.0 and true from 1, with keys in a fixed order."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def fresh(value: Any) -> Any:
    """A deep copy, so that no test can alter the shared inputs above."""
    return copy.deepcopy(value)


_PATH_TOKEN = re.compile(
    r'\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]|\[(?P<quoted>"(?:[^"\\]|\\.)*")\]'
)


def parse_path(path: str) -> list[str | int]:
    """The keys and indexes of a DecodeError path such as `$.labels["a b"][0]`."""
    assert path.startswith("$"), path
    tokens: list[str | int] = []
    position = 1
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        assert match is not None, f"cannot parse {path!r} at {position}"
        if match["name"] is not None:
            tokens.append(match["name"])
        elif match["index"] is not None:
            tokens.append(int(match["index"]))
        else:
            tokens.append(json.loads(match["quoted"]))
        position = match.end()
    return tokens


_ABSENT = object()


def value_at(document: Any, path: str) -> Any:
    """The value a path points to; `_ABSENT` for a missing key of an existing object."""
    tokens = parse_path(path)
    node = document
    for depth, token in enumerate(tokens):
        last = depth == len(tokens) - 1
        if isinstance(token, int):
            assert type(node) is list and token < len(node), f"{path} leaves the document"
        else:
            assert type(node) is dict, f"{path} leaves the document"
            if token not in node:
                assert last, f"{path} leaves the document"
                return _ABSENT
        node = node[token]
    return node


def changed(document: Any, path: str, value: Any) -> Any:
    """A copy of `document` with the member or item at `path` set to `value`."""
    result = fresh(document)
    tokens = parse_path(path)
    if not tokens:
        return value
    parent = result
    for token in tokens[:-1]:
        parent = parent[token]
    parent[tokens[-1]] = value
    return result


def without(document: Any, path: str) -> Any:
    """A copy of `document` without the member at `path`."""
    result = fresh(document)
    tokens = parse_path(path)
    parent = result
    for token in tokens[:-1]:
        parent = parent[token]
    del parent[tokens[-1]]
    return result


def decode_error(tp: Any, data: Any, *, strict: bool = False) -> Any:
    """The DecodeError that decoding `data` raises (fails the test if it decodes)."""
    with pytest.raises(ks.DecodeError) as info:
        ks.decode(tp, data, strict=strict)
    return info.value


def assert_error(
    tp: Any,
    data: Any,
    path: str,
    *,
    strict: bool = False,
    expected: str | None = None,
    found: str | None = None,
) -> Any:
    """Decoding fails at exactly `path`; optionally check `expected` and `found` too."""
    error = decode_error(tp, data, strict=strict)
    assert error.path == path
    if expected is not None:
        assert error.expected == expected
    if found is not None:
        assert error.found == found
    assert str(error) == f"{error.path}: expected {error.expected}, found {error.found}"
    return error


def round_trip(tp: Any, value: Any, *, strict: bool = False) -> Any:
    return ks.encode(ks.decode(tp, fresh(value), strict=strict))


# --------------------------------------------------------------------------------------------
# 1. Round trips
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WELL_FORMED))
def test_well_formed_input_re_encodes_to_identical_json(name: str) -> None:
    tp, value = WELL_FORMED[name]
    encoded = round_trip(tp, value)
    assert encoded == value
    assert canonical(encoded) == canonical(value)


@pytest.mark.parametrize("name", list(WELL_FORMED))
def test_well_formed_input_decodes_strictly_to_the_same_value(name: str) -> None:
    tp, value = WELL_FORMED[name]
    strict = ks.decode(tp, fresh(value), strict=True)
    assert strict == ks.decode(tp, fresh(value))
    assert canonical(ks.encode(strict)) == canonical(value)


@pytest.mark.parametrize("name", MODEL_CASES)
def test_from_json_then_to_json_gives_back_the_same_json(name: str) -> None:
    tp, value = WELL_FORMED[name]
    cls = type(ks.decode(tp, value))
    text = cls.from_json(json.dumps(value)).to_json()
    assert canonical(json.loads(text)) == canonical(value)
    # Bytes are accepted too, and non-ASCII text is written as is.
    assert cls.from_json(json.dumps(value, ensure_ascii=False).encode()).to_json() == text
    assert "\\u" not in text


@pytest.mark.parametrize("name", MODEL_CASES)
def test_decoding_with_the_concrete_class_equals_decoding_with_the_union(name: str) -> None:
    tp, value = WELL_FORMED[name]
    decoded = ks.decode(tp, fresh(value))
    assert ks.decode(type(decoded), fresh(value)) == decoded
    assert type(decoded).from_dict(fresh(value), strict=True) == decoded


def test_request_everything_decodes_to_the_expected_classes() -> None:
    request = ks.decode(ks.Request, fresh(REQUEST_EVERYTHING), strict=True)
    assert [type(m) for m in request.messages] == [
        ks.UserMessage,
        ks.AssistantMessage,
        ks.UserMessage,
    ]
    assert request.messages[0].content == "Hi there"
    assert [type(b) for b in request.messages[1].content] == [
        ks.TextBlock,
        ks.SearchTool,
        ks.SearchTool,
        ks.TextBlock,
    ]
    assert [b.type for b in request.messages[1].content[1:3]] == ["search_v2", "search"]
    text = request.messages[1].content[0]
    assert type(text.cache_control) is ks.Cache and text.cache_control.ttl == "5m"
    assert [type(c) for c in text.citations] == [ks.Citation, ks.Citation]
    assert text.citations[1].from_ == "doc-1" and text.citations[1].score == 0.75
    assert text.citations[0].from_ is ks.UNSET and text.citations[0].score is ks.UNSET
    images = request.messages[2].content[1:]
    assert [type(image.source) for image in images] == [
        ks.Base64Source,
        ks.UrlSource,
        ks.Base64Source,
    ]
    assert [type(s) for s in request.system] == [ks.TextBlock, ks.TextBlock]
    assert [type(t) for t in request.tools] == [ks.CustomTool, ks.CustomTool, ks.BashTool]
    assert request.tool_choice == ks.ToolChoiceSpecific(name="get_weather")
    assert request.grid == [[1, 2, 3], [], [-4]]
    assert request.labels["a b"] == ["spaced key"]
    assert request.payload == NESTED_JSON


def test_integer_and_float_numbers_keep_their_json_form() -> None:
    as_int = ks.decode(ks.Request, fresh(REQUEST_SYSTEM_STRING))
    as_float = ks.decode(ks.Request, fresh(REQUEST_TOOL_CHOICE_TRUE))
    assert type(as_int.temperature) is int
    assert type(as_float.temperature) is float
    assert re.search(r'"temperature":1[,}]', as_int.to_json())
    assert re.search(r'"temperature":1\.0[,}]', as_float.to_json())


def test_re_encoding_does_not_modify_the_decoded_input() -> None:
    value = fresh(REQUEST_EVERYTHING)
    ks.encode(ks.decode(ks.Request, value))
    assert canonical(value) == canonical(REQUEST_EVERYTHING)


# --------------------------------------------------------------------------------------------
# 2. Absent vs null
# --------------------------------------------------------------------------------------------


def test_absent_optional_nullable_field_is_unset_and_stays_absent() -> None:
    block = ks.decode(ks.TextBlock, fresh(TEXT_PLAIN))
    assert block.cache_control is ks.UNSET
    assert block.citations is ks.UNSET
    encoded = ks.encode(block)
    assert "cache_control" not in encoded and "citations" not in encoded


def test_null_optional_nullable_field_is_none_and_is_written_as_null() -> None:
    block = ks.decode(ks.TextBlock, fresh(TEXT_CACHE_NULL))
    assert block.cache_control is None
    assert block.citations is ks.UNSET
    assert ks.encode(block) == {"type": "text", "text": "no cache", "cache_control": None}
    citations_null = ks.decode(ks.TextBlock, fresh(TEXT_CITATIONS_NULL))
    assert citations_null.citations is None
    assert ks.encode(citations_null)["citations"] is None


def test_present_cache_control_object_decodes_to_cache() -> None:
    block = ks.decode(ks.TextBlock, fresh(TEXT_CACHE_OBJECT))
    assert block.cache_control == ks.Cache()
    assert block.cache_control.ttl is ks.UNSET
    assert ks.encode(block)["cache_control"] == {"type": "ephemeral"}


def test_nullable_enum_field_null_absent_and_value_are_distinct() -> None:
    absent = ks.decode(ks.Request, fresh(REQUEST_MINIMAL))
    null = ks.decode(ks.Request, fresh(REQUEST_SYSTEM_STRING))
    value = ks.decode(ks.Request, fresh(REQUEST_TOOL_CHOICE_FALSE))
    assert absent.stop_reason is ks.UNSET and "stop_reason" not in ks.encode(absent)
    assert null.stop_reason is None and ks.encode(null)["stop_reason"] is None
    assert value.stop_reason == "max_tokens"


def test_required_nullable_any_field_null_is_none_and_is_always_written() -> None:
    request = ks.decode(ks.Request, fresh(REQUEST_MINIMAL))
    assert request.required_payload is None
    encoded = ks.encode(request)
    assert "required_payload" in encoded and encoded["required_payload"] is None


def test_optional_any_field_null_is_kept_apart_from_absent() -> None:
    null = ks.decode(ks.Request, fresh(REQUEST_SYSTEM_STRING))
    absent = ks.decode(ks.Request, fresh(REQUEST_MINIMAL))
    assert null.payload is None and ks.encode(null)["payload"] is None
    assert absent.payload is ks.UNSET and "payload" not in ks.encode(absent)


def test_absent_optional_fields_of_request_are_all_unset_and_not_written() -> None:
    request = ks.decode(ks.Request, fresh(REQUEST_MINIMAL))
    optional = ["system", "temperature", "stream", "metadata", "tools", "tool_choice"]
    optional += ["stop_reason", "grid", "labels", "payload", "effort"]
    for name in optional:
        assert getattr(request, name) is ks.UNSET, name
    assert ks.encode(request) == REQUEST_MINIMAL


def test_unset_is_falsy_distinct_from_none_and_prints_as_unset() -> None:
    assert not ks.UNSET
    assert ks.UNSET is not None and ks.UNSET != None  # noqa: E711
    assert repr(ks.UNSET) == "UNSET"
    assert isinstance(ks.UNSET, ks.Unset)


# --------------------------------------------------------------------------------------------
# 3. Lenient decoding keeps what it does not know
# --------------------------------------------------------------------------------------------

UNKNOWN_FIELD_PATHS = [
    "$.zzz",
    "$.messages[0].zzz",
    "$.messages[1].content[0].zzz",
    "$.messages[1].content[0].cache_control.zzz",
    "$.messages[1].content[0].citations[1].zzz",
    "$.messages[1].content[1].zzz",
    "$.messages[2].content[1].zzz",
    "$.messages[2].content[1].source.zzz",
    "$.messages[2].content[2].source.zzz",
    "$.system[0].zzz",
    "$.tools[0].zzz",
    "$.tools[2].zzz",
    "$.tool_choice.zzz",
]


def object_at(decoded: Any, path: str) -> Any:
    """The decoded object that holds the member at `path` (its parent)."""
    node = decoded
    for token in parse_path(path)[:-1]:
        node = node[token] if isinstance(token, int) else getattr(node, token)
    return node


@pytest.mark.parametrize("path", UNKNOWN_FIELD_PATHS)
def test_unknown_field_lands_in_extra_and_is_re_emitted(path: str) -> None:
    unknown = {"nested": [1, None, {"k": "v"}], "n": 1.0}
    data = changed(REQUEST_EVERYTHING, path, unknown)
    request = ks.decode(ks.Request, data)
    assert object_at(request, path).extra == {"zzz": unknown}
    assert canonical(ks.encode(request)) == canonical(data)


def test_unknown_fields_with_python_names_or_odd_names_stay_extra() -> None:
    citation = dict(CITATION_FULL, from_="not the from field", **{"a b": 1, "extra": [2]})
    decoded = ks.decode(ks.Citation, fresh(citation))
    assert decoded.from_ == "doc-1"
    assert decoded.extra == {"from_": "not the from field", "a b": 1, "extra": [2]}
    source = dict(SOURCE_PNG, data_="shadow")
    decoded_source = ks.decode(ks.Base64Source, fresh(source))
    assert decoded_source.data == "iVBORw0KGgo=" and decoded_source.extra == {"data_": "shadow"}
    assert ks.encode(decoded) == citation and ks.encode(decoded_source) == source


def test_unknown_block_tag_becomes_unknown_block_holding_raw() -> None:
    raw = {"type": "thinking", "thinking": "hmm", "signature": None, "text": 5}
    data = changed(REQUEST_EVERYTHING, "$.messages[1].content[2]", raw)
    request = ks.decode(ks.Request, data)
    block = request.messages[1].content[2]
    assert type(block) is ks.UnknownBlock
    assert block.raw == raw and block.type == "thinking"
    assert canonical(ks.encode(request)) == canonical(data)


def test_unknown_block_decoded_alone_re_encodes_unchanged() -> None:
    raw = {"type": "document", "source": {"type": "pdf"}, "n": [1.0, 1]}
    block = ks.decode(ks.Block, fresh(raw))
    assert isinstance(block, ks.UnknownBlock)
    assert block.type == "document"
    assert canonical(ks.encode(block)) == canonical(raw)


def test_unknown_image_source_tag_becomes_unknown_image_source() -> None:
    raw = {"type": "file", "file_id": "f-1"}
    image = ks.decode(ks.ImageBlock, {"type": "image", "source": fresh(raw)})
    assert type(image.source) is ks.UnknownImageSource
    assert image.source.raw == raw and image.source.type == "file"
    assert ks.encode(image) == {"type": "image", "source": raw}


def test_unknown_tool_type_and_unknown_message_role_are_kept_raw() -> None:
    tool_raw = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
    message_raw = {"role": "system", "content": 42}
    data = changed(REQUEST_EVERYTHING, "$.tools[1]", tool_raw)
    data = changed(data, "$.messages[0]", message_raw)
    request = ks.decode(ks.Request, data)
    assert (
        type(request.tools[1]) is ks.UnknownTool and request.tools[1].type == "web_search_20250305"
    )
    assert type(request.messages[0]) is ks.UnknownMessage
    assert request.messages[0].role == "system" and request.messages[0].raw == message_raw
    assert canonical(ks.encode(request)) == canonical(data)


def test_unknown_value_of_open_enum_media_type_is_kept_as_string() -> None:
    source = ks.decode(ks.ImageSource, dict(SOURCE_PNG, media_type="image/avif"))
    assert type(source) is ks.Base64Source
    assert source.media_type == "image/avif"
    assert ks.encode(source)["media_type"] == "image/avif"


def test_unknown_value_of_open_enum_stop_reason_is_kept_as_string() -> None:
    request = ks.decode(ks.Request, dict(REQUEST_MINIMAL, stop_reason="pause_turn"))
    assert request.stop_reason == "pause_turn"
    assert ks.encode(request)["stop_reason"] == "pause_turn"


def test_unknown_value_of_closed_enum_cache_ttl_raises_even_in_lenient_mode() -> None:
    path = "$.messages[1].content[0].cache_control.ttl"
    data = changed(REQUEST_EVERYTHING, path, "24h")
    error = assert_error(ks.Request, data, path, expected='one of "5m", "1h"')
    assert error.found == 'the string "24h"'
    assert_error(ks.Cache, {"type": "ephemeral", "ttl": "1d"}, "$.ttl")


# --------------------------------------------------------------------------------------------
# 4. Strict decoding rejects what it does not know, at the exact place
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", UNKNOWN_FIELD_PATHS)
def test_strict_rejects_unknown_field_at_its_exact_path(path: str) -> None:
    data = changed(REQUEST_EVERYTHING, path, {"any": "value"})
    error = assert_error(ks.Request, data, path, strict=True)
    assert error.expected == "no field of this name (strict decoding)"
    assert error.found == 'an object with keys "any"'


def test_strict_rejects_unknown_field_whose_name_is_not_an_identifier_with_quoted_path() -> None:
    data = changed(REQUEST_EVERYTHING, '$.messages[1].content[0]["x-y"]', 1)
    assert_error(ks.Request, data, '$.messages[1].content[0]["x-y"]', strict=True)


def test_strict_rejects_unknown_block_tag() -> None:
    data = changed(REQUEST_EVERYTHING, "$.messages[1].content[3].type", "thinking")
    assert_error(
        ks.Request,
        data,
        "$.messages[1].content[3].type",
        strict=True,
        expected='one of "text", "image", "search_v2", "search"',
        found='the string "thinking"',
    )


def test_strict_rejects_unknown_image_source_tag() -> None:
    data = changed(REQUEST_EVERYTHING, "$.messages[2].content[2].source.type", "file")
    assert_error(
        ks.Request,
        data,
        "$.messages[2].content[2].source.type",
        strict=True,
        expected='one of "base64", "url"',
    )


def test_strict_rejects_unknown_message_role_and_unknown_tool_type() -> None:
    role = changed(REQUEST_EVERYTHING, "$.messages[2].role", "system")
    assert_error(ks.Request, role, "$.messages[2].role", strict=True)
    tool = changed(REQUEST_EVERYTHING, "$.tools[2].type", "bash_20990101")
    assert_error(
        ks.Request,
        tool,
        "$.tools[2].type",
        strict=True,
        expected='one of "custom", "bash_20250124"',
    )


def test_strict_rejects_unknown_open_enum_values() -> None:
    media = changed(REQUEST_EVERYTHING, "$.messages[2].content[1].source.media_type", "image/gif")
    assert_error(
        ks.Request,
        media,
        "$.messages[2].content[1].source.media_type",
        strict=True,
        expected='one of "image/png", "image/jpeg", "image/webp"',
        found='the string "image/gif"',
    )
    stop = changed(REQUEST_EVERYTHING, "$.stop_reason", "refusal")
    assert_error(ks.Request, stop, "$.stop_reason", strict=True)


def test_strict_accepts_beta_values_listed_in_the_spec() -> None:
    assert ks.decode(ks.ImageSource, fresh(SOURCE_WEBP), strict=True).media_type == "image/webp"
    assert ks.decode(ks.Block, fresh(SEARCH_LEGACY), strict=True).type == "search"


# --------------------------------------------------------------------------------------------
# 5. The default variant of a tagged union
# --------------------------------------------------------------------------------------------


def test_tool_without_type_decodes_as_custom_tool_and_re_encodes_without_type() -> None:
    for strict in (False, True):
        tool = ks.decode(ks.Tool, fresh(CUSTOM_TOOL_UNTYPED), strict=strict)
        assert type(tool) is ks.CustomTool
        assert tool.type is ks.UNSET
        assert "type" not in ks.encode(tool)


def test_tool_with_type_custom_keeps_the_type() -> None:
    tool = ks.decode(ks.Tool, fresh(CUSTOM_TOOL_TYPED))
    assert type(tool) is ks.CustomTool and tool.type == "custom"
    assert ks.encode(tool)["type"] == "custom"


def test_tool_with_non_string_type_raises_at_the_type() -> None:
    for bad in (5, None, ["custom"], {"custom": True}):
        error = assert_error(ks.Tool, {"type": bad, "name": "x", "input_schema": {}}, "$.type")
        assert error.expected == 'one of "custom", "bash_20250124"'


def test_tool_default_variant_still_checks_its_own_fields() -> None:
    assert_error(ks.Tool, {"name": "x"}, "$.input_schema", found="nothing (the field is absent)")
    assert_error(ks.Tool, {"input_schema": {}}, "$.name", expected="a string")


def test_block_without_type_raises_naming_the_expected_tags() -> None:
    for strict in (False, True):
        error = assert_error(ks.Block, {"text": "hi"}, "$.type", strict=strict)
        for tag in ("text", "image", "search_v2", "search"):
            assert f'"{tag}"' in error.expected
        assert error.found == "nothing (the field is absent)"
        assert "search_v2" in str(error)


def test_message_without_role_raises_at_role() -> None:
    assert_error(
        ks.Message,
        {"content": "hi"},
        "$.role",
        expected='one of "user", "assistant"',
        found="nothing (the field is absent)",
    )


# --------------------------------------------------------------------------------------------
# 6. DecodeError precision
# --------------------------------------------------------------------------------------------


def test_wrong_type_for_string_field() -> None:
    for bad, found in [(5, "the number 5"), (None, "null"), ([], "an array of 0 item(s)")]:
        assert_error(
            ks.Request,
            changed(REQUEST_MINIMAL, "$.model", bad),
            "$.model",
            expected="a string",
            found=found,
        )


def test_wrong_type_for_integer_field_rejects_booleans_floats_and_strings() -> None:
    for bad, found in [(True, "true"), (1.0, "the number 1.0"), ("1", 'the string "1"')]:
        assert_error(
            ks.Request,
            changed(REQUEST_MINIMAL, "$.max_tokens", bad),
            "$.max_tokens",
            expected="an integer",
            found=found,
        )
    citation = changed(TEXT_WITH_CITATIONS, "$.citations[1].end", 15.0)
    assert_error(ks.TextBlock, citation, "$.citations[1].end", expected="an integer")


def test_wrong_type_for_number_field_rejects_booleans_and_strings() -> None:
    for bad, found in [(False, "false"), ("0.5", 'the string "0.5"'), (None, "null")]:
        assert_error(
            ks.Request,
            changed(REQUEST_MINIMAL, "$.temperature", bad),
            "$.temperature",
            expected="a number",
            found=found,
        )


def test_number_field_accepts_both_integers_and_floats() -> None:
    for good in (0, 1, 1.0, -2.5, 10**30):
        assert (
            ks.decode(ks.Request, changed(REQUEST_MINIMAL, "$.temperature", good)).temperature
            == good
        )


def test_wrong_type_for_boolean_field_rejects_numbers_and_strings() -> None:
    for bad, found in [(1, "the number 1"), (0, "the number 0"), ("true", 'the string "true"')]:
        assert_error(
            ks.Request,
            changed(REQUEST_MINIMAL, "$.stream", bad),
            "$.stream",
            expected="true or false",
            found=found,
        )


def test_missing_required_field_says_it_is_absent() -> None:
    for path, expected in [
        ("$.model", "a string"),
        ("$.max_tokens", "an integer"),
        ("$.messages", "an array"),
        ("$.messages[1].content", "a string or an array"),
        ("$.messages[1].content[0].citations[0].cited_text", "a string"),
        ("$.messages[2].content[1].source", "an object"),
        ("$.messages[2].content[1].source.data", "a string"),
        (
            "$.messages[2].content[1].source.media_type",
            'one of "image/png", "image/jpeg", "image/webp"',
        ),
    ]:
        error = assert_error(ks.Request, without(REQUEST_EVERYTHING, path), path, expected=expected)
        assert error.found == "nothing (the field is absent)"
        assert "absent" in str(error)


def test_wrong_constant_names_the_constant() -> None:
    path = "$.messages[1].content[0].cache_control.type"
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, path, "persistent"),
        path,
        expected='"ephemeral"',
        found='the string "persistent"',
    )
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.tools[2].name", "sh"),
        "$.tools[2].name",
        expected='"bash"',
    )
    assert_error(ks.TextBlock, dict(TEXT_PLAIN, type="image"), "$.type", expected='"text"')


def test_wrong_constant_among_two_tags_names_both() -> None:
    error = assert_error(
        ks.SearchTool,
        {"type": "search_v3", "query": "q"},
        "$.type",
        expected='one of "search_v2", "search"',
        found='the string "search_v3"',
    )
    assert "search_v2" in str(error) and '"search"' in str(error)


def test_non_object_at_the_root() -> None:
    assert_error(ks.Request, [], "$", expected="an object", found="an array of 0 item(s)")
    assert_error(ks.Block, "text", "$", expected="an object", found='the string "text"')
    assert_error(ks.Tool, None, "$", expected="an object", found="null")
    assert_error(ks.TextBlock, 1.5, "$", expected="an object", found="the number 1.5")


def test_non_object_nested_where_an_object_is_due() -> None:
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.messages[1]", "hello"),
        "$.messages[1]",
        expected="an object",
        found='the string "hello"',
    )
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.messages[2].content[2].source", ["https://x"]),
        "$.messages[2].content[2].source",
        expected="an object",
        found="an array of 1 item(s)",
    )
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.messages[1].content[0].cache_control", True),
        "$.messages[1].content[0].cache_control",
        expected="an object",
    )


def test_non_array_where_an_array_is_due() -> None:
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.messages", USER_STRING),
        "$.messages",
        expected="an array",
        found='an object with keys "role", "content"',
    )
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, "$.messages[1].content[0].citations", {}),
        "$.messages[1].content[0].citations",
        expected="an array",
        found="an empty object",
    )
    assert_error(
        ks.Request, changed(REQUEST_EVERYTHING, "$.grid", "1,2"), "$.grid", expected="an array"
    )


def test_bad_item_deep_in_a_list_gives_every_index() -> None:
    path = "$.messages[2].content[1].source.type"
    assert_error(
        ks.Request,
        changed(REQUEST_EVERYTHING, path, None),
        path,
        expected='one of "base64", "url"',
        found="null",
    )


def test_first_bad_item_of_a_list_is_the_one_reported() -> None:
    data = changed(REQUEST_EVERYTHING, "$.messages[2].content[3].type", 3)
    data = changed(data, "$.messages[2].content[1].type", 1)
    assert_error(ks.Request, data, "$.messages[2].content[1].type", found="the number 1")


def test_bad_item_in_a_nested_list() -> None:
    data = changed(REQUEST_EVERYTHING, "$.grid", [[1], ["x", 2], [3.5]])
    assert_error(ks.Request, data, "$.grid[1][0]", expected="an integer", found='the string "x"')
    inner_not_list = changed(REQUEST_EVERYTHING, "$.grid", [[1], 2])
    assert_error(ks.Request, inner_not_list, "$.grid[1]", expected="an array")


def test_nested_list_of_integers_rejects_booleans_and_floats() -> None:
    for bad, found in [(True, "true"), (2.0, "the number 2.0")]:
        data = changed(REQUEST_EVERYTHING, "$.grid", [[1, 2], [3, bad]])
        assert_error(ks.Request, data, "$.grid[1][1]", expected="an integer", found=found)


def test_bad_map_value() -> None:
    data = changed(REQUEST_EVERYTHING, "$.labels", {"a": [1]})
    assert_error(ks.Request, data, "$.labels.a[0]", expected="a string", found="the number 1")
    metadata = changed(REQUEST_EVERYTHING, "$.metadata.user_id", None)
    assert_error(ks.Request, metadata, "$.metadata.user_id", expected="a string", found="null")
    not_a_map = changed(REQUEST_EVERYTHING, "$.labels", [["a"]])
    assert_error(ks.Request, not_a_map, "$.labels", expected="an object")


def test_map_key_that_is_not_an_identifier_is_quoted_as_json_in_the_path() -> None:
    data = changed(REQUEST_EVERYTHING, "$.labels", {"ok": [], "a b": ["x", None]})
    assert_error(ks.Request, data, '$.labels["a b"][1]', expected="a string", found="null")
    for key, shown in [
        ("x-trace", '["x-trace"]'),
        ("1st", '["1st"]'),
        ("", '[""]'),
        ('say "hi"', '["say \\"hi\\""]'),
        ("a.b", '["a.b"]'),
    ]:
        metadata = changed(REQUEST_EVERYTHING, "$.metadata", {key: 5})
        error = assert_error(ks.Request, metadata, "$.metadata" + shown)
        assert parse_path(error.path) == ["metadata", key]


def test_one_of_mismatch_names_every_alternative() -> None:
    error = assert_error(ks.Request, changed(REQUEST_MINIMAL, "$.system", 3), "$.system")
    assert "string" in error.expected and "array" in error.expected
    assert error.found == "the number 3"
    content = changed(REQUEST_EVERYTHING, "$.messages[0].content", {"text": "hi"})
    assert_error(ks.Request, content, "$.messages[0].content", expected="a string or an array")


def test_one_of_alternative_items_are_checked_after_the_kind_matches() -> None:
    system = changed(REQUEST_EVERYTHING, "$.system[1]", IMAGE_URL)
    assert_error(ks.Request, system, "$.system[1].type", expected='"text"')


def test_tool_choice_mismatch_names_const_object_and_boolean() -> None:
    for bad, found in [
        ("none", 'the string "none"'),
        (1, "the number 1"),
        ([], "an array of 0 item(s)"),
    ]:
        error = assert_error(
            ks.Request, changed(REQUEST_MINIMAL, "$.tool_choice", bad), "$.tool_choice", found=found
        )
        assert error.expected == '"auto", an object or true or false'
    specific = changed(REQUEST_MINIMAL, "$.tool_choice", {"name": 7})
    assert_error(ks.Request, specific, "$.tool_choice.name", expected="a string")


def test_required_any_field_absent_raises_but_present_as_null_is_fine() -> None:
    error = assert_error(
        ks.Request,
        without(REQUEST_MINIMAL, "$.required_payload"),
        "$.required_payload",
        expected="any JSON value",
    )
    assert error.found == "nothing (the field is absent)"
    assert ks.decode(ks.Request, fresh(REQUEST_MINIMAL)).required_payload is None
    assert_error(
        ks.Tool, {"type": "custom", "name": "x"}, "$.input_schema", expected="any JSON value"
    )


def test_long_strings_are_shortened_in_found() -> None:
    long = "x" * 100
    error = assert_error(ks.Request, changed(REQUEST_MINIMAL, "$.max_tokens", long), "$.max_tokens")
    assert error.found == 'the string "' + "x" * 37 + '..."'


def test_decode_error_is_a_value_error() -> None:
    error = decode_error(ks.Request, {})
    assert isinstance(error, ValueError)


# --------------------------------------------------------------------------------------------
# 7. Bad input never raises anything but DecodeError (fuzz)
# --------------------------------------------------------------------------------------------

TAG_STRINGS = [
    "text",
    "image",
    "base64",
    "url",
    "search",
    "search_v2",
    "user",
    "assistant",
    "custom",
    "bash_20250124",
    "bash",
    "ephemeral",
    "char_location",
    "5m",
    "1h",
    "image/png",
    "auto",
    "end_turn",
]
KEY_POOL = ["type", "role", "content", "source", "text", "zzz", "from", "extra", "a b", "ttl"]
SCALARS = [None, True, False, 0, 1, -7, 1.5, 1.0, 2**70, "", "x", *TAG_STRINGS]


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, small and sometimes nested."""
    roll = rng.random()
    if depth >= 3 or roll < 0.6:
        return rng.choice(SCALARS)
    if roll < 0.8:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEY_POOL): random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def json_nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every node of a JSON value with the keys and indexes that lead to it."""
    nodes = [(path, value)]
    if type(value) is dict:
        for key, item in value.items():
            nodes += json_nodes(item, path + (key,))
    elif type(value) is list:
        for index, item in enumerate(value):
            nodes += json_nodes(item, path + (index,))
    return nodes


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for token in path[:-1]:
        parent = parent[token]
    parent[path[-1]] = value
    return document


def mutate(rng: random.Random, document: Any) -> Any:
    """Apply one random change to `document` (in place where possible); returns the result."""
    nodes = json_nodes(document)
    kind = rng.choice(["replace", "unhashable", "delete", "add", "wrap"])
    if kind == "unhashable":
        strings = [path for path, value in nodes if type(value) is str]
        if strings:
            junk = rng.choice([[rng.choice(TAG_STRINGS)], {"type": "text"}, [], {}])
            return replaced(document, rng.choice(strings), junk)
    if kind in ("delete", "add"):
        objects = [value for _, value in nodes if type(value) is dict]
        if objects:
            target = rng.choice(objects)
            if kind == "delete" and target:
                del target[rng.choice(list(target))]
            else:
                target[rng.choice(KEY_POOL)] = random_json(rng)
            return document
    path, value = rng.choice(nodes)
    if kind == "wrap":
        return replaced(document, path, rng.choice([[value], {"type": value}]))
    return replaced(document, path, random_json(rng))


def decode_outcome(tp: Any, data: Any, strict: bool) -> tuple[Any, Any]:
    """(decoded value, None) or (None, DecodeError); fails on any other exception."""
    try:
        return ks.decode(tp, data, strict=strict), None
    except ks.DecodeError as error:
        return None, error
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(
            f"decode({tp!r}, strict={strict}) raised {type(error).__name__}: {error}\n"
            f"input: {data!r}"
        )


def check_error_points_into_input(error: Any, data: Any) -> None:
    """The error's path resolves in the input and `found` describes the value there."""
    value = value_at(data, error.path)
    if value is _ABSENT:
        assert error.found == "nothing (the field is absent)", (error, data)
    else:
        assert error.found == ks._runtime.describe(value), (str(error), data)


def test_fuzzed_inputs_raise_only_decode_error_and_round_trip_when_accepted() -> None:
    rng = random.Random(20240613)
    cases = list(WELL_FORMED.values())
    accepted = rejected = 0
    for _ in range(3000):
        tp, value = rng.choice(cases)
        data = fresh(value)
        for _ in range(rng.randint(1, 3)):
            data = mutate(rng, data)
        before = canonical(data)

        lenient, lenient_error = decode_outcome(tp, data, strict=False)
        strict, strict_error = decode_outcome(tp, data, strict=True)

        assert canonical(data) == before, "decoding changed its input"
        if lenient_error is None:
            accepted += 1
            assert canonical(ks.encode(lenient)) == before, f"lossy round trip of {data!r}"
        else:
            rejected += 1
            check_error_points_into_input(lenient_error, data)
            assert strict_error is not None, f"strict accepted what lenient rejected: {data!r}"
        if strict_error is None:
            assert strict == lenient, f"strict and lenient disagree on {data!r}"
        else:
            check_error_points_into_input(strict_error, data)
    # Both outcomes must actually have been exercised.
    assert accepted > 100 and rejected > 100, (accepted, rejected)


def test_fuzzed_json_text_raises_only_decode_error() -> None:
    rng = random.Random(7)
    texts = [json.dumps(REQUEST_EVERYTHING), json.dumps(REQUEST_SYSTEM_STRING)]
    alphabet = '{}[]",:0123456789.eE-+ tfnaulx\\/'
    for _ in range(1500):
        chars = list(rng.choice(texts))
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(chars))
            action = rng.choice(["insert", "delete", "replace"])
            if action == "insert":
                chars.insert(position, rng.choice(alphabet))
            elif action == "delete":
                del chars[position]
            else:
                chars[position] = rng.choice(alphabet)
        text = "".join(chars)
        for strict in (False, True):
            try:
                ks.Request.from_json(text, strict=strict)
            except ks.DecodeError:
                pass
            except Exception as error:  # noqa: BLE001 - the point of the test
                pytest.fail(f"from_json raised {type(error).__name__}: {error}\ntext: {text!r}")


# --------------------------------------------------------------------------------------------
# 8. Malformed JSON text
# --------------------------------------------------------------------------------------------

MALFORMED_JSON = {
    "empty": "",
    "unterminated_object": '{"model": "m"',
    "trailing_comma": "[1,]",
    "single_quotes": "{'model': 'm'}",
    "trailing_garbage": "{} {}",
    "bare_word": "hello",
    "invalid_utf8_bytes": b'{"model": "\xff"}',
    "too_deeply_nested": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", list(MALFORMED_JSON))
def test_malformed_json_text_raises_decode_error_at_root(name: str) -> None:
    with pytest.raises(ks.DecodeError) as info:
        ks.Request.from_json(MALFORMED_JSON[name])
    error = info.value
    assert error.path == "$"
    assert error.expected == "well-formed JSON text"
    assert error.found.startswith("text the JSON parser rejects")
    assert str(error).startswith("$: expected well-formed JSON text, found ")


def test_well_formed_json_text_of_the_wrong_shape_reports_the_shape_error() -> None:
    with pytest.raises(ks.DecodeError) as info:
        ks.Request.from_json(
            '{"model": "m", "max_tokens": 1, "required_payload": null,'
            ' "messages": [{"role": "user"}]}'
        )
    assert info.value.path == "$.messages[0].content"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_from_json_rejects_non_json_numbers_at_their_path(literal: str) -> None:
    text = '{"model":"m","messages":[],"max_tokens":1,"required_payload":null,"temperature":%s}'
    with pytest.raises(ks.DecodeError) as info:
        ks.Request.from_json(text % literal)
    assert info.value.path == "$.temperature"
    assert "not a JSON number" in str(info.value)


# --------------------------------------------------------------------------------------------
# 9. decode / encode entry points
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "not_a_type",
    [dict, str, int, "Request", None, [ks.Block], list[ks.Block], ks.Model],
    ids=[
        "dict",
        "str",
        "int",
        "type_name_string",
        "None",
        "unhashable_list",
        "list_alias",
        "Model",
    ],
)
def test_decode_with_something_not_a_generated_type_raises_type_error(not_a_type: Any) -> None:
    with pytest.raises(TypeError) as info:
        ks.decode(not_a_type, fresh(TEXT_PLAIN))
    assert not isinstance(info.value, ks.DecodeError)
    assert "is not a type of ks" in str(info.value)


def test_from_dict_on_unknown_variant_class_does_not_leak_key_error() -> None:
    raw = {"type": "thinking", "thinking": "hmm"}
    try:
        result = ks.UnknownBlock.from_dict(fresh(raw))
    except TypeError:
        return  # a programming error, reported like decode() reports it
    assert result == ks.UnknownBlock(raw=raw)


def test_decode_accepts_an_equal_union_spelled_out_by_the_caller() -> None:
    # Found by equality, not by the identity the package's own aliases are looked up by.
    spelled_out = functools.reduce(operator.or_, typing.get_args(ks.Block))
    assert spelled_out == ks.Block and spelled_out is not ks.Block
    assert type(ks.decode(spelled_out, fresh(IMAGE_URL))) is ks.ImageBlock


def test_decode_accepts_union_aliases() -> None:
    assert type(ks.decode(ks.Block, fresh(IMAGE_URL))) is ks.ImageBlock
    assert type(ks.decode(ks.Block, fresh(SEARCH_V2))) is ks.SearchTool
    content = ks.decode(ks.Content, [fresh(TEXT_PLAIN), fresh(SEARCH_LEGACY)])
    assert [type(b) for b in content] == [ks.TextBlock, ks.SearchTool]
    assert ks.decode(ks.Content, "plain") == "plain"
    assert type(ks.decode(ks.Tool, fresh(BASH_TOOL))) is ks.BashTool
    assert type(ks.decode(ks.Message, fresh(ASSISTANT_STRING))) is ks.AssistantMessage
    assert type(ks.decode(ks.ImageSource, fresh(SOURCE_URL))) is ks.UrlSource
    assert ks.decode(ks.ToolChoice, "auto") == "auto"
    assert ks.decode(ks.ToolChoice, True) is True
    assert ks.decode(ks.SystemPrompt, [fresh(TEXT_PLAIN)]) == [ks.TextBlock(text="Hello")]


def test_decode_accepts_classes_and_class_from_dict_matches() -> None:
    block = ks.decode(ks.TextBlock, fresh(TEXT_WITH_CITATIONS))
    assert type(block) is ks.TextBlock
    assert ks.TextBlock.from_dict(fresh(TEXT_WITH_CITATIONS)) == block
    assert ks.Citation.from_dict(fresh(CITATION_FULL)) == block.citations[1]
    with pytest.raises(ks.DecodeError):
        ks.TextBlock.from_dict(dict(TEXT_PLAIN, zzz=1), strict=True)


def test_decode_with_a_class_does_not_accept_another_variant() -> None:
    assert_error(ks.TextBlock, fresh(IMAGE_URL), "$.type", expected='"text"')
    assert_error(ks.BashTool, fresh(CUSTOM_TOOL_TYPED), "$.type", expected='"bash_20250124"')


def test_encode_works_on_lists_and_dicts_of_objects() -> None:
    blocks = [ks.TextBlock(text="a"), ks.ImageBlock(source=ks.UrlSource(url="u")), "raw"]
    assert ks.encode(blocks) == [
        {"type": "text", "text": "a"},
        {"type": "image", "source": {"type": "url", "url": "u"}},
        "raw",
    ]
    assert ks.encode({"k": [ks.BashTool()]}) == {"k": [{"type": "bash_20250124", "name": "bash"}]}
    assert ks.encode([]) == []
    assert ks.encode(None) is None


def test_encode_of_decoded_list_equals_input_list() -> None:
    content = [fresh(TEXT_WITH_CITATIONS), fresh(IMAGE_PNG), fresh(SEARCH_LEGACY)]
    assert ks.encode(ks.decode(ks.Content, fresh(content))) == content


# --------------------------------------------------------------------------------------------
# 10. Building objects in Python
# --------------------------------------------------------------------------------------------


def test_constructed_objects_fill_const_tags_and_leave_unset_fields_out() -> None:
    assert ks.encode(ks.TextBlock(text="hi")) == {"type": "text", "text": "hi"}
    assert ks.encode(ks.Cache()) == {"type": "ephemeral"}
    assert ks.encode(ks.Cache(ttl="1h")) == {"type": "ephemeral", "ttl": "1h"}
    assert ks.encode(ks.BashTool()) == {"type": "bash_20250124", "name": "bash"}
    assert ks.encode(ks.UserMessage(content="hi")) == {"role": "user", "content": "hi"}
    assert ks.encode(ks.AssistantMessage(content=[])) == {"role": "assistant", "content": []}


def test_constructed_two_tag_variant_gets_the_first_tag() -> None:
    assert ks.encode(ks.SearchTool(query="q")) == {"type": "search_v2", "query": "q"}
    assert ks.encode(ks.SearchTool(type="search", query="q"))["type"] == "search"


def test_constructed_default_variant_has_no_tag() -> None:
    tool = ks.CustomTool(name="t", input_schema={"type": "object"})
    assert tool.type is ks.UNSET
    assert ks.encode(tool) == {"name": "t", "input_schema": {"type": "object"}}


def test_constructed_keyword_field_is_written_under_its_wire_name() -> None:
    citation = ks.Citation(cited_text="c", start=0, end=1, from_="doc")
    assert ks.encode(citation) == {
        "type": "char_location",
        "cited_text": "c",
        "start": 0,
        "end": 1,
        "from": "doc",
    }


def test_constructed_nested_request_encodes_as_expected() -> None:
    request = ks.Request(
        model="m",
        messages=[
            ks.UserMessage(
                content=[
                    ks.TextBlock(text="look", cache_control=None),
                    ks.ImageBlock(source=ks.Base64Source(media_type="image/png", data="AA==")),
                ]
            )
        ],
        max_tokens=5,
        required_payload=None,
        tool_choice=ks.ToolChoiceSpecific(name="t"),
        system="sys",
    )
    assert ks.encode(request) == {
        "model": "m",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look", "cache_control": None},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "AA=="},
                    },
                ],
            }
        ],
        "max_tokens": 5,
        "required_payload": None,
        "tool_choice": {"name": "t"},
        "system": "sys",
    }
    assert ks.decode(ks.Request, ks.encode(request), strict=True) == request


def test_constructed_object_equals_the_decoded_one() -> None:
    assert ks.TextBlock(text="Hello") == ks.decode(ks.Block, fresh(TEXT_PLAIN))
    assert ks.TextBlock(text="Hello") != ks.TextBlock(text="Hello", cache_control=None)


def test_extra_defaults_to_an_empty_dict_not_shared_between_instances() -> None:
    first, second = ks.TextBlock(text="a"), ks.TextBlock(text="b")
    assert first.extra == {} and second.extra == {}
    assert first.extra is not second.extra
    first.extra["zzz"] = 1
    assert second.extra == {}
    assert ks.TextBlock(text="c").extra == {}
    assert ks.encode(first) == {"type": "text", "text": "a", "zzz": 1}


def test_required_fields_must_be_given_by_keyword() -> None:
    with pytest.raises(TypeError):
        ks.TextBlock()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ks.TextBlock("text", "hi")  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# 11. Pickling DecodeError
# --------------------------------------------------------------------------------------------


def test_decode_error_survives_pickling_with_its_path() -> None:
    data = changed(REQUEST_EVERYTHING, "$.labels", {"a b": [None]})
    error = decode_error(ks.Request, data)
    assert error.path == '$.labels["a b"][0]'
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copied = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(copied) is ks.DecodeError
        assert copied.path == error.path
        assert copied.expected == error.expected == "a string"
        assert copied.found == error.found == "null"
        assert str(copied) == str(error)


def test_unpickled_decode_error_does_not_share_path_segments() -> None:
    error = decode_error(ks.Request, changed(REQUEST_MINIMAL, "$.model", 1))
    copied = pickle.loads(pickle.dumps(error))
    copied.at_key("outer")
    assert copied.path == "$.outer.model"
    assert error.path == "$.model"


def test_json_parse_error_survives_pickling() -> None:
    with pytest.raises(ks.DecodeError) as info:
        ks.Request.from_json("{")
    copied = pickle.loads(pickle.dumps(info.value))
    assert copied.path == "$" and copied.found == info.value.found


# --------------------------------------------------------------------------------------------
# Lists of a tagged union: items are dispatched on their tag inside the list, and every
# unusual item falls back to the union's own decoder.
# --------------------------------------------------------------------------------------------

BASH_TOOL = {"type": "bash_20250124", "name": "bash"}
CUSTOM_TOOL_UNTYPED = {"name": "lookup", "input_schema": {"type": "object"}}
CUSTOM_TOOL_TYPED = {"type": "custom", "name": "find", "input_schema": {}}
FUTURE_TOOL = {"type": "browser_20990101", "name": "browser"}


def with_tools(*tools: Any) -> dict[str, Any]:
    return {**fresh(REQUEST_MINIMAL), "tools": [fresh(tool) for tool in tools]}


def test_list_of_union_items_without_a_tag_take_the_default_variant_anywhere_in_the_list() -> None:
    request = ks.decode(ks.Request, with_tools(BASH_TOOL, CUSTOM_TOOL_UNTYPED, CUSTOM_TOOL_TYPED))
    assert [type(tool) for tool in request.tools] == [ks.BashTool, ks.CustomTool, ks.CustomTool]
    assert ks.encode(request)["tools"] == [BASH_TOOL, CUSTOM_TOOL_UNTYPED, CUSTOM_TOOL_TYPED]


def test_list_of_union_unknown_tag_is_kept_leniently_and_rejected_strictly_with_its_index() -> None:
    body = with_tools(BASH_TOOL, FUTURE_TOOL)
    request = ks.decode(ks.Request, fresh(body))
    assert type(request.tools[1]) is ks.UnknownTool
    assert ks.encode(request) == body
    assert_error(ks.Request, body, "$.tools[1].type", strict=True)


@pytest.mark.parametrize(
    "bad_item, path",
    [
        ("bash", "$.tools[1]"),
        (None, "$.tools[1]"),
        ([BASH_TOOL], "$.tools[1]"),
        ({"type": ["bash_20250124"], "name": "bash"}, "$.tools[1].type"),
        ({"type": "bash_20250124", "name": "sh"}, "$.tools[1].name"),
        ({"type": "bash_20250124"}, "$.tools[1].name"),
    ],
)
def test_list_of_union_bad_item_is_reported_at_its_index(bad_item: Any, path: str) -> None:
    assert_error(ks.Request, with_tools(BASH_TOOL, bad_item, CUSTOM_TOOL_UNTYPED), path)
