import sys
from pathlib import Path

# The real generated package is importable as `anthropic_messages`, as users vendor it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generated"))
