"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=MQ302 cidr-host-bits::message

Columns are given only when the finding starts and ends on one line: the runner
drops them otherwise.
"""

from __future__ import annotations

from masqlint.engine.findings import RunResult, Severity
from masqlint.report._common import clean_span, ordered, posix_path

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    lines = []
    for _file, finding in ordered(result):
        span = clean_span(finding.span)
        props = [("file", posix_path(finding.path)), ("line", str(span.line))]
        if span.end_line == span.line:
            props += [
                ("col", str(span.column)),
                ("endLine", str(span.end_line)),
                ("endColumn", str(span.end_column)),
            ]
        else:
            props.append(("endLine", str(span.end_line)))
        props.append(("title", f"{finding.rule} {finding.name}"))
        rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        lines.append(f"::{COMMAND[finding.severity]} {rendered}::{escape_data(finding.message)}\n")
    return "".join(lines)
