"""Small hand-made rrweb corpora for the datasets tests (helpers, plus a check of the helpers)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

WORDS = ["checkout", "cart", "login", "search", "price", "profile", "settings", "help", "order", "save"]


def make_events(seed: int, n_incremental: int = 12) -> list[dict]:
    """A small valid rrweb session: Meta, FullSnapshot, then mutations, clicks, inputs, scrolls."""
    rng = random.Random(seed)
    t = 1_700_000_000_000 + seed * 1000
    text = " ".join(rng.choice(WORDS) for _ in range(3))
    node = {
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
                        "tagName": "button",
                        "attributes": {"class": "btn"},
                        "childNodes": [{"type": 3, "id": 4, "textContent": text}],
                    },
                    {
                        "type": 2,
                        "id": 5,
                        "tagName": "input",
                        "attributes": {"type": "text"},
                        "childNodes": [],
                    },
                ],
            }
        ],
    }
    events = [
        {
            "type": 4,
            "data": {"href": f"https://shop.example/{rng.choice(WORDS)}", "width": 1280, "height": 720},
            "timestamp": t,
        },
        {"type": 2, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}, "timestamp": t + 5},
    ]
    for i in range(n_incremental):
        t += rng.randint(10, 400)
        kind = i % 4
        if kind == 0:
            data = {"source": 2, "type": 2, "id": 3, "x": rng.randint(0, 800), "y": rng.randint(0, 600)}
        elif kind == 1:
            data = {"source": 5, "id": 5, "text": rng.choice(WORDS), "isChecked": False}
        elif kind == 2:
            data = {"source": 3, "id": 1, "x": 0, "y": rng.randint(0, 3000)}
        else:
            data = {
                "source": 0,
                "texts": [{"id": 4, "value": rng.choice(WORDS)}],
                "attributes": [],
                "removes": [],
                "adds": [],
            }
        events.append({"type": 3, "data": data, "timestamp": t})
    return events


def make_corpus(
    root: Path, n: int = 6, *, sites: int = 2, gz_every: int = 2, n_incremental: int = 12
) -> list[Path]:
    """Write ``n`` valid session files under ``root/site{k}/``; every ``gz_every``-th is gzipped."""
    paths = []
    for i in range(n):
        folder = root / f"site{i % sites}"
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps(make_events(i, n_incremental)).encode()
        if gz_every and i % gz_every == 0:
            path = folder / f"s{i:04d}.json.gz"
            path.write_bytes(gzip.compress(data, mtime=0))
        else:
            path = folder / f"s{i:04d}.json"
            path.write_bytes(data)
        paths.append(path)
    return paths


#: name -> bytes of every kind of bad file the issue names, with the reason category expected.
BAD_FILES = {
    "corrupt.json": (b'[{"type": 4, "data": {]', "not valid JSON"),
    "truncated.json": (json.dumps(make_events(99))[:150].encode(), "not valid JSON"),
    "empty.json": (b"", "not valid JSON"),
    "not_rrweb.json": (b'{"name": "package", "version": "1.0"}', "not rrweb events"),
    "broken.json.gz": (b"this is not gzip at all", "broken gzip"),
    "truncated.json.gz": (gzip.compress(json.dumps(make_events(98)).encode())[:60], "broken gzip"),
}


def add_bad_files(root: Path) -> dict[str, str]:
    """Write every kind of bad file into ``root/bad/``; returns relative path -> expected category."""
    folder = root / "bad"
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (data, category) in BAD_FILES.items():
        (folder / name).write_bytes(data)
        expected[f"bad/{name}"] = category
    return expected


def test_helpers_make_readable_corpus(tmp_path):
    from rrweb_hf import walk_corpus

    make_corpus(tmp_path, 4)
    expected = add_bad_files(tmp_path)
    walk = walk_corpus(tmp_path)
    assert len(list(walk)) == 4
    got = {p.relative_to(tmp_path).as_posix(): r.split(":")[0] for p, r in walk.skipped}
    assert got == expected
