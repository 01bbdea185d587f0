"""The generated package needs nothing but the standard library, as users vendor it."""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
from pathlib import Path

from codegen import pipeline
from tests.support import GENERATED

SCRIPT = r"""
import json, sys
import anthropic_messages as m
body = {"model": "claude-x", "max_tokens": 16,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
request = m.decode(m.MessageCreateParams, body, strict=True)
assert m.encode(request) == body
third_party = sorted(
    name for name, module in sys.modules.items()
    if getattr(module, "__file__", None) and "site-packages" in module.__file__
)
print(json.dumps({"third_party": third_party, "path": sys.path}))
"""


def test_package_imports_and_decodes_under_python_dash_S_with_only_generated_on_the_path() -> None:
    result = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path[:0] = [{str(GENERATED)!r}]\n" + SCRIPT],
        capture_output=True,
        text=True,
        env={"PYTHONNOUSERSITE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert '"third_party": []' in result.stdout


def test_generated_modules_import_only_the_standard_library_and_each_other() -> None:
    stdlib = set(sys.stdlib_module_names)
    for path in (GENERATED / "anthropic_messages").glob("*.py"):
        for line in path.read_text().splitlines():
            words = line.split()
            if line.startswith(("import ", "from ")) and words[1] != "__future__":
                top = words[1].split(".")[0]
                assert top == "" or top in stdlib, f"{path.name}: {line}"


IMPORT_FIRST = r"""
import dataclasses, importlib, pkgutil, sys, typing
first = sys.argv[1]
importlib.import_module("anthropic_messages." + first)
import anthropic_messages as package
checked = 0
for info in pkgutil.iter_modules(package.__path__):
    module = importlib.import_module("anthropic_messages." + info.name)
    for value in vars(module).values():
        if dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
            typing.get_type_hints(value)
            checked += 1
print(checked)
"""


def test_any_class_module_can_be_imported_first(tmp_path: Path) -> None:
    # The class modules import each other at their end (see the runtime module's notes). With an
    # empty __init__, each class module in turn is the first one run, and every class still
    # resolves its type hints. (The unions module needs every class module started before it:
    # the package's __init__, which always runs first, imports it last.)
    package = tmp_path / "anthropic_messages"
    shutil.copytree(GENERATED / "anthropic_messages", package)
    (package / "__init__.py").write_text("")
    compileall.compile_dir(str(package), quiet=1)
    modules = sorted(p.stem for p in package.glob("_*.py"))
    # (_sse, the stream helpers, imports the unions module: it is no class module either.)
    modules = [name for name in modules if name not in ("__init__", "_unions", "_sse")]
    assert "_content" in modules and len(modules) > 5
    counts = set()
    for first in modules:
        result = subprocess.run(
            [sys.executable, "-S", "-c", IMPORT_FIRST, first],
            capture_output=True,
            text=True,
            env={"PYTHONNOUSERSITE": "1", "PYTHONPATH": str(tmp_path)},
        )
        assert result.returncode == 0, f"importing {first} first: {result.stderr[-2000:]}"
        counts.add(int(result.stdout))
    assert len(counts) == 1 and counts.pop() > 600


ZETA_SPEC = """
Zeta:
  fields:
    type: {const: zeta}
    inner:
      type: "list[Wrapped]"

Wrapped:
  union: {tag: type}
  variants: [Zeta]
"""


def test_the_unions_module_is_imported_after_the_class_modules_whatever_their_names(
    tmp_path: Path,
) -> None:
    # A class module whose name sorts after `_unions` must still be imported before it.
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "zeta.yaml").write_text(ZETA_SPEC, encoding="utf-8")
    out = tmp_path / "out"
    for name, data in pipeline.generate_files(spec).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    script = (
        "import anthropic_messages as m\n"
        "value = m.decode(m.Wrapped, {'type': 'zeta', 'inner': [{'type': 'zeta', 'inner': []}]})\n"
        "print(type(value.inner[0]).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONNOUSERSITE": "1", "PYTHONPATH": str(out)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "Zeta"


def test_the_benchmark_preloads_every_standard_library_module_the_package_imports() -> None:
    """`make bench` reports the import time of the package's own code by loading first the
    standard library modules it uses: the list must follow the generated imports."""
    import ast

    from tests.benchmark import _STDLIB_USED

    imported: set[str] = set()
    for path in (GENERATED / "anthropic_messages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module)
    imported -= {"__future__", "typing_extensions"}  # a compiler directive; TYPE_CHECKING only
    assert imported == set(_STDLIB_USED)


HELPERS_SCRIPT = r"""
import json, sys
import anthropic_messages as m
helpers = sorted(set(m._HELPER_MODULES.values()))
loaded_at_import = [h for h in helpers if "anthropic_messages" + h in sys.modules]
m.decode(m.Message, {"id": "msg", "type": "message", "role": "assistant", "model": "x",
                     "content": [], "stop_reason": None, "stop_sequence": None,
                     "usage": {"input_tokens": 1, "output_tokens": 1}})
loaded_by_decoding = [h for h in helpers if "anthropic_messages" + h in sys.modules]
names = {name: type(getattr(m, name)).__name__ for name in m._HELPER_MODULES}
namespace = {}
exec("from anthropic_messages import *", namespace)
print(json.dumps({"helpers": helpers, "at_import": loaded_at_import,
                  "by_decoding": loaded_by_decoding, "names": names,
                  "star": sorted(set(m.__all__) - set(namespace)),
                  "dir": sorted(set(m.__all__) - set(dir(m)))}))
"""


def test_helper_modules_load_when_first_used_and_every_helper_name_resolves() -> None:
    """Streams, platforms and betas are loaded by the first use of one of their names, not by
    importing or decoding; each name they give the package root resolves, for attribute reads,
    `from ... import *` and dir()."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", HELPERS_SCRIPT],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(GENERATED)},
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["helpers"] == ["._accumulate", "._betas", "._platform_runtime", "._sse"]
    assert found["at_import"] == [] and found["by_decoding"] == []
    assert found["names"]["iter_events"] == "function"
    assert found["names"]["MessageAccumulator"] == "type"
    assert found["names"]["BEDROCK_MESSAGES"] == "PlatformRoute"
    assert found["star"] == [] and found["dir"] == []
