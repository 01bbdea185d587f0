"""How much of the official SDK's wire format our JSON Schemas cover (a dev tool, never a runtime
dependency of the generated package).

Both sides are turned into the same set of *wire paths*, one per field, tagged-union variant and
enum value reachable from a root type:

    Message.content[]{type=text}.citations[]{type=char_location}.cited_text
    Message.stop_reason=end_turn
    MessageCreateParams.metadata.user_id

`[]` is a list item, `{}` a map value, `{tag=value}` a variant of a tagged union (the tag field
itself is the variant key, not a path of its own) and `=value` one value of a string enum or
constant. An untagged union contributes the paths of all its alternatives at the same position;
null alternatives contribute nothing. A walk stops at an object type already on its stack.

An SDK union is tagged when its model/TypedDict members all pin a string Literal on the
`UnionDiscriminator` field, else on `type`, else `role`, else on a field whose values tell every
member apart; members sharing a tag value are merged under one variant. A tagged union with a
single object type (our open one-variant unions) is walked as that object, as the SDK models it.
The SDK's request params that are sent as headers (`HEADER_PARAMS`) are left out.

The SDK side is read from the `anthropic` package's types by typing introspection, our side from
generated/jsonschema/{stable,beta}.json. Both sides describe each type to the same walker
(`walk`), so the path syntax is defined once.

    python -m tests.sdk_coverage                      # table per root and channel
    python -m tests.sdk_coverage --missing            # ... and the missing paths
    python -m tests.sdk_coverage --root Message --channel beta --missing
    python -m tests.sdk_coverage --groups 20          # largest groups of missing paths
    python -m tests.sdk_coverage --write-baseline     # rewrite tests/coverage_baseline.json
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import dataclasses
import datetime
import functools
import json
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union

import pydantic
import typing_extensions
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "generated" / "jsonschema"
BASELINE = ROOT / "tests" / "coverage_baseline.json"
EXCEPTIONS = ROOT / "tests" / "coverage_exceptions.yaml"
CHANNELS = ("stable", "beta")

# Keys of the SDK's request params that the SDK sends as HTTP headers, not in the JSON body
# (`anthropic-beta`, `anthropic-user-profile-id`, `anthropic-workspace-id`); dropped at the root.
HEADER_PARAMS = {
    "betas": "anthropic-beta",
    "user_profile_id": "anthropic-user-profile-id",
    "workspace_id": "anthropic-workspace-id",
}

# Our root name -> (module under anthropic.types, attribute) in the stable and the beta SDK.
SDK_ROOTS: dict[str, dict[str, tuple[str, str]]] = {
    "MessageCreateParams": {
        "stable": ("message_create_params", "MessageCreateParams"),
        "beta": ("beta.message_create_params", "MessageCreateParams"),
    },
    "Message": {"stable": ("", "Message"), "beta": ("beta", "BetaMessage")},
    "MessageStreamEvent": {
        "stable": ("", "RawMessageStreamEvent"),
        "beta": ("beta", "BetaRawMessageStreamEvent"),
    },
    "MessageCountTokensParams": {
        "stable": ("message_count_tokens_params", "MessageCountTokensParams"),
        "beta": ("beta.message_count_tokens_params", "MessageCountTokensParams"),
    },
    "MessageTokensCount": {
        "stable": ("", "MessageTokensCount"),
        "beta": ("beta", "BetaMessageTokensCount"),
    },
    "BatchCreateParams": {
        "stable": ("messages.batch_create_params", "BatchCreateParams"),
        "beta": ("beta.messages.batch_create_params", "BatchCreateParams"),
    },
    "MessageBatch": {
        "stable": ("messages", "MessageBatch"),
        "beta": ("beta.messages", "BetaMessageBatch"),
    },
    "MessageBatchIndividualResponse": {
        "stable": ("messages", "MessageBatchIndividualResponse"),
        "beta": ("beta.messages", "BetaMessageBatchIndividualResponse"),
    },
}


# --- The shapes both sides describe their types as -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Obj:
    key: object  # identity for the recursion guard (a class, or a $defs name)
    fields: list[tuple[str, Any]]  # (wire name, type)


@dataclasses.dataclass(frozen=True)
class ListOf:
    item: Any


@dataclasses.dataclass(frozen=True)
class MapOf:
    value: Any


@dataclasses.dataclass(frozen=True)
class Tagged:
    tag: str
    variants: list[tuple[str, Any]]  # (tag value, object type); a value may repeat


@dataclasses.dataclass(frozen=True)
class OneOf:
    alternatives: list[Any]


@dataclasses.dataclass(frozen=True)
class Enum:
    values: list[str]


@dataclasses.dataclass(frozen=True)
class Leaf:
    pass


Shape = Union[Obj, ListOf, MapOf, Tagged, OneOf, Enum, Leaf]
Describe = Callable[[Any], Shape]


def walk(describe: Describe, tp: Any, path: str, stack: tuple[object, ...], out: set[str]) -> None:
    """Add to `out` every wire path below `path`, where a value of type `tp` sits."""
    shape = describe(tp)
    if isinstance(shape, Tagged) and len({_key(describe, v) for _, v in shape.variants}) == 1:
        shape = describe(shape.variants[0][1])  # a union of one object is walked as the object
    if isinstance(shape, Obj):
        walk_fields(describe, shape, path, stack, out, skip=None)
    elif isinstance(shape, ListOf):
        walk(describe, shape.item, path + "[]", stack, out)
    elif isinstance(shape, MapOf):
        walk(describe, shape.value, path + "{}", stack, out)
    elif isinstance(shape, Tagged):
        for value, variant in shape.variants:
            out.add(f"{path}{{{shape.tag}={value}}}")
            obj = describe(variant)
            assert isinstance(obj, Obj), f"{path}: the variant {variant!r} is not an object"
            walk_fields(describe, obj, f"{path}{{{shape.tag}={value}}}", stack, out, shape.tag)
    elif isinstance(shape, OneOf):
        for alternative in shape.alternatives:
            walk(describe, alternative, path, stack, out)
    elif isinstance(shape, Enum):
        out.update(f"{path}={value}" for value in shape.values)


def _key(describe: Describe, variant: Any) -> object:
    obj = describe(variant)
    assert isinstance(obj, Obj), f"the variant {variant!r} of a tagged union is not an object"
    return obj.key


def walk_fields(
    describe: Describe,
    obj: Obj,
    path: str,
    stack: tuple[object, ...],
    out: set[str],
    skip: str | None,
) -> None:
    if obj.key in stack:
        return
    for name, tp in obj.fields:
        if name != skip:
            out.add(f"{path}.{name}")
            walk(describe, tp, f"{path}.{name}", (*stack, obj.key), out)


# --- SDK side: typing introspection --------------------------------------------------------------

# The SDK base64-encodes file inputs (IO[bytes], PathLike) into a string on the wire.
LEAF_TYPES = (str, int, float, bool, object, type(None), datetime.datetime, datetime.date, bytes)
FILE_ORIGINS = (typing.IO, os.PathLike)
LIST_ORIGINS = (list, set, frozenset, tuple, Iterable, Sequence)
MAP_ORIGINS = (dict, Mapping)
UNION_ORIGINS = (Union, types.UnionType)


@dataclasses.dataclass(frozen=True)
class _TaggedMembers:
    """The object members of an SDK union that one tag field tells apart."""

    tag: str
    members: tuple[Any, ...]


def describe_sdk(tp: Any) -> Shape:
    """The shape of an SDK type: pydantic models, TypedDicts, unions, Literals, containers."""
    tp, discriminator = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, _TaggedMembers):
        return Tagged(
            tp.tag, [(value, m) for m in tp.members for value in _tag_values(m, tp.tag) or []]
        )
    if _is_object(tp):
        return Obj(tp, list(_sdk_fields(tp).items()))
    if origin is Literal:
        values = typing.get_args(tp)
        return Enum(list(values)) if all(isinstance(v, str) for v in values) else Leaf()
    if origin in UNION_ORIGINS:
        return _describe_union(typing.get_args(tp), discriminator)
    if origin in LIST_ORIGINS:
        return ListOf(typing.get_args(tp)[0])
    if origin in MAP_ORIGINS:
        return MapOf(typing.get_args(tp)[1])
    if tp is Any or tp in LEAF_TYPES or tp in FILE_ORIGINS or origin in FILE_ORIGINS:
        return Leaf()
    raise TypeError(f"sdk_coverage does not know how to walk the SDK type {tp!r}")


def _unwrap(tp: Any) -> tuple[Any, str | None]:
    """Strip Annotated, Required, NotRequired and type aliases; return the UnionDiscriminator."""
    discriminator = None
    while True:
        origin = typing.get_origin(tp)
        if origin is typing_extensions.Annotated:
            for meta in tp.__metadata__:
                discriminator = getattr(meta, "field_name", discriminator)
            tp = typing.get_args(tp)[0]
        elif origin in (typing_extensions.Required, typing_extensions.NotRequired):
            tp = typing.get_args(tp)[0]
        elif isinstance(tp, typing_extensions.TypeAliasType):
            tp = tp.__value__
        else:
            return tp, discriminator


def _is_object(tp: Any) -> bool:
    model = isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)
    return model or typing_extensions.is_typeddict(tp)


@functools.cache
def _sdk_fields(tp: Any) -> dict[str, Any]:
    """Wire name -> type of a TypedDict (by key) or a pydantic model (by alias)."""
    if typing_extensions.is_typeddict(tp):
        return typing.get_type_hints(tp, include_extras=True)
    return {(f.alias or name): _annotation(f) for name, f in tp.model_fields.items()}


def _annotation(field: Any) -> Any:
    """A pydantic field's type, with the Annotated metadata pydantic moved out of it put back."""
    if field.metadata:
        annotated: Any = typing_extensions.Annotated
        arguments = (field.annotation, *field.metadata)
        return annotated[arguments]
    return field.annotation


