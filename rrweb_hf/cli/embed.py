"""``rrweb-hf embed MODEL_DIR [CORPUS] [--out vectors.npy] [--neighbours SESSION_ID -k 5]``."""

from __future__ import annotations

import sys

from . import add_corpus_argument

HELP = (
    "one embedding vector per session (pooled over windows); optionally list a session's nearest neighbours"
)


def add_arguments(parser) -> None:
    parser.add_argument("model", help="model folder from rrweb-hf pretrain")
    add_corpus_argument(parser, "sessions to embed: folder, file, glob or file:// URL")
    parser.add_argument("--out", metavar="NPY", help="save the vectors (float32, one row per session) here")
    parser.add_argument("--neighbours", metavar="SESSION_ID", help="print this session's nearest neighbours")
    parser.add_argument("-k", type=int, default=5, help="number of neighbours (default 5)")
    parser.add_argument("--max-length", type=int, default=None, help="window length (default: the model's)")
    parser.add_argument("--stride", type=int, default=32, help="window overlap")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    import json
    from pathlib import Path

    import numpy as np

    from .. import walk_corpus
    from ..embeddings import embed_sessions, neighbour_table

    corpus = args.corpus
    if not Path(args.model, "config.json").is_file():
        print(
            f"error: {args.model} is not a model folder (no config.json); train one with rrweb-hf pretrain",
            file=sys.stderr,
        )
        return 1
    sessions = list(walk_corpus(corpus))
    if not sessions:
        print(f"error: no valid session in {corpus}", file=sys.stderr)
        return 1
    ids = [s.session_id for s in sessions]
    if args.neighbours is not None and args.neighbours not in ids:
        print(
            f"error: session {args.neighbours!r} not in {corpus}; known ids look like {ids[:3]}",
            file=sys.stderr,
        )
        return 1
    vectors = embed_sessions(
        args.model,
        sessions,
        max_length=args.max_length,
        stride=args.stride,
        show_progress=not args.no_progress,
    )
    print(f"{len(ids)} sessions -> vectors of size {vectors.shape[1]}")
    if args.out:
        np.save(args.out, vectors)
        Path(args.out).with_suffix(".ids.json").write_text(json.dumps(ids))
        print(f"vectors: {args.out} (session ids: {Path(args.out).with_suffix('.ids.json')})")
    if args.neighbours is not None:
        print(f"nearest neighbours of {args.neighbours}:")
        for sid, score in neighbour_table(ids, vectors, ids.index(args.neighbours), args.k):
            print(f"  {score:.3f}  {sid}")
    return 0
