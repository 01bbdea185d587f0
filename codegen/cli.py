"""The `codegen` command: arguments in, one handler per subcommand, messages and exit codes out.

The stages themselves live in pipeline.py. Exit codes: 0 done, 1 a problem of the input (the
spec, a stale output folder; for `diff`, a change at the --fail-on level), 2 an internal error or
a folder that cannot be written (for `diff`, also a usage error or an invalid spec on either
side), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from subprocess import CalledProcessError

from . import (
    channels,
    diff_report,
    diff_rules,
    import_jsonschema,
    pipeline,
    spec_diff,
    spec_model,
    write,
)
from .errors import Location, SpecError, SpecProblem, printable


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits with 2 on a usage error
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codegen",
        description="Generate a Python package and JSON Schemas from a Messages API spec folder.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write the package and schemas from a spec folder")
    _spec_argument(gen)
    gen.add_argument(
        "--out", type=Path, default=Path("generated"), help="output folder (default: generated)"
    )
    gen.add_argument(
        "--templates",
        type=Path,
        default=None,
        help="template folder (default: the templates that come with codegen)",
    )
    gen.add_argument(
        "--channel",
        choices=channels.CHANNELS,
        default=channels.BETA,
        help="beta (default): every element, beta ones tagged with their anthropic-beta header; "
        "stable: a package and schema with no beta element at all",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the stale files if the output differs",
    )
    gen.set_defaults(handler=_generate)

    val = commands.add_parser("validate", help="check the spec and report every problem")
    _spec_argument(val)
    val.set_defaults(handler=_validate)

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
    imp.set_defaults(handler=_import_jsonschema)

    dif = commands.add_parser(
        "diff",
        help="what a spec change means: per direction, for decoders, the Python API and API "
        "clients, with rule ids and levels",
    )
    _spec_argument(dif)
    base = dif.add_mutually_exclusive_group()
    base.add_argument(
        "--base",
        default="HEAD",
        help="git revision holding the old spec (default: HEAD); a revision without the spec "
        "folder, or the parent of a first commit, counts as an empty spec",
    )
    base.add_argument("--against", type=Path, help="compare with another spec folder instead")
    dif.add_argument(
        "--head",
        help="git revision holding the new spec (default: the folder as it is); when neither "
        "revision declares root: types, the folder's roots are used",
    )
    dif.add_argument("--format", choices=diff_report.FORMATS, default="text")
    dif.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        help="exit 1 when a change reaches this level (default: never)",
    )
    dif.add_argument(
        "--ignore",
        type=Path,
        metavar="FILE",
        help="accepted changes, one `rule-id  path  reason` a line (* in a path matches any text)",
    )
    dif.add_argument(
        "--ignore-beta", action="store_true", help="leave out changes seen only in the beta channel"
    )
    dif.add_argument(
        "--rules", action="store_true", help="list the rule catalogue (text or markdown) and exit"
    )
    dif.set_defaults(handler=_diff)
    return parser


def _spec_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--spec", type=Path, default=Path("spec"), help="spec folder (default: spec)"
    )


def _report_spec_error(exc: SpecError, outcome: str = "") -> int:
    for problem in exc.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{len(exc.problems)} problem(s) in the spec{outcome}.", file=sys.stderr)
    return 1


def _validate(args: argparse.Namespace) -> int:
    try:
        spec, _ = pipeline.check_spec(args.spec)
    except SpecError as exc:
        return _report_spec_error(exc)
    print(f"spec OK: {len(spec.definitions)} types in {len(spec.files)} files")
    return 0


def _generate(args: argparse.Namespace) -> int:
    cache = pipeline.layout_cache(args.out, writable=not args.check)
    try:
        outputs = pipeline.generate_files(args.spec, args.templates, cache, args.channel)
    except SpecError as exc:
        return _report_spec_error(exc, "" if args.check else "; nothing was written")
    except pipeline.GeneratorBug as exc:
        print(f"internal error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    if args.check:
        return _report_drift(outputs, args.spec, args.out, args.channel)
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


def _report_drift(outputs: dict[str, bytes], spec: Path, out: Path, channel: str) -> int:
    drift = write.compare(outputs, out)
    option = "" if channel == channels.BETA else f" --channel {channel}"
    if drift.clean:
        print(f"{out} is up to date with {spec} ({len(outputs)} files)")
        return 0
    print(
        f"{out} is stale: run `codegen generate{option} --spec {spec} --out {out}` "
        "(`make generate` for the project's spec) and commit the result.",
        file=sys.stderr,
    )
    for name in drift.changed:
        state = "differs" if (out / name).exists() else "missing"
        print(f"  {state}: {out / name}", file=sys.stderr)
    for name in drift.removed:
        print(f"  no longer generated: {out / name}", file=sys.stderr)
    return 1


def _import_jsonschema(args: argparse.Namespace) -> int:
    schema: Path = args.schema

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
        text = import_jsonschema.import_document(document, keep_descriptions=args.keep_descriptions)
    except import_jsonschema.ImportProblem as exc:
        return fail(0, exc.pointer, exc.message)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(
            f"error: cannot write {printable(str(args.out))}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    print(f"wrote {args.out}; review it, then run `codegen validate`")
    return 0


def _diff(args: argparse.Namespace) -> int:
    if args.rules:
        markdown = args.format == "markdown"
        text = diff_rules.catalogue_markdown() if markdown else diff_rules.catalogue_text()
        sys.stdout.write(text)
        return 0
    entries: list[diff_report.IgnoreEntry] = []
    if args.ignore is not None:
        try:
            entries = diff_report.read_ignore_file(args.ignore)
        except diff_report.IgnoreFileError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return 2
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read the ignore file {args.ignore}: {exc}", file=sys.stderr)
            return 2
    spec: Path = args.spec
    with tempfile.TemporaryDirectory() as scratch:
        wanted: list[tuple[str, Path | str | None]] = [
            (f"{spec} at {args.base}", args.against or args.base),
            (f"{spec} at {args.head}" if args.head else str(spec), args.head or spec),
        ]
        sides: list[spec_diff.Side | None] = []
        for index, (label, source) in enumerate(wanted):
            if isinstance(source, Path):
                folder: Path | None = source
                label = str(source)
            else:
                try:
                    folder = pipeline.spec_at_revision(
                        spec, str(source), Path(scratch) / str(index)
                    )
                except (CalledProcessError, ValueError, OSError) as exc:
                    detail = getattr(exc, "stderr", None) or exc
                    if isinstance(detail, bytes):
                        detail = detail.decode(errors="replace")
                    print(f"error: cannot read {label}: {detail}".strip(), file=sys.stderr)
                    return 2
            if folder is None:
                sides.append(None)
                continue
            # A revision's files are written into a scratch folder; show them where they live.
            show = str if isinstance(source, Path) else lambda path: str(spec / Path(path).name)
            try:
                checked, package = pipeline.check_spec(folder)
            except SpecError as exc:
                print(f"error: the spec {label} is invalid:", file=sys.stderr)
                for problem in exc.problems:
                    location = problem.location
                    moved = SpecProblem(
                        Location(show(location.file), location.line, location.key),
                        problem.message,
                    )
                    print(f"error: {moved}", file=sys.stderr)
                print(f"{len(exc.problems)} problem(s) in {label}.", file=sys.stderr)
                return 2
            sides.append(spec_diff.Side(checked, package, show))
    new_side = sides[1]
    if new_side is None:
        print(f"error: there is no spec in {wanted[1][0]}", file=sys.stderr)
        return 2
    roots: tuple[spec_model.Root, ...] = ()
    if args.head:
        try:
            roots = pipeline.check_spec(spec)[0].roots
        except SpecError:
            roots = ()  # the folder only lends its roots; its problems are not this diff's
    report = spec_diff.diff(sides[0], new_side, ignore_beta=args.ignore_beta, default_roots=roots)
    report, ignored = diff_report.apply_ignores(report, entries)
    sys.stdout.write(diff_report.render(report, args.format, ignored))
    threshold = {"error": ("error",), "warning": ("error", "warning"), None: ()}[args.fail_on]
    return 1 if any(change.level in threshold for change in report.changes) else 0
