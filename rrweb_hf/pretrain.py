"""Masked-language-model pretraining of BERT on prepared rrweb windows, in the style of ``run_mlm.py``.

The arguments are three dataclasses for :class:`~transformers.HfArgumentParser` next to the stock
:class:`~transformers.TrainingArguments`; :func:`pretrain` runs the stock :class:`~transformers.Trainer`
with :class:`~transformers.DataCollatorForLanguageModeling` (15% masking, batches padded per batch to a
multiple of 8) and leaves a Hub-ready folder: ``config.json``, ``model.safetensors``, the tokenizer files
(with their ``auto_map`` and code), ``training_args.json``, ``eval_results.json``, plots and ``README.md``.

The same code runs on one CPU, one GPU, or under ``accelerate launch`` / ``torchrun`` as data parallel
training (gloo on CPUs: :func:`training_defaults` sets ``use_cpu`` for several processes without an
accelerator); only the main process writes the folder, card, plots and ``run_info.json`` (with the world
size), the others wait at a barrier. ``sessions`` + ``streaming`` train on windows tokenized on the fly from a
raw corpus (:mod:`rrweb_hf.streaming`), split across processes with ``split_dataset_by_node``.

Resuming: with ``resume=True`` a run continues from the newest *complete* checkpoint in ``output_dir``
(``trainer_state.json`` is written last, so a checkpoint without it, or with a truncated one, was cut
short by a kill and is moved aside). SIGTERM is handled by the Trainer's just-in-time checkpointing
(``enable_jit_checkpoint``, on by default here); SIGKILL loses at most ``save_steps`` steps.

Example:
    >>> from rrweb_hf.pretrain import main
    >>> main(["--dataset", "out/dataset", "--tokenizer", "out/tokenizer",
    ...       "--output_dir", "out/model", "--preset", "tiny", "--max_steps", "30"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Files the model folder gets from the tokenizer folder, verbatim (so ``auto_map`` and code survive).
TOKENIZER_FILE_SUFFIXES = (".json", ".py", ".txt", ".model", ".vocab")
#: Columns the collator needs; everything else in the prepared dataset is dropped for training.
MODEL_COLUMNS = ("input_ids", "attention_mask", "special_tokens_mask")
_CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")
#: Defaults of this project that differ from TrainingArguments' (small models like larger learning rates;
#: evaluation during training gives the eval-loss curve; SIGTERM saves a checkpoint).
TRAINING_DEFAULTS: dict[str, Any] = {
    "learning_rate": 5e-4,
    "weight_decay": 0.01,
    "per_device_train_batch_size": 16,
    "per_device_eval_batch_size": 32,
    "logging_steps": 10,
    "logging_first_step": True,
    "eval_strategy": "steps",
    "eval_steps": 50,
    "save_steps": 100,
    "save_total_limit": 3,
    "report_to": "none",
    "enable_jit_checkpoint": True,
    "seed": 42,
}


@dataclass
class ModelArguments:
    """Which model to train and how big."""

    tokenizer: str | None = field(
        default=None,
        metadata={
            "help": "Tokenizer folder (from `rrweb-hf train-tokenizer`). Default: --model_name_or_path."
        },
    )
    preset: str = field(
        default="tiny",
        metadata={
            "help": "Model size: tiny (CPU, minutes), small, base (BERT-base, GPUs).",
            "choices": ["tiny", "small", "base"],
        },
    )
    config_overrides: str | None = field(
        default=None,
        metadata={"help": "Override preset config values, e.g. 'hidden_size=32,num_hidden_layers=2'."},
    )
    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": "Continue pretraining from this model folder instead of a fresh preset model."},
    )


@dataclass
class DataTrainingArguments:
    """Which prepared dataset to train and evaluate on."""

    dataset: str | None = field(
        default=None,
        metadata={"help": "Prepared dataset folder (from `rrweb-hf prepare`), Parquet or save_to_disk."},
    )
    sessions: str | None = field(
        default=None,
        metadata={
            "help": "Raw corpus (folder, file or glob) to tokenize on the fly instead; needs --streaming."
        },
    )
    streaming: bool = field(
        default=False,
        metadata={"help": "Train on windows tokenized while reading --sessions (no prepare step, no cache)."},
    )
    max_length: int = field(default=512, metadata={"help": "With --streaming: tokens per window."})
    stride: int = field(default=64, metadata={"help": "With --streaming: least overlap of windows."})
    validation_fraction: float = field(
        default=0.1, metadata={"help": "With --streaming: share of sessions in validation."}
    )
    test_fraction: float = field(
        default=0.0, metadata={"help": "With --streaming: share of sessions in test."}
    )
    shuffle_buffer: int = field(
        default=1000, metadata={"help": "With --streaming: windows in the shuffle buffer (0: file order)."}
    )
    train_split: str = field(default="train", metadata={"help": "Split to train on."})
    validation_split: str = field(default="validation", metadata={"help": "Split evaluated during training."})
    test_split: str = field(
        default="test",
        metadata={"help": "Held-out split of the final evaluation (falls back to validation)."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Use at most this many training windows."}
    )
    max_eval_samples: int | None = field(
        default=256, metadata={"help": "Windows evaluated during training (the final evaluation uses all)."}
    )
    mlm_probability: float = field(default=0.15, metadata={"help": "Share of tokens masked."})
    pad_to_multiple_of: int = field(default=8, metadata={"help": "Pad each batch to a multiple of this."})
    masking: str = field(
        default="token",
        metadata={
            "help": "Which positions are masked (rrweb_hf.collators): token (stock), event (whole events), "
            "target (whole click/input targets too), mixed, interaction (mixed, and half the windows become one "
            "next-interaction or whole-event item in the benchmark's format). Needs a dataset prepared with "
            "--event-ids.",
            "choices": ["token", "event", "target", "mixed", "interaction"],
        },
    )


@dataclass
class RunArguments:
    """What happens around training."""

    resume: bool = field(
        default=False, metadata={"help": "Continue from the newest complete checkpoint in --output_dir."}
    )
    overwrite: bool = field(
        default=False,
        metadata={"help": "Start afresh even if --output_dir holds checkpoints of an earlier run."},
    )
    final_eval: bool = field(
        default=True, metadata={"help": "Evaluate the saved model with baselines and write the model card."}
    )
    max_final_eval_samples: int | None = field(
        default=None,
        metadata={"help": "Windows in the final evaluation (default: the whole held-out split)."},
    )
    license: str = field(default="apache-2.0", metadata={"help": "License in the model card."})
    dataset_id: str | None = field(
        default=None, metadata={"help": "Hub id of the training dataset, for the model card's `datasets:`."}
    )
    model_id: str | None = field(default=None, metadata={"help": "Hub id the model will be published as."})
    max_train_minutes: float | None = field(
        default=None,
        metadata={
            "help": "Stop training (and save) after this many minutes of wall time, whatever max_steps says."
        },
    )
    contrastive_steps: int = field(
        default=0,
        metadata={
            "help": "After masked-LM, this many steps of the contrastive stage (rrweb_hf.contrastive: two "
            "windows of a session as positives) before the final evaluation; 0: none."
        },
    )
    contrastive_pooling: str = field(
        default="mean",
        metadata={"help": "Pooling the contrastive stage trains and records.", "choices": ["mean", "cls"]},
    )
    contrastive_batch_size: int = field(default=32, metadata={"help": "Sessions per contrastive batch."})
    contrastive_learning_rate: float = field(
        default=3e-4, metadata={"help": "Contrastive peak learning rate."}
    )
    contrastive_mlm_weight: float = field(
        default=0.0, metadata={"help": "Weight of a masked-LM loss kept during the contrastive stage."}
    )


def argument_classes() -> tuple:
    """The four dataclasses :func:`make_parser` parses into, TrainingArguments last."""
    from transformers import TrainingArguments

    return (ModelArguments, DataTrainingArguments, RunArguments, TrainingArguments)


def make_parser(**kwargs):
    """An :class:`~transformers.HfArgumentParser` over all pretraining arguments, with this project's defaults.

    Args:
        **kwargs: passed to the parser (e.g. ``add_help=False``).

    Returns:
        The parser.
    """
    from transformers import HfArgumentParser

    parser = HfArgumentParser(argument_classes(), **kwargs)
    parser.set_defaults(**training_defaults())
    return parser


def training_defaults() -> dict[str, Any]:
    """:data:`TRAINING_DEFAULTS` plus what the machine and launch need (no pinned memory without a GPU; ``use_cpu``).

    Under ``torchrun`` / ``accelerate launch`` on a machine without an accelerator, TrainingArguments
    would hand ``cpu=False`` to accelerate's ``PartialState``, which then opens a process group but
    reports no distribution ("process group is initialized, but parallel_mode !=
    ParallelMode.DISTRIBUTED"): every process trains alone. ``use_cpu=True`` selects accelerate's
    MULTI_CPU mode (gloo), i.e. real data parallelism.

    Returns:
        The defaults (a new dict).
    """
    defaults = dict(TRAINING_DEFAULTS)
    if not _has_accelerator():
        defaults["dataloader_pin_memory"] = False  # nothing to pin for (torch warns otherwise)
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            defaults["use_cpu"] = True
    return defaults


def _has_accelerator() -> bool:
    import torch

    accelerator = getattr(torch, "accelerator", None)
    if accelerator is not None:
        return accelerator.is_available()
    return torch.cuda.is_available()


def parse_arguments(argv: list[str] | None = None) -> tuple:
    """Parse command-line flags, or a single JSON config file, into the four argument dataclasses.

    Args:
        argv: the arguments (default ``sys.argv[1:]``). One argument ending in ``.json`` is read as a config
            file whose keys are field names (``{"dataset": ..., "output_dir": ..., "max_steps": 30}``).

    Returns:
        ``(model_args, data_args, run_args, training_args)``.

    Raises:
        FileNotFoundError: the JSON config does not exist.
        ValueError: unknown keys in the JSON config.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    if len(argv) == 1 and argv[0].endswith(".json"):
        path = Path(argv[0])
        if not path.is_file():
            raise FileNotFoundError(f"config file {path} does not exist")
        values = {**training_defaults(), **json.loads(path.read_text())}
        return tuple(parser.parse_dict(values))
    return tuple(parser.parse_args_into_dataclasses(args=argv))


def dataclasses_from_namespace(namespace) -> tuple:
    """Build the four argument dataclasses from an argparse namespace (for the ``rrweb-hf pretrain`` parser).

    Args:
        namespace: parsed by a parser that holds :func:`make_parser`'s arguments.

    Returns:
        ``(model_args, data_args, run_args, training_args)``.
    """
    import dataclasses

    values = vars(namespace)
    out = []
    for cls in argument_classes():
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        out.append(cls(**{k: v for k, v in values.items() if k in names}))
    return tuple(out)


# ---------------------------------------------------------------------------------------------- data


def load_prepared_dataset(path: str | os.PathLike):
    """Load a prepared dataset folder: Parquet shards with a dataset card, or a ``save_to_disk`` folder.

    Args:
        path: the folder written by ``rrweb-hf prepare`` (or any folder ``datasets`` can load with
            ``input_ids`` and ``attention_mask`` columns).

    Returns:
        A :class:`~datasets.DatasetDict`.

    Raises:
        FileNotFoundError: the folder does not exist.
        ValueError: the data has no ``input_ids`` column.
    """
    import datasets

    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"dataset folder {folder} does not exist; create it with `rrweb-hf prepare`")
    if (folder / "dataset_dict.json").exists() or (folder / "state.json").exists():
        data = datasets.load_from_disk(str(folder))
    else:
        try:
            data = datasets.load_dataset(str(folder))
        except ValueError as exc:
            # A card that declares a split with no rows ("Instruction 'test' corresponds to no data"):
            # load the splits that have Parquet files.
            import pyarrow.parquet as pq

            files: dict[str, list[str]] = {}
            for shard in sorted(folder.rglob("*.parquet")):
                if pq.ParquetFile(shard).metadata.num_rows == 0:
                    continue
                files.setdefault(shard.name.split("-")[0], []).append(str(shard))
            if not files:
                raise
            logger.warning(
                "%s: %s; loading the Parquet shards of splits %s directly", folder, exc, sorted(files)
            )
            data = datasets.load_dataset("parquet", data_files=files)
    if isinstance(data, datasets.Dataset):
        data = datasets.DatasetDict({"train": data})
    for name, split in data.items():
        if "input_ids" not in split.column_names:
            raise ValueError(
                f"split {name!r} of {folder} has columns {split.column_names}, no 'input_ids'; "
                "is this a tokenized dataset from `rrweb-hf prepare`?"
            )
    return data


