"""``evaluate_downstream``: the model against its baselines on four tasks, the same sessions and splits.

Tasks (see the package docstring and README, "Downstream benchmark"):

- ``retrieval``: leave-one-out nearest neighbours by cosine over session embeddings; 1-NN accuracy, MRR,
  recall@5 (one of the 5 nearest has the query's label);
- ``probe``: logistic regression on frozen session embeddings, cross-validated by session (stratified
  folds); accuracy, macro-F1;
- ``next_interaction``: the target of each click and input from what came before; tag and first-label
  top-1 / top-5;
- ``reconstruction``: the kind of a fully masked event; accuracy overall and per event group.

Predictors: ``model``; ``random_init`` (the same config, random weights, fixed seed); ``bag_of_tokens``
(TF-IDF over the same token ids; cosine for retrieval, logistic regression otherwise); ``majority``; and
for next interaction ``most_frequent_target`` (the session's most used target so far) and
``previous_target`` (the previous interaction's target). The supervised baselines of the two token tasks
(``bag_of_tokens``, ``majority``) are fitted on the split's training sessions (for leave-one-site-out:
the other sites, which also pretrained the model), or by cross-validation over the evaluated sessions when
the split has none.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from . import metrics as M
from .annotations import ANNOTATION_TAGS, strip_annotations
from .items import EVENT_MASKS, TARGET_MASKS, TokenRoles, next_interaction_items, reconstruction_items
from .labels import DEFAULT_FORMATS, LabelsError, LabelTable, load_labels
from .predictors import TOP_K, fit_rank, frequency_rankings, mlm_rankings, tfidf_matrix, token_count_matrix
from .splits import SPLIT_SALT, BenchmarkSplit, leave_one_site_out, within_site_split

logger = logging.getLogger(__name__)

TASKS = ("retrieval", "probe", "next_interaction", "reconstruction")
PREDICTORS = ("model", "random_init", "bag_of_tokens", "majority")
NEXT_PREDICTORS = (*PREDICTORS, "most_frequent_target", "previous_target")
#: Groups always reported by the reconstruction task (others are added when present).
RECONSTRUCTION_GROUPS = ("click", "input", "navigation")


def _figure(values, groups, n_samples, seed) -> tuple:
    mean, ci, n = M.mean_interval(values, groups, n_samples=n_samples, seed=seed)
    return mean, ci, n


def _record(row: dict, name: str, values, groups, n_samples: int, seed: int) -> None:
    """Put one mean metric with its interval and count into a predictor's row."""
    mean, ci, n = _figure(values, groups, n_samples, seed)
    row[name] = mean
    row.setdefault("ci", {})[name] = ci
    row.setdefault("n", {})[name] = n


# ---------------------------------------------------------------------------------------------- data
def _corpus_index(corpus: Path) -> set[str]:
    from ..readers import corpus_paths

    root = corpus if corpus.is_dir() else corpus.parent
    return {Path(p).relative_to(root).as_posix() for p in corpus_paths(corpus)}


def _read(corpus: Path, paths: list[str]) -> tuple[list, list[tuple[str, str]]]:
    """``(path, session)`` pairs of the files and the files skipped with their reasons."""
    from ..readers import CorpusWalk

    walk = CorpusWalk(corpus, files=[corpus / p for p in paths])
    pairs = []
    for (path, sessions), name in zip(walk.iter_files(), paths, strict=True):
        del path
        pairs.extend((name, s) for s in sessions)
    skipped = [
        (Path(p).relative_to(corpus).as_posix() if Path(p).is_relative_to(corpus) else str(p), r)
        for p, r in walk.skipped
    ]
    return pairs, skipped


def select_split(
    table: LabelTable,
    *,
    label_column: str,
    site_column: str = "site",
    held_out: str | None = None,
    split: str = "validation",
    salt: str = SPLIT_SALT,
) -> BenchmarkSplit:
    """The benchmark split of a label table: leave-one-site-out when ``held_out`` is given, else within-site."""
    rows = [r for r in table.rows if r.get(label_column) not in (None, "")]
    if held_out is not None:
        table.require(site_column)
        return leave_one_site_out(rows, held_out, part=split, site_column=site_column, salt=salt)
    return within_site_split(rows, part=split, salt=salt)


# ---------------------------------------------------------------------------------------- the tasks
def _retrieval(vectors: dict, labels, groups, n_samples, seed) -> dict:
    out = {}
    for name, sim in vectors.items():
        per = M.retrieval_per_query(sim, labels)
        row: dict = {}
        _record(row, "accuracy_1nn", per["hit1"], groups, n_samples, seed)
        _record(row, "mrr", per["rr"], groups, n_samples, seed)
        _record(row, "recall_at_5", per["recall_at_k"], groups, n_samples, seed)
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


