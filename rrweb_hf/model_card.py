"""Model cards and plots for a pretrained model folder.

:func:`write_model_card` renders the Jinja template ``rrweb_hf/templates/model_card.md`` with
:meth:`huggingface_hub.ModelCard.from_template` from raw values only (metrics, split sizes, the
masking scheme and probability, the pad multiple, the preset, framework versions from
:mod:`importlib.metadata`): every number in the card is the run's own, formatted by the template.
The YAML metadata holds license, ``pipeline_tag: fill-mask``, tags, datasets and a ``model-index``
with the real evaluation results as :class:`~huggingface_hub.EvalResult` entries (plus any
``extra_results``, and the downstream benchmark's retrieval and probe figures of the model and each baseline
when ``downstream`` is given: :func:`downstream_results`). The text covers the evaluation tables (model vs
baselines), training-data statistics, how to load the model with ``import rrweb_hf`` and with
``trust_remote_code=True``, intended use, limitations and the privacy masking the tokenizer applied.
:func:`write_training_plots` draws the loss curves and the window-length histogram the card links to.

Example:
    >>> from rrweb_hf.model_card import write_model_card
    >>> write_model_card("out/model", evaluation=report, lengths={"train": [512, 300]})  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import logging
import os
from importlib import metadata
from pathlib import Path

from .io_checks import read_json_file

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
#: The card template (inside the package, so wheels carry it).
DEFAULT_TEMPLATE = TEMPLATES / "model_card.md"
LOSS_PLOT = "loss_curve.png"
LENGTHS_PLOT = "window_lengths.png"
TAGS = ["rrweb", "session-replay", "web-sessions", "bert", "fill-mask", "rrweb_hf"]
#: tokenizer_config.json keys describing privacy masking (shown in the card when present).
_PRIVACY_WORDS = ("mask", "pii", "privacy", "password")
#: Distributions whose versions the card lists.
FRAMEWORKS = ("rrweb_hf", "transformers", "tokenizers", "datasets", "torch", "huggingface_hub")
#: ``training_args.json`` keys listed as hyper-parameters.
HYPERPARAMETERS = (
    "learning_rate",
    "per_device_train_batch_size",
    "max_steps",
    "num_train_epochs",
    "warmup_steps",
    "weight_decay",
    "seed",
    "bf16",
)


def write_training_plots(
    output_dir: str | os.PathLike, log_history: list[dict], lengths: dict[str, list[int]]
) -> dict:
    """Write the loss-curve and window-length PNGs into the model folder.

    Args:
        output_dir: the model folder.
        log_history: ``trainer.state.log_history`` (entries with ``loss`` / ``eval_loss`` and ``step``).
        lengths: window lengths per split.

    Returns:
        ``{"loss": file name or None, "lengths": file name or None}``.
    """
    out = Path(output_dir)
    train = [(e["step"], e["loss"]) for e in log_history if "loss" in e and "step" in e]
    evals = [(e["step"], e["eval_loss"]) for e in log_history if "eval_loss" in e and "step" in e]

    def draw_losses(ax):
        if train:
            ax.plot(*zip(*train, strict=True), label="training loss")
        if evals:
            ax.plot(*zip(*evals, strict=True), marker="o", label="evaluation loss")

    def draw_lengths(ax):
        for name, values in lengths.items():
            if values:
                ax.hist(values, bins=30, alpha=0.6, label=f"{name} ({len(values)} windows)")

    written: dict[str, str | None] = {"loss": None, "lengths": None}
    if train or evals:
        written["loss"] = _plot(
            out / LOSS_PLOT, draw_losses, "Pretraining loss", "step", "masked-LM loss (nats)"
        )
    if any(lengths.values()):
        written["lengths"] = _plot(
            out / LENGTHS_PLOT, draw_lengths, "Window lengths", "tokens per window", "windows"
        )
    return written


def _plot(path: Path, draw, title: str, xlabel: str, ylabel: str) -> str:
    """One labelled figure with a legend, saved as ``path``; returns the file name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    draw(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


def _privacy(tokenizer_config: dict) -> dict:
    return {
        key: value
        for key, value in sorted(tokenizer_config.items())
        if any(word in key.lower() for word in _PRIVACY_WORDS) and not key.endswith("_token")
    }


def _splits(lengths: dict[str, list[int]]) -> list[dict]:
    return [
        {
            "name": name,
            "windows": len(values),
            "tokens": sum(values),
            "mean": sum(values) / len(values) if values else 0,
            "max": max(values) if values else 0,
        }
        for name, values in lengths.items()
    ]


def framework_versions() -> dict[str, str]:
    """Installed versions of :data:`FRAMEWORKS` (``importlib.metadata``; missing ones left out)."""
    versions = {}
    for name in FRAMEWORKS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def repository_url() -> str | None:
    """The ``Repository`` (else ``Homepage``) URL declared in rrweb_hf's package metadata, or None."""
    try:
        urls = metadata.metadata("rrweb_hf").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    found = dict(item.split(", ", 1) for item in urls if ", " in item)
    return found.get("Repository") or found.get("Homepage")


def _masking_scheme() -> dict:
    """The stock collator's replacement shares (of the masked tokens: ``[MASK]``, random, kept)."""
    from transformers import DataCollatorForLanguageModeling

    params = inspect.signature(DataCollatorForLanguageModeling).parameters
    return {name: params[name].default for name in ("mask_replace_prob", "random_replace_prob")}


def _eval_results(evaluation, dataset_name: str, extra_results) -> list:
    """``model-index`` entries: the model's held-out metrics, then ``extra_results`` (dicts of EvalResult fields)."""
    from huggingface_hub import EvalResult

    results = []
    if evaluation is not None:
        m = evaluation.metrics["model"]
        common = {
            "task_type": "fill-mask",
            "task_name": "Masked language modelling",
            "dataset_type": dataset_name,
            "dataset_name": dataset_name,
            "dataset_split": evaluation.split,
        }
        named = [("loss", "Masked-token loss", "loss", 4), ("perplexity", "Perplexity", "perplexity", 3)]
        named.append(("accuracy", "Masked-token accuracy", "accuracy", 4))
        named += [
            ("accuracy", f"Masked-token accuracy ({kind} tokens)", f"accuracy_{kind}", 4)
            for kind in ("structural", "text")
            if m.get(f"accuracy_{kind}") is not None
        ]
        for metric_type, metric_name, key, digits in named:
            results.append(
                EvalResult(
                    metric_type=metric_type,
                    metric_name=metric_name,
                    metric_value=round(m[key], digits),
                    **common,
                )
            )
    return results + [EvalResult(**item) for item in extra_results or ()]


#: Downstream figures the card reports: (task, metric key, model-index metric type, description).
DOWNSTREAM_METRICS = (
    ("retrieval", "accuracy_1nn", "accuracy", "leave-one-out 1-NN accuracy"),
    ("retrieval", "mrr", "mrr", "leave-one-out MRR"),
    ("probe", "accuracy", "accuracy", "probe accuracy"),
    ("probe", "macro_f1", "f1", "probe macro-F1"),
)
_DOWNSTREAM_TASKS = {
    "retrieval": "Session retrieval by {label} (cosine, leave-one-out)",
    "probe": "Session classification by {label} (logistic-regression probe on frozen embeddings)",
}


def downstream_results(downstream: dict, dataset_name: str) -> list[dict]:
    """``model-index`` entries (EvalResult fields) of a downstream benchmark result, one per predictor and metric.

    The split is ``downstream["split"]["dataset_split"]`` when set (``run_all`` sets it to the run's split
    whose sessions were evaluated), else the benchmark's part. Each entry's ``metric_args`` names the ``predictor`` (``model``, ``random_init``, ``bag_of_tokens``,
    ``majority``), the number ``n`` of items scored and the bootstrap 95% interval ``ci95``; figures without
    a value (no item could be scored) are left out.

    Args:
        downstream: the dict :func:`rrweb_hf.benchmark.evaluate_downstream` returns.
        dataset_name: the card's dataset name.

    Returns:
        A list of dicts for :class:`~huggingface_hub.EvalResult`.

    Example:
        >>> result = {"tasks": {"probe": {"model": {"accuracy": 0.75, "n": {"accuracy": 4},
        ...     "ci": {"accuracy": [0.5, 1.0]}}}}, "split": {"part": "test"}, "data": {"label_column": "site"}}
        >>> [(r["metric_name"], r["metric_value"], r["metric_args"]["n"]) for r in downstream_results(result, "d")]
        [('site probe accuracy (model)', 0.75, 4)]
    """
    label = (downstream.get("data") or {}).get("label_column", "label")
    split_info = downstream.get("split") or {}
    split = split_info.get("dataset_split") or split_info.get("part")
    entries = []
    for task, key, metric_type, description in DOWNSTREAM_METRICS:
        for predictor, row in (downstream.get("tasks") or {}).get(task, {}).items():
            value = row.get(key)
            if value is None:
                continue
            entries.append(
                {
                    "task_type": "feature-extraction",
                    "task_name": _DOWNSTREAM_TASKS[task].format(label=label),
                    "dataset_type": dataset_name,
                    "dataset_name": dataset_name,
                    "dataset_split": split,
                    "metric_type": metric_type,
                    "metric_name": f"{label} {description} ({predictor})",
                    "metric_value": round(float(value), 4),
                    "metric_args": {
                        "predictor": predictor,
                        "n": (row.get("n") or {}).get(key),
                        "ci95": [round(x, 4) for x in (row.get("ci") or {}).get(key) or []] or None,
                    },
                }
            )
    return entries


def _downstream_table(downstream: dict | None) -> dict | None:
    """What the template's downstream table shows: rows of ``(description, n, {predictor: (value, ci)})``."""
    if not downstream:
        return None
    tasks = downstream.get("tasks") or {}
    predictors = [
        p
        for p in ("model", "random_init", "bag_of_tokens", "majority")
        if any(p in t for t in tasks.values())
    ]
    rows = []
    for task, key, _type, description in DOWNSTREAM_METRICS:
        if task not in tasks:
            continue
        cells = {
            p: (tasks[task].get(p, {}).get(key), (tasks[task].get(p, {}).get("ci") or {}).get(key))
            for p in predictors
        }
        n = next((tasks[task][p]["n"].get(key) for p in predictors if p in tasks[task]), None)
        rows.append({"metric": description, "n": n, "cells": cells})
    split = downstream.get("split") or {}
    data = downstream.get("data") or {}
    return {
        "predictors": predictors,
        "rows": rows,
        "label": data.get("label_column"),
        "split": split.get("dataset_split") or split.get("name"),
        "sessions": split.get("eval_sessions"),
        "classes": len(data.get("classes") or {}),
        "annotations_removed": (data.get("annotation_events_removed") or {}).get("eval"),
        "seconds": round(sum((downstream.get("seconds") or {}).values()), 1),
    }


def _card_values(folder: Path, evaluation, lengths, train_metrics, dataset_dir, dataset_id, model_id) -> dict:
    """The raw values the template formats (every number is the run's own, or None when not recorded)."""
    config = read_json_file(folder / "config.json")
    run_info = read_json_file(folder / "run_info.json")
    args = read_json_file(folder / "training_args.json")
    report = read_json_file(Path(dataset_dir) / "prepare_report.json") if dataset_dir else {}
    train_metrics = train_metrics or read_json_file(folder / "train_results.json")
    preset = run_info.get("preset", config.get("rrweb_preset", "custom"))
    corpus = report.get("corpus")
    pad_multiple = config.get("rrweb_pad_multiple")
    if pad_multiple is None and evaluation is not None:
        pad_multiple = evaluation.pad_to_multiple_of
    mlm_probability = run_info.get("mlm_probability")
    if mlm_probability is None and evaluation is not None:
        mlm_probability = evaluation.mlm_probability
    return {
        # never the folder names of a run (`model`, `dataset`): Hub ids when given, else descriptive names
        "model_name": model_id.split("/")[-1] if model_id else f"rrweb-bert-{preset}",
        "dataset_name": dataset_id or (f"rrweb-sessions-{corpus}" if corpus else "rrweb-sessions"),
        "repo_id": model_id or str(folder),
        "preset": preset,
        "parameters": run_info.get("parameters"),
        "config": config,
        "window_length": run_info.get("window_length", config.get("max_position_embeddings")),
        "pad_multiple": pad_multiple if pad_multiple is not None else "(not recorded)",
        "steps": run_info.get("global_step", "?"),
        "train_runtime": train_metrics.get("train_runtime"),
        "train_loss": train_metrics.get("train_loss"),
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "mlm_probability": mlm_probability,
        "splits": _splits(lengths or {}),
        "sessions": report.get("sessions"),
        "skipped_files": len(report.get("skipped") or []),
        "privacy": _privacy(read_json_file(folder / "tokenizer_config.json")),
        "hyperparameters": {k: args[k] for k in HYPERPARAMETERS if k in args},
    }


def build_model_card(
    output_dir: str | os.PathLike,
    *,
    evaluation=None,
    lengths: dict[str, list[int]] | None = None,
    train_metrics: dict | None = None,
    dataset_dir=None,
    license: str = "apache-2.0",
    dataset_id: str | None = None,
    model_id: str | None = None,
    images: dict | None = None,
    template_path: str | os.PathLike | None = None,
    extra_results: list[dict] | None = None,
    repository: str | None = None,
    downstream: dict | None = None,
):
    """Render the model card of a trained folder (without saving it).

    Args:
        output_dir: the model folder (its ``config.json``, ``tokenizer_config.json``, ``run_info.json``
            and ``training_args.json`` are read).
        evaluation: an :class:`~rrweb_hf.evaluation.EvalReport` (None: no results in the card).
        lengths: window lengths per split.
        train_metrics: the Trainer's training metrics (default: the folder's ``train_results.json``).
        dataset_dir: the prepared dataset folder (its ``prepare_report.json`` gives sessions and the
            corpus name; the card's dataset is ``dataset_id``, else ``rrweb-sessions-<corpus>``).
        license: an SPDX-style license id for the YAML.
        dataset_id: the Hub id of the dataset.
        model_id: the Hub id of this model (title and loading examples; else ``rrweb-bert-<preset>``).
        images: plot file names from :func:`write_training_plots` (None: no image links).
        template_path: the Jinja template (default :data:`DEFAULT_TEMPLATE`).
        extra_results: more ``model-index`` results, each a dict of :class:`~huggingface_hub.EvalResult`
            fields (``task_type``, ``dataset_type``, ``dataset_name``, ``metric_type``, ``metric_value``...).
        repository: a URL to link rrweb_hf to (default: the package metadata's, else no link).
        downstream: a :func:`rrweb_hf.benchmark.evaluate_downstream` result (retrieval and probe): a table
            of the model next to its baselines, and ``model-index`` entries (:func:`downstream_results`).

    Returns:
        A :class:`huggingface_hub.ModelCard`.

    Raises:
        FileNotFoundError: the template or the folder's ``config.json`` is missing.
    """
    from huggingface_hub import ModelCard, ModelCardData

    from .evaluation import PREDICTORS

    folder = Path(output_dir)
    template = Path(template_path) if template_path else DEFAULT_TEMPLATE
    if not template.is_file():
        raise FileNotFoundError(f"model card template {template} not found; pass template_path=")
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json; is it a saved model folder?")
    values = _card_values(folder, evaluation, lengths, train_metrics, dataset_dir, dataset_id, model_id)
    shown_extra = list(extra_results or ())  # the template's "Further results"; downstream has its own table
    if downstream:
        extra_results = [*downstream_results(downstream, values["dataset_name"]), *shown_extra]
    card_data = ModelCardData(
        language=None,
        license=license,
        library_name="transformers",
        pipeline_tag="fill-mask",
        tags=TAGS,
        datasets=[values["dataset_name"]],
        model_name=values["model_name"],
        eval_results=_eval_results(evaluation, values["dataset_name"], extra_results) or None,
    )
    images = images or {}
    return ModelCard.from_template(
        card_data,
        template_path=str(template),
        **values,
        **_masking_scheme(),
        predictors=PREDICTORS,
        max_event_types=8,
        extra_results=shown_extra,
        downstream=_downstream_table(downstream),
        loss_plot=images.get("loss"),
        lengths_plot=images.get("lengths"),
        versions=framework_versions(),
        repository_url=repository or repository_url(),
    )


def write_model_card(output_dir: str | os.PathLike, **kwargs) -> Path:
    """Render the card (see :func:`build_model_card`) and save it as ``README.md`` in the folder.

    Args:
        output_dir: the model folder.
        **kwargs: passed to :func:`build_model_card`.

    Returns:
        The path of ``README.md``.
    """
    card = build_model_card(output_dir, **kwargs)
    path = Path(output_dir) / "README.md"
    card.save(str(path))
    logger.info("model card: %s", path)
    return path
