"""Real payloads (recorded traffic and API docs examples, see tests/payloads/SOURCES.md).

Every payload, stable or beta, must decode strictly and round-trip exactly; documentation
fragments that leave out required fields must fail at the exact path. Stable payloads must also
be valid against the stable JSON Schema, beta payloads against the beta one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import anthropic_messages as m
from tests.support import GENERATED, PAYLOADS

ROOTS: dict[str, Any] = {
    "request": m.MessageCreateParams,
    "message": m.Message,
    "stream": m.MessageStreamEvent,
    "count_tokens": m.MessageCountTokensParams,
    "tokens_count": m.MessageTokensCount,
    "error": m.ErrorResponse,
}

# Real payloads that strict decoding rightly rejects, with the path it must name.
STRICT_REJECTS = {
    # An edge proxy's 403 with an error type the API itself never sends.
    "error/opencommit_issue_411_forbidden_no_envelope_type.json": "$.error.type",
}

# Documentation excerpts that leave out a field the API always sends: (item, path).
FRAGMENTS = {
    # Constant tags are checked before other members: `type` is reported before `id`.
    "message/docs_search_result_location_citations_partial_envelope.json": (0, "$.type"),
    "message/docs_stop_reason_example_no_model.json": (0, "$.model"),
    "message/docs_web_search_result_citation_partial_envelope.json": (0, "$.type"),
    "stream/docs_thinking_no_usage_truncated_signature.json": (0, "$.message.usage"),
}


def payload_files(base: Path) -> list[Path]:
    return sorted(p for kind in ROOTS for p in (base / kind).glob("*.json"))


def items_of(path: Path) -> tuple[Any, list[Any]]:
    """The root type and the JSON values of a payload file (a stream holds one per event)."""
    kind = path.parent.name
    data = json.loads(path.read_text(encoding="utf-8"))
    return ROOTS[kind], data if kind == "stream" else [data]


def name_of(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


STABLE = payload_files(PAYLOADS)
BETA = payload_files(PAYLOADS / "beta")


def test_the_corpus_covers_every_root() -> None:
    assert {p.parent.name for p in STABLE} == set(ROOTS)
    assert len(STABLE) >= 50 and len(BETA) >= 20


@pytest.mark.parametrize("path", STABLE + BETA, ids=name_of)
def test_payload_round_trips_unchanged_in_lenient_mode(path: Path) -> None:
    root, items = items_of(path)
    for item in items:
        encoded = m.encode(m.decode(root, item))
        assert encoded == item
        # Same JSON text once keys are sorted: catches 1 vs 1.0 and null vs absent.
        assert json.dumps(encoded, sort_keys=True) == json.dumps(item, sort_keys=True)


@pytest.mark.parametrize("path", STABLE + BETA, ids=name_of)
def test_payload_decodes_strictly(path: Path) -> None:
    root, items = items_of(path)
    expected_failure = STRICT_REJECTS.get(name_of(path))
    if expected_failure is not None:
        with pytest.raises(m.DecodeError) as caught:
            for item in items:
                m.decode(root, item, strict=True)
        assert caught.value.path == expected_failure
        return
    for item in items:
        assert m.encode(m.decode(root, item, strict=True)) == item


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_documentation_fragment_fails_at_the_first_missing_field(name: str) -> None:
    root, items = items_of(PAYLOADS / "fragments" / name)
    index, path = FRAGMENTS[name]
    for item in items[:index]:
        m.decode(root, item)
    with pytest.raises(m.DecodeError) as caught:
        m.decode(root, items[index])
    assert caught.value.path == path
    assert "absent" in caught.value.found


def schema_validator(channel: str, root: str) -> jsonschema.Draft202012Validator:
    document = json.loads((GENERATED / "jsonschema" / f"{channel}.json").read_text())
    return jsonschema.Draft202012Validator({**document, "$ref": f"#/$defs/{root}"})


@pytest.mark.parametrize(
    ("channel", "path"),
    [("stable", p) for p in STABLE if name_of(p) not in STRICT_REJECTS]
    + [("beta", p) for p in BETA],
    ids=lambda v: v if isinstance(v, str) else name_of(v),
)
def test_payload_is_valid_against_the_json_schema_of_its_channel(channel: str, path: Path) -> None:
    """The export and the decoders describe the same wire: they must agree on real data."""
    root, items = items_of(path)
    name = root.__name__ if isinstance(root, type) else _alias(root)
    validator = schema_validator(channel, name)
    for item in items:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(item)]
        assert errors == []


def _alias(union: Any) -> str:
    return next(name for name in m.__all__ if getattr(m, name) is union)
