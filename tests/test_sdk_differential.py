"""Differential test against the official SDK's own schemas.

For every root, `pydantic.TypeAdapter(<SDK type>).json_schema()` describes what the SDK accepts;
tests/schema_instances.py draws seeded random instances from it, and each one must decode with
`strict=True` and re-encode to exactly the same JSON value. Path coverage of our decoders cannot
see a field we made required where the SDK makes it optional, a field we forgot to make
nullable, a wrong type or a missing variant; this test sees all of them.

Choices, and why:

- `mode="validation"` for every root. A response model validates the JSON the server sends, so
  its validation schema is the wire; its serialization schema describes `model_dump()` output,
  which is what our side never sees (for these roots the two are identical today anyway, apart
  from the order of one enum's values). The request TypedDicts describe what a caller may hand
  to the SDK, which sends it as it is, so their validation schema is the wire as well. That
  includes the response blocks the SDK accepts in `messages[].content` (replaying
  `message.content`): it sends them with `model_dump(exclude_unset=True)`, i.e. as the server
  sent them, which is again their validation schema.
- Wire names: `json_schema()` renders aliases (`by_alias=True` is its default), so
  `from_: ... = FieldInfo(alias="from")` appears as `from`. Request TypedDicts carry no aliases
  in this SDK version (a `PropertyInfo(alias=...)` would be invisible to pydantic).
- Request TypedDicts also hold parameters the SDK sends as headers, not in the body (`betas`,
  `workspace_id`, `user_profile_id`). They are dropped from the schema; which keys are body
  keys is read from the `body={...}` literal of the SDK method that sends the request.
- `json_schema()` works for every root, TypedDicts included; no workaround was needed. One SDK
  artefact remains: file inputs of base64 sources (`data: str | Base64FileInput`) appear as
  `{"type": "string", "format": "path"}`. The SDK base64-encodes such files before sending, so
  the wire holds a string either way, and the generator draws a string.
- The SDK's stream event union has no `ping` or `error` event; ours does. Being more lenient
  than the SDK is fine; this test only finds where we are stricter or different.
- The re-encoded value is compared type by type, so that `1` and `1.0`, or `true` and `1`,
  count as different, as they do on the wire.
- Strict decoding stops at the first problem. To show the problems behind it, `check` prunes
  the offending part and decodes again (see there), so one instance can report several.

Each root draws `DIFFERENTIAL_N` instances (default 1000) with the seeds `"<root id>/<index>"`;
`InstanceGenerator(sdk_schema(root)).draw(seed)` reproduces any one of them. A failure report
groups the failures by error path with indexes removed (`$.messages[].content[].type`), so one
run shows every distinct problem, then shows the first few failures reduced to the failing path
and the value there. `python -m tests.test_sdk_differential [root id...]` prints the reports of
all roots, passing or not.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import inspect
import json
import os
import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.schema_instances import InstanceGenerator
from tests.support import messages

m = messages()

N = int(os.environ.get("DIFFERENTIAL_N", "1000"))
SHOWN_EXAMPLES = 5
SHOWN_FOUND = 8


@dataclass(frozen=True)
class Root:
    id: str  # test id and seed prefix
    sdk: str  # module:attribute of the SDK type
    ours: str  # name of our root type in anthropic_messages
    beta: bool = False
    # For request bodies: module:Class.method of the SDK call that sends them. Its `body=`
    # argument names the parameters that go into the JSON body; the others are headers.
    sender: str | None = None


CREATE = "anthropic.resources.messages.messages:Messages.create"
COUNT = "anthropic.resources.messages.messages:Messages.count_tokens"
BETA_CREATE = "anthropic.resources.beta.messages.messages:Messages.create"
BETA_COUNT = "anthropic.resources.beta.messages.messages:Messages.count_tokens"


ROOTS = [
    Root(
        "request",
        "anthropic.types.message_create_params:MessageCreateParamsNonStreaming",
        "MessageCreateParams",
        sender=CREATE,
    ),
    Root(
        "request_streaming",
        "anthropic.types.message_create_params:MessageCreateParamsStreaming",
        "MessageCreateParams",
        sender=CREATE,
    ),
    Root("message", "anthropic.types:Message", "Message"),
    Root("stream_event", "anthropic.types:RawMessageStreamEvent", "MessageStreamEvent"),
    Root(
        "count_tokens",
        "anthropic.types.message_count_tokens_params:MessageCountTokensParams",
        "MessageCountTokensParams",
        sender=COUNT,
    ),
    Root("tokens_count", "anthropic.types:MessageTokensCount", "MessageTokensCount"),
    Root(
        "beta_request",
        "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming",
        "MessageCreateParams",
        beta=True,
        sender=BETA_CREATE,
    ),
    Root("beta_message", "anthropic.types.beta:BetaMessage", "Message", beta=True),
    Root(
        "beta_stream_event",
        "anthropic.types.beta:BetaRawMessageStreamEvent",
        "MessageStreamEvent",
        beta=True,
    ),
    Root(
        "beta_count_tokens",
        "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams",
        "MessageCountTokensParams",
        beta=True,
        sender=BETA_COUNT,
    ),
    Root(
        "beta_tokens_count",
        "anthropic.types.beta:BetaMessageTokensCount",
        "MessageTokensCount",
        beta=True,
    ),
]
ROOTS_BY_ID = {root.id: root for root in ROOTS}


# --- the SDK's schemas ----------------------------------------------------------------------


def resolve(target: str) -> Any:
    """`package.module:Name.attribute` → the object it names."""
    module_name, _, attributes = target.partition(":")
    value: Any = importlib.import_module(module_name)
    for attribute in attributes.split("."):
        value = getattr(value, attribute)
    return value


@functools.cache
def body_parameters(sender: str) -> frozenset[str]:
    """The keys of the `body={...}` literal in the SDK method that sends a request.

    The request TypedDicts also hold parameters the SDK sends as headers (betas, workspace_id,
    user_profile_id); the method's body literal is the authority on what goes into the JSON.
    """
    source = textwrap.dedent(inspect.getsource(resolve(sender)))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "body":
            for inner in ast.walk(node.value):
                if isinstance(inner, ast.Dict):
                    return frozenset(
                        k.value
                        for k in inner.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    )
    raise AssertionError(f"no body={{...}} literal in {sender}")


@functools.cache
def sdk_schema(root_id: str) -> dict[str, Any]:
    """The SDK's JSON Schema of a root (validation mode: what the wire carries), body keys only."""
    import pydantic

    root = ROOTS_BY_ID[root_id]
    schema: dict[str, Any] = pydantic.TypeAdapter(resolve(root.sdk)).json_schema(mode="validation")
    if root.sender is not None:
        body = body_parameters(root.sender)
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k in body}
        schema["required"] = [k for k in schema.get("required", []) if k in body]
    return schema


