"""Errors a spec author sees: each names the file, line and key and says how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


def printable(text: str) -> str:
    """The text with control and other invisible characters written as escapes.

    File names, keys and values come from the spec; a newline or terminal escape in one of them
    must not break the one-problem-per-line output or reach the terminal as is.
    """
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


@dataclass(frozen=True, order=True)
class Location:
    """Where something stands in the spec: file (as given), 1-based line, dotted key path."""

    file: str
    line: int
    key: str

    def __str__(self) -> str:
        place = f"{printable(self.file)}:{self.line}"
        return f"{place}: {printable(self.key)}" if self.key else place


@dataclass(frozen=True, order=True)
class SpecProblem:
    """One thing wrong with the spec, with the fix in plain words."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {printable(self.message)}"


class SpecError(Exception):
    """The spec cannot be used; carries every problem found, sorted by place."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
