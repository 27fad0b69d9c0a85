"""Pretraining straight from raw sessions: ``--sessions CORPUS --streaming`` (rrweb_hf.streaming).

The streamed windows are exactly the windows ``prepare`` writes; two ranks read disjoint parts whose union
is the whole split; a run resumed from a checkpoint trains on the same next batches as an uninterrupted
run (equal losses step for step); a 2-process torchrun run works end to end.

Depends on: rrweb_hf/streaming.py, rrweb_hf/pretrain.py, rrweb_hf/sessions.py (streaming), the tokenizer.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pretrain_chain import MAX_LENGTH
from small_training_data import (
    STRIDE,
    TEST_FRACTION,
    VALIDATION_FRACTION,
    build_small_data,
    kill_rank_when_ready,
    launch_env,
    run,
    torchrun,
    training_flags,
)

from rrweb_hf.modeling import load_tokenizer
from rrweb_hf.pretrain import checkpoint_is_complete, find_resume_checkpoint, load_prepared_dataset, main
from rrweb_hf.streaming import stream_windows


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return build_small_data(tmp_path_factory)


def _stream(data, **kwargs):
    return stream_windows(
        data["corpus"],
        load_tokenizer(data["tokenizer"]),
        max_length=MAX_LENGTH,
        stride=STRIDE,
        validation_fraction=VALIDATION_FRACTION,
        test_fraction=TEST_FRACTION,
        repeat=False,
        **kwargs,
    )


def _windows(rows) -> Counter:
    return Counter(tuple(row["input_ids"]) for row in rows)


def _streaming_flags(data, out, max_steps, batch_size, *extra):
    return [
        "--sessions",
        str(data["corpus"]),
        "--streaming",
        "true",
        "--tokenizer",
        str(data["tokenizer"]),
        "--max_length",
        str(MAX_LENGTH),
        "--stride",
        str(STRIDE),
        "--validation_fraction",
        str(VALIDATION_FRACTION),
        "--test_fraction",
        str(TEST_FRACTION),
        "--shuffle_buffer",
        "64",
        *training_flags(out, max_steps, batch_size, *extra),
    ]


def test_streamed_windows_are_the_prepared_windows(data):
    prepared = load_prepared_dataset(data["dataset"])
    for split in ("train", "validation", "test"):
        expected = Counter(tuple(ids) for ids in prepared[split]["input_ids"])
        assert _windows(_stream(data, split=split, shuffle_buffer=0)) == expected, split
    first = next(iter(_stream(data, shuffle_buffer=0)))
    assert first["special_tokens_mask"][0] == first["special_tokens_mask"][-1] == 1
    assert set(first["attention_mask"]) == {1}


def test_ranks_read_disjoint_parts_of_the_shuffled_stream(data):
    whole = list(_stream(data, shuffle_buffer=64, seed=7))
    parts = [list(_stream(data, shuffle_buffer=64, seed=7, rank=r, world_size=2)) for r in (0, 1)]
    assert _windows(parts[0]) + _windows(parts[1]) == _windows(whole)
    assert parts[0] and parts[1]
    assert [r["input_ids"] for r in whole] != [r["input_ids"] for r in _stream(data, shuffle_buffer=0)], (
        "the buffer must shuffle"
    )
    assert [r["input_ids"] for r in whole] == [
        r["input_ids"] for r in _stream(data, shuffle_buffer=64, seed=7)
    ]
    with pytest.raises(ValueError, match="rank=2"):
        _stream(data, rank=2, world_size=2)


def test_sessions_need_streaming(data, tmp_path):
    flags = _streaming_flags(data, tmp_path / "m", 2, 4)
    flags[flags.index("--streaming") + 1] = "false"
    with pytest.raises(ValueError, match="--sessions needs --streaming"):
        main(flags)


def test_resumed_stream_gives_the_same_next_batches(data):
    """What the Trainer does on resume (``ignore_data_skip=False``): skip the batches already trained on."""
    from accelerate import skip_first_batches
    from torch.utils.data import DataLoader

    def loader():
        stream = _stream(data, shuffle_buffer=64, seed=42)
        return DataLoader(
            stream.repeat(None), batch_size=4, collate_fn=lambda rows: [r["input_ids"] for r in rows]
        )

    uninterrupted = [batch for _, batch in zip(range(6), loader(), strict=False)]
    resumed = [batch for _, batch in zip(range(2), skip_first_batches(loader(), 4), strict=False)]
    assert resumed == uninterrupted[4:6]
    assert uninterrupted[4] != uninterrupted[0]


def test_streaming_pretrain_and_resume(data, tmp_path):
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    extra = ("--save_steps", "4", "--eval_steps", "4", "--max_final_eval_samples", "16")
    result = main(_streaming_flags(data, full, 8, 4, *extra))
    assert result.global_step == 8 and not result.interrupted
    info = json.loads((full / "run_info.json").read_text())
    assert info["streaming"] and info["world_size"] == 1 and info["global_step"] == 8
    assert (full / "eval_results.json").is_file() and (full / "model.safetensors").is_file()

    # The same run cut after its step-4 checkpoint, then resumed: it trains steps 5 to 8 only.
    resumed.mkdir()
    shutil.copytree(full / "checkpoint-4", resumed / "checkpoint-4")
    again = main(_streaming_flags(data, resumed, 8, 4, *extra, "--resume", "true"))
    assert again.resumed_from_step == 4 and again.global_step == 8
    steps = [h["step"] for h in again.log_history if "loss" in h]
    assert steps[-4:] == [5, 6, 7, 8]


def test_streaming_two_processes_sigkill_one_rank_then_resume(data, tmp_path):
    out = tmp_path / "model"
    env = launch_env(tmp_path)
    flags = _streaming_flags(
        data, out, 8, 4, "--save_steps", "4", "--eval_strategy", "no", "--final_eval", "false"
    )
    status = kill_rank_when_ready(
        [*torchrun(2), *flags],
        env,
        rank=1,
        ready=lambda: any(checkpoint_is_complete(p) for p in out.glob("checkpoint-*")),
        timeout=240,
    )
    assert status != 0 and not (out / "run_info.json").exists()
    step = json.loads((Path(find_resume_checkpoint(out, False)) / "trainer_state.json").read_text())
    assert 0 < step["global_step"] < 8

    done = run([*torchrun(2), *flags, "--resume", "true"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    info = json.loads((out / "run_info.json").read_text())
    assert (info["world_size"], info["global_step"], info["streaming"]) == (2, 8, True)
    assert info["global_batch_size"] == 8 and info["resumed_from_step"] >= step["global_step"]
    state = json.loads((out / "trainer_state.json").read_text())
    steps = [h["step"] for h in state["log_history"] if "loss" in h]
    assert steps[-1] == 8 and all(0 < h["loss"] < 20 for h in state["log_history"] if "loss" in h)
