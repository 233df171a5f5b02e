"""Helpers shared by the output formats: ordering, source lines, paths, fingerprints."""

from __future__ import annotations

import re

from masqlint.engine.findings import FileResult, Finding, RunResult, Severity, Span

# The line breaks YAML counts (and PyYAML's marks with it): \r\n, \n, \r, NEL, LS, PS.
_LINE_BREAK = "\r\n|[\n\r\x85\u2028\u2029]"  # compiled by re.split's cache on first use

# Bidirectional controls reorder what a terminal shows; never print them raw.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def ordered(result: RunResult) -> list[tuple[FileResult, Finding]]:
    """Every finding with the file it belongs to, sorted by path, line, column, rule."""
    pairs = [(file, finding) for file in result.files for finding in file.findings]
    pairs.sort(key=lambda pair: pair[1].sort_key())
    return pairs


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


class SourceLines:
    """The lines of each file's text, split once and on demand."""

    def __init__(self) -> None:
        self._cache: dict[int, list[str] | None] = {}

    def line(self, file: FileResult, lineno: int) -> str | None:
        key = id(file)
        if key not in self._cache:
            self._cache[key] = None if file.text is None else _split_lines(file.text)
        lines = self._cache[key]
        if lines is None or not 1 <= lineno <= len(lines):
            return None
        return lines[lineno - 1]


def _split_lines(text: str) -> list[str]:
    """The text split at the line breaks YAML counts; at ``\n`` alone when it holds no other."""
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return re.split(_LINE_BREAK, text)
    return text.split("\n")


def clean_span(span: Span) -> Span:
    """The span with 1-based positions and its end never before its start."""
    line = max(span.line, 1)
    column = max(span.column, 1)
    end_line = max(span.end_line, line)
    end_column = max(span.end_column, 1)
    if end_line == line:
        end_column = max(end_column, column)
    return Span(line, column, end_line, end_column)


# -- terminal-safe text -------------------------------------------------------------


def visible_char(ch: str) -> str:
    """How one character is printed to a terminal: control characters become visible."""
    code = ord(ch)
    if ch == "\t":
        return ch
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: U+240A for a line feed, ...
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code < 0xA0 or ch in _BIDI or 0xD800 <= code < 0xE000:
        return "\ufffd"
    return ch


def visible(text: str) -> str:
    """`text` with every control character (but tab) replaced by a visible stand-in."""
    if text.isprintable():
        return text
    return "".join(visible_char(ch) for ch in text)


def char_width(ch: str) -> int:
    """Terminal columns taken by one (already visible) character."""
    if " " <= ch < "\x7f" or ch == "\t":
        return 1
    import unicodedata  # noqa: PLC0415 - lazy: only a character outside printable ASCII needs it

    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


# A source line longer than this is shown as a window around the finding.
WINDOW = 160


def window(source: str, span: Span, width: int = WINDOW) -> tuple[str, Span]:
    """A long `source` line cut to about `width` characters around `span`, with `span`
    moved to match (``…`` marks each cut). Short lines come back unchanged."""
    if len(source) <= width:
        return source, span
    start = max(span.column - 1 - width // 3, 0)
    end = min(start + width, len(source))
    head = "…" if start > 0 else ""
    tail = "…" if end < len(source) else ""
    shift = start - len(head)
    end_line, end_column = span.end_line, span.end_column
    if end_line != span.line or end_column - 1 > end:
        end_line, end_column = span.line, end + 1
    moved = Span(span.line, span.column - shift, end_line, end_column - shift)
    return head + source[start:end] + tail, moved


_PAD = {c: " " for c in range(128) if c != 9}  # ASCII to a space of one column, a tab kept


def caret_line(source: str, span: Span) -> str:
    """The ``^~~~`` line that underlines `span` on its first line, `source`.

    Tabs before the span are kept, so the carets line up whatever the tab width.
    A span that runs on past this line is underlined to the end of the line.
    """
    start = span.column - 1
    if span.end_line == span.line:
        end = span.end_column - 1
    else:
        end = len(source)
    end = min(end, len(source))
    if source[:max(start, end)].isascii():  # every ASCII character shows one column wide (controls as pictures)
        return source[:start].translate(_PAD) + " " * max(start - len(source), 0) + "^" + "~" * max(end - start - 1, 0)
    pad: list[str] = []
    for ch in source[:start]:
        shown = visible_char(ch)
        pad.append("\t" if shown == "\t" else " " * char_width(shown))
    if start > len(source):
        pad.append(" " * (start - len(source)))
    width = sum(char_width(visible_char(ch)) for ch in source[start:end])
    return "".join(pad) + "^" + "~" * max(width - 1, 0)


# -- paths ----------------------------------------------------------------------------


def posix_path(path: str) -> str:
    """The path with forward slashes and without a leading ``./``."""
    if path in ("", "-"):
        return path
    from pathlib import PurePath  # noqa: PLC0415 - lazy: pathlib only for a path to convert

    return PurePath(path).as_posix()


def is_absolute(path: str) -> bool:
    from pathlib import PurePath  # noqa: PLC0415 - lazy: pathlib only for a path to convert

    return PurePath(path).is_absolute()


# -- fingerprints ---------------------------------------------------------------------


def digest(*parts: str) -> str:
    """A SHA-256 hex digest of the parts, joined so that no two part lists collide."""
    import hashlib  # noqa: PLC0415 - lazy: hashlib only for the formats that fingerprint findings

    joined = "\0".join(parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


def occurrences(keys: list[tuple]) -> list[int]:
    """For each key, how many equal keys came before it (0 for the first one)."""
    seen: dict[tuple, int] = {}
    out = []
    for key in keys:
        n = seen.get(key, 0)
        out.append(n)
        seen[key] = n + 1
    return out


def locator(source: str | None, span: Span) -> str:
    """What a finding points at, independent of its line number and its message.

    The text under the span on its first line, or the whole (stripped) line for an
    empty span, so a finding keeps its identity when lines are added above it.
    """
    if source is None:
        return f"{span.line}:{span.column}"
    start = span.column - 1
    end = span.end_column - 1 if span.end_line == span.line else len(source)
    text = source[start:min(end, start + WINDOW)].strip()
    return text or source[:WINDOW].strip()


# -- severity -------------------------------------------------------------------------


def count_by_severity(findings: list[Finding]) -> dict[Severity, int]:
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
