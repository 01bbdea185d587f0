"""The intermediate model: plain dataclasses that the templates and the JSON Schema export read.

Everything a template needs is computed here once (Python names, annotations, what an error
message expects), so templates only arrange text and never look back at the YAML.

Every string is typed by how it may reach generated source (codegen.pysource): an `Identifier`
is written as it is, `PySource` is source built from checked parts, and `SpecText` (text from
the spec) only through the string-literal and docstring escapers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .pysource import Identifier, PySource, SpecText, string_literal

#: What kind of type a reference names; set by build_ir, never taken from a spec.
Kind = Literal[
    "string",
    "integer",
    "number",
    "boolean",
    "any",
    "const",
    "list",
    "map",
    "object",
    "tagged_union",
    "one_of",
    "enum",
]


JsonKind = Literal["string", "integer", "number", "boolean", "array", "object", ""]


@dataclass(frozen=True)
class KindInfo:
    """What every type reference of one kind shares."""

    json_kind: JsonKind  # the JSON kind of its values
    python_class: PySource  # the class `type()` of a decoded JSON value of this kind is
    instance_check: PySource  # what `isinstance()` tests to tell its Python values from others
    annotation: PySource = PySource("")  # for primitives: the Python type of their values
    expected: SpecText = SpecText("")  # for primitives: what a decode error says they allow


#: The one table from kinds to their JSON kind and Python classes.
KINDS: dict[Kind, KindInfo] = {
    "string": KindInfo(
        "string", PySource("str"), PySource("str"), PySource("str"), SpecText("a string")
    ),
    "const": KindInfo("string", PySource("str"), PySource("str")),
    "enum": KindInfo("string", PySource("str"), PySource("str")),
    "integer": KindInfo(
        "integer", PySource("int"), PySource("int"), PySource("int"), SpecText("an integer")
    ),
    "number": KindInfo(
        "number",
        PySource("float"),
        PySource("(int, float)"),
        PySource("float"),
        SpecText("a number"),
    ),
    "boolean": KindInfo(
        "boolean", PySource("bool"), PySource("bool"), PySource("bool"), SpecText("true or false")
    ),
    "list": KindInfo("array", PySource("list"), PySource("list")),
    "map": KindInfo("object", PySource("dict"), PySource("dict")),
    "object": KindInfo("object", PySource("dict"), PySource("Model")),
    "tagged_union": KindInfo("object", PySource("dict"), PySource("Model")),
    "one_of": KindInfo(
        "", PySource(""), PySource("Model")
    ),  # an alternative is never itself an untagged union
    # nor `any`
    "any": KindInfo(
        "", PySource(""), PySource("Model"), PySource("Any"), SpecText("any JSON value")
    ),
}


@dataclass(frozen=True)
class TypeRef:
    """A use of a type: in a field, a list, a map or an untagged union."""

    kind: Kind
    annotation: PySource
    expected: SpecText
    name: Identifier = Identifier("")
    decoder: Identifier = Identifier("")  # for named types: its decoder's function name
    area: Identifier = Identifier("")
    item: TypeRef | None = None
    values: tuple[SpecText, ...] = ()  # const values, or an enum's listed values
    alternatives: tuple[TypeRef, ...] = ()
    tag: SpecText = SpecText("")  # a tagged union's discriminator member
    table_name: Identifier = Identifier("")  # a tagged union's table of tag values to decoders

    @property
    def is_named(self) -> bool:
        return self.kind in ("object", "tagged_union", "one_of", "enum")

    @property
    def is_free_json(self) -> bool:
        """A map or list of `any`: checked for its container kind only and kept as received."""
        return self.kind in ("list", "map") and self.item is not None and self.item.kind == "any"

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

    description: SpecText = SpecText("")
    deprecated: SpecText = SpecText("")  # empty: not deprecated; otherwise the note to show
    beta: tuple[SpecText, ...] = ()


@dataclass(frozen=True)
class ListLoop:
    """An array that its parent's decoder decodes in place, item by item, instead of calling a
    list decoder: a bad item's index is the number of items decoded before it."""

    item_decoder: PySource  # decodes any item (for tagged items: the union's decoder)
    # Tagged items: the union's table of variant decoders, which the loop calls directly for a
    # known tag, and the tag's member ("" otherwise).
    variants_table: Identifier = Identifier("")
    tag: SpecText = SpecText("")


