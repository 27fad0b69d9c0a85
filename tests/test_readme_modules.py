"""The README's module table names every module of the package (the table is the map of the project)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_is_in_the_readme_module_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| stage | module | command |")
    table = text[start : text.index("\n\n", start)]
    named = set(re.findall(r"`(?:rrweb_hf\.)?([a-z_]+)`", table))
    modules = {p.stem for p in (ROOT / "rrweb_hf").glob("*.py") if not p.stem.startswith("__")}
    modules |= {p.name for p in (ROOT / "rrweb_hf").iterdir() if (p / "__init__.py").is_file()}
    modules -= {"cli"}  # the command column is the CLI
    assert sorted(modules - named) == []
