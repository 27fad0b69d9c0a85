"""Masked-LM evaluation that means something: the model next to baselines, by token kind and event type.

:func:`evaluate_folder` masks the held-out windows ONCE (fixed seed, the training collator's 15% / 80-10-10
scheme) and scores three predictors on exactly the same masked positions:

- ``model``: the trained model;
- ``untrained``: the same architecture with fresh random weights (what training bought);
- ``most_frequent_token``: always predicts the most frequent non-special token of the training split
  (its loss is the unigram cross-entropy with add-one smoothing).

Per predictor: mean masked-token loss, perplexity ``exp(loss)``, accuracy overall and separately for
structural and text tokens (the tokenizer tells them apart by id), and accuracy per event type (each token
belongs to a source event through the dataset's ``event_ids``; the event's type is the first token the
tokenizer emitted for it). A ``fill-mask`` pipeline built from the saved folder then predicts masked
event-type tokens, and the report keeps its top-k answers.

Example:
    >>> from rrweb_hf.evaluation import evaluate_folder
    >>> report = evaluate_folder("out/model", dataset["test"])  # doctest: +SKIP
    >>> print(report.format_table())  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

PREDICTORS = ("model", "untrained", "most_frequent_token")
#: Label for tokens whose event type is unknown (no event ids in the data, or a window that starts mid-event).
UNKNOWN_KIND = "(unknown)"


def text_id_mask(tokenizer) -> np.ndarray | None:
    """Boolean array over the vocabulary: True for text (subword) ids, False for structural ids.

    Uses the tokenizer's own classification (``is_text_id(id)`` or ``text_id_offset``).

    Args:
        tokenizer: the RRWebTokenizer (or any tokenizer with one of those attributes).

    Returns:
        The array (length ``len(tokenizer)``), or None when the tokenizer does not tell the kinds apart.
    """
    n = len(tokenizer)
    if callable(getattr(tokenizer, "is_text_id", None)):
        return np.array([bool(tokenizer.is_text_id(i)) for i in range(n)], dtype=bool)
    offset = getattr(tokenizer, "text_id_offset", None)
    if isinstance(offset, int):
        return np.arange(n) >= offset
    logger.warning(
        "%s has neither is_text_id() nor text_id_offset: no structural/text split in the evaluation",
        type(tokenizer).__name__,
    )
    return None


def token_counts(split, vocab_size: int, special_ids) -> np.ndarray:
    """How often each non-special id occurs in a prepared split.

    Args:
        split: a Dataset with ``input_ids``.
        vocab_size: length of the count array.
        special_ids: ids not counted ([CLS], [SEP], [PAD] ...).

    Returns:
        Counts, ``int64[vocab_size]``.
    """
    import pyarrow.compute as pc

    column = split.data.column("input_ids")
    flat = (
        pc.list_flatten(column).to_numpy(zero_copy_only=False) if len(column) else np.zeros(0, dtype=np.int64)
    )
    counts = np.bincount(flat.astype(np.int64), minlength=vocab_size)[:vocab_size]
    counts[list(special_ids)] = 0
    return counts


def event_kinds(
    input_ids: list[int], event_ids: list | None, tokenizer, starts_window: bool = True
) -> list[str]:
    """The event type of every token of a window.

    The type of an event is the token the tokenizer emitted first for it (its event-kind token, e.g. the
    token for ``IncrementalSnapshot/MouseInteraction``). A window that starts in the middle of an event
    has no kind token for that event: its tokens get :data:`UNKNOWN_KIND`.

    Args:
        input_ids: the window.
        event_ids: per token, the index of its source event (None/-1 for special tokens), or None.
        tokenizer: converts the kind token's id to its string.
        starts_window: unused hook for windows known to start at an event boundary.

    Returns:
        One label per token (special tokens get ``""``).
    """
    if event_ids is None:
        return [UNKNOWN_KIND] * len(input_ids)
    labels = [""] * len(input_ids)
    current, label = None, UNKNOWN_KIND
    first_event = True
    for i, (tid, eid) in enumerate(zip(input_ids, event_ids, strict=True)):
        if eid is None or eid < 0:
            continue
        if eid != current:
            current = eid
            # The first event of a window may have started in the previous window.
            if first_event and i > 0 and not _is_event_start(tokenizer, tid):
                label = UNKNOWN_KIND
            else:
                label = tokenizer.convert_ids_to_tokens(int(tid))
            first_event = False
        labels[i] = label
    return labels


#: Prefixes of RRWebTokenizer's event-kind tokens (``[EVT:Meta]``, ``[SRC:MouseInteraction]``).
EVENT_KIND_PREFIXES = ("[EVT:", "[SRC:")


def _is_event_start(tokenizer, token_id: int) -> bool:
    """Whether ``token_id`` is an event-kind token (the first token of every event)."""
    check = getattr(tokenizer, "is_event_kind_id", None)
    if callable(check):
        return bool(check(int(token_id)))
    if getattr(tokenizer, "text_id_offset", None) is None:
        return True  # not an RRWebTokenizer: trust the event boundaries
    return tokenizer.convert_ids_to_tokens(int(token_id)).startswith(EVENT_KIND_PREFIXES)


@dataclass
class EvalReport:
    """The evaluation of one model on one split.

    Attributes:
        split: the split's name.
        windows: windows evaluated.
        masked_tokens: masked positions scored (the same for every predictor).
        metrics: predictor -> {loss, perplexity, accuracy, accuracy_structural, accuracy_text}.
        per_event_type: event type -> {"count": n, predictor: accuracy, ...}, most frequent types first.
        fill_mask: the fill-mask pipeline check: {"n", "top1", "top5", "examples"}.
        most_frequent_token: the token the baseline always predicts.
        mlm_probability: share of tokens masked; pad_to_multiple_of: the pad multiple of the batches
            (None in reports written before they were recorded).
    """

    split: str
    windows: int
    masked_tokens: int
    metrics: dict = field(default_factory=dict)
    per_event_type: dict = field(default_factory=dict)
    fill_mask: dict = field(default_factory=dict)
    most_frequent_token: str = ""
    mlm_probability: float | None = None
    pad_to_multiple_of: int | None = None

    def to_dict(self) -> dict:
        """A JSON-serialisable dict."""
        return asdict(self)

    def format_table(self, max_event_types: int = 8) -> str:
        """A Markdown table of the predictors, and one of accuracy per event type.

        Args:
            max_event_types: how many of the most frequent event types to list.

        Returns:
            The tables.
        """
        lines = [
            f"Masked-token evaluation on `{self.split}`: {self.windows} windows, {self.masked_tokens} masked tokens",
            "",
            "| predictor | loss | perplexity | accuracy | structural acc. | text acc. |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in PREDICTORS:
            m = self.metrics.get(name)
            if m is None:
                continue
            lines.append(
                f"| {name} | {m['loss']:.3f} | {m['perplexity']:.1f} | {_pct(m['accuracy'])} | "
                f"{_pct(m.get('accuracy_structural'))} | {_pct(m.get('accuracy_text'))} |"
            )
        if self.per_event_type:
            lines += [
                "",
                "| event type | masked tokens | model | untrained | most frequent token |",
                "|---|---:|---:|---:|---:|",
            ]
            for kind, row in list(self.per_event_type.items())[:max_event_types]:
                lines.append(
                    f"| `{kind}` | {row['count']} | {_pct(row.get('model'))} | {_pct(row.get('untrained'))} | "
                    f"{_pct(row.get('most_frequent_token'))} |"
                )
        if self.fill_mask.get("n"):
            lines += [
                "",
                f"fill-mask pipeline on {self.fill_mask['n']} masked event-type tokens: "
                f"top-1 {_pct(self.fill_mask['top1'])}, top-5 {_pct(self.fill_mask['top5'])}; "
                f"top-1 among event-type tokens {_pct(self.fill_mask.get('top1_among_event_types'))}",
            ]
        return "\n".join(lines)


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


class _Tally:
    """Sums over masked positions for one predictor."""

    def __init__(self):
        self.loss = 0.0
        self.n = 0
        self.correct = 0
        self.by_kind = defaultdict(lambda: [0, 0])  # "structural"/"text" -> [correct, n]
        self.by_event = defaultdict(lambda: [0, 0])

    def add(self, loss_sum: float, correct: np.ndarray, is_text: np.ndarray | None, kinds: list[str]):
        self.loss += float(loss_sum)
        self.n += len(correct)
        self.correct += int(correct.sum())
        if is_text is not None:
            for flag, name in ((False, "structural"), (True, "text")):
                sel = is_text == flag
                self.by_kind[name][0] += int(correct[sel].sum())
                self.by_kind[name][1] += int(sel.sum())
        for ok, kind in zip(correct.tolist(), kinds, strict=True):
            self.by_event[kind][0] += int(ok)
            self.by_event[kind][1] += 1

    def metrics(self) -> dict:
        loss = self.loss / max(self.n, 1)
        out = {
            "loss": loss,
            "perplexity": math.exp(loss) if loss < 700 else float("inf"),
            "accuracy": self.correct / max(self.n, 1),
        }
        for name in ("structural", "text"):
            c, n = self.by_kind.get(name, (0, 0))
            out[f"accuracy_{name}"] = c / n if n else None
            out[f"masked_{name}"] = n
        return out


def mask_windows(
    split,
    tokenizer,
    *,
    mlm_probability: float,
    batch_size: int,
    seed: int,
    max_samples: int | None,
    pad_to_multiple_of: int,
):
    """Mask the windows of a split once, reproducibly, in batches.

    Args:
        split: prepared Dataset (``input_ids``, ``attention_mask``, optional ``special_tokens_mask``, ``event_ids``).
        tokenizer: pads and gives the mask token.
        mlm_probability: share of tokens masked.
        batch_size: windows per batch.
        seed: masking seed.
        max_samples: evaluate at most this many windows.
        pad_to_multiple_of: the pad multiple the model was trained with (see
            :func:`rrweb_hf.modeling.pad_multiple_of`).

    Returns:
        A list of ``(batch, kinds)``: the collated tensors (with ``labels``), and per batch the event-type
        label of every masked position, in row-major order.
    """
    from transformers import DataCollatorForLanguageModeling

    if max_samples is not None and max_samples < len(split):
        split = split.select(range(max_samples))
    collator = DataCollatorForLanguageModeling(
        tokenizer=tokenizer, mlm_probability=mlm_probability, pad_to_multiple_of=pad_to_multiple_of, seed=seed
    )
    has_events = "event_ids" in split.column_names
    keep = [c for c in ("input_ids", "attention_mask", "special_tokens_mask") if c in split.column_names]
    out = []
    for start in range(0, len(split), batch_size):
        rows = split[start : start + batch_size]
        features = [{k: rows[k][i] for k in keep} for i in range(len(rows["input_ids"]))]
        batch = collator(features)
        labels = batch["labels"].numpy()
        kinds: list[str] = []
        for i, ids in enumerate(rows["input_ids"]):
            per_token = event_kinds(ids, rows["event_ids"][i] if has_events else None, tokenizer)
            positions = np.nonzero(labels[i, : len(ids)] != -100)[0]
            kinds.extend(per_token[p] for p in positions)
        out.append((batch, kinds))
    return out


def _score_model(model, batches, is_text: np.ndarray | None, tally: _Tally) -> None:
    import torch
    import torch.nn.functional as F

    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        for batch, kinds in batches:
            labels = batch["labels"].to(device)
            inputs = {k: batch[k].to(device) for k in ("input_ids", "attention_mask") if k in batch}
            sel = labels != -100
            if hasattr(model, "bert") and hasattr(model, "cls"):
                # Score only the masked positions: full logits are batch x length x vocab floats.
                hidden = model.bert(**inputs).last_hidden_state
                logits = model.cls(hidden[sel])
            else:
                logits = model(**inputs).logits[sel]
            target = labels[sel]
            loss_sum = F.cross_entropy(logits.float(), target, reduction="sum").item()
            correct = (logits.argmax(-1) == target).cpu().numpy()
            tally.add(
                loss_sum, correct, is_text[target.cpu().numpy()] if is_text is not None else None, kinds
            )


def _score_most_frequent(counts: np.ndarray, batches, is_text, tally: _Tally) -> int:
    probs = (counts + 1.0) / (counts.sum() + len(counts))
    best = int(np.argmax(counts))
    for batch, kinds in batches:
        labels = batch["labels"].numpy()
        target = labels[labels != -100]
        correct = target == best
        loss_sum = float(-np.log(probs[target]).sum())
        tally.add(loss_sum, correct, is_text[target] if is_text is not None else None, kinds)
    return best


def fill_mask_check(
    model_dir: str | os.PathLike, split, tokenizer, n: int = 50, top_k: int = 5, seed: int = 0
) -> dict:
    """Run a ``fill-mask`` pipeline from the saved folder on masked event-type tokens.

    Each example takes a held-out window, replaces the first token of one event (its event-type token)
    with ``[MASK]`` and asks the pipeline for its top-k tokens. The window is built from the dataset's ids
    (the tokenizer's input is a whole session, not text with ``[MASK]`` in it), so the pipeline's model and
    post-processing run as usual and only its text pre-processing is skipped.

    Args:
        model_dir: the saved model folder (loaded with ``pipeline("fill-mask", model=model_dir)``).
        split: held-out windows with ``event_ids``.
        tokenizer: the folder's tokenizer.
        n: examples.
        top_k: predictions kept per example.
        seed: which windows and events are picked.

    Returns:
        ``{"n", "top1", "top5", "top1_among_event_types", "examples": [{"window", "position", "true",
        "predictions": [(token, score)], "top_event_type"}]}``; ``top1_among_event_types`` asks the pipeline
        (``targets``) for the best event-type token only: does the model know WHICH event comes next.
    """
    import torch
    from transformers import pipeline

    if "event_ids" not in split.column_names or len(split) == 0:
        return {"n": 0, "top1": None, "top5": None, "examples": []}
    pipe = pipeline("fill-mask", model=str(model_dir), tokenizer=tokenizer, device="cpu")
    kind_ids = torch.tensor([i for i in range(len(tokenizer)) if _is_event_start(tokenizer, i)])
    restrict = 0 < len(kind_ids) < len(tokenizer)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(split))
    examples, hits1, hits5, kind_hits = [], 0, 0, 0
    for row_index in order:
        if len(examples) >= n:
            break
        row = split[int(row_index)]
        ids, eids = list(row["input_ids"]), list(row["event_ids"])
        starts = [
            i
            for i in range(1, len(ids))
            if eids[i] is not None
            and eids[i] >= 0
            and eids[i] != eids[i - 1]
            and _is_event_start(tokenizer, ids[i])
        ]
        if len(starts) < 2:
            continue
        position = int(starts[1 + rng.integers(len(starts) - 1)])  # not the first event: it may be cut
        true_id = ids[position]
        masked = list(ids)
        masked[position] = tokenizer.mask_token_id
        inputs = {
            "input_ids": torch.tensor([masked]),
            "attention_mask": torch.tensor([list(row.get("attention_mask") or [1] * len(ids))]),
        }
        outputs = pipe.forward(inputs)
        predictions = pipe.postprocess(outputs, top_k=top_k)
        tokens = [(p["token"], round(float(p["score"]), 4)) for p in predictions]
        hits1 += tokens[0][0] == true_id
        hits5 += any(t == true_id for t, _ in tokens[:5])
        kind_top = None
        if restrict:  # the pipeline's `targets`: which event type, among event-type tokens only
            kind_top = pipe.postprocess(outputs, top_k=1, target_ids=kind_ids)[0]["token"]
            kind_hits += kind_top == true_id
        examples.append(
            {
                "window": int(row_index),
                "position": position,
                "true": tokenizer.convert_ids_to_tokens(int(true_id)),
                "predictions": [(tokenizer.convert_ids_to_tokens(int(t)), s) for t, s in tokens],
                "top_event_type": tokenizer.convert_ids_to_tokens(int(kind_top))
                if kind_top is not None
                else None,
            }
        )
    count = len(examples)
    return {
        "n": count,
        "top1": hits1 / count if count else None,
        "top5": hits5 / count if count else None,
        "top1_among_event_types": kind_hits / count if count and restrict else None,
        "examples": examples[:5],
    }


def evaluate_folder(
    model_dir: str | os.PathLike,
    split,
    *,
    split_name: str = "test",
    baseline_counts_from=None,
    mlm_probability: float = 0.15,
    batch_size: int = 16,
    seed: int = 42,
    max_samples: int | None = None,
    fill_mask_examples: int = 50,
) -> EvalReport:
    """Evaluate a saved masked-LM folder on held-out windows, next to the two baselines.

    Args:
        model_dir: folder with ``config.json``, weights and tokenizer files.
        split: the held-out Dataset (``input_ids``, ``attention_mask``, optional ``special_tokens_mask`` and
            ``event_ids``).
        split_name: its name, for the report.
        baseline_counts_from: the split whose token frequencies define the most-frequent-token baseline
            (the training split; default: the evaluated split itself).
        mlm_probability: share of tokens masked.
        batch_size: windows per forward pass.
        seed: masking seed, and the untrained model's initialisation seed.
        max_samples: evaluate at most this many windows.
        fill_mask_examples: masked event-type tokens for the fill-mask check (0: skip it).

    Returns:
        An :class:`EvalReport`.

    Raises:
        ValueError: an empty split.
    """
    import torch
    from transformers import AutoModelForMaskedLM

    from .modeling import load_tokenizer, pad_multiple_of

    if len(split) == 0:
        raise ValueError(f"split {split_name!r} is empty; nothing to evaluate")
    tokenizer = load_tokenizer(model_dir)
    model = AutoModelForMaskedLM.from_pretrained(str(model_dir))
    torch.manual_seed(seed)
    untrained = AutoModelForMaskedLM.from_config(model.config)
    is_text = text_id_mask(tokenizer)
    if is_text is not None and len(is_text) < model.config.vocab_size:
        is_text = np.concatenate([is_text, np.zeros(model.config.vocab_size - len(is_text), dtype=bool)])

    batches = mask_windows(
        split,
        tokenizer,
        mlm_probability=mlm_probability,
        batch_size=batch_size,
        seed=seed,
        max_samples=max_samples,
        pad_to_multiple_of=pad_multiple_of(model.config),
    )
    tallies = {name: _Tally() for name in PREDICTORS}
    _score_model(model, batches, is_text, tallies["model"])
    _score_model(untrained, batches, is_text, tallies["untrained"])
    counts = token_counts(
        baseline_counts_from if baseline_counts_from is not None and len(baseline_counts_from) else split,
        model.config.vocab_size,
        tokenizer.all_special_ids,
    )
    best = _score_most_frequent(counts, batches, is_text, tallies["most_frequent_token"])

    per_event = {}
    model_events = tallies["model"].by_event
    for kind in sorted(model_events, key=lambda k: -model_events[k][1]):
        row = {"count": model_events[kind][1]}
        for name in PREDICTORS:
            c, n = tallies[name].by_event[kind]
            row[name] = c / n if n else None
        per_event[kind] = row
    report = EvalReport(
        split=split_name,
        windows=len(split) if max_samples is None else min(len(split), max_samples),
        masked_tokens=tallies["model"].n,
        metrics={name: tally.metrics() for name, tally in tallies.items()},
        per_event_type=per_event,
        most_frequent_token=tokenizer.convert_ids_to_tokens(best),
        mlm_probability=mlm_probability,
        pad_to_multiple_of=pad_multiple_of(model.config),
    )
    if fill_mask_examples:
        report.fill_mask = fill_mask_check(model_dir, split, tokenizer, n=fill_mask_examples, seed=seed)
    logger.info("evaluation on %s:\n%s", split_name, report.format_table())
    return report


def load_report(model_dir: str | os.PathLike) -> EvalReport | None:
    """Read ``eval_results.json`` back from a model folder.

    Args:
        model_dir: the folder.

    Returns:
        The report, or None when the folder has none.
    """
    import json

    path = Path(model_dir) / "eval_results.json"
    if not path.is_file():
        return None
    return EvalReport(**json.loads(path.read_text()))
