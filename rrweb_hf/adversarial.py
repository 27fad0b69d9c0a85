"""Adversarial inputs for hardening: sessions and files built to break readers and tokenizers.

Each builder is deterministic and cheap to build relative to what it stresses. ``scripts/adversarial.py``
runs them through the readers and the tokenizer and reports time and peak memory; the test suite uses
smaller sizes.

Example:
    >>> events = deep_dom_session(depth=3)
    >>> events[1]["data"]["node"]["childNodes"][0]["childNodes"][0]["tagName"]
    'div'
    >>> len(mouse_move_session(10)) - 2
    10
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

__all__ = [
    "deep_dom_session",
    "deep_dom_json",
    "gzip_bomb",
    "huge_text_session",
    "mouse_move_session",
]

_META = {"type": 4, "data": {"href": "http://127.0.0.1/", "width": 1280, "height": 720}, "timestamp": 0}


def _snapshot(node: dict, timestamp: int = 1) -> dict:
    return {"type": 2, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}, "timestamp": timestamp}


def deep_dom_session(depth: int) -> list[dict]:
    """A session whose FullSnapshot nests ``depth`` ``div`` elements (built without recursion).

    Returns:
        ``[Meta, FullSnapshot, Click on the innermost div]``; node ids are 1 (document) .. depth + 2.
    """
    leaf = {"type": 3, "id": depth + 2, "textContent": "innermost"}
    node = leaf
    for nid in range(depth + 1, 1, -1):
        node = {"type": 2, "id": nid, "tagName": "div", "attributes": {}, "childNodes": [node]}
    document = {"type": 0, "id": 1, "childNodes": [node]}
    click = {"type": 3, "data": {"source": 2, "type": 2, "id": depth + 1, "x": 10, "y": 10}, "timestamp": 2}
    return [_META, _snapshot(document), click]


def deep_dom_json(depth: int) -> bytes:
    """:func:`deep_dom_session` as JSON text, written without recursion (json/orjson would refuse)."""
    head = '[{"type":4,"data":{"href":"http://127.0.0.1/","width":1280,"height":720},"timestamp":0},'
    head += '{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":['
    opening = "".join(
        f'{{"type":2,"id":{n},"tagName":"div","attributes":{{}},"childNodes":[' for n in range(2, depth + 2)
    )
    leaf = f'{{"type":3,"id":{depth + 2},"textContent":"innermost"}}'
    tail = "]}" * depth + ']},"initialOffset":{"top":0,"left":0}},"timestamp":1},'
    tail += f'{{"type":3,"data":{{"source":2,"type":2,"id":{depth + 1},"x":10,"y":10}},"timestamp":2}}]'
    return (head + opening + leaf + tail).encode()


def huge_text_session(size_bytes: int, char: str = "a") -> list[dict]:
    """A session whose snapshot holds one text node of ``size_bytes`` characters, then mutates it."""
    text = {"type": 3, "id": 3, "textContent": char * size_bytes}
    body = {"type": 2, "id": 2, "tagName": "body", "attributes": {}, "childNodes": [text]}
    mutation = {
        "source": 0,
        "texts": [{"id": 3, "value": char * size_bytes}],
        "attributes": [],
        "removes": [],
        "adds": [],
    }
    return [
        _META,
        _snapshot({"type": 0, "id": 1, "childNodes": [body]}),
        {"type": 3, "data": mutation, "timestamp": 2},
    ]


def mouse_move_session(count: int, positions_per_event: int = 10) -> list[dict]:
    """Meta + an empty snapshot + ``count`` MouseMove events of ``positions_per_event`` points each."""
    events = [_META, _snapshot({"type": 0, "id": 1, "childNodes": []})]
    for i in range(count):
        positions = [
            {"x": (i * 7 + k) % 1280, "y": (i * 3 + k) % 720, "id": 1, "timeOffset": -10 * k}
            for k in range(positions_per_event)
        ]
        events.append({"type": 3, "data": {"source": 1, "positions": positions}, "timestamp": 2 + 50 * i})
    return events


def gzip_bomb(path: str | os.PathLike, inflated_bytes: int, member_bytes: int = 1 << 24) -> Path:
    """Write a small ``.json.gz`` that inflates to ``inflated_bytes`` (a JSON array of spaces).

    The file is one compressed member of ``member_bytes`` spaces repeated as concatenated gzip members
    (valid gzip), so a multi-gigabyte bomb is written in well under a second.

    Returns:
        The path written.
    """
    path = Path(path)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = compressor.compress(b" " * member_bytes) + compressor.flush()
    count = max(1, inflated_bytes // member_bytes)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(b"["))
        for _ in range(count):
            fh.write(member)
        fh.write(gzip.compress(b"]"))
    return path
