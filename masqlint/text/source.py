"""Bytes → text with a line index, and positions of YAML nodes in it (shared by every form)."""

from __future__ import annotations

import bisect
import re

from masqlint.agent.load import DecodeError, Offset, Text, decode_bytes
from masqlint.engine.findings import Span
from masqlint.record import Record
from masqlint.text.lines import line_starts
from masqlint.text.nodes import MappingNode, Node, ScalarNode, SequenceNode

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_LINE_BREAK = re.compile(r"\r\n?|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LineIndex counts them (``str.splitlines`` also breaks at
    \\x1c, \\x85, U+2028 and more, which would shift every line number after them)."""
    return _LINE_BREAK.split(text)


class LineIndex:
    """Character offsets ↔ 1-based (line, column) for one text."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        self.starts = line_starts(text, _LINE_BREAK, "\r")  # after each \r\n, \r or \n (an array of offsets)

    def pos(self, offset: int, near: int = 0) -> tuple[int, int]:
        """(line, column) of ``offset``; ``near``: the line it is likely on (tried before a search)."""
        offset = max(0, min(offset, len(self.text)))
        starts = self.starts
        if 0 < near <= len(starts) and starts[near - 1] <= offset and (near == len(starts) or offset < starts[near]):
            return near, offset - starts[near - 1] + 1
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """1-based line/column → character offset."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def span(self, start: int, end: int) -> Span:
        l1, c1 = self.pos(start)
        l2, c2 = self.pos(max(end, start), l1)
        return Span(l1, c1, l2, c2)


class SourceFile(Record):
    """A file's bytes and their text (``decode_error`` when they do not decode)."""

    __slots__ = ("path", "data", "text", "encoding", "bom", "decode_error", "_index", "fspath")
    _fields = ("path", "data", "text", "encoding", "bom", "decode_error", "fspath")

    def __init__(self, path: str, data: bytes, text: str | None = None, encoding: str = "utf-8", bom: bytes = b"",
                 decode_error: DecodeError | None = None, _index: LineIndex | None = None, fspath: str | None = None):
        self.path = path  # as shown to the user
        self.data = data
        self.text = text
        self.encoding = encoding
        self.bom = bom
        self.decode_error = decode_error
        self._index = _index
        # where the file is on disk (None for standard input or an editor buffer without a file):
        # forms that follow references (kustomize, Terraform file()) resolve them from here
        self.fspath = fspath

    @classmethod
    def from_bytes(cls, path: str, data: bytes, fspath: str | None = None) -> "SourceFile":
        sf = cls(path, data, fspath=fspath)
        try:
            t: Text = decode_bytes(data)
            sf.text, sf.encoding, sf.bom = t.text, t.encoding, t.bom
        except DecodeError as e:
            sf.decode_error = e
        return sf

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text or "")
        return self._index

    def encode(self, text: str) -> bytes:
        """Text back to bytes in the file's own encoding, BOM included."""
        return self.bom + text.encode(self.encoding)


def node_range(node: Any) -> tuple[int, int] | None:
    if node is None:
        return None
    if isinstance(node, Offset):
        return node.start, node.end
    if isinstance(node, Node):
        return node.start, max(node.end, node.start)
    origin = getattr(node, "origin", None)
    if origin is not None:
        return node_range(origin)
    sm, em = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if sm is None:
        return None
    end = em.index if em is not None else sm.index
    return sm.index, max(end, sm.index)


def scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def mapping_get(node: Node | None, key: str, fold: bool = False) -> tuple[ScalarNode, Node] | None:
    """The last (key node, value node) pair whose key is ``key`` (as YAML tools take it)."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and (k.value == key or (fold and k.value.lower() == key.lower())):
            found = (k, v)
    return found


def iter_objects(root: Node | None):
    """Kubernetes objects in a document, unwrapping ``kind: List`` (and ``*List``) items."""
    if not isinstance(root, MappingNode):
        return
    kind = scalar((mapping_get(root, "kind") or (None, None))[1]) or ""
    items = mapping_get(root, "items")
    if kind.endswith("List") and items and isinstance(items[1], SequenceNode):
        for item in items[1].value:
            yield from iter_objects(item)
        return
    yield root
