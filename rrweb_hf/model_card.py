"""Model cards and plots for a pretrained model folder.

:func:`write_model_card` renders ``model_cards/model_card_template.md`` with
:meth:`huggingface_hub.ModelCard.from_template`: YAML metadata (license, ``pipeline_tag: fill-mask``,
tags, datasets, a ``model-index`` holding the real evaluation results as :class:`~huggingface_hub.EvalResult`
entries), the evaluation table (model vs baselines), training-data statistics, how to load the model with
``import rrweb_hf`` and with ``trust_remote_code=True``, intended use, limitations and the privacy masking
the tokenizer applied. :func:`write_training_plots` draws the loss curves and the window-length histogram
the card links to.

Example:
    >>> from rrweb_hf.model_card import write_model_card
    >>> write_model_card("out/model", evaluation=report, lengths={"train": [512, 300]})  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

#: The card template; kept at the repository root so users can edit it.
# ``rrweb_hf/model_cards`` links to the top-level ``model_cards/`` folder, so wheels carry the templates.
DEFAULT_TEMPLATE = Path(__file__).parent / "model_cards" / "model_card_template.md"
LOSS_PLOT = "loss_curve.png"
LENGTHS_PLOT = "window_lengths.png"
TAGS = ["rrweb", "session-replay", "web-sessions", "bert", "fill-mask", "rrweb_hf"]
#: tokenizer_config.json keys describing privacy masking (shown in the card when present).
_PRIVACY_WORDS = ("mask", "pii", "privacy", "password")


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(output_dir)
    written: dict[str, str | None] = {"loss": None, "lengths": None}
    train = [(e["step"], e["loss"]) for e in log_history if "loss" in e and "step" in e]
    evals = [(e["step"], e["eval_loss"]) for e in log_history if "eval_loss" in e and "step" in e]
    if train or evals:
        fig, ax = plt.subplots(figsize=(6, 4))
        if train:
            ax.plot(*zip(*train, strict=True), label="training loss")
        if evals:
            ax.plot(*zip(*evals, strict=True), marker="o", label="evaluation loss")
        ax.set_xlabel("step")
        ax.set_ylabel("masked-LM loss (nats)")
        ax.set_title("Pretraining loss")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / LOSS_PLOT, dpi=100)
        plt.close(fig)
        written["loss"] = LOSS_PLOT
    if any(lengths.values()):
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, values in lengths.items():
            if values:
                ax.hist(values, bins=30, alpha=0.6, label=f"{name} ({len(values)} windows)")
        ax.set_xlabel("tokens per window")
        ax.set_ylabel("windows")
        ax.set_title("Window lengths")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / LENGTHS_PLOT, dpi=100)
        plt.close(fig)
        written["lengths"] = LENGTHS_PLOT
    return written


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _privacy_settings(tokenizer_config: dict) -> str:
    items = [
        f"- `{key}`: `{value}`"
        for key, value in sorted(tokenizer_config.items())
        if any(word in key.lower() for word in _PRIVACY_WORDS) and not key.endswith("_token")
    ]
    return "\n".join(items) if items else "- the tokenizer's defaults (see `tokenizer_config.json`)"


def _data_stats(lengths: dict[str, list[int]], dataset_dir) -> str:
    lines = ["| split | windows | tokens | mean tokens/window | max |", "|---|---:|---:|---:|---:|"]
    for name, values in lengths.items():
        total = sum(values)
        mean = total / len(values) if values else 0
        lines.append(f"| {name} | {len(values)} | {total} | {mean:.0f} | {max(values) if values else 0} |")
    if dataset_dir:
        report = _read_json(Path(dataset_dir) / "prepare_report.json")
        sessions = report.get("sessions")
        if sessions is not None:
            lines.append("")
            lines.append(f"Sessions: {sessions}; skipped files: {len(report.get('skipped', []) or [])}.")
    return "\n".join(lines)


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
):
    """Render the model card of a trained folder (without saving it).

    Args:
        output_dir: the model folder (its ``config.json``, ``tokenizer_config.json``, ``run_info.json`` and
            ``training_args.json`` are read).
        evaluation: an :class:`~rrweb_hf.evaluation.EvalReport` (None: no results in the card).
        lengths: window lengths per split.
        train_metrics: the Trainer's training metrics.
        dataset_dir: the prepared dataset folder (its name is the card's dataset when ``dataset_id`` is None).
        license: an SPDX-style license id for the YAML.
        dataset_id: the Hub id of the dataset.
        model_id: the Hub id of this model (used in the loading examples).
        images: plot file names from :func:`write_training_plots`.
        template_path: the Jinja template (default ``model_cards/model_card_template.md``).

    Returns:
        A :class:`huggingface_hub.ModelCard`.

    Raises:
        FileNotFoundError: the template or the folder's ``config.json`` is missing.
    """
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    folder = Path(output_dir)
    template = Path(template_path) if template_path else DEFAULT_TEMPLATE
    if not template.is_file():
        raise FileNotFoundError(f"model card template {template} not found; pass template_path=")
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json; is it a saved model folder?")
    config = _read_json(folder / "config.json")
    tok_config = _read_json(folder / "tokenizer_config.json")
    run_info = _read_json(folder / "run_info.json")
    args = _read_json(folder / "training_args.json")
    lengths = lengths or {}
    train_metrics = train_metrics or _read_json(folder / "train_results.json")
    images = images or {}
    model_name = model_id.split("/")[-1] if model_id else folder.name
    dataset_name = dataset_id or (Path(dataset_dir).name if dataset_dir else "rrweb-sessions")

    eval_results = []
    if evaluation is not None:
        m = evaluation.metrics["model"]
        common = {
            "task_type": "fill-mask",
            "task_name": "Masked language modelling",
            "dataset_type": dataset_name,
            "dataset_name": dataset_name,
            "dataset_split": evaluation.split,
        }
        eval_results = [
            EvalResult(
                metric_type="loss",
                metric_name="Masked-token loss",
                metric_value=round(m["loss"], 4),
                **common,
            ),
            EvalResult(
                metric_type="perplexity",
                metric_name="Perplexity",
                metric_value=round(m["perplexity"], 3),
                **common,
            ),
            EvalResult(
                metric_type="accuracy",
                metric_name="Masked-token accuracy",
                metric_value=round(m["accuracy"], 4),
                **common,
            ),
        ]
        for kind in ("structural", "text"):
            if m.get(f"accuracy_{kind}") is not None:
                eval_results.append(
                    EvalResult(
                        metric_type="accuracy",
                        metric_name=f"Masked-token accuracy ({kind} tokens)",
                        metric_value=round(m[f"accuracy_{kind}"], 4),
                        **common,
                    )
                )
    card_data = ModelCardData(
        language=None,
        license=license,
        library_name="transformers",
        pipeline_tag="fill-mask",
        tags=TAGS,
        datasets=[dataset_name],
        model_name=model_name,
        eval_results=eval_results or None,
    )
    if evaluation is not None:
        eval_table = evaluation.format_table()
        fm = evaluation.fill_mask or {}
        if fm.get("examples"):
            ex = fm["examples"][0]
            preds = ", ".join(f"`{t}` ({s:.2f})" for t, s in ex["predictions"])
            fill_mask_text = f"`fill-mask` pipeline on the saved folder, a masked event-type token (true token `{ex['true']}`): {preds}"
        else:
            fill_mask_text = ""
    else:
        eval_table, fill_mask_text = "No held-out evaluation was run.", ""
    runtime = train_metrics.get("train_runtime")
    hyper = ", ".join(
        f"{k}={args[k]}"
        for k in (
            "learning_rate",
            "per_device_train_batch_size",
            "max_steps",
            "num_train_epochs",
            "warmup_steps",
            "weight_decay",
            "seed",
            "bf16",
        )
        if k in args
    )
    num_sessions = (
        _read_json(Path(dataset_dir) / "prepare_report.json").get("sessions") if dataset_dir else None
    )
    card = ModelCard.from_template(
        card_data,
        template_path=str(template),
        model_name=model_name,
        repo_id=model_id or str(folder),
        preset=run_info.get("preset", config.get("rrweb_preset", "custom")),
        parameters=f"{run_info['parameters'] / 1e6:.2f}M" if "parameters" in run_info else "?",
        hidden_size=config.get("hidden_size"),
        layers=config.get("num_hidden_layers"),
        heads=config.get("num_attention_heads"),
        vocab_size=config.get("vocab_size"),
        vocab_note="structural tokens and a subword text vocabulary trained on the corpus",
        window_length=run_info.get("window_length", config.get("max_position_embeddings")),
        max_positions=config.get("max_position_embeddings"),
        steps=run_info.get("global_step", "?"),
        train_runtime=f"{runtime:.0f} s" if isinstance(runtime, (int, float)) else "?",
        train_loss=f"{train_metrics['train_loss']:.3f}" if "train_loss" in train_metrics else "?",
        eval_split=evaluation.split if evaluation is not None else "-",
        eval_table=eval_table,
        fill_mask_text=fill_mask_text,
        loss_plot=images.get("loss") or LOSS_PLOT,
        lengths_plot=images.get("lengths") or LENGTHS_PLOT,
        data_stats=_data_stats(lengths, dataset_dir),
        num_sessions_text=f"{num_sessions} sessions" if num_sessions else "a few hundred sessions at most",
        privacy_settings=_privacy_settings(tok_config),
        hyperparameters=hyper or "see training_args.json",
    )
    return card


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
