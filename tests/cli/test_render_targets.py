"""`masqlint render` for Cilium and Azure as people call it: manifests, text output, no config at all."""

from __future__ import annotations

import json

import pytest
from paths import CONFORMANCE

from masqlint.cli.main import main

AKS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: azure-ip-masq-agent-config
  namespace: kube-system
  labels:
    component: ip-masq-agent
data:
  ip-masq-agent: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
    masqLinkLocal: true
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: azure-ip-masq-agent-config-reconciled
  namespace: kube-system
data:
  ip-masq-agent-reconciled: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 10.244.0.0/16
"""


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_azure_render_of_the_two_aks_configmaps_is_their_union(tmp_path, capsys):
    p = tmp_path / "ip-masq-agent.yaml"
    p.write_text(AKS)
    code, out, _ = run(["render", "--target", "azure", "--format", "json", str(p)], capsys)
    got = json.loads(out)
    assert code == 0 and got["files_read"] == ["ip-masq-agent", "ip-masq-agent-reconciled"]
    assert got["nonmasq_v4"] == ["10.0.0.0/8", "10.244.0.0/16"] and got["effective"]["masqLinkLocal"] is True
    assert "-d 169.254.0.0/16" not in got["iptables_v4"]  # masqLinkLocal OR'd across the files


def test_azure_text_says_the_agent_exits(tmp_path, capsys):
    p = tmp_path / "ip-masq-agent.yaml"
    p.write_text(AKS.replace("10.244.0.0/16", "10.244.0.5/16"))
    code, out, _ = run(["render", "--target", "azure", str(p)], capsys)
    assert code == 1
    assert "the agent exits (status 255)" in out and "crash loop" in out
    assert 'config file "ip-masq-agent-reconciled" is invalid: CIDR "10.244.0.5/16" is not aligned' in out


def test_azure_missing_directory_is_the_agents_fatal_error(tmp_path, capsys):
    code, out, _ = run(["render", "--target", "azure", "--raw", str(tmp_path / "nope")], capsys)
    assert code == 1 and "does not exist" in out and "open /etc/config/: no such file or directory" in out


def test_cilium_text_names_the_masked_range(tmp_path, capsys):
    p = tmp_path / "ip-masq-agent"
    p.write_text("nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n")
    code, out, _ = run(["render", "--target", "cilium", "--raw", str(p)], capsys)
    assert code == 0
    assert "host bits masked: 10.1.1.5/24 is programmed as 10.1.1.0/24" in out
    assert "IPv4: 10.1.1.0/24, 169.254.0.0/16" in out and "IPv6: fe80::/10" in out


def test_cilium_rejects_a_first_file_and_programs_nothing(tmp_path, capsys):
    p = tmp_path / "ip-masq-agent"
    p.write_text('{"nonMasqueradeCIDRs": ["10.0.0.0\\/8"]}')
    code, out, _ = run(["render", "--target", "cilium", "--raw", str(p)], capsys)
    assert code == 1 and "programs nothing" in out and "netip.ParsePrefix" in out


def test_cilium_render_takes_one_config_file(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("{}")
    b.write_text("{}")
    code, _out, err = run(["render", "--target", "cilium", "--raw", str(a), str(b)], capsys)
    assert code == 2 and "one config file" in err


ABSENT = sorted(p.stem for p in CONFORMANCE.glob("*.json") if json.loads(p.read_text()).get("config_absent"))


def test_there_are_absent_cases():
    assert len(ABSENT) >= 2


@pytest.mark.parametrize("name", ABSENT)
def test_upstream_render_without_a_config_file_matches_the_recorded_agent(name, capsys):
    expected = json.loads((CONFORMANCE / f"{name}.json").read_text())
    fl = expected["agent_flags"]
    args = ["render", "--absent", "--no-config", "--target", "upstream", "--format", "json"]  # the recorded agent is upstream
    if fl["nomasq-all-reserved-ranges"]:
        args.append("--nomasq-all-reserved-ranges")
    if fl["enable-ipv6"]:
        args.append("--enable-ipv6")
    if fl["masq-chain"] != "IP-MASQ-AGENT":
        args += ["--masq-chain", fl["masq-chain"]]
    if not fl["random-fully"]:
        args.append("--no-random-fully")
    code, out, _ = run(args, capsys)
    got = json.loads(out)
    for k in ("accepted", "effective", "iptables_v4", "iptables_v6"):
        assert got[k] == expected[k], k
    assert code == 0


def test_library_render_speaks_for_each_target():
    from masqlint import render

    text = "nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n"
    assert render(text, target="cilium").to_json()["nonmasq_v4"] == ["10.1.1.0/24", "169.254.0.0/16"]
    az = render(text, target="azure").to_json()
    assert az["exits"] is True and "is not aligned" in az["error"]
    assert render(text, target="gke").accepted is False
    assert render(None, target="azure").to_json()["defaults_applied"] is True


def test_azure_a_subdirectory_named_ip_masq_is_fatal_other_names_are_not_read(tmp_path, capsys):
    d = tmp_path / "etc-config"
    d.mkdir()
    (d / "ip-masq-agent").write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n")
    (d / "..2024_01_01").mkdir()  # kubelet's own layout: not an ip-masq* name
    code, out, _ = run(["render", "--target", "azure", "--raw", "--format", "json", str(d)], capsys)
    assert code == 0 and json.loads(out)["files_read"] == ["ip-masq-agent"]
    (d / "ip-masq-agent.d").mkdir()
    code, out, _ = run(["render", "--target", "azure", "--raw", "--format", "json", str(d)], capsys)
    got = json.loads(out)
    assert code == 1 and got["exits"] is True
    assert got["error"] == 'failed to read config file "ip-masq-agent.d", error: read /etc/config/ip-masq-agent.d: is a directory'