def _flatten_union(args: Iterable[Any]) -> Iterator[Any]:
    for arg in args:
        inner, _ = _unwrap(arg)
        if typing.get_origin(inner) in UNION_ORIGINS:
            yield from _flatten_union(typing.get_args(inner))
        else:
            yield arg


def _describe_union(args: Sequence[Any], discriminator: str | None) -> Shape:
    """Object members with a common string-Literal field form a tagged union; the rest are
    untagged alternatives at the same position."""
    members = list(_flatten_union(args))
    objects = [m for m in members if _is_object(_unwrap(m)[0])]
    others = [m for m in members if not _is_object(_unwrap(m)[0])]
    tag = _find_tag([_unwrap(m)[0] for m in objects], discriminator)
    if tag is None:
        return OneOf(members)
    return OneOf([_TaggedMembers(tag, tuple(_unwrap(m)[0] for m in objects)), *others])


def _find_tag(objects: list[Any], discriminator: str | None) -> str | None:
    if len(objects) < 2:
        return None
    if discriminator is not None:  # an attribute name; the wire name may be an alias
        first = objects[0]
        field = None if typing_extensions.is_typeddict(first) else first.model_fields[discriminator]
        return discriminator if field is None else (field.alias or discriminator)
    for preferred in ("type", "role"):
        if all(_tag_values(o, preferred) for o in objects):
            return preferred
    common = set.intersection(*(set(_sdk_fields(o)) for o in objects))
    for name in sorted(common):  # any other Literal field, if it tells every member apart
        values = [_tag_values(o, name) or [] for o in objects]
        flat = [v for vs in values for v in vs]
        if all(values) and len(flat) == len(set(flat)):
            return name
    return None


