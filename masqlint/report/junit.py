"""JUnit XML: a failed test case per finding, a passed one per file without findings."""

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
    """One test case per finding (failed) and one per file without findings (passed), so that
    ``tests`` counts the test cases and ``failures`` the failed ones, as JUnit readers expect."""
    pairs = ordered(result)
    by_file: dict[int, list] = {}
    for file, finding in pairs:
        by_file.setdefault(id(file), []).append(finding)
    suite = ET.Element("testsuite", {"name": "masqlint", "tests": "0", "failures": str(len(pairs)), "errors": "0",
                                     "skipped": "0"})
    tests = 0
    for file in result.files:
        findings = by_file.get(id(file))
        if not findings:
            ET.SubElement(suite, "testcase", {"classname": "masqlint", "name": _xml(file.path)})
            tests += 1
            continue
        for finding in findings:
            span = clean_span(finding.span)
            where = f"{finding.path}:{span.line}:{span.column}"
            case = ET.SubElement(suite, "testcase", {"classname": "masqlint",
                                                     "name": _xml(f"{where}: {finding.rule} {finding.name}")})
            failure = ET.SubElement(case, "failure", {"type": finding.rule, "message": _xml(finding.message)})
            failure.text = _xml(f"{where}: {finding.rule} [{finding.severity.label}] {finding.message}")
            tests += 1
    suite.set("tests", str(tests))
    ET.indent(suite, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
