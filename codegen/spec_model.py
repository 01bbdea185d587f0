"""Stage 2: the spec as a typed model — frozen dataclasses built once from the located YAML.

The loaded files are first checked against the meta-schema (codegen/spec_schema.json), so that
every definition has the shape of its kind; then each shorthand is read into its one full form
(an enum value as a string or a mapping, a variant as a name or a mapping, a constant as a string
or a list, `beta` as a string or a list), type expressions are parsed, and every element keeps
the file and line it was written on. Validation and the builder of the intermediate model read
only this model, never the YAML.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import resources
from typing import Any, Literal, cast

import jsonschema

from . import typeexpr
from .errors import Location, SpecError, SpecProblem
from .load import LocatedList, LocatedMap, SpecFile

# The deepest `list[...]`/`map[...]` nesting of a type expression; the real spec needs 2.
MAX_TYPE_DEPTH = 8
_PRIMITIVE_NAMES = typeexpr.PRIMITIVES

Kind = Literal["object", "enum", "tagged_union", "one_of"]


@dataclass(frozen=True)
class SourceFile:
    """A spec file: its path as shown to the user, its name for generated headers, its area."""

    path: str
    source_name: str
    area: str


@dataclass(frozen=True)
class Docs:
    """What the spec says about an element besides its shape."""

    description: str = ""
    deprecated: bool | str = False  # True, or the sentence saying what replaces it
    beta: tuple[str, ...] = ()  # anthropic-beta header values that enable the element


@dataclass(frozen=True)
class Field:
    """A member of an object type, keyed by its name on the wire."""

    wire_name: str
    owner: str  # the type that writes it (another than its object's when inherited)
    file: SourceFile
    line: int
    type: typeexpr.Expr | None  # None for a constant, or an expression that did not parse
    type_text: str  # the expression as written ("" for a constant)
    const: tuple[str, ...]  # the constant's values, the first one a new object gets; () if none
    optional: bool
    nullable: bool
    has_default: bool
    default: Any  # the documented wire default (a JSON value) when has_default
    python_name: str | None  # as written; None when the wire name is used
    docs: Docs

    @property
    def is_const(self) -> bool:
        return bool(self.const)


@dataclass(frozen=True)
class EventStream:
    """The platform answers a streamed request with AWS event-stream frames, each holding one
    value of `event` (a type name) as base64 JSON; the decoder class and encoder function the
    package gets for them are named here."""

    event: str
    decoder: str
    encoder: str
    line: int


@dataclass(frozen=True)
class Platform:
    """How a cloud platform takes the body of the type an object extends (`platform:`)."""

    route: str  # the generated route constant
    path: str  # URL path with {field} placeholders, the fields left out of the body
    stream_path: str | None  # the path used when `stream_flag` is true
    stream_flag: str | None  # a boolean field of the base that selects stream_path
    betas_field: str | None  # where the anthropic-beta values travel in the body, if there
    event_stream: EventStream | None
    line: int
    key_lines: tuple[tuple[str, int], ...] = ()  # the line of each key, for errors

    def line_of(self, key: str) -> int:
        return dict(self.key_lines).get(key, self.line)


@dataclass(frozen=True)
class ObjectType:
    """An object type. Its fields are its own, then those it inherits (`extends`), resolved."""

    name: str
    file: SourceFile
    line: int
    docs: Docs
    fields: tuple[Field, ...]
    extends: str | None = None
    extends_line: int = 0
    without: tuple[str, ...] = ()  # inherited fields left out
    without_line: int = 0
    abstract: bool = False  # only for extending: no class, decoder or schema of its own
    platform: Platform | None = None  # a cloud platform's form of the base's body
    kind: Literal["object"] = "object"

    def field_named(self, wire_name: str) -> Field | None:
        """The field of that wire name, if the type has one."""
        return next((f for f in self.fields if f.wire_name == wire_name), None)


@dataclass(frozen=True)
class EnumValue:
    value: str
    line: int
    docs: Docs


@dataclass(frozen=True)
class EnumType:
    name: str
    file: SourceFile
    line: int
    docs: Docs
    open: bool
    values: tuple[EnumValue, ...]
    kind: Literal["enum"] = "enum"


@dataclass(frozen=True)
class Variant:
    type_name: str
    line: int
    beta: tuple[str, ...]  # beta in this union only, besides the type's own


@dataclass(frozen=True)
class TaggedUnion:
    name: str
    file: SourceFile
    line: int
    docs: Docs
    tag: str
    tag_line: int  # the line of `union:`
    default: str | None
    variants: tuple[Variant, ...]
    kind: Literal["tagged_union"] = "tagged_union"


@dataclass(frozen=True)
class Alternative:
    """One alternative of an untagged union: a type expression or a constant string."""

    line: int
    type: typeexpr.Expr | None  # None for a constant, or an expression that did not parse
    text: str  # the expression as written, or "" for a constant
    const: str | None

    @property
    def shown(self) -> str:
        """The alternative as a spec author wrote it, for messages."""
        return f"{{const: {self.const}}}" if self.const is not None else self.text


@dataclass(frozen=True)
class OneOf:
    name: str
    file: SourceFile
    line: int
    docs: Docs
    alternatives: tuple[Alternative, ...]
    kind: Literal["one_of"] = "one_of"


Definition = ObjectType | EnumType | TaggedUnion | OneOf

# The key of a spec file's stream section (BETAS_KEY, below, is the other lowercase
# top-level key); every other top-level key names a type.
STREAM_KEY = "stream"
FoldHow = Literal["append", "set", "append_item", "json", "ignore"]


@dataclass(frozen=True)
class DeltaFold:
    """How one member of a delta type changes the block it applies to."""

    delta: str  # the delta type
    member: str  # the delta's member, by wire name
    how: FoldHow
    into: str  # the block's member it changes, by wire name ("" for ignore)
    line: int


@dataclass(frozen=True)
class BlockSet:
    """A message member that a starting block of some type sets, from a member path of it."""

    block: str
    path: tuple[str, ...]  # wire names, outermost first
    into: str
    line: int


@dataclass(frozen=True)
class UsageNames:
    """The usage members a totals helper reads, by wire name, and the usage types it takes."""

    types: tuple[str, ...]
    types_line: int
    members: tuple[tuple[str, str, int], ...]  # (role, wire name, line), in the order written
    line: int

    def member(self, role: str) -> str:
        """The member named for a role; "" when the channel's view left it out (a beta one)."""
        return next((name for key, name, _ in self.members if key == role), "")


