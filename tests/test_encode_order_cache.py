"""The encoders' cache of received member orders (the runtime's in_received_order): it gives
the same objects as building each order afresh, and stays bounded however many orders it meets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from anthropic_messages import _runtime


@pytest.fixture
def empty_cache() -> Iterator[dict[tuple[str, ...], dict[str, None]]]:
    cache = _runtime._ORDER_TEMPLATES
    saved = dict(cache)
    cache.clear()
    yield cache
    cache.clear()
    cache.update(saved)


def test_the_order_received_comes_back_from_a_cached_template(
    empty_cache: dict[tuple[str, ...], dict[str, None]],
) -> None:
    out = {"type": "text", "text": "hi"}
    for _ in range(2):  # built, then copied from the cache
        ordered = _runtime.in_received_order(out, ("text", "type"))
        assert list(ordered.items()) == [("text", "hi"), ("type", "text")]
    assert list(empty_cache) == [("text", "type")]
    # The template is copied, never handed out: filling the result leaves it empty.
    assert empty_cache["text", "type"] == {"text": None, "type": None}


def test_members_set_since_follow_and_members_gone_are_left_out(
    empty_cache: dict[tuple[str, ...], dict[str, None]],
) -> None:
    order = ("b", "a", "gone")
    for _ in range(2):
        ordered = _runtime.in_received_order({"a": 1, "b": 2, "new": 3}, order)
        assert list(ordered.items()) == [("b", 2), ("a", 1), ("new", 3)]


def test_the_cache_stays_bounded(empty_cache: dict[tuple[str, ...], dict[str, None]]) -> None:
    keys = [f"k{index}" for index in range(8)]
    out = dict.fromkeys(keys, 0)
    orders = itertools.islice(itertools.permutations(keys), _runtime._TEMPLATES_KEPT + 500)
    for order in orders:
        assert tuple(_runtime.in_received_order(out, order)) == order
    assert len(empty_cache) == _runtime._TEMPLATES_KEPT


def test_a_decoders_order_cache_learns_each_order_once_and_stays_bounded() -> None:
    positions = {"type": 0, "text": 1, "cache_control": 2}
    orders = _runtime.KeyOrders(positions)
    assert orders["type", "text"] == ()  # the encoder's own order: nothing to keep
    assert orders["text", "type"] == ("text", "type")
    assert orders["type", "text", "zz"] == ()  # unknown members come last anyway
    assert orders["zz", "type", "text"] == ("zz", "type", "text")
    assert len(orders) == 4
    for count in range(200):  # orders made up to fill it: it keeps what it may, and answers all
        keys = (f"k{count}", "text", "type")
        assert orders[keys] == keys
    assert len(orders) == _runtime._ORDERS_KEPT
