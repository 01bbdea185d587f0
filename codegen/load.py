"""Stage 1: read the spec files as YAML, remembering the line of every key and list item.

A spec file is untrusted input, so only plain YAML is accepted: mappings, lists and scalars,
without explicit tags (`!!binary`, `!!set`, `!!python/...`) or merge keys, in UTF-8. The tree is
built from the parser's events in one loop, without recursion, and the nesting depth and the
size of the tree with every alias expanded are bounded while it is built: nothing ever walks a
tree nested thousands deep or an alias bomb. A key written twice in one mapping is an error
rather than a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, SpecError, SpecProblem

# The deepest nesting a spec file may have; the real spec needs 6. Later stages walk the tree
# recursively, and libyaml slows down quadratically with depth, so the parser is stopped here.
MAX_DEPTH = 64
# The most values (mappings, lists, scalars) a file may hold once every alias is expanded; the
# largest file of the real spec has about 2,200. An alias bomb stops here instead of growing
# into billions of values for later stages to walk.
MAX_NODES = 250_000
# The most values aliases may add to a file. Without this bound a 20 kB file could stand for a
# few hundred thousand values, and each becomes generated code; reusing a few field lists stays
# far below it.
MAX_ALIASED_NODES = 10_000
# The largest spec file read; the real spec's largest is about 60 kB.
MAX_FILE_BYTES = 8 * 1024 * 1024


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

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# How plain (unquoted) scalars are read: YAML 1.1's rules for null, integers and floats, but
# only `true` and `false` are booleans (YAML 1.1 also reads `on`, `off`, `yes` and `no` as
# booleans, which would turn wire names and enum values such as `on` into True), and dates,
# `=` and `<<` stay strings, as every other word does.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag in (_NULL, _INT, _FLOAT)]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _IMPLICIT.setdefault(_first, []).append(
        (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )
_SCALARS = yaml.constructor.SafeConstructor()


def _plain_scalar(text: str) -> Any:
    """The value of an unquoted scalar; raises ValueError for a number Python cannot hold."""
    for tag, pattern in _IMPLICIT.get(text[:1], []) + _IMPLICIT.get(None, []):
        if pattern.match(text):
            break
    else:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    node = yaml.ScalarNode(tag, text)
    if tag == _INT:
        return _SCALARS.construct_yaml_int(node)  # ValueError beyond 4,300 digits
    return _SCALARS.construct_yaml_float(node)


class _Stop(Exception):
    """The file cannot be read further; carries the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Open:
    """A mapping or list whose end the parser has not reached yet."""

    value: LocatedMap | LocatedList
    anchor: str | None
    size: int = 1  # nodes in it so far, aliases expanded, itself included
    height: int = 1  # levels in it so far, aliases expanded, itself included
    key: str | None = None  # in a mapping: the key whose value comes next
    key_line: int = 0
    keep: bool = True  # False while reading the value of a key written twice


@dataclass
class _Anchor:
    value: Any
    size: int
    height: int


@dataclass
class _TreeBuilder:
    """Builds LocatedMap/LocatedList trees from parser events, checking the bounds as it goes."""

    file_name: str
    problems: list[SpecProblem] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    anchors: dict[str, _Anchor] = field(default_factory=dict)
    nodes: int = 0
    aliased: int = 0  # values added by aliases
    documents: int = 0
    root: Any = None

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Stop(line, "a spec file holds one YAML document; remove the '---' here")
            return
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = self.stack.pop()
            self.add(done.value, done.anchor, done.size, done.height, done.value.line, is_new=False)
            return
        if isinstance(event, yaml.AliasEvent):
            anchor = self.anchors.get(event.anchor or "")
            if anchor is None:
                raise _Stop(
                    line,
                    f"the alias *{event.anchor} names no anchor defined before it (an anchor "
                    f"cannot be used inside itself); define &{event.anchor} first",
                )
            if len(self.stack) + anchor.height > MAX_DEPTH:
                raise _Stop(line, _too_deep())
            self.aliased += anchor.size
            if self.aliased > MAX_ALIASED_NODES:
                raise _Stop(
                    line,
                    f"the aliases of this file stand for more than {MAX_ALIASED_NODES:,} values; "
                    "write the repeated values out instead of aliasing them",
                )
            self.count(anchor.size, line)
            self.add(anchor.value, None, anchor.size, anchor.height, line, is_new=False)
            return
        if not isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            return  # stream start and end, document end
        if event.tag is not None:
            raise _Stop(
                line,
                f"YAML tags are not allowed in a spec ({event.tag}); write plain mappings, lists "
                "and strings (quote a value to keep it a string)",
            )
        self.count(1, line)
        if isinstance(event, yaml.ScalarEvent):
            if event.implicit[0]:  # plain: neither quoted nor tagged
                if self.wants_key() and event.value == "<<":
                    raise _Stop(line, "merge keys (<<) are not supported; write the keys out")
                try:
                    value = event.value if self.wants_key() else _plain_scalar(event.value)
                except ValueError:
                    raise _Stop(
                        line,
                        f"the number {event.value[:20]}... has {len(event.value)} digits, more "
                        "than Python reads; write a shorter one, or quote it if it is text",
                    ) from None
            else:
                value = event.value
            self.add(value, event.anchor, 1, 1, line, is_new=True)
            return
        if len(self.stack) >= MAX_DEPTH:
            raise _Stop(line, _too_deep())
        if self.wants_key():
            raise _Stop(line, "a key must be a plain name, not a list or mapping")
        container: LocatedMap | LocatedList
        if isinstance(event, yaml.MappingStartEvent):
            container = LocatedMap()
            container.key_lines = {}
        else:
            container = LocatedList()
            container.item_lines = []
        container.line = line
        self.stack.append(_Open(container, event.anchor))

    def wants_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.value, LocatedMap) and top.key is None

    def count(self, nodes: int, line: int) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise _Stop(
                line,
                f"this file holds more than {MAX_NODES:,} values once its aliases are expanded "
                "(an alias bomb?); split it or write the values out",
            )

    def add(
        self, value: Any, anchor: str | None, size: int, height: int, line: int, *, is_new: bool
    ) -> None:
        """Put a finished node into the collection around it (or make it the root)."""
        if anchor is not None:
            self.anchors[anchor] = _Anchor(value, size, height)
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.value, LocatedList):
            parent.value.append(value)
            parent.value.item_lines.append(line)
            return
        if parent.key is None:
            if not isinstance(value, str) or not is_new:
                raise _Stop(line, "a key must be a plain name, not a list, mapping or alias")
            parent.key, parent.key_line = value, line
            parent.keep = value not in parent.value
            if not parent.keep:
                self.problems.append(
                    SpecProblem(
                        Location(self.file_name, line, value),
                        f"the key '{value}' is written twice in this mapping (first on line "
                        f"{parent.value.key_lines[value]}); keep one of them",
                    )
                )
            return
        if parent.keep:
            parent.value[parent.key] = value
            parent.value.key_lines[parent.key] = parent.key_line
        parent.key = None