@dataclass(frozen=True)
class StreamSection:
    """A spec file's `stream:` section: the event union, each event's role and the folds."""

    file: SourceFile
    line: int
    description: str
    events: str
    events_line: int
    roles: tuple[tuple[str, str, int], ...]  # (role, event type, line)
    ignored: tuple[tuple[str, int], ...]  # (event type, line)
    folds: tuple[DeltaFold, ...]
    usage: UsageNames | None
    block_sets: tuple[BlockSet, ...] = ()

    def role(self, name: str) -> str:
        return next(event for role, event, _ in self.roles if role == name)

    @property
    def folds_events(self) -> bool:
        """Whether the section says how the events build up a message (roles and deltas), for
        the accumulator; without that it only names the events' union."""
        return bool(self.roles)


@dataclass(frozen=True)
class Root:
    """A type declared with `root:`: the body of a request or of a response, where the
    reachability that `codegen diff` gives each change starts."""

    name: str
    direction: Literal["request", "response"]
    file: SourceFile
    line: int  # the line of `root:`


#: The top-level key of a spec file that holds the beta catalogue instead of a type.
BETAS_KEY = "betas"


@dataclass(frozen=True)
class BetaHeader:
    """An `anthropic-beta` header value declared in a file's `betas:` catalogue."""

    header: str
    description: str
    file: SourceFile
    line: int