@dataclass(frozen=True)
class InlineDecode:
    """A value its parent's decoder decodes in place: an array, or a string or an array (an
    untagged union of the two)."""

    loop: ListLoop
    string_test: PySource  # with `or_string`: true when the string held is not valid
    or_string: bool
    expected: SpecText  # what the error says when the value has no kind the type allows


@dataclass(frozen=True)
class Field:
    wire_name: SpecText
    python_name: Identifier
    local_name: Identifier  # the variable holding the value inside the decoder
    type: TypeRef
    optional: bool
    nullable: bool
    annotation: PySource  # full annotation: with `| None` and `| Unset` where they apply
    default_code: PySource  # Python default in the class body, "" when the field is required
    default_json: SpecText  # the documented wire default as JSON text, "" when none
    expected: SpecText  # what a decode error says the field allows
    docs: Docs
    doc_text: SpecText  # its docstring: the docs, then the documented default
    # How its decoder checks and decodes the value held in `local_name`, what it stores, and
    # what its encoder writes; codegen.expressions decides them ("" when a step is not needed).
    invalid_test: PySource  # true when the value is wrong (constants and primitives)
    kept_check: PySource  # checks a value kept as received is JSON
    decode_call: PySource  # decodes a value of a named type, list or map
    stored_value: PySource
    encoded: PySource  # the JSON value, from `self.<python_name>` or from the local if optional
    # How a lazy decoder treats it (the runtime's LazyMember): its check, the error text for a
    # value of the wrong kind, and whether it is left for the first read.
    lazy_check: PySource
    lazy_expected: SpecText
    deferred: bool
    inline: InlineDecode | None = None  # decoded in place (decode_call is then "")

    @property
    def missing_pair(self) -> PySource:
        """(wire name, expected text): how missing_field reports the field when it is absent."""
        return PySource(f"({string_literal(self.wire_name)}, {string_literal(self.expected)})")

    @property
    def is_const(self) -> bool:
        return self.type.kind == "const"

    @property
    def lazy_member(self) -> PySource:
        """The field's entry in its class's LazyTable."""
        parts = (
            string_literal(self.wire_name),
            string_literal(self.python_name),
            self.lazy_check,
            string_literal(self.lazy_expected),
            str(self.nullable),
            str(self.deferred),
        )
        return PySource(f"({', '.join(parts)})")


