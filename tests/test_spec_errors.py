"""Every check of `codegen validate` (spec/README.md, "Checks"), through the public entry points.

Each test writes a tiny spec folder and asserts the file, line and key of each problem, and that
the message says how to fix it. Spec texts are dedented and lose their leading newline, so the
first line of a triple-quoted text is line 1 of the file.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codegen import naming
from codegen.pipeline import generate_files
from codegen.errors import SpecError, SpecProblem
from codegen.load import area_of, load_spec_dir
from codegen.spec_model import ObjectType, Spec
from codegen.spec_model import build as build_model
from codegen.validate import validate

from .support import import_generated

ROOT = Path(__file__).resolve().parent.parent
REAL_SPEC = ROOT / "spec"


# --- helpers ------------------------------------------------------------------------------


def write_spec(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write `files` (name → YAML text) into tmp_path/spec and return that folder."""
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    for name, text in files.items():
        (spec_dir / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return spec_dir


def check(spec_dir: Path) -> Spec:
    return validate(build_model(load_spec_dir(spec_dir)))


def problems_of(spec_dir: Path) -> list[SpecProblem]:
    """The problems the loader and validator report; fails if the spec is accepted."""
    with pytest.raises(SpecError) as info:
        check(spec_dir)
    problems = info.value.problems
    assert problems, "a SpecError must carry at least one problem"
    return problems


def only_problem(tmp_path: Path, files: dict[str, str]) -> SpecProblem:
    problems = problems_of(write_spec(tmp_path, files))
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def where(problem: SpecProblem) -> tuple[str, int, str]:
    """(file name, line, key) of a problem."""
    return Path(problem.location.file).name, problem.location.line, problem.location.key


def run_codegen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# Two object variants of a tagged union: the smallest spec the generator turns into a package.
SMALL_VALID_SPEC = """
Thing:
  description: A thing.
  fields:
    type: {const: thing}
    name: {type: string, optional: true}
Other:
  fields:
    type: {const: other}
Block:
  union: {tag: type}
  variants: [Thing, Other]
"""

TWO_OBJECTS = """
O:
  fields:
    type: {const: o}
P:
  fields:
    type: {const: p}
"""


# --- stage 1: YAML ------------------------------------------------------------------------


def test_yaml_syntax_error_reports_the_line_of_the_error(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string}
                    y: {type: string}}
                B:
                  enum: [a]
                """},
    )
    assert where(problem) == ("a.yaml", 4, "")
    assert "not valid YAML" in problem.message
    assert "fix the syntax" in problem.message


def test_key_written_twice_reports_second_line_and_first(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string}
                    x: {type: integer}
                """},
    )
    assert where(problem) == ("a.yaml", 4, "x")
    assert "written twice" in problem.message
    assert "first on line 3" in problem.message
    assert "keep one" in problem.message


def test_python_object_tags_are_rejected_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    problem = only_problem(
        tmp_path,
        {"a.yaml": f"A: !!python/object/apply:os.system ['touch {marker}']\n"},
    )
    assert not marker.exists(), "the YAML tag ran a command: the loader is not safe"
    assert where(problem) == ("a.yaml", 1, "")
    assert "python/object/apply:os.system" in problem.message


# --- stage 2: meta-schema -----------------------------------------------------------------


def test_unknown_key_in_a_field_lists_the_allowed_keys(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string, optinal: true}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.x")
    assert "unknown key 'optinal' (did you mean 'optional'?)" in problem.message
    assert (
        "the keys allowed here are: beta, const, default, deprecated, description, nullable, "
        "optional, python_name, type" in problem.message
    )


def test_field_with_both_type_and_const(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string, const: a}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.x")
    assert "either 'type' or 'const', not both" in problem.message


def test_field_with_neither_type_nor_const(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {optional: true}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.x")
    assert "a field needs exactly one of 'type' (a type expression) or 'const'" in problem.message


def test_definition_with_no_kind_key(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                B:
                  enum: [b]
                A:
                  description: Nothing says what kind of type this is.
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A")
    assert (
        "a definition needs exactly one of 'fields' or 'extends' (object), 'enum'"
        in problem.message
    )
    assert "'one_of'" in problem.message


def test_definition_mixing_kinds(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string}
                  enum: [a, b]
                """},
    )
    assert where(problem) == ("a.yaml", 1, "A")
    assert "this definition mixes enum and fields" in problem.message
    assert "a definition has one kind, keep one" in problem.message


def test_tagged_union_without_variants_says_to_add_variants(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  union: {tag: type}
                """},
    )
    assert where(problem) == ("a.yaml", 1, "A")
    assert "variants" in problem.message
    assert "mixes keys" not in problem.message


