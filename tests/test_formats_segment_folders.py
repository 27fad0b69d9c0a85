"""A folder of single Sentry segments (``replay_recording`` item files) is one session, everywhere."""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from pathlib import Path

import pytest

import rrweb_hf
from rrweb_hf import RRWebTokenizer
from rrweb_hf.cli import main
from rrweb_hf.corpus import corpus_files, segment_folder_files, walk_corpus
from rrweb_hf.readers import CompressionError, SchemaError, TooLargeError, read_file

DATA = Path(__file__).parent / "data" / "formats"
PLAIN = "mkdocs/mkdocs-0013.json.gz"  # 46 events with real timestamps


def _sentry_snapshot(name: str):
    return json.loads(re.sub(r"\[(timestamp|timeOffset)\]", "0", (DATA / name).read_text()))


@pytest.fixture(scope="module")
def segments():
    """The real Sentry sample as three segments: FullSnapshot, four incremental events, empty."""
    full = _sentry_snapshot("sentry-js_privacyDefault_privacy.json")
    seg1 = _sentry_snapshot("sentry-js_multiple-pages_seg-1-snap-incremental-chromium.json")
    return [[full], seg1, []]


@pytest.fixture(scope="module")
def tok():
    return RRWebTokenizer()


def item(segment_id: int, events: list, compress: bool = True) -> bytes:
    """A ``replay_recording`` item payload as the Sentry SDK sends it."""
    body = json.dumps(events).encode()
    return (
        json.dumps({"segment_id": segment_id}).encode() + b"\n" + (zlib.compress(body) if compress else body)
    )


# file names whose order is not segment order: c.json holds segment 0
NAMES = {0: "c.json", 1: "a.json", 2: "b.json"}


