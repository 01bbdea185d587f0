"""The stream and beta entry points of `make fuzz` (tests/fuzz.py): what a gateway feeds them.

Each input is a pure function of `(run seed, input index)` and the corpus, like a type input,
and goes to one of STREAM_ENTRIES:

- `sse`: a recorded stream of events, changed event by event (dropped, repeated, swapped, an
  event replaced by a mutated one from the type fuzzer's mutations, its JSON text corrupted),
  written as server-sent events with odd but legal framing (CR, CRLF, comments, a BOM, a wrong
  `event:` name), now and then with bytes corrupted, and cut into random chunks. It goes to
  `SSEDecoder` and to `iter_events` (lenient and strict); the events decoded go to a
  `MessageAccumulator`, whose message is encoded and written with `to_json`.
- `bedrock`: the same event texts framed as AWS event-stream messages (now and then with an
  exception message, a message of another kind, or bytes corrupted) for
  `BedrockEventStreamDecoder`, lenient and strict, and the accumulator likewise.
- `betas`: a mutated request or message body decoded leniently, then `beta_uses`,
  `required_betas`, `unknown_elements`, `strip_betas` and `decode(..., betas=)` with a random
  set of anthropic-beta values (a list or one header str).

Properties, in the letters of tests/fuzz.py where they mean the same:

(a) only DecodeError escapes (strip_betas: ValueError when nothing would remain; TypeError only
    for the misuse of a beta value that is not a str, which must raise it);
(b) the decoding of a stream (or the beta helpers on a body) takes at most RATIO_LIMIT times
    the `json.loads` time of its JSON texts;
(e) the accumulated message encodes, its `to_json()` text decodes back to an equal message;
(g) the stream decoders agree: SSEDecoder gives the same events however the bytes are cut and
    the `raw` of its events joined is the input; strict decoding gives the events lenient
    decoding gives, or fewer; iter_events and the Bedrock decoder give equal events (or the same
    error path) from the same event texts;
(h) the beta helpers agree: `decode(x, betas=required_betas(obj))` accepts `x`; after
    `strip_betas(obj, allowed)` nothing remains that `allowed` does not enable, the copy
    re-encodes and decodes, `obj` is unchanged; `decode(x, betas=allowed)` accepts exactly when
    strip_betas removes nothing.
"""

from __future__ import annotations

import base64
import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests import fuzz_inputs as inputs
from tests.fuzz_inputs import (
    Corpus,
    Mutator,
    Seed,
    Target,
    corrupt_bytes,
    corrupt_text,
    render_text,
)
from tests.support import PAYLOADS

m = inputs.m

STREAM_ENTRIES = ("sse", "bedrock", "betas")
STREAM_PROPERTIES = {
    "g": "the stream decoders agree with each other and keep the bytes",
    "h": "the beta helpers agree with each other",
}
#: Bodies the beta helpers get (requests are what a gateway strips; messages come back).
BETA_ROOTS = ("MessageCreateParams", "MessageCountTokensParams", "Message")
STREAM_TARGET = Target("stream of MessageStreamEvent", m.MessageStreamEvent, False)
#: How many times the checks of a stream input read its texts, for the time ratio.
PASSES = 8
EVENT_MUTATIONS = ("drop", "repeat", "swap", "mutate", "corrupt_text", "truncate", "reindex")


@dataclass
class StreamCase:
    """One input of a stream entry point; the attributes Report reads match Case's."""

    index: int
    target: Target
    entry: str
    #: sse and bedrock: the JSON texts of the events; betas: the body's JSON value.
    texts: list[str] = field(default_factory=list)
    value: Any = None
    data: bytes = b""
    chunks: list[bytes] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)
    seed_origin: str = ""
    text_corrupted: bool = False
    #: The bytes say exactly what `texts` say (no framing-level corruption or extra messages),
    #: so both stream decoders must agree on them.
    faithful: bool = True
    allowed: Any = ()


