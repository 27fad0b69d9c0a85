"""Splits of a labelled corpus that test transfer: leave one application out, and within applications.

- :func:`leave_one_site_out`: train on every site but one, evaluate on the held-out site. The held-out
  sessions are cut into ``validation`` and ``test`` halves by a hash of their path with a fixed salt
  (:func:`rrweb_hf.sessions.split_of`), so settings are chosen on validation and test is read once.
- :func:`within_site_split`: every site's sessions are cut by the same hash into train / validation / test
  (50 / 25 / 25): the easy case, the model has seen the application.
- :func:`rotation_corpus` / :func:`training_corpus`: a folder of symlinks to a split's training files,
  for ``train-tokenizer``, ``prepare``, ``pretrain`` and ``run-all`` (which take a folder).

Example:
    >>> rows = [{"path": f"{site}/{i}.json", "site": site} for site in ("a", "b", "c") for i in range(4)]
    >>> split = leave_one_site_out(rows, "c", part="all")
    >>> len(split.train_paths), split.eval_paths
    (8, ['c/0.json', 'c/1.json', 'c/2.json', 'c/3.json'])
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..sessions import split_of

logger = logging.getLogger(__name__)

#: Salt of the benchmark's session hash (never the pretraining split's: they are independent choices).
SPLIT_SALT = "rrweb_hf-benchmark"
#: Parts of the evaluated sessions a split can return.
PARTS = ("validation", "test", "all")


@dataclass
class BenchmarkSplit:
    """Which sessions train the fitted baselines and which are evaluated.

    Attributes:
        name: e.g. ``"leave-one-site-out:django/validation"``.
        mode: ``"leave_one_site_out"``, ``"within_site"`` or ``"all"``.
        part: ``validation``, ``test`` or ``all``.
        train_paths: files whose sessions fit the supervised baselines of the token tasks (and, for a
            rotation, pretrain the model).
        eval_paths: files evaluated.
        held_out: the held-out site (leave-one-site-out), else None.
        salt: the hash salt.
    """

    name: str
    mode: str
    part: str
    train_paths: list[str] = field(default_factory=list)
    eval_paths: list[str] = field(default_factory=list)
    held_out: str | None = None
    salt: str = SPLIT_SALT

    def info(self) -> dict:
        """A JSON-ready summary (counts, not path lists)."""
        out = asdict(self)
        out["train_files"] = len(out.pop("train_paths"))
        out["eval_files"] = len(out.pop("eval_paths"))
        return out


def _check_part(part: str) -> None:
    if part not in PARTS:
        raise ValueError(f"split part {part!r} is not one of {', '.join(PARTS)}")


def held_out_part(path: str, salt: str = SPLIT_SALT) -> str:
    """``"validation"`` or ``"test"``: the half of the held-out sessions a file belongs to (50 / 50 by hash).

    Example:
        >>> held_out_part("django/django-0001.json.gz") in ("validation", "test")
        True
    """
    return split_of(path, validation_fraction=0.5, test_fraction=0.5, seed=salt)


def within_part(path: str, salt: str = SPLIT_SALT) -> str:
    """``"train"``, ``"validation"`` or ``"test"`` (50 / 25 / 25 by hash) for within-site splits."""
    return split_of(path, validation_fraction=0.25, test_fraction=0.25, seed=salt)


def sites(rows: list[dict], site_column: str = "site") -> list[str]:
    """The sorted distinct values of ``site_column`` (the rotations of leave-one-site-out)."""
    return sorted({str(r[site_column]) for r in rows if r.get(site_column) not in (None, "")})


def leave_one_site_out(
    rows: list[dict],
    held_out: str,
    part: str = "validation",
    site_column: str = "site",
    salt: str = SPLIT_SALT,
) -> BenchmarkSplit:
    """Train on every other site, evaluate one half (or all) of the held-out site's sessions.

    Args:
        rows: label rows (``path`` and ``site_column``).
        held_out: the site evaluated.
        part: ``validation``, ``test`` or ``all`` of the held-out sessions.
        site_column: the column naming the application.
        salt: hash salt of the validation/test cut.

    Returns:
        The :class:`BenchmarkSplit`.

    Raises:
        ValueError: an unknown site or part.
    """
    _check_part(part)
    known = sites(rows, site_column)
    if held_out not in known:
        raise ValueError(
            f"site {held_out!r} is not in the labels' {site_column!r} column; choose one of {known}"
        )
    train = [
        r["path"]
        for r in rows
        if str(r.get(site_column)) != held_out and r.get(site_column) not in (None, "")
    ]
    held = [r["path"] for r in rows if str(r.get(site_column)) == held_out]
    evaluated = held if part == "all" else [p for p in held if held_out_part(p, salt) == part]
    return BenchmarkSplit(
        name=f"leave-one-site-out:{held_out}/{part}",
        mode="leave_one_site_out",
        part=part,
        train_paths=train,
        eval_paths=evaluated,
        held_out=held_out,
        salt=salt,
    )


def within_site_split(rows: list[dict], part: str = "validation", salt: str = SPLIT_SALT) -> BenchmarkSplit:
    """Every site cut by session: 50% train, 25% validation, 25% test (``part="all"``: everything, no train).

    Args:
        rows: label rows.
        part: the evaluated part.
        salt: hash salt.

    Returns:
        The :class:`BenchmarkSplit` (``mode="all"`` for ``part="all"``: the token tasks' baselines are
        then fitted by cross-validation over the evaluated sessions).
    """
    _check_part(part)
    paths = [r["path"] for r in rows]
    if part == "all":
        return BenchmarkSplit(name="all", mode="all", part="all", eval_paths=paths, salt=salt)
    return BenchmarkSplit(
        name=f"within-site/{part}",
        mode="within_site",
        part=part,
        train_paths=[p for p in paths if within_part(p, salt) == "train"],
        eval_paths=[p for p in paths if within_part(p, salt) == part],
        salt=salt,
    )


def rotation_corpus(
    corpus: str | os.PathLike,
    rows: list[dict],
    held_out: str,
    out_dir: str | os.PathLike,
    site_column: str = "site",
) -> Path:
    """A folder of symlinks to the training files of a leave-one-site-out rotation (and their MANIFEST).

    ``rrweb-hf train-tokenizer / prepare / run-all OUT_DIR`` then pretrain on the other sites only.

    Args:
        corpus: the corpus folder the label paths are relative to.
        rows: label rows.
        held_out: the site left out.
        out_dir: where the links go (created).
        site_column: the column naming the application.

    Returns:
        ``out_dir``.

    Raises:
        ValueError: an unknown site.
        FileNotFoundError: a training file missing from the corpus.
    """
    split = leave_one_site_out(rows, held_out, part="all", site_column=site_column)
    return training_corpus(corpus, rows, split, out_dir)


def training_corpus(
    corpus: str | os.PathLike, rows: list[dict], split: BenchmarkSplit, out_dir: str | os.PathLike
) -> Path:
    """A folder of symlinks to a split's training files, with a ``MANIFEST.json`` of their rows.

    For a within-site split (:func:`within_site_split`) this pretrains on the ``train`` sessions of every
    site, so no evaluated session is seen in pretraining. Existing links in ``out_dir`` are replaced;
    other files are left alone.

    Args:
        corpus: the corpus folder the label paths are relative to.
        rows: label rows.
        split: the split whose ``train_paths`` are linked.
        out_dir: where the links go (created).

    Returns:
        ``out_dir``.

    Raises:
        FileNotFoundError: a training file missing from the corpus.
        ValueError: a split without training files.
    """
    if not split.train_paths:
        raise ValueError(f"split {split.name} has no training files to link")
    corpus, out = Path(corpus).resolve(), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_path = {r["path"]: r for r in rows}
    for name in split.train_paths:
        source = corpus / name
        if not source.is_file():
            raise FileNotFoundError(f"{source} (listed in the labels) is not in the corpus {corpus}")
        link = out / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source)
    manifest = {"files": [by_path[p] for p in split.train_paths], "split": split.info()}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1))
    logger.info("training corpus %s: %d files (split %s)", out, len(split.train_paths), split.name)
    return out
