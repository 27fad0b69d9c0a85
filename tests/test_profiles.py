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


def test_kind_token_counts_by_event_and_window_start():
    from rrweb_hf.stats import kind_token_counts

    # two windows: [CLS] e0 e0 e1 [SEP] | [CLS] e1 e1 e2 [SEP]; the second starts inside event 1.
    ids = [2, 7, 1, 9, 3, 2, 1, 1, 8, 3]
    events = [-1, 0, 0, 1, -1, -1, 1, 1, 2, -1]
    assert kind_token_counts(ids, events, starts=[5]) == {7: 2, 9: 1, 1: 2, 8: 1}


def test_token_share_in_stats_cli_and_prepare_report(tokenizers, tmp_path, capsys):
    import argparse

    from rrweb_hf.cli import stats as cli_stats
    from rrweb_hf.prepare import prepare_windows

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "s.json").write_text(json.dumps(SESSION))
    tok = tokenizers["full"]
    tok.save_pretrained(str(tmp_path / "tok"))
    parser = argparse.ArgumentParser()
    cli_stats.add_arguments(parser)
    args = parser.parse_args([str(corpus), "--json", "--tokenizer", str(tmp_path / "tok"), "--no-progress"])
    assert cli_stats.run(args) == 0
    share = json.loads(capsys.readouterr().out)["token_share"]
    # 79 content tokens: FullSnapshot 22, Mutation 20, Meta 13, Click 9, MouseMove 7, Input 6.
    assert share == {
        "[EVT:FullSnapshot]": round(22 / 77, 4),
        "[SRC:Mutation]": round(20 / 77, 4),
        "[EVT:Meta]": round(13 / 77, 4),
        "[SRC:MouseInteraction]": round(9 / 77, 4),
        "[SRC:MouseMove]": round(7 / 77, 4),
        "[SRC:Input]": round(6 / 77, 4),
    }
    report = prepare_windows(
        corpus,
        tok,
        max_length=512,
        stride=8,
        with_event_ids=True,
        validation_fraction=0.0,
        progress=False,
        cache_dir=str(tmp_path / "cache"),
    ).report
    assert report["token_share"] == share  # one window holds the whole session
