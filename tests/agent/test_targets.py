"""Each target decodes the ConfigMap the way its consumer does (DESIGN.md section 2).

Every case is one fact from the design notes (and the consumers' own code), checked on the
target model (`targets.apply_target`), on the rules in force (`agent.decide`) and, where a
rule reports the difference, through `lint_text`.
"""

from __future__ import annotations

import pytest

from conftest import configmap
from masqlint import lint_text
from masqlint.agent.decide import ENTRY, decide, in_force, parse_destination, set_cidrs
from masqlint.agent.load import parse_agent_text
from masqlint.agent.targets import ALL_RESERVED, TARGETS, apply_target, get_target

RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def run(target: str, text: str | None, **flags):
    t = get_target(target)
    if flags:
        t = t.with_flags(**flags)
    parsed = None if text is None else parse_agent_text(text)
    return t, apply_target(t, parsed, empty=text == "")


def cidrs(target: str, text: str | None, **flags):
    _t, res = run(target, text, **flags)
    return res.effective.non_masquerade_cidrs


def rules(findings):
    return sorted({f.rule for f in findings})


# --- defaults -----------------------------------------------------------------------------------------


def test_targets_are_data_with_the_four_consumers():
    assert set(TARGETS) == {"gke", "gke-autopilot", "upstream", "cilium", "azure"}
    assert not get_target("gke-autopilot").reads_configmap and get_target("gke").reads_configmap
    assert get_target("gke").upstream_like and get_target("upstream").upstream_like
    assert not get_target("cilium").upstream_like and not get_target("azure").upstream_like
    with pytest.raises(ValueError, match="unknown target"):
        get_target("calico")


def test_defaults_gke_all_reserved_upstream_rfc1918_and_flag_override():
    assert cidrs("gke", None) == list(ALL_RESERVED) and len(ALL_RESERVED) == 11
    assert cidrs("upstream", None) == RFC1918
    assert cidrs("upstream", None, nomasq_all_reserved_ranges=True) == list(ALL_RESERVED)
    assert cidrs("cilium", None) == list(ALL_RESERVED)  # Cilium's defaults are all reserved ranges
    assert cidrs("azure", None) == RFC1918  # ip-masq-agent-v2 without --nomasq-all-reserved-ranges


@pytest.mark.parametrize("target", ["gke", "upstream"])
def test_upstream_absent_key_keeps_defaults_and_empty_or_comment_file_means_defaults(target):
    defaults = cidrs(target, None)
    assert cidrs(target, "masqLinkLocal: true\n") == defaults
    assert cidrs(target, "") == defaults
    assert cidrs(target, "# only a comment\n") == defaults


def test_cilium_defaults_only_when_the_file_is_missing_or_empty():
    assert cidrs("cilium", None) == list(ALL_RESERVED)
    assert cidrs("cilium", "") == list(ALL_RESERVED)
    # a file with only masqLinkLocal gets NO non-masquerade CIDRs (pkg/ipmasq: isEmpty only for len(raw) == 0)
    _t, res = run("cilium", "masqLinkLocal: false\n")
    assert res.accepted and not res.effective.non_masquerade_cidrs
    assert not cidrs("cilium", "# comments are not an empty file\n")


def test_azure_defaults_only_when_there_is_no_file_at_all():
    assert cidrs("azure", None) == RFC1918
    for text in ("", "masqLinkLocal: false\n", "nonMasqueradeCIDRs: []\n"):
        _t, res = run("azure", text)
        assert res.accepted and not res.effective.non_masquerade_cidrs, text


def test_only_masqlinklocal_file_rules_in_force_differ_by_target():
    text = "masqLinkLocal: false\n"
    for target, kept in (("gke", True), ("cilium", False), ("azure", False)):
        t, res = run(target, text)
        inf = in_force(res, t)
        v, lo, hi, _ = parse_destination("10.2.1.100")
        seg = decide(inf, v, lo, hi)
        assert (not seg[0].masquerade) is kept, target


def test_cilium_file_with_only_masqlinklocal_is_reported_by_mq420_not_mq401():
    text = configmap("masqLinkLocal: false\n")
    assert not {"MQ401", "MQ420"} & set(rules(lint_text(text, config={"target": "gke"})))
    found = lint_text(text, config={"target": "cilium"})
    assert "MQ401" not in rules(found)
    mq420 = [f for f in found if f.rule == "MQ420"]
    assert mq420 and "only when the file is missing or has zero bytes" in mq420[0].message
    assert mq420[0].severity.label == "error"
    assert "169.254.0.0/16, fe80::/10" in mq420[0].message  # Cilium adds both link-local ranges
    az = [f for f in lint_text(text, config={"target": "azure"}) if f.rule == "MQ420"]
    assert az and "only when there is no ip-masq* file at all" in az[0].message
    assert "fe80::/10" not in az[0].message  # no IPv6 rules without --enable-ipv6


