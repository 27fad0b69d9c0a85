"""The recorder's annotation events, removed before anything is measured: they name the label.

The bundled corpus's recorder (``scripts/record``) writes rrweb Custom events (``type`` 5) tagged
``session`` (payload: site, scenario, seed) and ``scenario-step`` (the step's name). They are not user
behaviour, and they hand the scenario to every predictor, TF-IDF most of all, so the benchmark drops them
from every evaluated and training session by default and counts what it dropped.

Example:
    >>> events = [{"type": 4, "data": {"href": "https://a.example/"}},
    ...           {"type": 5, "data": {"tag": "session", "payload": {"scenario": "login-only"}}},
    ...           {"type": 5, "data": {"tag": "app-log", "payload": {}}}]
    >>> kept, removed = strip_annotations(events)
    >>> [e["type"] for e in kept], removed
    ([4, 5], 1)
"""

from __future__ import annotations

#: Custom-event tags the recorder uses for annotations.
ANNOTATION_TAGS = ("session", "scenario-step")


def is_annotation(event, tags=ANNOTATION_TAGS) -> bool:
    """Whether ``event`` is a Custom event (``type`` 5) whose ``data.tag`` is one of ``tags``."""
    if not isinstance(event, dict) or event.get("type") != 5:
        return False
    data = event.get("data")
    return isinstance(data, dict) and data.get("tag") in tags


def strip_annotations(events: list, tags=ANNOTATION_TAGS) -> tuple[list, int]:
    """The events without annotation events, and how many were removed.

    Args:
        events: one session's events.
        tags: the Custom-event tags removed.

    Returns:
        ``(kept events, removed count)``.
    """
    kept = [e for e in events if not is_annotation(e, tags)]
    return kept, len(events) - len(kept)
