"""Seeded random instances of a JSON Schema, as pydantic's `TypeAdapter(...).json_schema()` emits it.

Standard library only. `InstanceGenerator(schema).draw(seed)` returns one JSON value (as
`json.loads` would give it) that is valid against `schema`; the same seed always gives the same
value. It is the oracle side of tests/test_sdk_differential.py, which feeds the SDK's own
schemas through our decoders, so it must never produce a value the schema rejects, nor miss a
shape the schema allows:

- every required property is present; each optional one is present with probability
  `optional_probability` (0.5); no property the schema does not name is ever added, even where
  the schema says `additionalProperties: true` (pydantic says so for every SDK response model,
  whose `extra="allow"` config keeps unknown fields; strict decoding must pass on our side).
  Only an object schema without `properties` (a map, `Dict[str, object]`) gets free keys;
- every branch of `anyOf`/`oneOf` (pydantic's discriminated unions: `oneOf` with a
  `discriminator.mapping`), every type of a `type` list and every `enum` value is chosen
  uniformly; `allOf` and `$ref` with sibling keywords are merged;
- arrays hold 0-3 items (within `minItems`/`maxItems`); strings are short, sometimes unicode,
  and follow `format` where it matters (`date-time`, `date`, `time`, `uuid`, `uri`, `email`;
  pydantic's `path`, which the SDK uses for file inputs it base64-encodes, is just a string);
  integers respect `minimum`/`maximum` (and the exclusive forms); a `number` is sometimes an
  int and sometimes a float, always finite; an empty schema (`object` in Python) is any JSON
  value; a property's `default` is used as the value now and then;
- past `max_depth` levels of nesting the generator picks the branch, type or length that needs
  the least nesting (precomputed over `$defs` by a fixpoint) and leaves optional properties
  out, so recursive schemas (content blocks inside tool results inside messages...) terminate.

Keywords that would constrain values beyond the list above (`pattern`, `not`, `if`,
`patternProperties`, `multipleOf`...) raise `UnsupportedSchema` rather than being ignored:
a silently unfaithful oracle would report spec bugs that are not there.
"""

from __future__ import annotations

import copy
import json
import random
import string
from typing import Any

__all__ = ["InstanceGenerator", "UnsupportedSchema"]

