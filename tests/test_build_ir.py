"""The builder of the intermediate model (codegen/build_ir.py and codegen/expressions.py): the
names, groups and expressions it decides for the templates, and a check of the real package that
no generated name hides a builtin, a runtime helper or another generated name."""

from __future__ import annotations

import ast
import builtins
import symtable
import textwrap
from pathlib import Path

import pytest

from codegen import build_ir, ir, load, spec_model, validate
from tests.support import GENERATED

SPEC = {
    "blocks.yaml": """
    Block:
      union: {tag: type}
      variants: [Text, Image]
    Text:
      fields:
        type: {const: text}
        text: {type: string}
        note: {type: string, optional: true, nullable: true}
        extra_data: {type: any, optional: true}
    Image:
      fields:
        type: {const: [image, picture]}
        size: {type: integer, nullable: true}
    """,
    "request.yaml": """
    Request:
      fields:
        blocks: {type: "list[Block]"}
        labels: {type: "map[string]", optional: true}
        content: {type: Content}
        settings: {type: "map[any]"}
    Content:
      one_of: [{const: none}, "list[Block]", integer]
    URLPDFSource:
      fields:
        url: {type: string}
    """,
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ir.Package:
    spec_dir = tmp_path_factory.mktemp("ir") / "spec"
    spec_dir.mkdir()
    for name, text in SPEC.items():
        (spec_dir / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return build_ir.build(validate.validate(spec_model.build(load.load_spec_dir(spec_dir))))


def obj(package: ir.Package, name: str) -> ir.ObjectType:
    return next(o for area in package.areas for o in area.objects if o.name == name)


def field(package: ir.Package, owner: str, wire_name: str) -> ir.Field:
    return next(f for f in obj(package, owner).fields if f.wire_name == wire_name)


def test_names_come_from_the_naming_rules(package: ir.Package) -> None:
    assert [area.module for area in package.areas] == ["_blocks", "_request"]
    assert obj(package, "URLPDFSource").decoder == "decode_url_pdf_source"
    union = package.unions.tagged_unions[0]
    assert (union.unknown_class, union.table_name) == ("UnknownBlock", "_BLOCK_VARIANTS")
    assert obj(package, "Text").known_fields_name == "_TEXT_FIELDS"
    assert [f.local_name for f in obj(package, "Text").fields] == [
        "type_",
        "text_",
        "note_",
        "extra_data_",
    ]


def test_fields_are_grouped_as_the_decoder_reads_them(package: ir.Package) -> None:
    text = obj(package, "Text")
    assert [f.wire_name for f in text.tag_fields] == ["type"]
    assert [f.wire_name for f in text.read_fields] == ["text"]
    assert [f.wire_name for f in text.optional_fields] == ["note", "extra_data"]
    assert text.read_fields[0].missing_pair == '("text", "a string")'


def test_checks_group_a_null_guard_only_around_alternatives(package: ir.Package) -> None:
    assert field(package, "Text", "note").invalid_test == (
        "note_ is not None and (type(note_) is not str or not note_.isascii() "
        "and has_lone_surrogate(note_))"
    )
    assert field(package, "Image", "type").invalid_test == (
        'type(type_) is not str or type_ not in ("image", "picture")'
    )
    assert field(package, "Text", "extra_data").kept_check == "check_json(extra_data_)"
    assert field(package, "Request", "settings").kept_check == "check_json_members(settings_)"
    assert field(package, "Request", "settings").invalid_test == "type(settings_) is not dict"


def test_decoders_are_named_alike_in_every_module(package: ir.Package) -> None:
    # Every module imports the names of the others, so a reference is never qualified.
    assert field(package, "Request", "blocks").decode_call == (
        "decode_list(blocks_, decode_block, strict)"
    )
    assert field(package, "Request", "labels").decode_call == (
        "decode_map(labels_, decode_string, strict)"
    )
    union = package.unions.tagged_unions[0]
    assert [v.decoder_ref for v in union.variants] == ["decode_text", "decode_image"]
    content = package.unions.one_ofs[0]
    assert [(b.test, b.invalid_test, b.result) for b in content.branches] == [
        ("type(data) is str", 'data != "none"', '"none"'),
        ("type(data) is list", "", "decode_list(data, decode_block, strict)"),
        ("type(data) is int", "not JSON_INT_MIN <= data <= JSON_INT_MAX", "data"),
    ]


def test_what_the_decoder_stores_and_the_encoder_writes(package: ir.Package) -> None:
    assert field(package, "Text", "type").stored_value == '"text"'
    assert field(package, "Image", "type").stored_value == (
        'cast(\'Literal["image", "picture"]\', type_)'
    )
    assert field(package, "Text", "text").encoded == "self.text"
    assert field(package, "Text", "note").encoded == "note_"
    assert field(package, "Request", "blocks").encoded == (
        "[item0.to_dict() for item0 in self.blocks]"
    )
    # Values that are their own JSON first, then the list the `else` branch builds.
    assert field(package, "Request", "content").encoded == (
        "self.content if isinstance(self.content, str) else self.content if "
        "isinstance(self.content, int) else [item0.to_dict() for item0 in self.content]"
    )
    assert field(package, "Request", "labels").encoded == "dict(labels_)"


# --- the real package: nothing hidden ----------------------------------------------------------


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def _function_scopes(table: symtable.SymbolTable) -> list[symtable.SymbolTable]:
    found = []
    for child in table.get_children():
        if child.get_type() == "function":
            found.append(child)
        found += _function_scopes(child)
    return found


AREA_MODULES = sorted(
    p for p in (GENERATED / "anthropic_messages").glob("_*.py") if p.stem not in ("_runtime",)
)


@pytest.mark.parametrize("path", AREA_MODULES, ids=lambda p: p.name)
def test_no_generated_name_hides_a_builtin_or_a_module_name(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    module_level = _module_names(tree)
    defined = {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    assert not defined & set(dir(builtins)), "a generated class or function hides a builtin"
    hidden = []
    for scope in _function_scopes(symtable.symtable(source, path.name, "exec")):
        parameters = set(scope.get_parameters())  # type: ignore[attr-defined]
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if symbol.is_local() and name not in parameters and scope.get_name() != "__init__":
                if name in module_level or name in dir(builtins):
                    hidden.append(f"{scope.get_name()}: {name}")
    assert hidden == []
