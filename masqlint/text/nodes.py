"""Composed YAML nodes: small slotted objects that keep character offsets, not marks.

A node holds its value, tag, style and the start/end character offsets of its text; the
line and column of a position are computed on demand (``start_mark``/``end_mark``) from one
line table per composed text, shared by all its nodes. Marks are what the YAML parser
reports (libyaml's conventions): an offset does not count a leading byte order mark, and a
position at the end of a text that does not end with a line break is put at the start of
one more line when the parser put it there (the end of a block collection, an empty
document), which a node records by holding the text's "forced" table.

Nodes compare by identity; an aliased node is the same object in every place it appears.
"""

from __future__ import annotations

from bisect import bisect_right

from masqlint.lazyre import lazy
from masqlint.text.lines import line_starts

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from array import array

__all__ = ["Mark", "Positions", "Node", "ScalarNode", "PlainScalar", "SequenceNode", "MappingNode",
           "PLAIN", "MAX_DEPTH", "STR_TAG", "SEQ_TAG", "MAP_TAG"]

# the tag of a plain scalar: each consumer resolves it by its own rules
PLAIN = "?"
# encoding/json's maxNestingDepth: deeper documents are refused by every Go consumer of the
# ConfigMap (kubectl, the agent) once converted to JSON.
MAX_DEPTH = 10_000
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

# line breaks as the YAML reader counts them (YAML 1.1: NEL, LS and PS too)
_BREAK = lazy("\r\n|[\r\n\x85\u2028\u2029]")  # compiled when a line is first asked for
_OTHER_BREAKS = "\r\x85\u2028\u2029"


class Mark:
    """A position: 0-based character ``index``, ``line`` and ``column`` (as PyYAML's Mark)."""

    __slots__ = ("index", "line", "column")
    name = "<unicode string>"
    buffer = None
    pointer = None

    def __init__(self, index: int, line: int, column: int):
        self.index = index
        self.line = line
        self.column = column

    def get_snippet(self, indent: int = 4, max_length: int = 75) -> None:
        return None

    def __str__(self) -> str:
        return f'  in "{self.name}", line {self.line + 1}, column {self.column + 1}'

    def __repr__(self) -> str:
        return f"Mark({self.index}, {self.line}, {self.column})"


class _Lines:
    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        self.starts: array | None = None  # (text.lines.line_starts)


class Positions:
    """Offsets → marks for one composed text; the line table is built on first use.

    ``forced`` is the twin table whose position at the very end of the text (when the text
    does not end with a line break) is the start of one more line, as the parser's stream end.
    The two share one line table and refer to each other in one direction only (no cycle).
    """

    __slots__ = ("lines", "forced", "at_end")

    def __init__(self, text: str):
        self.lines = _Lines(text[1:] if text.startswith("\ufeff") else text)  # the parser skips a leading BOM
        self.at_end = False
        twin = Positions.__new__(Positions)
        twin.lines, twin.at_end, twin.forced = self.lines, True, None  # type: ignore[assignment]
        self.forced: Positions = twin

    @property
    def text(self) -> str:
        return self.lines.text

    def mark(self, index: int) -> Mark:
        lines = self.lines
        starts = lines.starts
        if starts is None:
            starts = lines.starts = line_starts(lines.text, _BREAK, _OTHER_BREAKS)
        line = bisect_right(starts, index) - 1
        if self.at_end and index >= len(lines.text) and index > starts[line]:
            return Mark(index, line + 1, 0)
        return Mark(index, line, index - starts[line])


class Node:
    __slots__ = ("tag", "value", "start", "end", "pos")

    def __init__(self, tag: str, value, start: int, end: int, pos: Positions):
        self.tag = tag
        self.value = value
        self.start = start  # character offsets, as the marks' ``index``
        self.end = end
        self.pos = pos

    @property
    def start_mark(self) -> Mark:
        return self.pos.mark(self.start)

    @property
    def end_mark(self) -> Mark:
        return self.pos.mark(self.end)

    def __repr__(self) -> str:
        value = self.value if isinstance(self.value, str) else f"<{len(self.value)} items>"
        return f"{type(self).__name__}(tag={self.tag!r}, value={value!r}, {self.start}..{self.end})"


class ScalarNode(Node):
    __slots__ = ("style",)

    def __init__(self, tag: str, value: str, start: int, end: int, pos: Positions, style: str | None = None):
        self.tag = tag
        self.value = value
        self.start = start
        self.end = end
        self.pos = pos
        self.style = style  # "" (plain; None from PyYAML's pure-Python composer), "'", '"', "|" or ">"


class PlainScalar(ScalarNode):
    """A plain scalar written on one line, as most list items are (a list of 100,000 CIDRs has as
    many): its tag and style are the plain ones and its end is its start plus its length, none of
    them kept per node."""

    __slots__ = ()
    tag = PLAIN
    style = ""

    def __init__(self, value: str, start: int, pos: Positions):  # (a ScalarNode's slots, but tag, end and style)
        self.value = value
        self.start = start
        self.pos = pos

    @property
    def end(self) -> int:  # type: ignore[override]  # (read only here: computed, where a ScalarNode keeps it)
        return self.start + len(self.value)


class _Collection(Node):
    __slots__ = ("flow_style",)

    def __init__(self, tag: str, value: list, start: int, end: int, pos: Positions, flow_style: bool = False):
        self.tag = tag
        self.value = value
        self.start = start
        self.end = end
        self.pos = pos
        self.flow_style = flow_style


class SequenceNode(_Collection):
    __slots__ = ()


class MappingNode(_Collection):
    __slots__ = ()
