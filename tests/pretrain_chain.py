"""The real chain for the pretraining tests, built once per test session and shared by several files.

corpus (a subset of the bundled recordings) -> ``RRWebTokenizer.train`` -> ``rrweb_hf.prepare`` (Parquet + card) -> ``rrweb_hf.pretrain`` (real Trainer,
tiny BERT, wandb offline) -> evaluation, plots, model card. All of it through ``rrweb_hf.pipeline.run_all``.

Depends on: rrweb_hf/tokenization_rrweb.py (tokenizer), rrweb_hf/prepare.py (+ sessions.py), and
rrweb_hf/data/sample_corpus (its MANIFEST.json gives each recording's site).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

#: Tiny BERT for tests: trains a step in well under a second on a shared CPU.
TINY_OVERRIDES = "hidden_size=32,num_hidden_layers=2,num_attention_heads=2,intermediate_size=64"
MAX_LENGTH = 64
#: Events kept per bundled recording in the test corpus.
MAX_EVENTS = 150
_CACHE: dict[str, dict] = {}


@contextlib.contextmanager
def offline_env(root: Path):
    """wandb offline into ``root``, no Hub network, for the ``with`` block only (``pytest.MonkeyPatch``).

    Function-scoped tests use ``monkeypatch``; this is for module fixtures, which cannot.
    """
    (root / "wandb_dir").mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (
            ("WANDB_MODE", "offline"),
            ("WANDB_DIR", str(root / "wandb_dir")),
            ("WANDB_SILENT", "true"),
            ("HF_HUB_OFFLINE", "1"),
            ("HF_HUB_DISABLE_TELEMETRY", "1"),
        ):
            patch.setenv(name, value)
        yield


def make_corpus(root: Path, per_site: int = 4) -> Path:
    """A small labelled corpus: the ``per_site`` smallest bundled recordings of each site, cut short.

    Returns:
        The corpus folder (with ``MANIFEST.json`` giving each file's ``site``).
    """
    import rrweb_hf
    from rrweb_hf.finetune import read_manifest

    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    bundled = rrweb_hf.sample_corpus()
    by_site: dict[str, list] = {}
    for name, entry in sorted(read_manifest(bundled).items()):
        if (bundled / name).is_file() and entry.get("site"):
            by_site.setdefault(str(entry["site"]), []).append((name, entry))
    assert len(by_site) >= 2, f"the bundled corpus {bundled} lists fewer than two sites in MANIFEST.json"
    entries = []
    for _site, items in sorted(by_site.items()):
        # The smallest recordings, cut to their first MAX_EVENTS events: real data at test size.
        items = sorted(items, key=lambda item: (bundled / item[0]).stat().st_size)
        for name, entry in items[:per_site]:
            events = rrweb_hf.read_session(bundled / name).events[:MAX_EVENTS]
            short = name[: -len(".gz")] if name.endswith(".gz") else name
            target = corpus / short
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(events))
            entries.append({**entry, "path": short, "events": len(events)})
    (corpus / "MANIFEST.json").write_text(json.dumps({"files": entries}, indent=1))
    return corpus


def build_chain(tmp_path_factory) -> dict:
    """Run the pipeline once (cached for the test session).

    Returns:
        ``{"root", "corpus", "summary", "model", "dataset", "tokenizer"}`` (paths).
    """
    if "chain" in _CACHE:
        return _CACHE["chain"]
    root = tmp_path_factory.mktemp("chain")
    corpus = make_corpus(root)

    with offline_env(root):
        summary = _run(corpus, root)
    _CACHE["chain"] = {
        "root": root,
        "corpus": corpus,
        "summary": summary,
        "model": Path(summary["model_dir"]),
        "dataset": Path(summary["dataset_dir"]),
        "tokenizer": Path(summary["tokenizer_dir"]),
    }
    return _CACHE["chain"]


def _run(corpus: Path, root: Path) -> dict:
    from rrweb_hf.pipeline import run_all

    return run_all(
        corpus,
        root / "run",
        config_overrides=TINY_OVERRIDES,
        text_vocab_size=400,
        max_length=MAX_LENGTH,
        stride=8,
        validation_fraction=0.25,
        test_fraction=0.25,
        max_steps=16,
        max_train_minutes=None,
        total_minutes=None,
        batch_size=8,
        learning_rate=3e-3,
        eval_steps=8,
        save_steps=8,
        report_to="wandb",
        progress=False,
        max_final_eval_samples=64,
        cache_dir=root / "hf_cache",
    )
