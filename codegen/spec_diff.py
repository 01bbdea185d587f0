"""`codegen diff`: the structural comparison of two specs, as a list of Change records.

Both sides are read through the typed spec model (files and lines) and the intermediate model
(Python names, annotations, tag values, beta merged into variants), and each channel is cut out by
the filter the JSON Schema export uses, so a change is reported with its location, on the element
where it happened, once. Types are matched by name, then removed and added types by equal shape
(or by holding the same tag in a union): a rename is one `type-renamed`, and its uses compare equal.
Union variants are matched by tag value and untagged alternatives by JSON kind.

Which rule a change is, who it breaks and how loud it is: codegen.diff_rules. How it is printed:
codegen.diff_report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from . import channels, diff_rules, ir, spec_model
from .diff_rules import Direction, Level

Channel = Literal["all", "stable", "beta"]


@dataclass(frozen=True, order=True)
class Place:
    file: str
    line: int


@dataclass(frozen=True)
class FieldView:
    wire: str
    python_name: str
    ref: ir.TypeRef
    optional: bool
    nullable: bool
    default: str  # the documented default as JSON text, "" when none
    deprecated: bool
    beta: tuple[str, ...]
    in_stable: bool
    place: Place


@dataclass(frozen=True)
class ValueView:
    value: str
    deprecated: bool
    beta: tuple[str, ...]
    in_stable: bool
    place: Place


@dataclass(frozen=True)
class VariantView:
    type_name: str
    tags: tuple[str, ...]
    beta: tuple[str, ...]  # beta in this union only
    in_stable: bool
    place: Place


@dataclass(frozen=True)
class AlternativeView:
    ref: ir.TypeRef
    in_stable: bool
    place: Place


@dataclass
class TypeView:
    """One type of one channel of one side, with what the comparison reads."""

    name: str
    kind: spec_model.Kind
    place: Place
    beta: tuple[str, ...]
    deprecated: bool
    in_stable: bool
    fields: dict[str, FieldView] = field(default_factory=dict)
    open: bool = True
    values: dict[str, ValueView] = field(default_factory=dict)
    tag: str = ""
    default: str | None = None
    variants: tuple[VariantView, ...] = ()
    alternatives: dict[str, AlternativeView] = field(default_factory=dict)  # by JSON kind


@dataclass
class SideView:
    """One channel of one side: its types and the direction each is reached from."""

    types: dict[str, TypeView]
    directions: dict[str, Direction]
    has_roots: bool


@dataclass(frozen=True)
class Side:
    """A checked spec: its typed model and its intermediate model (pipeline.check_spec)."""

    spec: spec_model.Spec
    package: ir.Package
    # How a file path of this side is shown (the old side lives in a scratch folder).
    show_path: Callable[[str], str] = str


@dataclass(frozen=True)
class Change:
    """One change, decided: rule id, level, audiences it breaks, and the sentence to print."""

    kind: str  # the rule's kind (codegen.diff_rules.RULES)
    rule_id: str
    level: Level
    direction: Direction
    channel: Channel
    path: str
    breaks: tuple[str, ...]
    message: str
    before: str | None
    after: str | None
    old_place: Place | None
    new_place: Place | None
    beta: tuple[str, ...]  # the beta headers of the element (for grouping additions)
    # Where in the new spec to point (annotations): the element, else the type that lost it.
    anchor: Place | None = None

    @property
    def place(self) -> Place | None:
        return self.new_place or self.old_place


@dataclass
class Report:
    changes: list[Change]
    notes: list[str]


# --- views ------------------------------------------------------------------------------------


def side_view(side: Side, channel: str) -> SideView:
    """The types of one channel of a side, each with the locations its elements were written at."""
    package, spec = side.package, side.spec
    keep = channels.membership(spec, channel)
    stable = channels.membership(spec, channels.STABLE)
    objects: dict[str, ir.ObjectType] = {o.name: o for m in package.areas for o in m.objects}
    enums: dict[str, ir.EnumType] = {e.name: e for m in package.areas for e in m.enums}
    tagged: dict[str, ir.TaggedUnion] = {u.name: u for u in package.unions.tagged_unions}
    one_ofs: dict[str, ir.OneOf] = {u.name: u for u in package.unions.one_ofs}

    def place(file: spec_model.SourceFile, line: int) -> Place:
        return Place(side.show_path(file.path), line)

    types: dict[str, TypeView] = {}
    for definition in spec.definitions.values():
        name = definition.name
        docs: ir.Docs
        if isinstance(definition, spec_model.ObjectType):
            if definition.abstract:
                continue
            docs = objects[name].docs
        elif isinstance(definition, spec_model.EnumType):
            docs = enums[name].docs
        elif isinstance(definition, spec_model.TaggedUnion):
            docs = tagged[name].docs
        else:
            docs = one_ofs[name].docs
        if not keep.keeps(docs.beta):
            continue
        view = TypeView(
            name,
            definition.kind,
            place(definition.file, definition.line),
            tuple(docs.beta),
            bool(docs.deprecated),
            stable.keeps(docs.beta),
        )
        if isinstance(definition, spec_model.ObjectType):
            for member, built in zip(definition.fields, objects[name].fields):
                needs = channels.type_names(member.type)
                if keep.keeps(built.docs.beta, needs):
                    view.fields[member.wire_name] = FieldView(
                        member.wire_name,
                        built.python_name,
                        built.type,
                        member.optional,
                        member.nullable,
                        built.default_json,
                        bool(built.docs.deprecated),
                        tuple(built.docs.beta),
                        stable.keeps(built.docs.beta, needs),
                        place(member.file, member.line),
                    )
        elif isinstance(definition, spec_model.EnumType):
            view.open = definition.open
            for item, value in zip(definition.values, enums[name].values):
                if keep.keeps(value.docs.beta):
                    view.values[item.value] = ValueView(
                        item.value,
                        bool(value.docs.deprecated),
                        tuple(value.docs.beta),
                        stable.keeps(value.docs.beta),
                        place(definition.file, item.line),
                    )
        elif isinstance(definition, spec_model.TaggedUnion):
            union = tagged[name]
            view.tag = definition.tag
            view.default = definition.default
            view.variants = tuple(
                VariantView(
                    item.type_name,
                    tuple(variant.tags),
                    item.beta,
                    stable.keeps(variant.docs.beta, [item.type_name]),
                    place(definition.file, item.line),
                )
                for item, variant in zip(definition.variants, union.variants)
                if keep.keeps(variant.docs.beta, [item.type_name])
            )
        else:
            for alternative, ref in zip(definition.alternatives, one_ofs[name].ref.alternatives):
                needs = channels.type_names(alternative.type)
                if keep.keeps((), needs):
                    view.alternatives[_json_kind(ref)] = AlternativeView(
                        ref, stable.keeps((), needs), place(definition.file, alternative.line)
                    )
        types[name] = view
    return SideView(types, directions(spec.roots, types), bool(spec.roots))


def _json_kind(ref: ir.TypeRef) -> str:
    return ir.KINDS[ref.kind].json_kind or ref.kind


def _named_uses(view: TypeView) -> Iterator[str]:
    """The type names a type mentions: field types, variants, alternatives."""
    refs = [f.ref for f in view.fields.values()] + [a.ref for a in view.alternatives.values()]
    for ref in refs:
        while ref.item is not None:
            ref = ref.item
        if ref.is_named:
            yield ref.name
    for variant in view.variants:
        yield variant.type_name


def directions(
    roots: tuple[spec_model.Root, ...], types: dict[str, TypeView]
) -> dict[str, Direction]:
    """From which roots each type is reached; every type counts as both without roots."""
    if not roots:
        return {name: "both" for name in types}
    reached: dict[str, set[str]] = {name: set() for name in types}
    for root in roots:
        pending = [root.name]
        while pending:
            name = pending.pop()
            if name not in types or root.direction in reached[name]:
                continue
            reached[name].add(root.direction)
            pending.extend(_named_uses(types[name]))
    directions: dict[str, Direction] = {}
    for name, found in reached.items():
        if len(found) == 2:
            directions[name] = "both"
        elif found:
            directions[name] = "request" if "request" in found else "response"
        else:
            directions[name] = "unreachable"
    return directions


def _merged(first: Direction | None, second: Direction | None) -> Direction:
    known = {d for d in (first, second) if d is not None and d != "unreachable"}
    if "both" in known or known == {"request", "response"}:
        return "both"
    if known:
        return next(iter(known))
    return "unreachable"


# --- type expressions -------------------------------------------------------------------------

Translate = Callable[[str], str]


def _same_name(name: str) -> str:
    return name


def ref_text(ref: ir.TypeRef, translate: Translate = _same_name) -> str:
    """A type as the spec language writes it (constants as JSON strings)."""
    if ref.is_named:
        return translate(ref.name)
    if ref.kind == "const":
        return " | ".join(json.dumps(v) for v in ref.values)
    if ref.kind in ("list", "map"):
        assert ref.item is not None
        return f"{ref.kind}[{ref_text(ref.item, translate)}]"
    return ref.kind


def _covers(
    new: ir.TypeRef, old: ir.TypeRef, translate: Translate, variants: dict[str, set[str]]
) -> bool:
    """Whether every value `old` (names translated to the new side) allows, `new` allows.

    `variants` gives the variant type names of the tagged unions on `new`'s side."""
    if ref_text(old, translate) == ref_text(new):
        return True
    if new.kind == "any":
        return True
    if old.kind == "one_of":
        return all(_covers(new, alt, translate, variants) for alt in old.alternatives)
    if new.kind == "one_of":
        return any(_covers(alt, old, translate, variants) for alt in new.alternatives)
    if old.kind == "object" and new.kind == "tagged_union":
        return translate(old.name) in variants.get(new.name, set())
    if old.kind == new.kind and old.kind in ("list", "map"):
        assert old.item is not None and new.item is not None
        return _covers(new.item, old.item, translate, variants)
    if new.kind == "map" and new.item is not None and new.item.kind == "any":
        return old.kind in ("object", "tagged_union", "map")
    if (old.kind, new.kind) == ("integer", "number"):
        return True
    if old.kind in ("const", "enum") and new.kind in ("const", "enum"):
        return set(old.values) <= set(new.values)
    return old.kind in ("const", "enum") and new.kind == "string"


