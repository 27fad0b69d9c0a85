"""Known answers (minbpe style) for a mutation, an input and a scroll event: exact tokens and exact ids.

The untrained tokenizer encodes text byte by byte, so these pin the walker's output for each event kind.
Depends on: rrweb_hf/tokenization_rrweb.py, rrweb_hf/rrweb_walker.py (helpers from tests/test_tokenizer.py).
"""

from __future__ import annotations

import pytest
from test_tokenizer import META, el, snapshot

from rrweb_hf.tokenization_rrweb import RRWebTokenizer

#: A page with a text input (typed value "secret") and an empty list.
PAGE = [
    META,
    snapshot([el(4, "input", {"type": "text", "name": "q", "value": "secret"}), el(6, "ul", {"id": "list"})]),
]
MUTATION = {
    "type": 3,
    "timestamp": 1600,
    "data": {
        "source": 0,
        "texts": [],
        "attributes": [{"id": 4, "attributes": {"placeholder": "Search"}}],
        "removes": [{"parentId": 3, "id": 99}],
        "adds": [
            {
                "parentId": 6,
                "nextId": None,
                "node": el(7, "li", {"class": "item"}, [{"type": 3, "id": 8, "textContent": "First"}]),
            }
        ],
    },
}
INPUT = {
    "type": 3,
    "timestamp": 1700,
    "data": {"source": 5, "id": 4, "text": "hello world", "isChecked": False},
}
SCROLL = {"type": 3, "timestamp": 1900, "data": {"source": 3, "id": 6, "x": 0, "y": 640}}

CASES = {
    "mutation": (
        MUTATION,
        "[SRC:Mutation] [DT:11] [REMOVE] [TGT:unknown] [ADD] <ul> <li> @class i t e m [TXT] F i r s t </li> "
        "[SET_ATTR] <input> [LBL] q @placeholder S e a r c h",
        [
            15,
            76,
            221,
            217,
            220,
            301,
            305,
            510,
            608,
            619,
            604,
            612,
            212,
            573,
            608,
            617,
            618,
            619,
            306,
            223,
            283,
        ]
        + [216, 616, 519, 586, 604, 600, 617, 602, 607],
    ),
    "input": (INPUT, "[SRC:Input] [DT:11] <input> [LBL] q [MASKED:9-16]", [20, 76, 283, 216, 616, 199]),
    "scroll": (
        SCROLL,
        "[SRC:Scroll] [DT:11] <ul> [LBL] l i s t [SX:0] [SY:1]",
        [18, 76, 301, 216, 611, 608, 618, 619, 122, 140],
    ),
}


@pytest.fixture(scope="module")
def plain():
    return RRWebTokenizer()


@pytest.mark.parametrize("name", sorted(CASES))
def test_known_answer_event(plain, name):
    event, tokens, ids = CASES[name]
    page_ids, _ = plain.encode_session(PAGE)
    all_ids, event_ids = plain.encode_session(PAGE + [event])
    assert all_ids[: len(page_ids)] == page_ids
    got = all_ids[len(page_ids) :]
    assert plain.convert_ids_to_tokens(got) == tokens.split()
    assert got == ids
    assert event_ids[len(page_ids) :] == [2] * len(ids)  # every token maps back to the new event
