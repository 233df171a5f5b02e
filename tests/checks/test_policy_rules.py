"""MQ401 dropped-default, MQ402 must-masquerade, MQ403 must-not-masquerade, MQ408 duplicate-configmap."""

from __future__ import annotations

import json

from masqlint import lint_text
from masqlint.agent.decide import cidr_set, decide, parse_destination, set_cidrs
from masqlint.agent.ranges import RangeSet
from masqlint.cli.main import main

from conftest import GKE_WITHOUT_10, manifest

def only(findings, rule):
    return [f for f in findings if f.rule == rule]


# --- MQ401 --------------------------------------------------------------------------------------------


def test_mq401_reports_the_exact_aggregated_difference():
    [f] = only(lint_text(manifest(GKE_WITHOUT_10 + ["10.1.1.0/24"])), "MQ401")
    expected = set_cidrs(cidr_set(["10.0.0.0/8"]) - cidr_set(["10.1.1.0/24"]))
    assert f.data["dropped"] == expected and len(expected) == 16
    assert f.data["defaults"] == ["10.0.0.0/8"]
    assert "drops 10.0.0.0/8 except 10.1.1.0/24" in f.message
    assert f.line == 8  # the nonMasqueradeCIDRs key inside data.config


def test_mq401_allow_dropped_defaults_silences_exactly_what_is_allowed():
    text = manifest(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
    [f] = only(lint_text(text), "MQ401")
    assert "100.64.0.0/10" in f.data["dropped"] and "240.0.0.0/4" in f.data["dropped"]
    [f] = only(lint_text(text, config={"allow-dropped-defaults": ["100.64.0.0/10"]}), "MQ401")
    assert "100.64.0.0/10" not in f.data["dropped"] and "198.18.0.0/15" in f.data["dropped"]
    reserved = ["100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
                "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4"]
    assert not only(lint_text(text, config={"allow-dropped-defaults": reserved}), "MQ401")
    # part of a default allowed: only the rest is reported
    [f] = only(lint_text(manifest(GKE_WITHOUT_10), config={"allow-dropped-defaults": ["10.128.0.0/9"]}), "MQ401")
    assert f.data["dropped"] == ["10.0.0.0/9"]


def test_mq401_covered_by_wider_or_split_entries_is_not_a_drop():
    split = ["10.0.0.0/9", "10.128.0.0/9"] + GKE_WITHOUT_10
    assert not only(lint_text(manifest(split)), "MQ401")
    wider = ["0.0.0.0/1", "128.0.0.0/1"]
    assert not only(lint_text(manifest(wider)), "MQ401")


def test_mq401_silent_when_defaults_are_in_force_or_list_is_empty_or_rejected():
    assert not only(lint_text(manifest(None)), "MQ401")  # absent list keeps the defaults (upstream agent)
    assert not only(lint_text(manifest([])), "MQ401")  # MQ309 reports [] instead
    text = manifest(["10.1.1.5/24"])  # rejected: the defaults stay in force
    found = lint_text(text)
    assert not only(found, "MQ401") and only(found, "MQ302")


# --- MQ402 --------------------------------------------------------------------------------------------

PE = {"must-masquerade": [{"cidr": "10.2.1.100", "name": "private endpoint"}]}


def test_mq402_names_the_entry_and_its_line():
    text = manifest(["192.168.0.0/16", "10.0.0.0/8"])
    [f] = only(lint_text(text, config=PE), "MQ402")
    assert "private endpoint (10.2.1.100/32)" in f.message and "10.0.0.0/8 (line 10)" in f.message
    assert f.line == 10 and f.data["entries"] == [{"cidr": "10.0.0.0/8", "kind": "entry", "line": 10,
                                                   "parts": ["10.2.1.100/32"]}]


def test_mq402_first_matching_entry_decides():
    text = manifest(["10.2.0.0/16", "10.0.0.0/8"])
    [f] = only(lint_text(text, config=PE), "MQ402")
    assert [e["cidr"] for e in f.data["entries"]] == ["10.2.0.0/16"] and f.line == 9


def test_mq402_default_when_the_list_is_absent():
    [f] = only(lint_text(manifest(None), config=PE), "MQ402")
    assert "the gke default range 10.0.0.0/8 (nonMasqueradeCIDRs is absent)" in f.message
    assert f.data["entries"][0]["kind"] == "default" and f.data["entries"][0]["line"] is None


def test_mq402_link_local_when_masqlinklocal_is_false():
    settings = {"must-masquerade": [{"cidr": "169.254.10.0/24", "name": "link-local peer"}]}
    [f] = only(lint_text(manifest(GKE_WITHOUT_10), config=settings), "MQ402")
    assert "link-local 169.254.0.0/16 (masqLinkLocal is false)" in f.message
    assert not only(lint_text(manifest(GKE_WITHOUT_10, extra="masqLinkLocal: true\n"), config=settings), "MQ402")


def test_mq402_partial_coverage_names_each_part():
    settings = {"must-masquerade": [{"cidr": "10.1.0.0/23", "name": "endpoints"}]}
    [f] = only(lint_text(manifest(GKE_WITHOUT_10 + ["10.1.1.0/24"]), config=settings), "MQ402")
    assert "matches its part 10.1.1.0/24" in f.message and f.data["entries"][0]["parts"] == ["10.1.1.0/24"]


def test_mq402_clean_when_the_destination_is_masqueraded():
    assert not only(lint_text(manifest(GKE_WITHOUT_10 + ["10.1.1.0/24"]), config=PE), "MQ402")


def test_mq402_configmap_outside_kube_system_means_agent_defaults():
    [f] = only(lint_text(manifest(GKE_WITHOUT_10, namespace="default"), config=PE), "MQ402")
    assert "namespace `default`" in f.message and "default range 10.0.0.0/8" in f.message


# --- MQ403 --------------------------------------------------------------------------------------------

POD = {"must-not-masquerade": [{"cidr": "100.64.0.0/16", "name": "pod range"}]}


def test_mq403_uncovered_destination():
    [f] = only(lint_text(manifest(["10.0.0.0/8"]), config=POD), "MQ403")
    assert "pod range (100.64.0.0/16) must keep the pod IP, but no non-masquerade range covers it" in f.message
    assert "keep the default range 100.64.0.0/10" in f.message and f.data["uncovered"] == ["100.64.0.0/16"]


def test_mq403_partial_coverage_names_the_uncovered_part():
    [f] = only(lint_text(manifest(["100.64.0.0/17", "100.64.192.0/18"]), config=POD), "MQ403")
    assert f.data["uncovered"] == ["100.64.128.0/18"]
    assert "100.64.128.0/18 of it is not covered" in f.message


def test_mq403_clean_when_covered_by_one_or_several_entries():
    assert not only(lint_text(manifest(["100.64.0.0/17", "100.64.128.0/17"]), config=POD), "MQ403")
    assert not only(lint_text(manifest(None), config=POD), "MQ403")  # the defaults cover it


def test_mq403_with_masqlinklocal_true_link_local_is_masqueraded():
    settings = {"must-not-masquerade": [{"cidr": "169.254.169.254", "name": "metadata server"}]}
    assert not only(lint_text(manifest(None), config=settings), "MQ403")
    [f] = only(lint_text(manifest(None, extra="masqLinkLocal: true\n"), config=settings), "MQ403")
    assert f.data["uncovered"] == ["169.254.169.254/32"]


def test_scopes_give_each_cluster_its_own_destinations(tmp_path, capsys):
    (tmp_path / ".masqlint.yaml").write_text(
        "scopes:\n"
        "  - files: ['prod/**']\n"
        "    must-masquerade: [{cidr: 10.2.1.100/32, name: on-prem endpoint}]\n"
        "  - files: ['dev/**']\n"
        "    target: upstream\n"
        "    must-not-masquerade: [{cidr: 100.64.0.0/16, name: pod range}]\n"
        "    severity: {MQ403: warning}\n",
        encoding="utf-8",
    )
    for d in ("prod", "dev", "other"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "cm.yaml").write_text(manifest(None), encoding="utf-8")
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    got = sorted((f["path"].split("/")[-2], f["rule"], f["severity"]) for f in doc["findings"])
    # prod: the endpoint sits in the default 10.0.0.0/8; dev: upstream defaults lack 100.64.0.0/10
    assert got == [("dev", "MQ403", "warning"), ("prod", "MQ402", "error")]


# --- set algebra at scale --------------------------------------------------------------------------------


def test_decide_and_sets_over_20000_entries_partition_the_address_space():
    n = 20000
    cidrs = [f"10.{i // 256 % 256}.{i % 256}.0/24" for i in range(n // 2)] + [
        f"11.{i // 256 % 256}.{i % 256}.128/25" for i in range(n // 2)]
    text = "nonMasqueradeCIDRs:\n" + "".join(f"  - {c}\n" for c in cidrs) + f"cidrLimit: {n}\n"
    from masqlint.agent.decide import in_force
    from masqlint.agent.load import parse_agent_text
    from masqlint.agent.targets import apply_target, get_target

    t = get_target("gke")
    inf = in_force(apply_target(t, parse_agent_text(text)), t)
    v, lo, hi, _ = parse_destination("0.0.0.0/0")
    segs = decide(inf, v, lo, hi)
    s = inf.nonmasq_set(4)
    d = cidr_set(["0.0.0.0/0"]) - s
    # every entry is its own disjoint block, plus the link-local range the agent keeps
    assert s.size == (n // 2) * 256 + (n // 2) * 128 + 65536
    assert d.size == 2**32 - s.size
    assert len(segs) > n // 2  # the decision walks the blocks; its speed is measured in bench/, not here


def test_decide_overlapping_rules_first_match_wins():
    from masqlint.agent.decide import Rule, InForce
    from masqlint.agent.model import MasqConfig
    from masqlint.agent.targets import get_target

    def rule(i, cidr):
        v, lo, hi, net = parse_destination(cidr)
        return Rule(i, cidr, v, lo, hi, int(net.split("/")[1]), "entry")

    rs = [rule(0, "10.1.0.0/16"), rule(1, "10.0.0.0/8"), rule(2, "10.1.2.0/24")]
    inf = InForce(rs, "accepted", MasqConfig.defaults(get_target("gke").flags), get_target("gke"))
    v, lo, hi, _ = parse_destination("9.255.255.255/32")
    v, lo, hi = 4, lo, parse_destination("11.0.0.0")[2]
    segs = decide(inf, v, lo, hi)
    shape = [(s.cidrs()[0], s.rule.cidr if s.rule else None) for s in segs]
    assert shape == [("9.255.255.255/32", None), ("10.0.0.0/16", "10.0.0.0/8"), ("10.1.0.0/16", "10.1.0.0/16"),
                     ("10.2.0.0/15", "10.0.0.0/8"), ("11.0.0.0/32", None)]
    assert set_cidrs(RangeSet([(4, 5, 9), (4, 0, 4)])) == ["0.0.0.0/29", "0.0.0.8/31"]


# --- MQ408 ---------------------------------------------------------------------------------------------


def test_mq408_in_one_file():
    text = manifest(None) + "---\n" + manifest(None, extra="masqLinkLocal: true\n")
    [f] = only(lint_text(text), "MQ408")
    assert f.line == 13 and "the first is on line 4" in f.message
    other_ns = manifest(None) + "---\n" + manifest(None, namespace="default")
    assert not only(lint_text(other_ns), "MQ408")


def _check_json(paths, capsys):
    main(["check", "--format", "json", *map(str, paths)])
    return json.loads(capsys.readouterr().out)


def test_mq408_across_files_of_one_directory_but_not_across_directories(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "1.yaml").write_text(manifest(None), encoding="utf-8")
    (tmp_path / "a" / "2.yaml").write_text(manifest(None), encoding="utf-8")
    (tmp_path / "b" / "3.yaml").write_text(manifest(None), encoding="utf-8")
    doc = _check_json([tmp_path], capsys)
    hits = [f for f in doc["findings"] if f["rule"] == "MQ408"]
    assert [(h["path"].split("/")[-1], h["line"]) for h in hits] == [("2.yaml", 4)]
    assert "1.yaml:4" in hits[0]["message"]
    # the same file named twice is one file
    doc = _check_json([tmp_path / "b", tmp_path / "b" / "3.yaml"], capsys)
    assert not [f for f in doc["findings"] if f["rule"] == "MQ408"]


def test_mq408_across_files_follows_scopes(tmp_path, capsys):
    (tmp_path / ".masqlint.yaml").write_text("scopes:\n  - files: ['clusters/prod/**']\n", encoding="utf-8")
    for sub in ("clusters/prod/base", "clusters/prod/overlay", "clusters/dev"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "cm.yaml").write_text(manifest(None), encoding="utf-8")
    doc = _check_json([tmp_path], capsys)
    hits = [f["path"] for f in doc["findings"] if f["rule"] == "MQ408"]
    assert len(hits) == 1 and hits[0].endswith("clusters/prod/overlay/cm.yaml")


def test_mq408_across_files_can_be_suppressed_and_the_comment_is_then_used(tmp_path, capsys):
    (tmp_path / "1.yaml").write_text(manifest(None), encoding="utf-8")
    second = manifest(None).replace("  name: ip-masq-agent\n",
                                    "  name: ip-masq-agent  # masqlint: disable=MQ408 -- rendered per cluster\n")
    (tmp_path / "2.yaml").write_text(second, encoding="utf-8")
    doc = _check_json([tmp_path], capsys)
    assert [f["rule"] for f in doc["findings"]] == [] and doc["suppressed"] == 1
    (tmp_path / "1.yaml").unlink()
    doc = _check_json([tmp_path], capsys)
    assert [f["rule"] for f in doc["findings"]] == ["MQ005"] and doc["suppressed"] == 0


def test_mq408_respects_ignore_per_file(tmp_path, capsys):
    (tmp_path / "1.yaml").write_text(manifest(None), encoding="utf-8")
    (tmp_path / "2.yaml").write_text(manifest(None), encoding="utf-8")
    main(["check", "--format", "json", "--ignore", "MQ408", str(tmp_path)])
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_decide_matches_a_per_address_walk_of_the_rules():
    """The sweep agrees with the agent's own walk (first RETURN rule, or longest prefix) address by address."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from masqlint.agent.decide import InForce, Rule
    from masqlint.agent.model import MasqConfig
    from masqlint.agent.targets import get_target

    base = parse_destination("10.0.0.0")[1]
    block = st.tuples(st.integers(0, 255), st.integers(24, 32))

    @settings(max_examples=150, deadline=None)
    @given(st.lists(block, max_size=8), st.integers(0, 255), st.integers(0, 255), st.sampled_from(["gke", "cilium"]))
    def check(blocks, a, b, target):
        t = get_target(target)
        rules = []
        for i, (off, plen) in enumerate(blocks):
            size = 1 << (32 - plen)
            lo = base + (off // size) * size
            rules.append(Rule(i, f"r{i}", 4, lo, lo + size - 1, plen, "entry"))
        inf = InForce(rules, "accepted", MasqConfig.defaults(t.flags), t)
        lo, hi = base + min(a, b), base + max(a, b)
        segs = decide(inf, 4, lo, hi)
        assert segs[0].lo == lo and segs[-1].hi == hi
        for s1, s2 in zip(segs, segs[1:]):
            assert s1.hi + 1 == s2.lo and s1.rule is not s2.rule
        for s in segs:
            for addr in range(s.lo, s.hi + 1):
                hits = [r for r in rules if r.lo <= addr <= r.hi]
                if target == "cilium":
                    hits.sort(key=lambda r: (-r.prefixlen, r.index))
                assert (hits[0] if hits else None) is s.rule

    check()