# Keywords that describe but never constrain a value.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "discriminator",
        "default",
        "$defs",
        "definitions",
        "contentEncoding",
        "contentMediaType",
    }
)
# Keywords the generator understands.
HANDLED = frozenset(
    {
        "$ref",
        "type",
        "const",
        "enum",
        "anyOf",
        "oneOf",
        "allOf",
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
INFINITY = float("inf")
PLAIN = string.ascii_letters + string.digits + "  _-.,:/"
UNICODE = "éßøñçÅΩжλ漢字日本語한국어🙂👍🏽🚀\u00a0\u200b\n\t\"\\'<>&"
KEY_CHARS = string.ascii_lowercase + "_"
# Order in which types are preferred when the generator must keep a value small.
CHEAP_TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]


class UnsupportedSchema(ValueError):
    """The schema uses a keyword the generator cannot honour."""


class InstanceGenerator:
    """Draws random JSON values valid against one JSON Schema document (with its `$defs`)."""

    def __init__(
        self,
        schema: Any,
        *,
        max_depth: int = 10,
        optional_probability: float = 0.5,
        max_items: int = 3,
        default_probability: float = 0.1,
        unicode_probability: float = 0.15,
    ) -> None:
        self.root = schema
        self.max_depth = max_depth
        self.optional_probability = optional_probability
        self.max_items = max_items
        self.default_probability = default_probability
        self.unicode_probability = unicode_probability
        self._ref_costs: dict[str, float] = {}
        self._cost_cache: dict[int, tuple[Any, float]] = {}
        self._check(schema, "#", set())
        self._solve_ref_costs()

    # --- public ---------------------------------------------------------------------------

    def draw(self, seed: int | str | random.Random) -> Any:
        """One instance; `seed` is a seed for `random.Random` or a generator to draw from."""
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        return self._value(self.root, rng, 0)

    def draw_definition(self, name: str, seed: int | str | random.Random) -> Any:
        """One instance of the document's `$defs[name]`, without building a generator per entry
        (the fixpoint over all `$defs` is the expensive part of building one)."""
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        return self._value({"$ref": f"#/$defs/{name}"}, rng, 0)

    # --- checking and costs ---------------------------------------------------------------

    def _check(self, schema: Any, where: str, seen: set[int]) -> None:
        """Reject keywords the generator does not honour, anywhere in the document."""
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"{where}: a schema must be an object or a boolean")
        if id(schema) in seen:
            return
        seen.add(id(schema))
        unknown = set(schema) - ANNOTATIONS - HANDLED
        if unknown:
            raise UnsupportedSchema(f"{where}: unsupported keyword(s) {sorted(unknown)}")
        for name, sub in schema.get("$defs", {}).items():
            self._check(sub, f"{where}/$defs/{name}", seen)
        for name, sub in schema.get("properties", {}).items():
            self._check(sub, f"{where}/properties/{name}", seen)
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for index, sub in enumerate(schema.get(key, [])):
                self._check(sub, f"{where}/{key}/{index}", seen)
        for key in ("items", "additionalProperties"):
            if key in schema:
                self._check(schema[key], f"{where}/{key}", seen)
        if "$ref" in schema:
            self._resolve(schema["$ref"])
        missing = set(schema.get("required", [])) - set(schema.get("properties", {}))
        if missing:
            raise UnsupportedSchema(f"{where}: required but not described: {sorted(missing)}")

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise UnsupportedSchema(f"only local references are supported, not {ref!r}")
        node = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError):
                raise UnsupportedSchema(f"the reference {ref!r} does not resolve") from None
        return node

    def _solve_ref_costs(self) -> None:
        """Least nesting needed by each referenced schema: iterate to the fixpoint."""
        refs: set[str] = set()
        self._collect_refs(self.root, refs, set())
        self._ref_costs = {ref: INFINITY for ref in refs}
        for _ in range(len(refs) + 2):
            changed = False
            for ref in refs:
                cost = self._cost(self._resolve(ref), cache=False)
                if cost < self._ref_costs[ref]:
                    self._ref_costs[ref] = cost
                    changed = True
            if not changed:
                break
        unbounded = sorted(ref for ref, cost in self._ref_costs.items() if cost == INFINITY)
        if unbounded:
            raise UnsupportedSchema(f"no finite instance exists for {unbounded}")

    def _collect_refs(self, node: Any, refs: set[str], seen: set[int]) -> None:
        if isinstance(node, dict):
            if id(node) in seen:
                return
            seen.add(id(node))
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                self._collect_refs(value, refs, seen)
        elif isinstance(node, list):
            for value in node:
                self._collect_refs(value, refs, seen)

    def _cost(self, schema: Any, *, cache: bool = True) -> float:
        """The least array/object nesting any instance of `schema` needs."""
        if isinstance(schema, bool):
            return 0 if schema else INFINITY
        if cache:
            hit = self._cost_cache.get(id(schema))
            if hit is not None and hit[0] is schema:
                return hit[1]
        cost = self._cost_uncached(schema)
        if cache:
            self._cost_cache[id(schema)] = (schema, cost)
        return cost

    def _cost_uncached(self, schema: dict[str, Any]) -> float:
        parts: list[float] = []
        if "$ref" in schema:
            parts.append(self._ref_costs.get(schema["$ref"], INFINITY))
        for sub in schema.get("allOf", []):
            parts.append(self._cost(sub, cache=False))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                parts.append(min(self._cost(sub, cache=False) for sub in schema[key]))
        if "const" in schema:
            parts.append(_nesting(schema["const"]))
        elif "enum" in schema:
            parts.append(min(_nesting(value) for value in schema["enum"]))
        types = _types(schema)
        if types is not None:
            parts.append(min(self._type_cost(schema, kind) for kind in types))
        return max(parts, default=0)

    def _type_cost(self, schema: dict[str, Any], kind: str) -> float:
        if kind == "array":
            prefix = schema.get("prefixItems", [])
            need = [self._cost(sub, cache=False) for sub in prefix]
            if schema.get("minItems", 0) > len(prefix):
                need.append(self._cost(schema.get("items", True), cache=False))
            return 1 + max(need, default=0)
        if kind == "object":
            properties = schema.get("properties", {})
            need = [
                self._cost(properties[name], cache=False) for name in schema.get("required", [])
            ]
            if not properties and schema.get("minProperties", 0) > 0:
                need.append(self._cost(schema.get("additionalProperties", True), cache=False))
            return 1 + max(need, default=0)
        return 0

    # --- generation -----------------------------------------------------------------------

    def _value(self, schema: Any, rng: random.Random, depth: int) -> Any:
        if schema is True:
            return self._any(rng, depth)
        if schema is False:
            raise UnsupportedSchema("the schema `false` has no instance")
        if "$ref" in schema:
            target = self._resolve(schema["$ref"])
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if not set(rest) - ANNOTATIONS:
                return self._with_default(rest, target, rng, depth)
            return self._value(_merge([rest, target]), rng, depth)
        if "allOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            parts = [self._deref(sub) for sub in schema["allOf"]]
            return self._value(_merge([rest, *parts]), rng, depth)
        return self._with_default(schema, schema, rng, depth)

    def _with_default(
        self, outer: dict[str, Any], schema: Any, rng: random.Random, depth: int
    ) -> Any:
        """Use `default` now and then (it is a value the schema accepts), else generate."""
        if "default" in outer and rng.random() < self.default_probability:
            return copy.deepcopy(outer["default"])
        if schema is not outer:
            return self._value(schema, rng, depth)
        return self._plain(schema, rng, depth)

    def _deref(self, schema: Any) -> Any:
        while isinstance(schema, dict) and set(schema) - ANNOTATIONS == {"$ref"}:
            schema = self._resolve(schema["$ref"])
        return schema

    def _plain(self, schema: dict[str, Any], rng: random.Random, depth: int) -> Any:
        """A schema without `$ref` or `allOf` at its top."""
        deep = depth >= self.max_depth
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branch = self._pick(schema[key], rng, deep)
                rest = {k: v for k, v in schema.items() if k not in (key, "default")}
                if set(rest) - ANNOTATIONS:
                    return self._value(_merge([rest, self._deref(branch)]), rng, depth)
                return self._value(branch, rng, depth)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "enum" in schema:
            return copy.deepcopy(rng.choice(schema["enum"]))
        types = _types(schema)
        if types is None:
            return self._any(rng, depth)
        if len(types) == 1:
            kind = types[0]
        elif deep:
            kind = min(types, key=lambda t: (self._type_cost(schema, t), CHEAP_TYPES.index(t)))
        else:
            kind = rng.choice(types)
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "integer":
            return self._integer(schema, rng)
        if kind == "number":
            return self._number(schema, rng)
        if kind == "string":
            return self._string(schema, rng)
        if kind == "array":
            return self._array(schema, rng, depth)
        if kind == "object":
            return self._object(schema, rng, depth)
        raise UnsupportedSchema(f"unknown type {kind!r}")

    def _pick(self, branches: list[Any], rng: random.Random, deep: bool) -> Any:
        if not deep:
            return rng.choice(branches)
        costs = [self._cost(branch) for branch in branches]
        cheapest = min(costs)
        return rng.choice([b for b, c in zip(branches, costs) if c == cheapest])

    def _object(self, schema: dict[str, Any], rng: random.Random, depth: int) -> dict[str, Any]:
        deep = depth >= self.max_depth
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or (not deep and rng.random() < self.optional_probability):
                result[name] = self._value(sub, rng, depth + 1)
        extra = schema.get("additionalProperties", True)
        if properties or extra is False:
            return result
        # A map: free keys, values from additionalProperties.
        low = schema.get("minProperties", 0)
        high = min(schema.get("maxProperties", low + self.max_items), low + self.max_items)
        count = low if deep else rng.randint(low, high)
        while len(result) < count:
            key = self._key(rng)
            if key not in result:
                result[key] = self._value(extra, rng, depth + 1)
        return result

    def _array(self, schema: dict[str, Any], rng: random.Random, depth: int) -> list[Any]:
        deep = depth >= self.max_depth
        prefix: list[Any] = schema.get("prefixItems", [])
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + self.max_items), low + self.max_items)
        if prefix and schema.get("items") is False:
            high = min(high, len(prefix))
        count = low if deep else rng.randint(low, high)
        items = schema.get("items", True)
        result: list[Any] = []
        attempts = 0
        while len(result) < count:
            sub = prefix[len(result)] if len(result) < len(prefix) else items
            value = self._value(sub, rng, depth + 1)
            if schema.get("uniqueItems") and any(_same(value, other) for other in result):
                attempts += 1
                if attempts > 100:
                    raise UnsupportedSchema("cannot draw enough unique items")
                continue
            result.append(value)
        return result

    def _integer(self, schema: dict[str, Any], rng: random.Random) -> int:
        low, high = _bounds(schema, integer=True)
        style = rng.random()
        if style < 0.3:
            value = rng.randint(0, 10)
        elif style < 0.6:
            value = rng.randint(0, 100_000)
        elif style < 0.8:
            value = rng.randint(0, 2**53)
        else:
            value = -rng.randint(1, 100_000)
        if low is not None and high is not None:
            if low > high:
                raise UnsupportedSchema(f"empty integer range [{low}, {high}]")
            if not low <= value <= high:
                value = rng.randint(int(low), int(high))
        elif low is not None and value < low:
            value = int(low) + abs(value) % 1000
        elif high is not None and value > high:
            value = int(high) - abs(value) % 1000
        return int(value)

    def _number(self, schema: dict[str, Any], rng: random.Random) -> float | int:
        if rng.random() < 0.5:
            return self._integer(schema, rng)
        low, high = _bounds(schema, integer=False)
        lo = low if low is not None else (-1000.0 if high is None else high - 1000.0)
        hi = high if high is not None else lo + (1.0 if rng.random() < 0.5 else 2000.0)
        value = round(rng.uniform(lo, hi), rng.choice([1, 2, 3, 6, 12]))
        exclusive_low = schema.get("exclusiveMinimum")
        exclusive_high = schema.get("exclusiveMaximum")
        if (low is not None and value < low) or (
            exclusive_low is not None and value <= exclusive_low
        ):
            value = (lo + hi) / 2
        if (high is not None and value > high) or (
            exclusive_high is not None and value >= exclusive_high
        ):
            value = (lo + hi) / 2
        return float(value)

    def _string(self, schema: dict[str, Any], rng: random.Random) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            text = _date(rng) + "T" + _time(rng)
        elif fmt == "date":
            text = _date(rng)
        elif fmt == "time":
            text = _time(rng)
        elif fmt == "uuid":
            text = "%08x-%04x-4%03x-%04x-%012x" % (
                rng.getrandbits(32),
                rng.getrandbits(16),
                rng.getrandbits(12),
                0x8000 | rng.getrandbits(14),
                rng.getrandbits(48),
            )
        elif fmt in ("uri", "url", "iri"):
            text = "https://example.com/" + self._text(rng, 0, 6, plain=True)
        elif fmt == "email":
            text = self._text(rng, 1, 6, plain=True, chars=KEY_CHARS) + "@example.com"
        else:
            low = schema.get("minLength", 0)
            high = schema.get("maxLength", max(low, 8))
            return self._text(rng, low, min(high, low + 12))
        if len(text) < schema.get("minLength", 0) or len(text) > schema.get("maxLength", 1 << 30):
            raise UnsupportedSchema(f"format {fmt!r} with length bounds")
        return text

    def _text(
        self, rng: random.Random, low: int, high: int, *, plain: bool = False, chars: str = PLAIN
    ) -> str:
        length = rng.randint(low, high)
        with_unicode = not plain and rng.random() < self.unicode_probability
        return "".join(
            rng.choice(UNICODE) if with_unicode and rng.random() < 0.5 else rng.choice(chars)
            for _ in range(length)
        )

    def _key(self, rng: random.Random) -> str:
        if rng.random() < self.unicode_probability:
            return self._text(rng, 0, 6)
        return self._text(rng, 1, 8, plain=True, chars=KEY_CHARS)

    def _any(self, rng: random.Random, depth: int) -> Any:
        """Any JSON value (for `{}`, `true` and `additionalProperties: true` maps)."""
        kinds = ["null", "boolean", "integer", "number", "string"]
        if depth < self.max_depth:
            kinds += ["array", "object"]
        kind = rng.choice(kinds)
        if kind == "array":
            return [self._any(rng, depth + 1) for _ in range(rng.randint(0, self.max_items))]
        if kind == "object":
            result: dict[str, Any] = {}
            for _ in range(rng.randint(0, self.max_items)):
                result[self._key(rng)] = self._any(rng, depth + 1)
            return result
        return self._plain({"type": kind}, rng, depth)


