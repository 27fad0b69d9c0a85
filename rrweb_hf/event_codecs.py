"""Per-event encodings of rrweb data: ``@rrweb/packer`` strings and PostHog ``cv`` compressed fields.

Two products change single events rather than the file around them:

- ``@rrweb/packer`` (``record({packFn: pack})``) replaces each event by a latin-1 "binary string" of
  ``zlib(UTF-8(JSON.stringify({...event, v: "v1"})))``. :func:`unpack_event` mirrors
  ``packages/packer/src/unpack.ts``: objects pass through, a JSON-encoded event string is parsed,
  anything else is inflated and must carry ``"v": "v1"`` (the marker is dropped).
- posthog-js (``cv: "2024-10"``) replaces the FullSnapshot ``data``, the Mutation ``texts`` /
  ``attributes`` / ``removes`` / ``adds`` and the StyleSheetRule ``adds`` / ``removes`` by latin-1
  strings of ``gzip(UTF-8(JSON))`` (zstd after PostHog's anonymizer; the codec is told by the magic
  bytes). :func:`decompress_event` inflates them and drops the ``cv`` key.

Every inflation is bounded: an :class:`EventDecoder` counts the inflated bytes of all the events it
decodes and refuses to go past ``max_bytes`` (a compression bomb inside one field is stopped while
inflating, never materialised). Problems raise :class:`EventDecodeError` naming the field.

This module imports only the standard library (``zstandard`` lazily, for zstd fields), so the
tokenizer can use it and it travels with the tokenizer's remote code.

Example:
    >>> event = {"type": 4, "data": {"href": "https://a.io/", "width": 800, "height": 600}, "timestamp": 1}
    >>> packed = pack_event(event)
    >>> packed[:2] == "x\\x9c"
    True
    >>> EventDecoder().decode(packed) == event
    True
    >>> EventDecoder().decode(compress_event({"type": 2, "data": {"node": {}}, "timestamp": 5}))
    {'type': 2, 'data': {'node': {}}, 'timestamp': 5}
"""

from __future__ import annotations

import gzip
import json
import zlib

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EventDecodeError",
    "InflateLimitError",
    "EventDecoder",
    "is_encoded_event",
    "pack_event",
    "compress_event",
    "PACKER_MARK",
    "POSTHOG_CV",
]

#: Largest total inflated size one :class:`EventDecoder` accepts by default: 1 GiB (the readers' limit).
DEFAULT_MAX_BYTES = 1 << 30
#: ``@rrweb/packer``'s version marker (``MARK`` in ``packages/packer/src/base.ts``).
PACKER_MARK = "v1"
#: The only PostHog compression version (posthog-js ``compressedEventWithTime``).
POSTHOG_CV = "2024-10"

_GZIP, _ZSTD = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20


class EventDecodeError(ValueError):
    """An encoded event or field that cannot be decoded.

    Attributes:
        field: the event field that failed (``"packed event"``, ``"data"``, ``"data.adds"``, ``"cv"``).
        problem: what is wrong, in words.
    """

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"field {field!r}: {problem}")


class InflateLimitError(EventDecodeError):
    """Inflating would pass the decoder's ``max_bytes`` (a possible compression bomb)."""


def is_encoded_event(event: object) -> bool:
    """True for a packed string or a PostHog ``cv`` event (what :meth:`EventDecoder.decode` changes).

    Example:
        >>> is_encoded_event({"type": 3, "data": {}}), is_encoded_event({"cv": "2024-10"}), is_encoded_event("x")
        (False, True, True)
    """
    return isinstance(event, str) or (isinstance(event, dict) and "cv" in event)


