"""Property tests: whatever bytes a file holds, the readers return sessions or raise a SessionReadError."""

from __future__ import annotations

import gzip
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrweb_hf.readers import SessionReadError, read_file, walk_corpus

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: json.dumps writes them as NaN/Infinity literals
    | st.text(max_size=20)
)
anything = st.recursive(
    scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4)
)
events = st.fixed_dictionaries(
    {"type": st.integers(-2, 12) | scalars},
    optional={"data": anything, "timestamp": scalars, "sessionId": scalars},
)
documents = (
    st.lists(events, max_size=6) | st.fixed_dictionaries({"events": st.lists(events, max_size=6)}) | anything
)
SUFFIXES = [".json", ".json.gz", ".jsonl", ".ndjson.gz"]


def encode(doc, suffix: str, mangle: int) -> bytes:
    if "jsonl" in suffix or "ndjson" in suffix:
        body = b"\n".join(json.dumps(e).encode() for e in (doc if isinstance(doc, list) else [doc]))
    else:
        body = json.dumps(doc).encode()
    if mangle:
        body = body[: max(0, len(body) - mangle)]
    return gzip.compress(body) if suffix.endswith(".gz") else body


def as_javascript_numbers(value):
    """What a reader returns for ``value``: integers outside the 64-bit range become floats.

    rrweb is JavaScript, whose numbers are doubles; orjson (and so the readers) read integers that do
    not fit in 64 bits as floats, the value JavaScript meant.
    """
    if isinstance(value, list):
        return [as_javascript_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: as_javascript_numbers(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return float(value)
    return value


def is_valid_event(event) -> bool:
    kind, stamp = event.get("type"), event.get("timestamp", 0)
    return (
        isinstance(kind, int)
        and not isinstance(kind, bool)
        and isinstance(stamp, (int, float))
        and not isinstance(stamp, bool)
        and math.isfinite(stamp)
        and (kind not in range(2, 8) or isinstance(event.get("data"), dict))
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(SUFFIXES), st.sampled_from([0, 0, 1, 7]), st.booleans())
def test_read_file_returns_sessions_or_a_documented_error(doc, suffix, mangle, strict):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"s{suffix}"
        path.write_bytes(encode(doc, suffix, mangle))
        try:
            result = read_file(path, strict=strict)
        except SessionReadError as exc:
            assert exc.path == str(path) and exc.reason
            return
        for session in result.sessions:
            assert session.events and all(is_valid_event(e) for e in session.events)
        if not mangle and isinstance(doc, list) and suffix == ".json":
            assert result.sessions[0].events == as_javascript_numbers(doc)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(documents, st.sampled_from(SUFFIXES), st.sampled_from([0, 3])), min_size=1, max_size=5)
)
def test_walk_never_raises_and_accounts_for_every_file(files):
    with tempfile.TemporaryDirectory() as tmp:
        for i, (doc, suffix, mangle) in enumerate(files):
            (Path(tmp) / f"f{i}{suffix}").write_bytes(encode(doc, suffix, mangle))
        walk = walk_corpus(tmp)
        per_file = list(walk.iter_files())
        bad_files = {str(p) for p, _ in walk.skipped if ":" not in p.name}
        assert len(per_file) == len(files)
        for path, sessions in per_file:
            assert bool(sessions) != (str(path) in bad_files)
