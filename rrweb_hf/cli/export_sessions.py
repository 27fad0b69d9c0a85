"""``rrweb-hf export-sessions CORPUS --out DATASET_DIR``: raw sessions as a Parquet dataset + card.

Example:
    rrweb-hf export-sessions recordings/ --out sessions/
    python -c "import datasets; print(datasets.load_dataset('sessions/'))"   # no rrweb_hf needed
"""

from __future__ import annotations

import dataclasses
import sys

from . import add_config_arguments, add_corpus_argument, config_from_args

HELP = "export raw sessions (one row each, events as JSON) as Parquet + a dataset card + a report"


def add_arguments(parser) -> None:
    from ..sessions import ExportSessionsConfig

    add_corpus_argument(parser)
    parser.add_argument(
        "--out", required=True, metavar="DATASET_DIR", help="output folder (Parquet + README.md)"
    )
    add_config_arguments(parser, ExportSessionsConfig)


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..prepare import REPORT_NAME, export_sessions
    from ..readers import SessionReadError
    from ..sessions import ExportSessionsConfig, load_sessions

    ensure_writable_dir(args.out)
    try:
        cfg = config_from_args(ExportSessionsConfig, args)
        dataset, skipped = load_sessions(args.corpus, return_skipped=True, **dataclasses.asdict(cfg))
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
