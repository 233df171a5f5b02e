"""Where a region of a file (a Markdown fence) sits in that file, line by line.

The region is linted as a file of its own; its findings come back here: every span is moved to
the outer file's line and column, and every fix is rewritten to outer offsets, with the line
prefix (a blockquote's ``> ``, a list item's indentation) repeated after each line break it
inserts. A fix that would touch anything outside the region is dropped (the finding stays)."""

from __future__ import annotations

import re

from masqlint.engine.findings import Edit, Finding, Fix, Span
from masqlint.text.source import LineIndex, SourceFile


class Placement:
    """Unit line ``i`` (1-based) starts at outer offset ``offsets[i-1]``, after ``prefixes[i-1]``.

    ``exact`` False: the lines could not be matched one to one (tabs expanded by the Markdown
    parser, say); every span then points at ``anchor`` and no fix is offered."""

    __slots__ = ("anchor", "exact", "inner", "lines", "offsets", "outer", "prefixes")

    def __init__(self, outer: SourceFile, inner_text: str, offsets: list[int], prefixes: list[str],
                 anchor: tuple[int, int], exact: bool = True):
        self.outer = outer
        self.inner = LineIndex(inner_text)
        self.offsets = offsets
        self.prefixes = prefixes
        self.anchor = anchor
        self.exact = exact and bool(offsets)
        self.lines = (0, 0)  # the region's first and last line in the outer file (a fence with its markers)

    def _outer_offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.offsets):
            return None
        start = self.offsets[line - 1]
        length = len(self.inner.line_text(line))
        return start + min(max(column - 1, 0), length)

    def span(self, span: Span) -> Span:
        idx = self.outer.index
        if not self.exact:
            return idx.span(*self.anchor)
        a = self._outer_offset(span.line, span.column)
        if a is None:
            return idx.span(*self.anchor)
        b = self._outer_offset(span.end_line, span.end_column)
        if b is None or b < a:
            # an end beyond the last line (end of the text): the end of the last line
            b = self._outer_offset(len(self.offsets), 10**9) if span.end_line > len(self.offsets) else a
        return idx.span(a, max(a, b if b is not None else a))

    def fix(self, fix: Fix | None) -> Fix | None:
        if fix is None or not self.exact:
            return None
        outer_text = self.outer.text or ""
        edits = []
        for e in fix.edits:
            la, ca = self.inner.pos(e.start)
            lb, cb = self.inner.pos(e.end)
            a = self._outer_offset(la, ca)
            b = self._outer_offset(lb, cb)
            if a is None or b is None or b < a:
                return None
            text = e.text
            prefix = self.prefixes[la - 1] if la - 1 < len(self.prefixes) else ""
            end = outer_text.find("\n", a)
            nl = "\r\n" if end > 0 and outer_text[end - 1] == "\r" else "\n"
            if ca == 1 and cb == 1 and lb > la:
                # whole lines replaced: from the outer line starts, each new line with its prefix
                a -= len(prefix)
                b -= len(self.prefixes[lb - 1]) if lb - 1 < len(self.prefixes) else 0
                lines = text.replace("\r\n", "\n").splitlines(keepends=True)
                text = "".join(prefix + ln.replace("\n", nl) for ln in lines)
            elif "\n" in text or "\r" in text:
                text = text.replace("\r\n", "\n").replace("\n", nl + prefix)
            edits.append(Edit(a, b, text))
        return Fix(fix.description, tuple(edits), fix.safe)

    def finding(self, f: Finding, path: str) -> Finding:
        """``f`` moved to the outer file; its target and related locations come along."""
        related = tuple((self.span(span), what) for span, what in f.related)
        return f.replace(message=self.message(f.message), path=path, span=self.span(f.span), fix=self.fix(f.fix),
                         related=related)

    def message(self, text: str) -> str:
        """A message's "line N" names a line of the unit: name the outer line instead (not in
        quoted agent output between backticks, not "its line N" of a config inside a manifest)."""
        if "line" not in text:
            return text
        shift = self.lines[0]
        parts = text.split("`")
        for i in range(0, len(parts), 2):
            parts[i] = _LINE_REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + shift}", parts[i])
        return "`".join(parts)


_LINE_REF = re.compile(r"(?<!its )(\blines? )(\d+)\b")
