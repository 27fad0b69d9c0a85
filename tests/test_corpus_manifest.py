"""Consistency checks for the recorded rrweb sample corpus and its MANIFEST.json.

Self-contained (stdlib gzip + json). The corpus is produced by
scripts/record/record_corpus.sh (the four site folders) and scripts/record/record_sdk.sh
(``sdk/<sdk>/``: the real SDKs' formats and their raw rrweb twins); the manifest by
scripts/record/make_manifest.py. Here the plain rrweb files (``format: "rrweb"``) are
decoded; the SDK formats are checked through rrweb_hf's readers in tests/test_sdk_corpus.py.
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
FORMATS = {
    "rrweb",
    "rrweb-packer",
    "posthog-blob-v1",
    "posthog-blob-v2",
    "posthog-export-2022-12-02",
    "posthog-export-2023-04-28",
    "sentry-segments",
}
SDK_FOLDERS = {"posthog", "sentry", "packer"}


def _site_of_path(path):
    """``dash/dash-0001.json.gz`` -> dash; ``sdk/posthog/media-0013.blob-v1.jsonl.gz`` -> media."""
    parts = path.split("/")
    return parts[2].split("-")[0] if parts[0] == "sdk" else parts[0]


@pytest.fixture(scope="module")
def manifest():
    with open(MANIFEST, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def decoded(manifest):
    """path -> summary of the decompressed file (one file in memory at a time)."""
    out = {}
    for entry in manifest["files"]:
        if entry["format"] != "rrweb":
            continue
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
    if any(f["format"] != "rrweb" for f in manifest["files"]):
        sdk = manifest["sdk_recorder"]
        for key in ("posthog-js", "@sentry/browser", "@rrweb/packer", "esbuild", "chromium", "recorded_at"):
            assert isinstance(sdk.get(key), str) and sdk[key], key


def test_manifest_sorted_and_unique(manifest):
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths)
    assert len(paths) == len(set(paths))


def test_entry_fields(manifest):
    for f in manifest["files"]:
        assert f["path"].endswith((".json.gz", ".jsonl.gz", ".jsonl.snappy")), f["path"]
        assert _site_of_path(f["path"]) == f["site"], f["path"]
        assert f["format"] in FORMATS, f["path"]
        if f["path"].startswith("sdk/"):
            assert f["path"].split("/")[1] in SDK_FOLDERS, f["path"]
            assert (f["format"] == "rrweb") == f["path"].endswith(".raw.json.gz"), f["path"]
        else:
            assert f["format"] == "rrweb" and f["path"].endswith(".json.gz"), f["path"]
        assert isinstance(f["sessions"], int) and f["sessions"] >= 1
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


def test_sdk_entries_name_their_raw_twin(manifest):
    by_path = {f["path"]: f for f in manifest["files"]}
    for f in manifest["files"]:
        if f["format"] == "rrweb":
            assert "raw" not in f, f["path"]
            continue
        twin = by_path[f["raw"]]  # listed, so it exists with its hash (checked above)
        assert twin["format"] == "rrweb" and twin["path"].rsplit("/", 1)[0] == f["path"].rsplit("/", 1)[0]
        assert (twin["site"], twin["scenario"], twin["seed"]) == (f["site"], f["scenario"], f["seed"]), f[
            "path"
        ]


def test_counts_match_decoded_files(manifest, decoded):
    for f in manifest["files"]:
        if f["format"] != "rrweb":
            continue
        d = decoded[f["path"]]
        assert d["len"] == f["events"], f["path"]
        assert d["types"] == f["event_types"], f["path"]
        assert d["sources"] == f["incremental_sources"], f["path"]


def test_files_are_rrweb_event_arrays(manifest, decoded):
    for f in manifest["files"]:
        if f["format"] != "rrweb":
            continue
        assert f["sessions"] == 1, f["path"]
        d = decoded[f["path"]]
        assert d["is_list"] and d["len"], f["path"]
        assert d["bad"] == [], f"{f['path']}: events without integer type / timestamp at {d['bad'][:5]}"
        # every recording starts a replayable document: a Meta and a FullSnapshot
        assert d["has_meta"] and d["has_full"], f["path"]


def test_corpus_shape(manifest):
    files = [f for f in manifest["files"] if not f["path"].startswith("sdk/")]  # the site folders
    assert MIN_SESSIONS <= len(files) <= MAX_SESSIONS
    assert len({f["site"] for f in files}) >= MIN_SITES
    assert sum(f["events"] >= LONG_EVENTS for f in files) >= MIN_LONG_SESSIONS
    assert sum(f["bytes"] for f in manifest["files"]) <= MAX_TOTAL_BYTES


def test_total_size_on_disk():
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total <= MAX_TOTAL_BYTES
