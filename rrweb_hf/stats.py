"""Corpus statistics: sessions, events, bytes, event-type and incremental-source histograms.

Example:
    >>> import rrweb_hf
    >>> stats = corpus_stats(rrweb_hf.sample_corpus(), progress=False)
    >>> stats.sessions > 0 and stats.skipped == []
    True
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from .corpus import walk_corpus
from .readers import DEFAULT_MAX_BYTES
from .rrweb_types import EventType, IncrementalSource, enum_name


@dataclass
class CorpusStats:
    """What :func:`corpus_stats` counted.

    ``event_types`` and ``incremental_sources`` are keyed by enum name (``"unknown(9)"`` for values
    rrweb does not define); ``session_lengths`` holds the event count of every session in walk order;
    ``formats`` counts the files read per recording format (:data:`rrweb_hf.formats.FORMATS`).
    """

    corpus: str
    files: int = 0
    sessions: int = 0
    events: int = 0
    bytes: int = 0
    missing_timestamps: int = 0
    event_types: Counter = field(default_factory=Counter)
    incremental_sources: Counter = field(default_factory=Counter)
    session_lengths: list[int] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    formats: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        """JSON-ready summary (the ``rrweb-hf stats --json`` output)."""
        lengths = sorted(self.session_lengths)
        return {
            "corpus": self.corpus,
            "files": self.files,
            "sessions": self.sessions,
            "events": self.events,
            "bytes": self.bytes,
            "missing_timestamps": self.missing_timestamps,
            "events_per_session": {
                "min": lengths[0] if lengths else 0,
                "median": lengths[len(lengths) // 2] if lengths else 0,
                "max": lengths[-1] if lengths else 0,
            },
            "formats": dict(sorted(self.formats.items())),
            "event_types": dict(self.event_types.most_common()),
            "incremental_sources": dict(self.incremental_sources.most_common()),
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
        }


def corpus_stats(
    corpus: str | os.PathLike,
    *,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = True,
) -> CorpusStats:
    """Count sessions, events and bytes of a corpus, by event type and incremental source.

    Args:
        corpus: a folder of session files, or one file.
        strict: raise the first read error instead of skipping the file.
        max_bytes: per-file (decompressed) size limit.
        progress: show a tqdm bar, updated on every file.

    Returns:
        A :class:`CorpusStats`; bad files are listed in ``skipped`` with their reasons.
    """
    walk = walk_corpus(corpus, strict=strict, max_bytes=max_bytes)
    stats = CorpusStats(corpus=str(corpus))
    bar = tqdm(total=len(walk), unit="file", desc="stats", disable=not progress, dynamic_ncols=True)
    with bar:
        for _path, sessions in walk.iter_files():
            if sessions:
                stats.formats[sessions[0].format] += 1
            for session in sessions:
                stats.sessions += 1
                stats.events += session.num_events
                stats.session_lengths.append(session.num_events)
                for event in session.events:
                    kind = event["type"]
                    stats.event_types[enum_name(EventType, kind)] += 1
                    if kind == EventType.IncrementalSnapshot:
                        stats.incremental_sources[
                            enum_name(IncrementalSource, event["data"].get("source"))
                        ] += 1
            bar.update(1)
            bar.set_postfix(events=stats.events, skipped=len(walk.skipped), refresh=False)
    stats.files = walk.files_read
    stats.bytes = walk.bytes_read
    stats.missing_timestamps = walk.missing_timestamps
    stats.skipped = [(str(path), reason) for path, reason in walk.skipped]
    return stats


def format_stats(stats: CorpusStats) -> str:
    """Human-readable multi-line summary of :class:`CorpusStats`."""
    summary = stats.to_dict()
    per = summary["events_per_session"]
    lines = [
        f"corpus: {stats.corpus}",
        f"files: {stats.files}   sessions: {stats.sessions}   events: {stats.events:,}   "
        f"bytes on disk: {stats.bytes:,}",
        f"events per session: min {per['min']}, median {per['median']}, max {per['max']}",
        f"events without timestamp: {stats.missing_timestamps}",
        "formats:",
    ]
    lines += [f"  {name:<24}{count:>12,}" for name, count in summary["formats"].items()]
    lines += [
        "event types:",
    ]
    lines += [f"  {name:<24}{count:>12,}" for name, count in summary["event_types"].items()]
    lines.append("incremental sources:")
    lines += [f"  {name:<24}{count:>12,}" for name, count in summary["incremental_sources"].items()]
    lines.append(f"skipped files: {len(stats.skipped)}")
    lines += [f"  {path}: {reason}" for path, reason in stats.skipped]
    return "\n".join(lines)


def plot_session_lengths(stats: CorpusStats, out: str | os.PathLike) -> Path:
    """Write a log-scale histogram of events per session to ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    lengths = np.asarray(stats.session_lengths or [1])
    bins = np.logspace(0, np.log10(max(lengths.max(), 10)), 30)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(lengths, bins=bins, color="#4c72b0")
    ax.set_xscale("log")
    ax.set_xlabel("events per session")
    ax.set_ylabel("sessions")
    ax.set_title(f"{stats.sessions} sessions, {stats.events:,} events")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def kind_token_counts(ids, event_ids, starts=None) -> Counter:
    """Tokens per event kind in token sequences with event ids (kind id -> count).

    Each event's tokens count toward the event's first token, its kind (``[EVT:...]`` / ``[SRC:...]``).
    Tokens with a negative event id (``[CLS]``, ``[SEP]``, padding) are not counted.

    Args:
        ids: flat token ids (one sequence, or several concatenated).
        event_ids: the event id of each token.
        starts: positions where a new sequence (window) begins, besides 0; a run of an event that
            begins a window inside the event counts toward that window's first token.

    Returns:
        ``Counter`` of kind token id -> tokens.

    Example:
        >>> kind_token_counts([7, 1, 1, 9, 1], [0, 0, 0, 1, 1])
        Counter({7: 3, 9: 2})
    """
    import numpy as np

    ids = np.asarray(ids, dtype=np.int64)
    events = np.asarray(event_ids, dtype=np.int64)
    if not len(ids):
        return Counter()
    new = np.ones(len(ids), dtype=bool)
    new[1:] = events[1:] != events[:-1]
    if starts is not None:
        new[np.asarray(starts, dtype=np.int64)] = True
    run = np.cumsum(new) - 1
    heads = np.flatnonzero(new)
    lengths = np.bincount(run[events >= 0], minlength=len(heads))
    kinds = ids[heads]
    out: Counter = Counter()
    for kind, count in zip(kinds.tolist(), lengths.tolist(), strict=True):
        if count:
            out[kind] += count
    return out


