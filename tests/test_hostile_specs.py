"""Hostile specs end in a located spec error or in a working package, never in a traceback, a
hang, injected code or files written outside `--out` (issue 8).

Every case runs `codegen generate` with a scratch working directory and HOME. A case that must
fail names the file, line and key of the problem it expects; the run must exit with 1, print
every problem as `error: file:line: key: message` on one line, and write nothing anywhere. A
case that must work gets a package whose modules are what black writes, that imports without
side effects (the sentinel file an injected statement would create stays absent) and that
decodes and encodes a sample value unchanged.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import black
import pytest

from codegen import cli, layout, load, reserved, spec_model, validate, write
from codegen.errors import SpecError

from .support import import_generated

ROOT = Path(__file__).resolve().parent.parent
# An import of the generated package that runs one of these creates the sentinel file.
INJECTED = "__import__('pathlib').Path({sentinel!r}).touch()"
# A problem without a key (a YAML error, a whole-file bound) reads `file:line: message`.
PROBLEM_LINE = re.compile(r"^error: (?P<file>.*?):(?P<line>\d+): (?P<rest>.+)$")


@dataclass(frozen=True)
class Fails:
    """The spec is rejected with (at least) this problem; `file` is a file or folder name."""

    file: str
    line: int
    key: str
    words: str  # part of the message


@dataclass(frozen=True)
class Works:
    """The spec generates a package in which `type_name` round-trips `sample`."""

    type_name: str
    sample: dict[str, object]


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]  # spec file name -> YAML text (dedented) or raw bytes
    outcome: Fails | Works
    folder: str = "spec"
    # Cases that hung or crashed the interpreter before run in a child process with a timeout.
    isolated: bool = False


def thing_with(field_line: str) -> str:
    """An object type whose fourth line is the given field."""
    return f"Thing:\n  fields:\n    type: {{const: thing}}\n    {field_line}\n"


def rejected_field(field_line: str, key: str, words: str) -> Case:
    """A spec whose field on line 4 must be rejected with a problem at that line."""
    return Case({"a.yaml": thing_with(field_line)}, Fails("a.yaml", 4, key, words))


def union_tagged_by(tag: str, field_line: str) -> str:
    """A tagged union on line 4 whose only variant's tag field is the given line."""
    return (
        f"Thing:\n  fields:\n    {field_line}\nU:\n  union: {{tag: {tag}}}\n  variants: [Thing]\n"
    )


def nested_flow_list(depth: int) -> str:
    return "Thing:\n  fields:\n    type: {const: thing}\n    x: {type: string, default: " + (
        "[" * depth + "]" * depth + "}\n"
    )


