"""Shared test settings: nothing in the suite may reach the Hugging Face Hub or wandb servers.

Also the tokenizer tests' shared fixtures: hand-built rrweb sessions and a tiny trained tokenizer.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import random

import pytest

#: Secrets seeded into the synthetic sessions; privacy tests check they never reach vocab or tokens.
SEEDED_SECRETS = {
    "email": "jane.doe.secret@example-mail.com",
    "phone": "+1 (415) 555-0199",
    "card": "4539 1488 0343 6467",
    "password": "Hunter2Secret!",
    "typed": "zebracorn quokkafeather",
}


def _el(nid, tag, attrs=None, children=None):
    return {"type": 2, "id": nid, "tagName": tag, "attributes": attrs or {}, "childNodes": children or []}


def _text(nid, text):
    return {"type": 3, "id": nid, "textContent": text}


def build_session(seed: int = 0, interactions: int = 40, items: int = 8) -> list[dict]:
    """A realistic synthetic rrweb 2.x session (every EventType and most IncrementalSources).

    Args:
        seed: RNG seed (the session is a pure function of the arguments).
        interactions: number of interaction rounds after the snapshot.
        items: list items in the page.

    Returns:
        A list of event dicts.
    """
    rng = random.Random(seed)
    t = 1_700_000_000_000
    events: list[dict] = []

    def add(etype, data):
        nonlocal t
        t += rng.choice([0, 3, 17, 50, 120, 480, 2500])
        events.append({"type": etype, "data": data, "timestamp": t})

    nid = iter(range(1, 10**9))
    ids = {}

    def new(name):
        ids[name] = next(nid)
        return ids[name]

    list_items = [
        _el(new(f"li{i}"), "li", {"class": "item"}, [_text(new(f"lit{i}"), f"Product number {i} in stock")])
        for i in range(items)
    ]
    doc = {
        "type": 0,
        "id": new("doc"),
        "childNodes": [
            {"type": 1, "id": new("dt"), "name": "html", "publicId": "", "systemId": ""},
            _el(
                new("html"),
                "html",
                {"lang": "en"},
                [
                    _el(
                        new("head"),
                        "head",
                        {},
                        [
                            _el(new("title"), "title", {}, [_text(new("titlet"), "Shop checkout")]),
                            _el(new("style"), "style", {}, [_text(new("css"), "body{margin:0}" * 50)]),
                            _el(new("script"), "script", {}, [_text(new("js"), "var secret = 1;")]),
                            {"type": 5, "id": new("comment"), "textContent": "a comment"},
                        ],
                    ),
                    _el(
                        new("body"),
                        "body",
                        {"class": "page"},
                        [
                            _el(
                                new("nav"), "nav", {"role": "navigation"}, [_text(new("navt"), "Home  Cart")]
                            ),
                            _el(
                                new("form"),
                                "form",
                                {"action": "/checkout?step=2"},
                                [
                                    _el(
                                        new("email"), "input", {"type": "email", "name": "email", "value": ""}
                                    ),
                                    _el(new("pw"), "input", {"type": "password", "name": "pw"}),
                                    _el(new("note"), "textarea", {"name": "note"}),
                                    _el(
                                        new("buy"),
                                        "button",
                                        {"class": "btn"},
                                        [_text(new("buyt"), "Buy now")],
                                    ),
                                ],
                            ),
                            _el(new("ul"), "ul", {}, list_items),
                            _el(
                                new("p"),
                                "p",
                                {},
                                [
                                    _text(
                                        new("pt"),
                                        f"Contact {SEEDED_SECRETS['email']} or {SEEDED_SECRETS['phone']}",
                                    )
                                ],
                            ),
                            _el(new("video"), "video", {"src": "/media/intro.mp4"}),
                            _el(new("custom"), "my-widget", {"data-testid": "widget"}),
                        ],
                    ),
                ],
            ),
        ],
    }
    add(4, {"href": "https://shop.example.com/checkout?session=abc", "width": 1280, "height": 720})
    add(2, {"node": doc, "initialOffset": {"top": 0, "left": 0}})
    add(0, {})
    add(1, {})
    clickable = ["buy", "email", "pw", "note", "nav"] + [f"li{i}" for i in range(items)]
    for _ in range(interactions):
        kind = rng.randrange(12)
        if kind < 3:
            n = rng.randint(1, 12)
            add(
                3,
                {
                    "source": 1,
                    "positions": [
                        {
                            "x": rng.randint(0, 1279),
                            "y": rng.randint(0, 719),
                            "id": ids["body"],
                            "timeOffset": -i,
                        }
                        for i in range(n)
                    ],
                },
            )
        elif kind == 3:
            target = rng.choice(clickable)
            for mi in (1, 0, 2):
                add(3, {"source": 2, "type": mi, "id": ids[target], "x": rng.randint(0, 1279), "y": 300})
        elif kind == 4:
            which = rng.choice(["email", "pw", "note"])
            text = {
                "email": SEEDED_SECRETS["email"],
                "pw": SEEDED_SECRETS["password"],
                "note": SEEDED_SECRETS["typed"],
            }[which]
            add(3, {"source": 5, "id": ids[which], "text": text, "isChecked": False, "userTriggered": True})
        elif kind == 5:
            add(3, {"source": 3, "id": ids["doc"], "x": 0, "y": rng.randint(0, 3000)})
        elif kind == 6:
            li = next(nid)
            add(
                3,
                {
                    "source": 0,
                    "adds": [
                        {
                            "parentId": ids["ul"],
                            "nextId": None,
                            "node": _el(li, "li", {"class": "item new"}, [_text(next(nid), "Fresh item")]),
                        }
                    ],
                    "removes": [],
                    "texts": [{"id": ids["pt"], "value": f"Card {SEEDED_SECRETS['card']} saved"}],
                    "attributes": [{"id": ids["buy"], "attributes": {"class": "btn busy", "disabled": ""}}],
                },
            )
        elif kind == 7:
            add(3, {"source": 7, "type": rng.randrange(5), "id": ids["video"], "currentTime": 1.5})
        elif kind == 8:
            add(
                3,
                {"source": 4, "width": rng.choice([1280, 390, 1920]), "height": rng.choice([720, 844, 1080])},
            )
        elif kind == 9:
            add(5, {"tag": "cart-updated", "payload": {"items": rng.randint(1, 5), "coupon": "SPRING"}})
        elif kind == 10:
            add(
                6,
                {
                    "plugin": "rrweb/console@1",
                    "payload": {"level": "warn", "trace": [], "payload": ['"slow api"']},
                },
            )
        else:
            add(3, {"source": 6, "positions": [{"x": 5, "y": 5, "id": ids["body"], "timeOffset": 0}]})
    add(7, {"url": "https://shop.example.com/logo.png", "payload": {"rr_type": "Blob", "type": "image/png"}})
    for source, data in (
        (8, {"id": ids["style"], "adds": [{"rule": "a{}", "index": 0}]}),
        (9, {"id": ids["custom"], "type": 0, "commands": [{"property": "fillRect", "args": [0, 0, 1, 1]}]}),
        (10, {"family": "Inter", "fontSource": "url(x.woff)", "buffer": False}),
        (11, {}),
        (12, {"positions": [{"x": 1, "y": 1, "id": ids["buy"], "timeOffset": 0}]}),
        (13, {"id": ids["style"], "index": [0], "set": {"property": "color", "value": "red"}}),
        (14, {"ranges": [{"start": ids["pt"], "startOffset": 0, "end": ids["pt"], "endOffset": 3}]}),
        (15, {"id": ids["doc"], "styleIds": [1, 2]}),
        (16, {"define": {"name": "my-widget"}}),
    ):
        add(3, {"source": source, **data})
    return events


@pytest.fixture(scope="session")
def tiny_sessions() -> list[list[dict]]:
    """Six small synthetic sessions with different seeds."""
    return [build_session(seed, interactions=30) for seed in range(6)]


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_sessions):
    """An RRWebTokenizer with a 400-symbol text vocabulary trained on ``tiny_sessions``."""
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    return RRWebTokenizer.train(tiny_sessions, text_vocab_size=400, show_progress=False)


@pytest.fixture(scope="session")
def tiny_tokenizer_dir(tiny_tokenizer, tmp_path_factory):
    """``tiny_tokenizer`` saved with ``save_pretrained``."""
    path = tmp_path_factory.mktemp("tiny_tokenizer")
    tiny_tokenizer.save_pretrained(path)
    return path
