"""``rrweb-hf evaluate MODEL_DIR [CORPUS] --labels LABELS [--held-out SITE] [--split validation] [--json] [--out DIR]``."""

from __future__ import annotations

import json
import sys

from . import add_corpus_argument

HELP = (
    "downstream benchmark: retrieval, probe, next interaction, event reconstruction; the model next to "
    "random weights, TF-IDF and majority baselines, with bootstrap intervals"
)


def _option(text: str) -> tuple[str, object]:
    from ..modeling import parse_overrides

    parsed = parse_overrides(text)
    if len(parsed) != 1:
        raise ValueError(f"--embed-option {text!r} is not one key=value (e.g. pooling=cls)")
    return next(iter(parsed.items()))


def add_arguments(parser) -> None:
    parser.add_argument("model", help="model folder from rrweb-hf pretrain / run-all")
    add_corpus_argument(parser, "folder of recordings the label paths are relative to")
    parser.add_argument(
        "--labels",
        default=None,
        help="CSV, JSON Lines or MANIFEST.json with a 'path' column (default: CORPUS/MANIFEST.json)",
    )
    parser.add_argument(
        "--label-column", default="scenario", help="label of retrieval and probe (default scenario)"
    )
    parser.add_argument("--site-column", default="site", help="column naming the application (default site)")
    parser.add_argument(
        "--held-out",
        metavar="SITE",
        default=None,
        help="leave-one-site-out: evaluate this site (pretrain on the others); default: within-site split",
    )
    parser.add_argument(
        "--split",
        choices=["validation", "test", "all"],
        default="validation",
        help="evaluated part: choose settings on validation, read test once (default validation)",
    )
    parser.add_argument(
        "--tasks",
        default=None,
        help="comma-separated subset of retrieval,probe,next_interaction,reconstruction",
    )
    parser.add_argument(
        "--all-formats", action="store_true", help="also evaluate manifest entries whose format is not rrweb"
    )
    parser.add_argument("--max-length", type=int, default=None, help="window length (default: the model's)")
    parser.add_argument(
        "--max-items-per-session", type=int, default=32, help="next-interaction items per session (0: all)"
    )
    parser.add_argument(
        "--max-events-per-group",
        type=int,
        default=4,
        help="reconstruction events per session and group (0: all)",
    )
    parser.add_argument(
        "--input-events",
        choices=["first", "every"],
        default="first",
        help="next interaction: score the first Input of a run of keystrokes on one target (default) or every one",
    )
    parser.add_argument(
        "--keep-annotations",
        action="store_true",
        help="keep the recorder's annotation Custom events (tags session, scenario-step: they name the scenario)",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (0: no intervals)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--embed-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to embed_sessions (repeatable), e.g. stride=64",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument(
        "--out", metavar="DIR", help="write benchmark.md, benchmark.png and benchmark.json here"
    )


def run(args) -> int:
    from ..benchmark import TASKS, LabelsError, evaluate_downstream, format_markdown, write_report
    from ..benchmark.annotations import ANNOTATION_TAGS

    tasks = tuple(t.strip() for t in args.tasks.split(",")) if args.tasks else TASKS
    try:
        options = dict(_option(o) for o in args.embed_option)
        result = evaluate_downstream(
            args.model,
            args.corpus,
            args.labels,
            label_column=args.label_column,
            site_column=args.site_column,
            held_out=args.held_out,
            split=args.split,
            formats=None if args.all_formats else ("rrweb",),
            tasks=tasks,
            max_length=args.max_length,
            max_items_per_session=args.max_items_per_session or None,
            max_events_per_group=args.max_events_per_group or None,
            input_runs=args.input_events,
            strip_annotation_tags=None if args.keep_annotations else ANNOTATION_TAGS,
            batch_size=args.batch_size,
            embedding_options=options,
            bootstrap_samples=args.bootstrap,
            seed=args.seed,
        )
    except (LabelsError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        paths = write_report(result, args.out)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(format_markdown(result))
        data = result["data"]
        print(
            f"\nlabels: {data['label_rows']} rows; {data['missing_paths']} not in the corpus, {data['unlabelled']} "
            f"without a {data['label_column']!r} label, {len(data['unreadable'])} unreadable; formats evaluated: "
            f"{data['formats'] or 'all'} (left out: {data['excluded_formats'] or 'none'}); annotation events "
            f"removed: {data['annotation_events_removed']}"
        )
    if args.out:
        print(
            f"report: {paths['markdown']}, {paths['plot']}, {paths['json']}",
            file=sys.stderr if args.json else sys.stdout,
        )
    return 0
