"""Golden files: each fixture spec's generated output is committed beside it, byte for byte.

They change only through `make goldens`; a diff here means the generator's output changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.cli import generate_files
from codegen.write import OWNED_DIRS
from tests.support import FIXTURES, ROOT

FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if (p / "spec").is_dir())


def committed_files(folder: Path) -> dict[str, bytes]:
    """The files the generator owns in an output folder (caches of other tools left out)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for owned in OWNED_DIRS
        for path in sorted((folder / owned).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=lambda p: p.name)
def test_generated_output_matches_the_committed_golden_files(fixture: Path) -> None:
    expected = committed_files(fixture / "expected")
    produced = generate_files(fixture / "spec")
    assert sorted(produced) == sorted(expected), "the set of files differs: run `make goldens`"
    stale = [name for name in produced if produced[name] != expected[name]]
    assert not stale, f"these golden files differ, run `make goldens` and review: {stale}"


def test_generated_package_matches_the_spec() -> None:
    """The same check as `codegen generate --check`, for the real spec and generated/."""
    expected = committed_files(ROOT / "generated")
    produced = generate_files(ROOT / "spec")
    assert sorted(produced) == sorted(expected)
    assert [n for n in produced if produced[n] != expected[n]] == []


def test_output_is_identical_across_hash_seeds_and_working_directories(tmp_path: Path) -> None:
    """Set and dict orders vary with PYTHONHASHSEED; the output must not."""
    outputs = []
    for seed, cwd in (("1", ROOT), ("2", tmp_path)):
        out = tmp_path / f"out{seed}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "codegen",
                "generate",
                "--spec",
                str(ROOT / "spec"),
                "--out",
                str(out),
            ],
            cwd=cwd,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        )
        outputs.append(committed_files(out))
    assert outputs[0] == outputs[1]
    assert outputs[0] == committed_files(ROOT / "generated")


def test_check_fails_when_the_spec_changes_without_regenerating(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    for path in (ROOT / "spec").glob("*.yaml"):
        (spec / path.name).write_bytes(path.read_bytes())
    errors = spec / "errors.yaml"
    errors.write_text(errors.read_text() + "\nExtraType:\n  fields:\n    a: {type: string}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "codegen",
            "generate",
            "--check",
            "--spec",
            str(spec),
            "--out",
            str(ROOT / "generated"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "generated/anthropic_messages/_errors.py" in result.stderr
    assert "generated/jsonschema/beta.json" in result.stderr
