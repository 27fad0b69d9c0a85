"""Fine-tune a pretrained folder for session classification, against random initialisation in the same run.

The label is real metadata of the corpus: the ``site`` (or ``scenario``) each recording came from, read
from the corpus ``MANIFEST.json``. Sessions are split (stratified by label, deterministic) into train and
held-out sessions, so no session is in both; each session's windows become rows with its label. After
training, a held-out session is classified by averaging the logits of its windows. The same recipe runs
twice, from the pretrained weights and from random weights of the same architecture, plus the
majority-class baseline.

Example:
    >>> from rrweb_hf.finetune import FinetuneConfig, compare_pretrained_vs_random
    >>> report = compare_pretrained_vs_random("out/model", FinetuneConfig(max_steps=60))  # doctest: +SKIP
    >>> report["pretrained"]["session_accuracy"], report["random_init"]["session_accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class FinetuneConfig:
    """Settings of the classification fine-tuning.

    Attributes:
        corpus: corpus folder with ``MANIFEST.json`` (default: the bundled sample corpus).
        label: the manifest field to predict (``site`` or ``scenario``).
        test_fraction: share of each label's sessions held out (at least one when a label has two or more).
        max_length: window size (default: the model's ``max_position_embeddings``).
        stride: window overlap.
        max_windows_per_session: cap on training windows per session (long sessions would dominate).
        max_eval_windows_per_session: a held-out session is classified from at most this many evenly spaced
            windows.
        max_steps: optimisation steps per model.
        learning_rate: peak learning rate.
        batch_size: windows per step.
        seed: split, initialisation and data-order seed.
        output_dir: where the two runs write their Trainer output.
        report_to: Trainer ``report_to`` (``none``, ``wandb``).
    """

    corpus: str | None = None
    label: str = "site"
    test_fraction: float = 0.3
    max_length: int | None = None
    stride: int = 32
    max_windows_per_session: int = 8
    max_eval_windows_per_session: int = 16
    max_steps: int = 60
    learning_rate: float = 5e-4
    batch_size: int = 16
    seed: int = 42
    output_dir: str = "finetune-output"
    report_to: str = "none"


def read_manifest(corpus: str | os.PathLike) -> dict[str, dict]:
    """The corpus manifest as ``{relative file path: {"site": ..., "scenario": ..., ...}}``.

    Accepts a list of entries, ``{"files"|"sessions": [...]}``, or a mapping from path to entry; an entry
    names its file under ``path``/``file``/``filename``.

    Args:
        corpus: the corpus folder.

    Returns:
        The mapping.

    Raises:
        FileNotFoundError: no ``MANIFEST.json``.
        ValueError: a manifest without per-file entries.
    """
    path = Path(corpus) / "MANIFEST.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; classification labels come from the corpus MANIFEST.json")
    data = json.loads(path.read_text())
    entries = data
    if isinstance(data, dict):
        for key in ("files", "sessions", "recordings"):
            if isinstance(data.get(key), (list, dict)):
                entries = data[key]
                break
    out: dict[str, dict] = {}
    if isinstance(entries, dict):
        for name, entry in entries.items():
            if isinstance(entry, dict):
                out[str(name)] = entry
    elif isinstance(entries, list):
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name = entry.get("path") or entry.get("file") or entry.get("filename")
            if name:
                out[str(name)] = entry
    if not out:
        raise ValueError(f"{path} lists no files with metadata (expected entries with 'path' and 'site')")
    return out


#: Custom-event tags that carry recorder metadata (the bundled corpus writes site/scenario/seed into a
#: ``session`` Custom event). They are removed before classification: the label must not be in the input.
RECORDER_EVENT_TAGS = frozenset({"session"})


def strip_recorder_events(events: list) -> list:
    """The events without the recorder's metadata Custom events (see :data:`RECORDER_EVENT_TAGS`).

    Args:
        events: a session's events.

    Returns:
        A new list.
    """
    return [
        e
        for e in events
        if not (
            isinstance(e, dict)
            and e.get("type") == 5
            and isinstance(e.get("data"), dict)
            and e["data"].get("tag") in RECORDER_EVENT_TAGS
        )
    ]


def labelled_sessions(corpus: str | os.PathLike, label: str = "site") -> list[tuple[object, str]]:
    """Every valid session of the corpus with its manifest label.

    Args:
        corpus: the corpus folder.
        label: the manifest field.

    Returns:
        ``(session, label)`` pairs, the recorder's metadata events stripped (:func:`strip_recorder_events`);
        sessions whose file has no such field are left out (logged).

    Raises:
        ValueError: no session has the label.
    """
    from . import walk_corpus

    manifest = read_manifest(corpus)
    root = Path(corpus)
    by_name = {}
    for name, entry in manifest.items():
        by_name[name] = entry
        by_name[Path(name).name] = entry
    pairs, missing = [], 0
    walk = walk_corpus(root)
    for file, sessions in walk.iter_files():
        rel = Path(file).relative_to(root).as_posix() if Path(file).is_absolute() else Path(file).as_posix()
        entry = by_name.get(rel) or by_name.get(Path(file).name)
        value = entry.get(label) if entry else None
        if value is None:
            missing += len(sessions)
            continue
        for session in sessions:
            session.events = strip_recorder_events(session.events)
            pairs.append((session, str(value)))
    if missing:
        logger.warning("%d sessions have no %r in the manifest; left out", missing, label)
    if not pairs:
        raise ValueError(
            f"no session of {corpus} has a {label!r} label in MANIFEST.json; try --label scenario"
        )
    return pairs


def split_by_session(pairs, test_fraction: float, seed: int) -> tuple[list, list]:
    """Stratified, deterministic train/held-out split by session.

    Args:
        pairs: ``(session, label)``.
        test_fraction: held-out share per label.
        seed: mixes into the per-session hash that orders sessions.

    Returns:
        ``(train_pairs, test_pairs)``.
    """
    groups = defaultdict(list)
    for session, label in pairs:
        groups[label].append((session, label))
    train, test = [], []
    for label in sorted(groups):
        items = sorted(
            groups[label],
            key=lambda p: hashlib.sha256(
                f"{seed}:{getattr(p[0], 'session_id', id(p[0]))}".encode()
            ).hexdigest(),
        )
        n_test = int(round(len(items) * test_fraction))
        if len(items) >= 2:
            n_test = min(max(n_test, 1), len(items) - 1)
        else:
            n_test = 0
        test.extend(items[:n_test])
        train.extend(items[n_test:])
    return train, test


def _windows(tokenizer, session, max_length: int, stride: int) -> list[list[int]]:
    from .embeddings import session_windows

    return session_windows(tokenizer, session, max_length, stride)


def _train_and_score(model, tokenizer, train_rows, test_sessions, cfg: FinetuneConfig, run_name: str) -> dict:
    import datasets
    import torch
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    from .modeling import pad_multiple_of

    args = TrainingArguments(
        output_dir=str(Path(cfg.output_dir) / run_name),
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size,
        learning_rate=cfg.learning_rate,
        warmup_steps=max(1, cfg.max_steps // 10),
        weight_decay=0.01,
        logging_steps=max(1, cfg.max_steps // 10),
        save_strategy="no",
        report_to=cfg.report_to,
        run_name=run_name,
        seed=cfg.seed,
        disable_tqdm=False,
    )
    train_ds = datasets.Dataset.from_dict(
        {"input_ids": [r[0] for r in train_rows], "labels": [r[1] for r in train_rows]}
    ).map(lambda b: {"attention_mask": [[1] * len(x) for x in b["input_ids"]]}, batched=True)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        data_collator=DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_multiple_of(model.config)),
        processing_class=tokenizer,
    )
    trainer.train()
    model.eval()
    device = next(model.parameters()).device
    correct_sessions, correct_windows, n_windows = 0, 0, 0
    with torch.no_grad():
        for windows, label in test_sessions:
            batch = tokenizer.pad({"input_ids": windows}, return_tensors="pt")
            logits = model(**{k: v.to(device) for k, v in batch.items()}).logits
            correct_windows += int((logits.argmax(-1) == label).sum())
            n_windows += len(windows)
            correct_sessions += int(int(logits.mean(0).argmax()) == label)
    return {
        "session_accuracy": correct_sessions / max(len(test_sessions), 1),
        "window_accuracy": correct_windows / max(n_windows, 1),
        "train_loss": trainer.state.log_history[-1].get("train_loss"),
    }


def compare_pretrained_vs_random(model_dir: str | os.PathLike, cfg: FinetuneConfig | None = None) -> dict:
    """Fine-tune from ``model_dir`` and from random weights on the same split; report held-out accuracy.

    Args:
        model_dir: a pretrained folder from ``rrweb-hf pretrain``.
        cfg: the settings.

    Returns:
        ``{"label", "classes", "train_sessions", "test_sessions", "train_windows", "majority",
        "pretrained": {...}, "random_init": {...}}`` where the two runs hold ``session_accuracy`` (logits
        averaged over a session's windows) and ``window_accuracy``.

    Raises:
        ValueError: fewer than two classes, or no held-out session.
    """
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, set_seed

    from . import sample_corpus
    from .modeling import load_tokenizer

    cfg = cfg or FinetuneConfig()
    corpus = cfg.corpus or str(sample_corpus())
    tokenizer = load_tokenizer(model_dir)
    pairs = labelled_sessions(corpus, cfg.label)
    classes = sorted({label for _, label in pairs})
    if len(classes) < 2:
        raise ValueError(f"label {cfg.label!r} has a single value {classes}; nothing to classify")
    label2id = {c: i for i, c in enumerate(classes)}
    train_pairs, test_pairs = split_by_session(pairs, cfg.test_fraction, cfg.seed)
    if not test_pairs:
        raise ValueError("no held-out session (each label needs at least two sessions)")
    config = AutoConfig.from_pretrained(str(model_dir))
    max_length = min(cfg.max_length or config.max_position_embeddings, config.max_position_embeddings)
    rng = np.random.default_rng(cfg.seed)
    train_rows = []
    for session, label in train_pairs:
        windows = _windows(tokenizer, session, max_length, cfg.stride)
        if len(windows) > cfg.max_windows_per_session:
            keep = sorted(rng.choice(len(windows), cfg.max_windows_per_session, replace=False))
            windows = [windows[i] for i in keep]
        train_rows.extend((w, label2id[label]) for w in windows)
    test_sessions = []
    for session, label in test_pairs:
        windows = _windows(tokenizer, session, max_length, cfg.stride)
        if len(windows) > cfg.max_eval_windows_per_session:
            picks = np.linspace(0, len(windows) - 1, cfg.max_eval_windows_per_session).round().astype(int)
            windows = [windows[i] for i in sorted(set(picks.tolist()))]
        test_sessions.append((windows, label2id[label]))
    majority_label = Counter(label for _, label in train_pairs).most_common(1)[0][0]
    majority = sum(label == majority_label for _, label in test_pairs) / len(test_pairs)
    kwargs = {"num_labels": len(classes), "id2label": dict(enumerate(classes)), "label2id": label2id}

    set_seed(cfg.seed)
    pretrained = AutoModelForSequenceClassification.from_pretrained(str(model_dir), **kwargs)
    result_pre = _train_and_score(pretrained, tokenizer, train_rows, test_sessions, cfg, "pretrained")
    set_seed(cfg.seed)
    random_config = AutoConfig.from_pretrained(str(model_dir), **kwargs)
    torch.manual_seed(cfg.seed)
    random_model = AutoModelForSequenceClassification.from_config(random_config)
    result_rand = _train_and_score(random_model, tokenizer, train_rows, test_sessions, cfg, "random_init")
    report = {
        "label": cfg.label,
        "classes": classes,
        "train_sessions": len(train_pairs),
        "test_sessions": len(test_pairs),
        "train_windows": len(train_rows),
        "majority": majority,
        "pretrained": result_pre,
        "random_init": result_rand,
        "config": asdict(cfg),
    }
    logger.info("classification report: %s", json.dumps(report, default=str))
    return report


def format_report(report: dict) -> str:
    """A small Markdown table of :func:`compare_pretrained_vs_random`'s report.

    Args:
        report: the report.

    Returns:
        The text.
    """
    lines = [
        f"Classifying `{report['label']}` ({len(report['classes'])} classes: {', '.join(report['classes'])}); "
        f"{report['train_sessions']} training sessions ({report['train_windows']} windows), "
        f"{report['test_sessions']} held-out sessions",
        "",
        "| weights | held-out session accuracy | held-out window accuracy |",
        "|---|---:|---:|",
    ]
    for name in ("pretrained", "random_init"):
        r = report[name]
        lines.append(f"| {name} | {100 * r['session_accuracy']:.1f}% | {100 * r['window_accuracy']:.1f}% |")
    lines.append(f"| majority class | {100 * report['majority']:.1f}% | - |")
    return "\n".join(lines)
