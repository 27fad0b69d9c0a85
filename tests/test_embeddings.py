"""Session embeddings and nearest neighbours from the real chain's model; classifier fine-tuning.

Depends on: rrweb_hf/tokenization_rrweb.py and rrweb_hf/prepare.py (through tests/pretrain_chain.py);
the classification test uses the corpus MANIFEST.json ``site`` labels.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from pretrain_chain import build_chain

import rrweb_hf
from rrweb_hf.cli import embed as cli_embed
from rrweb_hf.embeddings import embed_sessions, load_encoder, nearest_neighbours


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


@pytest.fixture(scope="module")
def sessions(chain):
    return list(rrweb_hf.walk_corpus(chain["corpus"]))[:4]


def test_one_unit_vector_per_session(chain, sessions):
    vectors = embed_sessions(chain["model"], sessions, max_length=64, stride=8)
    assert vectors.shape == (len(sessions), 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len({tuple(np.round(v, 5)) for v in vectors}) == len(sessions), (
        "distinct sessions, distinct vectors"
    )


def test_duplicate_session_is_the_nearest_neighbour(chain, sessions):
    tokenizer, model = load_encoder(chain["model"])
    batch = [sessions[0], sessions[1], sessions[2], sessions[0].events]
    vectors = embed_sessions(model, batch, tokenizer=tokenizer, max_length=64, stride=8)
    best, score = nearest_neighbours(vectors, 0, k=3)[0]
    assert best == 3 and score == pytest.approx(1.0, abs=1e-5)
    assert all(i != 0 for i, _ in nearest_neighbours(vectors, 0, k=3))
    with pytest.raises(IndexError, match="outside"):
        nearest_neighbours(vectors, 10)
    with pytest.raises(ValueError, match="tokenizer="):
        embed_sessions(model, batch)


def test_pooling_covers_all_windows(chain, sessions):
    """A long session gives a different vector from its first window alone (all windows are pooled)."""
    tokenizer, model = load_encoder(chain["model"])
    longest = max(sessions, key=lambda s: s.num_events)
    whole = embed_sessions(model, [longest], tokenizer=tokenizer, max_length=64, stride=8)[0]
    first = embed_sessions(model, [longest.events[:2]], tokenizer=tokenizer, max_length=64, stride=8)[0]
    assert not np.allclose(whole, first, atol=1e-3)


def test_embed_cli_lists_neighbours(chain, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    cli_embed.add_arguments(parser)
    small = tmp_path / "corpus"  # three sessions keep the test quick
    for path in sorted(p for p in chain["corpus"].rglob("*.json") if p.name != "MANIFEST.json")[:3]:
        target = small / path.relative_to(chain["corpus"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    sid = next(iter(rrweb_hf.walk_corpus(small))).session_id
    out = tmp_path / "vectors.npy"
    args = parser.parse_args(
        [
            str(chain["model"]),
            str(small),
            "--out",
            str(out),
            "--neighbours",
            sid,
            "-k",
            "3",
            "--no-progress",
        ]
    )
    assert cli_embed.run(args) == 0
    printed = capsys.readouterr().out
    assert f"nearest neighbours of {sid}" in printed and len(printed.strip().splitlines()) >= 5
    assert np.load(out).shape[1] == 32
    bad = parser.parse_args(
        [str(chain["model"]), str(chain["corpus"]), "--neighbours", "nope", "--no-progress"]
    )
    assert cli_embed.run(bad) == 1