@dataclass(frozen=True)
class Spec:
    """Every definition of every file, in file-name order then as written.

    `types` keeps them all, a name written twice included (validation reports it);
    `definitions` maps each name to its first definition.
    """

    files: tuple[SourceFile, ...]
    types: tuple[Definition, ...]
    problems: tuple[SpecProblem, ...]  # found while reading: type expressions that do not parse
    streams: tuple[StreamSection, ...] = ()  # every file's stream section (at most one is valid)
    roots: tuple[Root, ...] = ()  # in file-name order then as written
    betas: tuple[BetaHeader, ...] = ()  # every `betas:` entry of every file, in file order

    @cached_property
    def definitions(self) -> Mapping[str, Definition]:
        found: dict[str, Definition] = {}
        for definition in self.types:
            found.setdefault(definition.name, definition)
        return found


def fold_fits(how: str, source: Field, target: Field) -> bool:
    """Whether a fold can move the delta member's values into the block member."""
    given, wanted = source.type, target.type
    if given is None or wanted is None:
        return False
    if how == "append":
        return given.kind == "string" and wanted.kind == "string"
    if how == "set":
        return given == wanted and (target.nullable or not source.nullable)
    if how == "append_item":
        return wanted.kind == "list" and wanted.inner == given
    return given.kind == "string" and (
        wanted.kind == "any" or (wanted.kind == "map" and wanted.inner == typeexpr.Expr("any"))
    )


def build(files: list[SpecFile]) -> Spec:
    """Check the files' shape, then read them into the model; raise SpecError on bad shapes."""
    problems: list[SpecProblem] = []
    for spec_file in files:
        problems.extend(_meta_schema_problems(spec_file))
    if not problems:
        for spec_file in files:
            problems.extend(_type_expression_depth_problems(spec_file))
    if problems:
        # Reading assumes the shape the meta-schema guarantees, and type expressions that the
        # recursive parser can read.
        raise SpecError(problems)
    reader = _Reader()
    sources = tuple(SourceFile(f.path, f.source_name, f.area) for f in files)
    types = tuple(
        reader.definition(name, body, source, spec_file.types.key_lines[name])
        for spec_file, source in zip(files, sources)
        for name, body in spec_file.types.items()
        if name not in (STREAM_KEY, BETAS_KEY)
    )
    types = _Inheritance(types, reader.problems).resolved()
    streams = tuple(
        _stream_section(spec_file.types[STREAM_KEY], source, spec_file.types.key_lines[STREAM_KEY])
        for spec_file, source in zip(files, sources)
        if STREAM_KEY in spec_file.types
    )
    betas = tuple(
        BetaHeader(header, str(entry["description"]).strip(), source, catalogue.key_lines[header])
        for spec_file, source in zip(files, sources)
        for catalogue in [spec_file.types.get(BETAS_KEY, {})]
        for header, entry in catalogue.items()
    )
    roots = tuple(
        Root(name, body["root"], source, body.key_lines["root"])
        for spec_file, source in zip(files, sources)
        for name, body in spec_file.types.items()
        if "root" in body
    )
    return Spec(
        files=sources,
        types=types,
        problems=tuple(reader.problems),
        streams=streams,
        roots=roots,
        betas=betas,
    )


def _stream_section(body: LocatedMap, file: SourceFile, line: int) -> StreamSection:
    # Without roles (and deltas) the section only names the events' union: the package gets
    # the server-sent event helpers, and no accumulator.
    roles: LocatedMap = body.get("roles", {})
    ignored: LocatedList = roles.get("ignore", [])
    folds = []
    deltas: LocatedMap = body.get("deltas", {})
    for delta, members in deltas.items():
        for member, rule in members.items():
            if isinstance(rule, str):
                how, into = rule, ("" if rule == "ignore" else member)
            else:
                ((how, into),) = rule.items()
            # The meta-schema allows only the kinds FoldHow lists.
            kind = cast(FoldHow, how)
            folds.append(DeltaFold(delta, member, kind, into, members.key_lines[member]))
    usage = None
    if "usage" in body:
        names: LocatedMap = body["usage"]
        usage = UsageNames(
            types=tuple(names["types"]),
            types_line=names.key_lines["types"],
            members=tuple(
                (key, value, names.key_lines[key]) for key, value in names.items() if key != "types"
            ),
            line=body.key_lines["usage"],
        )
    sets: LocatedList = body.get("block_sets", LocatedList())
    block_sets = tuple(
        BlockSet(item["block"], tuple(item["path"].split(".")), item["into"], sets.item_lines[i])
        for i, item in enumerate(sets)
    )
    return StreamSection(
        block_sets=block_sets,
        file=file,
        line=line,
        description=str(body.get("description", "")).strip(),
        events=body["events"],
        events_line=body.key_lines["events"],
        roles=tuple(
            (role, event, roles.key_lines[role])
            for role, event in roles.items()
            if role != "ignore"
        ),
        ignored=tuple((event, ignored.item_lines[i]) for i, event in enumerate(ignored)),
        folds=tuple(folds),
        usage=usage,
    )


