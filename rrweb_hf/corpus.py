"""Which files make a corpus, and how a file is read or skipped: one home for every command.

A corpus is named the same way everywhere (``stats``, ``train-tokenizer``, ``export-sessions``,
``prepare``, ``embed``, ``run-all`` and the library):

- a **folder**: walked recursively, hidden entries and ``MANIFEST.json`` left out, symlinked
  folders not followed, files sorted by path (:func:`corpus_paths`); a **Sentry segment folder**
  (:func:`segment_folder_files`) is one entry, the folder itself, read as one session;
- a **file**: itself;
- a **glob**: ``"corpus/**/*.json.gz"`` (``**`` matches folders recursively), matches sorted;
- an **fsspec URL** (``file:///data/corpus``, ``file:///data/corpus/**/*.json``): resolved through
  ``fsspec``; a local URL gives the same files as the plain path.

Session ids and stored paths are relative to the corpus root (:func:`corpus_root`): a folder gives
itself, a file its parent, a glob the folder before its first wildcard.

Reading follows one policy (:func:`read_or_skip`): a bad file raises in strict mode and is
otherwise skipped with a reason (``"not valid JSON: ..."``, ``"unreadable: ..."``) that the caller
reports, and one log line. :class:`CorpusWalk` (``walk_corpus``), the ``datasets`` builder, ``prepare``
and the lazy dataset all use it.

Example:
    >>> import json, pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a/x.json", "b.json", "notes.txt"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (root / name).write_text(json.dumps([{"type": 4, "data": {}, "timestamp": 1}]))
    >>> [pathlib.Path(p).relative_to(root).as_posix() for p in corpus_files(str(root / "**/*.json"))[1]]
    ['a/x.json', 'b.json']
    >>> corpus_files(root.as_uri())[1] == corpus_files(root)[1]
    True
    >>> [s.session_id for s in walk_corpus(root)]
    ['a/x', 'b']
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .readers import DEFAULT_MAX_BYTES, FileResult, Session, SessionReadError, corpus_suffix, read_file

logger = logging.getLogger(__name__)

#: Name of the corpus description file: never a session.
MANIFEST_NAME = "MANIFEST.json"
#: First bytes of a Sentry ``replay_recording`` item payload (after leading white space).
SEGMENT_ITEM_PREFIX = b'{"segment_id"'
_HEAD_BYTES = 64


def segment_folder_files(folder: str | os.PathLike) -> list[str] | None:
    """The segment files of a Sentry segment folder, sorted by name, or None when ``folder`` is not one.

    A folder is a Sentry segment folder (one replay, one session, one corpus entry) when it has no
    (non-hidden) subfolder, no ``MANIFEST.json``, at least one file with a supported suffix, and every
    such file is a plain ``.json`` whose first bytes are ``{"segment_id"``: a ``replay_recording``
    item payload (``{"segment_id": N}\\n`` + zlib or JSON). Other files (``notes.txt``) are ignored.
    The test is cheap and stops at the first file that fails it: a ``.json.gz`` name costs nothing,
    a ``.json`` one read of 64 bytes, so an ordinary corpus folder (site folders with many sessions)
    costs at most one small read and is never taken for a segment folder.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (root / "1.json").write_bytes(b'{"segment_id": 1}\\n[]')
        >>> _ = (root / "0.json").write_bytes(b'{"segment_id": 0}\\n[]')
        >>> [pathlib.Path(p).name for p in segment_folder_files(root)]
        ['0.json', '1.json']
        >>> _ = (root / "s.json").write_text("[]")
        >>> segment_folder_files(root) is None
        True
    """
    files: list[str] = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir() or entry.name == MANIFEST_NAME:
                    return None
                suffix = corpus_suffix(entry.name)
                if suffix is None:
                    continue
                if suffix != ".json":
                    return None
                with open(entry.path, "rb") as fh:
                    if not fh.read(_HEAD_BYTES).lstrip().startswith(SEGMENT_ITEM_PREFIX):
                        return None
                files.append(entry.path)
    except OSError:
        return None  # unreadable: listed (or not) as an ordinary folder; its files name the problem
    return sorted(files) or None


def entry_size(path: str | os.PathLike) -> int:
    """Bytes on disk of a corpus entry: a file's size, or the sum over a segment folder's files."""
    if os.path.isdir(path):
        return sum(os.stat(f).st_size for f in segment_folder_files(path) or [])
    return os.stat(path).st_size


def entry_stamp(path: str | os.PathLike) -> str:
    """``"size:mtime_ns"`` of a file; for a segment folder the total size and a digest of every
    file's name, size and ``mtime_ns``, so editing, adding or removing one segment changes it.

    Raises:
        OSError: the entry cannot be stat'ed.
    """
    if not os.path.isdir(path):
        stat = os.stat(path)
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    digest = hashlib.sha1()
    total = 0
    with os.scandir(path) as it:
        for entry in sorted(it, key=lambda e: e.name):
            stat = entry.stat()
            total += stat.st_size
            digest.update(f"{entry.name}\0{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"{total}:folder-{digest.hexdigest()[:16]}"


def _local(spec: str | os.PathLike) -> str:
    """``spec`` as a local path: ``file://`` URLs (and other local fsspec URLs) are unwrapped.

    Raises:
        ValueError: an fsspec URL of a remote filesystem (``s3://``, ``gs://``, ...): only local
            files are read today; copy the corpus locally (``fsspec``'s ``get``) first.
    """
    text = os.fspath(spec)
    if "://" not in text:
        return text
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    fs, path = fsspec.core.url_to_fs(text)
    if not isinstance(fs, LocalFileSystem):
        raise ValueError(
            f"corpus {text!r} is on a remote filesystem ({type(fs).__name__}); rrweb_hf reads local "
            "corpora: copy it first (e.g. fsspec.filesystem(...).get(url, 'corpus/', recursive=True))"
        )
    if glob.has_magic(text) and not glob.has_magic(path):  # fsspec strips nothing of the pattern
        return text.split("://", 1)[1]
    return path


def corpus_root(spec: str | os.PathLike) -> Path:
    """The folder that session ids and stored paths of a corpus are relative to (no file listing).

    Example:
        >>> corpus_root("data/corpus/**/*.json.gz").as_posix(), corpus_root("data/corpus").as_posix()
        ('data/corpus', 'data/corpus')
    """
    text = _local(spec)
    if glob.has_magic(text):
        prefix = text.split("*")[0].split("?")[0].split("[")[0]
        return Path(prefix) if prefix.endswith(os.sep) or Path(prefix).is_dir() else Path(prefix).parent
    root = Path(text)
    return root.parent if root.is_file() or segment_folder_files(root) is not None else root


def corpus_paths(root: str | os.PathLike) -> list[str]:
    """All session files under a folder (or the file itself) as path strings, sorted by path.

    A Sentry segment folder (:func:`segment_folder_files`) is listed as one entry, the folder's
    path, and not walked into; ``root`` itself being one gives ``[root]``.

    The compact form for large corpora: a ``str`` per file (about 100 bytes) instead of a
    :class:`~pathlib.Path` (about 350), and no transient list of ``Path`` objects while walking.
    Folders are walked depth-first with entries sorted by name, which is exactly the order of
    sorted ``Path`` objects; symlinked folders are not followed (like :func:`os.walk`).

    Raises:
        FileNotFoundError: ``root`` is neither a file nor a folder.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("b.json", "a-b/x.json", "a/y.json.gz", ".hidden/z.json", "notes.txt"):
        ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
        ...     _ = (root / name).write_text("[]")
        >>> [pathlib.Path(p).relative_to(root).as_posix() for p in corpus_paths(root)]
        ['a/y.json.gz', 'a-b/x.json', 'b.json']
    """
    root = Path(root)
    if root.is_file():
        return [os.fspath(root)]
    if not root.is_dir():
        raise FileNotFoundError(f"corpus not found: {root} is neither a file nor a folder")
    if segment_folder_files(root) is not None:
        return [os.fspath(root)]

    def entries(folder: str):
        with os.scandir(folder) as it:
            return iter(sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name))

    found: list[str] = []
    stack = [entries(os.fspath(root))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.is_dir():
            if entry.is_symlink():
                continue
            if segment_folder_files(entry.path) is not None:
                found.append(entry.path)  # one Sentry replay: one entry
            else:
                stack.append(entries(entry.path))
        elif entry.name != MANIFEST_NAME and corpus_suffix(entry.name) is not None:
            found.append(entry.path)
    return found


def corpus_files(spec: str | os.PathLike) -> tuple[Path, list[str]]:
    """The corpus root and its session files as path strings, sorted (folder, file, glob or URL).

    A glob match that is a Sentry segment folder is one entry (its files matched too are not
    listed again); segment files matched one by one stay one session each.

    Raises:
        FileNotFoundError: nothing matches ``spec``.
        ValueError: a remote fsspec URL (see :func:`_local`).
    """
    text = _local(spec)
    if glob.has_magic(text):
        matches = [Path(p) for p in glob.glob(text, recursive=True)]
        folders = {p for p in matches if p.is_dir() and segment_folder_files(p) is not None}
        files = sorted(
            [p for p in matches if p.is_file() and p.name != MANIFEST_NAME and p.parent not in folders]
            + list(folders)
        )
        if not files:
            raise FileNotFoundError(
                f"corpus not found: no file matches {os.fspath(spec)!r}; check the pattern"
            )
        return corpus_root(text), [os.fspath(p) for p in files]
    return corpus_root(text), corpus_paths(text)


def resolve_corpus(spec: str | os.PathLike) -> tuple[Path, list[Path]]:
    """The corpus root and its session files, sorted, as :class:`~pathlib.Path` objects.

    Args:
        spec: a folder (walked recursively), one file, a glob such as ``"corpus/**/*.json.gz"``, or
            a local fsspec URL (``file:///data/corpus``).

    Returns:
        ``(root, files)``; ``root`` is the folder session ids and stored paths are relative to.

    Raises:
        FileNotFoundError: nothing matches ``spec``.

    Example:
        >>> resolve_corpus("/no/such/dir")
        Traceback (most recent call last):
        ...
        FileNotFoundError: corpus not found: /no/such/dir is neither a file nor a folder
    """
    root, files = corpus_files(spec)
    return root, [Path(p) for p in files]


def iter_corpus_files(spec: str | os.PathLike) -> list[Path]:
    """The session files of a corpus (folder, file, glob or URL), sorted; see :func:`corpus_files`."""
    return resolve_corpus(spec)[1]


def read_or_skip(
    path: str | os.PathLike,
    *,
    root: str | os.PathLike | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    name: str | None = None,
) -> tuple[FileResult | None, str | None]:
    """Read one file under the corpus policy: strict raises, lenient skips with a reason.

    Args:
        path: the file.
        root: corpus root (session ids are relative to it).
        max_bytes: largest accepted (decompressed) size.
        strict: raise :class:`~rrweb_hf.SessionReadError` for a bad file (and, for JSONL, a bad line).
        name: how the file is named in the log line (default: ``path``).

    Returns:
        ``(result, None)`` for a readable file, ``(None, reason)`` for a skipped one. The caller
        reports the reason (a skip list, an ``error`` row); bad JSONL lines stay in
        ``result.bad_lines`` (see :func:`bad_line_skips`).

    Raises:
        SessionReadError: with ``strict=True``, a bad or unreadable file.

    Example:
        >>> import pathlib, tempfile
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.json"
        >>> _ = bad.write_text("[{")
        >>> result, reason = read_or_skip(bad)
        >>> result, reason.split(":")[0]
        (None, 'not valid JSON')
    """
    try:
        return read_file(path, root=root, max_bytes=max_bytes, strict=strict), None
    except SessionReadError as exc:
        if strict:
            raise
        reason = exc.reason
    except OSError as exc:  # raised by the filesystem outside read_file's own reads
        if strict:
            raise SessionReadError(path, f"unreadable: {exc.strerror or exc}") from exc
        reason = f"unreadable: {exc.strerror or exc}"
    logger.warning("skipping %s: %s", name or os.fspath(path), reason)
    return None, reason


def bad_line_skips(path: str | os.PathLike, result: FileResult) -> list[tuple[str, str]]:
    """``(f"{path}:{line}", reason)`` for each JSONL line skipped in lenient mode."""
    return [(f"{os.fspath(path)}:{lineno}", reason) for lineno, reason in result.bad_lines]


class CorpusWalk:
    """Iterate over the valid sessions of a corpus, recording what was skipped and why.

    Args:
        root: a folder (walked recursively), a single file, a glob or a local fsspec URL.
        max_bytes: per-file size limit, see :func:`rrweb_hf.readers.read_bytes`.
        strict: raise the first :class:`SessionReadError` instead of skipping.
        files: an explicit file list (default: the files of ``root``, see :func:`corpus_files`).

    Attributes:
        skipped: ``(path, reason)`` for each skipped file (and ``path:line`` for bad JSONL lines).
        files_read: files opened so far; ``bytes_read``: their sizes on disk.
        missing_timestamps: events without a ``timestamp`` among the sessions yielded.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        strict: bool = False,
        files: list[Path] | None = None,
    ):
        base, found = corpus_files(root) if files is None else (corpus_root(root), files)
        self.root = base
        self.max_bytes = max_bytes
        self.strict = strict
        self.files = [Path(p) for p in found]
        self.skipped: list[tuple[Path, str]] = []
        self.files_read = 0
        self.bytes_read = 0
        self.missing_timestamps = 0

    def __len__(self) -> int:
        return len(self.files)

    def iter_files(self) -> Iterator[tuple[Path, list[Session]]]:
        """Yield ``(path, sessions)`` per file; a skipped file yields an empty list."""
        for path in self.files:
            self.files_read += 1
            try:
                self.bytes_read += entry_size(path)
            except OSError:
                pass  # read_or_skip names the problem
            result, reason = read_or_skip(path, root=self.root, max_bytes=self.max_bytes, strict=self.strict)
            if result is None:
                self.skipped.append((path, reason))
                yield path, []
                continue
            self.skipped += [(Path(p), r) for p, r in bad_line_skips(path, result)]
            for session in result.sessions:
                self.missing_timestamps += session.missing_timestamps
            yield path, result.sessions

    def __iter__(self) -> Iterator[Session]:
        for _, sessions in self.iter_files():
            yield from sessions


def walk_corpus(root: str | os.PathLike, **kwargs) -> CorpusWalk:
    """Walk a corpus (folder, file, glob or local fsspec URL); see :class:`CorpusWalk`."""
    return CorpusWalk(root, **kwargs)
