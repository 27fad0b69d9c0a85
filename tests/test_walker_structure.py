"""The walker's parts: WalkerOptions (checks, asdict in tokenizer_config.json), the DomMirror and its
slotted MirrorNode, the EventType / IncrementalSource handler tables, and the one ``[MORE]`` cap rule.

Expected token strings were produced by the walker before it was split into these parts (main at
aaab74d) and are unchanged by the split; the option caps (``max_name_chars`` ...) are new fields.
Depends on: rrweb_hf/walker_options.py, rrweb_hf/dom_mirror.py, rrweb_hf/rrweb_walker.py,
rrweb_hf/tokenization_rrweb.py (helpers from tests/test_tokenizer.py).
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from test_tokenizer import META, el, snapshot

from rrweb_hf.dom_mirror import DomMirror, MirrorNode
from rrweb_hf.rrweb_types import EventType, IncrementalSource
from rrweb_hf.rrweb_walker import (
    EVENT_HANDLERS,
    KIND_ONLY_EVENTS,
    KIND_ONLY_SOURCES,
    SOURCE_HANDLERS,
    Walker,
    structural_tokens,
)
from rrweb_hf.tokenization_rrweb import DEFAULT_OPTIONS, RRWebTokenizer
from rrweb_hf.walker_options import OPTION_NAMES, PROFILES, WalkerOptions

# ----------------------------------------------------------------------------- WalkerOptions


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"max_text_chars": "5"},
            TypeError,
            "max_text_chars='5' must be an integer (default 200); pass e.g. max_text_chars=200",
        ),
        ({"max_path_points": True}, TypeError, "max_path_points=True must be an integer"),
        (
            {"mask_pii": 1},
            TypeError,
            "mask_pii=1 must be True or False (default True); pass e.g. mask_pii=True",
        ),
        ({"coord_bins": 0}, ValueError, "coord_bins=0 must be >= 1 (default 16); pass a positive integer"),
        ({"max_name_chars": -3}, ValueError, "max_name_chars=-3 must be >= 1"),
        ({"profile": "tiny"}, ValueError, "profile='tiny' is not one of full, behaviour; pass one of them"),
    ],
)
def test_options_reject_a_bad_value_naming_it_and_the_fix(kwargs, error, message):
    for build in (WalkerOptions, WalkerOptions.for_profile, RRWebTokenizer):
        with pytest.raises(error) as info:
            build(**kwargs)
        assert message in str(info.value), (build, str(info.value))


def test_options_are_frozen_and_unknown_names_are_refused():
    opts = WalkerOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.max_text_chars = 1
    with pytest.raises(
        TypeError, match="RRWebTokenizer has no option max_txt_chars; the options are strict, "
    ):
        WalkerOptions.for_profile("full", max_txt_chars=5)


def test_profile_values_apply_and_explicit_options_win():
    assert WalkerOptions.for_profile("full") == WalkerOptions()
    behaviour = WalkerOptions.for_profile("behaviour", max_mutation_items=9)
    assert dataclasses.asdict(behaviour) == {
        **DEFAULT_OPTIONS,
        **PROFILES["behaviour"],
        "profile": "behaviour",
        "max_mutation_items": 9,
    }
    assert (behaviour.max_snapshot_tokens, behaviour.max_text_chars, behaviour.max_mutation_items) == (
        128,
        48,
        9,
    )
    assert DEFAULT_OPTIONS == dataclasses.asdict(WalkerOptions()) and tuple(DEFAULT_OPTIONS) == OPTION_NAMES


def test_options_asdict_round_trips_through_save_and_load(tmp_path):
    tok = RRWebTokenizer(profile="behaviour", max_label_chars=7, mask_inputs=False, max_name_chars=5)
    tok.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    saved = {k: config[k] for k in OPTION_NAMES}
    assert saved == dataclasses.asdict(tok._options)
    assert WalkerOptions(**saved) == tok._options
    assert (
        saved["max_label_chars"] == 7 and saved["max_snapshot_tokens"] == 128 and saved["max_name_chars"] == 5
    )
    loaded = RRWebTokenizer.from_pretrained(tmp_path)
    assert loaded._options == tok._options and loaded.max_label_chars == 7
    events = [META, {"type": 5, "timestamp": 1001, "data": {"tag": "checkout-started", "payload": {}}}]
    assert loaded.encode_session(events) == tok.encode_session(events)


def test_walker_takes_options_not_a_dict():
    vocab = {t: i for i, t in enumerate(structural_tokens(16, 16, 16))}
    with pytest.raises(TypeError, match="Walker options are a dict; pass a WalkerOptions"):
        Walker(vocab, dict(DEFAULT_OPTIONS))


def test_name_caps_are_options():
    """The caps written inline before (32 for names, 16 for levels, 24 for tag names) are fields."""
    events = [
        {
            "type": 5,
            "timestamp": 1070,
            "data": {"tag": "checkout-started", "payload": {"orderIdentifier": "x"}},
        },
        {
            "type": 6,
            "timestamp": 1071,
            "data": {"plugin": "rrweb/console@1", "payload": {"level": "warning", "payload": ["hi"]}},
        },
        {
            "type": 2,
            "timestamp": 1072,
            "data": {"node": {"type": 0, "id": 1, "childNodes": [el(2, "my-fancy-widget", {})]}},
        },
        {"type": 3, "timestamp": 1073, "data": {"source": 2, "type": 2, "id": 2}},
    ]

    def tokens(**opts):
        tok = RRWebTokenizer(**opts)
        return " ".join(tok.convert_ids_to_tokens(tok.encode_session(events)[0]))

    assert tokens() == (
        "[EVT:Custom] [DT:start] [TAG] c h e c k o u t - s t a r t e d [KEY] o r d e r I d e n t i f i e r "
        "[VAL] x [EVT:Plugin] [DT:1] [TAG] r r w e b / c o n s o l e @ 1 [LEVEL] w a r n i n g [VAL] h i "
        "[EVT:FullSnapshot] [DT:1] [NODE:Document] <other> m y - f a n c y - w i d g e t </other> "
        "[SRC:MouseInteraction] [DT:1] [MI:Click] <other> m y - f a n c y - w i d g e t"
    )
    assert tokens(max_name_chars=4, max_level_chars=2, max_tag_name_chars=3) == (
        "[EVT:Custom] [DT:start] [TAG] c h e c [TRUNC] [KEY] o r d e [TRUNC] [VAL] x [EVT:Plugin] [DT:1] "
        "[TAG] r r w e [TRUNC] [LEVEL] w a [TRUNC] [VAL] h i [EVT:FullSnapshot] [DT:1] [NODE:Document] "
        "<other> m y - [TRUNC] </other> [SRC:MouseInteraction] [DT:1] [MI:Click] <other> m y - [TRUNC]"
    )


# ----------------------------------------------------------------------------- DomMirror


def _mirror() -> DomMirror:
    return DomMirror(
        {"div": (10, 11), "input": (12, 13), "label": (14, 15)}, 1, {0: 20, 3: 23}, 29, label_chars=4
    )


def test_mirror_records_targets_parents_and_privacy():
    mirror = _mirror()
    tree = el(
        5,
        "DIV",
        {"class": "form"},
        [
            el(6, "label", {}, [{"type": 3, "id": 7, "textContent": "  E-mail address  "}]),
            el(8, "input", {"type": "Password", "id": "pw"}),
            el(9, "input", {"type": "text", "autocomplete": "cc-number"}),
            el(10, "svg:rect", {}),
            {"type": 3, "id": True, "textContent": "no id"},
        ],
    )
    mirror.register_subtree(tree, 4)
    assert sorted(mirror.nodes) == [5, 6, 7, 8, 9, 10]  # the node whose id is a bool is not stored
    assert mirror.get(5) == MirrorNode(5, 10, "", "", "E-mail", False, 4, "div", "div")  # grandchild text
    assert mirror.get(6) == MirrorNode(6, 14, "", "", "E-mail", False, 5, "label", "label")
    assert mirror.get(7) == MirrorNode(7, 23, "", "", "", False, 6, "", "")
    assert mirror.get(8) == MirrorNode(8, 12, "", "pw", "", True, 5, "input:password", "input")
    assert (mirror.get(9).is_password, mirror.get(9).kind) == (True, "input:text")
    assert (mirror.get(10).tag_id, mirror.get(10).other_name, mirror.get(10).tag) == (1, "svg:rect", "svg")
    assert mirror.get(6).target_label == "E-mail" and mirror.get(8).target_label == "pw"
    assert mirror.parent(7) is mirror.get(6) and mirror.parent(5) is None and mirror.parent(99) is None
    mirror.remove_all([{"id": 6}, {"id": True}, "junk", {"id": 99}])
    assert mirror.get(6) is None and mirror.get(7) is not None and len(mirror) == 5  # descendants stay
    mirror.reset()
    assert len(mirror) == 0 and mirror.get(5) is None  # get stays bound to the (cleared) registry


def test_mirror_node_is_slotted():
    node = MirrorNode(1, 2, "", "", "", False, None, "", "")
    assert not hasattr(node, "__dict__")
    with pytest.raises(AttributeError):
        node.colour = "red"


# ----------------------------------------------------------------------------- handler tables


def test_handler_tables_cover_every_kind_the_walker_handled():
    # Before the tables, the walker's if-chains gave these kinds payload tokens and the others none.
    assert {int(k) for k in EVENT_HANDLERS} == {2, 4, 5, 6, 7}
    assert {int(k) for k in SOURCE_HANDLERS} == {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16}
    events = set(EVENT_HANDLERS) | KIND_ONLY_EVENTS | {EventType.IncrementalSnapshot}
    assert events == set(EventType) and not set(EVENT_HANDLERS) & KIND_ONLY_EVENTS
    assert set(SOURCE_HANDLERS) | KIND_ONLY_SOURCES == set(IncrementalSource)
    assert not set(SOURCE_HANDLERS) & KIND_ONLY_SOURCES
    for name in list(EVENT_HANDLERS.values()) + list(SOURCE_HANDLERS.values()):
        assert callable(getattr(Walker, name)), name
    assert all(type(k) is EventType for k in EVENT_HANDLERS)  # keyed by the enums, not magic ints
    assert all(type(k) is IncrementalSource for k in SOURCE_HANDLERS)


def _tokens_of_last_events(tok, events, n_last):
    ids, event_ids = tok.encode_session(events)
    first = event_ids.index(len(events) - n_last)
    return " ".join(tok.convert_ids_to_tokens(ids[first:]))


def test_kind_only_events_and_sources_emit_kind_and_time_only():
    events = [
        {"type": 0, "timestamp": 1040, "data": {}},
        {"type": 1, "timestamp": 1040, "data": {}},
        {"type": 3, "timestamp": 1041, "data": {"source": 11, "level": "log", "payload": ["x"]}},
        {"type": 3, "timestamp": 1041, "data": {"source": 13, "id": 4, "set": {"property": "color"}}},
    ]
    assert _tokens_of_last_events(RRWebTokenizer(), events, 4) == (
        "[EVT:DomContentLoaded] [DT:start] [EVT:Load] [DT:0] [SRC:Log] [DT:1] [SRC:StyleDeclaration] [DT:0]"
    )


# ----------------------------------------------------------------------------- the [MORE] cap rule

PAGE = [
    META,
    snapshot(
        [
            el(4, "input", {"type": "checkbox", "name": "agree"}),
            el(5, "ul", {"id": "list"}, [el(6, "li", {}, [{"type": 3, "id": 7, "textContent": "One"}])]),
        ]
    ),
]
MUTATION = {
    "type": 3,
    "timestamp": 1020,
    "data": {
        "source": 0,
        "removes": [{"parentId": 5, "id": 6}, {"parentId": 5, "id": 90}, "junk", {"id": 91}, {"id": 92}],
        "adds": [{"parentId": 5, "node": el(10 + k, "li", {})} for k in range(4)],
        "texts": [{"id": 7, "value": "A"}, {"id": 7, "value": None}, {"id": 7, "value": "C"}],
        "attributes": [
            {"id": 4, "attributes": {"checked": True}},
            {"id": 5, "attributes": {"class": "x"}},
            {"id": 12, "attributes": {}},
        ],
    },
}


def test_more_after_the_item_cap_in_every_mutation_list():
    tok = RRWebTokenizer(max_mutation_items=2)
    assert _tokens_of_last_events(tok, PAGE + [MUTATION], 1) == (
        "[SRC:Mutation] [DT:5] [REMOVE] <li> [LBL] O n e [REMOVE] [TGT:unknown] [MORE] [N:3-4] "
        "[ADD] <ul> <li> </li> [ADD] <ul> <li> </li> [MORE] [N:2] "
        "[SET_TEXT] [TGT:unknown] A [SET_TEXT] [TGT:unknown] [NULL] [MORE] [N:1] "
        "[SET_ATTR] <input> [LBL] a g r e e @checked [SET_ATTR] <ul> [LBL] l i s t @class x [MORE] [N:1]"
    )
    # adds past the cap are mirrored all the same: a later click on one is described, an input on
    # the checkbox reads its kind from the mirror
    later = [
        {"type": 3, "timestamp": 1050, "data": {"source": 5, "id": 4, "isChecked": False}},
        {"type": 3, "timestamp": 1060, "data": {"source": 2, "type": 2, "id": 13, "x": 10, "y": 10}},
    ]
    assert _tokens_of_last_events(tok, PAGE + [MUTATION] + later, 2) == (
        "[SRC:Input] [DT:6] <input> [LBL] a g r e e [UNCHECKED] [SRC:MouseInteraction] [DT:5] [MI:Click] [X:0] [Y:0] <li>"
    )


def test_more_after_the_item_cap_in_network_requests():
    request = {
        "initiatorType": "fetch",
        "name": "https://api.io/a?k=1",
        "method": "GET",
        "responseStatus": 200,
        "duration": 30,
        "transferSize": 500,
    }
    plugin = {
        "type": 6,
        "timestamp": 1030,
        "data": {"plugin": "rrweb/network@1", "payload": {"requests": [request] * 3}},
    }
    one = "[SPAN:resource.fetch] [DUR:6] [METHOD:GET] [HTTP:2xx] [BYTES:1] [URL] h t t p s : / / a p i . i o / a [QUERY]"
    assert _tokens_of_last_events(RRWebTokenizer(max_mutation_items=2), [plugin], 1) == (
        f"[EVT:Plugin] [DT:start] [TAG] r r w e b / n e t w o r k @ 1 [N:3-4] {one} {one} [MORE] [N:1]"
    )
