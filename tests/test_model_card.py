"""The model card of the real chain's folder: YAML metadata with real results, content, plots.

Depends on: rrweb_hf/tokenization_rrweb.py and rrweb_hf/prepare.py (through tests/pretrain_chain.py).
"""

from __future__ import annotations

import json

import pytest
from huggingface_hub import ModelCard
from pretrain_chain import build_chain

from rrweb_hf.evaluation import load_report
from rrweb_hf.model_card import build_model_card


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def test_card_metadata_carries_real_results(chain):
    card = ModelCard.load(str(chain["model"] / "README.md"))
    data = card.data.to_dict()
    assert data["license"] == "apache-2.0"
    assert data["pipeline_tag"] == "fill-mask"
    assert "rrweb" in data["tags"]
    assert data["datasets"]
    metrics = {m["name"]: m["value"] for m in data["model-index"][0]["results"][0]["metrics"]}
    report = json.loads((chain["model"] / "eval_results.json").read_text())["metrics"]["model"]
    assert metrics["Masked-token loss"] == pytest.approx(report["loss"], abs=1e-3)
    assert metrics["Perplexity"] == pytest.approx(report["perplexity"], rel=1e-3)
    assert metrics["Masked-token accuracy"] == pytest.approx(report["accuracy"], abs=1e-3)
    assert metrics["Masked-token accuracy (structural tokens)"] == pytest.approx(
        report["accuracy_structural"], abs=1e-3
    )
    assert metrics["Masked-token accuracy (text tokens)"] == pytest.approx(report["accuracy_text"], abs=1e-3)


def test_card_text_covers_loading_use_limits_privacy(chain):
    text = (chain["model"] / "README.md").read_text()
    for needle in (
        "import rrweb_hf",
        "trust_remote_code=True",
        "## Intended use",
        "## Limitations",
        "## Privacy",
        "mask_inputs",
        "mask_pii",
        "](loss_curve.png)",
        "](window_lengths.png)",
        "| most_frequent_token |",
        "| untrained |",
        "revision=",
    ):
        assert needle in text, needle
    assert "{{" not in text and "}}" not in text


def test_card_renders_with_a_hub_id(chain):
    card = build_model_card(
        chain["model"], evaluation=load_report(chain["model"]), model_id="someone/rrweb-bert-tiny"
    )
    assert 'from_pretrained("someone/rrweb-bert-tiny")' in card.text
    assert card.data.to_dict()["model-index"][0]["name"] == "rrweb-bert-tiny"


def test_card_without_evaluation_and_missing_folder(chain, tmp_path):
    card = build_model_card(chain["model"], evaluation=None)
    assert "No held-out evaluation" in card.text
    assert "model-index" not in card.data.to_dict()
    with pytest.raises(FileNotFoundError, match="config.json"):
        build_model_card(tmp_path)
