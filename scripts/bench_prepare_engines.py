#!/usr/bin/env python
"""Throughput of ``rrweb-hf prepare`` with ``--engine datasets`` and ``--engine ray`` on the same corpus.

Each engine tokenizes the corpus into windows and writes the dataset folder (Parquet shards, card,
report), as the CLI does; the datasets engine with a fresh cache each run (no cache hit). Ray is
started once, locally, with ``--num-proc`` CPUs; its start-up time is printed separately, and its
first run (cold workers) is kept apart from the later ones, which alternate with the datasets runs.
The datasets engine reads every file twice (the session index, then the windows); Ray once. Prints seconds, files/s and MB/s (bytes
of the files on disk, gzip as stored) per run, and checks both engines wrote the same windows.

Example:
    python scripts/bench_prepare_engines.py                      # the bundled corpus, 2 CPUs
    python scripts/bench_prepare_engines.py --corpus /tmp/big --num-proc 8 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=None, help="corpus folder or URL (default: the bundled corpus)")
    parser.add_argument("--tokenizer", default=None, help="a saved RRWebTokenizer (default: untrained)")
    parser.add_argument("--num-proc", type=int, default=2, help="processes / Ray CPUs (2)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per engine (2)")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--stride", type=int, default=64)
    args = parser.parse_args()

    import datasets

    import rrweb_hf
    from rrweb_hf.prepare import export_dataset, load_tokenizer, prepare_windows
    from rrweb_hf.prepare_ray import init_ray, list_corpus, prepare_with_ray
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    datasets.disable_progress_bars()
    corpus = args.corpus or str(rrweb_hf.sample_corpus())
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else RRWebTokenizer()
    _, paths, filesystem = list_corpus(corpus)
    size = sum(filesystem.get_file_info(p).size if filesystem else os.path.getsize(p) for p in paths)
    mb = size / 1e6
    print(f"corpus: {corpus}: {len(paths)} files, {mb:.1f} MB on disk; num_proc/CPUs: {args.num_proc}")
    settings = dict(max_length=args.max_length, stride=args.stride, progress=False)
    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    runs: dict[str, list[float]] = {}
    windows: dict[str, int] = {}

    def record(name: str, seconds: float, report: dict) -> None:
        runs.setdefault(name, []).append(seconds)
        windows[name.split(" ")[0]] = report["windows"]
        print(f"  {name:<22} {seconds:8.2f} s  {len(paths) / seconds:8.1f} files/s  {mb / seconds:7.2f} MB/s")

    def run_datasets(run: int) -> None:
        started = time.perf_counter()
        result = prepare_windows(
            corpus,
            tokenizer,
            num_proc=args.num_proc if args.num_proc > 1 else None,
            cache_dir=work / f"cache-{run}",
            **settings,
        )
        export_dataset(result.dataset, work / f"datasets-{run}", report=result.report)
        record("datasets", time.perf_counter() - started, result.report)

    def run_ray(run: int, name: str = "ray") -> None:
        started = time.perf_counter()
        report = prepare_with_ray(corpus, tokenizer, work / f"ray-{run}", **settings)
        record(name, time.perf_counter() - started, report)

    print(f"load average before: {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    init_ray(num_cpus=args.num_proc)
    print(f"  ray start-up           {time.perf_counter() - started:8.2f} s")
    run_ray(0, "ray (cold workers)")
    for run in range(1, args.repeats + 1):  # alternated, so a change in machine load hits both engines
        run_datasets(run)
        run_ray(run)
    print(f"load average after: {os.getloadavg()[0]:.1f}")

    print("\nengine      runs  median s  files/s    MB/s")
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        print(f"{name:<18} {len(seconds):>2} {median:8.2f} {len(paths) / median:8.1f} {mb / median:7.2f}")
    same = len(set(windows.values())) == 1
    print(f"\nwindows written: {windows}  ({'equal' if same else 'DIFFERENT'})")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
