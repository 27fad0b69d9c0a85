"""Recording formats: detect the container a file uses and turn it into plain rrweb sessions.

:func:`rrweb_hf.readers.read_file` (and so every command, :func:`~rrweb_hf.walk_corpus` and
:func:`~rrweb_hf.load_sessions`) calls :func:`parse_file` on the bytes of every file. The format is
told from the content, not from the file name (only snappy and envelope files need their suffix):

=============================  ============================================================================
format                         shape
=============================  ============================================================================
``rrweb``                      a JSON array of rrweb events, or ``{"events": [...], ...}``
``rrweb-jsonl``                one event per line, grouped by ``sessionId`` / ``session_id``
``rrweb-packer``               an array of ``@rrweb/packer`` strings (zlib, latin-1, ``"v": "v1"``),
                               JSON event strings and plain events, mixed
``posthog-compressed``         an array of posthog-js events, some with ``cv: "2024-10"`` gzip/zstd fields
``posthog-export-2023-04-28``  ``{"version": "2023-04-28", "data": {"id"?, "snapshots": [... windowId ...]}}``
``posthog-export-2022-12-02``  ``{"version": "2022-12-02", "data": {"snapshotsByWindowId": {...}}}``
``posthog-export-legacy``      the unversioned 2022 player data ``{"metadata", "snapshotsByWindowId"}``
``posthog-blob-v1``            JSONL, ``{"window_id": ..., "data": [events]}`` per line
``posthog-blob-v2``            JSONL, ``[windowId, event]`` per line; as text, or raw snappy blocks
                               (``.snappy``; concatenated or 4-byte big-endian length-prefixed)
``posthog-capture``            posthog-js ``$snapshot`` capture events (``properties.$snapshot_data``,
                               ``$session_id``, ``$window_id``): a list, a ``{"batch": [...]}`` body, or JSONL
``sentry-segment``             one Sentry Replay segment: an event array holding Sentry custom events
``sentry-segments``            the recording-segments API response: a list of segments (event arrays)
``sentry-recording-item``      a ``replay_recording`` item payload: ``{"segment_id": N}\\n`` + zlib or JSON
``sentry-envelope``            a Sentry envelope (``.envelope``) with ``replay_event`` / ``replay_recording`` items
``sentry-segment-folder``      a folder of ``replay_recording`` item files, one segment each: one session
                               (:func:`read_segment_folder`; how a folder is recognised:
                               :func:`rrweb_hf.corpus.segment_folder_files`)
=============================  ============================================================================

Decisions:

- **Windows.** A PostHog window (browser tab) has its own Meta, FullSnapshot and node ids, so each
  window is its own session ``<session id>/<window id>`` (the session id is the export's ``id``, else
  the file path). The DOM mirror of every session is therefore exact. ``windowId`` is removed from the
  events; ``Session.metadata`` gets ``window_id``. PostHog's ``person`` is never kept (personal data).
- **Order.** Events keep file order, except: PostHog windows are sorted by ``timestamp`` (as the
  player does), and Sentry events are sorted by ``timestamp`` after Sentry custom events in seconds
  (``performanceSpan``, old ``breadcrumb``; the SDK's rule ``t <= 9999999999``) are turned into
  milliseconds. Sorts are stable; a session with events without ``timestamp`` is not re-sorted.
- **Segment folders.** A folder whose every ``.json`` file is a ``replay_recording`` item (first bytes
  ``{"segment_id"``), without subfolders, is one corpus entry and one session
  (:func:`read_segment_folder`); a folder of numbered plain event arrays is not (those may be
  separate sessions): each of its files stays a session.
- **Markers.** The packer's ``"v"`` and PostHog's ``"cv"`` keys are dropped after decoding, so a
  decoded session equals its plain recording (and tokenizes to the same ids).
- **Bad input.** An undecodable event (corrupt gzip/zlib/zstd field, mangled latin-1 string, unknown
  ``cv`` or packer version) raises :class:`~rrweb_hf.readers.EncodedFieldError` naming the file, the
  event and the field in strict mode; in lenient mode that event is left out and listed in
  ``FileResult.bad_lines`` as ``("event 7", reason)`` (``"3:event 0"`` for JSONL line 3). Inflating
  past ``max_bytes`` (over all fields of the file) always refuses the file
  (:class:`~rrweb_hf.readers.TooLargeError`).

Example:
    >>> from rrweb_hf.event_codecs import pack_event
    >>> events = [{"type": 4, "data": {"href": "https://a.io/"}, "timestamp": 1}, {"type": 1, "data": {}, "timestamp": 2}]
    >>> doc = json.dumps([pack_event(events[0]), events[1]]).encode()
    >>> result = parse_file("s.json", doc, default_id="s")
    >>> result.format, result.sessions[0].events == events
    ('rrweb-packer', True)
"""

