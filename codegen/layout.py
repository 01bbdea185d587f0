"""Stage 6: the layout of every generated module: unused imports dropped, then black.

Templates write plain, tidy code and leave the layout to black, so whatever a spec holds, the
output is what `black --check` expects. Which imports a module needs depends on the spec;
templates import every helper a module might use and this stage removes the rest first.

black is the cost of a cold generation (about 3,000 lines a second, and `black.format_str`
formats a second time whatever the first pass changed; that second pass runs here only where it
can change something, see _black). Two things keep it fast:

- A module is handed to black in pieces, cut only where black's output does not depend on what
  came before: between two top-level statements separated by blank lines alone, one of them a
  class or function and neither a string nor an import. There black always writes exactly two
  blank lines and nothing it decides afterwards depends on the earlier lines, so the pieces
  joined by two blank lines are black's output for the whole module (tests/test_layout.py
  checks this on random modules). The pieces run in parallel, one process per core, largest
  first, and only a piece that black changed is formatted a second time, not its whole module.
- Laid-out modules are cached by the hash of their text, black's version and this stage's code,
  and black's output for the pieces of each module's latest version is kept beside: a module
  whose text did not change costs a file read, and a spec edit formats only the pieces it
  changed. The cache lives in a folder the caller names (the CLI uses `<out>/.cache`); nothing
  is written anywhere else.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .naming import LINE_LENGTH

if TYPE_CHECKING:
    import black

# black is imported only when a module misses the cache: importing it costs about a third of a
# second, a sixth of a run that finds everything cached.
_TARGET_VERSION = "PY310"
# The result depends only on the input, black's version and mode, and this stage's own code, so
# laid-out modules are cached by the hash of those.
_CACHE_KEY = (
    f"{version('black')}|{LINE_LENGTH}|{_TARGET_VERSION}|"
    f"{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"
)
# Below this many characters to format, starting worker processes costs more than it saves.
_PARALLEL_FROM = 100_000
# black's directives that switch formatting off reach across statements; a module holding
# anything like one is not cut into pieces.
_BLACK_DIRECTIVE = re.compile(r"#\s*(?:fmt|yapf)\s*:")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_IMPORTS = (ast.Import, ast.ImportFrom)
# (start, (end, lines)): replace the source lines [start, end) by these.
Edit = tuple[int, tuple[int, list[str]]]


class LayoutFailure(Exception):
    """black rejected a module: the templates produced invalid Python."""

    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(f"{name}: {cause}")
        self.name = name
        self.cause = cause

    def __reduce__(self) -> tuple[type[LayoutFailure], tuple[str, BaseException]]:
        # Raised in a worker process: it must cross back whole.
        return (LayoutFailure, (self.name, self.cause))


@dataclass(frozen=True)
class Cache:
    """Where laid-out modules are kept between runs; `writable=False` only reads it."""

    folder: Path
    writable: bool = True


def black_mode() -> black.Mode:
    """The mode generated code is written in (the project's pyproject.toml says the same)."""
    import black

    return black.Mode(
        line_length=LINE_LENGTH, target_versions={black.mode.TargetVersion[_TARGET_VERSION]}
    )


def lay_out_modules(sources: dict[str, str], cache: Cache | None = None) -> dict[str, str]:
    """Every module with its unused imports dropped and laid out by black.

    The cache is asked for whole modules first; for a module it lacks, black's output for the
    pieces of the module's previous version is reused, so a spec edit formats only the pieces it
    changed.
    """
    done = {name: _read(cache, _module_path(text)) for name, text in sources.items()}
    missing_modules = [(name, text) for name, text in sources.items() if done[name] is None]
    with _Workers() as workers:
        pieces = dict(
            zip((name for name, _ in missing_modules), workers.map(_prepare, missing_modules))
        )
        digests = {name: [_digest(piece) for piece in pieces[name]] for name in pieces}
        formatted: dict[str, str] = {}
        for name in pieces:
            formatted.update(_read_pieces(cache, name))
        # Each piece black has to format once, with a module that holds it (named if it fails).
        missing = {
            digest: (name, piece)
            for name in pieces
            for digest, piece in zip(digests[name], pieces[name])
            if digest not in formatted
        }
        formatted.update(zip(missing, workers.map(_black_piece, list(missing.values()))))
    for name in pieces:
        text = "\n\n".join(formatted[digest] for digest in digests[name])
        _write(cache, _module_path(sources[name]), text)
        _write(cache, _pieces_path(name), json.dumps({d: formatted[d] for d in digests[name]}))
        done[name] = text
    return {name: text for name, text in done.items() if text is not None}


def lay_out_module(name: str, source: str, cache: Cache | None = None) -> str:
    return lay_out_modules({name: source}, cache)[name]


def lay_out(source: str) -> str:
    """One module, its unused imports dropped, as black writes it."""
    return lay_out_module("<module>", source)


_Result = TypeVar("_Result")


class _Workers:
    """A `map` over (module name, text) jobs, the longest texts started first, in worker
    processes (one per core, started on first use) when there is enough text to pay for them."""

    def __init__(self) -> None:
        self.count = os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None

    def map(
        self, function: Callable[[tuple[str, str]], _Result], jobs: list[tuple[str, str]]
    ) -> list[_Result]:
        order = sorted(range(len(jobs)), key=lambda index: -len(jobs[index][1]))
        ordered = [jobs[index] for index in order]
        if self.count > 1 and len(jobs) > 1 and sum(len(j[1]) for j in jobs) >= _PARALLEL_FROM:
            if self.pool is None:
                import black  # noqa: F401 - once here rather than in every forked worker

                self.pool = ProcessPoolExecutor(self.count)
            # Jobs go out in batches (a few dozen per worker): one at a time, handing them over
            # costs more than the smallest take to format.
            batch = max(1, len(jobs) // (self.count * 32))
            results = list(self.pool.map(function, ordered, chunksize=batch))
        else:
            results = [function(job) for job in ordered]
        in_order = dict(zip(order, results))
        return [in_order[index] for index in range(len(jobs))]

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _prepare(job: tuple[str, str]) -> list[str]:
    name, source = job
    try:
        return prepared_pieces(source)
    except (SyntaxError, ValueError) as exc:
        # ValueError: ast.parse rejects source holding a NUL character.
        raise LayoutFailure(name, exc) from exc


def _black_piece(job: tuple[str, str]) -> str:
    import black.parsing

    name, piece = job
    try:
        return _black(piece, black_mode())
    except (SyntaxError, ValueError, black.parsing.InvalidInput) as exc:
        raise LayoutFailure(name, exc) from exc


def _black(piece: str, mode: black.Mode) -> str:
    """black.format_str, without its second pass where that pass cannot change anything.

    format_str formats again whatever the first pass changed, because a trailing comma the first
    pass adds (when it puts items one per line) becomes a "magic" one that may split the line
    differently next time. A first pass that added no trailing comma leaves nothing for the
    second to do; skipping it there saves a third of a cold generation. (`_format_str_once` is
    the pinned black's own single pass; without it, format_str does both.)
    """
    import black

    once = getattr(black, "_format_str_once", None)
    if once is None:
        return black.format_str(piece, mode=mode)
    formatted: str = once(piece, mode=mode)
    if formatted != piece and _trailing_commas(formatted) > _trailing_commas(piece):
        formatted = once(formatted, mode=mode)
    return formatted


def _trailing_commas(text: str) -> int:
    return text.count(",\n")


def prepared_pieces(source: str) -> list[str]:
    """The module with its unused imports dropped, cut into the pieces black formats apart."""
    tree = ast.parse(source)
    lines = split_lines(source)
    edits = dict(_import_edits(tree, lines))
    return [_edited(lines, edits, start, end) for start, end in _piece_spans(tree, lines)]


def drop_unused_imports(source: str) -> str:
    """The module without the imported names it never uses (see _import_edits).

    A statement left without names goes; the others are written on one line for black to split.
    """
    lines = split_lines(source)
    return _edited(lines, dict(_import_edits(ast.parse(source), lines)), 0, len(lines))


def _piece_spans(tree: ast.Module, lines: list[str]) -> list[tuple[int, int]]:
    """(first line, end line) of each piece: the module cut where black's layout does not depend
    on what came before (see above), leaving out the blank lines between pieces.

    Reading black's rules for blank lines (`EmptyLineTracker`): a top-level class, function or
    decorator that follows anything but a comment or decorator gets two blank lines, and so
    does any statement after a top-level class or function. String statements are left out
    because black may take them for docstrings, comments because they attach to what follows,
    and imports because dropping unused ones must not change where the pieces start or end.
    """
    if any(_BLACK_DIRECTIVE.search(line) for line in lines):
        return [(0, len(lines))]
    spans = [(0, len(lines))]
    for before, after in zip(tree.body, tree.body[1:]):
        end, first = before.end_lineno or before.lineno, _first_line(after) - 1
        gap = lines[end:first]
        if (
            (isinstance(before, _DEFINITIONS) or isinstance(after, _DEFINITIONS))
            and not _is_string_or_import(before)
            and not _is_string_or_import(after)
            and gap
            and all(not line.strip(" \t\n") for line in gap)
        ):
            spans[-1] = (spans[-1][0], end)
            spans.append((first, len(lines)))
    return spans


def _edited(lines: list[str], edits: dict[int, tuple[int, list[str]]], start: int, end: int) -> str:
    """The text of lines [start, end) with the edits that start among them made."""
    out: list[str] = []
    index = start
    for edit_start in sorted(edit for edit in edits if start <= edit < end):
        edit_end, replacement = edits[edit_start]
        out += lines[index:edit_start]
        out += replacement
        index = edit_end
    out += lines[index:end]
    return "".join(out)


def _is_string_or_import(node: ast.stmt) -> bool:
    """A string statement, an import, or a TYPE_CHECKING block of imports (which may go)."""
    return (
        isinstance(node, _IMPORTS)
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        or (isinstance(node, ast.If) and _is_type_checking_block(node))
    )


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return int(decorators[0].lineno if decorators else node.lineno)


def split_lines(text: str) -> list[str]:
    r"""The lines of a text, each with its newline, split at `\n` only.

    str.splitlines() also splits at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029, which may stand
    inside a string literal; Python, and so the line numbers `ast` gives, counts only `\n`.
    """
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _digest(text: str) -> str:
    return hashlib.sha256(f"{_CACHE_KEY}|{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _module_path(text: str) -> str:
    """Where a module's layout is cached: found by its text."""
    return f"modules/{_digest(text)}"


def _pieces_path(name: str) -> str:
    """Where black's output for the pieces of a module's latest version is cached: found by the
    module's name, so that the next version of the module finds the pieces it kept."""
    return f"pieces/{_digest(name)}.json"


def _read_pieces(cache: Cache | None, name: str) -> dict[str, str]:
    """black's output for the pieces of the module's last version, by the digest of the piece."""
    text = _read(cache, _pieces_path(name))
    try:
        table = json.loads(text) if text else {}
    except ValueError:
        return {}  # a damaged entry: format again
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, str)}


def _read(cache: Cache | None, path: str) -> str | None:
    if cache is None:
        return None
    try:
        return (cache.folder / "layout" / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write(cache: Cache | None, path: str, text: str) -> None:
    if cache is None or not cache.writable:
        return
    target = cache.folder / "layout" / path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)  # atomic, so a concurrent run never reads half a file
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
    """Edits that keep, of every `from … import …` at module level or in the module's
    `if TYPE_CHECKING:` block, only the names the module uses.

    Templates import whatever a module might need and leave the choice to this stage: the one
    convention for imports. A TYPE_CHECKING block left without imports goes too.
    """
    guarded = {
        node: [child for child in node.body if isinstance(child, ast.ImportFrom)]
        for node in _import_section(tree)
        if isinstance(node, ast.If) and _is_type_checking_block(node)
    }
    imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module not in ("__future__", None)
    ] + [child for children in guarded.values() for child in children]
    if not imports:
        return
    # Every word outside the import statements, docstrings and comments counts as used: a few
    # more than the names the code reads (attribute names, words in strings, the names in
    # __all__), found in a fraction of the time of an AST walk. Imports may stand anywhere at
    # module level (a module can import its siblings at its end); `from . import module` lines
    # are kept as they are.
    statements: list[ast.stmt] = [*imports, *guarded]
    spans = sorted((node.lineno - 1, node.end_lineno or node.lineno) for node in statements)
    code, position = [], 0
    for start, end in spans:
        code += lines[position:start]
        position = max(position, end)
    code += lines[position:]
    used = _used_words("".join(code), {a.asname or a.name for n in imports for a in n.names})
    for block, children in guarded.items():
        if any((a.asname or a.name) in used for child in children for a in child.names):
            used.add("TYPE_CHECKING")  # the block stays, and with it the name it tests
        else:
            yield block.lineno - 1, (block.end_lineno or block.lineno, [])
            imports = [node for node in imports if node not in children]
    for node in imports:
        kept = [a for a in node.names if (a.asname or a.name) in used]
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        indent = " " * node.col_offset
        yield start, (end, [indent + _import_line(node, kept)] if kept else [])


