"""Support code shared by every generated module: the UNSET sentinel, DecodeError, the base
class of all generated types and the decoders of JSON containers and primitives.

Standard library only, so the package can be vendored as it is.

How the generated modules are written, explained here once:

- Every object type is a dataclass (`fields()`, `asdict()`, `replace()` and class patterns work)
  whose `__init__`, `__eq__` and `__repr__` are written out or inherited from Model: having
  @dataclass write them would compile hundreds of functions at import time.
- A decoder follows its class. It checks constant tags first, so that a body of the wrong variant
  says so at once, then reads the required members together, then the optional ones. When the
  object holds only its required members, the optional ones are not looked up at all.
- Decoders make objects with `new_instance` and fill the slots directly: calling the keyword-only
  `__init__` would cost about three times as much.
- A variant of a tagged union has two decoders: `decode_x` checks that the value is an object and
  that its tag is right, then calls `decode_x_after_tag`, which decodes the rest. A union's table
  (`X_VARIANTS`, tag value -> decoder) holds the after-tag ones: the union has already done both
  checks, and each check made twice is paid on every block of every message.
- Arrays are decoded in place by the decoder of the object holding them, item by item, and so are
  the members that hold a string or an array (message contents): a helper call and a function per
  array cost more than the loop. A bad item's index is the number of items decoded before it.
  For an array of a tagged union, the loop looks the item's tag up in the union's table itself
  and calls the union's decoder only for what the table does not settle (not an object, a tag
  that is not a string or not known, a default variant), which reports errors as usual.
- A decoder ends by looking the object's member order up in its type's KeyOrders cache
  (`_X_ORDERS[tuple(data)]`): empty when the order is the one the encoder writes, else the order
  received, which `to_dict` then writes back (see in_received_order).
- The class modules use each other's types, so each imports the others at its end, once its own
  classes and functions exist, and only then the unions module (whose aliases need every class).
  A module that starts another from its end finds it complete, or partly run with all its classes
  and functions defined; so whichever class module is imported first, every import succeeds, and
  `typing.get_type_hints()` finds every name an annotation uses. The unions module must come
  after the class modules have started: the package's `__init__`, which Python always runs
  first, imports it last.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, Generic, Literal, TypeVar

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

    def at_key(self, key: Any) -> DecodeError:
        """Prefix the path with an object member; returns the error for `raise`."""
        if type(key) is not str:  # only from dicts built in Python, never from JSON
            self._segments.append("[" + _describe_key(key) + "]")
        else:
            self._segments.append(key_segment(key))
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


def key_segment(key: str) -> str:
    """What an object member adds to a JSON path (`.name`, or `["a key"]` when it is not an
    identifier)."""
    return "." + key if key.isidentifier() else "[" + json.dumps(key) + "]"


def _rebuild_error(expected: str, found: str, segments: list[str]) -> DecodeError:
    error = DecodeError(expected, None)
    error.found = found
    error._segments = segments
    return error


#: JSON text can hold integers of any size, but Python's json module writes and reads at most
#: 4300 digits by default; larger ones could be decoded here and then fail to encode.
JSON_INT_MAX: Final = 10**4300 - 1
JSON_INT_MIN: Final = -JSON_INT_MAX
#: How deeply the arrays and objects of a value kept as received (`any` members, unknown members,
#: unknown variants) may nest. Typed members nest only as deep as the spec's types, so this
#: bound keeps every decoded value within reach of the recursive encoders and json.dumps.
MAX_NESTING: Final = 200


def describe(value: Any) -> str:
    """A short description of a value for error messages; never fails, whatever the value."""
    if value is UNSET:
        return "nothing (the field is absent)"
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        if has_lone_surrogate(value):
            return "a string holding a lone surrogate (not valid Unicode)"
        shown = value if len(value) <= 40 else value[:37] + "..."
        return "the string " + json.dumps(shown)
    if kind is int:
        if -(10**40) < value < 10**40:
            return f"the number {value}"
        if JSON_INT_MIN <= value <= JSON_INT_MAX:
            return f"an integer of {len(str(abs(value)))} digits"
        return "an integer of more than 4300 digits"
    if kind is float:
        if math.isfinite(value):
            return f"the number {value!r}"
        return f"{value!r}, which is not a JSON number"
    if kind is list:
        return f"an array of {len(value)} item(s)"
    if kind is dict:
        if not value:
            return "an empty object"
        keys = ", ".join(_describe_key(key) for key in list(value)[:5])
        more = ", ..." if len(value) > 5 else ""
        return f"an object with keys {keys}{more}"
    return f"a Python {kind.__name__}, which is not a JSON value"


def _describe_key(key: Any) -> str:
    """An object member's name as paths and messages show it. A key that is not a valid string
    is shown by its type alone: its own repr() could fail or take any time."""
    if type(key) is str and not has_lone_surrogate(key):
        return json.dumps(key if len(key) <= 40 else key[:37] + "...")
    if type(key) is str:
        return "<a string with a lone surrogate>"
    return f"<{type(key).__name__}>"


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a code point between U+D800 and U+DFFF that is not part of a
    character: JSON escapes such as `\\ud83d` produce them, and UTF-8 cannot encode them."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_json_number(value: Any) -> bool:
    """True for an int or float that JSON text can hold and json.dumps can write back."""
    if type(value) is int:
        return JSON_INT_MIN <= value <= JSON_INT_MAX
    return type(value) is float and math.isfinite(value)


def check_json(value: Any, depth: int = 0, path: set[int] | None = None) -> None:
    """Raise DecodeError, with the path, unless `value` is a JSON value as json.loads gives it:
    str (valid Unicode), finite float, int of at most 4300 digits, bool, None, and lists and
    dicts with str keys of those, nested at most MAX_NESTING levels and never inside themselves.
    """
    kind = type(value)
    if kind is dict or kind is list:
        check_json_members(value, depth, path)
    elif not (
        value is None
        or kind is bool
        or (kind is str and not has_lone_surrogate(value))
        or is_json_number(value)
    ):
        raise DecodeError("a JSON value", value)


#: From this depth on, the containers on the way down are remembered by id, so that a Python
#: value holding itself is caught at its second visit rather than walked MAX_NESTING levels
#: deep (200 times its width). Real values rarely get this deep, and pay nothing above it.
_WATCH_CYCLES_FROM: Final = 16


def check_json_members(
    value: dict[Any, Any] | list[Any], depth: int = 0, path: set[int] | None = None
) -> None:
    """check_json for a value known to be a dict or a list; `path` holds the ids of the
    containers above it, once the walk is deep enough to watch for cycles."""
    if depth >= MAX_NESTING:
        raise DecodeError(f"at most {MAX_NESTING} levels of nested arrays and objects", value)
    if depth >= _WATCH_CYCLES_FROM:
        if path is None:
            path = set()
        elif id(value) in path:
            raise DecodeError("a value that does not contain itself", value)
        path.add(id(value))
    members: Iterable[tuple[Any, Any]]
    if type(value) is dict:
        for key in value:
            if type(key) is not str or not key.isascii() and has_lone_surrogate(key):
                raise DecodeError("a member name (a valid Unicode string)", key).at_key(key)
        members = value.items()
    else:
        members = enumerate(value)
    for position, item in members:
        kind = type(item)
        # Strings, small numbers and literals are most members: checked here without a call.
        if kind is str:
            if item.isascii() or not has_lone_surrogate(item):
                continue
        elif kind is int:
            if JSON_INT_MIN <= item <= JSON_INT_MAX:
                continue
        elif item is None or kind is bool:
            continue
        try:
            check_json(item, depth + 1, path)
        except DecodeError as error:
            if type(position) is int:
                raise error.at_index(position) from None
            raise error.at_key(position) from None
    if path is not None:
        path.discard(id(value))


class Model:
    """Base class of every generated type: conversions to and from JSON values and text,
    equality, repr and replace()."""

    __slots__: ClassVar[tuple[str, ...]] = ("_wire",)
    #: The order its members came in, when it differs from the one the encoder writes (empty
    #: otherwise), so that a decoded body is sent again with its keys in their order. An object
    #: decoded with `lazy=True` holds a LazyState here instead (typed as the common case so that
    #: encoders need no cast).
    _wire: tuple[str, ...]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) and _decoded_as(other) is not _decoded_as(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def replace(self: _ModelT, **changes: Any) -> _ModelT:
        """A shallow copy with some fields changed: dataclasses.replace()."""
        unknown = sorted(set(changes) - set(self.__slots__))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(unknown)}")
        copy: _ModelT = dataclasses.replace(self, **changes)  # type: ignore[type-var]
        wire = getattr(self, "_wire", ())
        copy._wire = wire.order if type(wire) is LazyState else wire  # the copy is decoded
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for this value, as `json.loads` would give it."""
        raise NotImplementedError

    @classmethod
    def from_dict(
        cls: type[_ModelT], data: Any, *, strict: bool = False, lazy: bool = False
    ) -> _ModelT:
        """Decode a JSON value (as `json.loads` gives it); raises DecodeError.

        With `lazy=True` only the members holding strings, numbers, booleans, constants and enum
        values are checked now; each member holding an object, array or map is decoded when it
        is first read, and raises then what eager decoding would have raised at once.

        Every generated class has its own; unknown-variant classes use their union's decoder.
        """
        raise TypeError(f"{cls.__name__} cannot be decoded directly; decode its union instead")

    @classmethod
    def from_json(
        cls: type[_ModelT], text: str | bytes, *, strict: bool = False, lazy: bool = False
    ) -> _ModelT:
        """Parse JSON text and decode it; raises DecodeError, also for malformed JSON."""
        return cls.from_dict(parse_json(text), strict=strict, lazy=lazy)

    def to_json(self) -> str:
        """Compact JSON text for this value, as UTF-8 would carry it (no ASCII escapes)."""
        return write_json(self.to_dict())