def window_lengths(split) -> list[int]:
    """Token count of every window of a split (from Arrow, without decoding rows).

    Args:
        split: a :class:`~datasets.Dataset` with ``input_ids``.

    Returns:
        The lengths, in row order.
    """
    import pyarrow.compute as pc

    column = split.data.column("input_ids")
    return pc.list_value_length(column).to_pylist() if len(column) else []


def model_columns(split, limit: int | None = None, extra: tuple[str, ...] = ()):
    """The split reduced to the collator's columns, optionally to its first ``limit`` rows.

    Args:
        split: a prepared :class:`~datasets.Dataset`.
        limit: keep at most this many rows.
        extra: more columns to keep (``event_ids`` for event-aware masking).

    Returns:
        The reduced dataset.
    """
    keep = [c for c in (*MODEL_COLUMNS, *extra) if c in split.column_names]
    split = split.select_columns(keep)
    if limit is not None and limit < len(split):
        split = split.select(range(limit))
    return split


# --------------------------------------------------------------------------------------- checkpoints


def checkpoint_is_complete(path: str | os.PathLike) -> bool:
    """Whether a Trainer checkpoint folder was written to the end.

    The Trainer writes weights, then optimizer/scheduler/RNG state, then ``trainer_state.json``; a folder with
    a readable ``trainer_state.json`` and weights was finished.

    Args:
        path: a ``checkpoint-N`` folder.

    Returns:
        True when complete.
    """
    folder = Path(path)
    state = folder / "trainer_state.json"
    if (
        not state.is_file() or (folder / "checkpoint-is-incomplete.txt").exists()
    ):  # the JIT checkpoint's sentinel
        return False
    try:
        step = json.loads(state.read_text()).get("global_step")
    except (OSError, ValueError):
        return False
    weights = any((folder / name).is_file() for name in ("model.safetensors", "pytorch_model.bin"))
    return isinstance(step, int) and weights


