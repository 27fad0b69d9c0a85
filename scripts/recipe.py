"""The pretraining recipe and its ablations, measured on held-out applications (leave one application out).

For each rotation (one site of the bundled corpus held out), this script trains the tokenizer and the
models on the other sites only, then embeds the held-out site's sessions and measures, on its
``validation`` and ``test`` halves (a hash of the path, salt ``rrweb_hf-benchmark``), scenario retrieval
(leave-one-out 1-NN by cosine) and a probe (logistic regression, leave-one-out) with a bootstrap 95%
interval over sessions, next to the same architecture with random weights, a TF-IDF bag of the same
tokens and the majority class, all in the same run. Configurations are ranked on validation; test is
printed once per configuration.

The recorder's annotation events (Custom events tagged ``session`` and ``scenario-step``, which name the
site, the scenario and its steps) are removed from every session before anything is trained or measured:
they would hand the label to every predictor.

Every configuration gets the same budget, in optimisation steps (not wall time): ``--mlm-steps`` of
masked-LM and, where it has a contrastive stage, ``--contrastive-steps``. The ablations change one thing
at a time against today's default (``full`` profile, token masking, no contrastive stage, mean pooling).

Usage:
    nice -n 10 .venv/bin/python scripts/recipe.py --out /tmp/recipe                # every rotation
    nice -n 10 .venv/bin/python scripts/recipe.py --rotations django --configs default,best
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SALT = "rrweb_hf-benchmark"


@dataclass(frozen=True)
class Config:
    """One pretraining configuration."""

    name: str
    profile: str = "full"
    masking: str = "token"
    contrastive: bool = False
    pooling: str = "mean"
    mlm_weight: float = 0.0
    temperature: float = 0.05
    contrastive_lr: float = 3e-4


DEFAULT = Config("default")
CONFIGS = {
    c.name: c
    for c in (
        DEFAULT,
        replace(DEFAULT, name="profile=behaviour", profile="behaviour"),
        replace(DEFAULT, name="masking=event", masking="event"),
        replace(DEFAULT, name="masking=mixed", masking="mixed"),
        replace(DEFAULT, name="contrastive(mean)", contrastive=True),
        replace(DEFAULT, name="contrastive(cls)", contrastive=True, pooling="cls"),
        replace(DEFAULT, name="contrastive+mlm", contrastive=True, mlm_weight=0.5),
        Config("behaviour+contrastive", profile="behaviour", contrastive=True),
        Config("best", profile="behaviour", masking="mixed", contrastive=True),
    )
}


def load_corpus(corpus: Path, work: Path):
    """Sessions with labels: ``[(path, site, scenario, events)]``, annotations removed; the same sessions
    are written to ``work/corpus`` with a ``MANIFEST.json`` (what ``evaluate_downstream`` reads)."""
    import rrweb_hf
    from rrweb_hf.benchmark.annotations import strip_annotations

    # The rrweb recordings in each site's own folder; copies of the same visits in other formats (the
    # corpus's sdk/ folder) are left out, they would be near-duplicates across the halves.
    manifest = {
        f["path"]: f
        for f in json.loads((corpus / "MANIFEST.json").read_text())["files"]
        if f.get("format", "rrweb") == "rrweb" and f["path"].split("/")[0] == f.get("site")
    }
    rows = []
    for path, row in sorted(manifest.items()):
        events = rrweb_hf.read_session(corpus / path).events
        rows.append((path, row["site"], row["scenario"], strip_annotations(events)[0]))
    clean = work / "corpus"
    if not (clean / "MANIFEST.json").is_file():
        write_corpus(rows, clean)
        entries = [
            {k: v for k, v in manifest[r[0]].items() if k in ("path", "site", "scenario")} for r in rows
        ]
        (clean / "MANIFEST.json").write_text(json.dumps({"files": entries}, indent=1))
    return rows, clean


def write_corpus(rows, folder: Path) -> Path:
    """Write sessions as ``.json.gz`` files (what ``prepare`` reads)."""
    if folder.exists():
        shutil.rmtree(folder)
    for path, _site, _scenario, events in rows:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(target, "wt") as fh:
            json.dump(events, fh)
    return folder


def part_of(path: str) -> str:
    from rrweb_hf.sessions import split_of

    return split_of(path, validation_fraction=0.5, test_fraction=0.5, seed=SALT)


# ------------------------------------------------------------------------------------------ metrics


def bootstrap(values: np.ndarray, n: int = 1000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n, len(values)))
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def retrieval_hits(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Leave-one-out 1-NN by cosine: 1 where the nearest other session has the same label."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    return (labels[np.argmax(sim, axis=1)] == labels).astype(float)


def probe_hits(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Leave-one-out logistic regression (standardised features): 1 where the prediction is right."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    hits = np.zeros(len(labels))
    for i in range(len(labels)):
        keep = np.arange(len(labels)) != i
        if len(set(labels[keep])) < 2:
            hits[i] = float(labels[keep][0] == labels[i])
            continue
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
        clf.fit(features[keep], labels[keep])
        hits[i] = float(clf.predict(features[i : i + 1])[0] == labels[i])
    return hits


def majority_hits(labels: np.ndarray) -> np.ndarray:
    """Leave-one-out majority class."""
    from collections import Counter

    hits = np.zeros(len(labels))
    for i in range(len(labels)):
        counts = Counter(np.delete(labels, i).tolist())
        hits[i] = float(counts.most_common(1)[0][0] == labels[i])
    return hits


def tfidf_vectors(tokenizer, sessions) -> np.ndarray:
    """TF-IDF of token ids over the sessions (sublinear tf, idf from the same sessions)."""
    counts = np.zeros((len(sessions), len(tokenizer)), dtype=np.float64)
    for row, events in enumerate(sessions):
        ids, _ = tokenizer.encode_session(events)
        np.add.at(counts[row], np.asarray(ids, dtype=np.int64), 1.0)
    tf = np.log1p(counts)
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(sessions)) / (1 + df)) + 1
    return tf * idf


# ------------------------------------------------------------------------------------------ training


def build_data(train_rows, folder: Path, profile: str, max_length: int, stride: int, vocab: int):
    """Tokenizer and prepared dataset for one rotation and profile (cached in ``folder``)."""
    from rrweb_hf import RRWebTokenizer
    from rrweb_hf.modeling import load_tokenizer
    from rrweb_hf.prepare import export_dataset, prepare_windows

    tok_dir, data_dir = folder / "tokenizer", folder / "dataset"
    if not (data_dir / "prepare_report.json").is_file():
        corpus = write_corpus(train_rows, folder / "corpus")
        tok = RRWebTokenizer.train(
            [r[3] for r in train_rows],
            text_vocab_size=vocab,
            profile=profile,
            model_max_length=max_length,
            show_progress=False,
        )
        tok.save_pretrained(str(tok_dir))
        prepared = prepare_windows(
            corpus,
            tok,
            max_length=max_length,
            stride=stride,
            validation_fraction=0.05,
            test_fraction=0.0,
            with_event_ids=True,
            progress=False,
            cache_dir=str(folder / "cache"),
        )
        export_dataset(prepared.dataset, data_dir, report=prepared.report, title="recipe windows")
        shutil.rmtree(folder / "cache", ignore_errors=True)
    return load_tokenizer(tok_dir), tok_dir, data_dir


def train_model(config: Config, tok_dir: Path, data_dir: Path, out: Path, args) -> Path:
    """Masked-LM pretraining, then the contrastive stage when the configuration has one."""
    from transformers import TrainingArguments

    from rrweb_hf.contrastive import ContrastiveArguments, train_contrastive
    from rrweb_hf.pretrain import (
        TRAINING_DEFAULTS,
        DataTrainingArguments,
        ModelArguments,
        RunArguments,
        pretrain,
    )

    mlm_dir = out.parent / "mlm"  # shared by every configuration with the same profile and masking
    if not (mlm_dir / "model.safetensors").is_file():
        training_args = TrainingArguments(
            **{
                **TRAINING_DEFAULTS,
                "output_dir": str(mlm_dir),
                "max_steps": args.mlm_steps,
                "per_device_train_batch_size": args.batch_size,
                "learning_rate": args.learning_rate,
                "warmup_steps": max(1, args.mlm_steps // 20),
                "eval_strategy": "no",
                "save_strategy": "no",
                "logging_steps": max(1, args.mlm_steps // 5),
                "seed": args.seed,
                "disable_tqdm": True,
                "train_sampling_strategy": "group_by_length",
                "dataloader_pin_memory": False,
            }
        )
        pretrain(
            ModelArguments(tokenizer=str(tok_dir), preset="tiny", config_overrides=args.config_overrides),
            DataTrainingArguments(dataset=str(data_dir), masking=config.masking),
            RunArguments(overwrite=True, final_eval=False),
            training_args,
        )
    if not config.contrastive:
        return mlm_dir
    final = out / "contrastive"
    if not (final / "model.safetensors").is_file():
        train_contrastive(
            mlm_dir,
            data_dir,
            final,
            ContrastiveArguments(
                max_steps=args.contrastive_steps,
                batch_size=args.contrastive_batch_size,
                learning_rate=config.contrastive_lr,
                temperature=config.temperature,
                pooling=config.pooling,
                mlm_weight=config.mlm_weight,
                seed=args.seed,
            ),
        )
    return final


def random_model_dir(tok_dir: Path, data_dir: Path, out: Path, args) -> Path:
    """The same architecture with random weights, saved as a folder (the random_init baseline)."""
    from rrweb_hf import modeling
    from rrweb_hf.pretrain import copy_tokenizer_files, load_prepared_dataset, window_lengths

    if not (out / "model.safetensors").is_file():
        tok = modeling.load_tokenizer(tok_dir)
        data = load_prepared_dataset(data_dir)
        length = max(max(window_lengths(s)) for s in data.values() if len(s))
        config = modeling.build_config(
            tok, preset="tiny", window_length=length, overrides=args.config_overrides
        )
        out.mkdir(parents=True, exist_ok=True)
        modeling.build_model(config, seed=args.seed).save_pretrained(str(out))
        copy_tokenizer_files(tok_dir, out)
    return out


# ------------------------------------------------------------------------------------------ main


def evaluate(vectors_by_predictor: dict, labels: np.ndarray, parts: np.ndarray) -> dict:
    """``{part: {task: {predictor: {accuracy, low, high, n}}}}``."""
    out: dict = {}
    for part in ("validation", "test"):
        sel = parts == part
        y = labels[sel]
        res: dict = {"retrieval": {}, "probe": {}}
        for name, vectors in vectors_by_predictor.items():
            x = vectors[sel]
            for task, hits in (("retrieval", retrieval_hits(x, y)), ("probe", probe_hits(x, y))):
                lo, hi = bootstrap(hits)
                res[task][name] = {"accuracy": float(hits.mean()), "low": lo, "high": hi, "n": int(len(y))}
        for task in res:
            hits = majority_hits(y)
            lo, hi = bootstrap(hits)
            res[task]["majority"] = {"accuracy": float(hits.mean()), "low": lo, "high": hi, "n": int(len(y))}
        out[part] = res
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=None, help="labelled corpus (default: the bundled one)")
    parser.add_argument("--out", default="/tmp/rrweb-recipe", help="work folder (cached between runs)")
    parser.add_argument("--rotations", default="all", help="held-out sites, comma-separated, or all")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"of {', '.join(CONFIGS)}")
    parser.add_argument("--mlm-steps", type=int, default=300)
    parser.add_argument("--contrastive-steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--contrastive-batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--stride", type=int, default=32)
    parser.add_argument("--text-vocab-size", type=int, default=2000)
    parser.add_argument("--config-overrides", default=None, help="tiny preset overrides")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument(
        "--benchmark",
        default="",
        help="configurations also run through the full benchmark (rrweb_hf.benchmark: four tasks) on the "
        "annotation-free corpus, validation and test halves",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    import torch

    import rrweb_hf

    torch.set_num_threads(2)
    corpus = Path(args.corpus) if args.corpus else rrweb_hf.sample_corpus()
    work = Path(args.out)
    rows, clean = load_corpus(corpus, work)
    all_sites = sorted({r[1] for r in rows})
    rotations = all_sites if args.rotations == "all" else args.rotations.split(",")
    names = args.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {list(CONFIGS)}")
    results: dict = {}
    for held in rotations:
        train_rows = [r for r in rows if r[1] != held]
        held_rows = [r for r in rows if r[1] == held]
        labels = np.array([r[2] for r in held_rows])
        parts = np.array([part_of(r[0]) for r in held_rows])
        sessions = [r[3] for r in held_rows]
        results[held] = {}
        baselines_done: set[str] = set()
        for name in names:
            config = CONFIGS[name]
            t0 = time.monotonic()
            pfolder = work / held / f"profile-{config.profile}-{args.max_length}"
            tok, tok_dir, data_dir = build_data(
                train_rows, pfolder, config.profile, args.max_length, args.stride, args.text_vocab_size
            )
            predictors = {}
            if config.profile not in baselines_done:
                baselines_done.add(config.profile)
                rnd = random_model_dir(tok_dir, data_dir, pfolder / f"random-{args.seed}", args)
                predictors[f"random_init[{config.profile}]"] = cached_embeddings(
                    rnd, sessions, args.stride, "mean"
                )
                predictors[f"bag_of_tokens[{config.profile}]"] = tfidf_vectors(tok, sessions)
            tag = f"{config.masking}-{args.mlm_steps}-{args.seed}"
            model_dir = train_model(
                config, tok_dir, data_dir, pfolder / "models" / tag / _slug(config, args), args
            )
            predictors[name] = cached_embeddings(model_dir, sessions, args.stride, config.pooling)
            evaluated = evaluate(predictors, labels, parts)
            for part, tasks in evaluated.items():
                for task, preds in tasks.items():
                    for pred, value in preds.items():
                        results[held].setdefault(part, {}).setdefault(task, {})[pred] = value
            print(f"[{held}] {name}: {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
            print_table(held, results[held])
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2))
            if name in args.benchmark.split(","):
                from rrweb_hf.benchmark import evaluate_downstream, format_markdown

                for part in ("validation", "test"):
                    result = evaluate_downstream(model_dir, clean, held_out=held, split=part, seed=args.seed)
                    results[held].setdefault("benchmark", {}).setdefault(name, {})[part] = result["tasks"]
                    print(
                        f"\n### {name}, full benchmark, held out {held}, {part}\n\n{format_markdown(result)}"
                    )
    return 0


def cached_embeddings(model_dir: Path, sessions, stride: int, pooling: str) -> np.ndarray:
    """``embed_sessions`` of the held-out sessions, kept next to the model (embedding is the slow part)."""
    from rrweb_hf.embeddings import embed_sessions

    path = Path(model_dir) / f"heldout-embeddings-{pooling}-{stride}-{len(sessions)}.npy"
    if path.is_file():
        return np.load(path)
    vectors = embed_sessions(model_dir, sessions, stride=stride, pooling=pooling)
    np.save(path, vectors)
    return vectors


def _slug(config: Config, args) -> str:
    if not config.contrastive:
        return "mlm-only"
    return (
        f"c{args.contrastive_steps}-b{args.contrastive_batch_size}-{config.pooling}-t{config.temperature}"
        f"-lr{config.contrastive_lr}-m{config.mlm_weight}"
    )


def print_table(held: str, res: dict) -> None:
    for part in ("validation", "test"):
        print(f"\n### held out: {held}, {part} (n={next(iter(res[part]['retrieval'].values()))['n']})\n")
        print("| predictor | scenario 1-NN | 95% CI | probe accuracy | 95% CI |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for pred in res[part]["retrieval"]:
            r, p = res[part]["retrieval"][pred], res[part]["probe"][pred]
            print(
                f"| {pred} | {100 * r['accuracy']:.1f} | {100 * r['low']:.0f}-{100 * r['high']:.0f} "
                f"| {100 * p['accuracy']:.1f} | {100 * p['low']:.0f}-{100 * p['high']:.0f} |"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
