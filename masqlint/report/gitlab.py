"""GitLab Code Quality report (a JSON array of Code Climate issues).

The fingerprint is a SHA-256 of rule, path, message and an occurrence counter, not
of the line: a finding keeps its fingerprint when lines are added above it, so the
merge request widget shows it as unchanged.
"""

from __future__ import annotations

import json

from masqlint.engine.findings import RunResult, Severity
from masqlint.report._common import clean_span, digest, occurrences, ordered, posix_path

SEVERITY = {Severity.INFO: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    pairs = ordered(result)
    keys = [(f.rule, posix_path(f.path), f.message) for _file, f in pairs]
    issues = []
    for (rule, path, message), nth, (_file, finding) in zip(keys, occurrences(keys), pairs):
        span = clean_span(finding.span)
        issues.append(
            {
                "description": f"{finding.rule} {finding.name}: {finding.message}",
                "check_name": finding.rule,
                "fingerprint": digest("gitlab", rule, path, message, str(nth)),
                "severity": SEVERITY[finding.severity],
                "location": {
                    "path": path,
                    "lines": {"begin": span.line, "end": span.end_line},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
