"""``RRWebTokenizer``: a ``transformers`` tokenizer for rrweb session recordings.

Input is one session (a JSON string or bytes, a list of event dicts, an object with ``.events`` such
as :class:`rrweb_hf.Session`, or a dict with an ``"events"`` list) or a batch (list) of sessions.
Output is a standard :class:`~transformers.BatchEncoding` framed ``[CLS] ... [SEP]``.

Token scheme
============
Ids ``0 .. text_id_offset - 1`` are **structural** tokens (a fixed list generated from the rrweb enums
and the bin counts, saved as ``vocab.json``); ids ``>= text_id_offset`` are **text** tokens of a
byte-level BPE trained with the ``tokenizers`` library (saved as ``tokenizer_text.json``); the ids
after the text ids are the structural tokens of Sentry Replay / PostHog custom events
(:func:`~rrweb_hf.rrweb_walker.extension_tokens`, also in ``vocab.json``), numbered last so that adding
them changed no id of a plain rrweb session. Use :meth:`RRWebTokenizer.is_text_id` to tell text ids
from the others.

Per event, in order (every event yields at least one token):

1. Kind: ``[EVT:<EventType>]`` for top-level events (``[EVT:unknown]`` for future types), or
   ``[SRC:<IncrementalSource>]`` for incremental snapshots (which implies ``EventType`` 3;
   ``[SRC:unknown]`` for future sources). A malformed event (not an object, non-integer ``type``,
   wrong ``data`` type, ...) becomes ``[EVT:malformed]`` in lenient mode (the default; counted in the
   stats) and raises :class:`RRWebTokenizationError` naming the event index in strict mode.
2. Time: ``[DT:start]`` for the first timed event, then the gap to the previous timed event as
   ``[DT:k]`` meaning gap <= 0, 1, 2, 4, ... 1048576 ms (log2 buckets, last bucket open);
   ``[DT:none]`` without a usable timestamp, ``[DT:neg]`` for a negative gap. Absolute timestamps
   never enter the vocabulary.
3. Payload:

   - FullSnapshot: resets the DOM mirror; initial scroll ``[SX:k] [SY:k]``; then the tree: elements as
     ``<tag> @attr value... children </tag>`` (``<other>`` + tag name as text for unknown tags; no
     close token for void elements), ``[TXT]`` + text for non-blank text nodes (capped at
     ``max_text_chars``, ``[TRUNC]`` when cut), ``[CSS:<size>]`` instead of stylesheet text,
     ``<script>`` with its body dropped, comments dropped, ``[SHADOW]`` before shadow-root children,
     ``[NODE:Document]``/``[NODE:DocumentType]``/``[NODE:CDATA]``. Only the attributes in
     :data:`~rrweb_hf.rrweb_walker.KEPT_ATTRS` are kept (values capped at ``max_attr_chars``, URLs at
     ``max_url_chars`` with the query string replaced by ``[QUERY]``). The serialisation stops at
     ``max_snapshot_tokens`` (``[SNAPSHOT_TRUNC]``) and elements deeper than ``max_dom_depth`` are
     not shown (``[DEEP]``); the mirror still registers every node.
   - Meta ``[W:k] [H:k] [URL] href``; ViewportResize ``[W:k] [H:k]`` (160 px / 120 px bins); both
     set the viewport for coordinates.
   - MouseMove / TouchMove / Drag: ``[N:count]`` then at most ``max_path_points`` evenly spaced points
     ``[X:i] [Y:j]`` (``coord_bins`` bins of the viewport, ``[X:out]`` outside it).
   - MouseInteraction ``[MI:<type>] [PTR:<type>]? [X:i] [Y:j] target``; Scroll ``target [SX:k] [SY:k]``
     (half-viewport steps); Input ``target [MASKED:<len>]`` (or the text when input masking is off)
     ``[CHECKED]``/``[UNCHECKED]`` for checkboxes and radios; MediaInteraction ``[MEDIA:<type>] target``.
   - Mutation: ``[REMOVE] target`` per removed node, ``[ADD] <parent tag> subtree`` per added node
     (``[IFRAME]`` first for iframe attachment), ``[SET_TEXT] target text``, ``[SET_ATTR] target @attr
     value``; at most ``max_mutation_items`` per kind (then ``[MORE] [N:rest]``) and
     ``max_mutation_tokens`` per event (``[MUTATION_TRUNC]``).
   - Sentry Replay ``breadcrumb`` / ``performanceSpan`` / ``options`` and posthog-js custom events:
     ``[SENTRY:...] [CRUMB:...]`` / ``[SPAN:...]``, ``[PH:...]`` (see ``Walker.product_event``).
     Packed (``@rrweb/packer``) and PostHog ``cv`` events are decoded first (:mod:`.event_codecs`).
   - Custom ``[TAG] tag payload``; Plugin ``[TAG] plugin [LEVEL] level payload`` (payload keys as
     ``[KEY] key``, strings as text, numbers as ``[NUM]``, within ``max_payload_chars``); Asset
     ``[URL] url [FAILED]?``; other sources: counts / short text (see the walker).

   A *target* is described by what it is, never by its rrweb id: the tag token of the mirrored node
   (``<button>``, ``[NODE:Text]``, ``[NODE:Document]``) plus ``[LBL]`` and a short label (aria-label,
   name, id, placeholder, title, alt, else the node's text), or ``[TGT:unknown]`` (id not in the
   mirror) / ``[TGT:none]`` (no id).

Privacy (before vocabulary training and ids): values typed into input/textarea/select (Input events,
``value`` attributes and textarea text; not the page-defined values of
submit/button/reset/image/checkbox/radio inputs) become ``[MASKED:<length bucket>]``
while ``mask_inputs=True`` (the default); password fields (``type=password`` or a password / card
``autocomplete``) are masked always. rrweb's own ``***`` masks become ``[MASKED:...]`` too. With
``mask_pii=True`` (default, independent of ``mask_inputs``) e-mails, phone numbers, Luhn-valid card
numbers, IBANs and SSNs anywhere in text become ``[PII:email]`` etc. (see :mod:`.privacy`).

Example (see the README for a full worked example):
    >>> tok = RRWebTokenizer()  # untrained: text falls back to single bytes
    >>> events = [{"type": 4, "data": {"href": "https://a.io/x", "width": 1280, "height": 720},
    ...            "timestamp": 1000}]
    >>> tok.convert_ids_to_tokens(tok(events)["input_ids"])[:6]
    ['[CLS]', '[EVT:Meta]', '[DT:start]', '[W:8]', '[H:6]', '[URL]']
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import json
import logging
import os

import numpy as np
import orjson
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizer
from transformers.tokenization_utils_base import BatchEncoding, PaddingStrategy, TruncationStrategy

from .jsonutil import JSONDecodeError
from .jsonutil import loads as json_loads
from .rrweb_walker import (
    TEXT_CACHE_ENTRIES,
    RRWebTokenizationError,
    Walker,
    extension_tokens,
    structural_tokens,
)
from .walker_options import DEFAULT_OPTIONS, OPTION_NAMES, PROFILES, WalkerOptions

logger = logging.getLogger(__name__)

__all__ = [
    "RRWebTokenizer",
    "RRWebTokenizationError",
    "DEFAULT_OPTIONS",
    "PROFILES",
    "WalkerOptions",
    "register_auto_tokenizer",
]

VOCAB_FILES_NAMES = {"vocab_file": "vocab.json", "text_model_file": "tokenizer_text.json"}

# The options (DEFAULT_OPTIONS = dataclasses.asdict(WalkerOptions())), their checks and the PROFILES
# live in .walker_options; all of them are saved in tokenizer_config.json.


def _untrained_text_model() -> Tokenizer:
    """A byte-level BPE with only the 256 byte symbols (no merges): every string encodes, no UNK."""
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    bpe = Tokenizer(models.BPE(vocab={ch: i for i, ch in enumerate(alphabet)}, merges=[]))
    _configure_text_model(bpe)
    return bpe


def _configure_text_model(bpe: Tokenizer) -> None:
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    bpe.decoder = decoders.ByteLevel()


@dataclasses.dataclass(frozen=True)
class OutputOptions:
    """How ``RRWebTokenizer.__call__`` returns its framed rows: the padding and ``return_*`` arguments.

    ``add_special_tokens`` says whether the rows are framed ``[CLS] ... [SEP]`` (their event ids are
    None there).

    Example:
        >>> OutputOptions(return_event_ids=True).padding_strategy
        <PaddingStrategy.DO_NOT_PAD: 'do_not_pad'>
    """

    add_special_tokens: bool = True
    padding_strategy: PaddingStrategy = PaddingStrategy.DO_NOT_PAD
    max_length: int | None = None
    pad_to_multiple_of: int | None = None
    padding_side: str | None = None
    return_tensors: str | None = None
    return_token_type_ids: bool | None = None
    return_attention_mask: bool | None = None
    return_special_tokens_mask: bool = False
    return_length: bool = False
    return_event_ids: bool = False


class RRWebTokenizer(PreTrainedTokenizer):
    """Tokenizer for rrweb sessions: structural event tokens + a trained subword vocabulary for text.

    Args:
        vocab_file: ``vocab.json`` of a saved tokenizer (structural token -> id). Optional: the
            structural vocabulary is generated from the options; a saved file is checked against it.
        text_model_file: ``tokenizer_text.json`` (a ``tokenizers`` BPE). Optional: without it text is
            encoded byte by byte; :meth:`train` learns one.
        model_max_length: default ``max_length`` for truncation and windows (512).
        **kwargs: the options in :data:`DEFAULT_OPTIONS` (budgets, bins, masking flags, ``strict``)
            and the usual ``PreTrainedTokenizer`` arguments. All are saved in ``tokenizer_config.json``.

    Attributes:
        text_id_offset: first text id; ids below are structural.
        last_stats: counts of the last ``__call__``: ``sessions``, ``events``, ``malformed_events``,
            ``tokens`` (content tokens before windowing/truncation), ``windows`` (rows returned),
            ``tokens_dropped`` (content tokens cut by truncation and found in no row).
        cache: runtime state (subword caches, ``last_stats``); never pickled, and ignored by the
            ``datasets`` fingerprint hasher, so hashes do not change as the tokenizer is used.

    Raises:
        RRWebTokenizationError: in strict mode, for a malformed event or session.

    Example:
        >>> tok = RRWebTokenizer()
        >>> enc = tok([{"type": 3, "data": {"source": 2, "type": 2, "id": 9, "x": 10, "y": 10}}],
        ...           return_event_ids=True)
        >>> tok.convert_ids_to_tokens(enc["input_ids"])[1:-1]
        ['[SRC:MouseInteraction]', '[DT:none]', '[MI:Click]', '[X:0]', '[Y:0]', '[TGT:unknown]']
        >>> enc["event_ids"]
        [None, 0, 0, 0, 0, 0, 0, None]
    """

    vocab_files_names = VOCAB_FILES_NAMES
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(
        self,
        vocab_file: str | None = None,
        text_model_file: str | None = None,
        model_max_length: int = 512,
        pad_token: str = "[PAD]",
        unk_token: str = "[UNK]",
        cls_token: str = "[CLS]",
        sep_token: str = "[SEP]",
        mask_token: str = "[MASK]",
        **kwargs,
    ):
        for key in ("is_local", "local_files_only"):  # loading details from from_pretrained, not options
            kwargs.pop(key, None)
        given = {key: kwargs.pop(key) for key in OPTION_NAMES if key in kwargs}
        self._options = WalkerOptions.for_profile(**given)  # checked: names the bad value and the fix
        options = dataclasses.asdict(self._options)
        for key, value in options.items():
            setattr(self, key, value)
        tokens = structural_tokens(options["coord_bins"], options["scroll_bins"], options["size_bins"])
        self._struct_tokens = tokens
        self._struct_vocab = {t: i for i, t in enumerate(tokens)}
        self.text_id_offset = len(tokens)
        self._ext_tokens = extension_tokens()
        text_model = Tokenizer.from_file(text_model_file) if text_model_file else _untrained_text_model()
        if vocab_file is not None:
            with open(vocab_file, "rb") as fh:
                saved = orjson.loads(fh.read())
            if saved == self._struct_vocab:  # saved before the Sentry/PostHog tokens: same ids, without them
                logger.info(
                    "%s has no product-event tokens; Sentry/PostHog custom events use [TAG]", vocab_file
                )
                self._ext_tokens = []
            else:
                first = self.text_id_offset + text_model.get_vocab_size()
                expected = {**self._struct_vocab, **{t: first + i for i, t in enumerate(self._ext_tokens)}}
                if saved != expected:
                    raise ValueError(
                        f"{vocab_file} does not match the structural vocabulary generated for these options "
                        f"(coord_bins/scroll_bins/size_bins or the rrweb_hf version differ); save the "
                        f"tokenizer again with this version"
                    )
        self._set_text_model(text_model)
        super().__init__(
            model_max_length=model_max_length,
            pad_token=pad_token,
            unk_token=unk_token,
            cls_token=cls_token,
            sep_token=sep_token,
            mask_token=mask_token,
            special_tokens_pattern="cls_sep",
            **options,
            **kwargs,
        )

    # ---------------------------------------------------------------- vocab
    def _set_text_model(self, bpe: Tokenizer) -> None:
        _configure_text_model(bpe)
        self._text = bpe
        size = bpe.get_vocab_size()
        names = [bpe.id_to_token(i) for i in range(size)]
        taken = set(self._struct_vocab) | set(self._ext_tokens)
        shown = []
        for name in names:  # a text token spelled like a structural one is shown with a "#" prefix
            while name in taken:
                name = "#" + name
            taken.add(name)
            shown.append(name)
        self._text_tokens = shown
        self._text_vocab = {name: i + self.text_id_offset for i, name in enumerate(shown)}
        # Product-event tokens (Sentry / PostHog) come after the text ids, so their arrival changed no
        # id of a plain rrweb session; the walker sees them as structural tokens like the others.
        first = self.text_id_offset + len(shown)
        self._ext_vocab = {t: first + i for i, t in enumerate(self._ext_tokens)}
        self._walk_vocab = {**self._struct_vocab, **self._ext_vocab}
        # All runtime-mutable state lives in ``self.cache``: datasets' fingerprint Hasher resets an
        # attribute of that name, and __getstate__ drops it, so hashing is stable after encoding.
        self.cache = {"text": {}, "pieces": {}, "last_stats": {}}
        if hasattr(self, "total_vocab_size"):
            self._update_total_vocab_size()

    @property
    def vocab_size(self) -> int:
        """Structural + text + product-event vocabulary size (ids are ``0 .. vocab_size - 1``)."""
        return self.text_id_offset + len(self._text_tokens) + len(self._ext_tokens)

    @property
    def text_vocab_size(self) -> int:
        """Number of text (subword) ids."""
        return len(self._text_tokens)

    @property
    def last_stats(self) -> dict:
        """Counts of the last ``__call__`` (see the class docstring)."""
        return self.cache["last_stats"]

    def is_text_id(self, token_id: int) -> bool:
        """True for subword text ids, False for structural (special, product-event) ids."""
        return self.text_id_offset <= token_id < self.text_id_offset + len(self._text_tokens)

    def get_vocab(self) -> dict[str, int]:
        vocab = dict(self._struct_vocab)
        vocab.update(self._text_vocab)
        vocab.update(self._ext_vocab)
        return vocab

    def _convert_token_to_id(self, token: str) -> int:
        tid = self._walk_vocab.get(token)
        if tid is None:
            tid = self._text_vocab.get(token, self._struct_vocab["[UNK]"])
        return tid

    def _convert_id_to_token(self, index: int) -> str:
        if 0 <= index < self.text_id_offset:
            return self._struct_tokens[index]
        j = index - self.text_id_offset
        if 0 <= j < len(self._text_tokens):
            return self._text_tokens[j]
        j -= len(self._text_tokens)
        if 0 <= j < len(self._ext_tokens):
            return self._ext_tokens[j]
        return "[UNK]"

    def save_vocabulary(self, save_directory: str, filename_prefix: str | None = None) -> tuple[str, ...]:
        """Write ``vocab.json`` (structural tokens) and ``tokenizer_text.json`` (the text BPE)."""
        prefix = f"{filename_prefix}-" if filename_prefix else ""
        vocab_path = os.path.join(save_directory, prefix + VOCAB_FILES_NAMES["vocab_file"])
        text_path = os.path.join(save_directory, prefix + VOCAB_FILES_NAMES["text_model_file"])
        with open(vocab_path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(self._walk_vocab, indent=0, ensure_ascii=False) + "\n")
        with open(text_path, "w", encoding="utf-8") as fh:
            fh.write(self._text.to_str(pretty=True) + "\n")
        return (vocab_path, text_path)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["cache"] = {
            "text": {},
            "pieces": {},
            "last_stats": {},
        }  # runtime state: excluded from pickles/hashes
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ------------------------------------------------------------- encoding
    def _encode_text(self, s: str) -> list[int]:
        cache = self.cache["text"]
        ids = cache.get(s)
        if ids is None:
            off = self.text_id_offset
            ids = [off + i for i in self._text.encode(s, add_special_tokens=False).ids]
            if len(cache) >= TEXT_CACHE_ENTRIES:
                cache.clear()
            cache[s] = ids
        return ids

    def _to_events(self, session) -> list | None:
        """Events of one session, or None for an unreadable session in lenient mode."""
        if isinstance(session, (str, bytes, bytearray, memoryview)):
            try:
                obj = json_loads(session)  # orjson, with an iterative fallback past 1,024 levels
            except JSONDecodeError as exc:
                return self._bad_session(f"not valid JSON ({exc}); NaN/Infinity are not JSON")
            if isinstance(obj, dict) and isinstance(obj.get("events"), list):
                obj = obj["events"]
            if not isinstance(obj, list):
                return self._bad_session(f"JSON {type(obj).__name__} is not a list of rrweb events")
            return obj
        if isinstance(session, (list, tuple)):
            return list(session)
        events = getattr(session, "events", None)
        if events is None and isinstance(session, dict):
            events = session.get("events")
        if isinstance(events, (list, tuple)):
            return list(events)
        raise TypeError(
            f"RRWebTokenizer got a {type(session).__name__}; pass a JSON string, a list of event dicts, "
            f"an object with an .events list (rrweb_hf.Session) or a batch (list) of those"
        )

    def _bad_session(self, problem: str):
        if self.strict:
            raise RRWebTokenizationError(None, problem)
        logger.warning("malformed session: %s", problem)
        return None

    def encode_session(self, session, stats: dict | None = None) -> tuple[list[int], list[int]]:
        """Fast path: one session -> ``(ids, event_ids)`` without special tokens, padding or windows.

        Args:
            session: a JSON string/bytes, a list of event dicts, or an object with ``.events``.
            stats: optional dict; ``sessions``, ``events``, ``malformed_events`` and ``tokens`` are
                added to it.

        Returns:
            ``ids`` (structural and text ids) and ``event_ids`` (the source event index of each id;
            every event has at least one id). An unparseable string gives ``[EVT:malformed]`` with
            event id 0 in lenient mode.

        Raises:
            RRWebTokenizationError: strict mode only, naming the event index and the problem.

        Example:
            >>> tok = RRWebTokenizer()
            >>> ids, ev = tok.encode_session('[{"type": 1, "data": {}, "timestamp": 5}, {"type": 99}]')
            >>> tok.convert_ids_to_tokens(ids), ev
            (['[EVT:Load]', '[DT:start]', '[EVT:unknown]', '[DT:none]'], [0, 0, 1, 1])
        """
        # The parse allocates one object per JSON value and the walk many small lists: with the cyclic
        # GC on, its collections rescan all of them repeatedly (up to 2x slower). Nothing here creates
        # reference cycles, so it is paused for the call and restored afterwards.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            events = self._to_events(session)
            if events is not None:
                walker = Walker(self._walk_vocab, self._options, self._encode_text, self.cache["pieces"])
                walker.walk(events)
        finally:
            if gc_was_enabled:
                gc.enable()
        if events is None:
            ids, event_ids, n_events, malformed = [self._struct_vocab["[EVT:malformed]"]], [0], 1, 1
        else:
            ids, event_ids, n_events, malformed = (
                walker.ids,
                walker.event_ids,
                walker.events,
                walker.malformed,
            )
        if stats is not None:
            stats["sessions"] = stats.get("sessions", 0) + 1
            stats["events"] = stats.get("events", 0) + n_events
            stats["malformed_events"] = stats.get("malformed_events", 0) + malformed
            stats["tokens"] = stats.get("tokens", 0) + len(ids)
        return ids, event_ids

    def text_pieces(self, session) -> list[str]:
        """The masked text pieces the walker sends to the subword model (what :meth:`train` learns)."""
        gc_was_enabled = gc.isenabled()
        gc.disable()  # see encode_session
        try:
            events = self._to_events(session)
            if events is None:
                return []
            walker = Walker(self._walk_vocab, self._options, None)
            walker.walk(events)
        finally:
            if gc_was_enabled:
                gc.enable()
        return walker.texts

    def window_spans(
        self,
        event_ids: list[int],
        max_length: int | None = None,
        stride: int = 0,
        add_special_tokens: bool = True,
    ) -> list[tuple[int, int]]:
        """The ``(start, end)`` content positions of every window of :meth:`windows`, without copies.

        Args:
            event_ids: the source event per id, from :meth:`encode_session` (its length is the
                session's token count).
            max_length, stride, add_special_tokens: as in :meth:`windows`.

        Returns:
            Half-open spans in order; one ``(0, 0)`` span for an empty session.

        Example:
            >>> RRWebTokenizer().window_spans([0, 0, 1, 1, 2], max_length=5, stride=1)
            [(0, 3), (2, 5)]
        """
        max_length = self.model_max_length if max_length is None else max_length
        room = max_length - (2 if add_special_tokens else 0)
        if room < 1:
            raise ValueError(f"max_length={max_length} leaves no room for content besides [CLS] and [SEP]")
        if stride < 0 or stride >= room:
            raise ValueError(
                f"stride={stride} must be >= 0 and smaller than the content room {room} "
                f"(max_length - 2); lower stride or raise max_length"
            )
        spans = []
        n = len(event_ids)
        start = 0
        boundaries = None
        while True:
            end = min(start + room, n)
            spans.append((start, end))
            if end >= n:
                break
            if boundaries is None:
                boundaries = [i for i in range(1, n) if event_ids[i] != event_ids[i - 1]]
            target = end - stride
            j = bisect.bisect_right(boundaries, target) - 1
            lowest = start + max(1, (room - stride) // 4)
            start = boundaries[j] if j >= 0 and boundaries[j] >= lowest else target
        return spans

    def frame_windows(
        self,
        ids,
        event_ids,
        spans,
        add_special_tokens: bool = True,
        as_arrays: bool = False,
        with_masks: bool = True,
    ) -> dict[str, list]:
        """Frame content spans of an encoded session as model rows: the one windowing code.

        Every row anybody builds from a session goes through here: the tokenizer's ``__call__``
        (windows and truncation) and :meth:`windows`, ``prepare`` (both engines, through
        :func:`rrweb_hf.prepare.append_windows`), the streaming and lazy datasets and, through
        ``__call__``, the embeddings. Span ``(start, end)`` becomes ``[CLS] ids[start:end] [SEP]``
        (no frame without ``add_special_tokens``).

        Args:
            ids, event_ids: from :meth:`encode_session` (lists or arrays). ``event_ids`` may be None:
                no ``event_ids`` column then.
            spans: half-open content ranges, usually from :meth:`window_spans`.
            add_special_tokens: frame each row with ``[CLS]``/``[SEP]``.
            as_arrays: numpy rows (``int32`` ids and event ids, ``int8`` masks: dataset columns)
                instead of lists.
            with_masks: add the two mask columns (False: ``input_ids`` and ``event_ids`` only).

        Returns:
            Columns with one row per span: ``input_ids``, ``attention_mask`` (ones),
            ``special_tokens_mask`` (1 on ``[CLS]``/``[SEP]``) and ``event_ids`` (the source event per
            token; "no event" on ``[CLS]``/``[SEP]`` is None in lists, -1 in arrays).

        Raises:
            ValueError: a span outside ``[0, len(ids)]``.

        Example:
            >>> tok = RRWebTokenizer()
            >>> rows = tok.frame_windows([10, 11, 12, 13, 14], [0, 0, 1, 1, 2], [(0, 3), (2, 5)])
            >>> rows["input_ids"], rows["event_ids"][1], rows["special_tokens_mask"][0]
            ([[2, 10, 11, 12, 3], [2, 12, 13, 14, 3]], [None, 1, 1, 2, None], [1, 0, 0, 0, 1])
            >>> tok.frame_windows([10, 11, 12], [0, 0, 1], [(1, 3)], as_arrays=True)["event_ids"]
            [array([-1,  0,  1, -1], dtype=int32)]
        """
        if as_arrays:
            ids = np.asarray(ids, dtype=np.int32)
            event_ids = None if event_ids is None else np.asarray(event_ids, dtype=np.int32)
        edge = 1 if add_special_tokens else 0
        cls, sep = self.cls_token_id, self.sep_token_id
        no_event = -1 if as_arrays else None
        columns: dict[str, list] = {"input_ids": []}
        if with_masks:
            columns["attention_mask"], columns["special_tokens_mask"] = [], []
        if event_ids is not None:
            columns["event_ids"] = []
        for start, end in spans:
            if not 0 <= start <= end <= len(ids):
                raise ValueError(f"span ({start}, {end}) is outside the session's {len(ids)} tokens")
            columns["input_ids"].append(_framed(ids[start:end], cls, sep, edge, as_arrays))
            if with_masks:
                attention, special = _masks(end - start + 2 * edge, edge, as_arrays)
                columns["attention_mask"].append(attention)
                columns["special_tokens_mask"].append(special)
            if event_ids is not None:
                columns["event_ids"].append(
                    _framed(event_ids[start:end], no_event, no_event, edge, as_arrays)
                )
        return columns

    def windows(
        self,
        ids: list[int],
        event_ids: list[int],
        max_length: int | None = None,
        stride: int = 0,
        add_special_tokens: bool = True,
        stats: dict | None = None,
    ) -> list[tuple[list[int], list]]:
        """Cut an encoded session into ALL its windows, as lists (:meth:`window_spans` + :meth:`frame_windows`).

        Windows hold at most ``max_length`` ids including ``[CLS]``/``[SEP]`` when
        ``add_special_tokens``. Each window after the first starts at the latest event boundary that
        keeps at least ``stride`` tokens of overlap with the previous window and advances by at least
        a quarter of ``room - stride`` (``room = max_length - 2``); when no such boundary exists (a
        very long event) it starts exactly ``stride`` tokens before the previous window's end. Every
        token lies in at least one window.

        Args:
            ids, event_ids: from :meth:`encode_session`.
            max_length: window size (default ``model_max_length``).
            stride: minimum overlap in content tokens; must be below ``max_length - 2``.
            add_special_tokens: frame each window as ``[CLS] ... [SEP]`` (event id None there).
            stats: optional dict; ``windows`` is incremented.

        Returns:
            A list of ``(window_ids, window_event_ids)``.

        Raises:
            ValueError: ``max_length`` too small for the special tokens, or ``stride`` too large.

        Example:
            >>> tok = RRWebTokenizer()
            >>> [w for w, _ in tok.windows([10, 11, 12, 13, 14], [0, 0, 1, 1, 2], max_length=5, stride=1)]
            [[2, 10, 11, 12, 3], [2, 12, 13, 14, 3]]
            >>> tok.windows([10, 11], [0, 1], max_length=5)[0][1]
            [None, 0, 1, None]
        """
        spans = self.window_spans(event_ids, max_length, stride, add_special_tokens)
        if stats is not None:
            stats["windows"] = stats.get("windows", 0) + len(spans)
        rows = self.frame_windows(ids, event_ids, spans, add_special_tokens, with_masks=False)
        return list(zip(rows["input_ids"], rows["event_ids"], strict=True))

    # ------------------------------------------------------ transformers API
    @staticmethod
    def _is_batch(text) -> bool:
        if isinstance(text, (list, tuple)) and text:
            first = text[0]
            return not isinstance(first, dict)
        return False

    def tokenize(self, text, **kwargs) -> list[str]:
        """Token strings of one session (no special tokens); never runs the base class's trie scan."""
        return self.convert_ids_to_tokens(self.encode_session(text)[0])

    def _tokenize(self, text, **kwargs) -> list[str]:
        return self.tokenize(text)

    def _encode_plus(
        self,
        text,
        text_pair=None,
        add_special_tokens: bool = True,
        padding_strategy: PaddingStrategy = PaddingStrategy.DO_NOT_PAD,
        truncation_strategy: TruncationStrategy = TruncationStrategy.DO_NOT_TRUNCATE,
        max_length: int | None = None,
        stride: int = 0,
        is_split_into_words: bool = False,
        pad_to_multiple_of: int | None = None,
        padding_side: str | None = None,
        return_tensors=None,
        return_token_type_ids: bool | None = None,
        return_attention_mask: bool | None = None,
        return_overflowing_tokens: bool = False,
        return_special_tokens_mask: bool = False,
        return_length: bool = False,
        verbose: bool = True,
        return_event_ids: bool = False,
        **kwargs,
    ) -> BatchEncoding:
        if text_pair is not None:
            raise ValueError("RRWebTokenizer encodes single sessions; text_pair is not supported")
        if is_split_into_words:
            raise ValueError("RRWebTokenizer takes sessions, not pre-split words; drop is_split_into_words")
        for key in ("return_offsets_mapping",):
            if kwargs.pop(key, False):
                raise ValueError(f"{key}=True is not supported by RRWebTokenizer (sessions have no offsets)")
        kwargs.pop("split_special_tokens", None)
        if kwargs:
            logger.debug("RRWebTokenizer ignores keyword arguments %s", sorted(kwargs))
        batched = self._is_batch(text)
        sessions = list(text) if batched else [text]
        stats: dict = {"sessions": 0, "events": 0, "malformed_events": 0, "tokens": 0, "windows": 0}
        stats["tokens_dropped"] = 0
        truncate = truncation_strategy != TruncationStrategy.DO_NOT_TRUNCATE and max_length is not None
        if return_overflowing_tokens and max_length is None:
            max_length = self.model_max_length
        n_special = 2 if add_special_tokens else 0
        rows: dict[str, list] = {}
        mapping = []
        for idx, session in enumerate(sessions):
            ids, evs = self.encode_session(session, stats)
            if return_overflowing_tokens:
                spans = self.window_spans(evs, max_length, stride, add_special_tokens)
            else:
                limit = max_length if truncate else None
                warn = verbose and not truncate and max_length is None
                spans = [self._truncation_span(len(ids), limit, n_special, stats, warn)]
            framed = self.frame_windows(
                ids, evs, spans, add_special_tokens, with_masks=return_special_tokens_mask
            )
            for name, values in framed.items():
                rows.setdefault(name, []).extend(values)
            mapping += [idx] * len(spans)
            stats["windows"] += len(spans)
        self.cache["last_stats"] = stats
        if stats["tokens_dropped"]:
            logger.info("truncation dropped %d tokens (max_length=%s)", stats["tokens_dropped"], max_length)
        output = OutputOptions(
            add_special_tokens=add_special_tokens,
            padding_strategy=padding_strategy,
            max_length=max_length,
            pad_to_multiple_of=pad_to_multiple_of,
            padding_side=padding_side,
            return_tensors=return_tensors,
            return_token_type_ids=return_token_type_ids,
            return_attention_mask=return_attention_mask,
            return_special_tokens_mask=return_special_tokens_mask,
            return_length=return_length,
            return_event_ids=return_event_ids,
        )
        return self._build_encoding(
            rows,
            mapping if return_overflowing_tokens else None,
            batched or return_overflowing_tokens,
            output,
        )

    def _truncation_span(
        self, n: int, max_length: int | None, n_special: int, stats: dict, warn: bool
    ) -> tuple[int, int]:
        """The one span ``__call__`` keeps of ``n`` tokens without windows: all of them, or the
        ``truncation_side`` end that fits ``max_length`` (None: no truncation); counts what is cut.
        ``warn``: log once when the untruncated row is longer than ``model_max_length``."""
        if max_length is None:
            if warn and n + n_special > self.model_max_length:
                _warn_too_long(n + n_special, self.model_max_length)
            return (0, n)
        if n + n_special <= max_length:
            return (0, n)
        room = max(max_length - n_special, 0)
        stats["tokens_dropped"] += n - room
        return (n - room, n) if self.truncation_side == "left" else (0, room)

    def _build_encoding(
        self, rows: dict[str, list], mapping, batched: bool, output: OutputOptions
    ) -> BatchEncoding:
        """The :class:`BatchEncoding` of framed rows (:meth:`frame_windows` columns), padded by :meth:`pad`."""
        return_attention_mask = output.return_attention_mask
        if return_attention_mask is None:
            return_attention_mask = "attention_mask" in self.model_input_names
        data: dict[str, list] = {"input_ids": rows["input_ids"]}
        if output.return_token_type_ids:
            data["token_type_ids"] = [[0] * len(w) for w in data["input_ids"]]
        if return_attention_mask:
            data["attention_mask"] = [[1] * len(w) for w in data["input_ids"]]
        if output.return_special_tokens_mask:
            data["special_tokens_mask"] = rows["special_tokens_mask"]
        if output.return_event_ids:
            data["event_ids"] = rows["event_ids"]
        if output.padding_strategy != PaddingStrategy.DO_NOT_PAD:
            data = dict(
                self.pad(
                    data,
                    padding=output.padding_strategy,
                    max_length=output.max_length,
                    pad_to_multiple_of=output.pad_to_multiple_of,
                    padding_side=output.padding_side,
                    return_attention_mask=return_attention_mask,
                    return_tensors=None,
                )
            )
        if output.return_event_ids and output.return_tensors:
            data["event_ids"] = _events_for_tensors(data["event_ids"])
        if mapping is not None:
            data["overflow_to_sample_mapping"] = mapping
        if output.return_length:
            data["length"] = [len(r) for r in data["input_ids"]]
        if not batched:
            data = {k: v[0] for k, v in data.items()}
        return BatchEncoding(
            data,
            tensor_type=output.return_tensors,
            prepend_batch_axis=not batched and bool(output.return_tensors),
        )

    def pad(
        self,
        encoded_inputs,
        padding=True,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        padding_side: str | None = None,
        return_attention_mask: bool | None = None,
        return_tensors=None,
        verbose: bool = True,
    ) -> BatchEncoding:
        """``PreTrainedTokenizer.pad``; ``event_ids`` are padded by :meth:`_pad`.

        Tensors cannot hold None: with ``return_tensors``, the None (no event) of ``[CLS]``, ``[SEP]``
        and padding become -1.

        Example:
            >>> tok = RRWebTokenizer()
            >>> rows = [{"input_ids": [2, 10, 3], "event_ids": [None, 0, None]},
            ...         {"input_ids": [2, 3], "event_ids": [None, None]}]
            >>> tok.pad(rows)["event_ids"]
            [[None, 0, None], [None, None, None]]
            >>> tok.pad(rows, return_tensors="pt")["event_ids"].tolist()
            [[-1, 0, -1], [-1, -1, -1]]
        """
        out = super().pad(
            encoded_inputs,
            padding=padding,
            max_length=max_length,
            pad_to_multiple_of=pad_to_multiple_of,
            padding_side=padding_side,
            return_attention_mask=return_attention_mask,
            return_tensors=None,
            verbose=verbose,
        )
        out = dict(out)
        if return_tensors and "event_ids" in out:
            out["event_ids"] = _events_for_tensors(out["event_ids"])
        return BatchEncoding(out, tensor_type=return_tensors)

    def _pad(
        self,
        encoded_inputs,
        max_length: int | None = None,
        padding_strategy: PaddingStrategy = PaddingStrategy.DO_NOT_PAD,
        pad_to_multiple_of: int | None = None,
        padding_side: str | None = None,
        return_attention_mask: bool | None = None,
    ) -> dict:
        """The base ``_pad`` of one row, plus its ``event_ids`` (as MarkupLM pads its xpath channels).

        ``event_ids`` are padded on the same side and by as much as ``input_ids``, with the row's own
        "no event" marker: -1 when the row marks its special tokens with -1 (tensors, ``prepare``
        columns), else None (the lists of ``__call__``).
        """
        events = encoded_inputs.pop("event_ids", None)
        if events is not None:
            events = events if isinstance(events, list) else _to_list(events)
            if len(events) != len(encoded_inputs[self.model_input_names[0]]):
                raise ValueError(
                    f"event_ids has {len(events)} entries for {len(encoded_inputs[self.model_input_names[0]])} "
                    f"input_ids; pass the event_ids of the same rows (one per token)"
                )
        out = super()._pad(
            encoded_inputs,
            max_length=max_length,
            padding_strategy=padding_strategy,
            pad_to_multiple_of=pad_to_multiple_of,
            padding_side=padding_side,
            return_attention_mask=return_attention_mask,
        )
        if events is not None:
            diff = len(out[self.model_input_names[0]]) - len(events)
            if diff:
                fill = -1 if -1 in events else None
                side = padding_side if padding_side is not None else self.padding_side
                events = [fill] * diff + events if side == "left" else events + [fill] * diff
            out["event_ids"] = events
        return out

    def _decode(self, token_ids, skip_special_tokens: bool = False, **kwargs) -> str:
        """Readable text: structural tokens separated by spaces, runs of text ids decoded to strings."""
        if isinstance(token_ids, int):
            token_ids = [token_ids]
        off = self.text_id_offset
        end = off + len(self._text_tokens)
        parts: list[str] = []
        run: list[int] = []
        specials = set(self.all_special_ids) if skip_special_tokens else ()
        for tid in token_ids:
            tid = int(tid)
            if off <= tid < end:
                run.append(tid - off)
                continue
            if run:
                parts.append(repr(self._text.decode(run)))
                run = []
            if tid in specials:
                continue
            parts.append(self._convert_id_to_token(tid))
        if run:
            parts.append(repr(self._text.decode(run)))
        return " ".join(parts)

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return self._decode(self.convert_tokens_to_ids(tokens))

    # --------------------------------------------------------------- training
    @classmethod
    def train(
        cls,
        sessions,
        text_vocab_size: int = 8000,
        show_progress: bool = True,
        min_frequency: int = 2,
        total: int | None = None,
        **init_kwargs,
    ) -> RRWebTokenizer:
        """Train the subword text vocabulary on a corpus and return a ready tokenizer.

        Text pieces are produced by the same walk as encoding, after privacy masking, so masked
        values never reach the vocabulary. The BPE is byte-level (256 byte symbols always present),
        so no text maps to ``[UNK]``. Same corpus + arguments give the same files byte for byte.

        Args:
            sessions: iterable of sessions (event lists, JSON strings, :class:`rrweb_hf.Session`).
            text_vocab_size: size of the text vocabulary including the 256 byte symbols (the
                structural vocabulary comes on top; see ``len(tok)``).
            show_progress: tqdm bar over sessions and the ``tokenizers`` training bar.
            min_frequency: minimum count of a merge.
            total: number of sessions, for the progress bar.
            **init_kwargs: tokenizer options (see :data:`DEFAULT_OPTIONS`).

        Returns:
            An :class:`RRWebTokenizer` with the trained text model.

        Example:
            >>> events = [{"type": 4, "data": {"href": "https://shop.example/cart"}, "timestamp": 1}]
            >>> tok = RRWebTokenizer.train([events] * 3, text_vocab_size=300, show_progress=False)
            >>> tok.text_vocab_size > 256
            True
        """
        if text_vocab_size < 257:
            raise ValueError(f"text_vocab_size={text_vocab_size} must be > 256 (the byte alphabet)")
        tok = cls(**init_kwargs)
        if show_progress:
            from tqdm.auto import tqdm

            sessions = tqdm(sessions, total=total, unit="session", desc="walking sessions")

        def pieces():
            for session in sessions:
                yield from tok.text_pieces(session)

        bpe = Tokenizer(models.BPE())
        _configure_text_model(bpe)
        trainer = trainers.BpeTrainer(
            vocab_size=text_vocab_size,
            min_frequency=min_frequency,
            show_progress=show_progress,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            special_tokens=[],
        )
        bpe.train_from_iterator(pieces(), trainer=trainer)
        tok._set_text_model(bpe)
        return tok


def _warn_too_long(length: int, limit: int) -> None:
    if limit in _WARNED_TOO_LONG:
        return
    _WARNED_TOO_LONG.add(limit)
    logger.warning(
        "Token indices sequence length is longer than the specified maximum sequence length for this model "
        "(%d > %d). Running this sequence through the model will result in indexing errors; pass "
        "truncation=True, or return_overflowing_tokens=True for all windows",
        length,
        limit,
    )


_WARNED_TOO_LONG: set = set()


def _to_list(x):
    return x.tolist() if hasattr(x, "tolist") else list(x)


def _masks(size: int, edge: int, as_array: bool):
    """The attention mask (ones) and special-tokens mask (1 on the ``edge`` ends) of one framed row."""
    if as_array:
        attention, special = np.ones(size, dtype=np.int8), np.zeros(size, dtype=np.int8)
    else:
        attention, special = [1] * size, [0] * size
    if edge:
        special[0] = special[-1] = 1
    return attention, special


def _framed(content, head, tail, edge: int, as_array: bool):
    """``[head, *content, tail]`` (just ``content`` when ``edge`` is 0), as a list or an int32 array."""
    if as_array:
        out = np.empty(len(content) + 2 * edge, dtype=np.int32)
        out[edge : len(out) - edge] = content
        if edge:
            out[0], out[-1] = head, tail
        return out
    if not isinstance(content, list):  # an array slice (the lazy dataset's cached ids)
        content = content.tolist()
    return [head, *content, tail] if edge else content


def _events_for_tensors(event_ids):
    """``event_ids`` (one row or a batch of rows) with None replaced by -1, for tensors."""
    if hasattr(event_ids, "tolist") or not event_ids:
        return event_ids
    if isinstance(event_ids[0], (list, tuple)) or hasattr(event_ids[0], "tolist"):
        return [[-1 if e is None else e for e in _to_list(row)] for row in event_ids]
    return [-1 if e is None else e for e in event_ids]


RRWebTokenizer.register_for_auto_class()


def register_auto_tokenizer() -> None:
    """Let ``AutoTokenizer.from_pretrained`` load saved ``RRWebTokenizer`` folders without remote code.

    Idempotent; ``rrweb_hf`` calls it at import.
    """
    from transformers import AutoTokenizer, PreTrainedConfig

    global _RRWebTokenizerConfig
    if _RRWebTokenizerConfig is None:

        class RRWebTokenizerConfig(PreTrainedConfig):
            model_type = "rrweb-tokenizer"

        _RRWebTokenizerConfig = RRWebTokenizerConfig
    AutoTokenizer.register(_RRWebTokenizerConfig, tokenizer_class=RRWebTokenizer, exist_ok=True)


_RRWebTokenizerConfig = None
