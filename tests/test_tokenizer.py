"""RRWebTokenizer: token scheme, privacy, bad input, windows, event ids, HF integration, determinism."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap

import orjson
import pytest
from conftest import SEEDED_SECRETS, build_session

from rrweb_hf.rrweb_types import EventType, IncrementalSource, MediaInteractions, MouseInteractions, NodeType
from rrweb_hf.tokenization_rrweb import DEFAULT_OPTIONS, RRWebTokenizationError, RRWebTokenizer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def plain():
    """Untrained tokenizer: text is encoded byte by byte (stable known answers)."""
    return RRWebTokenizer()


def toks(tok, events, **kwargs):
    return tok.convert_ids_to_tokens(tok.encode_session(events, **kwargs)[0])


def el(nid, tag, attrs=None, children=None):
    return {"type": 2, "id": nid, "tagName": tag, "attributes": attrs or {}, "childNodes": children or []}


def snapshot(body_children, ts=1010):
    return {
        "type": 2,
        "timestamp": ts,
        "data": {
            "initialOffset": {"top": 0, "left": 0},
            "node": {
                "type": 0,
                "id": 1,
                "childNodes": [el(2, "html", {}, [el(3, "body", {}, body_children)])],
            },
        },
    }


META = {"type": 4, "data": {"href": "https://a.io/x?q=1", "width": 1280, "height": 720}, "timestamp": 1000}

# ----------------------------------------------------------------------------- known answers


def test_known_answer_small_session(plain):
    events = [
        META,
        snapshot(
            [
                el(
                    4,
                    "button",
                    {"class": "btn", "onclick": "x()"},
                    [{"type": 3, "id": 5, "textContent": " Buy  now "}],
                )
            ]
        ),
        {"type": 3, "data": {"source": 2, "type": 2, "id": 4, "x": 100, "y": 200}, "timestamp": 1500},
    ]
    enc = plain(events, return_event_ids=True)
    assert plain.decode(enc["input_ids"]) == (
        "[CLS] [EVT:Meta] [DT:start] [W:8] [H:6] [URL] 'https://a.io/x' [QUERY] "
        "[EVT:FullSnapshot] [DT:5] [SX:0] [SY:0] [NODE:Document] <html> <body> <button> @class 'btn' "
        "[TXT] 'Buy now' </button> </body> </html> "
        "[SRC:MouseInteraction] [DT:10] [MI:Click] [X:1] [Y:4] <button> [LBL] 'Buy now' [SEP]"
    )
    tokens = plain.convert_ids_to_tokens(enc["input_ids"])
    assert tokens[:6] == ["[CLS]", "[EVT:Meta]", "[DT:start]", "[W:8]", "[H:6]", "[URL]"]
    assert enc["input_ids"][:3] == [2, 9, 62]
    ev = enc["event_ids"]
    assert ev[0] is None and ev[-1] is None
    assert ev[1 : tokens.index("[EVT:FullSnapshot]")] == [0] * (tokens.index("[EVT:FullSnapshot]") - 1)
    assert ev[tokens.index("[SRC:MouseInteraction]")] == 2
    assert enc["attention_mask"] == [1] * len(tokens)


def test_every_enum_value_and_unknowns_have_tokens(plain):
    for et in EventType:
        data = {"source": 5} if et == EventType.IncrementalSnapshot else {}
        expected = "[SRC:Input]" if et == EventType.IncrementalSnapshot else f"[EVT:{et.name}]"
        if et == EventType.FullSnapshot:
            data = {"node": {"type": 0, "id": 1, "childNodes": []}}
        assert toks(plain, [{"type": int(et), "data": data, "timestamp": 1}])[0] == expected
    for src in IncrementalSource:
        assert toks(plain, [{"type": 3, "data": {"source": int(src)}}])[0] == f"[SRC:{src.name}]"
    for mi in MouseInteractions:
        assert f"[MI:{mi.name}]" in toks(
            plain, [{"type": 3, "data": {"source": 2, "type": int(mi), "id": 1}}]
        )
    for mt in MediaInteractions:
        assert f"[MEDIA:{mt.name}]" in toks(
            plain, [{"type": 3, "data": {"source": 7, "type": int(mt), "id": 1}}]
        )
    assert "[PTR:Touch]" in toks(
        plain, [{"type": 3, "data": {"source": 2, "type": 7, "id": 1, "pointerType": 2}}]
    )
    assert "[PTR:unknown]" in toks(plain, [{"type": 3, "data": {"source": 2, "type": 7, "pointerType": 9}}])
    assert toks(plain, [{"type": 99, "data": {}}]) == ["[EVT:unknown]", "[DT:none]"]
    assert toks(plain, [{"type": 3, "data": {"source": 99}}]) == ["[SRC:unknown]", "[DT:none]"]
    assert "[MI:unknown]" in toks(plain, [{"type": 3, "data": {"source": 2, "type": 42, "id": 1}}])
    assert "[MEDIA:unknown]" in toks(plain, [{"type": 3, "data": {"source": 7, "type": 42, "id": 1}}])
    node_doc = {
        "type": 0,
        "id": 1,
        "childNodes": [
            {"type": 1, "id": 2, "name": "html", "publicId": "", "systemId": ""},
            {"type": 4, "id": 3, "textContent": ""},
            {"type": 9, "id": 4},
        ],
    }
    got = toks(plain, [{"type": 2, "data": {"node": node_doc}}])
    for name in ("Document", "DocumentType", "CDATA", "unknown"):
        assert f"[NODE:{name}]" in got
    assert set(NodeType) and len(plain) == plain.vocab_size


def test_time_gaps_are_log_buckets_never_timestamps(plain):
    stamps = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_004, 1_700_000_001_004]
    events = [{"type": 1, "data": {}, "timestamp": t} for t in stamps]
    events += [
        {"type": 1, "data": {}, "timestamp": 5},
        {"type": 1, "data": {}},
        {"type": 1, "data": {}, "timestamp": 1e12},
    ]
    dts = [t for t in toks(plain, events) if t.startswith("[DT:")]
    assert dts == ["[DT:start]", "[DT:0]", "[DT:1]", "[DT:3]", "[DT:11]", "[DT:neg]", "[DT:none]", "[DT:22]"]


def test_coordinates_relative_to_viewport_and_paths_bounded(plain):
    click = {"type": 3, "data": {"source": 2, "type": 2, "x": 640, "y": 360}}
    resize = {"type": 3, "data": {"source": 4, "width": 320, "height": 180}}
    got = toks(plain, [META, click, resize, click])
    assert got[got.index("[MI:Click]") + 1 : got.index("[MI:Click]") + 3] == ["[X:8]", "[Y:8]"]
    assert got[-3:-1] == ["[X:out]", "[Y:out]"]
    path = [{"x": i * 12, "y": 7, "id": 1, "timeOffset": 0} for i in range(100)]
    got = toks(plain, [META, {"type": 3, "data": {"source": 1, "positions": path}}])
    move = got[got.index("[SRC:MouseMove]") :]
    assert move[2] == "[N:33+]" and len(move) == 3 + 2 * DEFAULT_OPTIONS["max_path_points"]
    assert move[3:5] == ["[X:0]", "[Y:0]"] and move[-2:] == ["[X:14]", "[Y:0]"]  # x=1188 of 1280
    nan = toks(plain, [{"type": 3, "data": {"source": 2, "type": 2, "x": math.nan, "y": math.inf}}])
    assert not any(t.startswith("[X:") for t in nan)


def test_targets_described_by_tag_and_label_never_id(plain):
    form = el(
        10,
        "div",
        {},
        [
            el(11, "input", {"aria-label": "Search"}),
            el(
                12,
                "a",
                {"href": "/x"},
                [el(13, "span", {}, [{"type": 3, "id": 14, "textContent": "Next page"}])],
            ),
        ],
    )
    click = lambda nid: {"type": 3, "data": {"source": 2, "type": 2, "id": nid}}  # noqa: E731
    got = plain.decode(
        plain.encode_session([snapshot([form]), click(11), click(14), click(12), click(777)])[0]
    )
    assert "[MI:Click] <input> [LBL] 'Search'" in got
    assert "[MI:Click] [NODE:Text]" in got
    assert "[MI:Click] <a> [LBL] 'Next page'" in got  # label from grandchild text
    assert got.endswith("[MI:Click] [TGT:unknown]")
    assert "777" not in got and "'11'" not in got


def test_dom_mirror_mutations_iframes_shadow_and_reset(plain):
    add = {
        "type": 3,
        "data": {
            "source": 0,
            "adds": [
                {"parentId": 3, "nextId": None, "node": el(20, "button", {"name": "ok"}, [])},
                {
                    "parentId": 9999,
                    "nextId": None,
                    "node": el(21, "span", {"id": "orphan"}),
                },  # unknown parent
                {
                    "parentId": 3,
                    "nextId": None,
                    "node": {**el(22, "div", {"id": "shadowed"}), "isShadow": True},
                },
            ],
            "removes": [{"parentId": 3, "id": 31337}],  # never added
            "texts": [],
            "attributes": [{"id": 20, "attributes": {"class": "big", "style": {"color": "red"}}}],
        },
    }
    iframe = {
        "type": 3,
        "data": {
            "source": 0,
            "isAttachIframe": True,
            "adds": [
                {
                    "parentId": 20,
                    "nextId": None,
                    "node": {
                        "type": 0,
                        "id": 40,
                        "rootId": 40,
                        "childNodes": [el(41, "p", {"title": "inner"})],
                    },
                }
            ],
            "removes": [],
            "texts": [],
            "attributes": [],
        },
    }
    click = lambda nid: {"type": 3, "data": {"source": 2, "type": 2, "id": nid}}  # noqa: E731
    remove = {
        "type": 3,
        "data": {
            "source": 0,
            "adds": [],
            "removes": [{"parentId": 3, "id": 20}],
            "texts": [],
            "attributes": [],
        },
    }
    events = [
        snapshot([]),
        add,
        iframe,
        click(20),
        click(21),
        click(41),
        remove,
        click(20),
        snapshot([], ts=2000),
        click(41),
    ]
    got = plain.decode(plain.encode_session(events)[0])
    assert (
        "[REMOVE] [TGT:unknown] [ADD] <body> <button> @name 'ok' </button> [ADD] [TGT:unknown] <span>" in got
    )
    assert "[SHADOW] <div>" in got and "[SET_ATTR] <button> [LBL] 'ok' @class 'big'" in got
    assert "[IFRAME] [ADD] <button> [NODE:Document] <p> @title 'inner' </p>" in got
    clicks = got.split("[SRC:MouseInteraction]")[1:]
    assert [c.split("[MI:Click] ")[1].split(" [")[0].strip() for c in clicks] == [
        "<button>",
        "<span>",
        "<p>",
        "[TGT:unknown]",  # removed
        "[TGT:unknown]",  # new FullSnapshot reset the mirror
    ]


def test_snapshot_budgets(plain):
    body = [
        el(4, "script", {"src": "/app.js"}, [{"type": 3, "id": 5, "textContent": "var topsecret = 42;"}]),
        el(6, "style", {}, [{"type": 3, "id": 7, "textContent": "a{color:red}" * 1000}]),
        el(8, "link", {"rel": "stylesheet", "_cssText": "b{}" * 10}),
        el(9, "p", {"class": "x" * 500}, [{"type": 3, "id": 10, "textContent": "word " * 10_000}]),
        {"type": 5, "id": 11, "textContent": "hidden comment"},
        el(12, "img", {"src": "data:image/png;base64,AAAA", "onerror": "evil()"}),
    ]
    got = plain.decode(plain.encode_session([snapshot(body)])[0])
    assert "topsecret" not in got and "<script> @src '/app.js' <style>" in got
    assert "[CSS:<100k] </style>" in got and "@rel 'stylesheet' [CSS:<1k]" in got
    assert "'" + "x" * 48 + "' [TRUNC]" in got and "[TRUNC] </p>" in got
    assert "hidden comment" not in got and "evil" not in got and "[DATAURL]" in got
    small = RRWebTokenizer(max_snapshot_tokens=8, max_text_chars=10)
    got = small.convert_ids_to_tokens(small.encode_session([snapshot(body)])[0])
    assert "[SNAPSHOT_TRUNC]" in got and len(got) < 40


def test_deeply_nested_dom_does_not_recurse(plain):
    depth = 100_000
    node = {"type": 3, "id": depth + 10, "textContent": "deep text"}
    for i in range(depth, 0, -1):
        node = el(i + 3, "div", {"id": f"d{i}"} if i == depth else {}, [node])
    events = [snapshot([node]), {"type": 3, "data": {"source": 2, "type": 2, "id": depth + 3}}]
    ids, ev = plain.encode_session(events)
    got = plain.convert_ids_to_tokens(ids)
    assert "[DEEP]" in got
    assert len(ids) < DEFAULT_OPTIONS["max_snapshot_tokens"] + 100
    assert plain.decode(ids).endswith("[MI:Click] <div> [LBL] 'd100000'")  # mirror reached the bottom


def test_adversarial_builders(plain):
    from rrweb_hf.adversarial import deep_dom_json, huge_text_session, mouse_move_session

    ids, ev = plain.encode_session(deep_dom_json(20_000))  # past orjson's 1,024-level limit
    assert "[DEEP]" in plain.convert_ids_to_tokens(
        ids
    ) and "[EVT:malformed]" not in plain.convert_ids_to_tokens(ids)
    ids, _ = plain.encode_session(huge_text_session(10 * 1024 * 1024))  # snapshot text + text mutation
    assert len(ids) < 2 * DEFAULT_OPTIONS["max_text_chars"] + DEFAULT_OPTIONS["max_label_chars"] + 40
    events = mouse_move_session(5000, positions_per_event=10)
    ids, ev = plain.encode_session(events)
    assert set(ev) == set(range(len(events)))
    moves = len(events) - 2  # after Meta and FullSnapshot
    per_move = sum(1 for e in ev if e >= 2) / moves
    assert per_move <= 3 + 2 * DEFAULT_OPTIONS["max_path_points"]  # kind, time, count, bounded points


def test_huge_text_node_is_capped_fast(plain):
    import time

    big = "lorem ipsum " * 900_000  # ~10 MB
    start = time.perf_counter()
    ids, _ = plain.encode_session([snapshot([el(4, "p", {}, [{"type": 3, "id": 5, "textContent": big}])])])
    assert time.perf_counter() - start < 2.0
    assert len(ids) < 400


# ----------------------------------------------------------------------------- bad input


BAD_EVENTS = [
    ("not an object", 42),
    ("type missing", {"data": {}}),
    ("type is a string", {"type": "3", "data": {}}),
    ("data not an object", {"type": 3, "data": [1, 2]}),
    ("snapshot without node", {"type": 2, "data": {"initialOffset": None}}),
    ("meta data wrong type", {"type": 4, "data": "x"}),
]


@pytest.mark.parametrize("problem,event", BAD_EVENTS, ids=[p for p, _ in BAD_EVENTS])
def test_malformed_events_strict_raises_lenient_counts(plain, problem, event):
    good = {"type": 1, "data": {}, "timestamp": 5}
    stats = {}
    ids, ev = plain.encode_session([good, event, good], stats=stats)
    assert plain.convert_ids_to_tokens(ids).count("[EVT:malformed]") == 1
    assert stats["malformed_events"] == 1 and sorted(set(ev)) == [0, 1, 2]
    strict = RRWebTokenizer(strict=True)
    with pytest.raises(RRWebTokenizationError) as info:
        strict.encode_session([good, event, good])
    assert info.value.event_index == 1 and "event 1" in str(info.value)


def test_odd_but_valid_input_is_tolerated(plain):
    weird = [
        {"type": 3, "data": {"source": 2, "type": 2, "id": "7", "x": "10", "y": None}},  # wrong types
        {"type": 3, "data": {"source": 1, "positions": "nope"}},
        {"type": 3, "data": {"source": 5, "id": 1, "text": 12}},
        {"type": 3, "data": {"source": 0, "adds": [None, {"parentId": 1}], "removes": [3], "texts": [{}]}},
        {"type": 4, "data": {"width": float("nan"), "height": -5, "href": None}, "timestamp": float("inf")},
        {"type": 5, "data": {"tag": None, "payload": [[[[["x"]]]], {"k": [1.5, True, None]}]}},
        {"type": True, "data": {}},
        {"type": 3, "data": {"source": [1]}},
    ]
    stats = {}
    ids, ev = plain.encode_session(weird, stats=stats)
    assert sorted(set(ev)) == list(range(len(weird)))
    assert stats["malformed_events"] == 1  # only type=True (not an integer type)
    strict = RRWebTokenizer(strict=True)
    with pytest.raises(RRWebTokenizationError, match="event 6"):
        strict.encode_session(weird)
    assert strict.encode_session(weird[:6])[0] == plain.encode_session(weird[:6])[0]


def test_empty_and_unparseable_sessions(plain):
    enc = plain([], return_event_ids=True)
    assert plain.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "[SEP]"]
    for text in ("[]", b"[]", '{"events": []}'):
        assert plain(text)["input_ids"] == [2, 3]
    for bad in ("[{", '[{"type": NaN}]', "42", ""):
        ids, ev = plain.encode_session(bad)
        assert plain.convert_ids_to_tokens(ids) == ["[EVT:malformed]"] and ev == [0]
        with pytest.raises(RRWebTokenizationError, match="session"):
            RRWebTokenizer(strict=True).encode_session(bad)
    with pytest.raises(TypeError, match="JSON string"):
        plain.encode_session(3.5)


def test_options_are_validated():
    with pytest.raises(TypeError, match="max_text_chars"):
        RRWebTokenizer(max_text_chars="10")
    with pytest.raises(ValueError, match="coord_bins"):
        RRWebTokenizer(coord_bins=0)


# ----------------------------------------------------------------------------- privacy


def _visible(tok, sessions):
    vocab = " ".join(tok.get_vocab())
    decoded = " ".join(tok.decode(tok.encode_session(s)[0]) for s in sessions)
    return vocab, decoded


def _mini_vocab_secret_parts(secret):
    # A 400-symbol vocabulary may hold fragments; check long, distinctive pieces
    return [p for p in secret.replace("(", " ").replace(")", " ").split() if len(p) >= 5]


def test_privacy_by_default(tiny_tokenizer, tiny_sessions):
    vocab, decoded = _visible(tiny_tokenizer, tiny_sessions)
    for kind, secret in SEEDED_SECRETS.items():
        assert secret not in decoded, kind
        for part in _mini_vocab_secret_parts(secret):
            assert part not in decoded, (kind, part)
    assert "zebra" not in vocab and "Hunter" not in vocab and "jane" not in vocab
    for tok in ("[PII:email]", "[PII:phone]", "[PII:card]"):
        assert tok in decoded
    assert "[MASKED:" in decoded


def test_privacy_flags(tiny_sessions):
    no_inputs = RRWebTokenizer.train(
        tiny_sessions, text_vocab_size=400, show_progress=False, mask_inputs=False
    )
    vocab, decoded = _visible(no_inputs, tiny_sessions)
    assert SEEDED_SECRETS["typed"] in decoded  # typed text visible with input masking off
    assert SEEDED_SECRETS["password"] not in decoded and "Hunter" not in vocab  # passwords: always masked
    assert SEEDED_SECRETS["email"] not in decoded  # PII masking is separate
    none = RRWebTokenizer(mask_inputs=False, mask_pii=False)
    _, decoded = _visible(none, tiny_sessions)
    for kind in ("email", "phone", "card", "typed"):
        assert SEEDED_SECRETS[kind] in decoded, kind
    assert SEEDED_SECRETS["password"] not in decoded


def test_rrweb_masks_and_password_value_attributes(plain):
    body = [
        el(4, "input", {"type": "password", "value": "abc123"}),
        el(5, "input", {"type": "submit", "value": "Send"}),
        el(6, "p", {}, [{"type": 3, "id": 7, "textContent": "*********"}]),
        el(8, "textarea", {"value": "typed words"}, [{"type": 3, "id": 9, "textContent": "typed words"}]),
    ]
    got = plain.decode(plain.encode_session([snapshot(body)])[0])
    assert "abc123" not in got and "@value [MASKED:5-8]" in got and "@value 'Send'" in got
    assert "[TXT] [MASKED:9-16]" in got and "typed" not in got
    assert "<textarea> @value [MASKED:9-16] [TXT] [MASKED:9-16] </textarea>" in got
    unmasked = RRWebTokenizer(mask_inputs=False)
    assert "abc123" not in unmasked.decode(unmasked.encode_session([snapshot(body)])[0])


# ----------------------------------------------------------------------------- windows & event ids


@pytest.fixture(scope="module")
def long_session():
    return build_session(7, interactions=9000)


def test_windows_cover_every_token_of_a_long_session(tiny_tokenizer, long_session):
    ids, ev = tiny_tokenizer.encode_session(long_session)
    assert len(ids) >= 100_000
    max_length, stride = 512, 64
    wins = tiny_tokenizer.windows(ids, ev, max_length, stride, add_special_tokens=False)
    covered = bytearray(len(ids))
    # recompute spans by walking: windows are contiguous slices in order
    spans, cursor = [], 0
    for w_ids, w_ev in wins:
        for s in range(max(cursor - max_length, 0), len(ids)):
            if ids[s : s + len(w_ids)] == w_ids and ev[s : s + len(w_ev)] == w_ev:
                spans.append((s, s + len(w_ids)))
                cursor = s + 1
                break
        else:
            raise AssertionError("window is not a slice of the session")
    for (s0, e0), (s1, _) in zip(spans, spans[1:], strict=False):
        assert s0 < s1 and e0 - s1 >= stride  # progress, and at least `stride` overlap
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
    assert all(covered) and spans[0][0] == 0 and spans[-1][1] == len(ids)
    at_boundary = sum(1 for s, _ in spans[1:] if ev[s] != ev[s - 1])
    assert at_boundary >= 0.9 * (len(spans) - 1)


def test_overflow_call_returns_all_windows_with_mapping(tiny_tokenizer, long_session, tiny_sessions):
    short = tiny_sessions[0][:5]
    enc = tiny_tokenizer(
        [short, long_session, short],
        max_length=512,
        stride=32,
        truncation=True,
        return_overflowing_tokens=True,
        return_event_ids=True,
        return_special_tokens_mask=True,
        padding=True,
        return_tensors="pt",
    )
    mapping = enc["overflow_to_sample_mapping"].tolist()
    n_long = len(tiny_tokenizer.windows(*tiny_tokenizer.encode_session(long_session), 512, 32))
    assert mapping == [0] + [1] * n_long + [2]
    assert tuple(enc["input_ids"].shape) == (n_long + 2, 512) == tuple(enc["event_ids"].shape)
    assert (enc["input_ids"][:, 0] == tiny_tokenizer.cls_token_id).all()
    assert ((enc["event_ids"] == -1) == enc["special_tokens_mask"].bool()).all()
    assert ((enc["attention_mask"] == 0) == (enc["input_ids"] == tiny_tokenizer.pad_token_id)).all()
    stats = tiny_tokenizer.last_stats
    assert stats["sessions"] == 3 and stats["windows"] == n_long + 2 and stats["tokens_dropped"] == 0


def _kind_token(event):
    if event["type"] == 3:
        return f"[SRC:{IncrementalSource(event['data']['source']).name}]"
    return f"[EVT:{EventType(event['type']).name}]"


def test_event_mapping_recovers_type_and_source_of_every_event(tiny_tokenizer, long_session):
    enc = tiny_tokenizer(
        long_session, max_length=256, stride=16, return_overflowing_tokens=True, return_event_ids=True
    )
    kind_found = set()
    seen = set()
    for row_ids, row_ev in zip(enc["input_ids"], enc["event_ids"], strict=True):
        tokens = tiny_tokenizer.convert_ids_to_tokens(row_ids)
        first_in_row = {}
        for pos, e in enumerate(row_ev):
            if e is None:
                continue
            seen.add(e)
            first_in_row.setdefault(e, pos)
            if tokens[pos].startswith(("[EVT:", "[SRC:")):
                # a kind token is always its event's first token, and names the event's type/source
                assert first_in_row[e] == pos and tokens[pos] == _kind_token(long_session[e]), (
                    e,
                    tokens[pos],
                )
                kind_found.add(e)
    assert seen == set(range(len(long_session)))
    assert kind_found == seen  # 100%: every event's type and source is in some window


def test_truncation_counts_dropped_tokens(tiny_tokenizer, tiny_sessions):
    session = tiny_sessions[1]
    n = len(tiny_tokenizer.encode_session(session)[0])
    enc = tiny_tokenizer(session, truncation=True, max_length=64)
    assert len(enc["input_ids"]) == 64 and enc["input_ids"][-1] == tiny_tokenizer.sep_token_id
    assert tiny_tokenizer.last_stats["tokens_dropped"] == n - 62
    full = tiny_tokenizer(session)
    assert len(full["input_ids"]) == n + 2 and tiny_tokenizer.last_stats["tokens_dropped"] == 0


def test_batch_padding_and_inputs_forms(tiny_tokenizer, tiny_sessions):
    from rrweb_hf.readers import Session

    s0, s1 = tiny_sessions[0], tiny_sessions[1]
    as_json = orjson.dumps(s0).decode()
    sess_obj = Session(session_id="x", path="x.json", events=s1)
    enc = tiny_tokenizer([as_json, sess_obj], padding="max_length", max_length=2048, return_event_ids=True)
    assert enc["input_ids"][0][: len(tiny_tokenizer(s0)["input_ids"])] == tiny_tokenizer(s0)["input_ids"]
    assert all(len(r) == 2048 for r in enc["input_ids"])
    assert enc["event_ids"][1][-1] is None
    assert tiny_tokenizer(sess_obj)["input_ids"] == tiny_tokenizer(s1)["input_ids"]
    assert tiny_tokenizer.encode(as_json) == tiny_tokenizer(s0)["input_ids"]


def test_no_trie_scan_over_raw_json(tiny_tokenizer, tiny_sessions):
    as_json = orjson.dumps(tiny_sessions[0]).decode()
    original = tiny_tokenizer.tokens_trie.split

    def boom(text):
        raise AssertionError("added-token trie scan ran over the raw JSON")

    tiny_tokenizer.tokens_trie.split = boom
    try:
        assert tiny_tokenizer(as_json)["input_ids"] == tiny_tokenizer(tiny_sessions[0])["input_ids"]
        assert tiny_tokenizer.tokenize(as_json)[0] == "[EVT:Meta]"
    finally:
        tiny_tokenizer.tokens_trie.split = original


def test_collators_run_on_the_output(tiny_tokenizer, tiny_sessions):
    import torch
    from transformers import DataCollatorForLanguageModeling, DataCollatorWithPadding

    feats = []
    for s in tiny_sessions[:4]:
        enc = tiny_tokenizer(s, truncation=True, max_length=100 + len(feats) * 7, return_event_ids=True)
        feats.append(dict(enc))
    batch = DataCollatorWithPadding(tiny_tokenizer)(feats)
    assert batch["input_ids"].shape == batch["attention_mask"].shape == batch["event_ids"].shape
    assert (batch["event_ids"][batch["attention_mask"] == 0] == -1).all()
    torch.manual_seed(0)
    mlm = DataCollatorForLanguageModeling(tiny_tokenizer, mlm_probability=0.5)
    out = mlm([{"input_ids": f["input_ids"]} for f in feats])
    special = torch.isin(out["labels"].new_tensor(tiny_tokenizer.all_special_ids), out["labels"]).any()
    assert not special
    batch_ids = DataCollatorWithPadding(tiny_tokenizer)([{"input_ids": f["input_ids"]} for f in feats])[
        "input_ids"
    ]
    masked_positions = out["labels"] != -100
    assert masked_positions.any()
    for tid in (tiny_tokenizer.cls_token_id, tiny_tokenizer.sep_token_id, tiny_tokenizer.pad_token_id):
        assert not masked_positions[batch_ids == tid].any()


# ----------------------------------------------------------------------------- vocab, save/load, auto


def test_text_ids_distinguishable_and_byte_fallback(tiny_tokenizer):
    assert tiny_tokenizer.text_id_offset == len(tiny_tokenizer._struct_tokens)
    ids, _ = tiny_tokenizer.encode_session(
        [{"type": 5, "data": {"tag": "日本語 😀 ünïcode", "payload": None}}]
    )
    text_ids = [i for i in ids if tiny_tokenizer.is_text_id(i)]
    assert text_ids and tiny_tokenizer.unk_token_id not in ids
    assert "日本語 😀 ünïcode" in tiny_tokenizer.decode(ids)
    assert all(not tiny_tokenizer.is_text_id(i) for i in tiny_tokenizer.all_special_ids)
    assert max(ids) < len(tiny_tokenizer) == tiny_tokenizer.vocab_size
    vocab = tiny_tokenizer.get_vocab()
    assert len(vocab) == len(tiny_tokenizer) and sorted(vocab.values()) == list(range(len(tiny_tokenizer)))


def test_save_load_round_trip_with_options(tiny_sessions, tmp_path):
    opts = {
        "max_text_chars": 77,
        "mask_inputs": False,
        "coord_bins": 8,
        "model_max_length": 1024,
        "strict": True,
    }
    tok = RRWebTokenizer.train(tiny_sessions, text_vocab_size=350, show_progress=False, **opts)
    tok.save_pretrained(tmp_path)
    loaded = RRWebTokenizer.from_pretrained(tmp_path)
    saved = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert set(DEFAULT_OPTIONS) <= set(saved) and saved["auto_map"]["AutoTokenizer"][0].endswith(
        "RRWebTokenizer"
    )
    for key, value in opts.items():
        assert getattr(loaded, key) == value
    for s in tiny_sessions:
        assert loaded(s, return_event_ids=True) == tok(s, return_event_ids=True)
    assert loaded.get_vocab() == tok.get_vocab()
    again = tmp_path / "again"
    loaded.save_pretrained(again)
    for name in ("vocab.json", "tokenizer_text.json", "tokenizer_config.json"):
        assert (tmp_path / name).read_bytes() == (again / name).read_bytes(), name


def test_training_is_deterministic(tiny_sessions, tmp_path):
    a = RRWebTokenizer.train(tiny_sessions, text_vocab_size=380, show_progress=False)
    b = RRWebTokenizer.train(tiny_sessions, text_vocab_size=380, show_progress=False)
    a.save_pretrained(tmp_path / "a")
    b.save_pretrained(tmp_path / "b")
    for name in ("vocab.json", "tokenizer_text.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def _run(code: str, env_extra: dict | None = None) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def _write_session(folder, session):
    path = folder / "s.json"
    path.write_bytes(orjson.dumps(session))
    return str(path)


def test_autotokenizer_after_import_without_remote_code(tiny_tokenizer, tiny_tokenizer_dir, tiny_sessions):
    session_file = _write_session(tiny_tokenizer_dir, tiny_sessions[0])
    out = _run(
        f"""
        import json, rrweb_hf
        from transformers import AutoTokenizer
        from rrweb_hf.tokenization_rrweb import RRWebTokenizer
        tok = AutoTokenizer.from_pretrained({str(tiny_tokenizer_dir)!r})
        assert isinstance(tok, RRWebTokenizer), type(tok)
        print(json.dumps(tok(json.load(open({session_file!r})))["input_ids"]))
        """
    )
    assert json.loads(out) == tiny_tokenizer(tiny_sessions[0])["input_ids"]


def test_autotokenizer_remote_code_in_fresh_process(tiny_tokenizer, tiny_tokenizer_dir, tiny_sessions):
    session_file = _write_session(tiny_tokenizer_dir, tiny_sessions[0])
    out = _run(
        f"""
        import json, sys
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained({str(tiny_tokenizer_dir)!r}, trust_remote_code=True)
        assert type(tok).__name__ == "RRWebTokenizer"
        assert "rrweb_hf" not in sys.modules, "remote code imported the rrweb_hf package"
        ids = tok(json.load(open({session_file!r})))["input_ids"]
        assert "rrweb_hf" not in sys.modules
        print(json.dumps(ids))
        """,
        {"PYTHONPATH": "", "HF_MODULES_CACHE": str(tiny_tokenizer_dir / "modules_cache")},
    )
    assert json.loads(out) == tiny_tokenizer(tiny_sessions[0])["input_ids"]


# ----------------------------------------------------------------------------- determinism


def test_determinism_across_processes_and_hash_seeds(tiny_tokenizer_dir, tiny_sessions, tmp_path):
    sessions_file = tmp_path / "sessions.json"
    sessions_file.write_bytes(orjson.dumps(tiny_sessions))
    code = f"""
        import hashlib, json, orjson
        from datasets.fingerprint import Hasher
        from rrweb_hf.tokenization_rrweb import RRWebTokenizer
        sessions = orjson.loads(open({str(sessions_file)!r}, "rb").read())
        tok = RRWebTokenizer.from_pretrained({str(tiny_tokenizer_dir)!r})
        h0 = Hasher.hash(tok)
        ids = [tok.encode_session(s) for s in sessions]
        trained = RRWebTokenizer.train(sessions, text_vocab_size=333, show_progress=False)
        digest = hashlib.sha256(orjson.dumps([ids, trained._text.to_str()])).hexdigest()
        from datasets import Dataset
        ds = Dataset.from_dict({{"session": [orjson.dumps(s).decode() for s in sessions[:2]]}})
        mapped = ds.map(lambda b: dict(tok(b["session"], truncation=True, max_length=64)), batched=True)
        print(json.dumps([digest, h0, Hasher.hash(tok), mapped._fingerprint]))
    """
    a = json.loads(_run(code, {"PYTHONHASHSEED": "1"}))
    b = json.loads(_run(code, {"PYTHONHASHSEED": "4242"}))
    assert a == b
    assert a[1] == a[2]  # encoding (which fills the text cache) does not change the fingerprint


def test_datasets_map_same_ids_with_num_proc(tiny_tokenizer, tiny_sessions):
    from datasets import Dataset

    ds = Dataset.from_dict({"session": [orjson.dumps(s).decode() for s in tiny_sessions]})

    def fn(batch):
        out = {"input_ids": [], "event_ids": []}
        for session in batch["session"]:
            ids, ev = tiny_tokenizer.encode_session(session)
            for w_ids, w_ev in tiny_tokenizer.windows(ids, ev, max_length=128, stride=16):
                out["input_ids"].append(w_ids)
                out["event_ids"].append(w_ev)
        return out

    one = ds.map(fn, batched=True, batch_size=2, remove_columns=["session"])
    two = ds.map(fn, batched=True, batch_size=2, remove_columns=["session"], num_proc=2)
    assert one["input_ids"][:] == two["input_ids"][:] and one["event_ids"][:] == two["event_ids"][:]
    assert one[0]["event_ids"][0] is None


def test_cli_train_tokenizer(tiny_sessions, tmp_path, capsys):
    import argparse

    from rrweb_hf.cli import train_tokenizer

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, s in enumerate(tiny_sessions[:3]):
        (corpus / f"s{i}.json").write_bytes(orjson.dumps(s))
    (corpus / "broken.json").write_text("[{")
    parser = argparse.ArgumentParser()
    train_tokenizer.add_arguments(parser)
    args = parser.parse_args([str(corpus), "--out", str(tmp_path / "tok"), "--text-vocab-size", "300"])
    args.no_progress = True
    assert train_tokenizer.run(args) == 0
    out = capsys.readouterr().out
    assert "sessions: 3" in out and "skipped files: 1" in out and "structural" in out
    tok = RRWebTokenizer.from_pretrained(tmp_path / "tok")
    assert tok.max_text_chars == DEFAULT_OPTIONS["max_text_chars"] and tok.text_vocab_size <= 300
    args = parser.parse_args([str(tmp_path / "nothing"), "--out", str(tmp_path / "x")])
    assert train_tokenizer.run(args) == 1
