"""``rrweb-hf run-all [CORPUS] [--out DIR]``: the main job, end to end (tokenizer, dataset, model, card)."""

from __future__ import annotations

import sys

from . import add_corpus_argument

HELP = "train tokenizer -> prepare dataset -> pretrain -> evaluate -> Hub-ready folder (tiny preset: <10 min on 2 CPUs)"


def add_arguments(parser) -> None:
    add_corpus_argument(parser)
    parser.add_argument("--out", default="rrweb-hf-run", help="output root (default ./rrweb-hf-run)")
    parser.add_argument("--preset", default="tiny", choices=["tiny", "small", "base"])
    parser.add_argument("--config-overrides", default=None, help="e.g. 'hidden_size=32,num_hidden_layers=2'")
    parser.add_argument("--text-vocab-size", type=int, default=2000)
    parser.add_argument("--max-length", type=int, default=256, help="window length in tokens")
    parser.add_argument("--stride", type=int, default=32)
    parser.add_argument("--max-steps", type=int, default=300)
    parser.add_argument("--max-train-minutes", type=float, default=6.0, help="training time budget")
    parser.add_argument(
        "--total-minutes",
        type=float,
        default=9.0,
        help="budget of the whole job; training gets the rest (default 9)",
    )
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-proc", type=int, default=None, help="processes for tokenizing")
    parser.add_argument(
        "--wandb", action="store_true", help="log training to Weights & Biases (report_to=wandb)"
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted training run")
    parser.add_argument("--model-id", default=None, help="Hub id for the card's loading examples")
    parser.add_argument("--no-progress", action="store_true")
    group = parser.add_argument_group("recipe (scripts/recipe.py measures each choice)")
    group.add_argument(
        "--profile", default="full", choices=["full", "behaviour"], help="tokenizer budget profile"
    )
    group.add_argument(
        "--masking",
        default="token",
        choices=["token", "event", "target", "mixed"],
        help="masked-LM positions",
    )
    group.add_argument("--contrastive-steps", type=int, default=0, help="contrastive stage steps after MLM")
    group.add_argument("--pooling", default="mean", choices=["mean", "cls"], help="session-embedding pooling")


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..pipeline import run_all
    from ..readers import SessionReadError

    ensure_writable_dir(args.out)
    try:
        summary = run_all(
            args.corpus,
            args.out,
            preset=args.preset,
            config_overrides=args.config_overrides,
            text_vocab_size=args.text_vocab_size,
            max_length=args.max_length,
            stride=args.stride,
            max_steps=args.max_steps,
            max_train_minutes=args.max_train_minutes,
            total_minutes=args.total_minutes,
            batch_size=args.batch_size,
            num_proc=args.num_proc,
            report_to="wandb" if args.wandb else "none",
            resume=args.resume,
            model_id=args.model_id,
            progress=not args.no_progress,
            profile=args.profile,
            masking=args.masking,
            contrastive_steps=args.contrastive_steps,
            pooling=args.pooling,
        )
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
