"""The ``rrweb-hf`` command line (also ``python -m rrweb_hf``).

Each subcommand lives in its own module of this package with three names: ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported only when their command
runs, so ``rrweb-hf stats`` does not pay for importing torch.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ..io_checks import OutputDirError

# command name -> module in this package
COMMANDS = {
    "stats": "stats",
    "train-tokenizer": "train_tokenizer",
    "prepare": "prepare",
    "export-sessions": "export_sessions",
    "pretrain": "pretrain",
    "publish": "publish",
    "embed": "embed",
    "evaluate": "evaluate",
    "run-all": "run_all",
    "convert": "convert",
}


def add_corpus_argument(
    parser: argparse.ArgumentParser, what: str = "folder, file or glob of rrweb session files"
):
    """The optional positional ``CORPUS`` of every command that reads recordings.

    :func:`main` fills it with :func:`rrweb_hf.sample_corpus` when it is left out.
    """
    parser.add_argument(
        "corpus", nargs="?", default=None, help=f"{what} (default: the bundled sample corpus)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rrweb-hf",
        description="Hugging Face tokenizers, datasets and BERT models for rrweb session recordings.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"{__name__}.{module_name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if "corpus" in vars(args) and args.corpus is None:
        from .. import sample_corpus

        args.corpus = str(sample_corpus())
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OutputDirError as exc:  # raised before the expensive work starts
        print(f"error: {exc}", file=sys.stderr)
        return 1
