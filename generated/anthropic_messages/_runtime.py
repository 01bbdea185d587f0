"""Support code shared by every generated module: the UNSET sentinel, DecodeError, the base
class of all generated types and the decoders of JSON containers and primitives.

Standard library only, so the package can be vendored as it is.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any, ClassVar, Final, Literal, TypeVar

__all__ = ["UNSET", "Unset", "DecodeError", "Model", "encode_value"]

_ModelT = TypeVar("_ModelT", bound="Model")
_ItemT = TypeVar("_ItemT")
Decoder = Callable[[Any, bool], Any]


#: An instance made without running __init__; a decoder then sets every field itself.
new_instance = object.__new__


class Unset(enum.Enum):
    """The type of UNSET, the value of a field that was absent from the JSON object.

    Absent and null differ on the wire: None stands for an explicit JSON null, UNSET for a
    field that was not sent. UNSET is falsy, so `if block.citations:` skips both.
    """

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET


class DecodeError(ValueError):
    """A JSON value does not have the shape the spec describes.

    `path` locates the value in the document (`$.messages[3].content[1].source.type`),
    `expected` says what the spec allows there and `found` describes what was there.
    """

    def __init__(self, expected: str, found: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.found = describe(found)
        # Segments are collected innermost first while the error travels up the decoders.
        self._segments: list[str] = []

    @property
    def path(self) -> str:
        return "$" + "".join(reversed(self._segments))

    def at_key(self, key: str) -> DecodeError:
        """Prefix the path with an object member; returns the error for `raise`."""
        if not isinstance(key, str):  # only from dicts built in Python, never from JSON
            key = repr(key)
        if key.isidentifier():
            self._segments.append("." + key)
        else:
            self._segments.append("[" + json.dumps(key) + "]")
        return self

    def at_index(self, index: int) -> DecodeError:
        """Prefix the path with an array index; returns the error for `raise`."""
        self._segments.append(f"[{index}]")
        return self

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, found {self.found}"

    def __reduce__(self) -> Any:
        # Keep the path when the error is pickled (multiprocessing, logging handlers).
        return (_rebuild_error, (self.expected, self.found, list(self._segments)))


def _rebuild_error(expected: str, found: str, segments: list[str]) -> DecodeError:
    error = DecodeError(expected, None)
    error.found = found
    error._segments = segments
    return error


def describe(value: Any) -> str:
    """A short description of a JSON value for error messages."""
    if value is UNSET:
        return "nothing (the field is absent)"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is str:
        shown = value if len(value) <= 40 else value[:37] + "..."
        return "the string " + json.dumps(shown)
    if type(value) is int or type(value) is float:
        return f"the number {value!r}"
    if type(value) is list:
        return f"an array of {len(value)} item(s)"
    if type(value) is dict:
        keys = ", ".join(json.dumps(k) for k in list(value)[:5])
        more = ", ..." if len(value) > 5 else ""
        return f"an object with keys {keys}{more}" if value else "an empty object"
    return f"a Python {type(value).__name__}, which is not a JSON value"


class Model:
    """Base class of every generated type: conversions to and from JSON values and text,
    equality, repr and replace().

    Generated classes are plain slotted classes whose methods are written out in the source,
    rather than dataclasses: the @dataclass decorator would build them at import time, which
    for hundreds of classes costs a quarter of a second.
    """

    __slots__: ClassVar[tuple[str, ...]] = ()
    #: Decoders by class, filled in when the package is imported.
    _decoders: ClassVar[dict[object, Decoder]] = {}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def replace(self: _ModelT, **changes: Any) -> _ModelT:
        """A shallow copy with some fields changed, like dataclasses.replace()."""
        unknown = sorted(set(changes) - set(self.__slots__))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(unknown)}")
        copy = new_instance(type(self))
        for name in self.__slots__:
            setattr(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for this value, as `json.loads` would give it."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls: type[_ModelT], data: Any, *, strict: bool = False) -> _ModelT:
        """Decode a JSON value (as `json.loads` gives it); raises DecodeError."""
        decoder = Model._decoders.get(cls)
        if decoder is None:
            # Unknown-variant classes have no decoder of their own: their union decides.
            raise TypeError(f"{cls.__name__} cannot be decoded directly; decode its union instead")
        result: _ModelT = decoder(data, strict)
        return result

    @classmethod
    def from_json(cls: type[_ModelT], text: str | bytes, *, strict: bool = False) -> _ModelT:
        """Parse JSON text and decode it; raises DecodeError, also for malformed JSON."""
        return cls.from_dict(parse_json(text), strict=strict)

    def to_json(self) -> str:
        """Compact JSON text for this value; raises ValueError for NaN or infinite numbers."""
        return json.dumps(
            self.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )


def parse_json(text: str | bytes) -> Any:
    """json.loads, with malformed input reported as a DecodeError.

    NaN and Infinity are not JSON, although Python's parser accepts them by default.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, TypeError, RecursionError) as exc:
        error = DecodeError("well-formed JSON text", None)
        error.found = f"text the JSON parser rejects ({exc})"
        raise error from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def encode_value(value: Any) -> Any:
    """The JSON value of any generated object, or of a list or dict holding them."""
    if isinstance(value, Model):
        return value.to_dict()
    if type(value) is list:
        return [encode_value(item) for item in value]
    if type(value) is dict:
        return {key: encode_value(item) for key, item in value.items()}
    return value


