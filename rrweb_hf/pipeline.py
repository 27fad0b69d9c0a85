"""The main job, end to end: corpus -> tokenizer -> prepared dataset -> pretrained BERT -> Hub-ready folder.

:func:`run_all` chains the library's stages with settings that finish in at most ten minutes on two CPU
cores with the ``tiny`` preset and the bundled corpus (``rrweb-hf run-all``):

1. train the tokenizer's text vocabulary (:meth:`RRWebTokenizer.train`) -> ``OUT/tokenizer``;
2. tokenize every session into overlapping windows with event ids, split train/validation/test by
   session, export Parquet + dataset card (:mod:`rrweb_hf.prepare`) -> ``OUT/dataset``;
3. pretrain BERT with masked-LM (:mod:`rrweb_hf.pretrain`), stopping at ``max_steps`` or the time budget;
4. evaluate on the test split against the baselines, draw the plots and write the model card
   -> ``OUT/model`` (what ``rrweb-hf publish OUT/model --repo-id ...`` uploads);
5. downstream (``downstream_eval``, on by default): scenario retrieval and probe on the test split's
   sessions (:func:`rrweb_hf.benchmark.evaluate_downstream`), the model next to random weights, a TF-IDF
   bag of tokens and the majority class; the figures go into ``OUT/model/downstream_results.json`` and the
   card (a table and ``model-index`` entries). It needs labels: the corpus's ``MANIFEST.json`` or
   ``downstream_labels``; without them it is skipped and the reason is in the summary.

The settings are one dataclass, :class:`RunAllConfig` (the ``rrweb-hf run-all`` flags).

Example:
    >>> from rrweb_hf.pipeline import run_all
    >>> summary = run_all(out_dir="rrweb-hf-run")  # doctest: +SKIP
    >>> summary["model_dir"]  # doctest: +SKIP
    'rrweb-hf-run/model'
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from .modeling import PRESETS
from .sessions import SPLIT_SEED

logger = logging.getLogger(__name__)


@dataclass
class RunAllConfig:
    """The settings of :func:`run_all` (``rrweb-hf run-all`` flags); defaults fit 10 minutes on 2 CPUs."""

    preset: str = field(default="tiny", metadata={"help": "model preset", "choices": list(PRESETS)})
    config_overrides: str | None = field(
        default=None, metadata={"help": "preset overrides, e.g. 'hidden_size=32,num_hidden_layers=2'"}
    )
    text_vocab_size: int = field(default=2000, metadata={"help": "subword text vocabulary size"})
    max_length: int = field(default=256, metadata={"help": "window length in tokens"})
    stride: int = field(default=32, metadata={"help": "window overlap in tokens"})
    validation_fraction: float = field(default=0.1, metadata={"help": "share of sessions for validation"})
    test_fraction: float = field(default=0.1, metadata={"help": "share of sessions for the final evaluation"})
    max_steps: int = field(default=1500, metadata={"help": "training steps"})
    max_train_minutes: float | None = field(default=6.0, metadata={"help": "training time budget"})
    total_minutes: float | None = field(
        default=9.0,
        metadata={"help": "budget of the whole job; training gets what the first stages left, less 1.5 min"},
    )
    batch_size: int = field(default=16, metadata={"help": "windows per step"})
    learning_rate: float = field(default=1e-3, metadata={"help": "peak learning rate"})
    eval_steps: int = field(default=250, metadata={"help": "evaluate on validation every this many steps"})
    save_steps: int = field(default=500, metadata={"help": "checkpoint every this many steps"})
    report_to: str = field(default="none", metadata={"help": "none or wandb"})
    num_proc: int | None = field(default=None, metadata={"help": "processes for tokenizing"})
    resume: bool = field(default=False, metadata={"help": "continue an interrupted training run"})
    overwrite: bool = field(default=True, metadata={"help": "start training afresh over an old run"})
    seed: int = field(default=42, metadata={"help": "everything's seed"})
    progress: bool = field(default=True, metadata={"help": "progress bars"})
    max_final_eval_samples: int | None = field(
        default=400, metadata={"help": "windows in the final evaluation"}
    )
    model_id: str | None = field(default=None, metadata={"help": "Hub id for the card's loading examples"})
    cache_dir: str | None = field(default=None, metadata={"help": "datasets cache for tokenizing"})
    # the recipe's choices: the defaults are its `best` (behaviour profile, interaction masking), chosen on
    # the validation halves of its four leave-one-application-out rotations (README, "Pretraining that has
    # to use behaviour"); profile="full", masking="token", max_steps=300 is the main job before that choice
    profile: str = field(
        default="behaviour",
        metadata={"help": "tokenizer budget profile (see RRWebTokenizer)", "choices": ["full", "behaviour"]},
    )
    masking: str = field(
        default="interaction",
        metadata={
            "help": "masked-LM positions (rrweb_hf.collators)",
            "choices": ["token", "event", "target", "mixed", "interaction"],
        },
    )
    contrastive_steps: int = field(
        default=0, metadata={"help": "steps of the contrastive stage after masked-LM (rrweb_hf.contrastive)"}
    )
    pooling: str = field(
        default="mean",
        metadata={
            "help": "session-embedding pooling the contrastive stage trains",
            "choices": ["mean", "cls"],
        },
    )

    downstream_eval: bool = field(
        default=True,
        metadata={
            "help": "after training, retrieval and probe on the test split's sessions against the baselines "
            "(rrweb_hf.benchmark), into the model card; needs labels (the corpus's MANIFEST.json)"
        },
    )
    downstream_labels: str | None = field(
        default=None,
        metadata={"help": "labels file of the downstream evaluation (default: CORPUS/MANIFEST.json)"},
    )
    downstream_label_column: str = field(
        default="scenario", metadata={"help": "label of the downstream retrieval and probe"}
    )
    downstream_split: str = field(
        default="test",
        metadata={
            "help": "split whose sessions stage 5 evaluates: test (what the card reports) or validation "
            "(to choose settings without reading test)",
            "choices": ["test", "validation"],
        },
    )
    downstream_minutes: float = field(
        default=1.0,
        metadata={"help": "minutes of total_minutes kept for the downstream evaluation (when it runs)"},
    )

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; choose one of {', '.join(PRESETS)}")
        if self.downstream_split not in ("test", "validation"):
            raise ValueError(
                f"downstream_split={self.downstream_split!r} is not a split stage 5 can read; "
                "pass 'test' or 'validation'"
            )
        if self.cache_dir is not None:
            self.cache_dir = os.fspath(self.cache_dir)


def run_all(
    corpus: str | os.PathLike | None = None,
    out_dir: str | os.PathLike = "rrweb-hf-run",
    *,
    config: RunAllConfig | None = None,
    **settings,
) -> dict:
    """Run the whole pipeline and return the headline numbers.

    Args:
        corpus: folder, file, glob or ``file://`` URL of rrweb recordings (default: the bundled corpus).
        out_dir: output root; gets ``tokenizer/``, ``dataset/`` and ``model/``.
        config: the settings; or give its fields as keywords (``max_steps=16``).

    Returns:
        ``{"model_dir", "dataset_dir", "tokenizer_dir", "sessions", "windows", "seconds": {stage: s},
        "evaluation": {...}, "downstream": {task: {predictor: {metric: value}}} or {"skipped": reason},
        "global_step", "headline": text}``.

    Raises:
        ValueError: an empty corpus (no valid session), or bad settings.
    """
    from . import sample_corpus

    cfg = config or RunAllConfig(**settings)
    corpus = os.fspath(corpus) if corpus else str(sample_corpus())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer_dir, dataset_dir, model_dir = out / "tokenizer", out / "dataset", out / "model"
    seconds: dict[str, float] = {}

    t0 = time.monotonic()
    tokenizer, held_out_paths = _train_tokenizer(corpus, tokenizer_dir, cfg)
    seconds["tokenizer"] = time.monotonic() - t0

    t0 = time.monotonic()
    logger.info("stage 2/4: tokenizing windows")
    report = _prepare(corpus, tokenizer, dataset_dir, cfg)
    seconds["prepare"] = time.monotonic() - t0

    t0 = time.monotonic()
    result = _pretrain(tokenizer_dir, dataset_dir, model_dir, cfg, _training_minutes(cfg, seconds))
    seconds["pretrain_and_evaluate"] = time.monotonic() - t0

    downstream: dict = {"skipped": "downstream_eval is off"}
    if cfg.downstream_eval and result.main_process and not result.interrupted:
        t0 = time.monotonic()
        downstream = _downstream(corpus, model_dir, dataset_dir, cfg, held_out_paths, result)
        seconds["downstream"] = time.monotonic() - t0
    return _summary(out, tokenizer_dir, dataset_dir, model_dir, report, result, seconds, downstream)


def _train_tokenizer(corpus: str, tokenizer_dir: Path, cfg: RunAllConfig):
    """Stage 1: the text vocabulary, learned from the training sessions only (the split prepare will
    make), so held-out text does not shape the vocabulary.

    Returns:
        ``(tokenizer, held_out)``: ``held_out`` maps the split stage 5 reads (``downstream_split``; when
        it has no session, the other held-out split) to the files of its sessions, relative to the corpus
        folder.
    """
    from .corpus import walk_corpus
    from .sessions import relative_path, split_of
    from .tokenization_rrweb import RRWebTokenizer

    walk = walk_corpus(corpus)
    sessions = list(walk)
    if not sessions:
        raise ValueError(f"no valid rrweb session in {corpus}; skipped: {walk.skipped[:3]}")
    fractions = (cfg.validation_fraction, cfg.test_fraction, SPLIT_SEED)
    parts = [split_of(s.session_id, *fractions) for s in sessions]
    other = {"test": "validation", "validation": "test"}[cfg.downstream_split]
    held_name = cfg.downstream_split if cfg.downstream_split in parts else other
    root = Path(corpus)
    held_out = {
        held_name: sorted(
            {
                relative_path(s.path, root)
                for s, part in zip(sessions, parts, strict=True)
                if part == held_name
            }
        )
    }
    sessions = [s for s, part in zip(sessions, parts, strict=True) if part == "train"] or sessions
    logger.info("stage 1/4: training the tokenizer on %d sessions", len(sessions))
    tokenizer = RRWebTokenizer.train(
        sessions,
        text_vocab_size=cfg.text_vocab_size,
        show_progress=cfg.progress,
        total=len(sessions),
        model_max_length=cfg.max_length,
        profile=cfg.profile,
    )
    tokenizer.save_pretrained(str(tokenizer_dir))
    return tokenizer, held_out


def _prepare(corpus: str, tokenizer, dataset_dir: Path, cfg: RunAllConfig) -> dict:
    """Stage 2: windows with event ids, split by session, exported as Parquet + card; returns the report."""
    from .prepare import PrepareConfig, export_dataset, prepare_windows

    shared = {f.name for f in fields(PrepareConfig)} & {f.name for f in fields(RunAllConfig)}
    config = PrepareConfig(**{name: getattr(cfg, name) for name in shared}, with_event_ids=True)
    prepared = prepare_windows(corpus, tokenizer, config=config)
    export_dataset(prepared.dataset, dataset_dir, report=prepared.report, title="rrweb session windows")
    return prepared.report


def _training_minutes(cfg: RunAllConfig, seconds: dict[str, float]) -> float | None:
    """The training budget: ``max_train_minutes``, cut to what ``total_minutes`` leaves (1.5 min kept for
    the final evaluation, and ``downstream_minutes`` more when the downstream evaluation runs)."""
    if cfg.total_minutes is None:
        return cfg.max_train_minutes
    left = cfg.total_minutes - sum(seconds.values()) / 60 - 1.5
    if cfg.downstream_eval:
        left -= cfg.downstream_minutes
    return max(0.5, left if cfg.max_train_minutes is None else min(cfg.max_train_minutes, left))


def _pretrain(tokenizer_dir: Path, dataset_dir: Path, model_dir: Path, cfg: RunAllConfig, minutes):
    """Stages 3 and 4: pretraining, then evaluation, plots and card (:func:`rrweb_hf.pretrain.pretrain`)."""
    from transformers import TrainingArguments

    from .pretrain import TRAINING_DEFAULTS, DataTrainingArguments, ModelArguments, RunArguments, pretrain

    logger.info(
        "stage 3/4: pretraining (%s preset, %d steps max, %s min budget)", cfg.preset, cfg.max_steps, minutes
    )
    training_args = TrainingArguments(
        **{
            **TRAINING_DEFAULTS,
            "output_dir": str(model_dir),
            "max_steps": cfg.max_steps,
            "per_device_train_batch_size": cfg.batch_size,
            "learning_rate": cfg.learning_rate,
            "warmup_steps": max(1, cfg.max_steps // 20),
            "eval_steps": cfg.eval_steps,
            "save_steps": cfg.save_steps,
            "logging_steps": max(1, min(10, cfg.max_steps // 20)),
            "report_to": cfg.report_to,
            "seed": cfg.seed,
            "disable_tqdm": not cfg.progress,
            "train_sampling_strategy": "group_by_length",
            "dataloader_pin_memory": False,
        }
    )
    return pretrain(
        ModelArguments(
            tokenizer=str(tokenizer_dir), preset=cfg.preset, config_overrides=cfg.config_overrides
        ),
        DataTrainingArguments(dataset=str(dataset_dir), masking=cfg.masking),
        RunArguments(
            resume=cfg.resume,
            overwrite=cfg.overwrite and not cfg.resume,
            max_train_minutes=minutes,
            max_final_eval_samples=cfg.max_final_eval_samples,
            model_id=cfg.model_id,
            contrastive_steps=cfg.contrastive_steps,
            contrastive_pooling=cfg.pooling,
        ),
        training_args,
    )


def _downstream(corpus: str, model_dir: Path, dataset_dir: Path, cfg: RunAllConfig, held_out, result) -> dict:
    """Stage 5: retrieval and probe on the held-out split's sessions; rewrites the card with the figures.

    Returns:
        ``{task: {predictor: {metric: value}}}`` (the full result is ``model_dir/downstream_results.json``),
        or ``{"skipped": reason}`` when there is nothing to evaluate with (no labels, too few sessions).
    """
    from .benchmark import LabelTable, evaluate_downstream, load_labels

    root = Path(corpus)
    labels = Path(cfg.downstream_labels) if cfg.downstream_labels else root / "MANIFEST.json"
    ((split_name, paths),) = held_out.items()
    column = cfg.downstream_label_column
    reason = None
    if not root.is_dir():
        reason = f"the corpus {corpus} is not a folder (labels paths are relative to one)"
    elif not labels.is_file():
        reason = f"no labels file {labels} (pass downstream_labels / --downstream-labels)"
    if reason is None:
        table = load_labels(labels)
        wanted = set(paths)
        rows = [r for r in table.rows if r["path"] in wanted and r.get(column) not in (None, "")]
        if column not in table.columns:
            reason = f"the labels {labels} have no column {column!r} (columns: {', '.join(table.columns)})"
        elif len(rows) < 2:
            reason = f"{len(rows)} labelled session file(s) in the {split_name} split; at least 2 are needed"
    if reason is not None:
        logger.warning("downstream evaluation skipped: %s", reason)
        return {"skipped": reason}
    logger.info("stage 5: downstream retrieval and probe on %d %s sessions", len(rows), split_name)
    downstream = evaluate_downstream(
        model_dir,
        root,
        LabelTable(table.source, table.columns, rows, table.excluded_formats),
        label_column=column,
        split="all",
        tasks=("retrieval", "probe"),
        seed=cfg.seed,
    )
    downstream["split"]["dataset_split"] = split_name
    (model_dir / "downstream_results.json").write_text(json.dumps(downstream, indent=2))
    _rewrite_card(model_dir, dataset_dir, cfg, result, downstream)
    return {
        task: {p: {k: v for k, v in row.items() if k not in ("n", "ci")} for p, row in preds.items()}
        for task, preds in downstream["tasks"].items()
    }


def _rewrite_card(model_dir: Path, dataset_dir: Path, cfg: RunAllConfig, result, downstream: dict) -> None:
    """The card of stage 4 again, with the downstream figures (table and ``model-index`` entries)."""
    from . import model_card
    from .pretrain import load_prepared_dataset, window_lengths

    data = load_prepared_dataset(dataset_dir)
    images = {
        key: name
        for key, name in (("loss", model_card.LOSS_PLOT), ("lengths", model_card.LENGTHS_PLOT))
        if (model_dir / name).is_file()
    }
    model_card.write_model_card(
        model_dir,
        evaluation=result.evaluation,
        lengths={name: window_lengths(split) for name, split in data.items()},
        dataset_dir=dataset_dir,
        model_id=cfg.model_id,
        images=images,
        downstream=downstream,
    )


def _summary(
    out: Path, tokenizer_dir, dataset_dir, model_dir, report: dict, result, seconds, downstream=None
) -> dict:
    """The headline numbers, also written (without the text headline) to ``run_all_summary.json``."""
    from .pretrain import headline

    summary = {
        "model_dir": str(model_dir),
        "dataset_dir": str(dataset_dir),
        "tokenizer_dir": str(tokenizer_dir),
        "sessions": report.get("sessions"),
        "windows": report.get("windows"),
        "seconds": seconds,
        "global_step": result.global_step,
        "evaluation": result.evaluation.to_dict() if result.evaluation is not None else None,
        "downstream": downstream,
        "headline": headline(result) + _downstream_headline(downstream),
    }
    (out / "run_all_summary.json").write_text(
        json.dumps({k: v for k, v in summary.items() if k != "headline"}, indent=2)
    )
    return summary


def _downstream_headline(downstream: dict | None) -> str:
    """Lines of the headline for the downstream figures (model and baselines), or the skip reason."""
    if not downstream:
        return ""
    if "skipped" in downstream:
        return f"\ndownstream evaluation skipped: {downstream['skipped']}"
    lines = []
    for task, key, name in (("retrieval", "accuracy_1nn", "1-NN"), ("probe", "accuracy", "probe accuracy")):
        preds = downstream.get(task) or {}
        cells = [
            f"{p} {'n/a' if preds[p].get(key) is None else f'{100 * preds[p][key]:.1f}%'}"
            for p in ("model", "random_init", "bag_of_tokens", "majority")
            if p in preds
        ]
        lines.append(f"downstream {task} ({name}): " + ", ".join(cells))
    return "\n" + "\n".join(lines)
