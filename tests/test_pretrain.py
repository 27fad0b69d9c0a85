"""Pretraining, evaluation and the Hub-ready folder, on the REAL chain (see tests/pretrain_chain.py).

Depends on: rrweb_hf/tokenization_rrweb.py, rrweb_hf/prepare.py; uses the bundled corpus when recorded.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from pretrain_chain import TINY_OVERRIDES, build_chain

from rrweb_hf import modeling, pretrain


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def test_folder_is_hub_ready(chain):
    model = chain["model"]
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer_config.json",
        "training_args.json",
        "README.md",
        "eval_results.json",
        "loss_curve.png",
        "window_lengths.png",
    ):
        assert (model / name).is_file(), name
    tok_config = json.loads((model / "tokenizer_config.json").read_text())
    assert "auto_map" in tok_config
    assert list(model.glob("*.py")), "remote code files for trust_remote_code users"
    args = json.loads((model / "training_args.json").read_text())
    assert args["max_steps"] == 16


def test_config_comes_from_tokenizer_and_windows(chain):
    from transformers import AutoConfig

    tok = modeling.load_tokenizer(chain["tokenizer"])
    config = AutoConfig.from_pretrained(chain["model"])
    assert config.vocab_size == len(tok)
    assert config.pad_token_id == tok.pad_token_id
    data = pretrain.load_prepared_dataset(chain["dataset"])
    longest = max(max(pretrain.window_lengths(split)) for split in data.values())
    assert config.max_position_embeddings == modeling.position_embeddings_for(longest)
    assert config.max_position_embeddings % 8 == 0 and config.max_position_embeddings >= longest
    assert config.hidden_size == 32 and config.num_hidden_layers == 2


def test_evaluation_compares_model_with_baselines(chain):
    report = json.loads((chain["model"] / "eval_results.json").read_text())
    metrics = report["metrics"]
    assert set(metrics) == {"model", "untrained", "most_frequent_token"}
    assert report["masked_tokens"] > 50
    for name, m in metrics.items():
        assert math.isclose(m["perplexity"], math.exp(m["loss"]), rel_tol=1e-6), name
        assert 0.0 <= m["accuracy"] <= 1.0
        assert m["accuracy_structural"] is not None and m["accuracy_text"] is not None
        assert m["masked_structural"] + m["masked_text"] == report["masked_tokens"]
    # 16 steps of training must beat the same network untrained.
    assert metrics["model"]["loss"] < metrics["untrained"]["loss"]
    kinds = report["per_event_type"]
    assert any(k.startswith(("[EVT:", "[SRC:")) for k in kinds)
    assert sum(row["count"] for row in kinds.values()) == report["masked_tokens"]
    fill = report["fill_mask"]
    assert fill["n"] > 0 and fill["examples"] and fill["top1_among_event_types"] is not None
    first = fill["examples"][0]
    assert first["true"].startswith(("[EVT:", "[SRC:")) and len(first["predictions"]) == 5


def test_training_logged_to_wandb_offline(chain):
    runs = list((chain["root"] / "wandb_dir").rglob("offline-run-*"))
    assert runs, "no offline wandb run"
    assert list(runs[0].glob("*.wandb"))
    history = json.loads((chain["model"] / "trainer_state.json").read_text())["log_history"]
    assert any("loss" in e for e in history) and any("eval_loss" in e for e in history)


def test_folder_loads_in_a_fresh_process(chain):
    """First with trust_remote_code=True before rrweb_hf is imported, then after `import rrweb_hf`; same ids."""
    session = sorted(p for p in chain["corpus"].rglob("*.json") if p.name != "MANIFEST.json")[0]
    code = r"""
import json, sys
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer
folder, session = sys.argv[1:]
text = open(session).read()
remote = AutoTokenizer.from_pretrained(folder, trust_remote_code=True)
assert "rrweb_hf" not in sys.modules, "remote code imported rrweb_hf"
remote_ids = remote(text, max_length=64, truncation=True)["input_ids"]
import rrweb_hf
from rrweb_hf.modeling import load_tokenizer
tok = load_tokenizer(folder)
ids = tok(text, max_length=64, truncation=True)["input_ids"]
model = AutoModelForMaskedLM.from_pretrained(folder)
logits = model(input_ids=torch.tensor([ids])).logits
print(json.dumps({"classes": [type(remote).__name__, type(tok).__name__], "remote_module": type(remote).__module__,
                  "same": ids == remote_ids, "shape": list(logits.shape)}))
