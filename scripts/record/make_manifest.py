#!/usr/bin/env python3
"""Write rrweb_hf/data/sample_corpus/MANIFEST.json from the recorded files on disk.

Stdlib only. Site, scenario and seed are read from the `session` Custom event
(type 5, tag "session") that the recorder adds to every recording; counts,
sizes and hashes are computed from the files themselves.

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


def chromium_version(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
        return " ".join(out.split()) or None
    except Exception:
        return None


def describe(path, rel):
    with open(path, "rb") as f:
        raw = f.read()
    events = json.loads(gzip.decompress(raw))
    if not isinstance(events, list):
        raise ValueError(f"{rel}: not a JSON array")
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
    if session is None:
        raise ValueError(f"{rel}: no 'session' custom event")
    return {
        "path": rel,
        "site": session["site"],
        "scenario": session["scenario"],
        "seed": int(session["seed"]),
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
    args = ap.parse_args()
    man_path = os.path.join(args.corpus, "MANIFEST.json")
    old = {}
    if os.path.exists(man_path):
        with open(man_path) as f:
            old = json.load(f)
    files = []
    for dirpath, _, names in os.walk(args.corpus):
        for n in names:
            if n.endswith(".json.gz"):
                p = os.path.join(dirpath, n)
                files.append(describe(p, os.path.relpath(p, args.corpus).replace(os.sep, "/")))
    files.sort(key=lambda f: f["path"])
    recorded_at = args.recorded_at or old.get("recorder", {}).get("recorded_at") or \
        datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    manifest = {
        "format": 1,
        "recorder": {
            "rrweb": pkg_version("rrweb"),
            "playwright-core": pkg_version("playwright-core"),
            "chromium": chromium_version(args.chromium) or old.get("recorder", {}).get("chromium"),
            "recorded_at": recorded_at,
        },
        "files": files,
    }
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(f["bytes"] for f in files)
    ev = [f["events"] for f in files]
    print(f"{len(files)} files, {total / 1e6:.2f} MB, events {min(ev) if ev else 0}..{max(ev) if ev else 0}, "
          f">=2000: {sum(e >= 2000 for e in ev)}, >=10000: {sum(e >= 10000 for e in ev)}", file=sys.stderr)


if __name__ == "__main__":
    main()
