"""One windowing path: every caller cuts a session into the same windows (exact ids, minbpe style), and
``event_ids`` are padded by ``RRWebTokenizer._pad`` on both sides, as lists and as tensors.

The untrained tokenizer encodes text byte by byte, so the ids below pin the windows themselves.
Depends on: rrweb_hf/tokenization_rrweb.py (window_spans, frame_windows, pad/_pad), rrweb_hf/prepare.py
(append_windows), rrweb_hf/streaming.py, rrweb_hf/lazy.py, rrweb_hf/embeddings.py.
"""

from __future__ import annotations

import json

import pytest
import torch
from transformers import DataCollatorWithPadding

from rrweb_hf.embeddings import session_windows as embedding_windows
from rrweb_hf.lazy import LazyWindowDataset
from rrweb_hf.prepare import prepare_windows
from rrweb_hf.streaming import stream_windows
from rrweb_hf.tokenization_rrweb import RRWebTokenizer


def _el(nid, tag, attrs=None, children=None):
    return {"type": 2, "id": nid, "tagName": tag, "attributes": attrs or {}, "childNodes": children or []}


#: Meta, a page with one button, a click, a scroll and a second click: 55 tokens, 5 events.
SESSION = [
    {"type": 4, "data": {"href": "https://a.io/", "width": 1280, "height": 720}, "timestamp": 1000},
    {
        "type": 2,
        "timestamp": 1010,
        "data": {
            "initialOffset": {"top": 0, "left": 0},
            "node": {
                "type": 0,
                "id": 1,
                "childNodes": [_el(2, "html", {}, [_el(3, "body", {}, [_el(4, "button", {"id": "go"})])])],
            },
        },
    },
    {"type": 3, "timestamp": 1200, "data": {"source": 2, "type": 2, "id": 4, "x": 100, "y": 50}},
    {"type": 3, "timestamp": 1300, "data": {"source": 3, "id": 3, "x": 0, "y": 400}},
    {"type": 3, "timestamp": 1700, "data": {"source": 2, "type": 2, "id": 4, "x": 640, "y": 360}},
]
MAX_LENGTH, STRIDE = 16, 3
#: ``[EVT:Meta] [DT:start] [W:8] [H:6] [URL] h t t p s : / / a . i o / [EVT:FullSnapshot] ...``
CONTENT = [
    9, 62, 164, 178, 214, 607, 619, 619, 615, 618, 561, 550, 550, 600, 549, 608, 614, 550,
    7, 70, 122, 139, 55, 243, 247, 281, 509, 606, 614, 282, 248, 244,
    17, 74, 35, 89, 106, 281, 216, 606, 614,
    18, 73, 247, 122, 140,
    17, 75, 35, 96, 113, 281, 216, 606, 614,
]  # fmt: skip
#: The six windows of max_length 16, stride 3 (each starts at an event boundary where one fits).
WINDOWS = [
    [2, 9, 62, 164, 178, 214, 607, 619, 619, 615, 618, 561, 550, 550, 600, 3],
    [2, 550, 550, 600, 549, 608, 614, 550, 7, 70, 122, 139, 55, 243, 247, 3],
    [2, 7, 70, 122, 139, 55, 243, 247, 281, 509, 606, 614, 282, 248, 244, 3],
    [2, 282, 248, 244, 17, 74, 35, 89, 106, 281, 216, 606, 614, 18, 73, 3],
    [2, 17, 74, 35, 89, 106, 281, 216, 606, 614, 18, 73, 247, 122, 140, 3],
    [2, 18, 73, 247, 122, 140, 17, 75, 35, 96, 113, 281, 216, 606, 614, 3],
]
WINDOW_EVENTS = [
    [None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None],
    [None, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, None],
    [None, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, None],
    [None, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, None],
    [None, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, None],
    [None, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, None],
]
#: The same event ids as dataset columns store them (-1 on [CLS]/[SEP]).
COLUMN_EVENTS = [[-1 if e is None else e for e in row] for row in WINDOW_EVENTS]
SPECIAL = [[1] + [0] * 14 + [1]] * 6


@pytest.fixture(scope="module")
def tok():
    return RRWebTokenizer()


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.json").write_text(json.dumps(SESSION))
    return root


def test_the_session_and_its_spans(tok):
    ids, event_ids = tok.encode_session(SESSION)
    assert ids == CONTENT
    spans = tok.window_spans(event_ids, MAX_LENGTH, STRIDE)
    assert spans == [(0, 14), (11, 25), (18, 32), (29, 43), (32, 46), (41, 55)]
    assert [CONTENT[a:b] for a, b in spans] == [w[1:-1] for w in WINDOWS]