def find_resume_checkpoint(output_dir: str | os.PathLike, set_aside_incomplete: bool = True) -> str | None:
    """The newest complete checkpoint in ``output_dir``.

    Args:
        output_dir: the training output folder.
        set_aside_incomplete: rename newer incomplete checkpoints (cut short by a kill) to
            ``incomplete-checkpoint-N`` so the Trainer neither loads nor overwrites them.

    Returns:
        The checkpoint path, or None when there is none.
    """
    folder = Path(output_dir)
    if not folder.is_dir():
        return None
    found = []
    for child in folder.iterdir():
        match = _CHECKPOINT_RE.match(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child))
    for _step, child in sorted(found, reverse=True):
        if checkpoint_is_complete(child):
            return str(child)
        logger.warning("checkpoint %s is incomplete (killed while saving?); skipping it", child)
        if set_aside_incomplete:
            target = child.with_name(f"incomplete-{child.name}")
            if target.exists():
                shutil.rmtree(target)
            child.rename(target)
    return None


# ------------------------------------------------------------------------------------------- training


def _progress_callback(max_seconds: float | None = None):
    import time

    from transformers import TrainerCallback

    class RecordStart(TrainerCallback):
        """Remembers the global step training (re)started at; stops training after ``max_seconds``.

        In a distributed run the processes agree on stopping (the largest elapsed time decides), so they
        all stop at the same step instead of one waiting forever for the others' gradients.
        """

        start_step: int | None = None
        started: float = 0.0
        stopped_early: bool = False

        def on_train_begin(self, args, state, control, **kwargs):
            self.start_step = state.global_step
            self.started = time.monotonic()

        def on_step_end(self, args, state, control, **kwargs):
            if max_seconds is None:
                return
            over = _any_process(time.monotonic() - self.started > max_seconds, args.world_size)
            if over:
                logger.warning(
                    "time budget of %.0f s used up at step %d: stopping", max_seconds, state.global_step
                )
                self.stopped_early = True
                control.should_training_stop = True
                control.should_save = True

    return RecordStart()


