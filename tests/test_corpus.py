"""One corpus module (issue 11, defect 2): folder / file / glob / ``file://`` URL for every command, one skip policy.

Depends on: rrweb_hf/corpus.py, the CLI commands, rrweb_hf/sessions.py, rrweb_hf/lazy.py, rrweb_hf/prepare.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rrweb_hf
from rrweb_hf import cli

EVENTS = [
    {"type": 4, "data": {"href": "https://a.io/x", "width": 800, "height": 600}, "timestamp": 1},
    {
        "type": 3,
        "data": {"source": 1, "positions": [{"x": 1, "y": 2, "id": 3, "timeOffset": 0}]},
        "timestamp": 9,
    },
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name in ("shop/a.json", "shop/b.json", "blog/c.json"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(EVENTS * 3))
    (root / "shop" / "bad.json").write_text('[{"type": 3')
    (root / "notes.txt").write_text("not a session")
    return root


def test_stats_and_train_tokenizer_read_a_glob(corpus, tmp_path, capsys):
    pattern = str(corpus / "shop" / "*.json")
    assert cli.main(["stats", pattern, "--json", "--no-progress"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["sessions"], len(stats["skipped"])) == (2, 1)
    out = tmp_path / "tok"
    assert (
        cli.main(["train-tokenizer", pattern, "--out", str(out), "--text-vocab-size", "300", "--no-progress"])
        == 0
    )
    assert "sessions: 2 " in capsys.readouterr().out
    assert (out / "tokenizer_config.json").is_file()


def test_walk_corpus_resolves_folder_file_glob_and_file_url_alike(corpus):
    # walk_corpus is what `embed` and the first stage of `run-all` read the corpus with
    by_folder = [s.session_id for s in rrweb_hf.walk_corpus(corpus)]
    assert by_folder == ["blog/c", "shop/a", "shop/b"]
    assert [s.session_id for s in rrweb_hf.walk_corpus(str(corpus / "**" / "*.json"))] == by_folder
    assert [s.session_id for s in rrweb_hf.walk_corpus(corpus.as_uri())] == by_folder
    assert [s.session_id for s in rrweb_hf.walk_corpus(corpus.as_uri() + "/shop/*.json")] == ["a", "b"]
    assert [s.session_id for s in rrweb_hf.walk_corpus(corpus / "blog" / "c.json")] == ["c"]
    root, files = rrweb_hf.resolve_corpus(corpus.as_uri())
    assert root == corpus and [p.name for p in files] == ["c.json", "a.json", "b.json", "bad.json"]


def test_a_corpus_that_is_not_there_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file matches .*nothing-\*\.json"):
        rrweb_hf.resolve_corpus(str(tmp_path / "nothing-*.json"))
    with pytest.raises(ValueError, match=r"'memory://corpus' is on a remote filesystem .*copy it first"):
        rrweb_hf.resolve_corpus("memory://corpus")


def test_every_reader_skips_a_bad_file_with_the_same_reason(corpus, tmp_path, tiny_tokenizer):
    from rrweb_hf.lazy import LazyWindowDataset
    from rrweb_hf.prepare import prepare_windows

    walk = rrweb_hf.walk_corpus(corpus)
    list(walk)
    [(path, reason)] = walk.skipped
    assert path == corpus / "shop" / "bad.json" and reason.startswith("not valid JSON: ")
    _, skipped = rrweb_hf.load_sessions(
        corpus, validation_fraction=0, return_skipped=True, cache_dir=tmp_path / "c1"
    )
    assert skipped == [("shop/bad.json", reason)]
    lazy = LazyWindowDataset(corpus, tiny_tokenizer, max_length=16)
    lazy.warm_up(progress=False)
    assert lazy.skipped == [("shop/bad.json", reason)]
    result = prepare_windows(
        corpus,
        tiny_tokenizer,
        max_length=16,
        stride=2,
        validation_fraction=0,
        cache_dir=tmp_path / "c2",
        progress=False,
    )
    assert result.report["skipped"] == [{"path": "shop/bad.json", "reason": reason}]
