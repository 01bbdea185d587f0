"""The final message of a stream, rebuilt event by event, and usage totals for tracers.

How the events of a stream build up the message a non-streaming request would return.

`MessageAccumulator.feed` takes each decoded event; `message` is the message so far at any
point. Which delta changes which member of a block, and how, is declared in the spec's stream
section; this module only carries it out. Nothing here raises on odd streams: what cannot be
applied is kept in `skipped`, with the reason.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Final

from ._runtime import (
    MAX_NESTING,
    UNSET,
    DecodeError,
    check_json,
    has_lone_surrogate,
    is_json_number,
    parse_json,
)
from ._response import (
    FallbackBlock,
    Message,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)
from ._response_compaction import CompactionBlock
from ._response_server_tools import MCPToolUseBlock
from ._streaming import (
    CitationsDelta,
    CompactionContentBlockDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    ErrorEvent,
    InputJSONDelta,
    MessageDeltaEvent,
    MessageDeltaUsage,
    MessageStartEvent,
    MessageStopEvent,
    PingEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
)
from ._usage import Usage
from ._unions import MessageStreamEvent

__all__ = [
    "MessageAccumulator",
    "SkippedEvent",
    "UsageTotals",
    "usage_totals",
]

# How each delta type changes a block: (delta attribute, how, block attribute, block classes).
# "append" joins text, "append_item" adds to a list, "set" replaces, "json" collects JSON text
# parsed into the member. A block of another class leaves the delta unapplied (and recorded).
_FOLDS: Final[dict[type, tuple[tuple[str, str, str, tuple[type, ...]], ...]]] = {
    TextDelta: (("text", "append", "text", (TextBlock,)),),
    CitationsDelta: (("citation", "append_item", "citations", (TextBlock,)),),
    ThinkingDelta: (("thinking", "append", "thinking", (ThinkingBlock,)),),
    SignatureDelta: (("signature", "set", "signature", (ThinkingBlock, CompactionBlock)),),
    InputJSONDelta: (
        ("partial_json", "json", "input", (ToolUseBlock, ServerToolUseBlock, MCPToolUseBlock)),
    ),
    CompactionContentBlockDelta: (
        ("content", "set", "content", (CompactionBlock,)),
        ("encrypted_content", "set", "encrypted_content", (CompactionBlock,)),
    ),
}


# What a starting block of some class sets on the message: (attribute path, message attribute).
_BLOCK_SETS: Final[dict[type, tuple[tuple[tuple[str, ...], str], ...]]] = {
    FallbackBlock: ((("to", "model"), "model"),),
}


_SLOTS: dict[type, tuple[str, ...]] = {}


def _with(obj: Any, changes: dict[str, Any]) -> Any:
    """A shallow copy of a decoded object with some members changed, as `obj.replace` makes
    it (received key order kept) but several times faster: it fills the slots directly
    instead of going through dataclasses.replace and __init__."""
    if type(getattr(obj, "_wire", ())) is not tuple:
        return obj.replace(**changes)  # a lazily decoded object: its own copy decodes it
    kind = type(obj)
    names = _SLOTS.get(kind)
    if names is None:
        names = _SLOTS[kind] = tuple(
            name for owner in kind.__mro__ for name in vars(owner).get("__slots__", ())
        )
    copy = object.__new__(kind)
    for name in names:
        setattr(copy, name, changes[name] if name in changes else getattr(obj, name))
    return copy


@dataclass(frozen=True)
class SkippedEvent:
    """An event, or the delta of one, that could not be folded into the message, and why."""

    event: MessageStreamEvent
    reason: str


class _Block:
    """One content block under construction: the block as last built, and the changes that
    came since, applied when a snapshot is asked for (appending to a string attribute one delta
    at a time would copy the whole text each time)."""

    __slots__ = ("block", "texts", "items", "sets", "json", "json_into", "stopped", "changed")

    def __init__(self, block: Any) -> None:
        self.block = block
        self.texts: dict[str, list[str]] = {}
        self.items: dict[str, list[Any]] = {}
        self.sets: dict[str, Any] = {}
        self.json: _PartialJSON | None = None
        self.json_into = ""
        self.stopped = False
        self.changed = False

    def built(self) -> Any:
        """The block with every change so far: a new object when anything changed, so that
        snapshots handed out earlier stay as they were."""
        if not self.changed:
            return self.block
        changes: dict[str, Any] = dict(self.sets)
        block = self.block
        for name, pieces in self.texts.items():
            present = changes.get(name, getattr(block, name))
            # An optional text member may be absent or null until its first piece comes.
            changes[name] = (present if isinstance(present, str) else "") + "".join(pieces)
        for name, added in self.items.items():
            present = changes.get(name, getattr(block, name))
            changes[name] = (present if isinstance(present, list) else []) + added
        if self.json is not None and not self.stopped:
            value = self.json.value()
            if isinstance(value, dict):
                changes[self.json_into] = value
        self.block = _with(block, changes)
        self.texts, self.items, self.sets = {}, {}, {}
        self.changed = False
        return self.block


class MessageAccumulator:
    """Folds the events of one stream into the `Message` the request would have returned.

    Feed every decoded event in order with `feed`. `message` is the message so far, valid after
    any number of events: None until `MessageStartEvent` arrives, then a new `Message`
    each time something changed (objects handed out before are never changed later; events fed
    in are never changed either). Folding follows the spec: present members of a message delta
    overwrite the message's, absent ones leave them alone, and a null is written only where
    the message accepts null (a null usage count means "not reported", not zero). Tool input JSON
    is parsed when its block stops; until then `message` shows what the JSON received so far
    holds. Input that never completes or does not parse stays as far as it could be read, and
    `incomplete_inputs` holds its text by block index.

    Nothing raises: events before the start, deltas for a block that never started, unknown
    events and deltas, and deltas that do not fit their block are kept in `skipped` with the
    reason, and an error event is kept in `error`.
    """

    __slots__ = (
        "_shell",
        "_blocks",
        "_order",
        "_content",
        "_changed",
        "_snapshot",
        "done",
        "error",
        "skipped",
        "_unparsed",
    )

    def __init__(self) -> None:
        self._shell: Message | None = None
        self._blocks: dict[int, _Block] = {}
        # The block indices in order, each block as the last snapshot had it, and the indices
        # of the blocks changed since: a snapshot rebuilds only those.
        self._order: list[int] = []
        self._content: list[Any] = []
        self._changed: set[int] = set()
        self._snapshot: Message | None = None
        self._unparsed: dict[int, str] = {}
        #: True once the stream's end event arrived.
        self.done = False
        #: The error event the stream ended with, if one came.
        self.error: ErrorEvent | None = None
        #: Events and deltas that could not be folded, in order, each with the reason.
        self.skipped: list[SkippedEvent] = []

    def feed(self, event: MessageStreamEvent) -> None:
        """Fold one decoded event into the message."""
        kind = type(event)
        if kind is ContentBlockDeltaEvent:
            self._delta(event)  # type: ignore[arg-type]
        elif kind is ContentBlockStartEvent:
            self._start_block(event)  # type: ignore[arg-type]
        elif kind is ContentBlockStopEvent:
            self._stop_block(event)  # type: ignore[arg-type]
        elif kind is MessageStartEvent:
            self._start(event)  # type: ignore[arg-type]
        elif kind is MessageDeltaEvent:
            self._message_delta(event)  # type: ignore[arg-type]
        elif kind is MessageStopEvent:
            self.done = True
        elif kind is ErrorEvent:
            self.error = event  # type: ignore[assignment]
        elif kind is PingEvent:
            pass
        else:
            self.skipped.append(SkippedEvent(event, "an event type this spec does not know"))

    @property
    def message(self) -> Message | None:
        """The message so far; None before the stream's start event."""
        if self._snapshot is None and self._shell is not None:
            content, order = self._content, self._order
            for index in self._changed:
                content[bisect_left(order, index)] = self._blocks[index].built()
            self._changed.clear()
            self._snapshot = _with(self._shell, {"content": list(content)})
        return self._snapshot

    @property
    def usage(self) -> Usage | None:
        """The usage so far (from the start event, merged with every message delta)."""
        return None if self._shell is None else self._shell.usage

    @property
    def incomplete_inputs(self) -> dict[int, str]:
        """The JSON text of every tool input that is not (yet) a complete JSON object, by
        block index: blocks still open, and stopped blocks whose text did not parse."""
        found = dict(self._unparsed)
        for index, block in self._blocks.items():
            if block.json is not None and not block.stopped:
                found[index] = block.json.text()
        return dict(sorted(found.items()))

    def _add_block(self, index: int, block: Any) -> _Block:
        added = self._blocks[index] = _Block(block)
        order = self._order
        if order and index < order[-1]:  # blocks come in order, unless a stream is odd
            position = bisect_left(order, index)
            order.insert(position, index)
            self._content.insert(position, block)
        else:
            order.append(index)
            self._content.append(block)
        return added

    def _skip(self, event: Any, reason: str) -> None:
        self.skipped.append(SkippedEvent(event, reason))

    def _start(self, event: MessageStartEvent) -> None:
        if self._shell is not None:
            self._skip(event, "a second start event; the first one is kept")
            return
        message = event.message
        self._shell = _with(message, {"content": []})
        for index, block in enumerate(message.content):
            self._add_block(index, block).stopped = True
        self._snapshot = None

    def _start_block(self, event: ContentBlockStartEvent) -> None:
        if self._shell is None:
            self._skip(event, "a block started before the message did")
        elif event.index in self._blocks:
            self._skip(event, f"block {event.index} had already started")
        else:
            block = event.content_block
            self._add_block(event.index, block)
            self._snapshot = None
            for path, into in _BLOCK_SETS.get(type(block), ()):
                value: Any = block
                for step in path:
                    value = getattr(value, step, None)
                if value is not None and value is not UNSET:
                    self._shell = _with(self._shell, {into: value})

    def _stop_block(self, event: ContentBlockStopEvent) -> None:
        block = self._blocks.get(event.index)
        if block is None:
            self._skip(event, f"block {event.index} never started")
            return
        if block.json is not None and not block.stopped and block.json.text().strip():
            # Only whitespace (or no JSON at all) leaves the input the block started with.
            text = block.json.text()
            value = _read_json(text)
            if not isinstance(value, dict):
                # Keep what could be read (a truncated object shows its complete members).
                self._unparsed[event.index] = text
                value = block.json.value()
            if isinstance(value, dict):
                block.sets[block.json_into] = value
            block.changed = True
        block.stopped = True
        self._changed.add(event.index)
        self._snapshot = None

    def _delta(self, event: ContentBlockDeltaEvent) -> None:
        block = self._blocks.get(event.index)
        if block is None:
            self._skip(event, f"a delta for block {event.index}, which never started")
            return
        delta = event.delta
        rules = _FOLDS.get(type(delta))
        if rules is None:
            self._skip(event, "a delta type this spec does not know")
            return
        fits = applied = False
        for member, how, into, blocks in rules:
            if not isinstance(block.block, blocks):
                continue
            fits = True
            value = getattr(delta, member)
            if value is UNSET:
                continue
            applied = True
            if how == "append":
                block.texts.setdefault(into, []).append(value)
            elif how == "json":
                if block.json is None:
                    block.json, block.json_into = _PartialJSON(), into
                block.json.feed(value)
            elif how == "append_item":
                block.items.setdefault(into, []).append(value)
            else:
                block.texts.pop(into, None)
                block.items.pop(into, None)
                block.sets[into] = value
        if applied:
            block.changed = True
            self._changed.add(event.index)
            self._snapshot = None
        elif rules and not fits:
            self._skip(event, f"this delta does not apply to a {type(block.block).__name__}")

    def _message_delta(self, event: MessageDeltaEvent) -> None:
        shell = self._shell
        if shell is None:
            self._skip(event, "a message delta before the message started")
            return
        changes: dict[str, Any] = {}
        delta = event.delta
        if delta.stop_reason is not UNSET:
            changes["stop_reason"] = delta.stop_reason
        if delta.stop_sequence is not UNSET:
            changes["stop_sequence"] = delta.stop_sequence
        if delta.stop_details is not UNSET:
            changes["stop_details"] = delta.stop_details
        if delta.container is not UNSET:
            changes["container"] = delta.container
        if event.context_management is not UNSET:
            changes["context_management"] = event.context_management
        if event.input_transformations is not UNSET:
            changes["input_transformations"] = event.input_transformations
        counts: dict[str, Any] = {}
        usage = event.usage
        counts["output_tokens"] = usage.output_tokens
        if usage.input_tokens is not UNSET and usage.input_tokens is not None:
            counts["input_tokens"] = usage.input_tokens
        if (
            usage.cache_creation_input_tokens is not UNSET
            and usage.cache_creation_input_tokens is not None
        ):
            counts["cache_creation_input_tokens"] = usage.cache_creation_input_tokens
        if usage.cache_read_input_tokens is not UNSET and usage.cache_read_input_tokens is not None:
            counts["cache_read_input_tokens"] = usage.cache_read_input_tokens
        if usage.server_tool_use is not UNSET and usage.server_tool_use is not None:
            counts["server_tool_use"] = usage.server_tool_use
        if usage.output_tokens_details is not UNSET and usage.output_tokens_details is not None:
            counts["output_tokens_details"] = usage.output_tokens_details
        if usage.iterations is not UNSET and usage.iterations is not None:
            counts["iterations"] = usage.iterations
        if usage.fallback_credit is not UNSET and usage.fallback_credit is not None:
            counts["fallback_credit"] = usage.fallback_credit
        if counts:
            changes["usage"] = _with(shell.usage, counts)
        if changes:
            self._shell = _with(shell, changes)
            self._snapshot = None


