"""The generator's stages chained together, for the command line and for tests.

spec folder → `check_spec` (load, typed spec model, validate, IR) → `render_sources` (templates)
→ `lay_out_sources` (imports pruned, black), beside `schema_files` (the JSON Schemas); together
`generate_files`, every output in memory, which write.py writes or compares.
Nothing here prints or exits; cli.py turns the outcomes into messages and exit codes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import build_ir, channels, ir, jsonschema_export, layout, load, render, spec_model, validate


class GeneratorBug(Exception):
    """The generator itself went wrong; the spec is not to blame."""


def check_spec(
    spec_dir: Path, templates: Path | None = None, channel: str = channels.BETA
) -> tuple[spec_model.Spec, ir.Package]:
    """The first stages: the spec folder, read into the typed model, checked, seen as `channel`
    sees it, and as the intermediate model.

    `templates` decides which names the generated code reserves (default: the project's).
    Raises SpecError with every problem found.
    """
    files = load.load_spec_dir(spec_dir, base=Path.cwd())
    spec = validate.validate(spec_model.build(files), templates)
    return channel_package(spec, channel, templates)


def channel_package(
    spec: spec_model.Spec, channel: str, templates: Path | None = None
) -> tuple[spec_model.Spec, ir.Package]:
    """A checked spec as one channel sees it, checked again (leaving beta elements out can leave
    a union with no variant), and as the intermediate model."""
    if channel != channels.BETA:
        spec = validate.validate(channels.view(spec, channel), templates)
    return spec, build_ir.build(spec)


def load_package(
    spec_dir: Path, templates: Path | None = None, channel: str = channels.BETA
) -> ir.Package:
    """The spec folder, checked, as the intermediate model of one channel."""
    return check_spec(spec_dir, templates, channel)[1]


def render_sources(package: ir.Package, templates: Path | None = None) -> dict[str, str]:
    """Stage 5: the text of every file of the package as the templates write it."""
    return render.render_package(package, templates or render.DEFAULT_TEMPLATES)


def layout_cache(out: Path | None, writable: bool = True) -> layout.Cache | None:
    """The layout cache: $CODEGEN_CACHE when set, else `<out>/.cache` (none without `out`).

    `writable=False` (generate --check, which writes nothing into `out`) applies to the cache in
    `out` only: a folder named by $CODEGEN_CACHE was chosen for the cache, and filling it there
    lets a check and later runs share the work (make test does).
    """
    folder = os.environ.get("CODEGEN_CACHE")
    if folder:
        return layout.Cache(Path(folder), True)
    return None if out is None else layout.Cache(out / ".cache", writable)


def lay_out_sources(sources: dict[str, str], cache: layout.Cache | None) -> dict[str, str]:
    """Stage 6: the Python files laid out by black, the others as they are."""
    python = {name: text for name, text in sources.items() if name.endswith(".py")}
    try:
        laid_out = layout.lay_out_modules(python, cache)
    except layout.LayoutFailure as exc:
        raise GeneratorBug(
            f"the templates produced invalid Python in {exc.name} ({exc.cause}); this is a bug "
            "in templates/ or codegen/, not in the spec"
        ) from exc
    return {name: laid_out.get(name, text) for name, text in sources.items()}


def schema_files(
    spec: spec_model.Spec, package: ir.Package, channel: str, templates: Path | None = None
) -> dict[str, str]:
    """The JSON Schema export of the channel's package, and, for the beta channel, that of the
    stable one too, keyed by path inside the output folder."""
    packages = {channel: package}
    if channel == channels.BETA:
        packages[channels.STABLE] = channel_package(spec, channels.STABLE, templates)[1]
    return {
        f"jsonschema/{name}.json": jsonschema_export.render_json(
            jsonschema_export.export(packages[name], name)
        )
        for name in channels.CHANNELS
        if name in packages
    }


def generate_files(
    spec_dir: Path,
    templates: Path | None = None,
    cache: layout.Cache | None = None,
    channel: str = channels.BETA,
) -> dict[str, bytes]:
    """The whole pipeline in memory: every output file's bytes, keyed by relative path.

    The package is built for `channel` (codegen.channels). Laid-out modules are looked up in and
    added to `cache` (default: $CODEGEN_CACHE when set, else none).
    """
    spec, package = check_spec(spec_dir, templates, channel)
    sources = lay_out_sources(render_sources(package, templates), cache or layout_cache(None))
    texts = {**sources, **schema_files(spec, package, channel, templates)}
    return {name: text.encode("utf-8") for name, text in texts.items()}


def spec_at_revision(spec_dir: Path, revision: str, into: Path) -> Path | None:
    """Write the spec files as they were at a git revision into `into/<spec folder name>`.

    None when there was no spec then: the folder held no spec file at that revision, or the
    revision is the parent (`REV^`, `REV~1`, `REV~`) of a commit that has none. Raises
    CalledProcessError when git fails, ValueError when the folder is outside the repository.
    """
    top = _git(spec_dir, "rev-parse", "--show-toplevel").decode().strip()
    relative = spec_dir.resolve().relative_to(Path(top).resolve()).as_posix()
    if _parent_of_root_commit(Path(top), revision):
        return None
    names = _git(Path(top), "ls-tree", "--name-only", revision, relative + "/").decode().split()
    if not any(name.endswith(".yaml") for name in names):
        return None
    target = into / spec_dir.resolve().name
    target.mkdir(parents=True)
    for name in names:
        if name.endswith(".yaml"):
            content = _git(Path(top), "show", f"{revision}:{name}")
            (target / Path(name).name).write_bytes(content)
    return target


def _parent_of_root_commit(top: Path, revision: str) -> bool:
    for suffix in ("^", "~1", "~"):
        if revision.endswith(suffix) and len(revision) > len(suffix):
            child = revision[: -len(suffix)]
            found = subprocess.run(
                ["git", "-C", str(top), "rev-parse", "--verify", "--quiet", revision + "^{commit}"],
                capture_output=True,
            )
            if found.returncode == 0:
                return False
            parents = _git(top, "rev-list", "--parents", "-n", "1", child).decode().split()
            return len(parents) == 1
    return False


def _git(folder: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=True).stdout
