"""Read rrweb sessions from the forms people have on disk.

Supported forms (by file name):

- ``*.json``: a JSON array of rrweb events (rrweb's own output), or an object holding that array
  under ``"events"``; the object's other top-level keys are kept as ``Session.metadata``.
- ``*.json.gz``: the same, gzip-compressed. Inflation stops at ``max_bytes`` (gzip bombs).
- ``*.jsonl`` / ``*.ndjson`` (optionally ``.gz``): one event per line. Events are grouped into
  sessions by a session-id field (``sessionId`` / ``session_id``) when present, one session per file
  otherwise.
- ``*.snappy`` / ``*.jsonl.snappy``: PostHog blob-v2 raw snappy blocks; ``*.envelope``: a Sentry envelope.
- a **Sentry segment folder** (:func:`rrweb_hf.corpus.segment_folder_files`): one ``replay_recording``
  item file per segment, read as one session (:func:`rrweb_hf.formats.read_segment_folder`).

Inside these, :mod:`rrweb_hf.formats` tells the product format from the content (``@rrweb/packer``
strings, PostHog ``cv`` events, exports and blob files, Sentry segments and recording items) and
decodes it; ``FileResult.format`` and ``Session.format`` name it.

Every session gets a stable ``session_id``: the one in the data when present, else the file path
relative to the corpus root without its extension (``shop/s0001.json.gz`` -> ``"shop/s0001"``).

Bad files raise a :class:`SessionReadError` subclass naming the file and the problem. A missing
``timestamp`` is not an error: rrweb's own test snapshots and some exports strip it; it is counted
in ``Session.missing_timestamps``. Which files make a corpus (folder, file, glob, URL) and how a bad
file is skipped is :mod:`rrweb_hf.corpus` (``walk_corpus``); this module reads one file.

Example:
    >>> import json, pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.json").write_text(json.dumps([{"type": 4, "data": {}, "timestamp": 1}]))
    >>> _ = (root / "bad.json").write_text("[{")
    >>> [(s.session_id, s.num_events) for s in read_file(root / "a.json", root=root).sessions]
    [('a', 1)]
    >>> try:
    ...     read_file(root / "bad.json")
    ... except NotJSONError as exc:
    ...     print(exc.reason.split(":")[0])
    not valid JSON
"""

from __future__ import annotations

import io
import logging
import math
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

#: Largest decompressed (or plain) file the readers accept by default: 1 GiB.
DEFAULT_MAX_BYTES = 1 << 30
#: File name endings the readers understand, longest first.
SUFFIXES = (
    ".json.gz",
    ".jsonl.gz",
    ".ndjson.gz",
    ".jsonl.snappy",
    ".json",
    ".jsonl",
    ".ndjson",
    ".snappy",
    ".envelope",
)
#: Keys that carry a session id, in events (JSONL) and in export objects.
SESSION_ID_KEYS = ("sessionId", "session_id")
#: Event types whose ``data`` must be an object (DomContentLoaded/Load carry ``unknown`` data).
_OBJECT_DATA_TYPES = frozenset({2, 3, 4, 5, 6, 7})
_CHUNK = 1 << 20


class SessionReadError(ValueError):
    """A file that cannot be read as rrweb sessions.

    Attributes:
        path: the offending file.
        reason: what is wrong, in words, starting with a short category (``"not valid JSON: ..."``).
    """

    category = "unreadable"

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NotJSONError(SessionReadError):
    """The bytes are not JSON (syntax error, empty file, NaN/Infinity literals, bad UTF-8)."""

    category = "not valid JSON"


class CompressionError(SessionReadError):
    """A ``.gz`` file that is not gzip or is truncated."""

    category = "broken gzip"


class TooLargeError(SessionReadError):
    """A file (or its decompressed content) larger than the configured ``max_bytes``."""

    category = "too large"


class SchemaError(SessionReadError):
    """Valid JSON that is not rrweb events (not a list, no integer ``type``, wrong field types)."""

    category = "not rrweb events"


class UnknownFormatError(SchemaError):
    """Valid JSON in none of the known shapes (an object without ``events``, an unknown export version).

    Its reasons read ``"not rrweb events: unknown format: ..."`` (a :class:`SchemaError`).
    """


class EncodedFieldError(SessionReadError):
    """A packed or compressed event that does not decode (strict mode).

    Attributes:
        where: the event (``"event 7"``, ``"line 3 event 0"``, ``"snapshot 12"``).
        field: the field that failed (``"data"``, ``"data.adds"``, ``"packed event"``, ``"cv"``).
    """

    category = "broken compressed field"

    def __init__(self, path: str | os.PathLike, reason: str, *, where: str = "", field: str = ""):
        super().__init__(path, reason)
        self.where = where
        self.field = field


