"""The fast seeded subset of `make fuzz` (tests/fuzz.py), and tests of the fuzzer itself.

The subset runs the same inputs and properties as the full run, in this process and without
the timing property (b): no timing assertions in unit tests. A failure message names each kind
of failure with a one-line reproduction and the `--replay` command that shows the whole input.
The fuzzer's own checks are shown to fail on planted bugs, so a green subset means something.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import pytest

from tests import fuzz
from tests import fuzz_inputs as fz
from tests import fuzz_streams as fs
from tests.fuzz_inputs import Corpus, build_corpus, make_case

m = fuzz.m
SEED = 20261130
COUNT = 6_000
PLANTED_COUNT = 400


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


@pytest.fixture(scope="module")
def report(corpus: Corpus) -> fuzz.Report:
    return fuzz.run_inputs(corpus, SEED, range(COUNT), timing=False)


def explain(corpus: Corpus, records: list[fuzz.FailureRecord]) -> str:
    lines = []
    for record in records:
        case = make_case(corpus, SEED, record.first_index)
        try:
            line = fuzz.repro_line(case, record.failure)
        except fuzz.Unrepresentable as exc:
            line = f"(no one-line reproduction: {exc})"
        lines.append(f"{record.failure.signature}: {record.count} input(s)")
        lines.append(f"    {line[:400]}")
        lines.append(f"    python -m tests.fuzz --seed {SEED} --replay {record.first_index}")
    return "\n".join(lines)


@pytest.mark.parametrize("prop", [p for p in fuzz.PROPERTIES if p != "b"])
def test_property_holds_on_the_seeded_subset(
    corpus: Corpus, report: fuzz.Report, prop: str
) -> None:
    records = [r for r in report.failures.values() if r.failure.prop == prop]
    assert not records, f"({prop}) {fuzz.PROPERTIES[prop]}\n" + explain(corpus, records)


def test_the_subset_reaches_every_entry_point_root_and_mutation(
    corpus: Corpus, report: fuzz.Report
) -> None:
    assert report.done == COUNT
    entries = {entry for _, entry in report.counts}
    assert entries == set(fz.ENTRIES)
    targets = {target for target, _ in report.counts}
    assert {root.name for root in corpus.roots} <= targets
    assert len(corpus.roots) == len(fz.ROOT_NAMES)
    assert len(targets) > len(corpus.targets) * 0.9
    assert set(report.mutations) >= {name for name, _, _ in fz.MUTATIONS} | {"valid_deep_any"}
    # Properties (c), (d) and (e) only speak about accepted inputs: there must be plenty, and
    # plenty in which lenient decoding kept something unknown.
    assert sum(report.accepted.values()) > COUNT * 0.15
    assert report.kept_unknown > 200


def test_the_corpus_covers_every_decodable_type(corpus: Corpus) -> None:
    assert {target.name for target in corpus.targets} == {t.name for t in fz.all_targets()}
    assert len(fz.all_targets()) == len(fz.decodable_types())
    assert corpus.rejected_seeds == 0
    assert corpus.typed_depth >= 10
    seeds = corpus.seeds["MessageCreateParams"]
    assert any(seed.origin.startswith("request/") for seed in seeds)
    assert any(seed.anys for seed in seeds) and any(seed.enums for seed in seeds)
    assert any(seed.origin.startswith("part of ") for seed in corpus.seeds["TextBlockParam"])


def test_cases_are_reproducible(corpus: Corpus) -> None:
    for index in (0, 17, 4_321):
        first, second = make_case(corpus, SEED, index), make_case(corpus, SEED, index)
        assert (first.target, first.entry, first.mutations) == (
            second.target,
            second.entry,
            second.mutations,
        )
        assert first.text == second.text
        if first.text is None:
            assert fuzz.to_source(first.value) == fuzz.to_source(second.value)


def test_mutations_never_change_the_seed(corpus: Corpus) -> None:
    before = {
        name: [json.dumps(seed.value, sort_keys=True) for seed in seeds]
        for name, seeds in corpus.seeds.items()
    }
    for index in range(300):
        make_case(corpus, SEED + 1, index)
    after = {
        name: [json.dumps(seed.value, sort_keys=True) for seed in seeds]
        for name, seeds in corpus.seeds.items()
    }
    assert after == before


# --- the checks fail on planted bugs --------------------------------------------------------


def planted_failures(corpus: Corpus) -> dict[str, int]:
    """Inputs failing each property, over a few hundred inputs."""
    report = fuzz.run_inputs(corpus, SEED + 2, range(PLANTED_COUNT), timing=False)
    return {prop: report.failing_inputs[prop] for prop in fuzz.PROPERTIES}


@pytest.fixture(scope="module")
def baseline(corpus: Corpus) -> dict[str, int]:
    """The same without a planted bug: a planted bug must add failures of its property."""
    return planted_failures(corpus)


def test_an_escaping_exception_is_caught(
    corpus: Corpus, baseline: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    decode = m.decode

    def broken(tp: Any, data: Any, *, strict: bool = False) -> Any:
        if isinstance(data, dict) and len(data) > 3:
            raise KeyError("planted")
        return decode(tp, data, strict=strict)

    monkeypatch.setattr(m, "decode", broken)
    assert planted_failures(corpus)["a"] > baseline["a"]


def test_a_changed_json_type_breaks_the_round_trip(
    corpus: Corpus, baseline: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    encode = m.encode

    def ints_to_floats(value: Any) -> Any:
        if type(value) is int:
            return float(value)
        if type(value) is list:
            return [ints_to_floats(item) for item in value]
        if type(value) is dict:
            return {key: ints_to_floats(item) for key, item in value.items()}
        return value

    monkeypatch.setattr(m, "encode", lambda value: ints_to_floats(encode(value)))
    assert planted_failures(corpus)["c"] > baseline["c"]


def test_strict_decoding_that_ignores_strict_is_caught(
    corpus: Corpus, baseline: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    decode = m.decode
    monkeypatch.setattr(m, "decode", lambda tp, data, strict=False: decode(tp, data))
    assert planted_failures(corpus)["d"] > baseline["d"]


def test_a_to_json_that_loses_data_is_caught(
    corpus: Corpus, baseline: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    to_json = m.Model.to_json
    monkeypatch.setattr(m.Model, "to_json", lambda self: to_json(self).replace('"', "'", 1))
    assert planted_failures(corpus)["e"] > baseline["e"]


def test_minimized_reproduction_is_small_and_runs(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    decode = m.decode

    def broken(tp: Any, data: Any, *, strict: bool = False) -> Any:
        if isinstance(data, dict) and any(type(v) is list for v in data.values()):
            raise KeyError("planted")
        return decode(tp, data, strict=strict)

    monkeypatch.setattr(m, "decode", broken)
    for index in range(PLANTED_COUNT):
        case = make_case(corpus, SEED, index)
        if case.entry != "decode" or not isinstance(case.value, dict) or len(case.value) < 4:
            continue
        outcome = fuzz.check_case(case, corpus, timing=False)
        failure = next((f for f in outcome.failures if f.prop == "a"), None)
        if failure is not None:
            break
    else:
        pytest.fail("no input tripped the planted bug")
    small = fuzz.minimize(case, corpus, failure.signature, seconds=10)
    assert fuzz.size_of(small.value, 1_000) < fuzz.size_of(case.value, 1_000)
    line = fuzz.repro_line(small, failure)
    with pytest.raises(KeyError, match="planted"):
        eval(line, {"m": m, "fz": fz, "math": math, "json": json})


# --- Python source of odd values ------------------------------------------------------------


def odd_values() -> Iterator[Any]:
    yield fz.self_list()
    yield fz.with_self_key({"type": "text"}, "fuzz_self")
    yield fz.nested_lists(5_000, "leaf")
    yield fz.nested_dicts(300, 1)
    yield {"big": 10**5000, "odd": -(3**9100), "floats": [math.nan, math.inf, -math.inf, -0.0]}
    yield {b"bytes": (1, 2), None: {3}, 1.5: frozenset([4]), (1,): bytearray(b"x")}
    yield [fz.StrSub("s"), fz.IntSub(3), fz.FloatSub(1.5), fz.DictSub(a=1), fz.ListSub([2])]
    yield [MappingProxyType({"a": 1}), iter([1, 2]), fz.Opaque(), object, print, ...]
    yield {"text": "x" * 100_000, "lone": "\ud800", "key\udc80": 1}


@pytest.mark.parametrize("value", list(odd_values()), ids=lambda v: type(v).__name__)
def test_to_source_rebuilds_odd_values(value: Any) -> None:
    source = fuzz.to_source(value)
    assert len(source) < 5_000
    rebuilt = eval(source, {"fz": fz, "math": math, "types": __import__("types")})
    assert fuzz.to_source(rebuilt) == source


# --- stream and beta inputs (tests/fuzz_streams.py) -----------------------------------------

STREAM_COUNT = 600


@pytest.fixture(scope="module")
def stream_report(corpus: Corpus) -> fuzz.Report:
    return fuzz.run_inputs(corpus, SEED, range(STREAM_COUNT), timing=False, stream_inputs=True)


def explain_streams(records: list[fuzz.FailureRecord]) -> str:
    return "\n".join(
        f"{r.failure.signature}: {r.count} input(s), {r.failure.detail[:300]}\n"
        f"    python -m tests.fuzz --seed {SEED} --replay-stream {r.first_index}"
        for r in records
    )


@pytest.mark.parametrize("prop", [p for p in fuzz.PROPERTIES if p != "b"])
def test_stream_property_holds_on_the_seeded_subset(stream_report: fuzz.Report, prop: str) -> None:
    records = [r for r in stream_report.failures.values() if r.failure.prop == prop]
    assert not records, f"({prop}) {fuzz.PROPERTIES[prop]}\n" + explain_streams(records)


def test_the_stream_subset_reaches_every_entry_point(stream_report: fuzz.Report) -> None:
    entries = {entry for _, entry in stream_report.counts}
    assert entries == set(fs.STREAM_ENTRIES)
    # Most streams still make a message, and some bodies still decode, so the checks after
    # decoding run; the mutations and corruptions make the rest fail.
    assert stream_report.accepted["sse"] > stream_report.counts[(fs.STREAM_TARGET.name, "sse")] / 2
    assert stream_report.accepted["betas"] > 50
    assert {"drop", "mutate", "corrupt_text", "reindex"} <= set(stream_report.mutations)


def stream_failures(corpus: Corpus, prop: str) -> int:
    report = fuzz.run_inputs(corpus, SEED + 3, range(150), timing=False, stream_inputs=True)
    return report.failing_inputs[prop]


def test_an_accumulator_that_raises_is_caught(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = m.MessageAccumulator.feed

    def broken(self: Any, event: Any) -> None:
        if type(event) is m.ContentBlockStopEvent:
            raise IndexError("planted")
        feed(self, event)

    monkeypatch.setattr(m.MessageAccumulator, "feed", broken)
    assert stream_failures(corpus, "a") > 0


def test_a_bedrock_decoder_that_loses_events_is_caught(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = m.BedrockEventStreamDecoder.feed
    monkeypatch.setattr(m.BedrockEventStreamDecoder, "feed", lambda self, c: feed(self, c)[1:])
    assert stream_failures(corpus, "g") > 0


def test_a_strip_betas_that_strips_nothing_is_caught(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(m, "strip_betas", lambda obj, allowed, drop_unknown=False: (obj, []))
    assert stream_failures(corpus, "h") > 0