from __future__ import annotations

import json
import os
import re
import struct
from collections.abc import Iterable

from .event_codecs import EventDecodeError, EventDecoder, InflateLimitError, is_encoded_event
from .jsonutil import JSONDecodeError, loads
from .readers import (
    DEFAULT_MAX_BYTES,
    CompressionError,
    EncodedFieldError,
    FileResult,
    NotJSONError,
    SchemaError,
    Session,
    TooLargeError,
    UnknownFormatError,
    _session_id_of,
    check_event,
)

__all__ = [
    "FORMATS",
    "SNAPPY_SUFFIXES",
    "ENVELOPE_SUFFIXES",
    "parse_file",
    "read_segment_folder",
    "sentry_timestamp_ms",
    "snappy_blocks",
    "encode_snappy_blocks",
    "convert_corpus",
]

#: Every format name :func:`parse_file` reports (``FileResult.format`` / ``Session.format``).
FORMATS = (
    "rrweb",
    "rrweb-jsonl",
    "rrweb-packer",
    "posthog-compressed",
    "posthog-export-2023-04-28",
    "posthog-export-2022-12-02",
    "posthog-export-legacy",
    "posthog-blob-v1",
    "posthog-blob-v2",
    "posthog-capture",
    "sentry-segment",
    "sentry-segments",
    "sentry-recording-item",
    "sentry-envelope",
    "sentry-segment-folder",
)
SNAPPY_SUFFIXES = (".jsonl.snappy", ".snappy")
ENVELOPE_SUFFIXES = (".envelope",)
#: ``data.tag`` values of Sentry Replay's custom events (``replayFrame.ts``).
SENTRY_TAGS = frozenset({"breadcrumb", "performanceSpan", "options"})
_SECONDS_MAX = 9_999_999_999  # Sentry util/timestamp.ts: larger values are already milliseconds


class _Reader:
    """State of one file's parse: the decoder (one inflate budget), strictness and skips."""

    def __init__(self, path, default_id: str, strict: bool, max_bytes: int):
        self.path = os.fspath(path)
        self.default_id = default_id
        self.strict = strict
        self.decoder = EventDecoder(max_bytes)
        self.bad: list[tuple[int | str, str]] = []

    def fail(self, where: str, exc: EventDecodeError):
        if isinstance(exc, InflateLimitError):
            raise TooLargeError(self.path, f"too large: {where}: {exc}") from None
        reason = f"broken compressed field: {where}: {exc}"
        if self.strict:
            raise EncodedFieldError(self.path, reason, where=where, field=exc.field) from None
        self.bad.append((where, reason))

    def events(self, items: list, where: str = "event", check: bool = True) -> list:
        """Decode every item of ``items``; schema problems raise, decode problems follow ``strict``."""
        out = []
        decode = self.decoder.decode
        for index, item in enumerate(items):
            if is_encoded_event(item):
                try:
                    item = decode(item)
                except EventDecodeError as exc:
                    self.fail(f"{where} {index}", exc)
                    continue
            if check:
                problem = check_event(item)
                if problem is not None:
                    raise SchemaError(self.path, f"not rrweb events: {where} {index}: {problem}")
            out.append(item)
        return out

    def event_format(self, plain: str = "rrweb") -> str:
        if self.decoder.compressed:
            return "posthog-compressed"
        if self.decoder.packed:
            return "rrweb-packer"
        return plain

    def session(self, session_id: str, events: list, metadata: dict, fmt: str) -> Session:
        missing = sum("timestamp" not in e for e in events)
        return Session(session_id, self.path, events, metadata, missing, fmt)


# ------------------------------------------------------------------------------------------ helpers
def sentry_timestamp_ms(event: dict) -> dict:
    """``event`` with a Sentry custom event's timestamp in milliseconds (the SDK's ``timestampToMs``).

    Example:
        >>> sentry_timestamp_ms({"type": 5, "timestamp": 1670433921.571, "data": {"tag": "breadcrumb"}})["timestamp"]
        1670433921571.0
    """
    stamp = event.get("timestamp")
    if (
        event.get("type") == 5
        and isinstance(stamp, (int, float))
        and not isinstance(stamp, bool)
        and 0 < stamp <= _SECONDS_MAX
    ):
        return {**event, "timestamp": round(stamp * 1000, 3)}
    return event


