"""The `codegen` command: validate the spec, generate the package, check for drift."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import (
    build_ir,
    format,
    ir,
    import_jsonschema,
    jsonschema_export,
    load,
    render,
    spec_diff,
    spec_model,
    validate,
    write,
)
from .errors import Location, SpecError, SpecProblem, printable


class GeneratorBug(Exception):
    """The generator itself went wrong; the spec is not to blame."""


def check_spec(spec_dir: Path, templates: Path | None = None) -> tuple[spec_model.Spec, ir.Package]:
    """The first stages: the spec folder, read into the typed model, checked, and as the
    intermediate model.

    `templates` decides which names the generated code reserves (default: the project's).
    """
    files = load.load_spec_dir(spec_dir, base=Path.cwd())
    spec = validate.validate(spec_model.build(files), templates)
    package = build_ir.build(spec)
    return spec, package


def load_package(spec_dir: Path, templates: Path | None = None) -> ir.Package:
    """The spec folder, checked, as the intermediate model."""
    return check_spec(spec_dir, templates)[1]


def format_cache(out: Path | None, writable: bool = True) -> format.Cache | None:
    """The format cache: $CODEGEN_CACHE when set, else `<out>/.cache` (none without `out`)."""
    folder = os.environ.get("CODEGEN_CACHE")
    if folder:
        return format.Cache(Path(folder), writable)
    return None if out is None else format.Cache(out / ".cache", writable)


def generate_files(
    spec_dir: Path,
    templates: Path = render.DEFAULT_TEMPLATES,
    cache: format.Cache | None = None,
) -> dict[str, bytes]:
    """The whole pipeline in memory: every output file's bytes, keyed by relative path.

    Formatted modules are looked up in and added to `cache` (default: $CODEGEN_CACHE when set,
    else none).
    """
    package = load_package(spec_dir, templates)
    sources = render.render_package(package, templates)
    outputs: dict[str, bytes] = {}
    python = {name: text for name, text in sources.items() if name.endswith(".py")}
    try:
        formatted = format.format_modules(python, cache or format_cache(None))
    except format.FormatFailure as exc:
        raise GeneratorBug(
            f"the templates produced invalid Python in {exc.name} ({exc.cause}); this is a bug "
            "in templates/ or codegen/, not in the spec"
        ) from exc
    for name, text in sources.items():
        outputs[name] = formatted.get(name, text).encode("utf-8")
    for channel in ("stable", "beta"):
        document = jsonschema_export.export(package, channel)
        outputs[f"jsonschema/{channel}.json"] = jsonschema_export.render_json(document).encode()
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codegen",
        description="Generate a Python package and JSON Schemas from the Messages API spec.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write generated/ from spec/")
    gen.add_argument("--spec", type=Path, default=Path("spec"), help="spec folder (default: spec)")
    gen.add_argument(
        "--out", type=Path, default=Path("generated"), help="output folder (default: generated)"
    )
    gen.add_argument(
        "--templates",
        type=Path,
        default=render.DEFAULT_TEMPLATES,
        help="template folder (default: the project's templates/)",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the stale files if the output differs",
    )
    val = commands.add_parser("validate", help="check the spec and report every problem")
    val.add_argument("--spec", type=Path, default=Path("spec"), help="spec folder (default: spec)")
    imp = commands.add_parser(
        "import-jsonschema", help="write spec YAML from the $defs of a JSON Schema document"
    )
    imp.add_argument("schema", type=Path, help="a JSON Schema (or OpenAPI components) JSON file")
    imp.add_argument("--out", type=Path, help="YAML file to write (default: standard output)")
    imp.add_argument(
        "--keep-descriptions",
        action="store_true",
        help="copy descriptions (only for documents whose prose you may reuse)",
    )
    dif = commands.add_parser(
        "diff", help="what a spec change means for the wire: types, fields, variants, values"
    )
    dif.add_argument("--spec", type=Path, default=Path("spec"), help="spec folder (default: spec)")
    base = dif.add_mutually_exclusive_group()
    base.add_argument(
        "--base", default="HEAD", help="git revision holding the old spec (default: HEAD)"
    )
    base.add_argument("--against", type=Path, help="compare with another spec folder instead")
    dif.add_argument(
        "--fail-on-breaking",
        action="store_true",
        help="exit 1 when a change can make accepted data fail to decode",
    )
    args = parser.parse_args(argv)  # exits with 2 on a usage error
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted; nothing more was written.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a message, never a traceback
        print(
            f"internal error: {type(exc).__name__}: {printable(str(exc))}; this is a bug in "
            "codegen, not a problem of the spec (please report it with the spec that caused it)",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "diff":
        return _diff(args.spec, args.base, args.against, args.fail_on_breaking)
    if args.command == "import-jsonschema":
        return _import_jsonschema(args.schema, args.out, args.keep_descriptions)

    try:
        if args.command == "validate":
            spec, _ = check_spec(args.spec)
            print(f"spec OK: {len(spec.definitions)} types in {len(spec.files)} files")
            return 0
        outputs = generate_files(
            args.spec, args.templates, format_cache(args.out, writable=not args.check)
        )
    except SpecError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        outcome = "" if args.command == "validate" or args.check else "; nothing was written"
        print(f"{len(exc.problems)} problem(s) in the spec{outcome}.", file=sys.stderr)
        return 1
    except GeneratorBug as exc:
        print(f"internal error: {exc}; nothing was written.", file=sys.stderr)
        return 2

    if args.check:
        drift = write.compare(outputs, args.out)
        if drift.clean:
            print(f"{args.out} is up to date with {args.spec} ({len(outputs)} files)")
            return 0
        print(
            f"{args.out} is stale: run `codegen generate --spec {args.spec} --out {args.out}` "
            "(`make generate` for the project's spec) and commit the result.",
            file=sys.stderr,
        )
        for name in drift.changed:
            state = "differs" if (args.out / name).exists() else "missing"
            print(f"  {state}: {args.out / name}", file=sys.stderr)
        for name in drift.removed:
            print(f"  no longer generated: {args.out / name}", file=sys.stderr)
        return 1
    try:
        drift = write.write(outputs, args.out)
    except OSError as exc:
        where = printable(str(exc.filename or args.out))
        print(f"error: cannot write {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {len(drift.changed)} file(s), removed {len(drift.removed)}, "
        f"{len(outputs) - len(drift.changed)} unchanged, in {args.out}"
    )
    return 0


def _import_jsonschema(schema: Path, out: Path | None, keep_descriptions: bool) -> int:
    def fail(line: int, key: str, message: str) -> int:
        print(f"error: {SpecProblem(Location(str(schema), line, key), message)}", file=sys.stderr)
        return 1

    try:
        document = json.loads(schema.read_bytes())
    except OSError as exc:
        return fail(0, "", f"cannot read the file: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        return fail(exc.lineno, "", f"this is not valid JSON ({exc.msg}); fix the syntax here")
    except (ValueError, RecursionError) as exc:
        # UnicodeDecodeError, numbers of thousands of digits, nesting deeper than json reads.
        return fail(0, "", f"cannot read a JSON document ({type(exc).__name__}: {exc})")
    try:
        text = import_jsonschema.import_document(document, keep_descriptions=keep_descriptions)
    except import_jsonschema.ImportProblem as exc:
        return fail(0, exc.pointer, exc.message)
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {printable(str(out))}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}; review it, then run `codegen validate`")
    return 0


def beta_schema(spec_dir: Path) -> dict[str, Any]:
    """The beta-channel JSON Schema of a spec folder (everything, beta tags included)."""
    return jsonschema_export.export(load_package(spec_dir), "beta")


def _spec_at_revision(spec_dir: Path, revision: str, into: Path) -> Path:
    """Write the spec files as they were at a git revision into `into/<spec folder name>`."""
    top = subprocess.run(
        ["git", "-C", str(spec_dir), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    relative = spec_dir.resolve().relative_to(Path(top).resolve()).as_posix()
    names = subprocess.run(
        ["git", "-C", top, "ls-tree", "--name-only", revision, relative + "/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    target = into / spec_dir.resolve().name
    target.mkdir(parents=True)
    for name in names:
        if name.endswith(".yaml"):
            content = subprocess.run(
                ["git", "-C", top, "show", f"{revision}:{name}"], capture_output=True, check=True
            ).stdout
            (target / Path(name).name).write_bytes(content)
    return target


def _diff(spec: Path, revision: str, against: Path | None, fail_on_breaking: bool) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        try:
            old_dir = against or _spec_at_revision(spec, revision, Path(scratch))
        except (subprocess.CalledProcessError, ValueError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            print(f"error: cannot read {spec} at {revision}: {detail}".strip(), file=sys.stderr)
            return 2
        try:
            old = beta_schema(old_dir)
        except SpecError as exc:
            print(
                f"error: the old spec is invalid ({len(exc.problems)} problem(s))", file=sys.stderr
            )
            return 2
        try:
            new = beta_schema(spec)
        except SpecError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    changes = spec_diff.diff_documents(old, new)
    sys.stdout.write(spec_diff.render(changes))
    return 1 if fail_on_breaking and any(c.breaking for c in changes) else 0
