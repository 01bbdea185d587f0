"""No text from a spec reaches generated source except through codegen.pysource.

Two guards, tested here: a static walk over every template interpolation, which follows each
value back to the intermediate model's field types (Identifier and PySource may be written as
they are, SpecText only through the `literal` and `docstring` filters); and render.py's output
hook, which refuses a SpecText at run time. A spec that reaches code generation with a hostile
name must fail in `identifier()` rather than write code.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import black
import jinja2
import pytest
from jinja2 import nodes

from codegen import build_ir, ir, load, naming, pysource, render, spec_model
from codegen.pysource import Identifier, PySource, SpecText

TEMPLATES = Path(render.DEFAULT_TEMPLATES)

# What a value in a template is: safe to write as it is, text that must be escaped, or a model
# object (whose repr would hold spec text) that must never be written directly.
SAFE, OBJECT, TEXT = "safe", "object", "text"
_RANK = {SAFE: 0, OBJECT: 1, TEXT: 2}
ESCAPERS = {"literal", "docstring"}
# Filters whose result is what their input holds (or only some of it).
PASS_THROUGH = {"list", "join", "replace", "trim", "first", "last", "selectattr", "rejectattr"}
# Jinja filters that produce numbers or booleans.
NUMERIC = {"length", "count"}


def _worst(*kinds: str) -> str:
    return max(kinds, key=_RANK.__getitem__, default=SAFE)


def _classify(annotation: Any) -> str | None:
    """SAFE, OBJECT or TEXT for a model field's annotation; None if it is a bare str."""
    if annotation is SpecText:
        return TEXT
    if annotation in (Identifier, PySource, bool, int):
        return SAFE
    if dataclasses.is_dataclass(annotation):
        return OBJECT
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return SAFE  # the generator's own constants
    if origin in (tuple, typing.Union, types.UnionType):
        kinds = [_classify(arg) for arg in args if arg not in (Ellipsis, type(None))]
        if None in kinds:
            return None
        return _worst(*[k for k in kinds if k is not None])
    return None


def _attribute_kinds() -> dict[str, str | None]:
    """The kind of every field and property of the intermediate model, by attribute name."""
    kinds: dict[str, str | None] = {}
    for value in vars(ir).values():
        if not (isinstance(value, type) and dataclasses.is_dataclass(value)):
            continue
        hints = typing.get_type_hints(value)
        for name, member in vars(value).items():
            if isinstance(member, property) and member.fget is not None:
                hints[name] = typing.get_type_hints(member.fget)["return"]
        for name, annotation in hints.items():
            kind = _classify(annotation)
            if name in kinds and kinds[name] != kind:
                # Two model types use one attribute name for different kinds: be strict.
                kind = None if None in (kind, kinds[name]) else _worst(kind, kinds[name])  # type: ignore[arg-type]
            kinds[name] = kind
    return kinds


ATTRIBUTES = _attribute_kinds()


