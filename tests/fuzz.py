"""`make fuzz`: a seeded mutation fuzzer of the generated package's decoders and encoders.

    python -m tests.fuzz [--count 1000000] [--seed 1] [--jobs 2] [--time-budget SECONDS]
    python -m tests.fuzz --seed 1 --replay 12345     # rebuild one input, check it, show it

Inputs come from tests/fuzz_inputs.py: every class and union `decode()` accepts is a target
(the roots more often), each input is a seed (recorded payload, part of one, or an instance of
the JSON Schema export) with several structure-aware mutations, handed to one entry point:
`m.decode(T, value)`, `T.from_dict(value)`, `T.from_json(str)` or `T.from_json(bytes)`.
Every input is checked, leniently and strictly, against these properties:

(a) only `DecodeError` escapes the entry points (and a DecodeError can be printed);
(b) neither decoding of an input takes more than RATIO_LIMIT times the `json.loads` time of its
    text (inputs faster than TIME_FLOOR are not measured; suspects are measured again, best of
    several, to filter noise);
(c) the lenient round trip is exact: `encode(decode(x))` equals `x`, types included (`1` is not
    `1.0`), key order aside;
(d) strict decoding rejects whatever lenient decoding kept as unknown (an `Unknown…` variant, a
    member in `.extra`, an open-enum value the spec does not list), and otherwise accepts the
    same inputs with an equal result;
(e) every accepted value re-encodes: `obj.to_json()` and `json.dumps(encode(obj),
    allow_nan=False)` succeed, and decoding that text gives an equal object;
(f) what is not JSON is rejected: NaN and infinities, lone surrogates, keys that are not
    strings, ints of more than 4300 digits, Python types JSON does not have, nesting deeper than
    MAX_NESTING; and `any` values nested well within MAX_NESTING are accepted.

Each distinct failure (property and kind) is minimized and written to `.fuzz-failures/` as a
runnable reproduction; the run ends with counts per target and entry point, the failures, the
slowest input relative to `json.loads`, the peak memory of each process and the wall time, and
exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tests import fuzz_inputs as inputs
from tests import fuzz_streams as streams
from tests.fuzz_inputs import (
    BIG_INT_LIMIT,
    MAX_NESTING,
    PYTHON_ENTRIES,
    Case,
    Corpus,
    build_corpus,
    class_fields,
    container_arg,
    get_at,
    is_open_enum,
    is_unknown_variant,
    literal_values,
    make_case,
    set_at,
    size_of,
    text_of_value,
    union_args,
)
from tests.support import ROOT

m = inputs.m

FAILURES_DIR = ROOT / ".fuzz-failures"
RATIO_LIMIT = 100
#: Inputs whose decoding takes less than this are not compared with json.loads: at
#: that scale a scheduler hiccup weighs more than the decoder.
TIME_FLOOR = 0.0002
#: One call is a noisy measurement: a ratio above this is measured again before it counts (as a
#: failure or as the worst ratio of the run).
REMEASURE_ABOVE = 10
CHUNK = 2_000
#: An input still being checked after this many seconds is stopped and reported under (b).
WATCHDOG = 60.0
WATCHDOG_KIND = "an input was still being checked after the watchdog's limit"
PROPERTIES = {
    "a": "only DecodeError escapes the entry points",
    "b": f"no input takes more than {RATIO_LIMIT}x its json.loads time",
    "c": "the lenient round trip is exact",
    "d": "strict rejects what lenient kept as unknown, and agrees with it otherwise",
    "e": "every accepted value re-encodes and decodes back equal",
    "f": "what is not JSON is rejected; valid deep `any` values are accepted",
    **streams.STREAM_PROPERTIES,
}
#: Mutations that can make an input costly, most telling first: a slow input is filed under the
#: first one it had, so that one cause gives one kind of failure.
COSTLY_MUTATIONS = (
    "cycle",
    "deep_nesting",
    "deep_graft",
    "deep_change_kind",
    "huge_list",
    "huge_object",
    "long_string",
)


@dataclass(frozen=True)
class Failure:
    prop: str
    #: What went wrong, in words that are the same for every input failing the same way.
    kind: str
    #: This input's particulars (path, message).
    detail: str
    #: For property (a): whether the strict call raised.
    strict: bool = False

    @property
    def signature(self) -> str:
        return f"({self.prop}) {self.kind}"


@dataclass
class Outcome:
    failures: list[Failure] = field(default_factory=list)
    accepted: bool = False
    #: Lenient decoding kept something unknown (so strict decoding had to reject the input).
    kept_unknown: bool = False
    elapsed: float = 0.0
    ratio: float | None = None
    loads_time: float | None = None


# --- calling the entry points ----------------------------------------------------------------


def call(case: Case, strict: bool) -> Any:
    tp = case.target.tp
    if case.entry == "decode":
        return m.decode(tp, case.value, strict=strict)
    if case.entry == "from_dict":
        return tp.from_dict(case.value, strict=strict)
    return tp.from_json(case.text, strict=strict)


def decode_again(case: Case, text: str) -> Any:
    """Decode text written by the package itself, leniently."""
    if case.target.is_class:
        return case.target.tp.from_json(text)
    return m.decode(case.target.tp, json.loads(text))


def where(exc: BaseException) -> str:
    """The innermost frame of the generated package in the traceback (else the innermost)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "anthropic_messages" in f.filename] or frames[-1:]
    if not ours:
        return "?"
    return f"{Path(ours[-1].filename).name}:{ours[-1].name}"


