"""Stage 3: check the typed spec model for meaning.

Every rule of spec/README.md about what a spec may say, beyond the shapes the meta-schema
expresses (checked while the model is built, codegen.spec_model), lives here; the bounds on the
YAML itself (depth, aliases, size) are the loader's. The later stages rely on these checks; code
generation checks names and escapes text once more (codegen.pysource), as a second line of
defence rather than as a rule of its own.
"""

from __future__ import annotations

import difflib
import keyword
import math
from pathlib import Path
from typing import Any

from . import naming, reserved, typeexpr
from .errors import Location, SpecError, SpecProblem
from .naming import snake_case
from .spec_model import (
    BetaHeader,
    Definition,
    EnumType,
    Field,
    ObjectType,
    OneOf,
    SourceFile,
    Spec,
    TaggedUnion,
)

_KIND_PHRASES = {"enum": "an enum", "tagged_union": "a tagged union", "one_of": "an untagged union"}
# Besides the package's own modules: `_init.py` beside `__init__.py` would read as a mistake.
_EXTRA_RESERVED_AREAS = frozenset({"init"})
# A `default` is written into docs and JSON Schemas as JSON; integers beyond 64 bits lose
# precision in most JSON readers.
_INT_RANGE = (-(2**63), 2**64 - 1)


def validate(spec: Spec, templates: Path | None = None) -> Spec:
    """Run every check; raise SpecError listing all problems, or return the spec, now checked.

    `templates` is the template folder whose generated code decides which names are reserved
    (default: the project's).
    """
    checker = _SemanticChecker(spec, reserved.reserved_names(templates))
    checker.run()
    problems = list(spec.problems) + checker.problems
    if problems:
        raise SpecError(problems)
    return spec


def _json_problem(value: Any) -> str:
    """Why a YAML value is not a JSON value ('' when it is one)."""
    if value is None or isinstance(value, (bool, str)):
        return ""
    if isinstance(value, int):
        low, high = _INT_RANGE
        if low <= value <= high:
            return ""
        return f"the integer {str(value)[:20]}... does not fit in 64 bits"
    if isinstance(value, float):
        return "" if math.isfinite(value) else f"{value} is not a JSON number"
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (dict, list)):
        # The loader bounds the depth, so this recursion is bounded too.
        return next((problem for item in items if (problem := _json_problem(item))), "")
    return f"a {type(value).__name__} is not a JSON value"


# --- semantic checks ----------------------------------------------------------------------