def translator(renames: dict[str, str]) -> Translate:
    """A function giving a name's new spelling (itself when it was not renamed)."""

    def translate(name: str) -> str:
        return renames.get(name, name)

    return translate


def union_variants(view: SideView) -> dict[str, set[str]]:
    """The variant type names of each tagged union of a side."""
    return {
        name: {v.type_name for v in t.variants}
        for name, t in view.types.items()
        if t.kind == "tagged_union"
    }


def _same_wire(
    old: ir.TypeRef,
    new: ir.TypeRef,
    forward: Translate,
    variants: tuple[dict[str, set[str]], dict[str, set[str]]],
) -> bool:
    """Whether two different types allow the same bodies: an object and a tagged union whose
    only variant it is (either way round), also inside lists and maps."""
    if ref_text(old, forward) == ref_text(new):
        return True
    if old.kind == new.kind and old.kind in ("list", "map"):
        assert old.item is not None and new.item is not None
        return _same_wire(old.item, new.item, forward, variants)
    if old.kind == "object" and new.kind == "tagged_union":
        return variants[1].get(new.name) == {forward(old.name)}
    if old.kind == "tagged_union" and new.kind == "object":
        return {forward(v) for v in variants[0].get(old.name, ())} == {new.name}
    return False


def compare_refs(
    old: ir.TypeRef,
    new: ir.TypeRef,
    renames: dict[str, str],
    variants: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {}),
) -> str:
    """How `new` compares with `old` (its names renamed): "same", "retyped" (other types, the
    same bodies), "widened", "narrowed" or "changed". `variants` are the union variants of the old and the new side.
    """
    forward = translator(renames)
    if ref_text(old, forward) == ref_text(new):
        return "same"
    if _same_wire(old, new, forward, variants):
        return "retyped"
    if _covers(new, old, forward, variants[1]):
        return "widened"
    if _covers(old, new, translator({new: old for old, new in renames.items()}), variants[0]):
        return "narrowed"
    return "changed"