class _Walker:
    """Follows values through one template and records interpolations that could write text
    from the spec without escaping it."""

    def __init__(self, name: str, macros: dict[str, set[str]]) -> None:
        self.name = name
        self.macros = macros  # macros by template alias ("" for this template's own)
        self.problems: list[str] = []

    def problem(self, node: nodes.Node, message: str) -> None:
        self.problems.append(f"{self.name}:{node.lineno}: {message}")

    def walk(self, body: list[nodes.Node], scope: dict[str, str]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, str]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    continue
                kind = self.kind(child, scope)
                if kind != SAFE:
                    what = "spec text" if kind == TEXT else "a model object"
                    self.problem(child, f"writes {what} without `literal` or `docstring`")
        elif isinstance(node, nodes.Assign):
            scope[node.target.name] = self.kind(node.node, scope)  # type: ignore[attr-defined]
        elif isinstance(node, nodes.For):
            inner = dict(scope)
            item = self.kind(node.iter, scope)
            for target in (
                node.target.find_all(nodes.Name)
                if not isinstance(node.target, nodes.Name)
                else [node.target]
            ):
                inner[target.name] = item
            if node.test is not None:
                self.kind(node.test, inner)
            self.walk(node.body, inner)
            self.walk(node.else_, scope)
        elif isinstance(node, nodes.If):
            self.kind(node.test, scope)
            self.walk(node.body, scope)
            for branch in node.elif_:
                self.statement(branch, scope)
            self.walk(node.else_, scope)
        elif isinstance(node, nodes.Macro):
            # Parameters hold model objects or source fragments: every call site is checked
            # not to pass spec text to them.
            inner = dict(scope)
            inner.update((arg.name, SAFE) for arg in node.args)
            self.walk(node.body, inner)
        elif isinstance(node, (nodes.Import, nodes.FromImport)):
            pass
        else:
            # `{% do %}` included: templates receive decisions, and render does not load it.
            self.problem(node, f"the safety walk does not know {type(node).__name__}")

    def kinds(self, values: list[nodes.Expr], scope: dict[str, str]) -> list[str]:
        return [self.kind(value, scope) for value in values]

    def kind(self, node: nodes.Node, scope: dict[str, str]) -> str:  # noqa: C901
        if isinstance(node, nodes.Const):
            return SAFE
        if isinstance(node, nodes.Name):
            if node.name not in scope:
                self.problem(node, f"unknown name {node.name!r}")
                return TEXT
            return scope[node.name]
        if isinstance(node, nodes.Getattr):
            base = self.kind(node.node, scope)
            if base == TEXT:
                return TEXT
            kind = ATTRIBUTES.get(node.attr, "missing")
            if kind == "missing":
                self.problem(node, f"attribute {node.attr!r} is not part of the model")
                return TEXT
            if kind is None:
                self.problem(
                    node, f"{node.attr!r} is a bare str: type it Identifier/PySource/SpecText"
                )
                return TEXT
            return kind
        if isinstance(node, nodes.Getitem):
            self.kind(node.arg, scope)
            return self.kind(node.node, scope)
        if isinstance(node, nodes.Filter):
            return self.filter_kind(node, scope)
        if isinstance(node, (nodes.Test, nodes.Compare, nodes.Not)):
            for child in node.iter_child_nodes():
                self.kind(child.expr if isinstance(child, nodes.Operand) else child, scope)
            return SAFE
        if isinstance(node, nodes.CondExpr):
            self.kind(node.test, scope)
            branches = [node.expr1] + ([node.expr2] if node.expr2 is not None else [])
            return _worst(*self.kinds(branches, scope))
        if isinstance(node, (nodes.Concat, nodes.List, nodes.Tuple)):
            return _worst(*self.kinds(list(node.iter_child_nodes()), scope))  # type: ignore[arg-type]
        if isinstance(node, (nodes.And, nodes.Or, nodes.Add, nodes.Sub, nodes.Mul)):
            return _worst(self.kind(node.left, scope), self.kind(node.right, scope))
        if isinstance(node, nodes.Slice):
            return SAFE
        if isinstance(node, nodes.Keyword):
            return self.kind(node.value, scope)
        if isinstance(node, nodes.Call):
            return self.call_kind(node, scope)
        if isinstance(node, nodes.Dict):
            return _worst(*[self.kind(pair.value, scope) for pair in node.items])
        self.problem(node, f"the safety walk does not know {type(node).__name__}")
        return TEXT

    def filter_kind(self, node: nodes.Filter, scope: dict[str, str]) -> str:
        assert node.node is not None
        value = self.kind(node.node, scope)
        self.kinds(node.args, scope)
        if node.name in ESCAPERS or node.name in NUMERIC:
            return SAFE
        if node.name == "map":
            if node.args and isinstance(node.args[0], nodes.Const):
                return SAFE if node.args[0].value in ESCAPERS else TEXT
            attribute = [kw for kw in node.kwargs if kw.key == "attribute"]
            if attribute and isinstance(attribute[0].value, nodes.Const):
                kind = ATTRIBUTES.get(attribute[0].value.value)
                return TEXT if kind is None else _worst(value if value != OBJECT else SAFE, kind)
            return TEXT
        if node.name in PASS_THROUGH:
            return value
        self.problem(node, f"filter {node.name!r} is not known to the safety walk")
        return TEXT

    def call_kind(self, node: nodes.Call, scope: dict[str, str]) -> str:
        callee = node.node
        if isinstance(callee, nodes.Name):
            alias, macro = "", callee.name
        elif isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
            alias, macro = callee.node.name, callee.attr
        else:
            self.problem(node, "a call the safety walk cannot follow")
            return TEXT
        if macro not in self.macros.get(alias, set()):
            self.problem(node, f"call of {macro!r}, which is not a template macro")
            return TEXT
        arguments = self.kinds(node.args, scope) + self.kinds(node.kwargs, scope)  # type: ignore[arg-type]
        if macro != "q" and TEXT in arguments:
            # Only `q` (the literal filter as a macro) may take spec text; other macros would
            # write it into source as it is.
            self.problem(node, f"spec text passed to macro {macro!r}")
        return SAFE


