"""The layout stage: unused imports dropped, then exactly what black writes for each module."""

from __future__ import annotations

import random
from pathlib import Path

import black
import pytest

from codegen import layout, pipeline
from tests.support import FIXTURES, import_generated


def black_of(source: str) -> str:
    return black.format_str(source, mode=layout.black_mode())


# Top-level statements of the kinds black spaces by their own rules: definitions (decorated,
# one-line, stubs, async), plain statements, string statements, comments, imports, compound
# statements holding definitions, and statements too long for one line.
STATEMENTS = [
    'class OnlyDoc:\n    """Only a docstring."""',
    "class WithMethod:\n    x: int = 1\n    def method(self) -> int:\n        return self.x",
    "@decorator\nclass Decorated:\n    pass",
    "def plain(a: int) -> int:\n    return a",
    "def stub(): ...",
    "@overload\ndef over(x: int) -> int: ...",
    "async def run() -> None:\n    await run()",
    "class OneLine(Base): x = 1",
    "X = 1",
    "Y: Final = {'key': [1, 2,], 'other': (3,)}",
    '"""A string statement."""',
    "# a comment on its own\nZ = 3",
    "if TYPE_CHECKING:\n    from .other import Thing",
    "if X:\n    def maybe() -> None:\n        pass\nelse:\n    W = 2",
    "from .helpers import used, unused_helper\nused()",
    "from .nothing import unused_entirely",
    "import os",
    "try:\n    import fast\nexcept ImportError:\n    fast = None",
    "class Trailing:\n    def method(self) -> None:\n        pass\n    # a comment closing the class",
    "def long_function_name(first_parameter: int, second_parameter: str, third_parameter: bytes)"
    " -> dict[str, int]:\n    return {'first': first_parameter, 'second': len(second_parameter),"
    " 'third': len(third_parameter)}",
    "LONG = ['an item that is long enough', 'another item that is long enough', 'and a third one']",
]


def random_module(seed: int) -> str:
    """Statements in a seeded order, separated by 0 to 3 blank lines, maybe with a docstring."""
    chosen = random.Random(seed)
    statements = chosen.sample(STATEMENTS, 12)
    text = '"""Module docstring."""\n' + "\n" * chosen.randint(0, 3) if seed % 2 else ""
    for statement in statements:
        text += statement + "\n" + "\n" * chosen.choice([0, 1, 1, 2, 2, 3])
    return text


@pytest.mark.parametrize("seed", range(30))
def test_black_over_the_pieces_of_a_module_is_black_over_the_whole_module(seed: int) -> None:
    module = random_module(seed)
    pieces = layout.prepared_pieces(module)
    assert len(pieces) > 2, "the module was not cut: the test tests nothing"
    assert layout.lay_out(module) == black_of(layout.drop_unused_imports(module))


def test_a_module_with_a_black_directive_is_not_cut() -> None:
    module = "def f():\n    pass\n\n\n# fmt: off\nX = [1,\n   2]\n\n\ndef g():\n    pass\n"
    assert layout.prepared_pieces(module) == [module]
    assert layout.lay_out(module) == black_of(module)


@pytest.mark.parametrize("fixture", ["kitchen_sink", "optionality"])
def test_fixture_modules_are_laid_out_as_black_lays_out_the_whole_module(fixture: str) -> None:
    package = pipeline.load_package(FIXTURES / fixture / "spec")
    sources = pipeline.render_sources(package)
    modules = {name: text for name, text in sources.items() if name.endswith(".py")}
    laid_out = layout.lay_out_modules(modules)
    for name, text in modules.items():
        assert laid_out[name] == black_of(layout.drop_unused_imports(text)), name


def test_unused_imports_are_dropped_and_the_rest_left_to_black() -> None:
    names = [f"Name{i}WithSomeLength" for i in range(8)]
    source = (
        f"from typing import Any, Final\nfrom .module import {', '.join(names)}\n\n"
        f"X: Final = ({', '.join(names[:6])})\n"
    )
    laid_out = layout.lay_out(source)
    assert "Any" not in laid_out
    assert "Name6WithSomeLength" not in laid_out and "Name7WithSomeLength" not in laid_out
    assert "from typing import Final\n" in laid_out
    assert "from .module import (\n    Name0WithSomeLength,\n" in laid_out
    assert laid_out == black_of(laid_out)


