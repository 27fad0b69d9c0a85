"""The tokenizer's options: budgets, bins, masking flags and the token budget profile, in one place.

:class:`WalkerOptions` is what :class:`~rrweb_hf.tokenization_rrweb.RRWebTokenizer` takes as keyword
arguments and saves in ``tokenizer_config.json`` (``dataclasses.asdict``), and what the walker reads.
It is frozen and checked when built, so a bad value fails when the tokenizer is made, naming itself.
This module imports only the standard library, so it travels with the tokenizer's remote code.

Example:
    >>> opts = WalkerOptions.for_profile("behaviour", max_label_chars=20)
    >>> opts.max_snapshot_tokens, opts.max_label_chars, opts.mask_inputs
    (128, 20, True)
    >>> WalkerOptions(coord_bins=0)
    Traceback (most recent call last):
    ...
    ValueError: RRWebTokenizer option coord_bins=0 must be >= 1 (default 16); pass a positive integer
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["WalkerOptions", "PROFILES", "DEFAULT_OPTIONS"]

#: Token budget profiles: ``full`` serialises DOM snapshots and mutation subtrees; ``behaviour``
#: summarises them (element count, landmarks, headings and form fields with labels; see the walker's
#: ``summarize``) and lowers the DOM budgets below, so interaction events get a real share of each
#: window. Options given explicitly override the profile's values.
PROFILES = {
    "full": {},
    "behaviour": {
        "max_text_chars": 48,
        "max_snapshot_tokens": 128,
        "max_mutation_tokens": 32,
        "max_mutation_items": 4,
    },
}

_TYPE_WORDS = {bool: "True or False", int: "an integer", str: "a string"}


@dataclass(frozen=True)
class WalkerOptions:
    """Every option of the tokenizer, with its default (all are saved in ``tokenizer_config.json``).

    Values are checked in ``__post_init__``: each has exactly the type of its default (``True`` is not
    an int here), every int is >= 1, and ``profile`` is one of :data:`PROFILES`. Build one with the
    profile's values applied with :meth:`for_profile`; ``WalkerOptions(...)`` takes the values as given.
    """

    strict: bool = False  # raise RRWebTokenizationError on malformed events instead of [EVT:malformed]
    mask_inputs: bool = True  # typed values -> [MASKED:<len>] (passwords are masked regardless)
    mask_pii: bool = True  # e-mail / phone / card / IBAN / SSN in any text -> [PII:<kind>]
    max_text_chars: int = 200  # per text node / text mutation
    max_attr_chars: int = 48  # per attribute value, unmasked input value, payload string
    max_url_chars: int = 96  # per URL (query string and fragment replaced by [QUERY])
    max_label_chars: int = 32  # per target label
    max_payload_chars: int = 256  # per Custom / Plugin payload
    max_snapshot_tokens: int = 4096  # per FullSnapshot serialisation
    max_mutation_tokens: int = 512  # per Mutation event (adds)
    max_mutation_items: int = 16  # per kind (adds/removes/texts/attributes/requests) per event
    max_path_points: int = 4  # per MouseMove / TouchMove / Drag event
    max_dom_depth: int = 256  # deeper elements are registered but not serialised
    coord_bins: int = 16  # viewport-relative coordinate bins per axis
    scroll_bins: int = 16  # scroll offset bins per axis (half-viewport steps)
    size_bins: int = 16  # viewport size bins (160 px width / 120 px height steps)
    default_viewport_width: int = 1280  # until a Meta / ViewportResize event says otherwise
    default_viewport_height: int = 720
    profile: str = "full"  # token budget profile, see PROFILES
    # per name-like string: Custom tags, plugin names, fonts, custom elements, payload keys,
    # PostHog tags, Sentry categories and span ops without their own token
    max_name_chars: int = 32
    max_tag_name_chars: int = 24  # per tag name of an <other> element
    max_level_chars: int = 16  # per Plugin payload level
    max_decoded_bytes: int = 1 << 30  # per packed / compressed event, once decoded

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value, default = getattr(self, field.name), field.default
            if type(value) is not type(default):
                raise TypeError(
                    f"RRWebTokenizer option {field.name}={value!r} must be {_TYPE_WORDS[type(default)]} "
                    f"(default {default!r}); pass e.g. {field.name}={default!r}"
                )
            if isinstance(default, int) and not isinstance(default, bool) and value < 1:
                raise ValueError(
                    f"RRWebTokenizer option {field.name}={value!r} must be >= 1 (default {default!r}); "
                    f"pass a positive integer"
                )
        _check_profile(self.profile)

    @classmethod
    def for_profile(cls, profile: str = "full", **options) -> WalkerOptions:
        """The options of ``profile`` (its budgets), with ``options`` given explicitly overriding them.

        Raises:
            ValueError: an unknown profile or a value out of range; TypeError: an unknown option name
                or a value of the wrong type.
        """
        _check_profile(profile)
        unknown = sorted(set(options) - set(OPTION_NAMES))
        if unknown:
            raise TypeError(
                f"RRWebTokenizer has no option {', '.join(unknown)}; the options are {', '.join(OPTION_NAMES)}"
            )
        return cls(profile=profile, **{**PROFILES[profile], **options})


def _check_profile(profile) -> None:
    if not isinstance(profile, str) or profile not in PROFILES:
        raise ValueError(
            f"RRWebTokenizer profile={profile!r} is not one of {', '.join(PROFILES)}; "
            f"pass one of them, e.g. profile='full'"
        )


#: The option names, in ``tokenizer_config.json`` order.
OPTION_NAMES = tuple(f.name for f in dataclasses.fields(WalkerOptions))
#: Every option with its default (the ``full`` profile), as saved in ``tokenizer_config.json``.
DEFAULT_OPTIONS = dataclasses.asdict(WalkerOptions())
