"""Every output format, on one realistic run built by hand."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, TestSuite

from masqlint.report.sarif import render as render_sarif

from masqlint.engine.findings import Edit, FileResult, Finding, Fix, RuleInfo, RunResult, Severity, Span
from masqlint.report import FORMATS, render
from paths import SARIF_SCHEMA
from paths import REPO


# -- the run ---------------------------------------------------------------------------

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRS:
      - 10.1.1.5/24
      - 10.2.1.100
      - 100.64.0.0/10
    resyncInterval: 60s
"""

CLEAN = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.1.1.0/24
      - 100.64.0.0/10
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
"""

# A standalone agent config typed with an IME: Korean comment, fullwidth digits.
AGENT_CONFIG = """\
# 온프레미스 Private Endpoint(10.2.1.100)는 노드 IP로 나가야 한다
nonMasqueradeCIDRs: ["１０.1.1.0/24", "100.64.0.5/10"]
masqLinkLocal: false
"""

RULES = {
    r.id: r
    for r in [
        RuleInfo(
            "MQ002",
            "lookalike-character",
            Severity.ERROR,
            "A lookalike character stands where YAML syntax belongs",
            rationale="An en dash is not a list marker.",
            fix="Replace the character with its ASCII counterpart.",
            fix_safety="safe",
        ),
        RuleInfo(
            "MQ201",
            "key-casing",
            Severity.WARNING,
            "Key is known only case-insensitively",
            rationale="The agent matches keys case-insensitively, other tools do not.",
            fix="Write the key exactly as the agent documents it.",
            fix_safety="safe",
            help_uri="https://github.com/masqlint/masqlint/blob/main/rules/MQ201-key-casing.yaml",
        ),
        RuleInfo(
            "MQ301",
            "invalid-cidr",
            Severity.ERROR,
            "Entry is not a CIDR",
            rationale="One unparsable entry makes the agent reject the whole file.",
        ),
        RuleInfo(
            "MQ302",
            "cidr-host-bits",
            Severity.ERROR,
            "CIDR has host bits set",
            rationale='The agent rejects "10.1.1.5/24" as not aligned.',
            fix="Clear the host bits.",
            fix_safety="unsafe",
        ),
        RuleInfo(
            "MQ401",
            "dropped-default",
            Severity.WARNING,
            "The list drops part of the default ranges",
            rationale="A present nonMasqueradeCIDRs replaces the defaults.",
        ),
    ]
}


def locate(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Character offsets [start, end) of the nth occurrence of needle."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def span(text: str, start: int, end: int) -> Span:
    return Span(*position(text, start), *position(text, end))


def finding(path, text, rule, severity, message, needle, *, nth=0, until=None, fix=None, safe=True):
    start, end = locate(text, needle, nth)
    if until is not None:
        end = locate(text, until)[1]
    fix_obj = None
    if fix is not None:
        old, new, description = fix
        fstart, fend = locate(text, old)
        fix_obj = Fix(description, (Edit(fstart, fend, new),), safe=safe)
    return Finding(rule, RULES[rule].name, severity, message, path, span(text, start, end), fix=fix_obj)


def make_result(shift: int = 0) -> RunResult:
    """The run; `shift` adds comment lines at the top of every file."""
    head = "# added later\n" * shift
    cm, clean, deploy, agent = (head + t for t in (CONFIGMAP, CLEAN, DEPLOYMENT, AGENT_CONFIG))
    p1, p4 = "deploy/ip-masq-agent.yaml", "config/ip-masq-agent.conf"
    file1 = FileResult(
        p1,
        cm,
        [
            finding(p1, cm, "MQ302", Severity.ERROR,
                    '10.1.1.5/24 has host bits set: the agent rejects the whole file ("not aligned")',
                    "10.1.1.5/24", fix=("10.1.1.5/24", "10.1.1.0/24", "Replace with 10.1.1.0/24"), safe=False),
            finding(p1, cm, "MQ201", Severity.WARNING,
                    'key "nonMasqueradeCIDRS" is matched case-insensitively; write "nonMasqueradeCIDRs"',
                    "nonMasqueradeCIDRS",
                    fix=("nonMasqueradeCIDRS", "nonMasqueradeCIDRs", "Rename to nonMasqueradeCIDRs")),
            finding(p1, cm, "MQ401", Severity.WARNING,
                    "the list drops the defaults 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (and 7 more): "
                    "traffic to them is masqueraded",
                    "nonMasqueradeCIDRS", until="100.64.0.0/10"),
            finding(p1, cm, "MQ301", Severity.ERROR,
                    '"10.2.1.100" is not a CIDR (bare IP address); write 10.2.1.100/32',
                    "10.2.1.100", nth=0),
        ],
        configs=1,
        suppressed=1,
    )
    file2 = FileResult("deploy/clean.yaml", clean, [], configs=1)
    file3 = FileResult("deploy/deployment.yaml", deploy, [], configs=0)
    file4 = FileResult(
        p4,
        agent,
        [
            finding(p4, agent, "MQ301", Severity.ERROR,
                    '"１０.1.1.0/24" is not a CIDR: "１０" are fullwidth digits',
                    '"１０.1.1.0/24"'),
            finding(p4, agent, "MQ302", Severity.ERROR,
                    "100.64.0.5/10 has host bits set: the agent rejects the whole file",
                    '"100.64.0.5/10"', fix=("100.64.0.5/10", "100.64.0.0/10", "Replace with 100.64.0.0/10"),
                    safe=False),
        ],
        configs=1,
    )
    return RunResult(files=[file1, file2, file3, file4], rules=dict(RULES))


def clean_result() -> RunResult:
    return RunResult(
        files=[FileResult("deploy/clean.yaml", CLEAN, [], configs=1), FileResult("README.yaml", "a: 1\n")],
        rules=dict(RULES),
    )


# -- dispatcher --------------------------------------------------------------------------


def test_formats_and_dispatch():
    assert FORMATS == ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
    result = make_result()
    for fmt in FORMATS:
        out = render(fmt, result, tool_version="9.9.9")
        assert out.endswith("\n"), fmt
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", result)


def test_import_is_light():
    code = (
        "import sys, typing, __future__, dataclasses, enum\n"  # the stdlib basics findings.py stands on
        "before = set(sys.modules)\n"
        "import masqlint.report\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    # No format module, no json, xml, jsonschema, hashlib, ...: only the package itself.
    assert set(out.stdout.split()) <= {"__future__", "typing", "masqlint", "masqlint.report"}


def test_fixture_positions():
    result = make_result()
    by_rule = {f.rule: f for f in result.files[0].findings}
    assert (by_rule["MQ302"].line, by_rule["MQ302"].column) == (9, 9)
    assert by_rule["MQ302"].span == Span(9, 9, 9, 20)
    assert by_rule["MQ201"].span == Span(8, 5, 8, 23)
    assert by_rule["MQ401"].span == Span(8, 5, 11, 22)
    agent = result.files[3]
    assert [f.span for f in agent.findings] == [Span(2, 22, 2, 35), Span(2, 37, 2, 52)]


# -- text -----------------------------------------------------------------------------------

EXPECTED_TEXT = """\
config/ip-masq-agent.conf:2:22: MQ301 [error] "１０.1.1.0/24" is not a CIDR: "１０" are fullwidth digits
 2 | nonMasqueradeCIDRs: ["１０.1.1.0/24", "100.64.0.5/10"]
   |                      ^~~~~~~~~~~~~~~

