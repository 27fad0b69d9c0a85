#!/usr/bin/env python
"""Fine-tune a pretrained rrweb BERT to classify sessions, against random initialisation in the same run.

The label is the ``site`` (or ``--label scenario``) of each recording in the corpus ``MANIFEST.json``.

Usage:
    python scripts/finetune_classifier.py rrweb-hf-run/model [--corpus DIR] [--label site] [--max_steps 60]
"""

import argparse
import json
import sys
from dataclasses import fields

from rrweb_hf.finetune import FinetuneConfig, compare_pretrained_vs_random, format_report


def parse(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="pretrained model folder")
    for f in fields(FinetuneConfig):
        kind = type(f.default) if f.default is not None else (int if f.name == "max_length" else str)
        parser.add_argument(f"--{f.name}", type=kind, default=f.default)
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    cfg = FinetuneConfig(**{f.name: getattr(args, f.name) for f in fields(FinetuneConfig)})
    try:
        report = compare_pretrained_vs_random(args.model, cfg)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