def alias_bomb() -> str:
    """Nine levels of nine aliases each: 9**9 strings once expanded, a few hundred bytes here."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\nThing:\n  fields:\n    x: {type: string, default: *a8}\n"


def aliased_fields(fields: int, types: int) -> str:
    """One field list written once and aliased into many types: small, but it stands for a
    package `types` times the size of what is written."""
    lines = ["Base:", "  fields: &shared"]
    lines += [f"    f{i}: {{type: string}}" for i in range(fields)]
    lines += [f"T{i}:\n  fields: *shared" for i in range(types)]
    return "\n".join(lines) + "\n"


def deep_type(depth: int) -> str:
    return thing_with(f'x: {{type: "{"list[" * depth}string{"]" * depth}"}}')


CASES: dict[str, Case] = {
    # Names that shadow what the generated code relies on.
    **{
        f"field {name}": rejected_field(
            f"{name}: {{type: string}}", f"Thing.fields.{name}", "cannot be a Python attribute"
        )
        for name in (
            "__init__",
            "__slots__",
            "__dict__",
            "__doc__",
            "__module__",
            "__annotations__",
            "__weakref__",
        )
    },
    "python_name __dict__": rejected_field(
        "x: {type: string, python_name: __dict__}",
        "Thing.fields.x.python_name",
        "python_name must be",
    ),
    # Helpers the decoders call: a field's local variable ends in an underscore, so it never
    # hides them, and the field keeps its name.
    **{
        f"field {name}": Case(
            {"a.yaml": thing_with(f'{name}: {{type: "list[string]"}}')},
            Works("Thing", {"type": "thing", name: ["a"]}),
        )
        for name in ("extra_fields", "list_of", "data", "strict", "obj")
    },
    **{
        f"type {name}": Case(
            {"a.yaml": f'{name}:\n  fields:\n    items: {{type: "list[string]"}}\n'},
            Fails("a.yaml", 1, name, "uses itself"),
        )
        for name in ("KeyError", "List", "None", "True")
    },
    "tag raw": Case(
        {"a.yaml": union_tagged_by("raw", "raw: {const: thing}")},
        Fails("a.yaml", 5, "U.union.tag", "the generated class uses that name itself"),
    ),
    "tag class": Case(
        {"a.yaml": union_tagged_by("class", "class: {const: thing, python_name: klass}")},
        Fails("a.yaml", 5, "U.union.tag", "it is a Python keyword"),
    ),
    "tag with a space": Case(
        {"a.yaml": union_tagged_by("ki nd", "ki nd: {const: thing, python_name: kind}")},
        Fails("a.yaml", 5, "U.union.tag", "not a plain Python name"),
    ),
    # Values that are not JSON, or that Python cannot read.
    "default .nan": rejected_field(
        "x: {type: number, default: .nan}", "Thing.fields.x.default", "nan is not a JSON number"
    ),
    "default .inf": rejected_field(
        "x: {type: number, default: -.inf}", "Thing.fields.x.default", "-inf is not a JSON number"
    ),
    "default of 5,000 digits": rejected_field(
        f"x: {{type: integer, default: {'7' * 5000}}}", "", "has 5000 digits"
    ),
    "default of 30 digits": rejected_field(
        f"x: {{type: integer, default: {'7' * 30}}}",
        "Thing.fields.x.default",
        "does not fit in 64 bits",
    ),
    "default !!binary": rejected_field(
        "x: {type: string, default: !!binary aGVsbG8=}", "", "YAML tags are not allowed"
    ),
    "default !!set": rejected_field(
        "x: {type: string, default: !!set {a, b}}", "", "YAML tags are not allowed"
    ),
    "default date": Case(
        {"a.yaml": thing_with("x: {type: string, optional: true, default: 2025-01-31}")},
        Works("Thing", {"type": "thing", "x": "2025-01-31"}),
    ),
    "triple quotes and # in values": Case(
        {
            "a.yaml": "\n".join(
                [
                    "Thing:",
                    "  fields:",
                    '    type: {const: \'say """ hi # there\'}',
                    "    mode: {type: Mode, optional: true}",
                    '    items: {type: "list[string]", optional: true}',
                    "Mode:",
                    '  enum: [\'a """ b\', "c # d", "e \'\'\' f", plain]',
                ]
            )
        },
        Works("Thing", {"type": 'say """ hi # there', "mode": 'a """ b', "items": ["x"]}),
    ),
    "wide characters in values": Case(
        {
            "a.yaml": "Thing:\n  fields:\n    type: {const: %s}\n    mode: {type: Mode}\n"
            "Mode:\n  enum: [%s]\n" % ("日本語" * 14, "説明" * 20)
        },
        Works("Thing", {"type": "日本語" * 14, "mode": "説明" * 20}),
    ),
    "a description starting with a quote": Case(
        {
            "a.yaml": "Thing:\n  description: '\"Quoted\" at the start'\n  fields:\n    x: {type: string}\n"
        },
        Works("Thing", {"x": "y"}),
    ),
    # Encodings and characters.
    "latin-1 byte": Case(
        {
            "a.yaml": "Thing:\n  fields:\n    x: {type: string, description: caf\xe9}\n".encode(
                "latin-1"
            )
        },
        Fails("a.yaml", 3, "", "not UTF-8"),
    ),
    "UTF-16": Case(
        {"a.yaml": "Thing:\n  fields:\n    x: {type: string}\n".encode("utf-16")},
        Fails("a.yaml", 1, "", "UTF-16 byte order mark"),
    ),
    "raw NUL byte": Case(
        {"a.yaml": b"Thing:\n  fields:\n    x: {type: string, description: a\0b}\n"},
        Fails("a.yaml", 3, "", "character YAML does not allow"),
    ),
    "U+2028 in values": Case(
        {"a.yaml": """
            Mode:
              enum: ["p\\Lq", plain]
            Thing:
              fields:
                type: {const: "t\\Lx"}
                an_extremely_long_member_name_that_makes_the_encoder_and_decoder_overflow: {type: "list[string]", optional: true}
                mode: {type: Mode, optional: true}
            """},
        Works(
            "Thing",
            {
                "type": "t\u2028x",
                "an_extremely_long_member_name_that_makes_the_encoder_and_decoder_overflow": [],
                "mode": "p\u2028q",
            },
        ),
    ),
    "NUL and U+2028 in descriptions": Case(
        {"a.yaml": """
            Thing:
              description: "nul \\0 line \\L para \\P next \\N end"
              fields:
                type: {const: thing, description: "a \\0 b \\L c"}
            """},
        Works("Thing", {"type": "thing"}),
    ),
    "code in descriptions and values": Case(
        {"a.yaml": r"""
            Thing:
              description: "\"\"\" + {injected} + \"\"\""
              fields:
                type: {const: "\"; {injected}; \"", description: "\\\" {injected} #"}
            """},
        Works("Thing", {"type": '"; {injected}; "'}),
    ),
    # Depth and size.
    "YAML nested 20,000 deep": Case(
        {"a.yaml": nested_flow_list(20_000)},
        Fails("a.yaml", 4, "", "nested more than"),
        isolated=True,
    ),
    "YAML nested 200,000 deep": Case(
        {"a.yaml": nested_flow_list(200_000)},
        Fails("a.yaml", 4, "", "nested more than"),
        isolated=True,
    ),
    "type nested 1,000 deep": Case(
        {"a.yaml": deep_type(1000)}, Fails("a.yaml", 4, "Thing.fields.x.type", "characters")
    ),
    "type nested 9 deep": Case(
        {"a.yaml": deep_type(9)}, Fails("a.yaml", 4, "Thing.fields.x", "nested more than 8")
    ),
    "alias bomb": Case(
        {"a.yaml": alias_bomb()},
        Fails("a.yaml", 5, "", "aliases of this file stand for"),
        isolated=True,
    ),
    "aliases amplifying a field list": Case(
        {"a.yaml": aliased_fields(500, 50)},
        Fails("a.yaml", 512, "", "aliases of this file stand for more than 10,000"),
        isolated=True,
    ),
    "aliases reusing a field list": Case(
        {"a.yaml": aliased_fields(3, 4)}, Works("T3", {"f0": "a", "f1": "b", "f2": "c"})
    ),
    # Names of the spec folder and files, written into the generated headers.
    "folder name with triple quotes": Case(
        {"a.yaml": thing_with("x: {type: string}")},
        Fails('x""" + str(1) + """', 0, "(folder)", "spec folder's name"),
        folder='x""" + str(1) + """',
    ),
    "folder name with a newline": Case(
        {"a.yaml": thing_with("x: {type: string}")},
        Fails("x\ny", 0, "(folder)", "spec folder's name"),
        folder="x\ny",
    ),
    "file name with a newline": Case(
        {"a\nb.yaml": thing_with("x: {type: string}")},
        Fails("a\nb.yaml", 1, "(file)", "must make a Python module name"),
    ),
}


