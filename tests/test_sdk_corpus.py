"""The SDK recordings of the bundled corpus (``sample_corpus/sdk/``) read through rrweb_hf's readers.

scripts/record/record_sdk.sh records the same visits through the real posthog-js, @sentry/browser
Replay and rrweb + @rrweb/packer, and keeps each visit's raw rrweb recording (``*.raw.json.gz``,
the "twin"). Here every SDK file is read as a user's file would be (format told from the content)
and checked against MANIFEST.json, against the other files of the same visit and against its twin.
"""

import collections
import json
from pathlib import Path

import pytest

from rrweb_hf import RRWebTokenizer, walk_corpus
from rrweb_hf.readers import read_file

CORPUS = Path(__file__).resolve().parent.parent / "rrweb_hf" / "data" / "sample_corpus"
SDK_FORMATS = {
    "posthog": (
        "posthog-blob-v1",
        "posthog-blob-v2",
        "posthog-export-2022-12-02",
        "posthog-export-2023-04-28",
    ),
    "sentry": ("sentry-segments",),
    "packer": ("rrweb-packer",),
}
SENTRY_TAGS = {"options", "breadcrumb", "performanceSpan"}
#: the files of one PostHog visit besides its twin (scripts/record/build_sdk_corpus.py)
POSTHOG_FILES = (
    "blob-v1.jsonl.gz",
    "blob-v2.jsonl.gz",
    "blob-v2.jsonl.snappy",
    "export-2022-12-02.json.gz",
    "export-2023-04-28.json.gz",
)


@pytest.fixture(scope="module")
def entries():
    with open(CORPUS / "MANIFEST.json", encoding="utf-8") as f:
        files = json.load(f)["files"]
    return [f for f in files if f["path"].startswith("sdk/")]


@pytest.fixture(scope="module")
def decoded(entries):
    """path -> (format, sessions) for every file under sdk/, read strictly."""
    out = {}
    for f in entries:
        result = read_file(CORPUS / f["path"], strict=True)
        out[f["path"]] = (result.format, result.sessions)
    return out


def _events(decoded, path):
    _, sessions = decoded[path]
    return [e for s in sessions for e in s.events]


def _hrefs(events):
    """The pages of a recording; the twin also has the tab's first about:blank (as record.js records it)."""
    return [e["data"]["href"] for e in events if e["type"] == 4 and e["data"]["href"] != "about:blank"]


def test_ten_to_thirty_visits_per_format(entries):
    counts = collections.Counter(f["format"] for f in entries)
    for sdk, formats in SDK_FORMATS.items():
        for fmt in formats:
            assert 10 <= counts[fmt] <= 30, (fmt, counts[fmt])
        twins = [f for f in entries if f["path"].startswith(f"sdk/{sdk}/") and f["format"] == "rrweb"]
        assert len(twins) == counts[formats[0]], sdk


def test_every_file_reads_as_its_manifest_says(entries, decoded):
    for f in entries:
        fmt, sessions = decoded[f["path"]]
        assert fmt == f["format"], f["path"]
        assert len(sessions) == f["sessions"], f["path"]
        events = [e for s in sessions for e in s.events]
        assert len(events) == f["events"], f["path"]
        types = collections.Counter(str(e["type"]) for e in events)
        assert dict(types) == f["event_types"], f["path"]


def test_walk_reads_every_sdk_file_without_skips(entries):
    walk = walk_corpus(CORPUS / "sdk")
    n = sum(1 for _ in walk)
    assert walk.skipped == []
    assert walk.files_read == len(entries)
    assert n == sum(f["sessions"] for f in entries)


def test_packed_files_unpack_to_their_twin_exactly(entries, decoded):
    tok = RRWebTokenizer()
    for f in entries:
        if f["format"] != "rrweb-packer":
            continue
        packed, twin = _events(decoded, f["path"]), _events(decoded, f["raw"])
        assert packed == twin, f["path"]  # the twin is what rrweb handed to packFn
        assert all("v" not in e for e in packed)
        assert tok.encode_session(packed) == tok.encode_session(twin), f["path"]


def test_posthog_files_of_one_visit_decode_to_the_same_events(entries, decoded):
    by_raw = collections.defaultdict(dict)
    for f in entries:
        if f["format"].startswith("posthog-"):
            by_raw[f["raw"]][f["path"][len(f["raw"]) - len("raw.json.gz") :]] = f["path"]
    assert by_raw
    for raw, files in by_raw.items():
        assert set(files) == set(POSTHOG_FILES), raw
        ref = _events(decoded, files["blob-v1.jsonl.gz"])
        for kind, path in files.items():
            assert decoded[path][1][0].metadata.get("window_id") is not None, path
            assert _events(decoded, path) == ref, (kind, path)
        assert all("cv" not in e and isinstance(e["data"], dict) for e in ref), raw
        # the same visit as the twin: same pages, each with a Meta + FullSnapshot
        twin = _events(decoded, raw)
        assert _hrefs(ref) == _hrefs(twin), raw
        assert sum(e["type"] == 2 for e in ref) == len(_hrefs(twin)), raw


def test_posthog_sent_compressed_events(entries):
    """The blob files keep what posthog-js sent: FullSnapshots as ``cv: "2024-10"`` gzip strings."""
    import gzip

    for f in entries:
        if f["format"] != "posthog-blob-v1":
            continue
        # split on "\n" only: str.splitlines() would also cut at the latin-1 U+0085 inside cv strings
        lines = gzip.decompress((CORPUS / f["path"]).read_bytes()).decode("utf-8").split("\n")
        sent = [e for line in lines if line for e in json.loads(line)["data"]]
        full = [e for e in sent if e["type"] == 2]
        assert full and all(e.get("cv") == "2024-10" and isinstance(e["data"], str) for e in full), f["path"]


def test_sentry_segments_are_ordered_milliseconds(entries, decoded):
    for f in entries:
        if f["format"] != "sentry-segments":
            continue
        events = _events(decoded, f["path"])
        ts = [e["timestamp"] for e in events]
        assert ts == sorted(ts) and min(ts) > 9_999_999_999, f["path"]
        tags = {e["data"]["tag"] for e in events if e["type"] == 5}
        assert "options" in tags and tags <= SENTRY_TAGS, (f["path"], tags)
        assert _hrefs(events) == _hrefs(_events(decoded, f["raw"])), f["path"]
