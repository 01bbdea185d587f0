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
import string
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
    StreamSection,
    TaggedUnion,
    fold_fits,
)

_KIND_PHRASES = {"enum": "an enum", "tagged_union": "a tagged union", "one_of": "an untagged union"}
# Besides the package's own modules: `_init.py` beside `__init__.py` would read as a mistake.
# `accumulate` is the stream accumulator's module, made only when the spec has a stream section.
_EXTRA_RESERVED_AREAS = frozenset({"init", "accumulate"})
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
        self.check_platforms()
        self.check_alias_cycles()
        self.check_stable_uses_of_beta_types()
        self.check_beta_catalogue()
        self.check_distinct_untagged_unions()
        StreamChecks(self).run()
        self.check_roots()

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
            tag_field = target.field_named(tag)
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

    def check_platforms(self) -> None:
        """A `platform:` must describe a conversion that loses nothing: every field the body
        leaves out goes to the URL, every field it adds is a constant or the betas field."""
        taken: dict[str, str] = {}
        for definition in self.definitions.values():
            if not isinstance(definition, ObjectType) or definition.platform is None:
                continue
            _PlatformCheck(self, definition, taken).run()

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

    def check_roots(self) -> None:
        """`root:` marks a body that is sent or received as a whole, so it needs a class."""
        for root in self.spec.roots:
            target = self.definitions.get(root.name)
            if isinstance(target, ObjectType) and target.abstract:
                self.problem(
                    root.file,
                    root.line,
                    f"{root.name}.root",
                    f"{root.name} is abstract, so no body is ever decoded as it; put 'root' on "
                    "the types that extend it, or drop 'abstract'",
                )


class _PlatformCheck:
    """The checks of one object's `platform:` declaration."""

    def __init__(
        self, checker: _SemanticChecker, definition: ObjectType, taken: dict[str, str]
    ) -> None:
        self.checker = checker
        self.definition = definition
        assert definition.platform is not None
        self.platform = definition.platform
        self.taken = taken  # generated names already given, and the type that declared each

    def problem(self, key: str, message: str) -> None:
        line = self.platform.line_of(key)
        self.checker.problem(
            self.definition.file, line, f"{self.definition.name}.platform.{key}", message
        )

    def run(self) -> None:
        definition, platform = self.definition, self.platform
        base = self.checker.definitions.get(definition.extends or "")
        if not isinstance(base, ObjectType) or base.abstract:
            self.problem(
                "route",
                f"a platform form converts the body of the type it extends, so "
                f"'{definition.extends}' must be an object type that is not abstract; extend "
                "the first-party body type",
            )
            return
        self.names()
        fields = {f.wire_name: f for f in base.fields}
        placeholders = self.placeholders("path", platform.path, fields)
        if platform.stream_path is not None:
            stream_placeholders = self.placeholders("stream_path", platform.stream_path, fields)
            if stream_placeholders != placeholders:
                self.problem(
                    "stream_path",
                    "the stream path must name the same fields as 'path' "
                    f"({_quoted(sorted(placeholders)) or 'none'}); fix one of them",
                )
        flag = platform.stream_flag
        if flag is not None:
            field = fields.get(flag)
            if field is None or field.type is None or field.type.kind != "boolean":
                self.problem(
                    "stream_flag",
                    f"'{flag}' must be a boolean field of {base.name}; name one or remove "
                    "'stream_flag' and 'stream_path'",
                )
        own = {f.wire_name: f for f in definition.fields}
        for name in definition.without:
            if name not in placeholders and name != flag:
                self.problem(
                    "path",
                    f"the body leaves out '{name}' but neither the path nor 'stream_flag' "
                    f"carries it, so converting would lose it; add '{{{name}}}' to the path or "
                    "keep the field",
                )
        for name in placeholders:
            if name in own:
                self.problem(
                    "path",
                    f"'{name}' goes to the URL, so the platform body must leave it out; add it "
                    "to 'without'",
                )
        betas = platform.betas_field
        for name, field in own.items():
            if name in fields or field.is_const or name == betas:
                continue
            self.problem(
                "route",
                f"the field '{name}' is not in {base.name} and is neither a constant nor the "
                "betas field, so converting a first-party body could not fill it in; make it "
                "a constant or name it in 'betas_field'",
            )
        if betas is not None:
            field = own.get(betas)
            if (
                field is None
                or betas in fields
                or field.type != typeexpr.Expr("list", inner=typeexpr.Expr("string"))
                or not field.optional
            ):
                self.problem(
                    "betas_field",
                    f"'{betas}' must be an optional field of type list[string] that this type "
                    f"adds to {base.name}; define it so or remove 'betas_field'",
                )
        events = platform.event_stream
        if events is not None and events.event not in self.checker.definitions:
            self.checker.undefined(
                definition.file,
                events.line,
                f"{definition.name}.platform.event_stream.event",
                events.event,
            )

    def names(self) -> None:
        """The route constant and any event-stream names are new module-level names."""
        platform = self.platform
        wanted = [("route", platform.route)]
        if platform.event_stream is not None:
            wanted += [
                ("event_stream", platform.event_stream.decoder),
                ("event_stream", platform.event_stream.encoder),
            ]
        for key, name in wanted:
            if name in self.checker.reserved.module or name in self.checker.made:
                self.problem(
                    key,
                    f"the name '{name}' is already used by the generated package or a spec "
                    "type; choose another",
                )
            elif name in self.taken:
                self.problem(
                    key,
                    f"the name '{name}' is already declared by {self.taken[name]}; choose "
                    "another",
                )
            self.taken[name] = self.definition.name

    def placeholders(self, key: str, path: str, fields: dict[str, Field]) -> set[str]:
        """The fields a path names as {field}; each must be a string field of the base."""
        found: set[str] = set()
        try:
            parts = list(string.Formatter().parse(path))
        except ValueError:
            self.problem(
                key, "the path has an unmatched brace; write a literal one as '{{' or '}}'"
            )
            return found
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            field = fields.get(name)
            if spec or conversion or field is None:
                self.problem(
                    key,
                    f"'{{{name}}}' in the path must name a field of {self.definition.extends} "
                    "(and nothing more); fix it, or write a literal brace as '{{' or '}}'",
                )
            elif field.type is None or field.type.kind != "string" or field.nullable:
                self.problem(
                    key,
                    f"'{name}' must be a string field (not nullable) to go into the path",
                )
            else:
                found.add(name)
        return found


