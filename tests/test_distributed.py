"""Data-parallel pretraining for real: 2 CPU processes (gloo) under torchrun and accelerate launch.

A 2-process run with per-device batch 4 is compared with a 1-process run with batch 8 (same global batch,
same seed): the same windows are consumed (equal non-padding token counts), the losses agree within a
tolerance (masks and dropout differ per process), and only the main process writes the folder. Then one
rank of an ``accelerate launch`` run is SIGKILLed after a complete checkpoint and the run is resumed with
the same launcher. The figures (losses, seconds per step) are printed for the README (``pytest -s``).

Depends on: rrweb_hf/pretrain.py, scripts/pretrain.py (+ tokenizer and prepare, through tests/small_training_data.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from small_training_data import (
    SCRIPT,
    build_small_data,
    free_port,
    kill_rank_when_ready,
    launch_env,
    run,
    torchrun,
    training_flags,
)

from rrweb_hf.pretrain import checkpoint_is_complete, find_resume_checkpoint

STEPS = 12
#: Largest relative difference of the mean training loss, 2 processes vs 1 (measured: 0.05%).
LOSS_TOLERANCE = 0.02


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return build_small_data(tmp_path_factory)


def _flags(data, out: Path, batch_size: int, *extra: str) -> list[str]:
    return [
        "--dataset",
        str(data["dataset"]),
        "--tokenizer",
        str(data["tokenizer"]),
        *training_flags(out, STEPS, batch_size, *extra),
    ]


def _config(data, out: Path, batch_size: int, **extra) -> list[str]:
    """A run.json (the form that takes ``include_num_input_tokens_seen="non_padding"``, a str-or-bool field)."""
    flags = _flags(data, out, batch_size)
    values = {flags[i].lstrip("-"): flags[i + 1] for i in range(0, len(flags), 2)}
    values.update(
        max_steps=STEPS,
        per_device_train_batch_size=batch_size,
        learning_rate=3e-3,
        logging_steps=1,
        seed=42,
        disable_tqdm=True,
        include_num_input_tokens_seen="non_padding",
        **extra,
    )
    path = out.with_suffix(".json")
    path.write_text(json.dumps(values))
    return [str(path)]


def _state(out: Path) -> dict:
    return json.loads((out / "trainer_state.json").read_text())


def _losses(state: dict) -> list[float]:
    return [h["loss"] for h in state["log_history"] if "loss" in h]


def test_torchrun_two_processes_train_one_model_on_split_batches(data, tmp_path):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    env = launch_env(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    quiet = {"eval_strategy": "no", "final_eval": False}
    single = run([sys.executable, str(SCRIPT), *_config(data, one, 8, **quiet)], env)
    assert single.returncode == 0, single.stderr[-3000:]
    double = run([*torchrun(2), *_config(data, two, 4, eval_steps=6, max_final_eval_samples=16)], env)
    assert double.returncode == 0, double.stderr[-3000:]

    info = json.loads((two / "run_info.json").read_text())
    assert (info["world_size"], info["global_batch_size"], info["global_step"]) == (2, 8, STEPS)
    state_one, state_two = _state(one), _state(two)
    assert state_two["global_step"] == STEPS
    # The two ranks together read exactly the windows the single process read: disjoint halves.
    assert state_two["num_input_tokens_seen"] == state_one["num_input_tokens_seen"] > 0
    loss_one, loss_two = _losses(state_one), _losses(state_two)
    assert len(loss_two) == STEPS and loss_two[-1] < loss_two[0]
    mean_one, mean_two = sum(loss_one) / len(loss_one), sum(loss_two) / len(loss_two)
    assert abs(mean_two - mean_one) <= LOSS_TOLERANCE * mean_one, (loss_one, loss_two)
    # Written once, by the main process: one headline, one evaluation, a loadable folder.
    assert double.stdout.count("model folder:") == 1
    assert json.loads((two / "eval_results.json").read_text())
    assert (two / "README.md").is_file()
    AutoTokenizer.from_pretrained(str(two))
    AutoModelForMaskedLM.from_pretrained(str(two))

    def per_step(state):
        return state["log_history"][-1]["train_runtime"] / STEPS

    print(
        f"\n[measured] {STEPS} steps, global batch 8, tiny BERT: 1 process: mean loss {mean_one:.4f}, "
        f"last {loss_one[-1]:.4f}, {per_step(state_one):.3f} s/step | 2 processes (torchrun, gloo): "
        f"mean loss {mean_two:.4f}, last {loss_two[-1]:.4f}, {per_step(state_two):.3f} s/step"
    )


def _accelerate_launch(port: int) -> list[str]:
    # `--multi_gpu` is accelerate's multi-process launcher (torch.distributed.run); on a machine without
    # GPUs pretrain selects gloo itself. (`--cpu --num_processes 2` starts ONE process: accelerate runs
    # several CPU processes only through MPI.)
    return [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--main_process_ip",
        "127.0.0.1",
        "--main_process_port",
        str(port),
        str(SCRIPT),
    ]


def test_accelerate_launch_sigkill_one_rank_then_resume(data, tmp_path):
    out = tmp_path / "model"
    env = launch_env(tmp_path)
    flags = _flags(data, out, 4, "--save_steps", "4", "--eval_strategy", "no", "--final_eval", "false")
    status = kill_rank_when_ready(
        [*_accelerate_launch(free_port()), *flags],
        env,
        rank=1,
        ready=lambda: any(checkpoint_is_complete(p) for p in out.glob("checkpoint-*")),
        timeout=240,
    )
    assert status != 0, "a run that lost a rank must not exit 0"
    assert not (out / "run_info.json").exists(), "the killed run must not have finished"
    checkpoint = find_resume_checkpoint(out, set_aside_incomplete=False)
    assert checkpoint is not None
    step = json.loads((Path(checkpoint) / "trainer_state.json").read_text())["global_step"]
    assert 0 < step < STEPS

    rerun = run([*_accelerate_launch(free_port()), *flags, "--resume"], env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    info = json.loads((out / "run_info.json").read_text())
    assert info["world_size"] == 2 and info["global_step"] == STEPS
    assert info["resumed_from_step"] >= step  # the newest complete checkpoint (the JIT one may be newer)
    assert _state(out)["global_step"] == STEPS


def test_several_processes_without_an_accelerator_train_on_cpus(monkeypatch):
    """Without ``use_cpu`` accelerate opens a process group on CPUs but reports no distribution."""
    from rrweb_hf.pretrain import TRAINING_DEFAULTS, _has_accelerator, training_defaults

    monkeypatch.setenv("WORLD_SIZE", "2")
    assert training_defaults().get("use_cpu", False) is (not _has_accelerator())
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert "use_cpu" not in training_defaults()
    assert TRAINING_DEFAULTS.items() <= training_defaults().items()
