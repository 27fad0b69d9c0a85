"""``rrweb-hf run-all [CORPUS] [--out DIR]``: the main job, end to end (tokenizer, dataset, model, card)."""

from __future__ import annotations

import sys

from . import add_config_arguments, add_corpus_argument, config_from_args

HELP = "train tokenizer -> prepare dataset -> pretrain -> evaluate -> Hub-ready folder (tiny preset: <10 min on 2 CPUs)"


def add_arguments(parser) -> None:
    from ..pipeline import RunAllConfig

    add_corpus_argument(parser)
    parser.add_argument("--out", default="rrweb-hf-run", help="output root (default ./rrweb-hf-run)")
    add_config_arguments(parser, RunAllConfig)  # --preset, --max-steps, --batch-size, --no-progress...
    parser.add_argument(
        "--wandb", action="store_true", help="log training to Weights & Biases (same as --report-to wandb)"
    )


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..pipeline import RunAllConfig, run_all
    from ..readers import SessionReadError

    ensure_writable_dir(args.out)
    try:
        cfg = config_from_args(RunAllConfig, args, **({"report_to": "wandb"} if args.wandb else {}))
        summary = run_all(args.corpus, args.out, config=cfg)
    except (ValueError, FileNotFoundError, SessionReadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print()
    print(summary["headline"])
    times = ", ".join(f"{k} {v:.0f} s" for k, v in summary["seconds"].items())
    print(f"sessions: {summary['sessions']}, windows: {summary['windows']}; time: {times}")
    print(
        f"Hub-ready folder: {summary['model_dir']}  (rrweb-hf publish {summary['model_dir']} --repo-id USER/NAME)"
    )
    return 0
