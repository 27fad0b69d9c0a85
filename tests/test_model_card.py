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


def test_main_job_card_names_the_model_and_dataset_not_their_folders(chain):
    card = ModelCard.load(str(chain["model"] / "README.md"))
    data = card.data.to_dict()
    assert data["model-index"][0]["name"] == "rrweb-bert-tiny"
    assert card.text.lstrip().startswith("# rrweb-bert-tiny\n")
    assert data["datasets"] == ["rrweb-sessions-corpus"]  # the corpus' name, from the prepare report
    assert "github.com/rrweb-hf" not in card.text  # no link to a repository that was never configured


def _folder_with(chain, tmp_path, **run_info) -> tuple:
    """A copy of the chain's card inputs with other recorded run settings (no second training run)."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "tokenizer_config.json", "training_args.json", "run_info.json"):
        (folder / name).write_bytes((chain["model"] / name).read_bytes())
    config = json.loads((folder / "config.json").read_text())
    config["rrweb_pad_multiple"] = run_info.pop("pad_multiple")
    (folder / "config.json").write_text(json.dumps(config))
    info = {**json.loads((folder / "run_info.json").read_text()), **run_info}
    (folder / "run_info.json").write_text(json.dumps(info))
    return folder, load_report(chain["model"])


def test_card_states_the_run_s_own_masking_and_pad_multiple(chain, tmp_path):
    folder, report = _folder_with(chain, tmp_path, mlm_probability=0.3, pad_multiple=64)
    text = build_model_card(folder, evaluation=report).text
    assert "masked once (30% of the" in text and "mlm_probability 0.3," in text
    assert "80% become `[MASK]`, 10% a random token" in text  # the stock collator's scheme
    assert text.count("padded to a multiple of 64") == 2
    assert "15%" not in text and "multiple of 8" not in text
    import transformers

    assert f"transformers {transformers.__version__}" in text


def test_card_takes_extra_results_and_a_configured_repository(chain):
    extra = {
        "task_type": "text-classification",
        "task_name": "Session classification",
        "dataset_type": "rrweb-sites",
        "dataset_name": "rrweb sites",
        "dataset_split": "test",
        "metric_type": "accuracy",
        "metric_name": "Session accuracy",
        "metric_value": 0.875,
    }
    card = build_model_card(
        chain["model"],
        evaluation=load_report(chain["model"]),
        extra_results=[extra],
        repository="https://example.org/rrweb_hf",
    )
    results = card.data.to_dict()["model-index"][0]["results"]
    assert results[-1]["metrics"] == [{"type": "accuracy", "value": 0.875, "name": "Session accuracy"}]
    assert results[-1]["task"]["type"] == "text-classification"
    assert "| Session classification | rrweb sites | test | Session accuracy | 0.875 |" in card.text
    assert "[rrweb_hf](https://example.org/rrweb_hf)" in card.text
