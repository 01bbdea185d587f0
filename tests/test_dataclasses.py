"""Every generated class is a real dataclass (issue 10).

Class-level checks run over every class the package exports; the expected field order comes
from the generator's intermediate model (the spec's order, then `extra`; `raw` alone for the
unknown variant of a tagged union), not from the generated code. Instance checks run over
objects decoded from the recorded payloads (tests/payloads, walked down to every nested object),
topped up with one object per class drawn from the package's own JSON Schema and one unknown
variant per tagged union, so that every class is exercised at least once.

Each check loops over all classes and reports every offender at once, so one failure message
shows how widespread a problem is.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import sys
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest

import anthropic_messages as m
from codegen import pipeline
from tests.schema_instances import InstanceGenerator
from tests.support import GENERATED, ROOT
from tests.test_payloads import BETA, STABLE, items_of

# Payload objects kept per class: enough to see optional fields both present and absent.
PER_CLASS = 3
# A tag value no spec will ever use, to obtain the unknown variant of each tagged union.
FUTURE_TAG = "x-future-kind"


@functools.cache
def spec_package() -> Any:
    return pipeline.load_package(ROOT / "spec")


@functools.cache
def expected_fields() -> dict[str, tuple[str, ...]]:
    """Every generated class by name, with its fields in the spec's order."""
    fields: dict[str, tuple[str, ...]] = {}
    for area in spec_package().areas:
        for obj in area.objects:
            fields[str(obj.name)] = (*(str(f.python_name) for f in obj.fields), "extra")
    for union in spec_package().unions.tagged_unions:
        fields[str(union.unknown_class)] = ("raw",)
    return fields


def model_classes() -> list[type[Any]]:
    found = (getattr(m, name) for name in m.__all__)
    return sorted(
        (v for v in found if isinstance(v, type) and issubclass(v, m.Model) and v is not m.Model),
        key=lambda cls: cls.__name__,
    )


def report(failures: list[str], total: int, what: str) -> str:
    shown = "\n".join(failures[:25])
    more = f"\n... and {len(failures) - 25} more" if len(failures) > 25 else ""
    return f"{len(failures)} of {total} {what}:\n{shown}{more}"


# --- class-level checks, over every class --------------------------------------------------


def test_the_package_exports_exactly_the_classes_of_the_spec() -> None:
    assert sorted(c.__name__ for c in model_classes()) == sorted(expected_fields())


def test_every_class_is_a_dataclass() -> None:
    classes = model_classes()
    failures = [c.__name__ for c in classes if not dataclasses.is_dataclass(c)]
    if failures:
        pytest.fail(report(failures, len(classes), "classes are not dataclasses"), pytrace=False)


def check_classes(check: Callable[[type[Any], tuple[str, ...]], None], what: str) -> None:
    classes = model_classes()
    failures = []
    for cls in classes:
        try:
            check(cls, expected_fields()[cls.__name__])
        except Exception as exc:  # every kind of failure is reported with its class
            failures.append(f"{cls.__name__}: {type(exc).__name__}: {exc}")
    if failures:
        pytest.fail(report(failures, len(classes), what), pytrace=False)


def test_dataclass_fields_are_the_spec_fields_then_extra() -> None:
    def check(cls: type[Any], expected: tuple[str, ...]) -> None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        assert names == expected, f"fields {names}, spec order {expected}"
        assert tuple(cls.__slots__) == expected, f"__slots__ {cls.__slots__}, fields {names}"

    check_classes(check, "classes have wrong dataclass fields")


def test_match_args_are_the_fields() -> None:
    def check(cls: type[Any], expected: tuple[str, ...]) -> None:
        assert cls.__match_args__ == expected, f"{cls.__match_args__} instead of {expected}"

    check_classes(check, "classes have wrong or no __match_args__")


def test_type_hints_resolve_on_every_class() -> None:
    def check(cls: type[Any], expected: tuple[str, ...]) -> None:
        hints = typing.get_type_hints(cls)
        missing = [name for name in expected if name not in hints]
        assert missing == [], f"no hint for {missing}"

    check_classes(check, "classes have type hints that do not resolve")


