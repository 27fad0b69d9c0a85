"""The tokenizer on adversarial sizes: deep DOM, a 50 MB text node, 100k mouse moves (bounded output).

The full-size runs (one million mouse moves, the 4 GiB gzip bomb) with time and peak memory are in
``scripts/adversarial.py``; these cases keep the suite fast but check the same bounds.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest

from rrweb_hf.adversarial import deep_dom_json, deep_dom_session, huge_text_session, mouse_move_session
from rrweb_hf.tokenization_rrweb import DEFAULT_OPTIONS, RRWebTokenizer

#: Stated bounds, also printed by scripts/adversarial.py.
DEEP_DOM_MAX_TOKENS = 2 * DEFAULT_OPTIONS["max_dom_depth"] + 64
HUGE_TEXT_MAX_TOKENS = 2 * (DEFAULT_OPTIONS["max_text_chars"] + 64) + 64
MOUSE_MOVE_MAX_TOKENS_PER_EVENT = 3 + 2 * DEFAULT_OPTIONS["max_path_points"]


@pytest.fixture(scope="module")
def tok():
    return RRWebTokenizer()


@pytest.mark.parametrize("as_json", [False, True], ids=["events", "json-bytes"])
def test_dom_nested_100k_levels_tokenizes_without_recursion(tok, as_json):
    session = deep_dom_json(100_000) if as_json else deep_dom_session(100_000)
    limit = sys.getrecursionlimit()
    start = time.perf_counter()
    ids, event_ids = tok.encode_session(session)
    assert time.perf_counter() - start < 60
    assert sys.getrecursionlimit() == limit
    assert len(ids) <= DEEP_DOM_MAX_TOKENS
    tokens = tok.convert_ids_to_tokens(ids)
    assert tokens.count("[EVT:malformed]") == 0
    assert sorted(set(event_ids)) == [0, 1, 2]  # the click after the snapshot is still encoded
    assert tokens.count("[EVT:FullSnapshot]") == 1


def test_50_megabyte_text_node_gives_bounded_tokens(tok):
    session = huge_text_session(50 << 20)
    start = time.perf_counter()
    ids, event_ids = tok.encode_session(session)
    assert time.perf_counter() - start < 30
    assert len(ids) <= HUGE_TEXT_MAX_TOKENS
    counts = Counter(event_ids)
    assert set(counts) == {0, 1, 2}
    # each of the two copies of the text (snapshot, mutation) is cut to max_text_chars
    assert counts[1] <= DEFAULT_OPTIONS["max_text_chars"] + 64
    assert counts[2] <= DEFAULT_OPTIONS["max_text_chars"] + 64


def test_smaller_text_limit_gives_fewer_tokens(tok):
    session = huge_text_session(1 << 20)
    few = RRWebTokenizer(max_text_chars=20)
    assert len(few.encode_session(session)[0]) < len(tok.encode_session(session)[0]) - 2 * 150


@pytest.mark.parametrize("points", [1, 10])
def test_mouse_moves_give_bounded_tokens_per_event(tok, points):
    count = 100_000 if points == 1 else 5_000
    session = mouse_move_session(count, positions_per_event=points)
    start = time.perf_counter()
    ids, event_ids = tok.encode_session(session)
    assert time.perf_counter() - start < 60
    counts = Counter(event_ids)
    assert len(counts) == count + 2  # every event is encoded, none dropped
    per_event = [counts[i] for i in range(2, count + 2)]
    assert max(per_event) <= MOUSE_MOVE_MAX_TOKENS_PER_EVENT
    assert min(per_event) >= 3
    if points == 1:
        assert per_event == [5] * count  # [SRC:MouseMove] [DT] [N] [X] [Y]
    assert len(ids) <= 64 + MOUSE_MOVE_MAX_TOKENS_PER_EVENT * count
