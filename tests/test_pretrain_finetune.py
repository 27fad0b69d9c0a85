"""Classifier fine-tuning from the pretrained folder vs random init, on the corpus's real site labels.

Depends on: rrweb_hf/tokenization_rrweb.py, rrweb_hf/prepare.py (through tests/pretrain_chain.py) and the
MANIFEST.json of the corpus (the bundled one when recorded).
"""

from __future__ import annotations

from collections import Counter

import pytest
from pretrain_chain import build_chain

from rrweb_hf.finetune import (
    FinetuneConfig,
    compare_pretrained_vs_random,
    format_report,
    labelled_sessions,
    split_by_session,
)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def test_split_is_by_session_and_stratified(chain):
    pairs = labelled_sessions(chain["corpus"], "site")
    train, test = split_by_session(pairs, 0.3, seed=1)
    ids_train = {s.session_id for s, _ in train}
    ids_test = {s.session_id for s, _ in test}
    assert not ids_train & ids_test and len(ids_train | ids_test) == len(pairs)
    counts = Counter(label for _, label in pairs)
    assert {label for _, label in test} == {label for label, n in counts.items() if n >= 2}
    for label, n in counts.items():  # a label's only session trains; otherwise at least one is held out
        assert sum(1 for _, lab in train if lab == label) >= 1 or n == 0


def test_pretrained_vs_random_in_one_run(chain, tmp_path):
    cfg = FinetuneConfig(
        corpus=str(chain["corpus"]),
        max_steps=6,
        batch_size=8,
        max_windows_per_session=3,
        output_dir=str(tmp_path),
    )
    report = compare_pretrained_vs_random(chain["model"], cfg)
    assert len(report["classes"]) >= 2 and report["test_sessions"] >= 1
    assert report["train_sessions"] + report["test_sessions"] == len(
        labelled_sessions(chain["corpus"], "site")
    )
    for name in ("pretrained", "random_init"):
        assert 0.0 <= report[name]["session_accuracy"] <= 1.0
        assert report[name]["train_loss"] is not None
    assert "| pretrained |" in format_report(report)


def test_unknown_label_is_named(chain):
    with pytest.raises(ValueError, match="'colour'"):
        labelled_sessions(chain["corpus"], "colour")
