"""The inputs of the fuzzer (tests/fuzz.py): targets, seed corpus, mutations and JSON text.

Every input is a pure function of `(run seed, input index)` and of the corpus, which is itself
deterministic, so `make_case(corpus, seed, index)` rebuilds any input a run reported.

- Targets: every class and union the package's `decode()` accepts; the root types
  get `ROOT_SHARE` of the inputs, the rest is spread evenly.
- Seeds: the recorded payloads in tests/payloads (plus batch envelopes built around them), every
  object inside them (a seed of its own class and of the unions holding that class), and
  instances drawn from the JSON Schema export by tests/schema_instances.py. Each seed is decoded
  once and annotated with what the decoded object says about it: where the objects are with their
  required and constant members, where open-enum strings and `any` values sit. Mutations use
  that to aim (delete a required key, replace a tag or enum value, nest deeply inside `any`).
- Mutations work on the JSON value, copying only the containers on the mutated path, so a seed is
  never changed. Entry points that take Python values also get Python-only mutations (odd keys,
  tuples, sets, subclasses, cycles); entry points that take text get text-level corruption.
"""

from __future__ import annotations

import json
import math
import random
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any, Literal, Union

from tests.schema_instances import InstanceGenerator
from tests.support import GENERATED, PAYLOADS, messages

m = messages()
Model = m.Model
MAX_NESTING: int = getattr(m._runtime, "MAX_NESTING", 200)
#: Ints with more digits than this do not convert to text (CPython's int_max_str_digits).
MAX_INT_DIGITS = 4300
BIG_INT_LIMIT = 10**MAX_INT_DIGITS  # the smallest int with 4301 digits

ROOT_NAMES = (
    "MessageCreateParams",
    "Message",
    "MessageStreamEvent",
    "MessageCountTokensParams",
    "MessageTokensCount",
    "ErrorResponse",
    "BatchCreateParams",
    "MessageBatch",
    "MessageBatchIndividualResponse",
    "DeletedMessageBatch",
    "ContentBlock",
    "ContentBlockParam",
)
#: Share of the inputs that go to the root types; the other types share the rest evenly.
ROOT_SHARE = 0.4
#: Instances drawn from the JSON Schema per target (half with most optional members present).
SCHEMA_DRAWS = 6
#: For the roots, the DEEP_KEPT most deeply nested of DEEP_DRAWS more instances are seeds too.
DEEP_DRAWS = 200
DEEP_KEPT = 4
#: At most this many objects found inside the payloads become seeds of one class.
PART_SEEDS = 8
PAYLOAD_KINDS = {
    "request": "MessageCreateParams",
    "message": "Message",
    "stream": "MessageStreamEvent",
    "count_tokens": "MessageCountTokensParams",
    "tokens_count": "MessageTokensCount",
    "error": "ErrorResponse",
}

JsonPath = tuple[Any, ...]
ENTRIES = ("decode", "from_dict", "from_json:str", "from_json:bytes")
PYTHON_ENTRIES = ("decode", "from_dict")


# --- Python values that are not JSON -----------------------------------------------------------
# Module-level classes, so that a reproduction file can build them with `tests.fuzz_inputs`.


class StrSub(str):
    """A str subclass: equal to, and hashed like, the plain string."""


class IntSub(int):
    """An int subclass."""


class FloatSub(float):
    """A float subclass."""


class DictSub(dict):  # type: ignore[type-arg]
    """A dict subclass."""


class ListSub(list):  # type: ignore[type-arg]
    """A list subclass."""


class Opaque:
    """An arbitrary Python object, with an ordinary repr."""

    def __repr__(self) -> str:
        return "Opaque()"


class Unprintable:
    """A dict key whose repr() and str() raise: error messages must not stumble on it."""

    def __repr__(self) -> str:
        raise RuntimeError("repr of an Unprintable key")

    def __str__(self) -> str:
        raise RuntimeError("str of an Unprintable key")


def self_list() -> list[Any]:
    """A list that contains itself."""
    loop: list[Any] = []
    loop.append(loop)
    return loop


def with_self_key(data: dict[Any, Any], key: str) -> dict[Any, Any]:
    """`data` with `data[key] = data` added: a cycle through an unknown member."""
    data[key] = data
    return data


def nested_lists(depth: int, inner: Any) -> Any:
    """`inner` wrapped in `depth` single-item lists."""
    for _ in range(depth):
        inner = [inner]
    return inner


def nested_dicts(depth: int, inner: Any) -> Any:
    """`inner` wrapped in `depth` one-member objects `{"a": ...}`."""
    for _ in range(depth):
        inner = {"a": inner}
    return inner


