"""JUnit XML: one test case per checked file, one failure per finding in it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from masqlint.engine.findings import RunResult
from masqlint.report._common import clean_span, ordered

# Characters XML 1.0 cannot carry at all (escaping does not help).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    pairs = ordered(result)
    suite = ET.Element(
        "testsuite",
        {
            "name": "masqlint",
            "tests": str(len(result.files)),
            "failures": str(len(pairs)),
            "errors": "0",
            "skipped": "0",
        },
    )
    cases = {}
    for file in result.files:
        cases[id(file)] = ET.SubElement(suite, "testcase", {"classname": "masqlint", "name": _xml(file.path)})
    for file, finding in pairs:
        span = clean_span(finding.span)
        failure = ET.SubElement(
            cases[id(file)], "failure", {"type": finding.rule, "message": _xml(finding.message)}
        )
        failure.text = _xml(
            f"{finding.path}:{span.line}:{span.column}: {finding.rule} "
            f"[{finding.severity.label}] {finding.message}"
        )
    ET.indent(suite, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