@dataclass(frozen=True)
class ObjectType:
    name: Identifier
    decoder: Identifier  # the name of its decoder function
    area: Identifier
    fields: tuple[Field, ...]
    docs: Docs
    known_fields_name: Identifier  # module constant with the wire names, for spotting unknown ones
    key_orders_name: Identifier  # module cache of the member orders its decoder has met
    lazy_table_name: Identifier  # module constant: its LazyTable, when it decodes lazily
    doc_text: SpecText
    # A variant of a tagged union whose tag is one of its constant fields: the tag's member, and
    # the decoder that its union calls once it has checked the object and its tag ("" if none).
    union_tag: SpecText = SpecText("")
    after_tag_decoder: Identifier = Identifier("")

    # The fields in the groups the decoder reads them in: constant tags first (a wrong variant
    # says so at once), then the other required ones, then the optional ones.
    @property
    def tag_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.optional and f.is_const)

    @property
    def tags_checked_first(self) -> tuple[Field, ...]:
        """The tags the public decoder checks before calling the after-tag decoder: those up to
        the union's own, in order."""
        names = [f.wire_name for f in self.tag_fields]
        return self.tag_fields[: names.index(self.union_tag) + 1]

    @property
    def tags_checked_after(self) -> tuple[Field, ...]:
        """The tags the after-tag decoder checks: all but the union's own."""
        return tuple(f for f in self.tag_fields if f.wire_name != self.union_tag)

    @property
    def union_tag_field(self) -> Field:
        return next(f for f in self.tag_fields if f.wire_name == self.union_tag)

    @property
    def union_tag_needs_local(self) -> bool:
        """True when the after-tag decoder stores the tag's value as received (it has several
        values, or null), so reads it again; otherwise it stores the one literal."""
        tag = self.union_tag_field
        return tag.nullable or len(tag.type.values) != 1

    @property
    def decodes_lists_in_place(self) -> bool:
        return any(f.inline is not None for f in self.fields)

    @property
    def decodes_tagged_lists_in_place(self) -> bool:
        return any(f.inline is not None and f.inline.loop.variants_table for f in self.fields)

    @property
    def read_fields(self) -> tuple[Field, ...]:
        """Required fields that are not constants: read together, by subscript."""
        return tuple(f for f in self.fields if not f.optional and not f.is_const)

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.optional)

    @property
    def optional_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.optional)

    @property
    def required_count(self) -> int:
        return len(self.required_fields)

    @property
    def encoder_positions(self) -> tuple[PySource, ...]:
        """`"wire name": position` entries: where the encoder writes each field (the required
        ones first, then the others), for telling a received order of its own."""
        written = self.required_fields + self.optional_fields
        return tuple(
            PySource(f"{string_literal(f.wire_name)}: {position}")
            for position, f in enumerate(written)
        )

    @property
    def lazy_members(self) -> tuple[Field, ...]:
        """The fields in the order its decoder checks them (see the runtime's LazyTable)."""
        return self.tag_fields + self.read_fields + self.optional_fields

    @property
    def decodes_lazily(self) -> bool:
        """True when a lazy decoder would leave a member for later: else the eager one serves."""
        return any(f.deferred for f in self.fields)

    @property
    def slots(self) -> tuple[PySource, ...]:
        """The names in `__slots__`, as literals: every field's, then `extra`."""
        return tuple(string_literal(f.python_name) for f in self.fields) + (
            string_literal("extra"),
        )


@dataclass(frozen=True)
class Variant:
    name: Identifier
    decoder: Identifier  # the name of its decoder function
    area: Identifier
    tags: tuple[SpecText, ...]
    docs: Docs  # beta of the variant in this union, merged with the type's own
    decoder_ref: PySource  # its decoder, as written in the union's module
    table_ref: PySource  # what its union's table holds: its after-tag decoder if it has one


@dataclass(frozen=True)
class TaggedUnion:
    name: Identifier
    decoder: Identifier  # the name of its decoder function
    area: Identifier
    tag: SpecText
    tag_attribute: Identifier  # the tag as a property name of the unknown-variant class
    variants: tuple[Variant, ...]
    default: Variant | None
    unknown_class: Identifier
    table_name: Identifier  # module constant mapping tag values to decoders
    docs: Docs
    default_takes_null: bool = False  # a null tag also selects the default variant

    @property
    def tag_values(self) -> tuple[SpecText, ...]:
        return tuple(tag for variant in self.variants for tag in variant.tags)


@dataclass(frozen=True)
class OneOfBranch:
    """How an untagged union's decoder handles one alternative: the JSON kind it recognises, a
    further check of the value (or ""), and what it returns."""

    test: PySource
    invalid_test: PySource
    result: PySource


@dataclass(frozen=True)
class OneOf:
    name: Identifier
    decoder: Identifier  # the name of its decoder function
    area: Identifier
    ref: TypeRef  # kind one_of, with the alternatives
    docs: Docs
    branches: tuple[OneOfBranch, ...]  # one per alternative, in the spec's order


@dataclass(frozen=True)
class EnumValue:
    value: SpecText
    docs: Docs