# What each role's event must carry (wire name of the member: what it holds), which the
# generated accumulator reads.
ROLE_MEMBERS: dict[str, tuple[str, ...]] = {
    "message_start": ("message",),
    "block_start": ("index", "content_block"),
    "block_delta": ("index", "delta"),
    "block_stop": ("index",),
    "message_delta": ("delta", "usage"),
    "message_stop": (),
    "error": ("error",),
}


class StreamChecks:
    """The stream section: at most one, every name resolves, each fold fits its members."""

    def __init__(self, checker: _SemanticChecker) -> None:
        self.checker = checker
        self.definitions = checker.definitions

    def problem(self, section: StreamSection, line: int, key: str, message: str) -> None:
        self.checker.problem(section.file, line, key, message)

    def run(self) -> None:
        sections = self.checker.spec.streams
        for extra in sections[1:]:
            self.problem(
                extra,
                extra.line,
                "stream",
                f"a spec has one stream section and {sections[0].file.path} already has it; "
                "merge the two",
            )
        if sections:
            self.check(sections[0])
            for name in naming.ACCUMULATOR_EXPORTS:
                taken = self.definitions.get(name)
                if taken is not None:
                    self.checker.problem(
                        taken.file,
                        taken.line,
                        name,
                        f"the stream section makes the package define {name} itself; rename "
                        "this type",
                    )

    def object_named(
        self, section: StreamSection, line: int, key: str, name: str
    ) -> ObjectType | None:
        found = self.definitions.get(name)
        if found is None:
            self.checker.undefined(section.file, line, key, name)
            return None
        if not isinstance(found, ObjectType) or found.abstract:
            self.problem(section, line, key, f"'{name}' is not an object type; name one")
            return None
        return found

    def union_named(
        self, section: StreamSection, line: int, key: str, name: str
    ) -> TaggedUnion | None:
        found = self.definitions.get(name)
        if found is None:
            self.checker.undefined(section.file, line, key, name)
            return None
        if not isinstance(found, TaggedUnion):
            self.problem(section, line, key, f"'{name}' is not a tagged union; name one")
            return None
        return found

    def member_union(
        self, section: StreamSection, line: int, key: str, event: ObjectType, member: str
    ) -> TaggedUnion | None:
        """The tagged union a role event's member holds (a block, a delta)."""
        found = event.field_named(member)
        if found is None or found.type is None or found.type.kind != "named":
            return None
        target = self.definitions.get(found.type.name)
        if not isinstance(target, TaggedUnion):
            self.problem(
                section,
                line,
                key,
                f"{event.name}.{member} must hold a tagged union (of blocks or deltas) for the "
                "accumulator to fold it; make it one",
            )
            return None
        return target

    def check(self, section: StreamSection) -> None:
        union = self.union_named(section, section.events_line, "stream.events", section.events)
        if not section.folds_events:
            return  # it only names the union of the events, for the server-sent event helpers
        variants = {v.type_name for v in union.variants} if union else set()
        events: dict[str, ObjectType] = {}
        for role, name, line in section.roles:
            key = f"stream.roles.{role}"
            event = self.object_named(section, line, key, name)
            if event is None:
                continue
            if union is not None and name not in variants:
                self.problem(
                    section, line, key, f"'{name}' is not a variant of {union.name}; add it there"
                )
            missing = [m for m in ROLE_MEMBERS[role] if event.field_named(m) is None]
            if missing:
                self.problem(
                    section,
                    line,
                    key,
                    f"the {role} event needs the member(s) {_quoted(missing, ' and ')}, which "
                    f"{name} lacks; name another type or add them",
                )
                continue
            events[role] = event
        for name, line in section.ignored:
            if union is not None and name not in variants:
                self.problem(
                    section,
                    line,
                    "stream.roles.ignore",
                    f"'{name}' is not a variant of {union.name}; remove it or add it there",
                )
        blocks = deltas = None
        if "block_start" in events:
            blocks = self.member_union(
                section,
                section.line,
                "stream.roles.block_start",
                events["block_start"],
                "content_block",
            )
        if "block_delta" in events:
            deltas = self.member_union(
                section, section.line, "stream.roles.block_delta", events["block_delta"], "delta"
            )
        if "message_start" in events:
            message = events["message_start"].field_named("message")
            if message is not None and not (
                message.type is not None
                and message.type.kind == "named"
                and isinstance(self.definitions.get(message.type.name), ObjectType)
            ):
                self.problem(
                    section,
                    section.line,
                    "stream.roles.message_start",
                    f"{events['message_start'].name}.message must name an object type (the "
                    "message); make it one",
                )
        if blocks is not None and deltas is not None:
            self.check_folds(section, blocks, deltas)
        if blocks is not None and "message_start" in events:
            self.check_block_sets(section, blocks, events["message_start"])
        if "message_start" in events and "message_delta" in events:
            self.check_message_delta(section, events["message_start"], events["message_delta"])
        if section.usage is not None:
            self.check_usage(section)

    def check_folds(self, section: StreamSection, blocks: TaggedUnion, deltas: TaggedUnion) -> None:
        delta_names = {v.type_name for v in deltas.variants}
        block_types = [
            d
            for v in blocks.variants
            if isinstance(d := self.definitions.get(v.type_name), ObjectType)
        ]
        covered: dict[str, set[str]] = {}
        for fold in section.folds:
            key = f"stream.deltas.{fold.delta}.{fold.member}"
            if fold.delta not in delta_names:
                self.problem(
                    section,
                    fold.line,
                    key,
                    f"'{fold.delta}' is not a variant of {deltas.name}; fold only its deltas",
                )
                continue
            delta = self.definitions[fold.delta]
            assert isinstance(delta, ObjectType)
            source = delta.field_named(fold.member)
            if source is None or source.is_const:
                self.problem(
                    section,
                    fold.line,
                    key,
                    f"{fold.delta} has no member '{fold.member}' to fold; use one of "
                    + _quoted([f.wire_name for f in delta.fields if not f.is_const] or ["(none)"]),
                )
                continue
            covered.setdefault(fold.delta, set()).add(fold.member)
            if fold.how == "ignore":
                continue
            targets = [
                field
                for block in block_types
                if (field := block.field_named(fold.into)) is not None and not field.is_const
            ]
            if not targets:
                self.problem(
                    section,
                    fold.line,
                    key,
                    f"no variant of {blocks.name} has a member '{fold.into}' for this delta to "
                    "change; name a block member",
                )
                continue
            if not any(fold_fits(fold.how, source, target) for target in targets):
                self.problem(
                    section,
                    fold.line,
                    key,
                    f"'{fold.how}' cannot fold {fold.delta}.{fold.member} "
                    f"({source.type_text or 'a constant'}) into '{fold.into}' of any block: "
                    + _FOLD_NEEDS[fold.how],
                )
        for variant in deltas.variants:
            delta_type = self.definitions.get(variant.type_name)
            if not isinstance(delta_type, ObjectType):
                continue
            unfolded = [
                f.wire_name
                for f in delta_type.fields
                if not f.is_const and f.wire_name not in covered.get(delta_type.name, set())
            ]
            if unfolded:
                self.problem(
                    section,
                    section.line,
                    f"stream.deltas.{delta_type.name}",
                    f"the member(s) {_quoted(unfolded, ' and ')} of {delta_type.name} have no fold "
                    "rule; say how each changes a block (append, set, append_item, json) or "
                    "write 'ignore'",
                )

    def check_block_sets(
        self, section: StreamSection, blocks: TaggedUnion, start: ObjectType
    ) -> None:
        message_field = start.field_named("message")
        message = self.definitions.get(
            message_field.type.name if message_field and message_field.type else ""
        )
        for index, rule in enumerate(section.block_sets):
            key = f"stream.block_sets[{index}]"
            if rule.block not in {v.type_name for v in blocks.variants}:
                self.problem(
                    section, rule.line, key, f"'{rule.block}' is not a variant of {blocks.name}"
                )
                continue
            owner = self.definitions.get(rule.block)
            found: Field | None = None
            for step in rule.path:
                found = owner.field_named(step) if isinstance(owner, ObjectType) else None
                if found is None:
                    self.problem(
                        section,
                        rule.line,
                        key,
                        f"the path '{'.'.join(rule.path)}' does not lead through members of "
                        f"{rule.block}; name members of object types, one after another",
                    )
                    break
                owner = self.definitions.get(found.type.name) if found.type else None
            target = message.field_named(rule.into) if isinstance(message, ObjectType) else None
            if found is not None and (
                target is None or target.type != found.type or target.is_const
            ):
                self.problem(
                    section,
                    rule.line,
                    key,
                    f"the message has no member '{rule.into}' of the type the path leads to; "
                    "name one of the same type",
                )

    def named_object(self, owner: ObjectType, member: str) -> ObjectType | None:
        field = owner.field_named(member)
        found = self.definitions.get(field.type.name) if field and field.type else None
        return found if isinstance(found, ObjectType) else None

    def check_message_delta(
        self, section: StreamSection, start: ObjectType, change: ObjectType
    ) -> None:
        """Every member a message delta can carry lands on a member of the message (or of its
        usage) of the same name, so that nothing it says is dropped."""
        message = self.named_object(start, "message")
        if message is None:
            return
        line = next(line for role, _, line in section.roles if role == "message_delta")
        pairs: list[tuple[ObjectType, ObjectType, tuple[str, ...]]] = [
            (change, message, ("delta", "usage"))
        ]
        for part, target in (("delta", message), ("usage", self.named_object(message, "usage"))):
            source = self.named_object(change, part)
            if source is not None and target is not None:
                pairs.append((source, target, ()))
        for source, target, skip in pairs:
            lost = [
                f.wire_name
                for f in source.fields
                if not f.is_const
                and f.wire_name not in skip
                and target.field_named(f.wire_name) is None
            ]
            if lost:
                self.problem(
                    section,
                    line,
                    "stream.roles.message_delta",
                    f"{target.name} has no member for {_quoted(lost, ' and ')} of {source.name}, "
                    "so the accumulator would drop it; add the member(s) to "
                    f"{target.name}",
                )

    def check_usage(self, section: StreamSection) -> None:
        usage = section.usage
        assert usage is not None
        nested = {"ttl_5m": "cache_creation_by_ttl", "ttl_1h": "cache_creation_by_ttl"}
        for name in usage.types:
            usage_type = self.object_named(section, usage.types_line, "stream.usage.types", name)
            if usage_type is None:
                continue
            for role, member, line in usage.members:
                if role in nested:
                    continue
                if (
                    role not in ("cache_creation_by_ttl",)
                    and usage_type.field_named(member) is None
                ):
                    self.problem(
                        section,
                        line,
                        f"stream.usage.{role}",
                        f"{name} has no member '{member}'; name one it has",
                    )
        first = self.definitions.get(usage.types[0])
        if isinstance(first, ObjectType):
            ttl = first.field_named(usage.member("cache_creation_by_ttl"))
            by_ttl = (
                self.definitions.get(ttl.type.name)
                if ttl and ttl.type and ttl.type.kind == "named"
                else None
            )
            for role in nested:
                line = next(line for key, _, line in usage.members if key == role)
                if (
                    not isinstance(by_ttl, ObjectType)
                    or by_ttl.field_named(usage.member(role)) is None
                ):
                    self.problem(
                        section,
                        line,
                        f"stream.usage.{role}",
                        f"{usage.types[0]}.{usage.member('cache_creation_by_ttl')} must be an "
                        f"object with the member '{usage.member(role)}'; fix either name",
                    )


_FOLD_NEEDS = {
    "append": "append joins a string member to a string member",
    "set": "set needs members of the same type",
    "append_item": "append_item adds a value of type T to a member of type list[T]",
    "json": "json reads a string member as JSON text into a member of type any or map[any]",
}


def _quoted(items: list[str], last: str = ", ") -> str:
    return (
        ", ".join(f"'{item}'" for item in items[:-1])
        + (last if len(items) > 1 else "")
        + f"'{items[-1]}'"
    )