def token_share(counts: Counter, tokenizer) -> dict[str, float]:
    """Share of tokens per kind, by kind token name, largest first (a window starting inside an event
    counts under ``(inside an event)``).

    Args:
        counts: from :func:`kind_token_counts`.
        tokenizer: gives the token names.

    Returns:
        ``{"[SRC:Mutation]": 0.566, ...}`` (shares sum to 1).
    """
    total = sum(counts.values()) or 1
    named: Counter = Counter()
    for kind, count in counts.items():
        name = tokenizer.convert_ids_to_tokens(int(kind))
        named[name if name.startswith(("[EVT:", "[SRC:")) else "(inside an event)"] += count
    return {name: round(count / total, 4) for name, count in named.most_common()}


def corpus_token_share(sessions, tokenizer) -> dict[str, float]:
    """Share of tokens per event kind over whole sessions (``rrweb-hf stats --tokenizer``).

    Args:
        sessions: sessions (event lists or :class:`rrweb_hf.Session`).
        tokenizer: an RRWebTokenizer.

    Returns:
        As :func:`token_share`.
    """
    counts: Counter = Counter()
    for session in sessions:
        ids, event_ids = tokenizer.encode_session(getattr(session, "events", session))
        counts.update(kind_token_counts(ids, event_ids))
    return token_share(counts, tokenizer)
