"""A contrastive stage that trains session embeddings for similarity (in-batch InfoNCE on window pairs).

A mean-pooled masked-LM encoder is a weak session embedding (as BERT is a weak sentence embedding before
SimCSE / sentence-transformers). This stage tunes the encoder so that two windows of the same session
land close together and windows of the other sessions in the batch far apart: the
``MultipleNegativesRankingLoss`` of sentence-transformers (cross-entropy over the cosine similarities of
each anchor to every positive in the batch, divided by a temperature), made symmetric, run by the stock
:class:`~transformers.Trainer`. A session with one window is paired with itself; dropout makes the two
views differ (SimCSE). Optionally the masked-LM loss on the first view is added (``mlm_weight``), so the
encoder keeps its token predictions.

The output folder is an ordinary model folder (``BertForMaskedLM``, head kept) with the tokenizer files
and ``embedding_config.json`` (``{"pooling": "mean"}``), which :func:`rrweb_hf.embeddings.embed_sessions`
reads for its default pooling.

Example:
    >>> from rrweb_hf.contrastive import ContrastiveArguments, train_contrastive
    >>> train_contrastive("out/model", "out/dataset", "out/contrastive",
    ...                   ContrastiveArguments(max_steps=200, pooling="mean"))  # doctest: +SKIP
    'out/contrastive'
"""

from __future__ import annotations

import json
import logging
import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

#: File in a model folder naming how session embeddings are pooled.
EMBEDDING_CONFIG = "embedding_config.json"
#: Pooling choices: mean over content tokens, or the [CLS] vector.
POOLINGS = ("mean", "cls")


@dataclass
class ContrastiveArguments:
    """Settings of the contrastive stage (also ``rrweb-hf``-style flags via ``HfArgumentParser``)."""

    max_steps: int = field(default=200, metadata={"help": "Optimisation steps."})
    batch_size: int = field(default=32, metadata={"help": "Sessions per batch (each gives two windows)."})
    learning_rate: float = field(default=3e-4, metadata={"help": "Peak learning rate."})
    temperature: float = field(default=0.05, metadata={"help": "Softmax temperature of the cosine scores."})
    pooling: str = field(default="mean", metadata={"help": "mean or cls.", "choices": list(POOLINGS)})
    mlm_weight: float = field(default=0.0, metadata={"help": "Weight of the masked-LM loss on view one."})
    mlm_probability: float = field(default=0.15, metadata={"help": "Masking rate of that MLM loss."})
    seed: int = field(default=42, metadata={"help": "Seed of pairs, dropout and masking."})
    split: str = field(
        default="train", metadata={"help": "Split of the prepared dataset to pair windows of."}
    )