#: Compact JSON text, as UTF-8 would carry it (no ASCII escapes); NaN and infinities raise.
write_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def run_decoder(decoder: Callable[[Any, bool], _ItemT], data: Any, strict: bool) -> _ItemT:
    """Call a decoder from an entry point of the package: whatever `data` is, only DecodeError
    comes out.

    Values kept as received nest at most MAX_NESTING levels and typed ones as deep as the spec's
    types, so only a caller already deep in its own stack can run out of recursion here. Other
    exceptions can come only from Python objects with methods of their own that fail (a key whose
    `__eq__` raises, found by a dict lookup); the original stays attached as the cause.
    """
    try:
        return decoder(data, strict)
    except DecodeError:
        raise
    except Exception as exc:
        raise _unexpected(exc, data) from (None if type(exc) is RecursionError else exc)


def _unexpected(exc: Exception, data: Any) -> DecodeError:
    """The DecodeError standing for an exception other than DecodeError out of a decoder."""
    if type(exc) is RecursionError:
        return DecodeError("a value this call stack can decode", data)
    error = DecodeError("plain JSON values (dict, list, str, int, float, bool, None)", None)
    error.found = f"a Python object whose own method raised {type(exc).__name__}"
    return error


#: How a lazy decoder checks one member: (wire name, attribute, check, expected, nullable,
#: deferred). `check` is the member's decoder, or the tuple of a constant's values; `expected`,
#: when not empty, is the text of the error raised for a value of the wrong kind (it says "or
#: null" where the member may be null). A deferred member is decoded when it is first read.
LazyMember = tuple[str, str, "Decoder | tuple[str, ...]", str, bool, bool]


