"""BERT model presets sized for rrweb session windows.

A preset fixes the shape of the network (hidden size, layers, heads, feed-forward size). Everything
that depends on the data comes from the tokenizer and the prepared dataset, never from constants:
``vocab_size`` is ``len(tokenizer)``, ``pad_token_id`` is the tokenizer's, and
``max_position_embeddings`` is the window length of the prepared dataset rounded up to the pad
multiple the run pads batches to (``--pad_to_multiple_of``); the config records that multiple as
``rrweb_pad_multiple`` and evaluation and fine-tuning read it back with :func:`pad_multiple_of`.

Example:
    >>> from transformers import AutoTokenizer
    >>> import rrweb_hf  # registers RRWebTokenizer with AutoTokenizer
    >>> tok = AutoTokenizer.from_pretrained("out/tokenizer")  # doctest: +SKIP
    >>> config = build_config(tok, preset="tiny", window_length=512)  # doctest: +SKIP
    >>> model = build_model(config)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import os
from typing import Any

from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

#: Model shapes. ``tiny`` trains in minutes on 2 CPU cores; ``small`` is for one modest GPU;
#: ``base`` is BERT-base (110M parameters with a 30k vocabulary) for GPUs.
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 256},
    "small": {
        "hidden_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "intermediate_size": 1024,
    },
    "base": {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
    },
}

#: Default pad multiple (tensor cores; the collator's ``pad_to_multiple_of``). A run's own multiple
#: is recorded in its config as ``rrweb_pad_multiple``; read it with :func:`pad_multiple_of`.
PAD_MULTIPLE = 8


def parse_overrides(overrides: str | dict | None) -> dict[str, Any]:
    """Parse run_mlm-style config overrides (``"hidden_size=32,num_hidden_layers=2"``).

    Args:
        overrides: a comma-separated ``key=value`` string, a dict, or None.

    Returns:
        A dict with ints, floats and booleans converted from their text form.

    Raises:
        ValueError: an item without ``=``.
    """
    if not overrides:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    result: dict[str, Any] = {}
    for item in overrides.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(
                f"config override {item!r} is not key=value; write e.g. 'hidden_size=32,num_hidden_layers=2'"
            )
        key, value = (part.strip() for part in item.split("=", 1))
        parsed: Any = value
        if value.lower() in ("true", "false"):
            parsed = value.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    parsed = cast(value)
                    break
                except ValueError:
                    continue
        result[key] = parsed
    return result


def position_embeddings_for(window_length: int, pad_multiple: int | None = PAD_MULTIPLE) -> int:
    """``max_position_embeddings`` for windows of ``window_length`` tokens padded to ``pad_multiple``.

    A batch of such windows is padded up to a multiple of ``pad_multiple``, so the model needs a
    position for every padded slot, not only for the longest window.

    Args:
        window_length: the longest window of the prepared dataset, special tokens included.
        pad_multiple: the collator's ``pad_to_multiple_of`` (None or 1: no rounding).

    Returns:
        The smallest multiple of ``pad_multiple`` that is at least ``window_length``.

    Raises:
        ValueError: a window length below 2 (a window holds at least ``[CLS]`` and ``[SEP]``), or a
            pad multiple below 1.

    Example:
        >>> position_embeddings_for(500), position_embeddings_for(500, 64), position_embeddings_for(500, None)
        (504, 512, 500)
    """
    if int(window_length) < 2:
        raise ValueError(
            f"window_length={window_length} is too small; a window holds at least [CLS] and [SEP]"
        )
    multiple = 1 if pad_multiple is None else int(pad_multiple)
    if multiple < 1:
        raise ValueError(f"pad_multiple={pad_multiple} must be >= 1 (or None for no padding to a multiple)")
    return int(math.ceil(int(window_length) / multiple) * multiple)


def pad_multiple_of(config) -> int:
    """The pad multiple a model was trained with (``config.rrweb_pad_multiple``, else :data:`PAD_MULTIPLE`).

    Example:
        >>> from transformers import BertConfig
        >>> pad_multiple_of(BertConfig(rrweb_pad_multiple=64)), pad_multiple_of(BertConfig())
        (64, 8)
    """
    value = getattr(config, "rrweb_pad_multiple", None)
    return PAD_MULTIPLE if value is None else int(value)


def build_config(
    tokenizer: PreTrainedTokenizerBase,
    preset: str = "tiny",
    window_length: int | None = None,
    overrides: str | dict | None = None,
    pad_multiple: int = PAD_MULTIPLE,
) -> BertConfig:
    """A :class:`~transformers.BertConfig` for ``tokenizer`` and windows of ``window_length`` tokens.

    Args:
        tokenizer: the tokenizer the model will be trained with; gives ``vocab_size`` (``len(tokenizer)``,
            added tokens included) and ``pad_token_id``.
        preset: one of :data:`PRESETS` (``tiny``, ``small``, ``base``).
        window_length: the longest window in the training data. None: the tokenizer's ``model_max_length``.
        overrides: config attributes that replace the preset's (``"hidden_size=32,num_hidden_layers=2"``).
        pad_multiple: the multiple batches are padded to (``--pad_to_multiple_of``); positions are
            rounded up to it.

    Returns:
        The config; ``config.rrweb_preset`` records the preset name, ``config.rrweb_pad_multiple``
        the pad multiple.

    Raises:
        ValueError: an unknown preset, a tokenizer without ``[PAD]``/``[MASK]``, or no usable window length.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if tokenizer.pad_token_id is None or tokenizer.mask_token_id is None:
        raise ValueError(
            f"tokenizer {type(tokenizer).__name__} has no pad or mask token (pad={tokenizer.pad_token!r}, "
            f"mask={tokenizer.mask_token!r}); masked-LM training needs both"
        )
    if window_length is None:
        window_length = getattr(tokenizer, "model_max_length", None)
        if window_length is None or window_length > 1_000_000:
            raise ValueError(
                "window_length was not given and the tokenizer's model_max_length is unset; "
                "pass the window length of the prepared dataset"
            )
    params = dict(PRESETS[preset])
    params.update(parse_overrides(overrides))
    if params["hidden_size"] % params["num_attention_heads"]:
        raise ValueError(
            f"hidden_size={params['hidden_size']} is not a multiple of num_attention_heads="
            f"{params['num_attention_heads']}; change one of them"
        )
    config = BertConfig(
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        max_position_embeddings=position_embeddings_for(window_length, pad_multiple),
        type_vocab_size=2,
        **params,
    )
    config.rrweb_preset = preset
    config.rrweb_pad_multiple = 1 if pad_multiple is None else int(pad_multiple)
    logger.info(
        "config: preset=%s vocab=%d hidden=%d layers=%d heads=%d positions=%d",
        preset,
        config.vocab_size,
        config.hidden_size,
        config.num_hidden_layers,
        config.num_attention_heads,
        config.max_position_embeddings,
    )
    return config


