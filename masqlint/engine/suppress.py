"""Inline suppressions in YAML comments (also inside the ``data.config`` block).

``# masqlint: disable=MQ306`` (this line), ``# masqlint: disable-next-line=...``,
``# masqlint: disable-file=...``; ids or names, comma-separated, with an optional
``-- reason``. What a comment suppressed is recorded per id; the DIRECTIVES-scope checks
(MQ005: a comment, or some of its ids, suppressing nothing) read that record.

In Markdown, where a fence shows a config (the YAML comments above work inside it), an HTML
comment before a fence covers the whole fence, for "don't do this" examples:
``<!-- masqlint: disable-next-fence -->`` or ``<!-- masqlint: disable-next-fence=MQ002,MQ201 -- reason -->``;
``<!-- masqlint: disable-file=... -->`` covers every fence of the page.
"""

from __future__ import annotations

import re

from masqlint.checks import DIRECTIVES
from masqlint.config.settings import Settings
from masqlint.engine.emit import scope_findings
from masqlint.engine.findings import FileResult, Finding
from masqlint.text.source import LineIndex
from masqlint.lazyre import lazy

_DIRECTIVE = lazy(
    r"#\s*masqlint:\s*(?P<kind>disable-next-line|disable-file|disable)\s*(?:=\s*(?P<rules>[A-Za-z0-9_,\- ]+?))?\s*(?:--\s*(?P<reason>.*))?\s*$"
)
_ID = lazy(r"^MQ\d", re.I)
_LINES = lazy("\r\n|\r|\n")


class Directive:
    """One suppression comment. ``rules``: upper-cased ids or lower-cased names (empty: every
    rule); ``rules_span``: (start, end) columns (0-based) of the comma-separated list in its line;
    ``used``: the entries that suppressed a finding (for an empty list, "" once anything was);
    ``block``: the fence (first line, last line) a Markdown ``disable-next-fence`` comment covers."""

    __slots__ = ("block", "column", "end_column", "kind", "line", "rules", "rules_span", "used")

    def __init__(self, kind: str, rules: tuple[str, ...], line: int, column: int, end_column: int,
                 rules_span: tuple[int, int] | None = None, block: tuple[int, int] | None = None):
        self.kind = kind
        self.rules = rules
        self.line = line
        self.column = column
        self.end_column = end_column
        self.rules_span = rules_span
        self.block = block
        self.used: set[str] = set()

    def applies_to_line(self, line: int) -> bool:
        return self.kind == "disable-file" or (self.kind == "disable" and self.line == line) or (
            self.kind == "disable-next-line" and self.line + 1 == line)

    def covering(self, f: Finding) -> list[str]:
        """The entries that cover ``f`` ([""] for a comment naming no rule; [] when none does)."""
        if not self.rules:
            return [""]
        return [r for r in self.rules if f.rule.startswith(r) or f.name == r.lower()]

    @property
    def unused(self) -> list[str]:
        """The entries that suppressed nothing ([""] for a comment naming no rule that suppressed nothing)."""
        if not self.rules:
            return [] if self.used else [""]
        return [r for r in self.rules if r not in self.used]


def normal_entry(entry: str) -> str:
    e = entry.strip()
    return e.upper() if _ID.match(e) else e.lower()


def find_directives(text: str) -> list[Directive]:
    out: list[Directive] = []
    if "masqlint:" not in text:
        return out
    for i, line in enumerate(_LINES.split(text), start=1):  # the line breaks of LineIndex, no others
        pos = line.find("#")
        while pos >= 0:
            m = _DIRECTIVE.match(line, pos)
            if m:
                rules = tuple(normal_entry(r) for r in (m.group("rules") or "").split(",") if r.strip())
                span = (m.start("rules"), m.end("rules")) if m.group("rules") else None
                out.append(Directive(m.group("kind"), rules, i, pos + 1, len(line) + 1, span))
                break
            pos = line.find("#", pos + 1)
    return out


class DirectiveContext:
    """What a DIRECTIVES-scope check gets: one file's suppression comments, each with what it
    suppressed. ``editable``: masqlint may edit the comments (not in a Markdown page's prose)."""

    __slots__ = ("directives", "editable", "index", "path", "settings", "text")

    def __init__(self, text: str, path: str, settings: Settings, directives: list[Directive],
                 index: LineIndex | None = None, editable: bool = True):
        self.text = text
        self.index = index if index is not None else LineIndex(text)
        self.path = path
        self.settings = settings
        self.directives = directives
        self.editable = editable


def _directive_findings(dctx: DirectiveContext) -> list[Finding]:
    return scope_findings(DIRECTIVES, dctx, dctx.settings, dctx.path)