def test_every_caller_gives_the_same_windows(tok, corpus, tmp_path):
    # the tokenizer's __call__ (overflowing windows) and its list fast path
    enc = tok(
        SESSION, max_length=MAX_LENGTH, stride=STRIDE, return_overflowing_tokens=True, return_event_ids=True
    )
    assert enc["input_ids"] == WINDOWS and enc["event_ids"] == WINDOW_EVENTS
    assert enc["overflow_to_sample_mapping"] == [0] * 6
    assert tok.windows(*tok.encode_session(SESSION), MAX_LENGTH, STRIDE) == list(
        zip(WINDOWS, WINDOW_EVENTS, strict=True)
    )
    # prepare (its Ray engine writes the rows of the same append_windows: tests/test_prepare_ray.py)
    result = prepare_windows(
        corpus,
        tok,
        max_length=MAX_LENGTH,
        stride=STRIDE,
        validation_fraction=0,
        with_event_ids=True,
        cache_dir=str(tmp_path / "cache"),
        progress=False,
    )
    rows = result.dataset["train"].to_dict()
    assert rows["input_ids"] == WINDOWS and rows["event_ids"] == COLUMN_EVENTS
    assert rows["special_tokens_mask"] == SPECIAL and rows["window_index"] == list(range(6))
    # the streaming dataset
    stream = stream_windows(
        corpus,
        tok,
        max_length=MAX_LENGTH,
        stride=STRIDE,
        validation_fraction=0,
        shuffle_buffer=0,
        repeat=False,
        with_event_ids=True,
    )
    streamed = list(stream)
    assert [r["input_ids"] for r in streamed] == WINDOWS
    assert [r["event_ids"] for r in streamed] == COLUMN_EVENTS
    assert [r["special_tokens_mask"] for r in streamed] == SPECIAL
    # the embeddings
    assert embedding_windows(tok, SESSION, MAX_LENGTH, STRIDE) == WINDOWS


def test_lazy_items_are_framed_crops_of_the_same_ids(tok, corpus):
    # one window holds the whole session: the lazy item is the tokenizer's row
    whole = LazyWindowDataset(corpus, tok, max_length=len(CONTENT) + 2, windows_per_file=1)[0]
    assert whole == {
        "input_ids": [2, *CONTENT, 3],
        "attention_mask": [1] * (len(CONTENT) + 2),
        "special_tokens_mask": [1] + [0] * len(CONTENT) + [1],
    }
    assert whole["input_ids"] == tok(SESSION)["input_ids"]
    # shorter windows: random crops, framed the same way; crop 0 is the first window of the others
    lazy = LazyWindowDataset(corpus, tok, max_length=MAX_LENGTH, windows_per_file=40, seed=5)
    crops = {tuple(CONTENT[s : s + 14]): s for s in range(len(CONTENT) - 13)}
    starts = set()
    for i in range(len(lazy)):
        item = lazy[i]
        assert (
            item["input_ids"][0] == 2 and item["input_ids"][-1] == 3 and len(item["input_ids"]) == MAX_LENGTH
        )
        assert item["special_tokens_mask"] == SPECIAL[0] and item["attention_mask"] == [1] * MAX_LENGTH
        starts.add(crops[tuple(item["input_ids"][1:-1])])
    assert len(starts) > 5
    assert [2, *CONTENT[:14], 3] == WINDOWS[0]
    tensors = LazyWindowDataset(
        corpus, tok, max_length=MAX_LENGTH, windows_per_file=40, seed=5, return_tensors="pt"
    )
    assert (
        tensors[3]["input_ids"].dtype == torch.long
        and tensors[3]["input_ids"].tolist() == lazy[3]["input_ids"]
    )


def test_frame_windows_any_span_lists_arrays_and_without_specials(tok):
    rows = tok.frame_windows([10, 11, 12], [0, 1, 1], [(1, 3), (0, 0)])
    assert rows == {
        "input_ids": [[2, 11, 12, 3], [2, 3]],
        "attention_mask": [[1, 1, 1, 1], [1, 1]],
        "special_tokens_mask": [[1, 0, 0, 1], [1, 1]],
        "event_ids": [[None, 1, 1, None], [None, None]],
    }
    arrays = tok.frame_windows([10, 11, 12], [0, 1, 1], [(1, 3), (0, 0)], as_arrays=True)
    assert {k: [v.tolist() for v in vs] for k, vs in arrays.items()} == {
        **rows,
        "event_ids": [[-1, 1, 1, -1], [-1, -1]],
    }
    assert [
        a.dtype.name for a in (arrays["input_ids"][0], arrays["event_ids"][0], arrays["attention_mask"][0])
    ] == [
        "int32",
        "int32",
        "int8",
    ]
    bare = tok.frame_windows([10, 11, 12], None, [(0, 2), (3, 3)], add_special_tokens=False)
    assert bare == {
        "input_ids": [[10, 11], []],
        "attention_mask": [[1, 1], []],
        "special_tokens_mask": [[0, 0], []],
    }
    assert tok.frame_windows([10, 11, 12], [0, 1, 1], [(1, 3)], with_masks=False) == {
        "input_ids": [[2, 11, 12, 3]],
        "event_ids": [[None, 1, 1, None]],
    }
    empty = tok.frame_windows([10], None, [(1, 1)], add_special_tokens=False, as_arrays=True)
    assert empty["special_tokens_mask"][0].tolist() == []
    with pytest.raises(ValueError, match=r"span \(2, 4\) is outside the session's 3 tokens"):
        tok.frame_windows([10, 11, 12], None, [(2, 4)])


