"""RRWebTokenizer over the whole bundled corpus (a package without it fails: a packaging regression)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import rrweb_hf
from rrweb_hf.rrweb_types import EventType, IncrementalSource
from rrweb_hf.tokenization_rrweb import RRWebTokenizer

#: The site folders whose token ids are pinned (other folders, e.g. other formats, may be added).
PINNED_SITES = ("dash", "django", "media", "mkdocs")
#: SHA-256 over ``session_id NUL int32 ids`` of every session of PINNED_SITES, in walk order, with
#: the tokenizer of ``corpus_tokenizer`` (deterministic training on the first 8 sessions).
PINNED_IDS_SHA256 = "a7c836659c434cab3005bc320a45780761bb2f54b2c81a944818b6fc27c000a0"


@pytest.fixture(scope="module")
def corpus_sessions():
    root = rrweb_hf.sample_corpus()
    assert root.is_dir(), f"bundled corpus missing at {root}: the package was built without rrweb_hf/data"
    sessions = list(rrweb_hf.walk_corpus(root))
    assert sessions, (
        f"bundled corpus at {root} holds no sessions: the package was built without its recordings"
    )
    return sessions


@pytest.fixture(scope="module")
def corpus_tokenizer(corpus_sessions):
    # Train on a few sessions: the text vocabulary does not change what these tests check.
    return RRWebTokenizer.train(corpus_sessions[:8], text_vocab_size=1000, show_progress=False)


def _kind(event):
    if event["type"] == 3:
        return f"[SRC:{IncrementalSource(event['data']['source']).name}]"
    return f"[EVT:{EventType(event['type']).name}]"


def test_whole_corpus_tokenizes_and_every_event_maps_back(corpus_sessions, corpus_tokenizer):
    """One pass over the corpus: no malformed events (so strict mode would not raise), no [UNK], no
    unknown kinds, and in windows of 512 every event's kind token names its type and source."""
    tok = corpus_tokenizer
    stats = {}
    kind_ids = {i for t, i in tok.get_vocab().items() if t.startswith(("[EVT:", "[SRC:"))}
    digest = hashlib.sha256()
    for session in corpus_sessions:
        ids, event_ids = tok.encode_session(session, stats=stats)
        if session.session_id.split("/")[0] in PINNED_SITES:
            digest.update(session.session_id.encode() + b"\0" + np.asarray(ids, dtype=np.int32).tobytes())
        assert set(event_ids) == set(range(session.num_events)), session.session_id
        assert tok.unk_token_id not in ids, session.session_id
        kinds = {}
        for w_ids, w_ev in tok.windows(ids, event_ids, max_length=512, stride=64, stats=stats):
            for tid, e in zip(w_ids, w_ev, strict=True):
                if tid in kind_ids:
                    kinds[e] = tid
        assert len(kinds) == session.num_events, session.session_id  # 100% of events
        for e, tid in kinds.items():
            assert tok.convert_ids_to_tokens(tid) == _kind(session.events[e]), (session.session_id, e)
    assert stats["malformed_events"] == 0
    # token ids of the four site folders are pinned: a refactor of the walker must not change them
    assert digest.hexdigest() == PINNED_IDS_SHA256, "token ids of the bundled corpus changed"
    assert stats["sessions"] == len(corpus_sessions) and stats["windows"] >= len(corpus_sessions)
