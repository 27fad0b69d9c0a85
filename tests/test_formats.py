"""Recording formats: real samples, every container round-tripping to the plain session's ids, corruption."""

from __future__ import annotations

import gzip
import json
import re
import struct
import zlib
from pathlib import Path

import pytest

import rrweb_hf
from rrweb_hf import RRWebTokenizer
from rrweb_hf.event_codecs import EventDecoder, compress_event, pack_event
from rrweb_hf.formats import encode_snappy_blocks, snappy_blocks
from rrweb_hf.readers import (
    CompressionError,
    EncodedFieldError,
    NotJSONError,
    SchemaError,
    TooLargeError,
    UnknownFormatError,
    read_file,
    walk_corpus,
)

DATA = Path(__file__).parent / "data" / "formats"
PLAIN = "mkdocs/mkdocs-0013.json.gz"  # 46 events: Meta, FullSnapshot, mutations, mouse, scroll, resize


@pytest.fixture(scope="module")
def plain():
    return rrweb_hf.read_session(rrweb_hf.sample_corpus() / PLAIN).events


@pytest.fixture(scope="module")
def tok():
    return RRWebTokenizer()


def ids_of(tok, events):
    return tok.encode_session(events)[0]


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, (bytes, bytearray)):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def jsonl(lines) -> bytes:
    return b"".join(json.dumps(x).encode() + b"\n" for x in lines)


# ----------------------------------------------------------------------------------- real samples
def test_real_posthog_blob_v1_sample_has_two_windows_with_exact_counts():
    result = read_file(DATA / "posthog_recording_snapshots.blob-v1.jsonl", root=DATA)
    assert result.format == "posthog-blob-v1" and result.bad_lines == []
    assert [(s.session_id, s.num_events, s.format) for s in result.sessions] == [
        (
            "posthog_recording_snapshots.blob-v1/187d7c761a0525d-05f175487d4b65-1d525634-384000-187d7c761a149d0",
            29,
            "posthog-blob-v1",
        ),
        (
            "posthog_recording_snapshots.blob-v1/187d7c77dfe1d45-08bdcaf91135a2-1d525634-384000-187d7c77dff39a6",
            20,
            "posthog-blob-v1",
        ),
    ]
    for session in result.sessions:
        assert [e["type"] for e in session.events[:2]] == [4, 2]  # each window: its own Meta + FullSnapshot
        assert all("windowId" not in e for e in session.events)
        stamps = [e["timestamp"] for e in session.events]
        assert stamps == sorted(stamps)


def _snapshot_string(name: str) -> str:
    text = (DATA / name).read_text(encoding="utf-8")
    return re.search(r'`"(.*)"`', text, re.S).group(1)


@pytest.mark.parametrize("name", ["packer.test.ts.snap", "packer.test.ts.snap.2020-pako"])
def test_real_packed_string_decodes_and_our_packer_writes_it_byte_for_byte(name, tmp_path):
    packed = _snapshot_string(name)
    event = {"type": 0, "data": {}, "timestamp": 1577836800000}
    assert EventDecoder().decode(packed) == event  # the "v": "v1" marker is dropped
    assert pack_event(event) == packed
    result = read_file(
        write(tmp_path / "p.json", [packed, {"type": 1, "data": {}, "timestamp": 1577836800001}])
    )
    assert result.format == "rrweb-packer"
    assert [e["type"] for e in result.sessions[0].events] == [0, 1]


def test_real_unpacked_cross_origin_snapshot_repacks_to_the_same_events(tmp_path):
    body = (DATA / "cross-origin-iframe-packer.test.ts.snap").read_text(encoding="utf-8")
    body = body.split("= `\n", 1)[1].rsplit("\n`;", 1)[0]
    events = json.loads(body.replace("\\\\", "\\")[1:-1].replace('\\"', '"'))
    assert [(e["type"], e["v"]) for e in events] == [(4, "v1"), (2, "v1"), (3, "v1")]
    bare = [{k: v for k, v in e.items() if k != "v"} for e in events]
    session = read_file(write(tmp_path / "x.json", [pack_event(e) for e in bare])).sessions[0]
    assert session.events == bare and session.missing_timestamps == 3 and session.format == "rrweb-packer"


def _sentry_snapshot(name: str):
    return json.loads(re.sub(r"\[(timestamp|timeOffset)\]", "0", (DATA / name).read_text()))


