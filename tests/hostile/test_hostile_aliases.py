"""The agent model's reading of anchors, aliases, merges and deep nesting, against an
independent transcription of go-yaml v2's decoder (goyaml_reference) and the conformance data."""

from __future__ import annotations

import json

import goyaml_reference as ref
import pytest

from masqlint.agent.load import parse_agent_text
from masqlint.agent.model import AgentError, AgentFlags
from masqlint.agent.sync import sync_bytes
from paths import CONFORMANCE



def model(text: str):
    """The product's reading, in the reference's terms."""
    parsed = parse_agent_text(text, False)
    if isinstance(parsed, AgentError):
        return "error", parsed.message.removeprefix("yaml: ")
    return "ok", ref.product_plain(parsed)


def reference(text: str):
    verdict, value = ref.decode(text)
    return (verdict, value) if verdict == "error" else ("ok", ref.plain(value))


def fan_out(width: int, aliases: int) -> str:
    """One anchored list of ``width`` items, aliased ``aliases`` times."""
    return "a: &a [" + ",".join(["x"] * width) + "]\nb: [" + ",".join(["*a"] * aliases) + "]\n"


@pytest.mark.parametrize("width", [300, 1000, 2000])
def test_excessive_aliasing_starts_exactly_where_go_yaml_says(width):
    """The largest alias count go-yaml accepts, and one more, agree with the reference."""
    lo, hi = 1, 400  # accepted at lo, refused at hi (monotone in the alias count)
    assert reference(fan_out(width, lo))[0] == "ok" and reference(fan_out(width, hi))[0] == "error"
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if reference(fan_out(width, mid))[0] == "ok" else (lo, mid)
    accepted = lo
    assert reference(fan_out(width, accepted + 1)) == ("error", "document contains excessive aliasing")
    assert model(fan_out(width, accepted)) == reference(fan_out(width, accepted))
    assert model(fan_out(width, accepted + 1)) == ("error", "document contains excessive aliasing")


CASES = {
    "plain-alias": "a: &x [1, 2]\nb: *x\n",
    "self-reference": "a: &x [*x]\n",
    "nested-self-reference": "x: &a [&b {c: *b}]\n",
    "merge-self-reference": "a: &m {x: 1, <<: *m}\n",
    "anchor-redefined": "a: &x 1\nb: &x 2\nc: *x\n",
    "merge-alias-to-sequence": "a: &s [{x: 1}]\nb:\n  <<: *s\n",
    "merge-sequence-precedence": "a: &m {x: 1, w: 1}\nb: &n {x: 2, z: 2}\nc:\n  <<: [*m, *n]\n  w: 3\n",
    "merge-inline-then-alias": "<<: [&a {x: 1}, *a]\n",
    "merge-after-keys": "x: 1\n<<: {x: 2}\n",
    "alias-key": "&k key: 1\n*k : 2\n",
    "alias-to-merge-key-is-not-a-merge": "a: &l <<\n*l : {x: 1}\n",
    "quoted-merge-key": "'<<': {a: 1}\n",
    "tagged-merge-key": "!!merge << : {a: 1}\n",
    "merge-of-scalar": "<<: 1\n",
    "empty-anchor": "a: &x\nb: *x\n",
    "top-level-alias-list": "- &a [1]\n- *a\n- [*a, *a]\n",
    "mapping-key-alias-to-map": "a: &m {k: v}\n? *m\n: 1\n",
    "billion-laughs": "a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
    + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9)),
    "agent-fields-through-merges": "base: &b\n  masqLinkLocal: true\n  nonMasqueradeCIDRs: &c [10.0.0.0/8]\n"
    "<<: *b\nnonMasqueradeCIDRs: *c\ncidrLimit: 3\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_anchor_cases_agree_with_the_reference(name):
    text = CASES[name]
    got, want = model(text), reference(text)
    if want[0] == "error":
        assert got[0] == "error" and got[1].startswith(want[1]), (got, want)
    elif want[1] is ref.NOT_COMPARABLE:  # keys that are not strings: the verdict only
        assert got[0] == "ok"
    else:
        assert got == want


def test_conformance_h18_merge_decodes_as_recorded():
    case = json.loads((CONFORMANCE / "h18_merge_key.json").read_text())
    flags = case["agent_flags"]
    result = sync_bytes(
        (CONFORMANCE / "h18_merge_key.config").read_bytes(),
        AgentFlags(nomasq_all_reserved_ranges=flags["nomasq-all-reserved-ranges"], enable_ipv6=flags["enable-ipv6"],
                   masq_chain=flags["masq-chain"]),
    )
    assert result.accepted and case["accepted"]
    assert result.effective.to_json() == case["effective"]
    assert result.iptables_v4 == case["iptables_v4"]


def test_nesting_at_the_limit_and_one_past_it():
    """encoding/json refuses the converted document past 10,000 levels; up to it the agent
    decodes (and ignores an unknown key however deep)."""
    def config(depth):
        return ("foo: " + "[" * (depth - 1) + "]" * (depth - 1) + "\nnonMasqueradeCIDRs: [10.0.0.0/8]\n").encode()

    from masqlint.text.yamlload import MAX_DEPTH, parser_depth_limit

    limit = parser_depth_limit()
    at_limit = sync_bytes(config(limit))
    assert at_limit.accepted and at_limit.effective.to_json()["nonMasqueradeCIDRs"] == ["10.0.0.0/8"]
    past = sync_bytes(config(limit + 1))
    assert not past.accepted
    if limit == MAX_DEPTH:
        assert past.error.message == "invalid character '[' exceeded max depth"
    else:  # a libyaml build that caps nesting lower than go-yaml: masqlint says it cannot read it
        assert past.error.message.startswith(f"exceeded max depth: nested deeper than {limit:,} levels")
    deep_json = ("{\"foo\": " + "[" * 10_000 + "]" * 10_000 + "}").encode()
    assert sync_bytes(deep_json).error.message == "invalid character '[' exceeded max depth"  # the JSON path agrees
    deep_map = ("foo: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n").encode()
    expected = "invalid character '{' exceeded max depth" if limit == MAX_DEPTH else f"exceeded max depth: nested deeper than {limit:,}"
    assert sync_bytes(deep_map).error.message.startswith(expected)