class _PartialJSON:
    """JSON text that arrives in pieces, read at any point as the value it holds so far.

    The text is parsed as it comes: each piece is scanned once, complete values are built once
    and kept in the open containers, and the open string's text is decoded once. Reading the
    value copies only the containers still open (shallowly: finished members are shared, and
    never changed again) and joins the open string, so reading after every piece never
    re-parses what came before. What is shown is always part of the final value: objects and
    arrays hold the members that are complete, plus a string value cut where the text stops;
    a key, number, `true`, `false` or `null` that may still grow is left out. Anything no
    decoder of this package accepts (not JSON, NaN, Infinity, 1e999, lone surrogates, nesting
    beyond MAX_NESTING) stops the reading: the value stays as it was just before.
    """

    __slots__ = (
        "_pieces",
        "_length",
        "_frames",
        "_expect",
        "_root",
        "_in_string",
        "_is_key",
        "_raw",
        "_escape",
        "_decoded",
        "_token",
        "_failed",
        "_shown",
        "_fresh",
    )

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._length = 0
        # The open containers, outermost first, each with the key its open member goes under.
        self._frames: list[list[Any]] = []
        self._expect = _VALUE
        self._root: Any = None  # the whole value, once it is complete
        self._in_string = False
        self._is_key = False
        self._raw: list[str] = []  # text of the open string not decoded yet (whole escapes)
        self._escape = ""  # the escape in progress, from its backslash
        self._decoded: list[str] = []  # the open string's characters decoded so far
        self._token: list[str] | None = None  # the number or literal in progress
        self._failed = False
        self._shown: Any = None
        self._fresh = True  # whether _shown is the value of everything fed

    def text(self) -> str:
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    def feed(self, piece: str) -> None:
        self._pieces.append(piece)
        self._length += len(piece)
        if self._failed or not piece:
            return
        self._fresh = False
        index, end = 0, len(piece)
        while index < end:
            if self._in_string:
                index = self._scan_string(piece, index)
            elif self._token is not None:
                match = _TOKEN_RUN.match(piece, index)
                assert match is not None  # the pattern also matches the empty run
                self._token.append(match.group())
                index = match.end()
                if index < end:
                    self._end_token()
            else:
                index = self._scan_outside(piece, index)
            if self._failed:
                return
        if self._in_string and self._raw:
            self._decode(final=False)

    def _scan_string(self, piece: str, index: int) -> int:
        escape = self._escape
        if escape:
            if len(escape) == 1:
                escape += piece[index]
                index += 1
            need = (6 if escape[1] == "u" else 2) - len(escape)
            taken = piece[index : index + need]
            escape += taken
            index += len(taken)
            if len(taken) == need:
                self._raw.append(escape)
                escape = ""
            self._escape = escape
            return index
        match = _STRING_RUN.match(piece, index)
        assert match is not None  # the pattern also matches the empty run
        if match.end() > index:
            self._raw.append(match.group())
            index = match.end()
        if index == len(piece):
            return index
        if piece[index] == "\\":
            self._escape = "\\"
            return index + 1
        self._decode(final=True)  # at the closing quote
        if self._failed:
            return index
        self._in_string = False
        text = "".join(self._decoded)
        self._decoded = []
        if self._is_key:
            self._frames[-1][1] = text
            self._expect = _COLON
        else:
            self._add(text)
        return index + 1

    def _decode(self, final: bool) -> None:
        """Decode the open string's whole escapes; a high surrogate's escape at the end waits
        for its low half unless the string is closed (then it is a lone surrogate)."""
        raw = "".join(self._raw)
        held = ""
        if not final and _ends_in_high_surrogate_escape(raw):
            raw, held = raw[:-6], raw[-6:]
        self._raw = [held] if held else []
        if not raw:
            return
        try:
            text = json.loads('"' + raw + '"')
        except ValueError:
            self._failed = True
            return
        if not text.isascii() and has_lone_surrogate(text):
            self._failed = True
            return
        self._decoded.append(text)

    def _scan_outside(self, piece: str, index: int) -> int:
        char = piece[index]
        expect = self._expect
        frames = self._frames
        if char in " \t\r\n":
            match = _SPACE_RUN.match(piece, index)
            assert match is not None
            return match.end()
        if char == '"' and expect in _STRING_STARTS:
            self._in_string = True
            self._is_key = expect in _KEY_STARTS
            return index + 1
        if char in "{[" and expect in _VALUE_STARTS:
            if len(frames) >= MAX_NESTING:
                self._failed = True
            else:
                frames.append([{} if char == "{" else [], None])
                self._expect = _KEY_OR_END if char == "{" else _VALUE_OR_END
            return index + 1
        if char in "}]" and frames and type(frames[-1][0]) is (dict if char == "}" else list):
            if expect == _COMMA_OR_END or expect == (_KEY_OR_END if char == "}" else _VALUE_OR_END):
                self._add(frames.pop()[0])
                return index + 1
        elif char == "," and expect == _COMMA_OR_END:
            self._expect = _KEY if type(frames[-1][0]) is dict else _VALUE
            return index + 1
        elif char == ":" and expect == _COLON:
            self._expect = _VALUE
            return index + 1
        elif char in _TOKEN_CHARS and expect in _VALUE_STARTS:
            self._token = []
            return index
        self._failed = True
        return index

    def _end_token(self) -> None:
        assert self._token is not None
        text = "".join(self._token)
        self._token = None
        try:
            value = json.loads(text)
        except ValueError:
            self._failed = True
            return
        if type(value) is not bool and value is not None and not is_json_number(value):
            self._failed = True  # 1e999 reads as infinity
            return
        self._add(value)

    def _add(self, value: Any) -> None:
        """Put a complete value where the text has it: in the innermost open container, or as
        the whole value."""
        frames = self._frames
        if not frames:
            self._root = value
            self._expect = _END
            return
        container, key = frames[-1]
        if type(container) is list:
            container.append(value)
        else:
            container[key] = value
        self._expect = _COMMA_OR_END

    def value(self) -> Any:
        """The value so far (None before any of it is complete); once the text stops being
        JSON a decoder accepts, the value read just before that point."""
        if self._fresh:
            return self._shown
        frames = self._frames
        if frames or self._expect != _END:
            inner: Any = None
            has_inner = self._in_string and not self._is_key
            if has_inner:
                if len(self._decoded) > 1:
                    self._decoded = ["".join(self._decoded)]
                inner = self._decoded[0] if self._decoded else ""
            for container, key in reversed(frames):
                copy = container.copy()
                if has_inner:
                    if type(copy) is list:
                        copy.append(inner)
                    else:
                        copy[key] = inner
                inner, has_inner = copy, True
            self._shown = inner
        else:
            self._shown = self._root
        self._fresh = True
        return self._shown