def recorded_streams() -> list[tuple[str, list[Any]]]:
    found = []
    for base in (PAYLOADS / "stream", PAYLOADS / "beta" / "stream"):
        for path in sorted(base.glob("*.json")):
            found.append((str(path.relative_to(PAYLOADS)), json.loads(path.read_text("utf-8"))))
    return found


_STREAMS: list[tuple[str, list[Any]]] = []


def streams() -> list[tuple[str, list[Any]]]:
    if not _STREAMS:
        _STREAMS.extend(recorded_streams())
    return _STREAMS


def make_stream_case(corpus: Corpus, run_seed: int, index: int) -> StreamCase:
    rng = random.Random(f"stream/{run_seed}/{index}")
    entry = rng.choices(STREAM_ENTRIES, weights=(45, 30, 25))[0]
    case = StreamCase(index, STREAM_TARGET, entry)
    if entry == "betas":
        return make_betas_case(corpus, rng, case)
    origin, events = rng.choice(streams())
    case.seed_origin = origin
    texts = event_texts(corpus, rng, origin, events, case)
    case.texts = texts
    if entry == "sse":
        case.data = sse_bytes(rng, texts, case)
    else:
        case.data = bedrock_bytes(rng, texts, case)
    if rng.random() < 0.08:
        case.data = corrupt_bytes(rng, case.data)
        case.text_corrupted = True
        case.faithful = False
    case.chunks = cut(rng, case.data)
    return case


def event_texts(
    corpus: Corpus, rng: random.Random, origin: str, events: list[Any], case: StreamCase
) -> list[str]:
    values = list(events)
    seeds = {seed.origin: seed for seed in corpus.seeds["MessageStreamEvent"]}
    for _ in range(rng.choices((0, 1, 2, 3), weights=(20, 40, 25, 15))[0]):
        name = rng.choice(EVENT_MUTATIONS)
        if not values:
            break
        spot = rng.randrange(len(values))
        if name == "drop":
            del values[spot]
        elif name == "repeat":
            values.insert(spot, values[spot])
        elif name == "swap":
            other = rng.randrange(len(values))
            values[spot], values[other] = values[other], values[spot]
        elif name == "truncate":
            values = values[:spot]
        elif name == "reindex":
            if not isinstance(values[spot], dict) or "index" not in values[spot]:
                continue
            new = rng.choice([-1, 0, 1, 7, 2**31, 2**64, 10**20, 0.0, True, "0", None])
            values[spot] = {**values[spot], "index": new}
        elif name == "mutate":
            seed = seeds.get(f"{origin}[{spot}]") or rng.choice(corpus.seeds["MessageStreamEvent"])
            values[spot] = mutated(corpus, rng, seed, case)
        case.mutations.append(name)
    options = {"ensure_ascii": rng.random() < 0.5, "indent": 1 if rng.random() < 0.05 else None}
    texts = [render_text(value, options) for value in values]
    if texts and rng.random() < 0.1:
        spot = rng.randrange(len(texts))
        texts[spot] = corrupt_text(rng, texts[spot])
        case.mutations.append("corrupt_text")
        case.text_corrupted = True
    return texts


def mutated(corpus: Corpus, rng: random.Random, seed: Seed, case: StreamCase) -> Any:
    """The seed's value with one to three of the type fuzzer's JSON mutations."""
    mutator = Mutator(rng, seed, False, corpus)
    available = [
        (name, weight) for name, weight, python_only in inputs.MUTATIONS if not python_only
    ]
    names = [name for name, _ in available]
    weights = [weight for _, weight in available]
    for _ in range(rng.randint(1, 3)):
        name = rng.choices(names, weights=weights)[0]
        if getattr(mutator, name)():
            mutator.names.append(name)
    case.mutations.extend(mutator.names)
    return mutator.value


