"""Training windows tokenized on the fly from raw session files: a streaming ``datasets.IterableDataset``.

:func:`stream_windows` reads a corpus with :func:`rrweb_hf.load_sessions` (``streaming=True``: one shard per
file, nothing written to the disk cache), cuts every session into ALL its overlapping windows with the
tokenizer's fast path (``encode_session``, then :func:`rrweb_hf.prepare.append_windows`: the same windows
``rrweb-hf prepare`` writes),
shuffles windows through a seeded buffer, gives each process of a distributed run its own part with
:func:`datasets.distributed.split_dataset_by_node` and, for training, repeats the stream without end (the
Trainer's ``max_steps`` bounds the run). The same seed gives the same stream, so a resumed Trainer that
replays the batches it already trained on (``ignore_data_skip=False``, the default) continues with
exactly the batches an uninterrupted run would have seen.

Example:
    >>> import json, pathlib, tempfile
    >>> from rrweb_hf import RRWebTokenizer
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> events = [{"type": 4, "timestamp": 1, "data": {"href": "https://a.example/", "width": 800, "height": 600}}]
    >>> _ = (root / "a.json").write_text(json.dumps(events * 30))
    >>> tok = RRWebTokenizer.train([events], text_vocab_size=300)
    >>> stream = stream_windows(root, tok, max_length=32, stride=4, validation_fraction=0, repeat=False)
    >>> rows = list(stream)
    >>> len(rows), len(rows[0]["input_ids"]) <= 32, rows[0]["input_ids"][0] == tok.cls_token_id
    (30, True, True)
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

#: Columns of every streamed window (what the masked-LM collator needs).
WINDOW_COLUMNS = ("input_ids", "attention_mask", "special_tokens_mask")


def session_windows(
    batch: dict, *, tokenizer, max_length: int, stride: int, with_event_ids: bool = False
) -> dict:
    """A batched ``IterableDataset.map`` function: sessions (``events`` column) -> all their windows.

    Args:
        batch: columns of a batch of session rows (:func:`rrweb_hf.load_sessions`), ``events`` holding the
            events (a list of event dicts, or their JSON text).
        tokenizer: an :class:`~rrweb_hf.RRWebTokenizer`.
        max_length: tokens per window including ``[CLS]``/``[SEP]``.
        stride: least overlap of consecutive windows.
        with_event_ids: add ``event_ids`` (source event per token, -1 for ``[CLS]``/``[SEP]``), as
            ``prepare --event-ids`` does; the evaluation reads them, the model does not.

    Returns:
        ``{"input_ids", "attention_mask", "special_tokens_mask"}`` (and ``event_ids``) as lists, one row
        per window, sessions in order: the rows of :func:`rrweb_hf.prepare.append_windows`, so exactly the
        windows ``prepare`` writes (a session without tokens gives none).
    """
    from .prepare import append_windows, window_features

    rows: dict[str, list] = {name: [] for name in window_features(with_event_ids)}
    for events in batch["events"]:
        ids, event_ids = tokenizer.encode_session(events)
        append_windows(
            rows,
            "",
            ids,
            event_ids,
            tokenizer=tokenizer,
            max_length=max_length,
            stride=stride,
            with_event_ids=with_event_ids,
            max_windows=None,
        )
    columns = WINDOW_COLUMNS + (("event_ids",) if with_event_ids else ())
    return {name: [value.tolist() for value in rows[name]] for name in columns}


def stream_windows(
    corpus: str | os.PathLike,
    tokenizer,
    *,
    split: str = "train",
    max_length: int = 512,
    stride: int = 64,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.0,
    split_seed: str = "rrweb_hf",
    shuffle_buffer: int = 1000,
    seed: int = 42,
    rank: int = 0,
    world_size: int = 1,
    repeat: bool = True,
    with_event_ids: bool = False,
):
    """Windows of one split of a raw corpus, tokenized while iterating.

    Args:
        corpus: folder, file or glob of rrweb recordings (as for :func:`rrweb_hf.load_sessions`).
        tokenizer: an :class:`~rrweb_hf.RRWebTokenizer`.
        split: ``train``, ``validation`` or ``test`` (the deterministic session split of ``prepare``).
        max_length, stride: window size and least overlap, as ``rrweb-hf prepare --max-length --stride``.
        validation_fraction, test_fraction, split_seed: the session split (same meaning as ``prepare``).
        shuffle_buffer: windows held in the shuffle buffer (0: no shuffling; file order is kept).
        seed: shuffling seed (file order and buffer).
        rank, world_size: this process and the number of processes; each gets a disjoint part
            (whole files when the file count divides by ``world_size``, else every ``world_size``-th window).
        repeat: start again at the end (for training with ``max_steps``); False gives one pass.
        with_event_ids: add ``event_ids`` (for evaluation samples; see :func:`session_windows`).

    Returns:
        A :class:`datasets.IterableDataset` of ``input_ids`` / ``attention_mask`` / ``special_tokens_mask``.

    Raises:
        ValueError: an unknown split, or ``rank`` outside ``[0, world_size)``.
        FileNotFoundError: nothing at ``corpus``.
    """
    from datasets.distributed import split_dataset_by_node

    from .sessions import load_sessions

    if not 0 <= rank < world_size:
        raise ValueError(f"rank={rank} must be in [0, world_size={world_size})")
    sessions = load_sessions(
        corpus,
        streaming=True,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        split_seed=split_seed,
    )
    if split not in sessions:
        raise ValueError(
            f"split {split!r} is not in {list(sessions)} for validation_fraction={validation_fraction}, "
            f"test_fraction={test_fraction}; choose one of those splits or change the fractions"
        )
    stream = sessions[split].select_columns(["events"])
    stream = stream.map(
        session_windows,
        batched=True,
        batch_size=8,
        remove_columns=["events"],
        fn_kwargs={
            "tokenizer": tokenizer,
            "max_length": max_length,
            "stride": stride,
            "with_event_ids": with_event_ids,
        },
    )
    if shuffle_buffer > 0:
        stream = stream.shuffle(seed=seed, buffer_size=shuffle_buffer)
    if world_size > 1:
        stream = split_dataset_by_node(stream, rank=rank, world_size=world_size)
    return stream.repeat(None) if repeat else stream


def take_windows(stream, limit: int):
    """The first ``limit`` windows of a stream as an in-memory :class:`datasets.Dataset` (for evaluation).

    Args:
        stream: from :func:`stream_windows` with ``repeat=False``.
        limit: windows to keep.

    Returns:
        The dataset (possibly shorter than ``limit`` when the stream ends first).
    """
    import datasets

    from .prepare import window_features

    features = window_features(with_event_ids=True)
    rows: dict[str, list] = {}
    for number, row in enumerate(stream):
        if number >= limit:
            break
        for name, value in row.items():
            rows.setdefault(name, []).append(value)
    if not rows:
        rows = {name: [] for name in WINDOW_COLUMNS}
    return datasets.Dataset.from_dict(rows, features=datasets.Features({k: features[k] for k in rows}))
