"""Adversarial sizes: each case finishes within a stated bound or is refused with a clear error.

Bounds are generous (CI machines are noisy); the measured numbers come from scripts/adversarial.py.
"""

from __future__ import annotations

import time

import pytest

from rrweb_hf.adversarial import deep_dom_json, gzip_bomb
from rrweb_hf.readers import SchemaError, TooLargeError, read_session


def test_gzip_bomb_of_four_gigabytes_is_refused_fast(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.json.gz", 4 << 30)
    assert bomb.stat().st_size < 8 << 20
    start = time.perf_counter()
    with pytest.raises(TooLargeError, match="possible gzip bomb"):
        read_session(bomb, max_bytes=256 << 20)
    assert time.perf_counter() - start < 30


def test_gzip_bomb_under_the_limit_is_read(tmp_path):
    with pytest.raises(SchemaError, match="no events"):  # inflates fine: an empty array of spaces
        read_session(gzip_bomb(tmp_path / "ok.json.gz", 4 << 20, member_bytes=1 << 20), max_bytes=8 << 20)


def test_dom_nested_100k_levels_reads(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(deep_dom_json(100_000))
    session = read_session(path)
    node, depth = session.events[1]["data"]["node"], 0
    while node.get("childNodes"):
        node, depth = node["childNodes"][0], depth + 1
    assert (depth, node["textContent"]) == (100_001, "innermost")
