"""Stage 5: drop unused imports and lay out long statements with black.

The templates write black's style themselves (quotes, blank lines, exploded literals with
trailing commas), so black only has to see what a template cannot know: where a statement
longer than the line length must be split. Running black over whole modules would give the
same text but costs about 12 s for the full spec (its parser handles ~5,000 lines/s), while the
long statements are about 1% of the lines. `make lint` checks the whole output with
`black --check`, so a template that drifts from black's style fails CI instead of slipping by.

Which imports a module needs depends on the spec; templates import every helper a module might
use and this stage removes the rest rather than making templates track it.

Formatted modules can be cached in a folder the caller names (the CLI uses `<out>/.cache`);
nothing is written anywhere else.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import black
import black.parsing
from black.strings import str_width

from .render import LINE_LENGTH

_TARGETS = {black.mode.TargetVersion.PY310}
_MODE = black.Mode(line_length=LINE_LENGTH, target_versions=_TARGETS)
# The result depends only on the input, black's version and mode, and this stage's own code, so
# formatted modules are cached by the hash of those; unchanged modules then cost nothing.
_CACHE_KEY = (
    f"{version('black')}|{_MODE!r}|{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"
)
_INDENT = "    "
# (start, (end, lines)): replace the source lines [start, end) by these.
Edit = tuple[int, tuple[int, list[str]]]


class FormatFailure(Exception):
    """black rejected a module: the templates produced invalid Python."""

    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(f"{name}: {cause}")
        self.name = name
        self.cause = cause

    def __reduce__(self) -> tuple[type[FormatFailure], tuple[str, BaseException]]:
        # Raised in a worker process: it must cross back whole.
        return (FormatFailure, (self.name, self.cause))


@dataclass(frozen=True)
class Cache:
    """Where formatted modules are kept between runs; `writable=False` only reads it."""

    folder: Path
    writable: bool = True


def format_modules(sources: dict[str, str], cache: Cache | None = None) -> dict[str, str]:
    """Every module with unused imports dropped and its long statements laid out by black.

    Modules missing from the cache are formatted in parallel, one process per core, largest
    first: black takes most of a cold generation.
    """
    done = {name: _cached(cache, text) for name, text in sources.items()}
    missing = sorted(
        (n for n, text in done.items() if text is None), key=lambda n: -len(sources[n])
    )
    workers = min(len(missing), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            formatted = dict(
                zip(missing, pool.map(_format_named, [(n, sources[n]) for n in missing]))
            )
    else:
        formatted = {name: _format_named((name, sources[name])) for name in missing}
    for name, text in formatted.items():
        if cache is not None and cache.writable:
            _store(cache.folder, sources[name], text)
        done[name] = text
    return {name: text for name, text in done.items() if text is not None}


def _format_named(item: tuple[str, str]) -> str:
    name, source = item
    try:
        return _format(source)
    except (SyntaxError, ValueError, black.parsing.InvalidInput) as exc:
        # ValueError: ast.parse rejects source holding a NUL character.
        raise FormatFailure(name, exc) from exc


def format_module(name: str, source: str, cache: Cache | None = None) -> str:
    return format_modules({name: source}, cache)[name]


def split_lines(text: str) -> list[str]:
    r"""The lines of a text, each with its newline, split at `\n` only.

    str.splitlines() also splits at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029, which may stand
    inside a string literal; Python, and so the line numbers `ast` gives, counts only `\n`.
    """
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _format(source: str) -> str:
    tree = ast.parse(source)
    lines = split_lines(source)
    # The edits never overlap: imports, long statements and the gaps between top-level ones.
    edits = dict(_import_edits(tree, lines))
    edits.update(_layout_edits(tree, lines, skip=set(edits)))
    edits.update(_blank_line_edits(tree, lines))
    out: list[str] = []
    index = 0
    for start in sorted(edits):
        end, replacement = edits[start]
        out += lines[index:start]
        out += replacement
        index = end
    out += lines[index:]
    return "".join(out).rstrip("\n") + "\n"  # black ends a module with exactly one newline


def _layout_edits(tree: ast.Module, lines: list[str], skip: set[int]) -> Iterator[Edit]:
    """black's layout of every statement that has a line longer than the line length.

    The statement is formatted on its own, dedented, with the width its indentation leaves:
    black splits a line by its content and the room left, whatever the depth. For a compound
    statement only the header is formatted (a `def` signature, an `if` condition).
    """
    # black measures width as a terminal shows it: East Asian wide characters count twice.
    long_lines = [i for i, line in enumerate(lines) if str_width(line.rstrip("\n")) > LINE_LENGTH]
    if not long_lines:
        return
    span_of: dict[int, tuple[int, int, bool]] = {}
    for statement in _statement_spans(tree.body):
        for index in range(statement[0], statement[1]):
            span_of[index] = statement
    done: set[int] = set()
    for index in long_lines:
        span = span_of.get(index)
        if span is None or span[0] in done or span[0] in skip:
            continue
        done.add(span[0])
        start, end, header = span
        yield start, (end, _black_statement(lines[start:end], header))


def _black_statement(statement: list[str], header: bool) -> list[str]:
    first = statement[0]
    indent = first[: len(first) - len(first.lstrip(" "))]
    text = "".join(line[len(indent) :] if line.startswith(indent) else line for line in statement)
    mode = black.Mode(line_length=LINE_LENGTH - len(indent), target_versions=_TARGETS)
    # `elif` cannot start a module; `if` has the same width and the same layout.
    is_elif = text.startswith("elif ")
    if is_elif:
        text = text[2:]
    if header:
        text += f"{_INDENT}pass\n"  # a header needs a body to parse; black leaves it alone
    formatted = split_lines(black.format_str(text, mode=mode))
    if header:
        formatted = formatted[:-1]
    if is_elif:
        formatted[0] = "el" + formatted[0]
    return [indent + line if line.strip() else line for line in formatted]


def _blank_line_edits(tree: ast.Module, lines: list[str]) -> Iterator[Edit]:
    """The blank lines black puts between top-level statements: two around every class and
    function, one between the imports and a plain statement after them."""
    spaced = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    imports = (ast.Import, ast.ImportFrom)
    for before, after in zip(tree.body, tree.body[1:]):
        if isinstance(before, spaced) or isinstance(after, spaced):
            blank = ["\n", "\n"]
        elif isinstance(before, imports) and not isinstance(after, imports):
            blank = ["\n"]
        else:
            continue
        start, end = before.end_lineno or before.lineno, _first_line(after) - 1
        if end - start != len(blank) and all(not line.strip() for line in lines[start:end]):
            yield start, (end, blank)


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return int(decorators[0].lineno if decorators else node.lineno)


def _statement_spans(body: list[ast.stmt]) -> Iterator[tuple[int, int, bool]]:
    """(first index, end index, is_header) of each simple statement and compound header."""
    for node in body:
        first = _first_line(node) - 1
        blocks = [
            block
            for block in (
                getattr(node, "body", None),
                getattr(node, "orelse", None),
                getattr(node, "finalbody", None),
            )
            if isinstance(block, list) and block
        ]
        blocks += [handler.body for handler in getattr(node, "handlers", [])]
        if not blocks:
            yield first, node.end_lineno or node.lineno, False
            continue
        yield first, blocks[0][0].lineno - 1, True
        for block in blocks:
            yield from _statement_spans(block)


def _cache_path(folder: Path, text: str) -> Path:
    key = hashlib.sha256(f"{_CACHE_KEY}|{text}".encode("utf-8", "surrogatepass")).hexdigest()
    return folder / "format" / key[:2] / key


def _cached(cache: Cache | None, text: str) -> str | None:
    if cache is None:
        return None
    try:
        return _cache_path(cache.folder, text).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _store(folder: Path, text: str, formatted: str) -> None:
    cached = _cache_path(folder, text)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(formatted, encoding="utf-8")
        partial.replace(cached)  # atomic, so a concurrent run never reads half a file
    except OSError:
        pass  # a read-only checkout still generates, only slower


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Docstrings and comments, the quick way: right unless a string literal holds a triple quote or
# a `#`.
_QUICK_PROSE = re.compile(r'"""[\s\S]*?"""|#[^\n]*')
# Docstrings and comments, the exact way: string literals and comments matched from left to
# right as Python's tokenizer reads them, so that quotes or a `#` inside a string start nothing.
# Triple-quoted strings are removed (they are the docstrings) unless they are f-strings, which
# hold code; other strings are kept (`__all__` names the exports in strings).
_LONG = (
    r'''"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'''
    + r"""|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"""
)
_SHORT = r'''"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"''' + r"""|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"""
_EXACT_PROSE = re.compile(
    rf"(?P<fstring>(?:[fF][rR]?|[rR][fF])(?:{_LONG}))|[rRbBuU]{{0,2}}(?:{_LONG})"
    rf"|(?P<string>{_SHORT})|#[^\n]*"
)


def _used_words(code: str, candidates: set[str]) -> set[str]:
    """The words of the code outside docstrings and comments, as far as `candidates` go.

    The quick pattern can take a triple quote or `#` inside a string literal for the start of
    prose and miss the code after it; when a candidate it did not find appears in the text at
    all, the exact pattern (ten times slower) decides.
    """
    used = set(_WORD.findall(_QUICK_PROSE.sub("", code)))
    if any(name not in used and name in code for name in candidates):
        used = set(_WORD.findall(_EXACT_PROSE.sub(r"\g<fstring>\g<string>", code)))
    return used


def _import_edits(tree: ast.Module, lines: list[str]) -> Iterator[Edit]:
    """Drop the names of module-level `from … import …` statements that the module never uses.

    Imports nested in blocks are left alone. An import is written as black writes it: on one
    line if it fits, else one name per line.
    """
    imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
    ]
    if not imports:
        return
    # Every word after the imports, outside docstrings and comments, counts as used: a few more
    # than the names the code reads (attribute names, words in strings, the names in __all__),
    # found in a fraction of the time of an AST walk.
    after_imports = "".join(lines[max(node.end_lineno or node.lineno for node in imports) :])
    used = _used_words(after_imports, {a.asname or a.name for n in imports for a in n.names})
    for node in imports:
        kept = [a for a in node.names if (a.asname or a.name) in used]
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        yield start, (end, _import_lines(node, kept) if kept else [])


def _import_lines(node: ast.ImportFrom, names: list[ast.alias]) -> list[str]:
    head = f"from {'.' * node.level}{node.module or ''} import "
    written = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in names]
    one_line = head + ", ".join(written)
    if len(one_line) <= LINE_LENGTH:
        return [one_line + "\n"]
    return [head + "(\n", *(f"{_INDENT}{name},\n" for name in written), ")\n"]
