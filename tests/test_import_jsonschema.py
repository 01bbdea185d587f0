"""`codegen import-jsonschema`: an exported spec imports back to the same schemas and code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import import_jsonschema
from codegen.pipeline import generate_files
from tests.support import FIXTURES, ROOT


def strip_descriptions(node: object) -> object:
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


@pytest.mark.parametrize("fixture", ["kitchen_sink", "optionality"])
def test_exported_schema_imports_back_to_the_same_schemas(fixture: str, tmp_path: Path) -> None:
    beta = json.loads((FIXTURES / fixture / "expected" / "jsonschema" / "beta.json").read_text())
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "imported.yaml").write_text(import_jsonschema.import_document(beta))
    produced = generate_files(spec)
    for channel in ("stable", "beta"):
        original = json.loads(
            (FIXTURES / fixture / "expected" / "jsonschema" / f"{channel}.json").read_text()
        )
        again = json.loads(produced[f"jsonschema/{channel}.json"])
        assert strip_descriptions(again) == strip_descriptions(original)


def test_descriptions_are_kept_only_when_asked(tmp_path: Path) -> None:
    beta = json.loads(
        (FIXTURES / "kitchen_sink" / "expected" / "jsonschema" / "beta.json").read_text()
    )
    assert "Plain text." not in import_jsonschema.import_document(beta)
    kept = import_jsonschema.import_document(beta, keep_descriptions=True)
    assert "description: Plain text." in kept


def test_third_party_schema_with_nested_shapes_gets_named_types(tmp_path: Path) -> None:
    document = {
        "$defs": {
            "Pet": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {
                    "kind": {"type": "string", "enum": ["cat", "dog"]},
                    "name": {"type": "string"},
                    "owner": {"anyOf": [{"$ref": "#/$defs/Person"}, {"type": "null"}]},
                    "toy": {"type": "object", "properties": {"colour": {"type": "string"}}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "class": {"type": "integer"},
                },
            },
            "Person": {"type": "object", "properties": {"name": {"type": "string"}}},
        }
    }
    text = import_jsonschema.import_document(document)
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "pets.yaml").write_text(text)
    assert "kind: {type: PetKind}" in text
    assert "owner: {type: Person, optional: true, nullable: true}" in text
    assert "toy: {type: PetToy, optional: true}" in text
    assert "class: {type: integer, optional: true, python_name: class_}" in text
    files = generate_files(spec)  # the imported spec is valid and generates
    assert "anthropic_messages/_pets.py" in files


def test_cli_imports_an_openapi_document(tmp_path: Path) -> None:
    openapi = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "Ping": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"const": "ping"}},
                }
            }
        },
    }
    source = tmp_path / "api.json"
    source.write_text(json.dumps(openapi))
    out = tmp_path / "ping.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "import-jsonschema", str(source), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "type: {const: ping}" in out.read_text()


def test_cli_reports_an_unusable_document(tmp_path: Path) -> None:
    source = tmp_path / "empty.json"
    source.write_text("{}")
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "import-jsonschema", str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "no $defs" in result.stderr


def test_a_beta_header_written_as_a_string_stays_one_header() -> None:
    document = {
        "$defs": {
            "Block": {"oneOf": [{"$ref": "#/$defs/Text", "x-anthropic-beta": "new-2026-01-01"}]},
            "Text": {
                "type": "object",
                "x-anthropic-beta": "new-2026-01-01",
                "properties": {"type": {"const": "text"}},
                "required": ["type"],
            },
        }
    }
    text = import_jsonschema.import_document(document)
    assert text.count("beta: new-2026-01-01") == 2, text
