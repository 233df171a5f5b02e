"""Item 11: small output fixes: JUnit counts match the test cases, no internal ids in rule docs or
SARIF, SARIF describes only the rules it uses (all with --sarif-all-rules), messages start in
lower case."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from masqlint.engine.catalog import load_catalog

from .conftest import GKE_DEFAULTS, ROOT, configmap, write

# the recorded agent runs are named like `a1_key_capital_S` or `conformance:j5_absent`
INTERNAL_ID = re.compile(r"conformance|\b[a-z]\d+[a-z]?_[A-Za-z0-9_]+\b|\b(?:az|cilium)_[a-z0-9_]+")

TWO_FINDINGS = configmap(*GKE_DEFAULTS, "10.1.1.5/24").replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS")


def test_junit_counts_match_the_test_cases(cli, tmp_path):
    write(tmp_path / "deploy" / "cm.yaml", TWO_FINDINGS)
    write(tmp_path / "deploy" / "web.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n")
    code, out, _ = cli("check", "--no-config", "--format", "junit", "deploy")
    suite = ET.fromstring(out)
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    assert (suite.get("tests"), suite.get("failures")) == (str(len(cases)), str(len(failed)))
    assert (len(cases), len(failed)) == (3, 2)
    assert all(len(c.findall("failure")) == 1 for c in failed)


def test_sarif_describes_only_the_rules_it_uses(cli, tmp_path):
    write(tmp_path / "cm.yaml", TWO_FINDINGS)
    code, out, _ = cli("check", "--no-config", "--format", "sarif", "cm.yaml")
    run = json.loads(out)["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert sorted(rules) == sorted({r["ruleId"] for r in run["results"]}) == ["MQ201", "MQ302"]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert len(out) < 20_000
    code, out, _ = cli("check", "--no-config", "--format", "sarif", "--sarif-all-rules", "cm.yaml")
    every = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in every] == list(load_catalog())
    assert all(r["fullDescription"]["text"] and r["help"]["markdown"] for r in every)


def test_no_internal_ids_in_rule_docs_or_sarif(cli, tmp_path):
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "## MQ201 key-casing" in docs and not INTERNAL_ID.findall(docs)
    for rule in load_catalog():
        code, out, _ = cli("rule", rule)
        assert code == 0 and out.startswith(rule) and not INTERNAL_ID.findall(out), (rule, INTERNAL_ID.findall(out))
    write(tmp_path / "cm.yaml", TWO_FINDINGS)
    code, out, _ = cli("check", "--no-config", "--format", "sarif", "--sarif-all-rules", "cm.yaml")
    assert not INTERNAL_ID.findall(out)


def _catalog_examples():
    out = [(r.id, i, e) for r in load_catalog().values() for i, e in enumerate(r.bad)]
    assert len(out) > 35  # every rule has a bad example
    return out


@pytest.mark.parametrize("rule,i,example", _catalog_examples(), ids=lambda v: v if isinstance(v, str) else None)
def test_every_message_starts_in_lower_case(cli, tmp_path, rule, i, example):
    name = example.filename
    (tmp_path / name).write_bytes(example.content.encode(example.content_encoding))
    if example.settings:
        import shutil

        import yaml

        if (ROOT / "rules" / "clusters").is_dir():  # cluster files an example names, next to its settings
            shutil.copytree(ROOT / "rules" / "clusters", tmp_path / "clusters")
        write(tmp_path / ".masqlint.yaml", yaml.safe_dump(example.settings))
    code, out, _ = cli("check", "--format", "json", *(["--no-config"] if not example.settings else []), name)
    findings = json.loads(out)["findings"]
    assert findings, f"{rule} bad example {i} gives no finding"
    for f in findings:
        first = f["message"][0]
        # an acronym or a Kubernetes kind (`EgressNATPolicy`) keeps its capital; a sentence does not
        assert not first.isupper() or re.match(r"[A-Z]{2}|IPv|Go\b|[A-Z][a-z]+[A-Z]\w*\b", f["message"]), f
