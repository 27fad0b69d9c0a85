"""prepare --engine ray: the same rows, ids, order, report, card and skips as --engine datasets.

One local Ray (2 CPUs, a small object store, no dashboard, no usage stats) serves the module. The
corpus is a subset of the bundled one (3 files per site), a JSONL file with two sessions and a bad
line, the bad files of ``test_datasets_helpers`` and files both engines must ignore. A CLI run in a
second process joins that Ray instance with ``--address`` (an existing cluster).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray.data", reason="the ray extra is not installed: pip install 'rrweb_hf[ray]'")
os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")

import datasets
import pyarrow.parquet as pq
import ray
from test_datasets_helpers import BAD_FILES, add_bad_files, make_events

import rrweb_hf
from rrweb_hf.cli import main
from rrweb_hf.prepare import REPORT_NAME, export_dataset, prepare_windows
from rrweb_hf.prepare_ray import init_ray, list_corpus, prepare_with_ray
from rrweb_hf.readers import SessionReadError, corpus_paths
from rrweb_hf.sessions import relative_path
from rrweb_hf.tokenization_rrweb import RRWebTokenizer

FILES_PER_SITE = 3
SETTINGS = ["--max-length", "64", "--stride", "8", "--validation-fraction", "0.3", "--test-fraction", "0.2"]
#: fields that differ between the engines: run time, driver memory, the datasets cache
TIMING = ("seconds", "peak_rss_mb", "cache_hit")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    assert not ray.is_initialized()
    assert init_ray(num_cpus=2, object_store_memory=128 * 2**20) is True
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray") / "corpus"
    sample = rrweb_hf.sample_corpus()
    for site in sorted(p for p in sample.iterdir() if p.is_dir() and p.name != "sdk"):  # the site folders
        for path in sorted(site.iterdir())[:FILES_PER_SITE]:
            (root / site.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, root / site.name / path.name)
    lines = [json.dumps({**event, "sessionId": f"jl-{i % 2}"}) for i, event in enumerate(make_events(1) * 2)]
    lines.insert(3, '{"type": "not an int"}')
    (root / "grouped.jsonl").write_text("\n".join(lines) + "\n")
    add_bad_files(root)
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.json").write_text("[]")  # hidden: not a session file for either engine
    (root / "MANIFEST.json").write_text("{}")
    (root / "notes.txt").write_text("not a recording")
    return root


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tok")
    RRWebTokenizer().save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def outputs(corpus, tokenizer_dir, tmp_path_factory):
    """The CLI with each engine on the same corpus and settings: {engine: folder}."""
    base = tmp_path_factory.mktemp("out")
    folders = {}
    for engine in ("datasets", "ray"):
        folders[engine] = base / engine
        extra = ["--cache-dir", str(base / "cache")] if engine == "datasets" else ["--num-proc", "2"]
        argv = ["prepare", str(corpus), "--tokenizer", str(tokenizer_dir), "--out", str(folders[engine])]
        assert main([*argv, *SETTINGS, "--event-ids", "--no-progress", "--engine", engine, *extra]) == 0
    return folders


def _report(folder: Path) -> dict:
    return json.loads((folder / REPORT_NAME).read_text())


def test_rows_equal_per_split_in_the_same_order(outputs):
    ours = datasets.load_dataset(str(outputs["ray"]))
    theirs = datasets.load_dataset(str(outputs["datasets"]))
    assert sorted(ours) == sorted(theirs) == ["test", "train", "validation"]
    for split in theirs:
        assert ours[split].features == theirs[split].features
        assert "event_ids" in ours[split].features
        assert ours[split].to_list() == theirs[split].to_list()  # same rows, ids and order
    # the order: sessions in sorted file order, each session's windows numbered 0, 1, 2, ...
    rows = ours["train"].select_columns(["session_id", "window_index"]).to_list()
    sessions = [r["session_id"] for r in rows if r["window_index"] == 0]
    assert len(sessions) == len(set(sessions))
    for previous, row in zip(rows, rows[1:], strict=False):
        if row["window_index"]:
            assert row == {"session_id": previous["session_id"], "window_index": previous["window_index"] + 1}


def test_report_equal_and_bad_files_reported_identically(outputs):
    ours, theirs = _report(outputs["ray"]), _report(outputs["datasets"])
    assert {k: v for k, v in ours.items() if k not in TIMING} == {
        k: v for k, v in theirs.items() if k not in TIMING
    }
    assert ours["cache_hit"] is False
    expected = {f"bad/{name}": category for name, (_, category) in BAD_FILES.items()}
    expected["grouped.jsonl:4"] = "'type' must be an integer"
    got = {item["path"]: item["reason"] for item in ours["skipped"]}
    assert sorted(got) == sorted(expected)
    for path, category in expected.items():
        assert got[path].startswith(category)
    assert ours["skipped_files"] == len(BAD_FILES) + 1
    # 3 files from each bundled site, the two JSONL sessions
    sites = [p for p in rrweb_hf.sample_corpus().iterdir() if p.is_dir() and p.name != "sdk"]
    assert ours["sessions"] == FILES_PER_SITE * len(sites) + 2
    assert sum(s["sessions"] for s in ours["splits"].values()) == ours["sessions"]


def test_card_and_files_equal(outputs):
    names = {
        e: sorted(p.relative_to(f).as_posix() for p in f.rglob("*") if p.is_file())
        for e, f in outputs.items()
    }
    assert names["ray"] == names["datasets"]
    assert "data/train-00000-of-00001.parquet" in names["ray"]

    def card(folder):  # num_bytes is the Arrow size of the rows, which depends on their chunking
        return re.sub(r"num_bytes: \d+", "num_bytes: N", (folder / "README.md").read_text())

    assert card(outputs["ray"]) == card(outputs["datasets"])
    for name in names["ray"]:
        if name.endswith(".parquet"):
            ours, theirs = (pq.read_schema(outputs[e] / name) for e in ("ray", "datasets"))
            assert ours.equals(theirs, check_metadata=True)


def test_shards_split_like_export_dataset(corpus, tmp_path):
    tok = RRWebTokenizer()
    settings = dict(max_length=64, stride=8, validation_fraction=0.3, progress=False)
    result = prepare_windows(corpus, tok, cache_dir=tmp_path / "cache", **settings)
    export_dataset(result.dataset, tmp_path / "datasets", report=result.report, max_rows_per_shard=70)
    prepare_with_ray(corpus, tok, tmp_path / "ray", max_rows_per_shard=70, files_per_batch=2, **settings)
    shards = {}
    for engine in ("datasets", "ray"):
        files = sorted((tmp_path / engine / "data").glob("*.parquet"))
        shards[engine] = [(p.name, pq.read_metadata(p).num_rows) for p in files]
    assert shards["ray"] == shards["datasets"]
    assert len([name for name, _ in shards["ray"] if name.startswith("train-")]) > 2


def test_file_url_corpus_gives_the_same_rows(corpus, outputs, tokenizer_dir, tmp_path):
    out = tmp_path / "from-url"
    argv = ["prepare", corpus.as_uri(), "--tokenizer", str(tokenizer_dir), "--out", str(out), *SETTINGS]
    assert main([*argv, "--event-ids", "--no-progress", "--engine", "ray"]) == 0
    ours, theirs = datasets.load_dataset(str(out)), datasets.load_dataset(str(outputs["ray"]))
    for split in theirs:
        assert ours[split].to_list() == theirs[split].to_list()
    assert _report(out)["skipped"] == _report(outputs["ray"])["skipped"]


def test_address_connects_to_a_running_cluster(corpus, outputs, tokenizer_dir, tmp_path):
    """A second process joins this module's Ray instance with --address, leaves it running."""
    address = ray.get_runtime_context().gcs_address
    out = tmp_path / "joined"
    argv = ["prepare", str(corpus), "--tokenizer", str(tokenizer_dir), "--out", str(out), *SETTINGS]
    argv += ["--event-ids", "--no-progress", "--engine", "ray", "--address", address]
    done = subprocess.run(
        [sys.executable, "-m", "rrweb_hf", *argv], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ours, theirs = datasets.load_dataset(str(out)), datasets.load_dataset(str(outputs["datasets"]))
    for split in theirs:
        assert ours[split].to_list() == theirs[split].to_list()
    assert ray.get(ray.put("still up")) == "still up"  # the driver disconnected; the cluster runs on


def test_list_corpus_url_follows_the_local_rules(corpus):
    root, files, filesystem = list_corpus(corpus.as_uri())
    assert type(filesystem).__name__ == "LocalFileSystem"
    assert [relative_path(f, Path(root)) for f in files] == [
        relative_path(f, corpus) for f in corpus_paths(corpus)
    ]
    with pytest.raises(ValueError, match="wildcard"):
        list_corpus(corpus.as_uri() + "/*.json")
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        list_corpus((corpus / "missing").as_uri())


def test_strict_stops_at_the_first_bad_file_and_writes_nothing(corpus, tmp_path):
    with pytest.raises(SessionReadError, match=r"bad/broken\.json\.gz: broken gzip"):
        prepare_with_ray(corpus, RRWebTokenizer(), tmp_path / "out", strict=True, progress=False)
    assert not (tmp_path / "out").exists()


def test_cli_refuses_flags_of_the_other_engine(corpus, tokenizer_dir, tmp_path, capsys):
    argv = ["prepare", str(corpus), "--tokenizer", str(tokenizer_dir), "--out", str(tmp_path / "o")]
    assert main([*argv, "--address", "auto"]) == 2
    assert "--address is for --engine ray" in capsys.readouterr().err
    assert main([*argv, "--engine", "ray", "--cache-dir", str(tmp_path)]) == 2
    assert "--cache-dir is for --engine datasets" in capsys.readouterr().err


def test_a_sentry_segment_folder_is_refused_with_the_fix(tmp_path):
    """The datasets engine joins a folder of replay segments into one session; the ray engine's file
    datasource cannot, so it refuses the corpus up front instead of reading each segment as a session."""
    from rrweb_hf.prepare_ray import list_corpus

    (tmp_path / "plain.json").write_text("[]")
    folder = tmp_path / "replay-abc"
    folder.mkdir()
    for n in range(2):
        (folder / f"{n}.json").write_text(f'{{"segment_id": {n}}}\n[]')
    with pytest.raises(
        ValueError, match=r"replay-abc is a folder of Sentry replay segments.*--engine datasets"
    ):
        list_corpus(tmp_path)
    assert list_corpus(tmp_path / "plain.json")[1] == [str(tmp_path / "plain.json")]