class _SemanticChecker:
    def __init__(self, spec: Spec, names: reserved.ReservedNames | None = None) -> None:
        self.spec = spec
        self.reserved = names or reserved.reserved_names()
        self.problems: list[SpecProblem] = []
        self.definitions: dict[str, Definition] = {}
        # Every module-level name the spec's types make (themselves, decoders, tables…), with
        # the types that make it.
        self.made: dict[str, list[str]] = {}

    def problem(self, file: SourceFile, line: int, key: str, message: str) -> None:
        self.problems.append(SpecProblem(Location(file.path, line, key), message))

    def run(self) -> None:
        self.collect_definitions()
        for definition in self.generated():
            for made in self.reserved.names_of_type(definition.kind, definition.name):
                self.made.setdefault(made, []).append(definition.name)
        # A name made twice is reported on the type that made it for its own use when the other
        # is a type of that name, else on every type but the first.
        self.blamed = {
            made: [o for o in owners if o != made] if made in owners else owners[1:]
            for made, owners in self.made.items()
            if len(owners) > 1
        }
        for definition in self.definitions.values():
            if isinstance(definition, ObjectType):
                self.check_object(definition)
            elif isinstance(definition, EnumType):
                self.check_enum(definition)
            elif isinstance(definition, TaggedUnion):
                self.check_tagged_union(definition)
            else:
                self.check_one_of(definition)
        self.check_generated_names()
        self.check_alias_cycles()
        self.check_stable_uses_of_beta_types()
        self.check_beta_catalogue()
        self.check_distinct_untagged_unions()

    def generated(self) -> list[Definition]:
        """The definitions that become code: all but abstract objects."""
        return [
            d for d in self.definitions.values() if not (isinstance(d, ObjectType) and d.abstract)
        ]

    def collect_definitions(self) -> None:
        areas: dict[str, SourceFile] = {}
        reserved_areas = self.reserved.package_modules | _EXTRA_RESERVED_AREAS
        for file in self.spec.files:
            area = file.area
            if not naming.MODULE_NAME.match(area) or keyword.iskeyword(area):
                suggestion = snake_case(area)[:60] or "area"
                if not suggestion[0].isalpha():
                    suggestion = "area_" + suggestion
                if keyword.iskeyword(suggestion):
                    suggestion += "_area"
                self.problem(
                    file,
                    1,
                    "(file)",
                    "the file name must make a Python module name (lowercase letters, digits and "
                    "underscores, starting with a letter, not a keyword); rename it, for example "
                    f"to {suggestion}.yaml",
                )
            elif area in reserved_areas or any(
                made in self.reserved.module for made in self.reserved.names_of_area(area)
            ):
                self.problem(
                    file,
                    1,
                    "(file)",
                    f"the area name '{area}' is used by the generated package itself; "
                    "rename the file",
                )
            if area in areas:
                self.problem(
                    file,
                    1,
                    "(file)",
                    f"this file and {areas[area].path} both make the module "
                    f"'{self.reserved.names_of_area(area)[0]}'; rename one of them",
                )
            areas[area] = file
        for definition in self.spec.types:
            name = definition.name
            first = self.definitions.get(name)
            if first is not None:
                self.problem(
                    definition.file,
                    definition.line,
                    name,
                    f"the type '{name}' is already defined in {first.file.path} line "
                    f"{first.line}; rename one of them",
                )
                continue
            self.definitions[name] = definition

    # Type expressions

    def resolve(
        self, file: SourceFile, line: int, key: str, expr: typeexpr.Expr | None
    ) -> typeexpr.Expr | None:
        """The expression when every type it names is defined; else reports it, once."""
        if expr is None:  # did not parse: reported when the model was read
            return None
        for name in expr.names():
            if name not in self.definitions:
                self.undefined(file, line, key, name)
                return None
            self.not_abstract(file, line, key, name)
        return expr

    def not_abstract(self, file: SourceFile, line: int, key: str, name: str) -> None:
        target = self.definitions[name]
        if isinstance(target, ObjectType) and target.abstract:
            self.problem(
                file,
                line,
                key,
                f"'{name}' is abstract: it only lends its fields to the types that extend it; "
                "use one of those, or drop 'abstract' from it",
            )

    def undefined(self, file: SourceFile, line: int, key: str, name: str) -> None:
        close = [n for n in self.definitions if n.lower() == name.lower()]
        hint = f" (did you mean {close[0]}?)" if close else ""
        self.problem(
            file,
            line,
            key,
            f"the type '{name}' is not defined in any spec file{hint}; define it or fix the name",
        )

    # Objects

    def check_object(self, definition: ObjectType) -> None:
        # Annotations in the class body name the spec's types: a field may not hide them either.
        members = self.reserved.object_members | frozenset(self.made)
        # Inherited fields were checked where they are written; only a clash of Python names
        # with this type's own fields is new here, and it is reported on the own field.
        inherited = [f for f in definition.fields if f.owner != definition.name]
        python_names = {f.python_name or f.wire_name: f.wire_name for f in inherited}
        for field in definition.fields:
            if field.owner != definition.name:
                continue
            wire_name, line, file = field.wire_name, field.line, field.file
            key = f"{definition.name}.fields.{wire_name}"
            if not field.is_const:
                self.resolve(file, line, key, field.type)
            if field.has_default:
                problem = _json_problem(field.default)
                if problem:
                    self.problem(
                        file,
                        line,
                        f"{key}.default",
                        f"a default must be a JSON value (a string, a finite number, an integer "
                        f"of at most 64 bits, true, false, null, a list or a mapping): {problem}",
                    )
            python_name = field.python_name or wire_name
            reason = naming.attribute_problem(python_name, members)
            if reason and field.python_name is None:
                self.problem(
                    file,
                    line,
                    key,
                    f"the wire name '{wire_name}' cannot be a Python attribute; add "
                    f"'python_name: {naming.python_name_for(wire_name, members)}' to this field",
                )
                continue
            if reason:
                self.problem(
                    file,
                    line,
                    key,
                    f"python_name '{python_name}' is a keyword or a reserved attribute: {reason}; "
                    f"choose another, such as '{naming.python_name_for(python_name, members)}'",
                )
            if python_name in python_names:
                self.problem(
                    file,
                    line,
                    key,
                    f"the Python name '{python_name}' is already used by the field "
                    f"'{python_names[python_name]}'; give one of them another python_name",
                )
            python_names[python_name] = wire_name

    # Enums

    def check_enum(self, definition: EnumType) -> None:
        seen: dict[str, int] = {}
        for item in definition.values:
            if item.value in seen:
                self.problem(
                    definition.file,
                    item.line,
                    f"{definition.name}.enum",
                    f"the value '{item.value}' is listed twice (first on line "
                    f"{seen[item.value]}); keep one",
                )
            seen[item.value] = item.line

    # Tagged unions

    def check_tagged_union(self, definition: TaggedUnion) -> None:
        file, tag, default = definition.file, definition.tag, definition.default
        reason = naming.attribute_problem(tag, self.reserved.unknown_members)
        if reason:
            self.problem(
                file,
                definition.tag_line,
                f"{definition.name}.union.tag",
                f"the tag '{tag}' cannot be used: the class that holds unknown variants of "
                f"{definition.name} returns the tag from a property of that name, and {reason}; "
                "the generator cannot represent this union",
            )
        seen_variants: set[str] = set()
        tag_owner: dict[str, str] = {}
        for index, variant in enumerate(definition.variants):
            name, line = variant.type_name, variant.line
            key = f"{definition.name}.variants[{index}]"
            target = self.definitions.get(name)
            if target is None:
                self.undefined(file, line, key, name)
                continue
            if name in seen_variants:
                self.problem(file, line, key, f"'{name}' is listed twice; keep one")
                continue
            seen_variants.add(name)
            self.not_abstract(file, line, key, name)
            if not isinstance(target, ObjectType):
                self.problem(
                    file,
                    line,
                    key,
                    f"'{name}' is {_KIND_PHRASES[target.kind]}; every variant of a tagged union "
                    "must be an object type"
                    + (
                        " (list the inner union's variants here instead)"
                        if target.kind != "enum"
                        else ""
                    ),
                )
                continue
            tag_field = _field_named(target, tag)
            if tag_field is None or not tag_field.is_const:
                self.problem(
                    file,
                    line,
                    key,
                    f"the variant '{name}' needs a constant discriminator field: add "
                    f"'{tag}: {{const: <value>}}' to its fields in {target.file.path}",
                )
                continue
            for value in tag_field.const:
                if value in tag_owner:
                    self.problem(
                        file,
                        line,
                        key,
                        f"the '{tag}' value '{value}' already selects the variant "
                        f"'{tag_owner[value]}'; each value must select one variant",
                    )
                tag_owner[value] = name
            is_default = name == default
            if is_default and not tag_field.optional:
                self.problem(
                    tag_field.file,
                    tag_field.line,
                    f"{name}.fields.{tag}",
                    f"'{name}' is the default variant of {definition.name}, so its '{tag}' must "
                    "be 'optional: true' (clients leave it out)",
                )
            if not is_default and (tag_field.optional or tag_field.nullable):
                self.problem(
                    tag_field.file,
                    tag_field.line,
                    f"{name}.fields.{tag}",
                    f"only the default variant may leave out '{tag}' or send it as null; make it "
                    f"required and not nullable, or make '{name}' the default of {definition.name}",
                )
        if default is not None and default not in seen_variants:
            target = self.definitions.get(default)
            if target is None:
                advice = f"the default '{default}' is not defined in any spec file; fix the name"
            elif isinstance(target, ObjectType) and target.abstract:
                advice = (
                    f"the default '{default}' is abstract: it only lends its fields to the types "
                    "that extend it; name one of those"
                )
            else:
                advice = f"the default '{default}' is not one of the variants; add it to 'variants'"
            self.problem(file, definition.tag_line, f"{definition.name}.union.default", advice)

    # Untagged unions

    def check_one_of(self, definition: OneOf) -> None:
        kinds_seen: dict[str, int] = {}
        for index, alternative in enumerate(definition.alternatives):
            line = alternative.line
            key = f"{definition.name}.one_of[{index}]"
            if alternative.const is not None:
                kinds = {"string"}
            else:
                expr = self.resolve(definition.file, line, key, alternative.type)
                if expr is None:
                    continue
                if expr.kind == "named" and self.definitions[expr.name].kind == "one_of":
                    self.problem(
                        definition.file,
                        line,
                        key,
                        f"'{expr.name}' is itself an untagged union; list its alternatives here "
                        "instead of nesting it",
                    )
                    continue
                if expr.kind == "any":
                    self.problem(
                        definition.file,
                        line,
                        key,
                        "'any' matches every JSON value, so it cannot be told apart from the "
                        "other alternatives; use a field of type any instead",
                    )
                    continue
                kinds = self.json_kinds(expr, set())
            for kind in sorted(kinds):
                clash = kinds_seen.get(kind)
                if clash is None and kind in ("integer", "number"):
                    clash = kinds_seen.get("number" if kind == "integer" else "integer")
                if clash is not None:
                    shown = definition.alternatives[clash].shown
                    hint = (
                        "use an enum listing the allowed strings"
                        if kind == "string"
                        else "merge them into one type (for objects, a tagged union)"
                    )
                    json_kind = "number" if kind in ("integer", "number") else kind
                    self.problem(
                        definition.file,
                        line,
                        key,
                        f"this alternative and alternative {clash + 1} ({shown}) both accept a "
                        f"JSON {json_kind}, so the value alone cannot tell them apart; {hint}",
                    )
                kinds_seen.setdefault(kind, index)

    def json_kinds(self, expr: typeexpr.Expr, visiting: set[str]) -> set[str]:
        """The JSON kinds a value of this type can have."""
        if expr.kind in ("string", "integer", "number", "boolean"):
            return {expr.kind}
        if expr.kind == "list":
            return {"array"}
        if expr.kind == "map":
            return {"object"}
        definition = self.definitions[expr.name]
        if isinstance(definition, EnumType):
            return {"string"}
        if isinstance(definition, (ObjectType, TaggedUnion)):
            return {"object"}
        if expr.name in visiting:
            return set()
        kinds: set[str] = set()
        for alternative in definition.alternatives:
            if alternative.const is not None:
                kinds.add("string")
            elif alternative.type is not None and all(
                n in self.definitions for n in alternative.type.names()
            ):
                kinds |= self.json_kinds(alternative.type, visiting | {expr.name})
        return kinds

    # Names in the generated code

    def check_generated_names(self) -> None:
        """Type names, and the names made from them, must be free and distinct."""
        for definition in self.generated():
            name, file, line = definition.name, definition.file, definition.line
            made = self.reserved.names_of_type(definition.kind, name)
            taken = [n for n in made if n in self.reserved.module]
            if name.endswith("_"):
                self.problem(
                    file,
                    line,
                    name,
                    f"'{name}' ends in an underscore, which the generated code keeps for the "
                    f"local variables of fields (a field named '{name[:-1]}' would hide this "
                    f"type); choose another name, such as '{name.rstrip('_')}Type'",
                )
            elif taken == [name]:
                self.problem(
                    file,
                    line,
                    name,
                    f"'{name}' is a name the generated package uses itself (or a Python keyword "
                    "or builtin); choose another name",
                )
            elif taken:
                self.problem(
                    file,
                    line,
                    name,
                    f"the type '{name}' makes the Python name(s) {_quoted(taken)}, which the "
                    "generated package uses itself; choose another name",
                )
            clashes = [n for n in made if name in self.blamed.get(n, ())]
            if not clashes:
                continue
            if all(n in self.definitions for n in clashes):
                message = (
                    f"'{name}' generates the Python name(s) {_quoted(clashes)} for its own use, "
                    "which the spec also defines as a type; rename one of them"
                )
            else:
                others = sorted({o for n in clashes for o in self.made[n] if o != name})
                message = (
                    f"'{name}' and {_quoted(others, ' and ')} both make the Python name(s) "
                    f"{_quoted(clashes)}; rename one of them"
                )
            self.problem(file, line, name, message)

    def check_alias_cycles(self) -> None:
        """Untagged unions become type aliases, which cannot refer to themselves."""
        for name, definition in self.definitions.items():
            if not isinstance(definition, OneOf):
                continue
            if self.alias_reaches(name, definition, set()):
                self.problem(
                    definition.file,
                    definition.line,
                    name,
                    f"the untagged union {name} contains itself (directly or through lists, maps "
                    "or other untagged unions); put an object type in between",
                )

    def alias_reaches(self, start: str, current: OneOf, seen: set[str]) -> bool:
        for alternative in current.alternatives:
            for ref in alternative.type.names() if alternative.type is not None else []:
                target = self.definitions.get(ref)
                if not isinstance(target, OneOf):
                    continue
                if ref == start:
                    return True
                if ref not in seen:
                    seen.add(ref)
                    if self.alias_reaches(start, target, seen):
                        return True
        return False

    def check_beta_catalogue(self) -> None:
        """With a `betas:` catalogue in the spec, each header is declared once and every `beta`
        of a type, field, variant or enum value names a declared one. (A spec without a
        catalogue is not checked: its headers are those its elements name.)"""
        declared: dict[str, BetaHeader] = {}
        for entry in self.spec.betas:
            first = declared.setdefault(entry.header, entry)
            if first is not entry:
                self.problem(
                    entry.file,
                    entry.line,
                    f"betas.{entry.header}",
                    f"the beta header '{entry.header}' is already declared in {first.file.path} "
                    f"line {first.line}; keep one of them",
                )
        if not declared:
            return
        for definition in self.spec.types:
            name = definition.name
            uses = [(definition.line, f"{name}.beta", definition.docs.beta)]
            if isinstance(definition, ObjectType):
                uses += [
                    (f.line, f"{name}.fields.{f.wire_name}.beta", f.docs.beta)
                    for f in definition.fields
                    if f.owner == name
                ]
            elif isinstance(definition, EnumType):
                uses += [
                    (v.line, f"{name}.enum.{v.value}.beta", v.docs.beta) for v in definition.values
                ]
            elif isinstance(definition, TaggedUnion):
                uses += [
                    (v.line, f"{name}.variants.{v.type_name}.beta", v.beta)
                    for v in definition.variants
                ]
            for line, key, headers in uses:
                for header in headers:
                    if header not in declared:
                        close = difflib.get_close_matches(header, list(declared), n=1)
                        hint = f" (did you mean '{close[0]}'?)" if close else ""
                        self.problem(
                            definition.file,
                            line,
                            key,
                            f"the beta header '{header}' is not declared in the spec's `betas:` "
                            f"catalogue{hint}; add it there with a description, or fix the name",
                        )

    def check_stable_uses_of_beta_types(self) -> None:
        """The stable JSON Schema leaves beta types out, so a stable element may not need one."""
        for definition in self.definitions.values():
            if definition.docs.beta:
                continue
            uses: list[tuple[SourceFile, int, str, typeexpr.Expr | None]] = []
            if isinstance(definition, ObjectType):
                uses += [
                    (f.file, f.line, f"{definition.name}.fields.{f.wire_name}", f.type)
                    for f in definition.fields
                    if not f.docs.beta
                ]
            elif isinstance(definition, OneOf):
                uses += [
                    (definition.file, a.line, f"{definition.name}.one_of[{index}]", a.type)
                    for index, a in enumerate(definition.alternatives)
                ]
            for file, line, key, expr in uses:
                for name in expr.names() if expr is not None else []:
                    target = self.definitions.get(name)
                    if target is not None and target.docs.beta:
                        header = target.docs.beta[0]
                        where = "the field" if definition.kind == "object" else definition.name
                        self.problem(
                            file,
                            line,
                            key,
                            f"this stable element uses '{name}', which is beta ({header}); mark "
                            f"{where} 'beta: {header}' too, or drop 'beta' from {name} if it is GA",
                        )

    def check_distinct_untagged_unions(self) -> None:
        """Equal alternatives give equal Python union objects, which decode() cannot tell apart."""
        seen: dict[tuple[str, ...], str] = {}
        for name, definition in self.definitions.items():
            if not isinstance(definition, OneOf):
                continue
            shape = tuple(
                sorted(
                    f"const:{a.const}" if a.const is not None else a.text.replace(" ", "")
                    for a in definition.alternatives
                )
            )
            if shape in seen:
                self.problem(
                    definition.file,
                    definition.line,
                    name,
                    f"{name} has the same alternatives as {seen[shape]}; use {seen[shape]} "
                    "instead of defining it twice",
                )
            else:
                seen[shape] = name


def _field_named(definition: ObjectType, wire_name: str) -> Field | None:
    return next((f for f in definition.fields if f.wire_name == wire_name), None)


def _quoted(items: list[str], last: str = ", ") -> str:
    return (
        ", ".join(f"'{item}'" for item in items[:-1])
        + (last if len(items) > 1 else "")
        + f"'{items[-1]}'"
    )
