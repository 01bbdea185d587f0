"""Rules the real spec must follow beyond what `codegen validate` checks.

Forward compatibility: wherever the API tells objects apart by a constant tag, a value the spec
does not know yet must decode to the `Unknown…` form of a tagged union (lenient mode) instead of
failing. A field, list item, map value or `one_of` alternative that names a tagged object type
directly would reject a new tag, so every such use goes through a tagged union (one variant is
enough). The few uses where the constant is only a fixed marker of an envelope, not a choice
between kinds, are listed in ALLOWED with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codegen import typeexpr
from codegen.load import SpecFile, load_spec_dir, load_spec_file
from tests.support import ROOT

# (owner, member) -> why the direct use is right. `member` is a field name, or `one_of` for an
# alternative of an untagged union.
ALLOWED: dict[tuple[str, str], str] = {
    ("MessageStartEvent", "message"): (
        "`type: message` marks the whole response object; an event's message is never another kind."
    ),
    ("MessageBatchSucceededResult", "message"): (
        "`type: message` marks the whole response object; a succeeded result holds nothing else."
    ),
    ("MessageBatchErroredResult", "error"): (
        "`type: error` marks the error envelope (and is optional there); the kinds of error are "
        "told apart one level down, by the ErrorObject union."
    ),
}


@dataclass(frozen=True)
class DirectUse:
    """A place that names a tagged object type where a tagged union belongs."""

    file: str
    line: int
    owner: str
    member: str
    target: str
    tag: str  # "field=value"

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.owner}.{self.member} refers to {self.target} "
            f"({self.tag}) directly; route it through a tagged union so that a new tag decodes "
            f"to the union's Unknown form, or add ({self.owner!r}, {self.member!r}) to ALLOWED "
            "with the reason"
        )


def tagged_objects(files: list[SpecFile]) -> dict[str, str]:
    """Object types whose constant tag tells kinds apart -> "tag=value".

    An object is tagged when it is a variant of some tagged union (its tag is the union's), or
    when it has a constant `type` field: the API's discriminator almost everywhere.
    """
    definitions = {name: body for f in files for name, body in f.types.items()}
    tags: dict[str, str] = {}

    def record(name: str, tag: str) -> None:
        body = definitions.get(name)
        member = body.get("fields", {}).get(tag) if body is not None else None
        if isinstance(member, dict) and "const" in member:
            value = member["const"]
            shown = value if isinstance(value, str) else "|".join(value)
            tags.setdefault(name, f"{tag}={shown}")

    for name, body in definitions.items():
        if "union" in body:
            for variant in body["variants"]:
                record(
                    variant if isinstance(variant, str) else variant["type"], body["union"]["tag"]
                )
    for name, body in definitions.items():
        if "fields" in body:
            record(name, "type")
    return tags


def direct_uses(files: list[SpecFile]) -> list[DirectUse]:
    tags = tagged_objects(files)
    found: list[DirectUse] = []

    def check(spec_file: SpecFile, line: int, owner: str, member: str, text: Any) -> None:
        if not isinstance(text, str):  # `{const: ...}` alternatives
            return
        for name in typeexpr.parse(text).names():
            if name in tags:
                found.append(DirectUse(spec_file.path, line, owner, member, name, tags[name]))

    for spec_file in files:
        for owner, body in spec_file.types.items():
            for field_name, member in body.get("fields", {}).items():
                if "type" in member:
                    line = body["fields"].key_lines[field_name]
                    check(spec_file, line, owner, field_name, member["type"])
            alternatives = body.get("one_of", [])
            for index, alternative in enumerate(alternatives):
                check(spec_file, alternatives.item_lines[index], owner, "one_of", alternative)
    return found


@pytest.fixture(scope="module")
def spec_files() -> list[SpecFile]:
    return load_spec_dir(ROOT / "spec", base=ROOT)


def test_tagged_objects_are_used_only_through_tagged_unions(spec_files: list[SpecFile]) -> None:
    offending = [use for use in direct_uses(spec_files) if (use.owner, use.member) not in ALLOWED]
    assert not offending, "\n".join(str(use) for use in offending)


def test_every_allowed_direct_use_still_exists_and_says_why(spec_files: list[SpecFile]) -> None:
    present = {(use.owner, use.member) for use in direct_uses(spec_files)}
    assert set(ALLOWED) <= present, f"stale ALLOWED entries: {sorted(set(ALLOWED) - present)}"
    assert all(len(reason.split()) >= 5 for reason in ALLOWED.values())


def test_the_rule_sees_fields_list_items_map_values_and_alternatives(tmp_path: Path) -> None:
    source = tmp_path / "mini.yaml"
    source.write_text(
        """\
Marker:
  fields:
    type: {const: ephemeral}
Variant:
  fields:
    kind: {const: first}
Holder:
  fields:
    direct: {type: Marker}
    items: {type: "list[Marker]"}
    values: {type: "map[Variant]"}
    through_union: {type: VariantUnion}
VariantUnion:
  union: {tag: kind}
  variants: [Variant]
Either:
  one_of: [string, Marker]
""",
        encoding="utf-8",
    )
    uses = direct_uses([load_spec_file(source, "mini.yaml")])
    assert [(u.owner, u.member, u.target, u.tag, u.line) for u in uses] == [
        ("Holder", "direct", "Marker", "type=ephemeral", 9),
        ("Holder", "items", "Marker", "type=ephemeral", 10),
        ("Holder", "values", "Variant", "kind=first", 11),
        ("Either", "one_of", "Marker", "type=ephemeral", 17),
    ]
    assert str(uses[0]).startswith("mini.yaml:9: Holder.direct refers to Marker (type=ephemeral)")
