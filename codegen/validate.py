"""Stage 2: check the loaded spec, first against the meta-schema, then for meaning.

The later stages rely on everything checked here and re-check nothing, so every rule of
spec/README.md that the meta-schema cannot express lives in this module.
"""

from __future__ import annotations

import difflib
import json
import keyword
import math
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from . import ir, names, typeexpr
from .errors import Location, SpecError, SpecProblem
from .load import LocatedList, LocatedMap, SpecFile
from .names import snake_case

_PRIMITIVE_NAMES = ("string", "integer", "number", "boolean", "any")
_KIND_PHRASES = {"enum": "an enum", "tagged_union": "a tagged union", "one_of": "an untagged union"}
# Besides the package's own modules: `_init.py` beside `__init__.py` would read as a mistake.
_EXTRA_RESERVED_AREAS = frozenset({"init"})
# The deepest `list[...]`/`map[...]` nesting of a type expression; the real spec needs 2.
MAX_TYPE_DEPTH = 8
# A `default` is written into docs and JSON Schemas as JSON; integers beyond 64 bits lose
# precision in most JSON readers.
_INT_RANGE = (-(2**63), 2**64 - 1)


@dataclass(frozen=True)
class Definition:
    """One type of the spec, with where it was written."""

    name: str
    kind: str  # "object" | "enum" | "tagged_union" | "one_of"
    body: LocatedMap
    file: SpecFile


@dataclass(frozen=True)
class ValidatedSpec:
    """The spec after every check passed: definitions by name, in file then spec order."""

    definitions: dict[str, Definition]
    areas: tuple[str, ...]


def kind_of(body: LocatedMap) -> str:
    if "fields" in body:
        return "object"
    if "enum" in body:
        return "enum"
    if "union" in body:
        return "tagged_union"
    return "one_of"


def validate(files: list[SpecFile], templates: Path | None = None) -> ValidatedSpec:
    """Run every check; raise SpecError listing all problems, or return the checked spec.

    `templates` is the template folder whose generated code decides which names are reserved
    (default: the project's).
    """
    problems: list[SpecProblem] = []
    for spec_file in files:
        problems.extend(_meta_schema_problems(spec_file))
    if not problems:
        for spec_file in files:
            problems.extend(_type_expression_depth_problems(spec_file))
    if problems:
        # Semantic checks assume the shape the meta-schema guarantees, and type expressions
        # that the recursive parser can read.
        raise SpecError(problems)
    checker = _SemanticChecker(files, names.reserved_names(templates))
    checker.run()
    if checker.problems:
        raise SpecError(checker.problems)
    return ValidatedSpec(definitions=checker.definitions, areas=tuple(f.area for f in files))


def check_package(spec: ValidatedSpec, package: ir.Package, templates: Path | None = None) -> None:
    """The checks that need the intermediate model: raise SpecError, or return.

    A decoder keeps each field in a local variable, which build_ir names after the field and
    renames when it would hide a name the decoder needs; this makes sure no such clash is left.
    """
    reserved = names.reserved_names(templates)
    made = {
        name
        for definition in spec.definitions.values()
        for name in reserved.names_of_type(definition.kind, definition.name)
    }
    taken = reserved.function_names | made
    problems: list[SpecProblem] = []
    for area in package.areas:
        for obj in area.objects:
            definition = spec.definitions[obj.name]
            fields = definition.body["fields"]
            for field in obj.fields:
                if field.local_name not in taken:
                    continue
                suggestion = names.python_name_for(
                    field.python_name + "_", reserved.object_members | taken
                )
                fix = (
                    "choose another python_name"
                    if "python_name" in fields[field.wire_name]
                    else "add a python_name"
                )
                problems.append(
                    SpecProblem(
                        Location(
                            definition.file.path,
                            fields.key_lines[field.wire_name],
                            f"{obj.name}.fields.{field.wire_name}",
                        ),
                        f"the Python name '{field.python_name}' makes a local variable "
                        f"'{field.local_name}' in the generated decoder and encoder, which use "
                        f"that name themselves; {fix}, such as 'python_name: {suggestion}'",
                    )
                )
    if problems:
        raise SpecError(problems)


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
            return _explain(deepest)
    if error.validator == "type" and error.validator_value == "boolean":
        return f"write true or false here, without quotes (found {instance!r})"
    if error.validator == "type" and error.validator_value == "object":
        return f"expected a mapping (key: value lines) here, found {instance!r}"
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


