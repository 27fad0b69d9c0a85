"""Tokenized training windows and a self-describing Parquet export.

:func:`prepare_windows` turns a corpus into rows of ``input_ids`` / ``attention_mask`` /
``special_tokens_mask`` (optionally ``event_ids``) with ``Dataset.map(batched=True, num_proc=N)``
over the session index of :func:`rrweb_hf.sessions.load_sessions` (``with_events=False``: ids,
paths, counts and bad-file reasons, cached by content); the map reads each file and tokenizes it, so
no Arrow copy of the recordings is made or memory-mapped and peak RSS does not grow with the corpus. Every session is cut into
ALL its overlapping windows (:func:`append_windows`: ``RRWebTokenizer.window_spans`` framed by
``RRWebTokenizer.frame_windows``, the tokenizer's own windows), so every token lies in some row; tokens
are dropped only when ``max_windows`` asks for it, and the report counts them.

Caching: the raw build is keyed on file sizes and mtimes; the map's fingerprint is set explicitly
from the raw dataset's fingerprint, a hash of every file in the tokenizer folder, the code of the
tokenizer and of this module, and the windowing settings. Unchanged input re-uses the cached
Arrow files; a changed file or tokenizer recomputes.

:func:`export_dataset` writes ``data/<split>-XXXXX-of-XXXXX.parquet`` shards, a ``README.md``
dataset card whose YAML header declares ``configs`` (data files per split) and ``dataset_info``
(features, splits), and the report as JSON. Stock ``datasets.load_dataset(folder)`` reads it
without ``rrweb_hf``; the folder can be uploaded as-is as a Hub dataset repo.

Example:
    >>> import json, pathlib, tempfile
    >>> from rrweb_hf.tokenization_rrweb import RRWebTokenizer
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> events = [{"type": 4, "data": {"href": "https://a.io/x", "width": 800, "height": 600}, "timestamp": 1}]
    >>> _ = (root / "a.json").write_text(json.dumps(events * 30))
    >>> tok = RRWebTokenizer()
    >>> result = prepare_windows(root, tok, max_length=32, stride=4, validation_fraction=0,
    ...                          cache_dir=tempfile.mkdtemp(), progress=False)
    >>> result.report["sessions"], result.report["windows"] > 1, result.report["tokens_dropped"]
    (1, True, 0)
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .corpus import corpus_root, read_or_skip
from .fingerprint import code_fingerprint
from .monitoring import Progress, peak_rss_mb
from .readers import DEFAULT_MAX_BYTES
from .sessions import SPLIT_SEED, load_sessions

logger = logging.getLogger(__name__)

REPORT_NAME = "prepare_report.json"
#: The dataset card's Jinja template (inside the package).
DATASET_CARD_TEMPLATE = Path(__file__).parent / "templates" / "dataset_card.md"
#: Report entries shown in the dataset card's statistics table, in order.
CARD_STATISTICS = (
    "sessions",
    "events",
    "windows",
    "tokens",
    "tokens_dropped",
    "skipped_files",
    "max_length",
    "stride",
)
#: Columns of a window row (``event_ids`` only with ``with_event_ids=True``; -1 on [CLS]/[SEP]).
WINDOW_FEATURES = datasets.Features(
    {
        "session_id": datasets.Value("string"),
        "window_index": datasets.Value("int32"),
        "input_ids": datasets.List(datasets.Value("int32")),
        "attention_mask": datasets.List(datasets.Value("int8")),
        "special_tokens_mask": datasets.List(datasets.Value("int8")),
        "session_tokens": datasets.Value("int64"),
        "session_tokens_dropped": datasets.Value("int64"),
    }
)


def window_features(with_event_ids: bool = False) -> datasets.Features:
    """:data:`WINDOW_FEATURES`, plus ``event_ids`` (``List(int32)``) when asked."""
    features = WINDOW_FEATURES.copy()
    if with_event_ids:
        features["event_ids"] = datasets.List(datasets.Value("int32"))
    return features


@dataclass
class PrepareResult:
    """What :func:`prepare_windows` returns.

    Attributes:
        dataset: the windows, one :class:`~datasets.Dataset` per split.
        report: sessions, windows, tokens, tokens dropped, skipped files, timings (see
            :func:`prepare_windows`).
        raw: the session index (no events) the windows came from, with bad-file rows.
    """

    dataset: datasets.DatasetDict
    report: dict
    raw: datasets.DatasetDict = field(repr=False, default=None)


def _hash_folder(folder: Path) -> str:
    digest = hashlib.sha1()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha1(path.read_bytes()).digest())
    return digest.hexdigest()


def tokenizer_fingerprint(tokenizer) -> str:
    """A content hash of a tokenizer: its saved files plus the code that encodes with it.

    Args:
        tokenizer: an ``RRWebTokenizer`` (or any tokenizer with ``save_pretrained``).

    Returns:
        Hex SHA-1; equal for tokenizers that produce the same ids, different after retraining,
        an option change or a change of any module this one imports, directly or not (the
        reader, JSON parsing, the walker, the tokenizer: see :func:`rrweb_hf.fingerprint.module_closure`).
    """
    import tempfile

    digest = hashlib.sha1()
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer.save_pretrained(tmp)
        digest.update(_hash_folder(Path(tmp)).encode())
    digest.update(code_fingerprint(__name__).encode())  # every module on the read -> tokenize path
    return digest.hexdigest()


def load_tokenizer(path: str | os.PathLike):
    """Load a saved ``RRWebTokenizer`` folder.

    Raises:
        FileNotFoundError: ``path`` is not a folder with a ``tokenizer_config.json``.
    """
    path = Path(path)
    if not (path / "tokenizer_config.json").is_file():
        raise FileNotFoundError(
            f"tokenizer not found: {path} has no tokenizer_config.json; pass the folder written by "
            "`rrweb-hf train-tokenizer` or RRWebTokenizer.save_pretrained()"
        )
    from .tokenization_rrweb import RRWebTokenizer

    return RRWebTokenizer.from_pretrained(str(path))


class _Reporter:
    """Per-session progress and skips from map workers to the main process (a queue, or in-process).

    ``skipped`` collects ``(path, reason)`` of sessions dropped while windowing (a file that changed
    since the index was built), for the report's ``skipped`` list.
    """

    def __init__(self, sink):
        self.sink = sink
        self.skipped: list[tuple[str, str]] = []

    def put(self, counts: dict) -> None:
        if isinstance(self.sink, Progress):
            self.sink.update(**counts)
        else:
            self.sink.put(counts)

    def skip(self, path: str, reason: str) -> None:
        if isinstance(self.sink, Progress):
            self.skipped.append((path, reason))
        else:
            self.sink.put({"skip": (path, reason)})


def session_groups(num_events, budget: int) -> tuple[list[int], list[int]]:
    """Cut a split's sessions (in order) into contiguous groups of about ``budget`` events.

    One group is one ``Dataset.map`` call, hence one Arrow record batch (or a few, for groups of
    more than 1,000 windows). Grouping by events instead of a fixed number of sessions keeps the
    record batches proportional to the data, not to the number of files: reading an Arrow file
    costs a few KB of memory per record batch, so thousands of tiny batches would make memory grow
    with the file count. A group closes once it holds ``budget`` events, so it never exceeds
    ``budget`` plus one session.

    Args:
        num_events: events per session, in row order.
        budget: events per group (at least 1).

    Returns:
        ``(starts, stops)``: the row range ``[start, stop)`` of each group.

    Example:
        >>> session_groups([3, 1, 1, 5, 9, 2], budget=4)  # 3+1 | 1+5 | 9 | 2 (the rest)
        ([0, 2, 4, 5], [2, 4, 5, 6])
    """
    cumulative = np.cumsum(np.asarray(num_events, dtype=np.int64))
    starts, stops = [], []
    start, base = 0, 0
    n = len(cumulative)
    while start < n:
        # first row at which the group [start, row] reaches the budget
        row = int(np.searchsorted(cumulative, base + max(1, budget), side="left"))
        stop = min(n, max(row, start) + 1)
        starts.append(start)
        stops.append(stop)
        base = int(cumulative[stop - 1])
        start = stop
    return starts, stops


def _window_table(columns: dict[str, list], features: datasets.Features) -> pa.Table:
    arrays = []
    for name, feature in features.items():
        parts = columns[name]
        if isinstance(feature, datasets.List):
            values = np.concatenate(parts) if parts else np.zeros(0, dtype=feature.feature.dtype)
            lengths = np.fromiter((len(p) for p in parts), dtype=np.int32, count=len(parts))
            offsets = np.zeros(len(parts) + 1, dtype=np.int32)
            np.cumsum(lengths, out=offsets[1:])
            arrays.append(pa.ListArray.from_arrays(offsets, values))
        else:
            arrays.append(pa.array(parts, type=feature.pa_type))
    return pa.Table.from_arrays(arrays, schema=features.arrow_schema)


def _window_groups(
    start,
    stop,
    *,
    index,
    root,
    max_bytes,
    tokenizer,
    max_length,
    stride,
    with_event_ids,
    max_windows,
    reporter,
):
    # The index has no events: each file is read again here, so no copy of the recordings is
    # memory-mapped (a mapped Arrow copy of the corpus would show up as RSS growing with the corpus).
    # Windows are built as numpy slices of the session's ids (4 + 1 + 1 bytes a token) and returned
    # as one Arrow table per group.
    features = window_features(with_event_ids)
    out: dict[str, list] = {name: [] for name in features}
    for first, last in zip(start.to_pylist(), stop.to_pylist(), strict=True):
        rows = index.data.slice(first, last - first)
        columns = (rows.column(name).to_pylist() for name in ("session_id", "path", "error"))
        files: dict[str, dict] = {}  # path -> {session_id: events}, for files holding several sessions
        for sid, rel, reason in zip(*columns, strict=True):
            if reason is None:
                if rel not in files:
                    result, problem = read_or_skip(Path(root) / rel, root=root, max_bytes=max_bytes, name=rel)
                    sessions = result.sessions if result is not None else []
                    files = {rel: {session.session_id: session.events for session in sessions}}
                session_events = files[rel].pop(sid, None)
                if session_events is None:  # the file changed since the index was built: reported
                    reason = f"changed since the index was built: {problem or f'session {sid} is gone'}"
                    if reporter is not None:
                        reporter.skip(rel if problem else f"{rel}#{sid}", reason)
            if reason is not None:  # a bad file: no rows, no invented tokens
                if reporter is not None:
                    reporter.put({"files": 1, "skipped": 1})
                continue
            n_events = len(session_events)
            ids, event_ids = tokenizer.encode_session(session_events)
            del session_events
            counts = append_windows(
                out,
                sid,
                ids,
                event_ids,
                tokenizer=tokenizer,
                max_length=max_length,
                stride=stride,
                with_event_ids=with_event_ids,
                max_windows=max_windows,
            )
            if reporter is not None:
                reporter.put({"files": 1, "sessions": 1, "events": n_events, **counts})
    return _window_table(out, features)


def window_token_share(tables, tokenizer) -> dict[str, float]:
    """Share of window tokens per event kind over Arrow tables of windows with ``input_ids`` and
    ``event_ids`` (overlaps counted in each window); both prepare engines report it."""
    from collections import Counter

    from .stats import kind_token_counts, token_share

    counts: Counter = Counter()
    for table in tables:
        for batch in table.select(["input_ids", "event_ids"]).to_batches(max_chunksize=4096):
            ids, events = batch.column(0), batch.column(1)
            offsets = ids.offsets.to_numpy()
            counts.update(
                kind_token_counts(
                    ids.values.to_numpy(),
                    events.values.to_numpy(),
                    starts=offsets[:-1][offsets[:-1] < offsets[-1]],
                )
            )
    return token_share(counts, tokenizer)


def append_windows(
    out: dict[str, list],
    session_id: str,
    ids: list[int],
    event_ids: list[int],
    *,
    tokenizer,
    max_length: int,
    stride: int,
    with_event_ids: bool,
    max_windows: int | None,
) -> dict:
    """Append the window rows of one encoded session to ``out`` (column name -> list of values).

    The rows of both engines (:func:`prepare_windows` and :func:`rrweb_hf.prepare_ray.prepare_with_ray`)
    and of the streaming dataset (:func:`rrweb_hf.streaming.session_windows`): the spans of
    ``tokenizer.window_spans`` that hold tokens, at most ``max_windows`` of them, framed by
    ``tokenizer.frame_windows`` (the one windowing code).

    Args:
        out: columns of :func:`window_features`, appended to in place.
        session_id: the session's id.
        ids, event_ids: ``tokenizer.encode_session(events)``.

    Returns:
        ``{"tokens", "windows", "truncated_tokens"}`` of this session.

    Example:
        >>> from rrweb_hf.tokenization_rrweb import RRWebTokenizer
        >>> tok = RRWebTokenizer()
        >>> out = {name: [] for name in window_features()}
        >>> append_windows(out, "s", list(range(10, 20)), [0] * 10, tokenizer=tok, max_length=7,
        ...                stride=2, with_event_ids=False, max_windows=None)
        {'tokens': 10, 'windows': 3, 'truncated_tokens': 0}
        >>> out["window_index"], out["input_ids"][0].tolist()[1:-1]
        ([0, 1, 2], [10, 11, 12, 13, 14])
    """
    n = len(ids)
    # a session without tokens gives no row (the tokenizer's own __call__ gives it [CLS] [SEP])
    spans = [(a, b) for a, b in tokenizer.window_spans(event_ids, max_length, stride) if a < b]
    spans = spans[:max_windows]
    dropped = n - (spans[-1][1] if spans else 0)
    rows = tokenizer.frame_windows(ids, event_ids if with_event_ids else None, spans, as_arrays=True)
    for name, values in rows.items():
        out[name].extend(values)
    out["session_id"].extend([session_id] * len(spans))
    out["window_index"].extend(range(len(spans)))
    out["session_tokens"].extend([n] * len(spans))
    out["session_tokens_dropped"].extend([dropped] * len(spans))
    return {"tokens": n, "windows": len(spans), "truncated_tokens": dropped}


def _split_report(windows: datasets.Dataset, raw: datasets.Dataset) -> dict:
    table = windows.data.table if hasattr(windows.data, "table") else windows.data
    first = pc.equal(table.column("window_index"), 0)
    lengths = pc.list_value_length(table.column("input_ids"))
    raw_table = raw.data
    errors = raw_table.column("error")
    valid = pc.is_null(errors)
    events = pc.sum(pc.filter(raw_table.column("num_events"), valid)).as_py() if raw.num_rows else 0
    return {
        "sessions": int(pc.sum(first).as_py() or 0),
        "events": int(events or 0),
        "windows": windows.num_rows,
        "tokens": int(pc.sum(pc.filter(table.column("session_tokens"), first)).as_py() or 0),
        "tokens_dropped": int(pc.sum(pc.filter(table.column("session_tokens_dropped"), first)).as_py() or 0),
        "window_tokens": int(pc.sum(lengths).as_py() or 0),
    }


@dataclass
class PrepareConfig:
    """The settings of :func:`prepare_windows` (also the ``rrweb-hf prepare`` flags).

    Attributes:
        max_length: tokens per window including ``[CLS]`` and ``[SEP]``.
        stride: least overlap between consecutive windows of a session, in content tokens.
        num_proc: processes for ``Dataset.map`` (and the raw build).
        validation_fraction, test_fraction, split_seed: the session split, see
            :func:`rrweb_hf.sessions.split_of`.
        with_event_ids: add ``event_ids`` (source event index per token, -1 on specials).
        max_windows: keep at most this many windows per session; the rest of the session's tokens
            are counted in ``tokens_dropped``. None (default) keeps every token.
        strict: stop at the first bad file (:class:`~rrweb_hf.SessionReadError`).
        cache_dir: datasets cache folder (default ``HF_DATASETS_CACHE``).
        group_events: events per ``map`` call (see :func:`session_groups`): bounds the memory of
            one call to about this many events' windows plus one session.
        max_bytes: largest (decompressed) file accepted; larger ones are skipped as bad files.
        progress: tqdm bar per session (file) with events/s, tokens and skipped counts.

    Raises:
        ValueError: ``max_length``/``stride``/``max_windows`` that leave no room for content.
    """

    max_length: int = field(default=512, metadata={"help": "tokens per window incl. [CLS]/[SEP]"})
    stride: int = field(default=64, metadata={"help": "least overlap of consecutive windows"})
    num_proc: int | None = field(default=None, metadata={"help": "processes for Dataset.map"})
    validation_fraction: float = field(default=0.1, metadata={"help": "share of sessions in validation"})
    test_fraction: float = field(default=0.0, metadata={"help": "share of sessions in test"})
    split_seed: str = field(default=SPLIT_SEED, metadata={"help": "salt of the deterministic split"})
    with_event_ids: bool = field(
        default=False, metadata={"help": "add event_ids (source event per token)", "aliases": ["--event-ids"]}
    )
    max_windows: int | None = field(default=None, metadata={"help": "windows kept per session (default all)"})
    strict: bool = field(default=False, metadata={"help": "stop with an error at the first bad file"})
    cache_dir: str | None = field(
        default=None, metadata={"help": "datasets cache folder (HF_DATASETS_CACHE)"}
    )
    group_events: int = field(default=8192, metadata={"help": "events per map call (memory bound)"})
    max_bytes: int = field(
        default=DEFAULT_MAX_BYTES, metadata={"help": "largest (decompressed) file accepted"}
    )
    progress: bool = field(default=True, metadata={"help": "progress bar (--no-progress: none)"})

    def __post_init__(self):
        if self.max_length < 3:
            raise ValueError(
                f"max_length={self.max_length} leaves no room for content besides [CLS] and [SEP]; use >= 3"
            )
        if not 0 <= self.stride < self.max_length - 2:
            raise ValueError(
                f"stride={self.stride} must be >= 0 and below max_length - 2 = {self.max_length - 2}"
            )
        if self.max_windows is not None and self.max_windows < 1:
            raise ValueError(f"max_windows={self.max_windows} must be >= 1, or None to keep every window")
        if self.cache_dir is not None:
            self.cache_dir = os.fspath(self.cache_dir)

    @property
    def workers(self) -> int:
        return self.num_proc if self.num_proc and self.num_proc > 1 else 1


def prepare_windows(corpus: str | os.PathLike, tokenizer, *, wandb_run=None, **settings) -> PrepareResult:
    """Tokenize a corpus into overlapping windows, one row per window, with a report.

    Args:
        corpus: folder, file, glob or ``file://`` URL of session files (see :mod:`rrweb_hf.corpus`).
        tokenizer: an ``RRWebTokenizer`` (or a folder path to load one from).
        wandb_run: a run (see :func:`rrweb_hf.monitoring.init_wandb`) to log progress to.
        **settings: the fields of :class:`PrepareConfig` (``max_length``, ``stride``, ``num_proc``...),
            or ``config=PrepareConfig(...)``.

    Returns:
        A :class:`PrepareResult`. ``report`` holds ``sessions``, ``events``, ``windows``,
        ``tokens`` (content tokens), ``tokens_dropped``, ``window_tokens`` (with specials and
        overlaps), ``splits`` (the same per split), ``skipped`` (``[{"path", "reason"}]``),
        ``skipped_files``, ``cache_hit`` (the windows came from the cache), ``seconds`` and
        ``peak_rss_mb``.

    Raises:
        ValueError: ``max_length``/``stride`` that leave no room for content.
        SessionReadError: with ``strict=True``, the first bad file.
    """
    cfg = settings.pop("config", None) or PrepareConfig(**settings)
    if isinstance(tokenizer, (str, os.PathLike)):
        tokenizer = load_tokenizer(tokenizer)
    started = time.perf_counter()
    bars_were_enabled = datasets.is_progress_bar_enabled()
    try:
        raw, skipped = _session_index(corpus, cfg, bars_were_enabled)
        total = sum(ds.num_rows for ds in raw.values())
        bar = Progress(
            total=total, desc="prepare", unit="session", progress=cfg.progress, wandb_run=wandb_run
        )
        settings_key = repr(
            (
                cfg.max_length,
                cfg.stride,
                cfg.with_event_ids,
                cfg.max_windows,
                tokenizer_fingerprint(tokenizer),
            )
        )
        with _reporting(bar, cfg.workers) as reporter:
            windows = datasets.DatasetDict()
            for name, ds in raw.items():
                windows[name] = _split_windows(
                    name, ds, corpus_root(corpus), tokenizer, cfg, settings_key, reporter
                )
        cache_hit = bar.counts["files"] == 0
    finally:
        if bars_were_enabled:
            datasets.enable_progress_bars()
    # a file that changed after the index was built is not in the index's skip list: add it. (The
    # change also changes the file's mtime, hence the index's key: a later run never hits this cache.)
    skipped = sorted(set(skipped) | set(reporter.skipped))
    report = _report(corpus, windows, raw, skipped, cfg, tokenizer, cache_hit=cache_hit, started=started)
    if wandb_run is not None:
        wandb_run.summary.update(
            {f"prepare/{k}": v for k, v in report.items() if isinstance(v, (int, float))}
        )
    return PrepareResult(windows, report, raw)


def _session_index(corpus, cfg: PrepareConfig, bars_were_enabled: bool):
    """The cached session index (no events) and its skip list; the build shows its own bar."""
    datasets.disable_progress_bars()  # with progress: ours replaces map's per-batch bar later
    if cfg.progress and bars_were_enabled:
        datasets.enable_progress_bars()  # the raw build's per-session "Generating" bar
    try:
        return load_sessions(
            corpus,
            validation_fraction=cfg.validation_fraction,
            test_fraction=cfg.test_fraction,
            split_seed=cfg.split_seed,
            num_proc=cfg.num_proc,
            cache_dir=cfg.cache_dir,
            strict=cfg.strict,
            max_bytes=cfg.max_bytes,
            return_skipped=True,
            keep_errors=True,
            with_events=False,
        )
    finally:
        datasets.disable_progress_bars()


@contextlib.contextmanager
def _reporting(bar: Progress, workers: int):
    """A :class:`_Reporter` for the map: direct to ``bar`` in-process, through a queue and a drain
    thread when map workers run in other processes. Closes the bar at the end."""
    if workers <= 1:
        reporter = _Reporter(bar)
        try:
            yield reporter
        finally:
            bar.close()
        return
    import multiprocess

    manager = multiprocess.Manager()
    reporter = _Reporter(manager.Queue())
    stop = threading.Event()

    def pump():
        while not (stop.is_set() and reporter.sink.empty()):
            try:
                counts = reporter.sink.get(timeout=0.1)
            except queue.Empty:
                continue
            if "skip" in counts:
                reporter.skipped.append(counts["skip"])
            else:
                bar.update(**counts)

    drain = threading.Thread(target=pump, daemon=True)
    drain.start()
    try:
        yield reporter
    finally:
        stop.set()
        drain.join()
        manager.shutdown()
        bar.close()


def _split_windows(
    name, ds, root, tokenizer, cfg: PrepareConfig, settings_key: str, reporter
) -> datasets.Dataset:
    """The windows of one split: ``_window_groups`` mapped over groups of the split's sessions."""
    features = window_features(cfg.with_event_ids)
    if ds.num_rows == 0:
        return datasets.Dataset.from_dict({k: [] for k in features}, features=features)
    before = time.perf_counter()
    events = ds.data.column("num_events").to_numpy()
    # enough groups for every worker, else groups of ``group_events`` events
    budget = min(cfg.group_events, max(1, math.ceil(int(events.sum()) / cfg.workers)))
    starts, stops = session_groups(events, budget)
    # the grouping is part of the key: datasets re-uses the shard files of an earlier map with
    # another num_proc, which is only right over the same groups
    fingerprint = hashlib.sha1(f"{ds._fingerprint}|{settings_key}|{budget}".encode()).hexdigest()[:32]
    groups = datasets.Dataset.from_dict({"start": starts, "stop": stops})
    cache_files = ds.cache_files
    mapped = groups.with_format("arrow").map(
        _window_groups,
        batched=True,
        batch_size=1,
        num_proc=cfg.workers if cfg.workers > 1 and len(starts) > 1 else None,
        input_columns=["start", "stop"],
        remove_columns=groups.column_names,
        features=features,
        fn_kwargs=dict(
            index=ds,
            root=str(root),
            max_bytes=cfg.max_bytes,
            tokenizer=tokenizer,
            max_length=cfg.max_length,
            stride=cfg.stride,
            with_event_ids=cfg.with_event_ids,
            max_windows=cfg.max_windows,
            reporter=reporter,
        ),
        # the groups table is in memory: name the cache file, next to the index's
        cache_file_name=(
            os.path.join(os.path.dirname(cache_files[0]["filename"]), f"windows-{fingerprint}.arrow")
            if cache_files
            else None
        ),
        new_fingerprint=fingerprint,
        desc=f"tokenizing {name}",
    )
    logger.info("windows for %s: %d rows in %.1fs", name, mapped.num_rows, time.perf_counter() - before)
    return mapped.with_format(None)


