"""The editor's side of the workspace: open documents (their text and version), workspace folders,
and ``file:`` URIs ↔ paths.

Positions in changes count the client's units (UTF-16 code units unless it negotiated UTF-8 or
UTF-32); lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as the LSP specification says.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Callable

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def units_utf16(s: str) -> int:
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def units_utf8(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


UNIT_COUNTERS: dict[str, Callable[[str], int]] = {"utf-16": units_utf16, "utf-8": units_utf8, "utf-32": len}


def choose_encoding(offered) -> str:
    """The position encoding to use: the client's first preference that is known, else UTF-16."""
    for kind in offered if isinstance(offered, list) else ():
        if kind in UNIT_COUNTERS:
            return kind
    return "utf-16"


def uri_to_path(uri: str) -> str | None:
    """The file system path of a ``file:`` URI (percent-decoded; ``file://host/share`` is a UNC path,
    ``file:///C:/x`` a Windows drive path with the letter in lower case); None for other schemes."""
    from urllib.parse import unquote, urlparse  # noqa: PLC0415 - lazy: URIs are read once documents arrive

    parts = urlparse(uri)
    if unquote(parts.scheme) != "file":
        return None
    netloc, path = unquote(parts.netloc), unquote(parts.path)
    if netloc and path:
        value = f"//{netloc}{path}"
    elif re.match(r"/[A-Za-z]:", path):
        value = path[1].lower() + path[2:]
    else:
        value = path
    return value.replace("/", os.sep) if os.sep != "/" else value


def offset_at(text: str, line: int, character: int, encoding: str) -> int:
    """The character offset of an LSP position in ``text``; a position past the end of its line is
    the line's end, a line past the last line is the end of the text."""
    start = 0
    for _ in range(line):
        m = _LINE_BREAK.search(text, start)
        if m is None:
            return len(text)
        start = m.end()
    m = _LINE_BREAK.search(text, start)
    end = m.start() if m else len(text)
    if encoding == "utf-32":
        return min(start + character, end)
    units = UNIT_COUNTERS.get(encoding, units_utf16)
    at, used = start, 0
    while at < end and used < character:
        used += units(text[at])
        at += 1
    return at


class Document:
    __slots__ = ("uri", "text", "version", "language_id")

    def __init__(self, uri: str, text: str, version: int | None, language_id: str | None = None):
        self.uri = uri
        self.text = text
        self.version = version
        self.language_id = language_id

    def apply(self, text: str, start: tuple[int, int] | None = None, end: tuple[int, int] | None = None,
              encoding: str = "utf-16") -> None:
        """One entry of ``contentChanges``: the whole text, or the text replacing the range ``start``–``end``
        ((line, character) in the client's units)."""
        if start is None or end is None:
            self.text = text
            return
        a = offset_at(self.text, start[0], start[1], encoding)
        b = max(a, offset_at(self.text, end[0], end[1], encoding))
        self.text = self.text[:a] + text + self.text[b:]


class Workspace:
    """Open documents by URI, workspace folders, the root, and the position encoding agreed at ``initialize``."""

    __slots__ = ("documents", "folders", "root_uri", "root_path", "encoding")

    def __init__(self):
        self.documents: dict[str, Document] = {}
        self.folders: dict[str, str] = {}  # uri -> name
        self.root_uri: str | None = None
        self.root_path: str | None = None  # given by a client that sends rootPath without rootUri
        self.encoding = "utf-16"

    def root_of(self, path: str) -> str | None:
        """The innermost workspace folder holding ``path``, else the workspace root."""
        best = None
        for uri in self.folders:
            fp = uri_to_path(uri)
            if fp and (path == fp or path.startswith(fp.rstrip(os.sep) + os.sep)) and (best is None or len(fp) > len(best)):
                best = fp
        if best:
            return best
        return uri_to_path(self.root_uri) if self.root_uri else self.root_path