def _tag_values(tp: Any, field: str) -> list[str] | None:
    """The string values a Literal field (possibly Optional) pins, or None."""
    fields = _sdk_fields(tp)
    if field not in fields:
        return None
    shape = describe_sdk(fields[field])
    if isinstance(shape, OneOf):  # Optional[Literal[...]]
        shapes = [describe_sdk(a) for a in shape.alternatives if _unwrap(a)[0] is not type(None)]
        shape = shapes[0] if len(shapes) == 1 else Leaf()
    return shape.values if isinstance(shape, Enum) else None


def sdk_type(root: str, channel: str) -> Any:
    module_name, attribute = SDK_ROOTS[root][channel]
    module = __import__(f"anthropic.types.{module_name}".rstrip("."), fromlist=[attribute])
    return getattr(module, attribute)


def sdk_paths(root: str, tp: Any) -> set[str]:
    out: set[str] = set()
    walk(describe_sdk, tp, root, (), out)
    # Header params sit at the top of a request body: the root, or a batch item's `params`.
    names = "|".join(re.escape(name) for name in HEADER_PARAMS)
    header = re.compile(rf"^(?:{re.escape(root)}|.*\.params)\.(?:{names})(?:$|[.\[=])")
    return {p for p in out if not header.match(p)}


# --- Our side: the JSON Schema export ------------------------------------------------------------


