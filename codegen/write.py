"""Stage 7: write the output folder, or (with --check) report which files are stale.

Everything is rendered and formatted in memory first, so a failure leaves the folder as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .naming import PACKAGE

OWNED_DIRS = (PACKAGE, "jsonschema")


@dataclass(frozen=True)
class Drift:
    """How the output folder differs from what the spec gives."""

    changed: tuple[str, ...]  # differ or missing
    removed: tuple[str, ...]  # present but no longer generated

    @property
    def clean(self) -> bool:
        return not self.changed and not self.removed


def _existing(out_dir: Path) -> set[str]:
    found: set[str] = set()
    for owned in OWNED_DIRS:
        base = out_dir / owned
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(out_dir).as_posix())
    return found


def compare(files: dict[str, bytes], out_dir: Path) -> Drift:
    changed = []
    for name, content in sorted(files.items()):
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != content:
            changed.append(name)
    removed = sorted(_existing(out_dir) - set(files))
    return Drift(changed=tuple(changed), removed=tuple(removed))


def _inside(out_dir: Path, name: str) -> Path:
    """The path of an output file, made sure to lie in one of the folders this stage owns."""
    parts = PurePosixPath(name).parts
    path = out_dir / name
    if (
        len(parts) < 2
        or parts[0] not in OWNED_DIRS
        or any(part in ("", ".", "..") for part in parts)
        or PurePosixPath(name).is_absolute()
        or not path.resolve().is_relative_to(out_dir.resolve())
    ):
        raise ValueError(f"refusing to write {name!r}: it is not inside {out_dir}")
    return path


def write(files: dict[str, bytes], out_dir: Path) -> Drift:
    """Bring the folder in line with `files`; returns what had to change.

    Every path is checked before anything is written: nothing lands outside `out_dir`.
    """
    drift = compare(files, out_dir)
    paths = {name: _inside(out_dir, name) for name in drift.changed + drift.removed}
    for name in drift.changed:
        path = paths[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    for name in drift.removed:
        paths[name].unlink()
    return drift