@dataclass
class Scratch:
    """A run's folders: the spec, --out, and a working directory and HOME that must stay empty."""

    root: Path
    spec: Path = field(init=False)
    out: Path = field(init=False)
    cwd: Path = field(init=False)
    home: Path = field(init=False)

    def __post_init__(self) -> None:
        self.out = self.root / "out"
        self.cwd = self.root / "cwd"
        self.home = self.root / "home"
        self.cwd.mkdir(parents=True)
        self.home.mkdir()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "CODEGEN_CACHE"}
        return {**env, "HOME": str(self.home), "PYTHONDONTWRITEBYTECODE": "1"}


def fill(text: str, sentinel: Path) -> str:
    return text.replace("{injected}", INJECTED.format(sentinel=str(sentinel)))


def write_case(case: Case, scratch: Scratch, sentinel: Path) -> None:
    scratch.spec = scratch.root / fill(case.folder, sentinel)
    scratch.spec.mkdir()
    for name, content in case.files.items():
        if isinstance(content, str):
            content = fill(textwrap.dedent(content).lstrip("\n"), sentinel).encode("utf-8")
        (scratch.spec / name).write_bytes(content)


def run_generate(scratch: Scratch, isolated: bool, *extra: str) -> tuple[int, str]:
    """(exit code, standard error) of `codegen generate`, run from the scratch directory."""
    args = ["generate", "--spec", str(scratch.spec), "--out", str(scratch.out), *extra]
    if isolated:
        result = subprocess.run(
            [sys.executable, "-m", "codegen", *args],
            cwd=scratch.cwd,
            env={**scratch.env(), "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stderr
    return run_in_process(scratch, args)


def run_in_process(scratch: Scratch, args: list[str]) -> tuple[int, str]:
    old_cwd, old_env = Path.cwd(), dict(os.environ)
    os.chdir(scratch.cwd)
    os.environ.clear()
    os.environ.update(scratch.env())
    stderr = _Capture()
    real_stderr, sys.stderr = sys.stderr, stderr
    try:
        code = cli.main(args)
    finally:
        sys.stderr = real_stderr
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return code, stderr.text


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def outside_out(scratch: Scratch, root: Path) -> dict[str, bytes]:
    """Every file under `root` (the test's folder: spec, working directory, home) but --out."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and scratch.out not in p.parents
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_spec(case: Case, tmp_path: Path) -> None:
    scratch = Scratch(tmp_path)
    sentinel = tmp_path / "injected"
    write_case(case, scratch, sentinel)
    before = outside_out(scratch, tmp_path)

    code, stderr = run_generate(scratch, case.isolated)

    assert "Traceback" not in stderr, stderr
    assert files_under(scratch.cwd) == [] and files_under(scratch.home) == []
    assert outside_out(scratch, tmp_path) == before, "something was written outside --out"
    if isinstance(case.outcome, Fails):
        expect_problem(case.outcome, code, stderr, scratch)
    else:
        expect_package(case.outcome, code, stderr, scratch, sentinel, tmp_path.name)
    assert not sentinel.exists(), "code from the spec ran"


def expect_problem(expected: Fails, code: int, stderr: str, scratch: Scratch) -> None:
    assert code == 1, stderr
    *problem_lines, summary = stderr.splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) in the spec; nothing was written\.", summary), stderr
    found = []
    for line in problem_lines:
        match = PROBLEM_LINE.match(line)
        assert match, f"not one problem on one line: {line!r}"
        found.append(match)
    shown_file = expected.file.encode("unicode_escape").decode("ascii")
    keyed = f"{expected.key}: " if expected.key else ""
    located = [
        m["rest"][len(keyed) :]
        for m in found
        if Path(m["file"]).name == shown_file
        and int(m["line"]) == expected.line
        and m["rest"].startswith(keyed)
    ]
    assert located, f"no problem at {shown_file}:{expected.line}: {expected.key} in\n{stderr}"
    assert any(expected.words in message for message in located), stderr
    assert not scratch.out.exists(), "a rejected spec wrote output"


def expect_package(
    expected: Works, code: int, stderr: str, scratch: Scratch, sentinel: Path, alias: str
) -> None:
    assert code == 0, stderr
    assert sorted(p.name for p in scratch.out.iterdir()) == [
        ".cache",
        "anthropic_messages",
        "jsonschema",
    ]
    package_dir = scratch.out / "anthropic_messages"
    for module in sorted(package_dir.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        compile(text, str(module), "exec")
        assert (
            black.format_str(text, mode=layout.black_mode()) == text
        ), f"{module.name}: not black's output"
    for schema in (scratch.out / "jsonschema").glob("*.json"):
        json.loads(schema.read_text(encoding="utf-8"), parse_constant=_no_constants)
    package = import_generated(package_dir, f"hostile_{alias}")
    assert not sentinel.exists(), "importing the package ran code from the spec"
    sample = json.loads(fill(json.dumps(expected.sample), sentinel))
    decoded = package.decode(getattr(package, expected.type_name), sample, strict=True)
    assert package.encode(decoded) == sample


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} in a JSON Schema")


# --- the format cache and the command line --------------------------------------------------


SMALL_SPEC = "Thing:\n  fields:\n    type: {const: thing}\n    x: {type: string}\n"


def small_scratch(tmp_path: Path) -> Scratch:
    scratch = Scratch(tmp_path)
    scratch.spec = tmp_path / "spec"
    scratch.spec.mkdir()
    (scratch.spec / "a.yaml").write_text(SMALL_SPEC, encoding="utf-8")
    return scratch


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_layout_cache_lives_in_out_and_check_writes_nothing(tmp_path: Path) -> None:
    scratch = small_scratch(tmp_path)
    before = outside_out(scratch, tmp_path)
    assert run_generate(scratch, isolated=True) == (0, "")
    assert files_under(scratch.cwd) == [] and files_under(scratch.home) == []
    assert outside_out(scratch, tmp_path) == before
    assert any((scratch.out / ".cache" / "layout").rglob("*")), "no cache in --out"

    for stale in (scratch.out / ".cache" / "layout").rglob("*"):
        if stale.is_file():
            stale.unlink()  # --check must not fill it again
    before = snapshot(scratch.out)
    code, stderr = run_generate(scratch, False, "--check")
    assert (code, stderr) == (0, "")
    assert snapshot(scratch.out) == before
    assert files_under(scratch.cwd) == [] and files_under(scratch.home) == []

    # $CODEGEN_CACHE names another place for it.
    elsewhere = tmp_path / "elsewhere"
    env = {**scratch.env(), "CODEGEN_CACHE": str(elsewhere), "PYTHONPATH": str(ROOT)}
    args = ["generate", "--spec", str(scratch.spec), "--out", str(tmp_path / "out2")]
    result = subprocess.run(
        [sys.executable, "-m", "codegen", *args], cwd=scratch.cwd, env=env, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    assert any((elsewhere / "layout").rglob("*")) and not (tmp_path / "out2" / ".cache").exists()


def test_broken_templates_are_an_internal_error_without_traceback(tmp_path: Path) -> None:
    scratch = small_scratch(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    for template in (ROOT / "templates").iterdir():
        (templates / template.name).write_text(template.read_text())
    (templates / "enum.py.j2").write_text("{{ no_such_variable.attribute }}\n")
    code, stderr = run_generate(scratch, False, "--templates", str(templates))
    assert code == 2
    assert stderr.startswith("internal error: ") and "Traceback" not in stderr
    assert not scratch.out.exists()


def test_an_out_that_is_a_file_is_an_error_without_traceback(tmp_path: Path) -> None:
    scratch = small_scratch(tmp_path)
    scratch.out.write_text("not a folder")
    code, stderr = run_generate(scratch, False)
    assert code == 2
    assert stderr.startswith(f"error: cannot write {scratch.out}") and "Traceback" not in stderr


def test_import_pruning_reads_string_literals_as_python_does() -> None:
    module = (
        "from typing import Final\n"
        "from .helpers import decode_list, unused\n\n"
        'X: Final = [\'a """ b\', "# c", decode_list]\n'
        'Y: Final = \'"""\'\n'
    )
    formatted = layout.drop_unused_imports(module)
    assert "from .helpers import decode_list\n" in formatted
    assert layout.split_lines("a\u2028b\nc\x0cd\n\x85") == ["a\u2028b\n", "c\x0cd\n", "\x85"]


def test_write_refuses_paths_outside_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for name in ("../escaped.py", "anthropic_messages/../../escaped.py", "/tmp/escaped.py", "x.py"):
        with pytest.raises(ValueError, match="refusing to write"):
            write.write({name: b"x = 1\n"}, out)
    assert files_under(tmp_path) == []


# --- import-jsonschema ----------------------------------------------------------------------


def run_import(tmp_path: Path, document: object | str) -> tuple[int, str, Path]:
    source = tmp_path / "schema.json"
    text = document if isinstance(document, str) else json.dumps(document)
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "imported" / "imported.yaml"
    target.parent.mkdir()
    scratch = Scratch(tmp_path / "run")
    code, stderr = run_in_process(scratch, ["import-jsonschema", str(source), "--out", str(target)])
    assert "Traceback" not in stderr
    return code, stderr, target


@pytest.mark.parametrize("tag", ["ki nd", "raw", "__init__", 'x"""\nimport os'])
def test_an_imported_odd_discriminator_is_a_located_spec_error(tmp_path: Path, tag: str) -> None:
    document = {
        "$defs": {
            "Block": {
                "oneOf": [{"$ref": "#/$defs/Thing"}],
                "discriminator": {"propertyName": tag},
            },
            "Thing": {
                "type": "object",
                "properties": {tag: {"const": "thing"}},
                "required": [tag],
            },
        }
    }
    code, stderr, spec_file = run_import(tmp_path, document)
    assert (code, stderr) == (0, "")
    scratch = Scratch(tmp_path / "generate")
    scratch.spec = spec_file.parent
    code, stderr = run_generate(scratch, False)
    assert code == 1, stderr
    assert f"imported.yaml:{union_line(spec_file)}: Block.union.tag: " in stderr
    assert not scratch.out.exists()


def union_line(spec_file: Path) -> int:
    lines = spec_file.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("  union:"))


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ("[" * 100_000 + "]" * 100_000, "schema.json:0: cannot read a JSON document"),
        ('{"$defs": {"A": ', "schema.json:1: this is not valid JSON"),
        ([1, 2], "schema.json:0: the document must be a JSON object"),
        ({"$defs": {"A": {"properties": [1]}}}, "schema.json:0: /$defs/A: 'properties' must be"),
        ({"$defs": {"A": {"properties": {"x": 5}}}}, "/$defs/A/properties/x: expected a schema"),
        ({"$defs": {"A": {"oneOf": 5}}}, "schema.json:0: /$defs/A: this part has a shape"),
    ],
    ids=[
        "deep JSON",
        "broken JSON",
        "not an object",
        "bad properties",
        "bad property",
        "bad oneOf",
    ],
)
def test_a_hostile_json_schema_is_a_located_import_error(
    tmp_path: Path, document: object, where: str
) -> None:
    code, stderr, target = run_import(tmp_path, document)
    assert code == 1
    assert stderr.startswith("error: ") and where in stderr, stderr
    assert not target.exists()


