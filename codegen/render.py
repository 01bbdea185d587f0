"""Stage 4: render the templates with the intermediate model into Python source text."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jinja2

from . import ir

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LINE_LENGTH = 100


def _pyquote(text: str) -> str:
    """A Python string literal quoted as black quotes it.

    Double quotes, unless the text holds more double than single quotes: then single quotes
    need fewer escapes, and black would switch to them.
    """
    literal = json.dumps(text, ensure_ascii=False)  # JSON escapes are valid Python escapes
    if text.count("'") >= text.count('"'):
        return literal
    return "'" + literal[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"


def _docwrap(text: str, indent: int) -> str:
    """Wrap docstring text to the line length; paragraphs and list items are kept apart."""
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if not text:
        return ""
    width = LINE_LENGTH - indent - 3  # room for the opening quotes
    lines = _wrap_paragraphs(text, width)
    if len(lines) == 1:
        # A closing quote right after a `"` would end the string early; black puts a space there.
        line = lines[0] + " " if lines[0].endswith('"') else lines[0]
        if len(line) + indent + 6 <= LINE_LENGTH:
            return line
        # black would pull the closing quotes up onto that line even though it then overflows;
        # two lines, closing quotes on their own, it leaves alone.
        lines = _wrap_paragraphs(text, width - 3)
    pad = " " * indent
    return (
        "\n".join((pad + line) if i and line else line for i, line in enumerate(lines)) + "\n" + pad
    )


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


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    env.filters["pyquote"] = _pyquote
    env.filters["docwrap"] = _docwrap
    return env


def render_package(package: ir.Package, templates: Path = DEFAULT_TEMPLATES) -> dict[str, str]:
    """Source text of every module of the package, keyed by path inside the output folder."""
    env = environment(templates)
    root = package.name
    files = {
        f"{root}/__init__.py": env.get_template("init.py.j2").render(package=package),
        f"{root}/_runtime.py": env.get_template("runtime.py.j2").render(),
        f"{root}/_unions.py": env.get_template("unions.py.j2").render(unions=package.unions),
        f"{root}/py.typed": "",
    }
    area_template = env.get_template("area.py.j2")
    for module in package.areas:
        files[f"{root}/{module.module}.py"] = area_template.render(module=module)
    return files
