#!/usr/bin/env python
"""Benchmark the datasets pipeline on a large corpus (see scripts/make_large_corpus.py). Not CI.

Prints (and writes to ``WORK/bench.json``):

- index memory per file of :class:`rrweb_hf.lazy.FileIndex` (tracemalloc, retained bytes; target
  <= 0.2 KB) and its raw array bytes;
- ``prepare`` (raw build + tokenized windows), each in a fresh process with a fresh cache: seconds,
  files/s, MB/s (gzip bytes on disk) and peak RSS (main process; workers separately), plus the peak
  private (anonymous) memory after each quarter of the run, which shows whether memory plateaus or
  keeps growing with the files read -- for the small corpus and the full one with ``num_proc=1``,
  and the full one with ``num_proc=2``;
- the warm rerun (same cache, unchanged input) of the full ``num_proc=1`` run: seconds and speedup;
- the lazy dataset: cold access of K files, then warm re-access of the SAME K files (the LRU holds
  them all), with hit rates.

Example:
    python scripts/make_large_corpus.py --out /tmp/big --files 31951
    python scripts/bench_datasets.py --corpus /tmp/big --small '/tmp/big/00[0-3]/*' --work /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

CHILD = r"""
import json, resource, sys, threading, time
peak = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
timeline = []  # (perf_counter, RssAnon MB) every 0.5 s: shows whether memory plateaus or keeps growing
def sample():
    last = 0.0
    while True:
        with open("/proc/self/status") as fh:
            for line in fh:
                key = line.split(":")[0]
                if key in peak:
                    value = int(line.split()[1]) / 1024
                    peak[key] = max(peak[key], value)
                    if key == "RssAnon" and time.perf_counter() - last >= 0.5:
                        last = time.perf_counter()
                        timeline.append((last, value))
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
import rrweb_hf
from rrweb_hf.prepare import prepare_windows
corpus, tok, cache, num_proc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
time.sleep(0.1)
baseline = dict(peak)
t = time.perf_counter()
result = prepare_windows(corpus, tok, max_length=512, stride=64, num_proc=num_proc if num_proc > 1 else None,
                         cache_dir=cache, progress=False)
seconds = time.perf_counter() - t
r = result.report
with open("/proc/self/status") as fh:  # a last sample: a run shorter than the sampling period has one too
    last = next(int(line.split()[1]) / 1024 for line in fh if line.startswith("RssAnon"))
