"""Publishing: dry runs list and check a real model/dataset folder; offline runs fail cleanly.

Depends on: rrweb_hf/tokenization_rrweb.py and rrweb_hf/prepare.py (through tests/pretrain_chain.py).
"""

from __future__ import annotations

import argparse
import shutil

import pytest
from pretrain_chain import build_chain

from rrweb_hf.cli import publish as cli_publish
from rrweb_hf.publish import PublishError, plan_upload, publish


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory)


def _cli(argv):
    parser = argparse.ArgumentParser()
    cli_publish.add_arguments(parser)
    return cli_publish.run(parser.parse_args(argv))


def test_dry_run_model_folder(chain, capsys):
    rc = _cli([str(chain["model"]), "--repo-id", "me/rrweb-tiny", "--dry-run"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "model.safetensors" in out and "README.md" in out and "tokenizer_config.json" in out
    assert "nothing uploaded" in out
    plan = plan_upload(chain["model"], check_loading=False)
    names = [p for p, _ in plan.files]
    assert not any(p.startswith("checkpoint-") for p in names)
    assert any(p.startswith("checkpoint-") for p in plan.ignored)
    assert "with import rrweb_hf: ok" in out and "trust_remote_code=True: ok" in out


def test_dry_run_dataset_folder(chain):
    plan = publish(chain["dataset"], "me/rrweb-windows", dry_run=True)
    assert plan.repo_type == "dataset" and plan.ok, plan.problems
    assert plan.load_checks["datasets.load_dataset"].startswith("ok")
    assert any(p.endswith(".parquet") for p, _ in plan.files)


def test_bad_card_metadata_is_reported(chain, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(chain["model"], folder, ignore=shutil.ignore_patterns("checkpoint-*"))
    text = (
        (folder / "README.md")
        .read_text()
        .replace("license: apache-2.0\n", "")
        .replace("pipeline_tag: fill-mask\n", "")
    )
    (folder / "README.md").write_text(text)
    plan = plan_upload(folder, check_loading=False)
    assert not plan.ok
    assert any("'license'" in p for p in plan.problems) and any("'pipeline_tag'" in p for p in plan.problems)
    with pytest.raises(PublishError, match="not uploading"):
        publish(folder, "me/x", check_loading=False)


def test_offline_upload_fails_with_a_clear_message(chain, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(PublishError, match="offline mode"):
        publish(chain["model"], "me/rrweb-tiny", check_loading=False)
    rc = _cli([str(chain["model"]), "--repo-id", "me/rrweb-tiny", "--no-load-check"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "error: offline mode is on" in captured.err and "nothing was uploaded" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "uploaded" not in captured.out


def test_not_a_model_or_dataset(tmp_path):
    with pytest.raises(PublishError, match="neither a model"):
        plan_upload(tmp_path)
    with pytest.raises(PublishError, match="does not exist"):
        plan_upload(tmp_path / "missing")