#: One member a lazy decoder checks: (wire name, attribute, the class of its plain values or
#: None, check, expected, nullable, deferred), as in LazyMember.
_LazyStep = tuple[str, str, "type | None", "Decoder | tuple[str, ...]", str, bool, bool]
#: A LazyTable's plan for one member order: its steps, how many members are unknown, the order.
_LazyPlan = tuple[tuple[_LazyStep, ...], int, tuple[str, ...]]


class LazyTable(Generic[_ModelT]):
    """What `from_dict(..., lazy=True)` needs to know of one class: its members, in the order
    its eager decoder checks them (constant tags, the other required members, the optional
    ones), and the tables that decoder shares with its encoder.

    Each generated module builds the tables of its classes at its end, once the decoders of the
    other modules are imported. Classes whose members are all cheap to check have none: their
    eager decoder does no more than a lazy one would.
    """

    __slots__ = (
        "cls",
        "members",
        "tag_count",
        "required",
        "known",
        "orders",
        "_by_attribute",
        "_by_wire",
        "_required_wires",
        "_plans",
        "_written",
        "_lazy_class",
    )

    def __init__(
        self,
        cls: type[_ModelT],
        members: tuple[LazyMember, ...],
        tag_count: int,
        required: tuple[tuple[str, str], ...],
        orders: KeyOrders,
    ) -> None:
        self.cls = cls
        self.members = members
        self.tag_count = tag_count
        self.required = required  # (wire name, expected) of the required members after the tags
        self.known = orders.positions  # the class's members, where its encoder writes each
        self.orders = orders
        # Built by the first lazy decode, to keep the import cheap: the members after the tags
        # by wire name (with the class of their plain values), every member by attribute.
        self._by_wire: dict[str, _LazyStep] | None = None
        self._by_attribute: dict[str, LazyMember] = {}
        self._required_wires: frozenset[str] = frozenset()
        self._plans: dict[tuple[str, ...], _LazyPlan] = {}
        self._written: list[tuple[str, str]] | None = None
        self._lazy_class: type[_ModelT] | None = None

    def decode(self, data: Any, strict: bool) -> _ModelT:
        """Check what is cheap to check, with the errors of the eager decoder, and leave the
        members holding objects, arrays and maps (and the absent ones) for their first read."""
        if type(data) is not dict:
            raise DecodeError("an object", data)
        obj = new_instance(self._lazy_class or self._make_lazy_class())
        members = self.members
        setter = object.__setattr__
        for index in range(self.tag_count):
            wire, attribute, values, expected, nullable, _ = members[index]
            value = data.get(wire, UNSET)
            # A tag is a constant: its `values` are a tuple of strings.
            wrong = type(value) is not str or value not in values  # type: ignore[operator]
            if wrong and (value is not None or not nullable):
                raise DecodeError(expected, value).at_key(wire)
            setter(obj, attribute, value)
        keys = tuple(data)
        steps, unknown_count, order = self._plans.get(keys) or self._plan(keys)
        for wire, attribute, plain, check, expected, nullable, deferred in steps:
            value = data[wire]
            kind = type(value)
            if (
                kind is plain
                and (kind is not str or value.isascii())
                and (kind is not int or JSON_INT_MIN <= value <= JSON_INT_MAX)
            ):
                setter(obj, attribute, value)  # the common case, checked without a call
            elif value is None and nullable:
                setter(obj, attribute, None)
            elif value is UNSET and wire not in self._required_wires:
                unknown_count += 1  # an optional member holding UNSET: extra_fields raises
            elif not deferred:
                try:
                    value = _check_member(check, expected, value, strict, wire)
                except DecodeError:
                    raise self._first_error(data, strict) from None
                setter(obj, attribute, value)
        if unknown_count:
            setter(obj, "extra", extra_fields(data, self.known, strict, len(keys) - unknown_count))
        else:
            setter(obj, "extra", {})
        obj._wire = _new_state(LazyState, (data, strict, self, order))
        return obj

    def _plan(self, keys: tuple[str, ...]) -> _LazyPlan:
        """What decoding an object with the members `keys`, in that order, checks: each known
        member after the tags, in the order received (only an error needs the spec's order),
        how many members are unknown, and the order to keep. Raises for a missing member."""
        by_wire = self._by_wire
        if by_wire is None:
            by_wire = self._by_wire = {
                wire: (
                    wire,
                    attribute,
                    _PLAIN_CLASS.get(check),
                    check,
                    expected,
                    nullable,
                    deferred,
                )
                for wire, attribute, check, expected, nullable, deferred in self.members[
                    self.tag_count :
                ]
            }
            self._by_attribute = {member[1]: member for member in self.members}
            self._required_wires = frozenset(wire for wire, _ in self.required)
        present = set(keys)
        for wire, _ in self.required:
            if wire not in present:
                raise missing_field(dict.fromkeys(keys), self.required)
        steps = tuple(by_wire[key] for key in keys if key in by_wire)
        plan = (steps, len(keys) - self.tag_count - len(steps), self.orders[keys])
        if len(self._plans) < _ORDERS_KEPT:  # bounded as the order caches are
            self._plans[keys] = plan
        return plan

    def _make_lazy_class(self) -> type[_ModelT]:
        """The subclass lazily decoded objects belong to (see _lazy_getattr for why one)."""
        base = self.cls

        def make_plain(cls: type, *args: Any, **kwargs: Any) -> Any:
            # What replace() and dataclasses.replace() make is an ordinary object of the class.
            return base(*args, **kwargs)

        namespace = {
            "__slots__": (),
            "__module__": base.__module__,
            "__qualname__": base.__qualname__,
            "__doc__": base.__doc__,
            "__new__": make_plain,
            "__getattr__": _lazy_getattr,
            "__reduce_ex__": _lazy_reduce_ex,
            "to_dict": _lazy_to_dict,
            "_decoded_as": base,
        }
        lazy_class: type[_ModelT] = type(base.__name__, (base,), namespace)
        # It adds no slot, but Model's methods read the names of the fields from `__slots__`.
        lazy_class.__slots__ = base.__slots__
        self._lazy_class = lazy_class
        return lazy_class

    def _first_error(self, data: dict[str, Any], strict: bool) -> DecodeError:
        """The error of the first wrong member the eager decoder would meet, among those a lazy
        decoder checks at once."""
        for wire, _, check, expected, nullable, deferred in self.members[self.tag_count :]:
            value = data.get(wire, UNSET)
            absent = value is UNSET and wire not in self._required_wires
            if deferred or absent or (value is None and nullable):
                continue
            try:
                _check_member(check, expected, value, strict, wire)
            except DecodeError as error:
                return error
        raise AssertionError("_first_error called on members that are all right")

    def written(self) -> list[tuple[str, str]]:
        """(wire name, attribute) of every member, in the order the class's encoder writes them."""
        if self._written is None:
            known = self.known
            members = sorted(self.members, key=lambda member: known[member[0]])
            self._written = [(member[0], member[1]) for member in members]
        return self._written


