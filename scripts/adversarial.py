"""Adversarial sizes through the reader and the tokenizer: time, peak memory, tokens, outcome, bound.

    python scripts/adversarial.py            # all cases, one fresh process each (peak RSS per case)
    python scripts/adversarial.py --case mouse_moves_1m

Cases: a DOM nested 100,000 levels (events and JSON file), a 50 MB text node, one million mouse-move
events, a gzip bomb that inflates to 4 GiB (refused by the reader past ``max_bytes``). Each case
prints one JSON line in ``--case`` mode; the driver prints a table. Not part of the test suite
(tests/test_tokenizer_adversarial.py and tests/test_adversarial.py run smaller sizes).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1 << 20


def _tok():
    from rrweb_hf.tokenization_rrweb import RRWebTokenizer

    return RRWebTokenizer()


def _bounds():
    from rrweb_hf.tokenization_rrweb import DEFAULT_OPTIONS as o

    return o


def case_deep_dom_events():
    from rrweb_hf.adversarial import deep_dom_session

    session = deep_dom_session(100_000)
    start = time.perf_counter()
    ids, _ = _tok().encode_session(session)
    bound = 2 * _bounds()["max_dom_depth"] + 64
    return "100,000 levels", time.perf_counter() - start, len(ids), "ok", f"<= {bound} tokens"


def case_deep_dom_file():
    from rrweb_hf.adversarial import deep_dom_json
    from rrweb_hf.readers import read_session

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deep.json"
        path.write_bytes(deep_dom_json(100_000))
        size = f"100,000 levels, {path.stat().st_size / MB:.1f} MB file"
        start = time.perf_counter()
        session = read_session(path)
        ids, _ = _tok().encode_session(session)
    bound = 2 * _bounds()["max_dom_depth"] + 64
    return size, time.perf_counter() - start, len(ids), "ok", f"<= {bound} tokens (read + tokenize)"


def case_huge_text():
    from rrweb_hf.adversarial import huge_text_session

    session = huge_text_session(50 * MB)
    start = time.perf_counter()
    ids, _ = _tok().encode_session(session)
    bound = 2 * (_bounds()["max_text_chars"] + 64) + 64
    return "50 MB text node x2", time.perf_counter() - start, len(ids), "ok", f"<= {bound} tokens"


def case_mouse_moves_1m():
    from rrweb_hf.adversarial import mouse_move_session

    session = mouse_move_session(1_000_000, positions_per_event=10)
    start = time.perf_counter()
    ids, _ = _tok().encode_session(session)
    per = 3 + 2 * _bounds()["max_path_points"]
    return (
        "1,000,000 events x 10 points",
        time.perf_counter() - start,
        len(ids),
        "ok",
        f"<= {per} tokens/event ({per * 1_000_000 + 64:,})",
    )


def case_gzip_bomb():
    from rrweb_hf.adversarial import gzip_bomb
    from rrweb_hf.readers import DEFAULT_MAX_BYTES, TooLargeError, read_session

    with tempfile.TemporaryDirectory() as tmp:
        bomb = gzip_bomb(Path(tmp) / "bomb.json.gz", 4 << 30)
        size = f"{bomb.stat().st_size / MB:.1f} MB -> 4096 MB"
        start = time.perf_counter()
        try:
            read_session(bomb)
            outcome = "NOT REFUSED"
        except TooLargeError as exc:
            outcome = f"refused: {exc.reason[:60]}"
    bound = f"refused past max_bytes={DEFAULT_MAX_BYTES >> 20} MB"
    return size, time.perf_counter() - start, 0, outcome, bound


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def run_case(name: str) -> dict:
    size, seconds, tokens, outcome, bound = CASES[name]()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "case": name,
        "size": size,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss),
        "tokens": tokens,
        "outcome": outcome,
        "bound": bound,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    rows, failed = [], 0
    for name in CASES:
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            failed += 1
            rows.append({"case": name, "outcome": f"CRASH rc={proc.returncode}: {proc.stderr[-200:]}"})
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    header = ["case", "size", "seconds", "peak_rss_mb", "tokens", "outcome", "bound"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(row.get(h, "")) for h in header) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
