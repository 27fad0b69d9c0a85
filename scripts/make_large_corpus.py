#!/usr/bin/env python
"""Build a large, realistic rrweb corpus from a few real recordings (deterministic from a seed).

Each output file is one source session put through four variations, all drawn from
``random.Random(f"{seed}:{k}")`` for output file ``k`` (so any file can be rebuilt alone):

Source events are serialized once; the variations are regex substitutions on those bytes, so
output is fast and byte-for-byte reproducible.

- **node-id remapping**: every node id (``id``, ``parentId``, ``nextId``, ``previousId``,
  ``rootId``, position ids) is shifted by one random offset, consistently within the session;
- **time shift**: every ``timestamp`` moves by one random offset (up to ~1 year);
- **event subsetting**: the prefix up to the first FullSnapshot is kept (the snapshot itself in a
  ``--snapshot-rate`` share of the files: real snapshots are large), then a random contiguous run
  of the remaining events (``--min-keep`` .. 100 %, at most ``--max-events``);
- **text variation**: a share of the words in text nodes, input values and text mutations is
  replaced by words drawn from the corpus's own vocabulary.

Files go to ``OUT/<k // 1000:03d>/<site>-<k:06d>.json.gz`` (1,000 per folder, so a subset is a
glob such as ``OUT/00[0-3]/*``), plus ``OUT/.generated.json`` (hidden: not a session file) with the settings.

Example:
    python scripts/make_large_corpus.py --out /tmp/big --files 31951 --seed 0 --workers 2
    python scripts/make_large_corpus.py --source my_recordings/ --out /tmp/big --files 1000
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import orjson

ID_RE = re.compile(rb'"(id|parentId|nextId|previousId|rootId)":(\d+)')
TIME_RE = re.compile(rb'"timestamp":(\d+)')
TEXT_RE = re.compile(rb'"(textContent|text|value)":"((?:[^"\\]|\\.)*)"')
WORD = re.compile(r"[A-Za-z]{3,}")
WORD_B = re.compile(rb"(?<![\\A-Za-z0-9])[A-Za-z]{3,}")  # whole words, never part of an escape like \\uabcd

# Source events are serialized once (orjson) and varied as bytes with regexes: no per-file JSON tree walk.
_SOURCES: list[tuple[str, list[bytes], int]] = []  # (site, serialized events, index of first FullSnapshot)
_WORDS: list[bytes] = []
_ARGS: dict = {}


def load_sources(source: Path) -> list[tuple[str, list]]:
    """``(site, events)`` of every valid session under ``source`` (site = first folder name)."""
    from rrweb_hf import walk_corpus

    walk = walk_corpus(source)
    out = []
    for session in walk:
        rel = Path(session.path).resolve().relative_to(source.resolve()) if source.is_dir() else Path("x")
        site = rel.parts[0] if len(rel.parts) > 1 else "site"
        out.append((re.sub(r"[^A-Za-z0-9_.]", "_", site), session.events))
    for path, reason in walk.skipped:
        print(f"source skipped: {path}: {reason}", file=sys.stderr)
    return out


def collect_words(events: list, words: set, limit: int = 5000) -> None:
    """Add words of text nodes, input values and text mutations of ``events`` to ``words``."""
    for match in TEXT_RE.finditer(b"".join(orjson.dumps(e) for e in events)):
        words.update(m.decode() for m in WORD_B.findall(match.group(2))[:50])
        if len(words) >= limit:
            return


def make_session(k: int, seed: int, min_keep: float, max_events: int, text_rate: float, snapshot_rate: float):
    """Output session ``k`` as ``(site, JSON bytes of the event list)``."""
    rng = random.Random(f"{seed}:{k}")
    site, events, first_full = _SOURCES[rng.randrange(len(_SOURCES))]
    head = events[: first_full + 1] if rng.random() < snapshot_rate else events[:first_full]
    rest = events[first_full + 1 :]
    if rest:
        keep = max(1, int(len(rest) * rng.uniform(min_keep, 1.0)))
        keep = min(keep, max(1, max_events - len(head)))
        start = rng.randrange(len(rest) - keep + 1)
        rest = rest[start : start + keep]
    offset = rng.randrange(1, 1_000_000)
    shift = rng.randrange(0, 365 * 24 * 3600 * 1000)
    data = b"[" + b",".join(head + rest) + b"]"
    data = ID_RE.sub(lambda m: b'"%s":%d' % (m.group(1), int(m.group(2)) + offset), data)
    data = TIME_RE.sub(lambda m: b'"timestamp":%d' % (int(m.group(1)) + shift), data)
    if text_rate and _WORDS:

        def vary_words(m):
            if rng.random() >= text_rate:
                return m.group(0)
            text = WORD_B.sub(lambda w: rng.choice(_WORDS) if rng.random() < 0.3 else w.group(0), m.group(2))
            return b'"%s":"%s"' % (m.group(1), text)

        data = TEXT_RE.sub(vary_words, data)
    return site, data


def _init(sources, words, args) -> None:
    _SOURCES[:] = [
        (
            site,
            [orjson.dumps(e) for e in events],
            next((i for i, e in enumerate(events) if e.get("type") == 2), 0),
        )
        for site, events in sources
    ]
    _WORDS[:] = [w.encode() for w in words]
    _ARGS.update(args)


def _write(k: int) -> int:
    a = _ARGS
    site, data = make_session(
        k, a["seed"], a["min_keep"], a["max_events"], a["text_rate"], a["snapshot_rate"]
    )
    folder = Path(a["out"]) / f"{k // 1000:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(data, compresslevel=1, mtime=0)
    (folder / f"{site}-{k:06d}.json.gz").write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", default=None, help="recordings to vary (default: the bundled sample corpus)"
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--files", type=int, default=31951, help="files to write (31951)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--min-keep", type=float, default=0.5, help="least share of events kept (0.5)")
    parser.add_argument("--max-events", type=int, default=400, help="most events per output session (400)")
    parser.add_argument("--text-rate", type=float, default=0.3, help="share of text values varied (0.3)")
    parser.add_argument(
        "--snapshot-rate", type=float, default=1.0, help="share of files keeping the first FullSnapshot (1.0)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (all cores)")
    args = parser.parse_args(argv)
    if args.source is None:
        import rrweb_hf

        source = rrweb_hf.sample_corpus()
    else:
        source = Path(args.source)
    sources = load_sources(source)
    if not sources:
        print(f"error: no valid session under {source}; record some or pass --source DIR", file=sys.stderr)
        return 1
    words: set = set()
    for _, events in sources:
        collect_words(events, words)
    words_list = sorted(words) or ["lorem", "ipsum", "dolor"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k != "workers"}
    settings.update(source=str(source), source_sessions=len(sources))
    (out / ".generated.json").write_bytes(orjson.dumps(settings, option=orjson.OPT_INDENT_2))
    shared = {k: getattr(args, k) for k in ("seed", "min_keep", "max_events", "text_rate", "snapshot_rate")}
    shared["out"] = str(out)
    started = time.perf_counter()
    total = 0
    with Pool(args.workers, initializer=_init, initargs=(sources, words_list, shared)) as pool:
        for i, size in enumerate(pool.imap_unordered(_write, range(args.files), chunksize=64), start=1):
            total += size
            if i % 2000 == 0 or i == args.files:
                rate = i / (time.perf_counter() - started)
                print(
                    f"{i:,}/{args.files:,} files  {total / 2**20:,.1f} MB  {rate:,.0f} files/s",
                    file=sys.stderr,
                )
    seconds = time.perf_counter() - started
    print(
        f"wrote {args.files:,} files ({total / 2**20:,.1f} MB gzip) from {len(sources)} sessions in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
