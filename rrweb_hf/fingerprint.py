"""Cache keys derived from the code: the source of every package module a stage imports.

A cached artifact (the session index, the prepared windows) is valid only for the code that made
it. Listing "the modules that matter" by hand drifts: a new helper module, or a change in how JSON
is parsed, silently re-uses stale rows. :func:`module_closure` follows the imports instead: starting
from a module of this package it reads the module's source, collects every ``rrweb_hf`` module it
imports (at the top or inside functions, relative or absolute), and repeats, so the key of a stage
covers exactly the code on its path. :func:`code_fingerprint` hashes those sources.

Example:
    >>> names = module_closure("rrweb_hf.corpus")
    >>> [n for n in names if n in ("rrweb_hf.corpus", "rrweb_hf.readers", "rrweb_hf.jsonutil")]
    ['rrweb_hf.corpus', 'rrweb_hf.jsonutil', 'rrweb_hf.readers']
    >>> len(code_fingerprint("rrweb_hf.corpus"))
    40
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

PACKAGE = __name__.rpartition(".")[0]


_ROOT = Path(__file__).resolve().parent


def _source_path(name: str) -> Path | None:
    """The source file of package module ``name`` (no import), or None when it is not a module."""
    parts = name.split(".")[1:]
    base = _ROOT.joinpath(*parts)
    for path in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if path is not None and path.is_file():
            return path
    return None


def _imports(name: str, path: Path) -> set[str]:
    """Package modules imported by the module ``name`` (source at ``path``), anywhere in the file."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # ``from . import x``
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


@functools.cache
def module_closure(*roots: str) -> tuple[str, ...]:
    """Every package module reachable from ``roots`` through imports, sorted (roots included).

    Args:
        roots: dotted module names inside this package (``"rrweb_hf.prepare"``).

    Returns:
        The sorted module names; names that are not modules (``from .x import func``) are dropped.
    """
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        path = _source_path(name)
        if path is None:
            continue
        seen.add(name)
        stack.extend(_imports(name, path) - seen)
    return tuple(sorted(seen))


def code_fingerprint(*roots: str) -> str:
    """SHA-1 over the name and source of every module in :func:`module_closure` of ``roots``."""
    digest = hashlib.sha1()
    for name in module_closure(*roots):
        digest.update(name.encode() + b"\0")
        digest.update(_source_path(name).read_bytes())
    return digest.hexdigest()