# --- checking one instance -----------------------------------------------------------------


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()
_SEGMENT = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]')


def _segments(path: str) -> list[str | int]:
    """`$.messages[3]["a b"]` → ["messages", 3, "a b"]."""
    out: list[str | int] = []
    for match in _SEGMENT.finditer(path[1:]):
        name, quoted, index = match.groups()
        out.append(
            int(index)
            if index is not None
            else name if name is not None else json.loads(f'"{quoted}"')
        )
    return out


def _path(segments: list[str | int]) -> str:
    text = "$"
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment.isidentifier():
            text += "." + segment
        else:
            text += "[" + json.dumps(segment) + "]"
    return text


def first_difference(left: Any, right: Any, path: str) -> tuple[str, Any, Any] | None:
    """The first place where two JSON values differ, JSON types included (1 is not 1.0)."""
    if type(left) is not type(right):
        return path, left, right
    if isinstance(left, dict):
        for key in list(left) + [k for k in right if k not in left]:
            sub = _path(_segments(path) + [key])
            if key not in right or key not in left:
                return sub, left.get(key, ABSENT), right.get(key, ABSENT)
            found = first_difference(left[key], right[key], sub)
            if found:
                return found
        return None
    if isinstance(left, list):
        for index in range(max(len(left), len(right))):
            sub = f"{path}[{index}]"
            if index >= len(left) or index >= len(right):
                return (
                    sub,
                    left[index] if index < len(left) else ABSENT,
                    (right[index] if index < len(right) else ABSENT),
                )
            found = first_difference(left[index], right[index], sub)
            if found:
                return found
        return None
    return None if left == right else (path, left, right)


@dataclass(frozen=True)
class Finding:
    path: str
    found: str
    expected: str
    value: Any = None  # the value at `path`, for reports


def _prune(data: Any, segments: list[str | int]) -> list[str | int] | None:
    """Remove the nearest list item on the path (or else the member itself); returns what was
    removed, or None when the path is the root and nothing can be removed."""
    cut = max((i for i, s in enumerate(segments) if isinstance(s, int)), default=None)
    target = segments[: cut + 1] if cut is not None else segments
    if not target:
        return None
    parent = data
    for segment in target[:-1]:
        parent = parent[segment]
    try:
        del parent[target[-1]]
    except (KeyError, IndexError, TypeError):
        return None
    return target


def _value_at(data: Any, segments: list[str | int]) -> Any:
    for segment in segments:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return ABSENT
    return data


def check(tp: Any, instance: Any, limit: int = 50) -> list[Finding]:
    """Every problem strict decoding and re-encoding have with an instance.

    Decoding stops at the first error, so the offending part is removed (the nearest list item
    holding it, or the member) and the rest decoded again. An "absent" error at a place this
    pruning emptied is an artefact of the pruning and not reported.
    """
    data = copy.deepcopy(instance)
    findings: list[Finding] = []
    pruned: set[str] = set()
    for _ in range(limit):
        try:
            decoded = m.decode(tp, data, strict=True)
        except m.DecodeError as error:
            segments = _segments(error.path)
            artefact = error.found.startswith("nothing") and error.path in pruned
            if not artefact:
                findings.append(
                    Finding(error.path, error.found, error.expected, _value_at(data, segments))
                )
            if artefact:
                segments = segments[:-1]  # the member is gone: the object holding it must go
            removed = _prune(data, segments)
            if removed is None:
                break
            pruned.add(_path(removed))
            continue
        difference = first_difference(data, m.encode(decoded), "$")
        if difference is not None:
            where, before, after = difference
            findings.append(Finding(where, f"re-encoded as {after!r}", f"{before!r}", before))
        break
    return findings