class RawJSON:
    """JSON text spliced verbatim into the rendered document (text entry points only), for what
    `json.dumps` cannot write: `1e999`, `Infinity`, ints of 5000 digits, very deep nesting."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"RawJSON({shown!r})"


# --- types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    tp: Any
    is_class: bool


def _public_names() -> dict[int, str]:
    return {id(value): name for name, value in vars(m).items() if not name.startswith("_")}


def decodable_types() -> list[Any]:
    """What `decode()` accepts: the classes that decode themselves, and the unions."""
    public = [value for name, value in vars(m).items() if not name.startswith("_")]
    classes = [
        tp
        for tp in public
        if isinstance(tp, type) and tp is not m.Model and "from_dict" in vars(tp)
    ]
    return classes + list(m._UNION_DECODERS)


def all_targets() -> list[Target]:
    names = _public_names()
    targets = [
        Target(names[id(tp)], tp, isinstance(tp, type))
        for tp in decodable_types()
        if id(tp) in names
    ]
    return sorted(targets, key=lambda target: target.name)


_HINTS: dict[type, list[tuple[str, Any]]] = {}
_NAMESPACE = dict(vars(m))


def class_fields(cls: type) -> list[tuple[str, Any]]:
    """(slot, type hint) of every field of a generated class but `extra`, in slot order."""
    cached = _HINTS.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls, localns=_NAMESPACE)
        cached = [(slot, hints[slot]) for slot in cls.__slots__ if slot not in ("extra", "raw")]
        _HINTS[cls] = cached
    return cached


def union_args(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) is Union or isinstance(hint, UnionType):
        return typing.get_args(hint)
    return (hint,)


def literal_values(hint: Any) -> set[Any]:
    return {
        value
        for arg in union_args(hint)
        if typing.get_origin(arg) is Literal
        for value in typing.get_args(arg)
    }


def is_open_enum(hint: Any) -> bool:
    """A string field that lists its values but keeps unknown ones (`Literal[...] | str`)."""
    return str in union_args(hint) and bool(literal_values(hint))


def is_required(hint: Any) -> bool:
    return m.Unset not in union_args(hint)


def container_arg(hint: Any, origin: type, position: int) -> Any:
    """The item type of the `list[...]` (or value type of the `dict[...]`) in a union hint."""
    for arg in union_args(hint):
        if typing.get_origin(arg) is origin:
            return typing.get_args(arg)[position]
    return None


def is_unknown_variant(cls: type) -> bool:
    return cls.__slots__ == ("raw",) and cls.__name__.startswith("Unknown")


def unknown_tag_key(cls: type) -> str:
    """The discriminator an Unknown… class exposes as a property (`type`, `role`, ...)."""
    for name, member in vars(cls).items():
        if isinstance(member, property):
            return name
    return "type"


def json_key(slot: str, data: dict[Any, Any]) -> str:
    """The JSON member of a slot: `from_` holds `from` (names that are Python keywords)."""
    if slot not in data and slot.endswith("_") and slot[:-1] in data:
        return slot[:-1]
    return slot


# --- seeds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectInfo:
    path: JsonPath
    required: tuple[str, ...]
    constants: tuple[str, ...]
    #: The generated class decoded there (None for an Unknown… variant).
    cls: type | None = None


@dataclass
class Seed:
    value: Any
    origin: str
    nodes: list[JsonPath] = field(default_factory=list)
    dicts: list[JsonPath] = field(default_factory=list)
    lists: list[JsonPath] = field(default_factory=list)
    strings: list[JsonPath] = field(default_factory=list)
    numbers: list[JsonPath] = field(default_factory=list)
    objects: list[ObjectInfo] = field(default_factory=list)
    enums: list[JsonPath] = field(default_factory=list)
    anys: list[JsonPath] = field(default_factory=list)
    #: The typed values (not inside an `any` one) under the most levels of arrays.
    deepest: list[JsonPath] = field(default_factory=list)


def annotate(target: Target, value: Any, origin: str) -> Seed | None:
    """A seed of `target`, or None when lenient decoding rejects the value."""
    try:
        obj = m.decode(target.tp, value)
    except m.DecodeError:
        return None
    seed = Seed(value, origin)
    _walk_json(value, (), seed)
    _walk_typed(obj, target.tp, value, (), seed)
    anys = set(seed.anys)
    typed = [p for p in seed.nodes if not any(p[:n] in anys for n in range(len(p) + 1))]
    most = max(path_arrays(path) for path in typed)
    seed.deepest = [path for path in typed if path_arrays(path) == most]
    return seed


def array_depth(value: Any) -> int:
    """The most arrays nested in one another in `value`."""
    if isinstance(value, dict):
        return max((array_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((array_depth(item) for item in value), default=0)
    return 0


def path_arrays(path: JsonPath) -> int:
    """How many arrays a path goes through."""
    return sum(type(step) is int for step in path)


def _walk_json(value: Any, path: JsonPath, seed: Seed) -> None:
    seed.nodes.append(path)
    if type(value) is dict:
        seed.dicts.append(path)
        for key, item in value.items():
            _walk_json(item, path + (key,), seed)
    elif type(value) is list:
        seed.lists.append(path)
        for index, item in enumerate(value):
            _walk_json(item, path + (index,), seed)
    elif type(value) is str:
        seed.strings.append(path)
    elif type(value) in (int, float):
        seed.numbers.append(path)


def _walk_typed(obj: Any, hint: Any, data: Any, path: JsonPath, seed: Seed) -> None:
    if Any in union_args(hint):
        seed.anys.append(path)
    elif isinstance(obj, Model):
        cls = type(obj)
        if is_unknown_variant(cls):
            tag = unknown_tag_key(cls)
            seed.objects.append(ObjectInfo(path, (tag,), (tag,)))
            seed.anys.extend(path + (key,) for key in data if key != tag)
            return
        fields = class_fields(cls)
        required = tuple(json_key(slot, data) for slot, hint in fields if is_required(hint))
        constants = tuple(
            json_key(slot, data) for slot, hint in fields if typing.get_origin(hint) is Literal
        )
        seed.objects.append(ObjectInfo(path, required, constants, cls))
        for slot, field_hint in fields:
            key = json_key(slot, data)
            if key in data:
                _walk_typed(getattr(obj, slot), field_hint, data[key], path + (key,), seed)
        seed.anys.extend(path + (key,) for key in obj.extra)
    elif type(obj) is list and type(data) is list:
        item_hint = container_arg(hint, list, 0)
        if item_hint is not None:
            for index, (item, item_data) in enumerate(zip(obj, data)):
                _walk_typed(item, item_hint, item_data, path + (index,), seed)
    elif type(obj) is dict and type(data) is dict:
        value_hint = container_arg(hint, dict, 1)
        if value_hint is not None:
            for key, item_data in data.items():
                _walk_typed(obj[key], value_hint, item_data, path + (key,), seed)
    elif type(obj) is str and is_open_enum(hint):
        seed.enums.append(path)


def _strip_extensions(node: Any) -> Any:
    """The export without its `x-...` annotations, which the instance generator refuses."""
    if isinstance(node, list):
        return [_strip_extensions(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-"):
            continue
        if key in ("properties", "$defs"):
            out[key] = {name: _strip_extensions(sub) for name, sub in value.items()}
        elif key in ("const", "enum", "default", "examples"):
            out[key] = value
        else:
            out[key] = _strip_extensions(value)
    return out


@dataclass
class Vocabulary:
    """Words of the spec, for mutations that swap in a known but wrong name or value."""

    tags: list[str]
    field_names: list[str]
    enum_values: list[str]


def _vocabulary(definitions: dict[str, Any]) -> Vocabulary:
    tags: set[str] = set()
    names: set[str] = set()
    enums: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if isinstance(node.get("const"), str):
                tags.add(node["const"])
            enums.update(value for value in node.get("enum", []) if isinstance(value, str))
            names.update(node.get("properties", {}))
            for key, value in node.items():
                if key not in ("const", "enum", "default", "examples"):
                    visit(value)

    visit(definitions)
    return Vocabulary(sorted(tags), sorted(names), sorted(enums))


@dataclass
class Corpus:
    targets: list[Target]
    seeds: dict[str, list[Seed]]
    vocabulary: Vocabulary
    roots: list[Target]
    others: list[Target]
    #: Depth of the deepest typed (non-`any`) nesting: how far below the document root an `any`
    #: value can start.
    typed_depth: int
    #: Seeds of each class found at any depth of any seed, the most deeply nested first.
    donors: dict[type, list[Seed]] = field(default_factory=dict)
    rejected_seeds: int = 0


def _payload_values() -> list[tuple[str, str, Any]]:
    """(root type name, origin, value) of every recorded payload, stable and beta."""
    found = []
    for base in (PAYLOADS, PAYLOADS / "beta"):
        for kind, root in PAYLOAD_KINDS.items():
            for path in sorted((base / kind).glob("*.json")):
                data = json.loads(path.read_text(encoding="utf-8"))
                origin = str(path.relative_to(PAYLOADS))
                items = data if kind == "stream" else [data]
                found.extend((root, f"{origin}[{i}]", item) for i, item in enumerate(items))
    return found


def _batch_envelopes(payloads: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """Batch bodies built around recorded requests, responses and errors."""
    built = []
    for root, origin, value in payloads:
        if root == "MessageCreateParams":
            body = {"requests": [{"custom_id": "req-1", "params": value}]}
            built.append(("BatchCreateParams", f"batch around {origin}", body))
        elif root == "Message":
            result = {"type": "succeeded", "message": value}
            line = {"custom_id": "req-1", "result": result}
            built.append(("MessageBatchIndividualResponse", f"batch line around {origin}", line))
        elif root == "ErrorResponse":
            line = {"custom_id": "req-1", "result": {"type": "errored", "error": value}}
            built.append(("MessageBatchIndividualResponse", f"batch line around {origin}", line))
    return built


def _objects_inside(obj: Any, found: list[Any]) -> None:
    """Every decoded object under `obj` (Unknown… variants excluded), depth first."""
    if isinstance(obj, Model):
        if not is_unknown_variant(type(obj)):
            found.append(obj)
            for slot, _ in class_fields(type(obj)):
                _objects_inside(getattr(obj, slot), found)
    elif type(obj) is list:
        for item in obj:
            _objects_inside(item, found)
    elif type(obj) is dict:
        for item in obj.values():
            _objects_inside(item, found)


def build_corpus(schema_draws: int = SCHEMA_DRAWS, part_seeds: int = PART_SEEDS) -> Corpus:
    targets = all_targets()
    by_name = {target.name: target for target in targets}
    schema = _strip_extensions(json.loads((GENERATED / "jsonschema" / "beta.json").read_text()))
    definitions = schema["$defs"]
    document = {"$defs": definitions, "anyOf": [{"$ref": f"#/$defs/{t}"} for t in by_name]}
    generators = [
        InstanceGenerator(document),
        InstanceGenerator(document, optional_probability=0.9, max_items=4),
    ]
    # The unions each class belongs to, so a class's seeds also serve its unions.
    unions_of: dict[type, list[str]] = {}
    for target in targets:
        if not target.is_class:
            for member in union_args(target.tp):
                if isinstance(member, type):
                    unions_of.setdefault(member, []).append(target.name)

    candidates: dict[str, list[tuple[str, Any]]] = {target.name: [] for target in targets}
    payloads = _payload_values()
    for root, origin, value in payloads + _batch_envelopes(payloads):
        candidates[root].append((origin, value))
    # Parts of the payloads: each object found inside becomes a seed of its class.
    parts: dict[str, list[tuple[str, Any]]] = {}
    for root, origin, value in payloads:
        try:
            decoded = m.decode(by_name[root].tp, value)
        except m.DecodeError:
            continue
        inside: list[Any] = []
        _objects_inside(decoded, inside)
        for obj in inside:
            cls = type(obj)
            for name in [by_name_of(cls, by_name)] + unions_of.get(cls, []):
                if name is not None:
                    parts.setdefault(name, []).append((f"part of {origin}", obj.to_dict()))
    for name, found in parts.items():
        # Evenly spaced picks keep variety (first and last blocks of different payloads).
        step = max(1, len(found) // part_seeds)
        candidates[name].extend(found[::step][:part_seeds])
    corpus_rejects = 0
    for target in targets:
        for index in range(schema_draws):
            generator = generators[index % len(generators)]
            drawn = generator.draw_definition(target.name, f"{target.name}/{index}")
            candidates[target.name].append((f"schema draw {index}", drawn))
        if target.name in ROOT_NAMES:
            candidates[target.name].extend(_deep_draws(target, generators[1]))

    seeds: dict[str, list[Seed]] = {}
    for target in targets:
        annotated = [annotate(target, value, origin) for origin, value in candidates[target.name]]
        kept = [seed for seed in annotated if seed is not None]
        corpus_rejects += len(annotated) - len(kept)
        seeds[target.name] = kept
    usable = [target for target in targets if seeds[target.name]]
    roots = [by_name[name] for name in ROOT_NAMES if name in by_name and seeds[name]]
    others = [target for target in usable if target.name not in ROOT_NAMES]
    donors: dict[type, list[Seed]] = {}
    for target in usable:
        if target.is_class:
            ranked = sorted(seeds[target.name], key=lambda seed: -_typed_arrays(seed))
            donors[target.tp] = ranked
    return Corpus(
        usable,
        seeds,
        _vocabulary(definitions),
        roots,
        others,
        max(_typed_depths(definitions).values()),
        donors,
        corpus_rejects,
    )


def _typed_arrays(seed: Seed) -> int:
    return path_arrays(seed.deepest[0]) if seed.deepest else 0


def _typed_depths(definitions: dict[str, Any]) -> dict[str, int]:
    """For each `$defs` entry, the deepest nesting of arrays and objects its schema describes
    (an `any` value counts 0). The spec has no recursive types, so this terminates."""
    depths: dict[str, int] = {}

    def of_reference(name: str) -> int:
        if name not in depths:
            depths[name] = of_schema(definitions[name])
        return depths[name]

    def of_schema(node: Any) -> int:
        if not isinstance(node, dict):
            return 0
        deepest = 0
        if "$ref" in node:
            deepest = of_reference(node["$ref"].rsplit("/", 1)[-1])
        for key in ("anyOf", "oneOf", "allOf"):
            deepest = max([deepest] + [of_schema(branch) for branch in node.get(key, [])])
        if node.get("type") == "object" or "properties" in node:
            inner = [of_schema(sub) for sub in node.get("properties", {}).values()]
            inner.append(of_schema(node.get("additionalProperties")))
            deepest = max(deepest, 1 + max(inner))
        if node.get("type") == "array" or "items" in node:
            deepest = max(deepest, 1 + of_schema(node.get("items")))
        return deepest

    for name in definitions:
        of_reference(name)
    return depths


def _deep_draws(target: Target, generator: InstanceGenerator) -> list[tuple[str, Any]]:
    """The most deeply nested of many draws (arrays counted outside `any` values): an error
    under many levels of arrays is where a decoder's error path can cost more than its input."""
    draws = [
        (f"deep schema draw {index}", generator.draw_definition(target.name, f"deep/{index}"))
        for index in range(DEEP_DRAWS)
    ]
    # array_depth is cheap but counts `any` values too; annotate only the likely ones.
    draws.sort(key=lambda draw: -array_depth(draw[1]))
    depths = []
    for origin, value in draws[: DEEP_KEPT * 4]:
        seed = annotate(target, value, origin)
        if seed is not None and seed.deepest:
            depths.append((_typed_arrays(seed), origin, value))
    depths.sort(key=lambda entry: -entry[0])
    return [(origin, value) for _, origin, value in depths[:DEEP_KEPT]]


