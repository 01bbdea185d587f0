"""The snapshot of each `codegen diff` format, made by the tool from tests/diff_snapshots/base and
revision. `make diff-snapshots` (python -m tests.diff_snapshots --write) rewrites the expected
files after an intended change; they are never edited by hand."""

from __future__ import annotations

import sys
from pathlib import Path

from codegen import diff_report, pipeline, spec_diff
from tests.support import ROOT

FOLDER = ROOT / "tests" / "diff_snapshots"
SUFFIXES = {"text": "txt", "markdown": "md", "json": "json", "github": "github"}


def _shown(path: str) -> str:
    return Path(path).resolve().relative_to(ROOT).as_posix()


def _side(name: str) -> spec_diff.Side:
    return spec_diff.Side(*pipeline.check_spec(FOLDER / name), show_path=_shown)


def outputs() -> dict[str, str]:
    """Every format's report, keyed by its file name under expected/."""
    report = spec_diff.diff(_side("base"), _side("revision"))
    return {f"report.{SUFFIXES[fmt]}": diff_report.render(report, fmt) for fmt in SUFFIXES}


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print("usage: python -m tests.diff_snapshots --write", file=sys.stderr)
        return 2
    for name, text in outputs().items():
        (FOLDER / "expected" / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(SUFFIXES)} snapshots in {FOLDER / 'expected'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
