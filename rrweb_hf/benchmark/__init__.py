"""The downstream benchmark: does a session model learn behaviour a user can use?

``evaluate_downstream(model_dir, corpus, labels)`` runs four tasks on the same sessions and split, each
with the model next to its baselines (``random_init``, ``bag_of_tokens``, ``majority``; for next
interaction also ``most_frequent_target`` and ``previous_target``), every figure with its count of test
items and a bootstrap 95% interval over sessions. ``rrweb-hf evaluate`` is its command line.

Modules: :mod:`.labels` (labels files), :mod:`.splits` (leave-one-site-out and within-site splits, rotation
corpora), :mod:`.items` (the token tasks' test items), :mod:`.predictors` (masked-LM, TF-IDF + logistic
regression, majority), :mod:`.metrics` (retrieval metrics, bootstrap), :mod:`.scoring` (each task's rows
of figures per predictor), :mod:`.core` (the run, stage by stage), :mod:`.report` (Markdown table and plot).

Example:
    >>> from rrweb_hf.benchmark import evaluate_downstream, format_markdown
    >>> result = evaluate_downstream("out/model", held_out="django", split="validation")  # doctest: +SKIP
    >>> result["tasks"]["retrieval"]["model"]["accuracy_1nn"]  # doctest: +SKIP
    0.71
    >>> print(format_markdown(result))  # doctest: +SKIP
"""

from .core import TASKS, evaluate_downstream, select_split
from .labels import LabelsError, LabelTable, load_labels
from .report import format_markdown, plot_result, write_report
from .scoring import PREDICTORS
from .splits import (
    SPLIT_SALT,
    BenchmarkSplit,
    held_out_part,
    leave_one_site_out,
    rotation_corpus,
    sites,
    training_corpus,
    within_site_split,
)

__all__ = [
    "PREDICTORS",
    "SPLIT_SALT",
    "TASKS",
    "BenchmarkSplit",
    "LabelTable",
    "LabelsError",
    "evaluate_downstream",
    "format_markdown",
    "held_out_part",
    "leave_one_site_out",
    "load_labels",
    "plot_result",
    "rotation_corpus",
    "select_split",
    "sites",
    "training_corpus",
    "within_site_split",
    "write_report",
]