def test_lowercase_type_name(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                textBlock:
                  fields:
                    x: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 1, "textBlock")
    assert "'textBlock'" in problem.message
    assert "PascalCase" in problem.message


def test_lowercase_type_name_is_located_at_the_name(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string}

                textBlock:
                  fields:
                    x: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 5, "textBlock")


@pytest.mark.parametrize(
    ("header", "line", "key"),
    [
        pytest.param("context-1M-2025-08-07", 2, "A.beta", id="uppercase"),
        pytest.param("context 1m", 4, "A.fields.x.beta", id="space"),
    ],
)
def test_bad_beta_header(tmp_path: Path, header: str, line: int, key: str) -> None:
    type_beta, field_beta = (header, "ok-1") if key == "A.beta" else ("ok-1", header)
    problem = only_problem(
        tmp_path,
        {"a.yaml": f"""
                A:
                  beta: '{type_beta}'
                  fields:
                    x: {{type: string, beta: '{field_beta}'}}
                """},
    )
    assert where(problem) == ("a.yaml", line, key)
    assert f"'{header}'" in problem.message


def test_bad_beta_header_message_says_how_to_fix(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  beta: Some-Beta
                  fields:
                    x: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 2, "A.beta")
    assert "lowercase" in problem.message


def test_optional_written_as_a_string(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x:
                      type: string
                      optional: "yes"
                """},
    )
    assert where(problem) == ("a.yaml", 5, "A.fields.x.optional")
    assert "write true or false here, without quotes (found 'yes')" in problem.message


def test_empty_enum_list(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  description: Nothing to choose from.
                  enum: []
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.enum")
    assert "at least 1 item(s)" in problem.message


def test_one_of_with_a_single_alternative(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  one_of: [string]
                """},
    )
    assert where(problem) == ("a.yaml", 2, "A.one_of")
    assert "at least 2 item(s)" in problem.message


# --- stage 3: meaning ---------------------------------------------------------------------


