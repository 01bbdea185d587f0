"""`codegen diff`: one base/revision pair per rule (id, level, direction, path, breaks), the
claims about decoding checked on generated packages, output formats, the CLI's exit codes and
ignore file, and the project's own spec history."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from codegen import cli, diff_report, diff_rules, pipeline, spec_diff
from codegen.errors import SpecError
from tests.support import ROOT, import_generated

REQUEST = """\
Request:
  description: A request.
  root: request
  fields:
    model: {type: string}
    temperature: {type: number, optional: true}
    metadata: {type: Metadata, optional: true}
    mode: {type: Mode, optional: true}
    level: {type: Level, optional: true}
    input: {type: "list[InputBlock]"}
    prompt: {type: string, optional: true}
    extras: {type: Extras, optional: true}
    count: {type: integer, optional: true, default: 1}
Metadata:
  fields:
    user_id: {type: string, optional: true, nullable: true}
Extras:
  fields:
    note: {type: string}
Mode:
  open: false
  enum: [fast, slow]
Level:
  enum: [low, high]
InputBlock:
  union: {tag: type}
  variants: [InputText, InputImage]
InputText:
  fields:
    type: {const: text}
    text: {type: string}
InputImage:
  fields:
    type: {const: [image, picture]}
    url: {type: string}
InputImage2:
  fields:
    type: {const: image}
    href: {type: string}
"""

RESPONSE = """\
Reply:
  description: A reply.
  root: response
  fields:
    id: {type: string}
    stop_reason: {type: StopReason}
    content: {type: "list[OutputBlock]"}
    usage: {type: Usage}
    payload: {type: Payload, optional: true}
    role: {type: Role, optional: true}
Role:
  open: false
  enum: [assistant]
StopReason:
  enum: [end_turn, max_tokens]
Usage:
  fields:
    input_tokens: {type: integer}
    output_tokens: {type: integer, optional: true}
    server_tokens: {type: integer, optional: true, beta: srv-2025-01-01}
    old_tokens: {type: integer, optional: true, deprecated: true}
OutputBlock:
  union: {tag: type}
  variants: [OutputText, OutputToolUse]
OutputText:
  fields:
    type: {const: text}
    text: {type: string}
OutputToolUse:
  fields:
    type: {const: tool_use}
    name: {type: string}
Payload:
  one_of: [string, "list[OutputText]"]
Spare:
  fields:
    unused: {type: string}
