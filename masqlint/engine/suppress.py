"""Inline suppressions in YAML comments (also inside the ``data.config`` block).

``# masqlint: disable=MQ306`` (this line), ``# masqlint: disable-next-line=...``,
``# masqlint: disable-file=...``; ids or names, comma-separated, with an optional
``-- reason``. A suppression that suppresses nothing is reported as MQ005.

In Markdown, where a fence shows a config (the YAML comments above work inside it), an HTML
comment before a fence covers the whole fence, for "don't do this" examples:
``<!-- masqlint: disable-next-fence -->`` or ``<!-- masqlint: disable-next-fence=MQ002,MQ201 -- reason -->``;
``<!-- masqlint: disable-file=... -->`` covers every fence of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from masqlint.engine.findings import Finding, Span

_DIRECTIVE = re.compile(
    r"#\s*masqlint:\s*(?P<kind>disable-next-line|disable-file|disable)\s*(?:=\s*(?P<rules>[A-Za-z0-9_,\- ]+?))?\s*(?:--\s*(?P<reason>.*))?\s*$"
)


_LINES = re.compile("\r\n|\r|\n")


@dataclass
class Directive:
    kind: str
    rules: tuple[str, ...]  # upper-cased ids or lower-cased names; empty = all
    line: int
    column: int
    end_column: int
    used: bool = False
    block: tuple[int, int] | None = None  # the fence a Markdown `disable-next-fence` comment covers

    def covers(self, f: Finding) -> bool:
        if not self.rules:
            return True
        return any(f.rule.startswith(r) or f.name == r.lower() for r in self.rules)


def find_directives(text: str) -> list[Directive]:
    out: list[Directive] = []
    if "masqlint:" not in text:
        return out
    for i, line in enumerate(_LINES.split(text), start=1):  # the line breaks of LineIndex, no others
        pos = line.find("#")
        while pos >= 0:
            m = _DIRECTIVE.match(line, pos)
            if m:
                rules = tuple(
                    (r.strip().upper() if re.match(r"^MQ\d", r.strip(), re.I) else r.strip().lower())
                    for r in (m.group("rules") or "").split(",")
                    if r.strip()
                )
                out.append(Directive(m.group("kind"), rules, i, pos + 1, len(line) + 1))
                break
            pos = line.find("#", pos + 1)
    return out


def _removal(source, d: Directive):
    """Remove the comment; the whole line when nothing else is on it."""
    from masqlint.engine.findings import Edit, Fix

    idx = source.index
    text = source.text
    start = idx.starts[d.line - 1]
    line = idx.line_text(d.line)
    col = d.column - 1
    before = line[:col]
    if before.strip() == "":
        end = idx.starts[d.line] if d.line < len(idx.starts) else len(text)
        return Fix("remove the unused suppression", (Edit(start, end, ""),), safe=True)
    cut = len(before.rstrip(" \t"))
    return Fix("remove the unused suppression", (Edit(start + cut, start + len(line), ""),), safe=True)


def apply_suppressions(fctx, findings: list[Finding], source=None) -> tuple[list[Finding], int]:
    """``source``: the file the findings are in when it is not the linted file itself (a file the
    linted one reads); its own comments suppress them."""
    source = source or fctx.source
    text = source.text
    if not text or not (fctx.configs or getattr(fctx, "policies", None) or (fctx.notes and fctx.form != "markdown")):
        return findings, 0  # directives only mean something in files that hold (or build) an agent config or policy
    directives = find_directives(text)
    if not directives:
        return findings, 0
    kept: list[Finding] = []
    suppressed = 0
    for f in findings:
        hit = None
        for d in directives:
            if d.kind == "disable-file" or (d.kind == "disable" and d.line == f.line) or (
                d.kind == "disable-next-line" and d.line + 1 == f.line
            ):
                if d.covers(f):
                    hit = d
                    break
        if hit is not None:
            hit.used = True
            suppressed += 1
        else:
            kept.append(f)
    from masqlint.engine.catalog import rule_headers
    from masqlint.engine.lint import rule_enabled, rule_severity

    rule = rule_headers().get("MQ005")
    if rule is not None and rule_enabled(rule, fctx.settings):
        for d in directives:
            if not d.used:
                what = ", ".join(d.rules) if d.rules else "every rule"
                kept.append(
                    Finding(
                        rule=rule.id,
                        name=rule.name,
                        severity=rule_severity(rule, fctx.settings),
                        message=f"this `masqlint: {d.kind}` comment for {what} suppresses nothing here: remove it",
                        path=source.path,
                        span=Span(d.line, d.column, d.line, d.end_column),
                        fix=_removal(source, d),
                    )
                )
    return kept, suppressed


def add_late_finding(result, finding: Finding) -> None:
    """Add a finding made after the file was linted (a check across files) to ``result``: a
    directive that covers it suppresses it, and is then no longer reported as unused (MQ005)."""
    text = result.text or ""
    for d in find_directives(text):
        if d.kind == "disable-file" or (d.kind == "disable" and d.line == finding.line) or (
            d.kind == "disable-next-line" and d.line + 1 == finding.line
        ):
            if d.covers(finding):
                result.suppressed += 1
                result.findings = [
                    f for f in result.findings
                    if not (f.rule == "MQ005" and f.span.line == d.line and f.span.column == d.column)
                ]
                return
    result.findings.append(finding)


# --- Markdown: HTML comments that cover a fence ---------------------------------------------------

_HTML_DIRECTIVE = re.compile(
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
        rules = tuple(
            (r.strip().upper() if re.match(r"^MQ\d", r.strip(), re.I) else r.strip().lower())
            for r in (m.group("rules") or "").split(",")
            if r.strip()
        )
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
    """Apply a Markdown page's fence directives to the findings of its fences; report unused ones."""
    directives = find_block_directives(fctx.source.text or "", blocks)
    if not directives:
        return findings, 0
    kept: list[Finding] = []
    suppressed = 0
    for f in findings:
        hit = None
        for d in directives:
            inside = d.kind == "disable-file" or (d.block is not None and d.block[0] <= f.line <= d.block[1])
            if inside and d.covers(f):
                hit = d
                break
        if hit is not None:
            hit.used = True
            suppressed += 1
        else:
            kept.append(f)
    from masqlint.engine.catalog import rule_headers
    from masqlint.engine.lint import rule_enabled, rule_severity

    rule = rule_headers().get("MQ005")
    if rule is not None and rule_enabled(rule, fctx.settings):
        for d in directives:
            if d.used:
                continue
            what = ", ".join(d.rules) if d.rules else "every rule"
            where = " (no fence holding an agent config follows it)" if d.kind == "disable-next-fence" and d.block is None else ""
            kept.append(Finding(
                rule=rule.id, name=rule.name, severity=rule_severity(rule, fctx.settings),
                message=f"this `masqlint: {d.kind}` comment for {what} suppresses nothing here{where}: remove it",
                path=fctx.source.path, span=Span(d.line, d.column, d.line, d.end_column),
            ))  # no fix: outside a fence, masqlint changes nothing in a Markdown page
    return kept, suppressed
