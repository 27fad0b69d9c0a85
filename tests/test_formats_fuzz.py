"""Property tests for the recording formats: any damage to any container gives sessions or a SessionReadError.

Every container of ``tests/test_formats.py`` is built from one small real session, then bytes are cut,
flipped or inserted (in the file, or inside one packed / compressed field); reading must return
sessions (lenient mode may list skipped events) or raise a :class:`SessionReadError` subclass, never
anything else; and the tokenizer must never fail on what was read.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats import CONTAINERS, write

import rrweb_hf
from rrweb_hf import RRWebTokenizer
from rrweb_hf.event_codecs import compress_event, pack_event
from rrweb_hf.formats import encode_snappy_blocks, snappy_blocks
from rrweb_hf.readers import SessionReadError, read_file

SOURCE = "media/media-0003.json.gz"  # 28 events: Meta, FullSnapshot, mutations, canvas, media


@pytest.fixture(scope="module")
def built():
    events = rrweb_hf.read_session(rrweb_hf.sample_corpus() / SOURCE).events
    out = {}
    for name, make in CONTAINERS.items():
        doc = make(events)
        if isinstance(doc, (bytes, bytearray)):
            out[name] = bytes(doc)
        else:
            out[name] = json.dumps(doc).encode()
    return out


damage = st.tuples(
    st.sampled_from(["cut", "flip", "insert"]),
    st.floats(0, 1),
    st.integers(1, 40),
    st.binary(min_size=1, max_size=8),
)


def _damage(data: bytes, how) -> bytes:
    kind, where, n, junk = how
    at = int(where * len(data))
    if kind == "cut":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes(b ^ 0xA5 for b in data[at : at + n]) + data[at + n :]
    return data[:at] + junk + data[at:]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(CONTAINERS)), damage, st.booleans())
def test_damaged_container_gives_sessions_or_a_session_read_error(built, name, how, strict):
    data = _damage(built[name], how)
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / name, data)
        try:
            result = read_file(path, strict=strict)
        except SessionReadError:
            return
        for session in result.sessions:
            assert session.events
            RRWebTokenizer().encode_session(session)  # lenient: never raises on what was read


field_damage = st.tuples(st.integers(0, 27), damage, st.sampled_from(["gzip", "zstd", "packer"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field_damage, st.booleans())
def test_damage_inside_one_encoded_field_is_an_event_level_error_or_skip(built, case, strict):
    index, how, codec = case
    events = rrweb_hf.read_session(rrweb_hf.sample_corpus() / SOURCE).events
    doc = [pack_event(e) if codec == "packer" else compress_event(e, codec) for e in events]
    item = doc[index]
    if isinstance(item, str):
        doc[index] = _damage(item.encode("latin-1"), how).decode("latin-1")
    elif isinstance(item.get("data"), str):
        doc[index] = {**item, "data": _damage(item["data"].encode("latin-1"), how).decode("latin-1")}
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "s.json", doc)
        try:
            result = read_file(path, strict=strict)
        except SessionReadError as exc:
            assert strict or "not rrweb events" in exc.reason or "too large" in exc.reason, exc
            return
        kept = sum(s.num_events for s in result.sessions)
        assert kept + len(result.bad_lines) == len(events)
        assert all(where == f"event {index}" for where, _ in result.bad_lines)
        stats = {}
        RRWebTokenizer().encode_session(doc, stats=stats)  # the tokenizer given the raw events
        assert stats["malformed_events"] <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.binary(min_size=0, max_size=400) | st.text(max_size=300).map(str.encode), min_size=1, max_size=12
    ),
    st.integers(1, 5),
    st.booleans(),
)
def test_snappy_block_scanner_finds_every_block(chunks, per_block, prefixed):
    lines = [c * (1 + len(c) % 7) for c in chunks]  # repeats make copy elements, long runs long literals
    blob = encode_snappy_blocks(lines, length_prefixed=prefixed, per_block=per_block)
    assert b"".join(snappy_blocks(blob)) == b"".join(lines)
