"""The rrweb event walk: events -> structural token ids + text pieces, with a DOM mirror.

This module is the engine behind :class:`~rrweb_hf.tokenization_rrweb.RRWebTokenizer`; it imports
only its siblings (relatively: :mod:`.rrweb_types`, :mod:`.privacy`, :mod:`.event_codecs`,
:mod:`.dom_mirror`, :mod:`.walker_options`), so it is copied next to the tokenizer code for
``trust_remote_code`` users. The token scheme is documented in the tokenizer module.

The walk is a single pass over the events. Every event emits its kind token first (``[EVT:...]`` for
top-level types, ``[SRC:...]`` for incremental snapshots), then a time-gap token, then its payload.
Text (text nodes, attribute values, labels, URLs, payload strings, unmasked input values) goes
through :meth:`Walker.text`, which applies privacy masking and then calls the text encoder (or, when
training, collects the masked strings). Payloads are emitted by one handler per ``EventType`` /
``IncrementalSource`` (:data:`EVENT_HANDLERS`, :data:`SOURCE_HANDLERS`); targets are described from
the :class:`~.dom_mirror.DomMirror`; budgets and flags come from one
:class:`~.walker_options.WalkerOptions`.
"""

from __future__ import annotations

import math
from bisect import bisect_left

from .dom_mirror import DomMirror
from .event_codecs import EventDecodeError, EventDecoder, is_encoded_event
from .privacy import MASK_BUCKET_NAMES, PII_KINDS, is_rrweb_masked, mask_bucket, split_pii
from .rrweb_types import (
    EventType,
    IncrementalSource,
    MediaInteractions,
    MouseInteractions,
    NodeType,
    PointerTypes,
)
from .walker_options import WalkerOptions


class RRWebTokenizationError(ValueError):
    """A malformed rrweb event (strict mode) or an unusable session.

    Attributes:
        event_index: index of the offending event in the session (None for the session itself).
        problem: what is wrong, in words.
    """

    def __init__(self, event_index: int | None, problem: str):
        self.event_index = event_index
        self.problem = problem
        where = "session" if event_index is None else f"event {event_index}"
        super().__init__(
            f"{where}: {problem} (pass strict=False to skip malformed events as [EVT:malformed] tokens)"
        )


SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

#: Entries of each text cache shared across sessions (short piece -> ids, and subword text -> ids).
#: A cache is emptied when full, so its memory is bounded by the entry count, not the corpus size.
TEXT_CACHE_ENTRIES = 1 << 14
#: Longest text piece the walker's piece cache keeps.
CACHED_TEXT_CHARS = 256
#: PII is looked for in the first ``2 * cap + PII_SCAN_MARGIN`` characters of a piece (see ``Walker.text``).
PII_SCAN_MARGIN = 256
#: Viewport size steps of ``[W:k]`` / ``[H:k]``.
WIDTH_STEP_PX = 160
HEIGHT_STEP_PX = 120