def _explain_definition(instance: object) -> str:
    if not isinstance(instance, dict):
        return (
            "a definition is a mapping with one of 'fields' (object), 'enum', 'union' with "
            "'variants' (tagged union) or 'one_of' (untagged union)"
        )
    keys = set(instance)
    if "union" in keys and "variants" not in keys:
        return "a tagged union needs 'variants:', the list of its object types; add it"
    if "variants" in keys and "union" not in keys:
        return "'variants' belongs to a tagged union; add 'union: {tag: type}' naming the tag field"
    kinds = sorted(keys & {"fields", "enum", "union", "one_of"})
    if not kinds:
        return (
            "a definition needs exactly one of 'fields' (object), 'enum', 'union' with "
            "'variants' (tagged union) or 'one_of' (untagged union)"
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
    def __init__(self, files: list[SpecFile], reserved: names.ReservedNames | None = None) -> None:
        self.files = files
        self.reserved = reserved or names.reserved_names()
        self.problems: list[SpecProblem] = []
        self.definitions: dict[str, Definition] = {}
        # Every module-level name the spec's types make (themselves, decoders, tables…), with
        # the types that make it.
        self.made: dict[str, list[str]] = {}

    def problem(self, spec_file: SpecFile, line: int, key: str, message: str) -> None:
        self.problems.append(SpecProblem(Location(spec_file.path, line, key), message))

    def run(self) -> None:
        self.collect_definitions()
        for definition in self.definitions.values():
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
            check = getattr(self, f"check_{definition.kind}")
            check(definition)
        self.check_generated_names()
        self.check_alias_cycles()
        self.check_stable_uses_of_beta_types()
        self.check_distinct_untagged_unions()

    def collect_definitions(self) -> None:
        areas: dict[str, SpecFile] = {}
        reserved_areas = self.reserved.package_modules | _EXTRA_RESERVED_AREAS
        for spec_file in self.files:
            area = spec_file.area
            if not names.MODULE_NAME.match(area) or keyword.iskeyword(area):
                suggestion = snake_case(area)[:60] or "area"
                if not suggestion[0].isalpha():
                    suggestion = "area_" + suggestion
                if keyword.iskeyword(suggestion):
                    suggestion += "_area"
                self.problem(
                    spec_file,
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
                    spec_file,
                    1,
                    "(file)",
                    f"the area name '{area}' is used by the generated package itself; "
                    "rename the file",
                )
            if spec_file.area in areas:
                self.problem(
                    spec_file,
                    1,
                    "(file)",
                    f"this file and {areas[spec_file.area].path} both make the module "
                    f"'{self.reserved.names_of_area(spec_file.area)[0]}'; rename one of them",
                )
            areas[spec_file.area] = spec_file
            for name, body in spec_file.types.items():
                line = spec_file.types.key_lines[name]
                if name in self.definitions:
                    first = self.definitions[name]
                    self.problem(
                        spec_file,
                        line,
                        name,
                        f"the type '{name}' is already defined in {first.file.path} line "
                        f"{first.file.types.key_lines[name]}; rename one of them",
                    )
                    continue
                self.definitions[name] = Definition(name, kind_of(body), body, spec_file)

    # Type expressions

    def resolve(self, spec_file: SpecFile, line: int, key: str, text: str) -> typeexpr.Expr | None:
        try:
            expr = typeexpr.parse(text)
        except typeexpr.ExprError as exc:
            close = difflib.get_close_matches(text.strip(), _PRIMITIVE_NAMES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problem(spec_file, line, key, f"{exc}{hint}")
            return None
        for name in expr.names():
            if name not in self.definitions:
                close = [n for n in self.definitions if n.lower() == name.lower()]
                hint = f" (did you mean {close[0]}?)" if close else ""
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"the type '{name}' is not defined in any spec file{hint}; define it or fix the name",
                )
                return None
        return expr

    # Objects

    def check_object(self, definition: Definition) -> None:
        spec_file, fields = definition.file, definition.body["fields"]
        # Annotations in the class body name the spec's types: a field may not hide them either.
        members = self.reserved.object_members | frozenset(self.made)
        python_names: dict[str, str] = {}
        for wire_name, field in fields.items():
            line = fields.key_lines[wire_name]
            key = f"{definition.name}.fields.{wire_name}"
            if "type" in field:
                self.resolve(spec_file, line, key, field["type"])
            if "default" in field:
                problem = _json_problem(field["default"])
                if problem:
                    self.problem(
                        spec_file,
                        line,
                        f"{key}.default",
                        f"a default must be a JSON value (a string, a finite number, an integer "
                        f"of at most 64 bits, true, false, null, a list or a mapping): {problem}",
                    )
            python_name = field.get("python_name", wire_name)
            reason = names.attribute_problem(python_name, members)
            if reason and "python_name" not in field:
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"the wire name '{wire_name}' cannot be a Python attribute; add "
                    f"'python_name: {names.python_name_for(wire_name, members)}' to this field",
                )
                continue
            if reason:
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"python_name '{python_name}' is a keyword or a reserved attribute: {reason}; "
                    f"choose another, such as '{names.python_name_for(python_name, members)}'",
                )
            if python_name in python_names:
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"the Python name '{python_name}' is already used by the field "
                    f"'{python_names[python_name]}'; give one of them another python_name",
                )
            python_names[python_name] = wire_name

    # Enums

    def check_enum(self, definition: Definition) -> None:
        seen: dict[str, int] = {}
        values = definition.body["enum"]
        for index, item in enumerate(values):
            value = item if isinstance(item, str) else item["value"]
            line = values.item_lines[index]
            if value in seen:
                self.problem(
                    definition.file,
                    line,
                    f"{definition.name}.enum",
                    f"the value '{value}' is listed twice (first on line {seen[value]}); keep one",
                )
            seen[value] = line

    # Tagged unions

    def check_tagged_union(self, definition: Definition) -> None:
        spec_file, body = definition.file, definition.body
        tag = body["union"]["tag"]
        reason = names.attribute_problem(tag, self.reserved.unknown_members)
        if reason:
            self.problem(
                spec_file,
                body.key_lines["union"],
                f"{definition.name}.union.tag",
                f"the tag '{tag}' cannot be used: the class that holds unknown variants of "
                f"{definition.name} returns the tag from a property of that name, and {reason}; "
                "the generator cannot represent this union",
            )
        default = body["union"].get("default")
        variants: LocatedList = body["variants"]
        seen_variants: set[str] = set()
        tag_owner: dict[str, str] = {}
        for index, item in enumerate(variants):
            name = item if isinstance(item, str) else item["type"]
            line = variants.item_lines[index]
            key = f"{definition.name}.variants[{index}]"
            target = self.definitions.get(name)
            if target is None:
                self.resolve(spec_file, line, key, name)
                continue
            if name in seen_variants:
                self.problem(spec_file, line, key, f"'{name}' is listed twice; keep one")
                continue
            seen_variants.add(name)
            if target.kind != "object":
                self.problem(
                    spec_file,
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
            tag_field = target.body["fields"].get(tag)
            if tag_field is None or "const" not in tag_field:
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"the variant '{name}' needs a constant discriminator field: add "
                    f"'{tag}: {{const: <value>}}' to its fields in {target.file.path}",
                )
                continue
            values = tag_field["const"]
            for value in [values] if isinstance(values, str) else values:
                if value in tag_owner:
                    self.problem(
                        spec_file,
                        line,
                        key,
                        f"the '{tag}' value '{value}' already selects the variant "
                        f"'{tag_owner[value]}'; each value must select one variant",
                    )
                tag_owner[value] = name
            is_default = name == default
            if is_default and not tag_field.get("optional"):
                self.problem(
                    target.file,
                    target.body["fields"].key_lines[tag],
                    f"{name}.fields.{tag}",
                    f"'{name}' is the default variant of {definition.name}, so its '{tag}' must "
                    "be 'optional: true' (clients leave it out)",
                )
            if not is_default and (tag_field.get("optional") or tag_field.get("nullable")):
                self.problem(
                    target.file,
                    target.body["fields"].key_lines[tag],
                    f"{name}.fields.{tag}",
                    f"only the default variant may leave out '{tag}' or send it as null; make it "
                    f"required and not nullable, or make '{name}' the default of {definition.name}",
                )
        if default is not None and default not in seen_variants:
            self.problem(
                spec_file,
                body.key_lines["union"],
                f"{definition.name}.union.default",
                (
                    f"the default '{default}' is not one of the variants; add it to 'variants'"
                    if default in self.definitions
                    else f"the default '{default}' is not defined in any spec file; fix the name"
                ),
            )

    # Untagged unions

    def check_one_of(self, definition: Definition) -> None:
        spec_file, alternatives = definition.file, definition.body["one_of"]
        kinds_seen: dict[str, int] = {}
        for index, item in enumerate(alternatives):
            line = alternatives.item_lines[index]
            key = f"{definition.name}.one_of[{index}]"
            if isinstance(item, dict):
                kinds = {"string"}
            else:
                expr = self.resolve(spec_file, line, key, item)
                if expr is None:
                    continue
                if expr.kind == "named" and self.definitions[expr.name].kind == "one_of":
                    self.problem(
                        spec_file,
                        line,
                        key,
                        f"'{expr.name}' is itself an untagged union; list its alternatives here "
                        "instead of nesting it",
                    )
                    continue
                if expr.kind == "any":
                    self.problem(
                        spec_file,
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
                    other = alternatives[clash]
                    shown = f"{{const: {other['const']}}}" if isinstance(other, dict) else other
                    hint = (
                        "use an enum listing the allowed strings"
                        if kind == "string"
                        else "merge them into one type (for objects, a tagged union)"
                    )
                    json_kind = "number" if kind in ("integer", "number") else kind
                    self.problem(
                        spec_file,
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
        if definition.kind == "enum":
            return {"string"}
        if definition.kind in ("object", "tagged_union"):
            return {"object"}
        if expr.name in visiting:
            return set()
        kinds: set[str] = set()
        for item in definition.body["one_of"]:
            if isinstance(item, dict):
                kinds.add("string")
                continue
            try:
                inner = typeexpr.parse(item)
            except typeexpr.ExprError:
                continue
            if all(n in self.definitions for n in inner.names()):
                kinds |= self.json_kinds(inner, visiting | {expr.name})
        return kinds

    # Names in the generated code

    def check_generated_names(self) -> None:
        """Type names, and the names made from them, must be free and distinct."""
        for name, definition in self.definitions.items():
            line = definition.file.types.key_lines[name]
            made = self.reserved.names_of_type(definition.kind, name)
            taken = [n for n in made if n in self.reserved.module]
            if taken == [name]:
                self.problem(
                    definition.file,
                    line,
                    name,
                    f"'{name}' is a name the generated package uses itself (or a Python keyword "
                    "or builtin); choose another name",
                )
            elif taken:
                self.problem(
                    definition.file,
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
            self.problem(definition.file, line, name, message)

    def check_alias_cycles(self) -> None:
        """Untagged unions become type aliases, which cannot refer to themselves."""
        for name, definition in self.definitions.items():
            if definition.kind != "one_of":
                continue
            if self.alias_reaches(name, name, set()):
                self.problem(
                    definition.file,
                    definition.file.types.key_lines[name],
                    name,
                    f"the untagged union {name} contains itself (directly or through lists, maps "
                    "or other untagged unions); put an object type in between",
                )

    def alias_reaches(self, start: str, current: str, seen: set[str]) -> bool:
        for item in self.definitions[current].body["one_of"]:
            if isinstance(item, dict):
                continue
            try:
                expr = typeexpr.parse(item)
            except typeexpr.ExprError:
                continue
            for ref in expr.names():
                target = self.definitions.get(ref)
                if target is None or target.kind != "one_of":
                    continue
                if ref == start:
                    return True
                if ref not in seen:
                    seen.add(ref)
                    if self.alias_reaches(start, ref, seen):
                        return True
        return False

    def beta_of(self, name: str) -> list[str]:
        beta = self.definitions[name].body.get("beta", [])
        return [beta] if isinstance(beta, str) else list(beta)

    def check_stable_uses_of_beta_types(self) -> None:
        """The stable JSON Schema leaves beta types out, so a stable element may not need one."""
        for definition in self.definitions.values():
            if definition.body.get("beta"):
                continue
            uses: list[tuple[int, str, str]] = []
            if definition.kind == "object":
                fields = definition.body["fields"]
                for wire_name, field in fields.items():
                    if "type" in field and not field.get("beta"):
                        uses.append(
                            (
                                fields.key_lines[wire_name],
                                f"{definition.name}.fields.{wire_name}",
                                field["type"],
                            )
                        )
            elif definition.kind == "one_of":
                items = definition.body["one_of"]
                for index, item in enumerate(items):
                    if isinstance(item, str):
                        uses.append(
                            (items.item_lines[index], f"{definition.name}.one_of[{index}]", item)
                        )
            for line, key, text in uses:
                try:
                    names = typeexpr.parse(text).names()
                except typeexpr.ExprError:
                    continue
                for name in names:
                    if name in self.definitions and self.beta_of(name):
                        header = self.beta_of(name)[0]
                        where = "the field" if definition.kind == "object" else definition.name
                        self.problem(
                            definition.file,
                            line,
                            key,
                            f"this stable element uses '{name}', which is beta ({header}); mark "
                            f"{where} 'beta: {header}' too, or drop 'beta' from {name} if it is GA",
                        )

    def check_distinct_untagged_unions(self) -> None:
        """Equal alternatives give equal Python union objects, which decode() cannot tell apart."""
        seen: dict[tuple[str, ...], str] = {}
        for name, definition in self.definitions.items():
            if definition.kind != "one_of":
                continue
            items = definition.body["one_of"]
            shape = tuple(
                sorted(
                    f"const:{item['const']}" if isinstance(item, dict) else item.replace(" ", "")
                    for item in items
                )
            )
            if shape in seen:
                self.problem(
                    definition.file,
                    definition.file.types.key_lines[name],
                    name,
                    f"{name} has the same alternatives as {seen[shape]}; use {seen[shape]} "
                    "instead of defining it twice",
                )
            else:
                seen[shape] = name


def _quoted(items: list[str], last: str = ", ") -> str:
    return (
        ", ".join(f"'{item}'" for item in items[:-1])
        + (last if len(items) > 1 else "")
        + f"'{items[-1]}'"
    )