def by_name_of(cls: type, by_name: dict[str, Target]) -> str | None:
    target = by_name.get(cls.__name__)
    return target.name if target is not None and target.tp is cls else None


# --- paths -----------------------------------------------------------------------------------

MISSING = object()


def get_at(value: Any, path: JsonPath) -> Any:
    for step in path:
        if type(value) is dict or isinstance(value, dict):
            if step not in value:
                return MISSING
            value = value[step]
        elif isinstance(value, list) and type(step) is int and step < len(value):
            value = value[step]
        else:
            return MISSING
    return value


def set_at(value: Any, path: JsonPath, new: Any) -> Any:
    """A copy of `value` with the node at `path` replaced (or added, for an object member); only
    the containers on the path are copied. The path's parent must exist (check with get_at)."""
    if not path:
        return new
    step, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    # The last step may name a member the object does not have yet.
    copy[step] = set_at(value[step], rest, new) if rest else new
    # A subclass put there by an earlier mutation stays a subclass.
    return copy if type(copy) is type(value) else type(value)(copy)


def delete_at(value: Any, path: JsonPath) -> Any:
    """A copy of `value` without the member or item at `path` (which must exist)."""
    parent = get_at(value, path[:-1])
    if isinstance(parent, dict):
        smaller: Any = {k: v for k, v in parent.items() if k != path[-1]}
    else:
        smaller = parent[: path[-1]] + parent[path[-1] + 1 :]
    return set_at(value, path[:-1], smaller)