# --- running a root -------------------------------------------------------------------------


@dataclass
class Outcome:
    root: Root
    n: int
    failures: list[tuple[str, list[Finding]]] = field(default_factory=list)

    def report(self) -> str:
        head = (
            f"{self.root.id}: SDK {self.root.sdk} as our {self.root.ours}: "
            f"{len(self.failures)} of {self.n} instances fail"
        )
        if not self.failures:
            return head
        patterns: Counter[tuple[str, str]] = Counter()
        example: dict[tuple[str, str], str] = {}
        for seed, findings in self.failures:
            for finding in findings:
                key = (re.sub(r"\[\d+\]", "[]", finding.path), finding.found[:60])
                patterns[key] += 1
                example.setdefault(key, seed)
        lines = [head, "failures by path (with one seed to reproduce):"]
        for (pattern, found), count in patterns.most_common():
            lines.append(
                f"  {count:5}  {pattern}: found {found}  (seed {example[(pattern, found)]!r})"
            )
        lines.append(f"first {SHOWN_EXAMPLES} failures:")
        for seed, findings in self.failures[:SHOWN_EXAMPLES]:
            for finding in findings[:SHOWN_FOUND]:
                shown = json.dumps(finding.value, default=repr)[:200]
                lines.append(
                    f"  {seed}: {finding.path}: expected {finding.expected}, found {finding.found}"
                    f"; value {shown}"
                )
        return "\n".join(lines)


def run(root: Root, n: int) -> Outcome:
    generator = InstanceGenerator(sdk_schema(root.id))
    tp = getattr(m, root.ours)
    outcome = Outcome(root, n)
    for index in range(n):
        seed = f"{root.id}/{index}"
        findings = check(tp, generator.draw(seed))
        if findings:
            outcome.failures.append((seed, findings))
    return outcome


# --- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("root", ROOTS, ids=lambda root: root.id)
def test_sdk_schema_instances_decode_strictly_and_round_trip(root: Root) -> None:
    outcome = run(root, N)
    if outcome.failures:
        pytest.fail(outcome.report(), pytrace=False)


def test_every_root_maps_to_a_root_of_ours() -> None:
    for root in ROOTS:
        assert getattr(m, root.ours) is not None


@pytest.mark.parametrize("root", [r for r in ROOTS if r.sender], ids=lambda r: r.id)
def test_request_roots_draw_only_body_parameters(root: Root) -> None:
    """The body keys read from the SDK method all exist in its TypedDict; the rest are headers."""
    import pydantic

    body = body_parameters(str(root.sender))
    full = pydantic.TypeAdapter(resolve(root.sdk)).json_schema()["properties"]
    assert {"model", "messages"} <= body <= set(full)
    headers = set(full) - body
    assert headers <= {"betas", "workspace_id", "user_profile_id"}, headers
    assert set(sdk_schema(root.id)["properties"]) == body


def test_check_reports_the_problems_behind_the_first_and_no_artefacts() -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "x_unknown": 1,
        "messages": [
            {"role": "robot", "content": "s"},
            {"role": "user", "content": [{"type": "text", "text": "t", "caller": None}]},
            {"role": "user", "content": [{"type": "image", "source": {"type": "url"}}]},
        ],
    }
    found = [(f.path, f.found) for f in check(m.MessageCreateParams, body)]
    # Pruning messages[0] shifted the others; the image without source.url was pruned
    # after its report, and the "absent" errors that pruning causes are not reported.
    assert found == [
        ("$.messages[0].role", 'the string "robot"'),
        ("$.messages[0].content[0].caller", "null"),
        ("$.messages[1].content[0].source.url", "nothing (the field is absent)"),
        ("$.x_unknown", "the number 1"),
    ]
    assert check(m.MessageCreateParams, {"model": "m", "max_tokens": 1, "messages": []}) == []


def test_first_difference_compares_json_types() -> None:
    assert first_difference({"a": [1, {"b": 1}]}, {"a": [1, {"b": 1}]}, "$") is None
    assert first_difference({"a": 1}, {"a": 1.0}, "$") == ("$.a", 1, 1.0)
    assert first_difference([True], [1], "$") == ("$[0]", True, 1)
    assert first_difference({"a": None}, {}, "$") == ("$.a", None, ABSENT)
    assert first_difference({"x-y": [1]}, {"x-y": [1, 2]}, "$") == ('$["x-y"][1]', ABSENT, 2)


def main(argv: list[str]) -> int:
    selected = [ROOTS_BY_ID[name] for name in argv] if argv else ROOTS
    failed = False
    for root in selected:
        outcome = run(root, N)
        failed = failed or bool(outcome.failures)
        print(outcome.report(), end="\n\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
