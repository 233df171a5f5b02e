"""Acceptance: the seed scenario in examples/ (Private Endpoint 10.2.1.100 must see the node IP,
the Pod range 100.64.0.0/16 must keep pod IPs), with each example's masqlint.yaml as its policy."""

from __future__ import annotations

import json

import pytest

from masqlint.agent.decide import cidr_set, set_cidrs
from masqlint.cli.main import main
from masqlint.config.loader import load_settings_file
from paths import REPO as ROOT
from conftest import run_cli

EXAMPLES = ROOT / "examples"
AS_IS = EXAMPLES / "as-is" / "configmap.yaml"
TO_BE = EXAMPLES / "to-be" / "configmap.yaml"


def test_the_policy_file_declares_the_seed_scenario():
    s = load_settings_file(str(EXAMPLES / "to-be" / "masqlint.yaml"))
    assert s.target == "gke"
    assert ("10.2.1.100/32", "on-prem private endpoint") in [(d.cidr, d.name) for d in s.must_masquerade]
    assert ("100.64.0.0/16", "pod range") in [(d.cidr, d.name) for d in s.must_not_masquerade]
    assert s.allow_dropped_defaults == ("10.0.0.0/8",)


def test_check_flags_as_is_and_passes_to_be(capsys):
    code, out, _ = run_cli(["check", "--format", "json", str(EXAMPLES)], capsys)
    assert code == 1
    findings = json.loads(out)["findings"]
    as_is = [f for f in findings if f["path"].endswith("as-is/configmap.yaml")]
    assert not [f for f in findings if f["path"].endswith("to-be/configmap.yaml")]
    [pe] = [f for f in as_is if f["rule"] == "MQ402"]
    assert "on-prem private endpoint (10.2.1.100/32)" in pe["message"]
    assert "default range 10.0.0.0/8" in pe["message"] and "not valid YAML" in pe["message"]
    assert {"MQ001", "MQ002", "MQ402"} <= {f["rule"] for f in as_is}
    code, out, _ = run_cli(["check", str(TO_BE)], capsys)
    assert code == 0 and "No problems found" in out


def test_to_be_is_clean_because_of_the_declared_policy_not_by_accident(capsys):
    """Without allow-dropped-defaults, the deliberate drop of 10.0.0.0/8 is reported (MQ401)."""
    code, out, _ = run_cli(["check", "--no-config", "--format", "json", str(TO_BE)], capsys)
    [f] = json.loads(out)["findings"]
    assert f["rule"] == "MQ401" and "drops 10.0.0.0/8 except 10.1.1.0/24" in f["message"]


def test_trace_explains_both(capsys):
    code, out, _ = run_cli(["trace", "--dst", "10.2.1.100", "--format", "json", str(AS_IS), str(TO_BE)], capsys)
    assert code == 0
    before, after = json.loads(out)["results"]
    assert before["path"].endswith("as-is/configmap.yaml") and before["dst"] == "10.2.1.100/32"
    assert before["parts"] == [{"cidr": "10.2.1.100/32", "masquerade": False, "reason": "no ConfigMap: agent defaults",
                                "entry": "10.0.0.0/8", "line": None}]
    assert after["parts"] == [{"cidr": "10.2.1.100/32", "masquerade": True, "reason": "no match", "entry": None,
                               "line": None}]
    code, out, _ = run_cli(["trace", "--dst", "10.2.1.100", str(AS_IS), str(TO_BE)], capsys)
    assert "kubectl apply` refuses it" in out and "keep pod IP: default range 10.0.0.0/8" in out
    assert "10.2.1.100/32: masquerade (node IP)" in out


def test_trace_pod_range_and_operations_subnet_keep_pod_ips_in_to_be(capsys):
    code, out, _ = run_cli(["trace", "--dst", "100.64.0.0/16", "--dst", "10.1.1.0/24", "--format", "json", str(TO_BE)], capsys)
    pod, ops = json.loads(out)["results"]
    assert [(p["masquerade"], p["entry"], p["line"]) for p in pod["parts"]] == [(False, "100.64.0.0/10", 16)]
    assert [(p["masquerade"], p["entry"], p["line"]) for p in ops["parts"]] == [(False, "10.1.1.0/24", 25)]


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_diff_shows_10_0_0_0_8_minus_10_1_1_0_24_turning_masqueraded(fmt, capsys):
    code, out, _ = run_cli(["diff", "--format", fmt, str(AS_IS), str(TO_BE)], capsys)
    assert code == 0
    expected = set_cidrs(cidr_set(["10.0.0.0/8"]) - cidr_set(["10.1.1.0/24"]))
    if fmt == "json":
        doc = json.loads(out)
        assert doc["now_masqueraded"] == expected and doc["no_longer_masqueraded"] == []
        assert list(doc["changed_keys"]) == ["nonMasqueradeCIDRs"]
    else:
        assert "10.0.0.0/8 except 10.1.1.0/24" in out
        assert all(c in out for c in expected)


def test_docs_policy_md_settings_validate_and_its_trace_output_is_real(capsys, monkeypatch):
    import re

    import yaml

    from masqlint.config.loader import validate_mapping

    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    [settings] = re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)
    validate_mapping(yaml.safe_load(settings), "docs/policy.md")
    [shown] = re.findall(r"^```text\n(.*?)^```", text, re.S | re.M)
    monkeypatch.chdir(ROOT)
    assert main(["trace", "--dst", "10.2.1.100", "examples/as-is", "examples/to-be"]) == 0
    assert capsys.readouterr().out == shown