def _suppress(findings: list[Finding], directives: list[Directive], covers) -> tuple[list[Finding], int]:
    """The findings no directive suppresses, and how many were; ``covers(d, f)``: the entries of
    directive ``d`` that suppress finding ``f`` (recorded as used)."""
    kept: list[Finding] = []
    suppressed = 0
    for f in findings:
        for d in directives:
            entries = covers(d, f)
            if entries:
                d.used.update(entries)
                suppressed += 1
                break
        else:
            kept.append(f)
    return kept, suppressed


def apply_suppressions(fctx, findings: list[Finding], source=None) -> tuple[list[Finding], int]:
    """``source``: the file the findings are in when it is not the linted file itself (a file the
    linted one reads); its own comments suppress them."""
    source = source or fctx.source
    text = source.text
    if not text or not (fctx.configs or fctx.policies or (fctx.notes and fctx.form != "markdown")):
        return findings, 0  # directives only mean something in files that hold (or build) an agent config or policy
    directives = find_directives(text)
    if not directives:
        return findings, 0
    kept, suppressed = _suppress(findings, directives, lambda d, f: d.covering(f) if d.applies_to_line(f.line) else [])
    kept += _directive_findings(DirectiveContext(text, source.path, fctx.settings, directives, source.index))
    return kept, suppressed


def add_late_finding(result: FileResult, f: Finding) -> None:
    """Add a finding made after the file was linted (a check across files) to ``result``: a
    comment that covers it suppresses it, and what the DIRECTIVES checks said of that comment
    is said again with this use counted."""
    text = result.text or ""
    for d in find_directives(text):
        if not d.applies_to_line(f.line):
            continue
        entries = d.covering(f)
        if not entries:
            continue
        result.suppressed += 1
        at_d = [g for g in result.findings if g.data.get("directive") == (d.line, d.column)]
        if at_d:
            result.findings = [g for g in result.findings if g not in at_d]
            before = at_d[0].data.get("unused", [])
            d.used = {r for r in (d.rules or ("",)) if r not in before} | set(entries)
            if result.settings is not None:
                result.findings += _directive_findings(DirectiveContext(text, result.path, result.settings, [d]))
        return
    result.findings.append(f)


# --- Markdown: HTML comments that cover a fence ---------------------------------------------------

_HTML_DIRECTIVE = lazy(
    r"<!--\s*masqlint:\s*(?P<kind>disable-next-fence|disable-file)\s*(?:=\s*(?P<rules>[A-Za-z0-9_,\- ]+?))?\s*"
    r"(?:--\s*(?P<reason>.*?))?\s*-->"
)


def find_block_directives(text: str, blocks: list[tuple[int, int]]) -> list[Directive]:
    """``<!-- masqlint: ... -->`` comments; a ``disable-next-fence`` one is bound to the fence that
    follows it (only blank lines or other such comments between), given as (first line, last line)."""
    out: list[Directive] = []
    if "masqlint:" not in text:
        return out
    lines = _LINES.split(text)
    starts = sorted(blocks)
    for i, line in enumerate(lines, start=1):
        if "<!--" not in line:
            continue
        m = _HTML_DIRECTIVE.search(line)
        if not m:
            continue
        rules = tuple(normal_entry(r) for r in (m.group("rules") or "").split(",") if r.strip())
        d = Directive(m.group("kind"), rules, i, m.start() + 1, m.end() + 1)
        if d.kind == "disable-next-fence":
            d.block = next(((a, b) for a, b in starts if a > i), None)
            if d.block is not None and any(
                lines[k - 1].strip() and not _HTML_DIRECTIVE.search(lines[k - 1]) for k in range(i + 1, d.block[0])
            ):
                d.block = None  # text between the comment and the fence: it is not "before the fence"
        out.append(d)
    return out


def apply_block_suppressions(fctx, findings: list[Finding], blocks: list[tuple[int, int]]) -> tuple[list[Finding], int]:
    """Apply a Markdown page's fence directives to the findings of its fences; the DIRECTIVES checks
    then say which comments suppressed nothing (masqlint edits nothing in the page's prose)."""
    directives = find_block_directives(fctx.source.text or "", blocks)
    if not directives:
        return findings, 0
    def covers(d: Directive, f: Finding):
        inside = d.kind == "disable-file" or (d.block is not None and d.block[0] <= f.line <= d.block[1])
        return d.covering(f) if inside else []

    kept, suppressed = _suppress(findings, directives, covers)
    text = fctx.source.text or ""
    kept += _directive_findings(DirectiveContext(text, fctx.source.path, fctx.settings, directives, editable=False))
    return kept, suppressed
