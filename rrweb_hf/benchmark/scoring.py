"""The four tasks' scoring: one row of figures per predictor, each with its interval and count.

:func:`~rrweb_hf.benchmark.core.evaluate_downstream` reads the sessions, loads the models and builds the
items; the functions here turn them into rows ``{metric: mean, "ci": {metric: [lo, hi]}, "n": {metric: n}}``:

- :func:`score_retrieval`: leave-one-out nearest neighbours over a similarity matrix per predictor;
- :func:`score_probe`: logistic regression on features per predictor, cross-validated by session;
- :func:`score_next_interaction` and :func:`score_reconstruction`: the token tasks, every predictor's
  top-k rankings of the masked slots (:func:`token_rankings`) scored against the items' targets.

Example:
    >>> import numpy as np
    >>> row = {}
    >>> record(row, "accuracy", np.array([1.0, 0.0, 1.0, np.nan]), np.array(["a", "a", "b", "b"]), 0, 0)
    >>> row["accuracy"], row["n"]["accuracy"], row["ci"]["accuracy"]
    (0.6666666666666666, 3, None)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import metrics as M
from .items import EVENT_MASKS, TARGET_MASKS, TokenRoles
from .predictors import TOP_K, fit_rank, frequency_rankings, mlm_rankings, token_count_matrix

PREDICTORS = ("model", "random_init", "bag_of_tokens", "majority")
NEXT_PREDICTORS = (*PREDICTORS, "most_frequent_target", "previous_target")
#: Groups always reported by the reconstruction task (others are added when present).
RECONSTRUCTION_GROUPS = ("click", "input", "navigation")


def record(row: dict, name: str, values, groups, n_samples: int, seed: int) -> None:
    """Put one mean metric with its interval and count into a predictor's row (NaN values are not counted)."""
    mean, ci, n = M.mean_interval(values, groups, n_samples=n_samples, seed=seed)
    row[name] = mean
    row.setdefault("ci", {})[name] = ci
    row.setdefault("n", {})[name] = n


# ------------------------------------------------------------------------------- retrieval and probe
def score_retrieval(vectors: dict, labels, groups, n_samples, seed) -> dict:
    """1-NN accuracy, MRR and recall@5 of every predictor's ``[n, n]`` similarity matrix."""
    out = {}
    for name, sim in vectors.items():
        per = M.retrieval_per_query(sim, labels)
        row: dict = {}
        record(row, "accuracy_1nn", per["hit1"], groups, n_samples, seed)
        record(row, "mrr", per["rr"], groups, n_samples, seed)
        record(row, "recall_at_5", per["recall_at_k"], groups, n_samples, seed)
        out[name] = row
    return out


def _probe_folds(labels, seed: int):
    from sklearn.model_selection import KFold, StratifiedKFold

    labels = np.asarray(labels)
    _, counts = np.unique(labels, return_counts=True)
    n_splits = int(min(5, len(labels)))
    if counts.min() >= 2:
        n_splits = int(min(n_splits, counts.max()))
        folds = StratifiedKFold(n_splits=max(2, min(n_splits, counts.min())), shuffle=True, random_state=seed)
        stratified = True
    else:
        folds = KFold(n_splits=max(2, n_splits), shuffle=True, random_state=seed)
        stratified = False
    return list(folds.split(np.zeros(len(labels)), labels)), stratified


def score_probe(features: dict, labels, groups, n_samples, seed) -> tuple[dict, dict]:
    """Accuracy and macro-F1 of a probe per predictor (``(x, scaled)``; ``x`` None: the fold's majority)."""
    labels = np.asarray([str(x) for x in labels])
    codes = {c: i for i, c in enumerate(sorted(set(labels)))}
    y = np.array([codes[c] for c in labels])
    folds, stratified = _probe_folds(labels, seed)
    out = {}
    for name, (x, scaled) in features.items():
        pred = np.full(len(y), -1)
        for train, test in folds:
            if x is None:
                pred[test] = frequency_rankings(y[train], len(test), k=1)[:, 0]
            else:
                pred[test] = fit_rank(x[train], y[train], x[test], k=1, scaled=scaled, seed=seed)[:, 0]
        row: dict = {}
        record(row, "accuracy", (pred == y).astype(float), groups, n_samples, seed)
        row["macro_f1"] = M.macro_f1(y, pred)
        row["ci"]["macro_f1"] = M.bootstrap_interval(
            groups, lambda idx, p=pred: M.macro_f1(y[idx], p[idx]), n_samples=n_samples, seed=seed
        )
        row["n"]["macro_f1"] = len(y)
        out[name] = row
    return out, {"folds": len(folds), "stratified": stratified, "classes": len(codes)}