class EventDecoder:
    """Decodes packed and PostHog-compressed events within one inflated-size budget.

    Args:
        max_bytes: largest total number of bytes inflated over all :meth:`decode` calls.

    Attributes:
        inflated: bytes inflated so far.
        packed: packed events decoded; ``compressed``: PostHog ``cv`` events decoded.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self.inflated = 0
        self.packed = 0
        self.compressed = 0

    # -------------------------------------------------------------- inflating
    def inflate(self, raw: bytes, field: str) -> bytes:
        """Inflate gzip, zlib or zstd bytes (told apart by magic bytes) within the budget."""
        left = self.max_bytes - self.inflated
        if raw[:4] == _ZSTD:
            out = self._zstd(raw, left, field)
        elif raw[:2] == _GZIP:
            out = self._zlib(raw, 31, left, field)
        elif len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0:
            out = self._zlib(raw, 15, left, field)
        else:
            raise EventDecodeError(field, f"neither gzip, zlib nor zstd (starts with {raw[:4].hex(' ')})")
        self.inflated += len(out)
        return out

    def _limit(self, field: str) -> InflateLimitError:
        return InflateLimitError(
            field,
            f"inflates past max_bytes={self.max_bytes} (possible compression bomb); raise max_bytes to read it",
        )

    def _zlib(self, raw: bytes, wbits: int, left: int, field: str) -> bytes:
        out = bytearray()
        pending = raw
        while True:
            inflater = zlib.decompressobj(wbits=wbits)
            try:
                while pending:
                    out += inflater.decompress(pending, max(left + 1 - len(out), 1))
                    if len(out) > left:
                        raise self._limit(field)
                    pending = inflater.unconsumed_tail
                    if inflater.eof:
                        break
            except zlib.error as exc:
                raise EventDecodeError(
                    field, f"corrupt {'gzip' if wbits == 31 else 'zlib'} stream: {exc}"
                ) from None
            if not inflater.eof:
                raise EventDecodeError(field, "truncated compressed stream")
            pending = inflater.unused_data
            if wbits != 31 or not pending.startswith(_GZIP):  # concatenated gzip members are valid gzip
                return bytes(out)

    def _zstd(self, raw: bytes, left: int, field: str) -> bytes:
        try:
            import zstandard
        except ImportError:  # pragma: no cover - zstandard is a dependency of rrweb_hf
            raise EventDecodeError(
                field, "zstd data needs the 'zstandard' package: pip install zstandard"
            ) from None
        try:
            with zstandard.ZstdDecompressor().stream_reader(raw) as reader:
                out = bytearray()
                while chunk := reader.read(min(_CHUNK, left + 1 - len(out))):
                    out += chunk
                    if len(out) > left:
                        raise self._limit(field)
        except zstandard.ZstdError as exc:
            raise EventDecodeError(field, f"corrupt zstd stream: {exc}") from None
        return bytes(out)

    def _json(self, s: str, field: str):
        try:
            raw = s.encode("latin-1")
        except UnicodeEncodeError:
            raise EventDecodeError(
                field, "not a latin-1 binary string (chars above U+00FF: re-encoded or mangled text)"
            ) from None
        text = self.inflate(raw, field)
        try:
            return json.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise EventDecodeError(field, f"inflated bytes are not JSON: {exc}") from None

    # --------------------------------------------------------------- events
    def decode(self, event):
        """The plain rrweb event for ``event``; plain events are returned unchanged (same object).

        Raises:
            EventDecodeError: a field that does not inflate or parse, an unknown ``cv`` or packer version.
            InflateLimitError: inflating would pass ``max_bytes``.
        """
        if isinstance(event, str):
            return self.unpack_event(event)
        if isinstance(event, dict) and "cv" in event:
            return self.decompress_event(event)
        return event

    def unpack_event(self, raw: str) -> dict:
        """Mirror of ``@rrweb/packer``'s ``unpack``: a JSON event string, or zlib + ``"v": "v1"``."""
        if raw[:1] == "{":
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            if isinstance(event, dict) and event.get("timestamp"):  # unpack.ts: JS truthiness
                return event
        if raw[:1] != "x":
            raise EventDecodeError(
                "packed event",
                f"a string {raw[:16]!r} that is neither a JSON event nor an @rrweb/packer string (zlib, 'x\\x9c...')",
            )
        event = self._json(raw, "packed event")
        if not isinstance(event, dict):
            raise EventDecodeError(
                "packed event", f"unpacks to a {type(event).__name__}, not an event object"
            )
        mark = event.pop("v", None)
        if mark != PACKER_MARK:
            raise EventDecodeError("packed event", f"packer version {mark!r}, expected {PACKER_MARK!r}")
        self.packed += 1
        return event

    def decompress_event(self, event: dict) -> dict:
        """Inflate the ``cv: "2024-10"`` fields of a posthog-js event and drop ``cv``."""
        if event["cv"] != POSTHOG_CV:
            raise EventDecodeError(
                "cv", f"unknown PostHog compression version {event['cv']!r}, expected {POSTHOG_CV!r}"
            )
        out = {k: v for k, v in event.items() if k != "cv"}
        data = out.get("data")
        kind = out.get("type")
        if kind == 2 and isinstance(data, str):
            out["data"] = self._json(data, "data")
        elif kind == 3 and isinstance(data, dict):
            data = dict(data)
            for key in ("adds", "removes", "texts", "attributes"):
                if isinstance(data.get(key), str):
                    data[key] = self._json(data[key], f"data.{key}")
            out["data"] = data
        self.compressed += 1
        return out


# ------------------------------------------------------------------ encoders (what the SDKs write)
def _latin1(raw: bytes) -> str:
    return raw.decode("latin-1")


def _js_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def pack_event(event: dict) -> str:
    """``@rrweb/packer``'s ``pack``: ``strFromU8(zlibSync(strToU8(JSON.stringify({...e, v})), true)``.

    zlib level 6 as fflate's default: the packer's real test snapshot is reproduced byte for byte; for
    longer events fflate's deflate may pick other bytes, and both decode to the same event (checked
    against ``@rrweb/packer``'s own ``pack``/``unpack``).
    """
    return _latin1(zlib.compress(_js_json({**event, "v": PACKER_MARK}), 6))


def compress_event(event: dict, codec: str = "gzip") -> dict:
    """posthog-js ``compressEvent``: the same fields as the SDK, as latin-1 gzip (or zstd) strings.

    FullSnapshot ``data``; Mutation ``texts``/``attributes``/``removes``/``adds`` (each, empty lists
    included); StyleSheetRule ``adds``/``removes`` when truthy (else the key is left out); other
    events are returned unchanged, without ``cv``.
    """

    def enc(value) -> str:
        raw = _js_json(value)
        if codec == "gzip":
            return _latin1(gzip.compress(raw, mtime=0))
        if codec == "zstd":
            import zstandard

            return _latin1(zstandard.ZstdCompressor().compress(raw))
        raise ValueError(f"codec={codec!r}: expected 'gzip' or 'zstd'")

    kind, data = event.get("type"), event.get("data")
    if kind == 2:
        return {**event, "data": enc(data), "cv": POSTHOG_CV}
    if kind == 3 and isinstance(data, dict) and data.get("source") == 0:
        fields = {k: enc(data.get(k, [])) for k in ("texts", "attributes", "removes", "adds")}
        return {**event, "data": {**data, **fields}, "cv": POSTHOG_CV}
    if kind == 3 and isinstance(data, dict) and data.get("source") == 8:
        new = {k: v for k, v in data.items() if k not in ("adds", "removes")}
        for key in ("adds", "removes"):
            if data.get(key):
                new[key] = enc(data[key])
        return {**event, "data": new, "cv": POSTHOG_CV}
    return event
