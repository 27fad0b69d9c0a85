"""Publish a model folder (from ``rrweb-hf pretrain``) or a dataset folder (from ``rrweb-hf prepare``) to the Hub.

:func:`plan_upload` looks at a folder without touching the network: which files would be uploaded (training
checkpoints, wandb logs and other run leftovers are left out), whether the card's YAML metadata is complete,
and whether the folder loads offline in a fresh process (``AutoConfig``/``AutoTokenizer``/``AutoModel`` for
models, both after ``import rrweb_hf`` and with ``trust_remote_code=True``; stock ``datasets.load_dataset``
for datasets). :func:`publish` uploads the folder in ONE commit (``HfApi.upload_folder``), so a failure
leaves nothing half-uploaded, and reports success only after the commit exists.

Network, authentication and offline-mode failures become :class:`PublishError` with a message that says
what to do; the CLI prints it without a traceback.

Example:
    >>> from rrweb_hf.publish import plan_upload
    >>> plan = plan_upload("out/model")  # doctest: +SKIP
    >>> print(plan.format())  # doctest: +SKIP
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .io_checks import read_json_file

logger = logging.getLogger(__name__)

#: Never uploaded: training state, logs and caches that live next to the model files.
IGNORE_PATTERNS = [
    "checkpoint-*",
    "checkpoint-*/*",
    "incomplete-checkpoint-*",
    "incomplete-checkpoint-*/*",
    "runs/*",
    "wandb/*",
    ".cache/*",
    "*.lock",
    "*.tmp",
    "__pycache__/*",
]
#: Card metadata every model card must carry.
REQUIRED_MODEL_METADATA = ("license", "pipeline_tag", "tags", "model-index")
#: Card metadata every dataset card must carry.
REQUIRED_DATASET_METADATA = ("configs",)


class PublishError(RuntimeError):
    """Publishing failed or would fail; the message says why and what to do."""


@dataclass
class UploadPlan:
    """What :func:`publish` would do with a folder.

    Attributes:
        folder: the folder.
        repo_type: ``"model"`` or ``"dataset"``.
        files: ``(relative path, bytes)`` of every file that would be uploaded.
        ignored: relative paths left out.
        metadata: the card's YAML metadata.
        problems: what is wrong (missing card fields, failed load checks); empty when all is well.
        load_checks: check name -> ``"ok"`` or the error.
    """

    folder: str
    repo_type: str
    files: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    load_checks: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def format(self) -> str:
        """A human-readable listing of the plan."""
        total = sum(size for _, size in self.files)
        lines = [f"{self.repo_type} folder {self.folder}: {len(self.files)} files, {total / 1e6:.2f} MB"]
        lines += [f"  {path}  ({size} bytes)" for path, size in self.files]
        if self.ignored:
            lines.append(
                f"left out ({len(self.ignored)}): "
                + ", ".join(sorted({p.split("/")[0] for p in self.ignored}))
            )
        lines.append(
            "card metadata: " + ", ".join(f"{k}" for k in sorted(self.metadata))
            if self.metadata
            else "card metadata: none"
        )
        for name, outcome in self.load_checks.items():
            lines.append(f"load check {name}: {outcome}")
        lines.append("problems:" if self.problems else "no problems found")
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def detect_repo_type(folder: str | os.PathLike) -> str:
    """``"model"`` for a folder with ``config.json``, ``"dataset"`` for Parquet shards / a ``configs:`` card.

    Args:
        folder: the folder.

    Returns:
        The repo type.

    Raises:
        PublishError: neither.
    """
    path = Path(folder)
    if (path / "config.json").is_file():
        return "model"
    if any(path.rglob("*.parquet")) or (path / "dataset_dict.json").is_file():
        return "dataset"
    raise PublishError(
        f"{path} holds neither a model (config.json) nor a dataset (Parquet shards); "
        "pass the output folder of `rrweb-hf pretrain` or `rrweb-hf prepare`, or --repo-type"
    )


def _ignored(rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in IGNORE_PATTERNS) or any(
        fnmatch.fnmatch(part, pattern.rstrip("/*"))
        for part in rel.split("/")[:-1]
        for pattern in IGNORE_PATTERNS
    )


_MODEL_CHECK = r"""
import json, sys
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoTokenizer
folder = sys.argv[1]
out = {}
# 1. trust_remote_code=True in a process that has not imported rrweb_hf (the code shipped in the folder runs)
try:
    tok = AutoTokenizer.from_pretrained(folder, trust_remote_code=True)
    if "rrweb_hf" in sys.modules:
        raise RuntimeError("the remote code imported the rrweb_hf package")
    out["trust_remote_code=True"] = "ok " + type(tok).__name__