def _is_sentry(events: list) -> bool:
    return any(
        e.get("type") == 5 and isinstance(e.get("data"), dict) and e["data"].get("tag") in SENTRY_TAGS
        for e in events
    )


def _sort_by_time(events: list) -> list:
    if all("timestamp" in e for e in events):
        return sorted(events, key=lambda e: e["timestamp"])  # stable: ties keep file order
    return events


def _sentry(events: list) -> list:
    return _sort_by_time([sentry_timestamp_ms(e) for e in events])


def _windows(reader: _Reader, pairs: Iterable[tuple[object, dict]], session_id: str, meta: dict, fmt: str):
    """Group ``(window id, event)`` pairs into one time-sorted session per window."""
    groups: dict[str, list] = {}
    for window, event in pairs:
        event = {k: v for k, v in event.items() if k != "windowId"}
        groups.setdefault("" if window is None else str(window), []).append(event)
    sessions = []
    for window, events in groups.items():
        sid = f"{session_id}/{window}" if window else session_id
        sessions.append(
            reader.session(sid, _sort_by_time(events), {**meta, "window_id": window or None}, fmt)
        )
    return sessions


def _need_list(reader: _Reader, value, what: str) -> list:
    if not isinstance(value, list):
        raise SchemaError(reader.path, f"not rrweb events: {what} must be a list, got {type(value).__name__}")
    return value


# ------------------------------------------------------------------------------------------ JSON
def _posthog_export(reader: _Reader, doc: dict) -> list[Session]:
    version, data = doc.get("version"), doc.get("data")
    if version is None:  # pre-2022-12 raw SessionPlayerData
        data, fmt = doc, "posthog-export-legacy"
    elif version in ("2022-12-02", "2023-04-28"):
        fmt = f"posthog-export-{version}"
    else:
        raise UnknownFormatError(
            reader.path,
            f"not rrweb events: unknown format: PostHog export version {version!r}; expected '2023-04-28' or '2022-12-02'",
        )
    if not isinstance(data, dict):
        raise SchemaError(reader.path, f"not rrweb events: the export's 'data' is a {type(data).__name__}")
    session_id = _session_id_of(data) or (str(data["id"]) if data.get("id") else reader.default_id)
    meta = {"posthog_export_version": version}
    if fmt == "posthog-export-2023-04-28":
        snapshots = _need_list(reader, data.get("snapshots"), "'data.snapshots'")
        events = reader.events(snapshots, "snapshot")
        pairs = [(e.get("windowId"), e) for e in events]
    else:
        by_window = data.get("snapshotsByWindowId")
        if not isinstance(by_window, dict):
            raise SchemaError(reader.path, "not rrweb events: 'snapshotsByWindowId' must be an object")
        pairs = []
        for window, items in by_window.items():
            items = _need_list(reader, items, f"window {window!r}")
            pairs += [(window, e) for e in reader.events(items, f"window {window!r} event")]
    if not pairs:
        raise SchemaError(reader.path, "not rrweb events: the export holds no events")
    return _windows(reader, pairs, session_id, meta, fmt)


def _is_capture(obj) -> bool:
    return (
        isinstance(obj, dict) and obj.get("event") == "$snapshot" and isinstance(obj.get("properties"), dict)
    )


def _capture(reader: _Reader, captures: list, where: str) -> list[Session]:
    """posthog-js ``$snapshot`` capture events -> one session per ``($session_id, $window_id)``."""
    by_session: dict[str, list] = {}
    for k, capture in enumerate(captures):
        props = capture["properties"]
        items = _need_list(reader, props.get("$snapshot_data"), f"{where} {k} '$snapshot_data'")
        sid = str(props.get("$session_id") or reader.default_id)
        window = props.get("$window_id")
        by_session.setdefault(sid, []).extend((window, e) for e in reader.events(items, f"{where} {k} event"))
    sessions = []
    for sid, pairs in by_session.items():
        sessions += _windows(reader, pairs, sid, {}, "posthog-capture")
    return sessions


