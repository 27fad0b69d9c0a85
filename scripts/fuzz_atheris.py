"""Coverage-guided fuzzing of the readers and the tokenizer with atheris (run by hand, not in CI).

    pip install atheris
    python scripts/fuzz_atheris.py -max_total_time=300 -rss_limit_mb=4096 [CORPUS_DIR]

Each input is written as a ``.json`` session file, read with ``rrweb_hf.read_file`` and, when valid,
tokenized in lenient and strict mode. Allowed outcomes: sessions, a ``SessionReadError`` from the
reader, an ``RRWebTokenizationError`` from the strict tokenizer. Anything else is a crash that atheris
reports with the input that caused it.
"""

import os
import sys
import tempfile

import atheris
import tokenizers  # noqa: F401  (imported uninstrumented: only rrweb_hf is instrumented)
import transformers  # noqa: F401

with atheris.instrument_imports(include=["rrweb_hf"]):
    from rrweb_hf.readers import SessionReadError, read_file
    from rrweb_hf.tokenization_rrweb import RRWebTokenizationError, RRWebTokenizer

LENIENT = RRWebTokenizer()
STRICT = RRWebTokenizer(strict=True)
PATH = os.path.join(tempfile.mkdtemp(prefix="rrweb_fuzz_"), "input.json")


def test_one_input(data: bytes) -> None:
    with open(PATH, "wb") as fh:
        fh.write(data)
    try:
        sessions = read_file(PATH).sessions
    except SessionReadError:
        return
    for session in sessions:
        ids, event_ids = LENIENT.encode_session(session.events)
        if len(ids) < len(session.events) or len(ids) != len(event_ids):
            raise RuntimeError(
                f"{len(session.events)} events gave {len(ids)} tokens / {len(event_ids)} event ids"
            )
        try:
            STRICT.encode_session(session.events)
        except RRWebTokenizationError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
