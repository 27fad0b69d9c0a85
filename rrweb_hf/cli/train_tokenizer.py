"""``rrweb-hf train-tokenizer [CORPUS] --out DIR``: train an RRWebTokenizer's text vocabulary on a corpus."""

from __future__ import annotations

import sys
import time

from . import add_corpus_argument

HELP = "train an RRWebTokenizer (structural tokens + subword text vocabulary) on a corpus and save it"


def add_arguments(parser) -> None:
    from ..tokenization_rrweb import DEFAULT_OPTIONS

    add_corpus_argument(parser)
    parser.add_argument("--out", required=True, help="output folder (save_pretrained format)")
    parser.add_argument(
        "--text-vocab-size", type=int, default=8000, help="subword vocabulary size incl. 256 bytes"
    )
    parser.add_argument("--min-frequency", type=int, default=2, help="minimum count of a BPE merge")
    parser.add_argument(
        "--model-max-length", type=int, default=512, help="default max_length of the tokenizer"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--max-bytes", type=int, default=None, help="largest (decompressed) file accepted")
    parser.add_argument(
        "--no-mask-inputs",
        action="store_true",
        help="keep typed input values as text (PII and passwords stay masked)",
    )
    parser.add_argument(
        "--no-mask-pii", action="store_true", help="do not mask e-mails/phones/cards/IBANs/SSNs"
    )
    group = parser.add_argument_group("budgets and bins (saved in tokenizer_config.json)")
    from ..tokenization_rrweb import PROFILES

    for key, default in DEFAULT_OPTIONS.items():
        if isinstance(default, bool):
            continue
        if key == "profile":
            group.add_argument(
                "--profile",
                choices=list(PROFILES),
                default=default,
                help="token budget profile: full (DOM serialised) or behaviour (DOM summarised, lower budgets)",
            )
            continue
        # None: the profile's value (explicit values override the profile)
        group.add_argument("--" + key.replace("_", "-"), type=int, default=None, help=f"default {default}")


def run(args) -> int:
    from tqdm.auto import tqdm

    from .. import SessionReadError, walk_corpus
    from ..io_checks import ensure_writable_dir
    from ..tokenization_rrweb import DEFAULT_OPTIONS, RRWebTokenizationError, RRWebTokenizer

    ensure_writable_dir(args.out)
    corpus = args.corpus
    options = {
        k: getattr(args, k)
        for k, v in DEFAULT_OPTIONS.items()
        if not isinstance(v, bool) and getattr(args, k) is not None
    }
    options["mask_inputs"] = not args.no_mask_inputs
    options["mask_pii"] = not args.no_mask_pii
    kwargs = {} if args.max_bytes is None else {"max_bytes": args.max_bytes}
    try:
        walk = walk_corpus(corpus, **kwargs)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if len(walk) == 0:
        print(f"error: no session files (*.json, *.json.gz, *.jsonl, ...) under {corpus}", file=sys.stderr)
        return 1
    counts = {"sessions": 0, "events": 0}

    def sessions():
        bar = tqdm(total=len(walk), unit="file", desc="train-tokenizer", disable=args.no_progress)
        with bar:
            for _path, found in walk.iter_files():
                for session in found:
                    counts["sessions"] += 1
                    counts["events"] += session.num_events
                    yield session
                bar.update(1)
                bar.set_postfix(sessions=counts["sessions"], skipped=len(walk.skipped), refresh=False)

    start = time.perf_counter()
    try:
        tok = RRWebTokenizer.train(
            sessions(),
            text_vocab_size=args.text_vocab_size,
            min_frequency=args.min_frequency,
            show_progress=False,
            model_max_length=args.model_max_length,
            **options,
        )
    except (SessionReadError, RRWebTokenizationError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if counts["sessions"] == 0:
        print(
            f"error: no readable sessions under {corpus} ({len(walk.skipped)} files skipped)", file=sys.stderr
        )
        return 1
    files = tok.save_pretrained(args.out)
    elapsed = time.perf_counter() - start
    print(f"corpus: {corpus}")
    print(
        f"sessions: {counts['sessions']}   events: {counts['events']:,}   skipped files: {len(walk.skipped)}"
    )
    for path, reason in walk.skipped:
        print(f"  skipped {path}: {reason}")
    print(
        f"vocabulary: {len(tok)} ids = {tok.text_id_offset} structural (ids 0..{tok.text_id_offset - 1}) "
        f"+ {tok.text_vocab_size} text (ids {tok.text_id_offset}..{len(tok) - 1})"
    )
    on_off = {True: "on", False: "off"}
    print(f"masking: inputs={on_off[options['mask_inputs']]}, pii={on_off[options['mask_pii']]}")
    print(f"saved to {args.out} in {elapsed:.1f}s: {', '.join(str(f).rsplit('/', 1)[-1] for f in files)}")
    return 0
