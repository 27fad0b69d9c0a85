"""Token budget profiles of the tokenizer (``profile="full"|"behaviour"``, saved in tokenizer_config.json)."""

from __future__ import annotations

import json

import pytest
from test_collators import SESSION

from rrweb_hf import RRWebTokenizer
from rrweb_hf.tokenization_rrweb import PROFILES


@pytest.fixture(scope="module")
def tokenizers():
    return {
        "default": RRWebTokenizer.train([SESSION] * 20, text_vocab_size=300),
        "full": RRWebTokenizer.train([SESSION] * 20, text_vocab_size=300, profile="full"),
        "behaviour": RRWebTokenizer.train([SESSION] * 20, text_vocab_size=300, profile="behaviour"),
    }


def _by_event(tok, session):
    enc = tok(session, return_event_ids=True, add_special_tokens=False)
    lines: dict[int, list[str]] = {}
    for token, event in zip(tok.convert_ids_to_tokens(enc["input_ids"]), enc["event_ids"], strict=True):
        lines.setdefault(event, []).append(token)
    return [" ".join(v) for v in lines.values()]


def _decoded_clicks(tok, session):
    enc = tok(session, return_event_ids=True, add_special_tokens=False)
    events: dict[int, list[int]] = {}
    for i, event in zip(enc["input_ids"], enc["event_ids"], strict=True):
        events.setdefault(event, []).append(i)
    return [tok.decode(ids) for ids in events.values() if "[MI:Click]" in tok.convert_ids_to_tokens(ids)]


def test_full_profile_is_todays_ids(tokenizers, tiny_sessions):
    default, full = tokenizers["default"], tokenizers["full"]
    assert default.profile == "full" and default.max_snapshot_tokens == 4096
    for session in [SESSION, *tiny_sessions]:
        assert full(session)["input_ids"] == default(session)["input_ids"]
    # The README's worked example, event 1, as documented there.
    assert _by_event(default, SESSION)[1].startswith(
        "[EVT:FullSnapshot] [DT:5] [SX:0] [SY:0] [NODE:Document] <html>"
    )


def test_behaviour_profile_summarises_the_dom(tokenizers):
    lines = _by_event(tokenizers["behaviour"], SESSION)
    assert lines == [
        "[EVT:Meta] [DT:start] [W:8] [H:6] [URL] https :// shop . example / cart [QUERY]",
        # 5 elements (html, body, input, button, script); form fields with their labels.
        "[EVT:FullSnapshot] [DT:5] [SX:0] [SY:0] [N:5-8] <input> [LBL] email <button> [LBL] Pay Ġnow",
        "[SRC:MouseMove] [DT:10] [N:2] [X:1] [Y:2] [X:7] [Y:7]",
        "[SRC:Input] [DT:11] <input> [LBL] email [MASKED:9-16]",
        "[SRC:MouseInteraction] [DT:10] [MI:Click] [X:8] [Y:8] <button> [LBL] Pay Ġnow",
        "[SRC:Mutation] [DT:7] [REMOVE] [N:1] [ADD] [N:1]",
    ]


def test_behaviour_targets_match_the_full_profile(tokenizers, tiny_sessions):
    """The mirror sees the whole DOM in both profiles: click and input targets are described the same."""
    for session in tiny_sessions[:3]:
        full = _decoded_clicks(tokenizers["full"], session)
        assert full == _decoded_clicks(tokenizers["behaviour"], session) and full


def test_profile_is_saved_and_explicit_options_win(tokenizers, tmp_path):
    tokenizers["behaviour"].save_pretrained(str(tmp_path / "tok"))
    saved = json.loads((tmp_path / "tok" / "tokenizer_config.json").read_text())
    assert (
        saved["profile"] == "behaviour"
        and saved["max_snapshot_tokens"] == PROFILES["behaviour"]["max_snapshot_tokens"]
    )
    again = RRWebTokenizer.from_pretrained(str(tmp_path / "tok"))
    assert again(SESSION)["input_ids"] == tokenizers["behaviour"](SESSION)["input_ids"]
    assert RRWebTokenizer(profile="behaviour", max_snapshot_tokens=999).max_snapshot_tokens == 999
    with pytest.raises(ValueError, match="profile='tiny' is not one of full, behaviour"):
        RRWebTokenizer(profile="tiny")