config/ip-masq-agent.conf:2:37: MQ302 [error] 100.64.0.5/10 has host bits set: the agent rejects the whole file
 2 | nonMasqueradeCIDRs: ["１０.1.1.0/24", "100.64.0.5/10"]
   |                                       ^~~~~~~~~~~~~~~

deploy/ip-masq-agent.yaml:8:5: MQ201 [warning] key "nonMasqueradeCIDRS" is matched case-insensitively; \
write "nonMasqueradeCIDRs"
 8 |     nonMasqueradeCIDRS:
   |     ^~~~~~~~~~~~~~~~~~

deploy/ip-masq-agent.yaml:8:5: MQ401 [warning] the list drops the defaults 10.0.0.0/8, 172.16.0.0/12, \
192.168.0.0/16 (and 7 more): traffic to them is masqueraded
 8 |     nonMasqueradeCIDRS:
   |     ^~~~~~~~~~~~~~~~~~~

deploy/ip-masq-agent.yaml:9:9: MQ302 [error] 10.1.1.5/24 has host bits set: the agent rejects the whole file \
("not aligned")
 9 |       - 10.1.1.5/24
   |         ^~~~~~~~~~~

deploy/ip-masq-agent.yaml:10:9: MQ301 [error] "10.2.1.100" is not a CIDR (bare IP address); write 10.2.1.100/32
 10 |       - 10.2.1.100
    |         ^~~~~~~~~~

