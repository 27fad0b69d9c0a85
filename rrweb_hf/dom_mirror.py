"""The walker's mirror of the recorded page: rrweb node id -> what the node is.

rrweb refers to a node by its numeric id (clicks, inputs, scrolls, mutations); the tokens never
carry that id. :class:`DomMirror` keeps, per id, what the walker needs to *describe* the node as a
target (its tag token and a short label) and to apply privacy rules to it (password fields, input
types), updated by FullSnapshot (reset, then every node) and Mutation events (adds, removes).

This module has no imports outside the standard library and :mod:`.rrweb_types`, so it travels with
the tokenizer's remote code (``trust_remote_code`` users get a copy next to ``rrweb_walker.py``).

Example:
    >>> mirror = DomMirror({"button": (7, 8)}, other_id=1, node_type_ids={3: 2}, unknown_id=3,
    ...                    label_chars=32)
    >>> tree = {"type": 2, "id": 5, "tagName": "BUTTON", "attributes": {"class": "buy"},
    ...         "childNodes": [{"type": 3, "id": 6, "textContent": "  Buy now  "}]}
    >>> mirror.register_subtree(tree, None)
    >>> node = mirror.get(5)
    >>> node.node_id, node.tag_id, node.tag, node.target_label, mirror.get(6).parent_id
    (5, 7, 'button', 'Buy now', 5)
    >>> mirror.remove(5); mirror.get(5) is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from .rrweb_types import NodeType

__all__ = ["DomMirror", "MirrorNode", "LABEL_ATTRIBUTES", "PASSWORD_AUTOCOMPLETE"]

#: Attributes that label an element as a target, first non-blank one wins (else the node's text).
LABEL_ATTRIBUTES = ("aria-label", "name", "id", "placeholder", "title", "alt")
#: ``autocomplete`` values that make an ``<input>`` a password field (always masked).
PASSWORD_AUTOCOMPLETE = frozenset(
    {"current-password", "new-password", "one-time-code", "cc-number", "cc-csc"}
)

_ELEMENT = int(NodeType.Element)
_TEXT = int(NodeType.Text)


@dataclass(slots=True)
class MirrorNode:
    """One mirrored node.

    Attributes:
        node_id: its rrweb id (None when the recording gave none that is an integer).
        tag_id: the token that opens it: ``<tag>`` of a known tag, ``<other>``, or ``[NODE:<type>]``.
        other_name: the tag name of an ``<other>`` element (emitted as text after it), else ``""``.
        label: the first non-blank of :data:`LABEL_ATTRIBUTES`, else ``""``.
        text: the first text seen below it (a child's, or for a node without a label a grandchild's),
            at most ``2 * label_chars`` characters, stripped.
        is_password: an ``<input>`` of type password or with a password / card ``autocomplete``.
        parent_id: the rrweb id of its parent (None for a root or an unknown parent).
        kind: ``"input:<type>"`` for inputs with a type, else the lower-case tag name (``""`` for
            non-elements); the privacy rules of Input events read it.
        tag: ``kind`` before any ``":"``: the name closing tags, attribute rules and the summaries use.
    """

    node_id: int | None
    tag_id: int
    other_name: str
    label: str
    text: str
    is_password: bool
    parent_id: int | None
    kind: str
    tag: str

    @property
    def target_label(self) -> str:
        """What labels it as a target: its label attribute, else its text (may be ``""``)."""
        return self.label or self.text


class DomMirror:
    """rrweb node id -> :class:`MirrorNode`, with the parent links rrweb's serialisation gives.

    Args:
        tag_ids: known tag name -> ``(open id, close id)``.
        other_id: id of ``<other>`` (elements with any other tag).
        node_type_ids: :class:`~.rrweb_types.NodeType` value -> ``[NODE:<type>]`` id.
        unknown_id: id of ``[NODE:unknown]``.
        label_chars: label budget; a node's ``text`` keeps ``2 * label_chars`` characters.

    Attributes:
        get: ``id -> MirrorNode | None`` (the registry's own ``dict.get``; ids are ints).
    """

    __slots__ = ("nodes", "get", "_tag_ids", "_other_id", "_node_type_ids", "_unknown_id", "_text_chars")

    def __init__(
        self,
        tag_ids: dict[str, tuple[int, int]],
        other_id: int,
        node_type_ids: dict[int, int],
        unknown_id: int,
        label_chars: int,
    ):
        self.nodes: dict[int, MirrorNode] = {}
        self.get = self.nodes.get  # the dict is only ever cleared, never replaced
        self._tag_ids = tag_ids
        self._other_id = other_id
        self._node_type_ids = node_type_ids
        self._unknown_id = unknown_id
        self._text_chars = label_chars * 2

    def __len__(self) -> int:
        return len(self.nodes)

    def reset(self) -> None:
        """Forget every node (a FullSnapshot starts a new page)."""
        self.nodes.clear()

    def remove(self, node_id) -> None:
        """Forget one node (a Mutation's remove); its descendants stay, as rrweb ids are never reused."""
        self.nodes.pop(node_id, None)

    def remove_all(self, removes: list) -> None:
        """Forget the node of every ``{"id": ...}`` item of a Mutation's ``removes`` (others are skipped)."""
        pop = self.nodes.pop
        for rem in removes:
            if isinstance(rem, dict):
                rid = rem.get("id")
                if rid.__class__ is int or (isinstance(rid, int) and not isinstance(rid, bool)):
                    pop(rid, None)

    def parent(self, node_id) -> MirrorNode | None:
        """The mirrored parent of ``node_id``, or None."""
        node = self.nodes.get(node_id)
        return None if node is None or node.parent_id is None else self.nodes.get(node.parent_id)

    def register(self, node: dict, parent_id: int | None) -> MirrorNode:
        """Add one serialized rrweb node (its children are not visited); returns its record.

        A node without an integer ``id`` is described but not stored. A text node also gives its
        text to its parent (and to a grandparent without a label or text) as their target label.
        """
        # one flat function: it runs once per DOM node of every snapshot and mutation (the hot loop)
        nid = node.get("id")
        if nid.__class__ is not int and (not isinstance(nid, int) or isinstance(nid, bool)):
            nid = None
        ntype = node.get("type")
        if ntype == _ELEMENT:
            tag = node.get("tagName")
            tag = tag.lower() if isinstance(tag, str) else ""
            pair = self._tag_ids.get(tag)
            attrs = node.get("attributes")
            label = ""
            pw = False
            kind = tag
            if isinstance(attrs, dict):
                for key in LABEL_ATTRIBUTES:
                    val = attrs.get(key)
                    if isinstance(val, str) and val.strip():
                        label = val
                        break
                if tag == "input":
                    itype = attrs.get("type")
                    itype = itype.lower() if isinstance(itype, str) else ""
                    pw = itype == "password" or attrs.get("autocomplete") in PASSWORD_AUTOCOMPLETE
                    if itype:
                        kind = tag + ":" + itype
            info = MirrorNode(
                nid,
                pair[0] if pair else self._other_id,
                "" if pair else tag,
                label,
                "",
                pw,
                parent_id,
                kind,
                kind.partition(":")[0] if ":" in kind else kind,
            )
        else:
            if ntype.__class__ is int or (isinstance(ntype, int) and not isinstance(ntype, bool)):
                tid = self._node_type_ids.get(ntype, self._unknown_id)
            else:
                tid = self._unknown_id
            info = MirrorNode(nid, tid, "", "", "", False, parent_id, "", "")
            if ntype == _TEXT and parent_id is not None:
                text = node.get("textContent")
                if isinstance(text, str):
                    short = text[: self._text_chars].strip()
                    if short:
                        self._give_text(short, parent_id)
        if nid is not None:
            self.nodes[nid] = info
        return info

    def register_subtree(self, root: dict, parent_id: int | None) -> None:
        """Register ``root`` and everything below it, in document order (iterative: any depth)."""
        if not isinstance(root, dict):
            return
        register = self.register
        nid = register(root, parent_id).node_id
        children = root.get("childNodes")
        if not isinstance(children, list) or not children:
            return  # a leaf: most added nodes
        stack = [(child, nid) for child in reversed(children)]
        pop, push = stack.pop, stack.append
        while stack:
            node, pid = pop()
            if not isinstance(node, dict):
                continue
            nid = register(node, pid).node_id
            children = node.get("childNodes")
            if isinstance(children, list):
                for child in reversed(children):
                    push((child, nid))

    def _give_text(self, short: str, parent_id: int) -> None:
        nodes = self.nodes
        p = nodes.get(parent_id)
        if p is not None and not p.text:
            p.text = short
            g = nodes.get(p.parent_id) if p.parent_id is not None else None
            if g is not None and not g.text and not g.label:
                g.text = short