def _any_process(flag: bool, world_size: int) -> bool:
    """``flag`` or-ed over all processes of a distributed run (a one-number all-reduce)."""
    if world_size <= 1:
        return flag
    import torch
    import torch.distributed as dist

    value = torch.tensor([1.0 if flag else 0.0])
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def copy_tokenizer_files(tokenizer_dir: str | os.PathLike, output_dir: str | os.PathLike) -> list[str]:
    """Copy the tokenizer's files (config, vocabularies, remote code) into the model folder, verbatim.

    Args:
        tokenizer_dir: the tokenizer folder.
        output_dir: the model folder.

    Returns:
        The copied file names.
    """
    copied = []
    source = Path(tokenizer_dir)
    for path in sorted(source.iterdir()):
        if path.is_file() and path.name.endswith(TOKENIZER_FILE_SUFFIXES) and path.name != "config.json":
            shutil.copy2(path, Path(output_dir) / path.name)
            copied.append(path.name)
    return copied


@dataclass
class PretrainResult:
    """What :func:`pretrain` produced.

    Attributes:
        output_dir: the Hub-ready model folder.
        train_metrics: the Trainer's training metrics (``train_loss``, ``train_runtime`` ...).
        global_step: the last optimisation step.
        resumed_from_step: the step training resumed at (0 for a fresh run).
        evaluation: the final evaluation report (see :mod:`rrweb_hf.evaluation`), or None.
        log_history: the Trainer's log history (losses per logging step).
        interrupted: training stopped early on SIGTERM; only a checkpoint was written (rerun with ``resume``).
        world_size: processes that trained together (data parallel).
        main_process: this is the process that wrote the folder (the one to print the headline).
    """

    output_dir: str
    train_metrics: dict
    global_step: int
    resumed_from_step: int
    evaluation: Any = None
    log_history: list = field(default_factory=list)
    interrupted: bool = False
    world_size: int = 1
    main_process: bool = True


@dataclass
class TrainingData:
    """What the Trainer and the final evaluation read (see :func:`prepared_training_data`).

    Attributes:
        train: the training windows (a Dataset, or this process's IterableDataset when streaming).
        eval: windows evaluated during training, or None.
        splits: splits for the final evaluation and the card (with the training split for the baseline).
        lengths: window lengths per split, for the card.
        window_length: the longest window (sizes ``max_position_embeddings``).
        train_windows: number of training windows (None when streaming: unknown in advance).
    """

    train: Any
    eval: Any
    splits: Any
    lengths: dict
    window_length: int
    train_windows: int | None


