#!/usr/bin/env python3
"""Write rrweb_hf/data/sample_corpus/MANIFEST.json from the recorded files on disk.

Site, scenario and seed are read from the `session` Custom event (type 5, tag
"session") that the recorder adds to every recording; counts, sizes and hashes
are computed from the files themselves. Every entry has a `format`: "rrweb" for
the plain event arrays (the four site folders and the SDK twins, `*.raw.json.gz`),
else the SDK format of a file under `sdk/` (see build_sdk_corpus.py); such an
entry takes site/scenario/seed from its raw twin (`raw`: the twin's path) and its
counts from the events rrweb_hf's readers decode from it, so the SDK files need
the repository's `.venv/bin/python` (stdlib is enough for a corpus without them).

Usage: python3 make_manifest.py [--corpus DIR] [--recorded-at ISO]
"""
import argparse
import collections
import datetime
import gzip
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_CORPUS = os.path.join(ROOT, "rrweb_hf", "data", "sample_corpus")


def pkg_version(name):
    with open(os.path.join(HERE, "node_modules", name, "package.json")) as f:
        return json.load(f)["version"]


def sdk_recorder(old, recorded_at, chromium):
    prev = old.get("sdk_recorder") or {}
    fresh = recorded_at is not None or not prev
    out = {}
    for name in ("posthog-js", "@sentry/browser", "@rrweb/packer", "esbuild"):
        try:
            out[name] = pkg_version(name)
        except OSError:
            out[name] = prev.get(name)
    out["chromium"] = (chromium if fresh else None) or prev.get("chromium")
    out["recorded_at"] = recorded_at or prev.get("recorded_at") or \
        datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    return out


def chromium_version(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
        return " ".join(out.split()) or None
    except Exception:
        return None


# file name ending under sdk/<sdk>/ -> format (as build_sdk_corpus.py names them)
SDK_FORMATS = {
    ".raw.json.gz": "rrweb",
    ".packed.json.gz": "rrweb-packer",
    ".blob-v1.jsonl.gz": "posthog-blob-v1",
    ".blob-v2.jsonl.gz": "posthog-blob-v2",
    ".blob-v2.jsonl.snappy": "posthog-blob-v2",
    ".export-2022-12-02.json.gz": "posthog-export-2022-12-02",
    ".export-2023-04-28.json.gz": "posthog-export-2023-04-28",
    ".recording-segments.json.gz": "sentry-segments",
}


def sdk_format(rel):
    """(format, stem) of a corpus path under sdk/, or (None, None) for the site folders."""
    if not rel.startswith("sdk/"):
        return None, None
    for suffix, fmt in SDK_FORMATS.items():
        if rel.endswith(suffix):
            return fmt, rel[: -len(suffix)]
    raise ValueError(f"{rel}: unknown SDK corpus file; expected one of {sorted(SDK_FORMATS)}")


def decode_sdk_file(path):
    """(format, sessions, events) of an SDK-format file, read by rrweb_hf's own readers."""
    try:
        from rrweb_hf.readers import read_file
    except ImportError:
        sys.path.insert(0, ROOT)  # this checkout's package, when it is not installed
    try:
        from rrweb_hf.readers import read_file
    except ImportError as exc:
        sys.exit(f"{path}: SDK formats are decoded by rrweb_hf.readers ({exc}); "
                 "run this script with the repository's .venv/bin/python")
    result = read_file(path, strict=True)
    return result.format, len(result.sessions), [e for s in result.sessions for e in s.events]


def describe(path, rel, corpus):
    with open(path, "rb") as f:
        raw = f.read()
    fmt, stem = sdk_format(rel)
    extra = {}
    if fmt in (None, "rrweb"):
        events = json.loads(gzip.decompress(raw))
        if not isinstance(events, list):
            raise ValueError(f"{rel}: not a JSON array")
        n_sessions = 1
        fmt = "rrweb"
    else:
        got, n_sessions, events = decode_sdk_file(path)
        if got != fmt:
            raise ValueError(f"{rel}: the readers see format {got!r}, the file name says {fmt!r}")
        twin = stem + ".raw.json.gz"
        if not os.path.exists(os.path.join(corpus, twin)):
            raise ValueError(f"{rel}: its raw twin {twin} is missing")
        with open(os.path.join(corpus, twin), "rb") as f:
            twin_events = json.loads(gzip.decompress(f.read()))
        extra["raw"] = twin
        events_for_meta = twin_events
    types = collections.Counter()
    sources = collections.Counter()
    session = None
    for e in events:
        t = e["type"]
        types[str(t)] += 1
        if t == 3:
            sources[str(e["data"]["source"])] += 1
        elif t == 5 and session is None and e["data"].get("tag") == "session":
            session = e["data"]["payload"]
    if extra:  # an SDK file: the session event is in its raw twin
        session = next((e["data"]["payload"] for e in events_for_meta
                        if e["type"] == 5 and e["data"].get("tag") == "session"), None)
    if session is None:
        raise ValueError(f"{rel}: no 'session' custom event")
    return {
        "path": rel,
        "site": session["site"],
        "scenario": session["scenario"],
        "seed": int(session["seed"]),
        "format": fmt,
        **extra,
        "sessions": n_sessions,
        "events": len(events),
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "event_types": dict(sorted(types.items(), key=lambda kv: int(kv[0]))),
        "incremental_sources": dict(sorted(sources.items(), key=lambda kv: int(kv[0]))),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--recorded-at", default=None,
                    help="ISO date of the recording run (default: keep the one in the existing manifest, else now)")
    ap.add_argument("--sdk-recorded-at", default=None,
                    help="ISO date of the SDK recording run (default: keep the one in the existing manifest)")
    args = ap.parse_args()
    man_path = os.path.join(args.corpus, "MANIFEST.json")
    old = {}
    if os.path.exists(man_path):
        with open(man_path) as f:
            old = json.load(f)
    files = []
    for dirpath, _, names in os.walk(args.corpus):
        for n in names:
            if n.endswith((".json.gz", ".jsonl.gz", ".jsonl.snappy")):
                p = os.path.join(dirpath, n)
                files.append(describe(p, os.path.relpath(p, args.corpus).replace(os.sep, "/"), args.corpus))
    files.sort(key=lambda f: f["path"])
    recorded_at = args.recorded_at or old.get("recorder", {}).get("recorded_at") or \
        datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    old_rec = old.get("recorder", {})
    fresh = args.recorded_at is not None or not old_rec  # a new recording run, not a manifest rebuild
    manifest = {
        "format": 1,
        "recorder": {
            "rrweb": pkg_version("rrweb"),
            "playwright-core": pkg_version("playwright-core"),
            # the browser of the recording run: a rebuild keeps it (the local chromium may be newer)
            "chromium": (chromium_version(args.chromium) if fresh else None) or old_rec.get("chromium"),
            "recorded_at": recorded_at,
        },
    }
    if any(f["format"] != "rrweb" for f in files):
        # the SDK recordings under sdk/ (record_sdk.js, build_sdk_corpus.py)
        manifest["sdk_recorder"] = sdk_recorder(old, args.sdk_recorded_at, chromium_version(args.chromium))
    manifest["files"] = files
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(f["bytes"] for f in files)
    ev = [f["events"] for f in files]
    print(f"{len(files)} files, {total / 1e6:.2f} MB, events {min(ev) if ev else 0}..{max(ev) if ev else 0}, "
          f">=2000: {sum(e >= 2000 for e in ev)}, >=10000: {sum(e >= 10000 for e in ev)}", file=sys.stderr)


if __name__ == "__main__":
    main()