def _check_member(
    check: Decoder | tuple[str, ...], expected: str, value: Any, strict: bool, wire: str
) -> Any:
    """A member's value checked (and decoded) as its eager decoder does, with the same errors."""
    if type(check) is tuple:
        if type(value) is not str or value not in check:
            raise DecodeError(expected, value).at_key(wire)
        return value
    try:
        return check(value, strict)  # type: ignore[operator]
    except DecodeError as error:
        # An error without a path is about the value itself: the eager decoder words it as the
        # member's `expected` text (with "or null" when it may be null).
        if expected and not error._segments:
            error = DecodeError(expected, value)
        raise error.at_key(wire) from None


# A lazily decoded object is an instance of a subclass of its class, made at the first lazy
# decode of the class, with the same name and the methods below. Giving every generated class a
# __getattr__ instead would cost eager code too: CPython's specialized attribute reads apply only
# to types without one (a third more time to encode, measured).


def _decoded_as(obj: object) -> type[Any]:
    """The generated class of an object, lazily decoded or not."""
    kind = type(obj)
    plain: type[Any] = kind.__dict__.get("_decoded_as", kind)
    return plain


def _lazy_getattr(obj: Model, name: str) -> Any:
    # Reached only when the slot `name` is empty: a member left for its first read.
    if name != "_wire":
        state = obj._wire
        if type(state) is LazyState:
            return state.load(obj, name)
    raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")