def _check_sources(model_args: ModelArguments, data_args: DataTrainingArguments, training_args) -> str:
    """The tokenizer folder; errors for a missing or contradictory data source."""
    if data_args.sessions and not data_args.streaming:
        raise ValueError(
            "--sessions needs --streaming (windows tokenized on the fly); to train on a prepared dataset, "
            "run `rrweb-hf prepare` and pass --dataset instead"
        )
    if data_args.streaming and not data_args.sessions:
        raise ValueError("--streaming needs --sessions CORPUS (the raw recordings to tokenize on the fly)")
    if data_args.sessions and data_args.dataset:
        raise ValueError("pass either --dataset (prepared) or --sessions with --streaming (raw), not both")
    if not data_args.dataset and not data_args.sessions:
        raise ValueError(
            "no dataset given; pass --dataset DATASET_DIR (from `rrweb-hf prepare`) or "
            "--sessions CORPUS --streaming"
        )
    if data_args.streaming and training_args.max_steps <= 0:
        raise ValueError(
            f"--streaming needs --max_steps > 0 (got {training_args.max_steps}): a stream has no length"
        )
    tokenizer_dir = model_args.tokenizer or model_args.model_name_or_path
    if not tokenizer_dir:
        raise ValueError(
            "no tokenizer given; pass --tokenizer TOKENIZER_DIR (from `rrweb-hf train-tokenizer`)"
        )
    return tokenizer_dir


def _resume_checkpoint(run_args: RunArguments, training_args) -> str | None:
    """The checkpoint to resume from; the main process sets incomplete ones aside before the others look."""
    output_dir = Path(training_args.output_dir)
    if not run_args.resume:
        if (
            not run_args.overwrite
            and output_dir.is_dir()
            and any(_CHECKPOINT_RE.match(p.name) for p in output_dir.iterdir())
        ):
            raise ValueError(
                f"{output_dir} already holds checkpoints of an earlier run; pass --resume to continue it, "
                "--overwrite to start afresh, or choose another --output_dir"
            )
        return None
    with training_args.main_process_first(local=False, desc="finding the checkpoint to resume"):
        resume_from = find_resume_checkpoint(output_dir, set_aside_incomplete=training_args.should_save)
    if resume_from is None:
        logger.warning("--resume: no complete checkpoint in %s; starting from step 0", output_dir)
    else:
        logger.info("resuming from %s", resume_from)
    return resume_from


def prepared_training_data(data_args: DataTrainingArguments, training_args) -> TrainingData:
    """The windows of a prepared dataset folder (``--dataset``), read by the main process first.

    Args:
        data_args: dataset folder, split names, sample limits.
        training_args: for the process order (the main process fills the ``datasets`` cache).

    Returns:
        A :class:`TrainingData`.

    Raises:
        ValueError: no such training split, or an empty one.
    """
    with training_args.main_process_first(local=False, desc="loading the prepared dataset"):
        data = load_prepared_dataset(data_args.dataset)
    if data_args.train_split not in data:
        raise ValueError(
            f"dataset {data_args.dataset} has no split {data_args.train_split!r}; splits: {list(data)}"
        )
    train_split = data[data_args.train_split]
    if len(train_split) == 0:
        raise ValueError(
            f"split {data_args.train_split!r} of {data_args.dataset} is empty; nothing to train on"
        )
    lengths = {name: window_lengths(split) for name, split in data.items()}
    extra = ("event_ids",) if data_args.masking != "token" else ()
    if extra and "event_ids" not in train_split.column_names:
        raise ValueError(
            f"--masking {data_args.masking} needs the event_ids column; prepare the dataset with --event-ids"
        )
    train = model_columns(train_split, data_args.max_train_samples, extra)
    eval_name = data_args.validation_split if data_args.validation_split in data else None
    eval_dataset = model_columns(data[eval_name], data_args.max_eval_samples, extra) if eval_name else None
    return TrainingData(
        train=train,
        eval=eval_dataset if eval_dataset is not None and len(eval_dataset) else None,
        splits=data,
        lengths=lengths,
        window_length=max(max(v) for v in lengths.values() if v),
        train_windows=len(train),
    )


#: Windows read from the start of each split of a stream for the final evaluation and the baseline.
STREAM_SAMPLE_WINDOWS = 1024


def streamed_training_data(data_args: DataTrainingArguments, tokenizer, training_args) -> TrainingData:
    """Windows tokenized on the fly from ``--sessions`` (see :mod:`rrweb_hf.streaming`).

    Training reads this process's part of an endless shuffled stream. Evaluation during training reads
    the first ``max_eval_samples`` validation windows; the final evaluation the first
    :data:`STREAM_SAMPLE_WINDOWS` windows of the test (else validation) split, with the
    most-frequent-token baseline counted on the first :data:`STREAM_SAMPLE_WINDOWS` training windows.

    Args:
        data_args: corpus, window size, split fractions, shuffle buffer.
        tokenizer: the tokenizer.
        training_args: seed, process index and count.

    Returns:
        A :class:`TrainingData`.
    """
    import datasets

    from .streaming import stream_windows, take_windows

    def stream(split: str, **kwargs):
        return stream_windows(
            data_args.sessions,
            tokenizer,
            split=split,
            max_length=data_args.max_length,
            stride=data_args.stride,
            validation_fraction=data_args.validation_fraction,
            test_fraction=data_args.test_fraction,
            **kwargs,
        )

    train = stream(
        data_args.train_split,
        shuffle_buffer=data_args.shuffle_buffer,
        seed=training_args.seed,
        rank=training_args.process_index,
        world_size=training_args.world_size,
    )
    fractions = {"validation": data_args.validation_fraction, "test": data_args.test_fraction}
    splits = datasets.DatasetDict()
    for name in dict.fromkeys([data_args.train_split, data_args.validation_split, data_args.test_split]):
        if name == data_args.train_split or fractions.get(name, 0) > 0:
            first = stream(name, shuffle_buffer=0, repeat=False, with_event_ids=True)
            splits[name] = take_windows(first, STREAM_SAMPLE_WINDOWS)
    eval_dataset = None
    if data_args.validation_split in splits and len(splits[data_args.validation_split]):
        eval_dataset = model_columns(splits[data_args.validation_split], data_args.max_eval_samples)
    return TrainingData(
        train=train,
        eval=eval_dataset,
        splits=splits,
        lengths={name: window_lengths(split) for name, split in splits.items()},
        window_length=data_args.max_length,
        train_windows=None,
    )