def test_unresolved_type_name_with_case_hint(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                TextBlock:
                  fields:
                    text: {type: string}
                B:
                  fields:
                    block: {type: Textblock}
                """},
    )
    assert where(problem) == ("a.yaml", 6, "B.fields.block")
    assert "the type 'Textblock' is not defined in any spec file" in problem.message
    assert "did you mean TextBlock?" in problem.message


def test_unresolved_type_name_without_hint(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                B:
                  fields:
                    block: {type: Nowhere}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "B.fields.block")
    assert "'Nowhere' is not defined" in problem.message
    assert "did you mean" not in problem.message
    assert "define it or fix the name" in problem.message


def test_unresolved_name_inside_list_and_map(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path,
            {"a.yaml": """
                    B:
                      fields:
                        items: {type: "list[Missing]"}
                        table: {type: "map[list[Absent]]"}
                    """},
        )
    )
    assert [where(p) for p in problems] == [
        ("a.yaml", 3, "B.fields.items"),
        ("a.yaml", 4, "B.fields.table"),
    ]
    assert "'Missing' is not defined" in problems[0].message
    assert "'Absent' is not defined" in problems[1].message


def test_malformed_type_expression(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                B:
                  fields:
                    items: {type: "list["}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "B.fields.items")
    assert "'list[' is not a type expression" in problem.message
    assert "list[T], map[T] or a PascalCase type name" in problem.message


def test_type_defined_in_two_files(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {
            "a.yaml": """
                Shared:
                  fields:
                    x: {type: string}
                """,
            "b.yaml": """
                B:
                  enum: [b]
                Shared:
                  enum: [s]
                """,
        },
    )
    problems = problems_of(spec_dir)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.location.file == str(spec_dir / "b.yaml")
    assert where(problem) == ("b.yaml", 3, "Shared")
    assert f"already defined in {spec_dir / 'a.yaml'} line 1" in problem.message
    assert "rename one of them" in problem.message


@pytest.mark.parametrize("name", ["Model", "DecodeError", "Unset", "Literal"])
def test_reserved_type_name(tmp_path: Path, name: str) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": f"""
                A:
                  enum: [a]
                {name}:
                  enum: [b]
                """},
    )
    assert where(problem) == ("a.yaml", 3, name)
    assert "the generated package uses itself" in problem.message
    assert "choose another name" in problem.message


@pytest.mark.parametrize("name", ["UNSET", "TypeVar"])
def test_reserved_type_name_used_by_generated_modules(tmp_path: Path, name: str) -> None:
    problems = problems_of(
        write_spec(tmp_path, {"a.yaml": SMALL_VALID_SPEC + f"{name}:\n  enum: [a]\n"})
    )
    assert [where(p) for p in problems] == [("a.yaml", 12, name)]


@pytest.mark.parametrize(
    ("inner", "kind"),
    [
        pytest.param("E:\n  enum: [a]\n", "an enum", id="enum"),
        pytest.param(
            "O:\n  fields:\n    type: {const: o}\n" "E:\n  union: {tag: type}\n  variants: [O]\n",
            "a tagged union",
            id="tagged-union",
        ),
        pytest.param("E:\n  one_of: [string, integer]\n", "an untagged union", id="one-of"),
    ],
)
def test_variant_that_is_not_an_object(tmp_path: Path, inner: str, kind: str) -> None:
    spec = inner + "U:\n  union: {tag: type}\n  variants:\n    - E\n"
    line = spec.lstrip("\n").count("\n")
    problem = only_problem(tmp_path, {"a.yaml": spec})
    assert where(problem) == ("a.yaml", line, "U.variants[0]")
    assert f"'E' is {kind}" in problem.message
    assert "every variant of a tagged union must be an object type" in problem.message


def test_variant_without_the_tag_field(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {
            "a.yaml": """
                U:
                  union: {tag: type}
                  variants: [O]
                """,
            "b.yaml": """
                O:
                  fields:
                    name: {type: string}
                """,
        },
    )
    problems = problems_of(spec_dir)
    assert [where(p) for p in problems] == [("a.yaml", 3, "U.variants[0]")]
    message = problems[0].message
    assert "the variant 'O' needs a constant discriminator field" in message
    assert f"add 'type: {{const: <value>}}' to its fields in {spec_dir / 'b.yaml'}" in message


def test_variant_whose_tag_is_not_a_const(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                O:
                  fields:
                    type: {type: string}
                U:
                  union: {tag: type}
                  variants: [O]
                """},
    )
    assert where(problem) == ("a.yaml", 6, "U.variants[0]")
    assert "add 'type: {const: <value>}'" in problem.message


def test_two_variants_sharing_a_tag_value(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                O:
                  fields:
                    type: {const: same}
                P:
                  fields:
                    type: {const: same}
                U:
                  union: {tag: type}
                  variants:
                    - O
                    - P
                """},
    )
    assert where(problem) == ("a.yaml", 11, "U.variants[1]")
    assert "the 'type' value 'same' already selects the variant 'O'" in problem.message
    assert "each value must select one variant" in problem.message


def test_two_variants_sharing_a_tag_value_through_the_list_form(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                O:
                  fields:
                    kind: {const: [o_20250101, o]}
                P:
                  fields:
                    kind: {const: [p, o]}
                U:
                  union: {tag: kind}
                  variants:
                    - O
                    - {type: P, beta: p-beta-1}
                """},
    )
    assert where(problem) == ("a.yaml", 11, "U.variants[1]")
    assert "the 'kind' value 'o' already selects the variant 'O'" in problem.message


def test_default_variant_whose_tag_is_not_optional(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": TWO_OBJECTS + "U:\n  union: {tag: type, default: O}\n  variants: [O, P]\n"},
    )
    assert where(problem) == ("a.yaml", 3, "O.fields.type")
    assert "'O' is the default variant of U" in problem.message
    assert "'optional: true'" in problem.message


