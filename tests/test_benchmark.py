"""The downstream benchmark (``rrweb_hf.benchmark``, ``rrweb-hf evaluate``).

Exact metric values on hand-made similarities and labels, the target masking of next interaction and the
event removal of reconstruction on a hand-written session (real tokenizer), labels files (CSV, JSONL,
MANIFEST.json, bad ones), the splits, and the command's JSON on a small real corpus with a tiny
random-weights model folder (real scikit-learn, real BERT forward passes).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import rrweb_hf
from rrweb_hf import RRWebTokenizer
from rrweb_hf.benchmark import (
    LabelsError,
    held_out_part,
    leave_one_site_out,
    load_labels,
    rotation_corpus,
    within_site_split,
)
from rrweb_hf.benchmark.items import (
    TARGET_MASKS,
    TokenRoles,
    masked_input,
    next_interaction_items,
    reconstruction_items,
)
from rrweb_hf.benchmark.metrics import (
    bootstrap_interval,
    label_prior_similarity,
    macro_f1,
    mean_interval,
    retrieval_per_query,
    topk_hits,
)
from rrweb_hf.cli import main

# The README's worked example: a snapshot with an e-mail input and a "Pay now" button, typing, a click.
SESSION = [
    {
        "type": 4,
        "timestamp": 1000,
        "data": {"href": "https://shop.example/cart?x=1", "width": 1280, "height": 720},
    },
    {
        "type": 2,
        "timestamp": 1005,
        "data": {
            "initialOffset": {"left": 0, "top": 0},
            "node": {
                "type": 0,
                "id": 1,
                "childNodes": [
                    {
                        "type": 2,
                        "id": 2,
                        "tagName": "html",
                        "attributes": {},
                        "childNodes": [
                            {
                                "type": 2,
                                "id": 3,
                                "tagName": "body",
                                "attributes": {},
                                "childNodes": [
                                    {
                                        "type": 2,
                                        "id": 4,
                                        "tagName": "input",
                                        "attributes": {"name": "email"},
                                        "childNodes": [],
                                    },
                                    {
                                        "type": 2,
                                        "id": 5,
                                        "tagName": "button",
                                        "attributes": {},
                                        "childNodes": [{"type": 3, "id": 6, "textContent": "Pay now"}],
                                    },
                                ],
                            }
                        ],
                    }
                ],
            },
        },
    },
    {
        "type": 3,
        "timestamp": 2100,
        "data": {"source": 5, "id": 4, "text": "ann@mail.com", "isChecked": False},
    },
    {"type": 3, "timestamp": 2600, "data": {"source": 2, "type": 2, "id": 5, "x": 640, "y": 360}},
    {"type": 3, "timestamp": 2700, "data": {"source": 2, "type": 2, "id": 99, "x": 10, "y": 10}},
]


@pytest.fixture(scope="module")
def tok():
    return RRWebTokenizer.train([SESSION] * 20, text_vocab_size=300, show_progress=False)


@pytest.fixture(scope="module")
def roles(tok):
    return TokenRoles.from_vocab(tok.get_vocab(), tok.text_id_offset)


# ------------------------------------------------------------------------------------------- metrics
def test_retrieval_metrics_exact():
    # Unit vectors: rows 0 and 1 close (label a), row 2 close to 0 but label b, row 3 label b far away.
    v = np.array([[1.0, 0.0], [0.96, 0.28], [0.98, -0.2], [0.0, 1.0], [-1.0, 0.0]])
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    labels = ["a", "a", "b", "b", "c"]
    per = retrieval_per_query(v @ v.T, labels, k=2)
    # query 0: ranking 2 (b), 1 (a) -> miss at 1, rank 2; query 1: 0 (a) hit; query 2: 0, 1, 3 -> rank 3;
    # query 3: 1 (a), 0 (a), 4 (c, a tie with 0 broken by row order), 2 (b) -> rank 4; query 4: label c is alone -> not scored.
    assert per["hit1"][:4].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert per["rr"][:4].tolist() == pytest.approx([0.5, 1.0, 1 / 3, 0.25])
    assert per["recall_at_k"][:4].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert np.isnan(per["hit1"][4]) and np.isnan(per["rr"][4])
    mean, ci, n = mean_interval(per["rr"], ["s0", "s1", "s2", "s3", "s4"], n_samples=0)
    assert (mean, ci, n) == (pytest.approx((0.5 + 1 + 1 / 3 + 0.25) / 4), None, 4)


def test_majority_retrieval_ranks_the_most_frequent_label_first():
    labels = ["a", "a", "a", "b", "b"]
    per = retrieval_per_query(label_prior_similarity(labels), labels)
    # a-queries: the other two a's come first (hit); b-queries: the three a's first, the other b fourth.
    assert per["hit1"].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert per["rr"].tolist() == [1.0, 1.0, 1.0, 0.25, 0.25]


def test_bootstrap_is_deterministic_and_resamples_sessions():
    values = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    groups = ["s1", "s1", "s2", "s2", "s3", "s3"]
    first = mean_interval(values, groups, n_samples=500, seed=7)
    assert first == mean_interval(values, groups, n_samples=500, seed=7)
    assert first[0] == 0.5 and first[2] == 6
    low, high = first[1]
    # Session means are 1, 0, 0.5: a resample of 3 sessions gives a mean in [0, 1], both ends reachable.
    assert low == 0.0 and high == 1.0
    assert mean_interval(values, groups, n_samples=500, seed=8) != mean_interval(
        values, ["a"] * 6, n_samples=500, seed=8
    )
    # One session: every resample is the same session, so the interval is a point.
    assert mean_interval(values, ["one"] * 6, n_samples=100)[1] == [0.5, 0.5]
    stat = bootstrap_interval(
        groups, lambda idx: float(np.mean(np.asarray(values)[idx])), n_samples=500, seed=7
    )
    assert stat == first[1]


def test_topk_and_macro_f1():
    ranked = np.array([[5, 6, 7], [6, 5, -1], [7, -1, -1]])
    assert topk_hits(ranked, np.array([5, 5, 5]), 1).tolist() == [1.0, 0.0, 0.0]
    assert topk_hits(ranked, np.array([5, 5, 5]), 2).tolist() == [1.0, 1.0, 0.0]
    # F1: a = 2/3 (p 1, r 0.5), b = 2/3 (p 0.5, r 1); macro 2/3.
    assert macro_f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx(2 / 3)


# --------------------------------------------------------------------------------------------- items
def test_next_interaction_masks_the_target_and_drops_what_follows(tok, roles):
    ids, eids = tok.encode_session(SESSION)
    items, counts = next_interaction_items(ids, eids, roles, session=0, max_context=10_000)
    assert counts == {"candidates": 3, "no_target": 0, "input_repeats": 0, "capped": 0, "lead_ins_cut": 0}
    assert [it.group for it in items] == ["input", "click", "click"]
    vocab = tok.get_vocab()
    starts = {e: eids.index(e) for e in set(eids)}
    # Input (event 2): [SRC:Input] [DT:k] <input> [LBL] email ...: the target starts at its third token.
    inp, click, unknown = items
    p = starts[2] + 2
    assert ids[p] == vocab["<input>"] and ids[p + 1] == vocab["[LBL]"]
    assert inp.left == ids[:p] and inp.targets == (vocab["<input>"], ids[p + 2])
    assert tok.convert_ids_to_tokens(ids[p + 2]) == "email"
    # Click (event 3): [SRC:MouseInteraction] [DT:k] [MI:Click] [X] [Y] <button> [LBL] Pay now.
    q = starts[3] + 5
    assert tok.convert_ids_to_tokens(ids[starts[3] : q])[2] == "[MI:Click]"
    assert click.left == ids[:q] and click.targets == (vocab["<button>"], ids[q + 2])
    assert tok.convert_ids_to_tokens(ids[q + 2]) == "Pay"
    # A click on a node the mirror does not know: [TGT:unknown], no label to score.
    assert unknown.targets == (vocab["[TGT:unknown]"], None)
    assert unknown.recent == [(vocab["<button>"], ids[q + 2]), (vocab["<input>"], ids[p + 2])]
    # The model reads the context, then exactly TARGET_MASKS masks, nothing after.
    row, first = masked_input(click, roles, TARGET_MASKS)
    assert row == [tok.cls_token_id, *ids[:q], *[tok.mask_token_id] * 3, tok.sep_token_id]
    assert first == q + 1 and row[first] == tok.mask_token_id
    # A context budget keeps the last tokens before the target; the cap spreads items evenly.
    short, _ = next_interaction_items(ids, eids, roles, session=0, max_context=4)
    assert short[1].left == ids[q - 4 : q]
    capped, counts = next_interaction_items(ids, eids, roles, session=0, max_context=50, max_items=2)
    assert [it.event for it in capped] == [2, 4] and counts["capped"] == 1


def test_a_clicks_lead_ins_are_cut_from_its_context(tok, roles):
    """MouseDown / MouseUp name the click's target: the context ends before them (mouse moves included)."""
    down = {"type": 3, "timestamp": 2500, "data": {"source": 2, "type": 1, "id": 5, "x": 640, "y": 360}}
    move = {
        "type": 3,
        "timestamp": 2550,
        "data": {"source": 1, "positions": [{"x": 641, "y": 360, "id": 5, "timeOffset": 0}]},
    }
    up = {"type": 3, "timestamp": 2580, "data": {"source": 2, "type": 0, "id": 5, "x": 640, "y": 360}}
    # A MouseDown on another node (the input, id 4) before them is not the click's lead-in: it stays.
    other = {"type": 3, "timestamp": 2400, "data": {"source": 2, "type": 1, "id": 4, "x": 10, "y": 10}}
    session = [*SESSION[:3], other, down, move, up, *SESSION[3:]]
    ids, eids = tok.encode_session(session)
    items, counts = next_interaction_items(ids, eids, roles, session=0, max_context=10_000)
    assert counts["lead_ins_cut"] == 2 and counts["candidates"] == 3
    click = items[1]
    starts = {e: eids.index(e) for e in set(eids)}
    assert click.event == 7 and tok.convert_ids_to_tokens(ids[starts[7] + 2]) == "[MI:Click]"
    # Context: everything before the MouseDown (event 4), then the click's own prefix up to its target.
    assert click.left == ids[: starts[4]] + ids[starts[7] : starts[7] + 5]
    assert ids[starts[3]] == roles.mouse_interaction and starts[3] < starts[4]  # the other MouseDown kept
    # The budget counts the prefix: 7 tokens = the 2 tokens before the lead-ins + the 5-token prefix.
    short, _ = next_interaction_items(ids, eids, roles, session=0, max_context=7)
    assert short[1].left == ids[starts[4] - 2 : starts[4]] + ids[starts[7] : starts[7] + 5]


