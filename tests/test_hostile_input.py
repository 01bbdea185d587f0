"""The generated package under hostile input: only DecodeError, at the right path, in time
linear in the input, and nothing accepted that cannot be encoded again.

Each test here failed on the package as it was before issue 8 was fixed.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import messages

m = messages()

BASE: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "hi"}],
}


def body(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), **changes}


def decode_error(function: Callable[[], object]) -> Any:
    with pytest.raises(m.DecodeError) as info:
        function()
    return info.value


# --- Cost: one pass, good input or bad ---------------------------------------------------------


def _nested_request(bad: bool) -> dict[str, Any]:
    """Lists four levels deep: messages → content → tool_result content → document content."""
    leaf: dict[str, Any] = {"type": "text", "text": "x"}
    document = {
        "type": "document",
        "source": {"type": "content", "content": [dict(leaf) for _ in range(20)]},
    }
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [document] * 10}
    messages_ = [{"role": "user", "content": [result] * 10} for _ in range(10)]
    request = body(messages=messages_)
    if bad:
        # One bad block, as deep and as late as it gets.
        last = copy.deepcopy(document)
        last["source"]["content"][-1] = {"type": "text", "text": 5}
        request["messages"][-1]["content"][-1] = dict(result, content=[document] * 9 + [last])
    return request


def _calls(function: Callable[[], object]) -> int:
    """How many Python functions run inside `function` (a measure of work that is not a timing)."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        function()
    except m.DecodeError:
        pass
    finally:
        sys.setprofile(None)
    return count


def test_a_bad_item_deep_in_nested_lists_costs_no_more_than_a_good_body() -> None:
    good, bad = _nested_request(bad=False), _nested_request(bad=True)
    error = decode_error(lambda: m.decode(m.MessageCreateParams, bad))
    assert error.path == "$.messages[9].content[9].content[9].source.content[19].text"
    good_calls = _calls(lambda: m.decode(m.MessageCreateParams, good))
    bad_calls = _calls(lambda: m.decode(m.MessageCreateParams, bad))
    # Decoding the list again to find the bad index multiplied the work at every level.
    assert bad_calls <= good_calls + 50, (good_calls, bad_calls)


def test_an_item_that_is_not_an_object_in_a_tagged_list_is_reported_in_one_pass() -> None:
    blocks: list[Any] = [{"type": "text", "text": "x"}] * 500 + [7] + [{"type": "text"}] * 500
    bad = body(messages=[{"role": "user", "content": blocks}])
    error = decode_error(lambda: m.decode(m.MessageCreateParams, bad))
    assert error.path == "$.messages[0].content[500]"
    good = body(messages=[{"role": "user", "content": [{"type": "text", "text": "x"}] * 1001}])
    assert _calls(lambda: m.decode(m.MessageCreateParams, bad)) <= _calls(
        lambda: m.decode(m.MessageCreateParams, good)
    )


@pytest.mark.parametrize("tag", [[], {}, None, 5])
def test_an_unusable_tag_in_a_tagged_list_is_a_decode_error_at_the_tag(tag: object) -> None:
    blocks = [{"type": "text", "text": "x"}, {"type": tag, "text": "y"}]
    error = decode_error(
        lambda: m.decode(
            m.MessageCreateParams, body(messages=[{"role": "user", "content": blocks}])
        )
    )
    assert error.path == "$.messages[0].content[1].type"


# --- Python values: only DecodeError, messages that cannot fail --------------------------------