def normal(hint: Any) -> Any:
    """A hint in a form where equal types compare equal: unions (`X | Y`, `Union[...]`, union
    aliases inside unions) become the frozenset of their flattened members."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members: set[Any] = set()
        for arg in typing.get_args(hint):
            part = normal(arg)
            members |= part if isinstance(part, frozenset) else {part}
        return frozenset(members)
    if origin is None:
        return hint
    return (origin, tuple(normal(arg) for arg in typing.get_args(hint)))


CHOSEN_HINTS = [
    (m.TextBlockParam, "text", str),
    (m.TextBlockParam, "type", Literal["text"]),
    (m.TextBlockParam, "cache_control", m.CacheControlParam | None | m.Unset),
    (m.TextBlockParam, "citations", list[m.TextCitationParam] | None | m.Unset),
    (m.TextBlockParam, "extra", dict[str, Any]),
    (m.Message, "content", list[m.ContentBlock]),
    (m.Message, "usage", m.Usage),
    (m.Usage, "input_tokens", int),
    (m.Usage, "cache_read_input_tokens", int | None | m.Unset),
    (m.MessageCreateParams, "messages", list[m.MessageParam]),
    (m.MessageCreateParams, "max_tokens", int),
    (m.UnknownContentBlockParam, "raw", dict[str, Any]),
]


@pytest.mark.parametrize(
    ("cls", "field", "expected"),
    CHOSEN_HINTS,
    ids=[f"{cls.__name__}.{field}" for cls, field, _ in CHOSEN_HINTS],
)
def test_type_hints_say_what_the_spec_says(cls: type[Any], field: str, expected: Any) -> None:
    assert normal(typing.get_type_hints(cls)[field]) == normal(expected)


def test_the_hint_normaliser_tells_types_apart() -> None:
    """`normal` must not make different hints equal, or the test above could not fail."""
    assert normal(int | None | m.Unset) == normal(typing.Optional[int | m.Unset])
    assert normal(int | None | m.Unset) != normal(int | m.Unset)
    assert normal(list[m.MessageParam]) != normal(list[m.ContentBlock])
    assert normal(Literal["text"]) != normal(Literal["image"])


# --- instances -------------------------------------------------------------------------------


def nested_models(value: Any) -> Iterator[Any]:
    """Every generated object in a decoded value, outermost first."""
    if isinstance(value, m.Model):
        yield value
        for name in type(value).__slots__:
            yield from nested_models(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from nested_models(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from nested_models(item)


@functools.cache
def payload_instances() -> dict[type[Any], list[Any]]:
    """Up to PER_CLASS objects of each class reached by the recorded payloads."""
    found: dict[type[Any], list[Any]] = {}
    for path in STABLE + BETA:
        root, items = items_of(path)
        for item in items:
            for obj in nested_models(m.decode(root, item)):
                kept = found.setdefault(type(obj), [])
                if len(kept) < PER_CLASS:
                    kept.append(obj)
    return found


def without_annotations(value: Any) -> Any:
    """The schema without `x-` keywords, which the instance generator refuses on principle."""
    if isinstance(value, dict):
        return {k: without_annotations(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [without_annotations(v) for v in value]
    return value


@functools.cache
def all_instances() -> list[Any]:
    """The payload objects, then one drawn object of every class with a schema definition
    (every optional member present) and one unknown variant of every tagged union."""
    instances = [obj for kept in payload_instances().values() for obj in kept]
    document = json.loads((GENERATED / "jsonschema" / "beta.json").read_text(encoding="utf-8"))
    generator = InstanceGenerator(
        without_annotations(document), optional_probability=1.0, max_depth=4
    )
    for cls in model_classes():
        if cls.__name__ in document["$defs"]:
            value = generator.draw_definition(cls.__name__, seed=cls.__name__)
            instances.extend(nested_models(m.decode(cls, value, strict=True)))
    for union in spec_package().unions.tagged_unions:
        data = {str(union.tag): FUTURE_TAG, "note": "sent by a newer API"}
        instances.append(m.decode(getattr(m, str(union.name)), data))
    return instances


def test_the_instances_reach_every_class() -> None:
    # The recorded traffic alone reaches a good part of the classes (127 when written).
    assert len(payload_instances()) >= 120
    unreached = sorted(
        {c.__name__ for c in model_classes()} - {type(o).__name__ for o in all_instances()}
    )
    assert unreached == []


def field_names(obj: Any) -> tuple[str, ...]:
    return expected_fields()[type(obj).__name__]


def check_instances(check: Callable[[Any], None], what: str) -> None:
    """Run `check` on every instance; report the first failure of each class."""
    failures: dict[str, str] = {}
    instances = all_instances()
    for obj in instances:
        name = type(obj).__name__
        if name in failures:
            continue
        try:
            check(obj)
        except Exception as exc:  # every kind of failure is reported with its class
            failures[name] = f"{name}: {type(exc).__name__}: {exc}"[:300]
    classes = len({type(obj) for obj in instances})
    if failures:
        pytest.fail(report(sorted(failures.values()), classes, what), pytrace=False)


def test_asdict_gives_the_fields_and_nested_objects_as_dicts() -> None:
    def check(obj: Any) -> None:
        as_dict = dataclasses.asdict(obj)
        assert tuple(as_dict) == field_names(obj)
        for name in field_names(obj):
            value = getattr(obj, name)
            if isinstance(value, m.Model):
                assert as_dict[name] == dataclasses.asdict(value)
            elif isinstance(value, (str, int, float, bool)) or value is None:
                assert as_dict[name] == value

    check_instances(check, "classes fail dataclasses.asdict")


def test_replace_with_a_field_s_own_value_gives_an_equal_object() -> None:
    def check(obj: Any) -> None:
        for name in field_names(obj):
            copied = dataclasses.replace(obj, **{name: getattr(obj, name)})
            assert type(copied) is type(obj) and copied is not obj
            assert copied == obj, f"replace({name}=<same>) gives {copied!r}"

    check_instances(check, "classes fail dataclasses.replace with unchanged values")


NO_CHANGE = object()


def changed(value: Any) -> Any:
    """A different value of the same JSON kind, or NO_CHANGE when there is no obvious one."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "-changed"
    if isinstance(value, dict):
        return {**value, "x-changed": True}
    if isinstance(value, list) and value:
        return value[:-1]
    return NO_CHANGE