@dataclass(frozen=True)
class EnumType:
    name: Identifier
    decoder: Identifier  # the name of its decoder function
    area: Identifier
    open: bool
    values: tuple[EnumValue, ...]
    values_name: Identifier  # module constant holding the known values
    expected: SpecText  # what a decode error says the enum allows
    docs: Docs
    doc_text: SpecText  # its docstring: the docs, open or closed, and the documented values


@dataclass(frozen=True)
class AreaModule:
    """One generated module per spec file: its enums and objects, each with its decoder."""

    area: Identifier
    module: Identifier
    source_file: SpecText
    enums: tuple[EnumType, ...]
    objects: tuple[ObjectType, ...]
    # The other class modules, which this one imports at its end (see the runtime's notes).
    siblings: tuple[Identifier, ...] = ()


@dataclass(frozen=True)
class Exports:
    """The names a module of the package defines for the others to import: its types and
    their decoders."""

    module: Identifier
    names: tuple[Identifier, ...]  # sorted


@dataclass(frozen=True)
class UnionAlias:
    """A union type: its alias, and what decodes it (a tagged or an untagged union)."""

    name: Identifier
    annotation: PySource
    docs: Docs
    doc_text: SpecText
    tagged: TaggedUnion | None
    one_of: OneOf | None


@dataclass(frozen=True)
class UnionsModule:
    """The module of every union: an alias needs the classes of many modules, so the unions
    stand in a module of their own, which the package imports after all the others."""

    aliases: tuple[UnionAlias, ...]  # in dependency order

    @property
    def tagged_unions(self) -> tuple[TaggedUnion, ...]:
        return tuple(alias.tagged for alias in self.aliases if alias.tagged is not None)

    @property
    def one_ofs(self) -> tuple[OneOf, ...]:
        return tuple(alias.one_of for alias in self.aliases if alias.one_of is not None)


@dataclass(frozen=True)
class EventStream:
    """The server-sent event helpers of the union that is an event stream's data (the spec's
    `stream: {events: ...}`): the module they live in and what it needs of the union."""

    module: Identifier
    union: Identifier  # the union's alias, which the helpers return and take
    decoder: Identifier  # the union's decoder, in the unions module
    tag: SpecText  # the union's tag member, whose value names each event
    names: tuple[Identifier, ...]  # what the package root exports from the module, sorted


@dataclass(frozen=True)
class PlatformRoute:
    """A cloud platform's form of a first-party body (`platform:` in the spec): the constant
    that converts between the two."""

    constant: Identifier  # the route constant's name
    base_class: Identifier  # the first-party body class
    platform_class: Identifier  # the platform body class
    path: SpecText  # URL path with {field} placeholders
    stream_path: SpecText | None  # the path when the stream flag is true
    stream_flag: SpecText | None  # wire name of the base's boolean that selects stream_path
    url_fields: tuple[SpecText, ...]  # base fields the platform body leaves out, in base order
    constants: tuple[tuple[SpecText, SpecText], ...]  # (wire name, value) the platform adds
    betas_field: SpecText | None  # body member that carries the anthropic-beta values
    imported: tuple[tuple[Identifier, Identifier], ...]  # (module, name) the route needs


@dataclass(frozen=True)
class EventStreamCodec:
    """A platform's streamed answer as AWS event-stream frames holding one event each."""

    decoder_class: Identifier
    encoder_function: Identifier
    event_type: Identifier  # class or union alias of one event
    event_decoder: Identifier  # its decoder function
    imported: tuple[tuple[Identifier, Identifier], ...]  # (module, name)


@dataclass(frozen=True)
class BetaHeader:
    """An `anthropic-beta` header value and the spec elements it enables, by JSON names."""

    header: SpecText
    description: SpecText
    field_names: tuple[SpecText, ...]  # `Type.wire_name`
    variant_names: tuple[SpecText, ...]  # `Union[tag=value]`
    enum_value_names: tuple[SpecText, ...]  # `Enum="value"`
    type_names: tuple[SpecText, ...]  # `Type`


