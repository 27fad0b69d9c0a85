"""Property tests (hypothesis) for RRWebTokenizer over generated valid and broken sessions."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrweb_hf.tokenization_rrweb import RRWebTokenizationError, RRWebTokenizer

LENIENT = RRWebTokenizer()
STRICT = RRWebTokenizer(strict=True)

ints = st.integers(min_value=-5, max_value=40)
nums = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.text(max_size=3),
)
text = st.text(max_size=40)
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), nums, text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def nodes(draw, depth=0):
    kind = draw(st.sampled_from([0, 2, 2, 2, 3, 3, 5, 1, 4, 9]))
    node = {"type": kind, "id": draw(st.integers(1, 60))}
    if kind == 2:
        node["tagName"] = draw(
            st.sampled_from(["div", "a", "input", "button", "style", "script", "x-y", "SVG"])
        )
        node["attributes"] = draw(
            st.dictionaries(
                st.sampled_from(["id", "class", "value", "type", "href", "aria-label", "k"]), junk, max_size=3
            )
        )
    if kind in (0, 2):
        node["childNodes"] = draw(st.lists(nodes(depth + 1), max_size=3)) if depth < 3 else []
    if kind == 3:
        node["textContent"] = draw(text)
    return node


@st.composite
def incremental(draw):
    source = draw(st.one_of(st.integers(0, 16), st.integers(17, 30)))
    data = {"source": source}
    if source == 0:
        data["adds"] = draw(
            st.lists(st.fixed_dictionaries({"parentId": st.integers(0, 60), "node": nodes()}), max_size=3)
        )
        data["removes"] = draw(st.lists(st.fixed_dictionaries({"parentId": ints, "id": ints}), max_size=3))
        data["texts"] = draw(
            st.lists(st.fixed_dictionaries({"id": ints, "value": st.one_of(text, st.none())}), max_size=2)
        )
        data["attributes"] = draw(
            st.lists(
                st.fixed_dictionaries({"id": ints, "attributes": st.dictionaries(text, junk, max_size=2)}),
                max_size=2,
            )
        )
    elif source in (1, 6, 12):
        data["positions"] = draw(
            st.lists(
                st.fixed_dictionaries({"x": nums, "y": nums, "id": ints, "timeOffset": nums}), max_size=15
            )
        )
    else:
        data.update(
            draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "type": ints,
                        "id": st.one_of(ints, junk),
                        "x": nums,
                        "y": nums,
                        "text": st.one_of(text, junk),
                        "isChecked": st.booleans(),
                        "width": nums,
                        "height": nums,
                        "pointerType": ints,
                        "ranges": junk,
                    },
                )
            )
        )
    return data


@st.composite
def valid_events(draw):
    etype = draw(st.sampled_from([0, 1, 2, 3, 3, 3, 3, 4, 5, 6, 7, 8, 42]))
    if etype == 2:
        data = {"node": draw(nodes()), "initialOffset": {"top": draw(nums), "left": draw(nums)}}
    elif etype == 3:
        data = draw(incremental())
    elif etype == 4:
        data = {"href": draw(text), "width": draw(nums), "height": draw(nums)}
    elif etype in (5, 6):
        data = {"tag": draw(text), "plugin": draw(text), "payload": draw(junk)}
    elif etype == 7:
        data = {"url": draw(text)}
    else:
        data = draw(junk)
    event = {"type": etype, "data": data}
    if draw(st.booleans()):
        event["timestamp"] = draw(nums)
    return event


broken_events = st.one_of(
    junk,
    st.fixed_dictionaries({"type": junk, "data": junk}),
    st.fixed_dictionaries({"type": st.sampled_from([2, 3, 4, 5, 6, 7]), "data": junk}),
)
sessions = st.lists(st.one_of(valid_events(), valid_events(), broken_events), max_size=12)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_encoding(tok, events, ids, event_ids):
    assert len(ids) == len(event_ids)
    assert all(0 <= i < len(tok) for i in ids)
    assert event_ids == sorted(event_ids)
    assert set(event_ids) == set(range(len(events)))  # every event yields at least one token


@SETTINGS
@given(sessions)
def test_lenient_never_raises_and_maps_every_event(events):
    stats = {}
    ids, event_ids = LENIENT.encode_session(events, stats=stats)
    _check_encoding(LENIENT, events, ids, event_ids)
    malformed = LENIENT.convert_ids_to_tokens(ids).count("[EVT:malformed]")
    assert malformed == stats["malformed_events"]


@SETTINGS
@given(sessions)
def test_strict_raises_only_the_documented_error(events):
    try:
        ids, event_ids = STRICT.encode_session(events)
    except RRWebTokenizationError as exc:
        assert exc.event_index is not None and 0 <= exc.event_index < len(events)
        lenient_ids, _ = LENIENT.encode_session(events)
        assert "[EVT:malformed]" in LENIENT.convert_ids_to_tokens(lenient_ids)
        return
    _check_encoding(STRICT, events, ids, event_ids)
    assert ids == LENIENT.encode_session(events)[0]


@SETTINGS
@given(st.lists(valid_events(), max_size=8), st.integers(8, 40), st.integers(0, 5))
def test_json_string_equals_events_and_windows_cover(events, max_length, stride):
    try:
        raw = orjson.dumps(events)
    except TypeError:
        return
    ids, event_ids = LENIENT.encode_session(events)
    # orjson writes NaN/Infinity as null: the string path must equal the path over its parse
    assert LENIENT.encode_session(raw) == LENIENT.encode_session(orjson.loads(raw))
    stride = min(stride, max_length - 3)
    framed = LENIENT.windows(ids, event_ids, max_length, stride)
    assert all(
        len(w) <= max_length and w[0] == LENIENT.cls_token_id and w[-1] == LENIENT.sep_token_id
        for w, _ in framed
    )
    assert all(ev[0] is None and ev[-1] is None for _, ev in framed)
    wins = [(w[1:-1], ev[1:-1]) for w, ev in framed]
    assert sum(len(w) for w, _ in wins) >= len(ids)
    assert {e for _, ev in wins for e in ev} == set(event_ids)
    assert wins[0][0] == ids[: len(wins[0][0])]
    assert wins[-1][0] == ids[len(ids) - len(wins[-1][0]) :]


@pytest.mark.parametrize("bad", [b"[1, 2", b"NaN", b'{"events": 3}', b"\xff\xfe"])
def test_unparseable_strings(bad):
    assert LENIENT.convert_ids_to_tokens(LENIENT.encode_session(bad)[0]) == ["[EVT:malformed]"]
    with pytest.raises(RRWebTokenizationError):
        STRICT.encode_session(bad)
