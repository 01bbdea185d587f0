"""Helpers shared by the tests: paths, and importing a generated package under a unique name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PAYLOADS = ROOT / "tests" / "payloads"
GENERATED = ROOT / "generated"
PYTHON = ROOT / ".venv" / "bin" / "python"


def import_generated(package_dir: Path, alias: str) -> ModuleType:
    """Import a generated `anthropic_messages` folder as the package `alias`.

    Each fixture's output is a package of the same name; importing each under its own alias
    lets one test run use several. The package uses only relative imports, so this works.
    """
    if alias in sys.modules:
        return sys.modules[alias]
    spec = importlib.util.spec_from_file_location(
        alias, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def kitchen_sink() -> ModuleType:
    """The generated code of tests/fixtures/kitchen_sink (its committed golden output)."""
    return import_generated(FIXTURES / "kitchen_sink" / "expected" / "anthropic_messages", "ks")


def optionality() -> ModuleType:
    """The generated code of tests/fixtures/optionality (its committed golden output)."""
    return import_generated(
        FIXTURES / "optionality" / "expected" / "anthropic_messages", "optionality"
    )


def messages() -> ModuleType:
    """The generated package of the real spec, from generated/."""
    return import_generated(GENERATED / "anthropic_messages", "anthropic_messages")