def kind_of(body: Mapping[str, Any]) -> Kind:
    """The kind of a definition the meta-schema accepted, told by its main key."""
    if "fields" in body or "extends" in body:
        return "object"
    if "enum" in body:
        return "enum"
    if "union" in body:
        return "tagged_union"
    return "one_of"


class _Reader:
    """Reads definitions into the model, collecting type expressions that do not parse."""

    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def definition(self, name: str, body: LocatedMap, file: SourceFile, line: int) -> Definition:
        docs = _docs(body)
        kind = kind_of(body)
        if kind == "object":
            fields = body.get("fields", {})
            return ObjectType(
                name,
                file,
                line,
                docs,
                tuple(
                    self.field(name, wire, member, file, fields.key_lines[wire])
                    for wire, member in fields.items()
                ),
                extends=body.get("extends"),
                extends_line=body.key_lines.get("extends", 0),
                without=tuple(body.get("without", ())),
                without_line=body.key_lines.get("without", 0),
                abstract=bool(body.get("abstract", False)),
                platform=_platform(body),
            )
        if kind == "enum":
            values: LocatedList = body["enum"]
            return EnumType(
                name,
                file,
                line,
                docs,
                bool(body.get("open", True)),
                tuple(
                    (
                        EnumValue(item, values.item_lines[index], Docs())
                        if isinstance(item, str)
                        else EnumValue(item["value"], values.item_lines[index], _docs(item))
                    )
                    for index, item in enumerate(values)
                ),
            )
        if kind == "tagged_union":
            variants: LocatedList = body["variants"]
            return TaggedUnion(
                name,
                file,
                line,
                docs,
                body["union"]["tag"],
                body.key_lines["union"],
                body["union"].get("default"),
                tuple(
                    (
                        Variant(item, variants.item_lines[index], ())
                        if isinstance(item, str)
                        else Variant(item["type"], variants.item_lines[index], _betas(item))
                    )
                    for index, item in enumerate(variants)
                ),
            )
        items: LocatedList = body["one_of"]
        alternatives = []
        for index, item in enumerate(items):
            item_line = items.item_lines[index]
            if isinstance(item, dict):
                alternatives.append(Alternative(item_line, None, "", item["const"]))
            else:
                key = f"{name}.one_of[{index}]"
                expr = self.expression(file, item_line, key, item)
                alternatives.append(Alternative(item_line, expr, item, None))
        return OneOf(name, file, line, docs, tuple(alternatives))

    def field(
        self, owner: str, wire_name: str, body: LocatedMap, file: SourceFile, line: int
    ) -> Field:
        const = body.get("const")
        if const is None:
            text = body["type"]
            expr = self.expression(file, line, f"{owner}.fields.{wire_name}", text)
            values: tuple[str, ...] = ()
        else:
            text, expr = "", None
            values = (const,) if isinstance(const, str) else tuple(const)
        return Field(
            wire_name=wire_name,
            owner=owner,
            file=file,
            line=line,
            type=expr,
            type_text=text,
            const=values,
            optional=bool(body.get("optional", False)),
            nullable=bool(body.get("nullable", False)),
            has_default="default" in body,
            default=body.get("default"),
            python_name=body.get("python_name"),
            docs=_docs(body),
        )

    def expression(self, file: SourceFile, line: int, key: str, text: str) -> typeexpr.Expr | None:
        try:
            return typeexpr.parse(text)
        except typeexpr.ExprError as exc:
            close = difflib.get_close_matches(text.strip(), _PRIMITIVE_NAMES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problems.append(SpecProblem(Location(file.path, line, key), f"{exc}{hint}"))
            return None


class _Inheritance:
    """Gives every object that `extends` another the fields it inherits.

    An object's fields are first those of its own that the base lacks, in the order written,
    then the base's fields (with what the base inherits) in the base's order, each replaced by the
    object's own definition where it writes one, and those listed under `without` left out. So a
    base can fix the order of a whole shape while each heir fills in some of it. Inherited fields
    keep the file and line they were written on.
    """

    def __init__(self, types: tuple[Definition, ...], problems: list[SpecProblem]) -> None:
        self.types = types
        self.problems = problems
        self.objects: dict[str, ObjectType] = {}
        for definition in types:
            if isinstance(definition, ObjectType):
                self.objects.setdefault(definition.name, definition)
        self.done: dict[str, tuple[Field, ...]] = {}

    def resolved(self) -> tuple[Definition, ...]:
        return tuple(
            (
                replace(d, fields=self.fields_of(d, ()))
                if isinstance(d, ObjectType) and d.extends is not None
                else d
            )
            for d in self.types
        )

    def fields_of(self, definition: ObjectType, chain: tuple[str, ...]) -> tuple[Field, ...]:
        if definition.extends is None:
            return definition.fields
        if definition.name in self.done and self.objects.get(definition.name) is definition:
            return self.done[definition.name]
        file, line = definition.file, definition.extends_line
        key = f"{definition.name}.extends"
        base = self.objects.get(definition.extends)
        inherited: tuple[Field, ...] = ()
        if definition.extends in chain + (definition.name,):
            path = chain + (definition.name,)
            cycle = path[path.index(definition.extends) :] + (definition.extends,)
            self.problem(
                file,
                line,
                key,
                f"these types extend each other in a cycle: {' -> '.join(cycle)}; break it",
            )
        elif base is None:
            self.problem(
                file,
                line,
                key,
                f"'{definition.extends}' is not an object type of any spec file; extend an object "
                "type (one with fields)",
            )
        else:
            inherited = self.fields_of(base, chain + (definition.name,))
        dropped = definition.without
        known = {f.wire_name for f in inherited}
        mine = {f.wire_name: f for f in definition.fields}
        for name in dropped:
            if name in mine:
                self.problem(
                    file,
                    definition.without_line,
                    f"{definition.name}.without",
                    f"'{name}' is both left out here and written among the fields; keep the field "
                    "(it replaces the inherited one) or remove it from 'without'",
                )
            elif name not in known and base is not None:
                self.problem(
                    file,
                    definition.without_line,
                    f"{definition.name}.without",
                    f"'{name}' is not a field {definition.extends} has; remove it from 'without'",
                )
        fields = tuple(f for f in definition.fields if f.wire_name not in known) + tuple(
            mine.get(f.wire_name, f) for f in inherited if f.wire_name not in dropped
        )
        if self.objects.get(definition.name) is definition:
            self.done[definition.name] = fields
        return fields

    def problem(self, file: SourceFile, line: int, key: str, message: str) -> None:
        self.problems.append(SpecProblem(Location(file.path, line, key), message))


def _platform(body: LocatedMap) -> Platform | None:
    declared = body.get("platform")
    if declared is None:
        return None
    events = declared.get("event_stream")
    return Platform(
        route=declared["route"],
        path=declared["path"],
        stream_path=declared.get("stream_path"),
        stream_flag=declared.get("stream_flag"),
        betas_field=declared.get("betas_field"),
        event_stream=(
            None
            if events is None
            else EventStream(
                events["event"],
                events["decoder"],
                events["encoder"],
                declared.key_lines.get("event_stream", 0),
            )
        ),
        line=body.key_lines.get("platform", 0),
        key_lines=tuple(declared.key_lines.items()),
    )


def _betas(body: Mapping[str, Any]) -> tuple[str, ...]:
    beta = body.get("beta", ())
    return (beta,) if isinstance(beta, str) else tuple(beta)


def _docs(body: Mapping[str, Any]) -> Docs:
    return Docs(
        description=str(body.get("description", "")).strip(),
        deprecated=body.get("deprecated", False),
        beta=_betas(body),
    )


# --- meta-schema --------------------------------------------------------------------------


def _load_meta_schema() -> dict[str, Any]:
    text = resources.files("codegen").joinpath("spec_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


_META_SCHEMA = _load_meta_schema()
_VALIDATOR = jsonschema.Draft202012Validator(_META_SCHEMA)
_TYPE_NAME_PATTERN = _META_SCHEMA["$defs"]["typeName"]["pattern"]


def _meta_schema_problems(spec_file: SpecFile) -> Iterator[SpecProblem]:
    for error in sorted(_VALIDATOR.iter_errors(spec_file.types), key=lambda e: list(e.path)):
        path = list(error.absolute_path)
        if isinstance(error.instance, str) and isinstance(_node_at(spec_file.types, path), dict):
            # A propertyNames error stands on the mapping; point at the offending key itself.
            path.append(error.instance)
        line = _line_of(spec_file.types, path)
        key = ".".join(str(p) for p in path) or "(file)"
        yield SpecProblem(Location(spec_file.path, line, key), _explain(error))


def _explain(error: jsonschema.ValidationError) -> str:
    """Turn a jsonschema error into a sentence that says how to fix the spec."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    properties = schema.get("properties", {})
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(properties)
        unknown = sorted(set(instance) - set(allowed))
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return f"unknown key {', '.join(hints)}; the keys allowed here are: {', '.join(allowed)}"
    top_level_key = error.validator == "anyOf" and any(
        option.get("pattern") == _TYPE_NAME_PATTERN for option in schema.get("anyOf", ())
    )
    if top_level_key:
        return (
            f"{instance!r} is not a type name: type names are PascalCase identifiers such as "
            "TextBlockParam (a capital letter, then up to 99 letters, digits and underscores); "
            f"the lowercase keys a file may have are '{STREAM_KEY}' (the stream section) and "
            f"'{BETAS_KEY}' (the beta header catalogue)"
        )
    if error.validator == "propertyNames" or (
        error.validator == "pattern" and schema.get("pattern") == _TYPE_NAME_PATTERN
    ):
        return (
            f"{instance!r} is not a type name: type names are PascalCase identifiers such as "
            "TextBlockParam (a capital letter, then up to 99 letters, digits and underscores)"
        )
    if error.validator == "pattern" and list(error.absolute_path)[-1:] == ["python_name"]:
        return (
            "python_name must be a lowercase Python identifier starting with a letter (at "
            "most 100 characters), such as from_ or extra_"
        )
    if error.validator == "pattern" and schema.get("pattern", "").startswith("^[a-z0-9]"):
        return (
            f"{instance!r} is not an anthropic-beta header value; those are lowercase letters, "
            "digits, dots and dashes, such as context-management-2025-06-27"
        )
    if error.validator == "oneOf" and "fields" in properties:
        return _explain_definition(instance)
    if error.validator == "oneOf" and "const" in properties and isinstance(instance, dict):
        if "type" in instance and "const" in instance:
            return "a field has either 'type' or 'const', not both; keep one"
        return "a field needs exactly one of 'type' (a type expression) or 'const' (a fixed value)"
    if error.validator == "oneOf" and error.context:
        # A value that may take several forms: show the first form's complaint, simply.
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if deepest.validator in ("pattern", "type", "enum", "minItems"):
            text = _explain(deepest)
            forms: list[dict[str, Any]] = list(cast(list[dict[str, Any]], error.validator_value))
            mappings = [
                sorted(form["properties"])
                for form in forms
                if form.get("type") == "object" and "properties" in form
            ]
            if deepest.validator == "enum" and mappings:
                keys = ", ".join(mappings[0])
                text += f", or a mapping of one of {keys} to a member name"
            return text
    if error.validator == "type" and error.validator_value == "boolean":
        return f"write true or false here, without quotes (found {instance!r})"
    if error.validator == "type" and error.validator_value == "object":
        return f"expected a mapping (key: value lines) here, found {instance!r}"
    if error.validator == "dependentRequired" and isinstance(instance, dict):
        return _explain_dependency(cast(dict[str, list[str]], error.validator_value), instance)
    if error.validator == "enum":
        choices = ", ".join(repr(value) for value in cast(list[Any], error.validator_value))
        return f"{instance!r} is not allowed here; write one of {choices}"
    if error.validator == "required":
        return f"{error.message}; add it"
    if error.validator == "maxLength" and isinstance(instance, str):
        return (
            f"this text has {len(instance):,} characters, more than the {error.validator_value} "
            "allowed here; shorten it"
        )
    if error.validator == "minItems":
        return f"the list needs at least {error.validator_value} item(s)"
    return str(error.message)


def _explain_dependency(needs: dict[str, list[str]], instance: dict[str, Any]) -> str:
    """The message for a key written without the keys it needs beside it."""
    key, missing = next(
        (key, [need for need in wanted if need not in instance])
        for key, wanted in needs.items()
        if key in instance and any(need not in instance for need in wanted)
    )
    if key == "without":
        return (
            "'without' drops fields a type inherits, so it needs 'extends: <base type>'; add "
            "that or remove 'without'"
        )
    return f"'{key}' needs {_quoted_keys(missing)} beside it; add {'them' if len(missing) > 1 else 'it'} or remove '{key}'"


def _quoted_keys(keys: list[str]) -> str:
    return " and ".join(f"'{key}'" for key in keys)


def _explain_definition(instance: object) -> str:
    if not isinstance(instance, dict):
        return (
            "a definition is a mapping with one of 'fields' or 'extends' (object), 'enum', "
            "'union' with 'variants' (tagged union) or 'one_of' (untagged union)"
        )
    keys = set(instance)
    if "union" in keys and "variants" not in keys:
        return "a tagged union needs 'variants:', the list of its object types; add it"
    if "variants" in keys and "union" not in keys:
        return "'variants' belongs to a tagged union; add 'union: {tag: type}' naming the tag field"
    kinds = sorted(keys & {"fields", "enum", "union", "one_of"})
    if not kinds:
        return (
            "a definition needs exactly one of 'fields' or 'extends' (object), 'enum', 'union' "
            "with 'variants' (tagged union) or 'one_of' (untagged union)"
        )
    if len(kinds) > 1:
        return f"this definition mixes {' and '.join(kinds)}; a definition has one kind, keep one"
    if "open" in keys and "enum" not in keys:
        return "'open' belongs to enums only; remove it"
    return "this definition has keys of another kind; see spec/README.md for the keys of each kind"


def _node_at(root: Any, path: list[Any]) -> Any:
    node = root
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _line_of(root: Any, path: list[Any]) -> int:
    """The line of the deepest located node along a path of keys and indexes."""
    line = getattr(root, "line", 0)
    node = root
    for step in path:
        if isinstance(node, LocatedMap) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def _type_expression_depth_problems(spec_file: SpecFile) -> Iterator[SpecProblem]:
    """Type expressions nested deeper than MAX_TYPE_DEPTH (the parser is recursive)."""
    for name, body in spec_file.types.items():
        if name in (STREAM_KEY, BETAS_KEY):
            continue
        uses: list[tuple[int, str, Any]] = []
        if "fields" in body:
            fields = body["fields"]
            uses += [
                (fields.key_lines[wire], f"{name}.fields.{wire}", field.get("type", ""))
                for wire, field in fields.items()
            ]
        if "one_of" in body:
            items = body["one_of"]
            uses += [
                (items.item_lines[index], f"{name}.one_of[{index}]", item)
                for index, item in enumerate(items)
            ]
        for line, key, text in uses:
            if isinstance(text, str) and text.count("[") > MAX_TYPE_DEPTH:
                yield SpecProblem(
                    Location(spec_file.path, line, key),
                    f"this type expression is nested more than {MAX_TYPE_DEPTH} levels deep; "
                    "name an object type for the inner part instead",
                )
