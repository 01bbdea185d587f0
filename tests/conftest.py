import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# The real generated package is importable as `anthropic_messages`, as users vendor it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generated"))

# Several tests generate the whole spec in memory; one format cache for the session lets all but
# the first reuse black's work. It lives in a temporary folder removed at exit, never in the
# checkout (tests that check where the CLI writes clear the variable for their runs).
if "CODEGEN_CACHE" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="codegen-test-cache-")
    os.environ["CODEGEN_CACHE"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
