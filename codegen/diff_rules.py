"""The rule catalogue of `codegen diff`: every kind of spec change it reports, who it breaks, how
loud it is, and the sentence it prints.

Each rule is written once here. Who a change breaks is a fact about the generated package and the
API contract; how loud it is follows from that and from the change's direction by one table
(`AUDIENCE_LEVELS`), so no rule picks its level by hand.

Audiences:
- `strict-decoders` / `lenient-decoders`: the new package, decoding bodies the old spec allowed;
- `deployed-decoders`: packages generated from the old spec (vendored, decoding leniently),
  given bodies the new spec allows;
- `python-api`: code written against the generated classes (names, attributes, annotations,
  constructor arguments);
- `api-clients`: code that calls the API, as a contract reader sees it: in a request the API may
  no longer accept what a client sends, in a response a client may meet what it did not expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response", "both", "unreachable"]
Level = Literal["error", "warning", "info"]

STRICT = "strict-decoders"
LENIENT = "lenient-decoders"
DEPLOYED = "deployed-decoders"
PYTHON = "python-api"
CLIENTS = "api-clients"
AUDIENCES = (STRICT, LENIENT, DEPLOYED, PYTHON, CLIENTS)
LEVELS: tuple[Level, ...] = ("error", "warning", "info")

#: How loud a break for one audience is, per direction. New decoders rejecting old request bodies
#: reject live traffic from clients that have not upgraded; old response bodies come back only
#: from storage. A type no root reaches is never on the wire, so only its Python API matters.
AUDIENCE_LEVELS: dict[str, dict[str, Level]] = {
    CLIENTS: {"request": "error", "response": "error", "unreachable": "info"},
    STRICT: {"request": "error", "response": "warning", "unreachable": "info"},
    LENIENT: {"request": "error", "response": "warning", "unreachable": "info"},
    DEPLOYED: {"request": "warning", "response": "warning", "unreachable": "info"},
    PYTHON: {"request": "warning", "response": "warning", "unreachable": "warning"},
}

#: Said once per report, not per change.
DEPLOYED_STRICT_NOTE = (
    "Deployed strict decoders reject every addition (a new field, enum value or variant) by "
    "design; the changes below count only lenient deployed decoders."
)
NO_ROOTS_NOTE = (
    "The spec declares no `root:` types, so every type counts as reachable from both requests "
    "and responses."
)


@dataclass(frozen=True)
class Rule:
    """One kind of change. `decoders` and `python` break whatever the direction; `clients` lists
    the directions in which API clients break. The message is a template over the names a change
    fills in (side, type, field, value, tag, before, after)."""

    kind: str
    message: str
    decoders: frozenset[str] = frozenset()
    python: bool = False
    clients: frozenset[str] = frozenset()
    explanation: str = ""

    def breaks(self, direction: Direction) -> tuple[str, ...]:
        directions = ("request", "response") if direction == "both" else (direction,)
        found = set(self.decoders)
        if direction == "unreachable":
            found = set()
        if self.python:
            found.add(PYTHON)
        if any(d in self.clients for d in directions):
            found.add(CLIENTS)
        return tuple(a for a in AUDIENCES if a in found)

    def level(self, direction: Direction) -> Level:
        return level_of(self.breaks(direction), direction)

    @property
    def directional(self) -> bool:
        """Whether who breaks, or how loudly, differs between requests and responses (the id
        then says the direction)."""
        return (self.breaks("request"), self.level("request")) != (
            self.breaks("response"),
            self.level("response"),
        )

    def rule_id(self, direction: Direction) -> str:
        return f"{direction}-{self.kind}" if self.directional else self.kind


def level_of(breaks: tuple[str, ...], direction: Direction) -> Level:
    """The loudest level among the audiences a change breaks in its direction(s)."""
    directions = ("request", "response") if direction == "both" else (direction,)
    levels = {AUDIENCE_LEVELS[a][d] for a in breaks for d in directions}
    return next((lvl for lvl in LEVELS if lvl in levels), "info")


_NEW = frozenset({STRICT, LENIENT})  # the new package rejects bodies the old spec allowed
_ALL_DECODERS = frozenset({STRICT, LENIENT, DEPLOYED})
_REQ = frozenset({"request"})
_RESP = frozenset({"response"})
_BOTH = frozenset({"request", "response"})

_RULES = (
    # Types
    Rule("type-added", "the type {type} was added", explanation="A new type; its uses say more."),
    Rule(
        "type-removed",
        "the type {type} was removed",
        python=True,
        explanation="The class is gone; where it was used, the uses report the wire change.",
    ),
    Rule(
        "type-renamed",
        "the type {before} was renamed to {after} (the wire format is unchanged)",
        python=True,
        explanation="Matched by shape or by its tag in a union: one line, not one per use.",
    ),
    Rule(
        "type-kind-changed",
        "the type {type} changed from {before} to {after}",
        decoders=_ALL_DECODERS,
        python=True,
        clients=_BOTH,
    ),
    # Fields
    Rule("optional-field-added", "the {side} field `{field}` was added to {type} (optional)"),
    Rule(
        "required-field-added",
        "the {side} field `{field}` was added to {type} as required",
        decoders=_NEW,
        python=True,
        clients=_REQ,
        explanation="Bodies without it are rejected; new constructors need it.",
    ),
    Rule(
        "optional-field-removed",
        "the optional {side} field `{field}` was removed from {type}",
        decoders=frozenset({STRICT}),
        python=True,
        clients=_REQ,
        explanation="Lenient decoders keep it among the unknown members; strict ones reject it.",
    ),
    Rule(
        "required-field-removed",
        "the required {side} field `{field}` was removed from {type}",
        decoders=frozenset({STRICT, DEPLOYED}),
        python=True,
        clients=_BOTH,
    ),
    Rule(
        "field-became-optional",
        "the {side} field `{field}` of {type} became optional",
        decoders=frozenset({DEPLOYED}),
        python=True,
        clients=_RESP,
        explanation="Deployed decoders reject bodies without it; readers must handle UNSET.",
    ),
    Rule(
        "field-became-required",
        "the {side} field `{field}` of {type} became required",
        decoders=_NEW,
        python=True,
        clients=_REQ,
    ),
    Rule(
        "field-became-nullable",
        "the {side} field `{field}` of {type} became nullable",
        decoders=frozenset({DEPLOYED}),
        python=True,
        clients=_RESP,
    ),
    Rule(
        "field-became-non-nullable",
        "the {side} field `{field}` of {type} no longer accepts null",
        decoders=_NEW,
        python=True,
        clients=_REQ,
    ),
    Rule(
        "field-type-widened",
        "the {side} field `{field}` of {type} now accepts {after} (was {before})",
        decoders=frozenset({DEPLOYED}),
        python=True,
        clients=_RESP,
        explanation="Every old value is still valid (a string now in a one_of with string, an "
        "object now map[any], a constant with another spelling), so new decoders are unaffected.",
    ),
    Rule(
        "field-type-narrowed",
        "the {side} field `{field}` of {type} now accepts only {after} (was {before})",
        decoders=_NEW,
        python=True,
        clients=_REQ,
    ),
    Rule(
        "field-type-changed",
        "the {side} field `{field}` of {type} changed from {before} to {after}",
        decoders=_ALL_DECODERS,
        python=True,
        clients=_BOTH,
    ),
    Rule(
        "annotation-changed",
        "the Python annotation of `{field}` of {type} changed from {before} to {after} (the "
        "wire format is unchanged)",
        python=True,
        explanation="Other types that allow the same bodies: an object and a tagged union whose "
        "only variant it is.",
    ),
    Rule(
        "field-python-name-changed",
        "the attribute for `{field}` of {type} was renamed from {before} to {after}",
        python=True,
    ),
    Rule(
        "field-default-changed",
        "the documented default of the {side} field `{field}` of {type} changed from {before} "
        "to {after}",
        clients=_REQ,
        explanation="A request that leaves the field out now gets other behaviour.",
    ),
    Rule("field-default-added", "the {side} field `{field}` of {type} documents a default"),
    Rule(
        "field-default-removed",
        "the {side} field `{field}` of {type} no longer documents a default",
    ),
    # Enums
    Rule(
        "enum-value-added",
        "the value `{value}` was added to the open {side} enum {type}",
        explanation="Deployed lenient decoders keep it as a plain string.",
    ),
    Rule(
        "closed-enum-value-added",
        "the value `{value}` was added to the closed {side} enum {type}",
        decoders=frozenset({DEPLOYED}),
        clients=_RESP,
    ),
    Rule(
        "enum-value-removed",
        "the value `{value}` was removed from the open {side} enum {type}",
        decoders=frozenset({STRICT}),
        python=True,
        clients=_REQ,
    ),
    Rule(
        "closed-enum-value-removed",
        "the value `{value}` was removed from the closed {side} enum {type}",
        decoders=_NEW,
        python=True,
        clients=_REQ,
    ),
    Rule(
        "enum-opened",
        "the {side} enum {type} became open (unlisted values are kept)",
        python=True,
        explanation="Its annotation gains `| str`.",
    ),
    Rule(
        "enum-closed",
        "the {side} enum {type} became closed (unlisted values are rejected)",
        decoders=frozenset({LENIENT}),
        python=True,
        clients=_REQ,
    ),
    # Tagged unions
    Rule(
        "variant-added",
        "the {side} union {type} gained the variant {after} (`{tag}`)",
        explanation="Deployed lenient decoders and API clients read it as the union's unknown "
        "variant, which tagged unions always allow.",
    ),
    Rule(
        "variant-removed",
        "the {side} union {type} lost the variant {before} (`{tag}`)",
        decoders=frozenset({STRICT}),
        clients=_REQ,
        explanation="Lenient decoders read it as the union's Unknown class; strict ones reject it.",
    ),
    Rule(
        "variant-tag-spelling-added",
        "the variant {after} of the {side} union {type} also accepts the tag `{tag}`",
        explanation="Old decoders read the new spelling as the union's unknown variant.",
    ),
    Rule(
        "variant-tag-spelling-removed",
        "the variant {before} of the {side} union {type} no longer accepts the tag `{tag}`",
        decoders=frozenset({STRICT}),
        clients=_REQ,
    ),
    Rule(
        "union-tag-changed",
        "the {side} union {type} tells its variants apart by `{after}` instead of `{before}`",
        decoders=_ALL_DECODERS,
        python=True,
        clients=_BOTH,
    ),
    Rule(
        "union-default-added",
        "the {side} union {type} reads an object without `{tag}` as {after}",
        decoders=frozenset({DEPLOYED}),
        clients=_RESP,
    ),
    Rule(
        "union-default-removed",
        "the {side} union {type} no longer reads an object without `{tag}` as {before}",
        decoders=_NEW,
        clients=_REQ,
    ),
    Rule(
        "union-default-changed",
        "the {side} union {type} reads an object without `{tag}` as {after} instead of {before}",
        decoders=_ALL_DECODERS,
        clients=_BOTH,
    ),
    Rule(
        "variant-type-changed",
        "the variant `{tag}` of the {side} union {type} is now {after} instead of {before}",
        decoders=_ALL_DECODERS,
        python=True,
        clients=_BOTH,
    ),
    # Untagged unions
    Rule(
        "alternative-widened",
        "the {side} union {type} now accepts {after} where it accepted {before}",
        decoders=frozenset({DEPLOYED}),
        python=True,
        clients=_RESP,
    ),
    Rule(
        "alternative-narrowed",
        "the {side} union {type} now accepts only {after} where it accepted {before}",
        decoders=_NEW,
        python=True,
        clients=_REQ,
    ),
    Rule(
        "alternative-changed",
        "the {side} union {type} accepts {after} instead of {before}",
        decoders=_ALL_DECODERS,
        python=True,
        clients=_BOTH,
    ),
    Rule(
        "alternative-added",
        "the {side} union {type} now also accepts {after}",
        decoders=frozenset({DEPLOYED}),
        clients=_RESP,
    ),
    Rule(
        "alternative-removed",
        "the {side} union {type} no longer accepts {before}",
        decoders=_NEW,
        clients=_REQ,
    ),
    # Documentation that changes what users may rely on
    Rule("became-deprecated", "{what} became deprecated"),
    Rule("no-longer-deprecated", "{what} is no longer deprecated"),
    Rule(
        "stability-decreased",
        "{what} became beta (send `anthropic-beta: {after}`)",
        explanation="For stable users this is a removal; the stable channel reports it as one.",
    ),
    Rule("stability-increased", "{what} is no longer beta (was {before})"),
    Rule(
        "beta-header-changed",
        "{what} is enabled by `{after}` instead of `{before}`",
        clients=_BOTH,
    ),
    Rule(
        "beta-header-added",
        "{what} is enabled by any of `{after}` (before: `{before}`)",
        explanation="Clients that send a header that enabled it before are served as before.",
    ),
)

RULES: dict[str, Rule] = {rule.kind: rule for rule in _RULES}


def lowered(level: Level) -> Level:
    """One level quieter (beta-only changes)."""
    return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]


def catalogue_rows() -> list[tuple[str, str, str, str]]:
    """(rule id, level, breaks, explanation) of every id a change can carry for a request or a
    response type, in catalogue order."""
    rows: list[tuple[str, str, str, str]] = []
    for rule in _RULES:
        directions: tuple[Direction, ...] = (
            ("request", "response") if rule.directional else ("request",)
        )
        for direction in directions:
            text = rule.explanation or rule.message.replace("{side} ", "").format(**_PLACEHOLDERS)
            rows.append(
                (
                    rule.rule_id(direction),
                    rule.level(direction),
                    ", ".join(rule.breaks(direction)) or "nobody",
                    text,
                )
            )
    return rows


_PLACEHOLDERS = {
    "type": "T",
    "field": "f",
    "value": "v",
    "tag": "tag",
    "before": "the old one",
    "after": "the new one",
    "what": "a type, field, variant or value",
}

CATALOGUE_INTRO = """\
Each change carries a rule id, a level and the audiences it breaks. An id that starts with
`request-` or `response-` is for a type reached only from request roots or only from response
roots; the same change on a type reached from both carries `both-` (the union of both rows'
breaks, the louder level) and on a type no root reaches `unreachable-`. On such a type only the
Python API counts, whatever the id. Changes seen only in the beta channel (a beta element, or a beta status) are one level
quieter, and `--ignore-beta` leaves them out.
"""


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (docs/diff-rules.md is this text)."""
    lines = [
        "# `codegen diff` rules",
        "",
        "<!-- Written by `python -m codegen diff --rules --format markdown`; do not edit. -->",
        "",
        CATALOGUE_INTRO,
        "| rule id | level | breaks | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for rule_id, level, breaks, text in catalogue_rows():
        lines.append(f"| `{rule_id}` | {level} | {breaks} | {text} |")
    audiences = [
        "",
        "Audiences: `strict-decoders` and `lenient-decoders` (the new package on bodies the old "
        "spec allowed), `deployed-decoders` (packages generated from the old spec, decoding "
        "leniently, on bodies the new spec allows), `python-api` (code using the generated "
        "classes) and `api-clients` (callers of the API, by direction).",
    ]
    return "\n".join(lines + audiences) + "\n"


def catalogue_text() -> str:
    rows = catalogue_rows()
    width = max(len(r[0]) for r in rows)
    lines = [CATALOGUE_INTRO]
    for rule_id, level, breaks, text in rows:
        lines.append(f"{rule_id:<{width}}  {level:<7}  breaks {breaks}")
        lines.append(f"{'':<{width}}  {text}")
    return "\n".join(lines) + "\n"
