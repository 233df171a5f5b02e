"""The default, human-readable format: each finding with its source line and a caret.

    deploy/ip-masq-agent.yaml:9:9: MQ302 [error] (target gke) 10.1.1.5/24 has host bits set ...
     9 |       - 10.1.1.5/24
       |         ^~~~~~~~~~~

followed by a summary of the run.
"""

from __future__ import annotations

from masqlint.engine.findings import RunResult, Severity
from masqlint.report._common import SourceLines, caret_line, clean_span, count_by_severity, ordered, plural, visible, window

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
SEVERITY_STYLE = {
    Severity.ERROR: "\x1b[1;31m",  # bold red
    Severity.WARNING: "\x1b[1;33m",  # bold yellow
    Severity.INFO: "\x1b[1;36m",  # bold cyan
}


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    return findings_text(result, color=color) + summary(result)


def findings_text(result: RunResult, *, color: bool = False) -> str:
    """Every finding with its source line, without the closing summary."""
    def style(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    sources = SourceLines()
    blocks: list[str] = []
    for file, finding in ordered(result):
        span = clean_span(finding.span)
        sev = finding.severity
        lines = [
            f"{visible(finding.path)}:{span.line}:{span.column}: "
            f"{style(BOLD, finding.rule)} {style(SEVERITY_STYLE[sev], f'[{sev.label}]')} "
            + (f"(target {finding.target}) " if finding.target else "")
            + f"{visible(finding.message)}"
        ]
        source = sources.line(file, span.line)
        if source is not None:
            source, span = window(source, span)
            number = str(span.line)
            gutter = " " * len(number)
            shown = visible(source)
            lines.append(f" {number} |" + (f" {shown}" if shown else ""))
            caret = caret_line(source, span)
            pad, marks = caret[: caret.index("^")], caret[caret.index("^") :]
            lines.append(f" {gutter} | {pad}{style(SEVERITY_STYLE[sev], marks)}")
        blocks.append("\n".join(lines))

    out = "\n\n".join(blocks)
    if out:
        out += "\n\n"
    return out


def summary(result: RunResult, fixable: tuple[int, int] | None = None) -> str:
    """The closing lines: what was found, what was checked, what --fix can do. ``fixable`` is
    (safe, unsafe): how many problems --fix (and --unsafe-fixes) will fix, fixes they uncover
    included; without it, the findings that carry a fix are counted."""
    findings: list = []
    files_with = configs = policies = suppressed = 0
    for f in result.files:  # (one pass: a run over a large tree has tens of thousands of clean files)
        if f.findings:
            findings.extend(f.findings)
            files_with += 1
        configs += f.configs
        policies += f.policies
        suppressed += f.suppressed
    checked = f"{plural(result.files_checked, 'file')} checked, {plural(configs, 'ip-masq-agent config')}"
    if policies:
        checked += f", {plural(policies, 'EgressNATPolicy', 'EgressNATPolicies')}"
    if suppressed:
        checked += f", {suppressed} suppressed"
    if findings:
        counts = count_by_severity(findings)
        words = ((Severity.ERROR, "error", "errors"), (Severity.WARNING, "warning", "warnings"),
                 (Severity.INFO, "info", "info"))
        by_severity = ", ".join(plural(counts[sev], one, many) for sev, one, many in words if counts[sev])
        head = f"Found {plural(len(findings), 'problem')} ({by_severity}) in {plural(files_with, 'file')}"
    else:
        head = "No problems found"
    lines = [f"{head}; {checked}."]

    safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    if fixable is not None:
        safe, unsafe = fixable
    if safe and unsafe:
        lines.append(f"[*] {safe} fixable with --fix ({unsafe} more with --fix --unsafe-fixes)")
    elif safe:
        lines.append(f"[*] {safe} fixable with --fix")
    elif unsafe:
        lines.append(f"[*] {unsafe} fixable with --fix --unsafe-fixes")
    return "\n".join(lines) + "\n"