def test_non_default_variant_with_an_optional_tag(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                O:
                  fields:
                    type: {const: o}
                P:
                  fields:
                    type: {const: p, optional: true}
                U:
                  union: {tag: type}
                  variants: [O, P]
                """},
    )
    assert where(problem) == ("a.yaml", 6, "P.fields.type")
    assert "only the default variant may leave out 'type' or send it as null" in problem.message
    assert "make it required and not nullable, or make 'P' the default of U" in problem.message


def test_default_not_among_the_variants(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": TWO_OBJECTS + "U:\n  union: {tag: type, default: P}\n  variants: [O]\n"},
    )
    assert where(problem) == ("a.yaml", 8, "U.union.default")
    assert "the default 'P' is not one of the variants" in problem.message
    assert "add it to 'variants'" in problem.message


def test_variant_listed_twice(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {
            "a.yaml": TWO_OBJECTS
            + "U:\n  union: {tag: type}\n  variants:\n    - O\n    - P\n    - {type: O}\n"
        },
    )
    assert where(problem) == ("a.yaml", 12, "U.variants[2]")
    assert "'O' is listed twice; keep one" in problem.message


@pytest.mark.parametrize(
    ("defs", "alternatives", "kind"),
    [
        pytest.param(TWO_OBJECTS, ["O", "P"], "object", id="two-objects"),
        pytest.param(TWO_OBJECTS, ["O", '"map[string]"'], "object", id="object-and-map"),
        pytest.param("", ["integer", "number"], "number", id="integer-number"),
        pytest.param("", ["number", "integer"], "integer", id="number-integer"),
        pytest.param("E:\n  enum: [e]\n", ["E", "string"], "string", id="enum-string"),
        pytest.param("", ["{const: all}", "string"], "string", id="const-string"),
        pytest.param("", ['"list[string]"', '"list[integer]"'], "array", id="two-lists"),
    ],
)
def test_one_of_alternatives_of_the_same_json_kind(
    tmp_path: Path, defs: str, alternatives: list[str], kind: str
) -> None:
    spec = defs + "A:\n  one_of:\n" + "".join(f"    - {alt}\n" for alt in alternatives)
    line = spec.lstrip("\n").count("\n")
    problem = only_problem(tmp_path, {"a.yaml": spec})
    assert where(problem) == ("a.yaml", line, "A.one_of[1]")
    json_kind = "number" if kind in ("integer", "number") else kind
    assert problem.message.startswith("this alternative and alternative 1 (")
    assert f"both accept a JSON {json_kind}, so the value alone cannot" in problem.message
    hint = "use an enum listing the allowed strings" if kind == "string" else "merge them"
    assert hint in problem.message


def test_one_of_containing_any(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  one_of:
                    - string
                    - any
                """},
    )
    assert where(problem) == ("a.yaml", 4, "A.one_of[1]")
    assert "'any' matches every JSON value" in problem.message
    assert "use a field of type any instead" in problem.message


def test_one_of_nesting_another_one_of(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                Inner:
                  one_of: [string, integer]
                A:
                  one_of:
                    - boolean
                    - Inner
                """},
    )
    assert where(problem) == ("a.yaml", 6, "A.one_of[1]")
    assert "'Inner' is itself an untagged union" in problem.message
    assert "list its alternatives here instead of nesting it" in problem.message


def test_one_of_containing_itself_through_a_list(tmp_path: Path) -> None:
    # The alias `A = str | list[A]` refers to itself: reported as a cycle, not as nesting.
    problem = only_problem(tmp_path, {"a.yaml": 'A:\n  one_of: [string, "list[A]"]\n'})
    assert where(problem) == ("a.yaml", 1, "A")
    assert "the untagged union A contains itself" in problem.message
    assert "put an object type in between" in problem.message


def test_one_of_cycle_through_two_unions(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path,
            {"a.yaml": """
                    A:
                      one_of: [string, "list[B]"]
                    B:
                      one_of: [integer, "map[A]"]
                    """},
        )
    )
    assert [where(p) for p in problems] == [("a.yaml", 1, "A"), ("a.yaml", 3, "B")]


def test_wire_name_that_is_a_keyword(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    from: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.from")
    assert "the wire name 'from' cannot be a Python attribute" in problem.message
    assert "add 'python_name: from_' to this field" in problem.message


def test_wire_name_that_is_not_an_identifier(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    cache-control: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.cache-control")
    assert "add 'python_name: cache_control'" in problem.message


def test_wire_name_extra_is_a_reserved_attribute(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    x: {type: string}
                    extra: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 4, "A.fields.extra")
    assert "add 'python_name: extra_'" in problem.message


def test_python_name_colliding_with_another_field(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    from_: {type: string}
                    from: {type: string, python_name: from_}
                """},
    )
    assert where(problem) == ("a.yaml", 4, "A.fields.from")
    assert "the Python name 'from_' is already used by the field 'from_'" in problem.message
    assert "give one of them another python_name" in problem.message