def _lazy_to_dict(obj: Model) -> dict[str, Any]:
    state = obj._wire
    if type(state) is LazyState:
        return state.encode(obj)
    encoded: dict[str, Any] = _decoded_as(obj).to_dict(obj)
    return encoded


def _lazy_reduce_ex(obj: Model, protocol: Any) -> Any:
    # Copies and pickles are ordinary objects, decoded again from this one's JSON (the class
    # made at run time could not be found by name when unpickling).
    return (_decoded_as(obj).from_dict, (obj.to_dict(),))


class LazyState(tuple[Any, ...]):
    """What a lazily decoded object keeps in its `_wire` slot: the JSON object it was decoded
    from (its members left for later are decoded from it, and copied from it by the encoder
    while unread), whether decoding is strict, the class's LazyTable and the received order (as
    `_wire` holds it otherwise). A tuple, as that is the cheapest object to make."""

    __slots__ = ()

    @property
    def order(self) -> tuple[str, ...]:
        return self[3]  # type: ignore[no-any-return]

    def load(self, obj: Model, name: str) -> Any:
        """Decode the member behind attribute `name`, store it in its slot and return it."""
        data, strict, table, _ = self
        member = table._by_attribute.get(name)
        if member is None:
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")
        wire, _, check, expected, _, _ = member
        value = data.get(wire, UNSET)
        # An absent member reads as UNSET; a present one is decoded now, as is UNSET standing
        # for a required member (the caller put it there): its decoder rejects it.
        if value is not UNSET or wire in table._required_wires:
            try:
                value = _check_member(check, expected, value, strict, wire)
            except DecodeError:
                raise
            except Exception as exc:  # as run_decoder does
                raise _unexpected(exc, value).at_key(wire) from None
        object.__setattr__(obj, name, value)
        return value

    def encode(self, obj: Model) -> dict[str, Any]:
        """The object's JSON: the members still unread as received, the others encoded, in the
        order an eagerly decoded object would write them."""
        data, _, table, order = self
        out: dict[str, Any] = {}
        for wire, attribute in table.written():
            try:
                value = object.__getattribute__(obj, attribute)
            except AttributeError:  # not read yet: absent, or as received
                if wire in data:
                    out[wire] = data[wire]
                continue
            if value is not UNSET:
                out[wire] = encode_value(value)
        if obj.extra:  # type: ignore[attr-defined]
            add_extra(obj, out, table.known)
        return in_received_order(out, order) if order else out


