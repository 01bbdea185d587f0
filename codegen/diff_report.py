"""How `codegen diff` prints its report (text, markdown, json, github), and its ignore file.

Every format orders the changes the same way (`sections`): errors, warnings for deployed
decoders, Python API changes, other warnings, additions grouped by beta header or spec file,
then the rest.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .diff_rules import DEPLOYED, LEVELS, PYTHON
from .errors import Location, SpecProblem
from .spec_diff import Change, Place, Report

FORMATS = ("text", "markdown", "json", "github")
# Additions in a group longer than this are folded away in markdown.
COLLAPSE_AFTER = 10


# --- ignore file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IgnoreEntry:
    rule_id: str
    path: str  # may hold * and ? wildcards
    reason: str
    line: int

    def matches(self, change: Change) -> bool:
        return change.rule_id == self.rule_id and fnmatch.fnmatchcase(change.path, self.path)


class IgnoreFileError(Exception):
    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def read_ignore_file(path: Path) -> list[IgnoreEntry]:
    """Entries of an ignore file: `rule-id  path  reason…` per line, `#` starts a comment.

    Raises IgnoreFileError naming every line that lacks a part, OSError when unreadable.
    """
    entries: list[IgnoreEntry] = []
    problems: list[SpecProblem] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 2)
        if len(parts) < 3:
            problems.append(
                SpecProblem(
                    Location(str(path), number, parts[0] if parts else ""),
                    "an entry is `rule-id  path  reason` (the reason says why the change is "
                    "accepted); add what is missing",
                )
            )
            continue
        entries.append(IgnoreEntry(parts[0], parts[1], parts[2], number))
    if problems:
        raise IgnoreFileError(problems)
    return entries


def apply_ignores(report: Report, entries: list[IgnoreEntry]) -> tuple[Report, int]:
    """The report without the changes an entry matches, and how many were left out."""
    kept = [c for c in report.changes if not any(e.matches(c) for e in entries)]
    return Report(kept, report.notes), len(report.changes) - len(kept)


# --- shared -----------------------------------------------------------------------------------


def fingerprint(change: Change) -> str:
    """Stable across line moves: the rule id, path and both values, hashed."""
    text = "\0".join((change.rule_id, change.path, change.before or "", change.after or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def counts(changes: list[Change]) -> dict[str, int]:
    found = Counter(c.level for c in changes)
    return {level: found.get(level, 0) for level in LEVELS}


def summary(changes: list[Change]) -> str:
    if not changes:
        return "no change to the wire format or the Python API"
    found = counts(changes)
    words = {"error": "error(s)", "warning": "warning(s)", "info": "info"}
    parts = [f"{found[level]} {words[level]}" for level in LEVELS]
    return f"{len(changes)} change(s): " + ", ".join(parts)


def section_of(change: Change) -> str:
    if change.level == "error":
        return "Errors"
    if change.level == "warning" and DEPLOYED in change.breaks:
        return "Deployed decoders"
    if PYTHON in change.breaks:
        return "Python API"
    if change.level == "warning":
        return "Other warnings"
    if change.kind.endswith("-added"):
        return "Additions"
    return "Other changes"


SECTIONS = (
    "Errors",
    "Deployed decoders",
    "Python API",
    "Other warnings",
    "Additions",
    "Other changes",
)


def sections(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {name: [] for name in SECTIONS}
    for change in changes:
        grouped[section_of(change)].append(change)
    return [(name, items) for name, items in grouped.items() if items]


def addition_group(change: Change) -> str:
    """Additions are grouped by the beta header that enables them, else by spec file."""
    if change.beta:
        return f"beta {', '.join(change.beta)}"
    return change.place.file if change.place else "(no file)"


def _where(place: Place | None) -> str:
    return f"{place.file}:{place.line}" if place else ""


def _breaks(change: Change) -> str:
    return ", ".join(change.breaks) or "nobody"


def _channel_note(change: Change) -> str:
    return {"all": "", "beta": " [beta only]", "stable": " [stable channel]"}[change.channel]


# --- formats ----------------------------------------------------------------------------------


def render(report: Report, fmt: str, ignored: int = 0) -> str:
    if fmt == "json":
        return render_json(report, ignored)
    if fmt == "markdown":
        return render_markdown(report, ignored)
    if fmt == "github":
        return render_github(report)
    return render_text(report, ignored)


def render_text(report: Report, ignored: int = 0) -> str:
    lines = [summary(report.changes) + (f" ({ignored} ignored)" if ignored else "")]
    lines += [f"note: {note}" for note in report.notes]
    for title, items in sections(report.changes):
        lines += ["", f"{title}:"]
        for change in items:
            lines.append(
                f"  {change.level:<7} {change.rule_id}  {change.path}{_channel_note(change)}"
            )
            lines.append(f"          {change.message}")
            lines.append(f"          breaks: {_breaks(change)}; {_where(change.place)}")
    return "\n".join(lines) + "\n"


def _markdown_line(change: Change) -> str:
    where = f" ({_where(change.place)})" if change.place else ""
    return (
        f"- **{change.level}** `{change.rule_id}`{_channel_note(change)}: {change.message}"
        f"{where}; breaks {_breaks(change)}"
    )


def render_markdown(report: Report, ignored: int = 0) -> str:
    found = counts(report.changes)
    lines = ["## Spec diff", ""]
    lines += ["| errors | warnings | info | ignored |", "| ---: | ---: | ---: | ---: |"]
    lines += [f"| {found['error']} | {found['warning']} | {found['info']} | {ignored} |", ""]
    lines += [f"> {note}" for note in report.notes]
    if not report.changes:
        lines += ["", "No change to the wire format or the Python API."]
    for title, items in sections(report.changes):
        lines += ["", f"### {title} ({len(items)})", ""]
        if title != "Additions":
            lines += [_markdown_line(c) for c in items]
            continue
        groups: dict[str, list[Change]] = {}
        for change in items:
            groups.setdefault(addition_group(change), []).append(change)
        for group, members in sorted(groups.items()):
            body = [_markdown_line(c) for c in members]
            if len(members) > COLLAPSE_AFTER:
                lines += [f"<details><summary>{group} ({len(members)})</summary>", ""]
                lines += body + ["", "</details>", ""]
            else:
                lines += [f"**{group}**", ""] + body + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _location(place: Place | None) -> dict[str, object] | None:
    return {"file": place.file, "line": place.line} if place else None


def render_json(report: Report, ignored: int = 0) -> str:
    document = {
        "summary": {**counts(report.changes), "ignored": ignored},
        "notes": report.notes,
        "changes": [
            {
                "id": c.rule_id,
                "level": c.level,
                "direction": c.direction,
                "channel": c.channel,
                "path": c.path,
                "breaks": list(c.breaks),
                "message": c.message,
                "before": c.before,
                "after": c.after,
                "location": {"before": _location(c.old_place), "after": _location(c.new_place)},
                "fingerprint": fingerprint(c),
            }
            for c in report.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape(text: str, *, in_property: bool = False) -> str:
    """GitHub workflow command escaping (properties also escape : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(report: Report) -> str:
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    lines = [f"::notice::{_escape(note)}" for note in report.notes]
    for change in report.changes:
        properties = [f"title={_escape(change.rule_id, in_property=True)}"]
        if change.anchor:
            properties.insert(0, f"line={change.anchor.line}")
            properties.insert(0, f"file={_escape(change.anchor.file, in_property=True)}")
        message = f"{change.message}{_channel_note(change)} (breaks {_breaks(change)})"
        lines.append(f"::{commands[change.level]} {','.join(properties)}::{_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
