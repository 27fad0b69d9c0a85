"""The contrastive stage (:mod:`rrweb_hf.contrastive`) on the real chain's model and dataset.

Depends on: tests/pretrain_chain.py (tokenizer, prepared dataset, tiny MLM model), rrweb_hf/embeddings.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from pretrain_chain import build_chain

import rrweb_hf
from rrweb_hf.contrastive import (
    ContrastiveArguments,
    PairCollator,
    WindowPairs,
    pool,
    read_pooling,
    train_contrastive,
)
from rrweb_hf.embeddings import embed_sessions


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def test_pairs_are_two_windows_of_one_session_and_batches_hold_distinct_sessions():
    sessions = [[[2, 10, 3], [2, 11, 3]], [[2, 20, 3]], [[2, 30, 3], [2, 31, 3], [2, 32, 3]]]
    pairs = WindowPairs(sessions, length=9, seed=1)
    items = [pairs[i] for i in range(9)]
    for item in items:
        windows = sessions[item["session"]]
        assert item["a"] in windows and item["b"] in windows
        assert item["a"] != item["b"] or len(windows) == 1
    for start in range(0, 9, 3):  # each pass over the 3 sessions is a permutation
        assert sorted(it["session"] for it in items[start : start + 3]) == [0, 1, 2]
    assert [pairs[i] for i in range(9)] == items  # same index, same pair


def test_mean_pooling_skips_special_tokens_and_padding():
    hidden = torch.arange(12, dtype=torch.float).reshape(1, 4, 3)  # rows [0,1,2] [3,4,5] [6,7,8] [9,10,11]
    ids = torch.tensor([[2, 7, 8, 0]])
    mask = torch.tensor([[1, 1, 1, 0]])
    assert pool(hidden, ids, mask, {0, 2, 3}, "mean").tolist() == [[4.5, 5.5, 6.5]]
    assert pool(hidden, ids, mask, {0, 2, 3}, "cls").tolist() == [[0.0, 1.0, 2.0]]


def test_pair_collator_pads_both_views(chain):
    tok = rrweb_hf.modeling.load_tokenizer(chain["tokenizer"])
    batch = PairCollator(tok)(
        [{"a": [2, 9, 3], "b": [2, 3], "session": 4}, {"a": [2, 3], "b": [2, 9, 9, 3], "session": 5}]
    )
    assert batch["input_ids"].tolist() == [[2, 9, 3], [2, 3, 0]]
    assert batch["attention_mask_b"].tolist() == [[1, 1, 0, 0], [1, 1, 1, 1]]
    assert batch["session"].tolist() == [4, 5]


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_contrastive_stage_writes_a_loadable_folder_with_its_pooling(chain, tmp_path, pooling):
    from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer

    out = tmp_path / f"contrastive-{pooling}"
    args = ContrastiveArguments(
        max_steps=4, batch_size=4, pooling=pooling, mlm_weight=0.5 if pooling == "mean" else 0.0
    )
    train_contrastive(chain["model"], chain["dataset"], out, args)
    config = json.loads((out / "embedding_config.json").read_text())
    assert config["pooling"] == pooling and config["contrastive"]["max_steps"] == 4
    assert read_pooling(out) == pooling and read_pooling(chain["model"]) == "mean"
    AutoTokenizer.from_pretrained(str(out))
    AutoModelForMaskedLM.from_pretrained(str(out))
    tuned = AutoModel.from_pretrained(str(out), add_pooling_layer=False)
    before = AutoModel.from_pretrained(str(chain["model"]), add_pooling_layer=False)
    changed = [
        n for n, p in tuned.named_parameters() if not torch.equal(p, dict(before.named_parameters())[n])
    ]
    assert changed, "training changed the encoder"
    sessions = list(rrweb_hf.walk_corpus(chain["corpus"]))[:3]
    default = embed_sessions(out, sessions, max_length=64, stride=8)
    explicit = embed_sessions(out, sessions, max_length=64, stride=8, pooling=pooling)
    other = embed_sessions(
        out, sessions, max_length=64, stride=8, pooling="cls" if pooling == "mean" else "mean"
    )
    assert np.allclose(default, explicit) and not np.allclose(default, other)


def test_bad_settings_name_the_value(chain, tmp_path):
    with pytest.raises(ValueError, match="pooling='max' is not one of mean, cls"):
        train_contrastive(chain["model"], chain["dataset"], tmp_path, ContrastiveArguments(pooling="max"))
    with pytest.raises(ValueError, match="batch_size=1"):
        train_contrastive(chain["model"], chain["dataset"], tmp_path, ContrastiveArguments(batch_size=1))
    with pytest.raises(ValueError, match="pooling='max'"):
        embed_sessions(chain["model"], [[]], pooling="max")


def test_pretrain_flags_event_masking_then_contrastive_stage(chain, tmp_path):
    """``--masking interaction --contrastive_steps 2``: the stock Trainer with the event collator (mixed
    masking and benchmark-format items in one batch), then the stage."""
    from pretrain_chain import TINY_OVERRIDES

    from rrweb_hf.pretrain import parse_arguments, pretrain

    out = tmp_path / "model"
    args = parse_arguments(
        [
            *("--dataset", str(chain["dataset"]), "--tokenizer", str(chain["tokenizer"])),
            *("--output_dir", str(out), "--config_overrides", TINY_OVERRIDES, "--max_steps", "2"),
            *("--masking", "interaction", "--contrastive_steps", "2", "--contrastive_batch_size", "4"),
            *("--contrastive_pooling", "cls", "--final_eval", "false", "--eval_strategy", "no"),
            *("--save_strategy", "no", "--report_to", "none", "--per_device_train_batch_size", "4"),
        ]
    )
    result = pretrain(*args)
    assert result.global_step == 2
    assert read_pooling(out) == "cls"
    assert json.loads((out / "embedding_config.json").read_text())["contrastive"]["max_steps"] == 2
    with pytest.raises(ValueError, match="--masking event needs the event_ids column"):
        no_events = tmp_path / "no-events"
        from rrweb_hf.pretrain import load_prepared_dataset

        load_prepared_dataset(chain["dataset"]).remove_columns("event_ids").save_to_disk(str(no_events))
        bad = parse_arguments(
            [
                *("--dataset", str(no_events), "--tokenizer", str(chain["tokenizer"])),
                *("--output_dir", str(tmp_path / "bad"), "--masking", "event", "--max_steps", "1"),
            ]
        )
        pretrain(*bad)
