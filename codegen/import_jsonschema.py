"""`codegen import-jsonschema`: turn a JSON Schema document into spec YAML to review and edit.

Reads the `$defs` (or `definitions`) of a draft 2020-12 / OpenAPI-style document: objects become
object types, `enum`s enums, `oneOf` with a discriminator (or a constant member common to every
variant) tagged unions, other `oneOf`/`anyOf` untagged unions, and `anyOf [X, null]` a nullable
field. Schemas nested inside a property get a name of their own (`ParentField`). The extension
keywords of this project's own export (`x-anthropic-beta`, `x-default-variant`,
`x-anthropic-beta-values`, `x-closed-enum`, `x-python-name`, `x-constant`) are understood, so an exported spec imports back unchanged.

Descriptions are left out unless asked for: a third party's prose does not belong in our spec.

The document may come from anywhere: a part the importer does not understand, or nesting deeper
than MAX_DEPTH, ends in an ImportProblem naming the JSON pointer, and what it writes is YAML
that `codegen validate` checks like any spec (names the generated code cannot use, such as an
odd discriminator, are reported there with their line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

from .jsonschema_export import split_nullable
from .naming import attribute_problem, python_name_for
from .reserved import reserved_names

_PRIMITIVE_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}


# Schemas nested deeper than this inside one another are refused (the importer recurses).
MAX_DEPTH = 32


class ImportProblem(ValueError):
    """The document uses a construct the spec language cannot express, at a JSON pointer."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}" if pointer else message)
        self.pointer = pointer
        self.message = message


