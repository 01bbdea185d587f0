"""msgspec Structs built from our JSON Schema export: the fast-library reference of `make bench`.

The classes are generated from generated/jsonschema/beta.json, so msgspec decodes the same shapes
with real type checking: every object type reachable from `Message` and `MessageStreamEvent`
becomes a `msgspec.Struct` (kw_only, omit_defaults; optional fields default to `msgspec.UNSET`),
each tagged-union variant gets `tag_field`/`tag`, constants become `Literal`s, enums `str`
(unknown values pass, as in our non-strict decode), maps `dict[str, X]` and untagged unions
`Union`s.

This is a speed reference, NOT a lossless decoder: msgspec ignores (drops) unknown fields, rejects
unknown variants, and a Struct has one tag value, so a variant whose tag has two spellings accepts
only the first. A type msgspec cannot express (a union breaking its union rules, or a tagged union
whose default variant may omit the tag) falls back to `Any`; `FALLBACKS` names them and why.

    python -m tests.msgspec_reference    # print the generated source and the fallbacks
"""

from __future__ import annotations

import json
import keyword
import sys
import types
from pathlib import Path
from typing import Any

import msgspec

SCHEMA = Path(__file__).resolve().parent.parent / "generated" / "jsonschema" / "beta.json"
ROOTS = ("Message", "MessageStreamEvent")
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_OBJECT_LIKE = ("object", "tagged")