# ------------------------------------------------------------------------------------- token tasks
@dataclass(frozen=True)
class TokenScoring:
    """What both token tasks' scorers share.

    Attributes:
        models: name -> masked-LM (``model``, ``random_init``).
        roles: the tokenizer's token roles.
        vocab_size: the model's vocabulary size.
        masks: ``target_heads``, ``labels``, ``kinds``: boolean arrays of the ids allowed at each slot.
        batch_size: items per forward pass.
        n_samples: bootstrap resamples.
        seed: seed of the fitted baselines, folds and bootstrap.
    """

    models: dict
    roles: TokenRoles
    vocab_size: int
    masks: dict
    batch_size: int
    n_samples: int
    seed: int


def _token_task_folds(train_items: list, test_items: list, seed: int) -> tuple[list, str]:
    """``[(fit items, test indices)]``: the training sessions' items, or session folds of the test items."""
    if train_items:
        return [(train_items, np.arange(len(test_items)))], "fitted on the training sessions"
    from sklearn.model_selection import GroupKFold

    sessions = np.array([it.session for it in test_items])
    n = len(set(sessions.tolist()))
    if n < 2:
        return [], "not fitted: fewer than 2 sessions and no training sessions"
    folds = GroupKFold(n_splits=min(5, n))
    out = [([test_items[i] for i in train], test) for train, test in folds.split(sessions, groups=sessions)]
    return out, f"cross-validated over {min(5, n)} session folds"


def _fitted_rankings(folds, test_items, slot: int, vocab_size: int, seed: int) -> dict[str, np.ndarray]:
    """bag_of_tokens and majority rankings of one target slot."""
    from sklearn.feature_extraction.text import TfidfTransformer

    n = len(test_items)
    bag = np.full((n, TOP_K), -1, dtype=np.int64)
    major = np.full((n, TOP_K), -1, dtype=np.int64)
    for fit_items, test_index in folds:
        fit = [it for it in fit_items if it.targets[slot] is not None]
        y = np.array([it.targets[slot] for it in fit], dtype=np.int64)
        if not len(y):
            continue
        tests = [test_items[i] for i in test_index]
        transformer = TfidfTransformer(sublinear_tf=True)
        x_fit = transformer.fit_transform(token_count_matrix([it.left + it.right for it in fit], vocab_size))
        x_test = transformer.transform(token_count_matrix([it.left + it.right for it in tests], vocab_size))
        bag[test_index] = fit_rank(x_fit, y, x_test, seed=seed)
        major[test_index] = frequency_rankings(y, len(tests))
    return {"bag_of_tokens": bag, "majority": major}


def token_rankings(scoring: TokenScoring, train_items, items, n_masks: int, slots: dict) -> tuple[dict, str]:
    """``{predictor: {slot: int64[n_items, TOP_K]}}`` of the models and the fitted baselines, and how fitted.

    ``slots`` maps a slot name to ``(mask index, allowed ids)`` in target order: the i-th slot is scored
    against ``item.targets[i]``.
    """
    rankings = {
        name: mlm_rankings(model, items, scoring.roles, n_masks, slots, batch_size=scoring.batch_size)
        for name, model in scoring.models.items()
    }
    folds, fitted = _token_task_folds(train_items, items, scoring.seed)
    for target, key in enumerate(slots):
        for name, ranked in _fitted_rankings(folds, items, target, scoring.vocab_size, scoring.seed).items():
            rankings.setdefault(name, {})[key] = ranked
    return rankings, fitted


