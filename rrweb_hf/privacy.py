"""Privacy masking for rrweb text: typed values and PII-looking strings become typed mask tokens.

Masking happens in the event walker, before any text reaches vocabulary training or the ids, so
masked content can never enter the trained subword vocabulary.

What is detected (:func:`split_pii`), in this order of precedence:

- ``email``: ``local@domain.tld``.
- ``card``: 13 to 19 digits, optionally grouped by spaces or dashes, passing the Luhn check.
- ``iban``: two letters, two check digits, 11 to 30 alphanumerics (optionally in groups of 4).
- ``ssn``: ``123-45-6789``.
- ``phone``: 9 to 15 digits with an optional leading ``+`` and separators (space, dot, dash,
  parentheses); a bare digit run without ``+`` or separators counts only when it has 10 or 11 digits.

Typed values (input/textarea/select values) are replaced by a length-bucket mask token
(:func:`mask_bucket`), keeping only a coarse idea of how much was typed. rrweb's own masking (runs of
``*`` of the original length) is recognised by :func:`is_rrweb_masked` and gets the same tokens.

Example:
    >>> split_pii("mail bob@example.com or call +1 (555) 010-9999 now")
    ['mail ', ('email',), ' or call ', ('phone',), ' now']
    >>> mask_bucket(7)
    '5-8'
"""

from __future__ import annotations

import re

#: Names of the typed PII mask tokens (``[PII:<kind>]``), in vocabulary order.
PII_KINDS = ("email", "phone", "card", "iban", "ssn")

#: Upper bounds of the typed-length buckets of ``[MASKED:<bucket>]`` tokens.
MASK_BUCKETS = ((0, "0"), (4, "1-4"), (8, "5-8"), (16, "9-16"), (32, "17-32"), (64, "33-64"))
MASK_BUCKET_NAMES = tuple(name for _, name in MASK_BUCKETS) + ("65+",)

_PII_RE = re.compile(
    r"(?P<email>[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24})"
    r"|(?P<card>(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-]))"
    r"|(?P<iban>\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)"
    r"|(?P<ssn>(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-]))"
    r"|(?P<phone>(?<![\w+])(?:\+|\b)\(?\d[\d .()\-]{6,20}\d(?![\w-]))"
)
_PREFILTER = re.compile(r"@|\d")
_DIGITS = re.compile(r"\d")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d[./-]\d\d[./-]\d{4}")


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum (card numbers do).

    Example:
        >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
        (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _classify(kind: str, text: str) -> str | None:
    if kind in ("email", "ssn", "iban"):
        return kind
    digits = "".join(_DIGITS.findall(text))
    if kind == "card":
        if luhn_ok(digits):
            return "card"
        kind = "phone"  # a long digit run failing Luhn may still be a phone number
    n = len(digits)
    if text.startswith("+"):
        return "phone" if 9 <= n <= 15 else None
    has_sep = any(c in text for c in " .-()")
    if _DATE.search(text):
        return None
    if has_sep:
        # Dates, versions and decimal numbers use separators too: require phone-like digit counts.
        return "phone" if 10 <= n <= 15 and text.count(".") < 2 else None
    return "phone" if n in (10, 11) else None


def split_pii(text: str) -> list:
    """Split ``text`` into plain strings and ``(kind,)`` tuples for PII-looking spans.

    Args:
        text: any string.

    Returns:
        A list alternating plain substrings and one-element tuples naming a kind from
        :data:`PII_KINDS`; ``[text]`` when nothing was found.
    """
    if not _PREFILTER.search(text):
        return [text]
    out: list = []
    pos = 0
    for m in _PII_RE.finditer(text):
        kind = _classify(m.lastgroup, m.group())
        if kind is None:
            continue
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append((kind,))
        pos = m.end()
    if not out:
        return [text]
    if pos < len(text):
        out.append(text[pos:])
    return out


def mask_bucket(length: int) -> str:
    """Name of the coarse length bucket of a masked value of ``length`` characters."""
    for bound, name in MASK_BUCKETS:
        if length <= bound:
            return name
    return MASK_BUCKET_NAMES[-1]


def is_rrweb_masked(text: str) -> bool:
    """True for rrweb's own masking: a non-empty run of ``*`` (possibly surrounded by spaces)."""
    stripped = text.strip()
    return bool(stripped) and stripped.count("*") == len(stripped)