#: Time-gap buckets: upper bounds in ms (log2 scale); ``[DT:k]`` means gap <= DT_BOUNDS[k].
DT_BOUNDS = (
    0,
    1,
    2,
    4,
    8,
    16,
    32,
    64,
    128,
    256,
    512,
    1024,
    2048,
    4096,
    8192,
    16384,
    32768,
    65536,
    131072,
    262144,
    524288,
    1048576,
)
#: Count buckets for ``[N:...]`` tokens.
COUNT_BUCKETS = ((0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (8, "5-8"), (16, "9-16"), (32, "17-32"))
COUNT_BUCKET_NAMES = tuple(n for _, n in COUNT_BUCKETS) + ("33+",)
CSS_BUCKETS = ((1000, "<1k"), (10000, "<10k"), (100000, "<100k"))
CSS_BUCKET_NAMES = tuple(n for _, n in CSS_BUCKETS) + ("100k+",)

#: Elements that get their own open/close tokens; any other tag is ``<other>`` + its name as text.
KNOWN_TAGS = (
    "html head body title meta link style script noscript base template slot iframe frame "
    "div span p a img button input textarea select option optgroup label form fieldset legend "
    "ul ol li dl dt dd table thead tbody tfoot tr td th caption colgroup col "
    "h1 h2 h3 h4 h5 h6 header footer nav main section article aside figure figcaption details summary "
    "dialog menu strong em b i u s small mark sub sup code pre kbd samp var abbr cite q blockquote "
    "br hr wbr time address data output progress meter canvas video audio source track picture embed "
    "object param map area svg path g circle rect line polyline polygon ellipse text tspan use defs "
    "symbol clippath lineargradient radialgradient stop mask pattern image foreignobject title desc "
    "font center big strike tt nobr"
).split()
KNOWN_TAGS = tuple(dict.fromkeys(KNOWN_TAGS))  # dedupe, keep order ("title" is HTML and SVG)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
#: Elements the ``behaviour`` profile keeps when it summarises a DOM subtree: landmarks (tag only), then
#: headings and form fields (tag + ``[LBL]`` label).
SUMMARY_LANDMARKS = frozenset("header footer nav main aside form dialog".split())
SUMMARY_LABELLED = frozenset("h1 h2 h3 input select textarea button label".split())

#: Attributes serialised (in this order); every other attribute is dropped.
KEPT_ATTRS = (
    "id",
    "class",
    "name",
    "type",
    "role",
    "aria-label",
    "href",
    "src",
    "alt",
    "title",
    "placeholder",
    "value",
    "for",
    "action",
    "method",
    "checked",
    "selected",
    "disabled",
    "data-testid",
    "aria-expanded",
    "aria-hidden",
    "tabindex",
    "target",
    "rel",
    "lang",
    "label",
    "autocomplete",
)
URL_ATTRS = frozenset({"href", "src", "action"})
#: Values of these input types are not typed by users and are not masked (besides PII masking).
UNMASKED_INPUT_TYPES = frozenset({"submit", "button", "reset", "image", "checkbox", "radio"})
UNMASKED_KINDS = frozenset("input:" + t for t in UNMASKED_INPUT_TYPES)
#: Input kinds whose Input events show ``[UNCHECKED]`` (other inputs always report ``isChecked: false``).
CHOICE_KINDS = frozenset({"input:checkbox", "input:radio"})

MISC_TOKENS = (
    "[TXT]",
    "[TRUNC]",
    "[URL]",
    "[QUERY]",
    "[LBL]",
    "[TGT:unknown]",
    "[TGT:none]",
    "[MOVE]",
    "[ADD]",
    "[REMOVE]",
    "[SET_TEXT]",
    "[SET_ATTR]",
    "[MORE]",
    "[NULL]",
    "[OBJ]",
    "[NUM]",
    "[KEY]",
    "[CHECKED]",
    "[UNCHECKED]",
    "[SHADOW]",
    "[IFRAME]",
    "[SNAPSHOT_TRUNC]",
    "[MUTATION_TRUNC]",
    "[SCRIPT]",
    "[DATAURL]",
    "[FAILED]",
    "[TAG]",
    "[LEVEL]",
    "[PAYLOAD_TRUNC]",
    "[DEEP]",
    "[VAL]",
)


def structural_tokens(coord_bins: int, scroll_bins: int, size_bins: int) -> list[str]:
    """The structural vocabulary, in id order, for the given bin counts.

    Args:
        coord_bins: viewport-relative coordinate bins per axis (``[X:0]`` .. ``[X:<coord_bins-1>]``).
        scroll_bins: scroll-offset bins (half-viewport steps) per axis.
        size_bins: viewport width/height bins (160 px / 120 px steps).

    Returns:
        Token strings; the id of a structural token is its index.
    """
    toks = list(SPECIAL_TOKENS)
    toks += [f"[EVT:{e.name}]" for e in EventType] + ["[EVT:unknown]", "[EVT:malformed]"]
    toks += [f"[SRC:{e.name}]" for e in IncrementalSource] + ["[SRC:unknown]"]
    toks += [f"[MI:{e.name}]" for e in MouseInteractions] + ["[MI:unknown]"]
    toks += [f"[MEDIA:{e.name}]" for e in MediaInteractions] + ["[MEDIA:unknown]"]
    toks += [f"[PTR:{e.name}]" for e in PointerTypes] + ["[PTR:unknown]"]
    toks += [f"[NODE:{e.name}]" for e in NodeType] + ["[NODE:unknown]"]
    toks += ["[DT:start]", "[DT:none]", "[DT:neg]"] + [f"[DT:{i}]" for i in range(len(DT_BOUNDS) + 1)]
    for axis, n in (("X", coord_bins), ("Y", coord_bins), ("SX", scroll_bins), ("SY", scroll_bins)):
        toks += [f"[{axis}:{i}]" for i in range(n)] + [f"[{axis}:out]"]
    toks += [f"[W:{i}]" for i in range(size_bins)] + [f"[H:{i}]" for i in range(size_bins)]
    toks += [f"[N:{n}]" for n in COUNT_BUCKET_NAMES]
    toks += [f"[MASKED:{n}]" for n in MASK_BUCKET_NAMES]
    toks += [f"[PII:{k}]" for k in PII_KINDS]
    toks += [f"[CSS:{n}]" for n in CSS_BUCKET_NAMES]
    toks += list(MISC_TOKENS)
    for tag in KNOWN_TAGS + ("other",):
        toks.append(f"<{tag}>")
        toks.append(f"</{tag}>")
    toks += [f"@{a}" for a in KEPT_ATTRS]
    if len(set(toks)) != len(toks):
        raise RuntimeError("structural vocabulary has duplicates")  # programming error guard
    return toks


# ---------------------------------------------------------------- product (Sentry / PostHog) tokens
#: Sentry Replay breadcrumb categories with their own token; any other is ``[CRUMB:other]`` + its name.
SENTRY_CRUMBS = (
    "ui.click",
    "ui.input",
    "ui.keyDown",
    "ui.blur",
    "ui.focus",
    "ui.slowClickDetected",  # Sentry's dead click
    "ui.multiClick",  # Sentry's rage click
    "navigation",
    "console",
    "xhr",
    "fetch",
    "replay.mutations",
    "replay.hydrate-error",
    "sentry.feedback",
    "sentry.transaction",
)
#: Sentry ``performanceSpan`` ops with their own token; any other is ``[SPAN:other]`` + its name.
SENTRY_SPANS = (
    "navigation.navigate",
    "navigation.reload",
    "navigation.back_forward",
    "navigation.push",
    "resource.fetch",
    "resource.xhr",
    "resource.css",
    "resource.img",
    "resource.script",
    "resource.link",
    "resource.other",
    "resource.iframe",
    "paint",
    "memory",
    "web-vital",
)
#: Web vitals (``description`` of a ``web-vital`` span, or the op itself in older SDKs) -> token name.
WEB_VITALS = {
    "largest-contentful-paint": "lcp",
    "cumulative-layout-shift": "cls",
    "interaction-to-next-paint": "inp",
    "first-input-delay": "fid",
    "first-contentful-paint": "fcp",
    "time-to-first-byte": "ttfb",
}
VITAL_RATINGS = ("good", "needs-improvement", "poor")
CONSOLE_LEVELS = ("log", "info", "warning", "error", "debug", "assert", "trace", "fatal")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: posthog-js custom-event tags -> the token kind; the tag itself follows as text.
POSTHOG_TAGS = {
    "$pageview": "pageview",
    "$url_changed": "pageview",
    "$session_options": "session",
    "$session_id_change": "session",
    "$session_ending": "session",
    "$session_starting": "session",
    "sessionIdle": "session",
    "sessionNoLongerIdle": "session",
    "$posthog_config": "config",
    "$remote_config_received": "config",
    "rrweb config": "config",
    "browser offline": "network",
    "browser online": "network",
    "window hidden": "visibility",
    "window visible": "visibility",
    "recording paused": "paused",
    "recording resumed": "paused",
}
#: ``initiatorType`` of a network-plugin request -> the span token it shares with Sentry.
NETWORK_INITIATORS = {
    "fetch": "resource.fetch",
    "xmlhttprequest": "resource.xhr",
    "script": "resource.script",
    "img": "resource.img",
    "css": "resource.css",
    "link": "resource.link",
    "iframe": "resource.iframe",
    "other": "resource.other",
    "navigation": "navigation.navigate",
}
#: Byte-size buckets of request/response bodies: ``[BYTES:k]`` means size <= BYTES_BOUNDS[k].
BYTES_BOUNDS = (0, 1 << 10, 10 << 10, 100 << 10, 1 << 20)
#: JS heap use of a Sentry ``memory`` span in deciles of the heap limit: ``[HEAP:0]`` .. ``[HEAP:9]``.
HEAP_BUCKETS = 10


def extension_tokens() -> list[str]:
    """Structural tokens for Sentry Replay and PostHog custom events, in id order.

    They are numbered **after** the text vocabulary (see :class:`~rrweb_hf.RRWebTokenizer`), so adding
    them changed no id of any plain rrweb session. Durations ``[DUR:k]`` use the ``[DT:k]`` buckets
    (gap <= 0, 1, 2, 4 ... 2^20 ms).
    """
    toks = ["[SENTRY:breadcrumb]", "[SENTRY:performanceSpan]", "[SENTRY:options]"]
    toks += [f"[CRUMB:{c}]" for c in SENTRY_CRUMBS] + ["[CRUMB:other]"]
    toks += [f"[SPAN:{o}]" for o in SENTRY_SPANS] + ["[SPAN:other]"]
    toks += [f"[VITAL:{v}]" for v in WEB_VITALS.values()] + ["[VITAL:other]"]
    toks += [f"[RATING:{r}]" for r in VITAL_RATINGS] + ["[RATING:other]"]
    toks += [f"[SEV:{lv}]" for lv in CONSOLE_LEVELS] + ["[SEV:other]"]
    toks += [f"[METHOD:{m}]" for m in HTTP_METHODS] + ["[METHOD:other]"]
    toks += [f"[HTTP:{k}xx]" for k in range(1, 6)] + ["[HTTP:other]", "[HTTP:none]"]
    toks += [f"[DUR:{i}]" for i in range(len(DT_BOUNDS) + 1)]
    toks += [f"[BYTES:{i}]" for i in range(len(BYTES_BOUNDS) + 1)]
    toks += [f"[HEAP:{i}]" for i in range(HEAP_BUCKETS)]
    toks += [f"[PH:{k}]" for k in dict.fromkeys(POSTHOG_TAGS.values())]
    return toks


def _count_name(n: int) -> str:
    for bound, name in COUNT_BUCKETS:
        if n <= bound:
            return name
    return COUNT_BUCKET_NAMES[-1]


def _num(x) -> float | None:
    """A finite number or None (bools, NaN, Infinity, strings and missing values give None)."""
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    return None


def _int(x) -> int | None:
    """``x`` if it is an integer (not a bool), else None."""
    if x.__class__ is int or (isinstance(x, int) and not isinstance(x, bool)):
        return x
    return None


def _bucket(x: float, bounds: tuple) -> int:
    """Index of the first bound >= ``x`` (``len(bounds)`` past the last): the ``[DT:k]`` / ``[BYTES:k]`` rule."""
    return bisect_left(bounds, x)


class Walker:
    """One pass over one session's events.

    Args:
        vocab: structural token -> id.
        options: the tokenizer options (:class:`~.walker_options.WalkerOptions`: budgets, masking
            flags, bins, profile, strict).
        encode_text: ``str -> list[int]`` for text pieces, or None to collect pieces in ``texts``.
        text_cache: optional dict shared across sessions: ``(text, cap) -> ids`` of :meth:`text`.

    Attributes:
        ids: structural and text ids emitted so far (no special tokens).
        event_ids: per id, the index of its source event.
        texts: masked text pieces (training mode only).
        malformed: events emitted as ``[EVT:malformed]``.
        events: events walked.
        mirror: the :class:`~.dom_mirror.DomMirror` of the page so far.

    Each event's payload is emitted by the handler :data:`EVENT_HANDLERS` (by ``EventType``) or
    :data:`SOURCE_HANDLERS` (by ``IncrementalSource``) name; the kinds in :data:`KIND_ONLY_EVENTS`,
    :data:`KIND_ONLY_SOURCES` and unknown ones have no payload tokens.

    Example:
        >>> from rrweb_hf.walker_options import WalkerOptions
        >>> vocab = {t: i for i, t in enumerate(structural_tokens(16, 16, 16))}
        >>> w = Walker(vocab, WalkerOptions(), encode_text=lambda s: [-1] * len(s))
        >>> w.walk([{"type": 3, "timestamp": 5, "data": {"source": 3, "id": 1, "x": 0, "y": 2000}}])
        >>> [structural_tokens(16, 16, 16)[i] for i in w.ids]
        ['[SRC:Scroll]', '[DT:start]', '[TGT:unknown]', '[SX:0]', '[SY:5]']
    """

    def __init__(
        self, vocab: dict[str, int], options: WalkerOptions, encode_text=None, text_cache: dict | None = None
    ):
        if not isinstance(options, WalkerOptions):
            raise TypeError(
                f"Walker options are a {type(options).__name__}; pass a WalkerOptions "
                f"(e.g. WalkerOptions.for_profile('full', **options))"
            )
        self.V = V = vocab
        self.opts = opts = options
        self.encode_text = encode_text
        self.text_cache = text_cache if encode_text is not None else None
        self.texts: list[str] = []
        self.ids: list[int] = []
        self.event_ids: list[int] = []
        self.malformed = 0
        self.events = 0
        self.vw = float(opts.default_viewport_width)
        self.vh = float(opts.default_viewport_height)
        self.last_ts: float | None = None
        self.summary = opts.profile == "behaviour"
        self.products = "[CRUMB:other]" in V  # False for tokenizers saved before these tokens existed
        self.decoder: EventDecoder | None = None
        self.dt_ids = [V[f"[DT:{i}]"] for i in range(len(DT_BOUNDS) + 1)]
        self.cb, self.sb, self.zb = opts.coord_bins, opts.scroll_bins, opts.size_bins
        self.x_ids = [V[f"[X:{i}]"] for i in range(self.cb)] + [V["[X:out]"]]
        self.y_ids = [V[f"[Y:{i}]"] for i in range(self.cb)] + [V["[Y:out]"]]
        self.sx_ids = [V[f"[SX:{i}]"] for i in range(self.sb)] + [V["[SX:out]"]]
        self.sy_ids = [V[f"[SY:{i}]"] for i in range(self.sb)] + [V["[SY:out]"]]
        self.tag_ids = {t: (V[f"<{t}>"], V[f"</{t}>"]) for t in KNOWN_TAGS}
        self.attr_ids = {a: V[f"@{a}"] for a in KEPT_ATTRS}
        self.evt_ids = {e.value: V[f"[EVT:{e.name}]"] for e in EventType}
        self.src_ids = {e.value: V[f"[SRC:{e.name}]"] for e in IncrementalSource}
        self.mi_ids = {e.value: V[f"[MI:{e.name}]"] for e in MouseInteractions}
        self.ptr_ids = {e.value: V[f"[PTR:{e.name}]"] for e in PointerTypes}
        self.media_ids = {e.value: V[f"[MEDIA:{e.name}]"] for e in MediaInteractions}
        self.mirror = DomMirror(
            self.tag_ids,
            V["<other>"],
            {e.value: V[f"[NODE:{e.name}]"] for e in NodeType},
            V["[NODE:unknown]"],
            opts.max_label_chars,
        )
        # dispatch: plain int keys (JSON gives ints) -> bound methods, resolved once per walker
        self.event_handlers = {int(k): getattr(self, name) for k, name in EVENT_HANDLERS.items()}
        self.source_handlers = {int(k): getattr(self, name) for k, name in SOURCE_HANDLERS.items()}

    # ------------------------------------------------------------------ text
    def text(self, s: str, cap: int) -> None:
        """Emit a text piece: rrweb masks and PII become mask tokens, the rest subword ids.

        PII detection runs on a window of ``2 * cap + PII_SCAN_MARGIN`` characters, before the ``cap``
        on visible characters, so a PII span is never cut into an unrecognisable prefix.
        """
        if not s:
            return
        cache = self.text_cache
        if cache is not None and len(s) <= CACHED_TEXT_CHARS:
            key = (s, cap)
            hit = cache.get(key)
            if hit is None:
                start = len(self.ids)
                self._text(s, cap)
                if len(cache) >= TEXT_CACHE_ENTRIES:
                    cache.clear()
                cache[key] = self.ids[start:]
            else:
                self.ids.extend(hit)
            return
        self._text(s, cap)

    def _text(self, s: str, cap: int) -> None:
        V, ids = self.V, self.ids
        truncated = False
        scan = cap * 2 + PII_SCAN_MARGIN
        if len(s) > scan:
            s = s[:scan]
            truncated = True
        s = " ".join(s.split())
        if not s:
            return
        if is_rrweb_masked(s):
            ids.append(V["[MASKED:" + mask_bucket(min(len(s), cap)) + "]"])
            return
        mask_pii = self.opts.mask_pii
        parts = split_pii(s) if mask_pii else (s,)
        left = cap
        for part in parts:
            if left <= 0:
                truncated = True
                break
            if isinstance(part, tuple):
                ids.append(V["[PII:" + part[0] + "]"])
                left -= 1
                continue
            if len(part) > left:
                part = part[:left]
                truncated = True
            left -= len(part)
            if self.encode_text is None:
                self.texts.append(part)
            else:
                ids.extend(self.encode_text(part))
        if truncated:
            ids.append(V["[TRUNC]"])

    def masked(self, value) -> None:
        n = len(value) if isinstance(value, str) else 0
        self.ids.append(self.V["[MASKED:" + mask_bucket(n) + "]"])

    def url(self, s, cap: int | None = None) -> None:
        if not isinstance(s, str):
            return
        cap = cap or self.opts.max_url_chars
        if s.startswith("data:"):
            self.ids.append(self.V["[DATAURL]"])
            return
        cut = min((i for i in (s.find("?"), s.find("#")) if i >= 0), default=-1)
        if cut >= 0:
            self.text(s[:cut], cap)
            self.ids.append(self.V["[QUERY]"])
        else:
            self.text(s, cap)

    def count(self, n: int) -> None:
        self.ids.append(self.V["[N:" + _count_name(n) + "]"])

    def _more(self, n: int, limit: int) -> None:
        """``[MORE] [N:rest]`` after the first ``limit`` of ``n`` items (nothing when all fit)."""
        if n > limit:
            self.ids.append(self.V["[MORE]"])
            self.count(n - limit)

    # ------------------------------------------------------------ geometry
    def xy(self, x, y) -> None:
        x, y = _num(x), _num(y)
        if x is None or y is None:
            return
        cb = self.cb
        fx, fy = x / self.vw, y / self.vh
        self.ids.append(self.x_ids[int(fx * cb)] if 0.0 <= fx < 1.0 else self.x_ids[cb])
        self.ids.append(self.y_ids[int(fy * cb)] if 0.0 <= fy < 1.0 else self.y_ids[cb])

    def scroll_xy(self, x, y) -> None:
        sb = self.sb
        for v, dim, table in ((x, self.vw, self.sx_ids), (y, self.vh, self.sy_ids)):
            v = _num(v)
            if v is None:
                continue
            k = int(max(v, 0.0) / dim * 2)
            self.ids.append(table[k] if k < sb else table[sb])

    def size(self, w, h) -> None:
        w, h = _num(w), _num(h)
        zb = self.zb
        if w is not None and w > 0:
            self.vw = w
            self.ids.append(self.V[f"[W:{min(int(w / WIDTH_STEP_PX), zb - 1)}]"])
        if h is not None and h > 0:
            self.vh = h
            self.ids.append(self.V[f"[H:{min(int(h / HEIGHT_STEP_PX), zb - 1)}]"])

    def path(self, positions) -> None:
        if not isinstance(positions, list):
            self.count(0)
            return
        n = len(positions)
        self.count(n)
        k = self.opts.max_path_points
        if n <= k:
            picks = positions
        elif k == 1:
            picks = [positions[-1]]
        else:
            picks = [positions[round(i * (n - 1) / (k - 1))] for i in range(k)]
        for p in picks:
            if isinstance(p, dict):
                self.xy(p.get("x"), p.get("y"))

    # ---------------------------------------------------------- DOM
    def describe(self, node_id) -> None:
        """Emit the target description of ``node_id``: tag token + ``[LBL]`` label (never the id)."""
        nid = _int(node_id)
        if nid is None:
            self.ids.append(self.V["[TGT:none]"])
            return
        node = self.mirror.get(nid)
        if node is None:
            self.ids.append(self.V["[TGT:unknown]"])
            return
        self.ids.append(node.tag_id)
        if node.other_name:
            self.text(node.other_name, self.opts.max_tag_name_chars)
        label = node.target_label
        if label:
            self.ids.append(self.V["[LBL]"])
            self.text(label, self.opts.max_label_chars)

    def serialize(self, root, parent_id, budget: int, trunc_token: str) -> None:
        """Register ``root``'s subtree in the mirror and emit it within ``budget`` tokens (iterative)."""
        V, ids, tag_ids = self.V, self.ids, self.tag_ids
        register = self.mirror.register
        tag_name_chars = self.opts.max_tag_name_chars
        limit = len(ids) + budget
        emitting = True
        max_depth = self.opts.max_dom_depth
        # stack items: (0, node, parent_id, depth, context) to open a node, (1, token_id) to close one
        stack: list = [(0, root, parent_id, 0, "")]
        push = stack.append
        while stack:
            item = stack.pop()
            if item[0] == 1:
                if emitting:
                    ids.append(item[1])
                continue
            _, node, pid, depth, ctx = item
            if not isinstance(node, dict):
                continue
            info = register(node, pid)
            if emitting and len(ids) >= limit:
                emitting = False
                ids.append(V[trunc_token])
            ntype = node.get("type")
            show = emitting and depth <= max_depth
            if emitting and depth == max_depth + 1:
                ids.append(V["[DEEP]"])
            if ntype == 2:  # Element
                tag = info.tag
                if show:
                    if node.get("isShadow"):
                        ids.append(V["[SHADOW]"])
                    ids.append(info.tag_id)
                    if info.other_name:
                        self.text(info.other_name, tag_name_chars)
                    attrs = node.get("attributes")
                    if isinstance(attrs, dict):
                        self.attributes(attrs, tag, info.is_password)
                if tag == "script":
                    continue  # body dropped, element kept as <script>
                if show and tag not in VOID_TAGS:
                    pair = tag_ids.get(tag)
                    push((1, pair[1] if pair else V["</other>"]))
                children = node.get("childNodes")
                if isinstance(children, list):
                    child_ctx = "style" if tag == "style" else "textarea" if tag == "textarea" else ctx
                    nid = info.node_id
                    for child in reversed(children):
                        push((0, child, nid, depth + 1, child_ctx))
            elif ntype == 3:  # Text
                if show:
                    self._text_node(node, ctx)
            elif ntype == 0:  # Document
                if show:
                    ids.append(info.tag_id)
                children = node.get("childNodes")
                if isinstance(children, list):
                    nid = info.node_id
                    for child in reversed(children):
                        push((0, child, nid, depth + 1, ctx))
            elif ntype in (1, 4):  # DocumentType, CDATA
                if show:
                    ids.append(info.tag_id)
            elif ntype == 5:
                continue  # comments dropped
            elif show:
                ids.append(V["[NODE:unknown]"])

    def _text_node(self, node: dict, ctx: str) -> None:
        """A text node: ``[CSS:<size>]`` in a stylesheet, else ``[TXT]`` + its text (typed text masked)."""
        text = node.get("textContent")
        if not isinstance(text, str):
            return
        V, ids = self.V, self.ids
        if ctx == "style" or node.get("isStyle"):
            ids.append(V["[CSS:" + _css_name(len(text)) + "]"])
        elif ctx == "textarea" and text.strip():
            ids.append(V["[TXT]"])
            if self.opts.mask_inputs:
                self.masked(text)  # a textarea's text is what was typed into it
            else:
                self.text(text, self.opts.max_text_chars)
        elif text.strip():
            ids.append(V["[TXT]"])
            self.text(text, self.opts.max_text_chars)

    def attributes(self, attrs: dict, tag: str, is_password: bool) -> None:
        V, ids, opts = self.V, self.ids, self.opts
        cap = opts.max_attr_chars
        for name in KEPT_ATTRS:
            if name not in attrs:
                continue
            val = attrs[name]
            ids.append(self.attr_ids[name])
            if val is None:
                ids.append(V["[NULL]"])
            elif isinstance(val, bool) or val == "":
                continue
            elif isinstance(val, (int, float)):
                ids.append(V["[NUM]"])
            elif not isinstance(val, str):
                ids.append(V["[OBJ]"])
            elif name == "value" and tag in ("input", "textarea", "select"):
                typ = attrs.get("type")
                typ = typ.lower() if isinstance(typ, str) else ""
                if is_password or (opts.mask_inputs and not (tag == "input" and typ in UNMASKED_INPUT_TYPES)):
                    self.masked(val)
                else:
                    self.text(val, cap)
            elif name in URL_ATTRS:
                self.url(val)
            else:
                self.text(val, cap)
        if "_cssText" in attrs:
            css = attrs["_cssText"]
            ids.append(V["[CSS:" + _css_name(len(css) if isinstance(css, str) else 0) + "]"])
        if "rr_dataURL" in attrs:
            ids.append(V["[DATAURL]"])

    # --------------------------------------------------------------- events
    def walk(self, events: list) -> None:
        """Walk all events (lenient or strict per the ``strict`` option)."""
        strict = self.opts.strict
        ids, event_ids = self.ids, self.event_ids
        for i, ev in enumerate(events):
            start = len(ids)
            try:
                if is_encoded_event(ev):  # @rrweb/packer string or PostHog cv event: decode, never guess
                    ev = self._decode(ev)
                self.event(ev)
            except RRWebTokenizationError as exc:
                if strict:
                    raise RRWebTokenizationError(i, exc.problem) from None
                self._malformed(start)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as exc:
                if strict:
                    raise RRWebTokenizationError(i, f"{type(exc).__name__}: {exc}") from exc
                self._malformed(start)
            if len(ids) == start:  # defensive: every event yields at least one token
                ids.append(self.V["[EVT:unknown]"])
            event_ids.extend([i] * (len(ids) - start))
        self.events += len(events)

    def _decode(self, ev):
        if self.decoder is None:
            self.decoder = EventDecoder(self.opts.max_decoded_bytes)
        try:
            return self.decoder.decode(ev)
        except EventDecodeError as exc:
            raise RRWebTokenizationError(None, f"undecodable packed/compressed event: {exc}") from None

    def _malformed(self, start: int) -> None:
        """Replace what a malformed event emitted by ``[EVT:malformed]``. Text pieces it collected
        (training mode) stay: they went through the same masking as every other piece."""
        del self.ids[start:]
        self.ids.append(self.V["[EVT:malformed]"])
        self.malformed += 1

    def _dt(self, ts) -> None:
        t = _num(ts)
        ids = self.ids
        if t is None:
            ids.append(self.V["[DT:none]"])
            return
        if self.last_ts is None:
            ids.append(self.V["[DT:start]"])
        else:
            gap = t - self.last_ts
            if gap < 0:
                ids.append(self.V["[DT:neg]"])
            else:
                ids.append(self.dt_ids[_bucket(gap, DT_BOUNDS)])
        self.last_ts = t

    def event(self, ev) -> None:
        """Emit one event: kind token, time token, then its handler's payload tokens."""
        if not isinstance(ev, dict):
            hint = (
                " (a Sentry segment list? read the file with rrweb_hf.read_file)"
                if isinstance(ev, list)
                else ""
            )
            raise RRWebTokenizationError(None, f"event is a {type(ev).__name__}, not an object{hint}")
        etype = ev.get("type")
        if _int(etype) is None:
            raise RRWebTokenizationError(None, f"event 'type' is {etype!r}, not an integer")
        data = ev.get("data")
        if etype == _INCREMENTAL_SNAPSHOT:
            self._incremental(ev, data)
            return
        self.ids.append(self.evt_ids.get(etype, self.V["[EVT:unknown]"]))
        self._dt(ev.get("timestamp"))
        handler = self.event_handlers.get(etype)
        if handler is not None:
            if not isinstance(data, dict):
                raise RRWebTokenizationError(None, f"{EventType(etype).name} 'data' is {type(data).__name__}")
            handler(data)

    def _incremental(self, ev: dict, data) -> None:
        if not isinstance(data, dict):
            raise RRWebTokenizationError(None, f"IncrementalSnapshot 'data' is {type(data).__name__}")
        src = data.get("source")
        known = _int(src) is not None
        self.ids.append(self.src_ids.get(src, self.V["[SRC:unknown]"]) if known else self.V["[SRC:unknown]"])
        self._dt(ev.get("timestamp"))
        if known:
            handler = self.source_handlers.get(src)
            if handler is not None:
                handler(data)

    # ----------------------------------------------------- EventType handlers
    def _on_full_snapshot(self, data: dict) -> None:
        self.mirror.reset()
        node = data.get("node")
        if not isinstance(node, dict):
            raise RRWebTokenizationError(None, "FullSnapshot without a 'node' object")
        off = data.get("initialOffset")
        if isinstance(off, dict):
            self.scroll_xy(off.get("left"), off.get("top"))
        if self.summary:
            self.summarize([(node, None)], self.opts.max_snapshot_tokens, "[SNAPSHOT_TRUNC]")
        else:
            self.serialize(node, None, self.opts.max_snapshot_tokens, "[SNAPSHOT_TRUNC]")

    def _on_meta(self, data: dict) -> None:
        self.size(data.get("width"), data.get("height"))
        if "href" in data:
            self.ids.append(self.V["[URL]"])
            self.url(data.get("href"))

    def _on_custom(self, data: dict) -> None:
        tag = data.get("tag")
        if self.products and (tag in SENTRY_EVENT_TAGS or tag in POSTHOG_TAGS):
            self.product_event(tag, data.get("payload"))
            return
        self.ids.append(self.V["[TAG]"])
        if isinstance(tag, str):
            self.text(tag, self.opts.max_name_chars)
        self.payload(data.get("payload"))

    def _on_plugin(self, data: dict) -> None:
        self.ids.append(self.V["[TAG]"])
        plugin = data.get("plugin")
        if isinstance(plugin, str):
            self.text(plugin, self.opts.max_name_chars)
        payload = data.get("payload")
        if self.products and plugin == "rrweb/network@1" and isinstance(payload, dict):
            self.network(payload.get("requests"))
            return
        if isinstance(payload, dict) and isinstance(payload.get("level"), str):
            self.ids.append(self.V["[LEVEL]"])
            self.text(payload["level"], self.opts.max_level_chars)
            payload = payload.get("payload")
        self.payload(payload)

    def _on_asset(self, data: dict) -> None:
        self.ids.append(self.V["[URL]"])
        self.url(data.get("url"))
        if "failed" in data:
            self.ids.append(self.V["[FAILED]"])

    # ----------------------------------------------- IncrementalSource handlers
    def _on_path(self, data: dict) -> None:  # MouseMove, TouchMove, Drag
        self.path(data.get("positions"))

    def _on_mouse_interaction(self, data: dict) -> None:
        V, ids = self.V, self.ids
        ids.append(self.mi_ids.get(_int(data.get("type")), V["[MI:unknown]"]))
        pt = data.get("pointerType")
        if pt is not None and pt != 0:
            ids.append(self.ptr_ids.get(_int(pt), V["[PTR:unknown]"]))
        self.xy(data.get("x"), data.get("y"))
        self.describe(data.get("id"))

    def _on_scroll(self, data: dict) -> None:
        self.describe(data.get("id"))
        self.scroll_xy(data.get("x"), data.get("y"))

    def _on_viewport_resize(self, data: dict) -> None:
        self.size(data.get("width"), data.get("height"))

    def _on_input(self, data: dict) -> None:
        V, ids, opts = self.V, self.ids, self.opts
        nid = _int(data.get("id"))
        self.describe(nid)
        node = self.mirror.get(nid) if nid is not None else None
        text = data.get("text")
        kind = node.kind if node is not None else ""
        choice = kind in CHOICE_KINDS
        if isinstance(text, str):
            pw = node is not None and node.is_password
            if pw or (opts.mask_inputs and not choice and kind not in UNMASKED_KINDS):
                self.masked(text)
            else:
                self.text(text, opts.max_attr_chars)
        checked = data.get("isChecked")
        if checked is True:
            ids.append(V["[CHECKED]"])
        elif checked is False and choice:
            ids.append(V["[UNCHECKED]"])  # text inputs always report False: only shown for choices

    def _on_media_interaction(self, data: dict) -> None:
        self.ids.append(self.media_ids.get(_int(data.get("type")), self.V["[MEDIA:unknown]"]))
        self.describe(data.get("id"))

    def _on_mutation(self, data: dict) -> None:
        if self.summary:
            self.mutation_summary(data)
        else:
            self.mutation(data)

    def _on_style_sheet_rule(self, data: dict) -> None:
        adds, removes = data.get("adds"), data.get("removes")
        if isinstance(adds, list):
            self.ids.append(self.V["[ADD]"])
            self.count(len(adds))
        if isinstance(removes, list):
            self.ids.append(self.V["[REMOVE]"])
            self.count(len(removes))

    def _on_canvas_mutation(self, data: dict) -> None:
        self.describe(data.get("id"))
        cmds = data.get("commands")
        self.count(len(cmds) if isinstance(cmds, list) else 1)

    def _on_font(self, data: dict) -> None:
        fam = data.get("family")
        if isinstance(fam, str):
            self.text(fam, self.opts.max_name_chars)

    def _on_selection(self, data: dict) -> None:
        ranges = data.get("ranges")
        ranges = ranges if isinstance(ranges, list) else []
        self.count(len(ranges))
        if ranges and isinstance(ranges[0], dict):
            self.describe(ranges[0].get("start"))

    def _on_adopted_style_sheet(self, data: dict) -> None:
        sids = data.get("styleIds")
        self.count(len(sids) if isinstance(sids, list) else 0)

    def _on_custom_element(self, data: dict) -> None:
        define = data.get("define")
        if isinstance(define, dict) and isinstance(define.get("name"), str):
            self.text(define["name"], self.opts.max_name_chars)

    # ------------------------------------------------ Sentry / PostHog custom events
    def product_event(self, tag: str, payload) -> None:
        """Sentry Replay (``breadcrumb``, ``performanceSpan``, ``options``) and posthog-js custom events.

        ``[SENTRY:breadcrumb] [CRUMB:<category>]`` + per category: clicks/inputs/focus the target (from
        the DOM mirror, by ``data.nodeId``), dead clicks ``[DUR:k]`` (time after click), rage clicks
        ``[N:k]`` (clicks), console ``[SEV:<level>] [TXT]`` message, navigation ``[URL] to``, xhr/fetch
        ``[METHOD:m] [HTTP:<class>] [URL] url``, other categories their name and ``[TXT]`` message.
        ``[SENTRY:performanceSpan] [SPAN:<op>] [DUR:k]`` (end - start; not for vitals and memory) + per
        op: ``[URL]`` of navigations and resources, ``[METHOD] [HTTP] [BYTES]`` of fetch/xhr,
        ``[VITAL:<name>] [RATING:<rating>]`` (+ ``[DUR:k]`` for time vitals), ``[HEAP:<decile>]``
        of memory. PostHog: ``[PH:<kind>]`` + the tag, and ``[URL] href`` of page views. Messages and
        URLs go through the same privacy rules as page text (PII masked, query strings dropped).
        """
        V, ids = self.V, self.ids
        p = payload if isinstance(payload, dict) else {}
        if tag in POSTHOG_TAGS:
            ids.append(V["[PH:" + POSTHOG_TAGS[tag] + "]"])
            self.text(tag, self.opts.max_name_chars)
            if POSTHOG_TAGS[tag] == "pageview":
                ids.append(V["[URL]"])
                self.url(p.get("href"))
            return
        ids.append(V["[SENTRY:" + tag + "]"])
        if tag == "breadcrumb":
            self.breadcrumb(p)
        elif tag == "performanceSpan":
            self.span(p)

    def duration(self, ms) -> None:
        ms = _num(ms)
        if ms is not None:
            self.ids.append(self.V[f"[DUR:{_bucket(ms, DT_BOUNDS)}]"])

    def http(self, method, status) -> None:
        V, ids = self.V, self.ids
        if isinstance(method, str) and method:
            m = method.upper()
            ids.append(V[f"[METHOD:{m}]"] if m in HTTP_METHODS else V["[METHOD:other]"])
        code = _int(status)
        if code is None:
            ids.append(V["[HTTP:none]"])
        else:
            ids.append(V[f"[HTTP:{code // 100}xx]"] if 100 <= code < 600 else V["[HTTP:other]"])

    def nbytes(self, n) -> None:
        n = _num(n)
        if n is not None:
            self.ids.append(self.V[f"[BYTES:{_bucket(n, BYTES_BOUNDS)}]"])

    def breadcrumb(self, p: dict) -> None:
        V, ids, opts = self.V, self.ids, self.opts
        cat = p.get("category")
        data = p.get("data") if isinstance(p.get("data"), dict) else {}
        if cat in _CRUMB_SET:
            ids.append(V[f"[CRUMB:{cat}]"])
        else:
            ids.append(V["[CRUMB:other]"])
            if isinstance(cat, str):
                self.text(cat, opts.max_name_chars)
        message = p.get("message")
        if cat == "console":
            level = p.get("level")
            ids.append(V[f"[SEV:{level}]"] if level in CONSOLE_LEVELS else V["[SEV:other]"])
            if isinstance(message, str) and message:
                ids.append(V["[TXT]"])
                self.text(message, opts.max_attr_chars)
        elif cat == "navigation":
            ids.append(V["[URL]"])
            self.url(data.get("to"))
        elif cat in ("xhr", "fetch"):
            self.http(data.get("method"), data.get("status_code", data.get("statusCode")))
            ids.append(V["[URL]"])
            self.url(data.get("url"))
        elif isinstance(cat, str) and cat.startswith("ui."):
            node = data.get("nodeId")
            if node is None and isinstance(data.get("node"), dict):
                node = data["node"].get("id")
            self.describe(node)
            if cat == "ui.slowClickDetected":
                self.duration(data.get("timeAfterClickMs"))
            elif cat == "ui.multiClick":
                clicks = _int(data.get("clickCount"))
                if clicks is not None:
                    self.count(clicks)
        elif cat not in _CRUMB_SET and isinstance(message, str) and message:
            ids.append(V["[TXT]"])
            self.text(message, opts.max_attr_chars)

    def span(self, p: dict) -> None:
        V, ids = self.V, self.ids
        op = p.get("op")
        data = p.get("data") if isinstance(p.get("data"), dict) else {}
        desc = p.get("description")
        vital = WEB_VITALS.get(op) or (WEB_VITALS.get(desc) if op == "web-vital" else None)
        if op in _SPAN_SET:
            ids.append(V[f"[SPAN:{op}]"])
        elif vital is not None:
            ids.append(V["[SPAN:web-vital]"])
        else:
            ids.append(V["[SPAN:other]"])
            if isinstance(op, str):
                self.text(op, self.opts.max_name_chars)
        start, end = _num(p.get("startTimestamp")), _num(p.get("endTimestamp"))
        if start is not None and end is not None and vital is None and op not in ("web-vital", "memory"):
            self.duration((end - start) * 1000.0)  # Sentry span timestamps are seconds
        if op == "web-vital" or vital is not None:
            ids.append(V[f"[VITAL:{vital}]"] if vital is not None else V["[VITAL:other]"])
            rating = data.get("rating")
            ids.append(V[f"[RATING:{rating}]"] if rating in VITAL_RATINGS else V["[RATING:other]"])
            if vital not in ("cls", None):
                self.duration(data.get("value"))
        elif op == "memory":
            mem = data.get("memory") if isinstance(data.get("memory"), dict) else {}
            used, limit = _num(mem.get("usedJSHeapSize")), _num(mem.get("jsHeapSizeLimit"))
            if used is not None and limit:
                decile = min(max(int(used / limit * HEAP_BUCKETS), 0), HEAP_BUCKETS - 1)
                ids.append(V[f"[HEAP:{decile}]"])
        elif isinstance(op, str) and op.startswith(("navigation.", "resource.")):
            if op in ("resource.fetch", "resource.xhr"):
                self.http(data.get("method"), data.get("statusCode"))
                for part in ("request", "response"):
                    info = data.get(part)
                    if isinstance(info, dict):
                        self.nbytes(info.get("size"))
            elif _int(data.get("statusCode")) is not None:
                self.http(None, data.get("statusCode"))
            ids.append(V["[URL]"])
            self.url(desc)

    def network(self, requests) -> None:
        """rrweb's / posthog-js's ``rrweb/network@1`` plugin: per request (at most
        ``max_mutation_items``) ``[SPAN:<kind>] [DUR:k] [METHOD:m] [HTTP:<class>] [BYTES:k] [URL] url``;
        bodies and headers are never tokenized, query strings never kept."""
        V, ids = self.V, self.ids
        if not isinstance(requests, list):
            return
        limit = self.opts.max_mutation_items
        self.count(len(requests))
        for req in requests[:limit]:
            if not isinstance(req, dict):
                continue
            ids.append(V["[SPAN:" + NETWORK_INITIATORS.get(req.get("initiatorType"), "resource.other") + "]"])
            self.duration(req.get("duration"))
            self.http(req.get("method"), req.get("responseStatus"))
            self.nbytes(req.get("transferSize"))
            ids.append(V["[URL]"])
            self.url(req.get("name"))
        self._more(len(requests), limit)

    def payload(self, obj) -> None:
        """Emit keys and string values of a JSON payload, iteratively, within ``max_payload_chars``."""
        V, ids = self.V, self.ids
        budget = self.opts.max_payload_chars
        value_cap, key_cap = self.opts.max_attr_chars, self.opts.max_name_chars
        stack = [obj]
        used = 0
        while stack:
            if used >= budget:
                ids.append(V["[PAYLOAD_TRUNC]"])
                return
            x = stack.pop()
            if isinstance(x, str):
                if x:
                    ids.append(V["[VAL]"])
                    self.text(x, min(budget - used, value_cap))
                    used += min(len(x), value_cap)
            elif isinstance(x, dict):
                for key in reversed(list(x)):
                    stack.append(x[key])
                    stack.append(("k", key))
            elif isinstance(x, list):
                stack.extend(reversed(x))
            elif isinstance(x, tuple):
                ids.append(V["[KEY]"])
                if isinstance(x[1], str):
                    self.text(x[1], key_cap)
                    used += min(len(x[1]), key_cap)
            elif isinstance(x, (int, float)) and not isinstance(x, bool):
                ids.append(V["[NUM]"])
                used += 1

    # ------------------------------------------------------------- mutations
    def mutation(self, data: dict) -> None:
        """``full`` profile: removes, adds (serialised subtrees), texts, attributes; at most
        ``max_mutation_items`` of each (then ``[MORE] [N:rest]``), adds within ``max_mutation_tokens``."""
        start = len(self.ids)
        self._removes(data.get("removes"))
        adds = data.get("adds")
        if isinstance(adds, list):
            self._adds(adds, start, bool(data.get("isAttachIframe")))
        self._texts(data.get("texts"))
        self._attribute_changes(data.get("attributes"))

    def _capped(self, items: list, token: str):
        """The object items of a Mutation list within ``max_mutation_items``, each after ``token``;
        then ``[MORE] [N:rest]`` for the items past the cap (the one home of that rule)."""
        cap = self.opts.max_mutation_items
        ids, token_id = self.ids, self.V[token]
        for item in items[:cap]:
            if isinstance(item, dict):
                ids.append(token_id)
                yield item
        self._more(len(items), cap)

    def _removes(self, removes) -> None:
        if not isinstance(removes, list) or not removes:
            return
        for rem in self._capped(removes, "[REMOVE]"):
            self.describe(rem.get("id"))
        self.mirror.remove_all(removes)

    def _adds(self, adds: list, start: int, attach_iframe: bool) -> None:
        V, ids = self.V, self.ids
        cap = self.opts.max_mutation_items
        limit = start + self.opts.max_mutation_tokens  # the event's removes count against it too
        mirror = self.mirror
        if attach_iframe:
            ids.append(V["[IFRAME]"])
        for add in adds[:cap]:
            if not isinstance(add, dict) or not isinstance(add.get("node"), dict):
                continue
            pid = _int(add.get("parentId"))
            left = limit - len(ids)
            if left <= 0:
                mirror.register_subtree(add["node"], pid)
                continue
            ids.append(V["[ADD]"])
            parent = mirror.get(pid) if pid is not None else None
            ids.append(parent.tag_id if parent is not None else V["[TGT:unknown]"])
            self.serialize(add["node"], pid, left, "[MUTATION_TRUNC]")
        for add in adds[cap:]:  # past the cap: mirrored, not shown
            if isinstance(add, dict) and isinstance(add.get("node"), dict):
                mirror.register_subtree(add["node"], _int(add.get("parentId")))
        self._more(len(adds), cap)

    def _texts(self, texts) -> None:
        if not isinstance(texts, list) or not texts:
            return
        get = self.mirror.get
        for item in self._capped(texts, "[SET_TEXT]"):
            tid = _int(item.get("id"))
            node = get(tid) if tid is not None else None
            self.describe(node.parent_id if node is not None else tid)
            val = item.get("value")
            if isinstance(val, str):
                self.text(val, self.opts.max_text_chars)
            elif val is None:
                self.ids.append(self.V["[NULL]"])

    def _attribute_changes(self, changes) -> None:
        if not isinstance(changes, list) or not changes:
            return
        get = self.mirror.get
        for item in self._capped(changes, "[SET_ATTR]"):
            aid = _int(item.get("id"))
            self.describe(aid)
            node = get(aid) if aid is not None else None
            attrs = item.get("attributes")
            if isinstance(attrs, dict):
                if node is None:
                    self.attributes(attrs, "", False)
                else:
                    self.attributes(attrs, node.tag, node.is_password)

    def summarize(self, roots: list, budget: int, trunc_token: str) -> None:
        """``behaviour`` profile: register subtrees, emit one summary of them within ``budget`` tokens.

        Args:
            roots: ``(node, parent_id)`` pairs (one snapshot root, or a mutation's added nodes).
            budget: most tokens the element list may take.
            trunc_token: emitted when the list is cut.

        The summary is ``[N:elements]``, then in document order each landmark's tag token and each
        heading's and form field's tag token with ``[LBL]`` + its label (as targets are described);
        no attributes, text nodes or closing tags. The mirror gets the whole subtrees, so later targets
        are described exactly as with the full profile.
        """
        V, ids, mirror = self.V, self.ids, self.mirror
        for root, parent_id in roots:
            mirror.register_subtree(root, parent_id)
        elements = 0
        kept: list = []
        stack = [root for root, _ in reversed(roots)]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            if node.get("type") == 2:
                elements += 1
                info = mirror.get(_int(node.get("id")))
                if info is not None and (info.tag in SUMMARY_LANDMARKS or info.tag in SUMMARY_LABELLED):
                    kept.append((info, info.tag in SUMMARY_LABELLED))
            children = node.get("childNodes")
            if isinstance(children, list):
                stack.extend(reversed(children))
        self.count(elements)
        limit = len(ids) + budget
        for info, labelled in kept:
            if len(ids) >= limit:
                ids.append(V[trunc_token])
                break
            ids.append(info.tag_id)
            label = info.target_label
            if labelled and label:
                ids.append(V["[LBL]"])
                self.text(label, self.opts.max_label_chars)

    def mutation_summary(self, data: dict) -> None:
        """``behaviour`` profile: a Mutation as counts (``[REMOVE] [N:k]``, ``[SET_TEXT] [N:k]``,
        ``[SET_ATTR] [N:k]``) and one :meth:`summarize` of the added subtrees (``[ADD] [N:elements] ...``).
        The mirror is updated as with the full profile."""
        V, ids = self.V, self.ids
        removes = data.get("removes")
        if isinstance(removes, list) and removes:
            ids.append(V["[REMOVE]"])
            self.count(len(removes))
            self.mirror.remove_all(removes)
        adds = data.get("adds")
        if isinstance(adds, list):
            roots = [
                (add["node"], _int(add.get("parentId")))
                for add in adds
                if isinstance(add, dict) and isinstance(add.get("node"), dict)
            ]
            if roots:
                if data.get("isAttachIframe"):
                    ids.append(V["[IFRAME]"])
                ids.append(V["[ADD]"])
                self.summarize(roots, self.opts.max_mutation_tokens, "[MUTATION_TRUNC]")
        for key, token in (("texts", "[SET_TEXT]"), ("attributes", "[SET_ATTR]")):
            items = data.get(key)
            if isinstance(items, list) and items:
                ids.append(V[token])
                self.count(len(items))


#: ``EventType`` -> the :class:`Walker` method emitting its ``data`` (which must be an object).
EVENT_HANDLERS = {
    EventType.FullSnapshot: "_on_full_snapshot",
    EventType.Meta: "_on_meta",
    EventType.Custom: "_on_custom",
    EventType.Plugin: "_on_plugin",
    EventType.Asset: "_on_asset",
}
#: Events with a kind and a time token only (IncrementalSnapshot goes by :data:`SOURCE_HANDLERS`).
KIND_ONLY_EVENTS = frozenset({EventType.DomContentLoaded, EventType.Load})
#: ``IncrementalSource`` -> the :class:`Walker` method emitting the event's ``data``.
SOURCE_HANDLERS = {
    IncrementalSource.Mutation: "_on_mutation",
    IncrementalSource.MouseMove: "_on_path",
    IncrementalSource.MouseInteraction: "_on_mouse_interaction",
    IncrementalSource.Scroll: "_on_scroll",
    IncrementalSource.ViewportResize: "_on_viewport_resize",
    IncrementalSource.Input: "_on_input",
    IncrementalSource.TouchMove: "_on_path",
    IncrementalSource.MediaInteraction: "_on_media_interaction",
    IncrementalSource.StyleSheetRule: "_on_style_sheet_rule",
    IncrementalSource.CanvasMutation: "_on_canvas_mutation",
    IncrementalSource.Font: "_on_font",
    IncrementalSource.Drag: "_on_path",
    IncrementalSource.Selection: "_on_selection",
    IncrementalSource.AdoptedStyleSheet: "_on_adopted_style_sheet",
    IncrementalSource.CustomElement: "_on_custom_element",
}
#: Sources with a kind and a time token only.
KIND_ONLY_SOURCES = frozenset({IncrementalSource.Log, IncrementalSource.StyleDeclaration})
_INCREMENTAL_SNAPSHOT = int(EventType.IncrementalSnapshot)


_CRUMB_SET = frozenset(SENTRY_CRUMBS)
_SPAN_SET = frozenset(SENTRY_SPANS)
SENTRY_EVENT_TAGS = frozenset({"breadcrumb", "performanceSpan", "options"})


def _css_name(n: int) -> str:
    for bound, name in CSS_BUCKETS:
        if n < bound:
            return name
    return CSS_BUCKET_NAMES[-1]
