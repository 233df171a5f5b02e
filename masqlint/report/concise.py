"""One line per finding: ``path:line:col: ID message``; nothing else."""

from __future__ import annotations

from masqlint.engine.findings import RunResult
from masqlint.report._common import clean_span, ordered, visible


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    lines = []
    for _file, finding in ordered(result):
        span = clean_span(finding.span)
        lines.append(
            f"{visible(finding.path)}:{span.line}:{span.column}: {finding.rule} {visible(finding.message)}\n"
        )
    return "".join(lines)
