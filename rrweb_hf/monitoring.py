"""Progress for long loops: a tqdm bar updated on every file, and optional Weights & Biases logging.

:class:`Progress` counts files, sessions, events, tokens, windows, bytes, skipped files and
truncated tokens. The bar is updated on every :meth:`Progress.update` (files/s from tqdm, the rest
in its postfix); when a wandb run is attached, a snapshot (counters, elapsed seconds, throughput,
resident memory) is logged at most once per ``log_every_s`` seconds -- or on every file for corpora
of at most ``log_every_file_below`` files -- and once more on close.

:func:`init_wandb` starts a run that needs no account by default: unless ``WANDB_MODE`` is set or
an API key is configured in ``WANDB_API_KEY``, it runs in ``offline`` mode. :func:`read_wandb_history`
reads an offline run's ``.wandb`` file back (a framed protobuf log).

Example:
    >>> with Progress(total=2, desc="demo", progress=False) as progress:
    ...     progress.update(events=10, tokens=100)
    ...     progress.update(skipped=1)
    >>> snap = progress.snapshot()
    >>> snap["files"], snap["events"], snap["tokens"], snap["skipped"]
    (2, 10, 100, 1)
"""

from __future__ import annotations

import logging
import os
import resource
import struct
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

COUNTERS = ("files", "sessions", "events", "tokens", "windows", "bytes", "skipped", "truncated_tokens")


