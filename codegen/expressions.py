"""The Python expressions the intermediate model carries for the templates.

What checks a field's value, what decodes it, what the decoder stores and what the encoder writes
all depend on the kind of its type, whether it may be null, and in which module the code stands.
build_ir decides them here, once, and the templates write the results as they are. Every name
these expressions use is a runtime helper of the generated package, a name the model carries
(checked by pysource.identifier), or a literal made by pysource.string_literal.
"""

from __future__ import annotations

from .ir import KINDS, InlineDecode, ListLoop, OneOfBranch, TypeRef
from .naming import primitive_decoder_name
from .pysource import Identifier, PySource, string_literal


def decoder_ref(ref: TypeRef) -> PySource:
    """The callable that decodes a value of `ref`. Every module imports the names of the others,
    so a decoder is named the same way wherever it is called."""
    if ref.kind == "list":
        assert ref.item is not None
        return PySource(f"list_of({decoder_ref(ref.item)})")
    if ref.kind == "map":
        assert ref.item is not None
        return PySource(f"map_of({decoder_ref(ref.item)})")
    if ref.is_named:
        return PySource(ref.decoder)
    return PySource(primitive_decoder_name(ref.kind))


def decode_call(ref: TypeRef, value: str) -> PySource:
    """An expression decoding the JSON value in the variable `value` as `ref`."""
    if ref.kind == "list":
        assert ref.item is not None
        return PySource(f"decode_list({value}, {decoder_ref(ref.item)}, strict)")
    if ref.kind == "map":
        assert ref.item is not None
        return PySource(f"decode_map({value}, {decoder_ref(ref.item)}, strict)")
    return PySource(f"{decoder_ref(ref)}({value}, strict)")


def inline_decode(ref: TypeRef, value: str) -> InlineDecode | None:
    """How a decoder decodes a field of type `ref` held in `value` in place, or None when it calls
    a decoder: arrays (of anything but free JSON) and untagged unions of a string and such an
    array, the shape of most message contents, are decoded in place."""
    if ref.kind == "list" and not ref.is_free_json:
        return InlineDecode(_list_loop(ref), PySource(""), False, ref.expected)
    if ref.kind != "one_of" or len(ref.alternatives) != 2:
        return None
    string, array = sorted(ref.alternatives, key=lambda alternative: alternative.kind != "string")
    if (string.kind, array.kind) != ("string", "list") or array.is_free_json:
        return None
    return InlineDecode(
        _list_loop(array), PySource(_wrong_value(string, value)), True, ref.expected
    )


def _list_loop(ref: TypeRef) -> ListLoop:
    assert ref.item is not None
    item = ref.item
    if item.kind == "tagged_union":
        return ListLoop(decoder_ref(item), item.table_name, item.tag)
    return ListLoop(decoder_ref(item))


#: The kinds a lazy decoder checks at once; members of the other kinds (objects, unions, arrays,
#: maps, free JSON) are decoded when first read.
_CHECKED_AT_ONCE = frozenset({"const", "string", "integer", "number", "boolean", "enum"})


def is_deferred(ref: TypeRef) -> bool:
    """True when a lazy decoder leaves a member of this type for its first read."""
    return ref.kind not in _CHECKED_AT_ONCE


def lazy_check(ref: TypeRef) -> PySource:
    """What a lazy decoder checks a member's present, non-null value with (see the runtime's
    LazyMember): a constant's values as a tuple, else a callable doing what the eager decoder
    does for the member."""
    if ref.kind == "const":
        items = [string_literal(v) for v in ref.values]
        return PySource(f"({', '.join(items)}{',' if len(items) == 1 else ''})")
    if ref.is_free_json:
        return PySource("decode_json_array" if ref.kind == "list" else "decode_json_object")
    return decoder_ref(ref)


def lazy_expected(ref: TypeRef, expected: str) -> str:
    """The error text a lazy decoder gives a member's value of the wrong kind, as the eager
    decoder's `invalid_test` does; empty where the eager decoder lets its callee's error through."""
    return expected if invalid_test(ref, "value", nullable=False) else ""


def invalid_test(ref: TypeRef, value: str, nullable: bool) -> PySource:
    """A condition true when `value` is not a valid JSON value of a constant, primitive or
    free-JSON kind ("" for kinds that decoding checks instead): its Python class first (a
    constant must be a `str`: another object could claim to equal it), then its value."""
    if ref.kind == "number":
        test = _wrong_value(ref, value)  # is_json_number() checks the class as well
    elif ref.kind in ("const", "string", "integer", "boolean") or ref.is_free_json:
        wrong_class = f"type({value}) is not {KINDS[ref.kind].python_class}"
        wrong_value = _wrong_value(ref, value)
        test = f"{wrong_class} or {wrong_value}" if wrong_value else wrong_class
    else:
        return PySource("")
    if not nullable:
        return PySource(test)
    grouped = f"({test})" if ref.kind in _TESTS_WITH_ALTERNATIVES else test
    return PySource(f"{value} is not None and {grouped}")