def missing_field(data: dict[str, Any], required: tuple[tuple[str, str], ...]) -> DecodeError:
    """The error for the first required member absent from `data` (name, expected text)."""
    for key, expected in required:
        if key not in data:
            return DecodeError(expected, UNSET).at_key(key)
    raise AssertionError("missing_field called with every required member present")


def extra_fields(data: dict[str, Any], known: frozenset[str], strict: bool) -> dict[str, Any]:
    """The members of `data` the spec does not name; strict decoding rejects them."""
    extra = {key: value for key, value in data.items() if key not in known}
    if strict and extra:
        key = next(iter(extra))
        raise DecodeError("no field of this name (strict decoding)", extra[key]).at_key(key)
    return extra


def decode_list(
    data: Any, decode_item: Callable[[Any, bool], _ItemT], strict: bool
) -> list[_ItemT]:
    """Decode a JSON array item by item; errors name the index of the bad item."""
    if type(data) is not list:
        raise DecodeError("an array", data)
    try:
        return [decode_item(item, strict) for item in data]
    except DecodeError:
        # Only on the error path: decode again one by one to learn which item failed.
        for index, item in enumerate(data):
            try:
                decode_item(item, strict)
            except DecodeError as error:
                raise error.at_index(index) from None
        raise


def decode_tagged_list(
    data: Any,
    variants: dict[str, Callable[[Any, bool], _ItemT]],
    tag: str,
    decode_item: Callable[[Any, bool], _ItemT],
    strict: bool,
) -> list[_ItemT]:
    """decode_list for items of a tagged union: each item goes straight to its variant's decoder.

    An item whose tag is missing or unknown goes through the union's own decoder, which knows
    the default variant and what to do with unknown ones. Anything worse (an item that is not an
    object, an unhashable tag, a bad item) ends the fast path, and decode_list decodes the list
    again to report the error with the item's index.
    """
    if type(data) is not list:
        raise DecodeError("an array", data)
    try:
        return [variants.get(item.get(tag), decode_item)(item, strict) for item in data]
    except (AttributeError, TypeError, DecodeError):
        return decode_list(data, decode_item, strict)


def decode_map(
    data: Any, decode_value: Callable[[Any, bool], _ItemT], strict: bool
) -> dict[str, _ItemT]:
    """Decode a JSON object whose members all have the same type."""
    if type(data) is not dict:
        raise DecodeError("an object", data)
    result: dict[str, _ItemT] = {}
    for key, value in data.items():
        try:
            result[key] = decode_value(value, strict)
        except DecodeError as error:
            raise error.at_key(key) from None
    return result


def decode_string(data: Any, strict: bool) -> str:
    if type(data) is not str:
        raise DecodeError("a string", data)
    return data


def decode_integer(data: Any, strict: bool) -> int:
    if type(data) is not int:
        raise DecodeError("an integer", data)
    return data


def decode_number(data: Any, strict: bool) -> float:
    if type(data) is not float and type(data) is not int:
        raise DecodeError("a number", data)
    return data


def decode_boolean(data: Any, strict: bool) -> bool:
    if type(data) is not bool:
        raise DecodeError("true or false", data)
    return data


def decode_any(data: Any, strict: bool) -> Any:
    if data is UNSET:
        raise DecodeError("any JSON value", data)
    return data


def list_of(decode_item: Callable[[Any, bool], _ItemT]) -> Callable[[Any, bool], list[_ItemT]]:
    """A decoder of arrays of one item type, for arrays nested in arrays or maps."""

    def decode(data: Any, strict: bool) -> list[_ItemT]:
        return decode_list(data, decode_item, strict)

    return decode


def map_of(decode_value: Callable[[Any, bool], _ItemT]) -> Callable[[Any, bool], dict[str, _ItemT]]:
    """A decoder of maps of one value type, for maps nested in arrays or maps."""

    def decode(data: Any, strict: bool) -> dict[str, _ItemT]:
        return decode_map(data, decode_value, strict)

    return decode