#: Rows of unequal lengths as ``__call__`` returns them (None on [CLS]/[SEP]).
ROWS = [
    {"input_ids": [2, 9, 62, 3], "event_ids": [None, 0, 0, None]},
    {"input_ids": [2, 17, 3], "event_ids": [None, 1, None]},
    {"input_ids": [2, 3], "event_ids": [None, None]},
]


def test_pad_event_ids_right_and_left(tok):
    right = tok.pad(ROWS)
    assert right["input_ids"] == [[2, 9, 62, 3], [2, 17, 3, 0], [2, 3, 0, 0]]
    assert right["attention_mask"] == [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0]]
    assert right["event_ids"] == [[None, 0, 0, None], [None, 1, None, None], [None, None, None, None]]
    left = tok.pad(ROWS, padding_side="left", padding="max_length", max_length=5)
    assert left["input_ids"] == [[0, 2, 9, 62, 3], [0, 0, 2, 17, 3], [0, 0, 0, 2, 3]]
    assert left["event_ids"] == [[None, None, 0, 0, None], [None, None, None, 1, None], [None] * 5]
    # rows that mark specials with -1 (prepare's columns) are padded with -1
    columns = [
        {"input_ids": [2, 9, 3], "event_ids": [-1, 0, -1]},
        {"input_ids": [2, 3], "event_ids": [-1, -1]},
    ]
    assert tok.pad(columns)["event_ids"] == [[-1, 0, -1], [-1, -1, -1]]
    # one row (a copy: like the stock pad, padding one row updates the given dict)
    assert tok.pad(dict(ROWS[1]), padding="max_length", max_length=5)["event_ids"] == [
        None,
        1,
        None,
        None,
        None,
    ]


def test_pad_event_ids_as_tensors(tok):
    right = tok.pad(ROWS, return_tensors="pt")
    assert right["event_ids"].tolist() == [[-1, 0, 0, -1], [-1, 1, -1, -1], [-1, -1, -1, -1]]
    left = tok.pad(ROWS, return_tensors="pt", padding_side="left", pad_to_multiple_of=8)
    assert left["input_ids"].tolist() == [
        [0, 0, 0, 0, 2, 9, 62, 3],
        [0, 0, 0, 0, 0, 2, 17, 3],
        [0, 0, 0, 0, 0, 0, 2, 3],
    ]
    assert left["event_ids"].tolist() == [
        [-1, -1, -1, -1, -1, 0, 0, -1],
        [-1, -1, -1, -1, -1, -1, 1, -1],
        [-1] * 8,
    ]
    # the stock collator pads through the same _pad
    batch = DataCollatorWithPadding(tok)(ROWS)
    assert batch["event_ids"].tolist() == right["event_ids"].tolist()
    assert batch["input_ids"].tolist() == right["input_ids"].tolist()
    # tensor rows in: tensors out, padded with -1
    as_tensors = [
        {k: torch.tensor([-1 if e is None else e for e in v]) for k, v in row.items()} for row in ROWS
    ]
    assert tok.pad(as_tensors)["event_ids"].tolist() == right["event_ids"].tolist()


def test_encode_path_pads_event_ids_through_pad(tok):
    short = SESSION[:1]  # 18 tokens + [CLS]/[SEP]
    enc = tok([short, SESSION[:3]], padding=True, pad_to_multiple_of=8, return_event_ids=True)
    assert [len(r) for r in enc["input_ids"]] == [48, 48]
    assert enc["event_ids"][0] == [None] + [0] * 18 + [None] * 29
    assert enc["input_ids"][0] == [2, *CONTENT[:18], 3] + [0] * 28
    tensors = tok([short, SESSION[:3]], padding=True, return_event_ids=True, return_tensors="pt")
    assert tensors["event_ids"][0].tolist() == [-1] + [0] * 18 + [-1] * 24


def test_pad_refuses_event_ids_of_another_length(tok):
    with pytest.raises(ValueError, match="event_ids has 2 entries for 3 input_ids"):
        tok.pad([{"input_ids": [2, 9, 3], "event_ids": [None, 0]}, ROWS[0]])