class _Builder:
    """Writes Python source for the Structs (string annotations: cycles resolve lazily)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.tags: dict[str, tuple[str, Any]] = {}  # variant -> (tag_field, tag)
        self.fallbacks: dict[str, str] = {}
        self.classes: list[str] = []
        self.aliases: dict[str, str] = {}  # union name -> expression, in dependency order
        self.queue: list[str] = []
        self.kinds: dict[str, list[tuple[str, str | None]]] = {}  # def name -> union kinds
        for name, schema in defs.items():
            if "discriminator" in schema and "x-default-variant" not in schema:
                tag_field = schema["discriminator"]["propertyName"]
                for ref in schema["oneOf"]:
                    variant = _ref_name(ref)
                    pin = defs[variant]["properties"][tag_field]
                    self.tags[variant] = (
                        tag_field,
                        pin["const"] if "const" in pin else pin["enum"][0],
                    )

    def source(self, roots: tuple[str, ...]) -> str:
        done: set[str] = set()
        for root in roots:
            self.ref(root)
        while self.queue:
            name = self.queue.pop(0)
            if name not in done:
                done.add(name)
                self.struct(name)
        header = "from __future__ import annotations\nimport typing as _t\nimport msgspec as _m\n"
        aliases = [f"{name} = {expr}" for name, expr in self.aliases.items()]
        return "\n\n".join([header, *self.classes, "\n".join(aliases)]) + "\n"

    def struct(self, name: str) -> None:
        schema = self.defs[name]
        options = "kw_only=True, omit_defaults=True"
        tag_field, tag = self.tags.get(name, (None, None))
        if tag_field is not None:
            options += f", tag_field={tag_field!r}, tag={tag!r}"
        lines = [f"class {name}(_m.Struct, {options}):"]
        required = set(schema.get("required", ()))
        for wire, prop in schema.get("properties", {}).items():
            if wire == tag_field:
                continue  # msgspec reads and writes the tag itself
            python = prop.get("x-python-name", wire)
            if not python.isidentifier() or keyword.iskeyword(python):
                python += "_"
            annotation, _ = self.expr(prop)
            optional = wire not in required
            if optional:
                annotation += " | _m.UnsetType"
            if python != wire:
                args = [f"name={wire!r}", *(["default=_m.UNSET"] if optional else [])]
                value = f" = _m.field({', '.join(args)})"
            else:
                value = " = _m.UNSET" if optional else ""
            lines.append(f"    {python}: {annotation}{value}")
        self.classes.append("\n".join(lines if len(lines) > 1 else [*lines, "    pass"]))

    def expr(self, schema: dict[str, Any]) -> tuple[str, list[tuple[str, str | None]]]:
        """A type expression and its msgspec union kinds (for the union rules)."""
        if "$ref" in schema:
            return self.ref(_ref_name(schema))
        if "const" in schema or "enum" in schema:
            values = [schema["const"]] if "const" in schema else schema["enum"]
            if "const" not in schema and not schema.get("x-constant"):
                return "str", [("str", None)]
            return f"_t.Literal[{', '.join(map(repr, values))}]", [("literal", None)]
        if "anyOf" in schema or "oneOf" in schema:
            return self.union(None, schema.get("anyOf") or schema["oneOf"])
        kind = schema.get("type")
        if kind == "null":
            return "None", [("null", None)]
        if kind == "array":
            return f"list[{self.expr(schema.get('items', {}))[0]}]", [("array", None)]
        if kind == "object":
            return f"dict[str, {self.expr(schema.get('additionalProperties', {}))[0]}]", [
                ("object", None)
            ]
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind], [(_PRIMITIVES[kind], None)]
        return "_t.Any", [("any", None)]

    def ref(self, name: str) -> tuple[str, list[tuple[str, str | None]]]:
        schema = self.defs[name]
        if "oneOf" in schema:
            if name not in self.kinds:
                self.kinds[name] = [("any", None)]  # while in progress (no nested unions here)
                if "x-default-variant" in schema:
                    self.fallbacks[name] = "its default variant may omit the tag"
                    return "_t.Any", self.kinds[name]
                self.kinds[name] = self.union(name, schema["oneOf"])[1]
            return (name if name in self.aliases else "_t.Any"), self.kinds[name]
        if "enum" in schema:
            return "str", [("str", None)]
        self.queue.append(name)
        return name, [("tagged", self.tags[name][0]) if name in self.tags else ("object", None)]

    def union(
        self, name: str | None, options: list[dict[str, Any]]
    ) -> tuple[str, list[tuple[str, str | None]]]:
        parts = [self.expr(option) for option in options]
        kinds = [kind for _, ks in parts for kind in ks]
        if any(kind == "any" for kind, _ in kinds):
            return "_t.Any", [("any", None)]
        objects = [kind for kind in kinds if kind[0] in _OBJECT_LIKE]
        tagged = objects and all(k == "tagged" for k, _ in objects)
        if (len(objects) > 1 and not (tagged and len({f for _, f in objects}) == 1)) or any(
            sum(k == kind for k, _ in kinds) > 1 for kind in ("array", "str", "int", "float")
        ):
            label = name or " | ".join(text for text, _ in parts)
            self.fallbacks[label] = "msgspec union rules (one object-, array-, str-like type)"
            return "_t.Any", [("any", None)]
        expr = f"_t.Union[{', '.join(text for text, _ in parts)}]"
        if name is None:
            return expr, kinds
        self.aliases[name] = expr
        return name, kinds


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def build(roots: tuple[str, ...] = ROOTS) -> tuple[types.ModuleType, dict[str, str], str]:
    """Exec the Structs into a registered module (msgspec resolves annotations through it)."""
    builder = _Builder(json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"])
    source = builder.source(roots)
    module = types.ModuleType(f"{__name__}_structs")
    sys.modules[module.__name__] = module
    exec(compile(source, f"<{module.__name__}>", "exec"), module.__dict__)
    return module, builder.fallbacks, source


structs, FALLBACKS, SOURCE = build()
Message: Any = structs.Message
MessageStreamEvent: Any = structs.MessageStreamEvent


if __name__ == "__main__":
    print(SOURCE)
    print(
        f"# {len(FALLBACKS)} fallbacks to Any:",
        *(f"#   {n}: {r}" for n, r in FALLBACKS.items()),
        sep="\n",
    )