def _report(
    corpus, windows, raw, skipped, cfg: PrepareConfig, tokenizer, *, cache_hit: bool, started: float
) -> dict:
    splits = {name: _split_report(windows[name], raw[name]) for name in windows}
    report = {key: sum(s[key] for s in splits.values()) for key in next(iter(splits.values()))}
    if cfg.with_event_ids:
        tables = (w.data.table if hasattr(w.data, "table") else w.data for w in windows.values())
        report["token_share"] = window_token_share(tables, tokenizer)
    report.update(
        # only the corpus folder's name: the report is published with the dataset, local paths are not
        corpus=corpus_root(corpus).name,
        max_length=cfg.max_length,
        stride=cfg.stride,
        max_windows=cfg.max_windows,
        splits=splits,
        skipped_files=len(skipped),
        skipped=[{"path": path, "reason": reason} for path, reason in skipped],
        cache_hit=cache_hit,
        seconds=round(time.perf_counter() - started, 3),
        peak_rss_mb=round(max(peak_rss_mb(), peak_rss_mb(children=True)), 1),
    )
    return report


def format_report(report: dict) -> str:
    """Human-readable summary of a :func:`prepare_windows` report."""
    lines = [
        f"sessions: {report['sessions']:,}   windows: {report['windows']:,}   tokens: {report['tokens']:,}   "
        f"tokens dropped: {report['tokens_dropped']:,}",
        "splits: "
        + ", ".join(
            f"{k} {v['sessions']} sessions/{v['windows']} windows" for k, v in report["splits"].items()
        ),
        f"skipped files: {report['skipped_files']}",
    ]
    if report.get("token_share"):
        lines.append(
            "token share per event kind: "
            + ", ".join(f"{k} {100 * v:.1f}%" for k, v in list(report["token_share"].items())[:8])
        )
    lines += [f"  {item['path']}: {item['reason']}" for item in report["skipped"]]
    lines.append(
        f"cache hit: {report['cache_hit']}   seconds: {report['seconds']}   peak RSS MB: {report['peak_rss_mb']}"
    )
    return "\n".join(lines)


