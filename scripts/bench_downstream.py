#!/usr/bin/env python
"""Leave-one-application-out rotations of the downstream benchmark, pretraining included.

For each held-out site: link the other sites' recordings into ``OUT/SITE/corpus`` (``rotation_corpus``),
run the main job on them (``rrweb_hf.pipeline.run_all`` with its defaults, or ``--run-all`` overrides as
JSON), then ``evaluate_downstream`` on the held-out site's ``--split`` (validation by default: choose
settings there; read ``test`` once per reported configuration). Prints one Markdown table per rotation and
writes ``OUT/SITE/benchmark_SPLIT/`` (Markdown, PNG, JSON).

Usage:
    python scripts/bench_downstream.py --held-out django [--split validation] [--out bench-runs]
    python scripts/bench_downstream.py --held-out all --run-all '{"max_steps": 100}'
    python scripts/bench_downstream.py --held-out django --model-dir bench-runs/django/run/model  # no training
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import rrweb_hf
from rrweb_hf.benchmark import (
    evaluate_downstream,
    format_markdown,
    load_labels,
    rotation_corpus,
    sites,
    write_report,
)


def parse(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default=None, help="corpus folder (default: the bundled one)")
    parser.add_argument("--labels", default=None, help="labels file (default: CORPUS/MANIFEST.json)")
    parser.add_argument("--held-out", default="django", help="a site, or 'all' for every rotation")
    parser.add_argument("--split", choices=["validation", "test", "all"], default="validation")
    parser.add_argument("--label-column", default="scenario")
    parser.add_argument("--out", default="bench-runs", help="output root")
    parser.add_argument("--run-all", default="{}", help="JSON keyword arguments of run_all (e.g. preset)")
    parser.add_argument("--model-dir", default=None, help="evaluate this model instead of training one")
    parser.add_argument("--bootstrap", type=int, default=1000)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    corpus = Path(args.corpus) if args.corpus else rrweb_hf.sample_corpus()
    table = load_labels(args.labels or corpus / "MANIFEST.json")
    held = sites(table.rows) if args.held_out == "all" else [args.held_out]
    overrides = json.loads(args.run_all)
    for site in held:
        root = Path(args.out) / site
        model_dir = args.model_dir
        if model_dir is None:
            from rrweb_hf.pipeline import run_all

            rotation = rotation_corpus(corpus, table.rows, site, root / "corpus")
            started = time.monotonic()
            summary = run_all(rotation, root / "run", progress=False, **overrides)
            print(
                f"[{site}] pretrained on the other sites in {time.monotonic() - started:.0f} s: {summary['headline']}"
            )
            model_dir = summary["model_dir"]
        result = evaluate_downstream(
            model_dir,
            corpus,
            table,
            label_column=args.label_column,
            held_out=site,
            split=args.split,
            bootstrap_samples=args.bootstrap,
        )
        paths = write_report(result, root / f"benchmark_{args.split}")
        print(f"\n## held out: {site}\n")
        print(format_markdown(result))
        print(f"\n(report: {paths['markdown']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
