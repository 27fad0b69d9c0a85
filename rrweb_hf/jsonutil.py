"""JSON parsing without a depth limit: orjson first, an iterative parser for very deep documents.

orjson refuses documents nested deeper than 1,024 levels and the standard library's ``json`` recurses
(``RecursionError`` around 1,000 levels). A serialized DOM uses two JSON levels per element
(``{"childNodes": [ ... ]}``), so a page nested ~500 elements deep already needs a fallback. This
module has no imports from the rest of the package (the tokenizer imports it relatively).

Example:
    >>> deep = "[" * 5000 + "]" * 5000
    >>> value = loads(deep)
    >>> depth = 0
    >>> while value:
    ...     value, depth = value[0], depth + 1
    >>> depth
    4999
"""

from __future__ import annotations

import json
import re

import orjson

__all__ = ["JSONDecodeError", "loads"]

#: Raised for invalid JSON by both parsers (orjson's error is a ``json.JSONDecodeError`` too).
JSONDecodeError = json.JSONDecodeError

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_scanstring = json.decoder.scanstring
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def loads(data: bytes | bytearray | memoryview | str):
    """Parse JSON like ``orjson.loads``, without its 1,024-level depth limit.

    Args:
        data: UTF-8 bytes or text of one JSON document.

    Returns:
        The decoded value. Integers that do not fit in 64 bits come back as floats (orjson's rule; the
        value JavaScript, which wrote the recording, meant by them).

    Raises:
        json.JSONDecodeError: invalid JSON (including NaN/Infinity literals) or invalid UTF-8.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth limit" not in str(exc) and "recursion" not in str(exc):
            raise
    if not isinstance(data, str):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONDecodeError(f"invalid UTF-8: {exc.reason}", "", exc.start) from None
    return _loads_iterative(data)


def _loads_iterative(text: str):
    """Parse ``text`` with an explicit stack (no recursion): slower than orjson, any depth."""
    stack: list[list] = []  # [container, pending dict key or None]
    pos = _WS.match(text, 0).end()
    end = len(text)
    result = None
    while True:
        # Parse one value starting at pos (or open a container).
        if pos >= end:
            raise JSONDecodeError("Expecting value", text, pos)
        char = text[pos]
        closed = False
        if char == "{" or char == "[":
            container: dict | list = {} if char == "{" else []
            pos = _WS.match(text, pos + 1).end()
            if pos < end and text[pos] == ("}" if char == "{" else "]"):
                value, pos, closed = container, pos + 1, True
            else:
                stack.append([container, None])
                if char == "{":
                    pos = _read_key(text, pos, stack[-1])
                continue
        elif char == '"':
            value, pos = _scanstring(text, pos + 1, True)
            closed = True
        else:
            match = _NUMBER.match(text, pos)
            if match:
                number = match.group()
                value = float(number) if match.group(1) or match.group(2) else int(number)
                if type(value) is int and not _INT_MIN <= value <= _INT_MAX:
                    value = float(value)  # as orjson does
                pos = match.end()
            else:
                for literal, literal_value in _LITERALS.items():
                    if text.startswith(literal, pos):
                        value, pos = literal_value, pos + len(literal)
                        break
                else:
                    raise JSONDecodeError("Expecting value", text, pos)
            closed = True
        # A complete value: attach it, then close as many containers as the text closes.
        while closed:
            if not stack:
                result = value
                pos = _WS.match(text, pos).end()
                if pos != end:
                    raise JSONDecodeError("Extra data", text, pos)
                return result
            top = stack[-1]
            if isinstance(top[0], dict):
                top[0][top[1]] = value
            else:
                top[0].append(value)
            pos = _WS.match(text, pos).end()
            if pos >= end:
                raise JSONDecodeError("Unterminated container", text, pos)
            char = text[pos]
            closer = "}" if isinstance(top[0], dict) else "]"
            if char == ",":
                pos = _WS.match(text, pos + 1).end()
                if isinstance(top[0], dict):
                    pos = _read_key(text, pos, top)
                closed = False
            elif char == closer:
                stack.pop()
                value, pos = top[0], pos + 1
            else:
                raise JSONDecodeError(f"Expecting ',' or '{closer}'", text, pos)


def _read_key(text: str, pos: int, top: list) -> int:
    """Read ``"key" :`` at ``pos`` into ``top[1]``; return the position of the value."""
    if pos >= len(text) or text[pos] != '"':
        raise JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    top[1], pos = _scanstring(text, pos + 1, True)
    pos = _WS.match(text, pos).end()
    if pos >= len(text) or text[pos] != ":":
        raise JSONDecodeError("Expecting ':' delimiter", text, pos)
    return _WS.match(text, pos + 1).end()