# --- host bits ---------------------------------------------------------------------------------------


def test_host_bits_rejected_upstream_masked_by_cilium():
    text = "nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n"
    for target in ("gke", "upstream", "azure"):
        _t, res = run(target, text)
        assert not res.accepted and "not aligned" in res.error.message, target
    _t, res = run("cilium", text)
    assert res.accepted and res.effective.non_masquerade_cidrs == ["10.1.1.0/24"]
    f = [f for f in lint_text(configmap(text), config={"target": "cilium"}) if f.rule == "MQ302"]
    assert f and "masks it to 10.1.1.0/24" in f[0].message and "rejects" not in f[0].message
    f = [f for f in lint_text(configmap(text), config={"target": "gke"}) if f.rule == "MQ302"]
    assert f and "rejects the whole file" in f[0].message


def test_cilium_masked_entry_decides_the_whole_block():
    t, res = run("cilium", "nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n")
    v, lo, hi, _ = parse_destination("10.1.1.200")
    [seg] = decide(in_force(res, t), v, lo, hi)
    assert not seg.masquerade and seg.rule.cidr == "10.1.1.0/24" and seg.rule.kind == ENTRY


# --- keys the target ignores ----------------------------------------------------------------------------


def _many(n):
    return "nonMasqueradeCIDRs:\n" + "".join(f"  - 10.{i // 256}.{i % 256}.0/24\n" for i in range(n))


def test_cidr_limit_honoured_upstream_ignored_by_cilium_fixed_64_on_azure():
    over = _many(70)
    _t, res = run("gke", over)
    assert not res.accepted and "up to 64 CIDRs" in res.error.message
    _t, res = run("gke", over + "cidrLimit: 100\n")
    assert res.accepted
    _t, res = run("cilium", over + "cidrLimit: 10\n")
    assert res.accepted and len(res.effective.non_masquerade_cidrs) == 70
    _t, res = run("azure", over + "cidrLimit: 100\n")  # no such key in ip-masq-agent-v2: 64 per file
    assert not res.accepted and "up to 64 CIDRs" in res.error.message
    _t, res = run("azure", _many(64))
    assert res.accepted


def test_resync_interval_read_upstream_ignored_by_cilium_and_azure():
    for bad in ("resyncInterval: 60\n", "resyncInterval: soon\n"):
        _t, res = run("gke", bad)
        assert not res.accepted, bad
        for target in ("cilium", "azure"):
            _t, res = run(target, bad)
            assert res.accepted, (target, bad)


def test_mq407_ignored_keys_per_target_and_no_type_errors_for_them():
    text = configmap("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\ncidrLimit: \"64\"\nresyncInterval: 60\n")
    gke = rules(lint_text(text, config={"allow-dropped-defaults": ["0.0.0.0/0"]}))
    assert "MQ407" not in gke and "MQ204" in gke
    for target in ("cilium", "azure"):
        found = lint_text(text, config={"target": target, "allow-dropped-defaults": ["0.0.0.0/0"]})
        assert "MQ204" not in rules(found) and "MQ205" not in rules(found)
        keys = sorted(f.data["key"] for f in found if f.rule == "MQ407")
        assert keys == ["cidrLimit", "resyncInterval"], target
    az = [f for f in lint_text(text, config={"target": "azure", "allow-dropped-defaults": ["0.0.0.0/0"]})
          if f.rule == "MQ407" and f.data["key"] == "cidrLimit"]
    assert "fixed limit of 64 entries per file" in az[0].message


def test_mq407_offers_an_unsafe_fix_that_removes_the_line():
    from masqlint.pipeline.fix import apply_edits

    text = configmap("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\ncidrLimit: 64\nmasqLinkLocal: false\n")
    found = [f for f in lint_text(text, config={"target": "cilium", "allow-dropped-defaults": ["0.0.0.0/0"]})
             if f.rule == "MQ407"]
    assert found[0].fix is not None and not found[0].fix.safe
    fixed, n = apply_edits(text, [found[0]])
    assert n == 1 and "cidrLimit" not in fixed and "masqLinkLocal: false" in fixed


# --- IPv6, null items, rejection ---------------------------------------------------------------------------


