"""The agent model against every recorded behaviour of the real ip-masq-agent."""

from __future__ import annotations

import json
import re

import pytest

from masqlint.agent.model import AgentFlags
from masqlint.agent.sync import sync_bytes
from paths import CONFORMANCE

CASES = sorted(p.stem for p in CONFORMANCE.glob("*.json"))


def _load(name):
    expected = json.loads((CONFORMANCE / f"{name}.json").read_text())
    cfg = CONFORMANCE / f"{name}.config"
    prev = CONFORMANCE / f"{name}.previous.config"
    data = None if expected.get("config_absent") else cfg.read_bytes()
    previous = prev.read_bytes() if prev.exists() else None
    return expected, data, previous


def test_conformance_data_is_present():
    assert len(CASES) >= 150, CONFORMANCE


@pytest.mark.parametrize("name", CASES)
def test_agent_model_matches_real_agent(name):
    expected, data, previous = _load(name)
    flags = AgentFlags.from_conformance(expected["agent_flags"])
    got = sync_bytes(data, flags, previous).to_json()
    assert got["accepted"] == expected["accepted"]
    assert got["effective"] == expected["effective"]
    assert got["iptables_v4"] == expected["iptables_v4"]
    assert got["iptables_v6"] == expected["iptables_v6"]
    if "previous" in expected:
        for key in ("accepted", "effective", "iptables_v4", "iptables_v6"):
            assert got["previous"][key] == expected["previous"][key]
    if expected["error"] is None:
        assert got["error"] is None
    else:
        assert got["error"], "the model accepted what the agent rejected"
        # Same meaning: every quoted value and number in the agent's message appears in ours.
        for token in re.findall(r'"[^"]*"|\b\d+\b', expected["error"]):
            assert token in got["error"], (token, got["error"], expected["error"])
        if expected["error"].startswith("json: ") or expected["error"].startswith("time: ") or expected["error"].startswith("CIDR") or expected["error"].startswith("the daemon") or expected["error"].startswith("ipv6"):
            assert got["error"] == expected["error"]
