#!/usr/bin/env python
"""Data-parallel pretraining measured: 1 process vs N processes (torchrun) at the same global batch and seed.

Runs ``scripts/pretrain.py`` three times on a prepared dataset, evaluation off, and prints per run the mean
training loss, the last logged loss and seconds per optimisation step:

- 1 process, 1 thread, per-device batch = global batch;
- 1 process, N threads (the same cores as the N-process run);
- N processes under ``torchrun`` (gloo on CPUs, NCCL on GPUs), 1 thread each, per-device batch = global / N.

The losses of all three should agree closely (masks and dropout are drawn per process, so not exactly);
the speed shows what data parallelism costs or gains on this machine.

Usage:
    rrweb-hf train-tokenizer --out out/tokenizer
    rrweb-hf prepare --tokenizer out/tokenizer --out out/dataset --max-length 256 --stride 32
    python scripts/bench_data_parallel.py --dataset out/dataset --tokenizer out/tokenizer --steps 50
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "pretrain.py"


def _run(label, launcher, flags, out, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1", WANDB_MODE="offline")
    done = subprocess.run(
        [*launcher, str(SCRIPT), *flags, "--output_dir", str(out)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"{label}: failed (exit {done.returncode})\n{done.stderr[-3000:]}", file=sys.stderr)
        return None
    state = json.loads((out / "trainer_state.json").read_text())
    info = json.loads((out / "run_info.json").read_text())
    losses = [h["loss"] for h in state["log_history"] if "loss" in h]
    steps = state["global_step"]
    return {
        "run": label,
        "world_size": info["world_size"],
        "global_batch": info["global_batch_size"],
        "steps": steps,
        "mean_loss": sum(losses) / len(losses),
        "last_loss": losses[-1],
        "s_per_step": state["log_history"][-1]["train_runtime"] / steps,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", required=True, help="prepared dataset folder (rrweb-hf prepare)")
    p.add_argument("--tokenizer", required=True, help="tokenizer folder")
    p.add_argument("--preset", default="tiny", choices=["tiny", "small", "base"])
    p.add_argument("--config-overrides", default=None)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--global-batch", type=int, default=16)
    p.add_argument("--nproc", type=int, default=2, help="processes of the data-parallel run (2)")
    p.add_argument("--learning-rate", default="1e-3")
    p.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = p.parse_args(argv)
    if args.global_batch % args.nproc:
        p.error(f"--global-batch {args.global_batch} must be a multiple of --nproc {args.nproc}")

    def flags(batch):
        out = [
            "--dataset",
            args.dataset,
            "--tokenizer",
            args.tokenizer,
            "--preset",
            args.preset,
            "--max_steps",
            str(args.steps),
            "--per_device_train_batch_size",
            str(batch),
            "--learning_rate",
            args.learning_rate,
            "--logging_steps",
            "1",
            "--eval_strategy",
            "no",
            "--final_eval",
            "false",
            "--save_steps",
            str(10 * args.steps),
            "--disable_tqdm",
            "true",
            "--seed",
            "42",
        ]
        return out + (["--config_overrides", args.config_overrides] if args.config_overrides else [])

    torchrun = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        str(args.nproc),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            ("1 process, 1 thread", [sys.executable], flags(args.global_batch), 1),
            (f"1 process, {args.nproc} threads", [sys.executable], flags(args.global_batch), args.nproc),
            (
                f"{args.nproc} processes (torchrun), 1 thread each",
                torchrun,
                flags(args.global_batch // args.nproc),
                1,
            ),
        ]
        for number, (label, launcher, run_flags, threads) in enumerate(runs):
            row = _run(label, launcher, run_flags, Path(tmp) / f"run{number}", threads)
            if row is not None:
                rows.append(row)
    print(f"{args.steps} steps, global batch {args.global_batch}, preset {args.preset}, seed 42")
    print("| run | processes | mean loss | last loss | s/step |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['run']} | {row['world_size']} | {row['mean_loss']:.4f} | {row['last_loss']:.4f} | {row['s_per_step']:.3f} |"
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0 if len(rows) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
