"""Raw rrweb sessions as a Hugging Face ``datasets`` dataset: one row per session.

:class:`RRWebSessions` is a :class:`datasets.GeneratorBasedBuilder` in the style of the packaged
``text``/``json`` builders. ``load_dataset("script.py")`` is gone in datasets 4+, so it is exposed
through :func:`load_sessions` (a :class:`~datasets.DatasetDict`, or an
:class:`~datasets.IterableDatasetDict` with ``streaming=True``) and stays usable directly.

Three properties the plain builders do not have:

- **Content-keyed cache.** The config carries a ``content_key``: a SHA-1 over every file's relative
  path, size and ``mtime_ns`` (plus the split settings). Editing, adding or removing a file changes
  the key, hence the cache folder, so no stale rows are ever returned.
- **Deterministic split by session.** :func:`split_of` hashes the ``session_id`` with SHA-1 (never
  Python's salted ``hash()``), so a session always lands in the same split, on every machine.
- **Per-file shards.** The file list is the one list in ``gen_kwargs``, so ``download_and_prepare``
  (``num_proc``), streaming with a multi-worker ``DataLoader`` and
  ``datasets.distributed.split_dataset_by_node`` all divide the corpus by file.

Example:
    >>> import json, pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for i in range(4):
    ...     events = [{"type": 4, "data": {"href": "https://x"}, "timestamp": 10 + i}]
    ...     _ = (root / f"s{i}.json").write_text(json.dumps(events))
    >>> dsd = load_sessions(root, validation_fraction=0.5, cache_dir=tempfile.mkdtemp())
    >>> sorted(dsd), sum(d.num_rows for d in dsd.values())
    (['train', 'validation'], 4)
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import orjson
from datasets.builder import Key

from .corpus import corpus_files, corpus_root, entry_stamp, read_or_skip, resolve_corpus  # noqa: F401 (re-exported)
from .fingerprint import code_fingerprint
from .readers import DEFAULT_MAX_BYTES, SessionReadError, derive_session_id

logger = logging.getLogger(__name__)

#: Column types of a raw-session row. ``events``/``metadata`` use :class:`datasets.Json` so the
#: heterogeneous rrweb payloads survive Arrow and Parquet unchanged: the stored JSON text is
#: orjson's, exact. Caveat: ``datasets`` decodes ``Json`` with pandas' ujson, which can be 1 ulp off
#: on floats (``637.0357666015625`` -> ``637.0357666015626``); for bit-exact values read the text,
#: e.g. ``orjson.loads(ds.with_format("arrow")["events"][i].as_py())`` (see :func:`exact_events`).
SESSION_FEATURES = datasets.Features(
    {
        "session_id": datasets.Value("string"),
        "path": datasets.Value("string"),
        "num_events": datasets.Value("int64"),
        "start_timestamp": datasets.Value("float64"),
        "end_timestamp": datasets.Value("float64"),
        "duration_ms": datasets.Value("float64"),
        "missing_timestamps": datasets.Value("int64"),
        "events": datasets.Json(),
        "metadata": datasets.Json(),
    }
)
#: Salt of the deterministic session split (:func:`split_of`): the one default of every stage.
SPLIT_SEED = "rrweb_hf"
#: Rows per Arrow record batch of a session index (``with_events=False``).
INDEX_WRITER_BATCH_SIZE = 1000
_SPLIT_BITS = {"train": 1, "validation": 2, "test": 4}
_SEEN = 8


def _code_version() -> str:
    """Hash of the source of this module and every module it imports (readers, JSON parsing, ...):
    a changed reader or builder never reuses an old build's cache."""
    return code_fingerprint(__name__)[:16]