@dataclass
class _Importer:
    defs: dict[str, Any]
    keep_descriptions: bool
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    where: list[str] = field(default_factory=list)  # JSON pointer segments of the schema at hand
    failed_at: str | None = None

    def run(self) -> dict[str, dict[str, Any]]:
        for name, schema in self.defs.items():
            with self.at("$defs", str(name)):
                self.define(self.type_name(str(name)), schema)
        return self.types

    def pointer(self) -> str:
        return "/" + "/".join(s.replace("~", "~0").replace("/", "~1") for s in self.where)

    @contextmanager
    def at(self, *segments: str) -> Iterator[None]:
        """Work inside the given part of the document; a failure there remembers where."""
        self.where.extend(segments)
        try:
            if len(self.where) > MAX_DEPTH * 2:  # two segments per level: a keyword and a name
                raise ImportProblem(
                    self.pointer(), f"schemas nested more than {MAX_DEPTH} deep are not imported"
                )
            yield
        except Exception:
            if self.failed_at is None:
                self.failed_at = self.pointer()
            raise
        finally:
            del self.where[-len(segments) :]

    def schema_at(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ImportProblem(self.pointer(), "expected a schema (a JSON object) here")
        return value

    # Naming

    @staticmethod
    def type_name(raw: str) -> str:
        words = re.split(r"[^0-9A-Za-z]+", raw)
        name = "".join(w[:1].upper() + w[1:] for w in words if w)
        if not name or not name[0].isalpha():
            name = "T" + name
        return name

    def fresh_name(self, base: str) -> str:
        name, n = base, 2
        while name in self.types or (name in self.defs and name != base):
            name, n = f"{base}{n}", n + 1
        return name

    def annotations(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The description (when kept), deprecation and beta headers of a type or field."""
        keys: dict[str, Any] = {}
        if self.keep_descriptions and isinstance(schema.get("description"), str):
            keys["description"] = " ".join(schema["description"].split())
        if schema.get("deprecated"):
            keys["deprecated"] = True
        beta = schema.get("x-anthropic-beta")
        if beta:
            keys["beta"] = _one_or_list(beta)
        return keys

    # Definitions

    def define(self, name: str, schema: dict[str, Any]) -> None:
        schema = self.schema_at(schema)
        body: dict[str, Any] = self.annotations(schema)
        self.types[name] = body  # claimed before nested names are made
        if "enum" in schema and "properties" not in schema:
            beta_values = schema.get("x-anthropic-beta-values", {})
            body["enum"] = [
                (
                    {"value": str(v), "beta": _one_or_list(beta_values[v])}
                    if v in beta_values
                    else str(v)
                )
                for v in schema["enum"]
            ]
            if schema.get("x-closed-enum"):
                body["open"] = False
        elif "oneOf" in schema or "anyOf" in schema:
            self.define_union(name, body, schema.get("oneOf") or schema["anyOf"], schema)
        elif schema.get("type", "object") == "object" and "properties" in schema:
            self.define_object(name, body, schema)
        else:
            raise ImportProblem(
                self.pointer(),
                f"only objects with properties, enums and unions can be named types ({name}); "
                "use the schema directly where it is referenced",
            )

    def define_object(self, name: str, body: dict[str, Any], schema: dict[str, Any]) -> None:
        required = set(schema.get("required", []))
        fields: dict[str, Any] = {}
        properties = schema["properties"]
        if not isinstance(properties, dict):
            raise ImportProblem(self.pointer(), "'properties' must be a JSON object")
        for wire_name, prop in properties.items():
            with self.at("properties", wire_name):
                fields[wire_name] = self.field(
                    name, wire_name, self.schema_at(prop), wire_name not in required
                )
        body["fields"] = fields

    def field(self, owner: str, wire_name: str, prop: dict[str, Any], optional: bool) -> Any:
        spec: dict[str, Any] = {}
        inner, nullable = split_nullable(prop)
        if "const" in inner:
            spec["const"] = str(inner["const"])
        elif inner.get("x-constant") and "enum" in inner:
            spec["const"] = [str(v) for v in inner["enum"]]  # one constant, several spellings
        else:
            spec["type"] = self.expression(inner, owner + self.type_name(wire_name))
        if optional:
            spec["optional"] = True
        if nullable:
            spec["nullable"] = True
        if "default" in prop and prop["default"] is not None:
            spec["default"] = prop["default"]
        spec.update(self.annotations(prop))
        python_name = prop.get("x-python-name")
        members = reserved_names().object_members
        if python_name is None and attribute_problem(wire_name, members):
            python_name = python_name_for(wire_name, members)
        if python_name:
            spec["python_name"] = python_name
        return spec

    def define_union(
        self, name: str, body: dict[str, Any], options: list[Any], schema: dict[str, Any]
    ) -> None:
        refs = [o for o in options if isinstance(o, dict) and "$ref" in o]
        tag = (schema.get("discriminator") or {}).get("propertyName")
        if tag is None and len(refs) == len(options):
            tag = self.common_constant_member(refs)
        if tag is not None and len(refs) == len(options):
            body["union"] = {"tag": tag}
            if "x-default-variant" in schema:
                body["union"]["default"] = self.type_name(schema["x-default-variant"])
            variants: list[Any] = []
            for option in refs:
                variant = self.type_name(_ref_name(option["$ref"]))
                beta = option.get("x-anthropic-beta")
                if beta:
                    variants.append({"type": variant, "beta": _one_or_list(beta)})
                else:
                    variants.append(variant)
            body["variants"] = variants
            return
        alternatives: list[Any] = []
        for index, option in enumerate(options):
            with self.at("oneOf" if "oneOf" in schema else "anyOf", str(index)):
                option = self.schema_at(option)
                if "const" in option:
                    alternatives.append({"const": str(option["const"])})
                else:
                    alternatives.append(self.expression(option, f"{name}Option{index + 1}"))
        body["one_of"] = alternatives

    def common_constant_member(self, refs: list[dict[str, Any]]) -> str | None:
        """The member every variant pins to a constant: the discriminator of a tagged union."""
        candidates: set[str] | None = None
        for ref in refs:
            target = self.defs.get(_ref_name(ref["$ref"]), {})
            pinned = {
                k
                for k, v in target.get("properties", {}).items()
                if isinstance(v, dict) and ("const" in v or "enum" in v)
            }
            candidates = pinned if candidates is None else candidates & pinned
        if not candidates:
            return None
        return "type" if "type" in candidates else sorted(candidates)[0]

    # Type expressions

    def expression(self, schema: dict[str, Any], name_if_nested: str) -> str:
        schema = self.schema_at(schema)
        if "$ref" in schema:
            return self.type_name(_ref_name(schema["$ref"]))
        kind = schema.get("type")
        if isinstance(kind, list):
            raise ImportProblem(self.pointer(), "a list of types is not supported; use oneOf")
        if kind in _PRIMITIVE_TYPES and "enum" not in schema:
            return _PRIMITIVE_TYPES[kind]
        if kind == "array":
            with self.at("items"):
                item = self.expression(schema.get("items", {}), name_if_nested + "Item")
            return f"list[{item}]"
        if kind == "object" and "properties" not in schema:
            values = schema.get("additionalProperties", {})
            if values is True or values == {} or values is False:
                return "map[any]"
            with self.at("additionalProperties"):
                value = self.expression(values, name_if_nested + "Value")
            return f"map[{value}]"
        if not schema or set(schema) <= {"description", "title", "default"}:
            return "any"
        # A nested object, enum or union: give it a name of its own.
        nested = self.fresh_name(name_if_nested)
        self.define(nested, schema)
        return nested


def _one_or_list(values: Any) -> Any:
    """A spec's `beta` from an export's list of headers: one header alone, several as a list.

    A lone string is taken as one header; anything else is left for validation to report.
    """
    if isinstance(values, list) and values:
        return values[0] if len(values) == 1 else list(values)
    return values


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def import_document(document: Any, *, keep_descriptions: bool = False) -> str:
    """Spec YAML for every definition of a JSON Schema document or OpenAPI `components`."""
    if not isinstance(document, dict):
        raise ImportProblem("", "the document must be a JSON object holding $defs")
    components = document.get("components")
    if isinstance(components, dict) and "schemas" in components:
        document = {"$defs": components["schemas"]}  # an OpenAPI document
    defs = document.get("$defs") or document.get("definitions") or {}
    if not isinstance(defs, dict) or not defs:
        raise ImportProblem("", "the document has no $defs (or definitions) to import")
    importer = _Importer(defs, keep_descriptions)
    try:
        types = importer.run()
    except ImportProblem:
        raise
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        # A keyword holding a value of an unexpected kind (a list where a mapping belongs…).
        raise ImportProblem(
            importer.failed_at or "",
            f"this part has a shape the importer does not understand ({type(exc).__name__}: "
            f"{exc})",
        ) from None
    return _dump(types)


def _flow(value: Any) -> str:
    """The value as YAML on one line."""
    text: str = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1 << 30)
    text = text.strip().removesuffix("...").strip()
    # PyYAML writes a string holding a line break over several lines, which would break the
    # line-per-field layout; such values are written with double-quoted, escaped strings.
    return text if "\n" not in text else _one_line(value)


def _one_line(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_one_line(str(k))}: {_one_line(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_one_line(item) for item in value) + "]"
    if isinstance(value, str):
        return '"' + "".join(_yaml_escape(c) for c in value) + '"'
    return _flow(value)  # a number, boolean or null: always one line


def _yaml_escape(char: str) -> str:
    """One character of a double-quoted YAML string, escaped unless it is printable ASCII."""
    if " " <= char <= "~":
        return "\\" + char if char in '"\\' else char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _dump(types: dict[str, dict[str, Any]]) -> str:
    """Block style for types, flow style for each field: short lines that diff well."""
    lines = [
        "# Imported by `codegen import-jsonschema`; review names, optionality and beta tags.",
        "",
    ]
    for name, body in types.items():
        lines.append(f"{name}:")
        for key, value in body.items():
            if key == "fields":
                lines.append("  fields:")
                for wire_name, spec in value.items():
                    lines.append(f"    {_flow(wire_name)}: {_flow(spec)}")
            elif key in ("variants", "enum", "one_of") and len(_flow(value)) > 80:
                lines.append(f"  {key}:")
                lines += [f"    - {_flow(item)}" for item in value]
            else:
                lines.append(f"  {key}: {_flow(value)}")
        lines.append("")
    return "\n".join(lines)
