"""Stage 5: render the templates with the intermediate model into Python source text."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from . import ir, pysource


def _find_templates() -> Path:
    """The templates: shipped inside the package when installed (pyproject.toml maps the
    top-level `templates/` folder to `codegen/templates`), else the checkout's own folder."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


DEFAULT_TEMPLATES = _find_templates()


def _checked_output(value: Any) -> Any:
    """Every `{{ … }}` passes through here. Text from the spec may only be written by the
    escaping filters, which return plain strings, so a SpecText arriving here skipped them; and
    anything but a string or a number (a model object, whose repr holds spec text) is a mistake.
    """
    if isinstance(value, pysource.SpecText) or type(value) not in (str, int):
        shown = value[:60] if isinstance(value, str) else type(value).__name__
        raise pysource.UnsafeSource(
            f"{shown!r} reached a template output without `literal`, `docstring` or `ident`"
        )
    return value


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_checked_output,
    )
    env.filters["literal"] = pysource.string_literal
    env.filters["docstring"] = pysource.docstring
    return env


@functools.lru_cache(maxsize=4)
def _loaded(templates: Path) -> jinja2.Environment:
    """One environment per template folder and process, so each template is compiled once:
    codegen.reserved renders a probe package with the templates before the real one, and compiling
    them is a sixth of a run that finds every module in the layout cache. (jinja2 still
    reloads a template whose file changed.)"""
    return environment(templates)


def render_package(package: ir.Package, templates: Path = DEFAULT_TEMPLATES) -> dict[str, str]:
    """Source text of every module of the package, keyed by path inside the output folder."""
    env = _loaded(templates.resolve())
    root = package.name
    files = {
        f"{root}/__init__.py": env.get_template("init.py.j2").render(package=package),
        f"{root}/{package.runtime_module}.py": env.get_template("runtime.py.j2").render(),
        f"{root}/{package.unions_module}.py": env.get_template("unions.py.j2").render(
            package=package
        ),
        f"{root}/{package.betas.module}.py": env.get_template("betas.py.j2").render(
            package=package
        ),
        f"{root}/py.typed": "",
    }
    stream = package.event_stream
    if stream is not None:
        files[f"{root}/{stream.module}.py"] = env.get_template("sse.py.j2").render(package=package)
    if package.platforms:
        files[f"{root}/{package.platform_module}.py"] = env.get_template("platforms.py.j2").render(
            package=package
        )
    area_template = env.get_template("area.py.j2")
    for module in package.areas:
        files[f"{root}/{module.module}.py"] = area_template.render(module=module, package=package)
    if package.stream is not None:
        files[f"{root}/{package.stream.module}.py"] = env.get_template("accumulate.py.j2").render(
            package=package
        )
    return files