def test_python_name_that_is_a_keyword(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    klass: {type: string, python_name: class}
                """},
    )
    assert where(problem) == ("a.yaml", 3, "A.fields.klass")
    assert "python_name 'class' is a keyword or a reserved attribute" in problem.message
    assert "choose another" in problem.message


def test_python_names_whose_decoder_locals_collide(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {"a.yaml": """
                Thing:
                  fields:
                    type: {const: thing}
                    type_: {type: integer}
                Other:
                  fields:
                    type: {const: other}
                Block:
                  union: {tag: type}
                  variants: [Thing, Other]
                """},
    )
    try:
        outputs = generate_files(spec_dir)
    except SpecError:
        return  # rejecting the spec is a fix too
    out = tmp_path / "out"
    for name, content in outputs.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    package = import_generated(out / "anthropic_messages", "spec_errors_local_collision")
    decoded = package.decode(package.Thing, {"type": "thing", "type_": 5})
    assert (decoded.type, decoded.type_) == ("thing", 5)


def test_non_default_variant_with_a_nullable_tag(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                O:
                  fields:
                    type: {const: o}
                P:
                  fields:
                    type: {const: p, nullable: true}
                U:
                  union: {tag: type}
                  variants: [O, P]
                """},
    )
    assert where(problem) == ("a.yaml", 6, "P.fields.type")
    assert "only the default variant may leave out 'type' or send it as null" in problem.message


def test_null_tag_selects_a_default_variant_whose_tag_is_nullable(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        {"a.yaml": """
                Custom:
                  fields:
                    type: {const: custom, optional: true, nullable: true}
                    name: {type: string}
                Bash:
                  fields:
                    type: {const: bash}
                Tool:
                  union: {tag: type, default: Custom}
                  variants: [Custom, Bash]
                """},
    )
    package = tmp_path / "out"
    for name, content in generate_files(spec).items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(content)
    generated = import_generated(package / "anthropic_messages", "null_tag_package")
    for body in ({"name": "a"}, {"type": None, "name": "a"}, {"type": "custom", "name": "a"}):
        tool = generated.decode(generated.Tool, body, strict=True)
        assert isinstance(tool, generated.Custom)
        assert generated.encode(tool) == body  # null stays null, absent stays absent


def test_enum_value_listed_twice(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                E:
                  enum:
                    - a
                    - b
                    - {value: a, beta: a-beta-1}
                """},
    )
    assert where(problem) == ("a.yaml", 5, "E.enum")
    assert "the value 'a' is listed twice (first on line 3); keep one" in problem.message


def test_wire_name_that_yaml_reads_as_a_boolean(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    on: {type: string, python_name: on_}
                """},
    )
    try:
        checked = check(spec_dir)
    except SpecError:
        return  # rejecting it (e.g. "quote the key") is a fix too
    definition = checked.definitions["A"]
    assert isinstance(definition, ObjectType)
    assert [f.wire_name for f in definition.fields] == ["on"]


def test_stable_field_uses_a_beta_type(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                Beta:
                  beta: some-beta-1
                  fields:
                    x: {type: string}
                A:
                  fields:
                    ok: {type: Beta, beta: some-beta-1}
                    items: {type: "list[Beta]"}
                """},
    )
    assert where(problem) == ("a.yaml", 8, "A.fields.items")
    assert "this stable element uses 'Beta', which is beta (some-beta-1)" in problem.message
    assert "mark the field 'beta: some-beta-1' too, or drop 'beta' from Beta" in problem.message


def test_stable_one_of_uses_a_beta_type(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                Beta:
                  beta: some-beta-1
                  fields:
                    x: {type: string}
                A:
                  one_of:
                    - string
                    - Beta
                """},
    )
    assert where(problem) == ("a.yaml", 8, "A.one_of[1]")
    assert "this stable element uses 'Beta', which is beta (some-beta-1)" in problem.message


def test_untagged_unions_with_the_same_alternatives(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                A:
                  one_of: [{const: all}, "list[string]"]
                B:
                  one_of: ["list[ string ]", {const: all}]
                """},
    )
    assert where(problem) == ("a.yaml", 3, "B")
    assert "B has the same alternatives as A; use A instead" in problem.message


# --- generated names ----------------------------------------------------------------------


def test_union_unknown_class_collides_with_a_defined_type(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                X:
                  fields:
                    type: {const: x}
                Block:
                  union: {tag: type}
                  variants: [X]
                UnknownBlock:
                  fields:
                    raw: {type: string}
                """},
    )
    assert where(problem) == ("a.yaml", 4, "Block")
    assert "generates the Python name(s) 'UnknownBlock' for its own use" in problem.message
    assert "rename one of them" in problem.message