def describe_exception(exc: BaseException) -> str:
    return f"{type(exc).__name__} in {where(exc)}"


def short(value: Any, limit: int = 160) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # an Unprintable key, a 5000-digit int
        text = f"<unprintable: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


ESCAPED = object()


def run_entry(case: Case, strict: bool, failures: list[Failure]) -> tuple[Any, Any]:
    """(result, None), (None, DecodeError) or (None, ESCAPED) after recording property (a)."""
    try:
        return call(case, strict), None
    except m.DecodeError as error:
        try:
            str(error)
            error.path
        except Exception as exc:
            kind = f"a DecodeError cannot be printed: {describe_exception(exc)}"
            failures.append(Failure("a", kind, short(exc), strict))
        if error.__cause__ is not None and case.entry.startswith("from_json"):
            # The entry points wrap what a Python object's own methods raise; JSON text holds
            # no such objects, so a wrapped exception there is a decoder bug.
            kind = f"{describe_exception(error.__cause__)} escaped a decoder (wrapped)"
            failures.append(Failure("a", kind, short(error.__cause__), strict))
        return None, error
    except Exception as exc:
        kind = f"{describe_exception(exc)} escaped"
        failures.append(Failure("a", kind, f"{short(exc)} (strict={strict})", strict))
        return None, ESCAPED


# --- property helpers ------------------------------------------------------------------------


def non_json(value: Any, depth_limit: int) -> tuple[str, str] | None:
    """(what, particulars) of the first thing that makes `value` not a JSON value as
    `json.loads` could give it, or None.

    Values must be of the exact JSON types (the package rejects subclasses, which could answer
    comparisons or serialize in their own way); a key may be a str subclass, since decoders
    only look known names up by equality and never keep such a key. Walks iteratively, so
    cycles and very deep values end at `depth_limit`.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind is dict or kind is list:
            if depth >= depth_limit:
                return f"nesting deeper than {depth_limit} levels (or a cycle)", ""
            if kind is dict:
                for key in node:
                    if not isinstance(key, str):
                        return "a key that is not a string", type(key).__name__
                    if not key.isascii() and not _encodes(key):
                        return "a lone surrogate in a key", short(key, 60)
                stack.extend((item, depth + 1) for item in node.values())
            else:
                stack.extend((item, depth + 1) for item in node)
        elif kind is str:
            if not node.isascii() and not _encodes(node):
                return "a lone surrogate in a string", short(node, 60)
        elif kind is bool or node is None:
            continue
        elif kind is int:
            if node >= BIG_INT_LIMIT or node <= -BIG_INT_LIMIT:
                return "an int of more than 4300 digits", ""
        elif kind is float:
            if math.isnan(node):
                return "NaN", ""
            if math.isinf(node):
                return "an infinite number", ""
        else:
            return "a Python type JSON does not have", type(node).__name__
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def find_unknown(obj: Any, hint: Any, path: str = "$") -> tuple[str, str] | None:
    """(what, where) of the first thing lenient decoding kept although the spec does not name
    it, walking the decoded object with its type hints."""
    if Any in union_args(hint):
        return None
    if isinstance(obj, m.Model):
        cls = type(obj)
        if is_unknown_variant(cls):
            return "an unknown variant", path
        if obj.extra:
            return "an unknown field", f"{path}.{short(next(iter(obj.extra)), 40)}"
        for slot, field_hint in class_fields(cls):
            found = find_unknown(getattr(obj, slot), field_hint, f"{path}.{slot}")
            if found:
                return found
        return None
    if type(obj) is list:
        item_hint = container_arg(hint, list, 0)
        for index, item in enumerate(obj if item_hint is not None else ()):
            found = find_unknown(item, item_hint, f"{path}[{index}]")
            if found:
                return found
        return None
    if type(obj) is dict:
        value_hint = container_arg(hint, dict, 1)
        for key, item in obj.items() if value_hint is not None else ():
            found = find_unknown(item, value_hint, f"{path}.{short(key, 40)}")
            if found:
                return found
        return None
    if type(obj) is str and is_open_enum(hint) and obj not in literal_values(hint):
        return "an unknown enum value", path
    return None


def first_difference(left: Any, right: Any, path: str = "$") -> tuple[str, str, Any] | None:
    """(what, where, the value there in `left`) for the first difference between two JSON
    values, types included."""
    if type(left) is not type(right):
        what = f"a {type(left).__name__} where the input has a {type(right).__name__}"
        return what, path, left
    if isinstance(left, dict):
        for key in right:
            if key not in left:
                return "a member of the input is missing", f"{path}.{key}", None
        for key in left:
            if key not in right:
                return "a member the input does not have was added", f"{path}.{key}", left[key]
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list):
        if len(left) != len(right):
            return "an array changed length", path, len(left)
        for index, (a, b) in enumerate(zip(left, right)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if left != right:
        return "a value changed", path, left
    return None


def json_text(value: Any) -> str:
    """The JSON text of a Python value (for timing Python inputs); for a value that has none,
    the text of a stand-in of about the same size (see stand_in)."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(stand_in(value, frozenset(), 0))


