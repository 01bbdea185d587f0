"""The stable channel (`codegen generate --channel stable`): a package with no beta element at
all, for users who must not depend on beta surface, tested like the main package.

The kitchen-sink fixture's stable output is a golden (tests/test_goldens.py) and passes mypy
--strict (tests/test_typecheck.py); here the real spec's stable package is generated, checked
against the spec element by element, type-checked, and fed every recorded stable payload.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from codegen import channels, load, spec_model, validate, write
from codegen.pipeline import generate_files
from codegen.spec_model import EnumType, ObjectType, TaggedUnion
from tests.support import FIXTURES, PAYLOADS, ROOT, import_generated
from tests.test_payloads import ROOTS, STABLE, STRICT_REJECTS, items_of, name_of

# The root type of each payload kind (tests/test_payloads.ROOTS), by name in the stable package.
ROOT_NAMES = {
    "request": "MessageCreateParams",
    "message": "Message",
    "stream": "MessageStreamEvent",
    "count_tokens": "MessageCountTokensParams",
    "tokens_count": "MessageTokensCount",
    "error": "ErrorResponse",
}


def checked_spec(spec_dir: Path) -> spec_model.Spec:
    return validate.validate(spec_model.build(load.load_spec_dir(spec_dir, base=ROOT)))


@pytest.fixture(scope="module")
def stable_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stable")
    subprocess.run(
        [sys.executable, "-m", "codegen", "generate", "--channel", "stable", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def stable(stable_dir: Path) -> ModuleType:
    return import_generated(stable_dir / "anthropic_messages", "anthropic_messages_stable")


def test_root_names_cover_every_payload_kind() -> None:
    assert set(ROOT_NAMES) == set(ROOTS)


def test_the_stable_view_drops_every_beta_element_of_the_kitchen_sink() -> None:
    full = checked_spec(FIXTURES / "kitchen_sink" / "spec")
    view = channels.stable_view(full)
    assert "SearchTool" in full.definitions and "SearchTool" not in view.definitions
    media = view.definitions["MediaType"]
    assert isinstance(media, EnumType)
    assert [v.value for v in media.values] == ["image/png", "image/jpeg"]
    request = view.definitions["Request"]
    assert isinstance(request, ObjectType)
    assert "effort" not in [f.wire_name for f in request.fields]
    tool = view.definitions["Tool"]
    assert isinstance(tool, TaggedUnion)
    assert "SearchTool" not in [v.type_name for v in tool.variants]
    assert channels.view(full, channels.BETA) is full
    with pytest.raises(ValueError, match="unknown channel 'nightly'"):
        channels.view(full, "nightly")


def test_the_stable_package_has_exactly_the_stable_elements(stable_dir: Path) -> None:
    """Each type, field and enum value of the stable package is one the real spec does not mark
    beta, and each stable one is there."""
    full = checked_spec(ROOT / "spec")
    beta_types = {d.name for d in full.types if d.docs.beta}
    assert beta_types, "the real spec has beta types; the check below would be empty otherwise"
    document = json.loads((stable_dir / "jsonschema" / "stable.json").read_text())
    defs = document["$defs"]
    assert "x-anthropic-beta" not in json.dumps(document)
    for definition in full.types:
        if definition.name in beta_types:
            assert definition.name not in defs
            continue
        if isinstance(definition, ObjectType) and not definition.abstract:
            expected = [
                f.wire_name
                for f in definition.fields
                if not f.docs.beta
                and not any(n in beta_types for n in (f.type.names() if f.type else []))
            ]
            assert list(defs[definition.name]["properties"]) == expected, definition.name
        elif isinstance(definition, EnumType):
            values = [v.value for v in definition.values if not v.docs.beta]
            assert defs[definition.name]["enum"] == values, definition.name
    # The committed main package's stable schema is the same document.
    committed = ROOT / "generated" / "jsonschema" / "stable.json"
    assert json.loads(committed.read_text()) == document


def test_the_stable_package_has_no_class_of_a_beta_type(stable: ModuleType) -> None:
    full = checked_spec(ROOT / "spec")
    exported = set(stable.__all__)
    for definition in full.types:
        if definition.docs.beta:
            assert definition.name not in exported
    # Beta elements are documented as such ("send `anthropic-beta: ...`"): no class says so.
    source = "".join(p.read_text() for p in Path(stable.__file__).parent.glob("*.py"))
    assert "Beta: send `anthropic-beta:" not in source
    classes = [getattr(stable, name) for name in exported]
    assert sum(isinstance(c, type) and dataclasses.is_dataclass(c) for c in classes) > 300


@pytest.mark.parametrize("path", STABLE, ids=name_of)
def test_every_recorded_stable_payload_decodes_strictly_and_round_trips(
    stable: ModuleType, path: Path
) -> None:
    _, items = items_of(path)
    root = getattr(stable, ROOT_NAMES[path.parent.name])
    for item in items:
        if name_of(path) in STRICT_REJECTS:
            with pytest.raises(stable.DecodeError) as raised:
                stable.decode(root, item, strict=True)
            assert raised.value.path == STRICT_REJECTS[name_of(path)]
            continue
        decoded = stable.decode(root, item, strict=True)
        assert json.dumps(stable.encode(decoded)) == json.dumps(item)


def test_a_beta_payload_keeps_its_beta_members_leniently_and_fails_strictly(
    stable: ModuleType,
) -> None:
    body = json.loads(
        (PAYLOADS / "beta" / "request" / "claude_code_0_2_107_main_turn_tools.json").read_text()
    )
    decoded = stable.decode(stable.MessageCreateParams, body)
    assert json.dumps(stable.encode(decoded)) == json.dumps(body)
    failures = 0
    for path in sorted((PAYLOADS / "beta" / "request").glob("*.json")):
        try:
            stable.decode(stable.MessageCreateParams, json.loads(path.read_text()), strict=True)
        except stable.DecodeError:
            failures += 1
    assert failures > 0  # beta bodies hold members the stable package does not know


def test_the_stable_package_passes_mypy_strict(
    stable_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_typecheck import run_mypy

    monkeypatch.chdir(stable_dir)
    status, errors = run_mypy(Path("anthropic_messages"))
    assert errors == [] and status == 0


def test_a_union_whose_variants_are_all_beta_keeps_every_value_as_unknown(tmp_path: Path) -> None:
    """The stable field stays; with no variant left its union keeps each value as received
    (lenient) and rejects it (strict), saying there is no known variant."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "blocks.yaml").write_text(
        "Holder:\n"
        "  description: Holds a block.\n"
        "  fields:\n"
        "    block: {type: Block}\n"
        "Block:\n"
        "  description: Any block.\n"
        "  union: {tag: type}\n"
        "  variants: [SearchBlock]\n"
        "SearchBlock:\n"
        "  description: A search block.\n"
        "  beta: search-2099-01-01\n"
        "  fields:\n"
        "    type: {const: search}\n"
    )
    write.write(generate_files(spec, channel=channels.STABLE), tmp_path / "out")
    package = import_generated(tmp_path / "out" / "anthropic_messages", "all_beta_union")
    body = {"block": {"type": "search", "q": 1}}
    holder = package.decode(package.Holder, body)
    assert type(holder.block).__name__ == "UnknownBlock" and package.encode(holder) == body
    with pytest.raises(package.DecodeError) as raised:
        package.decode(package.Holder, body, strict=True)
    assert str(raised.value) == (
        '$.block.type: expected a value of a known variant (there is none), found the string "search"'
    )


@pytest.mark.parametrize("path", sorted((PAYLOADS / "stream").glob("*.json")), ids=lambda p: p.name)
def test_the_stable_accumulator_folds_stable_streams_as_the_full_one_does(
    stable: ModuleType, path: Path
) -> None:
    """The stream section's rules for beta deltas, blocks and usage members are left out of
    the stable build; on stable streams it folds what the full package folds."""
    import anthropic_messages as full

    events = json.loads(path.read_text(encoding="utf-8"))
    ours, theirs = stable.MessageAccumulator(), full.MessageAccumulator()
    for data in events:
        ours.feed(stable.decode(stable.MessageStreamEvent, data, strict=True))
        theirs.feed(full.decode(full.MessageStreamEvent, data))
    assert ours.skipped == [] and ours.done == theirs.done
    expected = None if theirs.message is None else full.encode(theirs.message)
    assert (None if ours.message is None else stable.encode(ours.message)) == expected
    if ours.usage is not None:
        totals = stable.usage_totals(ours.usage)
        assert totals.total_input_tokens == full.usage_totals(theirs.usage).total_input_tokens