# What the partial JSON reader expects next.
_VALUE, _VALUE_OR_END, _KEY_OR_END, _KEY, _COLON, _COMMA_OR_END, _END = range(7)
_VALUE_STARTS: Final = frozenset((_VALUE, _VALUE_OR_END))
_KEY_STARTS: Final = frozenset((_KEY_OR_END, _KEY))
_STRING_STARTS: Final = _VALUE_STARTS | _KEY_STARTS


_NOT_JSON: Final = object()


def _read_json(text: str) -> Any:
    """The value of JSON text, or _NOT_JSON. json.loads also takes NaN, Infinity, numbers too
    large for a float, lone surrogates and nesting beyond MAX_NESTING, which no decoder of this
    package accepts: a message holding them could not be encoded or decoded again."""
    try:
        value = parse_json(text)
        check_json(value)
    except DecodeError:
        return _NOT_JSON
    return value


def _ends_in_high_surrogate_escape(body: str) -> bool:
    """True when `body`, the text of a string so far, ends in the escape of a high surrogate
    (`\\ud83d`) rather than in an escaped backslash followed by `ud83d`. The backslashes before
    it are counted by one strip: a regular expression searching for them backtracks in time
    quadratic in a long run of them."""
    start = len(body) - 6
    if start < 0 or _HIGH_SURROGATE_ESCAPE.fullmatch(body, start) is None:
        return False
    through = body[: start + 1]
    return (len(through) - len(through.rstrip("\\"))) % 2 == 1


