"""Kill a real training run with SIGKILL after a checkpoint, resume it with --resume (scripts/pretrain.py).

Depends on: rrweb_hf/tokenization_rrweb.py and rrweb_hf/prepare.py (through tests/pretrain_chain.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from killing import kill_when_ready
from pretrain_chain import TINY_OVERRIDES, build_chain

from rrweb_hf.pretrain import checkpoint_is_complete, find_resume_checkpoint

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pretrain.py"
MAX_STEPS = 20


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def _command(chain, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(SCRIPT),
        "--dataset",
        str(chain["dataset"]),
        "--tokenizer",
        str(chain["tokenizer"]),
        "--output_dir",
        str(out),
        "--config_overrides",
        TINY_OVERRIDES,
        "--max_steps",
        str(MAX_STEPS),
        "--save_steps",
        "4",
        "--save_total_limit",
        "2",
        "--per_device_train_batch_size",
        "4",
        "--eval_strategy",
        "no",
        "--logging_steps",
        "4",
        "--disable_tqdm",
        "true",
        "--final_eval",
        "false",
        *extra,
    ]


def test_sigkill_then_resume_continues_at_the_same_step(chain, tmp_path):
    out = tmp_path / "model"
    env = dict(os.environ, HF_HUB_OFFLINE="1", WANDB_MODE="offline", WANDB_DIR=str(tmp_path))
    kill_when_ready(
        _command(chain, out),
        env,
        lambda: out.is_dir() and any(checkpoint_is_complete(p) for p in out.glob("checkpoint-*")),
        timeout=240,
        what="training",
    )
    state = out / "trainer_state.json"
    assert not state.exists(), "the killed run must not have finished"
    resume_from = find_resume_checkpoint(out, set_aside_incomplete=False)
    assert resume_from is not None
    step = json.loads((Path(resume_from) / "trainer_state.json").read_text())["global_step"]
    assert 0 < step < MAX_STEPS

    # A newer checkpoint cut short while saving (weights written, trainer_state.json not yet): skipped.
    partial = out / f"checkpoint-{step + 100}"
    partial.mkdir()
    shutil.copy2(Path(resume_from) / "model.safetensors", partial / "model.safetensors")

    rerun = subprocess.run(
        _command(chain, out, "--resume"), env=env, capture_output=True, text=True, timeout=400
    )
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    info = json.loads((out / "run_info.json").read_text())
    assert info["resumed_from_step"] == step
    assert json.loads(state.read_text())["global_step"] == MAX_STEPS
    assert not partial.exists() and (out / f"incomplete-checkpoint-{step + 100}").is_dir()
    assert (out / "model.safetensors").is_file()


#: Steps of the SIGTERM run: far more than any machine trains in the Trainer's 3 s JIT grace period
#: (a tiny step takes milliseconds), so the run cannot end by itself before the checkpoint is asked.
SIGTERM_MAX_STEPS = 10**7


def test_sigterm_saves_a_checkpoint_and_stops(chain, tmp_path):
    """The Trainer's just-in-time checkpoint (enable_jit_checkpoint, on by default): SIGTERM -> checkpoint, exit 143.

    SIGTERM is sent once a logged loss proves training is under way (mid-run, not still loading),
    and the step budget cannot be used up during the grace period, whatever the machine's speed.
    """
    out = tmp_path / "model"
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    command = _command(chain, out)
    command[command.index("--max_steps") + 1] = str(SIGTERM_MAX_STEPS)
    # no periodic checkpoint: the one we find is the JIT one
    command[command.index("--save_steps") + 1] = str(SIGTERM_MAX_STEPS)
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:  # a file, not a pipe: a full stderr pipe would stall the child
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        for line in proc.stdout:  # ends only when the process closes stdout
            if "'loss'" in line:  # the first logged loss: training is under way
                break
        else:
            pytest.fail("training ended before logging a loss:\n" + log.read_text()[-3000:])
        proc.send_signal(signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = log.read_text()
    assert proc.returncode == 143, stderr[-3000:]
    assert "--resume" in stdout
    checkpoint = find_resume_checkpoint(out)
    assert checkpoint is not None, stderr[-3000:]
    step = json.loads((Path(checkpoint) / "trainer_state.json").read_text())["global_step"]
    assert 0 < step < SIGTERM_MAX_STEPS
    assert not (out / "model.safetensors").exists(), "an interrupted run must not look finished"


def test_truncated_trainer_state_is_not_complete(tmp_path):
    good, bad = tmp_path / "checkpoint-2", tmp_path / "checkpoint-4"
    for folder in (good, bad):
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"x")
    (good / "trainer_state.json").write_text(json.dumps({"global_step": 2}))
    (bad / "trainer_state.json").write_text('{"global_step": 4, "log_hi')
    assert checkpoint_is_complete(good) and not checkpoint_is_complete(bad)
    assert find_resume_checkpoint(tmp_path) == str(good)
    assert (tmp_path / "incomplete-checkpoint-4").is_dir()
    assert find_resume_checkpoint(tmp_path / "missing") is None
    (good / "checkpoint-is-incomplete.txt").write_text("in progress")  # the JIT checkpoint's sentinel
    assert not checkpoint_is_complete(good)
