"""The pretraining recipe and its ablations, measured on held-out applications (leave one application out).

For each rotation (one site of the bundled corpus held out), this script trains the tokenizer and the
models on the other sites only, then runs the downstream benchmark on the held-out site's sessions:
``rrweb_hf.benchmark.evaluate_downstream(model_dir, corpus, held_out=SITE, split=PART)``, the same call
as ``rrweb-hf evaluate MODEL_DIR --held-out SITE --split PART``, so the figures here are the benchmark's
(leave-one-out retrieval, the cross-validated probe, bootstrap 95% intervals over sessions, the model next
to ``random_init``, ``bag_of_tokens`` and ``majority`` in the same run). The held-out sessions are cut
into ``validation`` and ``test`` halves by the benchmark's split hash; configurations are compared on
``validation`` (the default) and ``--parts validation,test`` reads test once per reported configuration.

The recorder's annotation events (Custom events tagged ``session`` and ``scenario-step``, which name the
site, the scenario and its steps) are removed from the training sessions here and from the evaluated
sessions by the benchmark: they would hand the label to every predictor.

Every configuration gets the same budget, in optimisation steps (not wall time): ``--mlm-steps`` of
masked-LM and, where it has a contrastive stage, ``--contrastive-steps``. The ablations change one thing
at a time against today's default (``full`` profile, token masking, no contrastive stage, mean pooling).
Models and benchmark results are cached in ``--out`` (rerunning prints the table again at no cost).

Usage:
    nice -n 10 .venv/bin/python scripts/recipe.py --out /tmp/recipe                # every rotation
    nice -n 10 .venv/bin/python scripts/recipe.py --rotations django --configs default,best
    nice -n 10 .venv/bin/python scripts/recipe.py --rotations mkdocs --configs best --parts test
    # the 30-minute recipe, with a recorded pretraining corpus (scripts/record/record_pretraining_corpus.sh)
    nice -n 5 .venv/bin/python scripts/recipe.py --rotations django --configs best --mlm-minutes 30 \
        --mlm-steps 12000 --extra-corpus /data/extra_corpus --tasks retrieval,probe,next_interaction,reconstruction
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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
        replace(DEFAULT, name="masking=target", masking="target"),
        replace(DEFAULT, name="contrastive(mean)", contrastive=True),
        replace(DEFAULT, name="contrastive(cls)", contrastive=True, pooling="cls"),
        replace(DEFAULT, name="contrastive+mlm", contrastive=True, mlm_weight=0.5),
        Config("behaviour+contrastive", profile="behaviour", contrastive=True),
        Config("behaviour+contrastive(cls)", profile="behaviour", contrastive=True, pooling="cls"),
        Config("behaviour+target", profile="behaviour", masking="target"),
        Config("behaviour+mixed", profile="behaviour", masking="mixed"),
        Config("behaviour+interaction", profile="behaviour", masking="interaction"),
        Config(
            "behaviour+interaction+contrastive", profile="behaviour", masking="interaction", contrastive=True
        ),
        Config("behaviour+target+contrastive", profile="behaviour", masking="target", contrastive=True),
        # chosen by validation_ranking on the four rotations' validation halves (1500 steps; README)
        Config("best", profile="behaviour", masking="interaction"),
    )
}


def training_rows(corpus: Path, table, held_out: str) -> list[tuple[str, list]]:
    """``[(path, events)]`` of a rotation's training files (every site but ``held_out``), annotations removed.

    The files are the benchmark's (:func:`rrweb_hf.benchmark.leave_one_site_out` over the labels table,
    which leaves out other formats' copies of the same visits), so the model never sees an evaluated file.
    """
    from rrweb_hf.benchmark import leave_one_site_out

    split = leave_one_site_out(table.rows, held_out, part="all")
    return [(p, read_stripped(corpus / p)) for p in split.train_paths]


def read_stripped(path: Path) -> list:
    """A session's events without the recorder's annotation events (they name the site and scenario)."""
    import rrweb_hf
    from rrweb_hf.benchmark.annotations import strip_annotations

    return strip_annotations(rrweb_hf.read_session(path).events)[0]


def extra_training_rows(extra: Path, held_out: str) -> list[tuple[str, list]]:
    """``[(path, events)]`` of a pretraining-only corpus (``--extra-corpus``), the held-out site left out.

    ``extra`` is a folder with a ``MANIFEST.json`` (``scripts/record/record_pretraining_corpus.sh`` writes
    one): its sessions only add to what the tokenizer and the model learn from; none is ever evaluated.
    Its sessions of the held-out site, if any, are left out like the bundled ones. The paths are prefixed
    with ``extra/`` so they cannot clash with the bundled corpus's.
    """
    from rrweb_hf.benchmark import load_labels

    rows = load_labels(extra / "MANIFEST.json").rows
    keep = [r["path"] for r in rows if r.get("site") not in (None, "", held_out)]
    if not keep:
        raise ValueError(f"--extra-corpus {extra} has no session of a site other than {held_out!r}")
    return [(f"extra/{p}", read_stripped(extra / p)) for p in keep]


def extra_tag(extra: Path) -> str:
    """The cache-folder suffix of an extra corpus: its name and a hash of its ``MANIFEST.json``.

    The manifest holds every file's hash, so a corpus recorded again into the same folder gets new
    tokenizer, dataset and model folders instead of stale ones.
    """
    digest = hashlib.sha256((extra / "MANIFEST.json").read_bytes()).hexdigest()[:12]
    return f"extra-{extra.name}-{digest}"


def write_corpus(rows, folder: Path) -> Path:
    """Write ``(path, events)`` sessions as ``.json.gz`` files (what ``prepare`` reads)."""
    if folder.exists():
        shutil.rmtree(folder)
    for path, events in rows:
        target = folder / (path if path.endswith(".gz") else f"{path}.gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(target, "wt") as fh:
            json.dump(events, fh)
    return folder


# ------------------------------------------------------------------------------------------ training


def build_data(train_rows, folder: Path, profile: str, max_length: int, stride: int, vocab: int):
    """Tokenizer and prepared dataset for one rotation and profile (cached in ``folder``)."""
    from rrweb_hf import RRWebTokenizer
    from rrweb_hf.prepare import export_dataset, prepare_windows

    tok_dir, data_dir = folder / "tokenizer", folder / "dataset"
    if not (data_dir / "prepare_report.json").is_file():
        corpus = write_corpus(train_rows, folder / "corpus")
        tok = RRWebTokenizer.train(
            [events for _, events in train_rows],
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
    return tok_dir, data_dir


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
            RunArguments(overwrite=True, final_eval=False, max_train_minutes=args.mlm_minutes),
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


# ------------------------------------------------------------------------------------------ measuring


def benchmark(model_dir: Path, corpus: Path, table, held_out: str, part: str, args) -> dict:
    """``evaluate_downstream(model_dir, corpus, held_out=..., split=part)``, cached next to the model."""
    from rrweb_hf.benchmark import evaluate_downstream

    tasks = tuple(args.tasks.split(","))
    name = f"benchmark-{held_out}-{part}-{args.label_column}-{'+'.join(tasks)}-seed{args.seed}.json"
    path = Path(model_dir) / name
    if path.is_file():
        return json.loads(path.read_text())
    result = evaluate_downstream(
        model_dir,
        corpus,
        table,
        label_column=args.label_column,
        held_out=held_out,
        split=part,
        tasks=tasks,
        seed=args.seed,
    )
    path.write_text(json.dumps(result, indent=1))
    return result


#: The columns of the recipe's table: (task, metric, header).
COLUMNS = (
    ("retrieval", "accuracy_1nn", "1-NN"),
    ("retrieval", "mrr", "MRR"),
    ("probe", "accuracy", "probe acc."),
    ("probe", "macro_f1", "probe macro-F1"),
)


def cell(row: dict | None, metric: str) -> str:
    """``"77.8 [61, 94]"``: a benchmark figure in %, with its 95% interval (``n/a`` when not scored).

    Example:
        >>> cell({"accuracy": 0.7778, "ci": {"accuracy": [0.611, 0.944]}}, "accuracy")
        '77.8 [61, 94]'
    """
    value = None if row is None else row.get(metric)
    if value is None:
        return "n/a"
    ci = (row.get("ci") or {}).get(metric)
    return f"{100 * value:.1f}" + (f" [{100 * ci[0]:.0f}, {100 * ci[1]:.0f}]" if ci else "")


def table_rows(results: dict[str, dict]) -> list[str]:
    """Markdown rows of one rotation and part: each configuration's model, then its baselines.

    ``results`` maps a configuration name to its ``evaluate_downstream`` result. Each configuration's
    ``random_init`` and ``bag_of_tokens`` come from its own run (its tokenizer profile, its pooling), so
    they repeat when two configurations share them; ``majority`` is the same for all and printed once.
    """
    header = "| configuration | predictor | n | " + " | ".join(h for _, _, h in COLUMNS) + " |"
    lines = [header, "|---|---|---:|" + "---:|" * len(COLUMNS)]
    seen: set[str] = set()
    last = None
    for name, result in results.items():
        tasks = result["tasks"]
        for predictor in ("model", "random_init", "bag_of_tokens", "majority"):
            row = [tasks.get(t, {}).get(predictor) for t, _, _ in COLUMNS]
            if all(r is None for r in row):
                continue
            cells = [cell(r, m) for r, (_, m, _) in zip(row, COLUMNS, strict=True)]
            key = f"{predictor}|{'|'.join(cells)}"
            if predictor != "model" and key in seen:
                continue
            seen.add(key)
            n = next((r["n"].get(m) for r, (_, m, _) in zip(row, COLUMNS, strict=True) if r), None)
            label = name if predictor != "majority" else "(any)"
            if predictor == "majority":
                last = f"| {label} | majority | {n} | " + " | ".join(cells) + " |"
                continue
            lines.append(f"| {label} | {predictor} | {n} | " + " | ".join(cells) + " |")
    return lines + ([last] if last else [])


def print_table(held: str, part: str, results: dict[str, dict]) -> None:
    first = next(iter(results.values()))
    split = first["split"]
    print(
        f"\n### held out: {held}, {part}: {split['eval_sessions']} sessions, "
        f"{len(first['data']['classes'])} {first['data']['label_column']} classes; %, [95% interval]\n"
    )
    print("\n".join(table_rows(results)))
    sys.stdout.flush()


def margins(result: dict) -> dict[str, float]:
    """The model's lead over its best baseline (``random_init``, ``bag_of_tokens``), in points, per metric.

    Example:
        >>> r = {"model": {"accuracy_1nn": 0.8}, "random_init": {"accuracy_1nn": 0.7},
        ...      "bag_of_tokens": {"accuracy_1nn": 0.75}}
        >>> margins({"tasks": {"retrieval": r}})
        {'1-NN': 5.0}
    """
    out = {}
    for task, metric, header in (("retrieval", "accuracy_1nn", "1-NN"), ("probe", "accuracy", "probe")):
        rows = result["tasks"].get(task) or {}
        values = [(rows.get(p) or {}).get(metric) for p in ("model", "random_init", "bag_of_tokens")]
        if None not in values:
            out[header] = round(100 * (values[0] - max(values[1:])), 1)
    return out


def validation_ranking(results: dict) -> list[tuple[str, float, dict]]:
    """Configurations by their mean lead over the best baseline on validation (1-NN and probe, every rotation).

    This is the rule the recipe's ``best`` was chosen by: the mean, over rotations and the two metrics, of
    :func:`margins`. Returns ``[(name, mean, {rotation: margins})]``: the configurations measured on the
    most rotations first (a mean over fewer rotations is not comparable), then by mean, best first.
    """
    per: dict[str, dict] = {}
    for held, parts in results.items():
        for name, result in (parts.get("validation") or {}).items():
            per.setdefault(name, {})[held] = margins(result)
    ranked = []
    for name, by_rotation in per.items():
        values = [v for m in by_rotation.values() for v in m.values()]
        if values:
            ranked.append((name, round(sum(values) / len(values), 1), by_rotation))
    return sorted(ranked, key=lambda item: (-len(item[2]), -item[1]))


# ------------------------------------------------------------------------------------------ main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=None, help="labelled corpus (default: the bundled one)")
    parser.add_argument("--labels", default=None, help="labels file (default: CORPUS/MANIFEST.json)")
    parser.add_argument("--label-column", default="scenario", help="label of retrieval and probe")
    parser.add_argument("--out", default="/tmp/rrweb-recipe", help="work folder (cached between runs)")
    parser.add_argument(
        "--extra-corpus",
        default=None,
        help="a recorded pretraining-only corpus with its MANIFEST.json (scripts/record/"
        "record_pretraining_corpus.sh): its sessions of the other sites are added to every rotation's "
        "tokenizer and model training sessions; never evaluated",
    )
    parser.add_argument("--rotations", default="all", help="held-out sites, comma-separated, or all")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"of {', '.join(CONFIGS)}")
    parser.add_argument(
        "--parts",
        default="validation",
        help="halves of the held-out sessions evaluated: validation (choose here) and/or test (read once "
        "per reported configuration), comma-separated",
    )
    parser.add_argument(
        "--tasks",
        default="retrieval,probe",
        help="benchmark tasks (retrieval, probe, next_interaction, reconstruction), comma-separated",
    )
    parser.add_argument("--mlm-steps", type=int, default=300)
    parser.add_argument(
        "--mlm-minutes",
        type=float,
        default=None,
        help="also stop masked-LM training after this many minutes of wall time; the learning rate still "
        "decays over --mlm-steps, so set those to what fits (the tiny preset did about 600 steps a minute "
        "on an idle 2-core machine); the models' folder names carry it",
    )
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    import torch

    import rrweb_hf
    from rrweb_hf.benchmark import format_markdown, load_labels, sites

    torch.set_num_threads(2)
    corpus = Path(args.corpus) if args.corpus else rrweb_hf.sample_corpus()
    table = load_labels(Path(args.labels) if args.labels else corpus / "MANIFEST.json")
    work = Path(args.out)
    rotations = sites(table.rows) if args.rotations == "all" else args.rotations.split(",")
    names = args.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {list(CONFIGS)}")
    parts = args.parts.split(",")
    if any(p not in ("validation", "test") for p in parts):
        parser.error(f"--parts {args.parts!r}: use validation and/or test")
    results: dict = {}
    for held in rotations:
        train_rows = training_rows(corpus, table, held)
        if args.extra_corpus:
            train_rows += extra_training_rows(Path(args.extra_corpus), held)
        print(f"[{held}] {len(train_rows)} training sessions", file=sys.stderr, flush=True)
        results[held] = {part: {} for part in parts}
        for name in names:
            config = CONFIGS[name]
            t0 = time.monotonic()
            pfolder = work / held / f"profile-{config.profile}-{args.max_length}"
            if args.extra_corpus:
                pfolder = pfolder.with_name(f"{pfolder.name}-{extra_tag(Path(args.extra_corpus))}")
            tok_dir, data_dir = build_data(
                train_rows, pfolder, config.profile, args.max_length, args.stride, args.text_vocab_size
            )
            tag = f"{config.masking}-{args.mlm_steps}-{args.seed}"
            if args.mlm_minutes:
                tag += f"-{args.mlm_minutes:g}min"
            model_dir = train_model(
                config, tok_dir, data_dir, pfolder / "models" / tag / _slug(config, args), args
            )
            for part in parts:
                results[held][part][name] = benchmark(model_dir, corpus, table, held, part, args)
            print(
                f"[{held}] {name}: {time.monotonic() - t0:.0f} s ({model_dir})", file=sys.stderr, flush=True
            )
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
        for part in parts:
            print_table(held, part, results[held][part])
            if set(args.tasks.split(",")) - {"retrieval", "probe"}:
                for name, result in results[held][part].items():
                    print(f"\n#### {name}, held out {held}, {part}\n\n{format_markdown(result)}")
    ranking = validation_ranking(results)
    if len(ranking) > 1:
        print("\n### validation ranking: mean lead over the best baseline (1-NN, probe), points\n")
        for name, mean, by_rotation in ranking:
            detail = "; ".join(f"{held} {m}" for held, m in by_rotation.items())
            print(f"- {name}: {mean:+.1f} over {len(by_rotation)} rotation(s) ({detail})")
    return 0


def _slug(config: Config, args) -> str:
    if not config.contrastive:
        return "mlm-only"
    return (
        f"c{args.contrastive_steps}-b{args.contrastive_batch_size}-{config.pooling}-t{config.temperature}"
        f"-lr{config.contrastive_lr}-m{config.mlm_weight}"
    )


if __name__ == "__main__":
    sys.exit(main())
