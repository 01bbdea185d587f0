"""The channels a package or schema can be built for, and the one rule of what each leaves out.

`beta` is the spec as written: every element, beta ones tagged with their headers. `stable` is
the view a user who must not depend on beta surface gets: every type, field, union variant and
enum value marked `beta` is gone, and so is every use of a type that is gone. It is taken on the
typed spec model (stage 2), so validation, the intermediate model, the templates and the JSON
Schema export see a spec that simply has no beta element.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import typeexpr
from .spec_model import (
    Definition,
    EnumType,
    ObjectType,
    OneOf,
    Spec,
    StreamSection,
    TaggedUnion,
)

BETA = "beta"
STABLE = "stable"
CHANNELS = (STABLE, BETA)


def view(spec: Spec, channel: str) -> Spec:
    """The spec as the channel sees it."""
    if channel == BETA:
        return spec
    if channel != STABLE:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return stable_view(spec)


@dataclass(frozen=True)
class Membership:
    """Which elements of the whole spec one channel holds: the rule `stable_view` applies, for
    code that walks the whole spec beside another model of it (the spec diff)."""

    channel: str
    beta_types: frozenset[str]  # the types that are beta as a whole

    def keeps(self, beta: tuple[str, ...], needs: Iterable[str] = ()) -> bool:
        """Whether an element tagged with the headers `beta`, whose type names the types
        `needs`, is in the channel."""
        if self.channel == BETA:
            return True
        return not beta and not any(name in self.beta_types for name in needs)


def membership(spec: Spec, channel: str) -> Membership:
    """What the channel holds of `spec`."""
    beta_types = frozenset(d.name for d in spec.types if d.docs.beta)
    return Membership(channel, beta_types)


def type_names(expr: typeexpr.Expr | None) -> list[str]:
    """The types a type expression names (none for a constant)."""
    return [] if expr is None else expr.names()


def stable_view(spec: Spec) -> Spec:
    """The spec without its beta elements.

    Validation makes sure a stable field or alternative never needs a beta type, so dropping the
    beta types leaves no dangling name behind; a tagged union loses the variants that are beta
    in it or beta as a whole, and its default when that is one of them.
    """
    stable = membership(spec, STABLE)
    kept = tuple(
        _without_beta(definition, stable)
        for definition in spec.types
        if stable.keeps(definition.docs.beta)
    )
    streams = tuple(_stream_without_beta(section, kept) for section in spec.streams)
    return replace(spec, types=kept, streams=streams)


def _stream_without_beta(section: StreamSection, kept: tuple[Definition, ...]) -> StreamSection:
    """The stream section's rules for what is left: folds of deltas (and delta members) that
    are gone, block sets of blocks that are gone and usage members that are gone are dropped."""
    objects = {d.name: d for d in kept if isinstance(d, ObjectType)}
    variants = {v.type_name for d in kept if isinstance(d, TaggedUnion) for v in d.variants}

    def has(owner: str, member: str) -> bool:
        found = objects.get(owner)
        return found is not None and found.field_named(member) is not None

    folds = tuple(f for f in section.folds if f.delta in variants and has(f.delta, f.member))
    block_sets = tuple(b for b in section.block_sets if b.block in variants)
    usage = section.usage
    if usage is not None:
        members = tuple(
            (role, name, line)
            for role, name, line in usage.members
            if role in _NESTED_USAGE_ROLES or any(has(t, name) for t in usage.types)
        )
        usage = replace(usage, members=members)
    return replace(section, folds=folds, block_sets=block_sets, usage=usage)


# Members of the cache-creation object rather than of the usage types themselves.
_NESTED_USAGE_ROLES = ("ttl_5m", "ttl_1h")


def _without_beta(definition: Definition, stable: Membership) -> Definition:
    if isinstance(definition, ObjectType):
        fields = tuple(
            f for f in definition.fields if stable.keeps(f.docs.beta, type_names(f.type))
        )
        return replace(definition, fields=fields)
    if isinstance(definition, EnumType):
        return replace(
            definition, values=tuple(v for v in definition.values if stable.keeps(v.docs.beta))
        )
    if isinstance(definition, TaggedUnion):
        variants = tuple(v for v in definition.variants if stable.keeps(v.beta, [v.type_name]))
        names = {v.type_name for v in variants}
        default = definition.default if definition.default in names else None
        return replace(definition, variants=variants, default=default)
    if isinstance(definition, OneOf):
        alternatives = tuple(
            a for a in definition.alternatives if stable.keeps((), type_names(a.type))
        )
        return replace(definition, alternatives=alternatives)
    return definition
