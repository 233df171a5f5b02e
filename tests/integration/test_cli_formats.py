"""Every output format through the command line: --format/--output pairs, GitHub Actions, fixer exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml
from paths import SARIF_SCHEMA
from paths import REPO as ROOT


BROKEN = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    # 링크-로컬 대역
    nonMasqueradeCIDRs:
      - 10.1.1.5/24
      - 10.1.2.0/24
      - 10.1.2.0/24
      - 10.300.0.0/16
    masqLinkLocaL: false
    resyncInterval: 60s
"""
FIXABLE = BROKEN.replace("      - 10.1.1.5/24\n", "").replace("      - 10.300.0.0/16\n", "")
FIXED = FIXABLE.replace("      - 10.1.2.0/24\n      - 10.1.2.0/24\n", "      - 10.1.2.0/24\n").replace(
    "masqLinkLocaL", "masqLinkLocal")


def masqlint(*args: str, cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "MASQLINT_DEBUG", "NO_COLOR")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "masqlint", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "ip-masq-agent.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def test_every_format_in_one_run(repo):
    outs = {fmt: f"reports/out.{fmt}" for fmt in ("text", "json", "sarif", "github", "gitlab", "junit")}
    (repo / "reports").mkdir()
    args = ["check", "--no-config", "deploy", "--format", "concise"]
    for fmt, out in outs.items():
        args += ["--format", fmt, "--output", out]
    r = masqlint(*args, cwd=repo)
    assert r.returncode == 1, r.stderr
    files = {fmt: (repo / out).read_text(encoding="utf-8") for fmt, out in outs.items()}

    # concise on standard output: path:line:col: ID message
    lines = r.stdout.splitlines()
    assert "deploy/ip-masq-agent.yaml:10:9: MQ302 " in r.stdout
    assert all(ln.startswith("deploy/ip-masq-agent.yaml:") for ln in lines), r.stdout
    rules = {ln.split(": ", 2)[1].split()[0] for ln in lines}
    assert {"MQ201", "MQ301", "MQ302", "MQ305"} <= rules

    # text: the source line and a caret under the finding
    assert "deploy/ip-masq-agent.yaml:10:9: MQ302 [" in files["text"]
    assert "10 |       - 10.1.1.5/24" in files["text"] and "^~~~~~~~~~~" in files["text"]

    # json: the same findings
    data = json.loads(files["json"])
    assert sorted({f["rule"] for f in data["findings"]}) == sorted(rules)

    # sarif: valid against the official schema, one result per finding, with regions
    sarif = json.loads(files["sarif"])
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(lines)
    host_bits = next(x for x in results if x["ruleId"] == "MQ302")
    region = host_bits["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (10, 9)

    # github: workflow commands
    assert "::error file=deploy/ip-masq-agent.yaml,line=13,col=9," in files["github"]
    assert "title=MQ301 " in files["github"] and "::warning " in files["github"]

    # gitlab: Code Quality
    cq = json.loads(files["gitlab"])
    assert {i["check_name"] for i in cq} == rules
    assert all(i["location"]["path"] == "deploy/ip-masq-agent.yaml" and i["location"]["lines"]["begin"] >= 1 for i in cq)
    assert {i["severity"] for i in cq} <= {"info", "minor", "major", "critical", "blocker"}

    # junit: one failed test case per finding; the suite's counts are those of its test cases
    xml = JUnitXml.fromfile(str(repo / outs["junit"]))
    cases = [c for suite in xml for c in suite]
    assert [c.name.split(":")[0] for c in cases] == ["deploy/ip-masq-agent.yaml"] * len(lines)
    assert all(len(c.result) == 1 for c in cases)
    assert [(s.tests, s.failures) for s in xml] == [(len(lines), len(lines))]


def test_output_belongs_to_the_format_before_it(repo):
    r = masqlint("check", "--no-config", "deploy", "--format", "concise", "--format", "sarif", "--output", "x.sarif", cwd=repo)
    assert r.returncode == 1
    assert r.stdout.startswith("deploy/ip-masq-agent.yaml:")
    assert json.loads((repo / "x.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"

    r = masqlint("check", "--no-config", "deploy", "--output", "only.txt", cwd=repo)  # no --format: the default one
    assert r.returncode == 1 and r.stdout == ""
    assert "MQ302" in (repo / "only.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--format", "json", "--output", "a", "--output", "b"], "each --output follows its own --format"),
    (["--format", "json", "--format", "text"], "only one --format can go to standard output"),
    (["--format", "xml"], "unknown format 'xml'"),
])
def test_format_usage_errors(repo, args, message):
    r = masqlint("check", "--no-config", "deploy", *args, cwd=repo)
    assert r.returncode == 2
    assert r.stdout == "" and message in r.stderr and r.stderr.count("\n") == 1


def test_github_actions_selects_annotations(repo):
    r = masqlint("check", "--no-config", "deploy", cwd=repo, env_extra={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1
    assert r.stdout.splitlines()[0].startswith("::")
    assert "::error file=deploy/ip-masq-agent.yaml,line=10,col=9," in r.stdout
    # an explicit --format wins, and only "true" means GitHub Actions
    r = masqlint("check", "--no-config", "deploy", "--format", "concise", cwd=repo, env_extra={"GITHUB_ACTIONS": "true"})
    assert r.stdout.startswith("deploy/ip-masq-agent.yaml:")
    r = masqlint("check", "--no-config", "deploy", cwd=repo, env_extra={"GITHUB_ACTIONS": "false"})
    assert "::error" not in r.stdout and "10 |" in r.stdout
    # a report to a file is the only output asked for
    r = masqlint("check", "--no-config", "deploy", "--format", "sarif", "--output", "r.sarif", cwd=repo,
                 env_extra={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1 and r.stdout == ""


def test_fix_exit_codes(tmp_path):
    # MQ401 is ignored: this one-entry list drops GKE's defaults on purpose, no fix can change that
    cm = tmp_path / "cm.yaml"
    cm.write_text(FIXABLE, encoding="utf-8")
    r = masqlint("check", "--no-config", "--ignore", "MQ401", "--fix", "cm.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stdout  # nothing left to report
    assert cm.read_text(encoding="utf-8") == FIXED and "Fixed 2 problems." in r.stderr

    cm.write_text(FIXABLE, encoding="utf-8")
    r = masqlint("check", "--no-config", "--ignore", "MQ401", "--fix", "--exit-non-zero-on-fix", "cm.yaml", cwd=tmp_path)
    assert r.returncode == 1  # a fixer that changed a file fails, as pre-commit expects
    assert cm.read_text(encoding="utf-8") == FIXED

    r = masqlint("check", "--no-config", "--ignore", "MQ401", "--fix", "--exit-non-zero-on-fix", "cm.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "Fixed" not in r.stderr  # nothing to change any more

    cm.write_text(BROKEN, encoding="utf-8")
    r = masqlint("check", "--no-config", "--fix", "cm.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "MQ301" in r.stdout  # what no safe fix can change still fails the run
