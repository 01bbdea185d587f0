"""Stage 5: drop unused imports and run black, so the output reads like hand-formatted code.

Templates import every helper a module might need; which ones it uses depends on the spec,
and this stage removes the rest rather than making templates track it.
"""

from __future__ import annotations

import ast
import hashlib
import os
from pathlib import Path

import black
from importlib.metadata import version

from .render import LINE_LENGTH

_MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.mode.TargetVersion.PY310})
# black's output depends only on its version, its mode and the input, so formatted modules are
# cached by the hash of those; unchanged modules then cost nothing on the next run.
_BLACK_VERSION = version("black")
_CACHE = Path(os.environ.get("CODEGEN_CACHE", Path(__file__).resolve().parent.parent / ".cache"))


def format_python(source: str) -> str:
    pruned = prune_unused_imports(source)
    key = hashlib.sha256(f"{_BLACK_VERSION}|{_MODE!r}|{pruned}".encode()).hexdigest()
    cached = _CACHE / "black" / key[:2] / key
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    formatted = black.format_str(pruned, mode=_MODE)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(formatted, encoding="utf-8")
        partial.replace(cached)  # atomic, so a concurrent run never reads half a file
    except OSError:
        pass  # a read-only checkout still generates, only slower
    return formatted


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
