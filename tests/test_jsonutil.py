"""The depth-unlimited JSON parser agrees with orjson (big integers included) and rejects invalid JSON."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rrweb_hf.jsonutil import JSONDecodeError, _loads_iterative, loads

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]))
def test_iterative_parser_matches_orjson(value, indent):
    text = json.dumps(value, indent=indent)
    assert _loads_iterative(text) == orjson.loads(text)


@pytest.mark.parametrize(
    "bad",
    ["", "[", "[1,]", "[1 2]", '{"a" 1}', '{"a":1,}', "{,}", "NaN", "[Infinity]", "[1]x", "{'a':1}", "[tru]"],
)
def test_iterative_parser_rejects_invalid_json(bad):
    with pytest.raises(JSONDecodeError):
        _loads_iterative(bad)


def test_deep_documents_fall_back_and_bad_utf8_is_a_decode_error():
    depth = 20_000
    value = loads(b"[" * depth + b"]" * depth)
    for _ in range(depth - 1):
        value = value[0]
    assert value == []
    with pytest.raises(JSONDecodeError, match="(?i)utf-8"):
        loads(b"[" * 2000 + b"\xff" + b"]" * 2000)
    with pytest.raises(JSONDecodeError):
        loads(b"[" * 2000 + b"]" * 1999)
