"""The raw-session builder and load_sessions: features, content-keyed cache, split, streaming, bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import datasets
import pytest
import torch
from datasets.distributed import split_dataset_by_node
from test_datasets_helpers import add_bad_files, make_corpus, make_events

from rrweb_hf.readers import SessionReadError
from rrweb_hf.sessions import SESSION_FEATURES, RRWebSessions, exact_events, load_sessions, split_of


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    make_corpus(root, 12)
    return root


def _ids(dsd) -> dict[str, list[str]]:
    return {name: sorted(ds["session_id"][:]) for name, ds in dsd.items()}


def test_rows_features_and_values(corpus, tmp_path):
    dsd = load_sessions(corpus, validation_fraction=0.0, cache_dir=tmp_path / "cache")
    assert list(dsd) == ["train"]
    ds = dsd["train"]
    assert ds.features == SESSION_FEATURES
    assert isinstance(ds.features["events"], datasets.Json)
    assert ds.num_rows == 12
    row = ds.filter(lambda r: r["session_id"] == "site0/s0000")[0]
    events = make_events(0)
    assert row["events"] == events  # heterogeneous payloads survive exactly
    assert row["path"] == "site0/s0000.json.gz"
    assert row["num_events"] == len(events)
    assert row["start_timestamp"] == events[0]["timestamp"]
    assert row["duration_ms"] == events[-1]["timestamp"] - events[0]["timestamp"]


def test_split_is_deterministic_disjoint_and_configurable(corpus, tmp_path):
    dsd = load_sessions(corpus, validation_fraction=0.3, test_fraction=0.2, cache_dir=tmp_path / "c1")
    ids = _ids(dsd)
    assert set(dsd) == {"train", "validation", "test"}
    everything = [s for split in ids.values() for s in split]
    assert sorted(everything) == sorted(set(everything)) and len(everything) == 12
    for name, split_ids in ids.items():
        assert all(split_of(s, 0.3, 0.2, "rrweb_hf") == name for s in split_ids)
    # a fresh cache and a different hash seed give the same split (no Python hash())
    code = (
        "from rrweb_hf.sessions import split_of;"
        f"print(','.join(split_of(s, 0.3, 0.2, 'rrweb_hf') for s in {everything!r}))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(",") == [split_of(s, 0.3, 0.2, "rrweb_hf") for s in everything]
    other = load_sessions(
        corpus, validation_fraction=0.3, test_fraction=0.2, split_seed="other", cache_dir=tmp_path / "c1"
    )
    assert _ids(other) != ids
    with pytest.raises(ValueError, match="validation_fraction"):
        load_sessions(corpus, validation_fraction=1.5, cache_dir=tmp_path / "c1")


def test_cache_follows_content(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    again = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    assert again.cache_files == first.cache_files  # unchanged input: same cache files
    # edit a file (new content, same name)
    edited = corpus / "site1" / "s0001.json"
    events = make_events(1)
    events[0]["data"]["href"] = "https://edited.example/"
    edited.write_text(json.dumps(events))
    os.utime(edited, ns=(1, 1))  # a different mtime even on coarse clocks
    ds = load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]
    row = ds.filter(lambda r: r["session_id"] == "site1/s0001")[0]
    assert row["events"][0]["data"]["href"] == "https://edited.example/"
    # add and remove files
    (corpus / "site1" / "new.json").write_text(json.dumps(make_events(50)))
    (corpus / "site0" / "s0000.json.gz").unlink()
    ids = set(load_sessions(corpus, validation_fraction=0.0, cache_dir=cache)["train"]["session_id"][:])
    assert "site1/new" in ids and "site0/s0000" not in ids and len(ids) == 12


def test_bad_files_are_skipped_and_counted(corpus, tmp_path):
    expected = add_bad_files(corpus)
    dsd, skipped = load_sessions(
        corpus, validation_fraction=0.25, cache_dir=tmp_path / "c", return_skipped=True
    )
    assert sum(ds.num_rows for ds in dsd.values()) == 12
    assert "error" not in dsd["train"].column_names
    assert {path: reason.split(":")[0] for path, reason in skipped} == expected
    assert len(skipped) == 6
    # strict: fails on the first bad file, also when the build is cached
    with pytest.raises(SessionReadError, match="bad/"):
        load_sessions(corpus, validation_fraction=0.25, cache_dir=tmp_path / "c", strict=True)
    with pytest.raises(SessionReadError, match="bad/"):
        load_sessions(corpus, validation_fraction=0.25, cache_dir=tmp_path / "fresh", strict=True)


def test_builder_is_usable_directly_with_num_proc(corpus, tmp_path):
    builder = RRWebSessions(corpus=str(corpus), validation_fraction=0.0, cache_dir=str(tmp_path / "c"))
    builder.download_and_prepare(num_proc=2)
    ds = builder.as_dataset("train")
    assert ds.num_rows == 12 and ds.features == SESSION_FEATURES
    glob_ds = load_sessions(f"{corpus}/site0/*.json*", validation_fraction=0.0, cache_dir=tmp_path / "c")
    assert sorted(glob_ds["train"]["session_id"][:]) == [f"s{i:04d}" for i in range(0, 12, 2)]


def _collate(rows):
    return [row["session_id"] for row in rows]


def test_streaming_sharded_per_file_with_dataloader_and_nodes(corpus, tmp_path):
    add_bad_files(corpus)
    stream = load_sessions(corpus, validation_fraction=0.0, streaming=True)["train"]
    assert isinstance(stream, datasets.IterableDataset)
    assert stream.num_shards == 18  # one shard per file, bad ones included (they yield nothing)
    expected = sorted(f"site{i % 2}/s{i:04d}" for i in range(12))
    assert sorted(row["session_id"] for row in stream) == expected
    loader = torch.utils.data.DataLoader(stream, batch_size=2, num_workers=2, collate_fn=_collate)
    assert sorted(s for batch in loader for s in batch) == expected
    parts = [split_dataset_by_node(stream, rank=rank, world_size=3) for rank in range(3)]
    seen = [sorted(row["session_id"] for row in part) for part in parts]
    assert all(part.num_shards == 6 for part in parts)  # disjoint file shards per node
    assert sorted(s for part in seen for s in part) == expected
    assert not set(seen[0]) & set(seen[1]) and not set(seen[1]) & set(seen[2])


def test_bundled_recordings_when_present(tmp_path):
    import shutil

    from rrweb_hf import read_session, sample_corpus

    found = sorted(sample_corpus().rglob("*.json.gz"), key=lambda p: p.stat().st_size)[:2]
    assert found, f"no recordings in {sample_corpus()}: the package was built without its corpus"
    root = tmp_path / "corpus"
    for path in found:  # copies: never write into the bundled folder
        (root / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, root / path.parent.name / path.name)
    ds = load_sessions(root, validation_fraction=0.0, cache_dir=tmp_path / "c")["train"]
    assert ds.num_rows == len(found)
    for i, row in enumerate(ds):
        session = read_session(root / row["path"])
        assert row["num_events"] == session.num_events
        assert exact_events(ds, i) == session.events  # bit-exact, floats included