def schema_describer(defs: Mapping[str, Any]) -> Describe:
    """A describer for the nodes of one JSON Schema document with these `$defs`."""

    def describe(node: Any) -> Shape:
        key = None
        while "$ref" in node:
            key = node["$ref"].removeprefix("#/$defs/")
            node = defs[key]
        if "properties" in node:
            return Obj(key if key is not None else id(node), list(node["properties"].items()))
        if "items" in node:
            return ListOf(node["items"])
        if isinstance(node.get("additionalProperties"), dict):
            return MapOf(node["additionalProperties"])
        if "discriminator" in node:
            tag = node["discriminator"]["propertyName"]
            return Tagged(tag, [(v, m) for m in node["oneOf"] for v in _const_values(m, tag)])
        if "oneOf" in node or "anyOf" in node:
            return OneOf(node.get("oneOf", node.get("anyOf")))
        values = node["enum"] if "enum" in node else [node["const"]] if "const" in node else []
        return Enum(values) if values and all(isinstance(v, str) for v in values) else Leaf()

    def _const_values(variant: Any, tag: str) -> list[str]:
        pinned = defs[variant["$ref"].removeprefix("#/$defs/")]["properties"][tag]
        # A default variant may accept a null tag: `anyOf [{const: x}, {type: null}]`.
        options = [o for o in pinned.get("anyOf", [pinned]) if o != {"type": "null"}]
        shape = describe(options[0])
        assert isinstance(shape, Enum), f"variant {variant} does not pin {tag}"
        return shape.values

    return describe


