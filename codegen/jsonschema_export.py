"""The JSON Schema export (draft 2020-12), built from the intermediate model.

Two channels: `beta` describes everything, `stable` leaves out every beta type, field, union
variant and enum value. Type names are the `$defs` keys, the same names as in Python.
"""

from __future__ import annotations

import json
from typing import Any

from . import ir

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def export(package: ir.Package, channel: str) -> dict[str, Any]:
    """The schema document for one channel ("stable" or "beta")."""
    include_beta = channel == "beta"
    beta_types: set[str] = set()
    for module in package.areas:
        named: list[ir.ObjectType | ir.TaggedUnion | ir.OneOf | ir.EnumType] = [
            *module.objects,
            *module.tagged_unions,
            *module.one_ofs,
            *module.enums,
        ]
        beta_types.update(item.name for item in named if item.docs.beta)

    def wanted(docs: ir.Docs) -> bool:
        return include_beta or not docs.beta

    def reaches_beta(ref: ir.TypeRef) -> bool:
        if include_beta:
            return False
        if ref.item is not None:
            return reaches_beta(ref.item)
        return ref.name in beta_types

    def ref_schema(ref: ir.TypeRef) -> dict[str, Any]:
        if ref.is_named:
            return {"$ref": f"#/$defs/{ref.name}"}
        if ref.kind == "const":
            if len(ref.values) == 1:
                return {"const": ref.values[0]}
            # One constant with several accepted spellings, not an enum type of its own.
            return {"enum": list(ref.values), "x-constant": True}
        if ref.kind == "list":
            assert ref.item is not None
            return {"type": "array", "items": ref_schema(ref.item)}
        if ref.kind == "map":
            assert ref.item is not None
            return {"type": "object", "additionalProperties": ref_schema(ref.item)}
        if ref.kind == "any":
            return {}
        return {"type": ref.kind}

    def annotate(schema: dict[str, Any], docs: ir.Docs, default_json: str = "") -> dict[str, Any]:
        if docs.description:
            schema["description"] = docs.description
        if default_json:
            schema["default"] = json.loads(default_json)
        if docs.deprecated:
            schema["deprecated"] = True
        if docs.beta and include_beta:
            schema["x-anthropic-beta"] = list(docs.beta)
        return schema

    defs: dict[str, Any] = {}
    for module in package.areas:
        for obj in module.objects:
            if not wanted(obj.docs):
                continue
            properties: dict[str, Any] = {}
            required: list[str] = []
            for f in obj.fields:
                if not wanted(f.docs) or reaches_beta(f.type):
                    continue
                schema = ref_schema(f.type)
                if f.nullable:
                    schema = {"anyOf": [schema, {"type": "null"}]}
                if str(f.python_name) != str(f.wire_name):
                    schema["x-python-name"] = f.python_name
                properties[f.wire_name] = annotate(schema, f.docs, f.default_json)
                if not f.optional:
                    required.append(f.wire_name)
            body: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                body["required"] = required
            defs[obj.name] = annotate(body, obj.docs)
        for union in module.tagged_unions:
            if not wanted(union.docs):
                continue
            variants = [v for v in union.variants if wanted(v.docs)]
            entries: list[dict[str, Any]] = []
            for v in variants:
                entry: dict[str, Any] = {"$ref": f"#/$defs/{v.name}"}
                if include_beta and v.docs.beta and v.name not in beta_types:
                    entry["x-anthropic-beta"] = list(v.docs.beta)  # beta in this union only
                entries.append(entry)
            body = {
                "oneOf": entries,
                # OpenAPI's annotation, understood by many tools; JSON Schema ignores it.
                "discriminator": {"propertyName": union.tag},
            }
            if union.default is not None:
                body["x-default-variant"] = union.default.name
            defs[union.name] = annotate(body, union.docs)
        for one_of in module.one_ofs:
            if not wanted(one_of.docs):
                continue
            alternatives = [a for a in one_of.ref.alternatives if not reaches_beta(a)]
            defs[one_of.name] = annotate(
                {"oneOf": [ref_schema(a) for a in alternatives]}, one_of.docs
            )
        for enum in module.enums:
            if not wanted(enum.docs):
                continue
            values = [v.value for v in enum.values if wanted(v.docs)]
            body = {"type": "string", "enum": values}
            beta_values = {v.value: list(v.docs.beta) for v in enum.values if v.docs.beta}
            if include_beta and beta_values:
                body["x-anthropic-beta-values"] = beta_values
            if not enum.open:
                body["x-closed-enum"] = True  # unknown values are rejected even when lenient
            defs[enum.name] = annotate(body, enum.docs)
    return {
        "$schema": DIALECT,
        "title": f"Anthropic Messages API ({channel})",
        "description": (
            "Generated by messages-codegen from the spec; beta elements are "
            + ("tagged with x-anthropic-beta." if include_beta else "left out.")
        ),
        "$defs": {name: defs[name] for name in sorted(defs)},
    }


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def split_nullable(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """`anyOf [X, {type: null}]` (as `export` writes a nullable field) → (X, True); other
    schemas → (schema, False). Also reads `type: [kind, "null"]` from other documents."""
    for key in ("anyOf", "oneOf"):
        options = prop.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            if len(rest) == 1:
                return rest[0], True
            return {key: rest}, True
    if prop.get("type") == ["null"]:
        return {}, True
    if isinstance(prop.get("type"), list) and "null" in prop["type"]:
        kinds = [k for k in prop["type"] if k != "null"]
        if len(kinds) == 1:
            return {**prop, "type": kinds[0]}, True
    return prop, False
