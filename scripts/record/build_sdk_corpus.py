#!/usr/bin/env python3
"""Write the SDK corpus files (``sample_corpus/sdk/...``) from record_sdk.js's capture files.

Stdlib only (``cramjam`` too for the optional snappy blob-v2 files). Input: one
``<sdk>/<site>-NNNN.capture.json.gz`` per session (what the real SDK sent, decoded by the
local capture server, plus the raw rrweb twin of the same visit). Output, per session, the files a
user of each product has, built the way the product's own code builds them:

``sdk/posthog/<stem>.raw.json.gz``               the twin: plain rrweb 2.2.2 events of the same visit
``sdk/posthog/<stem>.blob-v1.jsonl.gz``           blob ingestion v1: one ``{"window_id", "data"}`` line per
                                                  ``$snapshot`` message (``PersistedRecordingMessage``),
                                                  events as sent (``cv`` fields still compressed)
``sdk/posthog/<stem>.blob-v2.jsonl.gz``           session-recording v2: one ``[windowId, event]`` line per
                                                  event (``SessionRecorder.recordMessage``), as the
                                                  snapshots API returns it decompressed
``sdk/posthog/<stem>.export-2023-04-28.json.gz``  player export (``createExportJSON``): ``{version, data:
                                                  {id, person: null, snapshots}}``, events decompressed with
                                                  ``cv`` kept (``decompressEvent`` keeps it), ``windowId`` from
                                                  the player's registry (first window 1, next 2, ...),
                                                  sorted by timestamp
``sdk/posthog/<stem>.export-2022-12-02.json.gz``  legacy export: ``{version, data: {person: null,
                                                  snapshotsByWindowId: {uuid: events}}}`` as that era's
                                                  player held them (plain events: no ``cv`` existed then)
``sdk/sentry/<stem>.raw.json.gz``                 the twin
``sdk/sentry/<stem>.recording-segments.json.gz``  the recording-segments API response: segments in
                                                  ``segment_id`` order, a missing one as ``[]``
``sdk/packer/<stem>.raw.json.gz``                 the twin: the events rrweb passed to ``packFn``
``sdk/packer/<stem>.packed.json.gz``              the JSON array of ``@rrweb/packer`` strings

``--blob-v2-snappy`` also writes ``<stem>.blob-v2.jsonl.snappy`` (one raw snappy block, as
``SnappySessionRecorder`` stores it). Every ``.gz`` is gzip level 9 with mtime 0, so the same
captures give the same bytes.

Usage: python3 build_sdk_corpus.py [--captures scripts/record/work/sdk] [--corpus DIR] [--blob-v2-snappy]

Example:
    >>> ev = {"type": 2, "timestamp": 5, "cv": "2024-10", "data": _latin1_gzip({"node": {}})}
    >>> player_decompress(ev)["data"], player_decompress(ev)["cv"]
    ({'node': {}}, '2024-10')
"""
import argparse
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_CORPUS = os.path.join(ROOT, "rrweb_hf", "data", "sample_corpus")
DEFAULT_CAPTURES = os.path.join(HERE, "work", "sdk")


def js_json(value) -> str:
    """``JSON.stringify(value)``: compact, non-ASCII left as is (C0 controls escaped)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_gz(path: str, text: str) -> int:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def _latin1_gzip(value) -> str:
    """posthog-js ``gzipField``: ``strFromU8(gzipSync(strToU8(JSON.stringify(v))), true)`` (for the doctest)."""
    return gzip.compress(js_json(value).encode("utf-8"), mtime=0).decode("latin-1")


def _unzip(s):
    # PostHog decompress.ts unzip(): JSON.parse(strFromU8(gunzipSync(strToU8(s, true))))
    return json.loads(gzip.decompress(s.encode("latin-1")).decode("utf-8"))


def player_decompress(ev: dict) -> dict:
    """PostHog's player ``decompressEvent`` for ``cv: "2024-10"``: the fields inflated, ``cv`` kept."""
    if ev.get("cv") != "2024-10":
        return ev
    d = ev.get("data")
    if ev.get("type") == 2 and isinstance(d, str):
        return dict(ev, data=_unzip(d))
    if ev.get("type") == 3 and isinstance(d, dict):
        d = dict(d)
        keys = ("adds", "removes") if d.get("source") == 8 else ("adds", "removes", "texts", "attributes")
        for k in keys:
            if isinstance(d.get(k), str):
                d[k] = _unzip(d[k])
        return dict(ev, data=d)
    return ev


def snapshot_messages(records: list) -> list:
    """``$snapshot`` capture events in arrival order -> [(session_id, window_id, events)]."""
    out = []
    for r in records:
        ev = r.get("event") or {}
        if ev.get("event") != "$snapshot":
            continue
        p = ev["properties"]
        out.append((p["$session_id"], p["$window_id"], list(p["$snapshot_data"])))
    return out