def _probe(features: dict, labels, groups, n_samples, seed) -> tuple[dict, dict]:
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
        _record(row, "accuracy", (pred == y).astype(float), groups, n_samples, seed)
        row["macro_f1"] = M.macro_f1(y, pred)
        row["ci"]["macro_f1"] = M.bootstrap_interval(
            groups, lambda idx, p=pred: M.macro_f1(y[idx], p[idx]), n_samples=n_samples, seed=seed
        )
        row["n"]["macro_f1"] = len(y)
        out[name] = row
    return out, {"folds": len(folds), "stratified": stratified, "classes": len(codes)}


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


def _score_slots(row: dict, metric_prefix: str, ranked: np.ndarray, truth, groups, n_samples, seed) -> None:
    truth = np.array([-2 if t is None else t for t in truth], dtype=np.int64)
    scored = truth != -2
    for k in (1, 5):
        hits = M.topk_hits(ranked, truth, k)
        hits[~scored] = np.nan
        _record(row, f"{metric_prefix}_top{k}", hits, groups, n_samples, seed)


def _next_interaction(models, roles, vocab_size, train_items, items, masks, batch_size, n_samples, seed):
    groups = np.array([it.session for it in items])
    tags = [it.targets[0] for it in items]
    labels = [it.targets[1] for it in items]
    rankings: dict[str, dict[str, np.ndarray]] = {}
    slots = {"tag": (0, masks["target_heads"]), "label": (2, masks["labels"])}
    for name, model in models.items():
        rankings[name] = mlm_rankings(model, items, roles, TARGET_MASKS, slots, batch_size=batch_size)
    folds, fitted = _token_task_folds(train_items, items, seed)
    for slot, key in ((0, "tag"), (1, "label")):
        for name, ranked in _fitted_rankings(folds, items, slot, vocab_size, seed).items():
            rankings.setdefault(name, {})[key] = ranked
    for name, attr in (("most_frequent_target", "frequent"), ("previous_target", "recent")):
        tag_rank = np.full((len(items), TOP_K), -1, dtype=np.int64)
        label_rank = np.full((len(items), TOP_K), -1, dtype=np.int64)
        for i, it in enumerate(items):
            previous = getattr(it, attr)[:TOP_K]
            tag_rank[i, : len(previous)] = [t for t, _ in previous]
            label_rank[i, : len(previous)] = [-1 if lab is None else lab for _, lab in previous]
        if name == "most_frequent_target":  # nothing yet in the session: the training majority
            empty = np.array([not it.frequent for it in items])
            for key, arr in (("tag", tag_rank), ("label", label_rank)):
                arr[empty] = rankings["majority"][key][empty]
        rankings[name] = {"tag": tag_rank, "label": label_rank}
    out = {}
    for name in NEXT_PREDICTORS:
        row: dict = {}
        _score_slots(row, "tag", rankings[name]["tag"], tags, groups, n_samples, seed)
        _score_slots(row, "label", rankings[name]["label"], labels, groups, n_samples, seed)
        for group in ("click", "input"):
            sel = np.array([it.group == group for it in items])
            hits = M.topk_hits(rankings[name]["tag"], np.array(tags), 1)
            hits[~sel] = np.nan
            _record(row, f"tag_top1_{group}", hits, groups, n_samples, seed)
        out[name] = row
    return out, {"baselines": fitted}


def _reconstruction(models, roles, vocab_size, train_items, items, masks, batch_size, n_samples, seed):
    groups = np.array([it.session for it in items])
    kinds = np.array([it.targets[0] for it in items], dtype=np.int64)
    rankings = {}
    slots = {"kind": (0, masks["kinds"])}
    for name, model in models.items():
        rankings[name] = mlm_rankings(model, items, roles, EVENT_MASKS, slots, batch_size=batch_size)["kind"]
    folds, fitted = _token_task_folds(train_items, items, seed)
    rankings.update(_fitted_rankings(folds, items, 0, vocab_size, seed))
    present = sorted({it.group for it in items})
    report_groups = list(RECONSTRUCTION_GROUPS) + [g for g in present if g not in RECONSTRUCTION_GROUPS]
    out = {}
    for name in PREDICTORS:
        row: dict = {}
        hits = M.topk_hits(rankings[name], kinds, 1)
        _record(row, "accuracy", hits, groups, n_samples, seed)
        for group in report_groups:
            sel = np.array([it.group == group for it in items])
            values = hits.copy()
            values[~sel] = np.nan
            _record(row, f"accuracy_{group}", values, groups, n_samples, seed)
        out[name] = row
    return out, {"baselines": fitted, "groups": report_groups}


