"""LazyWindowDataset: compact index, on-demand tokenization, LRU hits on re-access, bad files."""

from __future__ import annotations

import sys

import pytest
import torch
from test_datasets_helpers import BAD_FILES, add_bad_files, make_corpus, make_events

from rrweb_hf.lazy import FileIndex, LazyWindowDataset
from rrweb_hf.tokenization_rrweb import RRWebTokenizer

N = 10


@pytest.fixture(scope="module")
def tokenizer():
    return RRWebTokenizer.train([make_events(i) for i in range(N)], text_vocab_size=300, show_progress=False)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    make_corpus(root, N)
    return root


def test_index_is_compact_and_holds_no_contents(corpus):
    index = FileIndex(corpus)
    assert len(index) == N
    assert index.relpath(0) == "site0/s0000.json.gz" and index.path(N - 1) == corpus / "site1" / "s0009.json"
    assert index.nbytes / len(index) <= 200  # the seed's 0.2 KB per file
    assert int(index.sizes.sum()) == sum(p.stat().st_size for p in corpus.rglob("*.json*"))
    assert sys.getsizeof(index._blob) < sum(p.stat().st_size for p in corpus.rglob("*.json*")) / 10


def _seed(ds, file_index):
    return int(ds.index.path(file_index).name[1:5])  # s0007.json -> make_events(7)


def test_windows_are_random_slices_and_deterministic(corpus, tokenizer):
    ds = LazyWindowDataset(corpus, tokenizer, max_length=24, windows_per_file=3, seed=1)
    assert len(ds) == 3 * N
    ids = {i: tokenizer.encode_session(make_events(_seed(ds, i)))[0] for i in range(N)}
    starts = set()
    for item_index in range(len(ds)):
        item = ds[item_index]
        window = item["input_ids"]
        assert (
            len(window) == 24 and window[0] == tokenizer.cls_token_id and window[-1] == tokenizer.sep_token_id
        )
        assert item["special_tokens_mask"] == [1] + [0] * 22 + [1]
        session = ids[item_index // 3]
        matches = [s for s in range(len(session)) if session[s : s + 22] == window[1:-1]]
        assert matches  # a real slice of that file's session
        starts.add((item_index // 3, matches[0]))
    assert len(starts) > N  # positions vary across a file's windows
    again = LazyWindowDataset(corpus, tokenizer, max_length=24, windows_per_file=3, seed=1)
    assert [again[i] for i in range(6)] == [ds[i] for i in range(6)]
    ds.set_epoch(1)
    assert [ds[i] for i in range(len(ds))] != [again[i] for i in range(len(ds))]


def test_lru_hits_on_reaccess_of_the_same_files(corpus, tokenizer):
    ds = LazyWindowDataset(corpus, tokenizer, max_length=24, cache_size=N)
    for i in range(N):
        ds[i]
    cold = ds.cache_info()
    assert (cold["hits"], cold["misses"], cold["size"]) == (0, N, N)
    for i in range(N):  # the SAME files again: all hits
        ds[i]
    warm = ds.cache_info()
    assert (warm["hits"], warm["misses"], warm["hit_rate"]) == (N, N, 0.5)
    small = LazyWindowDataset(corpus, tokenizer, max_length=24, cache_size=3)
    for _ in range(2):
        for i in range(N):
            small[i]
    assert small.cache_info()["hits"] == 0 and small.cache_info()["size"] == 3  # LRU evicts in a sweep
    for _ in range(3):
        small[N - 1]
    assert small.cache_info()["hits"] == 3
    off = LazyWindowDataset(corpus, tokenizer, max_length=24, cache_size=0)
    off[0], off[0]
    assert off.cache_info()["hits"] == 0 and off.cache_info()["size"] == 0


def test_bad_files_flagged_and_skipped(corpus, tokenizer):
    expected = add_bad_files(corpus)
    ds = LazyWindowDataset(corpus, tokenizer, max_length=24, cache_size=64, return_tensors="pt")
    snap = ds.warm_up(progress=False)
    assert snap["files"] == N + 6 and snap["skipped"] == len(BAD_FILES) == 6
    assert {path: reason.split(":")[0] for path, reason in ds.skipped} == expected
    assert int(ds.index.bad.sum()) == 6
    bad_positions = [i for i in range(len(ds.index)) if ds.index.bad[i]]
    item = ds[bad_positions[0]]  # served from the next good file: real tokens only
    assert item["input_ids"].dtype == torch.long and item["input_ids"][0] == tokenizer.cls_token_id
    loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2, collate_fn=list)
    assert sum(len(batch) for batch in loader) == len(ds)
    with pytest.raises(IndexError, match="out of range"):
        ds[len(ds)]
    with pytest.raises(ValueError, match="cache_size=-1"):
        LazyWindowDataset(corpus, tokenizer, cache_size=-1)