def _score_slots(row: dict, metric_prefix: str, ranked: np.ndarray, truth, groups, n_samples, seed) -> None:
    truth = np.array([-2 if t is None else t for t in truth], dtype=np.int64)
    scored = truth != -2
    for k in (1, 5):
        hits = M.topk_hits(ranked, truth, k)
        hits[~scored] = np.nan
        record(row, f"{metric_prefix}_top{k}", hits, groups, n_samples, seed)


def _record_by_group(row: dict, prefix: str, hits, items, names, groups, n_samples, seed) -> None:
    """``{prefix}_{group}``: the mean of ``hits`` over the items of each event group in ``names``."""
    for group in names:
        sel = np.array([it.group == group for it in items])
        values = hits.copy()
        values[~sel] = np.nan
        record(row, f"{prefix}_{group}", values, groups, n_samples, seed)


def _history_rankings(items, attr: str) -> dict[str, np.ndarray]:
    """Tag and label rankings of the session's own earlier targets (``frequent`` or ``recent``)."""
    tag_rank = np.full((len(items), TOP_K), -1, dtype=np.int64)
    label_rank = np.full((len(items), TOP_K), -1, dtype=np.int64)
    for i, it in enumerate(items):
        previous = getattr(it, attr)[:TOP_K]
        tag_rank[i, : len(previous)] = [t for t, _ in previous]
        label_rank[i, : len(previous)] = [-1 if lab is None else lab for _, lab in previous]
    return {"tag": tag_rank, "label": label_rank}


def score_next_interaction(scoring: TokenScoring, train_items, items) -> tuple[dict, dict]:
    """Tag and label top-1 / top-5 of every :data:`NEXT_PREDICTORS` entry, and tag top-1 per group."""
    masks = scoring.masks
    slots = {"tag": (0, masks["target_heads"]), "label": (2, masks["labels"])}
    rankings, fitted = token_rankings(scoring, train_items, items, TARGET_MASKS, slots)
    rankings["most_frequent_target"] = _history_rankings(items, "frequent")
    empty = np.array([not it.frequent for it in items])  # nothing yet in the session: the training majority
    for key, arr in rankings["most_frequent_target"].items():
        arr[empty] = rankings["majority"][key][empty]
    rankings["previous_target"] = _history_rankings(items, "recent")
    groups, boot = np.array([it.session for it in items]), (scoring.n_samples, scoring.seed)
    tags = [it.targets[0] for it in items]
    labels = [it.targets[1] for it in items]
    out = {}
    for name in NEXT_PREDICTORS:
        row: dict = {}
        _score_slots(row, "tag", rankings[name]["tag"], tags, groups, *boot)
        _score_slots(row, "label", rankings[name]["label"], labels, groups, *boot)
        hits = M.topk_hits(rankings[name]["tag"], np.array(tags), 1)
        _record_by_group(row, "tag_top1", hits, items, ("click", "input"), groups, *boot)
        out[name] = row
    return out, {"baselines": fitted}


def score_reconstruction(scoring: TokenScoring, train_items, items) -> tuple[dict, dict]:
    """Kind accuracy of every :data:`PREDICTORS` entry, overall and per event group."""
    slots = {"kind": (0, scoring.masks["kinds"])}
    rankings, fitted = token_rankings(scoring, train_items, items, EVENT_MASKS, slots)
    present = sorted({it.group for it in items})
    report_groups = list(RECONSTRUCTION_GROUPS) + [g for g in present if g not in RECONSTRUCTION_GROUPS]
    groups, boot = np.array([it.session for it in items]), (scoring.n_samples, scoring.seed)
    kinds = np.array([it.targets[0] for it in items], dtype=np.int64)
    out = {}
    for name in PREDICTORS:
        row: dict = {}
        hits = M.topk_hits(rankings[name]["kind"], kinds, 1)
        record(row, "accuracy", hits, groups, *boot)
        _record_by_group(row, "accuracy", hits, items, report_groups, groups, *boot)
        out[name] = row
    return out, {"baselines": fitted, "groups": report_groups}
