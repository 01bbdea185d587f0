"""The format stage gives black's output while running black only on the long statements."""

from __future__ import annotations

import ast
from pathlib import Path

import black
import pytest

from codegen import cli
from codegen import format as fmt
from tests.support import import_generated

LONG_NAME = "a_rather_long_name_that_makes_lines_overflow_" * 2


def black_of(source: str) -> str:
    return black.format_str(source, mode=fmt._MODE)


# Each module is written the way the templates write: black's style, except that long statements
# are left on one line, top-level blank lines may be off and unused imports may be present.
MODULES = {
    "long statements at several depths": f'''"""Doc."""

from __future__ import annotations

from typing import Any, Final


def decode_thing_with_a_long_name_so_the_signature_does_not_fit(data: Any, strict: bool) -> dict[str, Any]:
    if type(data) is not dict and type(data) is not list and strict and {LONG_NAME!r} not in data:
        raise ValueError("the value should have been one of several things", data).with_traceback(None)
    elif type(data) is dict and strict and len(data) > 3 and {LONG_NAME!r} not in data and data:
        return {{"key": data, "other": [item for item in data if item != {LONG_NAME!r}]}}
    try:
        value = some_function_with_a_long_name(data, {LONG_NAME!r}, strict, another_argument=None)
    except KeyError:
        raise missing(data, (("first_field", "a string"), ("second_field", "an integer"), ("third", "x"))) from None
    return value
class Thing:
    """A class whose attribute docstrings and slots are long."""

    __slots__ = ("first_attribute", "second_attribute", "third_attribute", "fourth_attribute", "x")

    def __init__(
        self,
        *,
        kind: Literal["a_very_long_literal_value_that_overflows_the_line"] = "a_very_long_literal_value_that_overflows_the_line",
    ) -> None:
        self.kind = kind
TABLE: Final = {{"x": 1}}
''',
    "a docstring line longer than the line length": '''def f() -> None:
    """Short first line.

    https://example.com/a/very/long/address/that/cannot/be/wrapped/because/it/is/a/single/word/xx
    """
''',
    "nothing long": """from typing import Any, Final

X: Final = 1


def f() -> int:
    return X
""",
}


@pytest.mark.parametrize("source", MODULES.values(), ids=MODULES.keys())
def test_format_stage_output_is_what_black_writes(source: str) -> None:
    formatted = fmt._format(source)
    assert formatted == black_of(formatted), "the format stage left something black would change"
    assert code_of(formatted) == code_of(source), "the format stage changed the code"


def code_of(source: str) -> str:
    """The syntax tree without its imports, which the format stage may shorten."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if not isinstance(node, ast.ImportFrom)]
    return ast.dump(tree)


def test_unused_imports_are_dropped_and_the_rest_written_as_black_writes_them() -> None:
    names = [f"Name{i}WithSomeLength" for i in range(8)]
    source = (
        f"from typing import Any, Final\nfrom .module import {', '.join(names)}\n\n"
        f"X: Final = ({', '.join(names[:6])})\n"
    )
    formatted = fmt._format(source)
    assert "Any" not in formatted
    assert "Name6WithSomeLength" not in formatted and "Name7WithSomeLength" not in formatted
    assert "from typing import Final\n" in formatted
    assert "from .module import (\n    Name0WithSomeLength,\n" in formatted
    assert formatted == black_of(formatted)


def test_long_lines_are_only_left_where_black_leaves_them() -> None:
    source = f"TABLE = {{\n    {LONG_NAME!r}: {LONG_NAME.upper()},\n}}\n"
    formatted = fmt._format(source)
    assert formatted == black_of(source)


def test_invalid_python_is_a_format_failure_naming_the_module() -> None:
    with pytest.raises(fmt.FormatFailure) as failure:
        fmt.format_module("pkg/_broken.py", "def f(:\n    pass\n" + "x" * 120 + "\n")
    assert failure.value.name == "pkg/_broken.py"


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


def test_awkward_spec_text_generates_what_black_writes(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "awkward.yaml").write_text(AWKWARD_SPEC, encoding="utf-8")
    outputs = cli.generate_files(spec)
    modules = {name: data.decode() for name, data in outputs.items() if name.endswith(".py")}
    assert len(modules) == 4
    for name, text in modules.items():
        compile(text, name, "exec")
        assert text == black_of(text), f"{name} is not what black writes"
    assert any(len(line) > 100 for text in modules.values() for line in text.splitlines())
    # And the package works: the quoted enum value and the long names decode and re-encode.
    for name, data in outputs.items():
        (tmp_path / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / name).write_bytes(data)
    awkward = import_generated(tmp_path / "out" / "anthropic_messages", "awkward_package")
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
