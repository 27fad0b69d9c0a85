"""Consistency checks for the recorded rrweb sample corpus and its MANIFEST.json.

Self-contained (stdlib gzip + json). The corpus is produced by
scripts/record/record_corpus.sh; the manifest by scripts/record/make_manifest.py.
"""

import collections
import gzip
import hashlib
import json
from pathlib import Path

import pytest

try:  # optional speed-up; the stdlib json module gives the same result
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover
    _loads = json.loads

CORPUS = Path(__file__).resolve().parent.parent / "rrweb_hf" / "data" / "sample_corpus"
MANIFEST = CORPUS / "MANIFEST.json"

MIN_SESSIONS, MAX_SESSIONS = 150, 400
MIN_SITES = 3
LONG_EVENTS, MIN_LONG_SESSIONS = 2000, 10
MAX_TOTAL_BYTES = 25 * 1000 * 1000


@pytest.fixture(scope="module")
def manifest():
    with open(MANIFEST, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def decoded(manifest):
    """path -> summary of the decompressed file (one file in memory at a time)."""
    out = {}
    for entry in manifest["files"]:
        with open(CORPUS / entry["path"], "rb") as f:
            events = _loads(gzip.decompress(f.read()))
        summary = {
            "is_list": isinstance(events, list),
            "len": None,
            "types": None,
            "sources": None,
            "bad": [],
            "has_meta": False,
            "has_full": False,
        }
        if summary["is_list"]:
            summary["len"] = len(events)
            types, sources = collections.Counter(), collections.Counter()
            for i, e in enumerate(events):
                if (
                    not isinstance(e, dict)
                    or not isinstance(e.get("type"), int)
                    or isinstance(e.get("type"), bool)
                    or not isinstance(e.get("timestamp"), (int, float))
                ):
                    summary["bad"].append(i)
                    continue
                types[str(e["type"])] += 1
                if e["type"] == 3:
                    sources[str(e["data"]["source"])] += 1
            summary["types"], summary["sources"] = dict(types), dict(sources)
            summary["has_meta"] = "4" in types
            summary["has_full"] = "2" in types
        out[entry["path"]] = summary
        del events
    return out


def test_manifest_header(manifest):
    assert manifest["format"] == 1
    rec = manifest["recorder"]
    for key in ("rrweb", "playwright-core", "chromium", "recorded_at"):
        assert isinstance(rec.get(key), str) and rec[key], key
    assert rec["rrweb"].startswith("2.")


def test_manifest_sorted_and_unique(manifest):
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths)
    assert len(paths) == len(set(paths))


def test_entry_fields(manifest):
    for f in manifest["files"]:
        assert f["path"].endswith(".json.gz")
        assert f["path"].split("/")[0] == f["site"], f["path"]
        assert isinstance(f["scenario"], str) and f["scenario"]
        assert isinstance(f["seed"], int)
        assert isinstance(f["events"], int) and f["events"] > 0
        assert len(f["sha256"]) == 64
        assert sum(f["event_types"].values()) == f["events"]
        assert sum(f["incremental_sources"].values()) == f["event_types"].get("3", 0)


def test_files_exist_with_size_and_hash(manifest):
    for f in manifest["files"]:
        p = CORPUS / f["path"]
        assert p.is_file(), f["path"]
        data = p.read_bytes()
        assert len(data) == f["bytes"], f["path"]
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]


def test_no_unlisted_corpus_files(manifest):
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    on_disk.discard("MANIFEST.json")
    assert on_disk - listed == set(), "files on disk but not in MANIFEST.json"


def test_counts_match_decoded_files(manifest, decoded):
    for f in manifest["files"]:
        d = decoded[f["path"]]
        assert d["len"] == f["events"], f["path"]
        assert d["types"] == f["event_types"], f["path"]
        assert d["sources"] == f["incremental_sources"], f["path"]


def test_files_are_rrweb_event_arrays(manifest, decoded):
    for f in manifest["files"]:
        d = decoded[f["path"]]
        assert d["is_list"] and d["len"], f["path"]
        assert d["bad"] == [], f"{f['path']}: events without integer type / timestamp at {d['bad'][:5]}"
        # every recording starts a replayable document: a Meta and a FullSnapshot
        assert d["has_meta"] and d["has_full"], f["path"]


def test_corpus_shape(manifest):
    files = manifest["files"]
    assert MIN_SESSIONS <= len(files) <= MAX_SESSIONS
    assert len({f["site"] for f in files}) >= MIN_SITES
    assert sum(f["events"] >= LONG_EVENTS for f in files) >= MIN_LONG_SESSIONS
    assert sum(f["bytes"] for f in files) <= MAX_TOTAL_BYTES


def test_total_size_on_disk():
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total <= MAX_TOTAL_BYTES