def test_keystroke_repeats_are_one_interaction_by_default(tok, roles):
    typing = [
        *SESSION[:3],
        {"type": 3, "timestamp": 2200, "data": {"source": 5, "id": 4, "text": "ann@mail.co"}},
        *SESSION[3:],
    ]
    ids, eids = tok.encode_session(typing)
    first, counts = next_interaction_items(ids, eids, roles, session=0, max_context=100)
    assert [it.event for it in first] == [2, 4, 5] and counts["input_repeats"] == 1
    every, counts = next_interaction_items(ids, eids, roles, session=0, max_context=100, input_runs="every")
    assert [it.event for it in every] == [2, 3, 4, 5] and counts["input_repeats"] == 0
    # The repeat still counts in the history: the click after it has the input target twice.
    assert first[1].frequent == every[2].frequent == [every[0].targets]
    with pytest.raises(ValueError, match="input_runs='some'"):
        next_interaction_items(ids, eids, roles, session=0, max_context=100, input_runs="some")


def test_reconstruction_removes_the_whole_event(tok, roles):
    ids, eids = tok.encode_session(SESSION)
    items, counts = reconstruction_items(ids, eids, roles, session=0, max_context=10_000)
    assert counts["candidates"] == {"navigation": 1, "snapshot": 1, "input": 1, "click": 2}
    click = [it for it in items if it.event == 3][0]
    start, end = eids.index(3), len(eids) - eids[::-1].index(3)
    assert click.left == ids[:start] and click.right == ids[end:]
    assert click.targets == (tok.get_vocab()["[SRC:MouseInteraction]"],) and click.group == "click"
    nav = [it for it in items if it.group == "navigation"][0]
    assert nav.targets == (tok.get_vocab()["[EVT:Meta]"],) and nav.left == []
    # A budget of 6 around the click: the right side has fewer tokens, its unused share goes left.
    small, _ = reconstruction_items(ids, eids, roles, session=0, max_context=6, max_per_group=1)
    click = [it for it in small if it.group == "click"][0]
    assert click.event == 3 and len(click.left) + len(click.right) == 6
    assert (
        click.right == ids[end : end + len(click.right)]
        and click.left == ids[start - len(click.left) : start]
    )


