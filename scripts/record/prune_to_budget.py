#!/usr/bin/env python3
"""Keep the recorded corpus under its size budget.

Deletes the largest recordings of the site folders that have fewer than
--keep-events events (i.e. never the long, event-dense ones the corpus needs)
until all the corpus's files (the SDK recordings under sdk/, which are never
pruned, and MANIFEST.json included) total at most --budget bytes, without taking
any site below --min-per-site sessions. Run before make_manifest.py. Stdlib only.

Why: a few short sessions are disproportionately large (e.g. an MkDocs
Material search that renders a big result list, or a Bokeh page re-laying out
its shadow-DOM styles), and the repository budget is 25 MB.
"""
import argparse
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.abspath(os.path.join(HERE, "..", "..", "rrweb_hf", "data", "sample_corpus"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    # 25 MB repository budget, less room for MANIFEST.json to grow
    ap.add_argument("--budget", type=int, default=24_700_000)
    ap.add_argument("--keep-events", type=int, default=2000)
    ap.add_argument("--min-per-site", type=int, default=25)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    files = []
    fixed = 0  # sdk/ and MANIFEST.json: counted, never pruned
    for dirpath, dirs, names in os.walk(args.corpus):
        in_sdk = os.path.relpath(dirpath, args.corpus).split(os.sep)[0] == "sdk"
        for n in names:
            p = os.path.join(dirpath, n)
            if not in_sdk and n.endswith(".json.gz"):
                files.append((os.path.getsize(p), p, os.path.basename(dirpath)))
            else:
                fixed += os.path.getsize(p)
    total = fixed + sum(f[0] for f in files)
    per_site = {}
    for _, _, site in files:
        per_site[site] = per_site.get(site, 0) + 1
    removed = []
    for size, p, site in sorted(files, reverse=True):
        if total <= args.budget:
            break
        if per_site[site] <= args.min_per_site:
            continue
        with gzip.open(p, "rb") as f:
            n_events = len(json.load(f))
        if n_events >= args.keep_events:
            continue
        removed.append((os.path.relpath(p, args.corpus), size, n_events))
        total -= size
        per_site[site] -= 1
        if not args.dry_run:
            os.remove(p)
    for rel, size, n in removed:
        print(f"pruned {rel}: {size} bytes, {n} events", file=sys.stderr)
    print(f"corpus now {total} bytes: {sum(per_site.values())} site files + {fixed} bytes of sdk/ and manifest",
          file=sys.stderr)
    if total > args.budget:
        sys.exit("still over budget")


if __name__ == "__main__":
    main()
