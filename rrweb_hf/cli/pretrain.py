"""``rrweb-hf pretrain --dataset DIR --tokenizer DIR --output_dir OUT [--preset tiny] [TrainingArguments flags]``.

Every field of the pretraining dataclasses and of ``transformers.TrainingArguments`` is a flag
(``--max_steps 30``, ``--bf16``, ``--gradient_checkpointing``, ``--report_to wandb``,
``--train_sampling_strategy group_by_length``); ``--config run.json`` reads them from a JSON file instead.
``--sessions CORPUS --streaming`` trains on windows tokenized on the fly from raw recordings (no prepare step).
Under ``torchrun --nproc_per_node N`` or ``accelerate launch --num_processes N`` it trains data parallel.
"""

from __future__ import annotations

import json
import sys

HELP = "pretrain BERT (masked LM) on a prepared dataset or streamed raw sessions; writes a Hub-ready model folder with card and plots"


def add_arguments(parser) -> None:
    from ..pretrain import make_parser, training_defaults

    hf_parser = make_parser(add_help=False)
    parser._add_container_actions(hf_parser)  # the argparse "parents" mechanism, after construction
    parser.set_defaults(**training_defaults())
    parser.add_argument("--config", metavar="JSON", help="read all arguments from this JSON file instead")
    for action in parser._actions:
        if action.dest == "output_dir":
            action.required = False


def run(args) -> int:
    from ..io_checks import ensure_writable_dir
    from ..pretrain import dataclasses_from_namespace, headline, parse_arguments, pretrain, setup_logging

    try:
        if args.config:
            parsed = parse_arguments([args.config])
        else:
            if not getattr(args, "output_dir", None):
                print("error: --output_dir is required (or --config JSON)", file=sys.stderr)
                return 2
            parsed = dataclasses_from_namespace(args)
        model_args, data_args, run_args, training_args = parsed
        ensure_writable_dir(training_args.output_dir)
        setup_logging(training_args)
        result = pretrain(model_args, data_args, run_args, training_args)
    except (ValueError, FileNotFoundError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if result.main_process:  # one headline per run, not one per process
        print(headline(result))
    return 143 if result.interrupted else 0