def test_real_sentry_snapshots_as_a_segment_list(tmp_path):
    seg1 = _sentry_snapshot("sentry-js_multiple-pages_seg-1-snap-incremental-chromium.json")
    full = _sentry_snapshot("sentry-js_privacyDefault_privacy.json")
    assert len(seg1) == 4 and full["type"] == 2
    result = read_file(write(tmp_path / "replay.json", [[full], seg1, []]))
    assert result.format == "sentry-segments"
    assert [(e["type"], e["data"].get("source")) for e in result.sessions[0].events] == [(2, None)] + [
        (3, 2)
    ] * 4
    ids = RRWebTokenizer().encode_session(result.sessions[0])[0]
    assert RRWebTokenizer().convert_ids_to_tokens(ids[:3]) == ["[EVT:FullSnapshot]", "[DT:start]", "[SX:0]"]


# ----------------------------------------------------------------------------------- round trips
def _posthog_export_2023(events, windows=None):
    snaps = [{**e, "windowId": (windows or {}).get(i, "w1")} for i, e in enumerate(events)]
    return {"version": "2023-04-28", "data": {"id": "sess-1", "person": {"name": "Ann"}, "snapshots": snaps}}


def _segments(events, n=3):
    k = len(events) // n
    return [events[i * k : (i + 1) * k if i < n - 1 else None] for i in range(n)]


def _recording_item(segment_id, events, compress=True) -> bytes:
    body = json.dumps(events).encode()
    return (
        json.dumps({"segment_id": segment_id}).encode() + b"\n" + (zlib.compress(body) if compress else body)
    )


def _envelope(events) -> bytes:
    out = b'{"event_id":"e1","sent_at":"2024-01-01T00:00:00Z"}\n'
    replay_event = json.dumps({"type": "replay_event", "replay_id": "r-42", "segment_id": 0}).encode()
    out += b'{"type":"replay_event"}\n' + replay_event + b"\n"
    for seg_id, seg in reversed(list(enumerate(_segments(events)))):  # arrival order is not segment order
        payload = _recording_item(seg_id, seg)
        out += (
            json.dumps({"type": "replay_recording", "length": len(payload)}).encode()
            + b"\n"
            + payload
            + b"\n"
        )
    return out


CONTAINERS = {
    "packed.json": lambda ev: [pack_event(e) for e in ev],
    "packed-mixed.json": lambda ev: [pack_event(e) if i % 2 else e for i, e in enumerate(ev)],
    "packed-json-strings.json": lambda ev: [
        json.dumps(e) if i % 3 == 0 else pack_event(e) for i, e in enumerate(ev)
    ],
    "posthog-gzip.json": lambda ev: [compress_event(e) for e in ev],
    "posthog-zstd.json": lambda ev: [compress_event(e, "zstd") for e in ev],
    "posthog-mixed.json": lambda ev: [compress_event(e) if i % 2 else e for i, e in enumerate(ev)],
    "posthog-export-2023.json": lambda ev: _posthog_export_2023([compress_event(e) for e in ev]),
    "posthog-export-2022.json": lambda ev: {
        "version": "2022-12-02",
        "data": {"person": None, "snapshotsByWindowId": {"w1": ev}},
    },
    "posthog-export-legacy.json": lambda ev: {"metadata": {}, "snapshotsByWindowId": {"w1": ev}},
    "blob-v1.jsonl": lambda ev: jsonl([{"window_id": "w1", "data": s} for s in _segments(ev)]),
    "blob-v2.jsonl": lambda ev: jsonl([["w1", compress_event(e)] for e in ev]),
    "blob-v2.jsonl.gz": lambda ev: gzip.compress(jsonl([["w1", e] for e in ev])),
    "blob-v2.snappy": lambda ev: encode_snappy_blocks(
        [json.dumps(["w1", compress_event(e)]).encode() + b"\n" for e in ev]
    ),
    "blob-v2-prefixed.jsonl.snappy": lambda ev: encode_snappy_blocks(
        [json.dumps(["w1", e]).encode() + b"\n" for e in ev], length_prefixed=True, per_block=5
    ),
    "sentry-segments.json": lambda ev: _segments(ev),
    "sentry-item.json": lambda ev: _recording_item(0, ev),
    "sentry-item-plain.json": lambda ev: _recording_item(0, ev, compress=False),
    "sentry.envelope": _envelope,
}
FORMAT_OF = {
    "packed.json": "rrweb-packer",
    "packed-mixed.json": "rrweb-packer",
    "packed-json-strings.json": "rrweb-packer",
    "posthog-gzip.json": "posthog-compressed",
    "posthog-zstd.json": "posthog-compressed",
    "posthog-mixed.json": "posthog-compressed",
    "posthog-export-2023.json": "posthog-export-2023-04-28",
    "posthog-export-2022.json": "posthog-export-2022-12-02",
    "posthog-export-legacy.json": "posthog-export-legacy",
    "blob-v1.jsonl": "posthog-blob-v1",
    "blob-v2.jsonl": "posthog-blob-v2",
    "blob-v2.jsonl.gz": "posthog-blob-v2",
    "blob-v2.snappy": "posthog-blob-v2",
    "blob-v2-prefixed.jsonl.snappy": "posthog-blob-v2",
    "sentry-segments.json": "sentry-segments",
    "sentry-item.json": "sentry-recording-item",
    "sentry-item-plain.json": "sentry-recording-item",
    "sentry.envelope": "sentry-envelope",
}
SESSION_ID = {"posthog-export-2023.json": "sess-1/w1", "sentry.envelope": "r-42"}


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_container_of_one_window_gives_exactly_the_plain_events_and_ids(name, plain, tok, tmp_path):
    path = write(tmp_path / name, CONTAINERS[name](plain))
    result = read_file(path, root=tmp_path)
    assert result.format == FORMAT_OF[name] and result.bad_lines == []
    assert len(result.sessions) == 1
    session = result.sessions[0]
    stem = name.split(".")[0]
    window = "/w1" if name.startswith(("posthog-export", "blob")) else ""
    assert session.session_id == SESSION_ID.get(name, stem + window)
    assert session.events == plain  # markers (v, cv, windowId) dropped, order kept
    assert ids_of(tok, session.events) == ids_of(tok, plain)
    assert "person" not in session.metadata


