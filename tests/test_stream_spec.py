"""The spec's stream section on a small spec of its own: what it generates, and the errors a
wrong section gets (file, line, key, and how to fix it)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codegen.pipeline import generate_files

from .support import import_generated
from .test_spec_errors import only_problem, problems_of, where, write_spec

TYPES = """
Reply:
  fields:
    id: {type: string}
    type: {const: reply}
    content: {type: "list[Block]"}
    done_why: {type: string, optional: true, nullable: true}
    usage: {type: Counts}

Counts:
  fields:
    tokens_in: {type: integer}
    tokens_out: {type: integer}

Block:
  union: {tag: type}
  variants: [Words, Call]

Words:
  fields:
    type: {const: words}
    words: {type: string, optional: true, nullable: true}
    notes: {type: "list[string]", optional: true}

Call:
  fields:
    type: {const: call}
    args: {type: "map[any]"}

Piece:
  union: {tag: type}
  variants: [MoreWords, MoreArgs, Note]

MoreWords:
  fields:
    type: {const: more_words}
    words: {type: string}

MoreArgs:
  fields:
    type: {const: more_args}
    json: {type: string}

Note:
  fields:
    type: {const: note}
    note: {type: string}

Event:
  union: {tag: type}
  variants: [Begin, BlockBegin, BlockPiece, BlockEnd, Change, End, Failure]

Begin:
  fields:
    type: {const: begin}
    message: {type: Reply}

BlockBegin:
  fields:
    type: {const: block_begin}
    index: {type: integer}
    content_block: {type: Block}

BlockPiece:
  fields:
    type: {const: block_piece}
    index: {type: integer}
    delta: {type: Piece}

BlockEnd:
  fields:
    type: {const: block_end}
    index: {type: integer}

Change:
  fields:
    type: {const: change}
    delta: {type: ChangeDelta}
    usage: {type: ChangeCounts}

ChangeDelta:
  fields:
    done_why: {type: string, optional: true, nullable: true}

ChangeCounts:
  fields:
    tokens_out: {type: integer}
    tokens_in: {type: integer, optional: true, nullable: true}

End:
  fields:
    type: {const: end}

Failure:
  fields:
    type: {const: failure}
    error: {type: string}
"""

STREAM = """
stream:
  events: Event
  roles:
    message_start: Begin
    block_start: BlockBegin
    block_delta: BlockPiece
    block_stop: BlockEnd
    message_delta: Change
    message_stop: End
    error: Failure
  deltas:
    MoreWords: {words: append}
    MoreArgs: {json: {json: args}}
    Note: {note: {append_item: notes}}
