"""Session embeddings from a pretrained model: one vector per session, for similarity search.

A session longer than one window is cut into the tokenizer's overlapping windows; each window is encoded
by the BERT encoder and pooled: ``mean`` (over its non-special tokens; the session vector is the
token-weighted mean of its window vectors) or ``cls`` (the ``[CLS]`` vector; the session vector is the mean
over windows). The vector is L2-normalised, so the dot product of two vectors is their cosine similarity.
The pooling defaults to the one recorded in the model folder's ``embedding_config.json`` (written by the
contrastive stage, :mod:`rrweb_hf.contrastive`), else ``mean``.

Example:
    >>> import rrweb_hf
    >>> from rrweb_hf.embeddings import embed_sessions, nearest_neighbours
    >>> sessions = list(rrweb_hf.walk_corpus(rrweb_hf.sample_corpus()))  # doctest: +SKIP
    >>> vectors = embed_sessions("out/model", sessions)  # doctest: +SKIP
    >>> nearest_neighbours(vectors, 0, k=3)  # doctest: +SKIP
    [(12, 0.97), (4, 0.95), (30, 0.91)]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence

import numpy as np

logger = logging.getLogger(__name__)


def load_encoder(model_dir: str | os.PathLike):
    """The tokenizer and the bare encoder (:class:`~transformers.AutoModel`) of a saved model folder.

    Args:
        model_dir: a folder from ``rrweb-hf pretrain`` (a masked-LM checkpoint works: its head is dropped).

    Returns:
        ``(tokenizer, model)``, the model in eval mode.
    """
    import transformers
    from transformers import AutoModel

    from .modeling import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    # The MLM head's weights are expected to be unused here: keep the load quiet about them.
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        model = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False)
    finally:
        transformers.logging.set_verbosity(verbosity)
    model.eval()
    return tokenizer, model


def session_windows(tokenizer, session, max_length: int, stride: int) -> list[list[int]]:
    """All windows of one session, as id lists framed ``[CLS] ... [SEP]``.

    Args:
        tokenizer: an RRWebTokenizer (any tokenizer that returns all windows with
            ``return_overflowing_tokens=True``).
        session: a session (event list, JSON string, :class:`rrweb_hf.Session`).
        max_length: window size.
        stride: overlap between windows.

    Returns:
        The windows (at least one).
    """
    if hasattr(session, "events"):
        session = session.events
    enc = tokenizer(
        session, max_length=max_length, stride=stride, truncation=True, return_overflowing_tokens=True
    )
    ids = enc["input_ids"]
    if ids and isinstance(ids[0], int):
        ids = [ids]
    return [list(w) for w in ids]


def embed_sessions(
    model_or_dir,
    sessions: Iterable,
    *,
    tokenizer=None,
    max_length: int | None = None,
    stride: int = 32,
    batch_size: int = 16,
    show_progress: bool = False,
    pooling: str | None = None,
) -> np.ndarray:
    """One L2-normalised vector per session, pooled over tokens and windows.

    Args:
        model_or_dir: a model folder, or an encoder model (then pass ``tokenizer``).
        sessions: sessions (event lists, JSON strings, :class:`rrweb_hf.Session` objects).
        tokenizer: the tokenizer when ``model_or_dir`` is a model.
        max_length: window size (default: the model's ``max_position_embeddings``, at most the tokenizer's
            ``model_max_length``).
        stride: overlap between windows.
        batch_size: windows per forward pass.
        show_progress: a tqdm bar over sessions.
        pooling: ``mean`` or ``cls`` (default: the folder's ``embedding_config.json``, else ``mean``).

    Returns:
        ``float32[n_sessions, hidden_size]``.

    Raises:
        ValueError: ``tokenizer`` missing for a model object, or no sessions.
    """
    import torch

    from .contrastive import POOLINGS, read_pooling

    if isinstance(model_or_dir, (str, os.PathLike)):
        pooling = pooling or read_pooling(model_or_dir)
        tokenizer, model = load_encoder(model_or_dir)
    else:
        model = model_or_dir
        if tokenizer is None:
            raise ValueError("embed_sessions(model, ...) needs tokenizer=; or pass the model folder instead")
    pooling = pooling or "mean"
    if pooling not in POOLINGS:
        raise ValueError(f"pooling={pooling!r} is not one of {', '.join(POOLINGS)}")
    model = getattr(model, "bert", model)  # a BertForMaskedLM: use its encoder
    limit = min(model.config.max_position_embeddings, tokenizer.model_max_length or 10**9)
    max_length = min(max_length or limit, limit)
    sessions = list(sessions)
    if not sessions:
        raise ValueError("no sessions to embed")
    if show_progress:
        from tqdm.auto import tqdm

        sessions = tqdm(sessions, unit="session", desc="embedding")
    out = np.zeros((len(sessions), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for index, session in enumerate(sessions):
            windows = session_windows(tokenizer, session, max_length, stride)
            vector = _pool_windows(model, tokenizer, windows, batch_size, pooling)
            norm = np.linalg.norm(vector)
            out[index] = vector / norm if norm > 0 else vector
    return out


def _pool_windows(model, tokenizer, windows: list[list[int]], batch_size: int, pooling: str) -> np.ndarray:
    """The pooled (not yet normalised) vector of one session's windows, ``batch_size`` windows a pass."""
    device = next(model.parameters()).device
    special = set(tokenizer.all_special_ids)
    total = np.zeros(model.config.hidden_size, dtype=np.float64)
    count = 0
    for start in range(0, len(windows), batch_size):
        chunk = windows[start : start + batch_size]
        # [CLS] first in every row: padded on the right whatever the tokenizer's padding side
        batch = tokenizer.pad({"input_ids": chunk}, padding_side="right", return_tensors="pt")
        ids, attention = batch["input_ids"], batch["attention_mask"]
        hidden = model(input_ids=ids.to(device), attention_mask=attention.to(device)).last_hidden_state
        if pooling == "cls":
            total += hidden[:, 0].sum(dim=0).double().cpu().numpy()
            count += len(chunk)
            continue
        content = attention.clone()
        for sid in special:
            content[ids == sid] = 0
        weights = content.to(device).unsqueeze(-1).to(hidden.dtype)
        total += (hidden * weights).sum(dim=(0, 1)).double().cpu().numpy()
        count += int(content.sum())
    return total / max(count, 1)


def nearest_neighbours(vectors: np.ndarray, query: int | np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` sessions most similar (cosine) to a query session or vector.

    Args:
        vectors: from :func:`embed_sessions` (L2-normalised rows).
        query: a row index (excluded from its own answer) or a vector.
        k: how many neighbours.

    Returns:
        ``(row index, cosine similarity)`` pairs, most similar first.

    Raises:
        IndexError: a row index outside ``vectors``.
    """
    if isinstance(query, (int, np.integer)):
        if not 0 <= int(query) < len(vectors):
            raise IndexError(f"query row {query} is outside 0..{len(vectors) - 1}")
        q = vectors[int(query)]
        exclude = int(query)
    else:
        q = np.asarray(query, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        exclude = None
    scores = vectors @ q
    order = np.argsort(-scores, kind="stable")
    result = [(int(i), float(scores[i])) for i in order if i != exclude]
    return result[:k]


def neighbour_table(
    ids: Sequence[str], vectors: np.ndarray, query: int, k: int = 5
) -> list[tuple[str, float]]:
    """Like :func:`nearest_neighbours`, with session ids instead of row numbers.

    Args:
        ids: session id per row.
        vectors: the embeddings.
        query: row of the query session.
        k: how many neighbours.

    Returns:
        ``(session id, cosine similarity)`` pairs.
    """
    return [(ids[i], score) for i, score in nearest_neighbours(vectors, query, k)]
