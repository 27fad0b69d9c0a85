"""The main job, end to end: corpus -> tokenizer -> prepared dataset -> pretrained BERT -> Hub-ready folder.

:func:`run_all` chains the library's stages with settings that finish in at most ten minutes on two CPU
cores with the ``tiny`` preset and the bundled corpus (``rrweb-hf run-all``):

1. train the tokenizer's text vocabulary (:meth:`RRWebTokenizer.train`) -> ``OUT/tokenizer``;
2. tokenize every session into overlapping windows with event ids, split train/validation/test by
   session, export Parquet + dataset card (:mod:`rrweb_hf.prepare`) -> ``OUT/dataset``;
3. pretrain BERT with masked-LM (:mod:`rrweb_hf.pretrain`), stopping at ``max_steps`` or the time budget;
4. evaluate on the test split against the baselines, draw the plots and write the model card
   -> ``OUT/model`` (what ``rrweb-hf publish OUT/model --repo-id ...`` uploads).

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
from pathlib import Path

logger = logging.getLogger(__name__)

#: Seed of the train/validation/test split by session (``rrweb_hf.sessions.split_of``).
SPLIT_SEED = "rrweb_hf"


def run_all(
    corpus: str | os.PathLike | None = None,
    out_dir: str | os.PathLike = "rrweb-hf-run",
    *,
    preset: str = "tiny",
    config_overrides: str | None = None,
    text_vocab_size: int = 2000,
    max_length: int = 256,
    stride: int = 32,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.1,
    max_steps: int = 300,
    max_train_minutes: float | None = 6.0,
    total_minutes: float | None = 9.0,
    batch_size: int = 16,
    learning_rate: float = 1e-3,
    eval_steps: int = 50,
    save_steps: int = 100,
    report_to: str = "none",
    num_proc: int | None = None,
    resume: bool = False,
    overwrite: bool = True,
    seed: int = 42,
    progress: bool = True,
    max_final_eval_samples: int | None = 400,
    model_id: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    profile: str = "full",
    masking: str = "token",
    contrastive_steps: int = 0,
    pooling: str = "mean",
) -> dict:
    """Run the whole pipeline and return the headline numbers.

    Args:
        corpus: folder of rrweb recordings (default: the bundled sample corpus).
        out_dir: output root; gets ``tokenizer/``, ``dataset/`` and ``model/``.
        preset: model preset (``tiny`` for CPUs).
        config_overrides: preset overrides (``"hidden_size=32,num_hidden_layers=2"``).
        text_vocab_size: subword text vocabulary size.
        max_length: window length in tokens.
        stride: window overlap.
        validation_fraction: share of sessions for validation.
        test_fraction: share of sessions held out for the final evaluation.
        max_steps: training steps.
        max_train_minutes: wall-time budget of training (None: none).
        total_minutes: wall-time budget of the whole job: training gets what the tokenizer and dataset stages
            left of it, less 1.5 minutes for evaluation and the card (None: no overall budget).
        batch_size: windows per step.
        learning_rate: peak learning rate.
        eval_steps: evaluate on validation every this many steps (for the loss curve).
        save_steps: checkpoint every this many steps.
        report_to: ``none`` or ``wandb``.
        num_proc: processes for tokenizing the dataset.
        resume: continue an interrupted training run in ``out_dir/model``.
        overwrite: start training afresh when ``out_dir/model`` holds an old run (ignored with ``resume``).
        seed: everything's seed.
        progress: progress bars.
        max_final_eval_samples: windows in the final evaluation.
        model_id: Hub id for the card's loading examples.
        cache_dir: datasets cache for tokenizing (default ``HF_DATASETS_CACHE``).
        profile: tokenizer budget profile (``full`` or ``behaviour``, see ``RRWebTokenizer``).
        masking: masked-LM positions (``token``, ``event``, ``target``, ``mixed``; :mod:`rrweb_hf.collators`).
        contrastive_steps: steps of the contrastive stage after masked-LM (:mod:`rrweb_hf.contrastive`).
        pooling: session-embedding pooling the contrastive stage trains (``mean`` or ``cls``).

    Returns:
        ``{"model_dir", "dataset_dir", "tokenizer_dir", "seconds": {stage: s}, "evaluation": {...},
        "global_step", "headline": text}``.

    Raises:
        ValueError: an empty corpus (no valid session).
    """
    from transformers import TrainingArguments

    from . import sample_corpus, walk_corpus
    from .prepare import export_dataset, prepare_windows
    from .pretrain import (
        TRAINING_DEFAULTS,
        DataTrainingArguments,
        ModelArguments,
        RunArguments,
        headline,
        pretrain,
    )
    from .sessions import split_of
    from .tokenization_rrweb import RRWebTokenizer

    corpus = Path(corpus) if corpus else sample_corpus()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer_dir, dataset_dir, model_dir = out / "tokenizer", out / "dataset", out / "model"
    seconds: dict[str, float] = {}

    t0 = time.monotonic()
    walk = walk_corpus(corpus)
    sessions = list(walk)
    if not sessions:
        raise ValueError(f"no valid rrweb session in {corpus}; skipped: {walk.skipped[:3]}")
    # The text vocabulary is learned from the training sessions only (the split prepare will make),
    # so held-out text does not shape the vocabulary.
    train_sessions = [
        s
        for s in sessions
        if split_of(s.session_id, validation_fraction, test_fraction, SPLIT_SEED) == "train"
    ]
    sessions = train_sessions or sessions
    logger.info("stage 1/4: training the tokenizer on %d sessions", len(sessions))
    tokenizer = RRWebTokenizer.train(
        sessions,
        text_vocab_size=text_vocab_size,
        show_progress=progress,
        total=len(sessions),
        model_max_length=max_length,
        profile=profile,
    )
    tokenizer.save_pretrained(str(tokenizer_dir))
    del sessions
    seconds["tokenizer"] = time.monotonic() - t0

    t0 = time.monotonic()
    logger.info("stage 2/4: tokenizing windows")
    prepared = prepare_windows(
        corpus,
        tokenizer,
        max_length=max_length,
        stride=stride,
        num_proc=num_proc,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        with_event_ids=True,
        split_seed=SPLIT_SEED,
        progress=progress,
        cache_dir=cache_dir,
    )
    export_dataset(prepared.dataset, dataset_dir, report=prepared.report, title="rrweb session windows")
    seconds["prepare"] = time.monotonic() - t0

    if total_minutes is not None:
        left = total_minutes - sum(seconds.values()) / 60 - 1.5
        max_train_minutes = max(0.5, left if max_train_minutes is None else min(max_train_minutes, left))
    t0 = time.monotonic()
    logger.info(
        "stage 3/4: pretraining (%s preset, %d steps max, %s min budget)",
        preset,
        max_steps,
        max_train_minutes,
    )
    training_args = TrainingArguments(
        **{
            **TRAINING_DEFAULTS,
            "output_dir": str(model_dir),
            "max_steps": max_steps,
            "per_device_train_batch_size": batch_size,
            "learning_rate": learning_rate,
            "warmup_steps": max(1, max_steps // 20),
            "eval_steps": eval_steps,
            "save_steps": save_steps,
            "logging_steps": max(1, min(10, max_steps // 20)),
            "report_to": report_to,
            "seed": seed,
            "disable_tqdm": not progress,
            "train_sampling_strategy": "group_by_length",
            "dataloader_pin_memory": False,
        }
    )
    result = pretrain(
        ModelArguments(tokenizer=str(tokenizer_dir), preset=preset, config_overrides=config_overrides),
        DataTrainingArguments(dataset=str(dataset_dir), masking=masking),
        RunArguments(
            resume=resume,
            overwrite=overwrite and not resume,
            max_train_minutes=max_train_minutes,
            max_final_eval_samples=max_final_eval_samples,
            model_id=model_id,
            contrastive_steps=contrastive_steps,
            contrastive_pooling=pooling,
        ),
        training_args,
    )
    seconds["pretrain_and_evaluate"] = time.monotonic() - t0
    summary = {
        "model_dir": str(model_dir),
        "dataset_dir": str(dataset_dir),
        "tokenizer_dir": str(tokenizer_dir),
        "sessions": prepared.report.get("sessions"),
        "windows": prepared.report.get("windows"),
        "seconds": seconds,
        "global_step": result.global_step,
        "evaluation": result.evaluation.to_dict() if result.evaluation is not None else None,
        "headline": headline(result),
    }
    (out / "run_all_summary.json").write_text(
        json.dumps({k: v for k, v in summary.items() if k != "headline"}, indent=2)
    )
    return summary
