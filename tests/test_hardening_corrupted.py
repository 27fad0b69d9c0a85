"""A corpus with 10% broken files through stats, train-tokenizer, prepare and pretrain (the CLI, in-process).

Every valid session is used, every broken file is listed with its reason, the exit status is 0 with a
summary; ``--strict`` (stats, prepare, export-sessions) exits 1 at the first bad file.
Depends on: tests/test_datasets_helpers.py (make_corpus, make_events), tests/pretrain_chain.py (tiny BERT).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import datasets
import pytest
from pretrain_chain import TINY_OVERRIDES
from test_datasets_helpers import make_corpus, make_events

from rrweb_hf.cli import main

GOOD_FILES = 54
#: relative path -> reason category: 6 broken of 60 files (10%), each broken in a different way.
BROKEN = {
    "bad/a_truncated.json": "not valid JSON",
    "bad/b_empty.json": "not valid JSON",
    "bad/c_not_rrweb.json": "not rrweb events",
    "bad/d_broken.json.gz": "broken gzip",
    "bad/e_type_not_int.json": "not rrweb events",
    "bad/f_lines.jsonl:3": "not valid JSON",  # one bad line; the file's other lines are a good session
}
SESSIONS = GOOD_FILES + 1  # + the JSONL file's session


def _write_broken(root: Path) -> None:
    bad = root / "bad"
    bad.mkdir()
    (bad / "a_truncated.json").write_text(json.dumps(make_events(901))[:200])
    (bad / "b_empty.json").write_bytes(b"")
    (bad / "c_not_rrweb.json").write_text(json.dumps({"name": "package", "version": "1.0"}))
    (bad / "d_broken.json.gz").write_bytes(gzip.compress(json.dumps(make_events(902)).encode())[:80])
    events = make_events(903)
    events[2]["type"] = "3"
    (bad / "e_type_not_int.json").write_text(json.dumps(events))
    lines = [json.dumps(e) for e in make_events(904)]
    lines.insert(2, '{"type": 3, "data": {"source": 1')
    (bad / "f_lines.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corrupted") / "corpus"
    make_corpus(root, GOOD_FILES, sites=3, gz_every=3)
    _write_broken(root)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == 60
    return root


def _rel(corpus: Path, items) -> dict[str, str]:
    out = {}
    for path, reason in items:
        path = Path(path)
        rel = path.relative_to(corpus).as_posix() if path.is_absolute() else path.as_posix()
        out[rel] = reason.split(":")[0]
    return out


def test_stats_lists_every_broken_file(corpus, capsys):
    assert main(["stats", str(corpus), "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["files"], out["sessions"]) == (60, SESSIONS)
    assert _rel(corpus, [(s["path"], s["reason"]) for s in out["skipped"]]) == BROKEN
    assert main(["stats", str(corpus), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "skipped files: 6" in text
    for rel in BROKEN:
        assert rel in text


def test_stats_strict_stops_at_the_first_bad_file(corpus, capsys):
    assert main(["stats", str(corpus), "--strict", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad/a_truncated.json" in err and "not valid JSON" in err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def tokenizer_dir(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corrupted_tok") / "tok"
    assert (
        main(["train-tokenizer", str(corpus), "--out", str(out), "--text-vocab-size", "300", "--no-progress"])
        == 0
    )
    return out


def test_train_tokenizer_uses_every_valid_session(corpus, tmp_path, capsys):
    out = tmp_path / "tok"
    code = main(
        ["train-tokenizer", str(corpus), "--out", str(out), "--text-vocab-size", "300", "--no-progress"]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert f"sessions: {SESSIONS} " in text and "skipped files: 6" in text
    listed = [line for line in text.splitlines() if line.startswith("  skipped ")]
    assert len(listed) == len(BROKEN)
    for rel, category in BROKEN.items():
        assert sum(line.startswith(f"  skipped {corpus / rel}: {category}") for line in listed) == 1, rel
    assert (out / "tokenizer_config.json").is_file()


@pytest.fixture(scope="module")
def prepared(corpus, tokenizer_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("corrupted_ds")
    out = root / "ds"
    argv = [
        "prepare",
        str(corpus),
        "--tokenizer",
        str(tokenizer_dir),
        "--out",
        str(out),
        "--max-length",
        "64",
        "--stride",
        "8",
        "--validation-fraction",
        "0.2",
        "--cache-dir",
        str(root / "cache"),
        "--no-progress",
    ]
    assert main(argv) == 0
    return out, root


def test_prepare_uses_every_valid_session_and_reports_the_rest(corpus, prepared):
    out, _ = prepared
    report = json.loads((out / "prepare_report.json").read_text())
    assert report["sessions"] == SESSIONS
    assert report["skipped_files"] == len(report["skipped"])
    got = _rel(corpus, [(s["path"], s["reason"]) for s in report["skipped"]])
    assert got == BROKEN, got  # the bad JSONL line is listed as path:line, like stats does
    assert report["skipped_files"] == 6
    dsd = datasets.load_dataset(str(out))
    ids = {sid for split in dsd.values() for sid in split["session_id"]}
    assert len(ids) == SESSIONS
    assert sum(split["sessions"] for split in report["splits"].values()) == SESSIONS


def test_prepare_strict_stops_at_the_first_bad_file(corpus, tokenizer_dir, tmp_path, capsys):
    argv = [
        "prepare",
        str(corpus),
        "--tokenizer",
        str(tokenizer_dir),
        "--out",
        str(tmp_path / "ds"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--strict",
        "--no-progress",
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "a_truncated.json" in err and "not valid JSON" in err
    assert not (tmp_path / "ds").exists()


def test_export_sessions_strict_stops_at_the_first_bad_file(corpus, tmp_path, capsys):
    argv = [
        "export-sessions",
        str(corpus),
        "--out",
        str(tmp_path / "s"),
        "--cache-dir",
        str(tmp_path / "c"),
        "--strict",
    ]
    assert main(argv) == 1
    assert "a_truncated.json" in capsys.readouterr().err


def test_pretrain_on_the_dataset_of_the_corrupted_corpus(prepared, tokenizer_dir, capsys, monkeypatch):
    out, root = prepared
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(root))
    model = root / "model"
    argv = [
        "pretrain",
        "--dataset",
        str(out),
        "--tokenizer",
        str(tokenizer_dir),
        "--output_dir",
        str(model),
        "--config_overrides",
        TINY_OVERRIDES,
        "--max_steps",
        "6",
        "--per_device_train_batch_size",
        "8",
        "--report_to",
        "none",
        "--disable_tqdm",
        "true",
        "--save_strategy",
        "no",
        "--eval_strategy",
        "no",
    ]
    assert main(argv) == 0
    assert (model / "model.safetensors").is_file()
    assert json.loads((model / "trainer_state.json").read_text())["global_step"] == 6