# --- matching ---------------------------------------------------------------------------------


def _shape(view: TypeView, translate: Translate) -> tuple[object, ...]:
    """What must be equal for two types to be one type under two names."""
    if view.kind == "object":
        return (
            "object",
            tuple(
                (f.wire, ref_text(f.ref, translate), f.optional, f.nullable)
                for f in view.fields.values()
            ),
        )
    if view.kind == "enum":
        return ("enum", view.open, tuple(view.values))
    if view.kind == "tagged_union":
        return (
            "union",
            view.tag,
            tuple((v.tags, translate(v.type_name)) for v in view.variants),
        )
    return ("one_of", tuple(ref_text(a.ref, translate) for a in view.alternatives.values()))


def find_renames(old: SideView, new: SideView) -> dict[str, str]:
    """Old name -> new name for removed types that reappear under a new name: by equal shape
    (unique matches, repeated while renames make more shapes equal), then by holding the same
    tag value of the same union."""
    renames: dict[str, str] = {}
    while True:
        removed = [n for n in old.types if n not in new.types and n not in renames]
        taken = set(renames.values())
        added = [n for n in new.types if n not in old.types and n not in taken]
        translate = translator(renames)
        by_shape: dict[tuple[object, ...], list[str]] = {}
        for name in added:
            by_shape.setdefault(_shape(new.types[name], _same_name), []).append(name)
        old_shapes: dict[tuple[object, ...], list[str]] = {}
        for name in removed:
            old_shapes.setdefault(_shape(old.types[name], translate), []).append(name)
        found = {
            names[0]: by_shape[shape][0]
            for shape, names in old_shapes.items()
            if len(names) == 1 and len(by_shape.get(shape, ())) == 1
        }
        if not found:
            break
        renames.update(found)
    removed_set = {n for n in old.types if n not in new.types and n not in renames}
    added_set = {n for n in new.types if n not in old.types} - set(renames.values())
    for name, union in old.types.items():
        counterpart = new.types.get(renames.get(name, name))
        if union.kind != "tagged_union" or counterpart is None:
            continue
        new_by_tag = {tag: v.type_name for v in counterpart.variants for tag in v.tags}
        for variant in union.variants:
            for tag in variant.tags:
                target = new_by_tag.get(tag)
                if variant.type_name in removed_set and target in added_set:
                    assert target is not None
                    renames[variant.type_name] = target
                    removed_set.discard(variant.type_name)
                    added_set.discard(target)
    return renames


