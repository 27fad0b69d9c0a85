"""Sentry Replay and PostHog custom events as structural tokens; encoded events given to the tokenizer."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

import rrweb_hf
from rrweb_hf import RRWebTokenizationError, RRWebTokenizer
from rrweb_hf.event_codecs import compress_event, pack_event
from rrweb_hf.rrweb_walker import extension_tokens, structural_tokens

#: Bundled sessions whose ids must never change (plain rrweb, with rrweb Custom events in dash-0001).
FILES = [
    "dash/dash-0001.json.gz",
    "dash/dash-0005.json.gz",
    "django/django-0007.json.gz",
    "media/media-0003.json.gz",
    "mkdocs/mkdocs-0013.json.gz",
]
#: sha256 of repr(encode_session(s)) over FILES, measured with the code before the product tokens
#: existed (commit 5a89d7b): untrained tokenizer, and trained on FILES with text_vocab_size=400.
IDS_SHA256_UNTRAINED = "017b5ea69b2da3fb7b90cfc3efafc77b785704b6c90fd4ebc91964cc6d26431d"
IDS_SHA256_TRAINED = "48fba9726689d3c52bc7f1f387f08fa9520a5e522646afff85f1121b42013b20"

T0 = 1700000000000


def crumb(dt, category, **kw):
    return {
        "type": 5,
        "timestamp": T0 + dt,
        "data": {
            "tag": "breadcrumb",
            "payload": {"timestamp": (T0 + dt) / 1000, "type": "default", "category": category, **kw},
        },
    }


def span(dt, op, dur_s, description=None, **data):
    start = (T0 + dt) / 1000
    return {
        "type": 5,
        "timestamp": T0 + dt,
        "data": {
            "tag": "performanceSpan",
            "payload": {
                "op": op,
                "description": description,
                "startTimestamp": start,
                "endTimestamp": start + dur_s,
                "data": data,
            },
        },
    }


EVENTS = [
    {
        "type": 4,
        "timestamp": T0,
        "data": {"href": "https://shop.example/cart?id=9", "width": 1280, "height": 720},
    },
    {
        "type": 2,
        "timestamp": T0 + 5,
        "data": {
            "initialOffset": {"top": 0, "left": 0},
            "node": {
                "type": 0,
                "id": 1,
                "childNodes": [
                    {
                        "type": 2,
                        "id": 2,
                        "tagName": "html",
                        "attributes": {},
                        "childNodes": [
                            {
                                "type": 2,
                                "id": 3,
                                "tagName": "body",
                                "attributes": {},
                                "childNodes": [
                                    {
                                        "type": 2,
                                        "id": 5,
                                        "tagName": "button",
                                        "attributes": {"class": "buy"},
                                        "childNodes": [{"type": 3, "id": 6, "textContent": "Pay"}],
                                    }
                                ],
                            }
                        ],
                    }
                ],
            },
        },
    },
    {
        "type": 5,
        "timestamp": T0 + 6,
        "data": {"tag": "options", "payload": {"sessionSampleRate": 1, "maskAllText": True}},
    },
    crumb(
        100,
        "ui.click",
        message="body > button.buy",
        data={"nodeId": 5, "node": {"id": 5, "tagName": "button"}},
    ),
    crumb(200, "ui.slowClickDetected", data={"nodeId": 5, "timeAfterClickMs": 3500, "endReason": "timeout"}),
    crumb(300, "ui.multiClick", data={"nodeId": 5, "clickCount": 4}),
    crumb(400, "console", level="error", message="payment failed for ann@mail.com"),
    crumb(500, "navigation", data={"from": "/cart", "to": "https://shop.example/pay?token=abc"}),
    span(600, "navigation.navigate", 0.75, "https://shop.example/pay?token=abc", size=1200),
    span(
        700,
        "resource.fetch",
        0.12,
        "https://api.shop.example/charge?card=1",
        method="POST",
        statusCode=404,
        request={"size": 300},
        response={"size": 20000},
    ),
    span(800, "web-vital", 0, "largest-contentful-paint", value=1800.5, rating="good", size=1),
    span(900, "web-vital", 0, "cumulative-layout-shift", value=0.31, rating="poor"),
    span(
        1000,
        "memory",
        0,
        "memory",
        memory={"jsHeapSizeLimit": 4000, "totalJSHeapSize": 2000, "usedJSHeapSize": 1300},
    ),
    span(1100, "resource.beacon", 0.01, "https://x.example/b"),
    crumb(1200, "sentry.feedback", message="hi"),
    crumb(1300, "custom.thing", message="call +1 415 555 0134"),
    {
        "type": 5,
        "timestamp": T0 + 1400,
        "data": {"tag": "$pageview", "payload": {"href": "https://shop.example/done?x=1"}},
    },
    {"type": 5, "timestamp": T0 + 1500, "data": {"tag": "$session_options", "payload": {"sampleRate": 1}}},
]


@pytest.fixture(scope="module")
def corpus_sessions():
    return [rrweb_hf.read_session(rrweb_hf.sample_corpus() / f) for f in FILES]


def _sha(tok, sessions) -> str:
    h = hashlib.sha256()
    for s in sessions:
        h.update(repr(tok.encode_session(s)).encode())
    return h.hexdigest()


def test_ids_of_plain_sessions_are_unchanged_by_the_product_tokens(corpus_sessions):
    assert _sha(RRWebTokenizer(), corpus_sessions) == IDS_SHA256_UNTRAINED
    trained = RRWebTokenizer.train(corpus_sessions, text_vocab_size=400, show_progress=False)
    assert _sha(trained, corpus_sessions) == IDS_SHA256_TRAINED
    n_struct = len(structural_tokens(16, 16, 16))
    assert trained.text_id_offset == n_struct
    assert len(trained) == n_struct + trained.text_vocab_size + len(extension_tokens())
    first_ext = n_struct + trained.text_vocab_size
    assert trained.convert_tokens_to_ids("[SENTRY:breadcrumb]") == first_ext  # after the text ids
    assert not trained.is_text_id(first_ext) and trained.is_text_id(first_ext - 1)


def _lines(tok, events):
    ids, ev = tok.encode_session(events)
    return [
        f"{k} " + tok.decode([i for _, i in grp])
        for k, grp in itertools.groupby(zip(ev, ids, strict=True), key=lambda x: x[0])
    ]


EXPECTED = """
0 [EVT:Meta] [DT:start] [W:8] [H:6] [URL] 'https://shop.example/cart' [QUERY]
1 [EVT:FullSnapshot] [DT:4] [SX:0] [SY:0] [NODE:Document] <html> <body> <button> @class 'buy' [TXT] 'Pay' </button> </body> </html>
2 [EVT:Custom] [DT:1] [SENTRY:options]
3 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:ui.click] <button> [LBL] 'Pay'
4 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:ui.slowClickDetected] <button> [LBL] 'Pay' [DUR:13]
5 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:ui.multiClick] <button> [LBL] 'Pay' [N:3-4]
6 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:console] [SEV:error] [TXT] 'payment failed for ' [PII:email]
7 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:navigation] [URL] 'https://shop.example/pay' [QUERY]
8 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:navigation.navigate] [DUR:11] [URL] 'https://shop.example/pay' [QUERY]
9 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:resource.fetch] [DUR:8] [METHOD:POST] [HTTP:4xx] [BYTES:1] [BYTES:3] [URL] 'https://api.shop.example/charge' [QUERY]
10 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:web-vital] [VITAL:lcp] [RATING:good] [DUR:12]
11 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:web-vital] [VITAL:cls] [RATING:poor]
12 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:memory] [HEAP:3]
13 [EVT:Custom] [DT:8] [SENTRY:performanceSpan] [SPAN:other] 'resource.beacon' [DUR:5] [URL] 'https://x.example/b'
14 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:sentry.feedback]
15 [EVT:Custom] [DT:8] [SENTRY:breadcrumb] [CRUMB:other] 'custom.thing' [TXT] 'call ' [PII:phone]
16 [EVT:Custom] [DT:8] [PH:pageview] '$pageview' [URL] 'https://shop.example/done' [QUERY]
17 [EVT:Custom] [DT:8] [PH:session] '$session_options'
""".strip().splitlines()


def test_sentry_and_posthog_custom_events_become_structural_tokens_with_privacy_rules():
    tok = RRWebTokenizer()
    assert _lines(tok, EVENTS) == EXPECTED
    # durations: dead click 3,500 ms <= 4,096 (DUR:13); navigation 750 ms <= 1,024 (DUR:11); LCP 1,800.5 ms <= 2,048
    text = " ".join(EXPECTED)
    for secret in ("ann@mail.com", "token=abc", "card=1", "555 0134", "x=1"):
        assert secret not in text


def test_saved_tokenizer_round_trips_the_product_tokens_and_older_folders_still_load(
    corpus_sessions, tmp_path
):
    tok = RRWebTokenizer.train(corpus_sessions[:2] + [EVENTS] * 3, text_vocab_size=300, show_progress=False)
    tok.save_pretrained(tmp_path / "new")
    again = RRWebTokenizer.from_pretrained(tmp_path / "new")
    assert again.encode_session(EVENTS) == tok.encode_session(EVENTS)
    saved = json.loads((tmp_path / "new" / "vocab.json").read_text())
    assert saved[extension_tokens()[-1]] == len(tok) - 1 and saved["[PH:pageview]"] == len(tok) - 6
    # a folder saved before the product tokens existed: vocab.json holds only the structural tokens
    tok.save_pretrained(tmp_path / "old")
    base = {t: i for i, t in enumerate(structural_tokens(16, 16, 16))}
    (tmp_path / "old" / "vocab.json").write_text(json.dumps(base))
    old = RRWebTokenizer.from_pretrained(tmp_path / "old")
    assert len(old) == len(tok) - len(extension_tokens())
    assert old.encode_session(corpus_sessions[0]) == tok.encode_session(corpus_sessions[0])
    crumb_tokens = old.convert_ids_to_tokens(old.encode_session([EVENTS[3]])[0])
    assert crumb_tokens[:4] == ["[EVT:Custom]", "[DT:start]", "[TAG]", "b"]  # generic: tag + payload text
    assert not any(t.startswith(("[SENTRY:", "[CRUMB:")) for t in crumb_tokens)
    (tmp_path / "old" / "vocab.json").write_text(json.dumps({**base, "[X:99]": 5}))
    with pytest.raises(ValueError, match="does not match the structural vocabulary"):
        RRWebTokenizer.from_pretrained(tmp_path / "old")


def test_tokenizer_decodes_packed_and_compressed_events_given_directly(corpus_sessions):
    tok = RRWebTokenizer()
    plain = corpus_sessions[4].events
    expected = tok.encode_session(plain)
    assert tok.encode_session([pack_event(e) for e in plain]) == expected
    assert tok.encode_session([compress_event(e) for e in plain]) == expected
    assert (
        tok.encode_session(
            json.dumps([compress_event(e, "zstd") if i % 2 else e for i, e in enumerate(plain)])
        )
        == expected
    )


def test_tokenizer_refuses_an_undecodable_event_strict_and_counts_it_lenient(corpus_sessions):
    plain = corpus_sessions[4].events
    full = next(i for i, e in enumerate(plain) if e["type"] == 2)
    bad = [compress_event(e) for e in plain]
    bad[full] = {**bad[full], "data": bad[full]["data"][:40]}
    with pytest.raises(RRWebTokenizationError, match=f"event {full}: undecodable .*field 'data'") as info:
        RRWebTokenizer(strict=True).encode_session(bad)
    assert info.value.event_index == full
    stats = {}
    tok = RRWebTokenizer()
    ids, _ = tok.encode_session(bad, stats=stats)
    assert stats["malformed_events"] == 1
    assert tok.convert_ids_to_tokens(ids).count("[EVT:malformed]") == 1
    assert tok.encode_session(["not an event"], stats=stats)[0] == [
        tok.convert_tokens_to_ids("[EVT:malformed]")
    ]
    with pytest.raises(RRWebTokenizationError, match="a Sentry segment list"):
        RRWebTokenizer(strict=True).encode_session([[plain[0]]])


def test_network_plugin_requests_become_span_tokens_without_bodies_or_queries():
    tok = RRWebTokenizer()
    event = {
        "type": 6,
        "timestamp": T0,
        "data": {
            "plugin": "rrweb/network@1",
            "payload": {
                "requests": [
                    {
                        "name": "https://api.shop.example/cart?session=s3cr3t",
                        "method": "POST",
                        "initiatorType": "fetch",
                        "duration": 230.5,
                        "responseStatus": 201,
                        "transferSize": 512,
                        "requestBody": '{"email": "ann@mail.com"}',
                        "requestHeaders": {"authorization": "Bearer x"},
                    },
                    {
                        "name": "https://cdn.example/app.js",
                        "initiatorType": "script",
                        "duration": 12,
                        "transferSize": 50000,
                    },
                ]
            },
        },
    }
    assert _lines(tok, [event]) == [
        "0 [EVT:Plugin] [DT:start] [TAG] 'rrweb/network@1' [N:2] [SPAN:resource.fetch] [DUR:9] [METHOD:POST] "
        "[HTTP:2xx] [BYTES:1] [URL] 'https://api.shop.example/cart' [QUERY] [SPAN:resource.script] [DUR:5] "
        "[HTTP:none] [BYTES:3] [URL] 'https://cdn.example/app.js'"
    ]
