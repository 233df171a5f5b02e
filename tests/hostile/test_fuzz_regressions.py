"""Inputs the mutation fuzzer (bench/fuzz.py) once crashed on, reduced to what mattered."""

from __future__ import annotations

import pytest

from masqlint.agent.sync import sync_bytes
from masqlint.api import lint_text
from masqlint.config.settings import Settings

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n  config: |\n"


@pytest.mark.parametrize("end", ["\n", ""], ids=["newline-at-end", "no-newline-at-end"])
@pytest.mark.parametrize("odd_break", ["\x1c", "\x1e", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_characters_str_splitlines_breaks_at_do_not_shift_suppression_lines(odd_break, end):
    """str.splitlines() breaks lines at these, YAML positions do not: an unused suppression
    on the last line was looked up past the end of the file."""
    text = CM + f"    masqLinkLocal: false # note{odd_break}x\n    # masqlint: disable=MQ305{end}"
    findings = lint_text(text, "cm.yaml", Settings())
    unused = [f for f in findings if f.rule == "MQ005"]
    assert [(f.span.line, f.span.column) for f in unused] == [(9, 5)]
    assert all(f.span.line <= 9 for f in findings)
    sync_bytes(text.encode())


def test_a_pasted_manifest_whose_inner_list_holds_non_strings():
    """A manifest given as the agent config (MQ103) whose nonMasqueradeCIDRs holds a boolean:
    the message lists only the CIDR strings it found."""
    text = CM + "  nonMasqueradeCIDRs: [~, yes, 10.0.0.0/8]\n"
    findings = lint_text(text, "ip-masq-agent", Settings(), standalone=True)
    [nested] = [f for f in findings if f.rule == "MQ103"]
    assert "10.0.0.0/8" in nested.message and "True" not in nested.message
