"""``rrweb-hf publish DIR --repo-id NAME [--private] [--dry-run]``: upload a model or dataset folder to the Hub."""

from __future__ import annotations

import sys

HELP = (
    "upload a model folder (rrweb-hf pretrain) or dataset folder (rrweb-hf prepare) to the Hugging Face Hub"
)


def add_arguments(parser) -> None:
    parser.add_argument("folder", help="the model or dataset folder")
    parser.add_argument("--repo-id", required=True, help="'user/name' (or 'name' for your own namespace)")
    parser.add_argument("--private", action="store_true", help="create the repository as private")
    parser.add_argument("--repo-type", choices=["model", "dataset"], default=None, help="default: detected")
    parser.add_argument(
        "--dry-run", action="store_true", help="list files and check card and loading; upload nothing"
    )
    parser.add_argument(
        "--no-load-check", action="store_true", help="skip loading the folder in fresh processes"
    )
    parser.add_argument("--token", default=None, help="Hub token (default: the logged-in user's / HF_TOKEN)")


def run(args) -> int:
    from ..publish import PublishError, publish

    try:
        outcome = publish(
            args.folder,
            args.repo_id,
            private=args.private,
            repo_type=args.repo_type,
            dry_run=args.dry_run,
            token=args.token,
            check_loading=not args.no_load_check,
        )
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(outcome.format())
        print(f"dry run: nothing uploaded (would go to {args.repo_id})")
        return 0 if outcome.ok else 1
    print(f"uploaded {args.folder} to {args.repo_id}: {outcome}")
    return 0
