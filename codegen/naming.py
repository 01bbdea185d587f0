"""How spec names become Python names: one owner for every name the generated package makes.

Templates take every name from the intermediate model, which takes them from here. Which names
the generated code keeps for itself is read from the code the templates write (codegen.reserved).
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import re
import symtable
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")

# A name the generated code can use for an attribute, a property or a module: ASCII (Python
# folds other letters by NFKC, so two different wire names could become one attribute), not
# starting with an underscore (private, mangled or special to Python), and not too long.
USABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


#: The generated package's name, and the width black lays its code out to.
PACKAGE = "anthropic_messages"
LINE_LENGTH = 100

# Initialisms that spec names run together (`URLPDFSource`); a run of capitals made only of
# these is split between them, so the Python names keep their words apart.
_INITIALISMS = ("API", "CMEK", "HTTP", "JSON", "MCP", "PDF", "RBAC", "SSE", "URL")
_CAPITAL_RUN = re.compile(r"[A-Z]{4,}(?=[A-Z][a-z]|[^A-Za-z]|$)")
_SPLIT_RUN = re.compile(rf"^(?:{'|'.join(_INITIALISMS)}){{2,}}$")
_ONE_INITIALISM = re.compile("|".join(_INITIALISMS))


def snake_case(name: str) -> str:
    """`WebSearchTool20250305` → `web_search_tool20250305`; `cache-control` → `cache_control`;
    `URLPDFSourceParam` → `url_pdf_source_param`."""
    name = _CAPITAL_RUN.sub(_split_initialisms, name)
    spaced = _BOUNDARY.sub("_", name)
    return _NOT_WORD.sub("_", spaced).strip("_").lower()


def _split_initialisms(run: re.Match[str]) -> str:
    text = run.group()
    if not _SPLIT_RUN.match(text):
        return text
    return "_".join(_ONE_INITIALISM.findall(text))


def constant_case(name: str) -> str:
    """`StopReason` → `STOP_REASON`."""
    return snake_case(name).upper()


# The names the generated package makes from the spec's names. Every template takes them from the
# intermediate model, which takes them from here.


def module_name(area: str) -> str:
    """The module of an area (a spec file): `content` → `_content`."""
    return f"_{area}"


#: The package's own modules besides the areas: the support code, the union aliases and the
#: stream helpers.
RUNTIME_MODULE = module_name("runtime")
UNIONS_MODULE = module_name("unions")
ACCUMULATE_MODULE = module_name("accumulate")
#: What the accumulator module defines for the package root (made only with a stream section;
#: the last two only when the section names the usage members).
ACCUMULATOR_EXPORTS = ("MessageAccumulator", "SkippedEvent", "UsageTotals", "usage_totals")
USAGE_TOTALS_EXPORTS = ("UsageTotals", "usage_totals")
#: The server-sent event helpers, made for the union a spec's stream section names as its events.
SSE_MODULE = module_name("sse")
#: What the stream helpers' module gives the package root (names fixed by issue 11), sorted.
SSE_EXPORTS = ("SSEDecoder", "ServerSentEvent", "aiter_events", "encode_sse", "iter_events")
#: The cloud platforms' conversions and event-stream framing (written when a spec declares one).
PLATFORM_MODULE = module_name("platform_runtime")
#: The beta helpers (BETA_HEADERS, beta_uses, strip_betas…) and their tables.
BETAS_MODULE = module_name("betas")
#: What the beta helpers' module gives the package root, sorted.
BETAS_EXPORTS = (
    "BETA_HEADERS",
    "BetaHeader",
    "BetaUse",
    "beta_uses",
    "reject_betas",
    "required_betas",
    "strip_betas",
    "unknown_elements",
)
#: What the platforms' module gives the package root besides the spec's routes and codecs.
PLATFORM_EXPORTS = ("PlatformRequest", "PlatformRoute")
PLATFORM_STREAM_EXPORTS = ("EventStreamDecoder", "EventStreamException")


def decoder_name(type_name: str) -> str:
    return f"decode_{snake_case(type_name)}"


def after_tag_decoder_name(type_name: str) -> str:
    """The decoder of a union's variant that its union calls once it has checked the tag."""
    return f"decode_{snake_case(type_name)}_after_tag"


def primitive_decoder_name(kind: str) -> str:
    """The runtime's decoder of a primitive kind (`string` → `decode_string`), for lists and maps
    of primitives."""
    return f"decode_{kind}"


def unknown_class_name(union_name: str) -> str:
    """The class holding objects of a tagged union whose tag this spec does not know."""
    return f"Unknown{union_name}"


def variants_table_name(union_name: str) -> str:
    """The module constant mapping a tagged union's tag values to its variants' decoders. Not
    private: the decoders of lists of the union, in other modules, read it too."""
    return f"{constant_case(union_name)}_VARIANTS"


def known_fields_name(object_name: str) -> str:
    """The module constant holding an object's wire names (with the position its encoder writes
    each at), for spotting unknown members and orders of its own."""
    return f"_{constant_case(object_name)}_FIELDS"


def lazy_table_name(object_name: str) -> str:
    """The module constant describing how an object decodes lazily."""
    return f"_{constant_case(object_name)}_LAZY"


def key_orders_name(object_name: str) -> str:
    """The module cache of the member orders an object's decoder has met."""
    return f"_{constant_case(object_name)}_ORDERS"


def enum_values_name(enum_name: str) -> str:
    return f"_{constant_case(enum_name)}_VALUES"


def local_name(python_name: str) -> str:
    """The variable holding a field's value in its type's decoder and encoder.

    The trailing underscore keeps it apart from every name the generated code uses for itself,
    none of which ends in one (reserved_names() checks it), whatever the field is called.
    """
    return python_name + "_"


def attribute_problem(name: str, members: frozenset[str]) -> str:
    """Why `name` cannot be an attribute of a generated class with these members ('' if it can)."""
    if not USABLE_NAME.match(name):
        return (
            "it is not a plain Python name (ASCII letters, digits and underscores, starting "
            "with a letter, at most 100 characters)"
        )
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name in members:
        return "the generated class uses that name itself"
    return ""


def python_name_for(wire_name: str, members: frozenset[str]) -> str:
    """A usable attribute name close to a wire name (`from` → `from_`, `cache-control` →
    `cache_control`)."""
    candidate = snake_case(wire_name) or "value"
    if not candidate[0].isalpha():
        candidate = "field_" + candidate
    candidate = candidate[:90]
    while attribute_problem(candidate, members):
        candidate += "_"
    return candidate