"""


def test_a_spec_of_its_own_gets_a_working_accumulator(tmp_path: Path) -> None:
    spec_dir = write_spec(tmp_path, {"reply.yaml": TYPES + STREAM})
    out = tmp_path / "out"
    for name, data in generate_files(spec_dir).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    package = import_generated(out / "anthropic_messages", "stream_spec_package")
    events = [
        {
            "type": "begin",
            "message": {
                "id": "r1",
                "type": "reply",
                "content": [],
                "usage": {"tokens_in": 3, "tokens_out": 0},
            },
        },
        {"type": "block_begin", "index": 0, "content_block": {"type": "words", "words": None}},
        {"type": "block_piece", "index": 0, "delta": {"type": "more_words", "words": "Hel"}},
        {"type": "block_piece", "index": 0, "delta": {"type": "note", "note": "n1"}},
        {"type": "block_piece", "index": 0, "delta": {"type": "more_words", "words": "lo"}},
        {"type": "block_end", "index": 0},
        {"type": "block_begin", "index": 1, "content_block": {"type": "call", "args": {}}},
        {"type": "block_piece", "index": 1, "delta": {"type": "more_args", "json": '{"a": [1, '}},
        {"type": "block_piece", "index": 1, "delta": {"type": "more_words", "words": "x"}},
        {"type": "block_piece", "index": 1, "delta": {"type": "more_args", "json": "2]}"}},
        {"type": "block_end", "index": 1},
        {
            "type": "change",
            "delta": {"done_why": "done"},
            "usage": {"tokens_out": 9, "tokens_in": None},
        },
        {"type": "end"},
    ]
    accumulator = package.MessageAccumulator()
    for data in events:
        accumulator.feed(package.decode(package.Event, data))
    assert accumulator.done
    assert [s.reason for s in accumulator.skipped] == ["this delta does not apply to a Call"]
    assert package.encode(accumulator.message) == {
        "id": "r1",
        "type": "reply",
        "content": [
            {"type": "words", "words": "Hello", "notes": ["n1"]},
            {"type": "call", "args": {"a": [1, 2]}},
        ],
        "done_why": "done",
        "usage": {"tokens_in": 3, "tokens_out": 9},
    }
    assert not hasattr(package, "usage_totals")  # no usage names in this section


def test_a_spec_without_a_stream_section_has_no_accumulator(tmp_path: Path) -> None:
    files = generate_files(write_spec(tmp_path, {"reply.yaml": TYPES}))
    assert "anthropic_messages/_accumulate.py" not in files
    assert b"MessageAccumulator" not in files["anthropic_messages/__init__.py"]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        (
            "MoreWords: {words: append}",
            "MoreWord: {words: append}",
            "stream.deltas.MoreWord.words",
            "'MoreWord' is not a variant of Piece",
        ),
        (
            "MoreWords: {words: append}",
            "MoreWords: {word: append}",
            "stream.deltas.MoreWords.word",
            "MoreWords has no member 'word' to fold; use one of 'words'",
        ),
        (
            "Note: {note: {append_item: notes}}",
            "Note: {note: append}",
            "stream.deltas.Note.note",
            "no variant of Block has a member 'note'",
        ),
        (
            "Note: {note: {append_item: notes}}",
            "Note: {note: {append: notes}}",
            "stream.deltas.Note.note",
            "'append' cannot fold Note.note (string) into 'notes'",
        ),
        (
            "MoreArgs: {json: {json: args}}",
            "MoreArgs: {json: {json: words}}",
            "stream.deltas.MoreArgs.json",
            "'json' cannot fold MoreArgs.json",
        ),
        (
            "    Note: {note: {append_item: notes}}\n",
            "",
            "stream.deltas.Note",
            "the member(s) 'note' of Note have no fold rule",
        ),
        (
            "    block_stop: BlockEnd",
            "    block_stop: Failure",
            "stream.roles.block_stop",
            "needs the member(s) 'index', which Failure lacks",
        ),
        (
            "    error: Failure",
            "    error: Counts",
            "stream.roles.error",
            "'Counts' is not a variant of Event",
        ),
        (
            "  events: Event",
            "  events: Evnt",
            "stream.events",
            "the type 'Evnt' is not defined in any spec file",
        ),
        (
            "    MoreWords: {words: append}",
            "    MoreWords: {words: glue}",
            "stream.deltas.MoreWords.words",
            "'glue' is not allowed here; write one of 'append', 'set', 'ignore', or a mapping of "
            "one of append, append_item, json, set to a member name",
        ),
    ],
)
def test_a_wrong_stream_section_is_reported_where_it_is_written(
    tmp_path: Path, old: str, new: str, key: str, says: str
) -> None:
    assert old in STREAM
    text = textwrap.dedent(TYPES + STREAM.replace(old, new)).lstrip("\n")
    found = problems_of(write_spec(tmp_path, {"reply.yaml": text}))
    # A misspelt delta also leaves the real one without a rule, which is reported too.
    problem = next(p for p in found if p.location.key == key)
    line = _line_of(text, new.strip()) if new.strip() else _line_of(text, "  deltas:")
    assert where(problem)[0] == "reply.yaml" and where(problem)[2] == key, str(problem)
    if key != "stream.deltas.Note":
        assert where(problem)[1] == line, str(problem)
    assert says in problem.message, str(problem)


def test_roles_without_deltas_are_reported_at_the_section(tmp_path: Path) -> None:
    # The deltas key and its rules (the lines indented under it) taken out, the roles kept.
    after = STREAM[STREAM.index("  deltas:") :].splitlines()[1:]
    end = next((i for i, line in enumerate(after) if not line.startswith("    ")), len(after))
    without = STREAM.replace("\n".join(["  deltas:", *after[:end]]) + "\n", "")
    assert without != STREAM and "  roles:" in without
    text = textwrap.dedent(TYPES + without).lstrip("\n")
    found = problems_of(write_spec(tmp_path, {"reply.yaml": text}))
    assert [(where(p)[1:], p.message) for p in found] == [
        (
            (_line_of(text, "stream:"), "stream"),
            "'roles' needs 'deltas' beside it; add it or remove 'roles'",
        )
    ]


def test_a_message_delta_member_the_message_lacks_is_reported(tmp_path: Path) -> None:
    types = TYPES.replace(
        "    done_why: {type: string, optional: true, nullable: true}\n\nChangeCounts",
        "    done_why: {type: string, optional: true, nullable: true}\n"
        "    mood: {type: string, optional: true}\n\nChangeCounts",
    )
    assert "mood" in types
    problem = only_problem(tmp_path, {"reply.yaml": types + STREAM})
    assert where(problem)[2] == "stream.roles.message_delta"
    assert "Reply has no member for 'mood' of ChangeDelta" in problem.message


def test_a_type_named_like_the_accumulator_is_reported(tmp_path: Path) -> None:
    text = TYPES + "\nSkippedEvent:\n  fields:\n    why: {type: string}\n" + STREAM
    problem = only_problem(tmp_path, {"reply.yaml": text})
    assert where(problem)[1:] == (
        text.lstrip("\n").splitlines().index("SkippedEvent:") + 1,
        "SkippedEvent",
    )
    assert "rename this type" in problem.message


def test_two_stream_sections_are_one_too_many(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, {"a.yaml": TYPES + STREAM, "b.yaml": STREAM})
    assert where(problem) == ("b.yaml", 1, "stream")
    assert "merge the two" in problem.message
