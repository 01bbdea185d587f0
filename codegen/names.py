"""How spec names become Python names."""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


def snake_case(name: str) -> str:
    """`WebSearchTool20250305` → `web_search_tool20250305`; `cache-control` → `cache_control`."""
    spaced = _BOUNDARY.sub("_", name)
    return _NOT_WORD.sub("_", spaced).strip("_").lower()


def constant_case(name: str) -> str:
    """`StopReason` → `STOP_REASON`."""
    return snake_case(name).upper()