def pool(hidden, input_ids, attention_mask, special_ids, pooling: str = "mean"):
    """One vector per row: the mean over content tokens (not special, not padding), or ``[CLS]``.

    Args:
        hidden: ``[batch, width, hidden]`` last hidden states.
        input_ids: ``[batch, width]``.
        attention_mask: ``[batch, width]``.
        special_ids: ids that are not content (``[CLS]``, ``[SEP]``, ``[PAD]``...).
        pooling: ``mean`` or ``cls``.

    Returns:
        ``[batch, hidden]`` (not normalised).
    """
    import torch

    if pooling == "cls":
        return hidden[:, 0]
    content = attention_mask.bool() & ~torch.isin(
        input_ids, torch.tensor(sorted(special_ids), device=input_ids.device)
    )
    weights = content.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class WindowPairs:
    """Map-style dataset of ``(window, window)`` pairs, two windows of one session per item.

    Item ``i`` belongs to pass ``i // n`` over the ``n`` sessions, in an order shuffled per pass, so
    consecutive items (one batch with a sequential sampler) are distinct sessions; the pair is drawn from
    a generator seeded by ``(seed, i)``, so the same index always gives the same pair.

    Args:
        sessions: per session, its windows (lists of ids).
        length: number of items (steps x batch size).
        seed: the seed.
    """

    def __init__(self, sessions: list[list[list[int]]], length: int, seed: int = 42):
        if not sessions:
            raise ValueError("no sessions to pair windows of; is the split empty?")
        self.sessions = sessions
        self.length = length
        self.seed = seed
        self._orders: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self.length

    def _order(self, epoch: int) -> list[int]:
        if epoch not in self._orders:
            order = list(range(len(self.sessions)))
            random.Random(f"{self.seed}:{epoch}").shuffle(order)
            self._orders = {epoch: order}
        return self._orders[epoch]

    def __getitem__(self, index: int) -> dict:
        n = len(self.sessions)
        session = self._order(index // n)[index % n]
        windows = self.sessions[session]
        rng = random.Random(f"{self.seed}:{index}")
        if len(windows) == 1:
            a = b = 0
        else:
            a, b = rng.sample(range(len(windows)), 2)
        return {"a": windows[a], "b": windows[b], "session": session}


def windows_by_session(split) -> list[list[list[int]]]:
    """Group a prepared split's windows by ``session_id``, in window order.

    Args:
        split: a prepared :class:`~datasets.Dataset` with ``session_id`` and ``input_ids``.

    Returns:
        Per session (sorted by id), its windows.

    Raises:
        ValueError: a split without ``session_id`` (not from ``rrweb-hf prepare``).
    """
    if "session_id" not in split.column_names:
        raise ValueError("the dataset has no session_id column; prepare it with `rrweb-hf prepare`")
    groups: dict[str, list[list[int]]] = {}
    for sid, ids in zip(split["session_id"], split["input_ids"], strict=True):
        groups.setdefault(sid, []).append(list(ids))
    return [groups[k] for k in sorted(groups)]


class PairCollator:
    """Pads both views of a batch of :class:`WindowPairs` items; adds a masked copy of view one for MLM.

    Each view is padded on the right by the tokenizer's own padding (``tokenizer.pad``), as embeddings
    and the masked-LM collators pad.

    Args:
        tokenizer: the tokenizer (pad id, special ids, [MASK]).
        mlm_probability: masking rate of the MLM copy; 0 for none.
        seed: masking seed.
    """

    def __init__(self, tokenizer, mlm_probability: float = 0.0, seed: int = 42):
        self.tokenizer = tokenizer
        self.mlm = None
        if mlm_probability > 0:
            from transformers import DataCollatorForLanguageModeling

            self.mlm = DataCollatorForLanguageModeling(tokenizer, mlm_probability=mlm_probability, seed=seed)

    def _pad(self, rows):
        batch = self.tokenizer.pad({"input_ids": rows}, padding_side="right", return_tensors="pt")
        return batch["input_ids"], batch["attention_mask"]

    def __call__(self, items: list[dict]) -> dict:
        import torch

        a_ids, a_mask = self._pad([it["a"] for it in items])
        b_ids, b_mask = self._pad([it["b"] for it in items])
        batch = {
            "input_ids": a_ids,
            "attention_mask": a_mask,
            "input_ids_b": b_ids,
            "attention_mask_b": b_mask,
            "session": torch.tensor([it["session"] for it in items], dtype=torch.long),
        }
        if self.mlm is not None:
            masked = self.mlm([{"input_ids": it["a"]} for it in items])
            batch["mlm_input_ids"] = masked["input_ids"]
            batch["mlm_labels"] = masked["labels"]
        return batch


def _contrastive_module(model, special_ids, pooling: str, temperature: float, mlm_weight: float):
    import torch
    from torch import nn

    class ContrastiveBert(nn.Module):
        """A ``BertForMaskedLM`` whose forward returns the symmetric in-batch InfoNCE loss of two views."""

        def __init__(self):
            super().__init__()
            self.model = model

        def embed(self, input_ids, attention_mask):
            hidden = self.model.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return nn.functional.normalize(
                pool(hidden, input_ids, attention_mask, special_ids, pooling), dim=-1
            )

        def forward(self, input_ids, attention_mask, input_ids_b, attention_mask_b, session, **mlm):
            a = self.embed(input_ids, attention_mask)
            b = self.embed(input_ids_b, attention_mask_b)
            scores = a @ b.T / temperature
            same = session[:, None] == session[None, :]
            eye = torch.eye(len(session), dtype=torch.bool, device=scores.device)
            scores = scores.masked_fill(same & ~eye, float("-inf"))  # a session twice in a batch: no negative
            target = torch.arange(len(session), device=scores.device)
            loss = (
                nn.functional.cross_entropy(scores, target) + nn.functional.cross_entropy(scores.T, target)
            ) / 2
            if mlm_weight > 0 and "mlm_input_ids" in mlm:
                out = self.model(
                    input_ids=mlm["mlm_input_ids"], attention_mask=attention_mask, labels=mlm["mlm_labels"]
                )
                loss = loss + mlm_weight * out.loss
            return {"loss": loss}

    return ContrastiveBert()


def write_embedding_config(model_dir: str | os.PathLike, pooling: str, **extra) -> None:
    """Record how ``embed_sessions`` pools this model (``embedding_config.json``).

    Args:
        model_dir: the model folder.
        pooling: ``mean`` or ``cls``.
        **extra: more fields to record (the training settings).

    Raises:
        ValueError: an unknown pooling.
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling={pooling!r} is not one of {', '.join(POOLINGS)}")
    (Path(model_dir) / EMBEDDING_CONFIG).write_text(
        json.dumps({"pooling": pooling, **extra}, indent=2) + "\n"
    )


def read_pooling(model_dir: str | os.PathLike) -> str:
    """The pooling recorded in a model folder, ``mean`` when none is.

    Args:
        model_dir: the model folder.

    Returns:
        ``mean`` or ``cls``.
    """
    path = Path(model_dir) / EMBEDDING_CONFIG
    if not path.is_file():
        return "mean"
    pooling = json.loads(path.read_text()).get("pooling", "mean")
    if pooling not in POOLINGS:
        raise ValueError(f"{path} names pooling={pooling!r}; use one of {', '.join(POOLINGS)}")
    return pooling


def train_contrastive(
    model_dir: str | os.PathLike,
    dataset_dir: str | os.PathLike,
    output_dir: str | os.PathLike,
    args: ContrastiveArguments | None = None,
    *,
    model=None,
    progress: bool = False,
) -> str:
    """Tune a pretrained model's encoder for session similarity and save it as a model folder.

    Args:
        model_dir: a model folder from ``rrweb-hf pretrain`` (its tokenizer files are copied along).
        dataset_dir: the prepared dataset (windows with ``session_id``).
        output_dir: where the tuned model goes (may equal ``model_dir``).
        args: the settings.
        model: a ``BertForMaskedLM`` to tune instead of loading ``model_dir`` (e.g. random weights).
        progress: progress bars.

    Returns:
        ``output_dir``.

    Raises:
        ValueError: bad settings, or a dataset without ``session_id``.
    """
    import tempfile

    from transformers import AutoModelForMaskedLM, Trainer, TrainingArguments, set_seed

    from .modeling import load_tokenizer
    from .pretrain import copy_tokenizer_files, load_prepared_dataset

    args = args or ContrastiveArguments()
    if args.pooling not in POOLINGS:
        raise ValueError(f"pooling={args.pooling!r} is not one of {', '.join(POOLINGS)}")
    if args.temperature <= 0:
        raise ValueError(f"temperature={args.temperature} must be positive")
    if args.batch_size < 2:
        raise ValueError(f"batch_size={args.batch_size}: in-batch negatives need at least 2")
    set_seed(args.seed)
    tokenizer = load_tokenizer(model_dir)
    if model is None:
        model = AutoModelForMaskedLM.from_pretrained(str(model_dir))
    data = load_prepared_dataset(dataset_dir)
    if args.split not in data:
        raise ValueError(f"dataset {dataset_dir} has no split {args.split!r}; splits: {list(data)}")
    sessions = windows_by_session(data[args.split])
    pairs = WindowPairs(sessions, args.max_steps * args.batch_size, seed=args.seed)
    module = _contrastive_module(
        model, set(tokenizer.all_special_ids), args.pooling, args.temperature, args.mlm_weight
    )
    with tempfile.TemporaryDirectory(prefix="rrweb-contrastive-") as scratch:
        training_args = TrainingArguments(
            output_dir=scratch,
            max_steps=args.max_steps,
            per_device_train_batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            warmup_steps=max(1, args.max_steps // 10),
            weight_decay=0.01,
            logging_steps=max(1, args.max_steps // 10),
            save_strategy="no",
            report_to="none",
            seed=args.seed,
            remove_unused_columns=False,
            train_sampling_strategy="sequential",
            dataloader_pin_memory=False,
            disable_tqdm=not progress,
        )
        trainer = Trainer(
            model=module,
            args=training_args,
            train_dataset=pairs,
            data_collator=PairCollator(
                tokenizer, args.mlm_probability if args.mlm_weight > 0 else 0.0, args.seed
            ),
        )
        result = trainer.train()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    if Path(model_dir).resolve() != out.resolve():
        copy_tokenizer_files(model_dir, out)
    write_embedding_config(
        out, args.pooling, contrastive=asdict(args), train_loss=round(float(result.training_loss), 4)
    )
    logger.info("contrastive stage: %d steps, loss %.4f -> %s", args.max_steps, result.training_loss, out)
    return str(out)
