"""The typed spec model (codegen/spec_model.py): shorthands read into one form, expressions parsed
once, locations kept, and `extends` resolved."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codegen import build_ir, load, spec_model, typeexpr, validate
from codegen.errors import SpecError
from codegen.spec_model import EnumType, ObjectType, OneOf, Spec, TaggedUnion


def model_of(tmp_path: Path, files: dict[str, str]) -> Spec:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    for name, text in files.items():
        (spec_dir / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return spec_model.build(load.load_spec_dir(spec_dir))


def problems(spec: Spec) -> list[str]:
    with pytest.raises(SpecError) as info:
        validate.validate(spec)
    return [f"{p.location.line}: {p.location.key}: {p.message}" for p in info.value.problems]


def field_names(definition: object) -> list[str]:
    assert isinstance(definition, ObjectType)
    return [f.wire_name for f in definition.fields]


def test_shorthands_are_read_into_one_form(tmp_path: Path) -> None:
    spec = model_of(
        tmp_path,
        {"a.yaml": """
            Mode:
              open: false
              enum: [plain, {value: fancy, beta: fancy-2026-01-01, description: Fancy.}]
            Block:
              union: {tag: type, default: Text}
              variants: [Text, {type: Image, beta: [img-1, img-2]}]
            Text:
              beta: text-2026
              fields:
                type: {const: text, optional: true}
                body: {type: "list[map[Mode]]", nullable: true, default: []}
            Image:
              fields:
                type: {const: [image, picture]}
            Either:
              one_of: [{const: all}, "list[Block]"]
            """},
    )
    mode, block, text, image, either = spec.types
    assert isinstance(mode, EnumType) and not mode.open
    assert [(v.value, v.docs.beta, v.line) for v in mode.values] == [
        ("plain", (), 3),
        ("fancy", ("fancy-2026-01-01",), 3),
    ]
    assert isinstance(block, TaggedUnion) and block.default == "Text" and block.tag_line == 5
    assert [(v.type_name, v.beta) for v in block.variants] == [
        ("Text", ()),
        ("Image", ("img-1", "img-2")),
    ]
    assert isinstance(text, ObjectType) and text.docs.beta == ("text-2026",)
    kind, body = text.fields
    assert (kind.const, kind.optional, kind.type, kind.line) == (("text",), True, None, 10)
    assert body.type == typeexpr.parse("list[map[Mode]]") and body.type_text == "list[map[Mode]]"
    assert (body.nullable, body.has_default, body.default) == (True, True, [])
    assert isinstance(image, ObjectType) and image.fields[0].const == ("image", "picture")
    assert isinstance(either, OneOf)
    assert [a.shown for a in either.alternatives] == ["{const: all}", "list[Block]"]
    assert validate.validate(spec) is spec


def test_an_expression_that_does_not_parse_is_a_located_problem(tmp_path: Path) -> None:
    spec = model_of(tmp_path, {"a.yaml": "A:\n  fields:\n    x: {type: strnig}\n"})
    assert spec.types[0].fields[0].type is None  # type: ignore[union-attr]
    assert problems(spec) == [
        "3: A.fields.x: 'strnig' is not a type expression; write one of string, integer, "
        "number, boolean, any, list[T], map[T] or a PascalCase type name (did you mean 'string'?)"
    ]


EXTENDS = {
    "base.yaml": """
    Common:
      abstract: true
      fields:
        cache_control: {type: string, optional: true, description: Shared.}
        strict: {type: boolean, optional: true}
        defer_loading: {type: boolean, optional: true}
    """,
    "tools.yaml": """
    Bash:
      extends: Common
      fields:
        type: {const: bash}
        strict: {type: boolean, optional: true, nullable: true, description: Redefined.}
    Editor:
      extends: Bash
      without: [defer_loading]
      fields:
        type: {const: editor}
        max_characters: {type: integer, optional: true}
    """,
}


def test_new_fields_come_first_then_the_base_order_with_redefinitions_in_place(
    tmp_path: Path,
) -> None:
    spec = model_of(tmp_path, EXTENDS)
    definitions = spec.definitions
    assert field_names(definitions["Bash"]) == ["type", "cache_control", "strict", "defer_loading"]
    # Editor's `type` redefines Bash's and keeps its place; `max_characters` is new.
    assert field_names(definitions["Editor"]) == [
        "max_characters",
        "type",
        "cache_control",
        "strict",
    ]
    bash = definitions["Bash"]
    assert isinstance(bash, ObjectType)
    inherited, strict = bash.fields[1], bash.fields[2]
    assert strict.nullable and strict.docs.description == "Redefined."
    # An inherited field keeps the place it was written, for messages.
    assert (inherited.file.path.endswith("base.yaml"), inherited.line) == (True, 4)
    validate.validate(spec)


def test_an_abstract_type_makes_no_code_and_its_heirs_do(tmp_path: Path) -> None:
    package = build_ir.build(validate.validate(model_of(tmp_path, EXTENDS)))
    names = [obj.name for area in package.areas for obj in area.objects]
    assert names == ["Bash", "Editor"]
    editor = package.areas[1].objects[1]
    assert [f.python_name for f in editor.fields] == [
        "max_characters",
        "type",
        "cache_control",
        "strict",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"a.yaml": "A:\n  extends: Missing\n  fields:\n    x: {type: string}\n"},
            "2: A.extends: 'Missing' is not an object type of any spec file; extend an object "
            "type (one with fields)",
        ),
        (
            {"a.yaml": "E:\n  enum: [x]\nA:\n  extends: E\n"},
            "4: A.extends: 'E' is not an object type of any spec file; extend an object type "
            "(one with fields)",
        ),
        (
            {"a.yaml": "A:\n  extends: B\nB:\n  extends: A\n"},
            "4: B.extends: these types extend each other in a cycle: A -> B -> A; break it",
        ),
        (
            {"a.yaml": "B:\n  fields:\n    x: {type: string}\nA:\n  extends: B\n  without: [y]\n"},
            "6: A.without: 'y' is not a field B has; remove it from 'without'",
        ),
        (
            {
                "a.yaml": "B:\n  abstract: true\n  fields:\n    x: {type: string}\n"
                "A:\n  fields:\n    b: {type: B}\n"
            },
            "7: A.fields.b: 'B' is abstract: it only lends its fields to the types that extend "
            "it; use one of those, or drop 'abstract' from it",
        ),
        (
            {
                "a.yaml": "B:\n  fields:\n    x: {type: string}\nA:\n  extends: B\n"
                "  without: [x]\n  fields:\n    x: {type: boolean}\n"
            },
            "6: A.without: 'x' is both left out here and written among the fields; keep the "
            "field (it replaces the inherited one) or remove it from 'without'",
        ),
        (
            {"a.yaml": "A:\n  without: [x]\n  fields:\n    x: {type: string}\n"},
            "1: A: 'without' drops fields a type inherits, so it needs 'extends: <base type>'; add "
            "that or remove 'without'",
        ),
    ],
    ids=[
        "undefined base",
        "base not an object",
        "cycle",
        "without unknown",
        "abstract used",
        "without and redefined",
        "without alone",
    ],
)
def test_extends_problems_are_located(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    try:
        spec = model_of(tmp_path, files)
    except SpecError as error:
        found = [f"{p.location.line}: {p.location.key}: {p.message}" for p in error.problems]
    else:
        found = problems(spec)
    assert expected in found, found


def test_a_problem_in_an_inherited_field_is_reported_once_where_it_is_written(
    tmp_path: Path,
) -> None:
    spec = model_of(
        tmp_path,
        {
            "a.yaml": """
            Base:
              abstract: true
              fields:
                x: {type: Missing}
            """,
            "b.yaml": """
            A:
              extends: Base
              fields:
                type: {const: a}
            B:
              extends: A
              fields:
                from: {type: string, python_name: x}
            """,
        },
    )
    found = problems(spec)
    assert [p for p in found if "'Missing'" in p] == [
        "4: Base.fields.x: the type 'Missing' is not defined in any spec file; define it or fix "
        "the name"
    ]
    # B's own field takes the Python name of an inherited one: reported on B's field.
    assert (
        "8: B.fields.from: the Python name 'x' is already used by the field 'x'; give one of "
        "them another python_name"
    ) in found


def test_a_type_name_ending_in_an_underscore_is_refused(tmp_path: Path) -> None:
    spec = model_of(tmp_path, {"a.yaml": "Foo_:\n  fields:\n    Foo: {type: string}\n"})
    assert problems(spec)[0].startswith("1: Foo_: 'Foo_' ends in an underscore")