def content_key(files: list[str | Path], root: Path, *extra: object) -> str:
    """SHA-1 over the relative path, size and ``mtime_ns`` of every file, plus ``extra`` settings.

    A ``stat`` per file, no reads: 31,951 files take well under a second.

    Example:
        >>> content_key([], Path("."), 0.1) == content_key([], Path("."), 0.1)
        True
    """
    digest = hashlib.sha1(repr(extra).encode())
    for path in files:
        try:
            stamp = entry_stamp(path)  # a Sentry segment folder: every segment file's size and mtime
        except OSError as exc:  # unreadable now: still part of the key, the builder reports it
            stamp = f"error:{exc.errno}"
        digest.update(f"{relative_path(path, root)}\0{stamp}\n".encode())
    return digest.hexdigest()[:20]


def relative_path(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (the path itself when outside ``root``).

    Example:
        >>> relative_path("corpus/shop/s1.json", Path("corpus")), relative_path("/elsewhere/s2.json", Path("corpus"))
        ('shop/s1.json', '/elsewhere/s2.json')
    """
    text, base = os.fspath(path), os.fspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")
    try:
        return Path(text).relative_to(root).as_posix()
    except ValueError:
        return Path(text).as_posix()


def split_of(
    session_id: str, validation_fraction: float = 0.1, test_fraction: float = 0.0, seed: str = ""
) -> str:
    """The split of a session: a pure function of its id, the fractions and the seed.

    The first 8 bytes of ``sha1(seed + "\\0" + session_id)`` give a number ``u`` in [0, 1):
    ``u < test_fraction`` -> ``"test"``, then ``u < test_fraction + validation_fraction`` ->
    ``"validation"``, else ``"train"``.

    Example:
        >>> split_of("shop/s0001", validation_fraction=0.0)
        'train'
        >>> split_of("shop/s0001", validation_fraction=1.0)
        'validation'
    """
    digest = hashlib.sha1(f"{seed}\0{session_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    if u < test_fraction:
        return "test"
    if u < test_fraction + validation_fraction:
        return "validation"
    return "train"


def _check_fractions(validation_fraction: float, test_fraction: float) -> None:
    for name, value in (("validation_fraction", validation_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{name}={value!r} is outside [0, 1); pass a fraction such as 0.1")
    if validation_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"validation_fraction + test_fraction = {validation_fraction + test_fraction} leaves nothing "
            "for train; make their sum smaller than 1"
        )


@dataclass
class RRWebSessionsConfig(datasets.BuilderConfig):
    """BuilderConfig for :class:`RRWebSessions`.

    Args:
        corpus: folder, file or glob of session files (see :func:`resolve_corpus`).
        validation_fraction: share of sessions in ``validation`` (0 drops the split).
        test_fraction: share of sessions in ``test`` (0 drops the split).
        split_seed: salt of the split hash; change it for a different (still deterministic) split.
        max_bytes: largest (decompressed) file accepted; larger ones are skipped as bad files.
        strict: raise the first :class:`~rrweb_hf.SessionReadError` instead of skipping the file.
        keep_errors: emit one row per bad file (empty ``events``, reason in an extra ``error``
            column) instead of only logging it; :func:`load_sessions` uses this so the skip list is
            cached with the data.
        with_events: include the ``events``/``metadata`` columns; False gives a light index of
            sessions (ids, paths, counts, timestamps) without copying the recordings into Arrow.
        content_key: filled in by :class:`RRWebSessions` from the files' sizes and mtimes; part of
            the cache key.
    """

    corpus: str | None = None
    validation_fraction: float = 0.1
    test_fraction: float = 0.0
    split_seed: str = SPLIT_SEED
    max_bytes: int = DEFAULT_MAX_BYTES
    strict: bool = False
    keep_errors: bool = False
    with_events: bool = True
    content_key: str | None = None


def _content_settings(kwargs: dict) -> dict:
    """Every field of the config the builder would make from ``kwargs`` (``dataclasses.asdict``),
    for the content key: a new config field is part of the key without being listed here.

    Raises:
        ValueError: fractions outside [0, 1) or summing to 1 or more.
    """
    names = {f.name for f in dataclasses.fields(RRWebSessionsConfig)} - {"content_key"}
    config = RRWebSessionsConfig(**{k: v for k, v in kwargs.items() if k in names})
    _check_fractions(config.validation_fraction, config.test_fraction)
    return {k: v for k, v in dataclasses.asdict(config).items() if k not in ("content_key", "corpus")}


class RRWebSessions(datasets.GeneratorBasedBuilder):
    """One row per rrweb session; see the module docstring.

    Example:
        >>> import json, pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (root / "a.json").write_text(json.dumps([{"type": 4, "data": {}, "timestamp": 1}]))
        >>> builder = RRWebSessions(corpus=str(root), validation_fraction=0.0, cache_dir=tempfile.mkdtemp())
        >>> builder.download_and_prepare()
        >>> builder.as_dataset("train")[0]["session_id"]
        'a'
    """

    BUILDER_CONFIG_CLASS = RRWebSessionsConfig
    DEFAULT_WRITER_BATCH_SIZE = 16  # sessions can be MBs each: flush often, keep RSS bounded
    VERSION = datasets.Version("1.0.0")

    def __init__(self, *args, **kwargs):
        corpus = kwargs.get("corpus")
        if corpus is None:
            raise ValueError(
                "RRWebSessions needs corpus=...: a folder, a file or a glob of rrweb session files"
            )
        root, files = corpus_files(corpus)
        kwargs["corpus"] = os.fspath(corpus)
        settings = _content_settings(kwargs)
        kwargs["content_key"] = content_key(files, root, settings)
        if not settings["with_events"]:
            # index rows are ~100 bytes: big record batches (each costs a few KB when the file is read)
            kwargs.setdefault("writer_batch_size", INDEX_WRITER_BATCH_SIZE)
        kwargs.setdefault("dataset_name", "rrweb_sessions")
        kwargs.setdefault("hash", _code_version())
        # Per-file state is one str and one byte: ~100 bytes a file, however large the corpus.
        self._root, self._files = root, files
        self._file_splits = bytearray(len(files))  # per file: _SEEN | bits of the splits it feeds
        super().__init__(*args, **kwargs)

    def _info(self):
        features = SESSION_FEATURES.copy()
        if not self.config.with_events:
            del features["events"], features["metadata"]
        if self.config.keep_errors:
            features["error"] = datasets.Value("string")
        return datasets.DatasetInfo(
            description="rrweb web-session recordings, one row per session",
            features=features,
        )

    def split_names(self) -> list[str]:
        """The splits this config produces, in order (``train`` first)."""
        names = ["train"]
        if self.config.validation_fraction > 0:
            names.append("validation")
        if self.config.test_fraction > 0:
            names.append("test")
        return names

    def _split_generators(self, dl_manager):
        indices = list(range(len(self._files)))
        return [
            datasets.SplitGenerator(
                name=name, gen_kwargs={"files": self._files, "indices": indices, "split": name}
            )
            for name in self.split_names()
        ]

    def _generate_shards(self, files, indices, split):
        yield from files

    def _generate_examples(self, files, indices, split):
        config = self.config
        for shard_id, (file, index) in enumerate(zip(files, indices, strict=True)):
            known = self._file_splits[index]
            if known & _SEEN and not known & _SPLIT_BITS[split]:
                continue  # an earlier split's pass already read this file: none of its sessions are here
            rows = list(self._rows_of(Path(file)))
            splits = [
                split_of(r["session_id"], config.validation_fraction, config.test_fraction, config.split_seed)
                for r in rows
            ]
            self._file_splits[index] = _SEEN | sum(_SPLIT_BITS[name] for name in set(splits))
            for row_id, (row, name) in enumerate(zip(rows, splits, strict=True)):
                if name == split:
                    yield Key(shard_id, row_id), row

    def _rows_of(self, path: Path):
        relative = relative_path(path, self._root)
        config = self.config
        result, reason = read_or_skip(
            path, root=self._root, max_bytes=config.max_bytes, strict=config.strict, name=relative
        )
        if result is None:
            if config.keep_errors:
                yield self._slim(_error_row(derive_session_id(path, self._root), relative, reason))
            return
        if config.keep_errors:  # JSONL lines skipped in lenient mode are reported like bad files
            sid = derive_session_id(path, self._root)
            for lineno, reason in result.bad_lines:
                yield self._slim(_error_row(f"{sid}:{lineno}", f"{relative}:{lineno}", reason))
        for session in result.sessions:
            row = {
                "session_id": session.session_id,
                "path": relative,
                "num_events": session.num_events,
                "start_timestamp": session.start_timestamp,
                "end_timestamp": session.end_timestamp,
                "duration_ms": session.duration_ms,
                "missing_timestamps": session.missing_timestamps,
                # JSON text from orjson: stored exactly (datasets' own encoder keeps only 10 digits)
                "events": orjson.dumps(session.events).decode(),
                "metadata": orjson.dumps(session.metadata).decode(),
            }
            if self.config.keep_errors:
                row["error"] = None
            yield self._slim(row)

    def _slim(self, row: dict) -> dict:
        if not self.config.with_events:
            del row["events"], row["metadata"]
        return row


def _error_row(session_id: str, path: str, reason: str) -> dict:
    return {
        "session_id": session_id,
        "path": path,
        "num_events": 0,
        "start_timestamp": None,
        "end_timestamp": None,
        "duration_ms": None,
        "missing_timestamps": 0,
        "events": [],
        "metadata": {},
        "error": reason,
    }


def exact_events(dataset: datasets.Dataset, index: int) -> list:
    """The events of row ``index``, parsed from the stored JSON text with orjson (bit-exact floats).

    Example:
        >>> import json, pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> event = {"type": 3, "data": {"source": 1, "positions": [{"x": 637.0357666015625}]}, "timestamp": 1}
        >>> _ = (root / "a.json").write_text(json.dumps([event]))
        >>> ds = load_sessions(root, validation_fraction=0, cache_dir=tempfile.mkdtemp())["train"]
        >>> exact_events(ds, 0)[0]["data"]["positions"][0]["x"]
        637.0357666015625
    """
    return orjson.loads(dataset.with_format("arrow")["events"][index].as_py())


@dataclass
class ExportSessionsConfig:
    """The settings of ``rrweb-hf export-sessions`` (the :func:`load_sessions` arguments it exposes)."""

    validation_fraction: float = field(default=0.1, metadata={"help": "share of sessions in validation"})
    test_fraction: float = field(default=0.0, metadata={"help": "share of sessions in test"})
    split_seed: str = field(default=SPLIT_SEED, metadata={"help": "salt of the deterministic split"})
    num_proc: int | None = field(default=None, metadata={"help": "processes for the first build"})
    cache_dir: str | None = field(
        default=None, metadata={"help": "datasets cache folder (HF_DATASETS_CACHE)"}
    )
    max_bytes: int = field(
        default=DEFAULT_MAX_BYTES, metadata={"help": "largest (decompressed) file accepted"}
    )
    strict: bool = field(default=False, metadata={"help": "stop with an error at the first bad file"})

    def __post_init__(self):
        _check_fractions(self.validation_fraction, self.test_fraction)


def _empty_split(builder: RRWebSessions, split: str) -> datasets.Dataset:
    return datasets.Dataset.from_dict(
        {name: [] for name in builder.info.features},
        features=builder.info.features,
        split=datasets.NamedSplit(split),
    )


def load_sessions(
    path_or_glob: str | os.PathLike,
    *,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.0,
    split_seed: str = SPLIT_SEED,
    streaming: bool = False,
    num_proc: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    return_skipped: bool = False,
    keep_errors: bool = False,
    with_events: bool = True,
):
    """Load a corpus of rrweb session files as a dataset, one row per session.

    Args:
        path_or_glob: folder, file or glob (``"corpus/**/*.json.gz"``).
        validation_fraction: share of sessions in ``validation``; 0 leaves the split out.
        test_fraction: share of sessions in ``test``; 0 leaves the split out.
        split_seed: salt of the deterministic split (see :func:`split_of`).
        streaming: return an :class:`~datasets.IterableDatasetDict` that reads files lazily, one
            shard per file (works with ``DataLoader(num_workers=...)`` and
            ``datasets.distributed.split_dataset_by_node``; when the file count is a multiple of
            ``world_size`` each node reads only its own files, otherwise every node reads all
            files and keeps every ``world_size``-th row). Bad files are skipped and logged.
        num_proc: processes for the first (uncached) build.
        cache_dir: datasets cache folder (default ``HF_DATASETS_CACHE``).
        max_bytes: largest (decompressed) file accepted.
        strict: raise the first bad file's :class:`~rrweb_hf.SessionReadError` instead of skipping
            it (also when the build comes from the cache).
        return_skipped: also return the skipped files as ``[(path, reason), ...]``.
        keep_errors: keep the rows of bad files (empty events, an ``error`` column) in the result.
        with_events: False leaves out ``events``/``metadata``: an index of the sessions whose Arrow
            cache stays small (:func:`rrweb_hf.prepare.prepare_windows` re-reads the files).

    Returns:
        A :class:`~datasets.DatasetDict` (``train`` and the non-zero optional splits), or
        ``(dataset_dict, skipped)`` with ``return_skipped=True``.

    Raises:
        FileNotFoundError: nothing at ``path_or_glob``.
        SessionReadError: with ``strict=True``, the first bad file.

    Example:
        >>> import json, pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (root / "a.json").write_text(json.dumps([{"type": 4, "data": {}, "timestamp": 1}]))
        >>> _ = (root / "b.json").write_text("{not json")
        >>> dsd, skipped = load_sessions(root, validation_fraction=0, return_skipped=True,
        ...                              cache_dir=tempfile.mkdtemp())
        >>> dsd["train"]["session_id"][:], [(p, r.split(":")[0]) for p, r in skipped]
        (['a'], [('b.json', 'not valid JSON')])
    """
    common = dict(
        corpus=os.fspath(path_or_glob),
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        split_seed=split_seed,
        max_bytes=max_bytes,
        with_events=with_events,
        cache_dir=None if cache_dir is None else os.fspath(cache_dir),
    )
    if streaming:
        builder = RRWebSessions(strict=strict, keep_errors=keep_errors, **common)
        return builder.as_streaming_dataset()
    builder = RRWebSessions(keep_errors=True, strict=strict, **common)
    try:
        builder.download_and_prepare(num_proc=num_proc)
    except datasets.exceptions.DatasetGenerationError as exc:
        if isinstance(exc.__cause__, SessionReadError):
            raise exc.__cause__ from None
        raise
    splits = builder.info.splits
    out = datasets.DatasetDict()
    skipped: list[tuple[str, str]] = []
    for name in builder.split_names():
        if splits[name].num_examples:
            ds = builder.as_dataset(name)
            errors = ds.data.column("error")
            if errors.null_count < len(errors):
                for path, reason in zip(ds.data.column("path").to_pylist(), errors.to_pylist(), strict=True):
                    if reason is not None:
                        skipped.append((path, reason))
                if not keep_errors:
                    ds = ds.filter(
                        lambda batch: [e is None for e in batch], input_columns="error", batched=True
                    )
        else:
            ds = _empty_split(builder, name)
        out[name] = ds if keep_errors else ds.remove_columns("error")
    skipped.sort()
    if strict and skipped:
        path, reason = skipped[0]
        raise SessionReadError(builder._root / path, reason)
    return (out, skipped) if return_skipped else out