_new_state = tuple.__new__


def decode_json_array(data: Any, strict: bool) -> list[Any]:
    """An array of free JSON values, kept as received."""
    if type(data) is not list:
        raise DecodeError("an array", data)
    check_json_members(data)
    return data


def decode_json_object(data: Any, strict: bool) -> dict[str, Any]:
    """An object of free JSON values, kept as received."""
    if type(data) is not dict:
        raise DecodeError("an object", data)
    check_json_members(data)
    return data


def split_beta_header(values: str | Iterable[str]) -> list[str]:
    """The beta names of one anthropic-beta header value (comma-separated) or of several. A str
    is one header value, never a collection of names (which would be its characters)."""
    texts = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"anthropic-beta values are str, not {type(text).__name__}")
        names += [name.strip() for name in text.split(",") if name.strip()]
    return names


def parse_json(text: str | bytes) -> Any:
    """json.loads, with malformed input reported as a DecodeError.

    What the parser accepts but JSON does not allow (NaN, Infinity, numbers too large for a
    float, lone surrogates) is rejected by the decoders, which can name its path.
    """
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        error = DecodeError("well-formed JSON text", None)
        error.found = f"text the JSON parser rejects ({exc})"
        raise error from None


def encode_value(value: Any) -> Any:
    """The JSON value of any generated object, or of a list or dict holding them."""
    if isinstance(value, Model):
        return value.to_dict()
    if type(value) is list:
        return [encode_value(item) for item in value]
    if type(value) is dict:
        return {key: encode_value(item) for key, item in value.items()}
    return value


def encode_checked(value: Any, unknown_variants: dict[type, Decoder], strict: bool) -> Any:
    """encode_value, then decode the result again, so that an object built by hand with values of
    the wrong type raises DecodeError (with the path) instead of sending a body the API rejects.

    A generated class decodes its own JSON; `unknown_variants` maps each unknown-variant class to
    the decoder of its union.
    """
    try:
        data = encode_value(value)
    except RecursionError:
        raise DecodeError("objects that do not contain themselves", value) from None
    except (AttributeError, TypeError, ValueError) as exc:
        raise _unencodable(value, exc) from None
    _recheck(value, data, unknown_variants, strict)
    return data