def test_annotation_events_are_removed():
    from rrweb_hf.benchmark.annotations import strip_annotations

    events = [
        {"type": 5, "data": {"tag": "session", "payload": {"site": "django", "scenario": "orders-bulk"}}},
        {"type": 3, "data": {"source": 2, "type": 2, "id": 5}},
        {"type": 5, "data": {"tag": "scenario-step", "payload": {"step": 1, "name": "login"}}},
        {"type": 5, "data": {"tag": "cart-updated", "payload": {}}},
        {"type": 5, "data": "not an object"},
    ]
    kept, removed = strip_annotations(events)
    assert removed == 2 and kept == events[1:2] + events[3:]
    assert strip_annotations(events, tags=()) == (events, 0)


# -------------------------------------------------------------------------------------------- labels
def test_labels_from_csv_jsonl_and_manifest(tmp_path):
    (tmp_path / "l.csv").write_text("path,site,scenario\n./a/1.json,a,login\nb/2.json,b,search\n")
    (tmp_path / "l.jsonl").write_text(
        '{"path": "a/1.json", "site": "a", "scenario": "login"}\n\n{"path": "b/2.json", "site": "b"}\n'
    )
    for name in ("l.csv", "l.jsonl"):
        table = load_labels(tmp_path / name)
        assert [r["path"] for r in table.rows] == ["a/1.json", "b/2.json"]
        assert table.columns == ["path", "site", "scenario"]
    manifest = load_labels(rrweb_hf.sample_corpus() / "MANIFEST.json")
    assert {"site", "scenario"} <= set(manifest.columns)
    assert not any(r["path"].startswith("sdk/") for r in manifest.rows)  # other formats and their raw streams
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "MANIFEST.json").write_text(
        json.dumps(
            {
                "files": [
                    {"path": "a.json", "site": "x"},
                    {"path": "b.json", "site": "x", "format": "posthog", "raw": "b.raw.json"},
                    {"path": "b.raw.json", "site": "x", "format": "rrweb"},
                ]
            }
        )
    )
    table = load_labels(tmp_path / "m" / "MANIFEST.json")
    assert [r["path"] for r in table.rows] == ["a.json"]
    assert table.excluded_formats == {"posthog": 1, "companion of another format": 1}
    assert len(load_labels(tmp_path / "m" / "MANIFEST.json", formats=None).rows) == 3


