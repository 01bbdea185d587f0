"""Parsing of type expressions such as `string`, `list[ContentBlockParam]` or `map[list[integer]]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIMITIVES = ("string", "integer", "number", "boolean", "any")

_CONTAINER = re.compile(r"^(list|map)\[(.*)\]$")
_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Expr:
    """A parsed type expression: a primitive, a named type, or a list/map of an inner one."""

    kind: str  # one of PRIMITIVES, "named", "list", "map"
    name: str = ""
    inner: Expr | None = None

    def names(self) -> list[str]:
        """Every type name the expression mentions."""
        if self.kind == "named":
            return [self.name]
        if self.inner is not None:
            return self.inner.names()
        return []


class ExprError(ValueError):
    """The text is not a type expression; the message says what would be."""


def parse(text: str) -> Expr:
    """Parse a type expression or raise ExprError with a hint."""
    stripped = text.strip()
    if stripped in PRIMITIVES:
        return Expr(kind=stripped)
    match = _CONTAINER.match(stripped)
    if match:
        return Expr(kind=match.group(1), inner=parse(match.group(2)))
    if _NAME.match(stripped):
        return Expr(kind="named", name=stripped)
    raise ExprError(
        f"'{text}' is not a type expression; write one of {', '.join(PRIMITIVES)}, "
        "list[T], map[T] or a PascalCase type name"
    )