def _json_document(reader: _Reader, doc) -> tuple[str, list[Session]]:
    if isinstance(doc, dict):
        if "events" in doc:
            metadata = {k: v for k, v in doc.items() if k != "events"}
            events = _need_list(reader, doc["events"], "'events'")
            if not events:
                raise SchemaError(reader.path, "not rrweb events: the session has no events")
            events = reader.events(events)
            fmt = reader.event_format()
            sid = (
                _session_id_of(metadata)
                or (_session_id_of(events[0]) if events else None)
                or reader.default_id
            )
            return fmt, [reader.session(sid, events, metadata, fmt)]
        if _is_capture(doc) or (
            isinstance(doc.get("batch"), list) and doc["batch"] and all(map(_is_capture, doc["batch"]))
        ):
            return "posthog-capture", _capture(
                reader, doc["batch"] if "batch" in doc else [doc], "capture event"
            )
        if "snapshotsByWindowId" in doc or ("version" in doc and isinstance(doc.get("data"), dict)):
            sessions = _posthog_export(reader, doc)
            return sessions[0].format, sessions
        raise UnknownFormatError(
            reader.path,
            "not rrweb events: unknown format: an object without an 'events' array (nor a PostHog export: 'version' + 'data', "
            f"or 'snapshotsByWindowId'); top-level keys: {sorted(doc)[:8]}",
        )
    if not isinstance(doc, list):
        raise SchemaError(
            reader.path, f"not rrweb events: expected a list of events, got {type(doc).__name__}"
        )
    if not doc:
        raise SchemaError(reader.path, "not rrweb events: the session has no events")
    if all(_is_capture(item) for item in doc):  # posthog-js $snapshot capture events
        return "posthog-capture", _capture(reader, doc, "capture event")
    if all(isinstance(item, list) for item in doc):  # Sentry recording-segments API: [[ev, ...], ...]
        events = []
        for k, segment in enumerate(doc):
            events += reader.events(segment, f"segment {k} event")
        if not events:
            raise SchemaError(reader.path, f"not rrweb events: {len(doc)} Sentry segments, all empty")
        return "sentry-segments", [reader.session(reader.default_id, _sentry(events), {}, "sentry-segments")]
    events = reader.events(doc)
    if not events:
        raise SchemaError(reader.path, "not rrweb events: no event could be decoded")
    fmt = reader.event_format()
    if fmt == "rrweb" and _is_sentry(events):
        fmt, events = "sentry-segment", _sentry(events)
    sid = _session_id_of(events[0]) or reader.default_id
    return fmt, [reader.session(sid, events, {}, fmt)]


# ------------------------------------------------------------------------------------------ JSONL
def _jsonl(reader: _Reader, data: bytes, blob_format: str | None = None) -> tuple[str, list[Session]]:
    plain: dict[str, list] = {}
    pairs: list[tuple[object, dict]] = []
    kinds: set[str] = set()
    captured: dict[str, tuple[dict, list]] = {}  # posthog-js $snapshot lines, by session/window id
    bad = reader.bad
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except JSONDecodeError as exc:
            if reader.strict:
                raise NotJSONError(reader.path, f"not valid JSON at line {lineno}: {exc}") from None
            bad.append((lineno, f"not valid JSON: {exc}"))
            continue
        if _is_capture(obj):
            kinds.add("posthog-capture")
            try:
                for session in _capture(reader, [obj], f"line {lineno}"):
                    captured.setdefault(session.session_id, (session.metadata, []))[1].extend(session.events)
            except SchemaError as exc:
                if reader.strict:
                    raise
                bad.append((lineno, exc.reason))
            continue
        if isinstance(obj, list) and len(obj) == 2 and not isinstance(obj[0], (dict, list)):
            kinds.add("posthog-blob-v2")  # [windowId, event]
            window, items = obj[0], [obj[1]]
        elif (
            isinstance(obj, dict)
            and isinstance(obj.get("data"), list)
            and ("window_id" in obj or "windowId" in obj)
        ):
            kinds.add("posthog-blob-v1")
            window, items = obj.get("window_id") or obj.get("windowId"), obj["data"]
        else:
            window, items = None, [obj]
        events = []
        for k, item in enumerate(items):
            where = f"{lineno}:event {k}" if window is not None else lineno
            if is_encoded_event(item):
                try:
                    item = reader.decoder.decode(item)
                except EventDecodeError as exc:
                    reader.fail(f"line {lineno} event {k}" if window is not None else f"line {lineno}", exc)
                    continue
            problem = check_event(item)
            if problem is not None:
                if reader.strict:
                    raise SchemaError(reader.path, f"not rrweb events: line {lineno}: {problem}")
                bad.append((where, problem))
                continue
            events.append(item)
        if window is None:
            for event in events:
                plain.setdefault(_session_id_of(event) or reader.default_id, []).append(event)
        else:
            pairs += [(window, e) for e in events]
    if not plain and not pairs and not captured:
        if bad:
            raise SchemaError(reader.path, f"not rrweb events: no valid event lines ({len(bad)} bad)")
        raise NotJSONError(reader.path, "not valid JSON: empty file")
    fmt = blob_format or (sorted(kinds)[0] if kinds else reader.event_format("rrweb-jsonl"))
    sessions = [
        reader.session(sid, events, {}, reader.event_format("rrweb-jsonl")) for sid, events in plain.items()
    ]
    if pairs:
        sessions += _windows(reader, pairs, reader.default_id, {}, fmt)
    for sid, (meta, events) in captured.items():
        sessions.append(reader.session(sid, _sort_by_time(events), meta, "posthog-capture"))
    return fmt, sessions