# --- helpers ----------------------------------------------------------------------------------


def _types(schema: dict[str, Any]) -> list[str] | None:
    """The JSON types a schema allows, or None when it does not say."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        if not kind:
            raise UnsupportedSchema("an empty type list has no instance")
        return list(kind)
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return ["object"]
    if "items" in schema or "prefixItems" in schema or "minItems" in schema:
        return ["array"]
    return None


def _merge(parts: list[Any]) -> dict[str, Any]:
    """The conjunction of object schemas, as far as pydantic's `allOf` needs it."""
    merged: dict[str, Any] = {}
    for part in parts:
        if part is True:
            continue
        if part is False:
            raise UnsupportedSchema("allOf with `false` has no instance")
        for key, value in part.items():
            if key == "properties":
                properties = merged.setdefault("properties", {})
                for name, sub in value.items():
                    if name in properties and properties[name] != sub:
                        properties[name] = {"allOf": [properties[name], sub]}
                    else:
                        properties[name] = sub
            elif key == "required":
                merged["required"] = sorted(set(merged.get("required", [])) | set(value))
            elif key in ANNOTATIONS:
                merged.setdefault(key, value)
            elif key in merged and merged[key] != value:
                if key == "type":
                    left = merged[key] if isinstance(merged[key], list) else [merged[key]]
                    right = value if isinstance(value, list) else [value]
                    merged[key] = [t for t in left if t in right]
                else:
                    raise UnsupportedSchema(f"cannot merge two different {key!r} keywords")
            else:
                merged[key] = value
    if "allOf" in merged:
        raise UnsupportedSchema("nested allOf in a merge")
    return merged


def _bounds(schema: dict[str, Any], *, integer: bool) -> tuple[float | None, float | None]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    step = 1 if integer else 0
    if "exclusiveMinimum" in schema:
        candidate = schema["exclusiveMinimum"] + step
        low = candidate if low is None else max(low, candidate)
    if "exclusiveMaximum" in schema:
        candidate = schema["exclusiveMaximum"] - step
        high = candidate if high is None else min(high, candidate)
    if integer:
        low = None if low is None else -int(-low // 1)  # ceil
        high = None if high is None else int(high // 1)
    return low, high


def _nesting(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_nesting(v) for v in value), default=0)
    return 0


def _same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1970, 2099):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    fraction = rng.choice(["", ".5", f".{rng.randint(0, 999999):06d}"])
    zone = rng.choice(["Z", "+00:00", "-07:00", "+05:30"])
    return clock + fraction + zone