# -------------------------------------------------------------------------------------------- entry
def evaluate_downstream(
    model_dir: str | os.PathLike,
    corpus: str | os.PathLike | None = None,
    labels: str | os.PathLike | LabelTable | None = None,
    *,
    label_column: str = "scenario",
    site_column: str = "site",
    held_out: str | None = None,
    split: str = "validation",
    formats: tuple[str, ...] | None = DEFAULT_FORMATS,
    tasks: tuple[str, ...] = TASKS,
    max_length: int | None = None,
    max_items_per_session: int | None = 32,
    max_events_per_group: int | None = 4,
    input_runs: str = "first",
    strip_annotation_tags: tuple[str, ...] | None = ANNOTATION_TAGS,
    batch_size: int = 32,
    embedding_options: dict | None = None,
    bootstrap_samples: int = M.BOOTSTRAP_SAMPLES,
    seed: int = 0,
    salt: str = SPLIT_SALT,
) -> dict:
    """Run the downstream benchmark on a saved model folder.

    Args:
        model_dir: a folder from ``rrweb-hf pretrain`` / ``run-all`` (masked-LM weights and tokenizer).
        corpus: the recordings (default: the bundled corpus).
        labels: a labels file (CSV, JSONL, MANIFEST.json) or a loaded :class:`LabelTable`
            (default: ``CORPUS/MANIFEST.json``).
        label_column: the label of retrieval and probe (``scenario``).
        site_column: the column naming the application (for ``held_out``).
        held_out: leave this site out (the model should have been pretrained without it; see
            :func:`~rrweb_hf.benchmark.splits.rotation_corpus`); None: within-site split by session.
        split: ``validation`` (choose settings here), ``test`` (read once) or ``all``.
        formats: manifest ``format`` values evaluated (absent counts as ``rrweb``; None: all).
        tasks: a subset of :data:`TASKS`.
        max_length: model window (default: ``max_position_embeddings``, at most the tokenizer's limit).
        max_items_per_session: next-interaction items per session, spread evenly (None: all); counted.
        max_events_per_group: reconstruction events per session and event group (None: all); counted.
        input_runs: next interaction scores the ``"first"`` Input event of a run of keystrokes on one target
            (default: the repeats are counted apart) or ``"every"`` one.
        strip_annotation_tags: Custom-event tags removed from every session before anything is measured
            (the recorder's annotations name the scenario; see :mod:`.annotations`); None keeps them.
        batch_size: windows per forward pass.
        embedding_options: extra keyword arguments of :func:`rrweb_hf.embeddings.embed_sessions`.
        bootstrap_samples: resamples of every interval (0: no intervals).
        seed: seed of the random-weights model, the folds and the bootstrap.
        salt: the split hash's salt.

    Returns:
        ``{"tasks": {task: {predictor: {metric: value, "n": {metric: n}, "ci": {metric: [lo, hi]}}}},
        "split": ..., "data": ..., "settings": ..., "task_info": ...}``.

    Raises:
        LabelsError: a bad labels file, an unknown label column, or no labelled session in the corpus.
        ValueError: an unknown task or site.
    """
    import torch
    import transformers
    from transformers import AutoModelForMaskedLM

    from .. import sample_corpus
    from ..modeling import build_model, load_tokenizer

    seconds: dict[str, float] = {}
    clock = time.monotonic()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.monotonic()
        seconds[stage] = round(now - clock, 1)
        logger.info("benchmark: %s took %.1f s", stage, now - clock)
        clock = now

    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task(s) {unknown}; choose from {', '.join(TASKS)}")
    corpus = Path(corpus) if corpus is not None else sample_corpus()
    if not Path(model_dir, "config.json").is_file():
        raise FileNotFoundError(
            f"{model_dir} is not a model folder (no config.json); train one with rrweb-hf pretrain"
        )
    if labels is None:
        labels = (corpus if corpus.is_dir() else corpus.parent) / "MANIFEST.json"
    table = labels if isinstance(labels, LabelTable) else load_labels(labels, formats=formats)
    table.require(label_column)

    # Which rows are usable: labelled, and present in the corpus.
    present = _corpus_index(corpus)
    unlabelled = [r["path"] for r in table.rows if r.get(label_column) in (None, "")]
    missing = [r["path"] for r in table.rows if r["path"] not in present]
    usable = LabelTable(
        table.source, table.columns, [r for r in table.rows if r["path"] in present], table.excluded_formats
    )
    if not usable.rows:
        raise LabelsError(
            f"none of the {len(table.rows)} paths of {table.source} is a recording in {corpus} "
            f"(e.g. {missing[:3]}); paths are relative to the corpus folder"
        )
    chosen = select_split(
        usable, label_column=label_column, site_column=site_column, held_out=held_out, split=split, salt=salt
    )
    if not chosen.eval_paths:
        raise LabelsError(f"split {chosen.name} has no labelled session in {corpus}")
    label_of = {r["path"]: str(r[label_column]) for r in usable.rows if r.get(label_column) not in (None, "")}

    root = corpus if corpus.is_dir() else corpus.parent
    eval_pairs, eval_skipped = _read(root, chosen.eval_paths)
    needs_train = any(t in tasks for t in ("next_interaction", "reconstruction"))
    train_pairs, train_skipped = _read(root, chosen.train_paths) if needs_train else ([], [])
    if len(eval_pairs) < 2:
        raise LabelsError(
            f"split {chosen.name} has {len(eval_pairs)} readable session(s); the benchmark needs at least 2"
        )
    annotations = {"eval": 0, "train": 0}
    if strip_annotation_tags:
        eval_pairs = _stripped(eval_pairs, strip_annotation_tags, annotations, "eval")
        train_pairs = _stripped(train_pairs, strip_annotation_tags, annotations, "train")
    sessions = [s for _, s in eval_pairs]
    y = [label_of[p] for p, _ in eval_pairs]
    groups = np.array([s.session_id for s in sessions])

    tokenizer = load_tokenizer(model_dir)
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        model, loading = AutoModelForMaskedLM.from_pretrained(str(model_dir), output_loading_info=True)
    finally:
        transformers.logging.set_verbosity(verbosity)
    # A folder without the masked-LM head (an encoder saved alone) gets a fresh head: say so.
    missing_head = sorted(k for k in loading.get("missing_keys", ()) if not k.startswith("bert."))
    if missing_head:
        logger.warning(
            "%s has no masked-LM head weights (%s ...): the token tasks use a randomly initialised head",
            model_dir,
            ", ".join(missing_head[:3]),
        )
    random_init = build_model(model.config, seed=seed)
    models = {"model": model.eval(), "random_init": random_init.eval()}
    vocab_size = model.config.vocab_size
    limit = min(model.config.max_position_embeddings, tokenizer.model_max_length or 10**9)
    max_length = min(max_length or limit, limit)
    roles = TokenRoles.from_vocab(tokenizer.get_vocab(), getattr(tokenizer, "text_id_offset", None))

    encoded = [tokenizer.encode_session(s.events) for s in sessions]
    result: dict = {"tasks": {}, "task_info": {}}
    lap("reading, loading and encoding")
    torch.manual_seed(seed)

    if "retrieval" in tasks or "probe" in tasks:
        from ..embeddings import embed_sessions

        options = dict(embedding_options or {})
        pooling = _folder_pooling(model_dir)
        if pooling is not None:  # the model's own pooling, for random_init too: the same read-out for both
            options.setdefault("pooling", pooling)
        options.setdefault("max_length", max_length)
        options.setdefault("batch_size", batch_size)
        emb = {
            name: embed_sessions(m, sessions, tokenizer=tokenizer, **options) for name, m in models.items()
        }
        bag = tfidf_matrix([ids for ids, _ in encoded], [ids for ids, _ in encoded], vocab_size)
        if "retrieval" in tasks:
            sims = {name: v @ v.T for name, v in emb.items()}
            sims["bag_of_tokens"] = (bag @ bag.T).toarray()
            sims["majority"] = M.label_prior_similarity(y)
            result["tasks"]["retrieval"] = _retrieval(sims, y, groups, bootstrap_samples, seed)
            result["task_info"]["retrieval"] = {
                "queries": len(y),
                "queries_without_positive": int(
                    np.sum(np.isnan(M.retrieval_per_query(sims["majority"], y)["hit1"]))
                ),
                "label": label_column,
            }
        if "probe" in tasks:
            # Every probe standardises its features (TF-IDF scaled, not centred): one rule for all inputs.
            feats = {
                "model": (emb["model"], True),
                "random_init": (emb["random_init"], True),
                "bag_of_tokens": (bag, True),
                "majority": (None, False),
            }
            result["tasks"]["probe"], info = _probe(feats, y, groups, bootstrap_samples, seed)
            result["task_info"]["probe"] = {**info, "label": label_column}

    text = np.zeros(vocab_size, dtype=bool)
    offset = getattr(tokenizer, "text_id_offset", None)
    if offset is not None:
        text[int(offset) :] = True
    vocab = tokenizer.get_vocab()
    label_like = text.copy()
    for token, tid in vocab.items():
        if token.startswith(("[PII:", "[MASKED:")) and tid < vocab_size:
            label_like[tid] = True
    masks = {
        "target_heads": _id_mask(roles.target_heads, vocab_size),
        "labels": label_like,
        "kinds": _id_mask(roles.kinds, vocab_size),
    }
    train_encoded = [tokenizer.encode_session(s.events) for _, s in train_pairs] if needs_train else []

    lap("embeddings, retrieval and probe")
    if "next_interaction" in tasks:
        context = max_length - 2 - TARGET_MASKS
        items, train_items, counts = _collect(
            next_interaction_items,
            encoded,
            train_encoded,
            roles,
            context,
            max_items_per_session,
            input_runs=input_runs,
        )
        if items:
            result["tasks"]["next_interaction"], info = _next_interaction(
                models, roles, vocab_size, train_items, items, masks, batch_size, bootstrap_samples, seed
            )
        else:
            info = {"note": "no click or input event with a target in the evaluated sessions"}
        result["task_info"]["next_interaction"] = {
            **info,
            **counts,
            "max_items_per_session": max_items_per_session,
            "input_runs": input_runs,
            "context_tokens": context,
        }
    lap("next interaction")
    if "reconstruction" in tasks:
        context = max_length - 2 - EVENT_MASKS
        items, train_items, counts = _collect(
            reconstruction_items, encoded, train_encoded, roles, context, max_events_per_group
        )
        result["tasks"]["reconstruction"], info = _reconstruction(
            models, roles, vocab_size, train_items, items, masks, batch_size, bootstrap_samples, seed
        )
        result["task_info"]["reconstruction"] = {
            **info,
            **counts,
            "max_events_per_group": max_events_per_group,
            "context_tokens": context,
        }

    lap("reconstruction")
    result["seconds"] = seconds
    result["split"] = {**chosen.info(), "eval_sessions": len(sessions), "train_sessions": len(train_pairs)}
    result["data"] = {
        "corpus": str(corpus),
        "labels": table.source,
        "label_column": label_column,
        "label_rows": len(table.rows),
        "formats": list(formats) if formats is not None else None,
        "excluded_formats": table.excluded_formats,
        "unlabelled": len(unlabelled),
        "missing_paths": len(missing),
        "missing_examples": missing[:5],
        "unreadable": [list(x) for x in eval_skipped + train_skipped],
        "annotation_tags_removed": list(strip_annotation_tags or ()),
        "annotation_events_removed": annotations,
        "classes": {c: y.count(c) for c in sorted(set(y))},
    }
    result["settings"] = {
        "model_dir": str(model_dir),
        "max_length": max_length,
        "bootstrap_samples": bootstrap_samples,
        "seed": seed,
        "embedding_options": dict(embedding_options or {}),
        "pooling": (embedding_options or {}).get("pooling") or _folder_pooling(model_dir) or "mean",
        "mlm_head_missing": missing_head,
        "interval": "95% percentile bootstrap over sessions",
    }
    return result


