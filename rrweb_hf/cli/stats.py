"""``rrweb-hf stats [CORPUS]``: summarise a corpus of rrweb recordings."""

from __future__ import annotations

import sys

import orjson

from ..stats import corpus_stats, format_stats, plot_session_lengths
from . import add_corpus_argument

HELP = "summarise a corpus: sessions, events, bytes, event types, incremental sources, skipped files"


def add_arguments(parser) -> None:
    add_corpus_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of text")
    parser.add_argument(
        "--plot", metavar="PNG", help="write a histogram of session lengths (events) to this PNG"
    )
    parser.add_argument("--strict", action="store_true", help="stop with an error at the first bad file")
    parser.add_argument("--max-bytes", type=int, default=None, help="largest (decompressed) file accepted")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    from .. import SessionReadError

    corpus = args.corpus
    kwargs = {} if args.max_bytes is None else {"max_bytes": args.max_bytes}
    try:
        stats = corpus_stats(corpus, strict=args.strict, progress=not args.no_progress, **kwargs)
    except (SessionReadError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.plot:
        plot_session_lengths(stats, args.plot)
    if args.json:
        sys.stdout.write(orjson.dumps(stats.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(format_stats(stats))
        if args.plot:
            print(f"session-length histogram: {args.plot}")
    return 0