# The kinds whose test joins a class check and a value check with `or`: after a null guard it
# needs parentheses.
_TESTS_WITH_ALTERNATIVES = frozenset({"const", "string", "integer"})


def _wrong_value(ref: TypeRef, value: str) -> str:
    """A condition true when `value`, of the kind's Python class, is still not a valid value
    ("" when every value of the class is): strings must be valid Unicode (ASCII, the common case,
    needs no further look), integers short enough for json to write back, numbers finite."""
    if ref.kind == "const":
        if len(ref.values) == 1:
            return f"{value} != {string_literal(ref.values[0])}"
        return f"{value} not in ({', '.join(string_literal(v) for v in ref.values)})"
    if ref.kind == "string":
        return f"not {value}.isascii() and has_lone_surrogate({value})"
    if ref.kind == "integer":
        return f"not JSON_INT_MIN <= {value} <= JSON_INT_MAX"
    if ref.kind == "number":
        return f"not is_json_number({value})"
    return ""


def kept_check(ref: TypeRef, value: str, nullable: bool) -> PySource:
    """The call that checks a value kept as received (`any`, or a list or map of `any`) is JSON
    ("" for other kinds)."""
    if ref.is_free_json and not nullable:
        return PySource(f"check_json_members({value})")  # its container kind is checked already
    if ref.is_free_json or ref.kind == "any":
        return PySource(f"check_json({value})")
    return PySource("")


def stored_value(
    ref: TypeRef, value: str, annotation: str, optional: bool, nullable: bool
) -> PySource:
    """What a decoder stores for a field held in `value`.

    A constant is checked to be a `str` equal to one of its values, which type checkers take as
    plain `str`: a lone value is stored as its literal, and anything else is cast to the field's
    annotation, given as a string so that no typing object is built on every call.
    """
    if ref.kind != "const":
        return PySource(value)
    if not optional and not nullable and len(ref.values) == 1:
        return string_literal(ref.values[0])
    return PySource(f"cast({string_literal(annotation)}, {value})")


def encoded(ref: TypeRef, value: str, nullable: bool) -> PySource:
    """The JSON value of a present field whose Python value `value` gives."""
    written = _encode(ref, value, 0)
    if nullable and not _is_its_own_json(ref):
        return PySource(f"None if {value} is None else {written}")
    return PySource(written)


def _is_its_own_json(ref: TypeRef) -> bool:
    """True when a value is written as it is; containers are copied even when their items are
    their own JSON."""
    return ref.encodes_as_is and ref.kind not in ("list", "map")


def _encode(ref: TypeRef, value: str, depth: int) -> str:
    if ref.kind in ("list", "map") and ref.encodes_as_is:
        return f"{KINDS[ref.kind].python_class}({value})"  # a copy, as for every container
    if ref.kind == "list":
        assert ref.item is not None
        item = f"item{depth}"
        return f"[{_encode(ref.item, item, depth + 1)} for {item} in {value}]"
    if ref.kind == "map":
        assert ref.item is not None
        key, item = f"key{depth}", f"item{depth}"
        return (
            f"{{{key}: {_encode(ref.item, item, depth + 1)} for {key}, {item} in {value}.items()}}"
        )
    if ref.encodes_as_is:
        return value
    if ref.kind == "one_of":
        return _encode_branches(ref.encode_branches, value, depth)
    return f"{value}.to_dict()"


def _encode_branches(branches: tuple[TypeRef, ...], value: str, depth: int) -> str:
    first, rest = branches[0], branches[1:]
    if not rest:
        return _encode(first, value, depth)
    return (
        f"{_encode(first, value, depth)} if isinstance({value}, "
        f"{KINDS[first.kind].instance_check}) else {_encode_branches(rest, value, depth)}"
    )


def json_kind_test(ref: TypeRef, value: str) -> PySource:
    """A condition true when `value` has the JSON kind of `ref` (untagged union dispatch)."""
    if KINDS[ref.kind].json_kind == "number":
        return PySource(f"type({value}) is float or type({value}) is int")
    return PySource(f"type({value}) is {KINDS[ref.kind].python_class}")


def one_of_branch(ref: TypeRef) -> OneOfBranch:
    """How an untagged union's decoder handles the alternative `ref`; its value is in `data`."""
    test = json_kind_test(ref, "data")
    if ref.kind == "const":
        literal = string_literal(ref.values[0])
        return OneOfBranch(test, PySource(_wrong_value(ref, "data")), literal)
    if ref.kind in ("string", "integer", "number", "boolean"):
        return OneOfBranch(test, PySource(_wrong_value(ref, "data")), PySource("data"))
    return OneOfBranch(test, PySource(""), decode_call(ref, "data"))
