"""A composer for plain block YAML, giving exactly the nodes libyaml composes, or None.

The subset: block mappings whose keys are plain or quoted scalars on one line, block
sequences (also the indentless ``key:\\n- item`` form, and ``- key: value`` items), scalars
on one line (plain, single-quoted, double-quoted without escapes), flow sequences of such
scalars on one line (``args: ["--a", b]``) and the empty ``[]`` and ``{}``, ``|`` and ``|-``
literal blocks, comments, blank lines and ``---`` between documents. Anything else (other
flow collections, anchors, aliases, tags, other multi-line plain or quoted scalars, escapes, folded
blocks, tabs, carriage returns, byte order marks, directives, ``...``, explicit keys, empty
sequence items, text the YAML reader refuses, and every syntax error) makes ``compose``
return None so that the caller composes with PyYAML, which reports the error if there is one.

Plain scalars have the style ``""``, as libyaml's composer gives them. Positions follow libyaml:
a scalar spans its own text (quotes included; a literal block from ``|`` to after the last
line break it consumed); a block collection ends where the next token starts (the next key or
entry of an outer collection, ``---``, or the end of the text); an empty value sits right
after its ``:``; an empty document sits at the next token.

The composer walks the text line by line from offsets (no line table), and takes a literal
block's lines with a few string operations, so that a ConfigMap holding a long ``config: |``
costs little more than reading it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from masqlint.lazyre import lazy
from masqlint.text.nodes import (MAP_TAG, PLAIN, SEQ_TAG, STR_TAG, MappingNode, Node, PlainScalar, Positions, ScalarNode,
                                 SequenceNode)

__all__ = ["compose", "PLAIN"]

# characters the YAML reader takes that need no care here: no tab, CR, NEL, LS/PS, BOM, or C0/C1 controls
_UNUSUAL = lazy("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ASCII_USUAL = b"\n" + bytes(range(0x20, 0x7F))
# a plain scalar starts with none of these (``-`` only when followed by a non-space, checked apart)
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# a plain scalar inside a one-line flow sequence: no flow indicators, comments or colons
_FLOW_PLAIN = lazy(r"(?:[^ ,\[\]{}#:'\"&*!|>%@`?-]|-[^ ,\[\]{}#:])[^,\[\]{}#:]*")
_MAX_NESTING = 64  # deeper documents are left to PyYAML (and its depth limits); 4 frames a level
_MAX_KEY = 1000  # libyaml refuses simple keys longer than 1,024 characters


class _Decline(Exception):
    pass


def compose(text: str, first_only: bool = False) -> list[Node | None] | None:
    """The root of every document (only the first when ``first_only``), or None when the text
    is not plain block YAML."""
    if text.isascii():
        if text.encode("ascii").translate(None, _ASCII_USUAL):
            return None
    elif _UNUSUAL.search(text):
        return None
    last = text[text.rfind("\n") + 1:]
    if (last and not last.strip(" ")) or (("---" in text or "..." in text) and _bad_marker(text)):
        return None  # spaces after the last line break; "..." or "---" with more after it
    try:
        return _Composer(text).documents(first_only)
    except (_Decline, RecursionError):  # RecursionError: called deep in a stack already
        return None


def _line_starts(text: str, prefix: str):
    if text.startswith(prefix):
        yield 0
    at = text.find("\n" + prefix)
    while at >= 0:
        yield at + 1
        at = text.find("\n" + prefix, at + 1)


def _bad_marker(text: str) -> bool:
    for _ in _line_starts(text, "..."):
        return True
    for at in _line_starts(text, "---"):
        end = text.find("\n", at)
        if text[at:end if end >= 0 else len(text)].rstrip(" ") != "---":
            return True
    return False


def _is_entry(line: str, col: int) -> bool:
    return line.startswith("-", col) and (len(line) == col + 1 or line[col + 1] == " ")


def _only_comment(line: str, at: int) -> None:
    """Nothing but spaces, or a comment after a space, from column ``at`` on."""
    rest = line[at:]
    stripped = rest.lstrip(" ")
    if stripped and not (stripped[0] == "#" and len(stripped) < len(rest)):
        raise _Decline


def _plain_start(line: str, k: int) -> bool:
    if k >= len(line):
        return False
    ch = line[k]
    if ch == "-":
        return k + 1 < len(line) and line[k + 1] != " "
    return ch not in _NOT_PLAIN_START


@lru_cache(maxsize=64)
def _short_line(ind: int) -> re.Pattern:
    """A line break followed by fewer than ``ind`` spaces."""
    return re.compile(rf"\n(?! {{{ind}}})")


@lru_cache(maxsize=64)
def _dedent(ind: int) -> re.Pattern:
    return re.compile(rf"^ {{0,{ind}}}", re.M)


# A content line is (offset of its first character, its text, its indentation); past the last
# line the offset is ``len(text) + 1``.
Line = tuple[int, str, int]


class _Composer:
    __slots__ = ("text", "size", "end", "pos", "eof_pos", "eof_column")

    def __init__(self, text: str):
        self.text = text
        self.size = len(text)
        self.end = len(text) + 1
        self.pos = Positions(text)
        self.eof_pos = self.pos.forced
        # where the text ends on its last line (0 after a final line break)
        self.eof_column = len(text) - (text.rfind("\n") + 1)

    # -- lines ---------------------------------------------------------------------------------

    def content(self, p: int) -> Line:
        """The first line from offset ``p`` that is neither blank nor a comment."""
        text, size = self.text, self.size
        while p <= size:
            e = text.find("\n", p)
            if e < 0:
                e = size
            line = text[p:e]
            body = line.lstrip(" ")
            if body and body[0] != "#":
                return p, line, len(line) - len(body)
            p = e + 1
        return self.end, "", 0

    def ends_here(self, p: int, line: str, ind: int) -> bool:
        """The end of the text, or a ``---`` line (only "---" starts a line there, see ``_bad_marker``)."""
        return p == self.end or (ind == 0 and line.startswith("---"))

    def token_at(self, p: int, ind: int, col: int = -1) -> tuple[int, Positions]:
        """Offset (and positions table) of the token that starts the content line at ``p``: where a
        collection at column ``col`` ends. At the end of a text without a final line break,
        libyaml ends the collections indented past the last line's end there, and the others
        at the start of one more line (its stream end)."""
        if p == self.end:
            return self.size, (self.pos if col > self.eof_column > 0 else self.eof_pos)
        return p + ind, self.pos

    # -- documents -----------------------------------------------------------------------------

    def documents(self, first_only: bool) -> list[Node | None]:
        docs: list[Node | None] = []
        p, line, ind = self.content(0)
        explicit = False
        if p != self.end and self.ends_here(p, line, ind):
            explicit = True
            p, line, ind = self.content(p + len(line) + 1)
        while True:
            if self.ends_here(p, line, ind):
                if explicit:
                    at, pos = self.token_at(p, ind)
                    docs.append(ScalarNode(PLAIN, "", at, at, pos, ""))
            else:
                node, (p, line, ind) = self.block(p, line, ind, 0)
                docs.append(node)
                if not self.ends_here(p, line, ind):
                    raise _Decline  # content less indented than the root
            if (first_only and docs) or p == self.end:
                return docs[:1] if first_only else docs
            explicit = True
            p, line, ind = self.content(p + len(line) + 1)

    # -- collections ---------------------------------------------------------------------------

    def block(self, p: int, line: str, col: int, depth: int) -> tuple[Node, Line]:
        """The block collection whose first line is the content line at ``p``."""
        if depth > _MAX_NESTING:
            raise _Decline
        if _is_entry(line, col):
            return self.sequence(p, line, col, False, depth)
        return self.mapping(p, line, col, depth)

    def mapping(self, p: int, line: str, col: int, depth: int) -> tuple[MappingNode, Line]:
        """A block mapping whose first key is at column ``col`` of the line at ``p``."""
        start = p + col
        entries = []
        while True:
            found = self.key(p, line, col)
            if found is None:
                raise _Decline  # not a key where one is expected
            key, colon = found
            value, (p, line, ind) = self.value(p, line, colon, col, depth)
            entries.append((key, value))
            if ind < col or self.ends_here(p, line, ind):
                break
            if ind > col:
                raise _Decline
        at, pos = self.token_at(p, ind, col)
        return MappingNode(MAP_TAG, entries, start, at, pos), (p, line, ind)

    def sequence(self, p: int, line: str, col: int, indentless: bool, depth: int) -> tuple[SequenceNode, Line]:
        """A block sequence whose first ``-`` is at column ``col`` of the line at ``p``."""
        start = p + col
        items: list[Node] = []
        while True:
            k = col + 1
            length = len(line)
            while k < length and line[k] == " ":
                k += 1
            if k >= length or line[k] == "#":
                raise _Decline  # an empty item
            ch = line[k]
            if ch == "-" and (k + 1 == length or line[k + 1] == " "):
                raise _Decline  # "- - x"
            node: Node
            if ":" not in line and ch not in _NOT_PLAIN_START:  # a plain scalar (the usual list item)
                cut = line.find(" #", k)
                raw = (line[k:cut] if cut >= 0 else line[k:]).rstrip(" ")
                node = PlainScalar(raw, p + k, self.pos)
                p, line, ind = self.content(p + length + 1)
            elif (":" in line or ch == "'" or ch == '"') and self.key(p, line, k) is not None:
                node, (p, line, ind) = self.mapping(p, line, k, depth + 1)
            else:
                node = self.flow(p, line, k) if ch == "[" or ch == "{" else self.scalar(p, line, k)
                p, line, ind = self.content(p + length + 1)
                if ind > col:
                    raise _Decline  # a scalar continued on the next line, or an error
            items.append(node)
            if ind < col or self.ends_here(p, line, ind):
                break
            if ind > col:
                raise _Decline
            if not _is_entry(line, col):
                if indentless:
                    break  # the next key of the mapping the sequence is a value of
                raise _Decline
        at, pos = self.token_at(p, ind, col)
        return SequenceNode(SEQ_TAG, items, start, at, pos), (p, line, ind)

    def value(self, p: int, line: str, colon: int, col: int, depth: int) -> tuple[Node, Line]:
        """The value after the ``:`` at ``colon`` of the line at ``p``, in a mapping at column ``col``."""
        length = len(line)
        k = colon + 1
        while k < length and line[k] == " ":
            k += 1
        if k >= length or line[k] == "#":  # nothing (but a comment) on this line
            at = p + colon + 1
            nxt = self.content(p + length + 1)
            np, nline, nind = nxt
            if not self.ends_here(np, nline, nind):
                if nind > col:
                    if ":" not in nline and _plain_start(nline, nind):  # a plain scalar (no key) on the lines below
                        return self.plain_lines(self.scalar(np, nline, nind), np, nline, col)
                    return self.block(np, nline, nind, depth + 1)
                if nind == col and _is_entry(nline, col):
                    return self.sequence(np, nline, col, True, depth + 1)
            return ScalarNode(PLAIN, "", at, at, self.pos, ""), nxt
        ch = line[k]
        if ch == "|":
            return self.literal(p, line, k, col)
        node = self.flow(p, line, k) if ch == "[" or ch == "{" else self.scalar(p, line, k)
        nxt = self.content(p + length + 1)
        if nxt[2] > col:
            if type(node) is ScalarNode and node.style == "":
                return self.plain_lines(node, p, line, col)  # a plain scalar continued on the next lines
            raise _Decline  # a quoted scalar or a flow collection continued, or an error
        return node, nxt

    def plain_lines(self, first: ScalarNode, p: int, line: str, col: int) -> tuple[ScalarNode, Line]:
        """The plain scalar ``first`` (a mapping value at column ``col``, on the line at ``p``) with the
        lines that continue it: each line indented past ``col`` (blank lines between), folded as libyaml
        folds them (one line break: a space; n blank lines: n line breaks). Declined: a comment after
        the first line or among the lines, and a continuation line that is not plain text."""
        if line.find(" #", first.end - p) >= 0:
            raise _Decline  # the comment ends the scalar: a line indented below it is an error
        text, size = self.text, self.size
        parts = [first.value]
        end = first.end
        q = p + len(line) + 1
        breaks = 0
        while q <= size:
            e = text.find("\n", q)
            if e < 0:
                e = size
            body = text[q:e].lstrip(" ")
            if not body:
                breaks += 1
                q = e + 1
                continue
            ind = e - q - len(body)
            if ind <= col:
                break  # the next token
            if body[0] in _NOT_PLAIN_START or ": " in body or body[-1] == ":" or " #" in body:
                raise _Decline  # a comment, an indicator, a key: the scalar ends or the text is an error
            chunk = body.rstrip(" ")
            parts.append("\n" * breaks if breaks else " ")
            parts.append(chunk)
            end = q + ind + len(chunk)
            breaks = 0
            q = e + 1
        if len(parts) == 1:
            raise _Decline  # (a caller saw a line indented past ``col``: it must have been one)
        node = ScalarNode(PLAIN, "".join(parts), first.start, end, self.pos, "")
        return node, self.content(q)

    # -- scalars -------------------------------------------------------------------------------

    def key(self, p: int, line: str, k: int) -> tuple[ScalarNode, int] | None:
        """(key node, column of its ``:``) when a simple key starts at column ``k``."""
        ch = line[k] if k < len(line) else ""
        if ch == "'" or ch == '"':
            node, colon = self.quoted(p, line, k)
            while colon < len(line) and line[colon] == " ":
                colon += 1
            if colon < len(line) and line[colon] == ":" and (colon + 1 == len(line) or line[colon + 1] == " "):
                return node, colon
            return None
        if not _plain_start(line, k):
            return None
        stop = line.find(" #", k)
        if stop < 0:
            stop = len(line)
        colon = line.find(":", k, stop)  # the first colon followed by a space or the end (before a comment)
        while colon >= 0 and colon + 1 < stop and line[colon + 1] != " ":
            colon = line.find(":", colon + 1, stop)
        if colon < 0:
            return None
        if colon - k > _MAX_KEY:
            raise _Decline
        raw = line[k:colon].rstrip(" ")
        at = p + k
        return ScalarNode(PLAIN, raw, at, at + len(raw), self.pos, ""), colon

    def scalar(self, p: int, line: str, k: int) -> ScalarNode:
        """The one-line scalar at column ``k``, with at most a comment after it."""
        ch = line[k]
        if ch == "'" or ch == '"':
            node, after = self.quoted(p, line, k)
            _only_comment(line, after)
            return node
        if not _plain_start(line, k):
            raise _Decline
        cut = line.find(" #", k)
        raw = (line[k:cut] if cut >= 0 else line[k:]).rstrip(" ")
        if ": " in raw or raw[-1] == ":":
            raise _Decline  # a key where a scalar must be
        at = p + k
        return ScalarNode(PLAIN, raw, at, at + len(raw), self.pos, "")

    def flow(self, p: int, line: str, k: int) -> Node:
        """``[]``, ``{}``, or a flow sequence of one-line scalars, closed on its line, with at most a comment after it."""
        length = len(line)
        j = k + 1
        while j < length and line[j] == " ":
            j += 1
        if line[k] == "{":
            if not line.startswith("}", j):
                raise _Decline
            _only_comment(line, j + 1)
            return MappingNode(MAP_TAG, [], p + k, p + j + 1, self.pos, True)
        items: list[Node] = []
        if not line.startswith("]", j):
            while True:
                ch = line[j] if j < length else ""
                if ch == "'" or ch == '"':
                    node, j = self.quoted(p, line, j)
                else:
                    m = _FLOW_PLAIN.match(line, j)
                    if m is None:
                        raise _Decline
                    raw = m.group().rstrip(" ")
                    node = ScalarNode(PLAIN, raw, p + j, p + j + len(raw), self.pos, "")
                    j += len(raw)
                items.append(node)
                while j < length and line[j] == " ":
                    j += 1
                if line.startswith("]", j):
                    break
                if not line.startswith(",", j):
                    raise _Decline
                j += 1
                while j < length and line[j] == " ":
                    j += 1
        _only_comment(line, j + 1)
        return SequenceNode(SEQ_TAG, items, p + k, p + j + 1, self.pos, True)

    def quoted(self, p: int, line: str, k: int) -> tuple[ScalarNode, int]:
        """A quoted scalar that closes on its own line: (node, column after the closing quote)."""
        q = line[k]
        if q == "'":
            e = k + 1
            while True:
                e = line.find("'", e)
                if e < 0:
                    raise _Decline
                if line.startswith("''", e):
                    e += 2
                    continue
                break
            value = line[k + 1:e].replace("''", "'")
        else:
            e = line.find('"', k + 1)
            if e < 0 or "\\" in line[k + 1:e]:
                raise _Decline
            value = line[k + 1:e]
        return ScalarNode(STR_TAG, value, p + k, p + e + 1, self.pos, q), e + 1

    def literal(self, p: int, line: str, k: int, col: int) -> tuple[ScalarNode, Line]:
        """A ``|`` or ``|-`` block whose header is at column ``k``, in a mapping at column ``col``."""
        header = line[k:].rstrip(" ")
        if header not in ("|", "|-"):
            raise _Decline  # an indentation indicator, "+", or a comment
        text, size = self.text, self.size
        # blank lines before the first line of text: their spaces must not set the indentation
        q = p + len(line) + 1
        lead = blanks = 0
        while True:
            if q >= size:
                raise _Decline  # no text: left to PyYAML
            e = text.find("\n", q)
            if e < 0:
                e = size
            first_line = text[q:e]
            if first_line.strip(" "):
                break
            lead, blanks, q = max(lead, len(first_line)), blanks + 1, e + 1
        first = q
        ind = len(first_line) - len(first_line.lstrip(" "))
        if ind <= col or lead > ind:
            raise _Decline
        # the block ends at the first line with text indented less; blank lines may be shorter
        short = _short_line(ind)
        scan, term, gaps = first, -1, False
        while True:
            m = short.search(text, scan)
            if m is None:
                break
            q = m.end()
            e = text.find("\n", q)
            if e < 0:
                e = size
            if text[q:e].strip(" "):
                term = q
                break
            if e == size:
                break  # the end of the text
            gaps, scan = True, e
        end = term if term >= 0 else size
        if term < 0 and not text.endswith("\n"):
            content_end, broken = size, False  # the last line of text has no line break
        else:
            content_end = end - 1  # the line break before the line that ends the block
            while True:  # trailing lines of spaces up to the indentation are not kept
                ls = text.rfind("\n", 0, content_end) + 1
                if len(text[ls:content_end]) > ind or text[ls:content_end].strip(" "):
                    break
                content_end = ls - 1
            broken = True
        chunk = text[first:content_end]
        if gaps:
            value = _dedent(ind).sub("", chunk)
        else:
            value = chunk[ind:].replace("\n" + " " * ind, "\n")
        if blanks:
            value = "\n" * blanks + value
        if header == "|" and broken:
            value += "\n"
        node = ScalarNode(STR_TAG, value, p + k, end, self.pos, "|")
        nxt = self.content(end)
        if nxt[2] > col:
            raise _Decline
        return node, nxt
