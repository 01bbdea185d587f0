"""The generator as users get it: built from its source distribution, run outside the checkout.

`pip install .` builds a wheel, which needs the `wheel` package besides the setuptools of this
virtualenv, and fetching build tools needs the network. So the test builds the source
distribution, then from it the files a wheel holds (setuptools' `build_py` and `egg_info`, the
same package data and entry points), and runs the `codegen` entry point from there, with this
virtualenv's packages as the dependencies and a working directory far from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.support import FIXTURES, ROOT
from tests.test_goldens import committed_files

# Runs the `codegen` console script as pip's launcher would, after checking which copy of
# codegen is imported.
RUN_ENTRY_POINT = """
import sys
from importlib.metadata import entry_points

import codegen

assert codegen.__file__.startswith(sys.argv[1]), f"imported {codegen.__file__}"
(script,) = entry_points(group="console_scripts", name="codegen")
raise SystemExit(script.load()(sys.argv[2:]))
"""


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def build_source_distribution(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("codegen", "templates"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    script = (
        "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    )
    name = run("-c", script, str(tmp_path / "dist"), cwd=source).split()[-1]
    return tmp_path / "dist" / name


def test_the_built_package_generates_from_a_spec_outside_the_checkout(tmp_path: Path) -> None:
    sdist = build_source_distribution(tmp_path)
    with tarfile.open(sdist) as archive:
        members = {
            Path(member).relative_to(Path(member).parts[0]).as_posix()
            for member in archive.getnames()
            if "/" in member
        }
        unpacked = tmp_path / "unpacked"
        archive.extractall(
            unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {})
        )
    templates = {f"templates/{path.name}" for path in (ROOT / "templates").glob("*.j2")}
    assert templates and templates <= members, "the source distribution lacks templates"
    assert "codegen/spec_schema.json" in members

    site = tmp_path / "site"
    (project,) = unpacked.iterdir()
    setup = "from setuptools import setup; setup()"
    run(
        "-c",
        setup,
        "-q",
        "build_py",
        "--build-lib",
        str(site),
        "egg_info",
        "--egg-base",
        str(site),
        cwd=project,
    )
    assert {p.name for p in (site / "codegen" / "templates").iterdir()} == {
        Path(t).name for t in templates
    }

    work, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    shutil.copytree(FIXTURES / "kitchen_sink" / "spec", work / "spec")
    env = {k: v for k, v in os.environ.items() if k not in ("CODEGEN_CACHE", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    run(
        "-c",
        RUN_ENTRY_POINT,
        str(site),
        "generate",
        "--spec",
        "spec",
        "--out",
        "out",
        cwd=work,
        env=env,
    )

    assert committed_files(work / "out") == committed_files(FIXTURES / "kitchen_sink" / "expected")
    assert sorted(p.name for p in work.iterdir()) == ["out", "spec"]
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        ".cache",
        "anthropic_messages",
        "jsonschema",
    ]
    assert list(home.iterdir()) == []