def _recheck(value: Any, data: Any, unknown_variants: dict[type, Decoder], strict: bool) -> None:
    if isinstance(value, Model):
        # A subclass of a generated class is checked as the class it extends.
        union = next(
            (unknown_variants[c] for c in type(value).__mro__ if c in unknown_variants), None
        )
        if union is not None:
            run_decoder(union, data, strict)
        else:
            type(value).from_dict(data, strict=strict)
    elif type(value) is list:
        for index, item in enumerate(value):
            try:
                _recheck(item, data[index], unknown_variants, strict)
            except DecodeError as error:
                raise error.at_index(index) from None
    elif type(value) is dict:
        for key, item in value.items():
            try:
                _recheck(item, data[key], unknown_variants, strict)
            except DecodeError as error:
                raise error.at_key(key) from None
    else:
        check_json(data)


def _unencodable(value: Any, exc: BaseException) -> DecodeError:
    """The error for a value whose encoding raised: it names the innermost generated object
    whose encoder fails, by its path of attribute names and indexes."""
    segments: list[str] = []
    node = value
    while True:
        for segment, child in _members(node):
            try:
                encode_value(child)
            except (AttributeError, TypeError, ValueError) as inner:
                segments.append(segment)
                node, exc = child, inner
                break
        else:
            break
    error = DecodeError("members of the types its class declares", None)
    try:
        reason = f"{type(exc).__name__}: {exc}"
    except Exception:  # an exception whose text cannot be built still names its type
        reason = type(exc).__name__
    error.found = f"a {type(node).__name__} that cannot be encoded ({reason})"
    error._segments = segments[::-1]
    return error


def _members(node: Any) -> list[tuple[str, Any]]:
    """The values inside a generated object or container, with their path segments."""
    if isinstance(node, Model):
        return [("." + name, getattr(node, name)) for name in node.__slots__]
    if type(node) is list:
        return [(f"[{index}]", item) for index, item in enumerate(node)]
    if type(node) is dict:
        return [("[" + _describe_key(key) + "]", item) for key, item in node.items()]
    return []


def expected_one_of(values: Iterable[str]) -> str:
    """What an error expects where a value must be one of `values` (a tag table's keys, say):
    built only when raising, as such a list can run to thousands of characters."""
    shown = [json.dumps(value, ensure_ascii=False) for value in values]
    if not shown:  # a union whose variants are all beta, in a stable-channel package
        return "a value of a known variant (there is none)"
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)


def missing_field(data: dict[str, Any], required: tuple[tuple[str, str], ...]) -> DecodeError:
    """The error for the first required member absent from `data` (name, expected text)."""
    for key, expected in required:
        if key not in data:
            return DecodeError(expected, UNSET).at_key(key)
    raise AssertionError("missing_field called with every required member present")


def extra_fields(
    data: dict[str, Any], known: dict[str, int], strict: bool, seen: int
) -> dict[str, Any]:
    """The members of `data` the spec does not name; strict decoding rejects them.

    They are kept as received, so they must be JSON: a string key and a JSON value. `seen` is
    how many members the decoder read: with the unknown ones they make up every member, unless
    a member the spec names holds UNSET (possible only in a dict built in Python).
    """
    extra = {key: value for key, value in data.items() if key not in known}
    for key, value in extra.items():
        if type(key) is not str or has_lone_surrogate(key):
            raise DecodeError("a member name (a valid Unicode string)", key).at_key(key)
        if strict:
            raise DecodeError("no field of this name (strict decoding)", value).at_key(key)
        try:
            check_json(value)
        except DecodeError as error:
            raise error.at_key(key) from None
    if len(extra) + seen != len(data):
        key = next(key for key in known if data.get(key, None) is UNSET)
        unset = DecodeError("a JSON value", None)
        unset.found = "UNSET, which stands for an absent member and is not a JSON value"
        raise unset.at_key(key)
    return extra


#: How many member orders of its own each object type remembers; past that (only a body built to
#: vary them would get there) an order is worked out again each time.
_ORDERS_KEPT: Final = 64