def sse_bytes(rng: random.Random, texts: list[str], case: StreamCase) -> bytes:
    end = rng.choice(["\n", "\r\n", "\r"])
    out = []
    if rng.random() < 0.05:
        out.append("\ufeff")
    for text in texts:
        if rng.random() < 0.05:
            out.append(f": a comment{end}")
        if "\r" in text or "\n" in text:
            case.faithful = False  # the line ends of the text are the stream's: it splits
        name = json_tag(text)
        if rng.random() < 0.03:
            name = "ping"
            case.faithful = False  # strict decoding must reject a name that is not the tag
        if name is not None and rng.random() < 0.9:
            out.append(f"event: {name}{end}")
        out.append(f"data: {text}{end}{end}")
    if rng.random() < 0.05:
        out.append(": trailing comment")
    return "".join(out).encode("utf-8", "surrogatepass")


def json_tag(text: str) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # a deep_nesting mutation
        return None
    tag = value.get("type") if isinstance(value, dict) else None
    return tag if type(tag) is str and "\n" not in tag and "\r" not in tag else None


def bedrock_frames(texts: list[str]) -> list[bytes]:
    """One chunk event message per JSON text, as Bedrock frames them."""
    frames = []
    for text in texts:
        encoded = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
        payload = json.dumps({"bytes": encoded}).encode()
        headers = {":event-type": "chunk", ":message-type": "event"}
        frames.append(encode_message(headers, payload))
    return frames


def bedrock_bytes(rng: random.Random, texts: list[str], case: StreamCase) -> bytes:
    frames = bedrock_frames(texts)
    if frames and rng.random() < 0.05:
        other = {":event-type": "metrics", ":message-type": "event"}
        frames.insert(rng.randrange(len(frames)), encode_message(other, b"{}"))
        case.mutations.append("other_event_type")
        case.faithful = False
    if frames and rng.random() < 0.03:
        exception = {":message-type": "exception", ":exception-type": "throttlingException"}
        frames.insert(rng.randrange(len(frames)), encode_message(exception, b'{"message":"x"}'))
        case.mutations.append("exception_message")
        case.faithful = False
    return b"".join(frames)


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    return bytes(m._platform_runtime.encode_event_stream_message(headers, payload))


def cut(rng: random.Random, data: bytes) -> list[bytes]:
    if rng.random() < 0.3 or not data:
        return [data]
    largest = rng.choice([1, 3, 17, 200, 4096])
    pieces, start = [], 0
    while start < len(data):
        size = rng.randint(1, largest)
        pieces.append(data[start : start + size])
        start += size
    return pieces


