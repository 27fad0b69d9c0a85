#!/usr/bin/env python
"""Benchmark RRWebTokenizer on a corpus against orjson parsing and a raw-JSON byte-level BPE.

Prints, in one run:

- throughput (MB/s, events/s) of ``tok.encode_session(raw_bytes)`` (parse + walk + subwords) and of
  ``orjson.loads`` alone on the same bytes, and their ratio (target: tokenizer >= 1/8 of orjson);
- tokens per event and per session, and the share of sessions fitting in 512 / 2048 / 8192 tokens,
  next to a byte-level BPE with the same total vocabulary size trained with ``tokenizers`` on the raw
  JSON text (target: >= 5x fewer tokens per session).

Usage:
    python scripts/bench_tokenizer.py                    # bundled corpus, tokenizer trained on it
    python scripts/bench_tokenizer.py CORPUS --tokenizer DIR --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time

import orjson


def load_raw_sessions(corpus, max_bytes: int | None = None) -> list[tuple[str, bytes, int]]:
    """``(session_id, raw JSON bytes of its events, event count)`` per session of a corpus.

    JSON files keep their exact bytes; JSONL sessions (grouped lines) are re-serialised with orjson.
    """
    from rrweb_hf.corpus import walk_corpus
    from rrweb_hf.readers import DEFAULT_MAX_BYTES, read_bytes, read_file

    walk = walk_corpus(corpus)
    out = []
    for path in walk.files:
        try:
            result = read_file(path, root=walk.root, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        except Exception as exc:  # noqa: BLE001 - a benchmark skips unreadable files and says so
            print(f"skipping {path}: {exc}", file=sys.stderr)
            continue
        name = str(path)
        if name.endswith((".json", ".json.gz")) and len(result.sessions) == 1:
            out.append((result.sessions[0].session_id, read_bytes(path), result.sessions[0].num_events))
        else:
            for s in result.sessions:
                out.append((s.session_id, orjson.dumps(s.events), s.num_events))
    return out


def timed(fn, items, repeat: int) -> float:
    """Best-of-``repeat`` wall time of ``fn`` over all items (GC state left as the caller has it)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return best


def fit_shares(lengths: list[int], limits=(512, 2048, 8192)) -> dict[int, float]:
    return {n: sum(1 for x in lengths if x <= n) / max(len(lengths), 1) for n in limits}


def train_raw_bpe(raws: list[bytes], vocab_size: int):
    """Byte-level BPE trained on the raw JSON text: what a user would do without this tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    bpe.train_from_iterator((r.decode("utf-8", "replace") for r in raws), trainer=trainer)
    return bpe


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus", nargs="?", default=None, help="folder or file (default: bundled sample corpus)"
    )
    parser.add_argument("--tokenizer", help="saved RRWebTokenizer folder (default: train one on the corpus)")
    parser.add_argument("--text-vocab-size", type=int, default=8000, help="text vocab when training (8000)")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions, best is reported (3)")
    parser.add_argument(
        "--raw-bpe-train-mb", type=float, default=64.0, help="raw JSON MB used to train the BPE"
    )
    args = parser.parse_args(argv)

    import rrweb_hf
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    corpus = args.corpus or rrweb_hf.sample_corpus()
    sessions = load_raw_sessions(corpus)
    if not sessions:
        print(f"error: no sessions under {corpus}", file=sys.stderr)
        return 1
    raws = [raw for _, raw, _ in sessions]
    total_bytes = sum(len(r) for r in raws)
    total_events = sum(n for _, _, n in sessions)
    mb = total_bytes / 1e6
    print(f"corpus: {corpus}: {len(sessions)} sessions, {total_events:,} events, {mb:.1f} MB of JSON")

    if args.tokenizer:
        tok = RRWebTokenizer.from_pretrained(args.tokenizer)
    else:
        start = time.perf_counter()
        tok = RRWebTokenizer.train(raws, text_vocab_size=args.text_vocab_size, show_progress=False)
        print(f"trained tokenizer in {time.perf_counter() - start:.1f}s: vocabulary {len(tok)}")

    # Throughput: orjson.loads alone vs the tokenizer (parse + walk + subwords), same bytes.
    # orjson is timed with the cyclic GC paused, as encode_session pauses it: the fairest floor.
    gc.collect()
    gc.disable()
    try:
        t_orjson = timed(orjson.loads, raws, args.repeat)
    finally:
        gc.enable()
    tok.encode_session(raws[0])  # warm-up (imports, caches) outside the timing
    t_tok = timed(tok.encode_session, raws, args.repeat)
    ratio = t_orjson / t_tok
    print(f"\nthroughput (best of {args.repeat})")
    print(f"  orjson.loads      {mb / t_orjson:9.1f} MB/s {total_events / t_orjson:14,.0f} events/s")
    print(f"  RRWebTokenizer    {mb / t_tok:9.1f} MB/s {total_events / t_tok:14,.0f} events/s")
    verdict = "meets" if ratio >= 1 / 8 else "MISSES"
    print(f"  ratio tokenizer/orjson = 1/{1 / ratio:.1f}  ({verdict} the >= 1/8 target)")

    # Sequence lengths: ours vs a byte-level BPE of the same total vocabulary trained on raw JSON.
    stats: dict = {}
    ours = [len(tok.encode_session(r, stats=stats)[0]) + 2 for r in raws]
    budget = int(args.raw_bpe_train_mb * 1e6)
    train_raws, used = [], 0
    for r in raws:
        if used >= budget:
            break
        train_raws.append(r)
        used += len(r)
    start = time.perf_counter()
    bpe = train_raw_bpe(train_raws, len(tok))
    elapsed = time.perf_counter() - start
    print(f"\ntrained raw-JSON byte-level BPE (vocab {bpe.get_vocab_size()}) in {elapsed:.1f}s")
    theirs = [len(e.ids) for e in bpe.encode_batch([r.decode("utf-8", "replace") for r in raws])]

    def row(name, lengths):
        per_event = sum(lengths) / max(total_events, 1)
        shares = fit_shares(lengths)
        mean, median = statistics.mean(lengths), statistics.median(lengths)
        return f"  {name:<22}{per_event:10.1f}{mean:14,.0f}{median:12,.0f}" + "".join(
            f"{shares[n]:9.0%}" for n in (512, 2048, 8192)
        )

    header = "".join(f"{h:>9}" for h in ("<=512", "<=2048", "<=8192"))
    print(f"\n  {'tokens':<22}{'per event':>10}{'per session':>14}{'median':>12}{header}")
    print(row("RRWebTokenizer", ours))
    print(row("raw-JSON byte BPE", theirs))
    factor = sum(theirs) / max(sum(ours), 1)
    verdict = "meets" if factor >= 5 else "MISSES"
    print(f"  raw-JSON BPE / RRWebTokenizer tokens per session = {factor:.1f}x  ({verdict} the >= 5x target)")
    print(f"\nmalformed events: {stats.get('malformed_events', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
