"""The pure-Python floor of eager decoding, for `make bench`.

Any decoder that returns one slotted object per JSON object must at least parse the text, read
each member from its dict, make each object and store each member in its slot. `floor_decoder`
writes that much, and nothing else, as one function for one given payload: no calls, no type
checks, no union dispatch, no received key order, no `extra`. No generated decoder can be faster
than it on that payload, so the gap between its row and the decode row is all a decoder could
still win in pure Python, and its own ratio to json.loads says which targets pure Python can
reach at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic_messages as m
from anthropic_messages._runtime import (
    LazyState,
    decode_string,
    extra_fields,
    has_lone_surrogate,
    new_instance,
)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.classes: dict[str, type] = {}
        self.count = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def build(self, value: Any, decoded: Any, source: str) -> str:
        """Statements that rebuild `decoded` from the JSON at `source`; the result's name."""
        if isinstance(decoded, m.Model) and type(value) is dict:
            data, obj = self.fresh("d"), self.fresh("o")
            cls = type(decoded)
            class_name = f"{cls.__name__}_{id(cls)}"
            self.classes[class_name] = cls
            self.lines += [f"{data} = {source}", f"{obj} = new({class_name})"]
            for attribute, wire in _wire_names(cls, value).items():
                member = self.build(value[wire], getattr(decoded, attribute), f"{data}[{wire!r}]")
                self.lines.append(f"{obj}.{attribute} = {member}")
            return obj
        if (
            type(decoded) is list
            and type(value) is list
            and any(isinstance(item, m.Model) for item in decoded)
        ):
            data = self.fresh("d")
            self.lines.append(f"{data} = {source}")
            items = [
                self.build(item, decoded_item, f"{data}[{index}]")
                for index, (item, decoded_item) in enumerate(zip(value, decoded))
            ]
            result = self.fresh("l")
            self.lines.append(f"{result} = [{', '.join(items)}]")
            return result
        return source  # a string, number, boolean, null or free JSON: kept as parsed


def _wire_names(cls: type, value: dict[str, Any]) -> dict[str, str]:
    """The member of `value` behind each slot of `cls` (a slot named after a Python keyword or a
    reserved name ends in "_"; a member this misses only makes the floor lower still)."""
    names = {}
    for attribute in cls.__slots__:
        for wire in (attribute, attribute.rstrip("_")):
            if wire in value and attribute not in ("extra", "_wire"):
                names[attribute] = wire
                break
    return names


def floor_decoder(data: Any, decoded: Any) -> Callable[[Any], Any]:
    """A function that rebuilds `decoded` from a fresh parse of `data`'s JSON, doing the floor's
    work only."""
    writer = _Writer()
    result = writer.build(data, decoded, "data")
    body = "\n".join(f"    {line}" for line in writer.lines)
    source = f"def decode_floor(data):\n{body}\n    return {result}\n"
    namespace: dict[str, Any] = {"new": new_instance, **writer.classes}
    exec(compile(source, "<decode floor>", "exec"), namespace)
    function: Callable[[Any], Any] = namespace["decode_floor"]
    return function


def written_out_lazy_decoder(table: Any, sample: dict[str, Any]) -> Callable[[Any, bool], Any]:
    """A prototype for issue 10's lazy target: the lazy decoder of one class written out as the
    generator writes eager decoders (one statement per member, no loop over its LazyTable), with
    the generic decoder's checks for a valid body. Errors are worded loosely: the prototype is
    timed on valid bodies only. `sample`, decoded once by the generic decoder, readies the
    table that reads of deferred members use."""
    table.decode(sample, False)
    required = [wire for wire, _ in table.required]
    lines = [
        "if type(data) is not dict: raise DecodeError('an object', data)",
        "obj = new(lazy_class)",
    ]
    for wire, attribute, values, *_ in table.members[: table.tag_count]:
        lines += [
            f"value = data.get({wire!r})",
            f"if value not in {values!r}: raise DecodeError('a tag', value)",
            f"obj.{attribute} = value",
        ]
    lines.append("try:")
    lines += [f"    {wire}_ = data[{wire!r}]" for wire in required]
    lines.append("except KeyError: raise DecodeError('present', None)")
    counts = [str(table.tag_count + len(required))]
    for wire, attribute, check, _, nullable, deferred in table.members[table.tag_count :]:
        if deferred:
            if wire not in required:
                counts.append(f"({wire!r} in data)")
            continue
        value, indent = f"{wire}_", ""
        if wire not in required:
            lines += [f"{value} = data.get({wire!r}, UNSET)", f"if {value} is not UNSET:"]
            lines.append(f"    count += 1")
            indent = "    "
        if check is decode_string:
            test = f"type({value}) is str and ({value}.isascii() or not surrogate({value}))"
            if nullable:
                test = f"{value} is None or {test}"
            lines += [f"{indent}if not ({test}): raise DecodeError('a string', {value})"]
            lines.append(f"{indent}obj.{attribute} = {value}")
        elif nullable:
            lines.append(
                f"{indent}obj.{attribute} = None if {value} is None else "
                f"checks[{wire!r}]({value}, strict)"
            )
        else:
            lines.append(f"{indent}obj.{attribute} = checks[{wire!r}]({value}, strict)")
    lines[2:2] = ["count = 0"]
    lines += [
        f"count += {' + '.join(counts)}",
        "obj.extra = {} if len(data) == count else extra_fields(data, known, strict, count)",
        "obj._wire = new_state(LazyState, (data, strict, table, orders[tuple(data)]))",
        "return obj",
    ]
    source = "def decode_lazy(data, strict):\n" + "\n".join(f"    {line}" for line in lines)
    namespace: dict[str, Any] = {
        "new": new_instance,
        "lazy_class": table._lazy_class,
        "DecodeError": m.DecodeError,
        "UNSET": m.UNSET,
        "checks": {member[0]: member[2] for member in table.members},
        "extra_fields": extra_fields,
        "new_state": tuple.__new__,
        "LazyState": LazyState,
        "table": table,
        "known": table.known,
        "orders": table.orders,
        "surrogate": has_lone_surrogate,
    }
    exec(compile(source, "<written-out lazy decoder>", "exec"), namespace)
    function: Callable[[Any, bool], Any] = namespace["decode_lazy"]
    return function
