"""Stage 1: read the spec files as YAML, remembering the line of every key and list item.

Only the safe subset of YAML is accepted (no Python object tags), and a key written twice in
one mapping is an error rather than a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, SpecError, SpecProblem


class LocatedMap(dict[str, Any]):
    """A YAML mapping that knows the line of itself and of each of its keys."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    """A YAML sequence that knows the line of itself and of each item."""

    line: int
    item_lines: list[int]


@dataclass(frozen=True)
class SpecFile:
    """One parsed spec file: its path as shown to the user, its area name and its types."""

    path: str  # for messages: relative to the working directory when possible
    source_name: str  # for generated headers: "<spec folder>/<file>", the same from any cwd
    area: str
    types: LocatedMap


# libyaml's parser, where PyYAML was built with it, reads the spec about seven times as fast.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _LineLoader(_SafeLoader):
    """SafeLoader that builds LocatedMap/LocatedList and rejects duplicate keys.

    Only `true` and `false` are booleans: YAML 1.1 also reads `on`, `off`, `yes` and `no` as
    booleans, which would turn wire names and enum values such as `on` into True.
    """

    problems: list[SpecProblem]
    file_name: str


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LocatedMap:
    result = LocatedMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if isinstance(key_node, yaml.ScalarNode):
            # Keys are names: keep them as written (`null`, `1` or `1.0` are not converted).
            key = key_node.value
        else:
            loader.problems.append(
                SpecProblem(
                    Location(loader.file_name, line, "(key)"),
                    "a key must be a plain name, not a list or mapping",
                )
            )
            continue
        if key in result:
            loader.problems.append(
                SpecProblem(
                    Location(loader.file_name, line, key),
                    f"the key '{key}' is written twice in this mapping (first on line "
                    f"{result.key_lines[key]}); keep one of them",
                )
            )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def area_of(path: Path) -> str:
    """The area name of a spec file: its stem, which names the generated module."""
    return path.stem.replace("-", "_")


def load_spec_file(path: Path, shown_as: str) -> SpecFile:
    """Parse one file; raises SpecError on YAML syntax errors and duplicate keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            [SpecProblem(Location(shown_as, 0, ""), f"cannot read the file: {exc.strerror}")]
        ) from None
    loader = _LineLoader(text)
    loader.problems = []
    loader.file_name = shown_as
    try:
        data = loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SpecError(
            [
                SpecProblem(
                    Location(shown_as, mark.line + 1 if mark is not None else 0, ""),
                    f"YAML tags are not allowed in a spec ({exc.problem}); write plain "
                    "mappings, lists and strings",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise SpecError(
            [
                SpecProblem(
                    Location(shown_as, line, ""),
                    f"this is not valid YAML ({exc.problem}); fix the syntax here",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [SpecProblem(Location(shown_as, 0, ""), f"this is not valid YAML: {exc}")]
        ) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise SpecError(loader.problems)
    if data is None:
        data = LocatedMap()
        data.line = 1
        data.key_lines = {}
    if not isinstance(data, LocatedMap):
        raise SpecError(
            [
                SpecProblem(
                    Location(shown_as, 1, ""),
                    "a spec file must be a mapping from type names to definitions",
                )
            ]
        )
    return SpecFile(
        path=shown_as, source_name=f"{path.parent.name}/{path.name}", area=area_of(path), types=data
    )


def load_spec_dir(spec_dir: Path, base: Path | None = None) -> list[SpecFile]:
    """Parse every *.yaml file of a folder, in file-name order; all problems are reported."""
    paths = sorted(spec_dir.glob("*.yaml"))
    if not paths:
        raise SpecError(
            [
                SpecProblem(
                    Location(str(spec_dir), 0, ""),
                    "no *.yaml files here; point --spec at the folder holding the spec",
                )
            ]
        )
    files: list[SpecFile] = []
    problems: list[SpecProblem] = []
    for path in paths:
        shown = _display_path(path, base)
        try:
            files.append(load_spec_file(path, shown))
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems)
    return files


def _display_path(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)
