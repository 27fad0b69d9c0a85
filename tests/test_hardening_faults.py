"""Faults during long runs: SIGKILL in prepare and in pretraining, unwritable and full output disks.

(a) ``rrweb-hf prepare`` killed with SIGKILL while tokenizing, then run again with the same cache,
    writes the same dataset as an uninterrupted run (every row of every split, in order).
(b) ``scripts/pretrain.py`` killed after a checkpoint and resumed reaches the same final step and a
    final eval loss close to an uninterrupted run with the same seed (the step-only check and its setup
    are in tests/test_pretrain_resume.py; the command and chain are reused from there).
(c) an output folder under a regular file, on a read-only file system, or on a full disk (a 1 MiB
    tmpfs, mounted when the tests run as root): every writing command stops at once with
    ``error: ...`` and exit 1, before reading the corpus or training.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pytest
from killing import kill_when_ready
from pretrain_chain import TINY_OVERRIDES, build_chain
from test_datasets_helpers import make_corpus
from test_pretrain_resume import MAX_STEPS, _command

from rrweb_hf.io_checks import OutputDirError, ensure_writable_dir
from rrweb_hf.pretrain import checkpoint_is_complete


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "rrweb_hf", *args]


def _env(tmp: Path) -> dict:
    return dict(
        os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", WANDB_MODE="offline", WANDB_DIR=str(tmp)
    )


def _all_rows(folder: Path) -> dict[str, list[dict]]:
    return {name: ds.to_list() for name, ds in datasets.load_dataset(str(folder)).items()}


# ---------------------------------------------------------------- (a) prepare killed and restarted


def test_prepare_killed_with_sigkill_then_rerun_gives_the_same_dataset(tiny_tokenizer_dir, tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 160, sites=4, gz_every=4, n_incremental=500)
    env = _env(tmp_path)

    def prepare(out: Path, cache: Path) -> list[str]:
        return _cli(
            "prepare",
            str(corpus),
            "--tokenizer",
            str(tiny_tokenizer_dir),
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
            "--max-length",
            "32",
            "--stride",
            "4",
            "--validation-fraction",
            "0.2",
            "--test-fraction",
            "0.1",
            "--no-progress",
        )

    reference = subprocess.run(
        prepare(tmp_path / "ref", tmp_path / "ref_cache"),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert reference.returncode == 0, reference.stderr[-3000:]

    out, cache = tmp_path / "ds", tmp_path / "cache"
    kill_when_ready(  # once the session index is built, tokenizing has started
        prepare(out, cache),
        env,
        lambda: bool(list(cache.rglob("rrweb_sessions-train.arrow"))),
        timeout=120,
        what="prepare",
    )
    assert not (out / "prepare_report.json").exists(), "the killed run must not have finished"

    rerun = subprocess.run(prepare(out, cache), env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    got, want = _all_rows(out), _all_rows(tmp_path / "ref")
    assert sorted(got) == sorted(want) == ["test", "train", "validation"]
    for split in want:
        assert len(got[split]) == len(want[split]), split
        assert got[split] == want[split], split
    keys = [(r["session_id"], r["window_index"]) for rows in got.values() for r in rows]
    assert len(keys) == len(set(keys))  # no duplicated window
    report = json.loads((out / "prepare_report.json").read_text())
    assert report["sessions"] == 160
    assert report["windows"] == json.loads((tmp_path / "ref" / "prepare_report.json").read_text())["windows"]


# ---------------------------------------------------------------- (b) pretraining killed and resumed


def _final_eval(out: Path) -> dict:
    return json.loads((out / "eval_results.json").read_text())


def test_pretraining_killed_and_resumed_matches_an_uninterrupted_run(tmp_path_factory, tmp_path):
    chain = build_chain(tmp_path_factory)
    env = _env(tmp_path)
    extra = ("--final_eval", "true", "--max_final_eval_samples", "32", "--seed", "11")
    whole = subprocess.run(
        _command(chain, tmp_path / "whole", *extra), env=env, capture_output=True, text=True, timeout=400
    )
    assert whole.returncode == 0, whole.stderr[-3000:]

    out = tmp_path / "killed"
    kill_when_ready(
        _command(chain, out, *extra),
        env,
        lambda: out.is_dir() and any(checkpoint_is_complete(p) for p in out.glob("checkpoint-*")),
        timeout=240,
        what="training",
    )
    assert not (out / "eval_results.json").exists()
    resumed = subprocess.run(
        _command(chain, out, *extra, "--resume"), env=env, capture_output=True, text=True, timeout=400
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    info = json.loads((out / "run_info.json").read_text())
    assert 0 < info["resumed_from_step"] < MAX_STEPS
    steps = [
        json.loads((d / "trainer_state.json").read_text())["global_step"] for d in (tmp_path / "whole", out)
    ]
    assert steps == [MAX_STEPS, MAX_STEPS]
    a, b = _final_eval(tmp_path / "whole"), _final_eval(out)
    assert a["masked_tokens"] == b["masked_tokens"]  # the same evaluation windows and masks
    loss_a, loss_b = a["metrics"]["model"]["loss"], b["metrics"]["model"]["loss"]
    print(f"final eval loss: uninterrupted {loss_a:.5f}, killed and resumed {loss_b:.5f}")
    assert abs(loss_a - loss_b) <= 0.02 * loss_a, (loss_a, loss_b)


# ---------------------------------------------------------------- (c) unwritable output, full disk


def _writing_commands(corpus: Path, tokenizer_dir: Path, out: Path) -> dict[str, list[str]]:
    return {
        "train-tokenizer": ["train-tokenizer", str(corpus), "--out", str(out), "--text-vocab-size", "300"],
        "prepare": ["prepare", str(corpus), "--tokenizer", str(tokenizer_dir), "--out", str(out)],
        "export-sessions": ["export-sessions", str(corpus), "--out", str(out)],
        "pretrain": [
            "pretrain",
            "--dataset",
            str(corpus),
            "--tokenizer",
            str(tokenizer_dir),
            "--output_dir",
            str(out),
            "--config_overrides",
            TINY_OVERRIDES,
            "--max_steps",
            "2",
        ],
        "run-all": ["run-all", str(corpus), "--out", str(out), "--max-steps", "2"],
    }


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("faults_corpus")
    make_corpus(root, 4)
    return root


def _check_refused(argv: list[str], out: Path, capsys, expect: str) -> None:
    from rrweb_hf.cli import main

    start = time.perf_counter()
    code = main([*argv, "--no-progress"] if argv[0] in ("prepare", "train-tokenizer", "run-all") else argv)
    captured = capsys.readouterr()
    assert code == 1, (argv[0], captured.err[-2000:])
    assert captured.err.startswith("error: ") and expect in captured.err and str(out) in captured.err, (
        captured.err
    )
    assert "Traceback" not in captured.err
    assert time.perf_counter() - start < 5, "refused before any work"
    assert not (out.exists() and any(out.iterdir()))


@pytest.mark.parametrize("command", ["train-tokenizer", "prepare", "export-sessions", "pretrain", "run-all"])
def test_output_under_a_regular_file_is_refused_before_work(
    command, small_corpus, tiny_tokenizer_dir, tmp_path, capsys
):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "sub"
    _check_refused(
        _writing_commands(small_corpus, tiny_tokenizer_dir, out)[command], out, capsys, "is not a folder"
    )


def test_read_only_file_system_is_refused(small_corpus, tiny_tokenizer_dir, capsys):
    out = Path("/proc/self/rrweb_hf_out")  # not writable even for root
    _check_refused(
        _writing_commands(small_corpus, tiny_tokenizer_dir, out)["prepare"], out, capsys, "not writable"
    )


@pytest.fixture
def tiny_tmpfs(tmp_path):
    mount = tmp_path / "tiny_disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("command", ["train-tokenizer", "prepare", "pretrain"])
def test_full_disk_is_refused_before_work(command, tiny_tmpfs, small_corpus, tiny_tokenizer_dir, capsys):
    out = tiny_tmpfs / "out"
    _check_refused(_writing_commands(small_corpus, tiny_tokenizer_dir, out)[command], out, capsys, "MiB free")


def test_completely_full_disk_fails_the_probe_write(tiny_tmpfs):
    filler = tiny_tmpfs / "filler"
    with pytest.raises(OSError):
        with open(filler, "wb") as fh:
            fh.write(b"\0" * (2 << 20))
            fh.flush()
            os.fsync(fh.fileno())
    with pytest.raises(OutputDirError, match="is not writable .*choose another output folder"):
        ensure_writable_dir(tiny_tmpfs / "out", min_free_bytes=0)


def test_ensure_writable_dir_accepts_a_normal_folder_and_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b"
    assert ensure_writable_dir(target) == target
    assert not (tmp_path / "a").exists() and list(tmp_path.iterdir()) == []
