"""The pretraining corpus's recording plan (scripts/record/scenarios.js buildPretrainPlan).

`node scripts/record/scenarios.js --seed S --per-site N --json` prints the plan that
scripts/record/record_pretraining_corpus.sh records. It needs only node (no npm packages,
no browser, no app servers), so these checks run wherever node is installed (.ci/run
installs it). They check that the plan is a pure function of the seed, that its session
seeds never collide with the bundled corpus's (read from its MANIFEST.json), and the
exact first sessions of seed 1 (the corpus recorded for the lead at /work/extra_corpus).
"""

import collections
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scripts" / "record" / "scenarios.js"
MANIFEST = ROOT / "rrweb_hf" / "data" / "sample_corpus" / "MANIFEST.json"
SITES = ["mkdocs", "django", "dash", "media", "datasette", "swagger"]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def plan(*args):
    out = subprocess.run(
        ["node", str(SCENARIOS), *args, "--json"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_plan_is_a_function_of_the_seed():
    a = plan("--seed", "1", "--per-site", "30")
    assert a == plan("--seed", "1", "--per-site", "30")
    assert len(a) == 6 * 30
    assert [s["site"] for s in a[::30]] == SITES
    # a smaller corpus of the same seed is a prefix of each site's sessions (resume / extend)
    small = plan("--seed", "1", "--per-site", "5", "--sites", "swagger")
    assert small == [s for s in a if s["site"] == "swagger"][:5]
    assert [(s["index"], s["seed"], s["scenario"], s["length"]) for s in small] == [
        (1, 1006001, "browse-operations", "medium"),
        (2, 1006002, "models-schemas", "medium"),
        (3, 1006003, "auth-flow", "long"),
        (4, 1006004, "try-post", "medium"),
        (5, 1006005, "try-get", "long"),
    ]
    assert round(small[0]["target"], 3) == 25.655


def test_scenarios_are_balanced_per_site():
    for site, sessions in collections.Counter(
        s["site"] for s in plan("--seed", "3", "--per-site", "23")
    ).items():
        assert sessions == 23, site
    by_site = collections.defaultdict(collections.Counter)
    for s in plan("--seed", "3", "--per-site", "23"):
        by_site[s["site"]][s["scenario"]] += 1
    for site, counts in by_site.items():
        assert max(counts.values()) - min(counts.values()) <= 1, (site, counts)


def test_seeds_are_disjoint_from_the_bundled_corpus_and_across_corpus_seeds():
    bundled = {f["seed"] for f in json.loads(MANIFEST.read_text())["files"]}
    assert len(bundled) > 100
    one = plan("--seed", "1", "--per-site", "999")
    two = plan("--seed", "2", "--per-site", "999")
    seeds1, seeds2 = {s["seed"] for s in one}, {s["seed"] for s in two}
    assert len(seeds1) == len(one) == 6 * 999
    assert not seeds1 & bundled and not seeds2 & bundled and not seeds1 & seeds2
    assert min(seeds1) == 1_001_001 and max(seeds1) == 1_006_999


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seed", "0"], "pretraining seed 0: expected an integer from 1 to 4000"),
        (["--seed", "1", "--per-site", "1000"], "sessions per site 1000: expected an integer from 1 to 999"),
        (["--seed", "1", "--sites", "wordpress"], "unknown site wordpress: expected one of mkdocs, django"),
    ],
)
def test_bad_plan_arguments_name_the_value(args, message):
    out = subprocess.run(["node", str(SCENARIOS), *args], capture_output=True, text=True)
    assert out.returncode != 0
    assert message in out.stderr
