"""``rrweb-hf export-sessions CORPUS --out DATASET_DIR``: raw sessions as a Parquet dataset + card.

Example:
    rrweb-hf export-sessions recordings/ --out sessions/
    python -c "import datasets; print(datasets.load_dataset('sessions/'))"   # no rrweb_hf needed
"""

from __future__ import annotations

import sys

from . import add_corpus_argument

HELP = "export raw sessions (one row each, events as JSON) as Parquet + a dataset card + a report"


def add_arguments(parser) -> None:
    add_corpus_argument(parser)
    parser.add_argument(
        "--out", required=True, metavar="DATASET_DIR", help="output folder (Parquet + README.md)"
    )
    parser.add_argument("--validation-fraction", type=float, default=0.1, help="share of sessions (0.1)")
    parser.add_argument("--test-fraction", type=float, default=0.0, help="share of sessions (0)")
    parser.add_argument("--split-seed", default="rrweb_hf", help="salt of the deterministic split")
    parser.add_argument("--num-proc", type=int, default=None, help="processes for the first build")
    parser.add_argument("--cache-dir", default=None, help="datasets cache folder (HF_DATASETS_CACHE)")
    parser.add_argument("--strict", action="store_true", help="stop with an error at the first bad file")


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..prepare import REPORT_NAME, export_sessions
    from ..readers import SessionReadError
    from ..sessions import load_sessions

    ensure_writable_dir(args.out)
    try:
        dataset, skipped = load_sessions(
            args.corpus,
            validation_fraction=args.validation_fraction,
            test_fraction=args.test_fraction,
            split_seed=args.split_seed,
            num_proc=args.num_proc,
            cache_dir=args.cache_dir,
            strict=args.strict,
            return_skipped=True,
        )
    except (SessionReadError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = export_sessions(dataset, args.out, skipped)
    for name, ds in dataset.items():
        print(f"{name}: {ds.num_rows} sessions")
    print(f"skipped files: {len(skipped)}")
    for path, reason in skipped:
        print(f"  {path}: {reason}")
    print(f"dataset: {out}   report: {out / REPORT_NAME}")
    return 0