def build_posthog(cap: dict, out_dir: str, stem: str, snappy: bool) -> dict:
    msgs = snapshot_messages(cap["records"])
    if not msgs:
        raise ValueError(f"{stem}: no $snapshot events captured")
    sessions = {m[0] for m in msgs}
    if len(sessions) != 1:
        raise ValueError(f"{stem}: {len(sessions)} PostHog session ids in one visit: {sorted(sessions)}")
    session_id = msgs[0][0]
    written = {}
    # blob v1: PersistedRecordingMessage {window_id, data} per message
    written["posthog-blob-v1"] = f"{stem}.blob-v1.jsonl.gz"
    write_gz(os.path.join(out_dir, written["posthog-blob-v1"]),
             "".join(js_json({"window_id": w, "data": evs}) + "\n" for _, w, evs in msgs))
    # blob v2: [windowId, event] per event
    v2_lines = "".join(js_json([w, e]) + "\n" for _, w, evs in msgs for e in evs)
    written["posthog-blob-v2"] = f"{stem}.blob-v2.jsonl.gz"
    write_gz(os.path.join(out_dir, written["posthog-blob-v2"]), v2_lines)
    if snappy:
        import cramjam

        rel = f"{stem}.blob-v2.jsonl.snappy"
        with open(os.path.join(out_dir, rel), "wb") as f:
            f.write(bytes(cramjam.snappy.compress_raw(v2_lines.encode("utf-8"))))
        written["posthog-blob-v2-snappy"] = rel
    # 2023-04-28 export, as today's player writes it
    registry = {}
    snaps = []
    for _, w, evs in msgs:
        n = registry.setdefault(w, len(registry) + 1)
        snaps.extend(dict(player_decompress(e), windowId=n) for e in evs)
    snaps.sort(key=lambda e: e["timestamp"])  # stable, as Array.prototype.sort
    written["posthog-export-2023-04-28"] = f"{stem}.export-2023-04-28.json.gz"
    write_gz(os.path.join(out_dir, written["posthog-export-2023-04-28"]),
             js_json({"version": "2023-04-28", "data": {"id": session_id, "person": None, "snapshots": snaps}}))
    # 2022-12-02 export: window uuid -> plain events
    by_window = {}
    for _, w, evs in msgs:
        for e in evs:
            e = player_decompress(e)
            e = {k: v for k, v in e.items() if k != "cv"}
            by_window.setdefault(w, []).append(e)
    for evs in by_window.values():
        evs.sort(key=lambda e: e["timestamp"])
    written["posthog-export-2022-12-02"] = f"{stem}.export-2022-12-02.json.gz"
    write_gz(os.path.join(out_dir, written["posthog-export-2022-12-02"]),
             js_json({"version": "2022-12-02", "data": {"person": None, "snapshotsByWindowId": by_window}}))
    return written


def build_sentry(cap: dict, out_dir: str, stem: str) -> dict:
    segs = [r for r in cap["records"] if r.get("kind") == "replay_recording"]
    if not segs:
        raise ValueError(f"{stem}: no replay_recording items captured")
    replays = {r["replay_id"] for r in segs}
    if len(replays) != 1:
        raise ValueError(f"{stem}: {len(replays)} replay ids in one visit: {sorted(map(str, replays))}")
    by_id = {}
    for r in segs:
        if r["segment_id"] in by_id:
            raise ValueError(f"{stem}: segment {r['segment_id']} sent twice")
        by_id[r["segment_id"]] = r["events"]
    # project_replay_recording_segment_index: "[" + seg0 + "," + seg1 ... "]", a missing blob as []
    body = "[" + ",".join(js_json(by_id.get(i, [])) for i in range(max(by_id) + 1)) + "]"
    rel = f"{stem}.recording-segments.json.gz"
    write_gz(os.path.join(out_dir, rel), body)
    return {"sentry-segments": rel}


def build_packer(cap: dict, out_dir: str, stem: str) -> dict:
    if not cap.get("packed"):
        raise ValueError(f"{stem}: no packed events captured")
    rel = f"{stem}.packed.json.gz"
    write_gz(os.path.join(out_dir, rel), js_json(cap["packed"]))
    return {"rrweb-packer": rel}


BUILDERS = {"posthog": build_posthog, "sentry": build_sentry, "packer": build_packer}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--captures", default=DEFAULT_CAPTURES)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--blob-v2-snappy", action="store_true", help="also write raw snappy blob-v2 files (needs cramjam)")
    args = ap.parse_args()
    n = 0
    for sdk in sorted(os.listdir(args.captures)):
        if sdk not in BUILDERS:
            continue
        out_dir = os.path.join(args.corpus, "sdk", sdk)
        for name in sorted(os.listdir(os.path.join(args.captures, sdk))):
            if not name.endswith(".capture.json.gz"):
                continue
            with gzip.open(os.path.join(args.captures, sdk, name), "rt", encoding="utf-8") as f:
                cap = json.load(f)
            stem = name[: -len(".capture.json.gz")]
            if not cap["twin"]:
                raise ValueError(f"{sdk}/{name}: no raw rrweb twin events")
            write_gz(os.path.join(out_dir, f"{stem}.raw.json.gz"), js_json(cap["twin"]))
            kwargs = {"snappy": args.blob_v2_snappy} if sdk == "posthog" else {}
            written = BUILDERS[sdk](cap, out_dir, stem, **kwargs)
            n += 1
            print(f"{sdk}/{stem}: raw + {', '.join(sorted(written))}", file=sys.stderr)
    print(f"{n} sessions written under {os.path.join(args.corpus, 'sdk')}", file=sys.stderr)


if __name__ == "__main__":
    main()