def test_bad_labels_files(tmp_path):
    (tmp_path / "nopath.csv").write_text("file,site\na.json,a\n")
    with pytest.raises(LabelsError, match="no 'path' column"):
        load_labels(tmp_path / "nopath.csv")
    (tmp_path / "bad.jsonl").write_text('{"path": "a.json"}\nnot json\n')
    with pytest.raises(LabelsError, match="bad.jsonl:2"):
        load_labels(tmp_path / "bad.jsonl")
    (tmp_path / "l.txt").write_text("path\n")
    with pytest.raises(LabelsError, match="suffix"):
        load_labels(tmp_path / "l.txt")
    with pytest.raises(FileNotFoundError, match="--labels"):
        load_labels(tmp_path / "none.csv")
    (tmp_path / "ok.csv").write_text("path,site\na.json,a\n")
    with pytest.raises(LabelsError, match="label column 'scenario'.*path, site"):
        load_labels(tmp_path / "ok.csv").require("scenario")


# -------------------------------------------------------------------------------------------- splits
def test_leave_one_site_out_and_within_site_splits(tmp_path):
    rows = [{"path": f"{s}/{i:03d}.json", "site": s} for s in ("a", "b", "c") for i in range(40)]
    val = leave_one_site_out(rows, "c", part="validation")
    test = leave_one_site_out(rows, "c", part="test")
    assert len(val.train_paths) == 80 and all(not p.startswith("c/") for p in val.train_paths)
    assert set(val.eval_paths) | set(test.eval_paths) == {r["path"] for r in rows if r["site"] == "c"}
    assert not set(val.eval_paths) & set(test.eval_paths)
    assert 10 <= len(val.eval_paths) <= 30  # a 50/50 hash cut of 40 sessions
    assert all(held_out_part(p) == "validation" for p in val.eval_paths)
    assert val.eval_paths == leave_one_site_out(rows, "c", part="validation").eval_paths  # deterministic
    assert val.info()["eval_files"] == len(val.eval_paths) and val.name == "leave-one-site-out:c/validation"
    with pytest.raises(ValueError, match="'z' is not in"):
        leave_one_site_out(rows, "z")
    within = within_site_split(rows, part="test")
    assert not set(within.train_paths) & set(within.eval_paths) and within.train_paths
    assert within_site_split(rows, part="all").train_paths == []
    # The rotation corpus: links to every training file, none of the held-out site.
    corpus = tmp_path / "corpus"
    for r in rows:
        (corpus / r["path"]).parent.mkdir(parents=True, exist_ok=True)
        (corpus / r["path"]).write_text("[]")
    out = rotation_corpus(corpus, rows, "c", tmp_path / "rot")
    linked = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json") if p.name != "MANIFEST.json")
    assert linked == sorted(val.train_paths) and (out / "a" / "000.json").is_symlink()
    assert [p.relative_to(out).as_posix() for p in rrweb_hf.corpus.iter_corpus_files(out)] == linked
    # Within-site: the train halves of every site, none of the evaluated sessions.
    from rrweb_hf.benchmark import training_corpus

    inside = training_corpus(corpus, rows, within, tmp_path / "within")
    assert sorted(
        p.relative_to(inside).as_posix() for p in rrweb_hf.corpus.iter_corpus_files(inside)
    ) == sorted(within.train_paths)
    with pytest.raises(ValueError, match="no training files"):
        training_corpus(corpus, rows, within_site_split(rows, part="all"), tmp_path / "none")