def test_imports_at_the_end_of_a_module_are_pruned_by_what_comes_before_them() -> None:
    # Class modules import their siblings at their end: the names used above count.
    source = (
        '"""Doc."""\n\nfrom ._runtime import Model, unused_helper\n\n\n'
        "class Block(Model):\n    other: OtherBlock\n\n\n"
        "def decode_block(data: object) -> Block:\n    return decode_other(data)\n\n\n"
        "from . import _other, _third\n"
        "from ._other import OtherBlock, decode_other, decode_unused\n"
        "from ._third import NeverUsed\n"
    )
    laid_out = layout.lay_out(source)
    assert "from ._runtime import Model\n" in laid_out
    assert "from ._other import OtherBlock, decode_other\n" in laid_out
    assert "from . import _other, _third\n" in laid_out  # module imports stay as written
    assert "NeverUsed" not in laid_out and "decode_unused" not in laid_out
    assert laid_out == black_of(laid_out)


def test_a_long_import_is_written_as_black_splits_it() -> None:
    # Then black adds no trailing comma to it, and the piece needs no second pass.
    names = [f"SomeRatherLongName{i}" for i in range(8)]
    source = f"from .module import {', '.join(names)}\n\nX = ({', '.join(names[:7])})\n"
    pieces = layout.prepared_pieces(source)
    assert pieces[0].startswith("from .module import (\n    SomeRatherLongName0,\n")
    assert "SomeRatherLongName7" not in pieces[0]
    assert pieces[0].split("\n\n")[0] == black_of(pieces[0]).split("\n\n")[0]


def test_invalid_python_is_a_layout_failure_naming_the_module() -> None:
    for broken in ("def f(:\n    pass\n", "x = 1\n\x00\n"):
        with pytest.raises(layout.LayoutFailure) as failure:
            layout.lay_out_module("pkg/_broken.py", broken)
        assert failure.value.name == "pkg/_broken.py"


def test_a_failure_in_a_worker_process_names_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "_PARALLEL_FROM", 0)  # worker processes even for tiny modules
    with pytest.raises(layout.LayoutFailure) as failure:
        layout.lay_out_modules({"pkg/_good.py": "x = 1\n", "pkg/_broken.py": "def f(:\n"})
    assert failure.value.name == "pkg/_broken.py"
    assert isinstance(failure.value.cause, SyntaxError)


def test_the_cache_gives_modules_back_and_formats_only_changed_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    black_piece = layout._black_piece

    def recording(job: tuple[str, str]) -> str:
        sent.append(job[1])
        return black_piece(job)

    monkeypatch.setattr(layout, "_black_piece", recording)
    cache = layout.Cache(tmp_path)
    module = "".join(f"def f{i}() -> int:\n    return {i}\n\n\n" for i in range(5))
    first = layout.lay_out_modules({"m.py": module}, cache)
    assert len(sent) == 5

    sent.clear()
    assert layout.lay_out_modules({"m.py": module}, cache) == first
    assert sent == [], "a cached module was formatted again"

    edited = module.replace("return 3", "return   33")
    laid_out = layout.lay_out_modules({"m.py": edited}, cache)["m.py"]
    assert sent == ["def f3() -> int:\n    return   33\n"]
    assert laid_out == black_of(edited)

    sent.clear()
    read_only = layout.Cache(tmp_path / "other", writable=False)
    layout.lay_out_modules({"m.py": module}, read_only)
    layout.lay_out_modules({"m.py": module}, read_only)
    assert len(sent) == 10 and not (tmp_path / "other").exists()


AWKWARD_SPEC = r'''
Awkward:
  description: 'Ends with a quote: "quoted"'
  fields:
    type: {const: an_unusually_long_constant_tag_value_that_pushes_every_line_it_is_on_past_the_edge}
    backslash: {type: string, description: 'A \ backslash, a \n that is not a newline, and """ three quotes.'}
    single_quote: {type: string, description: "It's, isn't it, 'single' quoted"}
    url: {type: string, description: "See https://example.com/an/address/that/is/far/too/long/to/fit/on/one/line/of/a/docstring/at/all"}
    an_extremely_long_member_name_that_makes_the_encoder_and_decoder_lines_overflow: {type: "list[AwkwardUnion]", optional: true, nullable: true}
    mode: {type: AwkwardMode, optional: true}

AwkwardMode:
  description: Values with quotes in them.
  enum: ['say "hi"', "it's", plain]

AwkwardUnion:
  union: {tag: kind}
  variants: [AwkwardVariantWithAnEspeciallyLongNameToOverflowTheTagTable]

AwkwardVariantWithAnEspeciallyLongNameToOverflowTheTagTable:
  fields:
    kind: {const: the_only_kind_there_is_with_a_long_name_as_well}
'''

