"""Progress counters, throttled wandb logging, and reading an offline wandb run back."""

from __future__ import annotations

from pathlib import Path

import pytest

from rrweb_hf.monitoring import Progress, init_wandb, iter_wandb_records, read_wandb_history


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.delenv("WANDB_MODE", raising=False)  # the default must be offline without a key
    return tmp_path


def test_counters_and_unknown_counter():
    progress = Progress(total=3, progress=False)
    progress.update(events=5, tokens=50, bytes=1024)
    progress.update(events=7, tokens=70, truncated_tokens=3)
    snap = progress.snapshot()
    assert (snap["files"], snap["events"], snap["tokens"], snap["truncated_tokens"]) == (2, 12, 120, 3)
    assert snap["memory_mb"] > 10 and snap["elapsed_s"] > 0 and snap["files_per_s"] > 0
    with pytest.raises(KeyError, match="unknown counter 'tokenz'"):
        progress.update(tokenz=1)
    progress.close()


def test_offline_run_is_read_back(offline):
    run = init_wandb(name="t", config={"corpus": "x"}, job_type="test", dir=offline)
    assert run.settings.mode == "offline"
    with Progress(total=4, desc="prep", progress=False, wandb_run=run) as progress:  # small: log per file
        for i in range(4):
            progress.update(events=10 + i, tokens=100, skipped=int(i == 2), truncated_tokens=i)
    run.finish()
    run_dir = Path(run.dir).parent
    assert run_dir.is_relative_to(offline)
    rows = read_wandb_history(run_dir)
    assert len(rows) == 5  # one per file, plus the final snapshot on close
    assert [r["prep/files"] for r in rows] == [1, 2, 3, 4, 4]
    last = rows[-1]
    assert last["prep/events"] == 46 and last["prep/tokens"] == 400
    assert last["prep/skipped"] == 1 and last["prep/truncated_tokens"] == 6
    assert last["prep/memory_mb"] > 10 and last["prep/elapsed_s"] > 0 and last["prep/files_per_s"] > 0
    kinds = [r.WhichOneof("record_type") for r in iter_wandb_records(next(run_dir.glob("*.wandb")))]
    assert kinds[-1] == "exit"


def test_logging_is_throttled_for_large_corpora(offline):
    run = init_wandb(name="big", dir=offline)
    with Progress(total=10_000, desc="big", progress=False, wandb_run=run, log_every_s=60) as progress:
        for _ in range(500):
            progress.update(events=1)
    run.finish()
    rows = read_wandb_history(Path(run.dir).parent)
    assert len(rows) == 2  # the first update, then only the final snapshot within 60 s
    assert rows[-1]["big/files"] == 500 and progress.logs == 2


def test_reader_rejects_other_files(tmp_path):
    bad = tmp_path / "x.wandb"
    bad.write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not a wandb run log"):
        list(iter_wandb_records(bad))