# --- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """A change before its rule decides id, level and breaks."""

    kind: str
    path: str
    direction: Direction
    values: dict[str, str]
    before: str | None
    after: str | None
    old_place: Place | None
    new_place: Place | None
    beta_only: bool
    beta: tuple[str, ...]
    anchor: Place | None


def _field_text(f: FieldView) -> str:
    flags = [flag for flag, on in (("optional", f.optional), ("nullable", f.nullable)) if on]
    return ", ".join([ref_text(f.ref), *flags])


class _Comparer:
    """Compares one channel of the two sides, type pair by type pair."""

    def __init__(self, old: SideView, new: SideView, renames: dict[str, str]) -> None:
        self.old, self.new, self.renames = old, new, renames
        self.variants = (union_variants(old), union_variants(new))
        self.found: list[_Found] = []
        self.container: Place | None = None  # the new place of the type being compared
        # Tag fields are compared as the union's tag values, not again as constants.
        self.tag_fields = {
            (v.type_name, t.tag)
            for side in (old, new)
            for t in side.types.values()
            for v in t.variants
        }

    def run(self) -> list[_Found]:
        paired = set(self.renames.values())
        for name, before in self.old.types.items():
            new_name = self.renames.get(name, name)
            after = self.new.types.get(new_name)
            if after is None:
                self.container = None
                self.add(
                    "type-removed",
                    name,
                    self.old.directions.get(name),
                    None,
                    {"type": name},
                    name,
                    None,
                    before.place,
                    None,
                    not before.in_stable,
                    before.beta,
                )
            else:
                self.compare_types(before, after)
        for name, after in self.new.types.items():
            if name not in self.old.types and name not in paired:
                self.add(
                    "type-added",
                    name,
                    None,
                    self.new.directions.get(name),
                    {"type": name},
                    None,
                    name,
                    None,
                    after.place,
                    not after.in_stable,
                    after.beta,
                )
        return self.found

    def add(
        self,
        kind: str,
        path: str,
        old_direction: Direction | None,
        new_direction: Direction | None,
        values: dict[str, str],
        before: str | None,
        after: str | None,
        old_place: Place | None,
        new_place: Place | None,
        beta_only: bool,
        beta: tuple[str, ...],
    ) -> None:
        direction = _merged(old_direction, new_direction)
        self.found.append(
            _Found(
                kind,
                path,
                direction,
                values,
                before,
                after,
                old_place,
                new_place,
                beta_only,
                beta,
                new_place or self.container or old_place,
            )
        )

    def compare_types(self, a: TypeView, b: TypeView) -> None:
        self.container = b.place
        directions = (self.old.directions.get(a.name), self.new.directions.get(b.name))
        beta_only = not (a.in_stable or b.in_stable)

        def add(
            kind: str,
            path: str,
            before: str | None,
            after: str | None,
            old_place: Place | None,
            new_place: Place | None,
            element_beta_only: bool = beta_only,
            beta: tuple[str, ...] = b.beta or a.beta,
            **values: str,
        ) -> None:
            self.add(
                kind,
                path,
                *directions,
                {"type": b.name, **values},
                before,
                after,
                old_place,
                new_place,
                element_beta_only,
                beta,
            )

        if a.name != b.name:
            add("type-renamed", b.name, a.name, b.name, a.place, b.place)
        if a.kind != b.kind:
            kinds = {"object": "an object", "enum": "an enum"}
            before = kinds.get(a.kind, "a union")
            after = kinds.get(b.kind, "a union")
            add("type-kind-changed", b.name, before, after, a.place, b.place)
            return
        what = f"the type {b.name}"
        self.compare_docs(add, b.name, what, a, b, a.place, b.place)
        if a.kind == "object":
            self.compare_fields(add, a, b, beta_only)
        elif a.kind == "enum":
            self.compare_enums(add, a, b, beta_only)
        elif a.kind == "tagged_union":
            self.compare_unions(add, a, b, beta_only)
        else:
            self.compare_alternatives(add, a, b, beta_only)

    def compare_docs(
        self,
        add: Callable[..., None],
        path: str,
        what: str,
        a: FieldView | ValueView | TypeView | VariantView,
        b: FieldView | ValueView | TypeView | VariantView,
        old_place: Place,
        new_place: Place,
        element_beta_only: bool | None = None,
    ) -> None:
        extra = {} if element_beta_only is None else {"element_beta_only": element_beta_only}
        if not isinstance(a, VariantView) and not isinstance(b, VariantView):
            if a.deprecated != b.deprecated:
                kind = "became-deprecated" if b.deprecated else "no-longer-deprecated"
                add(kind, path, None, None, old_place, new_place, what=what, **extra)
        old_beta, new_beta = ", ".join(a.beta), ", ".join(b.beta)
        if old_beta == new_beta:
            return
        if not old_beta:
            kind = "stability-decreased"
        elif not new_beta:
            kind = "stability-increased"
        elif set(a.beta) <= set(b.beta):
            kind = "beta-header-added"  # every header that enabled it still does
        else:
            kind = "beta-header-changed"
        add(
            kind, path, old_beta or None, new_beta or None, old_place, new_place, what=what, **extra
        )

    def compare_fields(
        self, add: Callable[..., None], a: TypeView, b: TypeView, type_beta_only: bool
    ) -> None:
        for wire, new in b.fields.items():
            old = a.fields.get(wire)
            path = f"{b.name}.fields.{wire}"
            only = type_beta_only or not new.in_stable
            if old is None:
                kind = "optional-field-added" if new.optional else "required-field-added"
                beta = new.beta or b.beta
                add(kind, path, None, _field_text(new), None, new.place, only, beta, field=wire)
                continue
            only = type_beta_only or not (new.in_stable or old.in_stable)
            beta = new.beta or old.beta or b.beta

            def change(
                kind: str, before: str | None, after: str | None, old_place: Place = old.place
            ) -> None:
                add(kind, path, before, after, old_place, new.place, only, beta, field=wire)

            if old.optional != new.optional:
                change(
                    "field-became-optional" if new.optional else "field-became-required",
                    _field_text(old),
                    _field_text(new),
                )
            if old.nullable != new.nullable:
                change(
                    "field-became-nullable" if new.nullable else "field-became-non-nullable",
                    _field_text(old),
                    _field_text(new),
                )
            if (b.name, wire) not in self.tag_fields:
                verdict = compare_refs(old.ref, new.ref, self.renames, self.variants)
                if verdict != "same":
                    forward = translator(self.renames)
                    kind = "annotation-changed" if verdict == "retyped" else f"field-type-{verdict}"
                    change(kind, ref_text(old.ref, forward), ref_text(new.ref))
            if old.python_name != new.python_name:
                change("field-python-name-changed", old.python_name, new.python_name)
            if old.default != new.default:
                kind = (
                    "field-default-added"
                    if not old.default
                    else "field-default-removed" if not new.default else "field-default-changed"
                )
                change(kind, old.default or None, new.default or None)
            what = f"the field `{wire}` of {b.name}"
            self.compare_docs(add, path, what, old, new, old.place, new.place, only)
        for wire, old in a.fields.items():
            if wire not in b.fields:
                kind = "optional-field-removed" if old.optional else "required-field-removed"
                only = type_beta_only or not old.in_stable
                path = f"{b.name}.fields.{wire}"
                beta = old.beta or a.beta
                add(kind, path, _field_text(old), None, old.place, None, only, beta, field=wire)

    def compare_enums(
        self, add: Callable[..., None], a: TypeView, b: TypeView, type_beta_only: bool
    ) -> None:
        if a.open != b.open:
            kind = "enum-opened" if b.open else "enum-closed"
            add(kind, b.name, None, None, a.place, b.place)
        for value, new in b.values.items():
            old = a.values.get(value)
            path = f"{b.name}.enum.{value}"
            if old is None:
                kind = "enum-value-added" if b.open else "closed-enum-value-added"
                only = type_beta_only or not new.in_stable
                add(kind, path, None, value, None, new.place, only, new.beta or b.beta, value=value)
                continue
            only = type_beta_only or not (old.in_stable or new.in_stable)
            what = f"the value `{value}` of {b.name}"
            self.compare_docs(add, path, what, old, new, old.place, new.place, only)
        for value, old in a.values.items():
            if value not in b.values:
                kind = "enum-value-removed" if a.open else "closed-enum-value-removed"
                path = f"{b.name}.enum.{value}"
                only = type_beta_only or not old.in_stable
                add(kind, path, value, None, old.place, None, only, old.beta or a.beta, value=value)

    def compare_unions(
        self, add: Callable[..., None], a: TypeView, b: TypeView, type_beta_only: bool
    ) -> None:
        if a.tag != b.tag:
            add("union-tag-changed", f"{b.name}.union", a.tag, b.tag, a.place, b.place, tag=b.tag)
            return
        forward = translator(self.renames)
        old_by_tag = {tag: v for v in a.variants for tag in v.tags}
        new_by_tag = {tag: v for v in b.variants for tag in v.tags}
        for new in b.variants:
            path = f"{b.name}.variants.{new.tags[0]}"
            olds = [old_by_tag[t] for t in new.tags if t in old_by_tag]
            only = type_beta_only or not new.in_stable
            beta = new.beta or b.beta
            if not olds:
                add(
                    "variant-added",
                    path,
                    None,
                    new.type_name,
                    None,
                    new.place,
                    only,
                    beta,
                    tag=new.tags[0],
                )
                continue
            old = olds[0]
            only = type_beta_only or not (old.in_stable or new.in_stable)
            if forward(old.type_name) != new.type_name:
                add(
                    "variant-type-changed",
                    path,
                    old.type_name,
                    new.type_name,
                    old.place,
                    new.place,
                    only,
                    beta,
                    tag=new.tags[0],
                )
            for tag in new.tags:
                if tag not in old_by_tag:
                    add(
                        "variant-tag-spelling-added",
                        f"{b.name}.variants.{tag}",
                        None,
                        new.type_name,
                        old.place,
                        new.place,
                        only,
                        beta,
                        tag=tag,
                    )
            what = f"the variant {new.type_name} of {b.name}"
            self.compare_docs(add, path, what, old, new, old.place, new.place, only)
        for old in a.variants:
            path = f"{b.name}.variants.{old.tags[0]}"
            only = type_beta_only or not old.in_stable
            if not any(t in new_by_tag for t in old.tags):
                add(
                    "variant-removed",
                    path,
                    old.type_name,
                    None,
                    old.place,
                    None,
                    only,
                    old.beta or a.beta,
                    tag=old.tags[0],
                )
                continue
            for tag in old.tags:
                if tag not in new_by_tag:
                    add(
                        "variant-tag-spelling-removed",
                        f"{b.name}.variants.{tag}",
                        old.type_name,
                        None,
                        old.place,
                        None,
                        only,
                        old.beta or a.beta,
                        tag=tag,
                    )
        old_default = forward(a.default) if a.default else None
        if old_default != b.default:
            kind = (
                "union-default-added"
                if a.default is None
                else "union-default-removed" if b.default is None else "union-default-changed"
            )
            add(kind, f"{b.name}.union", a.default, b.default, a.place, b.place, tag=b.tag)

    def compare_alternatives(
        self, add: Callable[..., None], a: TypeView, b: TypeView, type_beta_only: bool
    ) -> None:
        forward = translator(self.renames)
        for kind, new in b.alternatives.items():
            old = a.alternatives.get(kind)
            path = f"{b.name}.one_of.{kind}"
            if old is None:
                only = type_beta_only or not new.in_stable
                add("alternative-added", path, None, ref_text(new.ref), None, new.place, only)
                continue
            verdict = compare_refs(old.ref, new.ref, self.renames, self.variants)
            if verdict != "same":
                only = type_beta_only or not (old.in_stable or new.in_stable)
                add(
                    "annotation-changed" if verdict == "retyped" else f"alternative-{verdict}",
                    path,
                    ref_text(old.ref, forward),
                    ref_text(new.ref),
                    old.place,
                    new.place,
                    only,
                    field=f"one_of {kind}",
                )
        for kind, old in a.alternatives.items():
            if kind not in b.alternatives:
                only = type_beta_only or not old.in_stable
                path = f"{b.name}.one_of.{kind}"
                add(
                    "alternative-removed",
                    path,
                    ref_text(old.ref, forward),
                    None,
                    old.place,
                    None,
                    only,
                )


