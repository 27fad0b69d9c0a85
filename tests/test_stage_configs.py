"""One config per stage (issue 11): the CLI flags of prepare / export-sessions / run-all are the dataclass fields.

Depends on: rrweb_hf/cli/__init__.py, rrweb_hf/prepare.py, rrweb_hf/sessions.py, rrweb_hf/pipeline.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from rrweb_hf.cli import build_parser, config_from_args
from rrweb_hf.modeling import PRESETS
from rrweb_hf.pipeline import RunAllConfig
from rrweb_hf.prepare import PrepareConfig
from rrweb_hf.sessions import SPLIT_SEED, ExportSessionsConfig


@pytest.fixture(scope="module")
def parser():
    return build_parser()


@pytest.mark.parametrize(
    "argv, config_class",
    [
        (["prepare", "c", "--tokenizer", "t", "--out", "o"], PrepareConfig),
        (["export-sessions", "c", "--out", "o"], ExportSessionsConfig),
        (["run-all", "c"], RunAllConfig),
    ],
)
def test_flag_defaults_are_the_dataclass_defaults(parser, argv, config_class):
    assert config_from_args(config_class, parser.parse_args(argv)) == config_class()


def test_flags_set_fields_under_both_spellings(parser):
    argv = [
        "prepare",
        "c",
        "--tokenizer",
        "t",
        "--out",
        "o",
        "--max-length",
        "64",
        "--stride",
        "8",
        "--num_proc",
        "2",
    ]
    cfg = config_from_args(
        PrepareConfig, parser.parse_args([*argv, "--event-ids", "--no-progress", "--strict"])
    )
    assert (cfg.max_length, cfg.num_proc, cfg.with_event_ids, cfg.progress, cfg.strict) == (
        64,
        2,
        True,
        False,
        True,
    )
    cfg = config_from_args(
        RunAllConfig, parser.parse_args(["run-all", "--preset", "small", "--max-steps", "7"])
    )
    assert (cfg.preset, cfg.max_steps) == ("small", 7)
    with pytest.raises(SystemExit):
        parser.parse_args(["run-all", "--preset", "huge"])


def test_configs_validate_and_share_the_split_seed():
    with pytest.raises(ValueError, match="stride=40 must be >= 0 and below max_length - 2 = 30"):
        PrepareConfig(max_length=32, stride=40)
    with pytest.raises(ValueError, match="validation_fraction=1.5 is outside"):
        ExportSessionsConfig(validation_fraction=1.5)
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        RunAllConfig(preset="huge")
    assert list(dataclasses.fields(RunAllConfig)[0].metadata["choices"]) == list(PRESETS)
    assert PrepareConfig().split_seed == ExportSessionsConfig().split_seed == SPLIT_SEED
