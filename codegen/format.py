"""Stage 5: drop unused imports and run black, so the output reads like hand-formatted code.

Templates import every helper a module might need; which ones it uses depends on the spec,
and this stage removes the rest rather than making templates track it.
"""

from __future__ import annotations

import ast
import concurrent.futures
import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import black
import black.parsing
from importlib.metadata import version

from .render import LINE_LENGTH

_MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.mode.TargetVersion.PY310})
# black's output depends only on its version, its mode and the input, so formatted modules are
# cached by the hash of those; unchanged modules then cost nothing on the next run.
_BLACK_VERSION = version("black")
_CACHE = Path(os.environ.get("CODEGEN_CACHE", Path(__file__).resolve().parent.parent / ".cache"))


class FormatFailure(Exception):
    """black rejected a module: the templates produced invalid Python."""

    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(f"{name}: {cause}")
        self.name = name
        self.cause = cause


def format_modules(sources: dict[str, str]) -> dict[str, str]:
    """Every module formatted; cache misses are formatted in parallel, one process per core."""
    pruned = {name: prune_unused_imports(text) for name, text in sources.items()}
    result: dict[str, str] = {}
    misses: list[str] = []
    for name, text in pruned.items():
        cached = _cached(text)
        if cached is None:
            misses.append(name)
        else:
            result[name] = cached
    # Largest first, so the pool's workers finish at about the same time.
    misses.sort(key=lambda name: len(pruned[name]), reverse=True)
    workers = min(len(misses), os.cpu_count() or 1)
    if workers > 1:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {name: pool.submit(_black, pruned[name]) for name in misses}
            for name, future in futures.items():
                result[name] = _finish(name, pruned[name], future.result)
    else:
        for name in misses:
            result[name] = _finish(name, pruned[name], functools.partial(_black, pruned[name]))
    return {name: result[name] for name in sources}


def _black(text: str) -> str:
    return black.format_str(text, mode=_MODE)


def _finish(name: str, text: str, produce: Callable[[], str]) -> str:
    try:
        formatted = produce()
    except (SyntaxError, black.parsing.InvalidInput) as exc:
        raise FormatFailure(name, exc) from exc
    _store(text, formatted)
    return formatted


def _cache_path(text: str) -> Path:
    key = hashlib.sha256(f"{_BLACK_VERSION}|{_MODE!r}|{text}".encode()).hexdigest()
    return _CACHE / "black" / key[:2] / key


def _cached(text: str) -> str | None:
    try:
        return _cache_path(text).read_text(encoding="utf-8")
    except OSError:
        return None


def _store(text: str, formatted: str) -> None:
    cached = _cache_path(text)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(formatted, encoding="utf-8")
        partial.replace(cached)  # atomic, so a concurrent run never reads half a file
    except OSError:
        pass  # a read-only checkout still generates, only slower


def prune_unused_imports(source: str) -> str:
    """Remove names of module-level `from … import …` statements that the module never uses.

    Names listed in `__all__` count as used; imports nested in blocks are left alone.
    """
    tree = ast.parse(source)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            used |= {
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
    lines = source.splitlines(keepends=True)
    # Work bottom-up so earlier line numbers stay valid.
    for node in reversed(tree.body):
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        kept = [a for a in node.names if (a.asname or a.name) in used]
        if len(kept) == len(node.names):
            continue
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        if not kept:
            replacement = []
        else:
            names = ", ".join(
                a.name if a.asname is None else f"{a.name} as {a.asname}" for a in kept
            )
            replacement = [f"from {'.' * node.level}{node.module or ''} import {names}\n"]
        lines[start:end] = replacement
    return "".join(lines)