def test_two_types_whose_snake_case_names_collide(tmp_path: Path) -> None:
    assert naming.snake_case("HTTPThing") == naming.snake_case("HttpThing") == "http_thing"
    problem = only_problem(
        tmp_path,
        {"a.yaml": """
                HTTPThing:
                  enum: [a]
                HttpThing:
                  enum: [b]
                """},
    )
    assert where(problem) == ("a.yaml", 3, "HttpThing")
    assert "'HttpThing' and 'HTTPThing'" in problem.message
    assert "'decode_http_thing'" in problem.message
    assert "rename one of them" in problem.message


# --- file names ---------------------------------------------------------------------------


def test_file_name_with_a_dash_becomes_an_underscore_area(tmp_path: Path) -> None:
    assert area_of(Path("my-area.yaml")) == "my_area"
    checked = check(write_spec(tmp_path, {"my-area.yaml": "A:\n  enum: [a]\n"}))
    assert tuple(f.area for f in checked.files) == ("my_area",)


def test_two_files_with_the_same_area_name(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path, {"my-area.yaml": "A:\n  enum: [a]\n", "my_area.yaml": "B:\n  enum: [b]\n"}
        )
    )
    assert [where(p) for p in problems] == [("my_area.yaml", 1, "(file)")]
    assert "my-area.yaml both make the module '_my_area'; rename one" in problems[0].message


def test_two_files_with_the_same_area_name_message_says_how_to_fix(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path, {"my-area.yaml": "A:\n  enum: [a]\n", "my_area.yaml": "B:\n  enum: [b]\n"}
    )
    (problem,) = problems_of(spec_dir)
    assert "my-area.yaml" in problem.message
    assert "rename" in problem.message


@pytest.mark.parametrize("file_name", ["1area.yaml", "my area.yaml", "class.yaml"])
def test_file_name_that_is_not_a_module_name(tmp_path: Path, file_name: str) -> None:
    problem = only_problem(tmp_path, {file_name: "A:\n  enum: [a]\n"})
    assert where(problem) == (file_name, 1, "(file)")
    assert "the file name must make a Python module name" in problem.message
    assert "rename it" in problem.message


@pytest.mark.parametrize("file_name", ["1area.yaml", "class.yaml"])
def test_file_name_suggestion_is_a_module_name(tmp_path: Path, file_name: str) -> None:
    problem = only_problem(tmp_path, {file_name: "A:\n  enum: [a]\n"})
    assert f"for example {file_name}" not in problem.message


@pytest.mark.parametrize("area", ["runtime", "unions", "init"])
def test_reserved_area_name(tmp_path: Path, area: str) -> None:
    problem = only_problem(tmp_path, {f"{area}.yaml": "A:\n  enum: [a]\n"})
    assert where(problem) == (f"{area}.yaml", 1, "(file)")
    assert f"the area name '{area}' is used by the generated package itself" in problem.message
    assert "rename the file" in problem.message


# --- several problems ---------------------------------------------------------------------


def test_all_semantic_problems_are_reported_sorted_by_file_and_line(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path,
            {
                "b.yaml": """
                    B:
                      fields:
                        from: {type: string}
                        y: {type: Nope}
                    """,
                "a.yaml": """
                    A:
                      one_of: [integer, number]
                    Model:
                      enum: [a, b, a]
                    """,
            },
        )
    )
    assert [where(p) for p in problems] == [
        ("a.yaml", 2, "A.one_of[1]"),
        ("a.yaml", 3, "Model"),
        ("a.yaml", 4, "Model.enum"),
        ("b.yaml", 3, "B.fields.from"),
        ("b.yaml", 4, "B.fields.y"),
    ]
    assert problems == sorted(problems)


def test_all_meta_schema_problems_are_reported_sorted(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path,
            {
                "b.yaml": "B:\n  fields:\n    x: {type: string, optinal: true}\n",
                "a.yaml": "A:\n  enum: []\nC:\n  one_of: [string]\n",
            },
        )
    )
    assert [where(p) for p in problems] == [
        ("a.yaml", 2, "A.enum"),
        ("a.yaml", 4, "C.one_of"),
        ("b.yaml", 3, "B.fields.x"),
    ]


