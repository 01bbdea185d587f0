"""`codegen diff`: what a spec change means for the wire, in words a reviewer can check.

Both sides are compared through their JSON Schema export (the beta channel, which holds every
element with its beta tags), so the diff speaks of types, fields, variants and enum values, not of
YAML lines. Changes that can make previously accepted data fail to decode are marked BREAKING.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .jsonschema_export import split_nullable


@dataclass(frozen=True)
class Change:
    type_name: str
    text: str
    breaking: bool = False


def _kind(schema: dict[str, Any]) -> str:
    if "discriminator" in schema:
        return "tagged union"
    if "oneOf" in schema:
        return "untagged union"
    if "enum" in schema:
        return "enum"
    return "object"


def _beta(schema: dict[str, Any]) -> str:
    beta = schema.get("x-anthropic-beta")
    return f" [beta: {', '.join(beta)}]" if beta else ""


def _shape(prop: dict[str, Any]) -> tuple[str, bool]:
    """A readable type of a property and whether it may be null."""
    inner, nullable = split_nullable(prop)
    return _type_text(inner), nullable


def _type_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"list[{_type_text(schema.get('items', {}))}]"
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return f"map[{_type_text(values) if isinstance(values, dict) else 'any'}]"
    if isinstance(kind, str):
        return kind
    if not schema or set(schema) <= {"description", "default", "deprecated"}:
        return "any"
    return json.dumps(schema, sort_keys=True)


def _field_text(name: str, prop: dict[str, Any], required: bool) -> str:
    kind, nullable = _shape(prop)
    flags = [] if required else ["optional"]
    if nullable:
        flags.append("nullable")
    if prop.get("deprecated"):
        flags.append("deprecated")
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{name}: {kind}{suffix}{_beta(prop)}"


def diff_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every difference between two beta-channel exports, type by type in name order."""
    old_defs, new_defs = base.get("$defs", {}), head.get("$defs", {})
    changes: list[Change] = []
    for name in sorted(set(old_defs) | set(new_defs)):
        old, new = old_defs.get(name), new_defs.get(name)
        if old is None:
            changes.append(Change(name, f"+ new {_kind(new)} {name}{_beta(new)}"))
        elif new is None:
            changes.append(Change(name, f"- removed {_kind(old)} {name}", breaking=True))
        elif _kind(old) != _kind(new):
            changes.append(
                Change(name, f"~ {name} changed from {_kind(old)} to {_kind(new)}", breaking=True)
            )
        else:
            changes += _diff_type(name, old, new)
    return changes


def _diff_type(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    if _beta(old) != _beta(new):
        was, now = _beta(old).strip() or "[stable]", _beta(new).strip() or "[stable]"
        changes.append(Change(name, f"~ {name} {was} → {now}"))
    kind = _kind(old)
    if kind == "object":
        changes += _diff_object(name, old, new)
    elif kind == "enum":
        closed = bool(new.get("x-closed-enum"))
        values = [json.dumps(v) for v in old.get("enum", [])], [
            json.dumps(v) for v in new.get("enum", [])
        ]
        changes += _added_removed(name, "value", *values, removal_breaks=closed)
        if closed and not old.get("x-closed-enum"):
            changes.append(Change(name, f"~ {name} is now closed", breaking=True))
    else:
        before = [_type_text(o) for o in old.get("oneOf", [])]
        after = [_type_text(o) for o in new.get("oneOf", [])]
        # A removed tagged variant decodes as Unknown in lenient mode; strictly it fails.
        changes += _added_removed(name, "variant", before, after, removal_breaks=True)
        if old.get("x-default-variant") != new.get("x-default-variant"):
            changes.append(
                Change(
                    name,
                    f"~ {name} default variant {old.get('x-default-variant')} → "
                    f"{new.get('x-default-variant')}",
                    breaking=True,
                )
            )
    return changes


def _added_removed(
    name: str, what: str, before: list[str], after: list[str], *, removal_breaks: bool
) -> list[Change]:
    """Items of a list (enum values, variants) that appeared or went away, in list order."""
    added = [Change(name, f"+ {name} {what} {item}") for item in after if item not in before]
    removed = [
        Change(name, f"- {name} {what} {item}", breaking=removal_breaks)
        for item in before
        if item not in after
    ]
    return added + removed


def _diff_object(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for field in new_props:
        if field not in old_props:
            text = _field_text(field, new_props[field], field in new_required)
            changes.append(Change(name, f"+ {name}.{text}", breaking=field in new_required))
    for field in old_props:
        if field not in new_props:
            text = _field_text(field, old_props[field], field in old_required)
            changes.append(Change(name, f"- {name}.{text}", breaking=True))
    for field in old_props:
        if field not in new_props:
            continue
        before = _field_text(field, old_props[field], field in old_required)
        after = _field_text(field, new_props[field], field in new_required)
        if before == after:
            continue
        old_type, old_null = _shape(old_props[field])
        new_type, new_null = _shape(new_props[field])
        breaking = (
            old_type != new_type
            or (old_null and not new_null)
            or (field in new_required and field not in old_required)
        )
        changes.append(Change(name, f"~ {name}.{before}  →  {after}", breaking=breaking))
    return changes


def render(changes: list[Change]) -> str:
    """Plain text for a review: one line per change, breaking ones marked."""
    if not changes:
        return "No change to the wire format.\n"
    breaking = sum(c.breaking for c in changes)
    lines = [f"{len(changes)} change(s) to the wire format, {breaking} breaking:"]
    for change in changes:
        lines.append(("BREAKING " if change.breaking else "         ") + change.text)
    return "\n".join(lines) + "\n"
