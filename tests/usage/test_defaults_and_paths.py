"""Item 4: `render` takes target and agent flags from settings and defaults to gke like every
command. Item 5: paths are shown as the user passed them, without `./`, in every format."""

from __future__ import annotations

import json

import pytest

from .conftest import GOOD, write


def test_render_defaults_to_gke_like_check(cli, tmp_path):
    write(tmp_path / "cm.yaml", GOOD)
    code, out, _ = cli("render", "--no-config", "--format", "json", "cm.yaml")
    assert code == 0 and ":IP-MASQ - [0:0]" in json.loads(out)["iptables_v4"]  # GKE's chain, not IP-MASQ-AGENT
    code, out, _ = cli("render", "--no-config", "--target", "upstream", "--format", "json", "cm.yaml")
    assert ":IP-MASQ-AGENT - [0:0]" in json.loads(out)["iptables_v4"]


def test_render_takes_target_and_agent_flags_from_settings(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "target: upstream\nagent-flags: {masq-chain: SNAT-PODS, enable-ipv6: true}\n")
    write(tmp_path / "cm.yaml", GOOD)
    code, out, _ = cli("render", "--format", "json", "cm.yaml")
    doc = json.loads(out)
    assert code == 0 and ":SNAT-PODS - [0:0]" in doc["iptables_v4"] and doc["iptables_v6"]
    code, out, _ = cli("render", "--target", "gke", "--format", "json", "cm.yaml")  # the flag wins
    assert ":IP-MASQ - [0:0]" not in json.loads(out)["iptables_v4"]  # the settings' masq-chain still applies
    assert ":SNAT-PODS - [0:0]" in json.loads(out)["iptables_v4"]


def test_render_refuses_a_target_it_does_not_model(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "target: gke-autopilot\n")
    write(tmp_path / "cm.yaml", GOOD)
    code, _, err = cli("render", "cm.yaml")
    assert code == 2 and "render knows the targets gke, upstream, cilium, azure" in err


BROKEN = GOOD.replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS")


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "gitlab", "junit"])
@pytest.mark.parametrize("arg,shown", [(".", "clusters/prod/cm.yaml"), ("./clusters", "clusters/prod/cm.yaml"),
                                       ("clusters/", "clusters/prod/cm.yaml"),
                                       ("./clusters/prod/cm.yaml", "clusters/prod/cm.yaml")])
def test_paths_are_shown_as_passed_without_dot_slash_in_every_format(cli, tmp_path, fmt, arg, shown):
    write(tmp_path / "clusters" / "prod" / "cm.yaml", BROKEN)
    code, out, _ = cli("check", "--no-config", "--format", fmt, arg)
    assert code == 1 and shown in out
    assert "./clusters" not in out and "/./" not in out and "//" not in out.replace("://", "")
