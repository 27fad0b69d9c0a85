"""Derived cache keys (issue 11, defect 3): every module on the read -> tokenize path and every config field.

A copy of the package with one changed module must give other keys; run in fresh processes.
Depends on: rrweb_hf/fingerprint.py, rrweb_hf/prepare.py (tokenizer_fingerprint), rrweb_hf/sessions.py.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rrweb_hf

PROBE = (
    "from rrweb_hf import sessions; from rrweb_hf.prepare import tokenizer_fingerprint;"
    "from rrweb_hf.tokenization_rrweb import RRWebTokenizer;"
    "print(sessions.__file__);"
    "print(tokenizer_fingerprint(RRWebTokenizer())); print(sessions._code_version())"
)


def _keys(package_parent: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
        cwd=package_parent,  # not the checkout: `python -c` puts the working folder first on sys.path
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0].startswith(str(package_parent)), out[0]  # the copy was imported, not the checkout
    return out[1:]


def test_a_change_to_any_module_on_the_read_path_changes_both_keys(tmp_path):
    source = Path(rrweb_hf.__file__).parent
    copy = tmp_path / "pkg" / "rrweb_hf"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("data", "__pycache__"))
    keys = [_keys(copy.parent)]
    for module in ("jsonutil.py", "rrweb_types.py"):  # neither was in the hand-written lists
        with open(copy / module, "a") as fh:
            fh.write("\n# a change to how sessions are read\n")
        keys.append(_keys(copy.parent))
    fingerprints, code_versions = zip(*keys, strict=True)
    assert len(set(fingerprints)) == 3, "prepare's tokenizer fingerprint ignored a change"
    assert len(set(code_versions)) == 3, "the session index's code version ignored a change"


def test_the_builder_content_key_covers_every_config_field():
    from rrweb_hf.sessions import RRWebSessionsConfig, _content_settings

    settings = _content_settings({"corpus": "c", "validation_fraction": 0.2})
    fields = {f.name for f in dataclasses.fields(RRWebSessionsConfig)}
    assert set(settings) == fields - {"content_key", "corpus"}
    assert settings["validation_fraction"] == 0.2 and settings["split_seed"] == "rrweb_hf"
    with pytest.raises(ValueError, match="validation_fraction=1.5 is outside"):
        _content_settings({"validation_fraction": 1.5})