#: Upper bound of the size (see size_of) of what a huge_list mutation builds: about 6 MB of text.
MAX_SIZE = 100_000


def size_of(value: Any, limit: int) -> int:
    """Rough size of `value`: one per JSON value, plus one per 64 characters of a string or of
    spliced text, counted up to `limit`."""
    size = 0
    stack = [value]
    while stack and size < limit:
        node = stack.pop()
        size += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            size += len(node) // 64
        elif isinstance(node, RawJSON):
            size += len(node.text) // 64
    return size


# --- mutations -------------------------------------------------------------------------------


@dataclass
class Case:
    """One input: a target, an entry point and the value or text handed to it."""

    index: int
    target: Target
    entry: str
    value: Any
    text: str | bytes | None = None
    mutations: list[str] = field(default_factory=list)
    seed_origin: str = ""
    #: Set when the input must decode (its only change keeps it valid), with the reason.
    must_accept: str | None = None
    #: How the text was rendered from `value`, so a smaller value can be rendered the same way.
    render: dict[str, Any] = field(default_factory=dict)
    text_corrupted: bool = False


#: Numbers at and past the edges: too big for text, not finite, negative zero, bool for int.
ODD_NUMBERS = (
    10**5000,
    -(10**5000),
    10**MAX_INT_DIGITS,  # 4301 digits: one too many
    10**MAX_INT_DIGITS - 1,  # 4300 digits: the largest that converts
    2**64,
    -(2**63) - 1,
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    1e308,
    5e-324,
    True,
    1.0,
    0.5,
)
#: The same in JSON text, where `json.loads` turns `1e999` into inf and `NaN` into nan.
ODD_NUMBER_TEXTS = (
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" + "0" * 5000,
    "-" + "9" * 4301,
    "9" * MAX_INT_DIGITS,
    "1E400",
    "1e-400",
    "-0",
    "-0.0",
    "1.0",
    "18446744073709551616",
    "true",
)


