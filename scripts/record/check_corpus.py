#!/usr/bin/env python3
"""Summarise a recorded corpus per site, through rrweb_hf's own readers, and flag odd sessions.

For each site: sessions, events, MB on disk, scenario counts; per session the checks that
a recording is usable: every page load has its Meta *and* FullSnapshot (equal counts,
at least one), the `session` Custom event is there, and there are clicks and inputs.
Sessions failing a check are listed (the exit status is 1 if any), not dropped.

Run with the repository's venv (rrweb_hf must be importable), from the repository root:

    .venv/bin/python scripts/record/check_corpus.py /work/extra_corpus
    .venv/bin/python scripts/record/check_corpus.py rrweb_hf/data/sample_corpus --manifest

Example output line:

    datasette  25 sessions  9,876 events  3.41 MB  scenarios {'browse-tables': 5, ...}
"""

import argparse
import collections
import json
import os
import sys

from rrweb_hf import walk_corpus

CLICK, INPUT, MOUSE_INTERACTION = 2, 5, 2  # MouseInteraction type Click; IncrementalSource Input


def session_stats(session):
    types = collections.Counter()
    clicks = inputs = 0
    payload = None
    for e in session.events:
        t = e.get("type")
        types[t] += 1
        data = e.get("data") or {}
        if t == 3 and data.get("source") == MOUSE_INTERACTION and data.get("type") == CLICK:
            clicks += 1
        elif t == 3 and data.get("source") == INPUT:
            inputs += 1
        elif t == 5 and data.get("tag") == "session" and payload is None:
            payload = data.get("payload")
    return types, clicks, inputs, payload


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument(
        "--manifest", action="store_true", help="also check that MANIFEST.json lists exactly these files"
    )
    args = ap.parse_args()
    per_site = collections.defaultdict(
        lambda: {
            "sessions": 0,
            "events": 0,
            "bytes": 0,
            "scenarios": collections.Counter(),
            "clicks": 0,
            "inputs": 0,
            "pages": 0,
        }
    )
    problems, paths = [], set()
    walk = walk_corpus(args.corpus)
    for s in walk:
        types, clicks, inputs, payload = session_stats(s)
        rel = os.path.relpath(s.path, args.corpus) if s.path else s.session_id
        paths.add(rel.replace(os.sep, "/"))
        site = (payload or {}).get("site") or rel.split("/")[0]
        st = per_site[site]
        st["sessions"] += 1
        st["events"] += s.num_events
        st["bytes"] += os.path.getsize(s.path) if s.path else 0
        st["scenarios"][(payload or {}).get("scenario", "?")] += 1
        st["clicks"] += clicks
        st["inputs"] += inputs
        st["pages"] += types[2]
        bad = []
        if payload is None:
            bad.append("no session event")
        if types[2] == 0 or types[2] != types[4]:
            bad.append(f"{types[4]} Meta vs {types[2]} FullSnapshot")
        if clicks == 0:
            bad.append("no clicks")
        if inputs == 0:
            bad.append("no inputs")
        if bad:
            problems.append(
                f"{rel}: {', '.join(bad)} ({s.num_events} events, scenario {(payload or {}).get('scenario')})"
            )
    for site in sorted(per_site):
        st = per_site[site]
        print(
            f"{site:10s} {st['sessions']:3d} sessions {st['events']:8,d} events {st['bytes'] / 1e6:6.2f} MB  "
            f"pages {st['pages']:4d} clicks {st['clicks']:5d} inputs {st['inputs']:5d}  scenarios {dict(sorted(st['scenarios'].items()))}"
        )
    total = sum(st["bytes"] for st in per_site.values())
    print(
        f"total: {sum(st['sessions'] for st in per_site.values())} sessions, "
        f"{sum(st['events'] for st in per_site.values()):,d} events, {total / 1e6:.2f} MB; skipped files: {len(walk.skipped)}"
    )
    if args.manifest:
        with open(os.path.join(args.corpus, "MANIFEST.json")) as f:
            listed = {f["path"] for f in json.load(f)["files"] if f.get("format", "rrweb") == "rrweb"}
        if listed != paths:
            problems.append(
                f"MANIFEST.json: {len(listed - paths)} listed but not read, {len(paths - listed)} read but not listed"
            )
    for p in problems:
        print("check:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
