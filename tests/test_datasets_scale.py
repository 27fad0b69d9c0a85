"""The large-corpus generator (deterministic variations) and the benchmark's pieces on a few hundred files."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from test_datasets_helpers import make_corpus, make_events

from rrweb_hf import walk_corpus

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the generator's Pool pickles its functions by module name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("source")
    make_corpus(root, 4, n_incremental=60)
    events = make_events(0, 60)  # JSON escapes in text: \n, \u00e9, \" must survive the text variation
    events[1]["data"]["node"]["childNodes"][0]["childNodes"][0]["childNodes"][0]["textContent"] = (
        'line one\nline two "quoted" \\path été café naïve\u2028end'
    )
    (root / "site0" / "escapes.json").write_text(json.dumps(events))
    return root


def _events(path: Path) -> list:
    return json.loads(gzip.decompress(path.read_bytes()))


def _ids(value, found: set) -> set:
    if isinstance(value, dict):
        for key, sub in value.items():
            if key in ("id", "parentId") and isinstance(sub, int):
                found.add(sub)
            else:
                _ids(sub, found)
    elif isinstance(value, list):
        for sub in value:
            _ids(sub, found)
    return found


def test_generator_is_deterministic_and_varies(source, tmp_path):
    gen = _load("make_large_corpus")
    args = ["--source", str(source), "--files", "40", "--workers", "2", "--max-events", "50"]
    assert gen.main([*args, "--out", str(tmp_path / "a"), "--seed", "7"]) == 0
    assert gen.main([*args, "--out", str(tmp_path / "b"), "--seed", "7", "--workers", "1"]) == 0
    assert gen.main([*args, "--out", str(tmp_path / "c"), "--seed", "8", "--text-rate", "1.0"]) == 0
    varied = walk_corpus(tmp_path / "c")
    assert len(list(varied)) == 40 and varied.skipped == []  # every text varied, JSON still valid
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json.gz"))
    assert len(files_a) == 40
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    assert any((tmp_path / "c" / f).read_bytes() != (tmp_path / "a" / f).read_bytes() for f in files_a)
    walk = walk_corpus(tmp_path / "a")
    sessions = list(walk)
    assert len(sessions) == 40 and walk.skipped == []  # .generated.json is not taken for a session
    originals = [s.events for s in walk_corpus(source)]
    source_starts = {o[0]["timestamp"] for o in originals}
    for session in sessions[:10]:
        events = session.events
        assert len(events) <= 50 and events[0]["type"] == 4 and events[1]["type"] == 2
        ids = _ids(events, set())
        assert min(ids) > 1  # node ids shifted (the source documents start at id 1)
        assert events[0]["timestamp"] not in source_starts  # time shifted
        assert events[1]["timestamp"] - events[0]["timestamp"] == 5  # gaps kept


def test_benchmark_pieces_on_a_few_hundred_files(source, tmp_path):
    gen = _load("make_large_corpus")
    bench = _load("bench_datasets")
    out = tmp_path / "big"
    assert gen.main(["--source", str(source), "--out", str(out), "--files", "200", "--max-events", "20"]) == 0
    index = bench.index_memory(str(out))
    assert index["files"] == 200 and index["retained_bytes_per_file"] <= 200  # <= 0.2 KB per file
    from rrweb_hf.prepare import prepare_windows
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    tok = RRWebTokenizer.train(walk_corpus(source), text_vocab_size=300, show_progress=False)
    result = prepare_windows(out, tok, max_length=128, stride=16, cache_dir=tmp_path / "c", progress=False)
    assert result.report["sessions"] == 200 and result.report["skipped_files"] == 0
    # the benchmark's own child process (fresh cache, 512-token windows), memory sampled over the run
    tok.save_pretrained(tmp_path / "tok")
    measured = bench.run_prepare(str(out), str(tmp_path / "tok"), tmp_path / "c2", 1)
    assert (measured["files"], measured["sessions"], measured["skipped_files"]) == (200, 200, 0)
    assert not measured["cache_hit"] and measured["files_per_s"] > 0
    quarters = measured["anon_peak_by_quarter_mb"]
    assert len(quarters) == 4 and quarters == sorted(quarters) and quarters[-1] <= measured["peak_anon_mb"]
    lazy = bench.lazy_bench(str(out), tok, 50)
    assert (
        lazy["cold_hit_rate"] == 0.0
        and lazy["warm_round_hit_rate"] == 1.0
        and lazy["overall_hit_rate"] == 0.5
    )
