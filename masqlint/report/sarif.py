"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run.  Columns and fix offsets count Unicode code points (``columnKind``
``unicodeCodePoints``), the way masqlint counts them.  Relative paths are given
against ``%SRCROOT%``.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from urllib.parse import quote

from masqlint.engine.findings import Finding, Fix, RuleInfo, RunResult, Severity
from masqlint.report._common import SourceLines, clean_span, digest, is_absolute, locator, occurrences, ordered, posix_path
from masqlint import __version__

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/masqlint/masqlint"
FINGERPRINT_KEY = "masqlintLocationHash/v1"

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

# Rule ids are grouped by concern in hundreds (see the rule catalog).
CATEGORY = {"0": "syntax", "1": "configmap", "2": "keys", "3": "cidrs", "4": "network-policy"}


def artifact_location(path: str) -> dict:
    if is_absolute(path):
        return {"uri": PurePath(path).as_uri()}
    uri = quote(posix_path(path), safe="/", errors="surrogateescape")
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def rule_tags(rule_id: str) -> list[str]:
    tags = ["ip-masq-agent"]
    if rule_id.startswith("MQ") and len(rule_id) == 5 and rule_id[2:].isdigit():
        tags.append(CATEGORY.get(rule_id[2], "other"))
    return tags


def rule_descriptor(rule: RuleInfo) -> dict:
    summary = rule.summary or rule.name
    help_parts = [rule.rationale or summary]
    md_parts = [f"**{rule.id} {rule.name}**: {summary}"]
    if rule.rationale:
        md_parts.append(rule.rationale)
    if rule.fix:
        help_parts.append(f"How to fix: {rule.fix}")
        md_parts.append(f"**How to fix:** {rule.fix}")
    if rule.fix_safety == "safe":
        help_parts.append("`masqlint check --fix` applies the fix.")
        md_parts.append("Fixable with `masqlint check --fix`.")
    elif rule.fix_safety == "unsafe":
        help_parts.append("`masqlint check --fix --unsafe-fixes` applies the fix; review it first.")
        md_parts.append("Fixable with `masqlint check --fix --unsafe-fixes` (review the change first).")
    if rule.help_uri:
        md_parts.append(f"[Documentation]({rule.help_uri})")
    descriptor: dict = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": rule.rationale or summary},
        "help": {"text": "\n\n".join(help_parts), "markdown": "\n\n".join(md_parts)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": rule_tags(rule.id)},
    }
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def sarif_fix(fix: Fix, location: dict) -> dict:
    replacements = []
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        deleted = {"charOffset": edit.start, "charLength": max(edit.end - edit.start, 0)}
        replacement: dict = {"deletedRegion": deleted}
        if edit.text:
            replacement["insertedContent"] = {"text": edit.text}
        replacements.append(replacement)
    safety = "safe fix" if fix.safe else "unsafe fix: review the change before applying it"
    return {
        "description": {"text": f"{fix.description} ({safety})"},
        "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}],
        "properties": {"safe": fix.safe},
    }


def render(result: RunResult, *, color: bool = False, tool_version: str = "", all_rules: bool = False) -> str:
    """The SARIF log; ``tool.driver.rules`` describes the rules the results use (every rule of the
    catalog with ``all_rules``, for viewers that list the rules a tool has)."""
    if not tool_version:
        tool_version = __version__
    pairs = ordered(result)
    used = {f.rule for _file, f in pairs}
    rules = [result.rules[key] for key in sorted(result.rules) if all_rules or key in used]
    index = {rule.id: i for i, rule in enumerate(rules)}
    for _file, finding in pairs:  # a finding whose rule the catalog does not know
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append(_rule_from_finding(finding))

    sources = SourceLines()
    located = []
    for file, finding in pairs:
        span = clean_span(finding.span)
        path = posix_path(finding.path)
        located.append((finding, span, path, locator(sources.line(file, span.line), span)))
    counters = occurrences([(f.rule, path, loc) for f, _span, path, loc in located])

    results = []
    for (finding, span, path, loc), nth in zip(located, counters):
        location = artifact_location(finding.path)
        entry: dict = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {
                            "startLine": span.line,
                            "startColumn": span.column,
                            "endLine": span.end_line,
                            "endColumn": span.end_column,
                        },
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: digest("sarif", finding.rule, path, loc, str(nth))},
        }
        if finding.related:
            entry["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {"artifactLocation": location, "region": _region(clean_span(sp))},
                    "message": {"text": what},
                }
                for i, (sp, what) in enumerate(finding.related, start=1)
            ]
        if finding.fix is not None:
            entry["fixes"] = [sarif_fix(finding.fix, location)]
        results.append(entry)

    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "masqlint",
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _region(span) -> dict:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _rule_from_finding(finding: Finding) -> RuleInfo:
    return RuleInfo(id=finding.rule, name=finding.name, severity=finding.severity, summary=finding.name)