_STRING_RUN: Final = re.compile(r'[^"\\]*')
_SPACE_RUN: Final = re.compile(r"[ \t\r\n]*")
_TOKEN_CHARS: Final = frozenset("0123456789+-.eEtrufalsn")
_TOKEN_RUN: Final = re.compile(r"[0-9+\-.eEtrufalsn]*")
_HIGH_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")


@dataclass(frozen=True)
class UsageTotals:
    """Usage figures a tracer can add up, every absent or null count read as 0.

    `total_input_tokens` is the input as billed: uncached input plus cache writes plus cache
    reads. Cache writes are split by lifetime; when a usage gives only the total, the total is
    counted as five-minute writes (the lifetime a cache breakpoint gets unless it asks for
    another). `server_tool_requests` counts server tool requests by kind. The `iterations_…`
    figures add up every entry of the per-step list (compaction steps included, which the
    top-level counts leave out); they are 0 when the usage has no such list.
    """

    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    cache_creation_5m_input_tokens: int
    cache_creation_1h_input_tokens: int
    total_input_tokens: int
    server_tool_requests: dict[str, int] = field(default_factory=dict)
    iterations: int = 0
    iterations_input_tokens: int = 0
    iterations_output_tokens: int = 0
    iterations_cache_read_input_tokens: int = 0
    iterations_cache_creation_input_tokens: int = 0


