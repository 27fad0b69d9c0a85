#!/usr/bin/env python
"""Pretrain BERT with masked-LM on rrweb session windows (in the style of transformers' ``run_mlm.py``).

Usage:
    python scripts/pretrain.py --dataset out/dataset --tokenizer out/tokenizer --output_dir out/model \
        --preset tiny --max_steps 300
    python scripts/pretrain.py run.json                       # every argument from one JSON file
    accelerate launch scripts/pretrain.py --preset base --bf16 ...   # several GPUs / nodes
    torchrun --nproc_per_node 8 scripts/pretrain.py ...               # data parallel (gloo on CPUs)
    python scripts/pretrain.py --sessions CORPUS --streaming --tokenizer T --output_dir OUT --max_steps 1000

Any ``transformers.TrainingArguments`` flag works (``--report_to wandb``, ``--gradient_checkpointing``,
``--train_sampling_strategy group_by_length``); ``--resume`` continues from the newest complete checkpoint.
"""

import sys

from rrweb_hf.pretrain import headline, main

if __name__ == "__main__":
    try:
        result = main()
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    if result.main_process:  # one headline per run, not one per process
        print(headline(result))
    if result.interrupted:
        sys.exit(143)  # 128 + SIGTERM: tells schedulers the job did not finish
