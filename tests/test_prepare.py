"""prepare: windows covering every token, report, cache hits/invalidation, bad files, export, CLI."""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_datasets_helpers import BAD_FILES, add_bad_files, make_corpus, make_events

from rrweb_hf.prepare import REPORT_NAME, export_dataset, export_sessions, prepare_windows, session_groups
from rrweb_hf.sessions import load_sessions
from rrweb_hf.tokenization_rrweb import RRWebTokenizer

N = 12


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tok")
    tok = RRWebTokenizer.train([make_events(i) for i in range(N)], text_vocab_size=300, show_progress=False)
    tok.save_pretrained(out)
    return out


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    make_corpus(root, N)
    return root


def _run(corpus, tokenizer, tmp_path, **kwargs):
    kwargs.setdefault("max_length", 32)
    kwargs.setdefault("stride", 4)
    kwargs.setdefault("cache_dir", tmp_path / "cache")
    kwargs.setdefault("progress", False)
    return prepare_windows(corpus, tokenizer, **kwargs)


def test_windows_cover_every_token(corpus, tokenizer_dir, tmp_path):
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    result = _run(corpus, tok, tmp_path, with_event_ids=True, validation_fraction=0.25)
    rows = [row for ds in result.dataset.values() for row in ds]
    by_session: dict[str, list[dict]] = {}
    for row in rows:
        by_session.setdefault(row["session_id"], []).append(row)
    assert len(by_session) == N
    total = 0
    for i in range(N):
        ids, event_ids = tok.encode_session(make_events(i))
        total += len(ids)
        windows = sorted(by_session[f"site{i % 2}/s{i:04d}"], key=lambda r: r["window_index"])
        assert len(windows) > 1  # the sessions are longer than one 32-token window
        prev_start, prev_end = -1, 0
        for w in windows:
            assert len(w["input_ids"]) <= 32
            assert w["input_ids"][0] == tok.cls_token_id and w["input_ids"][-1] == tok.sep_token_id
            assert w["special_tokens_mask"] == [1] + [0] * (len(w["input_ids"]) - 2) + [1]
            assert w["attention_mask"] == [1] * len(w["input_ids"])
            content = w["input_ids"][1:-1]
            # the window is a slice of the session starting inside the previous one, overlapping >= stride
            starts = [
                s
                for s in range(prev_start + 1, max(prev_end - 4, 0) + 1)
                if ids[s : s + len(content)] == content
            ]
            assert starts, f"window {w['window_index']} of session {i} is not an overlapping slice"
            prev_start, prev_end = starts[0], starts[0] + len(content)
            assert w["event_ids"] == [-1, *event_ids[prev_start:prev_end], -1]
            assert w["session_tokens"] == len(ids) and w["session_tokens_dropped"] == 0
        assert prev_end == len(ids)  # the last window reaches the last token
    report = result.report
    assert report["sessions"] == N and report["tokens"] == total and report["tokens_dropped"] == 0
    assert report["windows"] == len(rows) and report["skipped_files"] == 0
    assert set(report["splits"]) == {"train", "validation"}
    assert report["events"] == sum(len(make_events(i)) for i in range(N))


def test_max_windows_counts_dropped_tokens(corpus, tokenizer_dir, tmp_path):
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    result = _run(corpus, tok, tmp_path, max_windows=1, validation_fraction=0)
    lengths = [len(tok.encode_session(make_events(i))[0]) for i in range(N)]
    assert result.report["windows"] == N
    assert result.report["tokens_dropped"] == sum(n - 30 for n in lengths)


@pytest.mark.parametrize(
    "num_events, budget, expected",
    [
        ([], 4, ([], [])),
        ([3, 1, 1, 5, 9, 2], 4, ([0, 2, 4, 5], [2, 4, 5, 6])),
        ([0, 0, 0], 1, ([0], [3])),
        ([2, 2], 100, ([0], [2])),
        ([5, 5, 5], 1, ([0, 1, 2], [1, 2, 3])),
    ],
)
def test_session_groups(num_events, budget, expected):
    assert session_groups(num_events, budget) == expected


def test_record_batches_follow_the_data_not_the_file_count(corpus, tokenizer_dir, tmp_path):
    # Reading an Arrow file costs a few KB per record batch: one batch per file would make memory
    # grow with the file count. One group of sessions (8,192 events by default) is one batch here.
    grouped = _run(corpus, tokenizer_dir, tmp_path / "a", validation_fraction=0)
    table = grouped.dataset["train"].data.table
    assert table.column("input_ids").num_chunks == math.ceil(table.num_rows / 1000)  # map's writer_batch_size
    assert grouped.raw["train"].data.table.column("session_id").num_chunks == 1
    per_session = _run(corpus, tokenizer_dir, tmp_path / "b", validation_fraction=0, group_events=1)
    assert per_session.dataset["train"].data.table.column("input_ids").num_chunks == N
    # grouping changes the layout only, never the rows
    assert per_session.dataset["train"].to_dict() == grouped.dataset["train"].to_dict()