def _count(value: Any) -> int:
    return value if type(value) is int else 0


def usage_totals(usage: Usage | MessageDeltaUsage) -> UsageTotals:
    """The figures of a usage object (of a message, or of a stream's message delta)."""
    uncached = _count(usage.input_tokens)
    cache_read = _count(usage.cache_read_input_tokens)
    by_ttl = getattr(usage, "cache_creation", None)
    five = one = 0
    if by_ttl is not None and by_ttl is not UNSET:
        five, one = _count(by_ttl.ephemeral_5m_input_tokens), _count(
            by_ttl.ephemeral_1h_input_tokens
        )
    written = usage.cache_creation_input_tokens
    cache_creation = _count(written) if type(written) is int else five + one
    if type(written) is int and five + one == 0:
        five = cache_creation
    servers: dict[str, int] = {}
    counters = usage.server_tool_use
    if counters is not None and counters is not UNSET:
        servers["web_search_requests"] = _count(getattr(counters, "web_search_requests", 0))
        servers["web_fetch_requests"] = _count(getattr(counters, "web_fetch_requests", 0))
    steps = usage.iterations
    steps = steps if isinstance(steps, list) else []
    sums = [0, 0, 0, 0]
    for step in steps:
        fields = step.to_dict()
        sums[0] += _count(fields.get("input_tokens"))
        sums[1] += _count(fields.get("output_tokens"))
        sums[2] += _count(fields.get("cache_read_input_tokens"))
        sums[3] += _count(fields.get("cache_creation_input_tokens"))
    return UsageTotals(
        input_tokens=uncached,
        output_tokens=_count(usage.output_tokens),
        cache_read_input_tokens=cache_read,
        cache_creation_input_tokens=cache_creation,
        cache_creation_5m_input_tokens=five,
        cache_creation_1h_input_tokens=one,
        total_input_tokens=uncached + cache_creation + cache_read,
        server_tool_requests=servers,
        iterations=len(steps),
        iterations_input_tokens=sums[0],
        iterations_output_tokens=sums[1],
        iterations_cache_read_input_tokens=sums[2],
        iterations_cache_creation_input_tokens=sums[3],
    )