def export_dataset(
    dataset: datasets.DatasetDict,
    out_dir: str | os.PathLike,
    *,
    report: dict | None = None,
    title: str = "rrweb sessions",
    description: str = "",
    max_rows_per_shard: int = 100_000,
    overwrite: bool = True,
) -> Path:
    """Write a Parquet dataset folder that stock ``datasets.load_dataset(out_dir)`` loads.

    Args:
        dataset: splits to write (windows from :func:`prepare_windows`, or raw sessions).
        out_dir: the folder; created if missing.
        report: corpus statistics for the card and ``prepare_report.json`` (None: neither).
        title: card title.
        description: card body text.
        max_rows_per_shard: rows per Parquet file.
        overwrite: replace existing ``data/*.parquet`` files (stale shards would be loaded too).

    Returns:
        ``out_dir`` as a :class:`~pathlib.Path`.

    Raises:
        FileExistsError: ``overwrite=False`` and ``out_dir/data`` already holds Parquet files.

    Example:
        >>> import tempfile
        >>> ds = datasets.DatasetDict({"train": datasets.Dataset.from_dict({"x": [1, 2]})})
        >>> out = export_dataset(ds, tempfile.mkdtemp())
        >>> sorted(p.name for p in (out / "data").iterdir())
        ['train-00000-of-00001.parquet']
    """
    out = Path(out_dir)
    data = clear_shards(out, overwrite=overwrite)
    sizes = {}
    for name, ds in dataset.items():
        if ds.num_rows == 0:  # stock load_dataset refuses a declared split with no data files
            sizes[name] = (0, 0)
            continue
        layout = shard_layout(name, ds.num_rows, max_rows_per_shard)
        for index, (file_name, _, _) in enumerate(layout):
            part = ds.shard(num_shards=len(layout), index=index, contiguous=True)
            part.to_parquet(str(data / file_name))
        sizes[name] = (ds.num_rows, ds.data.nbytes)
    features = next(iter(dataset.values())).features
    write_dataset_card(out, features, sizes, report=report, title=title, description=description)
    return out