Found 6 problems (4 errors, 2 warnings) in 2 files; 4 files checked, 3 ip-masq-agent configs, 1 suppressed.
[*] 1 fixable with --fix (2 more with --fix --unsafe-fixes)
"""


def test_text_exact():
    assert render("text", make_result()) == EXPECTED_TEXT


def test_text_is_the_default_and_plain_without_color():
    out = render("text", make_result())
    assert "\x1b" not in out
    assert FORMATS[0] == "text"


def test_text_color():
    out = render("text", make_result(), color=True)
    assert "\x1b[1mMQ302\x1b[0m" in out
    assert "\x1b[1;31m[error]\x1b[0m" in out
    assert "\x1b[1;33m[warning]\x1b[0m" in out
    assert "\x1b[1;31m^~~~~~~~~~~\x1b[0m" in out
    # Without the escapes it is the plain output.
    assert re.sub("\x1b\\[[0-9;]*m", "", out) == EXPECTED_TEXT


def test_text_no_problems():
    assert render("text", clean_result()) == "No problems found; 2 files checked, 1 ip-masq-agent config.\n"
    result = clean_result()
    result.files[0].suppressed = 2
    assert render("text", result) == (
        "No problems found; 2 files checked, 1 ip-masq-agent config, 2 suppressed.\n"
    )
    assert render("text", RunResult()) == "No problems found; 0 files checked, 0 ip-masq-agent configs.\n"


def test_text_singular_and_unsafe_only():
    text = "nonMasqueradeCIDRs: [10.1.1.5/24]\n"
    f = finding("a.yaml", text, "MQ302", Severity.ERROR, "host bits", "10.1.1.5/24",
                fix=("10.1.1.5/24", "10.1.1.0/24", "Replace"), safe=False)
    info = Finding("MQ307", "mergeable-cidrs", Severity.INFO, "could merge", "a.yaml", Span(1, 1, 1, 19))
    result = RunResult(files=[FileResult("a.yaml", text, [f, info], configs=1)])
    out = render("text", result)
    assert out.endswith(
        "Found 2 problems (1 error, 1 info) in 1 file; 1 file checked, 1 ip-masq-agent config.\n"
        "[*] 1 fixable with --fix --unsafe-fixes\n"
    )


def test_text_tabs_kept_and_controls_visible():
    text = "key:\t\x1b[31m\tbad\n"
    f = Finding("MQ001", "yaml-syntax", Severity.ERROR, "tab\x07 here", "t.yaml", Span(1, 12, 1, 15))
    out = render("text", RunResult(files=[FileResult("t.yaml", text, [f])]))
    lines = out.splitlines()
    assert lines[0] == "t.yaml:1:12: MQ001 [error] tab\u2407 here"
    assert lines[1] == " 1 | key:\t\u241b[31m\tbad"
    assert lines[2] == "   |     \t     \t^~~"


def test_text_without_source_and_past_the_end():
    unread = FileResult("bin.yaml", None, [
        Finding("MQ004", "encoding", Severity.ERROR, "not valid UTF-8", "bin.yaml", Span(1, 1, 1, 1))
    ], error="invalid start byte")
    crlf_text = "a: 1\r\nb: 2\r\n"
    eol = FileResult("crlf.yaml", crlf_text, [
        Finding("MQ203", "unknown-key", Severity.WARNING, "unknown key b", "crlf.yaml", Span(2, 5, 2, 9))
    ])
    out = render("text", RunResult(files=[unread, eol]))
    assert out.startswith(
        "bin.yaml:1:1: MQ004 [error] not valid UTF-8\n\n"
        "crlf.yaml:2:5: MQ203 [warning] unknown key b\n"
        " 2 | b: 2\n"
        "   |     ^\n\n"
    )


# -- concise ----------------------------------------------------------------------------------


def test_concise_exact():
    assert render("concise", make_result()) == (
        'config/ip-masq-agent.conf:2:22: MQ301 "１０.1.1.0/24" is not a CIDR: "１０" are fullwidth digits\n'
        "config/ip-masq-agent.conf:2:37: MQ302 100.64.0.5/10 has host bits set: the agent rejects the whole file\n"
        'deploy/ip-masq-agent.yaml:8:5: MQ201 key "nonMasqueradeCIDRS" is matched case-insensitively; '
        'write "nonMasqueradeCIDRs"\n'
        "deploy/ip-masq-agent.yaml:8:5: MQ401 the list drops the defaults 10.0.0.0/8, 172.16.0.0/12, "
        "192.168.0.0/16 (and 7 more): traffic to them is masqueraded\n"
        'deploy/ip-masq-agent.yaml:9:9: MQ302 10.1.1.5/24 has host bits set: the agent rejects the whole file '
        '("not aligned")\n'
        'deploy/ip-masq-agent.yaml:10:9: MQ301 "10.2.1.100" is not a CIDR (bare IP address); write 10.2.1.100/32\n'
    )
    assert render("concise", clean_result()) == ""


# -- json -------------------------------------------------------------------------------------


def test_json_contract():
    result = make_result()
    out = render("json", result)
    data = json.loads(out)
    assert list(data) == ["findings", "files_checked", "configs_found", "suppressed"]
    assert (data["files_checked"], data["configs_found"], data["suppressed"]) == (4, 3, 1)
    assert list(data["findings"][0]) == [
        "rule", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "fixable", "target", "related",
    ]
    expected = sorted(result.findings, key=Finding.sort_key)
    assert data["findings"] == [f.to_dict() for f in expected]
    assert data["findings"][4] == {
        "rule": "MQ302",
        "name": "cidr-host-bits",
        "severity": "error",
        "message": '10.1.1.5/24 has host bits set: the agent rejects the whole file ("not aligned")',
        "path": "deploy/ip-masq-agent.yaml",
        "line": 9,
        "column": 9,
        "end_line": 9,
        "end_column": 20,
        "fixable": True,
        "target": None,  # a finding made without a config context names no target
        "related": [],
    }
    assert "１０" in out  # UTF-8, not \\u escapes
    assert out.startswith('{\n  "findings": [\n    {\n      "rule": ')
    assert json.loads(render("json", clean_result())) == {
        "findings": [], "files_checked": 2, "configs_found": 1, "suppressed": 0,
    }


# -- sarif ------------------------------------------------------------------------------------


def sarif_validator():
    candidates = [
        os.environ.get("MASQLINT_SARIF_SCHEMA", ""),
        SARIF_SCHEMA,
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            schema = json.loads(Path(candidate).read_text(encoding="utf-8"))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            return cls(schema, format_checker=cls.FORMAT_CHECKER)
    pytest.fail("the official SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json) was not found")


def assert_valid_sarif(text: str) -> dict:
    log = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


def test_sarif_valid_with_fixes():
    result = make_result()
    log = assert_valid_sarif(render("sarif", result, tool_version="1.2.3"))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("masqlint", "1.2.3")
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["MQ201", "MQ301", "MQ302", "MQ401"]  # the rules the results use, not MQ002
    every = json.loads(render_sarif(result, tool_version="1.2.3", all_rules=True))["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in every["rules"]] == ["MQ002", "MQ201", "MQ301", "MQ302", "MQ401"]
    mq201 = driver["rules"][0]
    assert mq201["name"] == "key-casing"
    assert mq201["shortDescription"]["text"] == RULES["MQ201"].summary
    assert mq201["fullDescription"]["text"] == RULES["MQ201"].rationale
    assert mq201["defaultConfiguration"]["level"] == "warning"
    assert mq201["helpUri"] == RULES["MQ201"].help_uri
    assert RULES["MQ201"].rationale in mq201["help"]["text"]
    assert RULES["MQ201"].fix in mq201["help"]["text"]
    assert "--fix" in mq201["help"]["markdown"]
    assert "tags" in mq201["properties"] and "keys" in mq201["properties"]["tags"]
    assert "helpUri" not in driver["rules"][1]

    results = run["results"]
    assert len(results) == 6
    for res in results:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    host_bits = results[4]
    assert host_bits["ruleId"] == "MQ302" and host_bits["level"] == "error"
    loc = host_bits["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "deploy/ip-masq-agent.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 9, "startColumn": 9, "endLine": 9, "endColumn": 20}
    assert results[3]["locations"][0]["physicalLocation"]["region"]["endLine"] == 11
    assert "unsafe" in host_bits["fixes"][0]["description"]["text"]
    assert host_bits["fixes"][0]["properties"]["safe"] is False

    casing = results[2]
    assert casing["ruleId"] == "MQ201" and "safe fix" in casing["fixes"][0]["description"]["text"]
    assert "fixes" not in results[3]

    # Fix offsets count characters of the decoded text (the Korean line sits before them).
    text = result.files[3].text
    (change,) = results[1]["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "config/ip-masq-agent.conf"
    (rep,) = change["replacements"]
    off, length = rep["deletedRegion"]["charOffset"], rep["deletedRegion"]["charLength"]
    assert text[off:off + length] == "100.64.0.5/10"
    assert len(text.encode("utf-8")) > len(text)  # bytes would have been the wrong unit
    fixed = text[:off] + rep["insertedContent"]["text"] + text[off + length:]
    assert '"100.64.0.0/10"' in fixed.splitlines()[1]


def test_sarif_valid_without_fixes_and_empty():
    result = make_result()
    for file in result.files:
        for f in file.findings:
            f.fix = None
    log = assert_valid_sarif(render("sarif", result))
    assert all("fixes" not in r for r in log["runs"][0]["results"])
    from masqlint import __version__

    assert log["runs"][0]["tool"]["driver"]["version"] == __version__
    log = assert_valid_sarif(render("sarif", clean_result()))
    assert log["runs"][0]["results"] == []
    assert_valid_sarif(render("sarif", RunResult()))


def test_sarif_unknown_rule_absolute_path_and_odd_names():
    text = "x: 1\n"
    findings = [
        Finding("ORG001", "org-policy", Severity.INFO, "custom", "/srv/repo/a b.yaml", Span(1, 1, 1, 2)),
        Finding("MQ203", "unknown-key", Severity.WARNING, "unknown", "dir/c:d#e.yaml", Span(1, 1, 1, 2)),
    ]
    result = RunResult(files=[
        FileResult("/srv/repo/a b.yaml", text, [findings[0]]),
        FileResult("dir/c:d#e.yaml", text, [findings[1]]),
    ])
    log = assert_valid_sarif(render("sarif", result))
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["ORG001", "MQ203"]
    first, second = run["results"]
    assert first["level"] == "note"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///srv/repo/a%20b.yaml"}
    assert second["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "dir/c%3Ad%23e.yaml", "uriBaseId": "%SRCROOT%",
    }


def sarif_fingerprints(result: RunResult) -> list[str]:
    log = json.loads(render("sarif", result))
    return [r["partialFingerprints"]["masqlintLocationHash/v1"] for r in log["runs"][0]["results"]]


def test_sarif_fingerprints_stable():
    first = sarif_fingerprints(make_result())
    assert len(set(first)) == len(first)
    assert first == sarif_fingerprints(make_result())
    assert first == sarif_fingerprints(make_result(shift=3))
    changed = make_result()
    changed.files[0].findings[0].message = "reworded"
    assert first == sarif_fingerprints(changed)


# -- github -----------------------------------------------------------------------------------


def test_github_exact():
    assert render("github", make_result()) == (
        "::error file=config/ip-masq-agent.conf,line=2,col=22,endLine=2,endColumn=35,title=MQ301 invalid-cidr::"
        '"１０.1.1.0/24" is not a CIDR: "１０" are fullwidth digits\n'
        "::error file=config/ip-masq-agent.conf,line=2,col=37,endLine=2,endColumn=52,title=MQ302 cidr-host-bits::"
        "100.64.0.5/10 has host bits set: the agent rejects the whole file\n"
        "::warning file=deploy/ip-masq-agent.yaml,line=8,col=5,endLine=8,endColumn=23,title=MQ201 key-casing::"
        'key "nonMasqueradeCIDRS" is matched case-insensitively; write "nonMasqueradeCIDRs"\n'
        "::warning file=deploy/ip-masq-agent.yaml,line=8,endLine=11,title=MQ401 dropped-default::"
        "the list drops the defaults 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (and 7 more): "
        "traffic to them is masqueraded\n"
        "::error file=deploy/ip-masq-agent.yaml,line=9,col=9,endLine=9,endColumn=20,title=MQ302 cidr-host-bits::"
        '10.1.1.5/24 has host bits set: the agent rejects the whole file ("not aligned")\n'
        "::error file=deploy/ip-masq-agent.yaml,line=10,col=9,endLine=10,endColumn=19,title=MQ301 invalid-cidr::"
        '"10.2.1.100" is not a CIDR (bare IP address); write 10.2.1.100/32\n'
    )
    assert render("github", clean_result()) == ""


def test_github_escaping_and_notice():
    f = Finding(
        "MQ307", "mergeable-cidrs", Severity.INFO,
        "100% of 10.1.0.0/24, 10.1.1.0/24:\r\nmerge into 10.1.0.0/23",
        "dir,x/a:b%.yaml", Span(3, 1, 3, 5),
    )
    out = render("github", RunResult(files=[FileResult("dir,x/a:b%.yaml", None, [f])]))
    assert out == (
        "::notice file=dir%2Cx/a%3Ab%25.yaml,line=3,col=1,endLine=3,endColumn=5,title=MQ307 mergeable-cidrs::"
        "100%25 of 10.1.0.0/24, 10.1.1.0/24:%0D%0Amerge into 10.1.0.0/23\n"
    )
    assert out.count("\n") == 1


# -- gitlab -----------------------------------------------------------------------------------


def test_gitlab_report():
    issues = json.loads(render("gitlab", make_result()))
    assert isinstance(issues, list) and len(issues) == 6
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
    casing = issues[2]
    assert casing["check_name"] == "MQ201"
    assert casing["description"] == (
        'MQ201 key-casing: key "nonMasqueradeCIDRS" is matched case-insensitively; write "nonMasqueradeCIDRs"'
    )
    assert casing["severity"] == "minor"
    assert casing["location"] == {"path": "deploy/ip-masq-agent.yaml", "lines": {"begin": 8, "end": 8}}
    assert issues[3]["location"]["lines"] == {"begin": 8, "end": 11}
    assert [i["severity"] for i in issues] == ["major", "major", "minor", "minor", "major", "major"]
    assert render("gitlab", clean_result()) == "[]\n"

    info = Finding("MQ307", "mergeable-cidrs", Severity.INFO, "m", "./x.yaml", Span(1, 1, 1, 2))
    (issue,) = json.loads(render("gitlab", RunResult(files=[FileResult("./x.yaml", None, [info])])))
    assert issue["severity"] == "info"
    assert issue["location"]["path"] == "x.yaml"


def gitlab_fingerprints(result: RunResult) -> list[str]:
    return [i["fingerprint"] for i in json.loads(render("gitlab", result))]


def test_gitlab_fingerprints_stable():
    first = gitlab_fingerprints(make_result())
    assert len(set(first)) == len(first)
    assert first == gitlab_fingerprints(make_result())
    assert first == gitlab_fingerprints(make_result(shift=2))


def test_gitlab_fingerprint_occurrence_counter():
    text = "nonMasqueradeCIDRs: [10.0.0.0/8, 10.0.0.0/8, 10.0.0.0/8]\n"
    dupes = [
        finding("d.yaml", text, "MQ301", Severity.ERROR, "same message", "10.0.0.0/8", nth=i) for i in range(3)
    ]
    fps = gitlab_fingerprints(RunResult(files=[FileResult("d.yaml", text, dupes)]))
    assert len(set(fps)) == 3


# -- junit ------------------------------------------------------------------------------------


def test_junit_parses():
    out = render("junit", make_result())
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="masqlint"')
    xml = JUnitXml.fromstring(out)
    suite = xml if isinstance(xml, TestSuite) else next(iter(xml))
    assert suite.name == "masqlint"
    assert (suite.tests, suite.failures) == (8, 6)  # the counts are those of the test cases
    cases = list(suite)
    assert len(cases) == suite.tests and sum(not c.is_passed for c in cases) == suite.failures
    names = [c.name for c in cases]
    assert names[4:6] == ["deploy/clean.yaml", "deploy/deployment.yaml"]
    assert [n.split(":")[0] for n in names] == ["deploy/ip-masq-agent.yaml"] * 4 + names[4:6] + ["config/ip-masq-agent.conf"] * 2
    assert all(c.classname == "masqlint" for c in cases)
    failures = [[r for r in c.result if isinstance(r, Failure)] for c in cases]
    assert [len(f) for f in failures] == [1, 1, 1, 1, 0, 0, 1, 1]
    assert cases[4].is_passed and cases[5].is_passed
    host_bits = failures[2][0]
    assert cases[2].name == "deploy/ip-masq-agent.yaml:9:9: MQ302 cidr-host-bits"
    assert host_bits.type == "MQ302"
    assert host_bits.message == '10.1.1.5/24 has host bits set: the agent rejects the whole file ("not aligned")'
    assert host_bits.text == (
        'deploy/ip-masq-agent.yaml:9:9: MQ302 [error] 10.1.1.5/24 has host bits set: the agent rejects the whole '
        'file ("not aligned")'
    )
    failures = [f for fs in failures for f in fs]
    assert any("１０" in f.text for f in failures[4:])


def test_junit_survives_control_characters():
    f = Finding("MQ001", "yaml-syntax", Severity.ERROR, "bad \x00\x1b byte <&>", "a\x01.yaml", Span(1, 1, 1, 2))
    out = render("junit", RunResult(files=[FileResult("a\x01.yaml", None, [f])]))
    xml = JUnitXml.fromstring(out)
    suite = xml if isinstance(xml, TestSuite) else next(iter(xml))
    (case,) = list(suite)
    (failure,) = case.result
    assert failure.message == "bad \ufffd\ufffd byte <&>"
    empty = JUnitXml.fromstring(render("junit", RunResult()))
    assert (empty.tests, empty.failures) == (0, 0)