def _import_section(tree: ast.Module) -> list[ast.stmt]:
    """The module's leading statements: its docstring, imports and TYPE_CHECKING blocks (only
    there may a block be removed whole without leaving a gap between other statements)."""
    section: list[ast.stmt] = []
    for index, node in enumerate(tree.body):
        is_docstring = index == 0 and isinstance(node, ast.Expr)
        if not (
            is_docstring
            or isinstance(node, _IMPORTS)
            or (isinstance(node, ast.If) and _is_type_checking_block(node))
        ):
            break
        section.append(node)
    return section


def _is_type_checking_block(node: ast.If) -> bool:
    """`if TYPE_CHECKING:` holding only `from … import …` statements."""
    return (
        isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
        and all(isinstance(child, ast.ImportFrom) for child in node.body)
    )


def _import_line(node: ast.ImportFrom, names: list[ast.alias]) -> str:
    """The import of the kept names: on one line, or one name per line as black splits an import
    too long for one (written so here, black has no trailing comma to add, and so no second pass
    to make over the piece)."""
    written = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in names]
    indent = " " * node.col_offset
    start = f"from {'.' * node.level}{node.module or ''} import "
    line = start + ", ".join(written)
    if len(indent) + len(line) <= LINE_LENGTH:
        return line + "\n"
    items = "".join(f"{indent}    {name},\n" for name in written)
    return f"{start}(\n{items}{indent})\n"
