"""Absent, null and present stay apart for every kind of field (fixture `optionality`)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.support import optionality

o = optionality()

VALUES: dict[str, Any] = {
    "str": "text",
    "obj": {"name": "leaf"},
    "list": [{"name": "a"}],
    "enum": "red",
    "union": [{"name": "b"}],
}
LIST_OF_INTS = [1, 2]


def full_body() -> dict[str, Any]:
    """A Matrix with every field present and holding a value."""
    body: dict[str, Any] = {}
    for kind, value in VALUES.items():
        for suffix in ("required", "nullable", "optional", "optional_nullable"):
            body[f"{kind}_{suffix}"] = copy.deepcopy(value)
    body["list_optional"] = list(LIST_OF_INTS)
    body["list_optional_nullable"] = list(LIST_OF_INTS)
    body.update(
        any_required={"nested": [None, 1.5]},
        any_optional=None,
        number_optional_nullable=2,
        bool_nullable=False,
        const_optional="fixed",
    )
    return body


def round_trip(body: dict[str, Any]) -> Any:
    decoded = o.decode(o.Matrix, body, strict=True)
    assert o.encode(decoded) == body
    assert json.dumps(o.encode(decoded), sort_keys=True) == json.dumps(body, sort_keys=True)
    return decoded


def test_every_field_present_round_trips() -> None:
    decoded = round_trip(full_body())
    assert decoded.obj_required == o.Leaf(name="leaf")
    assert decoded.number_optional_nullable == 2 and type(decoded.number_optional_nullable) is int


@pytest.mark.parametrize("kind", sorted(VALUES) + ["number", "const", "any"])
def test_optional_fields_left_out_decode_to_unset_and_stay_out(kind: str) -> None:
    body = full_body()
    names = [n for n in body if n.startswith(kind + "_") and "optional" in n]
    assert names
    for name in names:
        del body[name]
    decoded = round_trip(body)
    for name in names:
        assert getattr(decoded, name) is o.UNSET
        assert name not in o.encode(decoded)


@pytest.mark.parametrize("kind", sorted(VALUES) + ["number"])
def test_nullable_fields_given_null_decode_to_none_and_encode_null(kind: str) -> None:
    body = full_body()
    names = [n for n in body if n.startswith(kind + "_") and "nullable" in n]
    assert names
    for name in names:
        body[name] = None
    decoded = round_trip(body)
    for name in names:
        assert getattr(decoded, name) is None
        assert o.encode(decoded)[name] is None


@pytest.mark.parametrize(
    "name",
    [
        "str_required",
        "obj_required",
        "list_required",
        "enum_required",
        "union_required",
        "any_required",
    ],
)
def test_required_field_left_out_is_reported_as_absent(name: str) -> None:
    body = full_body()
    del body[name]
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert caught.value.path == f"$.{name}"
    assert caught.value.found == "nothing (the field is absent)"


@pytest.mark.parametrize(
    "name",
    [
        "str_required",
        "str_optional",
        "obj_required",
        "obj_optional",
        "list_required",
        "enum_required",
        "union_required",
        "const_optional",
    ],
)
def test_null_where_null_is_not_allowed_is_rejected(name: str) -> None:
    body = full_body()
    body[name] = None
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert caught.value.path == f"$.{name}"
    assert caught.value.found == "null"


def test_nullable_primitive_says_null_is_allowed_in_the_message() -> None:
    body = full_body()
    body["str_nullable"] = 5
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert str(caught.value) == "$.str_nullable: expected a string or null, found the number 5"


def test_any_field_accepts_null_but_not_absence() -> None:
    body = full_body()
    body["any_required"] = None
    assert round_trip(body).any_required is None
    del body["any_required"]
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert caught.value.path == "$.any_required"


def test_closed_enum_rejects_unknown_values_even_when_lenient() -> None:
    body = full_body()
    body["enum_optional_nullable"] = "blue"
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert caught.value.path == "$.enum_optional_nullable"
    assert caught.value.expected == 'one of "red", "green"'


def test_untagged_union_is_decided_by_json_kind() -> None:
    body = full_body()
    body["union_required"] = "just text"
    assert round_trip(body).union_required == "just text"
    body["union_required"] = {"name": "an object is neither alternative"}
    with pytest.raises(o.DecodeError) as caught:
        o.decode(o.Matrix, body)
    assert caught.value.path == "$.union_required"
    assert caught.value.expected == "a string or an array"


def test_objects_built_in_python_leave_unset_fields_out() -> None:
    matrix = o.Matrix(
        str_required="s",
        str_nullable=None,
        obj_required=o.Leaf(name="x"),
        obj_nullable=None,
        list_required=[],
        list_nullable=None,
        enum_required="green",
        enum_nullable=None,
        union_required="u",
        union_nullable=None,
        any_required=[1],
        bool_nullable=None,
    )
    assert matrix.to_dict() == {
        "str_required": "s",
        "str_nullable": None,
        "obj_required": {"name": "x"},
        "obj_nullable": None,
        "list_required": [],
        "list_nullable": None,
        "enum_required": "green",
        "enum_nullable": None,
        "union_required": "u",
        "union_nullable": None,
        "any_required": [1],
        "bool_nullable": None,
    }


def test_replace_copies_with_changes_and_leaves_the_original_alone() -> None:
    leaf = o.Leaf(name="a", extra={"x": 1})
    changed = leaf.replace(name="b")
    assert (leaf.name, changed.name) == ("a", "b")
    assert changed.extra == {"x": 1} and type(changed) is o.Leaf
    with pytest.raises(TypeError, match="Leaf has no field colour"):
        leaf.replace(colour="red")


def test_objects_compare_by_value_show_their_fields_and_are_not_hashable() -> None:
    assert o.Leaf(name="a") == o.Leaf(name="a")
    assert o.Leaf(name="a") != o.Leaf(name="b")
    assert o.Leaf(name="a") != o.Leaf(name="a", extra={"x": 1})
    assert repr(o.Leaf(name="a")) == "Leaf(name='a', extra={})"
    with pytest.raises(TypeError):
        hash(o.Leaf(name="a"))