def rss_mb() -> float:
    """Resident memory of this process in MB (current on Linux, peak elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory in MB of this process (or, with ``children``, of its finished children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)


def init_wandb(
    project: str = "rrweb-hf",
    *,
    name: str | None = None,
    config: dict | None = None,
    dir: str | os.PathLike | None = None,
    mode: str | None = None,
    job_type: str | None = None,
):
    """Start a Weights & Biases run that works without an account.

    Args:
        project: wandb project name.
        name: run name (default: wandb's random one).
        config: hyper-parameters and settings to record.
        dir: folder for the ``wandb/`` run files (default ``WANDB_DIR`` or the working folder).
        mode: ``"online"``, ``"offline"`` or ``"disabled"``; default ``WANDB_MODE``, else ``"online"``
            when ``WANDB_API_KEY`` is set, else ``"offline"``.
        job_type: wandb job type, e.g. ``"prepare"``.

    Returns:
        The ``wandb`` run; call ``run.finish()`` (or pass it to :class:`Progress`, which does not
        finish it) when done. An offline run is uploaded later with ``wandb sync``.
    """
    import wandb

    mode = (
        mode or os.environ.get("WANDB_MODE") or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
    )
    if dir is not None:
        Path(dir).mkdir(parents=True, exist_ok=True)
    return wandb.init(
        project=project,
        name=name,
        config=config or {},
        dir=None if dir is None else os.fspath(dir),
        mode=mode,
        job_type=job_type,
        reinit="finish_previous",  # never log into a run someone else left open in this process
    )


class Progress:
    """Counters + a tqdm bar updated per file + throttled wandb logging.

    Args:
        total: expected number of files (None when unknown).
        desc: bar label, also the wandb metric prefix (``"prepare/files"``).
        unit: tqdm unit.
        progress: show the bar.
        wandb_run: a run from :func:`init_wandb` (or ``wandb.init``); None logs nothing.
        log_every_s: least seconds between two wandb logs.
        log_every_file_below: log on every file when ``total`` is at most this.

    Example:
        >>> progress = Progress(total=1, progress=False)
        >>> progress.update(events=3, tokens=40, bytes=2**20)
        >>> round(progress.snapshot()["mb"], 3)
        1.0
        >>> progress.close()
    """

    def __init__(
        self,
        total: int | None = None,
        desc: str = "files",
        *,
        unit: str = "file",
        progress: bool = True,
        wandb_run=None,
        log_every_s: float = 1.0,
        log_every_file_below: int = 100,
    ):
        self.total = total
        self.desc = desc
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.wandb_run = wandb_run
        self.log_every_s = log_every_s
        self.per_file = total is not None and total <= log_every_file_below
        self.logs = 0
        self.start = time.perf_counter()
        self._last_log = float("-inf")
        self._bar = tqdm(total=total, desc=desc, unit=unit, disable=not progress, dynamic_ncols=True)
        self._closed = False

    def update(self, files: int = 1, **counts: int) -> None:
        """Add to the counters (``files`` defaults to 1) and refresh the bar; maybe log to wandb.

        Args:
            files: files finished by this call.
            **counts: any of ``sessions``, ``events``, ``tokens``, ``windows``, ``bytes``,
                ``skipped``, ``truncated_tokens``.

        Raises:
            KeyError: an unknown counter name.
        """
        for key, value in counts.items():
            if key not in self.counts:
                raise KeyError(f"unknown counter {key!r}; use one of {', '.join(COUNTERS)}")
            self.counts[key] += value
        self.counts["files"] += files
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        self._bar.update(files)
        self._bar.set_postfix(
            ev_s=f"{self.counts['events'] / elapsed:,.0f}",
            tokens=self.counts["tokens"],
            skipped=self.counts["skipped"],
            refresh=False,
        )
        if self.wandb_run is not None and (
            self.per_file or time.perf_counter() - self._last_log >= self.log_every_s
        ):
            self.log()

    def snapshot(self) -> dict:
        """Counters plus ``elapsed_s``, ``files_per_s``, ``events_per_s``, ``tokens_per_s``, ``mb``,
        ``mb_per_s`` and ``memory_mb`` (current RSS)."""
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        snap = dict(self.counts)
        snap["mb"] = self.counts["bytes"] / 2**20
        snap.update(
            elapsed_s=elapsed,
            files_per_s=self.counts["files"] / elapsed,
            events_per_s=self.counts["events"] / elapsed,
            tokens_per_s=self.counts["tokens"] / elapsed,
            mb_per_s=snap["mb"] / elapsed,
            memory_mb=rss_mb(),
        )
        return snap

    def log(self) -> None:
        """Log a snapshot to the wandb run now (metrics named ``<desc>/<name>``)."""
        if self.wandb_run is None:
            return
        self.wandb_run.log({f"{self.desc}/{key}": value for key, value in self.snapshot().items()})
        self.logs += 1
        self._last_log = time.perf_counter()

    def close(self) -> None:
        """Close the bar and log a final snapshot (the wandb run itself stays open)."""
        if self._closed:
            return
        self._closed = True
        self._bar.close()
        self.log()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_HEADER = struct.Struct("<4sHB")  # ":W&B", magic 0xBEE1, version 0
_RECORD = struct.Struct("<IHB")  # crc32, length, chunk type
_BLOCK = 32768
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def iter_wandb_records(path: str | os.PathLike):
    """Yield the ``wandb_internal_pb2.Record`` messages of a ``run-*.wandb`` file.

    The file is a LevelDB-style log: a 7-byte header, then 32 KiB blocks of chunks, each with a
    7-byte header (crc32, length, type FULL/FIRST/MIDDLE/LAST); a block's tail shorter than a chunk
    header is zero padding.

    Raises:
        ValueError: the file is not a wandb run log.
    """
    from wandb.proto import wandb_internal_pb2

    data = Path(path).read_bytes()
    if len(data) < _HEADER.size or _HEADER.unpack_from(data)[0] != b":W&B":
        raise ValueError(f"{path} is not a wandb run log (no ':W&B' header); pass a run-*.wandb file")
    pos, pending = _HEADER.size, b""
    while pos + _RECORD.size <= len(data):
        left = _BLOCK - pos % _BLOCK
        if left < _RECORD.size:
            pos += left
            continue
        _crc, length, kind = _RECORD.unpack_from(data, pos)
        pos += _RECORD.size
        chunk = data[pos : pos + length]
        pos += length
        if kind == _FULL:
            pending = chunk
        elif kind == _FIRST:
            pending = chunk
            continue
        elif kind == _MIDDLE:
            pending += chunk
            continue
        elif kind == _LAST:
            pending += chunk
        else:  # zero padding at the end of a block or of a file still being written
            break
        record = wandb_internal_pb2.Record()
        record.ParseFromString(pending)
        yield record


def read_wandb_history(run_dir_or_file: str | os.PathLike, *, wait_s: float = 30.0) -> list[dict]:
    """The logged history rows of a wandb run, read from its ``.wandb`` file (works offline).

    The wandb service writes the file asynchronously: right after ``run.finish()`` returns it can
    still be empty. This waits (up to ``wait_s``) until the run's ``exit`` record is in the file.

    Args:
        run_dir_or_file: an ``offline-run-*``/``run-*`` folder or its ``run-*.wandb`` file.
        wait_s: longest wait for the ``exit`` record; 0 reads whatever is there now.

    Returns:
        One dict per ``run.log`` call, keys as logged, values JSON-decoded.

    Raises:
        TimeoutError: no ``exit`` record after ``wait_s`` (the run was not finished, or crashed).
    """
    import json

    path = Path(run_dir_or_file)
    if path.is_dir():
        found = sorted(path.glob("*.wandb")) or sorted(path.glob("**/*.wandb"))
        if not found:
            raise FileNotFoundError(f"no .wandb file under {path}; pass the run folder (wandb/offline-run-*)")
        path = found[-1]
    deadline = time.monotonic() + wait_s
    records = list(iter_wandb_records(path))
    while wait_s and not any(r.WhichOneof("record_type") == "exit" for r in records):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{path} has no exit record after {wait_s} s; call run.finish() before reading"
            )
        time.sleep(0.1)
        records = list(iter_wandb_records(path))
    rows = []
    for record in records:
        if record.WhichOneof("record_type") == "history":
            rows.append(
                {
                    item.key or "/".join(item.nested_key): json.loads(item.value_json)
                    for item in record.history.item
                }
            )
    return rows
