"""Event-aware masking for masked-LM pretraining on rrweb windows.

Random token masking over DOM text mostly asks the model to copy neighbouring markup. The
:class:`EventMaskingCollator` is the stock :class:`~transformers.DataCollatorForLanguageModeling` with
another choice of *which* positions are masked, made from the ``event_ids`` column that
``rrweb-hf prepare --event-ids`` writes (per token, its source event; -1 on ``[CLS]``/``[SEP]``):

- ``token``: the stock choice, each token with probability ``mlm_probability`` (today's behaviour);
- ``event``: whole events: each event of at most ``max_event_tokens`` tokens is chosen with probability
  ``mlm_probability`` and all its tokens are masked; tokens of longer events (DOM snapshots, big mutations)
  are masked token by token as in ``token``;
- ``target``: token masking, plus the whole *target* (tag token, ``[LBL]`` and label text) of each
  click, input, scroll and media event with probability ``target_probability``;
- ``mixed``: ``event`` and ``target`` together;
- ``interaction``: ``mixed``, and with probability ``item_probability`` a window is replaced by one item
  of the downstream benchmark's token tasks, built by the benchmark's own item builders
  (:mod:`rrweb_hf.benchmark.items`) so training and evaluation read the same format: half of them a
  *next interaction* (the context before a click or input, its gesture's lead-ins cut, then
  ``TARGET_MASKS`` ``[MASK]`` and ``[SEP]``: predict the target's tag, ``[LBL]`` and first label token),
  half a *whole-event reconstruction* (one event replaced by ``EVENT_MASKS`` ``[MASK]``, context on both
  sides: predict its kind token). A window without such an item keeps its ``mixed`` masking. In an item
  the text ids are renamed by a random permutation of the text vocabulary, the same within the item
  (``anonymise_text``, as reading-comprehension corpora anonymise entities): a label can then only be
  found by reading the context (the previous target, the page's form fields), not recalled from the
  training applications' own labels.

The chosen positions then go through the stock 80% ``[MASK]`` / 10% random / 10% unchanged replacement
(``mask_replace_prob``, ``random_replace_prob``). Without an ``event_ids`` column every mode falls back
to ``token``.

Example:
    >>> from rrweb_hf.collators import EventMaskingCollator
    >>> collator = EventMaskingCollator(tokenizer, masking="event", mlm_probability=0.15)  # doctest: +SKIP
    >>> batch = collator([{"input_ids": ids, "event_ids": evs}])  # doctest: +SKIP
    >>> sorted(batch)  # doctest: +SKIP
    ['attention_mask', 'input_ids', 'labels']
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from transformers import DataCollatorForLanguageModeling

logger = logging.getLogger(__name__)

#: Masking modes of :class:`EventMaskingCollator` (``token`` is the stock collator).
MASKING_MODES = ("token", "event", "target", "mixed", "interaction")
#: Event kinds whose target (what was clicked, typed into, scrolled, played) ``target`` masking hides.
TARGET_KINDS = ("[SRC:MouseInteraction]", "[SRC:Input]", "[SRC:Scroll]", "[SRC:MediaInteraction]")
_OPEN_TAG = re.compile(r"^<[a-z0-9-]+>$")


def target_token_tables(tokenizer) -> tuple[set[int], set[int], set[int]]:
    """Id sets that delimit targets: event kinds with a target, target starts, label parts.

    A target (see the walker's ``describe``) is an opening tag token (or ``[TGT:unknown]``/``[TGT:none]``),
    then optionally text ids (the name of an unknown tag) and ``[LBL]`` + label text ids.

    Args:
        tokenizer: an RRWebTokenizer.

    Returns:
        ``(kind_ids, start_ids, label_ids)``; ``label_ids`` holds ``[LBL]`` (text ids are recognised
        with ``tokenizer.is_text_id``).
    """
    vocab = tokenizer.get_vocab()
    kinds = {vocab[k] for k in TARGET_KINDS if k in vocab}
    starts = {i for tok, i in vocab.items() if _OPEN_TAG.match(tok) and not tokenizer.is_text_id(i)}
    starts |= {vocab[t] for t in ("[TGT:unknown]", "[TGT:none]") if t in vocab}
    return kinds, starts, {vocab["[LBL]"]}


def target_positions(ids: list[int], event_ids: list[int], tokenizer, tables=None) -> list[list[int]]:
    """The token positions of each target in one window.

    Args:
        ids: the window's token ids.
        event_ids: its event ids (-1 or None on special tokens and padding).
        tokenizer: the RRWebTokenizer (for the vocabulary and ``is_text_id``).
        tables: :func:`target_token_tables` (computed when None).

    Returns:
        One list of positions per target, in window order. A target whose event's kind token fell
        before the window start is not found (its event is not known to have one).
    """
    kinds, starts, labels = tables or target_token_tables(tokenizer)
    spans: list[list[int]] = []
    n = len(ids)
    i = 0
    while i < n:
        ev = event_ids[i]
        if ev is None or ev < 0 or ids[i] not in kinds or (i > 0 and event_ids[i - 1] == ev):
            i += 1
            continue
        j = i + 1  # inside an event with a target: find its start
        while j < n and event_ids[j] == ev and ids[j] not in starts:
            j += 1
        if j < n and event_ids[j] == ev:
            span = [j]
            k = j + 1
            while k < n and event_ids[k] == ev and (ids[k] in labels or tokenizer.is_text_id(ids[k])):
                span.append(k)
                k += 1
            spans.append(span)
        i = j
    return spans


@dataclass
class EventMaskingCollator(DataCollatorForLanguageModeling):
    """:class:`~transformers.DataCollatorForLanguageModeling` that masks whole events and targets.

    Args (besides the stock collator's):
        masking: one of :data:`MASKING_MODES`.
        max_event_tokens: events longer than this are masked token by token in ``event``/``mixed``.
        target_probability: chance that a target is masked whole in ``target``/``mixed``/``interaction``.
        item_probability: chance that a window becomes a benchmark-format item in ``interaction``.
        anonymise_text: rename the text ids of each item by a random permutation (``interaction``).

    Examples carry ``input_ids`` and optionally ``event_ids`` (padded with -1 here); ``event_ids`` is not
    passed to the model.
    """

    masking: str = "token"
    max_event_tokens: int = 64
    target_probability: float = 0.5
    item_probability: float = 0.5
    anonymise_text: bool = True

    def __post_init__(self):
        super().__post_init__()
        if self.masking not in MASKING_MODES:
            raise ValueError(f"masking={self.masking!r} is not one of {', '.join(MASKING_MODES)}")
        if self.max_event_tokens < 1:
            raise ValueError(f"max_event_tokens={self.max_event_tokens} must be at least 1")
        if not 0.0 <= self.target_probability <= 1.0:
            raise ValueError(f"target_probability={self.target_probability} must be within [0, 1]")
        if not 0.0 <= self.item_probability <= 1.0:
            raise ValueError(f"item_probability={self.item_probability} must be within [0, 1]")
        self._tables = None
        self._roles = None
        self._text_ids = None
        self._event_ids = None

    def torch_call(self, examples):
        """Take ``event_ids`` out of the examples, then pad and mask as the stock collator does."""
        event_ids = None
        if examples and isinstance(examples[0], dict) and "event_ids" in examples[0]:
            event_ids = [[-1 if e is None else int(e) for e in ex["event_ids"]] for ex in examples]
            examples = [{k: v for k, v in ex.items() if k != "event_ids"} for ex in examples]
        items = []
        if self.masking == "interaction" and event_ids is not None:
            rows = [self.item_row(ex["input_ids"], evs) for ex, evs in zip(examples, event_ids, strict=True)]
            items = [row for row in rows if row is not None]
            keep = [i for i, row in enumerate(rows) if row is None]
            examples = [examples[i] for i in keep]
            event_ids = [event_ids[i] for i in keep]
        if examples and event_ids is not None:
            # the tokenizer's _pad pads event_ids with input_ids (one padding rule); the stock collator
            # then finds rows of one width and masks them, reading the padded event ids from here
            rows = [{**ex, "event_ids": evs} for ex, evs in zip(examples, event_ids, strict=True)]
            padded = self.tokenizer.pad(rows, return_tensors="pt", pad_to_multiple_of=self.pad_to_multiple_of)
            event_ids = padded.pop("event_ids")
            examples = [{k: v[i] for k, v in padded.items()} for i in range(len(examples))]
        self._event_ids = event_ids
        try:
            batch = super().torch_call(examples) if examples else None
        finally:
            self._event_ids = None
        return self._with_items(batch, items)

    def item_row(self, input_ids, event_ids) -> tuple[list[int], list[int]] | None:
        """One window as a benchmark-format item ``(input_ids, labels)``, or None (kept for masking).

        With probability ``item_probability``, the window's content (``[CLS]``/``[SEP]`` stripped) gives
        the next-interaction items or the whole-event items of :mod:`rrweb_hf.benchmark.items` (a fair
        coin chooses the task; the other task is tried when the window has no item of the first); one item
        is drawn and laid out as :func:`~rrweb_hf.benchmark.items.masked_input` lays it out for the model.
        """
        import torch

        from .benchmark.items import (
            EVENT_MASKS,
            TARGET_MASKS,
            TokenRoles,
            masked_input,
            next_interaction_items,
            reconstruction_items,
        )

        ids = [int(t) for t in input_ids]
        if (
            self.item_probability <= 0
            or torch.rand(1, generator=self.generator).item() >= self.item_probability
        ):
            return None
        if self._roles is None:
            self._roles = TokenRoles.from_vocab(self.tokenizer.get_vocab(), self.tokenizer.text_id_offset)
        roles = self._roles
        inner = [i for i, e in enumerate(event_ids) if e is not None and e >= 0]
        if not inner:
            return None
        lo, hi = inner[0], inner[-1] + 1
        content, events = ids[lo:hi], [int(e) for e in event_ids[lo:hi]]
        order = (
            ("next", "event") if torch.rand(1, generator=self.generator).item() < 0.5 else ("event", "next")
        )
        for task in order:
            if task == "next":
                found, _ = next_interaction_items(content, events, roles, 0, len(content) - TARGET_MASKS)
            else:
                found, _ = reconstruction_items(content, events, roles, 0, len(content) - EVENT_MASKS)
            if found:
                break
        else:
            return None
        item = found[int(torch.randint(len(found), (1,), generator=self.generator).item())]
        n_masks = TARGET_MASKS if task == "next" else EVENT_MASKS
        row, first = masked_input(item, roles, n_masks)
        labels = [-100] * len(row)
        if task == "next":
            tag, label = item.targets
            labels[first] = tag
            if label is not None:
                labels[first + 1], labels[first + 2] = roles.lbl, label
        else:
            labels[first] = item.targets[0]
        if self.anonymise_text:
            rename = self._text_permutation()
            row, labels = [rename.get(t, t) for t in row], [rename.get(t, t) for t in labels]
        return row, labels

    def _text_permutation(self) -> dict[int, int]:
        """A random renaming of the text ids (``{id: id}``, one permutation of all of them)."""
        import torch

        if self._text_ids is None:
            self._text_ids = [i for i in range(len(self.tokenizer)) if self.tokenizer.is_text_id(i)]
        ids = self._text_ids
        order = torch.randperm(len(ids), generator=self.generator).tolist()
        return {ids[i]: ids[j] for i, j in enumerate(order)}

    def _with_items(self, batch, items):
        """The masked batch with the item rows appended (padded to one width, ``pad_to_multiple_of``)."""
        import torch

        if not items:
            return batch
        width = max(len(row) for row, _ in items)
        if batch is not None:
            width = max(width, batch["input_ids"].shape[1])
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(items), width), pad, dtype=torch.long)
        labels = torch.full((len(items), width), -100, dtype=torch.long)
        attention = torch.zeros((len(items), width), dtype=torch.long)
        for i, (row, lab) in enumerate(items):
            ids[i, : len(row)] = torch.tensor(row)
            labels[i, : len(row)] = torch.tensor(lab)
            attention[i, : len(row)] = 1
        extra = {"input_ids": ids, "labels": labels, "attention_mask": attention}
        if batch is None:
            if "token_type_ids" in self.tokenizer.model_input_names:
                extra["token_type_ids"] = torch.zeros_like(ids)
            return extra
        out = {}
        for key, value in batch.items():
            grown = value
            if value.shape[1] < width:
                fill = -100 if key == "labels" else (pad if key == "input_ids" else 0)
                grown = torch.nn.functional.pad(value, (0, width - value.shape[1]), value=fill)
            other = extra.get(key, torch.zeros((len(items), width), dtype=value.dtype))
            out[key] = torch.cat([grown, other.to(value.dtype)])
        return out

    def torch_mask_tokens(self, inputs, special_tokens_mask=None, offset_mapping=None):
        """Choose positions by :attr:`masking`, then apply the stock 80/10/10 replacement."""
        import torch

        if self.masking == "token" or self._event_ids is None:
            return super().torch_mask_tokens(inputs, special_tokens_mask, offset_mapping)
        labels = inputs.clone()
        if special_tokens_mask is None:
            special_tokens_mask = [
                self.tokenizer.get_special_tokens_mask(row, already_has_special_tokens=True)
                for row in labels.tolist()
            ]
            special_tokens_mask = torch.tensor(special_tokens_mask, dtype=torch.bool)
        special = special_tokens_mask.bool()
        events = self._event_ids.clone().long()
        events[special] = -1
        masked = self.choose_positions(inputs, events, special)
        labels[~masked] = -100
        replaced = (
            torch.bernoulli(torch.full(labels.shape, self.mask_replace_prob), generator=self.generator).bool()
            & masked
        )
        inputs[replaced] = self.tokenizer.mask_token_id
        if self.mask_replace_prob < 1 and self.random_replace_prob > 0:
            scaled = self.random_replace_prob / (1 - self.mask_replace_prob)
            random_ = (
                torch.bernoulli(torch.full(labels.shape, scaled), generator=self.generator).bool()
                & masked
                & ~replaced
            )
            words = torch.randint(
                len(self.tokenizer), labels.shape, dtype=torch.long, generator=self.generator
            )
            inputs[random_] = words[random_]
        return inputs, labels

    def choose_positions(self, inputs, events, special):
        """The boolean mask of positions to predict.

        Args:
            inputs: ``int64[batch, width]`` token ids.
            events: ``int64[batch, width]`` event ids, -1 on special tokens and padding.
            special: ``bool[batch, width]`` special tokens and padding.

        Returns:
            ``bool[batch, width]``.
        """
        import torch

        masked = torch.zeros(inputs.shape, dtype=torch.bool)
        token_level = ~special & (events >= 0)
        if self.masking in ("event", "mixed", "interaction"):
            for row in range(inputs.shape[0]):
                ev = events[row]
                valid = ev[ev >= 0]
                if not len(valid):
                    continue
                uniq, counts = torch.unique_consecutive(valid, return_counts=True)
                pick = torch.bernoulli(
                    torch.full((len(uniq),), self.mlm_probability), generator=self.generator
                )
                short = counts <= self.max_event_tokens
                chosen = uniq[(pick.bool()) & short]
                long_events = uniq[~short]
                masked[row] = torch.isin(ev, chosen)
                token_level[row] = torch.isin(ev, long_events)
        if self.masking in ("event", "mixed", "interaction"):
            token_level &= ~special
        probability = torch.where(token_level, self.mlm_probability, 0.0)
        masked |= torch.bernoulli(probability, generator=self.generator).bool()
        if self.masking in ("target", "mixed", "interaction"):
            if self._tables is None:
                self._tables = target_token_tables(self.tokenizer)
            for row in range(inputs.shape[0]):
                spans = target_positions(
                    inputs[row].tolist(), events[row].tolist(), self.tokenizer, self._tables
                )
                if not spans:
                    continue
                pick = torch.bernoulli(
                    torch.full((len(spans),), self.target_probability), generator=self.generator
                )
                for span, chosen in zip(spans, pick.tolist(), strict=True):
                    if chosen:
                        masked[row, span] = True
        return masked & ~special
