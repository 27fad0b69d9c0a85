"""Event-aware masking (:mod:`rrweb_hf.collators`): which positions each mode masks, exactly."""

import pytest
import torch

from rrweb_hf import RRWebTokenizer
from rrweb_hf.collators import EventMaskingCollator, target_positions

# The README's worked example: Meta, FullSnapshot, MouseMove, Input, Click, Mutation.
SESSION = [
    {"type": 4, "timestamp": 1000, "data": {"href": "https://shop.example/cart?id=9", "width": 1280, "height": 720}},
    {"type": 2, "timestamp": 1012, "data": {"initialOffset": {"top": 0, "left": 0}, "node": {"type": 0, "id": 1, "childNodes": [
        {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
            {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
                {"type": 2, "id": 4, "tagName": "input", "attributes": {"type": "email", "name": "email"}, "childNodes": []},
                {"type": 2, "id": 5, "tagName": "button", "attributes": {"class": "buy"}, "childNodes": [{"type": 3, "id": 6, "textContent": "Pay now"}]},
                {"type": 2, "id": 7, "tagName": "script", "attributes": {}, "childNodes": [{"type": 3, "id": 8, "textContent": "track()"}]}]}]}]}}},
    {"type": 3, "timestamp": 1400, "data": {"source": 1, "positions": [{"x": 100, "y": 100, "id": 3, "timeOffset": -40}, {"x": 600, "y": 350, "id": 5, "timeOffset": 0}]}},
    {"type": 3, "timestamp": 2100, "data": {"source": 5, "id": 4, "text": "ann@mail.com", "isChecked": False}},
    {"type": 3, "timestamp": 2600, "data": {"source": 2, "type": 2, "id": 5, "x": 640, "y": 360}},
    {"type": 3, "timestamp": 2650, "data": {"source": 0, "adds": [{"parentId": 3, "nextId": None, "node":
        {"type": 2, "id": 9, "tagName": "p", "attributes": {"role": "status"}, "childNodes": [{"type": 3, "id": 10, "textContent": "Receipt sent to ann@mail.com"}]}}],
        "removes": [{"parentId": 3, "id": 4}], "texts": [], "attributes": []}},
]  # fmt: skip


@pytest.fixture(scope="module")
def encoded():
    tok = RRWebTokenizer.train([SESSION] * 20, text_vocab_size=300)
    enc = tok(SESSION, return_event_ids=True)
    return tok, enc["input_ids"], [-1 if e is None else e for e in enc["event_ids"]]


def test_target_positions_are_the_input_and_click_targets(encoded):
    tok, ids, evs = encoded
    spans = target_positions(ids, evs, tok)
    tokens = [[tok.convert_ids_to_tokens(ids[i]) for i in span] for span in spans]
    # Input: <input> [LBL] email ; Click: <button> [LBL] Pay now (two subwords).
    assert [t[0] for t in tokens] == ["<input>", "<button>"]
    assert [t[1] for t in tokens] == ["[LBL]", "[LBL]"]
    assert [len(t) for t in tokens] == [3, 4]
    assert [{evs[i] for i in span} for span in spans] == [{3}, {4}]
    # The Mutation's "[REMOVE] <input> [LBL] email" is not an interaction target.
    assert all(evs[span[0]] != 5 for span in spans)


def test_target_masking_masks_exactly_the_targets(encoded):
    tok, ids, evs = encoded
    collator = EventMaskingCollator(
        tok,
        masking="target",
        mlm_probability=0.0,
        target_probability=1.0,
        mask_replace_prob=1.0,
        random_replace_prob=0.0,
        seed=0,
    )
    batch = collator([{"input_ids": ids, "event_ids": evs}])
    masked = (batch["labels"][0] != -100).nonzero().flatten().tolist()
    expected = sorted(i for span in target_positions(ids, evs, tok) for i in span)
    assert masked == expected
    assert batch["input_ids"][0, expected].tolist() == [tok.mask_token_id] * len(expected)
    assert batch["labels"][0, expected].tolist() == [ids[i] for i in expected]
    assert "event_ids" not in batch


def test_event_masking_masks_whole_short_events(encoded):
    tok, ids, evs = encoded
    sizes = {e: evs.count(e) for e in set(evs) if e >= 0}
    assert sizes == {0: 13, 1: 22, 2: 7, 3: 6, 4: 9, 5: 20}  # tokens per event
    collator = EventMaskingCollator(
        tok,
        masking="event",
        mlm_probability=1.0,
        max_event_tokens=10,
        mask_replace_prob=1.0,
        random_replace_prob=0.0,
        seed=0,
    )
    batch = collator([{"input_ids": ids, "event_ids": evs}] * 4)
    labels = batch["labels"]
    # p=1: every token of a content event is chosen (short events whole, long ones token by token).
    assert (labels != -100).sum(dim=1).tolist() == [sum(sizes.values())] * 4
    assert labels[:, 0].tolist() == [-100] * 4 and labels[:, len(ids) - 1].tolist() == [-100] * 4

    collator = EventMaskingCollator(
        tok,
        masking="event",
        mlm_probability=0.5,
        max_event_tokens=10,
        mask_replace_prob=1.0,
        random_replace_prob=0.0,
        seed=3,
    )
    labels = collator([{"input_ids": ids, "event_ids": evs}] * 16)["labels"]
    whole = {e for e, n in sizes.items() if n <= 10}
    seen = set()
    for row in labels:
        chosen = {evs[i] for i in range(len(ids)) if row[i] != -100}
        for e in whole:
            mask = [row[i] != -100 for i in range(len(ids)) if evs[i] == e]
            assert all(mask) or not any(mask), f"event {e} partly masked"
            if all(mask):
                seen.add(e)
        assert chosen <= set(sizes)
    assert seen == whole  # over 16 rows every short event was picked at least once