class UnsupportedFileError(SessionReadError):
    """A file name with none of the supported suffixes."""

    category = "unsupported file type"


@dataclass
class Session:
    """One recorded session.

    Attributes:
        session_id: stable id (from the data, else from the path relative to the corpus root).
        path: the file the session was read from.
        events: the rrweb events, exactly as recorded, in file order.
        metadata: other top-level fields of an export object (empty for plain arrays).
        missing_timestamps: how many events have no ``timestamp``.
        format: the recording format it was read from (:data:`rrweb_hf.formats.FORMATS`).
    """

    session_id: str
    path: str
    events: list[dict]
    metadata: dict = field(default_factory=dict)
    missing_timestamps: int = 0
    format: str = "rrweb"

    @property
    def num_events(self) -> int:
        return len(self.events)

    @property
    def start_timestamp(self) -> float | None:
        """Smallest event timestamp, or None when no event has one."""
        stamps = [e["timestamp"] for e in self.events if "timestamp" in e]
        return min(stamps) if stamps else None

    @property
    def end_timestamp(self) -> float | None:
        """Largest event timestamp, or None when no event has one."""
        stamps = [e["timestamp"] for e in self.events if "timestamp" in e]
        return max(stamps) if stamps else None

    @property
    def duration_ms(self) -> float | None:
        start, end = self.start_timestamp, self.end_timestamp
        return None if start is None else end - start


@dataclass
class FileResult:
    """What :func:`read_file` found in one file.

    Attributes:
        sessions: the valid sessions in the file (several for grouped JSONL and PostHog windows).
        bad_lines: ``(line_number, reason)`` for JSONL lines skipped in lenient mode, and
            ``("event 7", reason)`` / ``("3:event 0", reason)`` for undecodable events.
        format: the file's recording format (:data:`rrweb_hf.formats.FORMATS`).
    """

    sessions: list[Session]
    bad_lines: list[tuple[int | str, str]] = field(default_factory=list)
    format: str = "rrweb"


def corpus_suffix(path: str | os.PathLike) -> str | None:
    """The supported suffix of ``path`` (``".json.gz"``, ``".jsonl"``, ...) or None."""
    name = os.path.basename(os.fspath(path)).lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