def _template_names() -> list[str]:
    return sorted(path.name for path in TEMPLATES.glob("*.j2"))


def _macros(tree: nodes.Template) -> set[str]:
    return {macro.name for macro in tree.find_all(nodes.Macro)}


def walk_template(env: jinja2.Environment, name: str) -> list[str]:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    tree = env.parse(source)
    macros = {"": _macros(tree)}
    for imported in tree.find_all(nodes.Import):
        assert isinstance(imported.template, nodes.Const)
        other = env.parse((TEMPLATES / imported.template.value).read_text(encoding="utf-8"))
        macros[imported.target] = _macros(other)
    walker = _Walker(name, macros)
    # The variables each template is rendered with (render.render_package) are model objects.
    scope = {"package": OBJECT, "module": OBJECT, "unions": OBJECT}
    scope.update((alias, OBJECT) for alias in macros if alias)
    walker.walk(tree.body, scope)
    return walker.problems


@pytest.mark.parametrize("name", _template_names())
def test_every_interpolation_writes_only_identifiers_source_or_escaped_text(name: str) -> None:
    assert walk_template(render.environment(TEMPLATES), name) == []


def test_every_string_field_of_the_model_is_typed_by_how_it_may_be_written() -> None:
    bare = sorted(name for name, kind in ATTRIBUTES.items() if kind is None)
    assert bare == []


def _walk_source(source: str) -> list[str]:
    env = render.environment(TEMPLATES)
    path = TEMPLATES / "macros.py.j2"
    tree = env.parse(source)
    walker = _Walker("probe", {"": _macros(tree), "m": _macros(env.parse(path.read_text()))})
    walker.walk(tree.body, {"union": OBJECT, "f": OBJECT, "m": OBJECT})
    return walker.problems


@pytest.mark.parametrize(
    "source",
    [
        "def {{ union.tag }}(self): pass",
        "{{ 'x' ~ f.wire_name }}",
        "{{ f.docs.description | replace('a', 'b') }}",
        "{% set t = f.wire_name %}{{ t }}",
        "{% for v in union.tag_values %}{{ v }}{% endfor %}",
        "{{ f.docs }}",
        "{{ m.decoder_def(f.wire_name, f.python_name) }}",
        "{% set parts = [f.expected] %}{{ parts | join(', ') }}",
    ],
)
def test_the_walk_flags_unescaped_spec_text(source: str) -> None:
    assert _walk_source(source)