# --- the whole diff ---------------------------------------------------------------------------

_SIDE_WORDS = {
    "request": "request",
    "response": "response",
    "both": "request and response",
    "unreachable": "unreachable",
}


def _decided(found: _Found, channel: Channel) -> Change:
    rule = diff_rules.RULES[found.kind]
    breaks = rule.breaks(found.direction)
    if channel == "stable":
        # The package holds every beta element whatever the channel: only callers of the API
        # see a stable element turn beta as a removal.
        breaks = tuple(a for a in breaks if a == diff_rules.CLIENTS)
    level = diff_rules.level_of(breaks, found.direction)
    if channel == "beta":
        level = diff_rules.lowered(level)
    values = {"side": _SIDE_WORDS[found.direction], "before": "", "after": "", "tag": ""}
    values.update({k: v for k, v in (("before", found.before), ("after", found.after)) if v})
    values.update(found.values)
    return Change(
        kind=found.kind,
        rule_id=rule.rule_id(found.direction),
        level=level,
        direction=found.direction,
        channel=channel,
        path=found.path,
        breaks=breaks,
        message=rule.message.format(**values),
        before=found.before,
        after=found.after,
        old_place=found.old_place,
        new_place=found.new_place,
        beta=found.beta,
        anchor=found.anchor,
    )