# ----------------------------------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A corpus of 3 sites x 4 short real recordings and a tiny random-weights model folder."""
    from rrweb_hf.modeling import build_config, build_model

    root = tmp_path_factory.mktemp("bench")
    bundled = rrweb_hf.sample_corpus()
    manifest = load_labels(bundled / "MANIFEST.json").rows  # rrweb recordings only, no companions
    rows = []
    for site in ("django", "mkdocs", "media"):
        entries = sorted((e for e in manifest if e["site"] == site), key=lambda e: e["bytes"])[:4]
        for e in entries:
            events = rrweb_hf.read_session(bundled / e["path"]).events[:120]
            path = e["path"][: -len(".gz")]
            (root / "corpus" / path).parent.mkdir(parents=True, exist_ok=True)
            (root / "corpus" / path).write_text(json.dumps(events))
            rows.append({"path": path, "site": site, "scenario": e["scenario"]})
    rows.append({"path": "django/not-recorded.json", "site": "django", "scenario": "x"})
    (root / "corpus" / "MANIFEST.json").write_text(json.dumps({"files": rows}))
    sessions = list(rrweb_hf.walk_corpus(root / "corpus"))
    tok = RRWebTokenizer.train(sessions, text_vocab_size=300, show_progress=False)
    config = build_config(
        tok, "tiny", 64, "hidden_size=16,num_hidden_layers=1,num_attention_heads=2,intermediate_size=32"
    )
    build_model(config, seed=3).save_pretrained(root / "model")
    tok.save_pretrained(root / "model")
    return root