def write_folder(folder: Path, segs: list, names=NAMES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k, events in enumerate(segs):
        (folder / names[k]).write_bytes(item(k, events, compress=k != 1))  # zlib and plain items
    return folder


def test_real_sample_folder_gives_the_events_and_ids_of_the_segments_list(segments, tok, tmp_path):
    (tmp_path / "list.json").write_text(json.dumps(segments))
    folder = write_folder(tmp_path / "replay-abc", segments)
    listed = read_file(tmp_path / "list.json").sessions[0]
    result = read_file(folder, root=tmp_path)
    assert result.format == "sentry-segment-folder" and result.bad_lines == []
    [session] = result.sessions
    assert (session.session_id, session.path, session.metadata) == (
        "replay-abc",
        str(folder),
        {"segment_ids": [0, 1, 2]},
    )
    assert [(e["type"], e["data"].get("source")) for e in session.events] == [(2, None)] + [(3, 2)] * 4
    assert session.events == listed.events
    assert tok.encode_session(session.events) == tok.encode_session(listed.events)


def test_segments_join_in_segment_id_order_with_sentry_times_in_ms(tmp_path):
    plain = rrweb_hf.read_session(rrweb_hf.sample_corpus() / PLAIN).events
    crumb = {  # an old breadcrumb, timestamp in seconds: becomes ms and sorts into place
        "type": 5,
        "timestamp": plain[10]["timestamp"] / 1000,
        "data": {"tag": "breadcrumb", "payload": {"category": "ui.click"}},
    }
    parts = [plain[:10], plain[10:30] + [crumb], plain[30:]]
    folder = write_folder(tmp_path / "r", parts, names={0: "seg-9.json", 1: "seg-10.json", 2: "seg-1.json"})
    events = read_file(folder).sessions[0].events
    assert plain[10]["timestamp"] < plain[11]["timestamp"]  # the crumb sorts in right after event 10
    assert events == plain[:11] + [{**crumb, "timestamp": float(plain[10]["timestamp"])}] + plain[11:]


def test_folder_is_one_entry_in_walk_load_sessions_prepare_and_stats(segments, tok, tmp_path, capsys):
    from rrweb_hf.prepare import prepare_windows
    from rrweb_hf.sessions import load_sessions

    corpus = tmp_path / "corpus"
    write_folder(corpus / "replay-abc", segments)
    (corpus / "list.json").write_text(json.dumps(segments))
    plain = rrweb_hf.read_session(rrweb_hf.sample_corpus() / PLAIN).events
    (corpus / "site").mkdir()
    (corpus / "site" / "0.json").write_text(json.dumps(plain[:20]))
    (corpus / "site" / "1.json.gz").write_bytes(gzip.compress(json.dumps(plain).encode()))

    root, files = corpus_files(corpus)
    assert [Path(f).relative_to(root).as_posix() for f in files] == [
        "list.json",
        "replay-abc",
        "site/0.json",
        "site/1.json.gz",
    ]
    walk = walk_corpus(corpus, strict=True)
    assert [(s.session_id, s.num_events, s.format) for s in walk] == [
        ("list", 5, "sentry-segments"),
        ("replay-abc", 5, "sentry-segment-folder"),
        ("site/0", 20, "rrweb"),
        ("site/1", 46, "rrweb"),
    ]
    sizes = sum(os.path.getsize(p) for p in segment_folder_files(corpus / "replay-abc"))
    sizes += sum(os.path.getsize(corpus / n) for n in ("list.json", "site/0.json", "site/1.json.gz"))
    assert walk.bytes_read == sizes and walk.skipped == []

    cache = tmp_path / "cache"
    raw = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    assert sorted(zip(raw["session_id"], raw["path"], raw["num_events"], strict=True)) == [
        ("list", "list.json", 5),
        ("replay-abc", "replay-abc", 5),
        ("site/0", "site/0.json", 20),
        ("site/1", "site/1.json.gz", 46),
    ]
    result = prepare_windows(
        corpus, tok, max_length=64, stride=16, validation_fraction=0.0, cache_dir=cache, progress=False
    )
    assert result.report["sessions"] == 4 and result.report["skipped"] == []
    windows = result.dataset["train"]
    by_id: dict[str, list] = {}
    for sid, ids in zip(windows["session_id"], windows["input_ids"], strict=True):
        by_id.setdefault(sid, []).append(ids)
    assert by_id["replay-abc"] == by_id["list"] and len(by_id["list"]) > 1

    assert main(["stats", str(corpus), "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sessions"] == 4 and out["formats"] == {
        "rrweb": 2,
        "sentry-segment-folder": 1,
        "sentry-segments": 1,
    }
    # the folder itself as the corpus: one session named after it
    assert main(["stats", str(corpus / "replay-abc"), "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["formats"] == {"sentry-segment-folder": 1}
    assert [s.session_id for s in walk_corpus(corpus / "replay-abc")] == ["replay-abc"]
    # a glob naming the folder lists it once; one naming its files lists them one by one
    assert [Path(f).name for f in corpus_files(str(corpus / "*"))[1]] == ["list.json", "replay-abc"]
    assert [Path(f).name for f in corpus_files(str(corpus / "replay-abc" / "*.json"))[1]] == [
        "a.json",
        "b.json",
        "c.json",
    ]


def test_convert_writes_the_folder_as_one_plain_session(segments, tmp_path):
    folder = write_folder(tmp_path / "replay-abc", segments)
    assert main(["convert", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["replay-abc.json"]
    back = read_file(tmp_path / "out" / "replay-abc.json")
    assert back.format == "rrweb" and back.sessions[0].events == read_file(folder).sessions[0].events


def test_a_corrupt_segment_strict_raises_naming_file_and_segment_lenient_skips_it(segments, tmp_path):
    corpus = tmp_path / "corpus"
    folder = write_folder(corpus / "replay-abc", segments)
    (folder / "a.json").write_bytes(b'{"segment_id": 1}\n\x78\x9cgarbage')  # segment 1: broken zlib
    with pytest.raises(CompressionError) as err:
        list(walk_corpus(corpus, strict=True))
    assert err.value.path == str(folder / "a.json") and "segment 1" in err.value.reason
    walk = walk_corpus(corpus)
    [session] = list(walk)
    assert session.events == segments[0] and session.metadata == {"segment_ids": [0, 2]}
    assert [(p.as_posix(), r.split(":")[0]) for p, r in walk.skipped] == [
        (f"{folder.as_posix()}:a.json", "broken compressed field")
    ]
    assert "recording item segment 1" in walk.skipped[0][1]


def test_a_missing_segment_strict_raises_lenient_reads_the_others_and_reports_it(segments, tmp_path):
    folder = write_folder(tmp_path / "replay-abc", segments)
    (folder / "a.json").unlink()  # segment 1 of 0..2
    with pytest.raises(
        SchemaError, match=r"missing segment: no file of the folder holds segment 1 \(have \[0, 2\]\)"
    ):
        read_file(folder)
    result = read_file(folder, strict=False)
    assert result.sessions[0].events == segments[0]
    assert result.bad_lines == [
        ("segment 1", "missing segment: no file of the folder holds segment 1 (have [0, 2])")
    ]


def test_duplicate_segment_ids_and_size_limit_over_the_folder(segments, tmp_path):
    folder = write_folder(tmp_path / "replay-abc", segments)
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert max(p.stat().st_size for p in folder.iterdir()) < total - 1
    with pytest.raises(TooLargeError, match="segment files hold over"):
        read_file(folder, max_bytes=total - 1, strict=False)  # each file alone is under the limit
    with pytest.raises(TooLargeError, match="c.json: too large: recording item segment 0: .* inflates past"):
        read_file(folder, max_bytes=total, strict=False)  # what the zlib items inflate to counts too
    assert read_file(folder, max_bytes=20_000).sessions[0].num_events == 5
    (folder / "d.json").write_bytes(item(2, segments[1]))
    with pytest.raises(SchemaError, match="segment 2 twice .*: b.json and d.json"):
        read_file(folder, strict=False)


def test_ordinary_folders_are_never_taken_for_segment_folders(segments, tmp_path):
    plain = [{"type": 4, "data": {"href": "https://a.io/"}, "timestamp": 1}]
    cases = {
        "numbered": {"0.json": json.dumps(plain), "1.json": json.dumps(plain)},  # sessions named by number
        "sentry-arrays": {"0.json": json.dumps(segments[0]), "1.json": json.dumps(segments[1])},
        "mixed": {"0.json": item(0, segments[0]), "site.json": json.dumps(plain)},
        "gzipped": {"0.json.gz": gzip.compress(item(0, segments[0]))},
        "manifest": {"0.json": item(0, segments[0]), "MANIFEST.json": "{}"},
    }
    for name, files in cases.items():
        for fname, body in files.items():
            path = tmp_path / name / fname
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body if isinstance(body, bytes) else body.encode())
    (tmp_path / "parent" / "replay").mkdir(parents=True)  # a folder with a subfolder is a corpus folder
    (tmp_path / "parent" / "replay" / "0.json").write_bytes(item(0, segments[0]))
    (tmp_path / "parent" / "1.json").write_bytes(item(1, segments[1]))
    for name in [*cases, "parent"]:
        assert segment_folder_files(tmp_path / name) is None, name
    rel = [Path(f).relative_to(tmp_path).as_posix() for f in corpus_files(tmp_path)[1]]
    assert rel == [
        "gzipped/0.json.gz",
        "manifest/0.json",
        "mixed/0.json",
        "mixed/site.json",
        "numbered/0.json",
        "numbered/1.json",
        "parent/1.json",
        "parent/replay",
        "sentry-arrays/0.json",
        "sentry-arrays/1.json",
    ]
    sessions = {s.session_id: s.format for s in walk_corpus(tmp_path / "numbered", strict=True)}
    assert sessions == {"0": "rrweb", "1": "rrweb"}


def test_editing_one_segment_changes_the_cache_key_and_the_rows(segments, tmp_path):
    from rrweb_hf.sessions import load_sessions

    corpus = tmp_path / "corpus"
    folder = write_folder(corpus / "replay-abc", segments)
    cache = tmp_path / "cache"
    first = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    assert first["num_events"] == [5]
    stamp = os.stat(folder / "a.json")
    (folder / "a.json").write_bytes(item(1, segments[1][:2], compress=False))  # shorter, same name
    os.utime(folder, ns=(stamp.st_atime_ns, os.stat(folder).st_mtime_ns))  # the folder's own mtime kept
    again = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    assert again["num_events"] == [3]
    assert first.cache_files[0]["filename"] != again.cache_files[0]["filename"]
