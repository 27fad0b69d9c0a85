"""Test items of the two token tasks, cut from encoded sessions.

Both tasks work on a session's token ids and event ids (``RRWebTokenizer.encode_session``); an event's
tokens are the run of ids with its event index, its first token its kind token (``[EVT:...]``/``[SRC:...]``).

**Next interaction** (:func:`next_interaction_items`): every click (``[SRC:MouseInteraction]`` whose
subkind token is ``[MI:Click]``) and every ``[SRC:Input]`` event (by default only the first of a run of
keystrokes on one target). Its *target* is the description the
tokenizer writes after the event's prefix (README, "Token scheme"): the tag token (``<button>``, ``<other>``
+ its name, or ``[TGT:unknown]`` / ``[TGT:none]``), then ``[LBL]`` and the label. The item keeps the tokens
before the target (the event's own kind, time, ``[MI:Click]`` and coordinates included) and predicts the
tag token and the first label token (the token after ``[LBL]``; items whose target has no label are scored
on the tag only). The target and everything after it are dropped: the model sees the context followed by
:data:`TARGET_MASKS` ``[MASK]`` tokens, the same count for every item, so the number of masks says nothing
about the label's length; slot 0 is scored against the tag, slot 2 against the first label token.

**Whole-event reconstruction** (:func:`reconstruction_items`): one event's tokens are all removed and
replaced by :data:`EVENT_MASKS` ``[MASK]`` tokens (again a fixed count: an event's length would give its
kind away); the context on both sides stays. Slot 0 is scored against the event's kind token. Events are
grouped for the report (``click``, ``input``, ``navigation`` = ``[EVT:Meta]``, ``mutation``, and any other
kind under its own name, e.g. ``dom_content_loaded``).

Example:
    >>> vocab = {"[SRC:MouseInteraction]": 10, "[DT:3]": 11, "[MI:Click]": 12, "[X:1]": 13, "[Y:2]": 14,
    ...          "<button>": 15, "[LBL]": 16, "[EVT:Meta]": 17}
    >>> ids = [17, 11, 10, 11, 12, 13, 14, 15, 16, 900, 901]
    >>> eids = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    >>> specials = TokenRoles.from_vocab(vocab | {"[MASK]": 4, "[CLS]": 2, "[SEP]": 3, "[PAD]": 0})
    >>> item = next_interaction_items(ids, eids, specials, session=0, max_context=100)[0][0]
    >>> item.left, item.targets, item.group
    ([17, 11, 10, 11, 12, 13, 14], (15, 900), 'click')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

#: ``[MASK]`` tokens that stand for a masked target (slot 0: tag, slot 2: first label token).
TARGET_MASKS = 3
#: ``[MASK]`` tokens that stand for a removed event (slot 0: its kind token).
EVENT_MASKS = 3
#: Mouse interactions that lead into a click or an input on the same target (the gesture's first steps).
LEAD_IN_INTERACTIONS = ("[MI:MouseDown]", "[MI:MouseUp]", "[MI:Focus]", "[MI:TouchStart]", "[MI:TouchEnd]")
#: Report groups of events, by kind token (a MouseInteraction is a click when its subkind is [MI:Click]).
KIND_GROUPS = {
    "[SRC:Input]": "input",
    "[EVT:Meta]": "navigation",
    "[SRC:Mutation]": "mutation",
    "[SRC:MouseMove]": "mouse_move",
    "[SRC:Scroll]": "scroll",
    "[EVT:FullSnapshot]": "snapshot",
    "[SRC:ViewportResize]": "viewport_resize",
}


@dataclass
class TokenRoles:
    """The token ids the tasks need, resolved from a vocabulary.

    Attributes:
        mask, cls, sep, pad: special ids.
        lbl: ``[LBL]``; other: ``<other>`` (its name follows as text), or -1.
        mouse_interaction, click, input: ``[SRC:MouseInteraction]``, ``[MI:Click]``, ``[SRC:Input]``.
        target_heads: ids that start a target (opening tag tokens, ``[TGT:unknown]``, ``[TGT:none]``).
        kinds: event-kind ids (``[EVT:*]``, ``[SRC:*]``).
        names: id -> token string for the ids above.
        text_offset: the first text id.
        lead_ins: ``[MI:*]`` ids of :data:`LEAD_IN_INTERACTIONS`; mouse_move: ``[SRC:MouseMove]`` or -1.
    """

    mask: int
    cls: int
    sep: int
    pad: int
    lbl: int
    other: int
    mouse_interaction: int
    click: int
    input: int
    target_heads: frozenset
    kinds: frozenset
    names: dict = field(default_factory=dict)
    text_offset: int = 2**62
    lead_ins: frozenset = frozenset()
    mouse_move: int = -1

    @classmethod
    def from_vocab(cls, vocab: dict[str, int], text_offset: int | None = None) -> TokenRoles:
        """Resolve the roles from ``token -> id`` (``tokenizer.get_vocab()``).

        Args:
            vocab: the vocabulary.
            text_offset: the first text id (``tokenizer.text_id_offset``; None: no text ids known).
        """

        def need(token: str) -> int:
            if token not in vocab:
                raise ValueError(
                    f"the tokenizer has no {token} token; the benchmark needs an RRWebTokenizer vocabulary"
                )
            return int(vocab[token])

        heads = {
            int(i)
            for t, i in vocab.items()
            if (t.startswith("<") and not t.startswith("</") and t.endswith(">"))
            or t in ("[TGT:unknown]", "[TGT:none]")
        }
        kinds = {int(i) for t, i in vocab.items() if t.startswith(("[EVT:", "[SRC:"))}
        names = {int(i): t for t, i in vocab.items() if int(i) in heads or int(i) in kinds}
        return cls(
            mask=need("[MASK]"),
            cls=need("[CLS]"),
            sep=need("[SEP]"),
            pad=need("[PAD]"),
            lbl=need("[LBL]"),
            other=int(vocab.get("<other>", -1)),
            mouse_interaction=need("[SRC:MouseInteraction]"),
            click=need("[MI:Click]"),
            input=int(vocab.get("[SRC:Input]", -1)),
            target_heads=frozenset(heads),
            kinds=frozenset(kinds),
            names=names,
            text_offset=int(text_offset) if text_offset is not None else 2**62,
            lead_ins=frozenset(int(vocab[t]) for t in LEAD_IN_INTERACTIONS if t in vocab),
            mouse_move=int(vocab.get("[SRC:MouseMove]", -1)),
        )


@dataclass
class Item:
    """One test item.

    Attributes:
        session: the session's index.
        event: the event's index in the session.
        left: context before the masks; right: context after them (reconstruction only).
        targets: the ids to predict, one per scored slot (``(tag, first label or None)`` or ``(kind,)``).
        group: report group (``click``, ``input``, ``navigation``, ...).
        recent: next interaction only: the session's previous targets, most recent first, distinct.
        frequent: next interaction only: the session's previous targets, most frequent first (ties: recent).
    """

    session: int
    event: int
    left: list[int]
    right: list[int]
    targets: tuple
    group: str
    recent: list = field(default_factory=list)
    frequent: list = field(default_factory=list)


def masked_input(item: Item, roles: TokenRoles, n_masks: int) -> tuple[list[int], int]:
    """The model's input for an item, ``[CLS] left [MASK]*n_masks right [SEP]``, and its first mask's position.

    Example:
        >>> roles = TokenRoles(mask=4, cls=2, sep=3, pad=0, lbl=9, other=-1, mouse_interaction=10, click=12,
        ...                    input=20, target_heads=frozenset({15}), kinds=frozenset({10, 20}))
        >>> masked_input(Item(0, 1, [7, 8], [], (15, None), "click"), roles, 3)
        ([2, 7, 8, 4, 4, 4, 3], 3)
    """
    return [roles.cls, *item.left, *([roles.mask] * n_masks), *item.right, roles.sep], 1 + len(item.left)


def event_spans(event_ids) -> list[tuple[int, int, int]]:
    """``(event index, start, end)`` of each run of equal event ids, in order.

    Example:
        >>> event_spans([0, 0, 1, 2, 2, 2])
        [(0, 0, 2), (1, 2, 3), (2, 3, 6)]
    """
    spans = []
    start = 0
    for i in range(1, len(event_ids) + 1):
        if i == len(event_ids) or event_ids[i] != event_ids[start]:
            spans.append((int(event_ids[start]), start, i))
            start = i
    return spans


def event_group(ids, start: int, end: int, roles: TokenRoles) -> str:
    """The report group of the event ``ids[start:end]``."""
    kind = ids[start]
    if kind == roles.mouse_interaction:
        return "click" if end > start + 2 and ids[start + 2] == roles.click else "mouse_interaction"
    name = roles.names.get(int(kind), "")
    return KIND_GROUPS.get(name) or kind_group_name(name)


def kind_group_name(token: str) -> str:
    """A report group for a kind token without its own entry: the kind in snake case.

    Example:
        >>> kind_group_name("[EVT:DomContentLoaded]"), kind_group_name("[SRC:CanvasMutation]")
        ('dom_content_loaded', 'canvas_mutation')
    """
    inner = token[token.find(":") + 1 : -1] if token.startswith("[") and ":" in token else token
    return re.sub(r"(?<!^)(?=[A-Z])", "_", inner).lower() or "unknown"


def _evenly(n: int, cap: int | None) -> list[int]:
    """``cap`` indices spread evenly over ``range(n)`` (all of them when ``cap`` is None or >= n)."""
    if cap is None or n <= cap:
        return list(range(n))
    return sorted({int(round(x)) for x in np.linspace(0, n - 1, cap)})


def target_of(ids, start: int, end: int, roles: TokenRoles) -> tuple[int, int | None, int] | None:
    """``(tag id, first label id or None, target start)`` of an interaction event, None without a target."""
    position = next((p for p in range(start + 1, end) if ids[p] in roles.target_heads), None)
    if position is None:
        return None
    tag = int(ids[position])
    q = position + 1
    if tag == roles.other:  # <other> + its tag name as text
        while q < end and ids[q] >= roles.text_offset:
            q += 1
    label = int(ids[q + 1]) if q + 1 < end and ids[q] == roles.lbl else None
    return tag, label, position


#: ``input_runs`` values: score every Input event, or only the first of a run on one target.
INPUT_RUNS = ("first", "every")


def next_interaction_items(
    ids,
    event_ids,
    roles: TokenRoles,
    session: int,
    max_context: int,
    max_items: int | None = None,
    input_runs: str = "first",
) -> tuple[list[Item], dict]:
    """The next-interaction items of one encoded session.

    rrweb writes one Input event per keystroke, so most Input events repeat the target of the Input just
    before them: with ``input_runs="first"`` only the first Input of such a run is an item (the repeats
    stay in the context and in the baselines' history, and are counted as ``input_repeats``);
    ``"every"`` scores them all.

    A click is recorded as ``MouseDown``, ``MouseUp`` then ``Click``, each naming the same target (a focus
    may come first too): those lead-ins would hand the answer to any predictor that copies. The context
    therefore ends before the gesture's lead-ins (:data:`LEAD_IN_INTERACTIONS` on the same target, with
    the mouse moves between them), followed by the event's own prefix (kind, time, ``[MI:Click]``,
    coordinates); the removed lead-in events are counted as ``lead_ins_cut``.

    Args:
        ids: the session's token ids (no special tokens).
        event_ids: their event indices.
        roles: from :meth:`TokenRoles.from_vocab`.
        session: the session's index, stored in each item.
        max_context: context tokens kept before the target (the model's window less the special tokens
            and the masks).
        max_items: keep at most this many interactions per session, spread evenly (None: all).
        input_runs: ``"first"`` or ``"every"`` (see above).

    Returns:
        ``(items, counts)``; counts: ``candidates`` (clicks and inputs), ``no_target`` (an interaction the
        tokenizer wrote without a target), ``input_repeats`` (Input events left out by ``input_runs``),
        ``capped`` (left out by ``max_items``), ``lead_ins_cut`` (lead-in events left out of contexts).

    Raises:
        ValueError: an unknown ``input_runs``.
    """
    if input_runs not in INPUT_RUNS:
        raise ValueError(f"input_runs={input_runs!r}; choose one of {', '.join(INPUT_RUNS)}")
    found = []
    no_target = repeats = candidates = cut_events = 0
    counts: Counter = Counter()
    last_seen: dict[tuple, int] = {}
    recent: list[tuple] = []  # distinct previous targets, most recent first (at most 5 kept)
    previous = None  # (group, target) of the previous interaction
    lead_ins: list[tuple[int, tuple | None]] = []  # (start, target) of lead-ins since the last other event
    for event, start, end in event_spans(event_ids):
        group = event_group(ids, start, end, roles)
        if group not in ("click", "input"):
            if group == "mouse_interaction" and end > start + 2 and ids[start + 2] in roles.lead_ins:
                found_target = target_of(ids, start, end, roles)
                lead_ins.append((start, found_target and found_target[:2]))
            elif ids[start] != roles.mouse_move:
                lead_ins = []
            continue
        candidates += 1
        target = target_of(ids, start, end, roles)
        if target is None:
            no_target += 1
            lead_ins = []
            continue
        tag, label, position = target
        key = (tag, label)
        cut = start
        for lead_start, lead_target in reversed(lead_ins):
            if lead_target != key:
                break
            cut = lead_start
            cut_events += 1
        lead_ins = []
        if input_runs == "first" and group == "input" and previous == ("input", key):
            repeats += 1
        else:
            frequent = sorted(counts, key=lambda t: (-counts[t], -last_seen[t]))[:5]
            prefix = list(ids[max(start, position - max_context) : position])
            history = max_context - len(prefix)
            found.append(
                Item(
                    session=session,
                    event=event,
                    left=(list(ids[max(0, cut - history) : cut]) if history else []) + prefix,
                    right=[],
                    targets=key,
                    group=group,
                    recent=list(recent),
                    frequent=frequent,
                )
            )
        counts[key] += 1
        last_seen[key] = candidates
        recent = [key, *[t for t in recent if t != key]][:5]
        previous = (group, key)
    keep = _evenly(len(found), max_items)
    items = [found[i] for i in keep]
    return items, {
        "candidates": candidates,
        "no_target": no_target,
        "input_repeats": repeats,
        "capped": len(found) - len(items),
        "lead_ins_cut": cut_events,
    }


def reconstruction_items(
    ids, event_ids, roles: TokenRoles, session: int, max_context: int, max_per_group: int | None = None
) -> tuple[list[Item], dict]:
    """The whole-event reconstruction items of one encoded session.

    Args:
        ids: the session's token ids.
        event_ids: their event indices.
        roles: token roles.
        session: the session's index.
        max_context: context tokens kept around the event (half before, half after; a short side gives
            its unused share to the other).
        max_per_group: at most this many events per report group and session, spread evenly (None: all).

    Returns:
        ``(items, counts)``; counts: ``candidates`` per group, ``capped`` (left out by ``max_per_group``).
    """
    by_group: dict[str, list[tuple[int, int, int]]] = {}
    for event, start, end in event_spans(event_ids):
        by_group.setdefault(event_group(ids, start, end, roles), []).append((event, start, end))
    items, candidates, capped = [], {}, 0
    for group in sorted(by_group):
        spans = by_group[group]
        candidates[group] = len(spans)
        keep = _evenly(len(spans), max_per_group)
        capped += len(spans) - len(keep)
        for index in keep:
            event, start, end = spans[index]
            before, after = start, len(ids) - end
            n_left = min(before, max(max_context // 2, max_context - after))
            n_right = min(after, max_context - n_left)
            items.append(
                Item(
                    session=session,
                    event=event,
                    left=list(ids[start - n_left : start]),
                    right=list(ids[end : end + n_right]),
                    targets=(int(ids[start]),),
                    group=group,
                )
            )
    items.sort(key=lambda item: item.event)
    return items, {"candidates": candidates, "capped": capped}