def test_export_with_two_windows_gives_one_session_per_window(plain, tmp_path):
    windows = {i: "w2" for i in range(20, len(plain))}
    result = read_file(write(tmp_path / "e.json", _posthog_export_2023(plain, windows)))
    assert [(s.session_id, s.num_events, s.metadata["window_id"]) for s in result.sessions] == [
        ("sess-1/w1", 20, "w1"),
        ("sess-1/w2", len(plain) - 20, "w2"),
    ]


def test_snappy_blocks_both_layouts_and_a_bomb_is_refused_before_inflating():
    lines = [b'["w",{"type":1,"data":{},"timestamp":%d}]\n' % i for i in range(7)]
    for prefixed in (False, True):
        blob = encode_snappy_blocks(lines, length_prefixed=prefixed, per_block=3)
        assert b"".join(snappy_blocks(blob)) == b"".join(lines)
    with pytest.raises(OverflowError, match="max_bytes=10"):
        snappy_blocks(encode_snappy_blocks(lines), max_bytes=10)


# ----------------------------------------------------------------------------------- Sentry time
def test_sentry_seconds_become_milliseconds_and_events_are_ordered(tmp_path):
    meta = {
        "type": 4,
        "timestamp": 1670433920000,
        "data": {"href": "https://a.io/", "width": 800, "height": 600},
    }
    span = {
        "type": 5,
        "timestamp": 1670433920.5,
        "data": {
            "tag": "performanceSpan",
            "payload": {
                "op": "navigation.navigate",
                "description": "https://a.io/",
                "startTimestamp": 1670433920.5,
                "endTimestamp": 1670433921.25,
            },
        },
    }
    old_crumb = {
        "type": 5,
        "timestamp": 1670433921.571,
        "data": {"tag": "breadcrumb", "payload": {"category": "ui.blur"}},
    }
    crumb = {
        "type": 5,
        "timestamp": 1670433921000.32,
        "data": {"tag": "breadcrumb", "payload": {"category": "ui.click"}},
    }
    click = {"type": 3, "timestamp": 1670433921100, "data": {"source": 2, "type": 2, "id": 5, "x": 1, "y": 1}}
    result = read_file(write(tmp_path / "seg.json", [[meta, click, old_crumb], [span, crumb]]))
    events = result.sessions[0].events
    assert [e["timestamp"] for e in events] == [
        1670433920000,
        1670433920500.0,
        1670433921000.32,
        1670433921100,
        1670433921571.0,
    ]
    assert [e["data"].get("tag", e["type"]) for e in events] == [
        4,
        "performanceSpan",
        "breadcrumb",
        3,
        "breadcrumb",
    ]
    single = read_file(write(tmp_path / "one.json", [meta, click, span]))
    assert single.format == "sentry-segment" and [e["type"] for e in single.sessions[0].events] == [4, 5, 3]