def schema_paths(root: str, defs: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    if root in defs:
        walk(schema_describer(defs), {"$ref": f"#/$defs/{root}"}, root, (), out)
    return out


# --- The report ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Coverage:
    root: str
    channel: str
    sdk: set[str]
    covered: set[str]
    excepted: dict[str, str]  # path -> reason
    missing: list[str]
    leaked: list[str]  # stable only: our stable paths the SDK has in beta only

    @property
    def percent(self) -> float:
        done = len(self.covered) + len(self.excepted)
        return 100.0 * done / len(self.sdk) if self.sdk else 100.0


def load_exceptions(path: Path = EXCEPTIONS) -> dict[str, str]:
    data = yaml.safe_load(path.read_text()) or {}
    assert isinstance(data, dict), f"{path}: expected a mapping of path pattern -> reason"
    return {str(k): str(v) for k, v in data.items()}


def matches(pattern: str, path: str) -> bool:
    """fnmatch with only `*` and `?` special, so that `[]` and `{}` in paths are literal."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, path) is not None


def compute(roots: Iterable[str] = SDK_ROOTS, channels: Iterable[str] = CHANNELS) -> list[Coverage]:
    exceptions = load_exceptions()
    defs = {ch: json.loads((SCHEMAS / f"{ch}.json").read_text())["$defs"] for ch in CHANNELS}
    report = []
    for root in roots:
        sdk = {ch: sdk_paths(root, sdk_type(root, ch)) for ch in CHANNELS}
        for channel in channels:
            ours = schema_paths(root, defs[channel])
            covered = sdk[channel] & ours
            excepted = {}
            for path in sdk[channel] - ours:
                reason = next((r for p, r in exceptions.items() if matches(p, path)), None)
                if reason is not None:
                    excepted[path] = reason
            missing = sorted(sdk[channel] - ours - set(excepted))
            leaked = sorted(ours & sdk["beta"] - sdk["stable"]) if channel == "stable" else []
            report.append(Coverage(root, channel, sdk[channel], covered, excepted, missing, leaked))
    return report


def group(report: list[Coverage]) -> collections.Counter[tuple[str, str]]:
    """Count the missing paths by channel and first two segments (dots inside `{}` kept)."""
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for c in report:
        for path in c.missing:
            segments = re.findall(r"(?:\{[^}]*\}|[^.{])+", path)
            counts[c.channel, ".".join(segments[:2])] += 1
    return counts


def render(report: list[Coverage], missing: bool, groups: int) -> str:
    lines = [f"{'root':32} {'channel':7} {'sdk':>6} {'covered':>7} {'except':>6} {'missing':>7}"]
    lines[0] += "       %"
    for c in report:
        lines.append(
            f"{c.root:32} {c.channel:7} {len(c.sdk):6} {len(c.covered):7} {len(c.excepted):6}"
            f" {len(c.missing):7} {c.percent:7.1f}%"
        )
    sdk = sum(len(c.sdk) for c in report)
    done = sum(len(c.covered) + len(c.excepted) for c in report)
    lines.append(f"{'total':40} {sdk:6} {done:14} {sdk - done:7} {100 * done / sdk:7.1f}%")
    leaked = [p for c in report for p in c.leaked]
    lines.append(f"beta-only SDK paths in our stable.json: {len(leaked)}")
    lines += [f"  LEAK {p}" for p in leaked]
    by_reason = collections.Counter(reason for c in report for reason in c.excepted.values())
    for reason, count in sorted(by_reason.items()):
        lines.append(f"modelled differently on purpose ({count} paths): {reason}")
    if missing:
        for c in report:
            lines += [f"  except {p}" for p in sorted(c.excepted)]
    if groups:
        lines.append(f"largest groups of missing paths (by their first two segments):")
        for (channel, prefix), n in group(report).most_common(groups):
            lines.append(f"  {n:6}  {channel:6}  {prefix}")
    if missing:
        for c in report:
            lines.append(f"missing in {c.root} ({c.channel}): {len(c.missing)}")
            lines += [f"  {p}" for p in c.missing]
    return "\n".join(lines)


def baseline_of(report: list[Coverage]) -> dict[str, dict[str, dict[str, Any]]]:
    """Counts and a digest of the missing paths, per channel and root.

    The full lists run to tens of thousands of paths while the spec grows; the digest keeps the
    ratchet exact (any change to the missing set shows) at a few hundred bytes. `make coverage
    --missing` lists the paths themselves.
    """
    data: dict[str, dict[str, dict[str, Any]]] = {ch: {} for ch in CHANNELS}
    for c in report:
        digest = hashlib.sha256("\n".join(sorted(c.missing)).encode()).hexdigest()
        data[c.channel][c.root] = {
            "sdk_paths": len(c.sdk),
            "covered": len(c.covered) + len(c.excepted),
            "missing": len(c.missing),
            "missing_digest": digest[:16],
        }
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.sdk_coverage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", choices=sorted(SDK_ROOTS), help="only this root")
    parser.add_argument("--channel", choices=CHANNELS, help="only this channel")
    parser.add_argument("--missing", action="store_true", help="list the missing paths")
    parser.add_argument("--groups", type=int, default=0, metavar="N", help="N largest groups")
    parser.add_argument("--write-baseline", action="store_true", help=f"rewrite {BASELINE.name}")
    args = parser.parse_args(argv)
    if args.write_baseline:
        BASELINE.write_text(json.dumps(baseline_of(compute()), indent=1) + "\n")
        print(f"wrote {BASELINE.relative_to(ROOT)}")
        return 0
    roots = [args.root] if args.root else list(SDK_ROOTS)
    channels = [args.channel] if args.channel else list(CHANNELS)
    print(render(compute(roots, channels), args.missing, args.groups))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