def _build_model(model_args: ModelArguments, tokenizer, window_length: int, seed: int, pad_multiple: int):
    """A fresh preset model sized for the tokenizer and windows, or the ``--model_name_or_path`` one."""
    from transformers import AutoModelForMaskedLM

    from . import modeling

    if model_args.model_name_or_path:
        model = AutoModelForMaskedLM.from_pretrained(model_args.model_name_or_path)
    else:
        config = modeling.build_config(
            tokenizer,
            preset=model_args.preset,
            window_length=window_length,
            overrides=model_args.config_overrides,
            pad_multiple=pad_multiple,
        )
        model = modeling.build_model(config, seed=seed)
    # BertForMaskedLM takes **kwargs, so the Trainer assumes its loss is divided by the token count of the
    # whole global batch (num_items_in_batch) and multiplies it by the number of processes (and skips the
    # division by gradient_accumulation_steps); BERT's loss is a per-process mean, so logged losses and
    # gradients came out world_size (or accumulation) times too large. Declaring that the model ignores
    # those kwargs gives the classic normalisation: per-process means, averaged by DDP
    # (huggingface/transformers#47688, open for transformers 5).
    model.accepts_loss_kwargs = False
    padded = modeling.position_embeddings_for(window_length, pad_multiple)
    if model.config.max_position_embeddings < padded:
        raise ValueError(
            f"windows of {window_length} tokens padded to a multiple of {pad_multiple} "
            f"({padded}) exceed the model's max_position_embeddings={model.config.max_position_embeddings}; "
            "use a smaller --max-length or a smaller --pad_to_multiple_of"
        )
    model.config.rrweb_pad_multiple = pad_multiple
    return model


def _collator(tokenizer, data_args: DataTrainingArguments):
    """The masked-LM collator: ``mlm_probability`` of the tokens masked, batches padded per batch; with
    ``--masking`` other than ``token``, :class:`rrweb_hf.collators.EventMaskingCollator`."""
    from transformers import DataCollatorForLanguageModeling

    if data_args.masking == "token":
        return DataCollatorForLanguageModeling(
            tokenizer=tokenizer,
            mlm_probability=data_args.mlm_probability,
            pad_to_multiple_of=data_args.pad_to_multiple_of,
        )
    if data_args.streaming:
        raise ValueError(
            f"--masking {data_args.masking} needs a prepared dataset (--dataset), not --streaming"
        )
    from .collators import EventMaskingCollator

    return EventMaskingCollator(
        tokenizer=tokenizer,
        mlm_probability=data_args.mlm_probability,
        pad_to_multiple_of=data_args.pad_to_multiple_of,
        masking=data_args.masking,
    )


def _trainer_class(streaming: bool):
    """The stock Trainer; for a stream, one whose training DataLoader reads this process's own part.

    accelerate would split a ``datasets.IterableDataset`` across processes again (or have the main
    process read and dispatch every batch); the stream of :func:`streamed_training_data` is already
    this process's part (``split_dataset_by_node``), so it is batched as it is.
    """
    from torch.utils.data import DataLoader
    from transformers import Trainer

    if not streaming:
        return Trainer

    class StreamTrainer(Trainer):
        def get_train_dataloader(self):
            return DataLoader(
                self.train_dataset,
                batch_size=self._train_batch_size,
                collate_fn=self.data_collator,
                num_workers=self.args.dataloader_num_workers,
                pin_memory=self.args.dataloader_pin_memory,
            )

    return StreamTrainer