"""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.run(
        [sys.executable, "-c", code, str(chain["model"]), str(session)],
        capture_output=True,
        text=True,
        env=env,
        cwd=chain["root"],
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["classes"] == ["RRWebTokenizer", "RRWebTokenizer"]
    assert result["remote_module"].startswith("transformers_modules")
    assert result["same"] is True
    assert result["shape"][-1] == json.loads((chain["model"] / "config.json").read_text())["vocab_size"]


def test_existing_checkpoints_need_resume_or_overwrite(chain, tmp_path):
    out = tmp_path / "model"
    (out / "checkpoint-3").mkdir(parents=True)
    argv = [
        "--dataset",
        str(chain["dataset"]),
        "--tokenizer",
        str(chain["tokenizer"]),
        "--output_dir",
        str(out),
    ]
    with pytest.raises(ValueError, match="--resume"):
        pretrain.main(argv + ["--max_steps", "1"])


def test_missing_dataset_is_named(tmp_path, chain):
    argv = ["--dataset", str(tmp_path / "nope"), "--tokenizer", str(chain["tokenizer"])]
    with pytest.raises(FileNotFoundError, match="rrweb-hf prepare"):
        pretrain.main(argv + ["--output_dir", str(tmp_path / "m")])


def test_json_config_and_flags_parse_the_same(tmp_path):
    values = {
        "dataset": "d",
        "tokenizer": "t",
        "output_dir": str(tmp_path / "o"),
        "preset": "small",
        "config_overrides": TINY_OVERRIDES,
        "max_steps": 7,
        "train_sampling_strategy": "group_by_length",
        "resume": True,
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(values))
    from_json = pretrain.parse_arguments([str(path)])
    flags = []
    for key, value in values.items():
        flags += [f"--{key}"] + ([] if value is True else [str(value)])
    from_flags = pretrain.parse_arguments(flags)
    for a, b in zip(from_json, from_flags, strict=True):
        assert a == b
    model_args, data_args, run_args, training_args = from_json
    assert (model_args.preset, data_args.dataset, run_args.resume) == ("small", "d", True)
    assert (
        training_args.max_steps == 7
        and training_args.learning_rate == pretrain.TRAINING_DEFAULTS["learning_rate"]
    )
    assert training_args.train_sampling_strategy == "group_by_length"


def test_cli_module_parses_training_flags(tmp_path):
    import argparse

    from rrweb_hf.cli import pretrain as cli_pretrain

    parser = argparse.ArgumentParser()
    cli_pretrain.add_arguments(parser)
    args = parser.parse_args(
        [
            "--dataset",
            "d",
            "--output_dir",
            str(tmp_path),
            "--max_steps",
            "3",
            "--gradient_checkpointing",
            "true",
        ]
    )
    model_args, data_args, run_args, training_args = pretrain.dataclasses_from_namespace(args)
    assert training_args.max_steps == 3 and training_args.gradient_checkpointing is True
    assert training_args.enable_jit_checkpoint is True and model_args.preset == "tiny"


def test_presets_and_overrides(chain):
    tok = modeling.load_tokenizer(chain["tokenizer"])
    config = modeling.build_config(tok, preset="base", window_length=130)
    assert (config.hidden_size, config.num_hidden_layers, config.max_position_embeddings) == (768, 12, 136)
    assert config.vocab_size == len(tok)
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        modeling.build_config(tok, preset="huge", window_length=64)
    with pytest.raises(ValueError, match="not a multiple"):
        modeling.build_config(tok, window_length=64, overrides="hidden_size=33")
    with pytest.raises(ValueError, match="key=value"):
        modeling.parse_overrides("hidden_size")
    assert modeling.parse_overrides("a=1,b=0.5,c=true,d=gelu") == {"a": 1, "b": 0.5, "c": True, "d": "gelu"}