class KeyOrders(dict[tuple[str, ...], tuple[str, ...]]):
    """One object type's cache of the member orders its decoder has met: `orders[tuple(data)]` is
    the order to keep for an object received with the members of `data`, empty when it is the
    one the type's encoder writes (members at their `positions`, then unknown ones as received),
    else the order received. A new order is worked out once and remembered, up to _ORDERS_KEPT."""

    __slots__ = ("positions",)

    def __init__(self, positions: dict[str, int]) -> None:
        super().__init__()
        self.positions = positions  # the type's members, at the position its encoder writes each

    def __missing__(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        positions = self.positions
        last = len(positions)
        written = tuple(sorted(keys, key=lambda key: positions.get(key, last)))
        order = () if written == keys else keys
        if len(self) < _ORDERS_KEPT:
            self[keys] = order
        return order


#: Each received member order met by an encoder, as a dict of its keys (all None): copying a small
#: dict then updating it costs half of what dict.fromkeys(order) then update() does. Bounded, so
#: that bodies built to vary their orders cannot grow it; past that, orders are built each time.
_ORDER_TEMPLATES: Final[dict[tuple[str, ...], dict[str, None]]] = {}
_TEMPLATES_KEPT: Final = 4096


def in_received_order(out: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The encoded object `out` with its members in the order they were received; members the
    received object did not have (set since) follow in the order the encoder wrote them."""
    template = _ORDER_TEMPLATES.get(order)
    if template is None:
        template = dict.fromkeys(order)
        if len(_ORDER_TEMPLATES) < _TEMPLATES_KEPT:
            _ORDER_TEMPLATES[order] = template
    ordered: dict[str, Any] = template.copy()
    ordered.update(out)
    if len(ordered) != len(out):  # a received member is gone (its field was unset since)
        ordered = {key: out[key] for key in order if key in out}
        ordered.update(out)
    return ordered


def add_extra(obj: Model, out: dict[str, Any], known: dict[str, int]) -> None:
    """Write the unknown members an object carries into its JSON object `out`.

    A member the type defines must be set through its attribute: letting `extra` overwrite it
    would send a value the attribute does not show (or a tag of another type).
    """
    for key, value in obj.extra.items():  # type: ignore[attr-defined]
        if key in known:
            raise ValueError(
                f"{type(obj).__name__}.extra holds {_describe_key(key)}, a member the type "
                "defines; set its attribute instead"
            )
        out[key] = value


def decode_list(
    data: Any, decode_item: Callable[[Any, bool], _ItemT], strict: bool
) -> list[_ItemT]:
    """Decode a JSON array item by item; errors name the index of the bad item."""
    if type(data) is not list:
        raise DecodeError("an array", data)
    out: list[_ItemT] = []
    append = out.append
    try:
        for item in data:
            append(decode_item(item, strict))
    except DecodeError as error:
        raise error.at_index(len(out)) from None
    return out


def decode_map(
    data: Any, decode_value: Callable[[Any, bool], _ItemT], strict: bool
) -> dict[str, _ItemT]:
    """Decode a JSON object whose members all have the same type."""
    if type(data) is not dict:
        raise DecodeError("an object", data)
    result: dict[str, _ItemT] = {}
    for key, value in data.items():
        if type(key) is not str or has_lone_surrogate(key):
            raise DecodeError("a member name (a valid Unicode string)", key).at_key(key)
        try:
            result[key] = decode_value(value, strict)
        except DecodeError as error:
            raise error.at_key(key) from None
    return result


def decode_string(data: Any, strict: bool) -> str:
    if type(data) is not str or has_lone_surrogate(data):
        raise DecodeError("a string", data)
    return data


def decode_integer(data: Any, strict: bool) -> int:
    if type(data) is not int or not JSON_INT_MIN <= data <= JSON_INT_MAX:
        raise DecodeError("an integer", data)
    return data


def decode_number(data: Any, strict: bool) -> float:
    if not is_json_number(data):
        raise DecodeError("a number", data)
    return data  # type: ignore[no-any-return]


def decode_boolean(data: Any, strict: bool) -> bool:
    if type(data) is not bool:
        raise DecodeError("true or false", data)
    return data


def decode_any(data: Any, strict: bool) -> Any:
    check_json(data)
    return data


#: The Python class of the values of the primitive members a lazy decoder checks without a call
#: (when they are ASCII strings, or integers JSON can hold), by the member's decoder.
_PLAIN_CLASS: Final[dict[Any, type]] = {
    decode_string: str,
    decode_integer: int,
    decode_boolean: bool,
}


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