def _pretrain(
    model_args: ModelArguments, data_args: DataTrainingArguments, run_args: RunArguments, training_args
):
    """Pretrain BERT with masked-LM and write a Hub-ready folder (see :func:`pretrain`)."""
    import transformers
    from transformers import set_seed

    from . import modeling

    tokenizer_dir = _check_sources(model_args, data_args, training_args)
    resume_from = _resume_checkpoint(run_args, training_args)
    set_seed(training_args.seed)
    tokenizer = modeling.load_tokenizer(tokenizer_dir)
    if data_args.streaming:
        data = streamed_training_data(data_args, tokenizer, training_args)
    else:
        data = prepared_training_data(data_args, training_args)
    model = _build_model(
        model_args, tokenizer, data.window_length, training_args.seed, data_args.pad_to_multiple_of
    )
    if data.eval is None and training_args.eval_strategy != "no":
        logger.warning("no %r split: no evaluation during training", data_args.validation_split)
        training_args.eval_strategy = transformers.IntervalStrategy.NO
    training_args.remove_unused_columns = False
    progress = _progress_callback(run_args.max_train_minutes * 60 if run_args.max_train_minutes else None)
    trainer = _trainer_class(data_args.streaming)(
        model=model,
        args=training_args,
        data_collator=_collator(tokenizer, data_args),
        train_dataset=data.train,
        eval_dataset=data.eval,
        processing_class=tokenizer,
        callbacks=[progress],
    )
    train_result = trainer.train(resume_from_checkpoint=resume_from)
    result = PretrainResult(
        output_dir=str(training_args.output_dir),
        train_metrics=dict(train_result.metrics),
        global_step=trainer.state.global_step,
        resumed_from_step=progress.start_step or 0,
        log_history=list(trainer.state.log_history),
        world_size=training_args.world_size,
        main_process=training_args.should_save,
    )
    if trainer.state.global_step < trainer.state.max_steps and not progress.stopped_early:
        # Stopped by SIGTERM (just-in-time checkpoint): not a finished model; leave only the checkpoint.
        logger.warning(
            "training interrupted at step %d of %d; checkpoint saved, rerun with --resume to continue",
            trainer.state.global_step,
            trainer.state.max_steps,
        )
        result.interrupted = True
        return result
    result.train_metrics["stopped_by_time_budget"] = progress.stopped_early
    if data.train_windows is not None:  # unknown for a stream
        result.train_metrics["train_windows"] = data.train_windows
    trainer.save_model()
    trainer.log_metrics("train", result.train_metrics)
    trainer.save_metrics("train", result.train_metrics)
    trainer.save_state()
    if training_args.should_save:  # the main process; the others wait at the barrier below
        _write_folder(result, model, data, tokenizer_dir, model_args, data_args, run_args, training_args)
    trainer.accelerator.wait_for_everyone()
    return result


def _write_folder(result, model, data, tokenizer_dir, model_args, data_args, run_args, training_args):
    """Main process only: tokenizer files, ``training_args.json``, ``run_info.json``, evaluation and card."""
    from . import modeling

    output_dir = Path(training_args.output_dir)
    if Path(tokenizer_dir).is_dir():
        copy_tokenizer_files(tokenizer_dir, output_dir)
    (output_dir / "training_args.json").write_text(training_args.to_json_string())
    info = {
        "preset": model_args.preset,
        "config_overrides": model_args.config_overrides,
        "dataset": str(data_args.dataset) if data_args.dataset else None,
        "sessions": str(data_args.sessions) if data_args.streaming else None,
        "streaming": data_args.streaming,
        "tokenizer": str(tokenizer_dir),
        "window_length": data.window_length,
        "mlm_probability": data_args.mlm_probability,
        "global_step": result.global_step,
        "resumed_from_step": result.resumed_from_step,
        "world_size": training_args.world_size,
        "global_batch_size": training_args.per_device_train_batch_size
        * training_args.world_size
        * training_args.gradient_accumulation_steps,
        "parameters": modeling.count_parameters(model),
    }
    (output_dir / "run_info.json").write_text(json.dumps(info, indent=2))
    if run_args.contrastive_steps > 0:
        from .contrastive import ContrastiveArguments, train_contrastive

        if training_args.world_size > 1 or data_args.streaming:
            raise ValueError(
                "the contrastive stage runs in one process on a prepared dataset; run it after training "
                "(rrweb_hf.contrastive.train_contrastive)"
            )
        train_contrastive(
            output_dir,
            data_args.dataset,
            output_dir,
            ContrastiveArguments(
                max_steps=run_args.contrastive_steps,
                batch_size=run_args.contrastive_batch_size,
                learning_rate=run_args.contrastive_learning_rate,
                pooling=run_args.contrastive_pooling,
                mlm_weight=run_args.contrastive_mlm_weight,
                seed=training_args.seed,
                split=data_args.train_split,
            ),
            model=model,
        )
    if run_args.final_eval:
        finish_folder(
            output_dir,
            data=data.splits,
            data_args=data_args,
            run_args=run_args,
            lengths=data.lengths,
            log_history=result.log_history,
            train_metrics=result.train_metrics,
            result=result,
            seed=training_args.seed,
            batch_size=training_args.per_device_eval_batch_size,
        )