def test_cache_hit_and_invalidation(corpus, tokenizer_dir, tmp_path):
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    first = _run(corpus, tok, tmp_path, validation_fraction=0)
    assert not first.report["cache_hit"]
    again = _run(corpus, RRWebTokenizer.from_pretrained(tokenizer_dir), tmp_path, validation_fraction=0)
    assert again.report["cache_hit"]
    assert again.dataset["train"].cache_files == first.dataset["train"].cache_files
    assert again.report["tokens"] == first.report["tokens"]
    # another tokenizer (different vocabulary) recomputes
    other = RRWebTokenizer.train([make_events(i) for i in range(N)], text_vocab_size=280, show_progress=False)
    assert not _run(corpus, other, tmp_path, validation_fraction=0).report["cache_hit"]
    # other windowing settings recompute
    assert not _run(corpus, tok, tmp_path, validation_fraction=0, stride=2).report["cache_hit"]
    # an edited file recomputes, and the new content is in the rows
    path = corpus / "site1" / "s0001.json"
    path.write_text(json.dumps(make_events(1, n_incremental=40)))
    os.utime(path, ns=(1, 1))
    edited = _run(corpus, tok, tmp_path, validation_fraction=0)
    assert not edited.report["cache_hit"]
    assert edited.report["tokens"] > first.report["tokens"]


def test_bad_files_num_proc_and_wandb(corpus, tokenizer_dir, tmp_path, monkeypatch):
    from rrweb_hf.monitoring import init_wandb, read_wandb_history

    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    expected = add_bad_files(corpus)
    run = init_wandb(name="prepare-test", dir=tmp_path / "wb", mode="offline")
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    result = _run(corpus, tok, tmp_path, num_proc=2, wandb_run=run, validation_fraction=0.25)
    run.finish()
    report = result.report
    assert report["sessions"] == N and report["skipped_files"] == len(BAD_FILES) == 6
    assert {item["path"]: item["reason"].split(":")[0] for item in report["skipped"]} == expected
    serial = _run(corpus, tok, tmp_path / "serial", validation_fraction=0.25)
    key = lambda r: (r["session_id"], r["window_index"])  # noqa: E731
    for name in ("train", "validation"):
        assert sorted(map(key, result.dataset[name])) == sorted(map(key, serial.dataset[name]))
        assert sorted(result.dataset[name]["input_ids"][:]) == sorted(serial.dataset[name]["input_ids"][:])
    rows = read_wandb_history(Path(run.dir).parent)
    last = rows[-1]
    assert last["prepare/files"] == N + 6 and last["prepare/skipped"] == 6  # one update per file
    assert last["prepare/sessions"] == N and last["prepare/tokens"] == report["tokens"]
    assert last["prepare/windows"] == report["windows"] and last["prepare/truncated_tokens"] == 0
    assert last["prepare/memory_mb"] > 10 and last["prepare/elapsed_s"] > 0
    assert len(rows) >= N + 6  # small corpus: logged on every file (plus the final snapshot)


STOCK_LOADER = r"""
import json, sys
import datasets
out, split_files = sys.argv[1], json.loads(sys.argv[2])
a = datasets.load_dataset(out)
b = datasets.load_dataset("parquet", data_files=split_files)
assert "rrweb_hf" not in sys.modules, "rrweb_hf was imported"
print(json.dumps({
    "splits": {k: v.num_rows for k, v in a.items()},
    "parquet_splits": {k: v.num_rows for k, v in b.items()},
    "features": {k: str(v) for k, v in a["train"].features.items()},
    "first": a["train"][0],
    "rrweb_hf_loaded": "rrweb_hf" in sys.modules,
}))
"""


