"""Stage 2: check the loaded spec, first against the meta-schema, then for meaning.

The later stages rely on everything checked here and re-check nothing, so every rule of
spec/README.md that the meta-schema cannot express lives in this module.
"""

from __future__ import annotations

import difflib
import json
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema

from . import typeexpr
from .errors import Location, SpecError, SpecProblem
from .load import LocatedList, LocatedMap, SpecFile
from .names import snake_case

# Attribute names every generated class already uses for itself.
RESERVED_ATTRIBUTES = frozenset(
    # Methods every generated class has.
    {"extra", "to_dict", "from_dict", "to_json", "from_json", "replace"}
    # Names the class body and __init__ use after the fields (annotations, `self`): a field of
    # the same name would shadow them there.
    | {"self", "str", "int", "float", "bool", "list", "dict", "Any", "Literal", "Unset", "UNSET"}
    | {"Model", "None"}
)
# Names the generated package defines besides the spec's types.
RESERVED_TYPE_NAMES = frozenset(
    {
        "Any",
        "Callable",
        "ClassVar",
        "DecodeError",
        "Final",
        "Literal",
        "Model",
        "TypeAlias",
        "TypeVar",
        "Union",
        "UNSET",
        "Unset",
    }
)
_PRIMITIVE_NAMES = ("string", "integer", "number", "boolean", "any")
_KIND_PHRASES = {"enum": "an enum", "tagged_union": "a tagged union", "one_of": "an untagged union"}
RESERVED_AREAS = frozenset({"runtime", "unions", "init"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


def validate(files: list[SpecFile]) -> ValidatedSpec:
    """Run every check; raise SpecError listing all problems, or return the checked spec."""
    problems: list[SpecProblem] = []
    for spec_file in files:
        problems.extend(_meta_schema_problems(spec_file))
    if problems:
        # Semantic checks assume the shape the meta-schema guarantees.
        raise SpecError(problems)
    checker = _SemanticChecker(files)
    checker.run()
    if checker.problems:
        raise SpecError(checker.problems)
    return ValidatedSpec(definitions=checker.definitions, areas=tuple(f.area for f in files))


# --- meta-schema --------------------------------------------------------------------------


def _load_meta_schema() -> dict[str, Any]:
    text = resources.files("codegen").joinpath("spec_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


_VALIDATOR = jsonschema.Draft202012Validator(_load_meta_schema())


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
        error.validator == "pattern" and schema.get("pattern") == "^[A-Z][A-Za-z0-9_]*$"
    ):
        return (
            f"{instance!r} is not a type name: type names are PascalCase identifiers such as "
            "TextBlockParam (a capital letter, then letters, digits and underscores)"
        )
    if error.validator == "pattern" and list(error.absolute_path)[-1:] == ["python_name"]:
        return "python_name must be a lowercase Python identifier such as from_ or extra_"
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


# --- semantic checks ----------------------------------------------------------------------


class _SemanticChecker:
    def __init__(self, files: list[SpecFile]) -> None:
        self.files = files
        self.problems: list[SpecProblem] = []
        self.definitions: dict[str, Definition] = {}

    def problem(self, spec_file: SpecFile, line: int, key: str, message: str) -> None:
        self.problems.append(SpecProblem(Location(spec_file.path, line, key), message))

    def run(self) -> None:
        self.collect_definitions()
        for definition in self.definitions.values():
            check = getattr(self, f"check_{definition.kind}")
            check(definition)
        self.check_generated_names()
        self.check_alias_cycles()
        self.check_stable_uses_of_beta_types()
        self.check_distinct_untagged_unions()

    def collect_definitions(self) -> None:
        areas: dict[str, SpecFile] = {}
        for spec_file in self.files:
            if not _IDENTIFIER.match(spec_file.area) or keyword.iskeyword(spec_file.area):
                suggestion = snake_case(spec_file.area) or "area"
                if suggestion[0].isdigit():
                    suggestion = "area_" + suggestion
                if keyword.iskeyword(suggestion):
                    suggestion += "_area"
                self.problem(
                    spec_file,
                    1,
                    "(file)",
                    "the file name must make a Python module name (letters, digits and "
                    f"underscores, not a keyword); rename it, for example to {suggestion}.yaml",
                )
            if spec_file.area in RESERVED_AREAS:
                self.problem(
                    spec_file,
                    1,
                    "(file)",
                    f"the area name '{spec_file.area}' is used by the generated package itself; "
                    "rename the file",
                )
            if spec_file.area in areas:
                self.problem(
                    spec_file,
                    1,
                    "(file)",
                    f"this file and {areas[spec_file.area].path} both make the module "
                    f"'_{spec_file.area}'; rename one of them",
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
                if name in RESERVED_TYPE_NAMES:
                    self.problem(
                        spec_file,
                        line,
                        name,
                        f"'{name}' is a name the generated package uses itself; choose another name",
                    )
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
        python_names: dict[str, str] = {}
        for wire_name, field in fields.items():
            line = fields.key_lines[wire_name]
            key = f"{definition.name}.fields.{wire_name}"
            if "type" in field:
                self.resolve(spec_file, line, key, field["type"])
            python_name = field.get("python_name", wire_name)
            if "python_name" not in field and (
                not _IDENTIFIER.match(wire_name)
                or keyword.iskeyword(wire_name)
                or wire_name in RESERVED_ATTRIBUTES
            ):
                suggestion = snake_case(wire_name) or "value"
                if keyword.iskeyword(suggestion) or suggestion in RESERVED_ATTRIBUTES:
                    suggestion += "_"
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"the wire name '{wire_name}' cannot be a Python attribute; add "
                    f"'python_name: {suggestion}' to this field",
                )
                continue
            if keyword.iskeyword(python_name) or python_name in RESERVED_ATTRIBUTES:
                self.problem(
                    spec_file,
                    line,
                    key,
                    f"python_name '{python_name}' is a keyword or a reserved attribute "
                    f"({', '.join(sorted(RESERVED_ATTRIBUTES))}); choose another",
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
        snakes: dict[str, str] = {}
        for name, definition in self.definitions.items():
            line = definition.file.types.key_lines[name]
            generated = [name]
            if definition.kind == "tagged_union":
                generated.append(f"Unknown{name}")
            for produced in generated:
                snake = snake_case(produced)
                if produced != name and produced in self.definitions:
                    self.problem(
                        definition.file,
                        line,
                        name,
                        f"the union {name} generates a class '{produced}' for unknown variants, "
                        f"which the spec also defines; rename one of them",
                    )
                if snake in snakes and snakes[snake] != produced:
                    self.problem(
                        definition.file,
                        line,
                        name,
                        f"'{produced}' and '{snakes[snake]}' give the same Python function name "
                        f"'decode_{snake}'; rename one of them",
                    )
                snakes[snake] = produced

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
