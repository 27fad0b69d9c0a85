"""rrweb 2.x enums, as integers in recorded JSON.

Source: rrweb-io/rrweb ``packages/types/src/index.ts`` (@rrweb/types 2.1.0). This module has no
imports from the rest of the package, so the tokenizer can import it relatively and it is copied
next to the tokenizer code when a tokenizer is saved for ``trust_remote_code`` users.

Example:
    >>> EventType(3).name
    'IncrementalSnapshot'
    >>> enum_name(IncrementalSource, 99)
    'unknown(99)'
"""

from enum import IntEnum


class EventType(IntEnum):
    DomContentLoaded = 0
    Load = 1
    FullSnapshot = 2
    IncrementalSnapshot = 3
    Meta = 4
    Custom = 5
    Plugin = 6
    Asset = 7


class IncrementalSource(IntEnum):
    Mutation = 0
    MouseMove = 1
    MouseInteraction = 2
    Scroll = 3
    ViewportResize = 4
    Input = 5
    TouchMove = 6
    MediaInteraction = 7
    StyleSheetRule = 8
    CanvasMutation = 9
    Font = 10
    Log = 11
    Drag = 12
    StyleDeclaration = 13
    Selection = 14
    AdoptedStyleSheet = 15
    CustomElement = 16


class MouseInteractions(IntEnum):
    MouseUp = 0
    MouseDown = 1
    Click = 2
    ContextMenu = 3
    DblClick = 4
    Focus = 5
    Blur = 6
    TouchStart = 7
    TouchMove_Departed = 8
    TouchEnd = 9
    TouchCancel = 10


class MediaInteractions(IntEnum):
    Play = 0
    Pause = 1
    Seeked = 2
    VolumeChange = 3
    RateChange = 4


class NodeType(IntEnum):
    Document = 0
    DocumentType = 1
    Element = 2
    Text = 3
    CDATA = 4
    Comment = 5


class PointerTypes(IntEnum):
    Mouse = 0
    Pen = 1
    Touch = 2


class CanvasContext(IntEnum):
    TwoD = 0
    WebGL = 1
    WebGL2 = 2


def enum_name(enum_cls: type[IntEnum], value: object) -> str:
    """Name of ``value`` in ``enum_cls``, or ``"unknown(<value>)"`` for anything else.

    Args:
        enum_cls: one of the enums above.
        value: the raw value from a recording (may be any JSON value).

    Returns:
        The member name, e.g. ``"Click"``, or ``"unknown(42)"``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return enum_cls(value).name
        except ValueError:
            pass
    return f"unknown({value!r})" if not isinstance(value, int) else f"unknown({value})"