def test_replace_with_a_new_value_changes_that_field_only() -> None:
    def check(obj: Any) -> None:
        changes = 0
        for name in field_names(obj):
            before = {other: getattr(obj, other) for other in field_names(obj)}
            new_value = changed(before[name])
            if new_value is NO_CHANGE:
                continue
            result = dataclasses.replace(obj, **{name: new_value})
            assert type(result) is type(obj)
            assert getattr(result, name) == new_value and result != obj, name
            for other, value in before.items():
                if other != name:
                    assert getattr(result, other) is value, f"replace({name}=...) changed {other}"
                assert getattr(obj, other) is value, f"replace({name}=...) changed the original"
            changes += 1
        # Every object has `extra` or `raw`, a dict that can always be changed.
        assert changes >= 1

    check_instances(check, "classes fail dataclasses.replace with a changed value")


@pytest.mark.skipif(sys.version_info < (3, 13), reason="copy.replace is new in Python 3.13")
def test_copy_replace_works_like_dataclasses_replace() -> None:
    def check(obj: Any) -> None:
        name = field_names(obj)[-1]
        new_value = changed(getattr(obj, name))
        result = copy.replace(obj, **{name: new_value})
        assert result == dataclasses.replace(obj, **{name: new_value})

    check_instances(check, "classes fail copy.replace")


def test_copies_are_equal() -> None:
    def check(obj: Any) -> None:
        shallow = copy.copy(obj)
        assert type(shallow) is type(obj) and shallow == obj and shallow is not obj
        deep = copy.deepcopy(obj)
        assert type(deep) is type(obj) and deep == obj and deep is not obj
        # A deep copy shares no non-empty list or dict with the original.
        for name in field_names(obj):
            value = getattr(obj, name)
            if isinstance(value, (list, dict)) and value:
                assert getattr(deep, name) is not value, f"deepcopy shares {name}"

    check_instances(check, "classes fail copy.copy or copy.deepcopy")


def test_positional_class_patterns_match_the_fields_in_order() -> None:
    def check(obj: Any) -> None:
        cls = type(obj)
        names = field_names(obj)
        got: tuple[Any, ...] | None = None
        if len(names) >= 2:
            match obj:
                case cls(first, second):
                    got = (first, second)
        else:
            match obj:
                case cls(first):
                    got = (first,)
        assert got is not None, "no match"
        assert got == tuple(getattr(obj, name) for name in names[:2])

    check_instances(check, "classes do not support positional patterns")


def test_positional_patterns_read_like_the_spec() -> None:
    message = m.decode(
        m.MessageParam,
        {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "later", "n": 1}]},
    )
    seen = []
    assert isinstance(message, m.UserMessageParam) and isinstance(message.content, list)
    for block in message.content:
        match block:
            case m.TextBlockParam("text", text):
                seen.append(text)
            case m.UnknownContentBlockParam(raw):
                seen.append(raw["type"])
    assert seen == ["hi", "later"]


def test_changed_gives_a_different_value() -> None:
    """`changed` must really change values, or the replace test could not fail."""
    for value in (True, 0, 1.5, "a", {"a": 1}, [1, 2]):
        assert changed(value) != value
    assert changed(None) is NO_CHANGE and changed(m.UNSET) is NO_CHANGE
