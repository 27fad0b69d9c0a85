"""Defect 1 of issue 11: the pad multiple of a run is one value, used for positions, training and evaluation.

Windows of 500 tokens padded to a multiple of 64 make batches of 512: the model needs 512 positions.
Depends on: rrweb_hf/modeling.py, rrweb_hf/pretrain.py, rrweb_hf/evaluation.py (real Trainer, tiny BERT).
"""

from __future__ import annotations

import json

import datasets
from pretrain_chain import TINY_OVERRIDES

from rrweb_hf import modeling, pretrain


def _dataset(tmp_path, tokenizer, length: int = 500) -> str:
    ids = tokenizer.convert_tokens_to_ids(["[EVT:Meta]", "[DT:start]", "[EVT:FullSnapshot]"])
    rows = [[tokenizer.cls_token_id] + [ids[i % 3] for i in range(length - 2)] + [tokenizer.sep_token_id]]
    rows = rows * 4 + [row[: length - 100] for row in rows]  # a shorter window: batches are padded
    columns = {
        "input_ids": rows,
        "attention_mask": [[1] * len(r) for r in rows],
        "special_tokens_mask": [[1] + [0] * (len(r) - 2) + [1] for r in rows],
    }
    split = datasets.Dataset.from_dict(columns)
    folder = tmp_path / "dataset"
    datasets.DatasetDict({"train": split, "validation": split}).save_to_disk(str(folder))
    return str(folder)


def test_positions_follow_the_pad_multiple_of_the_run(tmp_path, tiny_tokenizer_dir, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    tokenizer = modeling.load_tokenizer(tiny_tokenizer_dir)
    out = tmp_path / "model"
    argv = [
        "--dataset", _dataset(tmp_path, tokenizer),
        "--tokenizer", str(tiny_tokenizer_dir),
        "--output_dir", str(out),
        "--config_overrides", TINY_OVERRIDES,
        "--pad_to_multiple_of", "64",
        "--max_steps", "1",
        "--per_device_train_batch_size", "5",
        "--per_device_eval_batch_size", "5",
        "--eval_strategy", "no",
        "--report_to", "none",
        "--disable_tqdm", "true",
    ]  # fmt: skip
    result = pretrain.main(argv)
    assert result.global_step == 1
    config = json.loads((out / "config.json").read_text())
    assert (config["max_position_embeddings"], config["rrweb_pad_multiple"]) == (512, 64)
    report = json.loads((out / "eval_results.json").read_text())
    assert report["masked_tokens"] > 0  # the final evaluation pads like training did


def test_position_embeddings_for_rounds_to_the_given_multiple():
    assert modeling.position_embeddings_for(500) == 504
    assert modeling.position_embeddings_for(500, 64) == 512
    assert modeling.position_embeddings_for(500, None) == 500
