"""Train straight from raw session files: a map-style torch ``Dataset`` with an LRU of encoded files.

:class:`FileIndex` keeps only compact per-file metadata -- the relative paths packed into one
``bytes`` blob with ``uint32`` offsets, plus sizes, mtimes and a "bad" flag as numpy arrays, about
70 bytes per file -- and never file contents. :class:`LazyWindowDataset` reads and tokenizes a file
when one of its items is asked for, keeps the encoded ids of the ``cache_size`` most recently used
files (LRU), and returns a random window of the session, framed by ``RRWebTokenizer.frame_windows``
(deterministic for a given ``seed``, epoch and index). :meth:`LazyWindowDataset.cache_info` reports hits, misses and the hit rate.

A bad file (corrupt JSON, broken gzip, not rrweb, ...) is flagged in the index and listed in
``skipped`` with its reason; its items are served from the next good file (real tokens, never
invented ones). :meth:`LazyWindowDataset.warm_up` reads every file once up front (tqdm bar per
file, optional wandb logging), flagging bad files before training.

Each ``DataLoader`` worker holds its own copy of the cache (workers are separate processes).

Example:
    >>> import json, pathlib, tempfile
    >>> from rrweb_hf.tokenization_rrweb import RRWebTokenizer
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> event = {"type": 4, "data": {"href": "https://a.io/", "width": 800, "height": 600}, "timestamp": 1}
    >>> _ = (root / "a.json").write_text(json.dumps([event] * 50))
    >>> ds = LazyWindowDataset(root, RRWebTokenizer(), max_length=16, cache_size=8)
    >>> item = ds[0]
    >>> len(item["input_ids"]) == 16, ds[0] == item, ds.cache_info()["hits"]
    (True, True, 1)
"""

from __future__ import annotations

import logging
import os
import random
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

from .corpus import corpus_files, read_or_skip
from .monitoring import Progress
from .readers import DEFAULT_MAX_BYTES
from .sessions import relative_path

logger = logging.getLogger(__name__)


