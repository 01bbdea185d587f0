"""The channels a package or schema can be built for, and the one rule of what each leaves out.

`beta` is the spec as written: every element, beta ones tagged with their headers. `stable` is
the view a user who must not depend on beta surface gets: every type, field, union variant and
enum value marked `beta` is gone, and so is every use of a type that is gone. It is taken on the
typed spec model (stage 2), so validation, the intermediate model, the templates and the JSON
Schema export see a spec that simply has no beta element.
"""

from __future__ import annotations

from dataclasses import replace

from . import typeexpr
from .spec_model import Definition, EnumType, ObjectType, OneOf, Spec, TaggedUnion

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


def stable_view(spec: Spec) -> Spec:
    """The spec without its beta elements.

    Validation makes sure a stable field or alternative never needs a beta type, so dropping the
    beta types leaves no dangling name behind; a tagged union loses the variants that are beta
    in it or beta as a whole, and its default when that is one of them.
    """
    beta_types = {definition.name for definition in spec.types if definition.docs.beta}
    kept = tuple(
        _without_beta(definition, beta_types)
        for definition in spec.types
        if definition.name not in beta_types
    )
    return replace(spec, types=kept)


def _without_beta(definition: Definition, beta_types: set[str]) -> Definition:
    if isinstance(definition, ObjectType):
        fields = tuple(
            f for f in definition.fields if not f.docs.beta and not _needs_any(f.type, beta_types)
        )
        return replace(definition, fields=fields)
    if isinstance(definition, EnumType):
        return replace(definition, values=tuple(v for v in definition.values if not v.docs.beta))
    if isinstance(definition, TaggedUnion):
        variants = tuple(
            v for v in definition.variants if not v.beta and v.type_name not in beta_types
        )
        names = {v.type_name for v in variants}
        default = definition.default if definition.default in names else None
        return replace(definition, variants=variants, default=default)
    if isinstance(definition, OneOf):
        alternatives = tuple(
            a for a in definition.alternatives if not _needs_any(a.type, beta_types)
        )
        return replace(definition, alternatives=alternatives)
    return definition


def _needs_any(expr: typeexpr.Expr | None, beta_types: set[str]) -> bool:
    """Whether a type expression names one of `beta_types`."""
    return expr is not None and any(name in beta_types for name in expr.names())
