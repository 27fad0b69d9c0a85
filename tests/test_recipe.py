"""scripts/recipe.py: the leave-one-out measures, one change per ablation."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "recipe.py"


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("recipe", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["recipe"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_leave_one_out_measures(recipe):
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.7, 0.7]])
    labels = np.array(["a", "a", "b", "b", "b"])
    # nearest others: 0->1, 1->0, 2->3, 3->2, 4->1 (a, wrong)
    assert recipe.retrieval_hits(vectors, labels).tolist() == [1, 1, 1, 1, 0]
    assert recipe.majority_hits(np.array(["a", "b", "b", "b"])).tolist() == [0, 1, 1, 1]  # itself left out
    assert recipe.probe_hits(vectors, labels).shape == (5,)
    low, high = recipe.bootstrap(np.array([1.0, 1.0, 0.0, 0.0]))
    assert 0.0 <= low <= 0.5 <= high <= 1.0


def test_each_ablation_changes_one_thing(recipe):
    default = dataclasses.asdict(recipe.DEFAULT)
    for name, config in recipe.CONFIGS.items():
        changed = {k for k, v in dataclasses.asdict(config).items() if v != default[k] and k != "name"}
        if name == "best":
            assert changed >= {"profile", "masking", "contrastive"}
        elif name == "behaviour+contrastive":  # a combination, like best
            assert changed == {"profile", "contrastive"}
        elif name == "contrastive+mlm" or name == "contrastive(cls)":
            assert "contrastive" in changed and len(changed) == 2
        else:
            assert len(changed) <= 1, (name, changed)