# The two specs of issue 9 whose output black used to reformat: a constant holding double
# quotes (black writes `Literal['say "hi"']`), and one file holding only an enum and an object
# that uses it (the format stage left three blank lines after the imports).
QUOTED_CONST_SPEC = """
Greeting:
  fields:
    type: {const: 'say "hi"'}
    text: {type: string}
"""
ENUM_AND_OBJECT_SPEC = """
Colour:
  enum: [red, green]

Paint:
  fields:
    colour: {type: Colour}
"""


def generate(tmp_path: Path, spec_text: str) -> dict[str, bytes]:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "things.yaml").write_text(spec_text, encoding="utf-8")
    return pipeline.generate_files(spec)


def write_out(outputs: dict[str, bytes], out: Path) -> Path:
    for name, data in outputs.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out / "anthropic_messages"


@pytest.mark.parametrize(
    "spec_text",
    [AWKWARD_SPEC, QUOTED_CONST_SPEC, ENUM_AND_OBJECT_SPEC],
    ids=["awkward", "quoted-const", "enum-and-object"],
)
def test_generated_modules_are_what_black_writes(tmp_path: Path, spec_text: str) -> None:
    outputs = generate(tmp_path, spec_text)
    modules = {name: data.decode() for name, data in outputs.items() if name.endswith(".py")}
    assert len(modules) == 5  # __init__, the runtime, the beta helpers, the unions, one area
    for name, text in modules.items():
        compile(text, name, "exec")
        assert text == black_of(text), f"{name} is not what black writes"


def test_awkward_spec_text_gives_a_working_package(tmp_path: Path) -> None:
    outputs = generate(tmp_path, AWKWARD_SPEC)
    modules = [data.decode() for name, data in outputs.items() if name.endswith(".py")]
    assert any(len(line) > 100 for text in modules for line in text.splitlines())
    awkward = import_generated(write_out(outputs, tmp_path / "out"), "awkward_package")
    long_name = "an_extremely_long_member_name_that_makes_the_encoder_and_decoder_lines_overflow"
    body = {
        "type": "an_unusually_long_constant_tag_value_that_pushes_every_line_it_is_on_past_the_edge",
        "backslash": "\\",
        "single_quote": "'",
        "url": "u",
        long_name: [{"kind": "the_only_kind_there_is_with_a_long_name_as_well"}],
        "mode": 'say "hi"',
    }
    decoded = awkward.decode(awkward.Awkward, body, strict=True)
    assert awkward.encode(decoded) == body


def test_type_checking_imports_are_pruned_and_an_empty_block_goes() -> None:
    source = (
        "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING, Any\n\n"
        "if TYPE_CHECKING:\n    from .a import Used, Unused\n    from .b import Gone\n\n\n"
        "def f(x: Used) -> Any:\n    return x\n"
    )
    laid_out = layout.lay_out(source)
    assert "from .a import Used\n" in laid_out and "Unused" not in laid_out
    assert "Gone" not in laid_out and "TYPE_CHECKING" in laid_out
    nothing_used = source.replace("x: Used", "x: int")
    laid_out = layout.lay_out(nothing_used)
    assert "TYPE_CHECKING" not in laid_out and "import Used" not in laid_out
    assert laid_out == black_of(laid_out)


@pytest.mark.parametrize(
    "statement",
    [
        # black puts these items one per line and adds a trailing comma: its second pass runs.
        "RESULT = call_with_a_long_name(argument_number_one_is_long, argument_number_two_is_longer,"
        " argument_three)",
        # split without a new trailing comma: the second pass is skipped.
        "if first_condition_is_rather_long and second_condition_is_rather_long or third_one_too_x:"
        "\n    pass",
        "VALUE = {'key': [1, 2,], 'other': some_function(with_argument_one, with_argument_two_xx)}",
    ],
)
def test_one_black_pass_where_a_second_changes_nothing_is_black(statement: str) -> None:
    module = f"def f() -> None:\n    pass\n\n\n{statement}\n"
    assert layout.lay_out(module) == black_of(module)