def test_yaml_problems_of_every_file_are_reported(tmp_path: Path) -> None:
    problems = problems_of(
        write_spec(
            tmp_path,
            {"b.yaml": "B: [\n", "a.yaml": "A:\n  enum: [a]\n  enum: [b]\n"},
        )
    )
    assert [where(p) for p in problems] == [("a.yaml", 3, "enum"), ("b.yaml", 2, "")]


# --- the command line ---------------------------------------------------------------------


def test_cli_validate_reports_problems_and_exits_1(tmp_path: Path) -> None:
    spec_dir = write_spec(
        tmp_path,
        {"a.yaml": """
                A:
                  fields:
                    from: {type: string}
                    block: {type: Textblock}
                TextBlock:
                  enum: [a]
                """},
    )
    result = run_codegen("validate", "--spec", str(spec_dir))
    assert result.returncode == 1
    assert result.stdout == ""
    file = spec_dir / "a.yaml"
    assert result.stderr.splitlines() == [
        f"error: {file}:3: A.fields.from: the wire name 'from' cannot be a Python attribute; "
        "add 'python_name: from_' to this field",
        f"error: {file}:4: A.fields.block: the type 'Textblock' is not defined in any spec file "
        "(did you mean TextBlock?); define it or fix the name",
        "2 problem(s) in the spec.",
    ]


def test_cli_validate_accepts_a_valid_spec(tmp_path: Path) -> None:
    spec_dir = write_spec(tmp_path, {"a.yaml": SMALL_VALID_SPEC})
    result = run_codegen("validate", "--spec", str(spec_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "spec OK: 3 types in 1 files"


def test_cli_generate_with_a_bad_spec_writes_nothing(tmp_path: Path) -> None:
    good = write_spec(tmp_path, {"a.yaml": SMALL_VALID_SPEC})
    out = tmp_path / "out"
    assert run_codegen("generate", "--spec", str(good), "--out", str(out)).returncode == 0
    before = snapshot(out)
    assert "anthropic_messages/_a.py" in before

    (good / "a.yaml").write_text(SMALL_VALID_SPEC + "Broken:\n  fields:\n    x: {type: Nope}\n")
    result = run_codegen("generate", "--spec", str(good), "--out", str(out))
    assert result.returncode == 1
    assert "'Nope' is not defined" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(out) == before

    absent = tmp_path / "absent"
    result = run_codegen("generate", "--spec", str(good), "--out", str(absent))
    assert result.returncode == 1
    assert not absent.exists()


def test_cli_generate_check(tmp_path: Path) -> None:
    spec_dir = write_spec(tmp_path, {"a.yaml": SMALL_VALID_SPEC})
    out = tmp_path / "out"
    assert run_codegen("generate", "--spec", str(spec_dir), "--out", str(out)).returncode == 0

    result = run_codegen("generate", "--check", "--spec", str(spec_dir), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stdout

    package = out / "anthropic_messages"
    (package / "_a.py").write_text((package / "_a.py").read_text() + "# edited by hand\n")
    (package / "_unions.py").unlink()
    (package / "stray.py").write_text("x = 1\n")
    before = snapshot(out)
    result = run_codegen("generate", "--check", "--spec", str(spec_dir), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{out} is stale: run `codegen generate --spec {spec_dir} --out {out}` "
        "(`make generate` for the project's spec) and commit the result.",
        f"  differs: {package / '_a.py'}",
        f"  missing: {package / '_unions.py'}",
        f"  no longer generated: {package / 'stray.py'}",
    ]
    assert snapshot(out) == before, "--check must not write"


def test_cli_generate_spec_without_unions(tmp_path: Path) -> None:
    spec_dir = write_spec(tmp_path, {"a.yaml": "Thing:\n  fields:\n    x: {type: string}\n"})
    result = run_codegen("generate", "--spec", str(spec_dir), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr


# --- the real spec ------------------------------------------------------------------------


def test_the_real_spec_is_valid() -> None:
    files = load_spec_dir(REAL_SPEC)
    checked = validate(build_model(files))
    assert tuple(f.area for f in checked.files) == tuple(
        area_of(p) for p in sorted(REAL_SPEC.glob("*.yaml"))
    )
    types = [name for f in files for name in f.types if name not in ("stream", "betas")]
    assert len(types) == len(checked.definitions) > 0