except Exception as exc:  # reported to the parent process, which turns it into a problem
    out["trust_remote_code=True"] = f"failed: {type(exc).__name__}: {exc}"
# 2. after `import rrweb_hf`, plain AutoTokenizer (no remote code)
try:
    import rrweb_hf  # noqa: F401
    tok = AutoTokenizer.from_pretrained(folder)
    out["with import rrweb_hf"] = "ok " + type(tok).__name__
except Exception as exc:
    out["with import rrweb_hf"] = f"failed: {type(exc).__name__}: {exc}"
try:
    config = AutoConfig.from_pretrained(folder)
    arch = (config.architectures or [""])[0]
    cls = AutoModelForMaskedLM if arch.endswith("ForMaskedLM") else (
        AutoModelForSequenceClassification if arch.endswith("ForSequenceClassification") else AutoModel)
    out["model"] = "ok " + type(cls.from_pretrained(folder)).__name__
except Exception as exc:
    out["model"] = f"failed: {type(exc).__name__}: {exc}"
print(json.dumps(out))
"""

_DATASET_CHECK = r"""
import json, sys
import datasets
data = datasets.load_dataset(sys.argv[1])
print(json.dumps({name: len(split) for name, split in data.items()}))
"""


def _run_check(code: str, *args: str, timeout: float = 300) -> str:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        return f"failed: no answer within {timeout:.0f} s"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"failed: {last}"
    return "ok " + proc.stdout.strip().splitlines()[-1]


def plan_upload(
    folder: str | os.PathLike, repo_type: str | None = None, check_loading: bool = True
) -> UploadPlan:
    """Inspect a folder for upload, offline: files, card metadata, loadability.

    Args:
        folder: a model or dataset folder.
        repo_type: ``"model"``/``"dataset"``; None detects it.
        check_loading: load the folder in fresh offline processes (a few seconds each).

    Returns:
        The :class:`UploadPlan`; ``plan.problems`` lists what would make the upload a bad one.

    Raises:
        PublishError: the folder does not exist or has an unknown type.
    """
    from huggingface_hub import DatasetCard, ModelCard

    path = Path(folder)
    if not path.is_dir():
        raise PublishError(f"folder {path} does not exist")
    repo_type = repo_type or detect_repo_type(path)
    if repo_type not in ("model", "dataset"):
        raise PublishError(f"repo type {repo_type!r} is not supported; use 'model' or 'dataset'")
    plan = UploadPlan(folder=str(path), repo_type=repo_type)
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if _ignored(rel):
            plan.ignored.append(rel)
        else:
            plan.files.append((rel, file.stat().st_size))

    readme = path / "README.md"
    if not readme.is_file():
        plan.problems.append("no README.md card; write one (rrweb-hf pretrain / prepare write it)")
    else:
        try:
            card = (ModelCard if repo_type == "model" else DatasetCard).load(str(readme))
            plan.metadata = card.data.to_dict()
        except (ValueError, OSError) as exc:
            plan.problems.append(f"README.md card does not parse: {exc}")
        required = REQUIRED_MODEL_METADATA if repo_type == "model" else REQUIRED_DATASET_METADATA
        for key in required:
            if not plan.metadata.get(key):
                plan.problems.append(f"card metadata has no {key!r}")
        if repo_type == "model" and plan.metadata.get("model-index"):
            results = plan.metadata["model-index"][0].get("results") or []
            if not any(r.get("metrics") for r in results):
                plan.problems.append("model-index holds no metrics")
    if repo_type == "model":
        names = {rel for rel, _ in plan.files}
        for needed in ("config.json", "tokenizer_config.json"):
            if needed not in names:
                plan.problems.append(f"{needed} is missing")
        if not names & {"model.safetensors", "pytorch_model.bin", "model.safetensors.index.json"}:
            plan.problems.append("no model weights (model.safetensors)")
        tok_config = read_json_file(path / "tokenizer_config.json")
        if tok_config and "auto_map" not in tok_config:
            plan.problems.append(
                "tokenizer_config.json has no auto_map: trust_remote_code users cannot load it"
            )
    if check_loading and not plan.problems:
        if repo_type == "model":
            outcome = _run_check(_MODEL_CHECK, str(path))
            if outcome.startswith("ok "):
                plan.load_checks.update(json.loads(outcome[3:]))
            else:
                plan.load_checks["offline load"] = outcome
        else:
            plan.load_checks["datasets.load_dataset"] = _run_check(_DATASET_CHECK, str(path))
        for name, outcome in plan.load_checks.items():
            if not outcome.startswith("ok"):
                plan.problems.append(f"load check {name} {outcome}")
    return plan


def publish(
    folder: str | os.PathLike,
    repo_id: str,
    *,
    private: bool = False,
    repo_type: str | None = None,
    dry_run: bool = False,
    token: str | None = None,
    commit_message: str | None = None,
    check_loading: bool = True,
) -> UploadPlan | str:
    """Upload a model or dataset folder to the Hub in one commit, or only check it (``dry_run``).

    Args:
        folder: the folder.
        repo_id: ``"user/name"``.
        private: create the repository as private.
        repo_type: ``"model"``/``"dataset"``; None detects it.
        dry_run: check and list only; nothing touches the network.
        token: a Hub token (default: the logged-in user's).
        commit_message: the commit message.
        check_loading: run the offline load checks first.

    Returns:
        The :class:`UploadPlan` for a dry run, else the URL of the commit.

    Raises:
        PublishError: the folder fails its checks, the Hub is unreachable or offline mode is on, no token,
            or the Hub refused the upload.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        HFValidationError,
        LocalTokenNotFoundError,
        OfflineModeIsEnabled,
    )
    from huggingface_hub.errors import HTTPError as HubHTTPError

    try:
        import httpx

        network_errors: tuple = (httpx.HTTPError, HubHTTPError, OSError)
    except ImportError:  # httpx is a huggingface_hub dependency; guard anyway
        network_errors = (HubHTTPError, OSError)

    if not repo_id or repo_id.count("/") > 1:
        raise PublishError(f"repo id {repo_id!r} is not 'user/name' or 'name'")
    plan = plan_upload(folder, repo_type=repo_type, check_loading=check_loading)
    if dry_run:
        return plan
    if not plan.ok:
        raise PublishError("not uploading: " + "; ".join(plan.problems) + " (see --dry-run)")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type=plan.repo_type, private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=plan.folder,
            repo_type=plan.repo_type,
            ignore_patterns=IGNORE_PATTERNS,
            commit_message=commit_message or f"Upload {plan.repo_type} from rrweb_hf",
        )
    except OfflineModeIsEnabled as exc:
        raise PublishError(
            f"offline mode is on (HF_HUB_OFFLINE=1), nothing was uploaded; unset HF_HUB_OFFLINE to publish ({exc})"
        ) from None
    except LocalTokenNotFoundError:
        raise PublishError(
            "not logged in to the Hugging Face Hub, nothing was uploaded; run `hf auth login` or set HF_TOKEN"
        ) from None
    except HFValidationError as exc:
        raise PublishError(f"invalid repo id {repo_id!r}: {exc}") from None
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        hint = {
            401: "log in with `hf auth login` or set HF_TOKEN",
            403: "the token cannot write to this namespace",
        }
        raise PublishError(
            f"the Hub refused the upload (HTTP {status}); nothing was committed. {hint.get(status, str(exc))}"
        ) from None
    except network_errors as exc:
        raise PublishError(
            f"cannot reach the Hugging Face Hub ({type(exc).__name__}: {exc}); nothing was committed. "
            "Check the network or proxy, or run with --dry-run"
        ) from None
    url = getattr(commit, "commit_url", None) or str(commit)
    logger.info("uploaded %d files to %s: %s", len(plan.files), repo_id, url)
    return url
