"""Metrics of the downstream benchmark, with bootstrap intervals over sessions.

Every figure is a statistic over test items (a query session, a session, a masked interaction, a masked
event), each item belonging to one session. :func:`bootstrap_interval` resamples sessions with
replacement (fixed seed) and recomputes the statistic, so items of one session move together.

Example:
    >>> import numpy as np
    >>> sim = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]])
    >>> per_query = retrieval_per_query(sim, ["a", "a", "b"])
    >>> per_query["hit1"].tolist(), per_query["rr"].tolist()
    ([1.0, 1.0, nan], [1.0, 1.0, nan])
"""

from __future__ import annotations

import numpy as np

#: Resamples of the bootstrap and its seed (the same for every figure of a run).
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 0


def retrieval_per_query(similarity: np.ndarray, labels, k: int = 5) -> dict[str, np.ndarray]:
    """Leave-one-out retrieval of each session's label among the other sessions.

    Candidates are ranked by similarity, highest first (ties by row order); the query itself is left out.

    Args:
        similarity: ``[n, n]`` scores (cosine similarity of unit vectors).
        labels: the label of each row.
        k: the cut-off of ``recall@k``.

    Returns:
        Per query: ``hit1`` (the nearest neighbour has the query's label), ``rr`` (1 / rank of the first
        session with the query's label) and ``recall_at_k`` (one of the ``k`` nearest has it: the
        metric-learning Recall@K). ``nan`` for a query whose label no other session has (it cannot be
        retrieved; :func:`summarise` counts those apart).
    """
    labels = np.asarray([str(x) for x in labels])
    n = len(labels)
    out = {name: np.full(n, np.nan) for name in ("hit1", "rr", "recall_at_k")}
    for i in range(n):
        others = np.array([j for j in range(n) if j != i], dtype=int)
        if not len(others):
            continue
        relevant = labels[others] == labels[i]
        if not relevant.any():
            continue
        order = np.argsort(-similarity[i, others], kind="stable")
        ranked = relevant[order]
        first = int(np.argmax(ranked))
        out["hit1"][i] = float(ranked[0])
        out["rr"][i] = 1.0 / (first + 1)
        out["recall_at_k"][i] = float(ranked[:k].any())
    return out


def label_prior_similarity(labels) -> np.ndarray:
    """The ``majority`` predictor's retrieval scores: a candidate scores the frequency of its label.

    Every query then ranks the sessions of the most frequent label first (ties by row order); the query's
    own row is left out of the counts.
    """
    labels = [str(x) for x in labels]
    n = len(labels)
    values, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(values)).astype(float)
    sim = np.zeros((n, n))
    for i in range(n):
        c = counts.copy()
        c[inverse[i]] -= 1
        sim[i] = c[inverse] - 1e-9 * np.arange(n)
    return sim


def bootstrap_interval(
    groups,
    statistic,
    n_samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
    alpha: float = 0.05,
) -> list[float] | None:
    """A percentile bootstrap interval that resamples groups (sessions) with replacement.

    Args:
        groups: the session of each item.
        statistic: function of an index array into the items -> a float (``nan`` values are dropped).
        n_samples: resamples.
        seed: the generator's seed (same seed, same interval).
        alpha: 0.05 for a 95% interval.

    Returns:
        ``[low, high]``, or None with no items.
    """
    groups = np.asarray(groups)
    if not len(groups) or n_samples <= 0:
        return None
    values, inverse = np.unique(groups, return_inverse=True)
    members = [np.nonzero(inverse == g)[0] for g in range(len(values))]
    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(n_samples):
        picks = rng.integers(0, len(values), len(values))
        index = np.concatenate([members[g] for g in picks])
        value = statistic(index)
        if value is not None and not np.isnan(value):
            stats.append(value)
    if not stats:
        return None
    low, high = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return [float(low), float(high)]


def mean_interval(values, groups, n_samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED):
    """Mean of ``values`` (``nan`` left out) with a session bootstrap interval, vectorised.

    Args:
        values: one number per item (``nan``: not scored).
        groups: the session of each item.
        n_samples: resamples.
        seed: generator seed.

    Returns:
        ``(mean or None, [low, high] or None, n)``, ``n`` the items scored.

    Example:
        >>> mean_interval([1.0, 0.0, 1.0, 1.0], ["s1", "s1", "s2", "s3"], n_samples=0)
        (0.75, None, 4)
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups)
    keep = ~np.isnan(values)
    values, groups = values[keep], groups[keep]
    n = int(len(values))
    if not n:
        return None, None, 0
    mean = float(values.mean())
    if n_samples <= 0:
        return mean, None, n
    names, inverse = np.unique(groups, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(names))
    counts = np.bincount(inverse, minlength=len(names)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), (n_samples, len(names)))
    weights = np.stack([np.bincount(row, minlength=len(names)) for row in draws]).astype(float)
    stats = (weights @ sums) / (weights @ counts)
    low, high = np.quantile(stats, [0.025, 0.975])
    return mean, [float(low), float(high)], n


def macro_f1(y_true, y_pred) -> float:
    """Macro-averaged F1 over the labels present in ``y_true``.

    The value of scikit-learn's ``f1_score(y_true, y_pred, labels=np.unique(y_true), average="macro",
    zero_division=0)``, computed in numpy (the bootstrap calls it a thousand times per figure).

    Example:
        >>> round(macro_f1(["a", "a", "b", "c"], ["a", "b", "b", "a"]), 4)  # (2/3 + 1/2 + 0) / 3
        0.3889
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(y_true)
    if not len(labels):
        return 0.0
    truth = y_true[:, None] == labels[None, :]
    guess = y_pred[:, None] == labels[None, :]
    tp = (truth & guess).sum(axis=0)
    denominator = truth.sum(axis=0) + guess.sum(axis=0)  # 2 tp + fp + fn
    return float(np.mean(np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)))


def topk_hits(ranked: np.ndarray, truth: np.ndarray, k: int) -> np.ndarray:
    """1.0 where ``truth`` is among the first ``k`` columns of ``ranked`` (one row per item), else 0.0.

    Example:
        >>> topk_hits(np.array([[3, 1, 2], [2, 3, 1]]), np.array([1, 1]), 2).tolist()
        [1.0, 0.0]
    """
    ranked = np.asarray(ranked)
    if ranked.ndim != 2 or not len(ranked):
        return np.zeros(len(truth))
    return (ranked[:, :k] == np.asarray(truth)[:, None]).any(axis=1).astype(float)
