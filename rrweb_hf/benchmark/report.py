"""The benchmark's result as Markdown tables and a plot (matplotlib, Agg backend).

Example:
    >>> result = {"tasks": {"probe": {"model": {"accuracy": 0.5, "n": {"accuracy": 4},
    ...           "ci": {"accuracy": [0.25, 0.75]}}}}, "split": {"name": "all"}}
    >>> print(format_markdown(result).splitlines()[-1])
    | model | 50.0 [25.0, 75.0] |
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: The metric drawn per task in the plot.
HEADLINE = {
    "retrieval": "accuracy_1nn",
    "probe": "accuracy",
    "next_interaction": "tag_top1",
    "reconstruction": "accuracy",
}


def _cell(row: dict, metric: str) -> str:
    value = row.get(metric)
    if value is None:
        return "n/a"
    ci = (row.get("ci") or {}).get(metric)
    text = f"{100 * value:.1f}"
    if ci:
        text += f" [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
    return text


def _metrics(rows: dict) -> list[str]:
    names: list[str] = []
    for row in rows.values():
        for key in row:
            if key not in ("n", "ci") and key not in names:
                names.append(key)
    return names


def format_markdown(result: dict) -> str:
    """One Markdown table per task: predictors as rows, metrics (percent, 95% interval) as columns.

    Args:
        result: from :func:`rrweb_hf.benchmark.evaluate_downstream`.

    Returns:
        The tables, each headed by the task, split and item counts.
    """
    split = result.get("split", {})
    lines = [
        f"Downstream benchmark, split `{split.get('name', '?')}`: {split.get('eval_sessions', '?')} evaluated "
        f"sessions, {split.get('train_sessions', 0)} training sessions; values in %, [95% bootstrap interval "
        "over sessions]",
    ]
    for task, rows in result.get("tasks", {}).items():
        metrics = _metrics(rows)
        first = next(iter(rows.values()))
        counts = ", ".join(f"{m} n={first.get('n', {}).get(m)}" for m in metrics)
        lines += ["", f"**{task}** ({counts})", "", "| predictor | " + " | ".join(metrics) + " |"]
        lines.append("|---|" + "---:|" * len(metrics))
        for name, row in rows.items():
            lines.append(f"| {name} | " + " | ".join(_cell(row, m) for m in metrics) + " |")
    return "\n".join(lines)


def plot_result(result: dict, path: str | os.PathLike) -> Path:
    """A bar chart of each task's headline metric per predictor, with the intervals as error bars.

    Args:
        result: the benchmark result.
        path: the PNG to write.

    Returns:
        The path.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = [t for t in HEADLINE if t in result.get("tasks", {})]
    fig, axes = plt.subplots(1, max(len(tasks), 1), figsize=(4.2 * max(len(tasks), 1), 3.6), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=False):
        metric = HEADLINE[task]
        rows = result["tasks"][task]
        names = list(rows)
        values = [100 * (rows[n].get(metric) or 0.0) for n in names]
        low, high = [], []
        for name, value in zip(names, values, strict=True):
            ci = (rows[name].get("ci") or {}).get(metric)
            low.append(value - 100 * ci[0] if ci else 0.0)
            high.append(100 * ci[1] - value if ci else 0.0)
        colors = ["#1f77b4" if n == "model" else "#9a9a9a" for n in names]
        ax.bar(range(len(names)), values, yerr=[low, high], color=colors, capsize=3)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
        n = rows[names[0]].get("n", {}).get(metric)
        ax.set_title(f"{task}: {metric} (n={n})", fontsize=9)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
    fig.suptitle(f"split {result.get('split', {}).get('name', '?')}", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(result: dict, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write ``benchmark.md``, ``benchmark.png`` and ``benchmark.json`` into ``out_dir`` (created).

    Returns:
        ``{"markdown": path, "plot": path, "json": path}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / "benchmark.md", "plot": out / "benchmark.png", "json": out / "benchmark.json"}
    paths["markdown"].write_text(format_markdown(result) + "\n")
    plot_result(result, paths["plot"])
    paths["json"].write_text(json.dumps(result, indent=1, default=str) + "\n")
    return paths
