"""`masqlint trace` and `diff` per target: first RETURN rule on the iptables agents, longest prefix on Cilium."""

from __future__ import annotations

import json

from masqlint.cli.main import main

CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 10.1.1.0/24
      - ::ffff:100.70.0.0/112
"""


def trace(tmp_path, capsys, target, *dsts, fmt="json"):
    p = tmp_path / "ip-masq-agent.yaml"
    p.write_text(CONFIG)
    args = ["trace", "--no-config", "--target", target, "--format", fmt, str(p)]
    for d in dsts:
        args += ["--dst", d]
    assert main(args) == 0
    out = capsys.readouterr().out
    return json.loads(out)["results"] if fmt == "json" else out


def test_cilium_takes_the_longest_prefix_the_iptables_agents_the_first_rule(tmp_path, capsys):
    (cil,) = trace(tmp_path, capsys, "cilium", "10.1.1.9")
    assert cil["parts"][0]["entry"] == "10.1.1.0/24" and cil["parts"][0]["line"] == 10
    (gke,) = trace(tmp_path, capsys, "gke", "10.1.1.9")
    assert gke["parts"][0]["entry"] == "10.0.0.0/8" and gke["parts"][0]["line"] == 9
    text = trace(tmp_path, capsys, "cilium", "10.1.1.9", fmt="text")
    assert "longest matching prefix decides" in text and "entry 10.1.1.0/24 on line 10" in text
    assert "longest matching prefix" not in trace(tmp_path, capsys, "gke", "10.1.1.9", fmt="text")


def test_an_ipv4_mapped_entry_keeps_ipv4_traffic_only_on_the_iptables_agents(tmp_path, capsys):
    (cil,) = trace(tmp_path, capsys, "cilium", "100.70.0.1")
    assert cil["parts"][0]["masquerade"] is True  # Cilium holds it in the IPv6 map
    (gke,) = trace(tmp_path, capsys, "gke", "100.70.0.1")
    assert gke["parts"][0]["masquerade"] is False and gke["parts"][0]["entry"] == "::ffff:100.70.0.0/112"


def test_cilium_link_local_ipv6_names_its_own_key(tmp_path, capsys):
    text = trace(tmp_path, capsys, "cilium", "fe80::1", fmt="text")
    assert "link-local fe80::/10 (masqLinkLocalIPv6 is false)" in text


def test_a_config_cilium_rejects_at_first_start_leaves_its_map_empty(tmp_path, capsys):
    p = tmp_path / "ip-masq-agent"
    p.write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/08\n")  # netip refuses the leading zero
    assert main(["trace", "--no-config", "--target", "cilium", "--dst", "10.1.1.1", "--dst", "169.254.169.254",
                 str(p)]) == 0
    out = capsys.readouterr().out
    assert "its map stays empty" in out
    assert out.count("masquerade (node IP): no entry of the non-masquerade map matches") == 2


def test_diff_on_cilium_reads_json_items_as_written(tmp_path, capsys):
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_text('{"nonMasqueradeCIDRs": ["10.0.0.0/8"]}')
    new.write_text('{"nonMasqueradeCIDRs": ["10.0.0.0\\/8", "10.9.0.0/16"]}')  # Cilium refuses the escape
    assert main(["diff", "--no-config", "--target", "cilium", "--standalone", "**/old", "--standalone", "**/new",
                 str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "the agent rejects" in out and "netip.ParsePrefix" in out and "no destination changes" in out
