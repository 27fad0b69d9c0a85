"""run-all's stage 5: retrieval and probe on the run's test sessions, in the model card's model-index.

Depends on: tests/pretrain_chain.py (the small labelled corpus, the tiny BERT settings),
rrweb_hf/benchmark (evaluate_downstream), rrweb_hf/model_card.py (downstream_results, the template).
"""

from __future__ import annotations

import json

import pytest
import yaml
from pretrain_chain import MAX_LENGTH, TINY_OVERRIDES, make_corpus, offline_env

PREDICTORS = ("model", "random_init", "bag_of_tokens", "majority")


def _run(corpus, out, **settings):
    from rrweb_hf.pipeline import run_all

    defaults = dict(
        config_overrides=TINY_OVERRIDES,
        text_vocab_size=300,
        max_length=MAX_LENGTH,
        stride=8,
        validation_fraction=0.1,
        test_fraction=0.7,  # 5 labelled test files of 3 sites in the small corpus
        max_steps=2,
        max_train_minutes=None,
        total_minutes=None,
        batch_size=8,
        eval_steps=2,
        save_steps=2,
        progress=False,
        max_final_eval_samples=16,
        downstream_label_column="site",  # a label test sessions share at this size (scenarios are unique)
    )
    return run_all(corpus, out, **{**defaults, **settings})


def _front_matter(card: str) -> dict:
    return yaml.safe_load(card.split("---")[1])


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("run_all_downstream")
    corpus = make_corpus(root)
    with offline_env(root):
        summary = _run(corpus, root / "run", cache_dir=root / "hf_cache")
    return root, corpus, summary


def test_card_model_index_has_the_model_and_every_baseline(run):
    from rrweb_hf import walk_corpus
    from rrweb_hf.benchmark import load_labels
    from rrweb_hf.sessions import SPLIT_SEED, split_of

    _root, corpus, summary = run
    model = summary["model_dir"]
    full = json.loads(open(f"{model}/downstream_results.json").read())
    # The evaluated sessions are exactly the run's test split (the split prepare made), labelled rrweb files.
    test_ids = {
        s.session_id for s in walk_corpus(corpus) if split_of(s.session_id, 0.1, 0.7, SPLIT_SEED) == "test"
    }
    labelled = {r["path"]: r["site"] for r in load_labels(corpus / "MANIFEST.json").rows}
    expected = sorted(p for p in labelled if p.removesuffix(".json") in test_ids)
    assert len(expected) == 5
    assert full["split"]["dataset_split"] == "test"
    assert full["split"]["eval_sessions"] == len(expected)
    assert full["data"]["classes"] == {"dash": 1, "django": 1, "mkdocs": 3}
    assert set(full["tasks"]) == {"retrieval", "probe"}

    card = open(f"{model}/README.md").read()
    results = _front_matter(card)["model-index"][0]["results"]
    downstream = [r for r in results if r["task"]["type"] == "feature-extraction"]
    assert {r["dataset"]["split"] for r in downstream} == {"test"}
    metrics = [m for r in downstream for m in r["metrics"]]
    by_predictor = {}
    for m in metrics:
        by_predictor.setdefault(m["args"]["predictor"], []).append(m)
    assert set(by_predictor) == set(PREDICTORS)
    for predictor in PREDICTORS:
        names = {m["name"] for m in by_predictor[predictor]}
        assert f"site probe accuracy ({predictor})" in names
        assert f"site leave-one-out 1-NN accuracy ({predictor})" in names
    probe = {m["args"]["predictor"]: m for m in metrics if m["name"].startswith("site probe accuracy")}
    assert probe["model"]["value"] == round(full["tasks"]["probe"]["model"]["accuracy"], 4)
    assert probe["model"]["args"]["n"] == len(expected)
    nn = {m["args"]["predictor"]: m for m in metrics if m["name"].startswith("site leave-one-out 1-NN")}
    assert nn["majority"]["args"]["n"] == 3  # dash and django have one session each: not scored
    low, high = probe["model"]["args"]["ci95"]
    assert low <= probe["model"]["value"] <= high
    # the masked-LM results of stage 4 are still there
    assert any(r["task"]["type"] == "fill-mask" for r in results)
    # and the card shows the same figures as a table, model next to the baselines
    assert "### Downstream: session retrieval and probe" in card
    assert "| metric | n | model | random_init | bag_of_tokens | majority |" in card
    value = 100 * full["tasks"]["probe"]["model"]["accuracy"]
    assert f"| probe accuracy | {len(expected)} | {value:.1f} [" in card
    assert summary["downstream"]["probe"]["model"]["accuracy"] == full["tasks"]["probe"]["model"]["accuracy"]
    assert "downstream probe (probe accuracy): model" in summary["headline"]
    assert summary["seconds"]["downstream"] > 0


def test_downstream_off_and_skips_are_reported(run, tmp_path):
    root, corpus, _summary = run
    with offline_env(root):
        off = _run(corpus, tmp_path / "off", downstream_eval=False, max_steps=1)
        missing = _run(
            corpus, tmp_path / "nolabels", downstream_labels=str(tmp_path / "none.csv"), max_steps=1
        )
    assert off["downstream"] == {"skipped": "downstream_eval is off"}
    assert "downstream" not in off["seconds"]
    card = (tmp_path / "off" / "model" / "README.md").read_text()
    assert all(r["task"]["type"] == "fill-mask" for r in _front_matter(card)["model-index"][0]["results"])
    assert "Downstream" not in card
    assert missing["downstream"]["skipped"].startswith(f"no labels file {tmp_path / 'none.csv'}")


def test_downstream_split_validation_reads_the_validation_sessions_only(run, tmp_path):
    from rrweb_hf import walk_corpus
    from rrweb_hf.benchmark import load_labels
    from rrweb_hf.pipeline import RunAllConfig
    from rrweb_hf.sessions import SPLIT_SEED, split_of

    root, corpus, _summary = run
    with offline_env(root):
        summary = _run(
            corpus,
            tmp_path / "val",
            validation_fraction=0.7,
            test_fraction=0.1,
            downstream_split="validation",
            max_steps=1,
        )
    full = json.loads((tmp_path / "val" / "model" / "downstream_results.json").read_text())
    parts = {s.session_id: split_of(s.session_id, 0.7, 0.1, SPLIT_SEED) for s in walk_corpus(corpus)}
    labelled = [r["path"] for r in load_labels(corpus / "MANIFEST.json").rows]
    expected = [p for p in labelled if parts.get(p.removesuffix(".json")) == "validation"]
    assert len(expected) >= 2
    assert full["split"]["dataset_split"] == "validation"
    assert full["split"]["eval_sessions"] == len(expected)
    card = (tmp_path / "val" / "model" / "README.md").read_text()
    downstream = [
        r
        for r in _front_matter(card)["model-index"][0]["results"]
        if r["task"]["type"] == "feature-extraction"
    ]
    assert {r["dataset"]["split"] for r in downstream} == {"validation"}
    assert summary["downstream"]["probe"]["model"]["accuracy"] == full["tasks"]["probe"]["model"]["accuracy"]
    with pytest.raises(ValueError, match="downstream_split='train' is not a split"):
        RunAllConfig(downstream_split="train")
