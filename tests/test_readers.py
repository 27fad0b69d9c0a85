"""Session readers: every supported form, every kind of bad file, and the corpus walk."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from rrweb_hf import readers
from rrweb_hf.readers import (
    CompressionError,
    NotJSONError,
    SchemaError,
    TooLargeError,
    UnsupportedFileError,
    read_file,
    read_session,
    walk_corpus,
)

EVENTS = [
    {"type": 4, "data": {"href": "http://127.0.0.1/", "width": 1280, "height": 720}, "timestamp": 1000},
    {
        "type": 2,
        "data": {"node": {"type": 0, "childNodes": [], "id": 1}, "initialOffset": {"top": 0, "left": 0}},
        "timestamp": 1005,
    },
    {"type": 3, "data": {"source": 2, "type": 2, "id": 1, "x": 5, "y": 6}, "timestamp": 1500},
]


def write(path: Path, payload, *, compress: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_json_array(tmp_path):
    session = read_session(write(tmp_path / "site" / "s1.json", EVENTS), root=tmp_path)
    assert session.session_id == "site/s1"
    assert session.events == EVENTS
    assert session.metadata == {}
    assert (session.num_events, session.start_timestamp, session.end_timestamp, session.duration_ms) == (
        3,
        1000,
        1500,
        500,
    )
    assert session.path == str(tmp_path / "site" / "s1.json")


def test_export_object_keeps_metadata_and_its_session_id(tmp_path):
    doc = {"sessionId": "abc-123", "userAgent": "x", "events": EVENTS}
    session = read_session(write(tmp_path / "e.json", doc), root=tmp_path)
    assert session.session_id == "abc-123"
    assert session.metadata == {"sessionId": "abc-123", "userAgent": "x"}
    assert session.events == EVENTS


def test_gzip_forms(tmp_path):
    plain = read_session(write(tmp_path / "a.json.gz", EVENTS, compress=True), root=tmp_path)
    obj = read_session(write(tmp_path / "b.json.gz", {"events": EVENTS}, compress=True), root=tmp_path)
    assert (plain.session_id, obj.session_id) == ("a", "b")
    assert plain.events == obj.events == EVENTS


def test_concatenated_gzip_members_are_one_stream(tmp_path):
    text = json.dumps(EVENTS).encode()
    path = write(tmp_path / "m.json.gz", gzip.compress(text[:10]) + gzip.compress(text[10:]))
    assert read_session(path).events == EVENTS


def test_jsonl_grouped_by_session_id(tmp_path):
    lines = [dict(e, sessionId="s-b" if i % 2 else "s-a", windowId="w") for i, e in enumerate(EVENTS * 2)]
    path = write(tmp_path / "export.jsonl", b"\n".join(json.dumps(e).encode() for e in lines) + b"\n\n")
    result = read_file(path, root=tmp_path)
    assert [s.session_id for s in result.sessions] == ["s-a", "s-b"]
    assert [s.num_events for s in result.sessions] == [3, 3]
    assert result.sessions[0].events == [lines[0], lines[2], lines[4]]


def test_ndjson_gz_without_ids_is_one_session(tmp_path):
    path = write(tmp_path / "x.ndjson.gz", b"\n".join(json.dumps(e).encode() for e in EVENTS), compress=True)
    session = read_session(path, root=tmp_path)
    assert (session.session_id, session.events) == ("x", EVENTS)


def test_missing_timestamps_are_counted_not_errors(tmp_path):
    events = [{k: v for k, v in e.items() if k != "timestamp"} for e in EVENTS[:2]] + EVENTS[2:]
    session = read_session(write(tmp_path / "t.json", events))
    assert session.missing_timestamps == 2
    assert session.start_timestamp == session.end_timestamp == 1500


def test_session_without_any_timestamp_has_no_duration(tmp_path):
    events = [{k: v for k, v in e.items() if k != "timestamp"} for e in EVENTS]
    session = read_session(write(tmp_path / "t.json", events))
    assert (session.missing_timestamps, session.duration_ms) == (3, None)


@pytest.mark.parametrize(
    "payload, error, needle",
    [
        (b"", NotJSONError, "empty file"),
        (b'[{"type": 3,', NotJSONError, "not valid JSON"),
        (b'[{"type": 3, "data": {}, "timestamp": NaN}]', NotJSONError, "not valid JSON"),
        (b"\xff\xfe[]", NotJSONError, "not valid JSON"),
        (b'{"foo": 1}', SchemaError, "without an 'events' array"),
        (b'"hello"', SchemaError, "expected a list of events, got str"),
        (b"[]", SchemaError, "no events"),
        (b"[1, 2]", SchemaError, "event 0: event must be an object, got int"),
        (b'[{"data": {}}]', SchemaError, "event 0: event has no 'type'"),
        (b'[{"type": "3", "data": {}}]', SchemaError, "'type' must be an integer, got str"),
        (b'[{"type": true, "data": {}}]', SchemaError, "'type' must be an integer, got bool"),
        (
            b'[{"type": 4, "data": {}, "timestamp": "now"}]',
            SchemaError,
            "'timestamp' must be a finite number",
        ),
        (b'[{"type": 4, "data": {}}, {"type": 3, "data": [1]}]', SchemaError, "event 1: 'data' of a type-3"),
    ],
)
def test_bad_json_files_name_file_and_problem(tmp_path, payload, error, needle):
    path = write(tmp_path / "bad.json", payload)
    with pytest.raises(error) as info:
        read_session(path)
    assert needle in str(info.value)
    assert info.value.path == str(path)
    assert str(info.value).startswith(str(path))


def test_truncated_gzip(tmp_path):
    data = gzip.compress(json.dumps(EVENTS).encode())
    path = write(tmp_path / "t.json.gz", data[: len(data) // 2])
    with pytest.raises(CompressionError, match="truncated"):
        read_session(path)


def test_not_gzip_and_empty_gzip(tmp_path):
    with pytest.raises(CompressionError, match="broken gzip"):
        read_session(write(tmp_path / "p.json.gz", json.dumps(EVENTS).encode()))
    with pytest.raises(CompressionError, match="empty file"):
        read_session(write(tmp_path / "e.json.gz", b""))


def test_gzip_bomb_refused_without_inflating_it(tmp_path):
    # 64 MiB of zeros compresses to ~64 KiB; the limit stops inflation at 1 MiB.
    inflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = inflater.compress(b"[" + b" " * (64 << 20)) + inflater.flush()
    path = write(tmp_path / "bomb.json.gz", bomb)
    with pytest.raises(TooLargeError, match="gzip bomb") as info:
        read_session(path, max_bytes=1 << 20)
    assert "max_bytes=1048576" in str(info.value)


def test_plain_file_over_limit(tmp_path):
    path = write(tmp_path / "big.json", EVENTS)
    with pytest.raises(TooLargeError, match="raise max_bytes"):
        read_session(path, max_bytes=10)


def test_unsupported_suffix(tmp_path):
    with pytest.raises(UnsupportedFileError, match="expected one of"):
        read_file(write(tmp_path / "notes.txt", b"[]"))


def test_jsonl_bad_lines_strict_and_lenient(tmp_path):
    body = b"\n".join(
        [json.dumps(EVENTS[0]).encode(), b"{oops", b'{"type": "x"}', json.dumps(EVENTS[2]).encode()]
    )
    path = write(tmp_path / "s.jsonl", body)
    with pytest.raises(NotJSONError, match="line 2"):
        read_file(path)
    result = read_file(path, strict=False)
    assert [s.events for s in result.sessions] == [[EVENTS[0], EVENTS[2]]]
    assert [n for n, _ in result.bad_lines] == [2, 3]
    assert "'type' must be an integer" in result.bad_lines[1][1]


def test_read_session_refuses_multi_session_files(tmp_path):
    lines = [dict(EVENTS[0], sessionId=str(i)) for i in range(2)]
    path = write(tmp_path / "two.jsonl", b"\n".join(json.dumps(e).encode() for e in lines))
    with pytest.raises(SchemaError, match="holds 2"):
        read_session(path)


def test_walk_yields_valid_sessions_and_lists_every_bad_file(tmp_path):
    write(tmp_path / "a" / "ok1.json", EVENTS)
    write(tmp_path / "a" / "ok2.json.gz", {"events": EVENTS}, compress=True)
    write(tmp_path / "b" / "ok3.jsonl", b"\n".join(json.dumps(e).encode() for e in EVENTS))
    write(tmp_path / "a" / "empty.json", b"")
    write(tmp_path / "a" / "trunc.json.gz", gzip.compress(json.dumps(EVENTS).encode())[:20])
    write(tmp_path / "b" / "other.json", {"name": "package.json-like"})
    write(tmp_path / "b" / "notes.md", b"# not a session")  # unsupported suffix: not part of the corpus
    write(tmp_path / ".hidden" / "x.json", EVENTS)
    write(tmp_path / "MANIFEST.json", {"files": []})
    walk = walk_corpus(tmp_path)
    ids = [s.session_id for s in walk]
    assert ids == ["a/ok1", "a/ok2", "b/ok3"]
    assert len(walk) == walk.files_read == 6
    assert [(p.relative_to(tmp_path).as_posix(), r.split(":")[0]) for p, r in walk.skipped] == [
        ("a/empty.json", "not valid JSON"),
        ("a/trunc.json.gz", "broken gzip"),
        ("b/other.json", "not rrweb events"),
    ]


def test_walk_strict_raises_first_bad_file(tmp_path):
    write(tmp_path / "a.json", EVENTS)
    write(tmp_path / "b.json", b"nope")
    write(tmp_path / "c.json", EVENTS)
    walk = walk_corpus(tmp_path, strict=True)
    seen = []
    with pytest.raises(NotJSONError, match="b.json"):
        for session in walk:
            seen.append(session.session_id)
    assert seen == ["a"]


def test_walk_single_file_and_missing_corpus(tmp_path):
    path = write(tmp_path / "solo.json", EVENTS)
    assert [s.session_id for s in walk_corpus(path)] == ["solo"]
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        walk_corpus(tmp_path / "nope")


def test_corpus_paths_order_is_sorted_path_order_without_hidden_links_or_manifest(tmp_path):
    names = ["b.json", "a-b/x.json", "a/y.json.gz", "a/z/w.jsonl", "A/c.ndjson", "a.json", "ab.json"]
    for name in names:
        write(tmp_path / name, EVENTS)
    for name in (".hidden/h.json", "a/.h.json", "MANIFEST.json", "notes.txt"):
        write(tmp_path / name, EVENTS)
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)  # not followed
    expected = sorted(tmp_path / name for name in names)
    assert readers.corpus_paths(tmp_path) == [str(p) for p in expected]
    assert readers.iter_corpus_files(tmp_path) == expected
    assert readers.corpus_paths(str(tmp_path) + "/") == [str(p) for p in expected]  # normalised root
    assert readers.corpus_paths(tmp_path / "b.json") == [str(tmp_path / "b.json")]


def test_session_ids_are_stable_across_roots(tmp_path):
    path = write(tmp_path / "x" / "y" / "z.ndjson", b"\n".join(json.dumps(e).encode() for e in EVENTS))
    assert read_session(path, root=tmp_path).session_id == "x/y/z"
    assert read_session(path, root=tmp_path / "x").session_id == "y/z"
    assert readers.derive_session_id("q/r.json.gz") == "q/r"


def test_dom_nested_far_past_orjson_depth_limit(tmp_path):
    node = {"type": 3, "textContent": "leaf", "id": 0}
    text = json.dumps(node)
    for i in range(1, 3000):  # 6,000 JSON levels; orjson stops at 1,024
        text = f'{{"type": 2, "tagName": "div", "attributes": {{}}, "childNodes": [{text}], "id": {i}}}'
    snapshot = f'[{{"type": 2, "data": {{"node": {text}, "initialOffset": {{"top": 0, "left": 0}}}}}}]'
    session = read_session(write(tmp_path / "deep.json", snapshot.encode()))
    node, depth = session.events[0]["data"]["node"], 0
    while node["childNodes"] if node["type"] == 2 else False:
        node, depth = node["childNodes"][0], depth + 1
    assert (depth, node["textContent"]) == (2999, "leaf")