def make_betas_case(corpus: Corpus, rng: random.Random, case: StreamCase) -> StreamCase:
    root = rng.choice(BETA_ROOTS)
    case.target = next(target for target in corpus.roots if target.name == root)
    seed = rng.choice(corpus.seeds[root])
    case.seed_origin = seed.origin
    case.value = mutated(corpus, rng, seed, case) if rng.random() < 0.7 else seed.value
    headers = sorted(m.BETA_HEADERS)
    chosen = rng.sample(headers, rng.choice([0, 1, 2, 5, len(headers) // 2]))
    form = rng.random()
    if form < 0.3:
        case.allowed = ", ".join(chosen)  # one anthropic-beta header value
        case.mutations.append("betas_as_header")
    elif form < 0.33:
        case.allowed = [*chosen, rng.choice([5, None, b"x"])]
        case.mutations.append("betas_not_str")
    else:
        case.allowed = chosen
    return case


# --- the properties --------------------------------------------------------------------------


Failure = Any  # tests.fuzz.Failure (imported lazily: tests.fuzz imports this module)


def check_stream_case(case: StreamCase, corpus: Corpus, timing: bool = True) -> Any:
    from tests import fuzz

    outcome = fuzz.Outcome()
    checker = _Checker(case, outcome, fuzz)
    start = time.perf_counter()
    if case.entry == "sse":
        checker.sse()
    elif case.entry == "bedrock":
        checker.bedrock()
    else:
        checker.betas()
    outcome.elapsed = time.perf_counter() - start
    if timing and case.entry != "betas":
        checker.check_time()
    return outcome


class _Checker:
    def __init__(self, case: StreamCase, outcome: Any, fuzz: Any) -> None:
        self.case = case
        self.outcome = outcome
        self.fuzz = fuzz

    def fail(self, prop: str, kind: str, detail: str = "") -> None:
        self.outcome.failures.append(self.fuzz.Failure(prop, f"{self.case.entry}: {kind}", detail))

    def escaped(self, what: str, exc: BaseException) -> None:
        kind = f"{self.fuzz.describe_exception(exc)} escaped {what}"
        self.fail("a", kind, self.fuzz.short(exc))

    # sse

    def sse(self) -> None:
        case = self.case
        try:
            whole = split_sse([case.data])
            pieces = split_sse(case.chunks)
        except Exception as exc:
            self.escaped("SSEDecoder", exc)
            return
        if b"".join(event.raw for event in pieces) != case.data:
            self.fail("g", "the raw bytes of SSEDecoder's events are not the input")
        if [vars_of(e) for e in pieces] != [vars_of(e) for e in whole]:
            self.fail("g", "SSEDecoder gives other events for other chunks")
        lenient = self.events("iter_events", lambda s: m.iter_events(iter(case.chunks), strict=s))
        if lenient is None:
            return
        self.after_decoding(lenient)

    def bedrock(self) -> None:
        case = self.case

        def decode(strict: bool) -> Iterator[Any]:
            decoder = m.BedrockEventStreamDecoder(strict=strict)
            for chunk in case.chunks:
                try:
                    events = decoder.feed(chunk)
                except m.EventStreamException as exc:
                    yield from exc.events  # decoded before the exception, in the same chunk
                    raise
                yield from events
            yield from decoder.close()

        lenient = self.events("BedrockEventStreamDecoder", decode)
        if lenient is None:
            return
        self.after_decoding(lenient)

    def events(
        self, what: str, decode: Callable[[bool], Iterator[Any]]
    ) -> tuple[list[Any], Any] | None:
        """(events, DecodeError or None) of lenient decoding, after comparing it with strict."""
        found: dict[bool, tuple[list[Any], Any]] = {}
        for strict in (False, True):
            events: list[Any] = []
            error = None
            try:
                for event in decode(strict):
                    events.append(event)
            except m.DecodeError as exc:
                error = exc
                try:
                    str(exc)
                except Exception as inner:
                    self.escaped(f"str() of a DecodeError of {what}", inner)
            except Exception as exc:
                self.escaped(f"{what} (strict={strict})", exc)
                return None
            found[strict] = (events, error)
        (lenient, lenient_error), (strict_events, _) = found[False], found[True]
        if strict_events != lenient[: len(strict_events)]:
            self.fail("g", f"strict {what} gives events lenient decoding does not")
        self.error = lenient_error
        return lenient, lenient_error

    def after_decoding(self, decoded: tuple[list[Any], Any]) -> None:
        events, error = decoded
        self.accumulate(events)
        if not self.case.faithful or self.case.text_corrupted and error is None:
            return
        # The same event texts through the other decoder: equal events, or the same error path.
        other = self.other_decoding()
        if other is None:
            return
        other_events, other_error = other
        if other_events != events:
            self.fail("g", "iter_events and BedrockEventStreamDecoder give other events")
        elif (error is None) != (other_error is None):
            self.fail("g", "only one of iter_events and BedrockEventStreamDecoder raises")
        elif error is not None and error.path != other_error.path:
            detail = f"{error.path} vs {other_error.path}"
            self.fail("g", "iter_events and BedrockEventStreamDecoder give other paths", detail)

    def other_decoding(self) -> tuple[list[Any], Any] | None:
        if self.case.entry == "sse":
            data = b"".join(bedrock_frames(self.case.texts))

            def run() -> Iterator[Any]:
                decoder = m.BedrockEventStreamDecoder()
                yield from decoder.feed(data)
                yield from decoder.close()

        else:
            data = "".join(f"data: {text}\n\n" for text in self.case.texts).encode(
                "utf-8", "surrogatepass"
            )

            def run() -> Iterator[Any]:
                return m.iter_events([data])

        if not all(comparable(text) for text in self.case.texts):
            return None
        events: list[Any] = []
        try:
            for event in run():
                events.append(event)
        except m.DecodeError as exc:
            return events, exc
        except Exception:
            return None  # reported when that decoder is the one under test
        return events, None

    def accumulate(self, events: list[Any]) -> None:
        accumulator = m.MessageAccumulator()
        try:
            for event in events:
                accumulator.feed(event)
            message = accumulator.message
            accumulator.usage, accumulator.incomplete_inputs  # noqa: B018
        except Exception as exc:
            self.escaped("MessageAccumulator", exc)
            return
        if message is None:
            return
        self.outcome.accepted = True
        try:
            m.encode(message)
            text = message.to_json()
        except Exception as exc:
            kind = f"the accumulated message does not encode: {self.fuzz.describe_exception(exc)}"
            self.fail("e", kind, self.fuzz.short(exc))
            return
        try:
            again = m.Message.from_json(text)
        except Exception as exc:
            self.fail("e", "the accumulated message's to_json() does not decode", str(exc)[:300])
            return
        if again != message:
            self.fail("e", "the accumulated message's to_json() decodes to another message")

    # betas

    def betas(self) -> None:
        case = self.case
        tp = case.target.tp
        try:
            obj = m.decode(tp, case.value)
        except m.DecodeError:
            return
        except Exception as exc:
            self.escaped("decode", exc)
            return
        self.outcome.accepted = True
        bad_value = any(type(name) is not str for name in case.allowed)
        before = m.encode(obj)
        try:
            uses = m.beta_uses(obj)
            needed = m.required_betas(obj)
            m.unknown_elements(obj)
        except Exception as exc:
            self.escaped("beta_uses/required_betas/unknown_elements", exc)
            return
        for use in uses:
            if needed.isdisjoint(use.headers):
                self.fail("h", "required_betas enables no header of a use", repr(use))
        try:
            m.decode(tp, case.value, betas=sorted(needed))
        except Exception as exc:
            self.fail("h", "decode(x, betas=required_betas(obj)) rejects x", self.fuzz.short(exc))
        removed = self.strip(obj, drop_unknown=False)
        self.strip(obj, drop_unknown=True)
        if m.encode(obj) != before:
            self.fail("h", "strip_betas changed the object it was given")
        try:
            m.decode(tp, case.value, betas=case.allowed)
            accepted = True
        except m.DecodeError:
            accepted = False
        except TypeError as exc:
            if not bad_value:
                self.escaped("decode(betas=)", exc)
            return
        except Exception as exc:
            self.escaped("decode(betas=)", exc)
            return
        if bad_value:
            self.fail("a", "decode(betas=) took a beta value that is not a str")
        elif removed is not None and accepted != (not removed):
            detail = f"accepted={accepted}, removed={removed[:3]}"
            self.fail("h", "decode(betas=) accepts unless strip_betas removes something", detail)

    def strip(self, obj: Any, drop_unknown: bool) -> list[str] | None:
        case = self.case
        bad_value = any(type(name) is not str for name in case.allowed)
        try:
            stripped, removed = m.strip_betas(obj, case.allowed, drop_unknown=drop_unknown)
        except ValueError:
            return None  # nothing would remain: documented
        except TypeError as exc:
            if not bad_value:
                self.escaped("strip_betas", exc)
            return None
        except Exception as exc:
            self.escaped("strip_betas", exc)
            return None
        if bad_value:
            self.fail("a", "strip_betas took a beta value that is not a str")
            return None
        try:
            m.reject_betas(stripped, case.allowed)
        except m.DecodeError as exc:
            self.fail("h", "strip_betas left a beta element the headers do not enable", str(exc))
        try:
            again = m.decode(case.target.tp, m.encode(stripped), betas=case.allowed)
        except Exception as exc:
            kind = f"the stripped copy does not decode again: {self.fuzz.describe_exception(exc)}"
            self.fail("h", kind, self.fuzz.short(exc))
            return removed
        if drop_unknown and m.unknown_elements(again):
            self.fail("h", "strip_betas(drop_unknown=True) left unknown elements")
        return removed

    # timing

    def check_time(self) -> None:
        fuzz = self.fuzz
        outcome = self.outcome
        if outcome.elapsed < fuzz.TIME_FLOOR:
            return
        texts = self.case.texts
        chunks = self.case.chunks

        def loads_all() -> None:
            # json.loads of the texts, plus one trivial method call per chunk: a stream cut
            # into single bytes costs a call per byte, which no decoder can avoid.
            for text in texts:
                try:
                    json.loads(text)
                except (ValueError, RecursionError):
                    pass
            sink = _Sink()
            for chunk in chunks:
                sink.feed(chunk)

        # The checks read the texts about PASSES times (SSEDecoder twice, lenient and strict
        # decoding, the other stream decoder, the accumulator, to_json and its decoding).
        loads = fuzz.best_time(loads_all, 3) * PASSES
        ratio = outcome.elapsed / max(loads, 1e-9)
        if ratio > fuzz.REMEASURE_ABOVE:
            elapsed = math.inf
            for _ in range(3):
                again = check_stream_case(self.case, None, timing=False)  # type: ignore[arg-type]
                elapsed = min(elapsed, again.elapsed)
                loads = min(loads, fuzz.best_time(loads_all, 1) * PASSES)
            ratio = elapsed / max(loads, 1e-9)
            outcome.elapsed = elapsed
            if ratio > fuzz.RATIO_LIMIT and elapsed >= fuzz.TIME_FLOOR:
                kind = f"{self.case.entry}: more than {fuzz.RATIO_LIMIT}x slower than json.loads"
                detail = f"{elapsed * 1e3:.1f} ms, {ratio:.0f}x json.loads"
                outcome.failures.append(fuzz.Failure("b", kind, detail))
        outcome.ratio = ratio
        outcome.loads_time = loads


class _Sink:
    """The cheapest feed(chunk) there is, for the time per chunk."""

    def __init__(self) -> None:
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)


def comparable(text: str) -> bool:
    """Whether both stream decoders must read this event text alike. SSE splits at line ends,
    and reads bytes that are not UTF-8 as U+FFFD (the WHATWG rules); a Bedrock payload is bytes
    for json.loads, which rejects what is not UTF-8 but skips a BOM (as from_json(bytes) does)."""
    if "\n" in text or "\r" in text or text.startswith("\ufeff"):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def split_sse(chunks: list[bytes]) -> list[Any]:
    decoder = m.SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.close()


def vars_of(event: Any) -> tuple[Any, ...]:
    return (event.event, event.data, event.id, event.retry, event.raw)


def replay_stream(corpus: Corpus, run_seed: int, index: int) -> int:
    case = make_stream_case(corpus, run_seed, index)
    print(f"stream input {index}: {case.entry}, seed {case.seed_origin}")
    print(f"mutations: {', '.join(case.mutations) or 'none'}; chunks: {len(case.chunks)}")
    shown = case.value if case.entry == "betas" else case.data
    print(f"input: {repr(shown)[:3000]}")
    if case.entry == "betas":
        print(f"betas: {case.allowed!r}")
    outcome = check_stream_case(case, corpus)
    for failure in outcome.failures:
        print(f"({failure.prop}) {failure.kind}: {failure.detail}")
    return 1 if outcome.failures else 0
