"""Parallel equals serial: prepare with num_proc 1 and 2; DataLoaders with 0 and 2 workers.

Promises checked: ``prepare_windows`` rows are a function of the corpus (same ids, same row order for any
``num_proc``); ``LazyWindowDataset`` item ``i`` is the same window for a seed and epoch (map-style, so a
DataLoader without shuffling gives the same order with any worker count); the streaming dataset divides
the corpus by file among workers (same rows, order interleaved by worker: compared as a multiset).
Depends on: tests/test_datasets_helpers.py (make_corpus, add_bad_files), conftest (tiny_tokenizer).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import torch
from test_datasets_helpers import add_bad_files, make_corpus

from rrweb_hf.lazy import LazyWindowDataset
from rrweb_hf.prepare import prepare_windows
from rrweb_hf.sessions import load_sessions

N_FILES = 12


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "corpus"
    make_corpus(root, N_FILES, sites=3, gz_every=2, n_incremental=40)
    add_bad_files(root)
    return root


def _rows(dsd) -> dict[str, list[dict]]:
    return {name: ds.to_list() for name, ds in dsd.items()}


def _prepare(corpus, tokenizer, num_proc: int, cache_dir):
    return prepare_windows(
        corpus,
        tokenizer,
        max_length=32,
        stride=4,
        num_proc=num_proc,
        validation_fraction=0.25,
        test_fraction=0.25,
        with_event_ids=True,
        cache_dir=cache_dir,
        progress=False,
    )


def test_prepare_num_proc_1_and_2_give_identical_rows_in_the_same_order(corpus, tiny_tokenizer, tmp_path):
    results = {}
    for num_proc in (1, 2):
        result = _prepare(corpus, tiny_tokenizer, num_proc, tmp_path / f"cache{num_proc}")
        assert not result.report["cache_hit"]
        results[num_proc] = result
    one, two = _rows(results[1].dataset), _rows(results[2].dataset)
    assert sorted(one) == ["test", "train", "validation"]
    assert {k: len(v) for k, v in one.items()} == {k: len(v) for k, v in two.items()}
    for split in one:
        assert one[split] == two[split], split
    windows = [(r["session_id"], r["window_index"]) for rows in one.values() for r in rows]
    assert len(windows) == len(set(windows))  # no duplicated window
    assert len({sid for sid, _ in windows}) == N_FILES
    assert results[1].report["skipped_files"] == results[2].report["skipped_files"] == 6
    # the other num_proc on each cache: the same rows, never the other run's shard files misread
    for num_proc, cache in ((1, "cache2"), (2, "cache1")):
        assert _rows(_prepare(corpus, tiny_tokenizer, num_proc, tmp_path / cache).dataset) == one


def _loader_items(dataset, workers: int, **kwargs) -> list:
    loader = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=workers, **kwargs)
    return list(loader)


def test_lazy_dataset_gives_the_same_items_in_order_with_0_and_2_workers(corpus, tiny_tokenizer):
    ds = LazyWindowDataset(corpus, tiny_tokenizer, max_length=24, windows_per_file=3, cache_size=4, seed=7)
    serial = _loader_items(ds, 0)
    parallel = _loader_items(ds, 2)
    assert len(serial) == len(ds) == (N_FILES + 6) * 3
    assert serial == parallel
    assert serial == [ds[i] for i in range(len(ds))]
    ds.set_epoch(1)
    assert _loader_items(ds, 2) == _loader_items(ds, 0) != serial  # a new epoch: new, equal windows


def _session_key(row: dict) -> tuple:
    return row["session_id"], json.dumps(row["events"], sort_keys=True)


def test_streaming_sessions_give_the_same_rows_with_0_and_2_workers(corpus, tmp_path):
    streams = load_sessions(corpus, validation_fraction=0, streaming=True, cache_dir=tmp_path / "c")
    train = streams["train"]
    assert train.num_shards >= 2  # one shard per file: 2 workers really split the corpus
    serial = [_session_key(r) for r in _loader_items(train, 0)]
    parallel = [_session_key(r) for r in _loader_items(train, 2)]
    assert len(serial) == N_FILES
    assert Counter(serial) == Counter(parallel)
    built = load_sessions(corpus, validation_fraction=0, cache_dir=tmp_path / "c")["train"]
    assert Counter(serial) == Counter(_session_key(r) for r in built)
