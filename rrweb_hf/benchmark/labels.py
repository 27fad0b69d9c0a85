"""Labels for the downstream benchmark: which file is which site, scenario, outcome.

A labels file names each recording by its ``path`` relative to the corpus folder (as the bundled corpus's
``MANIFEST.json`` writes it) and carries one column per label. Three forms are read:

- CSV with a header row (``path,site,scenario``);
- JSON Lines, one object per line (``{"path": "django/django-0001.json.gz", "scenario": "login-only"}``);
- ``MANIFEST.json`` (read with :func:`rrweb_hf.finetune.read_manifest`), or a ``.json`` list of row objects.

Manifest entries may carry a ``format`` key (the same visit recorded by another tool); only entries whose
format is absent or ``rrweb`` are kept, and the others are counted in ``excluded_formats``.

Example:
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "labels.csv").write_text("path,site,scenario\\na/1.json,a,login\\nb/2.json,b,search\\n")
    >>> table = load_labels(root / "labels.csv")
    >>> table.columns, [r["scenario"] for r in table.rows]
    (['path', 'site', 'scenario'], ['login', 'search'])
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

#: Manifest ``format`` values evaluated by default (absent counts as rrweb).
DEFAULT_FORMATS = ("rrweb",)


class LabelsError(ValueError):
    """A labels file that cannot be used: unreadable, no ``path`` column, an unknown label column."""


@dataclass
class LabelTable:
    """The rows of a labels file.

    Attributes:
        source: the file read.
        columns: column names, ``path`` first.
        rows: one dict per recording (``path`` normalised to forward slashes), in file order.
        excluded_formats: ``format`` value -> rows left out because of it.
    """

    source: str
    columns: list[str]
    rows: list[dict]
    excluded_formats: dict = field(default_factory=dict)

    def require(self, column: str) -> None:
        """Raise :class:`LabelsError` when ``column`` is not a column of the table."""
        if column not in self.columns:
            raise LabelsError(
                f"label column {column!r} is not in {self.source}; its columns are "
                f"{', '.join(self.columns)} (pass one of them with --label-column)"
            )


def normalise_path(name: str) -> str:
    """A labels path as the corpus index writes it: forward slashes, no leading ``./``.

    Example:
        >>> normalise_path("./django\\\\django-0001.json.gz")
        'django/django-0001.json.gz'
    """
    name = name.strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


def _rows_from_file(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [dict(row) for row in csv.DictReader(handle)]
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelsError(
                    f"{path}:{lineno} is not JSON ({exc.msg}); write one object per line"
                ) from None
            if not isinstance(row, dict):
                raise LabelsError(f"{path}:{lineno} is a {type(row).__name__}, not an object with a 'path'")
            rows.append(row)
        return rows
    if suffix == ".json":
        if path.name == "MANIFEST.json":
            from ..finetune import read_manifest

            return [{**entry, "path": name} for name, entry in read_manifest(path.parent).items()]
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list) and all(isinstance(row, dict) for row in data):
            return data
        raise LabelsError(
            f"{path} is not a list of row objects; use CSV, JSON Lines, or a MANIFEST.json "
            '({"files": [{"path": ..., "scenario": ...}]})'
        )
    raise LabelsError(f"labels file {path} has suffix {suffix!r}; use .csv, .jsonl or MANIFEST.json")


def load_labels(path: str | os.PathLike, formats: tuple[str, ...] | None = DEFAULT_FORMATS) -> LabelTable:
    """Read a labels file.

    Args:
        path: a ``.csv``, ``.jsonl``/``.ndjson`` or ``.json`` (``MANIFEST.json``) file.
        formats: keep rows whose ``format`` is absent or one of these (None: keep every row).

    Returns:
        The :class:`LabelTable`.

    Raises:
        FileNotFoundError: no such file.
        LabelsError: an unreadable file, no ``path`` column, a row without a path.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"labels file {path} not found; pass --labels PATH (CSV, JSONL or MANIFEST.json)"
        )
    try:
        rows = _rows_from_file(path)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise LabelsError(f"cannot read labels file {path}: {exc}") from None
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(str(key))
    if "path" not in columns:
        raise LabelsError(
            f"labels file {path} has no 'path' column (columns: {', '.join(columns) or 'none'}); "
            "add one with each recording's path relative to the corpus folder"
        )
    columns.remove("path")
    columns.insert(0, "path")
    kept, excluded = [], Counter()
    for index, row in enumerate(rows):
        name = row.get("path")
        if not isinstance(name, str) or not name.strip():
            raise LabelsError(f"row {index + 1} of {path} has no path ({row!r}); every row needs one")
        fmt = row.get("format")
        if formats is not None and fmt not in (None, "") and str(fmt) not in formats:
            excluded[str(fmt)] += 1
            continue
        kept.append({**row, "path": normalise_path(name)})
    if excluded:
        logger.info("labels: left out %s (formats other than %s)", dict(excluded), formats)
    return LabelTable(source=str(path), columns=columns, rows=kept, excluded_formats=dict(excluded))