def _line_at(text: str, position: int) -> int:
    """The line of a reader error's position: a byte offset for libyaml, a character one else."""
    if _SafeLoader.__name__.startswith("C"):
        return text.encode("utf-8", "surrogatepass").count(b"\n", 0, position) + 1
    return text.count("\n", 0, position) + 1


def _too_deep() -> str:
    return (
        f"this is nested more than {MAX_DEPTH} levels deep (counting expanded aliases); a spec "
        "never needs that many, flatten it"
    )


def parse_yaml(text: str, file_name: str) -> Any:
    """The tree of one YAML document (None when empty); raises SpecError naming the line."""
    builder = _TreeBuilder(file_name)

    def stop(line: int, message: str) -> SpecError:
        return SpecError([SpecProblem(Location(file_name, line, ""), message)])

    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            builder.feed(event)
    except _Stop as exc:
        raise stop(exc.line, exc.message) from None
    except yaml.reader.ReaderError as exc:
        line = _line_at(text, exc.position) if isinstance(exc.position, int) else 0
        character = f" (U+{exc.character:04X})" if isinstance(exc.character, int) else ""
        raise stop(
            line,
            f"this file holds a character YAML does not allow{character}: {exc.reason}; write it "
            'as an escape in a double-quoted string, such as "\\0"',
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise stop(
            mark.line + 1 if mark is not None else 0,
            f"this is not valid YAML ({exc.problem or exc.context}); fix the syntax here",
        ) from None
    except (yaml.YAMLError, ValueError, MemoryError, RecursionError) as exc:
        raise stop(0, f"this is not valid YAML ({type(exc).__name__}: {exc})") from None
    if builder.problems:
        raise SpecError(builder.problems)
    return builder.root


def area_of(path: Path) -> str:
    """The area name of a spec file: its stem, which names the generated module."""
    return path.stem.replace("-", "_")


def read_text(path: Path, shown_as: str) -> str:
    """The file's text, decoded as UTF-8; raises SpecError for anything else."""

    def fail(line: int, message: str) -> SpecError:
        return SpecError([SpecProblem(Location(shown_as, line, ""), message)])

    if not path.is_file():
        raise fail(0, "this is not a regular file; a spec file must be a plain YAML file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(
                0,
                f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} a spec file may "
                "have; split it into areas",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise fail(0, f"cannot read the file: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = (
            " (it starts with a UTF-16 byte order mark)"
            if data.startswith((b"\xff\xfe", b"\xfe\xff"))
            else ""
        )
        raise fail(
            line,
            f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot "
            f"be decoded{hint}; save the file as UTF-8",
        ) from None


def load_spec_file(path: Path, shown_as: str, folder_name: str | None = None) -> SpecFile:
    """Parse one file; raises SpecError on anything but a plain YAML mapping."""
    data = parse_yaml(read_text(path, shown_as), shown_as)
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
    folder = path.resolve().parent.name if folder_name is None else folder_name
    return SpecFile(
        path=shown_as, source_name=f"{folder}/{path.name}", area=area_of(path), types=data
    )


# A spec folder's name is written into the generated files' headers.
_FOLDER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


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
    folder = spec_dir.resolve().name
    if not _FOLDER_NAME.match(folder):
        raise SpecError(
            [
                SpecProblem(
                    Location(str(spec_dir), 0, "(folder)"),
                    f"the spec folder's name {folder!r} is written into the generated files; "
                    "use only letters, digits, dots, dashes and underscores in it",
                )
            ]
        )
    files: list[SpecFile] = []
    problems: list[SpecProblem] = []
    for path in paths:
        shown = _display_path(path, base)
        try:
            files.append(load_spec_file(path, shown, folder))
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
