"""rrweb_hf: Hugging Face tokenizers, datasets and BERT models for rrweb web-session recordings.

Example:
    >>> import rrweb_hf
    >>> walk = rrweb_hf.walk_corpus(rrweb_hf.sample_corpus())
    >>> sessions = list(walk)  # valid sessions; walk.skipped lists (path, reason) for the rest
"""

from importlib import resources
from pathlib import Path

from .readers import (
    CompressionError,
    CorpusWalk,
    NotJSONError,
    SchemaError,
    Session,
    SessionReadError,
    TooLargeError,
    UnsupportedFileError,
    read_file,
    read_session,
    walk_corpus,
)
from .tokenization_rrweb import RRWebTokenizationError, RRWebTokenizer, register_auto_tokenizer

register_auto_tokenizer()

__version__ = "0.1.0"


def sample_corpus() -> Path:
    """Path of the bundled corpus of real rrweb recordings (see its ``MANIFEST.json``).

    Returns:
        The folder, inside the installed package; the default corpus of every CLI command.
    """
    return Path(str(resources.files(__package__) / "data" / "sample_corpus"))


__all__ = [
    "CompressionError",
    "CorpusWalk",
    "NotJSONError",
    "RRWebTokenizationError",
    "RRWebTokenizer",
    "SchemaError",
    "Session",
    "SessionReadError",
    "TooLargeError",
    "UnsupportedFileError",
    "read_file",
    "read_session",
    "sample_corpus",
    "walk_corpus",
]