# ----------------------------------------------------------------------------------- corruption
def _bad_gzip_field(event):
    out = compress_event(event)
    raw = out["data"].encode("latin-1")
    out["data"] = (raw[:12] + bytes(b ^ 0x55 for b in raw[12:40]) + raw[40:]).decode("latin-1")
    return out


CORRUPT = {
    "corrupt gzip": (_bad_gzip_field, "data", "corrupt gzip stream"),
    "truncated gzip": (
        lambda e: {**compress_event(e), "data": compress_event(e)["data"][:30]},
        "data",
        "truncated",
    ),
    "mangled latin-1": (
        lambda e: {**compress_event(e), "data": compress_event(e)["data"] + "\u20ac"},
        "data",
        "latin-1",
    ),
    "base64 not gzip": (
        lambda e: {**e, "cv": "2024-10", "data": "H4sIAAAAAAAAA8tI"},
        "data",
        "neither gzip, zlib nor zstd",
    ),
    "unknown cv": (
        lambda e: {**compress_event(e), "cv": "2030-01"},
        "cv",
        "unknown PostHog compression version",
    ),
    "packer v2": (
        lambda e: zlib.compress(json.dumps({**e, "v": "v2"}).encode()).decode("latin-1"),
        "packed event",
        "'v2'",
    ),
    "packed garbage": (lambda e: "x\x9cnot a zlib stream", "packed event", "corrupt zlib"),
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_undecodable_event_strict_names_file_event_and_field_lenient_skips_exactly_it(kind, plain, tmp_path):
    make, field, words = CORRUPT[kind]
    full = next(i for i, e in enumerate(plain) if e["type"] == 2)
    doc = [compress_event(e) for e in plain]
    doc[full] = make(plain[full])
    path = write(tmp_path / "s.json", doc)
    with pytest.raises(EncodedFieldError, match=re.escape(words)) as info:
        read_file(path)
    assert info.value.path == str(path) and info.value.where == f"event {full}" and info.value.field == field
    assert f"event {full}" in str(info.value) and repr(field) in str(info.value)
    result = read_file(path, strict=False)
    assert [where for where, _ in result.bad_lines] == [f"event {full}"]
    assert result.sessions[0].events == plain[:full] + plain[full + 1 :]
    walk = walk_corpus(tmp_path)
    assert [s.num_events for s in walk] == [len(plain) - 1]
    assert [(p.name, r.split(":")[0]) for p, r in walk.skipped] == [
        (f"s.json:event {full}", "broken compressed field")
    ]


def test_bomb_inside_a_cv_field_is_refused_with_the_file_limit(tmp_path):
    bomb = {
        "type": 2,
        "timestamp": 1,
        "cv": "2024-10",
        "data": gzip.compress(
            b'{"node": {"type": 0, "childNodes": [], "id": 1}, "pad": "' + b"a" * 5_000_000 + b'"}'
        ).decode("latin-1"),
    }
    path = write(tmp_path / "bomb.json", [bomb])
    with pytest.raises(TooLargeError, match="compression bomb"):
        read_file(path, max_bytes=1_000_000, strict=False)  # refused in lenient mode too
    assert read_file(path, max_bytes=6_000_000).sessions[0].events[0]["data"]["node"]["id"] == 1
    packed = pack_event({"type": 1, "data": {"x": "b" * 3_000_000}, "timestamp": 5})
    with pytest.raises(TooLargeError):
        read_file(write(tmp_path / "p.json", [packed]), max_bytes=len(json.dumps([packed])) + 1000)


def test_broken_containers_get_typed_errors(plain, tmp_path):
    cases = [
        (
            "v.json",
            {"version": "2099-01-01", "data": {"snapshots": []}},
            UnknownFormatError,
            "export version '2099-01-01'",
        ),
        ("o.json", {"name": "x"}, UnknownFormatError, "an object without an 'events' array"),
        ("e.json", {"version": "2023-04-28", "data": {"snapshots": []}}, SchemaError, "holds no events"),
        ("s.json", [[plain[0]], [5]], SchemaError, "segment 1 event 0: event must be an object, got int"),
        ("a.json", [[], []], SchemaError, "all empty"),
        ("t.snappy", encode_snappy_blocks([b'["w", {"type": 1}]\n'])[:-3], CompressionError, "broken snappy"),
        ("i.json", b'{"segment_id": 3}\n\x78\x9cgarbage', CompressionError, "segment 3"),
        ("h.json", b'{"segment_id": "x"}\n[]', SchemaError, "segment_id"),
        ("j.json", b'{"segment_id": 1}\n[{"type": 1', NotJSONError, "segment 1"),
        (
            "n.envelope",
            b'{}\n{"type":"replay_recording","length":500}\n{"segment_id":0}\n[]',
            SchemaError,
            "cut short",
        ),
        ("m.envelope", b'{}\n{"type":"event"}\n{}\n', SchemaError, "no replay_recording item"),
    ]
    for name, doc, error, words in cases:
        with pytest.raises(error, match=re.escape(words)):
            read_file(write(tmp_path / name, doc), strict=False)
            pytest.fail(name)


def test_bad_lines_of_a_blob_file_are_counted_and_reported(plain, tmp_path):
    lines = jsonl([["w1", e] for e in plain[:5]]) + b"{broken\n" + jsonl([["w1", _bad_gzip_field(plain[1])]])
    path = write(tmp_path / "b.jsonl", lines)
    with pytest.raises(NotJSONError, match="line 6"):
        read_file(path)
    result = read_file(path, strict=False)
    assert [w for w, _ in result.bad_lines] == [6, "line 7 event 0"]
    assert result.sessions[0].events == plain[:5]


# ----------------------------------------------------------------------------------- stats
def test_stats_json_counts_the_format_of_every_file(plain, tmp_path, capsys):
    from rrweb_hf.cli import main

    for name in ("packed.json", "posthog-gzip.json", "sentry-segments.json", "blob-v2.snappy"):
        write(tmp_path / name, CONTAINERS[name](plain))
    write(tmp_path / "plain.json", plain)
    write(tmp_path / "blob.jsonl", (DATA / "posthog_recording_snapshots.blob-v1.jsonl").read_bytes())
    assert main(["stats", str(tmp_path), "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["formats"] == {
        "posthog-blob-v1": 1,
        "posthog-blob-v2": 1,
        "posthog-compressed": 1,
        "rrweb": 1,
        "rrweb-packer": 1,
        "sentry-segments": 1,
    }
    assert out["files"] == 6 and out["sessions"] == 7
    assert main(["stats", str(tmp_path), "--no-progress"]) == 0
    assert "formats:\n  posthog-blob-v1" in capsys.readouterr().out


def test_bundled_corpus_reads_as_plain_rrweb():
    result = read_file(rrweb_hf.sample_corpus() / PLAIN)
    assert result.format == "rrweb" and result.sessions[0].format == "rrweb"


def test_length_prefix_heuristic_falls_back_to_concatenated_blocks():
    # a first u32 that "fits" but is not a real prefix: PostHog's heuristic would misfire
    lines = [b'["w",{"type":1,"data":{},"timestamp":1}]\n'] * 3
    blob = encode_snappy_blocks(lines, per_block=1)
    assert struct.unpack(">I", blob[:4])[0] > len(blob)  # here it does not fit, so: concatenated
    assert b"".join(snappy_blocks(blob)) == b"".join(lines)


# ----------------------------------------------------------------------------------- convert
def test_convert_writes_one_plain_file_per_session_inside_out_only(plain, tmp_path, capsys):
    from rrweb_hf.cli import main

    src = tmp_path / "in"
    export = _posthog_export_2023(plain, {i: "w/2" for i in range(20, len(plain))})
    export["data"]["id"] = "../../evil"
    write(src / "e.json", export)
    write(src / "broken.json", "[{")
    out = tmp_path / "out"
    assert main(["convert", str(src), "--out", str(out), "--gzip"]) == 0
    text = capsys.readouterr().out
    assert "sessions: 2   events: 46   input formats: posthog-export-2023-04-28 1" in text
    assert "skipped: 1" in text and "broken.json: not valid JSON" in text
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json.gz"))
    assert files == ["out/evil/w/2.json.gz", "out/evil/w1.json.gz"]  # ".." dropped: nothing outside out/
    back = [read_file(tmp_path / f) for f in files]
    assert [r.format for r in back] == ["rrweb", "rrweb"]
    assert back[1].sessions[0].events + back[0].sessions[0].events == plain
    assert main(["convert", str(src), "--out", str(out), "--strict"]) == 1


def test_convert_joins_a_folder_of_single_sentry_segments_in_segment_order(plain, tmp_path):
    from rrweb_hf.formats import convert_corpus

    for seg_id, seg in enumerate(_segments(plain, 4)):
        write(
            tmp_path / "in" / "replay-7" / f"seg-{10 - seg_id}.json",
            _recording_item(seg_id, seg, seg_id % 2 == 0),
        )
    write(tmp_path / "in" / "other.json", plain[:3])
    report = convert_corpus(tmp_path / "in", tmp_path / "out")
    assert report["formats"] == {"rrweb": 1, "sentry-segment-folder": 1}  # the folder: one entry
    assert sorted(Path(p).relative_to(tmp_path / "out").as_posix() for p in report["written"]) == [
        "other.json",
        "replay-7.json",
    ]
    assert read_file(tmp_path / "out" / "replay-7.json").sessions[0].events == plain
    assert report["sessions"] == 2 and report["events"] == len(plain) + 3


def test_every_format_flows_through_load_sessions_and_prepare(plain, tok, tmp_path):
    from rrweb_hf.prepare import prepare_windows
    from rrweb_hf.sessions import load_sessions

    src = tmp_path / "in"
    for name in ("packed.json", "sentry-segments.json", "blob-v2.snappy", "posthog-zstd.json"):
        write(src / name, CONTAINERS[name](plain))
    write(src / "two.json", _posthog_export_2023(plain, {i: "w2" for i in range(20, len(plain))}))
    broken = [compress_event(e) for e in plain]
    broken[3] = _bad_gzip_field(plain[3]) if plain[3]["type"] == 2 else {**broken[3], "cv": "1999"}
    write(src / "broken.json", broken)
    raw, skipped = load_sessions(src, validation_fraction=0.0, return_skipped=True, cache_dir=tmp_path / "c")
    rows = {r["session_id"]: r["num_events"] for r in raw["train"]}
    assert rows == {
        "blob-v2/w1": 46,
        "broken": 45,
        "packed": 46,
        "posthog-zstd": 46,
        "sentry-segments": 46,
        "sess-1/w1": 20,
        "sess-1/w2": 26,
    }
    assert [(Path(p).name, r.split(":")[0]) for p, r in skipped] == [
        ("broken.json:event 3", "broken compressed field")
    ]
    result = prepare_windows(
        src, tok, max_length=512, stride=64, validation_fraction=0.0, cache_dir=tmp_path / "c", progress=False
    )
    assert result.report["sessions"] == 7
    assert result.report["tokens"] == 4 * len(ids_of(tok, plain)) + len(
        ids_of(tok, plain[:3] + plain[4:])
    ) + len(ids_of(tok, plain[:20])) + len(ids_of(tok, plain[20:]))


def test_snappy_and_text_are_told_apart_by_content(plain, tmp_path):
    lines = [json.dumps(["w1", e]).encode() + b"\n" for e in plain]
    as_text = read_file(write(tmp_path / "text.snappy", b"".join(lines)))  # already inflated
    as_binary = read_file(
        write(tmp_path / "api-reply.jsonl", encode_snappy_blocks(lines, length_prefixed=True))
    )
    assert as_text.format == as_binary.format == "posthog-blob-v2"
    assert as_text.sessions[0].events == as_binary.sessions[0].events == plain
    with pytest.raises(TooLargeError):
        read_file(tmp_path / "api-reply.jsonl", max_bytes=len(b"".join(lines)) - 1)


def _captures(events, windows=("win-a",)):
    out = []
    for i in range(0, len(events), 10):
        for w in windows:
            props = {
                "$snapshot_data": [compress_event(e) for e in events[i : i + 10]],
                "$session_id": "ph-s",
                "$window_id": w,
                "$snapshot_bytes": 1,
                "$lib": "web",
            }
            out.append({"event": "$snapshot", "properties": props})
    return out


@pytest.mark.parametrize("shape", ["list", "batch", "jsonl"])
def test_posthog_capture_events_give_one_session_per_window(shape, plain, tok, tmp_path):
    caps = _captures(plain, ("win-a", "win-b"))
    if shape == "jsonl":
        path = write(tmp_path / "c.jsonl", jsonl(caps))
    else:
        path = write(tmp_path / "c.json", caps if shape == "list" else {"api_key": "k", "batch": caps})
    result = read_file(path)
    assert result.format == "posthog-capture"
    assert [(s.session_id, s.format) for s in result.sessions] == [
        ("ph-s/win-a", "posthog-capture"),
        ("ph-s/win-b", "posthog-capture"),
    ]
    for session in result.sessions:
        assert session.events == plain and ids_of(tok, session.events) == ids_of(tok, plain)