def _folder_pooling(model_dir) -> str | None:
    """The pooling the contrastive stage recorded in the folder (``rrweb_hf.contrastive``), None without it."""
    try:
        from ..contrastive import read_pooling
    except ImportError:  # a checkout without the contrastive stage: embed_sessions pools by mean
        return None
    return read_pooling(model_dir)


def _stripped(pairs, tags, counts: dict, key: str) -> list:
    """``(path, session)`` pairs with the annotation events removed; ``counts[key]`` gets the removed count."""
    import dataclasses

    out = []
    for path, session in pairs:
        events, removed = strip_annotations(session.events, tags)
        counts[key] += removed
        out.append((path, dataclasses.replace(session, events=events) if removed else session))
    return out


def _id_mask(ids, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[[i for i in ids if i < size]] = True
    return mask


def _collect(builder, encoded, train_encoded, roles, context: int, cap, **options):
    """Items of the evaluated sessions and of the training sessions, with the counts of both."""
    items, train_items = [], []
    totals = {"eval": {}, "train": {}}
    for name, source, target in (("eval", encoded, items), ("train", train_encoded, train_items)):
        for index, (ids, eids) in enumerate(source):
            got, counts = builder(ids, eids, roles, index, context, cap, **options)
            target.extend(got)
            for key, value in counts.items():
                if isinstance(value, dict):
                    bucket = totals[name].setdefault(key, {})
                    for k, v in value.items():
                        bucket[k] = bucket.get(k, 0) + v
                else:
                    totals[name][key] = totals[name].get(key, 0) + value
        totals[name]["items"] = len(target)
    return items, train_items, totals
