"""mypy --strict on the generated code, on typical user code, and on misuse that must fail.

In the spirit of mypy-protobuf's negative tests: `tests/typecheck/usage_errors.py` marks each
line that must fail with `# error: <code>`; every such line must fail with that code and no
unmarked line may fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

from tests.support import FIXTURES, GENERATED, ROOT

TYPECHECK = ROOT / "tests" / "typecheck"
CACHE = ROOT / ".mypy_cache"


def run_mypy(*targets: Path) -> tuple[int, list[str]]:
    stdout, stderr, status = api.run(
        [
            "--strict",
            "--cache-dir",
            str(CACHE),
            "--no-error-summary",
            "--show-error-codes",
            *map(str, targets),
        ]
    )
    assert not stderr, stderr
    return status, [line for line in stdout.splitlines() if ": error:" in line]


@pytest.mark.parametrize(
    "package",
    [
        GENERATED / "anthropic_messages",
        FIXTURES / "kitchen_sink" / "expected" / "anthropic_messages",
        FIXTURES / "kitchen_sink" / "expected_stable" / "anthropic_messages",
    ],
    ids=["generated", "kitchen_sink", "kitchen_sink_stable"],
)
def test_generated_package_passes_mypy_strict(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(package.parent)
    status, errors = run_mypy(Path(package.name))
    assert errors == [] and status == 0


def test_typical_user_code_passes_mypy_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPYPATH", str(GENERATED))
    status, errors = run_mypy(TYPECHECK / "usage_ok.py")
    assert errors == [] and status == 0


def test_misuse_of_generated_types_fails_type_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    source = TYPECHECK / "usage_errors.py"
    expected: dict[int, str] = {}
    for number, line in enumerate(source.read_text().splitlines(), start=1):
        match = re.search(r"# error: ([a-z-]+)$", line)
        if match:
            expected[number] = match.group(1)
    assert len(expected) >= 10
    monkeypatch.setenv("MYPYPATH", str(GENERATED))
    _, errors = run_mypy(source)
    found: dict[int, set[str]] = {}
    for error in errors:
        match = re.match(r".*usage_errors\.py:(\d+): error: .*\[([a-z-]+)\]$", error)
        assert match, error
        found.setdefault(int(match.group(1)), set()).add(match.group(2))
    unexpected = sorted(set(found) - set(expected))
    assert unexpected == [], [e for e in errors if int(e.split(":")[1]) in unexpected]
    missing = {line: code for line, code in expected.items() if code not in found.get(line, set())}
    assert missing == {}, f"these lines type-check but must not: {missing}"
