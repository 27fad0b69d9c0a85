"""scripts/recipe.py: one change per ablation, and its table is the benchmark's (rrweb_hf.benchmark).

Depends on: tests/pretrain_chain.py (the small labelled corpus, tiny BERT settings), rrweb_hf.benchmark.
"""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from pretrain_chain import TINY_OVERRIDES, make_corpus, offline_env

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "recipe.py"


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("recipe", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["recipe"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_each_ablation_changes_one_thing(recipe):
    default = dataclasses.asdict(recipe.DEFAULT)
    for name, config in recipe.CONFIGS.items():
        changed = {k for k, v in dataclasses.asdict(config).items() if v != default[k] and k != "name"}
        if name == "best":
            assert changed == {"profile", "masking"}  # behaviour+interaction, chosen on validation
        elif name.startswith("behaviour+"):  # combinations on the behaviour profile: their parts, named
            parts = {
                "contrastive": "contrastive",
                "(cls)": "pooling",
                "target": "masking",
                "mixed": "masking",
            }
            parts["interaction"] = "masking"
            expected = {"profile"} | {field for word, field in parts.items() if word in name}
            assert changed == expected, (name, changed)
        elif name == "contrastive+mlm" or name == "contrastive(cls)":
            assert "contrastive" in changed and len(changed) == 2
        else:
            assert len(changed) <= 1, (name, changed)


def _row(value, ci, n):
    return {"accuracy": value, "ci": {"accuracy": ci}, "n": {"accuracy": n}}


def test_table_rows_print_each_configuration_with_its_baselines(recipe):
    def result(model, random):
        probe = {
            "model": _row(model, [0.5, 1.0], 18),
            "random_init": _row(random, [0.4, 0.9], 18),
            "bag_of_tokens": _row(0.889, [0.72, 1.0], 18),
            "majority": _row(0.0556, [0.0, 0.17], 18),
        }
        return {"tasks": {"probe": probe}}

    rows = recipe.table_rows({"default": result(0.5, 0.6111), "masking=event": result(0.6667, 0.6111)})
    assert rows == [
        "| configuration | predictor | n | 1-NN | MRR | probe acc. | probe macro-F1 |",
        "|---|---|---:|---:|---:|---:|---:|",
        "| default | model | 18 | n/a | n/a | 50.0 [50, 100] | n/a |",
        "| default | random_init | 18 | n/a | n/a | 61.1 [40, 90] | n/a |",
        "| default | bag_of_tokens | 18 | n/a | n/a | 88.9 [72, 100] | n/a |",
        # the same baselines again (same profile and pooling) are not repeated
        "| masking=event | model | 18 | n/a | n/a | 66.7 [50, 100] | n/a |",
        "| (any) | majority | 18 | n/a | n/a | 5.6 [0, 17] | n/a |",
    ]


def test_recipe_table_is_evaluate_downstream(recipe, tmp_path, capsys):
    """A tiny rotation end to end: the recipe's figures are those of evaluate_downstream on its model."""
    from rrweb_hf.benchmark import evaluate_downstream, leave_one_site_out, load_labels
    from rrweb_hf.benchmark.annotations import is_annotation

    corpus = make_corpus(tmp_path)
    out = tmp_path / "recipe"
    argv = ["--corpus", str(corpus), "--out", str(out), "--rotations", "mkdocs", "--configs", "default"]
    argv += ["--mlm-steps", "2", "--batch-size", "4", "--max-length", "64", "--stride", "8"]
    argv += [
        "--text-vocab-size",
        "300",
        "--config-overrides",
        TINY_OVERRIDES,
        "--json",
        str(tmp_path / "r.json"),
    ]
    with offline_env(tmp_path):
        assert recipe.main(argv) == 0
    printed = capsys.readouterr().out
    ours = json.loads((tmp_path / "r.json").read_text())["mkdocs"]["validation"]["default"]

    # pretrained on the other sites' files only, annotation events removed
    trained = sorted(
        p.relative_to(out / "mkdocs" / "profile-full-64" / "corpus").as_posix()
        for p in (out / "mkdocs" / "profile-full-64" / "corpus").rglob("*.gz")
    )
    table = load_labels(corpus / "MANIFEST.json")
    assert trained == sorted(
        f"{p}.gz" for p in leave_one_site_out(table.rows, "mkdocs", part="all").train_paths
    )
    assert not any(p.startswith("mkdocs/") for p in trained)
    original = 0
    for name in trained:
        with gzip.open(out / "mkdocs" / "profile-full-64" / "corpus" / name, "rt") as fh:
            assert not any(is_annotation(e) for e in json.load(fh))
        original += sum(is_annotation(e) for e in json.loads((corpus / name[: -len(".gz")]).read_text()))
    assert original > 0  # the recorder's files had them

    direct = evaluate_downstream(
        ours["settings"]["model_dir"],
        corpus,
        held_out="mkdocs",
        split="validation",
        tasks=("retrieval", "probe"),
        seed=42,
    )
    assert direct["tasks"] == ours["tasks"]
    assert ours["split"]["eval_sessions"] == 3
    assert recipe.cell(ours["tasks"]["probe"]["model"], "accuracy") in printed
    assert "### held out: mkdocs, validation: 3 sessions" in printed


def test_validation_ranking_is_the_mean_lead_over_the_best_baseline(recipe):
    def result(model, random, bag):
        return {
            "tasks": {
                "retrieval": {
                    "model": {"accuracy_1nn": model},
                    "random_init": {"accuracy_1nn": random},
                    "bag_of_tokens": {"accuracy_1nn": bag},
                },
                "probe": {
                    "model": {"accuracy": model},
                    "random_init": {"accuracy": random},
                    "bag_of_tokens": {"accuracy": bag},
                },
            }
        }

    results = {
        "django": {"validation": {"a": result(0.9, 0.8, 0.7), "b": result(0.7, 0.8, 0.6)}, "test": {}},
        "dash": {"validation": {"a": result(0.5, 0.6, 0.7)}},
    }
    ranking = recipe.validation_ranking(results)
    # "a" was measured on two rotations, "b" on one: "a" comes first although "b" leads on django
    results["django"]["validation"]["b"] = result(0.95, 0.8, 0.7)
    ranking = recipe.validation_ranking(results)
    assert [(name, mean) for name, mean, _ in ranking] == [("a", -5.0), ("b", 15.0)]
    assert ranking[0][2] == {"django": {"1-NN": 10.0, "probe": 10.0}, "dash": {"1-NN": -20.0, "probe": -20.0}}


def test_extra_corpus_adds_the_other_sites_sessions_only(recipe, tmp_path):
    """--extra-corpus: pretraining-only sessions, the held-out site's left out, annotations removed."""
    from rrweb_hf.benchmark import load_labels
    from rrweb_hf.benchmark.annotations import is_annotation

    extra = make_corpus(tmp_path / "extra", per_site=2)
    rows = load_labels(extra / "MANIFEST.json").rows
    expected = sorted(f"extra/{r['path']}" for r in rows if r["site"] != "dash")
    got = recipe.extra_training_rows(extra, "dash")
    assert sorted(p for p, _ in got) == expected
    assert len(expected) == len(rows) - 2
    assert all(events and not any(is_annotation(e) for e in events) for _, events in got)
    tag = recipe.extra_tag(extra)
    assert tag.startswith("extra-corpus-") and tag == recipe.extra_tag(extra)
    only_dash = {
        "files": [
            r for r in json.loads((extra / "MANIFEST.json").read_text())["files"] if r["site"] == "dash"
        ]
    }
    (extra / "MANIFEST.json").write_text(json.dumps(only_dash))
    assert recipe.extra_tag(extra) != tag  # another manifest, other cache folders
    with pytest.raises(ValueError, match="has no session of a site other than 'dash'"):
        recipe.extra_training_rows(extra, "dash")