def derive_session_id(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """Session id for a file without one in its data: the path relative to ``root``, no suffix.

    Example:
        >>> derive_session_id("/data/corpus/shop/s1.json.gz", root="/data/corpus")
        'shop/s1'
    """
    path = Path(path)
    if root is not None:
        try:
            path = path.resolve().relative_to(Path(root).resolve())
        except ValueError:
            pass
    suffix = corpus_suffix(path) or ("" if path.is_dir() else path.suffix)  # a segment folder keeps its name
    text = path.as_posix()
    return text[: len(text) - len(suffix)] if suffix and text.lower().endswith(suffix) else text


def read_bytes(
    path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, *, data: bytes | None = None
) -> bytes:
    """Read a file, inflating ``.gz`` files, refusing anything over ``max_bytes``.

    Args:
        path: the file.
        max_bytes: largest accepted size, after decompression.
        data: the file's bytes as stored (still compressed for ``.gz``) when something else read
            them, e.g. Ray Data from object storage; ``path`` then only names the file.

    Returns:
        The (decompressed) content.

    Raises:
        TooLargeError: the file or its decompressed content exceeds ``max_bytes``.
        CompressionError: a ``.gz`` file that is not gzip, is corrupt, or is truncated.
    """
    path = Path(path)
    if not str(path).lower().endswith(".gz"):
        size = path.stat().st_size if data is None else len(data)
        if size > max_bytes:
            raise TooLargeError(
                path, f"too large: {size} bytes > max_bytes={max_bytes}; raise max_bytes to read it"
            )
        return path.read_bytes() if data is None else bytes(data)
    out = bytearray()
    members = 0
    in_member = False
    with open(path, "rb") if data is None else io.BytesIO(data) as fh:
        inflater = zlib.decompressobj(wbits=31)
        while chunk := fh.read(_CHUNK):
            pending = chunk
            while pending:
                if not in_member:
                    in_member, members = True, members + 1
                try:
                    out += inflater.decompress(pending, max_bytes + 1 - len(out))
                except zlib.error as exc:
                    raise CompressionError(path, f"broken gzip: {exc}") from None
                if len(out) > max_bytes:
                    raise TooLargeError(
                        path,
                        f"too large: inflates past max_bytes={max_bytes} (possible gzip bomb); "
                        "raise max_bytes to read it",
                    )
                if inflater.eof:  # concatenated gzip members are valid gzip: start the next one
                    pending, in_member = inflater.unused_data, False
                    inflater = zlib.decompressobj(wbits=31)
                else:
                    pending = inflater.unconsumed_tail
    if members == 0:
        raise CompressionError(path, "broken gzip: empty file")
    if in_member:
        raise CompressionError(path, "broken gzip: truncated stream (the file ends before the gzip trailer)")
    return bytes(out)


def check_event(event: object) -> str | None:
    """Why ``event`` is not an rrweb event, or None when it is one.

    Example:
        >>> check_event({"type": 3, "data": {"source": 1}, "timestamp": 5}) is None
        True
        >>> check_event({"type": "3"})
        "'type' must be an integer, got str"
    """
    if not isinstance(event, dict):
        return f"event must be an object, got {type(event).__name__}"
    kind = event.get("type")
    if kind is None:
        return "event has no 'type'"
    if not isinstance(kind, int) or isinstance(kind, bool):
        return f"'type' must be an integer, got {type(kind).__name__}"
    if "timestamp" in event:
        stamp = event["timestamp"]
        if not isinstance(stamp, (int, float)) or isinstance(stamp, bool) or not math.isfinite(stamp):
            return f"'timestamp' must be a finite number, got {stamp!r:.40}"
    if kind in _OBJECT_DATA_TYPES and not isinstance(event.get("data"), dict):
        return f"'data' of a type-{kind} event must be an object, got {type(event.get('data')).__name__}"
    return None


def _session_id_of(mapping: dict) -> str | None:
    for key in SESSION_ID_KEYS:
        value = mapping.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def read_file(
    path: str | os.PathLike,
    *,
    root: str | os.PathLike | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = True,
    data: bytes | None = None,
) -> FileResult:
    """Read every session in one file.

    Args:
        path: a file with one of :data:`SUFFIXES`, in any format of :mod:`rrweb_hf.formats`, or a
            Sentry segment folder (its segments joined into one session; ``max_bytes`` counts over
            all its files).
        root: corpus root; session ids derived from the path are relative to it.
        max_bytes: largest accepted (decompressed) size; larger files raise :class:`TooLargeError`, and
            so do compressed fields, snappy blocks and segments inflating past it (over the file).
        strict: raise on the first bad JSONL line or undecodable event; when False, skip them and list
            them in ``FileResult.bad_lines``. Schema problems of JSON documents fail the file either way.
        data: the file's bytes as stored, already read elsewhere (see :func:`read_bytes`).

    Returns:
        A :class:`FileResult`.

    Raises:
        SessionReadError: one of its subclasses, naming the file and what is wrong.
    """
    path = Path(path)
    suffix = corpus_suffix(path)
    if suffix is None and data is None and path.is_dir():
        from .corpus import segment_folder_files
        from .formats import read_segment_folder

        files = segment_folder_files(path)
        if files is None:
            raise UnsupportedFileError(
                path,
                "unsupported file type: a folder that is not a Sentry segment folder (every .json in it a "
                "replay_recording item starting with '{\"segment_id\"'); pass it as a corpus to read its files",
            )
        return read_segment_folder(
            path, files, default_id=derive_session_id(path, root), strict=strict, max_bytes=max_bytes
        )
    if suffix is None:
        raise UnsupportedFileError(path, f"unsupported file type: expected one of {', '.join(SUFFIXES)}")
    try:
        data = read_bytes(path, max_bytes, data=data)
    except OSError as exc:
        raise SessionReadError(path, f"unreadable: {exc.strerror or exc}") from None
    from .formats import parse_file  # formats builds on this module's types

    return parse_file(
        path,
        data,
        default_id=derive_session_id(path, root),
        suffix=suffix,
        strict=strict,
        max_bytes=max_bytes,
    )


def read_session(path: str | os.PathLike, **kwargs) -> Session:
    """Read a file that holds exactly one session (see :func:`read_file` for arguments).

    Raises:
        SchemaError: the file holds several sessions (grouped JSONL).
    """
    result = read_file(path, **kwargs)
    if len(result.sessions) != 1:
        raise SchemaError(path, f"not one session: the file holds {len(result.sessions)}; use read_file()")
    return result.sessions[0]


#: Names that moved to :mod:`rrweb_hf.corpus` (corpus resolution and the read-or-skip policy).
_MOVED_TO_CORPUS = frozenset({"corpus_paths", "iter_corpus_files", "CorpusWalk", "walk_corpus"})


def __getattr__(name: str):
    """``rrweb_hf.readers.walk_corpus`` and friends still work: they live in :mod:`rrweb_hf.corpus`."""
    if name in _MOVED_TO_CORPUS:
        from . import corpus

        return getattr(corpus, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