def _stock_load(out: Path, tmp_path: Path) -> dict:
    split_files = {path.name.split("-")[0]: str(path) for path in sorted((out / "data").glob("*.parquet"))}
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_CACHE=str(tmp_path / "stock-cache"))
    proc = subprocess.run(
        [sys.executable, "-c", STOCK_LOADER, str(out), json.dumps(split_files)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_export_loads_with_stock_datasets(corpus, tokenizer_dir, tmp_path):
    add_bad_files(corpus)
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    result = _run(corpus, tok, tmp_path, validation_fraction=0.25, with_event_ids=True)
    out = export_dataset(result.dataset, tmp_path / "windows", report=result.report, max_rows_per_shard=40)
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and "configs:" in card and "data_files:" in card and "input_ids" in card
    assert "| sessions | 12 |" in card
    saved = json.loads((out / REPORT_NAME).read_text())
    assert saved["skipped_files"] == 6 and saved["windows"] == result.report["windows"]
    assert len(list((out / "data").glob("train-*.parquet"))) > 1  # sharded
    loaded = _stock_load(out, tmp_path)
    assert loaded["splits"] == {k: v.num_rows for k, v in result.dataset.items()}
    assert loaded["features"]["input_ids"] == "List(Value('int32'))"
    first = result.dataset["train"][0]
    assert (
        loaded["first"]["input_ids"] == first["input_ids"]
        and loaded["first"]["event_ids"] == first["event_ids"]
    )
    assert not loaded["rrweb_hf_loaded"]
    # raw sessions export the same way; events survive as JSON
    raw, skipped = load_sessions(
        corpus, validation_fraction=0, cache_dir=tmp_path / "cache", return_skipped=True
    )
    raw_out = export_sessions(raw, tmp_path / "raw", skipped)
    loaded = _stock_load(raw_out, tmp_path)
    assert loaded["splits"] == {"train": N} and loaded["features"]["events"] == "Json(decode=True)"
    assert loaded["first"]["events"] == raw["train"][0]["events"]
    assert json.loads((raw_out / REPORT_NAME).read_text())["skipped_files"] == 6


def _cli(module, argv):
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return module.run(parser.parse_args(argv))


def test_cli_prepare_and_strict(corpus, tokenizer_dir, tmp_path, capsys):
    from rrweb_hf.cli import export_sessions as export_cli
    from rrweb_hf.cli import prepare as prepare_cli

    add_bad_files(corpus)
    out = tmp_path / "out"
    argv = [
        str(corpus),
        "--tokenizer",
        str(tokenizer_dir),
        "--out",
        str(out),
        "--max-length",
        "32",
        "--stride",
        "4",
        "--no-progress",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert _cli(prepare_cli, argv) == 0
    text = capsys.readouterr().out
    assert "sessions: 12" in text and "skipped files: 6" in text and "bad/empty.json: not valid JSON" in text
    assert (out / REPORT_NAME).is_file() and (out / "README.md").is_file()
    assert _cli(prepare_cli, [*argv, "--strict"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("error: ") and "bad/broken.json.gz: broken gzip" in err
    )  # the first bad file, sorted
    assert _cli(prepare_cli, [str(corpus), "--tokenizer", str(tmp_path / "nope"), "--out", str(out)]) == 1
    assert "tokenizer_config.json" in capsys.readouterr().err
    assert (
        _cli(
            export_cli, [str(corpus), "--out", str(tmp_path / "raw"), "--cache-dir", str(tmp_path / "cache")]
        )
        == 0
    )
    assert "skipped files: 6" in capsys.readouterr().out


def test_export_leaves_out_empty_splits_so_stock_load_dataset_works(tmp_path):
    import datasets

    ds = datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"input_ids": [[2, 5, 3], [2, 6, 3]]}),
            "test": datasets.Dataset.from_dict({"input_ids": [[2, 3]]}).select([]),
        }
    )
    out = export_dataset(ds, tmp_path / "out")
    loaded = datasets.load_dataset(str(out))
    assert list(loaded) == ["train"]
    assert loaded["train"]["input_ids"][:] == [[2, 5, 3], [2, 6, 3]]
    assert "Empty splits, not included: test." in (out / "README.md").read_text()


@pytest.mark.parametrize("num_proc", [None, 2])
def test_a_file_changed_after_the_index_was_built_is_in_the_skipped_list(
    corpus, tokenizer_dir, tmp_path, num_proc
):
    tok = RRWebTokenizer.from_pretrained(tokenizer_dir)
    first = _run(corpus, tok, tmp_path, validation_fraction=0)
    assert first.report["skipped"] == []
    # same size and mtime: the cached session index still matches, but the file is no longer JSON
    path = corpus / "site1" / "s0001.json"
    stat = path.stat()
    path.write_bytes(b"{" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # other windows settings: the windows are recomputed from the (cached) index
    second = _run(corpus, tok, tmp_path, validation_fraction=0, stride=2, num_proc=num_proc)
    [item] = second.report["skipped"]
    assert item["path"] == "site1/s0001.json"
    assert item["reason"].startswith("changed since the index was built: not valid JSON: ")
    assert second.report["skipped_files"] == 1
    assert second.report["sessions"] == first.report["sessions"] - 1


def test_dataset_card_is_rendered_from_the_report(tmp_path):
    import datasets

    ds = datasets.DatasetDict(
        {"train": datasets.Dataset.from_dict({"x": [1, 2]}), "test": datasets.Dataset.from_dict({"x": []})}
    )
    report = {"sessions": 3, "windows": 5, "tokens_dropped": 0, "skipped": [], "seconds": 1.5}
    out = export_dataset(ds, tmp_path / "out", report=report, title="shop sessions")
    text = (out / "README.md").read_text()
    body = text.split("---\n", 2)[2]
    assert body.startswith("\n# shop sessions\n")
    assert "| sessions | 3 |\n| windows | 5 |\n| tokens_dropped | 0 |\n\nSkipped files" in body
    assert "Empty splits, not included: test." in body and "seconds" not in body
    assert json.loads((out / REPORT_NAME).read_text()) == report
