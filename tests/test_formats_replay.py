"""``rrweb-hf convert`` output replays in rrweb's own Replayer, in real headless Chromium.

Needs Debian's ``chromium`` and ``npm ci`` in ``tests/replay`` (rrweb 2.2.2, playwright-core); both are
installed by ``scripts/setup.sh``. Outside CI the test is skipped when they are missing; with
``CI=true`` it fails instead, so CI can never pass without running it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import rrweb_hf
from rrweb_hf.cli import main
from rrweb_hf.event_codecs import compress_event, pack_event
from rrweb_hf.readers import read_file

REPLAY = Path(__file__).parent / "replay"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SOURCE = "mkdocs/mkdocs-0013.json.gz"


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    if shutil.which("node") is None:
        return "node not found (apt-get install -y nodejs npm)"
    if not (REPLAY / "node_modules" / "rrweb" / "dist" / "rrweb.umd.cjs").is_file():
        return f"rrweb not installed: run `npm ci` in {REPLAY}"
    return None


@pytest.fixture(scope="module")
def replayer_ready():
    problem = _missing()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the replay check cannot run: {problem}; scripts/setup.sh installs it")
        pytest.skip(problem)


def test_converted_files_replay_to_the_last_event_without_errors(replayer_ready, tmp_path, capsys):
    events = rrweb_hf.read_session(rrweb_hf.sample_corpus() / SOURCE).events
    src = tmp_path / "in"
    src.mkdir()
    (src / "packed.json").write_text(json.dumps([pack_event(e) for e in events]))
    split = 20  # a second window starts with its own Meta + FullSnapshot
    second = events[split:]
    second_full = next(i for i, e in enumerate(events) if e["type"] == 2)
    snaps = [{**compress_event(e), "windowId": "tab-1"} for e in events] + [
        {**compress_event(e), "windowId": "tab-2"} for e in events[: second_full + 1] + second
    ]
    export = {"version": "2023-04-28", "data": {"id": "ph-1", "snapshots": snaps}}
    (src / "posthog.json").write_text(json.dumps(export))
    (src / "sentry.json").write_text(json.dumps([events[:10], events[10:30], [], events[30:]]))

    out = tmp_path / "out"
    assert main(["convert", str(src), "--out", str(out)]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["packed.json", "ph-1/tab-1.json", "ph-1/tab-2.json", "sentry.json"]
    assert "sessions: 4" in capsys.readouterr().out
    for rel in written:  # converted files are plain rrweb and read back unchanged
        result = read_file(out / rel)
        assert result.format == "rrweb"
    assert read_file(out / "packed.json").sessions[0].events == events
    assert read_file(out / "sentry.json").sessions[0].events == events

    proc = subprocess.run(
        ["node", str(REPLAY / "replay.js"), CHROMIUM, *(str(out / rel) for rel in written)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["file"]).relative_to(out).as_posix() for r in results] == written
    for r in results:
        assert r["errors"] == [], r
        assert r["finished"] is True, r
        assert r["currentTime"] >= r["totalTime"] > 0, r
    assert [r["events"] for r in results] == [
        len(events),
        len(events),
        second_full + 1 + len(second),
        len(events),
    ]
