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

The run is a chain of stages (inputs and split, sessions, models, embedding tasks, token tasks, the
result's blocks), each timed; the scoring of the tasks is :mod:`.scoring`.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import metrics as M
from .annotations import ANNOTATION_TAGS, strip_annotations
from .items import EVENT_MASKS, TARGET_MASKS, TokenRoles, next_interaction_items, reconstruction_items
from .labels import DEFAULT_FORMATS, LabelsError, LabelTable, load_labels
from .predictors import tfidf_matrix
from .scoring import TokenScoring, score_next_interaction, score_probe, score_reconstruction, score_retrieval
from .splits import SPLIT_SALT, BenchmarkSplit, leave_one_site_out, within_site_split

logger = logging.getLogger(__name__)

TASKS = ("retrieval", "probe", "next_interaction", "reconstruction")


# ---------------------------------------------------------------------------------------------- data
def _corpus_index(corpus: Path) -> set[str]:
    from ..corpus import corpus_paths

    root = corpus if corpus.is_dir() else corpus.parent
    return {Path(p).relative_to(root).as_posix() for p in corpus_paths(corpus)}


def _read(corpus: Path, paths: list[str]) -> tuple[list, list[tuple[str, str]]]:
    """``(path, session)`` pairs of the files and the files skipped with their reasons."""
    from ..corpus import CorpusWalk

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


# ------------------------------------------------------------------------------------------ stages
class _Clock:
    """Seconds per stage of one run, each logged as it ends."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._start = time.monotonic()

    def lap(self, stage: str) -> None:
        now = time.monotonic()
        self.seconds[stage] = round(now - self._start, 1)
        logger.info("benchmark: %s took %.1f s", stage, now - self._start)
        self._start = now


@dataclass(frozen=True)
class _Inputs:
    """The labels and the split: which files are evaluated, which fit the baselines, and their labels.

    Attributes:
        corpus: the corpus (file or folder).
        table: the labels as read (its rows before the corpus is checked).
        chosen: the split of the labelled rows present in the corpus.
        label_of: path -> label of every usable labelled row.
        unlabelled: paths of the rows without a label.
        missing: paths of the rows that are not a recording of the corpus.
    """

    corpus: Path
    table: LabelTable
    chosen: BenchmarkSplit
    label_of: dict[str, str]
    unlabelled: list[str]
    missing: list[str]


def _resolve_inputs(
    model_dir, corpus, labels, tasks, *, label_column, site_column, held_out, split, formats, salt
) -> _Inputs:
    """Check the arguments, read the labels and choose the split (the errors of ``evaluate_downstream``)."""
    from .. import sample_corpus

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
    return _Inputs(corpus, table, chosen, label_of, unlabelled, missing)


@dataclass(frozen=True)
class _Sessions:
    """The split's sessions as read, annotations removed.

    Attributes:
        sessions: the evaluated sessions.
        labels: the label of each evaluated session.
        groups: the ``session_id`` of each (the bootstrap's unit).
        train_pairs: ``(path, session)`` of the training sessions (read only for the token tasks).
        skipped: ``(path, reason)`` of the files that could not be read, evaluated then training.
        annotations_removed: annotation events removed, ``{"eval": n, "train": n}``.
    """

    sessions: list
    labels: list[str]
    groups: np.ndarray
    train_pairs: list
    skipped: list
    annotations_removed: dict


def _read_sessions(inputs: _Inputs, needs_train: bool, strip_annotation_tags) -> _Sessions:
    """Read the evaluated (and, when ``needs_train``, the training) files and strip their annotations."""
    chosen = inputs.chosen
    root = inputs.corpus if inputs.corpus.is_dir() else inputs.corpus.parent
    eval_pairs, eval_skipped = _read(root, chosen.eval_paths)
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
    return _Sessions(
        sessions=sessions,
        labels=[inputs.label_of[p] for p, _ in eval_pairs],
        groups=np.array([s.session_id for s in sessions]),
        train_pairs=train_pairs,
        skipped=eval_skipped + train_skipped,
        annotations_removed=annotations,
    )


@dataclass(frozen=True)
class _Models:
    """The model, its random-weights twin and the tokenizer.

    Attributes:
        tokenizer: the folder's tokenizer.
        models: ``{"model": ..., "random_init": ...}``, both in eval mode.
        vocab_size: the model's vocabulary size.
        max_length: the window used (the asked one, at most the model's and tokenizer's limit).
        roles: the tokenizer's token roles.
        missing_head: the masked-LM head weights the folder lacks (randomly initialised).
    """

    tokenizer: object
    models: dict
    vocab_size: int
    max_length: int
    roles: TokenRoles
    missing_head: list[str]


def _load_models(model_dir, max_length: int | None, seed: int) -> _Models:
    """Load the folder's masked-LM and tokenizer and build the same config with random weights."""
    import transformers
    from transformers import AutoModelForMaskedLM

    from ..modeling import build_model, load_tokenizer

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
    limit = min(model.config.max_position_embeddings, tokenizer.model_max_length or 10**9)
    return _Models(
        tokenizer=tokenizer,
        models={"model": model.eval(), "random_init": random_init.eval()},
        vocab_size=model.config.vocab_size,
        max_length=min(max_length or limit, limit),
        roles=TokenRoles.from_vocab(tokenizer.get_vocab(), getattr(tokenizer, "text_id_offset", None)),
        missing_head=missing_head,
    )


def _embedding_tasks(
    result: dict,
    tasks,
    loaded: _Models,
    data: _Sessions,
    encoded,
    *,
    model_dir,
    options: dict | None,
    label_column: str,
    batch_size: int,
    n_samples: int,
    seed: int,
) -> None:
    """Retrieval and probe on session embeddings of both models and TF-IDF, into ``result``."""
    from ..embeddings import embed_sessions

    y, groups = data.labels, data.groups
    options = dict(options or {})
    pooling = _folder_pooling(model_dir)
    if pooling is not None:  # the model's own pooling, for random_init too: the same read-out for both
        options.setdefault("pooling", pooling)
    options.setdefault("max_length", loaded.max_length)
    options.setdefault("batch_size", batch_size)
    emb = {
        name: embed_sessions(m, data.sessions, tokenizer=loaded.tokenizer, **options)
        for name, m in loaded.models.items()
    }
    bag = tfidf_matrix([ids for ids, _ in encoded], [ids for ids, _ in encoded], loaded.vocab_size)
    if "retrieval" in tasks:
        sims = {name: v @ v.T for name, v in emb.items()}
        sims["bag_of_tokens"] = (bag @ bag.T).toarray()
        sims["majority"] = M.label_prior_similarity(y)
        result["tasks"]["retrieval"] = score_retrieval(sims, y, groups, n_samples, seed)
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
        result["tasks"]["probe"], info = score_probe(feats, y, groups, n_samples, seed)
        result["task_info"]["probe"] = {**info, "label": label_column}


def _slot_masks(loaded: _Models) -> dict[str, np.ndarray]:
    """The ids allowed at each scored slot: target heads, labels (text, PII and masked values), kinds."""
    vocab_size, tokenizer = loaded.vocab_size, loaded.tokenizer
    text = np.zeros(vocab_size, dtype=bool)
    offset = getattr(tokenizer, "text_id_offset", None)
    if offset is not None:
        text[int(offset) :] = True
    label_like = text.copy()
    for token, tid in tokenizer.get_vocab().items():
        if token.startswith(("[PII:", "[MASKED:")) and tid < vocab_size:
            label_like[tid] = True
    return {
        "target_heads": _id_mask(loaded.roles.target_heads, vocab_size),
        "labels": label_like,
        "kinds": _id_mask(loaded.roles.kinds, vocab_size),
    }


def _next_interaction_task(scoring: TokenScoring, encoded, train_encoded, max_length, cap, input_runs):
    """``(rows or None, task_info)`` of next interaction: its items, then their scores."""
    context = max_length - 2 - TARGET_MASKS
    items, train_items, counts = _collect(
        next_interaction_items, encoded, train_encoded, scoring.roles, context, cap, input_runs=input_runs
    )
    rows = None
    if items:
        rows, info = score_next_interaction(scoring, train_items, items)
    else:
        info = {"note": "no click or input event with a target in the evaluated sessions"}
    info = {
        **info,
        **counts,
        "max_items_per_session": cap,
        "input_runs": input_runs,
        "context_tokens": context,
    }
    return rows, info


def _reconstruction_task(scoring: TokenScoring, encoded, train_encoded, max_length, cap):
    """``(rows, task_info)`` of reconstruction: its items, then their scores."""
    context = max_length - 2 - EVENT_MASKS
    items, train_items, counts = _collect(
        reconstruction_items, encoded, train_encoded, scoring.roles, context, cap
    )
    rows, info = score_reconstruction(scoring, train_items, items)
    return rows, {**info, **counts, "max_events_per_group": cap, "context_tokens": context}


def _data_info(inputs: _Inputs, data: _Sessions, formats, strip_annotation_tags, label_column) -> dict:
    """The ``data`` block of the result: what was read, left out and removed."""
    y = data.labels
    return {
        "corpus": str(inputs.corpus),
        "labels": inputs.table.source,
        "label_column": label_column,
        "label_rows": len(inputs.table.rows),
        "formats": list(formats) if formats is not None else None,
        "excluded_formats": inputs.table.excluded_formats,
        "unlabelled": len(inputs.unlabelled),
        "missing_paths": len(inputs.missing),
        "missing_examples": inputs.missing[:5],
        "unreadable": [list(x) for x in data.skipped],
        "annotation_tags_removed": list(strip_annotation_tags or ()),
        "annotation_events_removed": data.annotations_removed,
        "classes": {c: y.count(c) for c in sorted(set(y))},
    }


def _settings_info(model_dir, loaded: _Models, embedding_options, bootstrap_samples, seed) -> dict:
    """The ``settings`` block of the result."""
    return {
        "model_dir": str(model_dir),
        "max_length": loaded.max_length,
        "bootstrap_samples": bootstrap_samples,
        "seed": seed,
        "embedding_options": dict(embedding_options or {}),
        "pooling": (embedding_options or {}).get("pooling") or _folder_pooling(model_dir) or "mean",
        "mlm_head_missing": loaded.missing_head,
        "interval": "95% percentile bootstrap over sessions",
    }


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

    clock = _Clock()
    inputs = _resolve_inputs(
        model_dir,
        corpus,
        labels,
        tasks,
        label_column=label_column,
        site_column=site_column,
        held_out=held_out,
        split=split,
        formats=formats,
        salt=salt,
    )
    needs_train = any(t in tasks for t in ("next_interaction", "reconstruction"))
    data = _read_sessions(inputs, needs_train, strip_annotation_tags)
    loaded = _load_models(model_dir, max_length, seed)
    encoded = [loaded.tokenizer.encode_session(s.events) for s in data.sessions]
    result: dict = {"tasks": {}, "task_info": {}}
    clock.lap("reading, loading and encoding")
    torch.manual_seed(seed)

    if "retrieval" in tasks or "probe" in tasks:
        _embedding_tasks(
            result,
            tasks,
            loaded,
            data,
            encoded,
            model_dir=model_dir,
            options=embedding_options,
            label_column=label_column,
            batch_size=batch_size,
            n_samples=bootstrap_samples,
            seed=seed,
        )
    masks = _slot_masks(loaded)
    scoring = TokenScoring(
        loaded.models, loaded.roles, loaded.vocab_size, masks, batch_size, bootstrap_samples, seed
    )
    train_encoded = (
        [loaded.tokenizer.encode_session(s.events) for _, s in data.train_pairs] if needs_train else []
    )
    clock.lap("embeddings, retrieval and probe")
    if "next_interaction" in tasks:
        rows, result["task_info"]["next_interaction"] = _next_interaction_task(
            scoring, encoded, train_encoded, loaded.max_length, max_items_per_session, input_runs
        )
        if rows is not None:
            result["tasks"]["next_interaction"] = rows
    clock.lap("next interaction")
    if "reconstruction" in tasks:
        result["tasks"]["reconstruction"], result["task_info"]["reconstruction"] = _reconstruction_task(
            scoring, encoded, train_encoded, loaded.max_length, max_events_per_group
        )
    clock.lap("reconstruction")
    result["seconds"] = clock.seconds
    result["split"] = {
        **inputs.chosen.info(),
        "eval_sessions": len(data.sessions),
        "train_sessions": len(data.train_pairs),
    }
    result["data"] = _data_info(inputs, data, formats, strip_annotation_tags, label_column)
    result["settings"] = _settings_info(model_dir, loaded, embedding_options, bootstrap_samples, seed)
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
