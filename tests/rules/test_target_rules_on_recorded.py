"""The Cilium and Azure rules over every recorded case: each fires where the recorded agent shows its trap,
and stays quiet where it does not.

Each case's config file is linted as the agent's file (standalone) with the target set; what should fire
is read from the case's recorded result, not from masqlint's model.
"""

from __future__ import annotations

import json

import pytest
from paths import conformance

from masqlint.config.settings import from_mapping
from masqlint.pipeline.runner import lint_bytes

CILIUM = conformance("cilium")
AZURE = conformance("azure")
LINK_LOCAL = {"169.254.0.0/16", "fe80::/10"}


def _cilium_cases():
    out = []
    for j in sorted(CILIUM.glob("*.json")):
        cfg = CILIUM / f"{j.stem}.config"
        if cfg.exists():
            out.append(j.stem)
    return out


def _azure_single_file_cases():
    out = []
    for j in sorted(AZURE.glob("*.json")):
        exp = json.loads(j.read_text())
        if exp["input_files"] == ["ip-masq-agent"]:
            out.append(j.stem)
    return out


CILIUM_CASES = _cilium_cases()
AZURE_CASES = _azure_single_file_cases()


def test_there_are_cases_to_check():
    assert len(CILIUM_CASES) >= 215 and len(AZURE_CASES) >= 150


def lint(data: bytes, config: dict):
    return lint_bytes("ip-masq-agent", data, from_mapping(config), True).findings


def by_rule(findings) -> dict:
    out: dict = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f)
    return out


# --- Cilium ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CILIUM_CASES)
def test_cilium_rules_fire_where_the_recorded_agent_shows_the_trap(name):
    exp = json.loads((CILIUM / f"{name}.json").read_text())
    data = (CILIUM / f"{name}.config").read_bytes()
    found = by_rule(lint(data, {"target": "cilium"}))
    programmed = set(exp["nonmasq_v4"] + exp["nonmasq_v6"])
    own = programmed - ({"169.254.0.0/16"} if not exp["masq_link_local"] else set()) \
        - ({"fe80::/10"} if not exp["masq_link_local_ipv6"] else set())

    # MQ420 (or MQ309 for an explicit empty list): accepted, no defaults, nothing of its own programmed
    no_range = exp["accepted"] and not exp["defaults_applied"] and not own
    assert (("MQ420" in found) or ("MQ309" in found)) == no_range, (found.keys(), exp)
    assert not ("MQ420" in found and "MQ309" in found)
    # rejected: MQ421 is Azure's only
    assert "MQ421" not in found
    if not exp["accepted"]:
        if exp["error"].startswith('Failed to de-serialize json: Invalid CIDR "'):
            assert "MQ301" in found, exp["error"]  # Cilium's own parser: escapes, /08, zones...
        return
    # an accepted file: every item parsed, so no MQ301
    assert "MQ301" not in found
    # MQ315: an entry written IPv4-mapped is programmed as IPv6 (``::ffff:10.0.0.0/8`` masks to ``::/8``)
    written_mapped = b"::ffff:" in data.lower()
    assert ("MQ315" in found) == written_mapped
    for f in found.get("MQ315", []):
        assert f.data["cilium"] in exp["nonmasq_v6"]
    # MQ302 on Cilium: a warning naming the block Cilium programmed (and nothing it did not)
    for f in found.get("MQ302", []):
        assert f.severity.label == "warning"
        assert f.data["programmed"] in own and f.data["programmed"] != f.data["cidr"]
        assert f"masks it to {f.data['programmed']}" in f.message


def test_cilium_host_bits_cases_are_reported():
    hits = [n for n in CILIUM_CASES if "MQ302" in by_rule(lint((CILIUM / f"{n}.config").read_bytes(), {"target": "cilium"}))]
    for n in ("cilium_host_bits", "cilium_host_bits_ipv6", "cilium_host_bits_dup_after_mask", "e1_host_bits"):
        assert n in hits


# --- Azure ----------------------------------------------------------------------------------------


def azure_settings(exp: dict) -> dict:
    fl = exp["agent_flags"]
    return {"target": "azure", "agent-flags": {"enable-ipv6": fl["enable-ipv6"],
                                               "nomasq-all-reserved-ranges": fl["nomasq-all-reserved-ranges"],
                                               "masq-chain": fl["masq-chain"]}}


@pytest.mark.parametrize("name", AZURE_CASES)
def test_azure_rules_fire_where_the_recorded_agent_shows_the_trap(name):
    exp = json.loads((AZURE / f"{name}.json").read_text())
    data = (AZURE / name / "ip-masq-agent").read_bytes()
    found = by_rule(lint(data, azure_settings(exp)))
    assert ("MQ421" in found) == exp["exits"], (found.keys(), exp["error"])
    for f in found.get("MQ421", []):
        assert f.severity.label == "error" and "exits" in f.message and "crash loop" in f.message
    if exp["exits"]:
        return
    no_range = not exp["defaults_applied"] and not (exp["nonmasq_v4"] + exp["nonmasq_v6"])
    assert (("MQ420" in found) or ("MQ309" in found)) == no_range, (found.keys(), exp)
    mapped = {c for c in exp["nonmasq_v4"] if c.startswith("::ffff:")}  # Azure counts them IPv4
    assert ("MQ315" in found) == bool(mapped)
    assert "MQ302" not in found and "MQ301" not in found


# --- the upstream agent -----------------------------------------------------------------------------

UPSTREAM = conformance("ip-masq-agent")
UPSTREAM_CASES = sorted(p.stem for p in UPSTREAM.glob("*.json") if (UPSTREAM / f"{p.stem}.config").exists())


@pytest.mark.parametrize("name", UPSTREAM_CASES)
def test_the_new_rules_on_the_upstream_agents_recorded_cases(name):
    exp = json.loads((UPSTREAM / f"{name}.json").read_text())
    data = (UPSTREAM / f"{name}.config").read_bytes()
    fl = exp["agent_flags"]
    found = by_rule(lint(data, {"target": "upstream", "agent-flags": {
        "enable-ipv6": fl["enable-ipv6"], "nomasq-all-reserved-ranges": fl["nomasq-all-reserved-ranges"]}}))
    assert not {"MQ420", "MQ421"} & set(found)  # the upstream agent keeps its defaults and never exits
    if exp["accepted"]:
        assert ("MQ315" in found) == (b"::ffff:" in data.lower())