@dataclass(frozen=True)
class BetaHit:
    """A beta element found by class or by value: what is found, its kind and name, its
    headers."""

    found_by: PySource  # a class name or a string literal
    kind_name: SpecText  # "variant", "enum value" or "type"
    element: SpecText
    headers: Identifier  # the module constant holding the header tuple

    @property
    def entry(self) -> PySource:
        """Its item in the walker's lookup: `found_by: (kind, name, headers)`."""
        kind, element = string_literal(self.kind_name), string_literal(self.element)
        return PySource(f"{self.found_by}: ({kind}, {element}, {self.headers})")


@dataclass(frozen=True)
class BetaHeaderSet:
    """A module constant holding the headers that enable some elements."""

    name: Identifier
    values: tuple[SpecText, ...]

    @property
    def definition(self) -> PySource:
        items = "".join(string_literal(v) + ", " for v in self.values)
        return PySource(f"{self.name}: Final[tuple[str, ...]] = ({items.rstrip(' ')})")


@dataclass(frozen=True)
class BetaLookup:
    """A module constant mapping variant classes (or enum values) to the beta they are."""

    name: Identifier
    hits: tuple[BetaHit, ...]


@dataclass(frozen=True)
class BetaMember:
    """A member of a class that the beta walker reads: beta itself, or able to hold beta
    elements or objects (for unknown fields and variants)."""

    attribute: Identifier
    wire_name: SpecText
    headers: Identifier  # the constant with its headers (the empty tuple's when not beta)
    variants_table: Identifier  # the BetaLookup of union variants its value can hold, or None
    values_table: Identifier  # the BetaLookup of enum values its value can hold, or None
    holds_beta: bool  # its value can hold beta elements
    holds_objects: bool  # its value can hold objects (so unknown fields or variants)
    optional: bool

    @property
    def entry(self) -> PySource:
        """Its tuple in the walker's table, short enough for one line: the walker's module
        makes the path segment and the field's name from the wire name at import."""
        flags = (1 if self.holds_beta else 0) | (2 if self.holds_objects else 0)
        flags |= 4 if self.optional else 0
        parts = (
            string_literal(self.attribute),
            string_literal(self.wire_name),
            self.headers,
            self.variants_table,
            self.values_table,
            str(flags),
        )
        return PySource(f"({', '.join(parts)})")


@dataclass(frozen=True)
class BetaClass:
    name: Identifier
    members: tuple[BetaMember, ...]


@dataclass(frozen=True)
class BetaCatalogue:
    """What the generated beta module holds (see templates/betas.py.j2)."""

    headers: tuple[BetaHeader, ...] = ()
    header_sets: tuple[BetaHeaderSet, ...] = ()
    lookups: tuple[BetaLookup, ...] = ()
    whole_types: tuple[BetaHit, ...] = ()  # object types that are beta as a whole
    classes: tuple[BetaClass, ...] = ()
    unknown_classes: tuple[Identifier, ...] = ()
    module: Identifier = Identifier("")  # set by beta_tables from naming.BETAS_MODULE