def test_ipv6_entry_needs_the_flag_except_on_cilium():
    text = "nonMasqueradeCIDRs:\n  - fd00::/8\n"
    for target in ("gke", "upstream", "azure"):
        _t, res = run(target, text)
        assert not res.accepted and "ipv6 is not enabled" in res.error.message, target
    _t, res = run("gke", text, enable_ipv6=True)
    assert res.accepted
    _t, res = run("cilium", text)
    assert res.accepted
    assert "MQ303" in rules(lint_text(configmap(text), config={"target": "azure"}))
    assert "MQ303" not in rules(lint_text(configmap(text), config={"target": "cilium"}))


def test_null_item_keeps_the_default_upstream_but_is_invalid_without_prefilled_defaults():
    text = "nonMasqueradeCIDRs:\n  - 10.9.0.0/16\n  -\n"
    _t, res = run("gke", text)
    assert res.accepted and res.effective.non_masquerade_cidrs == ["10.9.0.0/16", "172.16.0.0/12"]
    for target in ("cilium", "azure"):
        _t, res = run(target, text)
        assert not res.accepted, target
    msg = [f.message for f in lint_text(configmap(text), config={"target": "azure"}) if f.rule == "MQ308"][0]
    assert "without defaults to fall back on" in msg and "exits" in msg


def test_rejection_keeps_the_previous_rules_and_azure_exits():
    good = parse_agent_text("nonMasqueradeCIDRs:\n  - 10.1.1.0/24\n")
    bad = parse_agent_text("nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n")
    for target in ("gke", "azure"):
        t = get_target(target)
        first = apply_target(t, good)
        second = apply_target(t, bad, previous=first)
        assert not second.accepted and second.effective.non_masquerade_cidrs == ["10.1.1.0/24"]
    assert "exits" in get_target("azure").rejection_note()
    assert "keeps the rules it had" in get_target("gke").rejection_note()


def test_rejected_config_policy_findings_say_so():
    text = configmap("nonMasqueradeCIDRs:\n  - 10.1.1.5/24\n")
    settings = {"must-masquerade": [{"cidr": "10.2.1.100", "name": "endpoint"}]}
    msg = [f.message for f in lint_text(text, config=settings) if f.rule == "MQ402"][0]
    assert msg.startswith("the agent rejects this config") and "keeps the rules it had" in msg
    assert "default range 10.0.0.0/8" in msg
    msg = [f.message for f in lint_text(text, config={**settings, "target": "azure"}) if f.rule == "MQ402"]
    assert msg and "exits on it" in msg[0]


# --- which entry decides ----------------------------------------------------------------------------------


def test_first_entry_decides_on_iptables_longest_prefix_on_cilium():
    text = "nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - 10.1.0.0/16\n"
    v, lo, hi, _ = parse_destination("10.1.2.3")
    for target, expected in (("gke", "10.0.0.0/8"), ("azure", "10.0.0.0/8"), ("cilium", "10.1.0.0/16")):
        t, res = run(target, text)
        [seg] = decide(in_force(res, t), v, lo, hi)
        assert seg.rule.cidr == expected, target


def test_link_local_is_non_masquerade_unless_masqlinklocal_on_every_target():
    v, lo, hi, _ = parse_destination("169.254.169.254")
    for target in TARGETS:
        t, res = run(target, "nonMasqueradeCIDRs: [10.0.0.0/8]\n")
        [seg] = decide(in_force(res, t), v, lo, hi)
        assert seg.rule is not None and seg.rule.kind == "link-local", target
        t, res = run(target, "nonMasqueradeCIDRs: [10.0.0.0/8]\nmasqLinkLocal: true\n")
        [seg] = decide(in_force(res, t), v, lo, hi)
        assert seg.masquerade, target


def test_in_force_sets_per_target_for_the_same_file():
    text = "nonMasqueradeCIDRs:\n  - 10.1.1.5/24\nmasqLinkLocal: true\n"
    out = {}
    for target in TARGETS:
        t, res = run(target, text)
        out[target] = set_cidrs(in_force(res, t).nonmasq_set(4))
    # rejected on gke/upstream/azure: their defaults stay (first start), link-local included; accepted and
    # masked on cilium, with link-local masqueraded as the file says
    assert out["upstream"] == ["10.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"]
    assert out["azure"] == out["upstream"]
    assert "100.64.0.0/10" in out["gke"] and "169.254.0.0/16" in out["gke"]
    assert out["cilium"] == ["10.1.1.0/24"]