def clear_shards(out_dir: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """Create ``out_dir/data`` and delete the Parquet files in it (stale shards would be loaded too).

    Raises:
        FileExistsError: ``overwrite=False`` and ``out_dir/data`` already holds Parquet files.
    """
    data = Path(out_dir) / "data"
    old = sorted(data.glob("*.parquet")) if data.is_dir() else []
    if old and not overwrite:
        raise FileExistsError(
            f"{data} already holds {len(old)} Parquet files; pass overwrite=True or another --out"
        )
    for path in old:
        path.unlink()
    data.mkdir(parents=True, exist_ok=True)
    return data


def shard_layout(split: str, num_rows: int, max_rows_per_shard: int) -> list[tuple[str, int, int]]:
    """The Parquet files of a split: ``(file name, first row, end row)``, contiguous as ``Dataset.shard``.

    Example:
        >>> shard_layout("train", 5, max_rows_per_shard=2)
        [('train-00000-of-00003.parquet', 0, 2), ('train-00001-of-00003.parquet', 2, 4), ('train-00002-of-00003.parquet', 4, 5)]
    """
    shards = max(1, math.ceil(num_rows / max_rows_per_shard))
    div, mod = divmod(num_rows, shards)
    layout = []
    for index in range(shards):
        start = div * index + min(index, mod)  # the bounds of Dataset.shard(contiguous=True)
        layout.append((f"{split}-{index:05d}-of-{shards:05d}.parquet", start, start + div + (index < mod)))
    return layout


def write_dataset_card(
    out_dir: str | os.PathLike,
    features: datasets.Features,
    splits: dict[str, tuple[int, int]],
    *,
    report: dict | None = None,
    title: str = "rrweb sessions",
    description: str = "",
) -> Path:
    """Write the ``README.md`` card (and ``prepare_report.json``) of a folder of :func:`shard_layout` shards.

    Args:
        out_dir: the dataset folder (shards under ``data/``).
        features: the columns.
        splits: split name -> ``(rows, Arrow bytes)``; splits with no rows are left out of the
            ``configs`` (stock ``load_dataset`` refuses a declared split with no data files).
        report, title, description: see :func:`export_dataset`.

    Returns:
        ``out_dir`` as a :class:`~pathlib.Path`.
    """
    from huggingface_hub import DatasetCard, DatasetCardData

    out = Path(out_dir)
    infos = datasets.info.DatasetInfosDict()
    configs = []
    info = datasets.DatasetInfo(features=features)
    info.splits = datasets.SplitDict()
    empty = []
    for name, (num_rows, num_bytes) in splits.items():
        if num_rows == 0:
            logger.warning("split %r has no rows: not written and not declared in the card", name)
            empty.append(name)
            continue
        configs.append({"split": name, "path": f"data/{name}-*.parquet"})
        info.splits.add(datasets.SplitInfo(name=name, num_bytes=num_bytes, num_examples=num_rows))
    infos["default"] = info
    card_data = DatasetCardData(
        configs=[{"config_name": "default", "data_files": configs}], tags=["rrweb", "session-replay"]
    )
    infos.to_dataset_card_data(card_data)
    if report is not None:
        (out / REPORT_NAME).write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    card = DatasetCard.from_template(
        card_data,
        template_path=str(DATASET_CARD_TEMPLATE),
        title=title,
        description=description,
        empty_splits=empty,
        report=report,
        statistics=CARD_STATISTICS,
        report_name=REPORT_NAME,
    )
    card.save(out / "README.md")
    return out


def export_sessions(dataset: datasets.DatasetDict, out_dir: str | os.PathLike, skipped=(), **kwargs) -> Path:
    """Export raw sessions (from :func:`~rrweb_hf.sessions.load_sessions`) like :func:`export_dataset`.

    ``events``/``metadata`` stay ``Json`` columns (JSON text in Parquet, decoded by stock ``datasets``).
    """
    report = {
        "sessions": sum(ds.num_rows for ds in dataset.values()),
        "events": sum(int(pc.sum(ds.data.column("num_events")).as_py() or 0) for ds in dataset.values()),
        "skipped_files": len(skipped),
        "skipped": [{"path": p, "reason": r} for p, r in skipped],
    }
    kwargs.setdefault("title", "rrweb sessions (raw)")
    return export_dataset(dataset, out_dir, report=report, **kwargs)