"""

BASE = {"request.yaml": REQUEST, "response.yaml": RESPONSE}
Edit = tuple[str, str, str]  # file, old text, new text

_checked: dict[tuple[tuple[str, str], ...], spec_diff.Side] = {}


def write_spec(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def edited(edits: list[Edit], files: dict[str, str] = BASE) -> dict[str, str]:
    result = dict(files)
    for file, old, new in edits:
        assert result[file].count(old) == 1, f"{old!r} is not in {file} exactly once"
        result[file] = result[file].replace(old, new)
    return result


def side(tmp_path: Path, files: dict[str, str]) -> spec_diff.Side:
    key = tuple(sorted(files.items()))
    if key not in _checked:
        folder = write_spec(tmp_path / f"spec{len(list(tmp_path.iterdir()))}", files)
        _checked[key] = spec_diff.Side(*pipeline.check_spec(folder))
    return _checked[key]


def changes_for(
    tmp_path: Path,
    edits: list[Edit],
    *,
    reverse: bool | list[Edit] = False,
    ignore_beta: bool = False,
) -> list[spec_diff.Change]:
    """The changes from BASE to BASE with `edits`; `reverse` swaps the sides, or is a list of
    edits that make the old side instead of BASE."""
    base = edited(reverse) if isinstance(reverse, list) else BASE
    old, new = side(tmp_path, base), side(tmp_path, edited(edits))
    if reverse is True:
        old, new = new, old
    return spec_diff.diff(old, new, ignore_beta=ignore_beta).changes


REQ, RESP = "request.yaml", "response.yaml"
S, L, D, P, C = (
    "strict-decoders",
    "lenient-decoders",
    "deployed-decoders",
    "python-api",
    "api-clients",
)

# (rule kind, edits, reverse, expected id, level, direction, path, breaks)
CASES: list[tuple[str, list[Edit], bool | list[Edit], str, str, str, str, tuple[str, ...]]] = [
    ("type-added", [(RESP, "Spare:", "Spare2:\n  fields: {a: {type: string}}\nSpare:")], False,
     "type-added", "info", "unreachable", "Spare2", ()),
    ("type-removed", [(RESP, "Spare:\n  fields:\n    unused: {type: string}\n", "")], False,
     "type-removed", "warning", "unreachable", "Spare", (P,)),
    ("type-renamed",
     [(REQ, "Metadata:\n  fields", "Meta:\n  fields"), (REQ, "type: Metadata,", "type: Meta,")],
     False, "type-renamed", "warning", "request", "Meta", (P,)),
    ("type-kind-changed",
     [(REQ, 'Extras:\n  fields:\n    note: {type: string}', 'Extras:\n  one_of: [string, "list[string]"]')],
     False, "type-kind-changed", "error", "request", "Extras", (S, L, D, P, C)),
    ("optional-field-added",
     [(RESP, "    input_tokens: {type: integer}\n", "    input_tokens: {type: integer}\n    cached: {type: integer, optional: true}\n")],
     False, "optional-field-added", "info", "response", "Usage.fields.cached", ()),
    ("required-field-added",
     [(REQ, "    user_id:", "    team: {type: string}\n    user_id:")],
     False, "request-required-field-added", "error", "request", "Metadata.fields.team", (S, L, P, C)),
    ("required-field-added",
     [(RESP, "    input_tokens: {type: integer}\n", "    input_tokens: {type: integer}\n    cached: {type: integer}\n")],
     False, "response-required-field-added", "warning", "response", "Usage.fields.cached", (S, L, P)),
    ("optional-field-removed", [(REQ, "    temperature: {type: number, optional: true}\n", "")],
     False, "request-optional-field-removed", "error", "request", "Request.fields.temperature", (S, P, C)),
    ("required-field-removed", [(RESP, "    id: {type: string}\n", "")],
     False, "required-field-removed", "error", "response", "Reply.fields.id", (S, D, P, C)),
    ("field-became-optional",
     [(RESP, "stop_reason: {type: StopReason}", "stop_reason: {type: StopReason, optional: true}")],
     False, "response-field-became-optional", "error", "response", "Reply.fields.stop_reason", (D, P, C)),
    ("field-became-optional",
     [(REQ, "model: {type: string}", "model: {type: string, optional: true}")],
     False, "request-field-became-optional", "warning", "request", "Request.fields.model", (D, P)),
    ("field-became-required",
     [(REQ, "temperature: {type: number, optional: true}", "temperature: {type: number}")],
     False, "request-field-became-required", "error", "request", "Request.fields.temperature", (S, L, P, C)),
    ("field-became-nullable",
     [(RESP, "stop_reason: {type: StopReason}", "stop_reason: {type: StopReason, nullable: true}")],
     False, "response-field-became-nullable", "error", "response", "Reply.fields.stop_reason", (D, P, C)),
    ("field-became-non-nullable",
     [(REQ, "user_id: {type: string, optional: true, nullable: true}", "user_id: {type: string, optional: true}")],
     False, "request-field-became-non-nullable", "error", "request", "Metadata.fields.user_id", (S, L, P, C)),
    ("field-type-widened",
     [(REQ, "prompt: {type: string, optional: true}", "prompt: {type: Prompt, optional: true}"),
      (REQ, "Metadata:\n", 'Prompt:\n  one_of: [string, "list[InputText]"]\nMetadata:\n')],
     False, "request-field-type-widened", "warning", "request", "Request.fields.prompt", (D, P)),
    ("field-type-widened",
     [(REQ, "extras: {type: Extras, optional: true}", 'extras: {type: "map[any]", optional: true}')],
     False, "request-field-type-widened", "warning", "request", "Request.fields.extras", (D, P)),
    ("alternative-widened",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[OutputBlock]"]')],
     False, "response-alternative-widened", "error", "response", "Payload.one_of.array", (D, P, C)),
    ("field-type-narrowed",
     [(REQ, "temperature: {type: number, optional: true}", "temperature: {type: integer, optional: true}")],
     False, "request-field-type-narrowed", "error", "request", "Request.fields.temperature", (S, L, P, C)),
    ("field-type-changed",
     [(RESP, "input_tokens: {type: integer}", "input_tokens: {type: string}")],
     False, "field-type-changed", "error", "response", "Usage.fields.input_tokens", (S, L, D, P, C)),
    ("annotation-changed",
     [(REQ, "variants: [InputText, InputImage]", "variants: [InputText]"),
      (REQ, 'input: {type: "list[InputBlock]"}', 'input: {type: "list[InputBlock]"}\n    first: {type: InputText, optional: true}'),
      (REQ, "Metadata:\n", "Metadata:\n")],
     [(REQ, "variants: [InputText, InputImage]", "variants: [InputText]"),
      (REQ, 'input: {type: "list[InputBlock]"}', 'input: {type: "list[InputBlock]"}\n    first: {type: InputBlock, optional: true}')],
     "annotation-changed", "warning", "request", "Request.fields.first", (P,)),
    ("field-python-name-changed",
     [(REQ, "model: {type: string}", "model: {type: string, python_name: model_name}")],
     False, "field-python-name-changed", "warning", "request", "Request.fields.model", (P,)),
    ("field-default-changed",
     [(REQ, "default: 1}", "default: 2}")],
     False, "request-field-default-changed", "error", "request", "Request.fields.count", (C,)),
    ("field-default-added",
     [(REQ, "temperature: {type: number, optional: true}", "temperature: {type: number, optional: true, default: 1.0}")],
     False, "field-default-added", "info", "request", "Request.fields.temperature", ()),
    ("field-default-removed",
     [(REQ, ", default: 1}", "}")],
     False, "field-default-removed", "info", "request", "Request.fields.count", ()),
    ("enum-value-added", [(RESP, "enum: [end_turn, max_tokens]", "enum: [end_turn, max_tokens, refusal]")],
     False, "enum-value-added", "info", "response", "StopReason.enum.refusal", ()),
    ("closed-enum-value-added", [(REQ, "enum: [fast, slow]", "enum: [fast, slow, turbo]")],
     False, "request-closed-enum-value-added", "warning", "request", "Mode.enum.turbo", (D,)),
    ("closed-enum-value-added", [(RESP, "enum: [assistant]", "enum: [assistant, user]")],
     False, "response-closed-enum-value-added", "error", "response", "Role.enum.user", (D, C)),
    ("enum-value-removed", [(REQ, "enum: [low, high]", "enum: [low]")],
     False, "request-enum-value-removed", "error", "request", "Level.enum.high", (S, P, C)),
    ("closed-enum-value-removed", [(REQ, "enum: [fast, slow]", "enum: [fast]")],
     False, "request-closed-enum-value-removed", "error", "request", "Mode.enum.slow", (S, L, P, C)),
    ("enum-opened", [(REQ, "  open: false\n", "")],
     False, "enum-opened", "warning", "request", "Mode", (P,)),
    ("enum-closed", [(REQ, "Level:\n", "Level:\n  open: false\n")],
     False, "request-enum-closed", "error", "request", "Level", (L, P, C)),
    ("variant-added",
     [(RESP, "variants: [OutputText, OutputToolUse]", "variants: [OutputText, OutputToolUse, OutputImage]"),
      (RESP, "Payload:", "OutputImage:\n  fields:\n    type: {const: image}\nPayload:")],
     False, "variant-added", "info", "response", "OutputBlock.variants.image", ()),
    ("variant-removed", [(REQ, "variants: [InputText, InputImage]", "variants: [InputText]")],
     False, "request-variant-removed", "error", "request", "InputBlock.variants.image", (S, C)),
    ("variant-tag-spelling-added", [(RESP, "    type: {const: text}\n    text: {type: string}", "    type: {const: [text, plain_text]}\n    text: {type: string}")],
     False, "variant-tag-spelling-added", "info", "response", "OutputBlock.variants.plain_text", ()),
    ("variant-tag-spelling-removed", [(REQ, "type: {const: [image, picture]}", "type: {const: image}")],
     False, "request-variant-tag-spelling-removed", "error", "request", "InputBlock.variants.picture", (S, C)),
    ("variant-type-changed", [(REQ, "variants: [InputText, InputImage]", "variants: [InputText, InputImage2]")],
     False, "variant-type-changed", "error", "request", "InputBlock.variants.image", (S, L, D, P, C)),
    ("union-tag-changed",
     [(RESP, "OutputBlock:\n  union: {tag: type}", "OutputBlock:\n  union: {tag: kind}"),
      (RESP, "    type: {const: text}\n    text: {type: string}", "    kind: {const: text}\n    text: {type: string}"),
      (RESP, "type: {const: tool_use}", "kind: {const: tool_use}")],
     False, "union-tag-changed", "error", "response", "OutputBlock.union", (S, L, D, P, C)),
    ("union-default-added",
     [(REQ, "InputBlock:\n  union: {tag: type}", "InputBlock:\n  union: {tag: type, default: InputText}"),
      (REQ, "    type: {const: text}", "    type: {const: text, optional: true}")],
     False, "request-union-default-added", "warning", "request", "InputBlock.union", (D,)),
    ("union-default-removed",
     [(REQ, "InputBlock:\n  union: {tag: type}", "InputBlock:\n  union: {tag: type, default: InputText}"),
      (REQ, "    type: {const: text}", "    type: {const: text, optional: true}")],
     True, "request-union-default-removed", "error", "request", "InputBlock.union", (S, L, C)),
    ("union-default-changed",
     [(REQ, "InputBlock:\n  union: {tag: type}", "InputBlock:\n  union: {tag: type, default: InputImage}"),
      (REQ, "type: {const: [image, picture]}", "type: {const: [image, picture], optional: true}")],
     [(REQ, "InputBlock:\n  union: {tag: type}", "InputBlock:\n  union: {tag: type, default: InputText}"),
      (REQ, "    type: {const: text}", "    type: {const: text, optional: true}")], "union-default-changed", "error", "request", "InputBlock.union", (S, L, D, C)),
    ("alternative-added",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[OutputText]", "map[string]"]')],
     False, "response-alternative-added", "error", "response", "Payload.one_of.object", (D, C)),
    ("alternative-removed",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[OutputText]", "map[string]"]')],
     True, "response-alternative-removed", "warning", "response", "Payload.one_of.object", (S, L)),
    ("alternative-widened",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[any]"]')],
     False, "response-alternative-widened", "error", "response", "Payload.one_of.array", (D, P, C)),
    ("alternative-narrowed",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[any]"]')],
     True, "response-alternative-narrowed", "warning", "response", "Payload.one_of.array", (S, L, P)),
    ("alternative-changed",
     [(RESP, 'one_of: [string, "list[OutputText]"]', 'one_of: [string, "list[integer]"]')],
     False, "alternative-changed", "error", "response", "Payload.one_of.array", (S, L, D, P, C)),
    ("became-deprecated", [(REQ, "enum: [low, high]", "enum: [low, {value: high, deprecated: true}]")],
     False, "became-deprecated", "info", "request", "Level.enum.high", ()),
    ("no-longer-deprecated", [(RESP, "old_tokens: {type: integer, optional: true, deprecated: true}", "old_tokens: {type: integer, optional: true}")],
     False, "no-longer-deprecated", "info", "response", "Usage.fields.old_tokens", ()),
    ("stability-decreased", [(REQ, "temperature: {type: number, optional: true}", "temperature: {type: number, optional: true, beta: t-2025-01-01}")],
     False, "stability-decreased", "info", "request", "Request.fields.temperature", ()),
    ("stability-increased", [(RESP, "server_tokens: {type: integer, optional: true, beta: srv-2025-01-01}", "server_tokens: {type: integer, optional: true}")],
     False, "stability-increased", "info", "response", "Usage.fields.server_tokens", ()),
    ("beta-header-changed", [(RESP, "beta: srv-2025-01-01", "beta: srv-2025-06-01")],
     False, "beta-header-changed", "warning", "response", "Usage.fields.server_tokens", (C,)),
    ("beta-header-added", [(RESP, "beta: srv-2025-01-01", "beta: [srv-2025-06-01, srv-2025-01-01]")],
     False, "beta-header-added", "info", "response", "Usage.fields.server_tokens", ()),
]  # fmt: skip


@pytest.mark.parametrize(
    "kind, edits, reverse, rule_id, level, direction, path, breaks",
    CASES,
    ids=[f"{case[3]}-{index}" for index, case in enumerate(CASES)],
)
def test_rule(
    tmp_path: Path,
    kind: str,
    edits: list[Edit],
    reverse: bool | list[Edit],
    rule_id: str,
    level: str,
    direction: str,
    path: str,
    breaks: tuple[str, ...],
) -> None:
    changes = changes_for(tmp_path, edits, reverse=reverse)
    found = [c for c in changes if c.rule_id == rule_id and c.path == path]
    assert found, "\n".join(f"{c.rule_id} {c.path}" for c in changes)
    change = found[0]
    assert (change.kind, change.level, change.direction, change.breaks) == (
        kind,
        level,
        direction,
        breaks,
    )
    assert change.message and "{" not in change.message


def test_every_rule_has_a_case() -> None:
    assert {case[0] for case in CASES} | {"variant-type-changed"} == set(diff_rules.RULES)


def test_a_rename_is_one_change_wherever_the_type_is_used(tmp_path: Path) -> None:
    # OutputText is used by a union variant and inside a one_of alternative.
    edits: list[Edit] = [
        (RESP, "OutputText:\n  fields", "TextOutput:\n  fields"),
        (RESP, "variants: [OutputText,", "variants: [TextOutput,"),
        (RESP, '"list[OutputText]"', '"list[TextOutput]"'),
    ]
    changes = changes_for(tmp_path, edits)
    assert [(c.rule_id, c.path, c.before, c.after) for c in changes] == [
        ("type-renamed", "TextOutput", "OutputText", "TextOutput")
    ]
    assert changes[0].message == (
        "the type OutputText was renamed to TextOutput (the wire format is unchanged)"
    )


def test_a_tag_spelling_is_not_reported_again_as_a_field_change(tmp_path: Path) -> None:
    edits: list[Edit] = [(REQ, "type: {const: [image, picture]}", "type: {const: image}")]
    assert [c.rule_id for c in changes_for(tmp_path, edits)] == [
        "request-variant-tag-spelling-removed"
    ]


def test_stable_element_turning_beta_is_a_removal_for_stable_callers(tmp_path: Path) -> None:
    edits: list[Edit] = [
        (
            REQ,
            "temperature: {type: number, optional: true}",
            "temperature: {type: number, optional: true, beta: t-2025-01-01}",
        )
    ]
    changes = changes_for(tmp_path, edits)
    by_id = {c.rule_id: c for c in changes}
    assert set(by_id) == {"stability-decreased", "request-optional-field-removed"}
    removal = by_id["request-optional-field-removed"]
    assert (removal.channel, removal.level, removal.breaks) == ("stable", "error", (C,))


def test_beta_only_changes_are_quieter_or_left_out(tmp_path: Path) -> None:
    edits: list[Edit] = [(RESP, "beta: srv-2025-01-01}", "beta: srv-2025-01-01, nullable: true}")]
    (change,) = changes_for(tmp_path, edits)
    # A response field becoming nullable is an error for stable elements.
    assert (change.rule_id, change.channel, change.level) == (
        "response-field-became-nullable",
        "beta",
        "warning",
    )
    assert changes_for(tmp_path, edits, ignore_beta=True) == []


def test_no_roots_means_both_directions_and_one_note(tmp_path: Path) -> None:
    files = {name: text.replace("  root: request\n", "").replace("  root: response\n", "")
             for name, text in BASE.items()}  # fmt: skip
    old = side(tmp_path, files)
    new = side(
        tmp_path, edited([(RESP, "enum: [end_turn, max_tokens]", "enum: [end_turn]")], files)
    )
    report = spec_diff.diff(old, new)
    assert [(c.rule_id, c.direction) for c in report.changes] == [
        ("both-enum-value-removed", "both")
    ]
    assert report.notes.count(diff_rules.NO_ROOTS_NOTE) == 1


def test_no_base_is_everything_added(tmp_path: Path) -> None:
    report = spec_diff.diff(None, side(tmp_path, BASE))
    assert {c.rule_id for c in report.changes} == {"type-added"}
    assert len(report.changes) == len(side(tmp_path, BASE).spec.definitions)


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    edit: Edit = (RESP, "enum: [end_turn, max_tokens]", "enum: [end_turn, max_tokens, refusal]")
    first = changes_for(tmp_path, [edit])
    moved = changes_for(tmp_path, [edit, (RESP, "Reply:\n", "# a comment\n\nReply:\n")])
    assert [c.new_place for c in first] != [c.new_place for c in moved]
    assert [diff_report.fingerprint(c) for c in first] == [
        diff_report.fingerprint(c) for c in moved
    ]


# --- decoding oracles: the `breaks` claims, checked on generated packages -------------------------


def generated(tmp_path: Path, files: dict[str, str], alias: str) -> ModuleType:
    spec = write_spec(tmp_path / alias / "spec", files)
    outputs = pipeline.generate_files(spec)
    for name, content in outputs.items():
        target = tmp_path / alias / "out" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return import_generated(tmp_path / alias / "out" / "anthropic_messages", alias)


def accepts(package: ModuleType, type_name: str, body: object, strict: bool) -> bool:
    try:
        package.decode(getattr(package, type_name), body, strict=strict)
    except package.DecodeError:
        return False
    return True


ORACLE_REPLY = {"id": "r", "stop_reason": "end_turn", "content": [], "usage": {"input_tokens": 1}}


def check_decoder_claims(
    old: ModuleType, new: ModuleType, type_name: str, old_body: object, new_body: object
) -> set[str]:
    """Which decoder audiences really break: the new package on a body the old spec allows,
    and the old package (lenient) on a body the new spec allows."""
    assert accepts(old, type_name, old_body, strict=True)
    assert accepts(new, type_name, new_body, strict=True)
    broken = set()
    if not accepts(new, type_name, old_body, strict=True):
        broken.add(S)
    if not accepts(new, type_name, old_body, strict=False):
        broken.add(L)
    if not accepts(old, type_name, new_body, strict=False):
        broken.add(D)
    return broken


ORACLES = [
    # (edits, root type, a body the old spec allows, a body the new spec allows)
    (
        [(RESP, "stop_reason: {type: StopReason}", "stop_reason: {type: StopReason, optional: true}")],
        "Reply", ORACLE_REPLY, {k: v for k, v in ORACLE_REPLY.items() if k != "stop_reason"},
    ),
    (
        [(REQ, "enum: [low, high]", "enum: [low]")],
        "Request", {"model": "m", "input": [], "level": "high"}, {"model": "m", "input": [], "level": "low"},
    ),
    (
        [(REQ, "enum: [fast, slow]", "enum: [fast]")],
        "Request", {"model": "m", "input": [], "mode": "slow"}, {"model": "m", "input": [], "mode": "fast"},
    ),
    (
        [(REQ, "prompt: {type: string, optional: true}", "prompt: {type: Prompt, optional: true}"),
         (REQ, "Metadata:\n", 'Prompt:\n  one_of: [string, "list[InputText]"]\nMetadata:\n')],
        "Request", {"model": "m", "input": [], "prompt": "hi"},
        {"model": "m", "input": [], "prompt": [{"type": "text", "text": "hi"}]},
    ),
    (
        [(REQ, "variants: [InputText, InputImage]", "variants: [InputText]")],
        "Request", {"model": "m", "input": [{"type": "image", "url": "u"}]}, {"model": "m", "input": []},
    ),
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(ORACLES)))
def test_decoding_claims_hold_on_generated_packages(tmp_path: Path, index: int) -> None:
    edits, type_name, old_body, new_body = ORACLES[index]
    (change,) = [c for c in changes_for(tmp_path, edits) if c.kind != "type-added"]
    old = generated(tmp_path, BASE, f"diff_oracle_old_{index}")
    new = generated(tmp_path, edited(edits), f"diff_oracle_new_{index}")
    claimed = {a for a in change.breaks if a in (S, L, D)}
    assert check_decoder_claims(old, new, type_name, old_body, new_body) == claimed


def test_a_renamed_type_decodes_the_same_body(tmp_path: Path) -> None:
    edits: list[Edit] = [
        (RESP, "OutputText:\n  fields", "TextOutput:\n  fields"),
        (RESP, "variants: [OutputText,", "variants: [TextOutput,"),
        (RESP, '"list[OutputText]"', '"list[TextOutput]"'),
    ]
    old = generated(tmp_path, BASE, "diff_rename_old")
    new = generated(tmp_path, edited(edits), "diff_rename_new")
    body = {**ORACLE_REPLY, "content": [{"type": "text", "text": "x"}], "payload": [{"type": "text", "text": "y"}]}  # fmt: skip
    decoded_old = old.decode(old.Reply, body, strict=True)
    decoded_new = new.decode(new.Reply, body, strict=True)
    assert old.encode(decoded_old) == new.encode(decoded_new) == body
    assert type(decoded_new.content[0]).__name__ == "TextOutput"  # what the Python API sees


# --- formats and the command line -----------------------------------------------------------------

SNAPSHOTS = ROOT / "tests" / "diff_snapshots"


def test_snapshots_are_what_the_tool_prints() -> None:
    from tests import diff_snapshots

    for name, text in diff_snapshots.outputs().items():
        assert (SNAPSHOTS / "expected" / name).read_text(
            encoding="utf-8"
        ) == text, f"{name} differs: run `make diff-snapshots` after an intended change"


def test_rule_docs_are_up_to_date() -> None:
    assert (ROOT / "docs" / "diff-rules.md").read_text(
        encoding="utf-8"
    ) == diff_rules.catalogue_markdown(), "run `make diff-rules-doc`"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_diff(*args: str, cwd: Path = ROOT) -> Ran:
    """`codegen diff` with these arguments, run in this process from `cwd`."""
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["diff", *args])
    finally:
        os.chdir(before)
    return Ran(code, out.getvalue(), err.getvalue())


def test_cli_exit_codes_formats_and_ignore_file(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old" / "spec", BASE)
    new = write_spec(
        tmp_path / "new" / "spec",
        edited([(RESP, "stop_reason: {type: StopReason}", "stop_reason: {type: StopReason, optional: true}")]),  # fmt: skip
    )
    same = run_diff("--spec", str(old), "--against", str(old), "--fail-on", "warning")
    assert (same.returncode, same.stdout) == (0, "no change to the wire format or the Python API\n")
    result = run_diff("--spec", str(new), "--against", str(old), "--format", "json")
    assert result.returncode == 0, result.stderr
    (change,) = json.loads(result.stdout)["changes"]
    assert change["id"] == "response-field-became-optional"
    assert change["location"]["after"] == {"file": str(new / "response.yaml"), "line": 6}
    failing = run_diff("--spec", str(new), "--against", str(old), "--fail-on", "error")
    assert failing.returncode == 1
    ignore = tmp_path / "accepted.txt"
    ignore.write_text(
        "# accepted\nresponse-field-became-optional  Reply.fields.*  the API never sent it\n"
    )
    ignored = run_diff(
        "--spec", str(new), "--against", str(old), "--fail-on", "error", "--ignore", str(ignore)
    )
    assert ignored.returncode == 0 and ignored.stdout.startswith("no change"), ignored.stdout
    ignore.write_text("response-field-became-optional  Reply.fields.*\n")
    bad_ignore = run_diff("--spec", str(new), "--against", str(old), "--ignore", str(ignore))
    assert bad_ignore.returncode == 2 and f"{ignore}:1:" in bad_ignore.stderr


def test_cli_prints_the_problems_of_either_side_and_exits_2(tmp_path: Path) -> None:
    good = write_spec(tmp_path / "good" / "spec", BASE)
    bad = write_spec(
        tmp_path / "bad" / "spec", edited([(RESP, "type: StopReason}", "type: StopReasn}")])
    )
    for spec, against in ((bad, good), (good, bad)):
        result = run_diff("--spec", str(spec), "--against", str(against))
        assert result.returncode == 2
        assert f"{bad / 'response.yaml'}:6: Reply.fields.stop_reason: " in result.stderr
        assert "'StopReasn' is not defined" in result.stderr


def test_cli_reads_git_revisions_and_a_first_commit_has_everything_added(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_spec(repo / "spec", BASE)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    first = run_diff("--spec", "spec", "--base", "HEAD^", "--format", "json", cwd=repo)
    assert first.returncode == 0, first.stderr
    assert {c["id"] for c in json.loads(first.stdout)["changes"]} == {"type-added"}
    response = repo / "spec" / "response.yaml"
    response.write_text(response.read_text().replace("    id: {type: string}\n", ""))
    removed = run_diff("--spec", "spec", "--fail-on", "error", "--format", "github", cwd=repo)
    assert removed.returncode == 1
    assert removed.stdout == (
        f"::notice::{diff_rules.DEPLOYED_STRICT_NOTE}\n"
        "::error file=spec/response.yaml,line=1,title=required-field-removed::the "
        "required response field `id` was removed from Reply (breaks strict-decoders, "
        "deployed-decoders, python-api, api-clients)\n"
    )
    unknown = run_diff("--spec", "spec", "--base", "no-such-revision", cwd=repo)
    assert unknown.returncode == 2 and "no-such-revision" in unknown.stderr


# --- the project's own history --------------------------------------------------------------------


# Keys of the spec language that an early revision used and this generator no longer reads,
# with what replaced them: those revisions cannot be diffed with today's generator.
RETIRED_KEYS = {
    "event_stream": "a union header's flag, replaced by the stream section's `events` (5bdeff2)",
}


def _retired_key(problem: str) -> bool:
    return any(f"unknown key '{key}'" in problem for key in RETIRED_KEYS)


def test_the_projects_spec_history_diffs_commit_by_commit(tmp_path: Path) -> None:
    git = ["git", "-C", str(ROOT)]
    log = subprocess.run(
        [*git, "log", "--format=%H", "--first-parent", "--", "spec/"],
        capture_output=True,
        text=True,
        check=True,
    )
    commits = list(reversed(log.stdout.split()))
    if not commits:
        pytest.skip("no git history here")
    roots = pipeline.check_spec(ROOT / "spec")[0].roots
    sides: dict[str, spec_diff.Side | None] = {}
    retired: list[str] = []  # revisions written with a spec-language key since retired

    def at(revision: str) -> spec_diff.Side | None:
        if revision not in sides:
            folder = pipeline.spec_at_revision(ROOT / "spec", revision, tmp_path / revision)
            try:
                sides[revision] = spec_diff.Side(*pipeline.check_spec(folder)) if folder else None
            except SpecError as error:
                if not all(_retired_key(str(problem)) for problem in error.problems):
                    raise
                retired.append(revision)
                sides[revision] = None
        return sides[revision]

    reports = {}
    previous: str = commits[0] + "^"
    for commit in commits:
        new = at(commit)
        if new is not None and (previous not in retired):
            reports[commit] = spec_diff.diff(at(previous), new, default_roots=roots)
        previous = commit
    assert at(commits[-1]) is not None  # the newest spec is read by this generator
    assert len(retired) <= len(RETIRED_KEYS) * 8, retired  # a retired key lived a short while
    assert any(report.changes for report in reports.values())
    by_short = {commit[:7]: report for commit, report in reports.items()}
    if "6a20223" in by_short:
        # Made stop_reason and stop_sequence optional: what deployed packages reject.
        found = {(c.rule_id, c.path, c.level) for c in by_short["6a20223"].changes}
        assert ("response-field-became-optional", "Message.fields.stop_reason", "error") in found


def test_the_readme_sample_is_what_the_tool_prints(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = readme.split("<blockquote>\n\n", 1)[1].split("\n</blockquote>", 1)[0]
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", "6a20223^{commit}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.skip("the commit of the README sample is not in this clone")
    result = run_diff("--base", "6a20223^", "--head", "6a20223", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    printed = result.stdout.replace("\n### ", "\n#### ").replace("## Spec diff", "### Spec diff", 1)
    assert sample == printed


def test_roots_are_checked(tmp_path: Path) -> None:
    abstract = edited([(REQ, "Extras:\n  fields:", "Extras:\n  abstract: true\n  root: request\n  fields:"),
                       (REQ, "    extras: {type: Extras, optional: true}\n", "")])  # fmt: skip
    with pytest.raises(SpecError) as caught:
        pipeline.check_spec(write_spec(tmp_path / "abstract", abstract))
    assert "Extras.root: Extras is abstract, so no body is ever decoded as it" in str(caught.value)
    unknown = edited([(REQ, "  root: request", "  root: both")])
    with pytest.raises(SpecError) as caught:
        pipeline.check_spec(write_spec(tmp_path / "unknown", unknown))
    assert "request.yaml:3: Request.root: " in str(caught.value)