# ------------------------------------------------------------------------------------------ snappy
def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 35:
            raise ValueError("bad length varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _snappy_block_end(buf: bytes, pos: int) -> tuple[int, int]:
    """End offset and uncompressed length of the raw snappy block starting at ``pos`` (no output made)."""
    length, pos = _varint(buf, pos)
    made = 0
    size = len(buf)
    while made < length:
        if pos >= size:
            raise ValueError("snappy block ends early")
        tag = buf[pos]
        kind = tag & 3
        if kind == 0:  # literal
            n = tag >> 2
            pos += 1
            if n >= 60:
                extra = n - 59
                n = int.from_bytes(buf[pos : pos + extra], "little")
                pos += extra
            n += 1
            pos += n
            made += n
        elif kind == 1:
            made += ((tag >> 2) & 7) + 4
            pos += 2
        else:
            made += (tag >> 2) + 1
            pos += 3 if kind == 2 else 5
    if made != length or pos > size:
        raise ValueError("snappy block length mismatch")
    return pos, length


def snappy_blocks(buf: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[bytes]:
    """Decompress a PostHog session batch: raw snappy blocks, concatenated or 4-byte length-prefixed.

    Tries the length-prefixed layout first (PostHog's ``isLengthPrefixedSnappy``: a first u32 that is
    > 0 and fits the buffer), then back-to-back blocks. Each block's declared length is checked
    against ``max_bytes`` (over all blocks) before it is inflated.

    Raises:
        ValueError: the bytes are neither layout (the message says why).
        OverflowError: the blocks declare more than ``max_bytes``.
    """
    import cramjam

    def inflate(spans: list[tuple[int, int, int]]) -> list[bytes]:
        total = sum(length for _, _, length in spans)
        if total > max_bytes:
            raise OverflowError(f"snappy blocks declare {total} bytes > max_bytes={max_bytes}")
        try:
            return [bytes(cramjam.snappy.decompress_raw(buf[a:b])) for a, b, _ in spans]
        except cramjam.DecompressionError as exc:
            raise ValueError(f"corrupt snappy block: {exc}") from None

    spans: list[tuple[int, int, int]] = []
    first = struct.unpack(">I", buf[:4])[0] if len(buf) >= 4 else 0
    if 0 < first <= len(buf) - 4:
        try:
            pos = 0
            while pos < len(buf):
                (n,) = struct.unpack(">I", buf[pos : pos + 4])
                end, length = _snappy_block_end(buf, pos + 4)
                if end != pos + 4 + n:
                    raise ValueError("length prefix does not match the block")
                spans.append((pos + 4, end, length))
                pos = end
            return inflate(spans)
        except (ValueError, struct.error):
            spans = []
    pos = 0
    try:
        while pos < len(buf):
            end, length = _snappy_block_end(buf, pos)
            spans.append((pos, end, length))
            pos = end
    except ValueError as exc:
        raise ValueError(f"not snappy blocks: {exc} at byte {pos}") from None
    return inflate(spans)


def encode_snappy_blocks(lines: list[bytes], *, length_prefixed: bool = False, per_block: int = 2) -> bytes:
    """PostHog's ``SnappySessionRecorder``: JSONL cut into independent raw snappy blocks (for tests)."""
    import cramjam

    out = bytearray()
    for i in range(0, len(lines), per_block):
        block = bytes(cramjam.snappy.compress_raw(b"".join(lines[i : i + per_block])))
        if length_prefixed:
            out += struct.pack(">I", len(block))
        out += block
    return bytes(out)


# ------------------------------------------------------------------------------------------ Sentry
def _recording_item(reader: _Reader, payload: bytes, where: str) -> tuple[int, list]:
    head, sep, body = payload.partition(b"\n")
    try:
        header = json.loads(head)
    except ValueError:
        header = None
    if not sep or not isinstance(header, dict) or not isinstance(header.get("segment_id"), int):
        raise SchemaError(reader.path, f"not rrweb events: {where}: no '{{\"segment_id\": N}}' header line")
    segment = header["segment_id"]
    if body.lstrip()[:1] != b"[":
        try:
            body = reader.decoder.inflate(body, "recording body")
        except EventDecodeError as exc:
            if isinstance(exc, InflateLimitError):
                raise TooLargeError(reader.path, f"too large: {where} segment {segment}: {exc}") from None
            raise CompressionError(
                reader.path, f"broken compressed field: {where} segment {segment}: {exc}"
            ) from None
    try:
        events = loads(body)
    except JSONDecodeError as exc:
        raise NotJSONError(reader.path, f"not valid JSON: {where} segment {segment}: {exc}") from None
    return segment, reader.events(
        _need_list(reader, events, f"segment {segment}"), f"segment {segment} event"
    )


def _envelope(reader: _Reader, data: bytes) -> tuple[str, list[Session]]:
    pos, size = 0, len(data)
    segments: list[tuple[int, list]] = []
    replay_id = None
    while pos < size:
        end = data.find(b"\n", pos)
        end = size if end < 0 else end
        line = data[pos:end]
        pos = end + 1
        if not line.strip():
            continue
        try:
            header = json.loads(line)
        except ValueError as exc:
            raise NotJSONError(
                reader.path, f"not valid JSON: envelope header at byte {pos - len(line) - 1}: {exc}"
            ) from None
        if not isinstance(header, dict) or "type" not in header:
            continue  # an envelope header (event_id, sent_at, dsn ...)
        length = header.get("length")
        if isinstance(length, int) and length >= 0:
            payload, pos = data[pos : pos + length], pos + length + 1
            if len(payload) != length:
                raise SchemaError(
                    reader.path, f"not rrweb events: envelope item of {length} bytes is cut short"
                )
        else:
            end = data.find(b"\n", pos)
            end = size if end < 0 else end
            payload, pos = data[pos:end], end + 1
        if header["type"] == "replay_recording":
            segments.append(_recording_item(reader, payload, f"envelope item {len(segments)}"))
        elif header["type"] == "replay_event":
            try:
                replay_id = json.loads(payload).get("replay_id") or replay_id
            except (ValueError, AttributeError):
                pass
    if not segments:
        raise SchemaError(reader.path, "not rrweb events: the envelope has no replay_recording item")
    segment_ids, events = _join_segments(segments)
    return "sentry-envelope", [
        reader.session(
            replay_id or reader.default_id, events, {"segment_ids": segment_ids}, "sentry-envelope"
        )
    ]


def _join_segments(segments: list[tuple[int, list]]) -> tuple[list[int], list]:
    """One replay from ``(segment_id, events)`` pairs: segment order, Sentry times in ms, sorted."""
    segments = sorted(segments, key=lambda s: s[0])
    return [k for k, _ in segments], _sentry([e for _, evs in segments for e in evs])


_SEGMENT_ID = re.compile(rb'\s*\{"segment_id"\s*:\s*(\d+)\s*\}')


def read_segment_folder(
    folder: str | os.PathLike,
    files: list[str],
    *,
    default_id: str,
    strict: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FileResult:
    """Read a Sentry segment folder (one ``replay_recording`` item file per segment) as one session.

    The segments are joined in ``segment_id`` order (not file-name order), Sentry times in seconds
    become milliseconds and the replay is sorted by time, exactly as for a segments list or an
    envelope. ``max_bytes`` counts over the folder: the files' sizes together, and everything
    inflated from them (one budget), as for one file.

    Args:
        folder: the folder (``Session.path``; the session id is ``default_id``).
        files: its segment files (:func:`rrweb_hf.corpus.segment_folder_files`).
        default_id: the session id (the folder's path relative to the corpus root).
        strict: raise on a corrupt or missing segment; when False, leave it out and list it in
            ``FileResult.bad_lines`` (``("3.json", reason)``, ``("segment 2", "missing segment: ...")``).
        max_bytes: the folder's size limit.

    Raises:
        TooLargeError: the files, or what they inflate to, exceed ``max_bytes`` (in either mode).
        SessionReadError: (strict) a corrupt segment, naming its file and segment id; a missing one.
        SchemaError: two files hold the same segment id, or no segment could be read.

    Example:
        >>> import pathlib, tempfile, zlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> ev = [{"type": 4, "data": {}, "timestamp": 2}, {"type": 3, "data": {"source": 2}, "timestamp": 3}]
        >>> _ = (root / "a.json").write_bytes(b'{"segment_id": 1}\\n' + zlib.compress(json.dumps(ev[1:]).encode()))
        >>> _ = (root / "b.json").write_bytes(b'{"segment_id": 0}\\n' + json.dumps(ev[:1]).encode())
        >>> result = read_segment_folder(root, sorted(map(str, root.iterdir())), default_id="r")
        >>> result.format, result.sessions[0].events == ev, result.sessions[0].metadata
        ('sentry-segment-folder', True, {'segment_ids': [0, 1]})
    """
    from .readers import SessionReadError

    folder = os.fspath(folder)
    reader = _Reader(folder, default_id, strict, max_bytes)
    total = 0
    for name in files:
        total += os.stat(name).st_size
        if total > max_bytes:
            raise TooLargeError(
                folder,
                f"too large: its segment files hold over {max_bytes} bytes (max_bytes); raise max_bytes",
            )
    found: dict[int, tuple[str, list]] = {}
    broken: set[int] = set()
    for name in files:
        base = os.path.basename(name)
        reader.path = name  # errors name the segment file
        data = b""
        try:
            with open(name, "rb") as fh:
                data = fh.read()
            segment, events = _recording_item(reader, data, "recording item")
        except TooLargeError:
            raise
        except (SessionReadError, OSError) as exc:
            if not isinstance(exc, SessionReadError):
                exc = SessionReadError(name, f"unreadable: {exc.strerror or exc}")
            if strict:
                raise exc from None
            reader.bad.append((base, exc.reason))
            match = _SEGMENT_ID.match(data)
            if match:  # a corrupt segment is reported once, not also as missing
                broken.add(int(match.group(1)))
            continue
        if segment in found:
            raise SchemaError(
                name, f"not rrweb events: segment {segment} twice in {folder}: {found[segment][0]} and {base}"
            )
        found[segment] = (base, events)
    reader.path = folder
    missing = sorted(set(range(max([*found, *broken], default=-1) + 1)) - set(found) - broken)
    for segment in missing:
        reason = f"missing segment: no file of the folder holds segment {segment} (have {sorted(found)})"
        if strict:
            raise SchemaError(folder, f"not rrweb events: {reason}")
        reader.bad.append((f"segment {segment}", reason))
    segment_ids, events = _join_segments([(k, evs) for k, (_, evs) in found.items()])
    if not events:
        raise SchemaError(folder, f"not rrweb events: no event could be read ({len(reader.bad)} skipped)")
    meta = {"segment_ids": segment_ids}
    return FileResult(
        [reader.session(default_id, events, meta, "sentry-segment-folder")],
        reader.bad,
        "sentry-segment-folder",
    )


# ------------------------------------------------------------------------------------------ entry
def parse_file(
    path: str | os.PathLike,
    data: bytes,
    *,
    default_id: str,
    suffix: str = ".json",
    strict: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FileResult:
    """Detect the format of one file's (already gunzipped) bytes and read its sessions.

    Args:
        path: the file, for messages and ``Session.path``.
        data: its content (``.gz`` already inflated by :func:`~rrweb_hf.readers.read_bytes`).
        default_id: session id when the data holds none (the path relative to the corpus root).
        suffix: the file's supported suffix (:func:`~rrweb_hf.readers.corpus_suffix`).
        strict: raise on the first bad line or undecodable event instead of skipping it.
        max_bytes: largest total size inflated from compressed fields, blocks and segments.

    Returns:
        A :class:`~rrweb_hf.readers.FileResult` with ``format`` set.

    Raises:
        SessionReadError: a subclass naming the file and what is wrong.
    """
    reader = _Reader(path, default_id, strict, max_bytes)
    stripped = data.lstrip()
    if suffix in ENVELOPE_SUFFIXES:
        fmt, sessions = _envelope(reader, data)
    elif stripped.startswith(b'{"segment_id"'):
        segment, events = _recording_item(reader, data, "recording item")
        if not events:
            raise SchemaError(reader.path, f"not rrweb events: segment {segment} has no events")
        meta = {"segment_ids": [segment]}
        fmt, sessions = (
            "sentry-recording-item",
            [reader.session(default_id, _sentry(events), meta, "sentry-recording-item")],
        )
    elif suffix in SNAPPY_SUFFIXES or (
        suffix in (".jsonl", ".ndjson") and stripped[:1] not in (b"", b"[", b"{")
    ):
        # PostHog blob-v2 snappy blocks; a .jsonl holding binary (an API reply with decompress=false) too
        try:
            fmt, sessions = _jsonl(reader, b"".join(snappy_blocks(data, max_bytes)), "posthog-blob-v2")
        except OverflowError as exc:
            raise TooLargeError(path, f"too large: {exc}; raise max_bytes to read it") from None
        except ValueError as exc:
            if suffix in SNAPPY_SUFFIXES and stripped[:1] not in (b"[", b"{"):
                raise CompressionError(path, f"broken snappy: {exc}") from None
            fmt, sessions = _jsonl(reader, data)  # text after all (PostHog's player falls back the same way)
    elif suffix.startswith((".jsonl", ".ndjson")):
        fmt, sessions = _jsonl(reader, data)
    else:
        if not stripped:
            raise NotJSONError(path, "not valid JSON: empty file")
        try:
            doc = loads(data)
        except JSONDecodeError as exc:
            raise NotJSONError(path, f"not valid JSON: {exc}") from None
        fmt, sessions = _json_document(reader, doc)
    sessions = [s for s in sessions if s.events]
    if not sessions:
        raise SchemaError(path, f"not rrweb events: no event could be read ({len(reader.bad)} skipped)")
    return FileResult(sessions, reader.bad, fmt)


# ------------------------------------------------------------------------------------------ convert
def _safe_relpath(session_id: str) -> str:
    parts = [re.sub(r"[^A-Za-z0-9._-]+", "_", p) for p in session_id.replace("\\", "/").split("/")]
    parts = [p for p in parts if p not in ("", ".", "..")]
    return "/".join(parts) or "session"


def convert_corpus(
    corpus: str | os.PathLike,
    out: str | os.PathLike,
    *,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    compress: bool = False,
) -> dict:
    """Write every session of ``corpus`` (any format) as a plain rrweb event array, one file each.

    A session ``shop/s1`` becomes ``OUT/shop/s1.json`` (``.json.gz`` with ``compress=True``); a PostHog
    window ``<id>/<window>`` a file in folder ``<id>``. A Sentry segment folder (``replay_recording``
    item files, one segment each) is one replay, read as every command reads it
    (:func:`read_segment_folder`: segment order, times in ms, sorted) into ``OUT/<folder>.json``. Characters outside ``[A-Za-z0-9._-]`` become
    ``_`` and ``..`` parts are dropped, so nothing is written outside ``out``; a name taken twice gets
    ``-2``, ``-3``... The files replay in rrweb's own ``Replayer`` and read back as format ``rrweb``.

    Args:
        corpus: a folder or file of recordings in any format of :data:`FORMATS`.
        out: output folder (created).
        strict: stop at the first bad file instead of skipping it.
        max_bytes: per-file inflated-size limit.
        compress: write gzip (``.json.gz``) instead of ``.json``.

    Returns:
        ``{"sessions": n, "events": n, "formats": {format: files}, "written": [paths], "skipped":
        [(path, reason)]}``.

    Example:
        >>> import tempfile
        >>> import rrweb_hf
        >>> report = convert_corpus(rrweb_hf.sample_corpus() / "media/media-0007.json.gz", tempfile.mkdtemp())
        >>> report["sessions"], report["events"], [os.path.basename(p) for p in report["written"]]
        (1, 8, ['media-0007.json'])
    """
    import gzip as _gzip
    from collections import Counter
    from pathlib import Path

    import orjson

    from .readers import walk_corpus

    out = Path(out)
    walk = walk_corpus(corpus, strict=strict, max_bytes=max_bytes)
    taken: set[str] = set()
    written: list[str] = []
    formats: Counter = Counter()
    counts = {"events": 0}

    def emit(session_id: str, events: list) -> None:
        rel = _safe_relpath(session_id)
        name, k = rel, 1
        while name in taken:
            k += 1
            name = f"{rel}-{k}"
        taken.add(name)
        target = out / (name + (".json.gz" if compress else ".json"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            body = orjson.dumps(events)
        except TypeError:  # integers past 64 bits: the standard library writes them
            body = json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        target.write_bytes(_gzip.compress(body, mtime=0) if compress else body)
        written.append(str(target))
        counts["events"] += len(events)

    for _path, sessions in walk.iter_files():
        if sessions:
            formats[sessions[0].format] += 1
        for session in sessions:
            emit(session.session_id, session.events)
    return {
        "sessions": len(written),
        "events": counts["events"],
        "formats": dict(sorted(formats.items())),
        "written": written,
        "skipped": [(str(p), r) for p, r in walk.skipped],
    }