class FileIndex:
    """Compact metadata of a corpus's files: packed relative paths, sizes, mtimes, bad flags.

    Args:
        corpus: folder, file or glob (see :func:`rrweb_hf.sessions.resolve_corpus`).

    Attributes:
        root: folder the stored paths are relative to.
        sizes, mtimes_ns: ``int64`` arrays; ``bad``: ``bool`` array set by the dataset.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (root / "a.json").write_text("[]")
        >>> index = FileIndex(root)
        >>> len(index), index.path(0).name, index.nbytes < 200
        (1, 'a.json', True)
    """

    def __init__(self, corpus: str | os.PathLike):
        root, files = corpus_files(corpus)
        self.root = root
        blob = bytearray()
        offsets = np.zeros(len(files) + 1, dtype=np.uint32 if len(files) < 2**24 else np.uint64)
        sizes = np.zeros(len(files), dtype=np.int64)
        mtimes = np.zeros(len(files), dtype=np.int64)
        for i, path in enumerate(files):
            blob += relative_path(path, root).encode()
            offsets[i + 1] = len(blob)
            try:
                stat = os.stat(path)
                sizes[i], mtimes[i] = stat.st_size, stat.st_mtime_ns
            except OSError:
                sizes[i] = -1
        if len(blob) >= 2**32 and offsets.dtype == np.uint32:  # pragma: no cover - >4 GB of names
            raise ValueError("file names exceed 4 GB in total; split the corpus")
        self._blob = bytes(blob)
        self._offsets = offsets
        self.sizes = sizes
        self.mtimes_ns = mtimes
        self.bad = np.zeros(len(files), dtype=bool)

    def __len__(self) -> int:
        return len(self.sizes)

    def relpath(self, i: int) -> str:
        """Path of file ``i`` relative to :attr:`root`."""
        return self._blob[self._offsets[i] : self._offsets[i + 1]].decode()

    def path(self, i: int) -> Path:
        """Full path of file ``i``."""
        return self.root / self.relpath(i)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index (blob + arrays), without Python object headers."""
        return len(self._blob) + sum(a.nbytes for a in (self._offsets, self.sizes, self.mtimes_ns, self.bad))


class LazyWindowDataset(torch.utils.data.Dataset):
    """Random windows of rrweb sessions, tokenized on demand from the raw files.

    Args:
        corpus: folder, file or glob of session files.
        tokenizer: an ``RRWebTokenizer`` (needs ``encode_session`` and ``frame_windows``).
        max_length: window length including ``[CLS]``/``[SEP]``.
        windows_per_file: items per file per epoch (``len(ds) = files * windows_per_file``).
        cache_size: encoded files kept (LRU); 0 disables the cache.
        seed: base seed of the window positions; with :meth:`set_epoch`, item ``i`` is the same
            window for the same seed and epoch.
        max_bytes: largest (decompressed) file accepted.
        return_tensors: ``"pt"`` for ``torch.long`` tensors, None for lists.

    Raises:
        ValueError: bad ``max_length``/``windows_per_file``/``cache_size``.
        FileNotFoundError: no corpus at ``corpus``.
    """

    def __init__(
        self,
        corpus: str | os.PathLike,
        tokenizer,
        *,
        max_length: int = 512,
        windows_per_file: int = 1,
        cache_size: int = 256,
        seed: int = 0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        return_tensors: str | None = None,
    ):
        if max_length < 3:
            raise ValueError(f"max_length={max_length} leaves no room besides [CLS] and [SEP]; use >= 3")
        if windows_per_file < 1:
            raise ValueError(f"windows_per_file={windows_per_file} must be >= 1")
        if cache_size < 0:
            raise ValueError(f"cache_size={cache_size} must be >= 0 (0 disables the cache)")
        if return_tensors not in (None, "pt"):
            raise ValueError(f"return_tensors={return_tensors!r}: use 'pt' or None")
        self.index = FileIndex(corpus)
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.windows_per_file = windows_per_file
        self.cache_size = cache_size
        self.seed = seed
        self.epoch = 0
        self.max_bytes = max_bytes
        self.return_tensors = return_tensors
        self.skipped: list[tuple[str, str]] = []
        self._cache: OrderedDict[int, list[np.ndarray]] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self.index) * self.windows_per_file

    def set_epoch(self, epoch: int) -> None:
        """Draw new window positions (call once per epoch)."""
        self.epoch = epoch

    def cache_info(self) -> dict:
        """``hits``, ``misses``, ``hit_rate``, ``size`` (files cached) and ``maxsize``."""
        total = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hits / total if total else 0.0,
            "size": len(self._cache),
            "maxsize": self.cache_size,
        }

    def clear_cache(self) -> None:
        """Empty the LRU and reset the hit/miss counters."""
        self._cache.clear()
        self.hits = self.misses = 0

    def encoded(self, file_index: int) -> list[np.ndarray] | None:
        """Encoded ids (one ``int32`` array per session) of a file, through the LRU; None if bad."""
        cached = self._cache.get(file_index)
        if cached is not None:
            self.hits += 1
            self._cache.move_to_end(file_index)
            return cached
        self.misses += 1
        if self.index.bad[file_index]:
            return None
        encoded = self._read(file_index)
        if encoded is not None and self.cache_size:
            self._cache[file_index] = encoded
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return encoded

    def _read(self, file_index: int, counts: dict | None = None) -> list[np.ndarray] | None:
        relpath = self.index.relpath(file_index)
        result, reason = read_or_skip(
            self.index.root / relpath, root=self.index.root, max_bytes=self.max_bytes, name=relpath
        )
        if result is None:
            self._mark_bad(file_index, reason)
            return None
        encoded = []
        for session in result.sessions:
            ids, _ = self.tokenizer.encode_session(session.events)
            encoded.append(np.asarray(ids, dtype=np.int32))
            if counts is not None:
                counts["events"] = counts.get("events", 0) + session.num_events
                counts["tokens"] = counts.get("tokens", 0) + len(ids)
        return encoded

    def _mark_bad(self, file_index: int, reason: str) -> None:
        self.index.bad[file_index] = True
        self.skipped.append((self.index.relpath(file_index), reason))

    def warm_up(self, *, progress: bool = True, wandb_run=None, limit: int | None = None) -> dict:
        """Read and encode files up front (the first ``limit``, default all), filling the cache.

        Bad files are flagged and listed in :attr:`skipped`. Shows a tqdm bar per file.

        Returns:
            The final :meth:`rrweb_hf.monitoring.Progress.snapshot` (files, events, tokens, skipped...).
        """
        total = len(self.index) if limit is None else min(limit, len(self.index))
        with Progress(total=total, desc="warm-up", progress=progress, wandb_run=wandb_run) as bar:
            for i in range(total):
                counts: dict = {}
                before = len(self.skipped)
                if i in self._cache or self.index.bad[i]:
                    bar.update(bytes=int(self.index.sizes[i]))
                    continue
                encoded = self._read(i, counts)
                self.misses += 1
                if encoded is not None and self.cache_size:
                    self._cache[i] = encoded
                    if len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
                bar.update(
                    bytes=max(int(self.index.sizes[i]), 0), skipped=len(self.skipped) - before, **counts
                )
        return bar.snapshot()

    def __getitem__(self, i: int) -> dict:
        if not 0 <= i < len(self):
            raise IndexError(f"index {i} out of range for {len(self)} items")
        file_index = i // self.windows_per_file
        for _ in range(len(self.index)):
            encoded = self.encoded(file_index)
            if encoded:
                break
            file_index = (file_index + 1) % len(self.index)  # a bad file: the next good one
        else:
            raise RuntimeError(
                f"no readable session in {len(self.index)} files under {self.index.root}; "
                f"see .skipped, e.g. {self.skipped[:1]}"
            )
        rng = random.Random(f"{self.seed}:{self.epoch}:{i}")  # str seeds go through sha512: stable everywhere
        ids = encoded[rng.randrange(len(encoded))]
        room = self.max_length - 2
        start = rng.randrange(max(len(ids) - room, 0) + 1)
        rows = self.tokenizer.frame_windows(ids, None, [(start, min(start + room, len(ids)))])
        if self.return_tensors == "pt":
            return {name: torch.tensor(values[0], dtype=torch.long) for name, values in rows.items()}
        return {name: values[0] for name, values in rows.items()}