def _empty_view() -> SideView:
    return SideView({}, {}, False)


def diff(
    old: Side | None,
    new: Side,
    *,
    ignore_beta: bool = False,
    default_roots: tuple[spec_model.Root, ...] = (),
) -> Report:
    """Every change from `old` (None: no spec yet, so everything is added) to `new`.

    `default_roots` stand in when neither side declares roots (older revisions of a spec)."""
    old_full = side_view(old, "beta") if old else _empty_view()
    new_full = side_view(new, "beta")
    old_stable = side_view(old, "stable") if old else _empty_view()
    new_stable = side_view(new, "stable")
    # Roots declare what the API's bodies are, not a change of the API: a side written before
    # they were declared is read with the other side's.
    roots = new.spec.roots or (old.spec.roots if old else ()) or default_roots
    if roots and not (new.spec.roots and old and old.spec.roots):
        for view in (old_full, new_full, old_stable, new_stable):
            view.has_roots = True
            view.directions = directions(roots, view.types)
    renames = find_renames(old_full, new_full)
    changes: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for found in _Comparer(old_full, new_full, renames).run():
        channel: Channel = "beta" if found.beta_only else "all"
        if ignore_beta and channel == "beta":
            continue
        seen.add((found.kind, found.path))
        changes.append(_decided(found, channel))
    for found in _Comparer(old_stable, new_stable, renames).run():
        # Types and their docs count for the package, which holds both channels; in the stable
        # channel only what its callers can no longer send or receive is news.
        if (found.kind, found.path) in seen or found.kind in ("type-added", "type-removed"):
            continue
        changes.append(_decided(found, "stable"))
    notes = []
    if not new_full.has_roots and not old_full.has_roots:
        notes.append(diff_rules.NO_ROOTS_NOTE)
    if any(diff_rules.DEPLOYED in c.breaks for c in changes) or any(
        c.kind.endswith("-added") for c in changes
    ):
        notes.append(diff_rules.DEPLOYED_STRICT_NOTE)
    order = {level: index for index, level in enumerate(diff_rules.LEVELS)}
    changes.sort(key=lambda c: (order[c.level], c.path, c.rule_id))
    return Report(changes, notes)
