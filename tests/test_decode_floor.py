"""The benchmark's floor and lazy prototype (tests/decode_floor.py) must do the decoder's work, or
their rows in `make bench` would compare against less than decoding is."""

from __future__ import annotations

import json
from typing import Any

import anthropic_messages as m
from anthropic_messages import _response
from tests.benchmark import request_workload, response_workload, stream_workload
from tests.decode_floor import floor_decoder, written_out_lazy_decoder


def test_the_floor_rebuilds_every_object_the_decoder_makes() -> None:
    cases = [(request_workload(), m.MessageCreateParams), (response_workload(), m.Message)]
    cases += [(event, m.MessageStreamEvent) for event in stream_workload()[:40]]
    for body, root in cases:
        decoded = m.decode(root, body)
        rebuilt = floor_decoder(body, decoded)(json.loads(json.dumps(body)))
        assert same_members(rebuilt, decoded)


def same_members(rebuilt: Any, decoded: Any) -> bool:
    """Equal objects of the same classes, all the way down, leaving out what the floor does not
    build: `extra`, the kept key order, and the slots of absent members (UNSET when decoded)."""
    if isinstance(decoded, m.Model):
        return type(rebuilt) is type(decoded) and all(
            same_members(getattr(rebuilt, name, m.UNSET), getattr(decoded, name))
            for name in type(decoded).__slots__
            if name not in ("extra", "_wire")
        )
    if type(decoded) is list:
        return (
            type(rebuilt) is list
            and len(rebuilt) == len(decoded)
            and all(same_members(*pair) for pair in zip(rebuilt, decoded))
        )
    return bool(rebuilt == decoded)


def test_the_written_out_lazy_prototype_reads_as_the_lazy_decoder() -> None:
    body = response_workload()
    decode = written_out_lazy_decoder(_response._MESSAGE_LAZY, body)
    prototype = decode(json.loads(json.dumps(body)), False)
    lazy = m.decode(m.Message, json.loads(json.dumps(body)), lazy=True)
    assert type(prototype) is type(lazy)
    for name in ("id", "model", "stop_reason", "stop_sequence", "usage", "content", "extra"):
        assert getattr(prototype, name) == getattr(lazy, name)
    assert m.encode(prototype) == m.encode(lazy) == body