class _KeyWithBrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr must not be called")

    __str__ = __repr__

    def __hash__(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (body(max_tokens=10**5000), "$.max_tokens"),
        (body(model=10**5000), "$.model"),
        (body(metadata={"user_id": "u", "extra": 10**5000}), "$.metadata.extra"),
        (
            body(tools=[{"name": "t", "input_schema": {"n": -(10**5000)}}]),
            "$.tools[0].input_schema.n",
        ),
        ({**body(), b"key": 1}, "$[<bytes>]"),
        ({**body(), 7: 1}, "$[<int>]"),
        ({**body(), None: 1}, "$[<NoneType>]"),
        ({**body(), _KeyWithBrokenRepr(): 1}, "$[<_KeyWithBrokenRepr>]"),
        (
            body(tools=[{"name": "t", "input_schema": {b"k": 1}}]),
            "$.tools[0].input_schema[<bytes>]",
        ),
        (body(stop_sequences=("a",)), "$.stop_sequences"),
        (body(tools=[{"name": "t", "input_schema": {"k": {1, 2}}}]), "$.tools[0].input_schema.k"),
        (body(tools=[{"name": "t", "input_schema": {"k": b"raw"}}]), "$.tools[0].input_schema.k"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
@pytest.mark.parametrize("strict", [False, True])
def test_python_values_that_are_not_json_raise_decode_error_at_their_path(
    data: Any, path: str, strict: bool
) -> None:
    error = decode_error(lambda: m.decode(m.MessageCreateParams, data, strict=strict))
    assert error.path == path
    str(error), repr(error)  # building the text must not fail either


def test_error_messages_describe_unprintable_values_without_printing_them() -> None:
    error = decode_error(lambda: m.decode(m.MessageCreateParams, body(model=10**5000)))
    assert str(error) == "$.model: expected a string, found an integer of more than 4300 digits"
    error = decode_error(lambda: m.decode(m.MessageCreateParams, {**body(), b"k": 1}))
    assert str(error) == (
        "$[<bytes>]: expected a member name (a valid Unicode string), "
        "found a Python bytes, which is not a JSON value"
    )


# --- Values the JSON grammar does not allow ----------------------------------------------------

_NOT_JSON = [
    ('{"temperature": NaN}', "$.temperature"),
    ('{"temperature": -Infinity}', "$.temperature"),
    ('{"temperature": 1e999}', "$.temperature"),
    ('{"tools": [{"name": "t", "input_schema": {"a": [1, NaN]}}]}', "$.tools[0].input_schema.a[1]"),
    ('{"tools": [{"name": "t", "input_schema": {"a": 1e400}}]}', "$.tools[0].input_schema.a"),
    ('{"model": "\\ud83d"}', "$.model"),
    ('{"model": "ok \\udc00 then"}', "$.model"),
    ('{"stop_sequences": ["fine", "\\ud800"]}', "$.stop_sequences[1]"),
    ('{"messages": [{"role": "user", "content": "\\ud83d"}]}', "$.messages[0].content"),
    ('{"metadata": {"user_id": "\\udfff"}}', "$.metadata.user_id"),
    ('{"tools": [{"name": "t", "input_schema": {"\\ud83d": 1}}]}', "$.tools[0].input_schema"),
    ('{"x_unknown": "\\ud83d"}', "$.x_unknown"),
    ('{"x_unknown": {"deep": [NaN]}}', "$.x_unknown.deep[0]"),
    (
        '{"messages": [{"role": "user", "content": [{"type": "brand_new", "v": Infinity}]}]}',
        "$.messages[0].content[0].v",
    ),
    ('{"service_tier": "\\ud83d"}', "$.service_tier"),
]


def _merge(fragment: str) -> str:
    merged = {**BASE, **json.loads(fragment)}
    return json.dumps(merged, allow_nan=True)


@pytest.mark.parametrize(("fragment", "path"), _NOT_JSON)
def test_non_json_values_are_rejected_at_their_path_by_every_entry_point(
    fragment: str, path: str
) -> None:
    text = _merge(fragment)
    lenient_from_dict = lambda: m.MessageCreateParams.from_dict(json.loads(text))  # noqa: E731
    for entry in (
        lambda: m.decode(m.MessageCreateParams, json.loads(text)),
        lenient_from_dict,
        lambda: m.MessageCreateParams.from_json(text),
        lambda: m.MessageCreateParams.from_json(text.encode("utf-8", "surrogatepass")),
    ):
        error = decode_error(entry)
        if path.endswith("input_schema") and "\\ud83d" in fragment:
            assert error.path.startswith(path)  # the bad key itself ends the path
        else:
            assert error.path == path


def test_surrogate_pairs_are_characters_and_decode() -> None:
    request = m.MessageCreateParams.from_json(_merge('{"model": "smile \\ud83d\\ude00"}'))
    assert request.model == "smile \U0001f600"
    assert request.to_json().encode("utf-8")


def test_utf8_bytes_encoding_a_surrogate_are_rejected() -> None:
    text = json.dumps(body(model="PLACEHOLDER")).encode()
    raw = text.replace(b"PLACEHOLDER", b"\xed\xa0\xbd")  # UTF-8 bytes of U+D83D
    decode_error(lambda: m.MessageCreateParams.from_json(raw))


# --- Nesting: whatever decodes encodes ---------------------------------------------------------


def _nested_schema(depth: int) -> str:
    return _merge(
        '{"tools": [{"name": "t", "input_schema": {"a": %s}}]}' % ("[" * depth + "]" * depth)
    )


def test_any_values_nest_at_most_max_nesting_levels() -> None:
    limit = m._runtime.MAX_NESTING
    # input_schema is level 0, its member "a" level 1, and so on.
    text = _nested_schema(limit - 1)
    assert json.loads(m.MessageCreateParams.from_json(text).to_json()) == json.loads(text)
    error = decode_error(lambda: m.MessageCreateParams.from_json(_nested_schema(limit)))
    assert error.path == "$.tools[0].input_schema.a" + "[0]" * (limit - 1)
    assert f"at most {limit} levels" in str(error)


def test_nesting_the_json_parser_accepts_is_rejected_before_encoding_could_overflow() -> None:
    text = _nested_schema(950)
    json.loads(text)  # the standard parser takes it
    decode_error(lambda: m.MessageCreateParams.from_json(text))


def test_a_value_nested_at_the_limit_encodes_from_a_deep_call_stack() -> None:
    accepted = m.MessageCreateParams.from_json(_nested_schema(m._runtime.MAX_NESTING - 1))

    def deep(levels: int) -> str:
        return deep(levels - 1) if levels else accepted.to_json()

    assert deep(400)


def test_self_referencing_python_values_are_rejected() -> None:
    loop: list[Any] = []
    loop.append(loop)
    error = decode_error(
        lambda: m.decode(
            m.MessageCreateParams, body(tools=[{"name": "t", "input_schema": {"a": loop}}])
        )
    )
    assert error.path.startswith("$.tools[0].input_schema.a[0][0]")


# --- Ownership and hand-built objects ----------------------------------------------------------


def test_an_unknown_variant_encodes_to_a_new_object_sharing_its_members() -> None:
    raw = {"type": "brand_new_block", "payload": {"k": [1]}}
    block = m.decode(m.ContentBlockParam, raw)
    assert isinstance(block, m.UnknownContentBlockParam)
    encoded = m.encode(block)
    assert encoded == raw and encoded is not raw and encoded is not block.raw
    encoded["added"] = True
    assert "added" not in raw and "added" not in block.raw
    assert encoded["payload"] is raw["payload"]  # members kept as received are shared


def test_encoding_builds_new_objects_for_typed_members() -> None:
    data = body(system=[{"type": "text", "text": "s", "x_unknown": {"kept": 1}}])
    request = m.decode(m.MessageCreateParams, data)
    encoded = m.encode(request)
    encoded["system"][0]["text"] = "changed"
    encoded["system"].append({"type": "text", "text": "more"})
    assert request.system[0].text == "s" and len(request.system) == 1
    assert data["system"][0]["text"] == "s"
    assert encoded["system"][0]["x_unknown"] is data["system"][0]["x_unknown"]


@pytest.mark.parametrize("member", ["type", "text", "citations", "cache_control"])
def test_extra_never_overwrites_a_member_the_type_defines(member: str) -> None:
    block = m.TextBlockParam(text="hello", extra={member: {"type": "image"}})
    with pytest.raises(ValueError, match=f'TextBlockParam.extra holds "{member}"'):
        block.to_dict()


def test_check_reports_a_wrong_scalar_at_its_path() -> None:
    request = m.MessageCreateParams(
        model="m",
        max_tokens=1,
        messages=[m.UserMessageParam(content=[m.TextBlockParam(text=5)])],  # type: ignore[arg-type]
    )
    m.encode(request)  # unchecked encoding writes what it is given
    error = decode_error(lambda: m.encode(request, check=True))
    assert error.path == "$.messages[0].content[0].text"


def test_check_reports_a_dict_where_an_object_belongs() -> None:
    block = m.TextBlockParam(text="x", cache_control={"type": "ephemeral"})  # type: ignore[arg-type]
    request = m.MessageCreateParams(
        model="m", max_tokens=1, messages=[m.UserMessageParam(content=[block])]
    )
    error = decode_error(lambda: m.encode(request, check=True))
    assert error.path == "$.messages[0].content[0]"
    assert "TextBlockParam that cannot be encoded" in str(error)


def test_check_applies_strict_decoding_on_request() -> None:
    block = m.TextBlockParam(text="x", extra={"x_unknown": 1})
    assert m.encode(block, check=True) == {"type": "text", "text": "x", "x_unknown": 1}
    error = decode_error(lambda: m.encode(block, check=True, strict=True))
    assert error.path == "$.x_unknown"


def test_check_rejects_non_json_values_in_hand_built_objects() -> None:
    block = m.TextBlockParam(text="x", extra={"score": float("nan")})
    assert decode_error(lambda: m.encode(block, check=True)).path == "$.score"
    unknown = m.UnknownContentBlockParam(raw={"type": "new", "v": float("inf")})
    assert decode_error(lambda: m.encode([unknown], check=True)).path == "$[0].v"


# --- Python objects with methods of their own --------------------------------------------------


class _Text(str):
    """A str subclass: equal to the plain string, but not a value json.loads gives."""


class _EqualsEverything:
    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


class _Raises:
    """A key whose hash collides with a member name: a lookup of that name compares with it."""

    def __init__(self, collides_with: str = "type") -> None:
        self.collides_with = collides_with

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ must not decide anything")

    __ne__ = __eq__  # type: ignore[assignment]

    def __hash__(self) -> int:
        return hash(self.collides_with)


@pytest.mark.parametrize("tag", [_Text("text"), _EqualsEverything(), _Raises()])
@pytest.mark.parametrize("strict", [False, True])
def test_a_constant_accepts_only_the_plain_string(tag: object, strict: bool) -> None:
    error = decode_error(
        lambda: m.decode(m.TextBlockParam, {"type": tag, "text": "x"}, strict=strict)
    )
    assert error.path in ("$.type", "$")


@pytest.mark.parametrize(
    ("root", "data"),
    [
        ("TextBlockParam", {"type": "text", "text": "x", _Raises("citations"): 1}),
        ("Message", {"type": "message", "role": "assistant", _Raises("id"): 1}),
        ("ContentBlockParam", {_Raises("type"): 1}),
    ],
    ids=["optional member", "required member", "union tag"],
)
def test_a_key_whose_equality_raises_gives_a_decode_error_with_the_cause(
    root: str, data: dict[Any, Any]
) -> None:
    error = decode_error(lambda: m.decode(getattr(m, root), data))
    assert isinstance(error.__cause__, RuntimeError)
    assert "own method raised RuntimeError" in str(error)


def test_a_key_whose_equality_raises_is_reported_once_in_nested_lists() -> None:
    hostile = {_Raises("type"): 1}
    content = [{"type": "text", "text": "a"}, hostile]
    result = {"type": "tool_result", "tool_use_id": "t", "content": content}
    request = body(messages=[{"role": "user", "content": [result]}])
    assert _calls(lambda: m.decode(m.MessageCreateParams, request)) < 100
    assert isinstance(
        decode_error(lambda: m.decode(m.MessageCreateParams, request)).__cause__, RuntimeError
    )


@pytest.mark.parametrize("member", ["cache_control", "citations"])
def test_unset_as_a_value_is_not_taken_for_an_absent_member(member: str) -> None:
    data = {"type": "text", "text": "x", member: m.UNSET}
    for strict in (False, True):
        error = decode_error(lambda: m.decode(m.TextBlockParam, data, strict=strict))
        assert error.path == f"$.{member}"
        assert "UNSET" in str(error)


def test_check_handles_subclasses_and_cycles() -> None:
    class MyBlock(m.TextBlockParam):
        __slots__ = ()

    assert m.encode(MyBlock(text="x"), check=True) == {"type": "text", "text": "x"}
    bad = MyBlock(text=7)  # type: ignore[arg-type]
    assert decode_error(lambda: m.encode(bad, check=True)).path == "$.text"
    loop = m.TextBlockParam(text="x")
    loop.citations = [loop]  # type: ignore[list-item]
    decode_error(lambda: m.encode(loop, check=True))


def test_a_wide_value_holding_itself_is_rejected_without_walking_it_to_max_nesting() -> None:
    wide: dict[str, Any] = {f"member{i}": {} for i in range(1000)}
    wide["self"] = wide
    block = {"type": "brand_new_block", "payload": wide}
    error = decode_error(lambda: m.decode(m.ContentBlock, block))
    assert "does not contain itself" in str(error)
    # Each level visits the 1,000 empty objects (two calls each); walked to MAX_NESTING (200
    # levels) that was 400,000 calls.
    assert _calls(lambda: m.decode(m.ContentBlock, block)) < 40_000


def test_a_value_shared_twice_is_not_a_cycle() -> None:
    # Twenty levels deep, past the depth from which cycles are watched; every level holds the
    # one below it twice.
    shared: list[Any] = [1]
    for _ in range(20):
        shared = [shared, shared] if _ % 4 == 0 else [shared]
    request = body(tools=[{"name": "t", "input_schema": {"a": shared}}])
    assert m.encode(m.decode(m.MessageCreateParams, request)) == request


def test_a_large_integer_is_described_by_its_size() -> None:
    error = decode_error(lambda: m.decode(m.MessageCreateParams, body(model=10**4000)))
    assert str(error) == "$.model: expected a string, found an integer of 4001 digits"