def test_a_schema_nested_deeper_than_the_importer_goes_is_refused(tmp_path: Path) -> None:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(200):
        schema = {"type": "object", "properties": {"x": schema}}
    code, stderr, _ = run_import(tmp_path, {"$defs": {"A": schema}})
    assert code == 1 and "nested more than" in stderr


# --- where the reserved names come from -----------------------------------------------------


def test_the_probe_spec_is_a_valid_spec() -> None:
    files = [
        load.SpecFile(f"{area}.yaml", f"probe/{area}.yaml", area, load.parse_yaml(text, area))
        for area, text in reserved._PROBE_SPEC.items()
    ]
    spec = validate.validate(spec_model.build(files))
    # Every top-level key is a type, but for the one stream section (a lowercase key).
    assert len(spec.definitions) == sum(len(f.types) for f in files) - len(spec.streams)
    assert [section.events for section in spec.streams] == ["ZqPlainTagged"]


def test_a_helper_the_templates_start_using_becomes_reserved(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for template in (ROOT / "templates").iterdir():
        (templates / template.name).write_text(template.read_text())
    runtime = templates / "runtime.py.j2"
    runtime.write_text(
        runtime.read_text() + "\n\ndef decode_widget(data: Any) -> Any:\n    return data\n"
    )
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "a.yaml").write_text("Widget:\n  enum: [a]\n", encoding="utf-8")
    model = spec_model.build(load.load_spec_dir(spec))
    validate.validate(model)  # with the project's templates, Widget is free
    with pytest.raises(SpecError) as failure:
        validate.validate(model, templates)
    assert "'decode_widget'" in str(failure.value)


def test_a_template_name_ending_in_an_underscore_stops_generation(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for template in (ROOT / "templates").iterdir():
        (templates / template.name).write_text(template.read_text())
    objects = templates / "object.py.j2"
    source = objects.read_text()
    marker = "    if type(data) is not dict:\n"
    assert marker in source
    objects.write_text(source.replace(marker, "    scratch_ = data\n" + marker, 1))
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "a.yaml").write_text("Widget:\n  fields:\n    x: {type: string}\n", encoding="utf-8")
    with pytest.raises(reserved.TemplateNameClash, match="scratch_"):
        validate.validate(spec_model.build(load.load_spec_dir(spec)), templates)
