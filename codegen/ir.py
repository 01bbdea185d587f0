"""The intermediate model: plain dataclasses that the templates and the JSON Schema export read.

Everything a template needs is computed here once (Python names, annotations, what an error
message expects), so templates only arrange text and never look back at the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeRef:
    """A use of a type: in a field, a list, a map or an untagged union.

    kind is one of: string, integer, number, boolean, any, const, list, map, object,
    tagged_union, one_of, enum.
    """

    kind: str
    annotation: str
    expected: str
    name: str = ""
    snake: str = ""
    area: str = ""
    item: TypeRef | None = None
    values: tuple[str, ...] = ()  # const values, or an enum's listed values
    alternatives: tuple[TypeRef, ...] = ()
    open: bool = True
    tag: str = ""  # a tagged union's discriminator member
    table_name: str = ""  # a tagged union's module constant mapping tag values to decoders

    @property
    def is_named(self) -> bool:
        return self.kind in ("object", "tagged_union", "one_of", "enum")

    @property
    def is_free_json(self) -> bool:
        """A map or list of `any`: checked for its container kind only and kept as received."""
        return self.kind in ("list", "map") and self.item is not None and self.item.kind == "any"

    @property
    def json_kind(self) -> str:
        """The JSON kind of a value of this type (for untagged union dispatch)."""
        if self.kind in ("string", "const", "enum"):
            return "string"
        if self.kind == "list":
            return "array"
        if self.kind in ("map", "object", "tagged_union"):
            return "object"
        return self.kind

    @property
    def python_check(self) -> str:
        """The class (or tuple of classes) a decoded value of this type is an instance of."""
        return {
            "string": "str",
            "const": "str",
            "enum": "str",
            "integer": "int",
            "number": "(int, float)",
            "boolean": "bool",
            "list": "list",
            "map": "dict",
        }.get(self.kind, "Model")

    @property
    def encode_branches(self) -> tuple[TypeRef, ...]:
        """Untagged union alternatives in the order the encoder tests them: values that are
        their own JSON first, then arrays, maps, and objects last (the `else` branch)."""
        rank = {"list": 1, "map": 2, "object": 3, "tagged_union": 3}
        return tuple(
            sorted(self.alternatives, key=lambda alt: 0 if alt.encodes_as_is else rank[alt.kind])
        )

    @property
    def encodes_as_is(self) -> bool:
        """True when the Python value already is its JSON value (no objects inside)."""
        if self.kind in ("list", "map"):
            return self.item is not None and self.item.encodes_as_is
        if self.kind == "one_of":
            return all(alt.encodes_as_is for alt in self.alternatives)
        return self.kind not in ("object", "tagged_union")


@dataclass(frozen=True)
class Docs:
    """What a reader of the generated code and of the JSON Schema learns about an element."""

    description: str = ""
    deprecated: str = ""  # empty: not deprecated; otherwise the note to show
    beta: tuple[str, ...] = ()

    @property
    def is_deprecated(self) -> bool:
        return bool(self.deprecated)


@dataclass(frozen=True)
class Field:
    wire_name: str
    python_name: str
    local_name: str  # the variable holding the value inside the decoder
    type: TypeRef
    optional: bool
    nullable: bool
    annotation: str  # full annotation: with `| None` and `| Unset` where they apply
    default_code: str  # Python default in the class body, "" when the field is required
    default_json: str  # the documented wire default as JSON text, "" when none
    docs: Docs

    @property
    def is_const(self) -> bool:
        return self.type.kind == "const"


@dataclass(frozen=True)
class ObjectType:
    name: str
    snake: str
    area: str
    fields: tuple[Field, ...]
    docs: Docs
    known_fields_name: str  # module constant with the wire names, for spotting unknown ones


@dataclass(frozen=True)
class Variant:
    name: str
    snake: str
    area: str
    tags: tuple[str, ...]
    docs: Docs  # beta of the variant in this union, merged with the type's own


@dataclass(frozen=True)
class TaggedUnion:
    name: str
    snake: str
    area: str
    tag: str
    variants: tuple[Variant, ...]
    default: Variant | None
    unknown_class: str
    table_name: str  # module constant mapping tag values to decoders
    docs: Docs
    default_takes_null: bool = False  # a null tag also selects the default variant

    @property
    def tag_values(self) -> tuple[str, ...]:
        return tuple(tag for variant in self.variants for tag in variant.tags)


@dataclass(frozen=True)
class OneOf:
    name: str
    snake: str
    area: str
    ref: TypeRef  # kind one_of, with the alternatives
    docs: Docs


@dataclass(frozen=True)
class EnumValue:
    value: str
    docs: Docs


@dataclass(frozen=True)
class EnumType:
    name: str
    snake: str
    area: str
    open: bool
    values: tuple[EnumValue, ...]
    values_name: str  # module constant holding the known values
    docs: Docs


@dataclass(frozen=True)
class Import:
    module: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class AreaModule:
    """One generated module per spec file, in spec order within each kind."""

    area: str
    module: str
    source_file: str
    enums: tuple[EnumType, ...]
    objects: tuple[ObjectType, ...]
    tagged_unions: tuple[TaggedUnion, ...]
    one_ofs: tuple[OneOf, ...]
    type_imports: tuple[Import, ...]  # names used only in annotations
    runtime_imports: tuple[Import, ...]  # names used at run time
    area_imports: tuple[str, ...]  # other area modules whose decoders are called

    @property
    def defined_names(self) -> tuple[str, ...]:
        """The public names this module defines, sorted."""
        names = [e.name for e in self.enums] + [o.name for o in self.objects]
        names += [u.unknown_class for u in self.tagged_unions]
        return tuple(sorted(names))


@dataclass(frozen=True)
class UnionAlias:
    name: str
    annotation: str
    docs: Docs


@dataclass(frozen=True)
class UnionsModule:
    aliases: tuple[UnionAlias, ...]  # in dependency order
    imports: tuple[Import, ...]


@dataclass(frozen=True)
class Package:
    name: str
    areas: tuple[AreaModule, ...]
    unions: UnionsModule
    public_names: tuple[str, ...]  # every type name, sorted
    # (type name, module holding its decoder, decoder function) for the decode registry
    decoders: tuple[tuple[str, str, str], ...]
    spec_files: tuple[str, ...] = field(default=())