def pretrain(
    model_args: ModelArguments, data_args: DataTrainingArguments, run_args: RunArguments, training_args
):
    """Pretrain BERT with masked-LM on a prepared dataset (or a raw corpus, streamed) and write a Hub-ready folder.

    Under ``torchrun`` / ``accelerate launch`` every process trains the same model on its own part of
    every global batch (``per_device_train_batch_size`` x processes x ``gradient_accumulation_steps``);
    only the main process writes the folder, its card and ``run_info.json``, the others wait until it is
    complete.

    Args:
        model_args: tokenizer, preset, overrides.
        data_args: dataset folder (or ``sessions`` with ``streaming``), splits, masking.
        run_args: resume, final evaluation, card fields.
        training_args: a :class:`~transformers.TrainingArguments` (``output_dir`` is the model folder).

    Returns:
        A :class:`PretrainResult`.

    Raises:
        ValueError: missing or contradictory data source, no tokenizer, an output folder holding another
            run's checkpoints without ``resume``/``overwrite``, or an empty training split.

    A wandb run that the Trainer started
    (``report_to`` wandb) is finished before returning, so the next run in the same process (or a
    later ``wandb.init``) does not log into this one.
    """
    try:
        return _pretrain(model_args, data_args, run_args, training_args)
    finally:
        if "wandb" in (training_args.report_to or []):
            import wandb

            if wandb.run is not None:
                wandb.finish()


def finish_folder(
    output_dir, *, data, data_args, run_args, lengths, log_history, train_metrics, result, seed, batch_size
):
    """Final evaluation with baselines, plots and model card for a trained model folder.

    Args:
        output_dir: the saved model folder.
        data: the prepared DatasetDict.
        data_args: the data arguments (split names, masking).
        run_args: the run arguments (card fields, evaluation size).
        lengths: window lengths per split.
        log_history: the Trainer's log history.
        train_metrics: the training metrics.
        result: the :class:`PretrainResult` to fill in.
        seed: masking seed.
        batch_size: evaluation batch size.
    """
    from . import evaluation, model_card

    held_out = (
        data_args.test_split if data_args.test_split in data and len(data[data_args.test_split]) else None
    )
    held_out = held_out or (data_args.validation_split if data_args.validation_split in data else None)
    report = None
    if held_out is not None and len(data[held_out]):
        report = evaluation.evaluate_folder(
            output_dir,
            data[held_out],
            split_name=held_out,
            baseline_counts_from=data.get(data_args.train_split),
            mlm_probability=data_args.mlm_probability,
            batch_size=batch_size,
            seed=seed,
            max_samples=run_args.max_final_eval_samples,
        )
        (Path(output_dir) / "eval_results.json").write_text(json.dumps(report.to_dict(), indent=2))
    else:
        logger.warning("no held-out split with rows: no final evaluation")
    result.evaluation = report
    images = model_card.write_training_plots(output_dir, log_history, lengths)
    model_card.write_model_card(
        output_dir,
        evaluation=report,
        lengths=lengths,
        train_metrics=train_metrics,
        dataset_dir=data_args.dataset,
        license=run_args.license,
        dataset_id=run_args.dataset_id,
        model_id=run_args.model_id,
        images=images,
    )


def main(argv: list[str] | None = None) -> PretrainResult:
    """Entry point of ``scripts/pretrain.py``: parse arguments (or a JSON config) and pretrain.

    Args:
        argv: command-line arguments (default ``sys.argv[1:]``).

    Returns:
        The :class:`PretrainResult`.
    """
    model_args, data_args, run_args, training_args = parse_arguments(argv)
    setup_logging(training_args)
    return pretrain(model_args, data_args, run_args, training_args)


def setup_logging(training_args) -> None:
    """Configure logging as ``run_mlm.py`` does (for scripts and the CLI, not the library).

    Args:
        training_args: gives the log level of this process (replicas log warnings only).
    """
    import datasets
    import transformers

    logging.basicConfig(
        format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
        datefmt="%m/%d/%Y %H:%M:%S",
        handlers=[logging.StreamHandler(sys.stdout)],
    )
    level = training_args.get_process_log_level()
    logging.getLogger("rrweb_hf").setLevel(level)
    datasets.utils.logging.set_verbosity(level)
    transformers.utils.logging.set_verbosity(level)
    transformers.utils.logging.enable_default_handler()
    transformers.utils.logging.enable_explicit_format()


def headline(result: PretrainResult) -> str:
    """A few lines for the end of a run: where the folder is and the headline metrics.

    Args:
        result: from :func:`pretrain`.

    Returns:
        Text to print.
    """
    if result.interrupted:
        return (
            f"interrupted at step {result.global_step}; a checkpoint is in {result.output_dir}: "
            "run the same command with --resume to continue"
        )
    lines = [f"model folder: {result.output_dir}", f"steps: {result.global_step}"]
    if "train_runtime" in result.train_metrics:
        lines.append(f"training time: {result.train_metrics['train_runtime']:.1f} s")
    if result.evaluation is not None:
        lines.append(result.evaluation.format_table())
    return "\n".join(lines)


def perplexity(loss: float) -> float:
    """``exp(loss)``, or inf when it overflows.

    Args:
        loss: mean cross-entropy in nats.

    Returns:
        The perplexity.
    """
    try:
        return math.exp(loss)
    except OverflowError:
        return float("inf")