@pytest.mark.parametrize(
    "source",
    [
        "def {{ union.tag_attribute }}(self): pass",
        "{{ ('x' ~ f.wire_name) | literal }}",
        "{{ f.docs.description | docstring(4) }}",
        "{% for v in union.tag_values %}{{ v | literal }}{% endfor %}",
        "{{ m.q(f.wire_name) }}",
    ],
)
def test_the_walk_accepts_escaped_text_and_identifiers(source: str) -> None:
    assert _walk_source(source) == []


def test_rendering_refuses_spec_text_that_skipped_the_escapers() -> None:
    env = render.environment(TEMPLATES)
    template = env.from_string("value = {{ text }}\n")
    with pytest.raises(pysource.UnsafeSource):
        template.render(text=SpecText('x"\nimport os'))
    assert template.render(text=pysource.string_literal(SpecText('x"'))) == "value = 'x\"'\n"


def test_rendering_refuses_model_objects_whose_repr_would_hold_spec_text() -> None:
    # The static walk takes macro parameters for safe values; a macro that writes an object it
    # was given is caught here, when rendering.
    env = render.environment(TEMPLATES)
    template = env.from_string("{% macro w(x) %}{{ x }}{% endmacro %}{{ w(docs) }}")
    with pytest.raises(pysource.UnsafeSource):
        template.render(docs=ir.Docs(description=SpecText('"""\nimport os')))
    assert env.from_string("{{ n }}").render(n=3) == "3"


_INJECTED_TAG = 'kind(self) -> str:\n        return ""\n\n    __import__("os").system("touch /tmp/pwned")\n\n    @property\n    def kind_'


def _unvalidated_package(tmp_path: Path, tag: str) -> Iterator[Any]:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "blocks.yaml").write_text(
        "Block:\n  union: {tag: %s}\n  variants: [Text]\n"
        "Text:\n  fields:\n    %s: {const: text}\n" % (_yaml_string(tag), _yaml_string(tag)),
        encoding="utf-8",
    )
    # Straight from the model to code generation, skipping validation as a gap in it would.
    yield spec_model.build(load.load_spec_dir(spec))


def _yaml_string(text: str) -> str:
    import json

    return json.dumps(text)


@pytest.mark.parametrize("tag", [_INJECTED_TAG, "ki nd", "class", "raw\u2028x"])
def test_a_hostile_tag_that_slipped_past_validation_stops_code_generation(
    tmp_path: Path, tag: str
) -> None:
    for spec in _unvalidated_package(tmp_path, tag):
        with pytest.raises(pysource.UnsafeSource):
            render.render_package(build_ir.build(spec))


@pytest.mark.parametrize(
    "text",
    [
        'say "hi"',
        "it's",
        "both ' and \"",
        "back\\slash",
        "nul\x00 and bell\x07",
        "line\u2028sep\u2029para\x85nel\x0bvt\x0cff\x1cfs\rcr",
        "lone \ud83d surrogate",
        "bom\ufeff and rtl\u202e override",
        '"""',
        'ends with a quote"',
        '"starts with a quote',
        "tab\there",
        "日本語の説明文 " * 12,
        "a long description that wraps " * 8 + '"quoted at the end"',
    ],
)
def test_string_literals_and_docstrings_hold_any_text_as_black_writes_them(text: str) -> None:
    literal = pysource.string_literal(text)
    assert eval(literal) == text  # noqa: S307 - our own literal, checked to be one
    assert literal.isprintable()
    body = pysource.docstring(text, 4)
    # Wrapping turns spaces into line breaks and indentation; the words stay.
    assert eval('"""' + body + '"""').split() == text.split()  # noqa: S307
    assert all(line.isprintable() for line in body.split("\n"))
    module = f'VALUE = {literal}\n\n\nclass Example:\n    """{body}"""\n'
    assert black.format_str(module, mode=black.Mode(line_length=naming.LINE_LENGTH)) == module


def test_templates_cannot_compute_with_do() -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        render.environment(TEMPLATES).from_string("{% set x = [] %}{% do x.append(1) %}")