def build_model(config: BertConfig, seed: int | None = None) -> BertForMaskedLM:
    """A freshly initialised :class:`~transformers.BertForMaskedLM`.

    Args:
        config: from :func:`build_config`.
        seed: when given, seeds torch first so the initial weights are reproducible.

    Returns:
        The untrained model.
    """
    if seed is not None:
        from transformers import set_seed

        set_seed(seed)
    model = BertForMaskedLM(config)
    logger.info("model: %.2fM parameters", count_parameters(model) / 1e6)
    return model


def count_parameters(model) -> int:
    """Number of parameters of ``model`` (tied embeddings counted once).

    Args:
        model: a torch module.

    Returns:
        The count.
    """
    seen: set[int] = set()
    total = 0
    for param in model.parameters():
        if id(param) not in seen:
            seen.add(id(param))
            total += param.numel()
    return total


def load_tokenizer(path: str | os.PathLike):
    """``AutoTokenizer.from_pretrained(path)`` with RRWebTokenizer registered (no remote code runs).

    Args:
        path: a tokenizer or model folder.

    Returns:
        The tokenizer.
    """
    from transformers import AutoTokenizer

    from .tokenization_rrweb import register_auto_tokenizer

    register_auto_tokenizer()
    return AutoTokenizer.from_pretrained(str(path))