def test_token_masking_is_the_stock_collator(encoded):
    from transformers import DataCollatorForLanguageModeling

    tok, ids, evs = encoded
    ours = EventMaskingCollator(tok, masking="token", seed=7)([{"input_ids": ids, "event_ids": evs}] * 3)
    stock = DataCollatorForLanguageModeling(tok, seed=7)([{"input_ids": ids}] * 3)
    assert torch.equal(ours["input_ids"], stock["input_ids"])
    assert torch.equal(ours["labels"], stock["labels"])


def test_bad_mode_names_the_choices(encoded):
    tok, _, _ = encoded
    with pytest.raises(ValueError, match="masking='words' is not one of token, event, target, mixed"):
        EventMaskingCollator(tok, masking="words")


def test_interaction_mode_turns_windows_into_benchmark_items(encoded):
    """``interaction``: a window becomes a next-interaction or whole-event item laid out as the benchmark
    lays it out (the same builders), its labels exactly the scored slots; item_probability=0 is mixed."""
    from rrweb_hf.benchmark.items import (
        TokenRoles,
        masked_input,
        next_interaction_items,
        reconstruction_items,
    )

    tok, ids, evs = encoded
    roles = TokenRoles.from_vocab(tok.get_vocab(), tok.text_id_offset)
    content, events = ids[1:-1], evs[1:-1]
    nexts, _ = next_interaction_items(content, events, roles, 0, len(content) - 3)
    whole, _ = reconstruction_items(content, events, roles, 0, len(content) - 3)
    expected = {}
    for item in nexts:
        row, first = masked_input(item, roles, 3)
        labels = [-100] * len(row)
        labels[first] = item.targets[0]
        if item.targets[1] is not None:
            labels[first + 1], labels[first + 2] = roles.lbl, item.targets[1]
        expected[tuple(row)] = labels
    for item in whole:
        row, first = masked_input(item, roles, 3)
        labels = [-100] * len(row)
        labels[first] = item.targets[0]
        expected[tuple(row)] = labels
    collator = EventMaskingCollator(
        tok, masking="interaction", item_probability=1.0, pad_to_multiple_of=None, anonymise_text=False
    )
    seen_tasks = set()
    for seed in range(12):
        collator.generator = torch.Generator().manual_seed(seed)
        batch = collator([{"input_ids": ids, "event_ids": evs}])
        n = int(batch["attention_mask"][0].sum())
        row = tuple(batch["input_ids"][0, :n].tolist())
        assert row in expected, "not one of the benchmark's items"
        assert batch["labels"][0, :n].tolist() == expected[row]
        assert row[-1] == tok.sep_token_id and len(row) <= len(ids)
        seen_tasks.add("next" if row[-2] == tok.mask_token_id else "event")
    assert seen_tasks == {"next", "event"}
    # anonymise_text (the default): the same items, every text id renamed by one bijection per item,
    # in the context and in the label alike; structural ids untouched.
    named = EventMaskingCollator(tok, masking="interaction", item_probability=1.0, pad_to_multiple_of=None)
    renamed_labels = 0
    for seed in range(12):
        collator.generator = torch.Generator().manual_seed(seed)
        named.generator = torch.Generator().manual_seed(seed)
        plain_batch = collator([{"input_ids": ids, "event_ids": evs}])
        anon_batch = named([{"input_ids": ids, "event_ids": evs}])
        n = int(plain_batch["attention_mask"][0].sum())
        mapping = {}
        for key in ("input_ids", "labels"):
            for a, b in zip(plain_batch[key][0, :n].tolist(), anon_batch[key][0, :n].tolist(), strict=True):
                if a >= 0 and tok.is_text_id(a):
                    assert tok.is_text_id(b) and mapping.setdefault(a, b) == b
                    renamed_labels += key == "labels"
                else:
                    assert a == b
        assert len(set(mapping.values())) == len(mapping) and any(a != b for a, b in mapping.items())
    assert renamed_labels > 0
    # Mixed with a plain window in one batch: both rows, padded to one width; labels -100 on padding.
    collator.item_probability = 0.0
    collator.generator = torch.Generator().manual_seed(0)
    plain = collator([{"input_ids": ids, "event_ids": evs}])
    mixed = EventMaskingCollator(tok, masking="mixed", pad_to_multiple_of=None)
    mixed.generator = torch.Generator().manual_seed(0)
    assert torch.equal(plain["labels"], mixed([{"input_ids": ids, "event_ids": evs}])["labels"])
    with pytest.raises(ValueError, match="item_probability=2"):
        EventMaskingCollator(tok, masking="interaction", item_probability=2)