@dataclass(frozen=True)
class Package:
    name: Identifier
    areas: tuple[AreaModule, ...]
    unions: UnionsModule
    public_names: tuple[Identifier, ...]  # every type name, sorted
    # (union alias, its decoder): what decode() calls for a union (a class decodes itself)
    union_decoders: tuple[tuple[Identifier, Identifier], ...]
    # (unknown-variant class, the decoder of its union): what encode(check=True) decodes it with
    unknown_decoders: tuple[tuple[Identifier, Identifier], ...]
    runtime_module: Identifier  # the support code's module
    unions_module: Identifier  # the union aliases' module
    # The cloud platforms' module, written when `platforms` is not empty.
    platform_module: Identifier
    # What each module defines, by module name: modules import from these what they might use,
    # and the layout stage keeps what they do use.
    exports: tuple[Exports, ...]
    spec_files: tuple[SpecText, ...] = field(default=())
    event_stream: EventStream | None = None  # None when no union is an event stream
    # The cloud platforms' routes and event streams, written in platform_module when any
    platforms: tuple[PlatformRoute, ...] = ()
    event_streams: tuple[EventStreamCodec, ...] = ()
    stream: StreamModule | None = None  # the accumulator, when the spec has a stream section
    # The helper modules (streams, the cloud platforms, betas) and what the package root gives
    # of each: they load when one of these names is first used.
    helpers: tuple[Exports, ...] = ()
    betas: BetaCatalogue = field(default_factory=BetaCatalogue)


# --- streams ------------------------------------------------------------------------------

FoldHow = Literal["append", "set", "append_item", "json"]


@dataclass(frozen=True)
class FoldRule:
    """One member of a delta type and how it changes the block it is applied to."""

    delta: Identifier  # the delta class
    member: Identifier  # its attribute
    optional: bool  # the attribute may hold UNSET (absent: nothing to fold)
    how: FoldHow
    into: Identifier  # the block's attribute it changes
    blocks: tuple[Identifier, ...]  # the block classes whose member of that name it fits

    @property
    def blocks_tuple(self) -> PySource:
        """The block classes as a Python tuple expression."""
        return PySource(f"({', '.join(self.blocks)}{',' if len(self.blocks) == 1 else ''})")


@dataclass(frozen=True)
class DeltaFolds:
    """The fold rules of one delta class, in spec order."""

    delta: Identifier
    rules: tuple[FoldRule, ...]


@dataclass(frozen=True)
class MemberCopy:
    """A member of a message_delta part written over the message's (or its usage's) member."""

    source: Identifier
    target: Identifier
    optional: bool  # the source may hold UNSET: absent, so nothing changes
    nullable: bool  # the source may hold None
    target_nullable: bool  # None may be written over the target; else a None is not copied


@dataclass(frozen=True)
class UsageTotalsNames:
    """The attributes usage_totals reads; `server_tool_kinds` are the request counters."""

    types: tuple[Identifier, ...]
    input: Identifier
    output: Identifier
    cache_read: Identifier
    cache_creation: Identifier
    cache_creation_by_ttl: Identifier
    ttl_5m: Identifier
    ttl_1h: Identifier
    server_tool_use: Identifier
    server_tool_kinds: tuple[Identifier, ...]
    iterations: Identifier | None  # None where the channel has no per-step usage (stable)


@dataclass(frozen=True)
class StreamModule:
    """The accumulator module, made when the spec has a stream section."""

    module: Identifier
    doc_text: SpecText
    events: Identifier  # the event union
    unknown_event: Identifier
    message: Identifier
    usage: Identifier  # the message's usage class
    message_start: Identifier
    block_start: Identifier
    block_delta: Identifier
    block_stop: Identifier
    message_delta: Identifier
    message_stop: Identifier
    error: Identifier
    ignored: tuple[Identifier, ...]
    unknown_block: Identifier
    unknown_delta: Identifier
    folds: tuple[DeltaFolds, ...]
    ignored_deltas: tuple[Identifier, ...]  # known deltas none of whose members folds anything
    delta_copies: tuple[MemberCopy, ...]  # message_delta's delta → the message
    event_copies: tuple[MemberCopy, ...]  # message_delta's other members → the message
    usage_copies: tuple[MemberCopy, ...]  # message_delta's usage → the message's usage
    totals: UsageTotalsNames | None
    # (block class, attribute path into it as a tuple of strings, message attribute): what a
    # starting block sets
    block_sets: tuple[tuple[Identifier, PySource, Identifier], ...]
    imports: tuple[Exports, ...]  # the names it takes from the other modules
    exported: tuple[Identifier, ...]  # what the package root re-exports from it