class Mutator:
    """Applies mutations to one case's value; each returns False when it does not apply."""

    def __init__(self, rng: random.Random, seed: Seed, python: bool, corpus: Corpus) -> None:
        self.rng = rng
        self.seed = seed
        self.python = python
        self.words = corpus.vocabulary
        self.donors = corpus.donors
        self.value = seed.value
        self.names: list[str] = []
        # Grafts add objects (and may add deeper values) that later mutations can aim at.
        self.objects = list(seed.objects)
        self.deepest = list(seed.deepest)

    # helpers

    def _pick(self, paths: list[JsonPath], kind: type | None = None) -> JsonPath | None:
        """A path of the seed that still exists in the mutated value (and still holds a `kind`:
        an earlier mutation may have replaced the node)."""
        for _ in range(3):
            if not paths:
                return None
            path = self.rng.choice(paths)
            node = get_at(self.value, path)
            if node is not MISSING and (kind is None or isinstance(node, kind)):
                return path
        return None

    def _replace(self, path: JsonPath, new: Any) -> None:
        self.value = set_at(self.value, path, new)

    def _small_json(self) -> Any:
        rng = self.rng
        return rng.choice(
            [None, True, False, 0, -1, 7, 2.5, "", "x", "fuzz", [], {}, [1, "a"], {"k": "v"}]
        )

    def _number(self) -> Any:
        if self.python:
            return self.rng.choice(ODD_NUMBERS)
        return RawJSON(self.rng.choice(ODD_NUMBER_TEXTS))

    # structural mutations

    def delete_key(self) -> bool:
        rng = self.rng
        if self.objects and rng.random() < 0.7:
            info = rng.choice(self.objects)
            keys = list(info.required) or list(info.constants)
            parent = get_at(self.value, info.path)
            if not keys or not isinstance(parent, dict):
                return False
            key = rng.choice(keys)
            if key not in parent:
                return False
            self.value = delete_at(self.value, info.path + (key,))
            return True
        path = self._pick(self.seed.dicts, dict)
        if path is None:
            return False
        node = get_at(self.value, path)
        if not node:
            return False
        self.value = delete_at(self.value, path + (rng.choice(list(node)),))
        return True

    def change_kind(self) -> bool:
        return self._change_kind(self._pick(self.seed.nodes))

    def deep_change_kind(self) -> bool:
        """change_kind at one of the most deeply nested values: an error found under many
        levels of arrays must not cost much more than one found at the top."""
        return self._change_kind(self._pick(self.deepest))

    def _change_kind(self, path: JsonPath | None) -> bool:
        if path is None:
            return False
        old = get_at(self.value, path)
        options = [
            None,
            True,
            0,
            1.5,
            "",
            "text",
            [],
            {},
            [old],
            {"type": old},
        ]
        new = self.rng.choice([o for o in options if type(o) is not type(old)])
        self._replace(path, new)
        return True

    def unknown_tag(self) -> bool:
        infos = [info for info in self.objects if info.constants]
        if not infos:
            return False
        info = self.rng.choice(infos)
        key = self.rng.choice(info.constants)
        if get_at(self.value, info.path + (key,)) is MISSING:
            return False
        new = self.rng.choice(
            [
                "fuzz_unknown_tag",
                "",
                "TEXT",
                "text ",
                0,
                None,
                ["text"],
                self.rng.choice(self.words.tags),
            ]
        )
        self._replace(info.path + (key,), new)
        return True

    def unknown_field(self) -> bool:
        rng = self.rng
        if self.objects and rng.random() < 0.7:
            path: JsonPath | None = rng.choice(self.objects).path
        else:
            path = self._pick(self.seed.dicts, dict)
        if path is None:
            return False
        node = get_at(self.value, path)
        if not isinstance(node, dict):
            return False
        key = rng.choice(
            ["fuzz_field", "", "type ", "__proto__", "ünïcødé", "a" * 300, "\u0000"]
            + [rng.choice(self.words.field_names)]
        )
        if key in node:
            return False
        self._replace(path + (key,), self._small_json())
        return True

    def unknown_enum(self) -> bool:
        path = self._pick(self.seed.enums)
        if path is None:
            return False
        old = get_at(self.value, path)
        new = self.rng.choice(
            [
                "fuzz_enum_value",
                "",
                old.upper() if isinstance(old, str) else "X",
                self.rng.choice(self.words.enum_values),
            ]
        )
        self._replace(path, new)
        return True

    def graft(self) -> bool:
        """Replace an object by another seed of its class, the more deeply nested the likelier:
        payload parts meet schema draws, and documents grow deeper than any single seed."""
        return self._graft() is not None

    def deep_graft(self) -> bool:
        """Graft at one of the most deeply nested objects, one to three times (each graft
        reaching into the previous one), then break the most deeply nested value (see
        deep_change_kind)."""
        grafted = False
        for _ in range(self.rng.randint(1, 3)):
            grafted = self._graft(deep=True) is not None or grafted
        if grafted:
            # Applied once a graft changed the value, even if nothing could be broken.
            self._change_kind(self._pick(self.deepest))
        return grafted

    def _graft(self, deep: bool = False) -> tuple[JsonPath, Seed] | None:
        infos = [info for info in self.objects if info.cls in self.donors]
        if not infos:
            return None
        if deep:
            most = max(path_arrays(info.path) for info in infos)
            infos = [info for info in infos if path_arrays(info.path) == most]
        info = self.rng.choice(infos)
        if get_at(self.value, info.path) is MISSING:
            return None
        donors = self.donors[info.cls]  # type: ignore[index]
        # Deepest first: a triangular pick favours the front of the list.
        donor = donors[min(int(self.rng.triangular(0, len(donors), 0)), len(donors) - 1)]
        self._replace(info.path, donor.value)
        self.objects.extend(replace(inner, path=info.path + inner.path) for inner in donor.objects)
        deeper = [info.path + path for path in donor.deepest]
        if deeper and (not self.deepest or path_arrays(deeper[0]) > path_arrays(self.deepest[0])):
            self.deepest = deeper
        return info.path, donor

    def transplant(self) -> bool:
        """Copy one subtree of the value over another: valid parts in the wrong place."""
        source = self._pick(self.seed.nodes)
        destination = self._pick(self.seed.nodes)
        if source is None or destination is None:
            return False
        self._replace(destination, get_at(self.value, source))
        return True

    def list_items(self) -> bool:
        path = self._pick(self.seed.lists, list)
        if path is None:
            return False
        items = get_at(self.value, path)
        if not isinstance(items, list):
            return False
        choice = self.rng.random()
        if choice < 0.4 or not items:
            new = items + [self.rng.choice(items) if items else self._small_json()]
        elif choice < 0.7:
            new = items[1:]
        else:
            new = items[::-1]
        self._replace(path, new)
        return True

    def numbers(self) -> bool:
        path = self._pick(self.seed.numbers or self.seed.nodes)
        if path is None:
            return False
        self._replace(path, self._number())
        return True

    def strings(self) -> bool:
        """Strings the parser may hand over but that are not Unicode text (lone surrogates), or
        that stress escaping."""
        path = self._pick(self.seed.strings or self.seed.nodes)
        if path is None:
            return False
        old = get_at(self.value, path)
        base = old if isinstance(old, str) else "x"
        extra = self.rng.choice(
            ["\ud800", "\udfff", "\udc00\ud800", "\ud83d\ude00", "\x00", "\ufeff", "\u2028", '"\\']
        )
        spot = self.rng.randint(0, len(base))
        self._replace(path, base[:spot] + extra + base[spot:])
        return True

    def surrogate_key(self) -> bool:
        path = self._pick(self.seed.dicts, dict)
        if path is None:
            return False
        self._replace(path + ("key\udc80",), 1)
        return True

    # size mutations

    def long_string(self) -> bool:
        path = self._pick(self.seed.strings or self.seed.nodes)
        if path is None:
            return False
        size = self._size() * self.rng.choice([1, 1, 1, 10])
        unit = self.rng.choice(["a", "漢", '"', "\\", "\n", "🙂"])
        self._replace(path, unit * size)
        return True

    def _size(self) -> int:
        """Mostly thousands, now and then a hundred thousand: big enough to show a cost that
        grows faster than the input, rare enough for a million inputs to fit in minutes."""
        return self.rng.choices([1_000, 10_000, 100_000], weights=[60, 32, 8])[0]

    def huge_list(self) -> bool:
        rng = self.rng
        size = self._size()
        path = self._pick(self.seed.lists, list)
        if path is not None and rng.random() < 0.8:
            items = get_at(self.value, path)
            if items:
                # Repeat the list's own items, but keep the total size bounded.
                per_item = max(1, size_of(items, MAX_SIZE) // len(items))
                size = max(len(items) + 1, min(size, MAX_SIZE // per_item))
                self._replace(path, (items * (size // len(items) + 1))[:size])
                return True
        path = self._pick(self.seed.nodes)
        if path is None:
            return False
        self._replace(path, list(range(size)))
        return True

    def huge_object(self) -> bool:
        path = self._pick(self.seed.dicts, dict)
        if path is None:
            return False
        bigger = dict(get_at(self.value, path))
        bigger.update((f"fuzz_{i}", i) for i in range(self._size() // 2))
        self._replace(path, bigger)
        return True

    def deep_nesting(self) -> bool:
        """Deeply nested arrays or objects, inside an `any` value when the seed has one."""
        rng = self.rng
        in_any = bool(self.seed.anys) and rng.random() < 0.7
        path = self._pick(self.seed.anys if in_any else self.seed.nodes)
        if path is None:
            return False
        depth = rng.choice(
            [
                10,
                50,
                MAX_NESTING - 20,
                MAX_NESTING - 1,
                MAX_NESTING,
                MAX_NESTING + 1,
                MAX_NESTING + 30,
                2 * MAX_NESTING,
                1_000,
                5_000,
                100_000,
            ]
        )
        use_dicts = rng.random() < 0.4
        if self.python:
            wrap = nested_dicts if use_dicts else nested_lists
            new: Any = wrap(depth, 1)
        else:
            opening, closing = ('{"a":', "}") if use_dicts else ("[", "]")
            new = RawJSON(opening * depth + "1" + closing * depth)
        self._replace(path, new)
        return True

    # Python-only mutations (decode and from_dict)

    def odd_key(self) -> bool:
        path = self._pick(self.seed.dicts, dict)
        if path is None:
            return False
        node = get_at(self.value, path)
        key = self.rng.choice(
            [b"type", 1, None, (1, 2), 1.5, True, frozenset(), Unprintable(), StrSub("fuzz")]
        )
        bigger = dict(node)
        bigger[key] = self._small_json()
        self._replace(path, bigger)
        return True

    def odd_container(self) -> bool:
        """The same data in a Python type that is not the JSON one (or a subclass of it)."""
        path = self._pick(self.seed.nodes)
        if path is None:
            return False
        old = get_at(self.value, path)
        builders = ODD_TYPES.get(type(old), ODD_TYPES[object])
        try:
            new = self.rng.choice(builders)(old)
        except (TypeError, ValueError, OverflowError):
            return False  # e.g. a set of unhashable items, a float of a 5000-digit int
        self._replace(path, new)
        return True

    def cycle(self) -> bool:
        if self.rng.random() < 0.5:
            path = self._pick(self.seed.dicts, dict)
            if path is None:
                return False
            node = dict(get_at(self.value, path))
            self._replace(path, with_self_key(node, "fuzz_self"))
        else:
            path = self._pick(self.seed.nodes)
            if path is None:
                return False
            self._replace(path, self_list())
        return True


#: Python stand-ins for each JSON type: subclasses, look-alikes and plainly foreign types.
ODD_TYPES: dict[type, tuple[Callable[[Any], Any], ...]] = {
    list: (tuple, ListSub, iter, set, lambda old: frozenset()),
    dict: (DictSub, MappingProxyType, lambda old: list(old.items())),
    str: (
        StrSub,
        lambda old: old.encode("utf-8", "surrogatepass"),
        lambda old: bytearray(old, "utf-8", "surrogatepass"),
    ),
    int: (IntSub, lambda old: bool(old % 2), float, Decimal),
    float: (FloatSub, lambda old: Decimal(repr(old)), lambda old: complex(old, 0)),
    object: (lambda old: Opaque(), lambda old: object, lambda old: print, lambda old: ...),
}

# (name, weight, Python-only): the weights favour cheap mutations; the size mutations stay rare
# so that a million inputs fit in minutes.
MUTATIONS: tuple[tuple[str, float, bool], ...] = (
    ("delete_key", 14, False),
    ("change_kind", 12, False),
    ("deep_change_kind", 4, False),
    ("unknown_tag", 8, False),
    ("unknown_field", 10, False),
    ("unknown_enum", 8, False),
    ("transplant", 6, False),
    ("graft", 3, False),
    ("deep_graft", 3, False),
    ("list_items", 6, False),
    ("numbers", 7, False),
    ("strings", 6, False),
    ("surrogate_key", 2, False),
    ("long_string", 0.4, False),
    ("huge_list", 0.4, False),
    ("huge_object", 0.2, False),
    ("deep_nesting", 1.0, False),
    ("odd_key", 5, True),
    ("odd_container", 6, True),
    ("cycle", 2, True),
)
MUTATION_COUNTS = (0, 1, 2, 3, 4, 6)
MUTATION_COUNT_WEIGHTS = (8, 30, 25, 17, 12, 8)


# --- text ------------------------------------------------------------------------------------


RAW_MARKER = re.compile(r'"@@raw(\d+)@@"')


def render_text(value: Any, options: dict[str, Any]) -> str:
    """JSON text of `value`, with RawJSON markers spliced in verbatim."""
    raw: list[str] = []

    def marker(obj: Any) -> Any:
        if isinstance(obj, RawJSON):
            raw.append(obj.text)
            return f"@@raw{len(raw) - 1}@@"
        raise TypeError(f"{type(obj).__name__} in a text input")

    text = json.dumps(
        value,
        default=marker,
        ensure_ascii=options.get("ensure_ascii", True),
        indent=options.get("indent"),
    )
    if not raw:
        return text
    # One pass: a huge list repeats its markers thousands of times.
    return RAW_MARKER.sub(lambda match: raw[int(match.group(1))], text)


def encode_text(text: str, encoding: str) -> bytes:
    # surrogatepass: a lone surrogate becomes the bytes UTF-8 forbids, which is what we want.
    return text.encode(encoding, errors="surrogatepass")


TEXT_INSERTS = (
    "{",
    "}",
    "[",
    "]",
    '"',
    ",",
    ":",
    "\\",
    "\x00",
    "\n",
    "NaN",
    "-Infinity",
    "1e999",
    "\\ud800",
    "\\udfff",
    "\\ud83d\\ude00",
    "\\u0000",
    "\ud800",
    "\udc80",
    "null",
    "\u2028",
    "\ufeff",
)
BYTE_INSERTS = (
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
    b"\x00",
    b"\xef\xbb\xbf",
)


def corrupt_text(rng: random.Random, text: str) -> str:
    choice = rng.random()
    spot = rng.randint(0, len(text))
    if choice < 0.25:
        return text[:spot]
    if choice < 0.35:
        return text[:spot] + text[spot + rng.randint(1, 20) :]
    if choice < 0.75:
        # Just after a quote, an escape lands inside a string.
        quote = text.find('"', spot)
        if quote >= 0 and rng.random() < 0.6:
            spot = quote + 1
        return text[:spot] + rng.choice(TEXT_INSERTS) + text[spot:]
    if choice < 0.85:
        return "\ufeff" + text
    if choice < 0.95:
        return text + rng.choice([" ", "\n", "x", "{}", "]", '"'])
    return text + text


def corrupt_bytes(rng: random.Random, data: bytes) -> bytes:
    spot = rng.randint(0, len(data))
    if rng.random() < 0.2:
        return data[:spot]
    return data[:spot] + rng.choice(BYTE_INSERTS) + data[spot:]


# --- cases -----------------------------------------------------------------------------------


def pick_target(rng: random.Random, corpus: Corpus) -> Target:
    if corpus.roots and rng.random() < ROOT_SHARE:
        return rng.choice(corpus.roots)
    return rng.choice(corpus.others or corpus.roots)


def pick_entry(rng: random.Random, target: Target) -> str:
    if not target.is_class:
        return "decode"
    return rng.choices(ENTRIES, weights=(30, 15, 30, 25))[0]


def make_case(corpus: Corpus, run_seed: int, index: int) -> Case:
    rng = random.Random(f"{run_seed}/{index}")
    target = pick_target(rng, corpus)
    entry = pick_entry(rng, target)
    seed = rng.choice(corpus.seeds[target.name])
    python = entry in PYTHON_ENTRIES
    mutator = Mutator(rng, seed, python, corpus)
    available = [
        (name, weight) for name, weight, python_only in MUTATIONS if python or not python_only
    ]
    names = [name for name, _ in available]
    weights = [weight for _, weight in available]
    count = rng.choices(MUTATION_COUNTS, weights=MUTATION_COUNT_WEIGHTS)[0]
    case = Case(index, target, entry, None, seed_origin=seed.origin)
    for _ in range(count):
        name = rng.choices(names, weights=weights)[0]
        if getattr(mutator, name)():
            mutator.names.append(name)
    case.value = mutator.value
    case.mutations = mutator.names
    if not mutator.names and seed.anys and rng.random() < 0.3:
        # A valid change: nesting inside an `any` value that stays well within the limit (the
        # typed levels above it add at most `typed_depth` more).
        path = rng.choice(seed.anys)
        depth = rng.randint(MAX_NESTING // 2, MAX_NESTING - corpus.typed_depth - 2)
        wrap = nested_dicts if rng.random() < 0.5 else nested_lists
        case.value = set_at(case.value, path, wrap(depth, "leaf"))
        case.mutations = [f"valid_deep_any({depth})"]
        case.must_accept = f"an `any` value nested {depth} levels, within MAX_NESTING"
    if not python:
        render_case_text(rng, case)
    return case


def render_case_text(rng: random.Random, case: Case) -> None:
    options = {
        "ensure_ascii": rng.random() < 0.5,
        # Indented output takes json's slow pure-Python encoder: now and then only.
        "indent": 1 if rng.random() < 0.05 else None,
        "encoding": rng.choices(
            ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"],
            weights=[80, 4, 4, 4, 4, 4],
        )[0],
    }
    case.render = options
    text = render_text(case.value, options)
    if case.must_accept is None and rng.random() < 0.3:
        text = corrupt_text(rng, text)
        case.text_corrupted = True
    if case.entry == "from_json:str":
        case.text = text
        return
    data = encode_text(text, options["encoding"])
    if case.must_accept is None and rng.random() < 0.1:
        data = corrupt_bytes(rng, data)
        case.text_corrupted = True
    case.text = data


def text_of_value(case: Case, value: Any) -> str | bytes:
    """The text of another value rendered the way `case` was (for minimizing)."""
    text = render_text(value, case.render)
    if case.entry == "from_json:str":
        return text
    return encode_text(text, case.render["encoding"])
