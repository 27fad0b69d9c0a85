"""The predictors compared on every task: a masked-LM, a TF-IDF bag of tokens, the majority class.

- :func:`mlm_rankings`: a ``BertForMaskedLM`` (the model, or the same config with random weights) reads
  ``[CLS] left [MASK]... right [SEP]`` and ranks candidate ids at the masked slots (batched, no grad).
- :func:`tfidf_matrix` / :func:`bag_rankings`: TF-IDF over the same token ids (scikit-learn) with a
  logistic regression fitted on the training items, ranking the classes it saw.
- :func:`frequency_rankings`: the classes of the training items by frequency (``majority``).

Example:
    >>> import numpy as np
    >>> frequency_rankings([1, 1, 2, 3, 3, 3], 2, k=2).tolist()
    [[3, 1], [3, 1]]
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter

import numpy as np

from .items import masked_input

logger = logging.getLogger(__name__)

#: Ranked answers kept per item (top-1 and top-5 are read from them).
TOP_K = 5


def token_count_matrix(sequences, vocab_size: int):
    """Sparse ``[n, vocab_size]`` counts of token ids (CSR), one row per sequence."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    for seq in sequences:
        indices.extend(int(t) for t in seq)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    matrix = csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)), shape=(len(indptr) - 1, vocab_size)
    )
    matrix.sum_duplicates()
    return matrix


def tfidf_matrix(train_sequences, test_sequences, vocab_size: int):
    """TF-IDF rows (sublinear tf, L2-normalised) of the test sequences, the IDF fitted on the train ones."""
    from sklearn.feature_extraction.text import TfidfTransformer

    transformer = TfidfTransformer(sublinear_tf=True)
    transformer.fit(token_count_matrix(train_sequences, vocab_size))
    return transformer.transform(token_count_matrix(test_sequences, vocab_size))


def logistic_regression(scaled: bool = False, seed: int = 0, sparse: bool = False):
    """scikit-learn's ``LogisticRegression`` (lbfgs, C=1, at most 500 iterations, tol 1e-3).

    Args:
        scaled: standardise every feature first (``StandardScaler``; sparse input is scaled, not centred).
        seed: ``random_state``.
        sparse: the input is a sparse matrix.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = LogisticRegression(max_iter=500, tol=1e-3, random_state=seed)
    return make_pipeline(StandardScaler(with_mean=not sparse), model) if scaled else model


def fit_rank(train_x, train_y, test_x, k: int = TOP_K, scaled: bool = False, seed: int = 0) -> np.ndarray:
    """Fit a logistic regression and rank its classes for each test row (``[n_test, k]``, -1 padded).

    A single training class is predicted for every row (no fit needed).
    """
    train_y = np.asarray(train_y)
    classes = np.unique(train_y)
    n_test = test_x.shape[0]
    out = np.full((n_test, k), -1, dtype=np.int64)
    if n_test == 0 or not len(classes):
        return out
    if len(classes) == 1:
        out[:, 0] = classes[0]
        return out
    from scipy.sparse import issparse

    model = logistic_regression(scaled=scaled, seed=seed, sparse=issparse(train_x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        from sklearn.exceptions import ConvergenceWarning

        warnings.simplefilter("ignore", category=ConvergenceWarning)
        model.fit(train_x, train_y)
    proba = model.predict_proba(test_x)
    fitted = model.classes_ if hasattr(model, "classes_") else model[-1].classes_
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    out[:, : order.shape[1]] = np.asarray(fitted)[order]
    return out


def frequency_rankings(train_y, n_test: int, k: int = TOP_K) -> np.ndarray:
    """The ``k`` most frequent training classes (ties: smallest first), the same for every test item."""
    counts = Counter(int(y) for y in train_y)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))[:k]
    out = np.full((n_test, k), -1, dtype=np.int64)
    out[:, : len(ranked)] = ranked
    return out


def mlm_rankings(
    model,
    items,
    roles,
    n_masks: int,
    slots: dict[str, tuple[int, np.ndarray | None]],
    batch_size: int = 32,
    k: int = TOP_K,
) -> dict[str, np.ndarray]:
    """Rank candidate ids at masked slots with a masked-LM, batched under ``torch.no_grad``.

    Args:
        model: a ``BertForMaskedLM`` (or any masked-LM returning ``logits``).
        items: :class:`~rrweb_hf.benchmark.items.Item` objects (``left``, ``right``).
        roles: token roles (``cls``, ``sep``, ``mask``, ``pad``).
        n_masks: ``[MASK]`` tokens inserted between ``left`` and ``right``.
        slots: name -> ``(mask index, allowed ids as a boolean array over the vocabulary or None)``.
        batch_size: items per forward pass.
        k: answers kept.

    Returns:
        name -> ``int64[n_items, k]`` ranked ids.
    """
    import torch

    model.eval()
    device = next(model.parameters()).device
    vocab = model.config.vocab_size
    allowed = {}
    for name, (_, mask) in slots.items():
        bias = torch.zeros(vocab)
        if mask is not None:
            m = np.zeros(vocab, dtype=bool)
            m[: min(len(mask), vocab)] = mask[:vocab]
            bias[torch.from_numpy(~m)] = float("-inf")
        allowed[name] = bias.to(device)
    out = {name: np.zeros((len(items), k), dtype=np.int64) for name in slots}
    with torch.no_grad():
        for begin in range(0, len(items), batch_size):
            chunk = items[begin : begin + batch_size]
            built = [masked_input(it, roles, n_masks) for it in chunk]
            rows = [row for row, _ in built]
            width = max(len(r) for r in rows)
            ids = torch.full((len(rows), width), roles.pad, dtype=torch.long)
            attention = torch.zeros((len(rows), width), dtype=torch.long)
            for i, row in enumerate(rows):
                ids[i, : len(row)] = torch.tensor(row)
                attention[i, : len(row)] = 1
            ids, attention = ids.to(device), attention.to(device)
            rows_index = torch.arange(len(rows), device=device)
            split_head = hasattr(model, "bert") and hasattr(model, "cls")
            if split_head:  # run the head on the masked slots only, not on every position
                hidden = model.bert(input_ids=ids, attention_mask=attention).last_hidden_state
            else:
                full = model(input_ids=ids, attention_mask=attention).logits
            for name, (slot, _) in slots.items():
                positions = torch.tensor([first + slot for _, first in built], device=device)
                if split_head:
                    logits = model.cls(hidden[rows_index, positions])
                else:
                    logits = full[rows_index, positions]
                logits = logits.float() + allowed[name]
                top = torch.topk(logits, min(k, logits.shape[-1]), dim=-1).indices.cpu().numpy()
                out[name][begin : begin + len(chunk), : top.shape[1]] = top
    return out