timeline.append((time.perf_counter(), last))
peak["RssAnon"] = max(peak["RssAnon"], last)
run = [mb for at, mb in timeline if at >= t]
quarters = [max(run[: max(1, len(run) * q // 4)]) for q in (1, 2, 3, 4)] if run else []
print(json.dumps({
    "seconds": seconds,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "peak_anon_mb": peak["RssAnon"], "peak_file_mb": peak["RssFile"], "baseline_after_imports_mb": baseline["VmRSS"],
    "baseline_anon_mb": baseline["RssAnon"], "anon_peak_by_quarter_mb": quarters,
    "sessions": r["sessions"], "windows": r["windows"], "tokens": r["tokens"],
    "skipped_files": r["skipped_files"], "cache_hit": r["cache_hit"],
}))
"""


def _files_and_bytes(corpus: str) -> tuple[int, int]:
    from rrweb_hf.sessions import resolve_corpus

    _, files = resolve_corpus(corpus)
    return len(files), sum(p.stat().st_size for p in files)


def run_prepare(corpus: str, tokenizer: str, cache: Path, num_proc: int) -> dict:
    env = dict(os.environ, HF_DATASETS_CACHE=str(cache), TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, corpus, tokenizer, str(cache), str(num_proc)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        raise RuntimeError(f"prepare failed on {corpus}:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    files, size = _files_and_bytes(corpus)
    out.update(
        files=files,
        mb=size / 2**20,
        files_per_s=files / out["seconds"],
        mb_per_s=size / 2**20 / out["seconds"],
    )
    return out


def index_memory(corpus: str) -> dict:
    from rrweb_hf.lazy import FileIndex

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = FileIndex(corpus)
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    n = len(index)
    return {"files": n, "retained_bytes_per_file": retained / n, "array_bytes_per_file": index.nbytes / n}


def lazy_bench(corpus: str, tokenizer, k: int) -> dict:
    from rrweb_hf.lazy import LazyWindowDataset

    ds = LazyWindowDataset(corpus, tokenizer, max_length=512, cache_size=k)
    k = min(k, len(ds.index))
    items = list(range(k))
    t = time.perf_counter()
    for i in items:
        ds[i]
    cold_s, cold = time.perf_counter() - t, dict(ds.cache_info())
    t = time.perf_counter()
    for i in items:  # the SAME files again
        ds[i]
    warm_s, warm = time.perf_counter() - t, ds.cache_info()
    return {
        "files": k,
        "cold_s": cold_s,
        "warm_s": warm_s,
        "speedup": cold_s / max(warm_s, 1e-9),
        "cold_hit_rate": cold["hit_rate"],
        "warm_round_hit_rate": (warm["hits"] - cold["hits"]) / k,
        "overall_hit_rate": warm["hit_rate"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="the full corpus folder")
    parser.add_argument("--small", required=True, help="a subset (folder or glob) for the second size")
    parser.add_argument("--work", required=True, help="scratch folder (caches, tokenizer, bench.json)")
    parser.add_argument(
        "--tokenizer", default=None, help="a saved RRWebTokenizer (default: train a small one)"
    )
    parser.add_argument("--lazy-files", type=int, default=500, help="files for the lazy cold/warm test (500)")
    parser.add_argument("--skip-num-proc-2", action="store_true", help="only num_proc=1")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    results: dict = {"corpus": args.corpus, "small": args.small}
    if args.tokenizer is None:
        from itertools import islice

        from rrweb_hf import walk_corpus

        t = time.perf_counter()
        tok = RRWebTokenizer.train(
            islice(walk_corpus(args.corpus), 200), text_vocab_size=2000, show_progress=False
        )
        args.tokenizer = str(work / "tokenizer")
        tok.save_pretrained(args.tokenizer)
        print(f"trained a tokenizer on 200 sessions in {time.perf_counter() - t:.1f} s")
    tok = RRWebTokenizer.from_pretrained(args.tokenizer)

    results["index"] = index_memory(args.corpus)
    print(
        f"index: {results['index']['files']:,} files, {results['index']['retained_bytes_per_file']:.0f} B/file "
        f"retained (tracemalloc), {results['index']['array_bytes_per_file']:.0f} B/file in arrays"
    )
    runs = [("small", args.small, 1), ("full", args.corpus, 1)]
    if not args.skip_num_proc_2:
        runs.append(("full", args.corpus, 2))
    for label, corpus, num_proc in runs:
        cache = work / f"cache-{label}-np{num_proc}"
        shutil.rmtree(cache, ignore_errors=True)
        r = run_prepare(corpus, args.tokenizer, cache, num_proc)
        results[f"prepare_{label}_np{num_proc}"] = r
        print(
            f"prepare {label} num_proc={num_proc}: {r['files']:,} files {r['mb']:.0f} MB in {r['seconds']:.1f} s = "
            f"{r['files_per_s']:.0f} files/s {r['mb_per_s']:.2f} MB/s; peak RSS {r['peak_rss_mb']:.0f} MB "
            f"(anon {r['peak_anon_mb']:.0f}, file-backed {r['peak_file_mb']:.0f}, after imports "
            f"{r['baseline_after_imports_mb']:.0f}/anon {r['baseline_anon_mb']:.0f}) "
            f"(workers {r['children_peak_rss_mb']:.0f} MB); anon peak by quarter of the run "
            f"{'/'.join(f'{q:.0f}' for q in r['anon_peak_by_quarter_mb'])} MB; {r['sessions']:,} sessions {r['windows']:,} windows "
            f"{r['tokens']:,} tokens, skipped {r['skipped_files']}"
        )
        if label == "full" and num_proc == 1:
            warm = run_prepare(corpus, args.tokenizer, cache, 1)
            warm["speedup"] = r["seconds"] / warm["seconds"]
            results["prepare_full_np1_warm"] = warm
            print(
                f"warm rerun: {warm['seconds']:.1f} s (cache hit {warm['cache_hit']}), speedup {warm['speedup']:.1f}x, "
                f"peak RSS {warm['peak_rss_mb']:.0f} MB"
            )
    lazy = lazy_bench(args.corpus, tok, args.lazy_files)
    results["lazy"] = lazy
    print(
        f"lazy: {lazy['files']} files cold {lazy['cold_s']:.2f} s (hit rate {lazy['cold_hit_rate']:.2f}), "
        f"same files warm {lazy['warm_s']:.3f} s (hit rate {lazy['warm_round_hit_rate']:.2f}), "
        f"speedup {lazy['speedup']:.0f}x"
    )
    (work / "bench.json").write_text(json.dumps(results, indent=2))
    print(f"results: {work / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
