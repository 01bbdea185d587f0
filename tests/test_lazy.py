"""Lazy decoding (issue 10): `decode(T, data, lazy=True)` checks the top-level members that are
cheap to check at once and decodes the others when they are first read.

Over every recorded payload, a lazily decoded object must read as the eager one, encode back to
its input (key order included) while untouched, and encode as the eager object does once a member
was read and changed. Over broken inputs (hand-made breakage at several depths, and fuzz cases),
lazy decoding must raise the eager decoder's DecodeError, path and message, at decode time or at
the first read of the member holding the bad value.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import anthropic_messages as m
from tests.test_payloads import BETA, STABLE, items_of, name_of

SOME_TEXT = "a replacement"


def field_names(obj: m.Model) -> list[str]:
    return [f.name for f in dataclasses.fields(obj)]  # type: ignore[arg-type]


def eager_and_lazy(root: Any, item: Any, strict: bool = False) -> tuple[Any, Any]:
    return m.decode(root, item, strict=strict), m.decode(root, item, strict=strict, lazy=True)


def error_of(action: Any) -> tuple[str, str] | None:
    """(path, message) of the DecodeError `action()` raises, None when it raises none."""
    try:
        action()
    except m.DecodeError as error:
        return error.path, str(error)
    return None


def read_all(obj: Any) -> None:
    """Read every member of every object inside `obj` (a lazy object decodes them all)."""
    if isinstance(obj, m.Model):
        for name in obj.__slots__:
            read_all(getattr(obj, name))
    elif isinstance(obj, list):
        for item in obj:
            read_all(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            read_all(item)


@pytest.mark.parametrize("path", STABLE + BETA, ids=name_of)
def test_lazy_object_reads_as_the_eager_one(path: Path) -> None:
    root, items = items_of(path)
    for item in items:
        eager, lazy = eager_and_lazy(root, item)
        assert isinstance(lazy, type(eager))
        for name in field_names(eager):
            assert getattr(lazy, name) == getattr(eager, name), name
        assert lazy == eager and repr(lazy) == repr(eager)


@pytest.mark.parametrize("path", STABLE + BETA, ids=name_of)
def test_untouched_lazy_object_encodes_to_its_input(path: Path) -> None:
    root, items = items_of(path)
    for item in items:
        lazy = m.decode(root, item, lazy=True)
        assert json.dumps(m.encode(lazy)) == json.dumps(item)  # key order included
        read_all(lazy)  # once everything is decoded, the eager encoders write the same
        assert json.dumps(m.encode(lazy)) == json.dumps(item)


def changes(obj: m.Model) -> Iterator[tuple[str, Any]]:
    """(attribute, new value) changes to try on a decoded object: every list member loses its
    last item, every string member gets another text, an absent temperature is set."""
    for name in field_names(obj):
        value = getattr(obj, name)
        if type(value) is list and value:
            yield name, value[:-1]
        elif type(value) is str and name != "type":
            yield name, SOME_TEXT
        elif value is m.UNSET and name == "temperature":
            yield name, 0.5


@pytest.mark.parametrize("path", STABLE + BETA, ids=name_of)
def test_a_changed_lazy_object_encodes_as_the_eager_one(path: Path) -> None:
    root, items = items_of(path)
    for item in items:
        eager = m.decode(root, item)
        if not hasattr(type(eager), "__dataclass_fields__") or "raw" in field_names(eager):
            continue  # an unknown variant: kept as received, nothing to read lazily
        for name, value in changes(eager):
            eager, lazy = eager_and_lazy(root, item)
            getattr(lazy, name)  # read, then changed
            setattr(lazy, name, value)
            setattr(eager, name, value)
            assert json.dumps(m.encode(lazy)) == json.dumps(m.encode(eager)), name
            # Changed without being read first: the same.
            lazy = m.decode(root, item, lazy=True)
            setattr(lazy, name, value)
            assert json.dumps(m.encode(lazy)) == json.dumps(m.encode(eager)), name


def request() -> dict[str, Any]:
    root, items = items_of(next(p for p in STABLE if p.parent.name == "request"))
    body: dict[str, Any] = items[0]
    return body


def message() -> dict[str, Any]:
    root, items = items_of(next(p for p in STABLE if p.parent.name == "message"))
    body: dict[str, Any] = items[0]
    return body


def broken_copies(item: Any) -> Iterator[Any]:
    """Copies of `item` with one value of the wrong kind, at several depths: for each top-level
    member, the member itself, then the first value one, two and three levels inside it."""
    for key in list(item):
        for depth in range(4):
            broken = copy.deepcopy(item)
            parent: Any = broken
            step: Any = key
            for _ in range(depth):
                child = parent[step]
                if isinstance(child, dict) and child:
                    parent, step = child, next(iter(child))
                elif isinstance(child, list) and child:
                    parent, step = child, 0
                else:
                    break
            else:
                value = parent[step]
                parent[step] = "a string" if not isinstance(value, str) else 12345
                yield broken


def top_member(path: str) -> str:
    """The wire name of the top-level member a DecodeError path starts with ("" for none)."""
    rest = path[1:]
    if rest.startswith("."):
        return rest[1:].split(".")[0].split("[")[0]
    if rest.startswith('["'):
        return str(json.loads(rest[1 : rest.index('"]') + 2]))
    return ""


def assert_same_error(root: Any, item: Any, strict: bool = False, one_fault: bool = True) -> None:
    """Eager and lazy decoding raise the same error: lazy at decode time, or at the first read of
    the top-level member the path names.

    With more than one fault in a value (`one_fault=False`) the first error each meets may differ:
    lazy decoding checks everything cheap before any member left for later. Then a lazy decode
    that raises something else must have left the member of the eager error unchecked, and the
    eager error must come out of some read.
    """
    eager = error_of(lambda: m.decode(root, item, strict=strict))
    try:
        lazy = m.decode(root, item, strict=strict, lazy=True)
    except m.DecodeError as error:
        if one_fault or eager is None or (error.path, str(error)) == eager:
            assert (error.path, str(error)) == eager
        else:
            assert top_member(eager[0]) in {
                wire for wire, *_, deferred in type_table(root).members if deferred
            }
        return
    if eager is None:
        read_all(lazy)
        assert lazy == m.decode(root, item, strict=strict)
        return
    assert isinstance(lazy, m.Model) and hasattr(type(lazy), "__dataclass_fields__")
    errors = [error_of(lambda: getattr(lazy, name)) for name in field_names(lazy)]
    failing = [error for error in errors if error is not None]
    assert failing, f"lazy decoding never raised {eager}"
    if one_fault:
        assert failing == [eager]
    else:
        assert eager in failing


def type_table(root: type) -> Any:
    """The LazyTable of a class, from the module that defines it."""
    import sys

    module = vars(sys.modules[root.__module__])
    return next(table for table in module.values() if getattr(table, "cls", None) is root)


@pytest.mark.parametrize("path", STABLE, ids=name_of)
def test_broken_payloads_raise_the_eager_error(path: Path) -> None:
    root, items = items_of(path)
    if root is m.MessageStreamEvent:
        items = [event.get("message", event) for event in items if event.get("message")]
        root = m.Message
    for item in items[:3]:
        for broken in broken_copies(item):
            for strict in (False, True):
                assert_same_error(root, broken, strict)


def test_cheap_members_are_checked_at_decode() -> None:
    body = request()
    for key, value in (("model", 7), ("max_tokens", "8"), ("stream", 1), ("top_k", 1.5)):
        broken = {**body, key: value}
        error = error_of(lambda: m.decode(m.MessageCreateParams, broken, lazy=True))
        assert error is not None and error[0] == f"$.{key}"
        assert error == error_of(lambda: m.decode(m.MessageCreateParams, broken))
    missing = {key: value for key, value in body.items() if key != "messages"}
    assert error_of(lambda: m.MessageCreateParams.from_dict(missing, lazy=True)) == error_of(
        lambda: m.MessageCreateParams.from_dict(missing)
    )
    wrong_tag = {**message(), "type": "not_a_message"}
    assert error_of(lambda: m.Message.from_dict(wrong_tag, lazy=True)) == error_of(
        lambda: m.Message.from_dict(wrong_tag)
    )
    with pytest.raises(m.DecodeError, match="an object"):
        m.Message.from_dict([], lazy=True)


def test_strict_lazy_decoding_rejects_unknown_top_level_members_at_once() -> None:
    body = {**request(), "no_such_member": 1}
    with pytest.raises(m.DecodeError) as raised:
        m.decode(m.MessageCreateParams, body, strict=True, lazy=True)
    assert raised.value.path == "$.no_such_member"
    lenient = m.decode(m.MessageCreateParams, body, lazy=True)
    assert lenient.extra == {"no_such_member": 1}
    assert m.encode(lenient) == body


def test_nested_errors_surface_at_the_first_read_only() -> None:
    body = request()
    broken = {**body, "messages": [{"role": "user", "content": 5}]}
    lazy = m.decode(m.MessageCreateParams, broken, lazy=True)
    assert lazy.model == body["model"]  # the other members read fine
    assert m.encode(lazy) == broken  # and it forwards unread members as they came
    expected = error_of(lambda: m.decode(m.MessageCreateParams, broken))
    assert expected is not None and expected[0] == "$.messages[0].content"
    assert error_of(lambda: lazy.messages) == expected
    with pytest.raises(m.DecodeError):
        lazy == m.decode(m.MessageCreateParams, body)  # equality reads every member


def test_a_read_member_is_decoded_once() -> None:
    lazy = m.Message.from_dict(message(), lazy=True)
    assert lazy.content is lazy.content
    assert lazy.usage is lazy.usage


def test_from_json_and_dataclass_api_on_lazy_objects() -> None:
    text = json.dumps(message())
    lazy = m.Message.from_json(text, lazy=True)
    eager = m.Message.from_json(text)
    assert isinstance(lazy, m.Message) and isinstance(lazy, m.Model)
    assert type(lazy).__name__ == "Message" and repr(lazy).startswith("Message(")
    assert lazy == eager and eager == lazy and not (lazy != eager)
    assert dataclasses.is_dataclass(lazy)
    assert field_names(lazy) == field_names(eager)
    assert dataclasses.asdict(m.Message.from_json(text, lazy=True)) == dataclasses.asdict(eager)
    changed = dataclasses.replace(m.Message.from_json(text, lazy=True), model="other")
    assert changed == dataclasses.replace(eager, model="other")
    replaced = m.Message.from_json(text, lazy=True).replace(model="other")
    assert replaced.to_json() == eager.replace(model="other").to_json()
    # Copies are ordinary decoded objects.
    assert type(replaced) is m.Message and type(replaced._wire) is tuple
    assert type(changed) is m.Message
    for copied in (
        pickle.loads(pickle.dumps(m.Message.from_json(text, lazy=True))),
        copy.deepcopy(m.Message.from_json(text, lazy=True)),
        copy.copy(m.Message.from_json(text, lazy=True)),
    ):
        assert type(copied) is m.Message and copied == eager
        assert copied.to_json() == eager.to_json()
    match m.Message.from_json(text, lazy=True):
        case m.Message(usage=m.Usage(output_tokens=tokens)):
            assert tokens == eager.usage.output_tokens
        case _:
            pytest.fail("class pattern did not match")
    with pytest.raises(AttributeError, match="no_such_attribute"):
        getattr(lazy, "no_such_attribute")
    assert not hasattr(lazy, "no_such_attribute")


def test_unions_decode_eagerly_with_lazy_true() -> None:
    block = {"type": "text", "text": "hi"}
    assert m.decode(m.ContentBlock, block, lazy=True) == m.decode(m.ContentBlock, block)


def test_fuzz_cases_raise_the_eager_error() -> None:
    """Fuzz inputs for the classes (several mutations each, Python-only values included)."""
    from tests.fuzz_inputs import build_corpus, make_case

    corpus = build_corpus(schema_draws=4, part_seeds=4)
    checked = 0
    for index in range(4000):
        case = make_case(corpus, 10, index)
        if case.entry != "decode" or not case.target.is_class:
            continue
        try:
            assert_same_error(case.target.tp, case.value, one_fault=False)
        except RecursionError:
            continue  # a value holding itself: equality cannot compare it either way
        checked += 1
    assert checked > 300


def test_eager_classes_have_no_getattr_hook() -> None:
    """Only the subclasses lazy objects belong to have __getattr__: on a generated class it would
    slow every attribute read of eager objects (CPython specializes reads only without one)."""
    lazy = m.Message.from_dict(message(), lazy=True)
    assert "__getattr__" in vars(type(lazy))
    assert not any(hasattr(cls, "__getattr__") for cls in (m.Model, m.Message, m.Usage))


def test_member_orders_each_decode_as_eagerly_and_the_plans_kept_are_bounded() -> None:
    """A lazy decoder plans its checks once per member order; bodies that vary their orders (or
    their unknown members) without end still decode right, and only so many plans are kept."""
    base = message()
    table = type_table(m.Message)
    for index in range(150):
        keys = list(base)
        keys.insert(index % len(keys), f"unknown_{index}")
        body = {key: base.get(key, index) for key in keys}
        lazy = m.Message.from_dict(body, lazy=True)
        assert lazy.extra == {f"unknown_{index}": index}
        assert m.encode(lazy) == body and list(m.encode(lazy)) == keys
        assert lazy.usage == m.Message.from_dict(body).usage
    assert 0 < len(table._plans) <= 64
    # An order first met with a wrong member is planned, and raises, as eagerly; UNSET put in
    # a dict by hand is rejected as eagerly too: at once for a cheap member or an optional one,
    # at the first read for a required member holding an object.
    for broken, read in (
        ({**base, "model": None}, "model"),
        ({**base, "stop_sequence": m.UNSET}, "stop_sequence"),
        ({**base, "model": m.UNSET}, "model"),
        ({**base, "usage": m.UNSET}, "usage"),
    ):
        eager = error_of(lambda: m.Message.from_dict(broken))
        assert eager is not None and eager[0] == f"$.{read}"
        assert error_of(lambda: getattr(m.Message.from_dict(broken, lazy=True), read)) == eager
