"""``rrweb-hf convert INPUT --out DIR``: any supported recording format -> plain rrweb event arrays.

Example:
    rrweb-hf convert posthog-export.json --out plain/     # one file per PostHog window
    rrweb-hf convert sentry-segments.json --out plain/    # one file per replay, events in ms, ordered
    rrweb-hf convert replay-abc/ --out plain/             # a Sentry segment folder: one file, replay-abc.json
"""

from __future__ import annotations

import sys

from . import add_corpus_argument

HELP = "write recordings of any supported format (packer, PostHog, Sentry) as plain rrweb event arrays"


def add_arguments(parser) -> None:
    add_corpus_argument(parser, "folder or file of recordings in any supported format")
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="output folder: one .json per session/window"
    )
    parser.add_argument("--gzip", action="store_true", help="write .json.gz instead of .json")
    parser.add_argument("--strict", action="store_true", help="stop with an error at the first bad file")
    parser.add_argument("--max-bytes", type=int, default=None, help="largest (decompressed) file accepted")


def run(args) -> int:
    from ..formats import convert_corpus
    from ..io_checks import ensure_writable_dir
    from ..readers import SessionReadError

    ensure_writable_dir(args.out)
    kwargs = {} if args.max_bytes is None else {"max_bytes": args.max_bytes}
    try:
        report = convert_corpus(args.corpus, args.out, strict=args.strict, compress=args.gzip, **kwargs)
    except (SessionReadError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    formats = ", ".join(f"{name} {n}" for name, n in report["formats"].items()) or "none"
    print(f"sessions: {report['sessions']}   events: {report['events']:,}   input formats: {formats}")
    print(f"skipped: {len(report['skipped'])}")
    for path, reason in report["skipped"]:
        print(f"  {path}: {reason}")
    print(f"written to: {args.out}")
    return 0
