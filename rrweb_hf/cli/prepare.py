"""``rrweb-hf prepare CORPUS --tokenizer DIR --out DATASET_DIR``: tokenized windows as a Parquet dataset.

Example:
    rrweb-hf prepare recordings/ --tokenizer tok/ --out windows/ --max-length 512 --stride 64 --num-proc 4
    python -c "import datasets; print(datasets.load_dataset('windows/'))"   # no rrweb_hf needed
    rrweb-hf prepare s3://bucket/recordings --tokenizer tok/ --out windows/ --engine ray --address auto
"""

from __future__ import annotations

import sys

from . import add_corpus_argument

HELP = "tokenize a corpus into overlapping windows and export Parquet + a dataset card + a report"


def add_arguments(parser) -> None:
    add_corpus_argument(parser)
    parser.add_argument("--tokenizer", required=True, metavar="DIR", help="a saved RRWebTokenizer folder")
    parser.add_argument(
        "--out", required=True, metavar="DATASET_DIR", help="output folder (Parquet + README.md)"
    )
    parser.add_argument(
        "--max-length", type=int, default=512, help="tokens per window incl. [CLS]/[SEP] (512)"
    )
    parser.add_argument("--stride", type=int, default=64, help="least overlap of consecutive windows (64)")
    parser.add_argument("--num-proc", type=int, default=None, help="processes for Dataset.map")
    parser.add_argument(
        "--engine",
        choices=("datasets", "ray"),
        default="datasets",
        help="datasets: Dataset.map on this machine, cached (default); ray: Ray Data, local or on a "
        "cluster, CORPUS may be a URL such as s3://bucket/corpus (pip install 'rrweb_hf[ray]')",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="with --engine ray: the Ray cluster to use ('auto', 'ray://head:10001'); default: start "
        "Ray locally with --num-proc CPUs (all when not given)",
    )
    parser.add_argument("--validation-fraction", type=float, default=0.1, help="share of sessions (0.1)")
    parser.add_argument("--test-fraction", type=float, default=0.0, help="share of sessions (0)")
    parser.add_argument("--split-seed", default="rrweb_hf", help="salt of the deterministic split")
    parser.add_argument("--event-ids", action="store_true", help="add event_ids (source event per token)")
    parser.add_argument("--max-windows", type=int, default=None, help="windows kept per session (all)")
    parser.add_argument("--cache-dir", default=None, help="datasets cache folder (HF_DATASETS_CACHE)")
    parser.add_argument("--strict", action="store_true", help="stop with an error at the first bad file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--wandb", action="store_true", help="log progress to Weights & Biases (offline w/o key)"
    )
    parser.add_argument("--wandb-project", default="rrweb-hf", help="wandb project (rrweb-hf)")


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..monitoring import init_wandb
    from ..prepare import REPORT_NAME, export_dataset, format_report, load_tokenizer, prepare_windows
    from ..readers import SessionReadError

    ensure_writable_dir(args.out)
    if args.engine == "ray":
        return _run_ray(args)
    if args.address is not None:
        print("error: --address is for --engine ray; add --engine ray or drop --address", file=sys.stderr)
        return 2
    try:
        tokenizer = load_tokenizer(args.tokenizer)
    except (FileNotFoundError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    run_ = None
    if args.wandb:
        run_ = init_wandb(
            args.wandb_project,
            job_type="prepare",
            config={k: v for k, v in vars(args).items() if not k.startswith("_")},
        )
    try:
        result = prepare_windows(
            args.corpus,
            tokenizer,
            max_length=args.max_length,
            stride=args.stride,
            num_proc=args.num_proc,
            validation_fraction=args.validation_fraction,
            test_fraction=args.test_fraction,
            split_seed=args.split_seed,
            with_event_ids=args.event_ids,
            max_windows=args.max_windows,
            strict=args.strict,
            cache_dir=args.cache_dir,
            progress=not args.no_progress,
            wandb_run=run_,
        )
    except (SessionReadError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if run_ is not None:
            run_.finish()
    out = export_dataset(
        result.dataset, args.out, report=result.report, title=TITLE, description=_description(args)
    )
    print(format_report(result.report))
    print(f"dataset: {out}   report: {out / REPORT_NAME}")
    return 0


TITLE = "rrweb session windows"


def _description(args) -> str:
    return (
        f"Tokenized windows of rrweb sessions: max_length={args.max_length}, stride={args.stride}, "
        f"tokenizer `{args.tokenizer}`. Columns: input_ids, attention_mask, special_tokens_mask, "
        f"{'event_ids, ' if args.event_ids else ''}plus session_id/window_index and per-session token counts."
    )


def _run_ray(args) -> int:
    """``--engine ray``: :func:`rrweb_hf.prepare_ray.prepare_with_ray`, the same folder and report."""
    from pathlib import Path

    from ..prepare import REPORT_NAME, format_report, load_tokenizer
    from ..readers import SessionReadError

    for flag, value in (("--cache-dir", args.cache_dir), ("--wandb", args.wandb or None)):
        if value is not None:
            print(
                f"error: {flag} is for --engine datasets (Ray keeps no cache and logs no wandb run)",
                file=sys.stderr,
            )
            return 2
    try:
        from ..prepare_ray import prepare_with_ray

        tokenizer = load_tokenizer(args.tokenizer)
        report = prepare_with_ray(
            args.corpus,
            tokenizer,
            args.out,
            max_length=args.max_length,
            stride=args.stride,
            validation_fraction=args.validation_fraction,
            test_fraction=args.test_fraction,
            split_seed=args.split_seed,
            with_event_ids=args.event_ids,
            max_windows=args.max_windows,
            strict=args.strict,
            address=args.address,
            num_cpus=args.num_proc,
            progress=not args.no_progress,
            title=TITLE,
            description=_description(args),
        )
    except (SessionReadError, FileNotFoundError, ValueError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    print(f"dataset: {Path(args.out)}   report: {Path(args.out) / REPORT_NAME}")
    return 0
