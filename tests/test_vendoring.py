"""The generated package needs nothing but the standard library, as users vendor it."""

from __future__ import annotations

import subprocess
import sys

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
