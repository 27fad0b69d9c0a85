"""``rrweb-hf stats``: text, --json, --plot and --strict, through the real entry points."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rrweb_hf
from rrweb_hf.stats import corpus_stats

EVENTS = [
    {"type": 4, "data": {"href": "http://127.0.0.1/", "width": 800, "height": 600}, "timestamp": 10},
    {
        "type": 3,
        "data": {"source": 1, "positions": [{"x": 1, "y": 2, "id": 3, "timeOffset": 0}]},
        "timestamp": 20,
    },
    {"type": 3, "data": {"source": 99}, "timestamp": 30},
    {"type": 42, "data": {}, "timestamp": 40},
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "one.json").write_text(json.dumps(EVENTS))
    (root / "two.json.gz").write_bytes(gzip.compress(json.dumps({"events": EVENTS[:2]}).encode()))
    (root / "broken.json").write_text('[{"type": 3')
    return root


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rrweb_hf", *args], capture_output=True, text=True, timeout=120
    )


def test_stats_json_counts(corpus):
    proc = run_cli("stats", str(corpus), "--json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["files"], out["sessions"], out["events"]) == (3, 2, 6)
    assert out["bytes"] == sum(p.stat().st_size for p in corpus.iterdir())
    assert out["event_types"] == {"Meta": 2, "IncrementalSnapshot": 3, "unknown(42)": 1}
    assert out["incremental_sources"] == {"MouseMove": 2, "unknown(99)": 1}
    assert out["skipped"] == [{"path": str(corpus / "broken.json"), "reason": out["skipped"][0]["reason"]}]
    assert out["skipped"][0]["reason"].startswith("not valid JSON")


def test_stats_text_and_plot(corpus, tmp_path):
    png = tmp_path / "plots" / "lengths.png"
    proc = run_cli("stats", str(corpus), "--plot", str(png))
    assert proc.returncode == 0, proc.stderr
    assert "sessions: 2" in proc.stdout and "skipped files: 1" in proc.stdout
    assert "stats: 100%" in proc.stderr  # the progress bar ran to the end
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stats_strict_fails_on_first_bad_file(corpus):
    proc = run_cli("stats", str(corpus), "--strict", "--no-progress")
    assert proc.returncode == 1
    assert "broken.json" in proc.stderr and "not valid JSON" in proc.stderr


def test_console_script_is_installed(corpus):
    exe = shutil.which("rrweb-hf") or str(Path(sys.executable).with_name("rrweb-hf"))
    proc = subprocess.run(
        [exe, "stats", str(corpus), "--json", "--no-progress"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["sessions"] == 2


def test_stats_on_the_bundled_corpus_matches_its_manifest():
    manifest = json.loads((rrweb_hf.sample_corpus() / "MANIFEST.json").read_text())
    stats = corpus_stats(rrweb_hf.sample_corpus(), progress=False)
    assert stats.skipped == []
    assert stats.sessions == len(manifest["files"])
    assert stats.events == sum(entry["events"] for entry in manifest["files"])
