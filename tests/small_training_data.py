"""Test helper: a small corpus, its tokenizer and its prepared dataset, built once per test session.

The corpus is ``pretrain_chain.make_corpus`` (the smallest bundled recordings cut to 150 events, or the
synthetic sessions when the bundled corpus is missing); no training happens here, so the distributed and
streaming tests pay only for their own runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from pretrain_chain import MAX_LENGTH, TINY_OVERRIDES, make_corpus, set_offline_env

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pretrain.py"
#: The session split of the test data (the same fractions for prepare and for --streaming).
VALIDATION_FRACTION = 0.25
TEST_FRACTION = 0.25
STRIDE = 8
_CACHE: dict[str, dict] = {}


def build_small_data(tmp_path_factory) -> dict:
    """``{"root", "corpus", "tokenizer", "dataset"}`` (paths), built once per test session."""
    if "data" in _CACHE:
        return _CACHE["data"]
    import rrweb_hf
    from rrweb_hf.prepare import export_dataset, prepare_windows
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    root = tmp_path_factory.mktemp("small_data")
    set_offline_env(root)
    corpus = make_corpus(root)
    tokenizer = RRWebTokenizer.train(
        list(rrweb_hf.walk_corpus(corpus)), text_vocab_size=400, model_max_length=MAX_LENGTH
    )
    tokenizer.save_pretrained(str(root / "tokenizer"))
    prepared = prepare_windows(
        corpus,
        tokenizer,
        max_length=MAX_LENGTH,
        stride=STRIDE,
        validation_fraction=VALIDATION_FRACTION,
        test_fraction=TEST_FRACTION,
        with_event_ids=True,
        cache_dir=root / "hf_cache",
    )
    export_dataset(prepared.dataset, root / "dataset", report=prepared.report, title="test windows")
    _CACHE["data"] = {
        "root": root,
        "corpus": corpus,
        "tokenizer": root / "tokenizer",
        "dataset": root / "dataset",
    }
    return _CACHE["data"]


def training_flags(out: Path, max_steps: int, batch_size: int, *extra: str) -> list[str]:
    """Flags of ``scripts/pretrain.py`` for a tiny, quiet, deterministic run."""
    return [
        "--output_dir",
        str(out),
        "--config_overrides",
        TINY_OVERRIDES,
        "--max_steps",
        str(max_steps),
        "--per_device_train_batch_size",
        str(batch_size),
        "--learning_rate",
        "3e-3",
        "--logging_steps",
        "1",
        "--disable_tqdm",
        "true",
        "--seed",
        "42",
        *extra,
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def torchrun(nproc: int) -> list[str]:
    """``torchrun --nproc_per_node N scripts/pretrain.py`` (through this interpreter, on a free port)."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        str(nproc),
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(free_port()),
        str(SCRIPT),
    ]


def launch_env(root: Path) -> dict:
    """Environment of a launched run: offline, one thread per process (2 shared cores)."""
    return dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        WANDB_MODE="offline",
        WANDB_DIR=str(root),
        HF_DATASETS_CACHE=str(root / "hf_cache"),
        OMP_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
    )


def run(cmd: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def kill_rank_when_ready(cmd: list[str], env: dict, rank: int, ready, timeout: float) -> int:
    """Start a launcher, SIGKILL the worker process of ``rank`` once ``ready()``; the launcher's exit status.

    Fails the test when the run ends before it could be killed (with the tail of its stderr) or is not ready
    after ``timeout`` seconds. Whatever is left of the run afterwards is killed.
    """
    with tempfile.TemporaryFile() as stderr:
        launcher = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        tree = psutil.Process(launcher.pid)
        deadline = time.monotonic() + timeout
        try:
            while not ready():
                if launcher.poll() is not None:
                    stderr.seek(0)
                    pytest.fail("the run ended before it could be killed:\n" + stderr.read().decode()[-2000:])
                if time.monotonic() > deadline:
                    pytest.fail(f"the run was not ready to be killed within {timeout} s")
                time.sleep(0.05)
            workers = [
                p
                for p in tree.children(recursive=True)
                if p.environ().get("RANK") == str(rank) and "LOCAL_RANK" in p.environ()
            ]
            assert len(workers) == 1, workers
            workers[0].send_signal(signal.SIGKILL)
            return launcher.wait(timeout=120)
        finally:
            if launcher.poll() is None:
                for process in tree.children(recursive=True) + [tree]:
                    process.kill()
                launcher.wait()
