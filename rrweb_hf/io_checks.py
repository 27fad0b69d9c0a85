"""Checks run before expensive work: is the output folder writable, with room left on its disk?

The CLI commands that write a folder (``train-tokenizer``, ``prepare``, ``export-sessions``,
``pretrain``, ``run-all``) call :func:`ensure_writable_dir` first, so a read-only or full disk, or an
``--out`` under a regular file, stops the command with one clear line instead of a traceback after
the tokenizing or training is done.

Example:
    >>> import tempfile, pathlib
    >>> out = ensure_writable_dir(pathlib.Path(tempfile.mkdtemp()) / "new" / "folder")
    >>> out.name, out.exists()
    ('folder', False)
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

__all__ = ["DEFAULT_MIN_FREE_BYTES", "OutputDirError", "ensure_writable_dir", "read_json_file"]

#: Free space an output folder's file system needs before a command starts (16 MiB).
DEFAULT_MIN_FREE_BYTES = 16 << 20


class OutputDirError(OSError):
    """The output folder cannot be created or written, or its disk is (nearly) full."""


def ensure_writable_dir(path: str | os.PathLike, *, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES) -> Path:
    """Prove ``path`` can be written: it (or its nearest existing parent) takes a probe file.

    Nothing is created: a failing command leaves no empty output folder behind.

    Args:
        path: the output folder.
        min_free_bytes: least free space required on its file system (0: no check).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OutputDirError: naming the folder, what is wrong and the fix.
    """
    folder = Path(path)
    existing = folder
    while not existing.exists():  # the nearest existing ancestor: nothing is created here
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputDirError(
            f"cannot use output folder {folder}: {existing} exists and is not a folder; "
            "remove it or choose another output folder"
        )
    probe = existing / f".rrweb_hf_write_probe_{uuid.uuid4().hex}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputDirError(
            f"output folder {folder} is not writable ({existing}): {exc.strerror or exc}; "
            "free disk space, fix its permissions or choose another output folder"
        ) from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    if min_free_bytes:
        free = shutil.disk_usage(existing).free
        if free < min_free_bytes:
            raise OutputDirError(
                f"output folder {folder} has only {free / (1 << 20):.1f} MiB free on its disk ({existing}), "
                f"less than the {min_free_bytes / (1 << 20):.0f} MiB needed to start; "
                "free disk space or choose another output folder"
            )
    return folder


def read_json_file(path: str | os.PathLike) -> dict:
    """A small JSON side file of an output folder (``config.json``, ``run_info.json``...) as a dict.

    Missing, unreadable or invalid files (or JSON that is not an object) give ``{}``: the callers
    (model card, publish checks) describe what is there and say "not recorded" for the rest.

    Example:
        >>> read_json_file("/no/such/file.json")
        {}
    """
    import json

    try:
        value = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
