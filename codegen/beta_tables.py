"""The beta catalogue of the intermediate model: which header enables which element, and the
per-class tables the generated beta walker reads (templates/betas.py.j2).

The walker visits only what these tables name: for each class, the members that are beta
themselves or whose values can hold beta elements or objects. A member's value is followed
through lists, maps and untagged unions with two lookups computed here once: the beta variants
of the tagged unions and the beta values of the enums that the value can hold.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from . import ir, naming
from .pysource import Identifier, PySource, SpecText, identifier, string_literal
from .spec_model import Spec

_NO_HEADERS = Identifier("_NO_HEADERS")
_NONE = Identifier("None")


@dataclass
class _Reach:
    """What a value of some type can hold, without passing through another object."""

    classes: set[str] = field(default_factory=set)  # object types (variants included)
    unions: set[str] = field(default_factory=set)  # tagged unions (their unknown variants)
    variants: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    enum_values: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


class _Builder:
    def __init__(self, spec: Spec, package: ir.Package) -> None:
        self.spec = spec
        self.objects = {o.name: o for area in package.areas for o in area.objects}
        self.enums = {e.name: e for area in package.areas for e in area.enums}
        self.unions = {u.name: u for u in package.unions.tagged_unions}
        self.one_ofs = {o.name: o for o in package.unions.one_ofs}
        self.header_sets: dict[tuple[str, ...], Identifier] = {(): _NO_HEADERS}
        self.lookups: dict[tuple[tuple[str, str, tuple[str, ...]], ...], Identifier] = {}
        self.uses: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def headers(self, headers: tuple[str, ...]) -> Identifier:
        if headers not in self.header_sets:
            self.header_sets[headers] = identifier(f"_HEADERS_{len(self.header_sets)}")
        return self.header_sets[headers]

    def note(self, kind: str, element: str, headers: tuple[str, ...]) -> None:
        for header in headers:
            if element not in self.uses[header][kind]:
                self.uses[header][kind].append(element)

    def reach(self, ref: ir.TypeRef, into: _Reach) -> None:
        if ref.item is not None:
            self.reach(ref.item, into)
        for alternative in ref.alternatives:
            self.reach(alternative, into)
        if ref.kind == "object":
            into.classes.add(ref.name)
        elif ref.kind == "one_of":
            for alternative in self.one_ofs[ref.name].ref.alternatives:
                self.reach(alternative, into)
        elif ref.kind == "tagged_union":
            union = self.unions[ref.name]
            into.unions.add(union.name)
            for variant in union.variants:
                into.classes.add(variant.name)
                if variant.docs.beta:
                    tag = f"{union.name}[{union.tag}={variant.tags[0]}]"
                    into.variants[variant.name] = (tag, tuple(variant.docs.beta))
        elif ref.kind == "enum":
            for value in self.enums[ref.name].values:
                if value.docs.beta:
                    element = f"{ref.name}={json.dumps(value.value)}"
                    into.enum_values[value.value] = (element, tuple(value.docs.beta))

    def lookup(self, hits: dict[str, tuple[str, tuple[str, ...]]], by_class: bool) -> Identifier:
        if not hits:
            return _NONE
        key = tuple((k, element, headers) for k, (element, headers) in sorted(hits.items()))
        if key not in self.lookups:
            prefix = "_VARIANTS" if by_class else "_ENUM_VALUES"
            self.lookups[key] = identifier(f"{prefix}_{len(self.lookups)}")
        return self.lookups[key]

    def catalogue(self) -> ir.BetaCatalogue:
        reaches = {
            name: [self.field_reach(f) for f in obj.fields] for name, obj in self.objects.items()
        }
        beta_types = {name for name, obj in self.objects.items() if obj.docs.beta}
        # Classes whose objects can hold a beta element: found by growing the set until it
        # stops changing (types refer to each other in cycles).
        holding = set(beta_types)
        changed = True
        while changed:
            changed = False
            for name, obj in self.objects.items():
                if name in holding:
                    continue
                if any(
                    f.docs.beta or r.variants or r.enum_values or r.classes & holding
                    for f, r in zip(obj.fields, reaches[name])
                ):
                    holding.add(name)
                    changed = True
        classes = []
        for name, obj in self.objects.items():
            members = []
            for f, r in zip(obj.fields, reaches[name]):
                holds_beta = bool(r.variants or r.enum_values or r.classes & holding)
                holds_objects = bool(r.classes or r.unions)
                if not (f.docs.beta or holds_beta or holds_objects):
                    continue
                element = f"{name}.{f.wire_name}" if f.docs.beta else ""
                self.note("fields", element, tuple(f.docs.beta))
                for element_name, headers in r.variants.values():
                    self.note("variants", element_name, headers)
                for element_name, headers in r.enum_values.values():
                    self.note("enum_values", element_name, headers)
                members.append(
                    ir.BetaMember(
                        attribute=f.python_name,
                        wire_name=f.wire_name,
                        headers=self.headers(tuple(f.docs.beta)),
                        variants_table=self.lookup(r.variants, True),
                        values_table=self.lookup(r.enum_values, False),
                        holds_beta=holds_beta,
                        holds_objects=holds_objects,
                        optional=f.optional,
                    )
                )
            if members:
                classes.append(ir.BetaClass(obj.name, tuple(members)))
        types = []
        for name in sorted(beta_types):
            headers = tuple(self.objects[name].docs.beta)
            self.note("types", name, headers)
            hit = ir.BetaHit(
                PySource(name), SpecText("type"), SpecText(name), self.headers(headers)
            )
            types.append(hit)
        lookups = tuple(
            ir.BetaLookup(
                constant,
                tuple(
                    ir.BetaHit(
                        PySource(k) if constant.startswith("_VARIANTS") else string_literal(k),
                        SpecText("variant" if constant.startswith("_VARIANTS") else "enum value"),
                        SpecText(element),
                        self.headers(headers),
                    )
                    for k, element, headers in key
                ),
            )
            for key, constant in self.lookups.items()
        )
        # Last: the steps above name every set of headers the tables use.
        header_sets = tuple(
            ir.BetaHeaderSet(constant, tuple(map(SpecText, headers)))
            for headers, constant in self.header_sets.items()
        )
        return ir.BetaCatalogue(
            headers=self.header_entries(),
            header_sets=header_sets,
            lookups=lookups,
            whole_types=tuple(types),
            classes=tuple(classes),
            unknown_classes=tuple(u.unknown_class for u in self.unions.values()),
            module=identifier(naming.BETAS_MODULE),
        )

    def field_reach(self, f: ir.Field) -> _Reach:
        found = _Reach()
        self.reach(f.type, found)
        return found

    def header_entries(self) -> tuple[ir.BetaHeader, ...]:
        described = {entry.header: entry.description for entry in self.spec.betas}
        names = sorted(set(described) | set(self.uses))
        return tuple(
            ir.BetaHeader(
                header=SpecText(name),
                description=SpecText(described.get(name, "")),
                field_names=tuple(map(SpecText, self.uses[name]["fields"])),
                variant_names=tuple(map(SpecText, self.uses[name]["variants"])),
                enum_value_names=tuple(map(SpecText, self.uses[name]["enum_values"])),
                type_names=tuple(map(SpecText, self.uses[name]["types"])),
            )
            for name in names
        )


def build(spec: Spec, package: ir.Package) -> ir.BetaCatalogue:
    """The beta catalogue and walker tables of a package built from `spec`."""
    return _Builder(spec, package).catalogue()
