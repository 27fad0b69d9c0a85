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
    parser.add_argument(
        "--tokenizer", metavar="DIR", help="also print the share of tokens per event kind with this tokenizer"
    )


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
    summary = stats.to_dict()
    if args.tokenizer:
        from .. import walk_corpus
        from ..modeling import load_tokenizer
        from ..stats import corpus_token_share

        summary["token_share"] = corpus_token_share(
            walk_corpus(corpus, **kwargs), load_tokenizer(args.tokenizer)
        )
    if args.json:
        sys.stdout.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(format_stats(stats))
        if args.tokenizer:
            print("token share per event kind:")
            for kind, share in summary["token_share"].items():
                print(f"  {kind:<28} {100 * share:5.1f}%")
        if args.plot:
            print(f"session-length histogram: {args.plot}")
    return 0