def stand_in(value: Any, active: frozenset[int], depth: int) -> Any:
    """A JSON value shaped like `value`: a cycle or anything past STAND_IN_DEPTH levels becomes
    null, foreign types their nearest JSON type, odd keys strings, odd numbers 0, a huge int a
    string of about as many digits. Cost is what counts here, not meaning."""
    if depth > STAND_IN_DEPTH or id(value) in active:
        return None
    if isinstance(value, (dict, MappingProxyType)):
        inner = active | {id(value)}
        return {_key_text(key): stand_in(item, inner, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        inner = active | {id(value)}
        return [stand_in(item, inner, depth + 1) for item in value]
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -BIG_INT_LIMIT < value < BIG_INT_LIMIT:
            return int(value)
        return "9" * int(value.bit_length() * math.log10(2))
    if isinstance(value, float):
        return value if math.isfinite(value) else 0
    if isinstance(value, (bytes, bytearray)):
        return value.decode("latin-1")
    return None


#: Deeper than any decoder looks (MAX_NESTING), well within Python's recursion limit.
STAND_IN_DEPTH = 250


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    try:
        return str(key)
    except Exception:
        return "?"


def best_time(function: Callable[[], Any], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            function()
        except Exception:
            pass
        best = min(best, time.perf_counter() - start)
    return best


# --- the properties --------------------------------------------------------------------------


def check_case(case: Case, corpus: Corpus, timing: bool = True) -> Outcome:
    outcome = Outcome()
    failures = outcome.failures
    start = time.perf_counter()
    obj, error = run_entry(case, False, failures)
    middle = time.perf_counter()
    strict_obj, strict_error = run_entry(case, True, failures)
    outcome.elapsed = max(middle - start, time.perf_counter() - middle)
    accepted = error is None
    outcome.accepted = accepted
    if timing:
        check_time(case, outcome)
    if error is ESCAPED or strict_error is ESCAPED:
        return outcome
    if not accepted:
        if case.must_accept:
            failures.append(Failure("f", "a valid deep `any` value was rejected", str(error)))
        if strict_error is None:
            kind = "strict decoding accepted what lenient decoding rejects"
            failures.append(Failure("d", kind, str(error)))
        return outcome
    x = case.value if case.entry in PYTHON_ENTRIES else json.loads(case.text)  # type: ignore
    problem = non_json(x, MAX_NESTING + corpus.typed_depth + 2)
    if problem is not None:
        what, particulars = problem
        failures.append(Failure("f", f"lenient decoding accepted {what}", particulars))
        return outcome
    outcome.kept_unknown = check_strict(case, obj, strict_obj, strict_error, failures)
    try:
        encoded = m.encode(obj)
    except Exception as exc:
        failures.append(Failure("c", f"encode raised {describe_exception(exc)}", short(exc)))
        return outcome
    difference = first_difference(encoded, x)
    if difference is not None:
        what, path, there = difference
        detail = f"{path}: encoded {short(there)}"
        failures.append(Failure("c", f"encode(decode(x)) differs from x: {what}", detail))
    check_reencoding(case, obj, encoded, failures)
    return outcome


def check_strict(
    case: Case, obj: Any, strict_obj: Any, strict_error: Any, failures: list[Failure]
) -> bool:
    """Property (d); returns whether lenient decoding kept something unknown."""
    unknown = find_unknown(obj, case.target.tp)
    if unknown is not None:
        if strict_error is None:
            what, path = unknown
            failures.append(Failure("d", f"strict decoding accepted {what}", path))
    elif strict_error is not None:
        kind = "strict decoding rejected a value lenient decoding kept nothing unknown of"
        failures.append(Failure("d", kind, str(strict_error)))
    elif strict_obj != obj:
        failures.append(Failure("d", "strict and lenient decoding give different objects", ""))
    return unknown is not None


def check_reencoding(case: Case, obj: Any, encoded: Any, failures: list[Failure]) -> None:
    texts: list[tuple[str, Callable[[], str]]] = []
    if isinstance(obj, m.Model):
        texts.append(("obj.to_json()", obj.to_json))
    texts.append(
        (
            "json.dumps(encode(obj), allow_nan=False)",
            lambda: json.dumps(encoded, allow_nan=False, ensure_ascii=False)
            .encode("utf-8")
            .decode("utf-8"),
        )
    )
    for name, write in texts:
        try:
            text = write()
        except Exception as exc:
            failures.append(Failure("e", f"{name} raised {describe_exception(exc)}", short(exc)))
            continue
        try:
            back = decode_again(case, text)
        except Exception as exc:
            kind = f"the text of {name} does not decode: {describe_exception(exc)}"
            failures.append(Failure("e", kind, short(exc)))
            continue
        if back != obj:
            failures.append(Failure("e", f"the text of {name} decodes to another object", ""))


def cause_of(case: Case) -> str:
    """The most telling costly mutation a case had (or "other")."""
    return next((name for name in COSTLY_MUTATIONS if name in case.mutations), "other")


def check_time(case: Case, outcome: Outcome) -> None:
    """Property (b): compare the slower of the two calls with json.loads of the input's text."""
    if outcome.elapsed < TIME_FLOOR:
        return
    text = case.text if case.text is not None else json_text(case.value)
    loads = best_time(lambda: json.loads(text), 3)
    ratio = outcome.elapsed / loads
    if ratio > REMEASURE_ABOVE:
        # Measure both again, interleaved, best of several: the machine is shared, and one
        # slow call is more often a neighbour than the decoder.
        lenient = strict = loads = math.inf
        for _ in range(5):
            lenient = min(lenient, best_time(lambda: call(case, False), 1))
            strict = min(strict, best_time(lambda: call(case, True), 1))
            loads = min(loads, best_time(lambda: json.loads(text), 1))
        elapsed = outcome.elapsed = max(lenient, strict)
        ratio = elapsed / loads
        if ratio > RATIO_LIMIT and elapsed >= TIME_FLOOR:
            cause = cause_of(case)
            verdict = "accepted" if outcome.accepted else "rejected"
            mode = "strict" if strict > lenient else "lenient"
            kind = (
                f"{mode} decoding of a {verdict} input more than {RATIO_LIMIT}x slower than "
                f"json.loads (after {cause})"
            )
            detail = f"{elapsed * 1e3:.1f} ms, {ratio:.0f}x json.loads ({loads * 1e6:.0f} µs)"
            outcome.failures.append(Failure("b", kind, detail))
    outcome.ratio = ratio
    outcome.loads_time = loads


# --- minimizing --------------------------------------------------------------------------------


class OutOfBudget(Exception):
    pass


def minimize(case: Case, corpus: Corpus, signature: str, seconds: float) -> Case:
    """A smaller case that still fails with `signature` (the best found within `seconds`)."""
    deadline = time.monotonic() + seconds
    timing = signature.startswith("(b)")

    def fails(candidate: Case) -> bool:
        if time.monotonic() > deadline:
            raise OutOfBudget
        outcome = check_case(candidate, corpus, timing=timing)
        return any(f.signature == signature for f in outcome.failures)

    best = case
    try:
        if case.entry in PYTHON_ENTRIES or not case.text_corrupted:

            def with_value(value: Any) -> Case:
                if case.entry in PYTHON_ENTRIES:
                    return replace(case, value=value)
                return replace(case, value=value, text=text_of_value(case, value))

            value = reduce_value(case.value, lambda v: fails(with_value(v)))
            best = with_value(value)
            if case.entry not in PYTHON_ENTRIES:
                # The plainest text that still fails: compact, UTF-8, non-ASCII as it is.
                for ensure_ascii in (False, True):
                    plain = replace(
                        best, render={"ensure_ascii": ensure_ascii, "encoding": "utf-8"}
                    )
                    plain.text = text_of_value(plain, plain.value)
                    if fails(plain):
                        best = plain
                        break
        else:
            text = reduce_text(case.text, lambda t: fails(replace(case, text=t)))  # type: ignore
            best = replace(case, text=text)
    except OutOfBudget:
        pass
    return best


def reduce_value(value: Any, fails: Callable[[Any], bool]) -> Any:
    """Replace nodes by smaller ones (breadth first) while the failure stays, to a fixpoint."""
    try:
        progress = True
        while progress:
            progress = False
            for path in node_paths(value, 3_000):
                for smaller in shrink(get_at(value, path)):
                    candidate = set_at(value, path, smaller)
                    if fails(candidate):
                        value = candidate
                        progress = True
                        break
                if progress:
                    break
    except OutOfBudget:
        pass
    return value


def node_paths(value: Any, limit: int) -> list[tuple[Any, ...]]:
    """Paths of the nodes, breadth first (big reductions near the root come first)."""
    paths: list[tuple[Any, ...]] = []
    queue = [((), value)]
    seen: set[int] = set()
    while queue and len(paths) < limit:
        path, node = queue.pop(0)
        paths.append(path)
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            queue.extend((path + (key,), item) for key, item in items)
    return paths


def shrink(node: Any) -> Iterator[Any]:
    """Smaller replacements of one node, the most aggressive first."""
    if isinstance(node, (dict, list)):
        chain = _chain(node)
        for step in (chain // 2, chain // 4, 1) if chain > 8 else ():
            yield _descend(node, step)
    if isinstance(node, dict) and node:
        keys = list(node)
        yield {}
        half = len(keys) // 2
        if half:
            yield {k: node[k] for k in keys[:half]}
            yield {k: node[k] for k in keys[half:]}
        if len(keys) <= 40:
            # Biggest members first: a cycle or a huge value goes before the member it hides.
            for key in sorted(keys, key=lambda k: -size_of(node[k], 10_000)):
                yield {k: v for k, v in node.items() if k != key}
        for key in keys[:20]:
            yield node[key]
    elif isinstance(node, list) and node:
        yield []
        half = len(node) // 2
        if half:
            yield node[:half]
            yield node[half:]
        if len(node) <= 40:
            for index in range(len(node)):
                yield node[:index] + node[index + 1 :]
        yield node[0]
    elif type(node) is str and node:
        yield ""
        if len(node) > 1:
            yield node[: len(node) // 2]
            yield node[:1]
    elif type(node) is int and (node >= BIG_INT_LIMIT or node <= -BIG_INT_LIMIT):
        if node != BIG_INT_LIMIT:
            yield BIG_INT_LIMIT
    elif type(node) in (int, float) and node not in (0, 1):
        yield 0


def _chain(node: Any) -> int:
    """Length of the chain of single-member containers starting at `node` (capped)."""
    length = 0
    while isinstance(node, (dict, list)) and len(node) == 1 and length < 1_000_000:
        child = next(iter(node.values())) if isinstance(node, dict) else node[0]
        if child is node:
            break
        node = child
        length += 1
    return length


def _descend(node: Any, steps: int) -> Any:
    for _ in range(steps):
        node = next(iter(node.values())) if isinstance(node, dict) else node[0]
    return node


def reduce_text(text: str | bytes, fails: Callable[[Any], bool]) -> Any:
    """Delta debugging on the characters (or bytes): drop chunks while the failure stays."""
    chunk = max(1, len(text) // 2)
    try:
        while True:
            index = 0
            changed = False
            while index < len(text):
                candidate = text[:index] + text[index + chunk :]
                if candidate and fails(candidate):
                    text = candidate
                    changed = True
                else:
                    index += chunk
            if chunk == 1 and not changed:
                break
            if not changed:
                chunk = max(1, chunk // 2)
    except OutOfBudget:
        pass
    return text


# --- reproductions ---------------------------------------------------------------------------


class Unrepresentable(Exception):
    pass


def to_source(value: Any, active: frozenset[int] = frozenset()) -> str:
    """Python source that builds `value` (needs `math`, `m` and `tests.fuzz_inputs as fz`)."""
    kind = type(value)
    if value is None or kind is bool:
        return repr(value)
    if kind is int:
        return int_source(value)
    if kind is float:
        if math.isnan(value):
            return "math.nan"
        if math.isinf(value):
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)
    if kind is str:
        return str_source(value)
    if kind in (bytes, bytearray, complex, Decimal):
        return f"decimal.{value!r}" if kind is Decimal else repr(value)
    if id(value) in active:
        raise Unrepresentable("a cycle that is not a self_list or with_self_key")
    inner = active | {id(value)}
    if kind is list:
        if len(value) == 1 and value[0] is value:
            return "fz.self_list()"
        chain = _chain(value)
        if chain > 8 and all(type(n) is list for n in _chain_nodes(value, chain)):
            return f"fz.nested_lists({chain}, {to_source(_descend(value, chain), inner)})"
        return "[" + ", ".join(to_source(item, inner) for item in value) + "]"
    if kind is dict:
        if value.get("fuzz_self") is value:
            rest = {k: v for k, v in value.items() if k != "fuzz_self"}
            return f'fz.with_self_key({to_source(rest, inner)}, "fuzz_self")'
        chain = _chain(value)
        if chain > 8 and all(list(n) == ["a"] for n in _chain_nodes(value, chain)):
            return f"fz.nested_dicts({chain}, {to_source(_descend(value, chain), inner)})"
        members = (f"{to_source(k, inner)}: {to_source(v, inner)}" for k, v in value.items())
        return "{" + ", ".join(members) + "}"
    if kind in (tuple, set, frozenset):
        items = ", ".join(to_source(item, inner) for item in value)
        if kind is tuple:
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"{kind.__name__}([{items}])"
    special = {
        inputs.StrSub: lambda: f"fz.StrSub({str_source(str.__str__(value))})",
        inputs.IntSub: lambda: f"fz.IntSub({int_source(int(value))})",
        inputs.FloatSub: lambda: f"fz.FloatSub({float(value)!r})",
        inputs.DictSub: lambda: f"fz.DictSub({to_source(dict(value), inner)})",
        inputs.ListSub: lambda: f"fz.ListSub({to_source(list(value), inner)})",
        inputs.Opaque: lambda: "fz.Opaque()",
        inputs.Unprintable: lambda: "fz.Unprintable()",
        MappingProxyType: lambda: f"types.MappingProxyType({to_source(dict(value), inner)})",
    }
    if kind in special:
        return special[kind]()
    if kind.__name__ == "list_iterator":
        _, (items,), position = value.__reduce__()
        return f"iter({to_source(list(items)[position:], inner)})"
    if value is object or value is print or value is Ellipsis:
        return {id(object): "object", id(print): "print", id(Ellipsis): "..."}[id(value)]
    raise Unrepresentable(f"no source for a {kind.__name__}")


def _chain_nodes(node: Any, length: int) -> Iterator[Any]:
    for _ in range(length):
        yield node
        node = next(iter(node.values())) if isinstance(node, dict) else node[0]


def int_source(value: int) -> str:
    if -BIG_INT_LIMIT < value < BIG_INT_LIMIT:
        return repr(value)
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    digits = round((magnitude.bit_length() - 1) * math.log10(2))
    for power in (digits - 1, digits, digits + 1):
        if magnitude == 10**power:
            return f"{sign}10**{power}"
    return f"{sign}{hex(magnitude)}"  # hex has no digit limit


def str_source(value: str) -> str:
    if len(value) > 200:
        unit = value[0]
        if value == unit * len(value):
            return f"{unit!r} * {len(value)}"
    return repr(value)


def text_source(text: str | bytes) -> str:
    if len(text) > 200:
        first = text[:1]
        if text == first * len(text):
            return f"{first!r} * {len(text)}"
    return repr(text)


def repro_line(case: Case, failure: Failure) -> str:
    """One line of Python that shows the failure, with what to see in a trailing comment."""
    tp = f"m.{case.target.name}"
    strict = failure.prop == "a" and failure.strict or failure.prop == "d"
    flag = ", strict=True" if strict else ""
    if case.entry in PYTHON_ENTRIES:
        argument = to_source(case.value)
        if case.entry == "decode":
            decoded = f"m.decode({tp}, {argument}{flag})"
        else:
            decoded = f"{tp}.from_dict({argument}{flag})"
        original = argument
    else:
        assert case.text is not None
        decoded = f"{tp}.from_json({text_source(case.text)}{flag})"
        original = f"json.loads({text_source(case.text)})"
    if failure.prop == "c":
        return f"assert m.encode({decoded}) == {original}  # {failure.kind}"
    if failure.prop == "e" and "to_json" in failure.kind:
        return f"{decoded}.to_json()  # {failure.kind}"
    if failure.prop == "e":
        code = f"json.dumps(m.encode({decoded}), allow_nan=False, ensure_ascii=False).encode()"
        return f"{code}  # {failure.kind}"
    comment = {
        "a": f"raises {failure.kind.split(' in ')[0]}, not DecodeError",
        "b": failure.detail,
        "d": f"{failure.kind} ({failure.detail[:80]})",
        "f": (
            f"{failure.kind}: must raise DecodeError"
            if "accepted" in failure.kind
            else failure.kind
        ),
    }[failure.prop]
    return f"{decoded}  # {comment}"


def write_repro(number: int, case: Case, failure: Failure, run_seed: int) -> tuple[Path, str]:
    """Write `.fuzz-failures/<number>-<property>.py`; returns the path and the one-liner."""
    try:
        line = repro_line(case, failure)
    except Unrepresentable as exc:
        line = f"# not representable as source ({exc}); replay it instead"
    path = FAILURES_DIR / f"{number:02d}-{failure.prop}.py"
    path.write_text(
        "\n".join(
            [
                f"# ({failure.prop}) {PROPERTIES[failure.prop]}",
                f"# {failure.kind}",
                f"# {failure.detail[:300]}",
                f"# target {case.target.name}, entry point {case.entry}, "
                f"mutations {', '.join(case.mutations) or 'none'}, seed {case.seed_origin}",
                f"# full input: python -m tests.fuzz --seed {run_seed} --replay {case.index}",
                "import decimal, json, math, sys, types  # noqa: E401",
                'sys.path[:0] = ["generated", "."]',
                "import anthropic_messages as m  # noqa: E402",
                "import tests.fuzz_inputs as fz  # noqa: E402",
                "",
                line,
                "",
            ]
        ),
        encoding="utf-8",
    )
    one_line = line if len(line) <= 400 else f"(long line, see {path.relative_to(ROOT)})"
    return path, one_line


# --- running ---------------------------------------------------------------------------------


@dataclass
class FailureRecord:
    failure: Failure
    first_index: int
    count: int = 0
    targets: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    """What a batch of inputs found; reports of batches add up."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    kept_unknown: int = 0
    mutations: Counter[str] = field(default_factory=Counter)
    failures: dict[str, FailureRecord] = field(default_factory=dict)
    failing_inputs: Counter[str] = field(default_factory=Counter)
    #: The worst time ratio (ratio, index, seconds, json.loads seconds) among the timed inputs,
    #: by costly mutation (see cause_of): one cause near the limit does not hide the others.
    worst: dict[str, tuple[float, int, float, float]] = field(default_factory=dict)
    slowest: tuple[float, int, float | None] | None = None  # seconds, index, ratio
    timed: int = 0
    #: pid -> (peak RSS in KiB, the input during which the process reached it)
    memory: dict[int, tuple[int, int]] = field(default_factory=dict)
    done: int = 0

    def add_outcome(self, case: Case, outcome: Outcome) -> None:
        self.done += 1
        self.counts[(case.target.name, case.entry)] += 1
        if outcome.accepted:
            self.accepted[case.entry] += 1
        self.kept_unknown += outcome.kept_unknown
        self.mutations.update(name.split("(")[0] for name in case.mutations)
        self.mutations["text corruption"] += case.text_corrupted
        for prop in {f.prop for f in outcome.failures}:
            self.failing_inputs[prop] += 1
        for failure in outcome.failures:
            record = self.failures.get(failure.signature)
            if record is None:
                record = self.failures[failure.signature] = FailureRecord(failure, case.index)
            record.count += 1
            record.targets[case.target.name] += 1
        if outcome.ratio is not None:
            self.timed += 1
            timed = (outcome.ratio, case.index, outcome.elapsed, outcome.loads_time or 0)
            cause = cause_of(case)
            self.worst[cause] = max(self.worst.get(cause, timed), timed)
        if self.slowest is None or outcome.elapsed > self.slowest[0]:
            self.slowest = (outcome.elapsed, case.index, outcome.ratio)

    def merge(self, other: Report) -> None:
        self.done += other.done
        self.counts.update(other.counts)
        self.accepted.update(other.accepted)
        self.kept_unknown += other.kept_unknown
        self.mutations.update(other.mutations)
        self.failing_inputs.update(other.failing_inputs)
        for signature, theirs in other.failures.items():
            mine = self.failures.get(signature)
            if mine is None:
                self.failures[signature] = theirs
                continue
            mine.count += theirs.count
            mine.targets.update(theirs.targets)
            if theirs.first_index < mine.first_index:
                mine.first_index = theirs.first_index
                mine.failure = theirs.failure
        self.timed += other.timed
        for cause, timed in other.worst.items():
            self.worst[cause] = max(self.worst.get(cause, timed), timed)
        if other.slowest and (self.slowest is None or other.slowest[0] > self.slowest[0]):
            self.slowest = other.slowest
        for pid, peak in other.memory.items():
            self.memory[pid] = max(peak, self.memory.get(pid, (0, 0)))


class InputTimeout(BaseException):
    """Raised by the watchdog alarm; a BaseException so the checks do not catch it."""


def _alarm(signum: int, frame: Any) -> None:
    raise InputTimeout


def run_inputs(
    corpus: Corpus,
    run_seed: int,
    indexes: range,
    timing: bool,
    deadline: float | None = None,
    watchdog: float | None = None,
    stream_inputs: bool = False,
) -> Report:
    """Make and check the inputs of `indexes` (those of tests/fuzz_streams.py with
    `stream_inputs`). With `watchdog` (seconds), an input whose checks take longer is stopped
    and reported, so that one pathological input cannot stall the run."""
    make: Callable[[Corpus, int, int], Any] = make_case
    check: Callable[[Any, Corpus, bool], Outcome] = check_case
    if stream_inputs:
        make, check = streams.make_stream_case, streams.check_stream_case
    report = Report()
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, -1)
    if watchdog:
        signal.signal(signal.SIGALRM, _alarm)
    for index in indexes:
        if deadline is not None and time.time() > deadline:
            break
        case = make(corpus, run_seed, index)
        if watchdog:
            signal.setitimer(signal.ITIMER_REAL, watchdog)
        try:
            outcome = check(case, corpus, timing)
        except InputTimeout:
            outcome = Outcome([Failure("b", WATCHDOG_KIND, f"stopped after {watchdog} s")])
        finally:
            if watchdog:
                signal.setitimer(signal.ITIMER_REAL, 0)
        report.add_outcome(case, outcome)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if rss > peak[0]:
            peak = (rss, index)
    report.memory[os.getpid()] = peak
    return report


# The corpus is built once before the worker processes fork; they inherit it.
_CORPUS: Corpus | None = None


def _run_chunk(job: tuple[int, int, int, float | None, bool]) -> tuple[bool, Report]:
    run_seed, start, stop, deadline, stream_inputs = job
    assert _CORPUS is not None
    report = run_inputs(
        _CORPUS, run_seed, range(start, stop), True, deadline, WATCHDOG, stream_inputs
    )
    return stream_inputs, report


def _minimize_job(job: tuple[int, int, Failure, float]) -> tuple[str, Case, Failure]:
    """(signature, smallest failing input found, its failure) for one kind of failure."""
    run_seed, index, failure, seconds = job
    signature = failure.signature
    assert _CORPUS is not None
    case = make_case(_CORPUS, run_seed, index)
    if failure.kind == WATCHDOG_KIND:  # checking it again would take as long
        return signature, case, failure
    small = minimize(case, _CORPUS, signature, seconds)
    outcome = check_case(small, _CORPUS, timing=failure.prop == "b")
    again = next((f for f in outcome.failures if f.signature == signature), None)
    if again is None:  # a timing failure that did not come back: show the input as found
        return signature, case, failure
    return signature, small, again


def format_report(report: Report, corpus: Corpus, wall: float, jobs: int) -> list[str]:
    lines = [f"inputs: {report.done:,} in {wall:.0f} s on {jobs} process(es), "]
    lines[0] += f"{report.done / max(wall, 1e-9):,.0f} per second"
    by_entry: Counter[str] = Counter()
    by_target: Counter[str] = Counter()
    for (target, entry), count in report.counts.items():
        by_entry[entry] += count
        by_target[target] += count
    lines.append("per entry point (accepted by lenient decoding):")
    for entry in inputs.ENTRIES:
        lines.append(f"  {entry:16} {by_entry[entry]:>10,}  ({report.accepted[entry]:,} accepted)")
    lines.append(
        f"accepted inputs in which lenient decoding kept something unknown: "
        f"{report.kept_unknown:,}"
    )
    lines.append(
        "mutations: " + ", ".join(f"{name} {n:,}" for name, n in report.mutations.most_common())
    )
    lines.append("per root type:")
    for target in corpus.roots:
        entries = ", ".join(
            f"{entry} {report.counts[(target.name, entry)]:,}"
            for entry in inputs.ENTRIES
            if report.counts[(target.name, entry)]
        )
        lines.append(f"  {target.name:32} {by_target[target.name]:>8,}  {entries}")
    others = sorted(by_target[t.name] for t in corpus.others)
    if others:
        lines.append(
            f"other types: {len(others)}, {others[0]:,} to {others[-1]:,} inputs each "
            f"(median {others[len(others) // 2]:,})"
        )
    lines.append(
        f"inputs timed against json.loads (those over {TIME_FLOOR * 1e6:.0f} µs): {report.timed:,}"
    )
    for cause, (ratio, index, seconds, loads) in sorted(
        report.worst.items(), key=lambda item: -item[1][0]
    ):
        lines.append(
            f"  worst time ratio after {cause}: {ratio:.1f}x json.loads ({seconds * 1e3:.2f} ms "
            f"vs {loads * 1e3:.3f} ms), input {index}"
        )
    if report.slowest:
        seconds, index, ratio = report.slowest
        shown = f", {ratio:.1f}x json.loads" if ratio is not None else ""
        lines.append(f"slowest input: {seconds * 1e3:.1f} ms{shown}, input {index}")
    memory = ", ".join(
        f"{rss / 1024:.0f} MiB" + (f" (reached at input {index})" if index >= 0 else "")
        for rss, index in sorted(report.memory.values())
    )
    lines.append(f"peak memory (ru_maxrss per process): {memory}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--time-budget", type=float, default=None, help="seconds; stop early")
    parser.add_argument("--minimize-seconds", type=float, default=30.0)
    parser.add_argument("--replay", type=int, default=None, help="check one input and show it")
    parser.add_argument(
        "--stream-share",
        type=float,
        default=0.1,
        help="stream and beta inputs (tests/fuzz_streams.py) as a share of --count",
    )
    parser.add_argument("--replay-stream", type=int, default=None, help="the same, of a stream")
    args = parser.parse_args(argv)

    global _CORPUS
    started = time.time()
    corpus = _CORPUS = build_corpus()
    # The corpus lives as long as the run: keep the collector from scanning it again and again
    # (and from touching the pages the worker processes share with this one).
    gc.freeze()
    seeds = sum(len(s) for s in corpus.seeds.values())
    print(
        f"corpus: {len(corpus.targets)} targets ({len(corpus.roots)} roots), {seeds:,} seeds, "
        f"built in {time.time() - started:.1f} s"
    )
    if args.replay is not None:
        return replay(corpus, args.seed, args.replay)
    if args.replay_stream is not None:
        return streams.replay_stream(corpus, args.seed, args.replay_stream)

    deadline = started + args.time_budget if args.time_budget else None
    stream_count = int(args.count * args.stream_share)
    chunks = [
        (args.seed, start, min(start + CHUNK, count), deadline, stream_inputs)
        for count, stream_inputs in ((args.count, False), (stream_count, True))
        for start in range(0, count, CHUNK)
    ]
    # Interleaved, so that a time budget leaves some of each.
    chunks.sort(key=lambda job: job[1])
    report = Report()
    stream_report = Report()
    last_print = time.time()
    context = multiprocessing.get_context("fork")
    with context.Pool(args.jobs) as pool:
        for stream_inputs, part in pool.imap_unordered(_run_chunk, chunks):
            (stream_report if stream_inputs else report).merge(part)
            if time.time() - last_print > 30:
                last_print = time.time()
                rate = report.done / (last_print - started)
                print(
                    f"  {report.done:,} inputs, {last_print - started:.0f} s, {rate:,.0f}/s, "
                    f"{len(report.failures)} failure kind(s)",
                    flush=True,
                )
        wall = time.time() - started
        lines = format_report(report, corpus, wall, args.jobs)
        lines += summarize_failures(report, pool, args)
    lines += format_stream_report(stream_report, args.seed)
    print("\n".join(lines))
    if report.failures or stream_report.failures:
        FAILURES_DIR.mkdir(exist_ok=True)
        (FAILURES_DIR / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if report.failures or stream_report.failures else 0


def format_stream_report(report: Report, run_seed: int) -> list[str]:
    """The stream and beta inputs: counts, worst time ratio, and each kind of failure with the
    command that replays its first input (they are not minimized)."""
    by_entry: Counter[str] = Counter()
    for (_, entry), count in report.counts.items():
        by_entry[entry] += count
    lines = [f"stream and beta inputs: {report.done:,} (tests/fuzz_streams.py)"]
    for entry in streams.STREAM_ENTRIES:
        lines.append(
            f"  {entry:16} {by_entry[entry]:>10,}  ({report.accepted[entry]:,} decoded a message "
            "or body)"
        )
    for cause, (ratio, index, seconds, loads) in sorted(report.worst.items()):
        lines.append(
            f"  worst time ratio after {cause}: {ratio:.1f}x json.loads per pass "
            f"({seconds * 1e3:.2f} ms), input {index}"
        )
    if not report.failures:
        return lines + ["  failures: none"]
    for record in sorted(report.failures.values(), key=lambda r: r.failure.signature):
        lines.append(f"  {record.failure.signature}: {record.count:,} input(s)")
        lines.append(f"      {record.failure.detail[:300]}")
        lines.append(
            f"      python -m tests.fuzz --seed {run_seed} --replay-stream {record.first_index}"
        )
    return lines


def summarize_failures(report: Report, pool: Any, args: argparse.Namespace) -> list[str]:
    if not report.failures:
        return ["failures: none"]
    FAILURES_DIR.mkdir(exist_ok=True)
    for old in FAILURES_DIR.glob("*.py"):
        old.unlink()
    ordered = sorted(report.failures.values(), key=lambda r: (r.failure.prop, -r.count))
    jobs = [(args.seed, r.first_index, r.failure, args.minimize_seconds) for r in ordered]
    minimized = {
        signature: (case, failure) for signature, case, failure in pool.map(_minimize_job, jobs)
    }
    lines = [f"failures: {len(ordered)} kind(s)"]
    for prop, title in PROPERTIES.items():
        records = [r for r in ordered if r.failure.prop == prop]
        lines.append(
            f"({prop}) {title}: {report.failing_inputs[prop]:,} input(s), {len(records)} kind(s)"
        )
        for record in records:
            number = ordered.index(record) + 1
            case, failure = minimized[record.failure.signature]
            path, one_line = write_repro(number, case, failure, args.seed)
            top = ", ".join(f"{name} {count:,}" for name, count in record.targets.most_common(3))
            lines.append(f"  [{number}] {record.failure.kind}: {record.count:,} input(s) ({top})")
            lines.append(f"      {one_line}")
            lines.append(f"      {path.relative_to(ROOT)}; replay: --replay {record.first_index}")
    return lines


def replay(corpus: Corpus, run_seed: int, index: int) -> int:
    case = make_case(corpus, run_seed, index)
    print(f"target {case.target.name}, entry point {case.entry}, seed {case.seed_origin}")
    print(f"mutations: {', '.join(case.mutations) or 'none'}")
    if case.must_accept:
        print(f"must decode: {case.must_accept}")
    shown = case.text if case.text is not None else case.value
    print(f"input: {short(shown, 2000)}")
    outcome = check_case(case, corpus)
    print(
        f"lenient decoding {'accepted' if outcome.accepted else 'rejected'} it in "
        f"{outcome.elapsed * 1e3:.2f} ms"
    )
    for failure in outcome.failures:
        print(f"({failure.prop}) {failure.kind}: {failure.detail}")
        try:
            print(f"    {repro_line(case, failure)[:2000]}")
        except Unrepresentable as exc:
            print(f"    (no one-line reproduction: {exc})")
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
