"""Golden files: each fixture spec's generated output is committed beside it, byte for byte.

They change only through `make goldens`; a diff here means the generator's output changed.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import channels
from codegen.pipeline import generate_files
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


# A mismatch shows at most this many diff lines, enough to see what changed without flooding.
MAX_DIFF_LINES = 400


def golden_mismatch(produced: dict[str, bytes], expected: dict[str, bytes], hint: str) -> str:
    """Empty if both sets of files are equal, else which files are extra or missing and a
    unified diff of each that differs."""
    report = [f"{name}: produced but not committed" for name in sorted(produced.keys() - expected)]
    report += [
        f"{name}: committed but no longer produced" for name in sorted(expected.keys() - produced)
    ]
    for name in sorted(produced.keys() & expected.keys()):
        if produced[name] != expected[name]:
            report += difflib.unified_diff(
                expected[name].decode("utf-8", "replace").splitlines(),
                produced[name].decode("utf-8", "replace").splitlines(),
                fromfile=f"committed/{name}",
                tofile=f"generated/{name}",
                lineterm="",
            )
    if not report:
        return ""
    if len(report) > MAX_DIFF_LINES:
        report = report[:MAX_DIFF_LINES] + [f"... {len(report) - MAX_DIFF_LINES} more lines"]
    return "\n".join([hint, *report])


# A fixture with an `expected_stable` folder has the output of its stable channel committed too.
GOLDENS = [(fixture, "expected", channels.BETA) for fixture in FIXTURE_DIRS] + [
    (fixture, "expected_stable", channels.STABLE)
    for fixture in FIXTURE_DIRS
    if (fixture / "expected_stable").is_dir()
]


@pytest.mark.parametrize(
    ("fixture", "folder", "channel"), GOLDENS, ids=lambda value: getattr(value, "name", value)
)
def test_generated_output_matches_the_committed_golden_files(
    fixture: Path, folder: str, channel: str
) -> None:
    produced = generate_files(fixture / "spec", channel=channel)
    mismatch = golden_mismatch(
        produced,
        committed_files(fixture / folder),
        "the golden files differ; if the change is intended, run `make goldens` and review:",
    )
    if mismatch:
        pytest.fail(mismatch, pytrace=False)


def test_generated_package_matches_the_spec() -> None:
    """The same check as `codegen generate --check`, for the real spec and generated/."""
    produced = generate_files(ROOT / "spec")
    mismatch = golden_mismatch(
        produced, committed_files(ROOT / "generated"), "generated/ is stale: run `make generate`:"
    )
    if mismatch:
        pytest.fail(mismatch, pytrace=False)


def test_a_golden_mismatch_is_shown_as_a_unified_diff() -> None:
    expected = {"a.py": b"x = 1\ny = 2\n", "gone.py": b""}
    produced = {"a.py": b"x = 1\ny = 3\n", "new.py": b""}
    lines = golden_mismatch(produced, expected, "hint").splitlines()
    assert lines == [
        "hint",
        "new.py: produced but not committed",
        "gone.py: committed but no longer produced",
        "--- committed/a.py",
        "+++ generated/a.py",
        "@@ -1,2 +1,2 @@",
        " x = 1",
        "-y = 2",
        "+y = 3",
    ]
    assert golden_mismatch(expected, expected, "hint") == ""


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
