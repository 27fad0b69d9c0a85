#!/usr/bin/env bash
# The README's first command: set everything up, then run the main job on the bundled corpus:
# corpus summary -> train tokenizer -> prepare dataset -> pretrain (tiny BERT) -> evaluate -> Hub-ready
# folder with model card and plots in outputs/run/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} WANDB_MODE=${WANDB_MODE:-offline}
.venv/bin/rrweb-hf stats --plot outputs/session_lengths.png
.venv/bin/rrweb-hf run-all --out outputs/run