def test_cli_json_shape(small_model, capsys):
    code = main(
        [
            "evaluate",
            str(small_model / "model"),
            str(small_model / "corpus"),
            "--held-out",
            "media",
            "--split",
            "all",
            "--json",
            "--bootstrap",
            "50",
            "--max-items-per-session",
            "4",
            "--max-events-per-group",
            "2",
            "--out",
            str(small_model / "report"),
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["tasks"]) == {"retrieval", "probe", "next_interaction", "reconstruction"}
    for task, rows in result["tasks"].items():
        assert {"model", "random_init", "bag_of_tokens", "majority"} <= set(rows), task
        for row in rows.values():
            metrics = [k for k in row if k not in ("n", "ci")]
            assert metrics and set(row["n"]) == set(metrics) == set(row["ci"])
    assert {"most_frequent_target", "previous_target"} <= set(result["tasks"]["next_interaction"])
    assert result["tasks"]["retrieval"]["model"]["n"]["accuracy_1nn"] <= 4
    assert {"accuracy_click", "accuracy_input", "accuracy_navigation"} <= set(
        result["tasks"]["reconstruction"]["model"]
    )
    assert result["split"]["held_out"] == "media" and result["split"]["eval_sessions"] == 4
    assert result["split"]["train_sessions"] == 8
    assert result["data"]["missing_paths"] == 1 and result["data"]["missing_examples"] == [
        "django/not-recorded.json"
    ]
    assert result["data"]["formats"] == ["rrweb"]
    # The recorder's annotation events (they name the scenario) are removed from all 12 sessions.
    assert result["data"]["annotation_events_removed"] == {"eval": 5, "train": 16}
    assert (small_model / "report" / "benchmark.md").read_text().count("| model |") == 4
    assert (small_model / "report" / "benchmark.png").stat().st_size > 0


def test_cli_errors(small_model, capsys, tmp_path):
    args = ["evaluate", str(small_model / "model"), str(small_model / "corpus")]
    assert main([*args, "--label-column", "outcome"]) == 1
    assert "label column 'outcome'" in capsys.readouterr().err
    assert main([*args, "--held-out", "nowhere"]) == 1
    assert "'nowhere' is not in" in capsys.readouterr().err
    (tmp_path / "l.csv").write_text("path,scenario\nother/x.json,a\n")
    assert main([*args, "--labels", str(tmp_path / "l.csv")]) == 1
    assert "none of the 1 paths" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path), str(small_model / "corpus")]) == 1
    assert "not a model folder" in capsys.readouterr().err


def test_library_within_site_probe_only(small_model):
    from rrweb_hf.benchmark import evaluate_downstream

    result = evaluate_downstream(
        small_model / "model",
        small_model / "corpus",
        label_column="site",
        split="all",
        tasks=("probe",),
        bootstrap_samples=20,
    )
    probe = result["tasks"]["probe"]
    assert result["split"]["name"] == "all" and result["split"]["eval_sessions"] == 12
    # 4 stratified folds of 3 x 4 sessions: every fold trains on a 3-3-3 tie, broken towards the first
    # label (django), so majority is right on the 4 django sessions: accuracy 1/3, macro-F1 (0.5 + 0 + 0) / 3.
    assert result["task_info"]["probe"]["folds"] == 4
    assert probe["majority"]["accuracy"] == pytest.approx(1 / 3)
    assert probe["majority"]["macro_f1"] == pytest.approx(1 / 6)
    assert result["task_info"]["probe"]["stratified"] is True
    assert Path(result["data"]["labels"]).name == "MANIFEST.json"


def test_encoder_without_head_is_reported(small_model, tmp_path, caplog):
    from transformers import AutoModel

    from rrweb_hf.benchmark import evaluate_downstream
    from rrweb_hf.modeling import load_tokenizer

    AutoModel.from_pretrained(small_model / "model").save_pretrained(tmp_path / "encoder")
    load_tokenizer(small_model / "model").save_pretrained(tmp_path / "encoder")
    with caplog.at_level("WARNING", logger="rrweb_hf.benchmark.core"):
        result = evaluate_downstream(
            tmp_path / "encoder",
            small_model / "corpus",
            split="all",
            tasks=("reconstruction",),
            max_events_per_group=1,
            bootstrap_samples=0,
        )
    assert any(k.startswith("cls.") for k in result["settings"]["mlm_head_missing"])
    assert "no masked-LM head" in caplog.text
    assert result["tasks"]["reconstruction"]["model"]["ci"]["accuracy"] is None  # no bootstrap asked
