"""Corpus preparation on Ray Data: the windows of :mod:`rrweb_hf.prepare`, read and tokenized on a cluster.

:func:`prepare_with_ray` is ``rrweb-hf prepare --engine ray``. It lists the corpus (a local folder,
file or glob, or a URL that ``pyarrow.fs`` opens: ``s3://``, ``gs://``, ``hdfs://``, ``file://``),
reads every file as raw bytes with a Ray Data file datasource, and tokenizes them in
``map_batches`` with the code of the ``datasets`` engine: :func:`rrweb_hf.readers.read_file` (``.gz``
inflated under ``max_bytes``), :func:`rrweb_hf.sessions.split_of`, ``tokenizer.encode_session`` and
:func:`rrweb_hf.prepare.append_windows`. The driver then streams each split's rows into
``data/<split>-XXXXX-of-XXXXX.parquet`` (the shard bounds of :func:`rrweb_hf.prepare.shard_layout`)
and writes the card and ``prepare_report.json`` with :func:`rrweb_hf.prepare.write_dataset_card`, so
stock ``datasets.load_dataset(out_dir)`` reads the folder exactly as one from the ``datasets`` engine.

Row order: Ray runs with ``preserve_order``, so each split's rows are in the ``datasets`` engine's
order: files in sorted path order, the sessions of a file in file order, windows by ``window_index``.
Rows, ids, split assignment, report and skip list equal the ``datasets`` engine's; the report's
``seconds``, ``peak_rss_mb`` (the driver's) and ``cache_hit`` (always False: no cache) and the card's
``num_bytes`` (Arrow size, which depends on how the rows are chunked) are the fields that differ.

Example:
    >>> import json, pathlib, tempfile
    >>> from rrweb_hf.tokenization_rrweb import RRWebTokenizer
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> events = [{"type": 4, "data": {"href": "https://a.io/x", "width": 800, "height": 600}, "timestamp": 1}]
    >>> _ = (root / "a.json").write_text(json.dumps(events * 30))
    >>> _ = (root / "b.json").write_text("{broken")
    >>> report = prepare_with_ray(root, RRWebTokenizer(), tempfile.mkdtemp(), max_length=32, stride=4,
    ...                           validation_fraction=0, num_cpus=1, progress=False)  # doctest: +SKIP
    >>> report["sessions"], report["skipped"][0]["path"]  # doctest: +SKIP
    (1, 'b.json')
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .monitoring import peak_rss_mb
from .prepare import (
    _window_table,
    append_windows,
    clear_shards,
    load_tokenizer,
    shard_layout,
    window_features,
    window_token_share,
    write_dataset_card,
)
from .readers import DEFAULT_MAX_BYTES, SessionReadError, corpus_suffix, read_file
from .sessions import _check_fractions, corpus_files, relative_path, split_of

logger = logging.getLogger(__name__)

#: Row kinds of the intermediate Ray dataset: a window, a valid session without windows (counted
#: for ``events`` only), a skipped file or JSONL line.
_WINDOW, _NO_WINDOWS, _SKIPPED = 0, 1, 2
_STAT_KEYS = ("sessions", "events", "windows", "tokens", "tokens_dropped", "window_tokens")


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "--engine ray needs Ray Data, which is not installed: pip install 'rrweb_hf[ray]' "
            "(or use the default --engine datasets)"
        ) from exc
    return ray


def is_url(corpus: str | os.PathLike) -> bool:
    """Whether ``corpus`` is a URL (``s3://bucket/corpus``, ``file:///data``) rather than a local path.

    Example:
        >>> is_url("s3://bucket/corpus"), is_url("recordings/")
        (True, False)
    """
    return "://" in os.fspath(corpus)


def list_corpus(corpus: str | os.PathLike) -> tuple[str, list[str], object]:
    """The root, the session files and the ``pyarrow`` filesystem of a local or remote corpus.

    Local paths (folders, files, globs) are listed by :func:`rrweb_hf.sessions.corpus_files`; URLs
    are listed with ``pyarrow.fs`` by the same rules as :func:`rrweb_hf.readers.corpus_paths`: a
    supported suffix, no hidden file or folder, no ``MANIFEST.json``, sorted by path components.

    Returns:
        ``(root, files, filesystem)``: paths as the filesystem names them (absolute for local
        paths); ``filesystem`` is None for local paths.

    Raises:
        FileNotFoundError: nothing at ``corpus``, or no session file in it.
        ValueError: a URL with a wildcard (list the folder instead); a folder of Sentry segments
            (:func:`rrweb_hf.corpus.segment_folder_files`), which only the datasets engine joins.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("b.json", "a/y.json.gz", ".hidden/z.json", "notes.txt"):
        ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
        ...     _ = (root / name).write_text("[]")
        >>> base, files, fs = list_corpus(root.as_uri())
        >>> [relative_path(f, base) for f in files], type(fs).__name__
        (['a/y.json.gz', 'b.json'], 'LocalFileSystem')
    """
    text = os.fspath(corpus)
    if not is_url(text):
        root, files = corpus_files(text)
        folders = [f for f in files if os.path.isdir(f)]
        if folders:  # Ray's file datasource would read each segment file as a session of its own
            raise ValueError(
                f"{folders[0]} is a folder of Sentry replay segments (one session), which the ray engine "
                f"does not join ({len(folders)} such folder(s) in {text}); use --engine datasets, or "
                "`rrweb-hf convert` the corpus first"
            )
        return os.path.abspath(root), [os.path.abspath(f) for f in files], None
    if any(char in text for char in "*?["):
        raise ValueError(f"corpus URL {text!r} has a wildcard; pass the folder URL, it is listed recursively")
    import pyarrow.fs as pafs

    filesystem, root = pafs.FileSystem.from_uri(text)
    root = root.rstrip("/")
    info = filesystem.get_file_info(root)
    if info.type == pafs.FileType.File:
        return str(Path(root).parent.as_posix()), [root], filesystem
    if info.type != pafs.FileType.Directory:
        raise FileNotFoundError(f"corpus not found: {text} is neither a file nor a folder")
    files = []
    for entry in filesystem.get_file_info(pafs.FileSelector(root, recursive=True)):
        rel = relative_path(entry.path, Path(root))
        parts = rel.split("/")
        if (
            entry.type == pafs.FileType.File
            and not any(part.startswith(".") for part in parts)
            and parts[-1] != "MANIFEST.json"
            and corpus_suffix(parts[-1]) is not None
        ):
            files.append((parts, entry.path))
    if not files:
        raise FileNotFoundError(f"corpus not found: no session file under {text}")
    return root, [path for _, path in sorted(files)], filesystem


def _raw_files_datasource(paths: list[str], filesystem):
    """A Ray Data datasource of whole files as raw bytes (``bytes``, ``path``): ``.gz`` stays compressed.

    ``read_binary_files`` inflates ``.gz`` while reading, without a size bound and failing the job on
    a broken file; here :func:`rrweb_hf.readers.read_file` inflates it, under ``max_bytes``, and a bad
    file is skipped and reported like in the ``datasets`` engine.
    """
    from ray.data.datasource import FileBasedDatasource

    class RawFileDatasource(FileBasedDatasource):
        def resolve_compression(self, path, open_args):
            return None

        def _read_stream(self, f, path):
            yield pa.table({"bytes": pa.array([f.readall()], type=pa.binary())})

        def _rows_per_file(self):
            return 1

    return RawFileDatasource(paths, include_paths=True, filesystem=filesystem)


def _tokenize_files(
    batch: pa.Table,
    *,
    root,
    tokenizer,
    max_length,
    stride,
    with_event_ids,
    max_windows,
    max_bytes,
    validation_fraction,
    test_fraction,
    split_seed,
) -> pa.Table:
    """``map_batches`` function: raw files -> window rows, plus one row per bad file or JSONL line."""
    features = window_features(with_event_ids)
    out: dict[str, list] = {name: [] for name in features}
    extra: dict[str, list] = {"_split": [], "_kind": [], "_events": [], "_skip_path": [], "_skip_reason": []}
    lists = {
        name: np.zeros(0, dtype=f.feature.dtype)
        for name, f in features.items()
        if isinstance(f, datasets.List)
    }

    def other_row(kind, split="", sid="", events=0, tokens=0, skip=(None, None)):
        # a row that is not a window: empty lists, window_index -1; dropped before writing
        for name, value in lists.items():
            out[name].append(value)
        out["session_id"].append(sid)
        out["window_index"].append(-1)
        out["session_tokens"].append(tokens)
        out["session_tokens_dropped"].append(0)
        for name, value in zip(extra, (split, kind, events, *skip), strict=True):
            extra[name].append(value)

    for data, path in zip(batch.column("bytes").to_pylist(), batch.column("path").to_pylist(), strict=True):
        rel = relative_path(path, Path(root))
        try:  # rel as the path: session ids derived from it are relative to the corpus root
            result = read_file(rel, max_bytes=max_bytes, strict=False, data=data)
        except SessionReadError as exc:
            other_row(_SKIPPED, skip=(rel, exc.reason))
            continue
        for lineno, reason in result.bad_lines:
            other_row(_SKIPPED, skip=(f"{rel}:{lineno}", reason))
        for session in result.sessions:
            split = split_of(session.session_id, validation_fraction, test_fraction, split_seed)
            ids, event_ids = tokenizer.encode_session(session.events)
            before = len(out["session_id"])
            counts = append_windows(
                out,
                session.session_id,
                ids,
                event_ids,
                tokenizer=tokenizer,
                max_length=max_length,
                stride=stride,
                with_event_ids=with_event_ids,
                max_windows=max_windows,
            )
            added = len(out["session_id"]) - before
            if added == 0:
                other_row(_NO_WINDOWS, split, session.session_id, session.num_events, counts["tokens"])
                continue
            extra["_split"] += [split] * added
            extra["_kind"] += [_WINDOW] * added
            extra["_events"] += [session.num_events] + [0] * (added - 1)
            extra["_skip_path"] += [None] * added
            extra["_skip_reason"] += [None] * added
    table = _window_table(out, features)
    types = {"_split": pa.string(), "_kind": pa.int8(), "_events": pa.int64()}
    for name, values in extra.items():
        table = table.append_column(name, pa.array(values, type=types.get(name, pa.string())))
    return table


def _batch_stats(batch: pa.Table) -> pa.Table:
    """``map_batches`` function: per split sums of one block, and its skipped entries."""
    rows = {"_split": [], "_skip_path": [], "_skip_reason": [], **{key: [] for key in _STAT_KEYS}}
    kind, split = batch.column("_kind"), batch.column("_split")
    windows = pc.equal(kind, _WINDOW)
    first = pc.and_(windows, pc.equal(batch.column("window_index"), 0))
    lengths = pc.list_value_length(batch.column("input_ids"))
    for name in pc.unique(split).to_pylist():
        if name == "":
            continue
        in_split = pc.equal(split, name)
        sessions = pc.and_(first, in_split)

        def total(column, mask):
            return int(pc.sum(pc.filter(column, mask)).as_py() or 0)

        rows["_split"].append(name)
        rows["sessions"].append(total(pc.cast(sessions, pa.int64()), in_split))
        rows["events"].append(total(batch.column("_events"), in_split))
        rows["windows"].append(total(pc.cast(pc.and_(windows, in_split), pa.int64()), in_split))
        rows["tokens"].append(total(batch.column("session_tokens"), sessions))
        rows["tokens_dropped"].append(total(batch.column("session_tokens_dropped"), sessions))
        rows["window_tokens"].append(total(lengths, pc.and_(windows, in_split)))
        rows["_skip_path"].append(None)
        rows["_skip_reason"].append(None)
    skipped = batch.filter(pc.equal(kind, _SKIPPED))
    for path, reason in zip(
        skipped.column("_skip_path").to_pylist(), skipped.column("_skip_reason").to_pylist(), strict=True
    ):
        rows["_split"].append("")
        rows["_skip_path"].append(path)
        rows["_skip_reason"].append(reason)
        for key in _STAT_KEYS:
            rows[key].append(0)
    types = {"_split": pa.string(), "_skip_path": pa.string(), "_skip_reason": pa.string()}
    return pa.table(
        {name: pa.array(values, type=types.get(name, pa.int64())) for name, values in rows.items()}
    )


def _split_rows(batch: pa.Table, *, split: str, columns: list[str]) -> pa.Table:
    """``map_batches`` function: the window rows of one split, in the columns of the export."""
    keep = pc.and_(pc.equal(batch.column("_kind"), _WINDOW), pc.equal(batch.column("_split"), split))
    return batch.filter(keep).select(columns)


def init_ray(
    address: str | None = None, *, num_cpus: int | None = None, object_store_memory: int | None = None
):
    """Connect to a Ray cluster (``address``: ``"auto"``, ``"ray://host:10001"``) or start Ray locally.

    A local start has no dashboard, listens on 127.0.0.1 and sends no usage statistics. Nothing is
    done when Ray is already initialized in this process.

    Returns:
        True when this call started or connected Ray (the caller then shuts it down), else False.
    """
    ray = _import_ray()
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    if address:
        ray.init(address=address)
    else:
        ray.init(
            address="local",  # a new local instance, never a cluster found in /tmp/ray or RAY_ADDRESS
            num_cpus=num_cpus,
            object_store_memory=object_store_memory,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
        )
    return True


def prepare_with_ray(
    corpus: str | os.PathLike,
    tokenizer,
    out_dir: str | os.PathLike,
    *,
    max_length: int = 512,
    stride: int = 64,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.0,
    split_seed: str = "rrweb_hf",
    with_event_ids: bool = False,
    max_windows: int | None = None,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows_per_shard: int = 100_000,
    files_per_batch: int = 16,
    address: str | None = None,
    num_cpus: int | None = None,
    object_store_memory: int | None = None,
    progress: bool = True,
    title: str = "rrweb session windows",
    description: str = "",
    overwrite: bool = True,
) -> dict:
    """Tokenize a corpus into windows on Ray Data and write the dataset folder of ``prepare_windows``.

    Args:
        corpus: local folder, file or glob, or a folder/file URL (``s3://bucket/corpus``).
        tokenizer: an ``RRWebTokenizer`` or a folder to load one from.
        out_dir: the dataset folder (local, on the driver): ``data/*.parquet``, ``README.md``,
            ``prepare_report.json``.
        max_length, stride, validation_fraction, test_fraction, split_seed, with_event_ids,
            max_windows, strict, max_bytes: as in :func:`rrweb_hf.prepare.prepare_windows`.
        max_rows_per_shard: rows per Parquet file, as in :func:`rrweb_hf.prepare.export_dataset`.
        files_per_batch: files per ``map_batches`` call.
        address: an existing Ray cluster (``"auto"``, ``"ray://head:10001"``); None starts Ray
            locally with ``num_cpus`` CPUs (all when None) and ``object_store_memory`` bytes.
        progress: Ray Data's progress bars.
        title, description, overwrite: as in :func:`rrweb_hf.prepare.export_dataset`.

    Returns:
        The report (also written to ``prepare_report.json``), the same keys as ``prepare_windows``.

    Raises:
        ValueError: bad windowing settings or fractions.
        FileNotFoundError: nothing at ``corpus``.
        SessionReadError: with ``strict=True``, the first bad file (nothing is written).
        ImportError: Ray Data is not installed.
    """
    if isinstance(tokenizer, (str, os.PathLike)):
        tokenizer = load_tokenizer(tokenizer)
    if max_length < 3:
        raise ValueError(
            f"max_length={max_length} leaves no room for content besides [CLS] and [SEP]; use >= 3"
        )
    if not 0 <= stride < max_length - 2:
        raise ValueError(f"stride={stride} must be >= 0 and below max_length - 2 = {max_length - 2}")
    if max_windows is not None and max_windows < 1:
        raise ValueError(f"max_windows={max_windows} must be >= 1, or None to keep every window")
    _check_fractions(validation_fraction, test_fraction)
    started = time.perf_counter()
    root, paths, filesystem = list_corpus(corpus)
    split_names = ["train"] + ["validation"] * (validation_fraction > 0) + ["test"] * (test_fraction > 0)
    features = window_features(with_event_ids)
    ray = _import_ray()
    owns_ray = init_ray(address, num_cpus=num_cpus, object_store_memory=object_store_memory)
    context = ray.data.DataContext.get_current()
    saved = context.execution_options.preserve_order, context.enable_progress_bars
    context.execution_options.preserve_order = True  # rows in the datasets engine's order
    context.enable_progress_bars = progress
    try:
        files = ray.data.read_datasource(_raw_files_datasource(paths, filesystem))
        rows = files.map_batches(
            _tokenize_files,
            batch_size=files_per_batch,
            batch_format="pyarrow",
            fn_kwargs=dict(
                root=root,
                tokenizer=tokenizer,
                max_length=max_length,
                stride=stride,
                with_event_ids=with_event_ids,
                max_windows=max_windows,
                max_bytes=max_bytes,
                validation_fraction=validation_fraction,
                test_fraction=test_fraction,
                split_seed=split_seed,
            ),
        ).materialize()
        stats = rows.map_batches(_batch_stats, batch_size=None, batch_format="pyarrow").take_all()
        splits = {name: dict.fromkeys(_STAT_KEYS, 0) for name in split_names}
        skipped = []
        for row in stats:
            if row["_split"]:
                for key in _STAT_KEYS:
                    splits[row["_split"]][key] += row[key]
            else:
                skipped.append((row["_skip_path"], row["_skip_reason"]))
        skipped.sort()
        if strict and skipped:
            path, reason = skipped[0]
            raise SessionReadError(f"{root}/{path}", reason)
        data = clear_shards(out_dir, overwrite=overwrite)
        sizes = {}
        schema = features.arrow_schema
        for name in split_names:
            total = splits[name]["windows"]
            sizes[name] = (total, _write_split(rows, name, total, data, schema, max_rows_per_shard))
    finally:
        context.execution_options.preserve_order, context.enable_progress_bars = saved
        if owns_ray:
            ray.shutdown()
    report = {key: sum(s[key] for s in splits.values()) for key in _STAT_KEYS}
    if with_event_ids:
        import pyarrow.parquet as pq

        shards = sorted(data.glob("*.parquet"))
        report["token_share"] = window_token_share(
            (pq.read_table(path, columns=["input_ids", "event_ids"]) for path in shards), tokenizer
        )
    report.update(
        corpus=Path(os.fspath(corpus)).name,
        max_length=max_length,
        stride=stride,
        max_windows=max_windows,
        splits=splits,
        skipped_files=len(skipped),
        skipped=[{"path": path, "reason": reason} for path, reason in skipped],
        cache_hit=False,
        seconds=round(time.perf_counter() - started, 3),
        peak_rss_mb=round(max(peak_rss_mb(), peak_rss_mb(children=True)), 1),
    )
    write_dataset_card(out_dir, features, sizes, report=report, title=title, description=description)
    return report


def _write_split(rows, split: str, total: int, data: Path, schema: pa.Schema, max_rows_per_shard: int) -> int:
    """Stream one split's rows from the cluster into its Parquet shards; return their Arrow bytes."""
    import pyarrow.parquet as pq

    part = rows.map_batches(
        _split_rows,
        batch_size=None,
        batch_format="pyarrow",
        fn_kwargs={"split": split, "columns": schema.names},
    )
    if total == 0:
        return 0
    layout = iter(shard_layout(split, total, max_rows_per_shard))
    writer, end, written, num_bytes = None, 0, 0, 0
    try:
        for table in part.iter_batches(batch_size=None, batch_format="pyarrow"):
            table = table.cast(schema)
            num_bytes += table.nbytes
            while table.num_rows:
                if writer is None or written == end:
                    if writer is not None:
                        writer.close()
                    file_name, _, end = next(layout)
                    writer = pq.ParquetWriter(str(data / file_name), schema)
                take = min(table.num_rows, end - written)
                writer.write_table(table.slice(0, take))
                table, written = table.slice(take), written + take
    finally:
        if writer is not None:
            writer.close()
    return num_bytes
