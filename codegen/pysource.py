"""The one way text from a spec becomes Python source.

A spec is untrusted input. Every string of it that reaches generated code goes through exactly
one of three doors:

- `identifier`: names (types, attributes, modules, tags used as attributes) are checked to be
  plain ASCII identifiers that are not keywords, and are then written as they are;
- `string_literal`: any other text inside code (wire names, values, error texts) becomes a
  Python string literal, quoted as black quotes it, with every character that could end the
  literal, break a line or not survive UTF-8 written as an escape;
- `docstring`: prose (descriptions, notes) becomes the body of a triple-quoted string,
  wrapped to the line length, with backslashes, quotes and such characters escaped.

The intermediate model types its strings accordingly (`Identifier`, `SpecText`, `PySource`),
render.py refuses to write a `SpecText` that skipped these functions, and
tests/test_template_safety.py checks every template interpolation against the model's types.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from typing import NewType

from .naming import LINE_LENGTH

#: A name checked by `identifier`: safe to write into source as it is.
Identifier = NewType("Identifier", str)
#: Python source built by this module (or from its results): safe to write as it is.
PySource = NewType("PySource", str)


class SpecText(str):
    """Text that came from a spec; it reaches generated source only through `string_literal` or
    `docstring` (render.py rejects it anywhere else)."""

    __slots__ = ()


class UnsafeSource(Exception):
    """A string that validation should have rejected reached code generation."""


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Characters a string literal or docstring must not hold as they are: controls (a NUL or a
# carriage return ends or corrupts the line), the other line boundaries str.splitlines() knows
# (the layout stage cuts modules at line ends), surrogates (not encodable in UTF-8), and the byte-order
# mark and other format characters that hide in editors and diffs.
_UNSAFE_CHARACTER = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


def identifier(name: str) -> Identifier:
    """`name`, after checking that it can be written into source as a name."""
    if type(name) not in (str, SpecText) or not _IDENTIFIER.match(name):
        raise UnsafeSource(f"{name!r} is not a plain ASCII identifier")
    if keyword.iskeyword(name):
        raise UnsafeSource(f"{name!r} is a Python keyword")
    return Identifier(str(name))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def string_literal(text: str) -> PySource:
    """A Python string literal with the value `text`, quoted as black quotes it.

    Double quotes, unless the text holds more double than single quotes: then single quotes
    need fewer escapes, and black would switch to them.
    """
    body = json.dumps(str(text), ensure_ascii=False)[1:-1]  # JSON escapes are Python escapes
    body = _UNSAFE_CHARACTER.sub(_escape, body)
    if text.count("'") >= text.count('"'):
        return PySource(f'"{body}"')
    return PySource("'" + body.replace('\\"', '"').replace("'", "\\'") + "'")


def docstring(text: str, indent: int) -> PySource:
    """The body of a triple-quoted docstring holding `text`, wrapped to the line length.

    Paragraphs and list items are kept apart. The caller writes the quotes around it.
    """
    text = str(text).strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = _UNSAFE_CHARACTER.sub(_escape, text)
    if not text:
        return PySource("")
    if text.startswith('"'):
        text = " " + text  # black pads a quote next to the opening quotes, as at the end
    width = LINE_LENGTH - indent - 3  # room for the opening quotes
    lines = _wrap_paragraphs(text, width)
    if len(lines) == 1:
        # A closing quote right after a `"` would end the string early; black puts a space there.
        line = lines[0] + " " if lines[0].endswith('"') else lines[0]
        if len(line) + indent + 6 <= LINE_LENGTH:
            return PySource(line)
        # black would pull the closing quotes up onto that line even though it then overflows;
        # two lines, closing quotes on their own, it leaves alone.
        lines = _wrap_paragraphs(text, width - 3)
    pad = " " * indent
    body = "\n".join((pad + line) if i and line else line for i, line in enumerate(lines))
    return PySource(body + "\n" + pad)


def _wrap_paragraphs(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        for line in paragraph.split("\n"):
            hanging = "  " if line.startswith("- ") else ""
            lines += textwrap.wrap(
                line,
                width=width,
                subsequent_indent=hanging,
                break_long_words=False,
                break_on_hyphens=False,
            ) or [""]
    return lines
