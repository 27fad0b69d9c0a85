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
    EncodedFieldError,
    NotJSONError,
    SchemaError,
    Session,
    SessionReadError,
    TooLargeError,
    UnknownFormatError,
    UnsupportedFileError,
    read_file,
    read_session,
    walk_corpus,
)
from .tokenization_rrweb import RRWebTokenizationError, RRWebTokenizer, register_auto_tokenizer

register_auto_tokenizer()

__version__ = "0.1.0"

# Heavier stages load on first use (``rrweb_hf.load_sessions`` imports datasets, the lazy dataset
# imports torch), so ``import rrweb_hf`` stays cheap for readers and ``rrweb-hf stats``.
_LAZY = {
    "RRWebSessions": "sessions",
    "exact_events": "sessions",
    "load_sessions": "sessions",
    "split_of": "sessions",
    "export_dataset": "prepare",
    "export_sessions": "prepare",
    "prepare_windows": "prepare",
    "FileIndex": "lazy",
    "LazyWindowDataset": "lazy",
    "Progress": "monitoring",
    "init_wandb": "monitoring",
    "read_wandb_history": "monitoring",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sample_corpus() -> Path:
    """Path of the bundled corpus of real rrweb recordings (see its ``MANIFEST.json``).

    Returns:
        The folder, inside the installed package; the default corpus of every CLI command.
    """
    return Path(str(resources.files(__package__) / "data" / "sample_corpus"))


__all__ = [
    *_LAZY,
    "CompressionError",
    "EncodedFieldError",
    "CorpusWalk",
    "NotJSONError",
    "RRWebTokenizationError",
    "RRWebTokenizer",
    "SchemaError",
    "Session",
    "SessionReadError",
    "TooLargeError",
    "UnknownFormatError",
    "UnsupportedFileError",
    "read_file",
    "read_session",
    "sample_corpus",
    "walk_corpus",
]
