#!/usr/bin/env bash
# Create .venv in the project root and install rrweb_hf (editable) with its dev and ray extras.
# On a machine without a CUDA GPU, torch is installed first as the CPU build (torch==2.13.0): a bare
# torch requirement with nothing installed would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "setup: CUDA GPU found, installing torch with CUDA"
    .venv/bin/python -m pip install --quiet "torch>=2.4,<3"
  else
    echo "setup: no CUDA GPU, installing the CPU build torch==2.13.0"
    .venv/bin/python -m pip install --quiet "torch==2.13.0"
  fi
fi
# ray: the optional Ray Data engine of `prepare`, installed so CI tests it (tests/test_prepare_ray.py)
.venv/bin/python -m pip install --quiet -e ".[dev,ray]"
.venv/bin/python -c "import rrweb_hf, torch, transformers, datasets; print('setup: rrweb_hf', rrweb_hf.__version__, '| torch', torch.__version__, '| transformers', transformers.__version__, '| datasets', datasets.__version__)"
