"""Property-based tests: generated agent configs and ConfigMaps, valid and mutated.

- Nothing raises out of ``masqlint.api.lint_text`` or ``masqlint.agent.sync.sync_bytes``,
  whatever the bytes.
- For valid configs, the agent model's decision for a destination (masqueraded or not)
  equals a brute-force reading of the iptables-restore payload it renders: the
  ``-d CIDR -j RETURN`` lines, matched with the standard ``ipaddress`` module.
- Anchors, aliases and merges decode as an independent transcription of go-yaml v2 does.

Example counts stay modest: the whole suite runs in CI on every change.
"""

from __future__ import annotations

import ipaddress
import json
import re

import goyaml_reference as ref
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from masqlint.agent.decide import decide, in_force
from masqlint.agent.load import parse_agent_text
from masqlint.agent.model import AgentError
from masqlint.agent.sync import sync_bytes
from masqlint.api import lint_text
from masqlint.config.settings import Settings
from masqlint.agent.targets import get_target

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- generating configs ------------------------------------------------------------------------------


@st.composite
def ipv4_cidrs(draw):
    prefix = draw(st.integers(0, 32))
    address = draw(st.integers(0, 2**32 - 1)) & (((1 << prefix) - 1) << (32 - prefix))
    return f"{ipaddress.IPv4Address(address)}/{prefix}"


@st.composite
def ipv6_cidrs(draw):
    prefix = draw(st.integers(0, 128))
    address = draw(st.integers(0, 2**128 - 1)) & (((1 << prefix) - 1) << (128 - prefix))
    return f"{ipaddress.IPv6Address(address)}/{prefix}"


KEYS = {
    "nonMasqueradeCIDRs": ["nonMasqueradeCIDRs", "nonmasqueradecidrs", "NonMasqueradeCIDRs"],
    "masqLinkLocal": ["masqLinkLocal", "masqlinklocal"],
    "cidrLimit": ["cidrLimit", "CIDRLimit"],
    "resyncInterval": ["resyncInterval"],
}


@st.composite
def configs(draw, ipv6: bool = False):
    """A config the agent accepts, as a dict of (spelling of the key → value)."""
    cidr = st.one_of(ipv4_cidrs(), ipv6_cidrs()) if ipv6 else ipv4_cidrs()
    cfg: dict = {}
    if draw(st.booleans()):
        cfg[draw(st.sampled_from(KEYS["nonMasqueradeCIDRs"]))] = draw(st.lists(cidr, max_size=8))
    if draw(st.booleans()):
        cfg[draw(st.sampled_from(KEYS["masqLinkLocal"]))] = draw(st.booleans())
    if draw(st.booleans()):
        cfg[draw(st.sampled_from(KEYS["cidrLimit"]))] = draw(st.integers(16, 200))  # defaults count too (11 on GKE)
    if draw(st.booleans()):
        cfg["resyncInterval"] = draw(st.sampled_from(["60s", "1m30s", "10s", "2h"]))
    if draw(st.booleans()):
        cfg["comment"] = draw(st.text(alphabet="abc xyz", max_size=10))
    return cfg


def render(cfg: dict, style: str) -> str:
    if style == "json":
        return json.dumps(cfg, indent=2) + "\n"
    lines = []
    for key, value in cfg.items():
        if isinstance(value, list):
            value = [f'"{v}"' if ":" in v else v for v in value]  # an IPv6 colon would be YAML syntax
            if style == "flow":
                lines.append(f"{key}: [{', '.join(value)}]")
            else:
                lines.append(f"{key}:" if value else f"{key}: []")
                lines += [f"  - {v}" for v in value]
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f'{key}: "{value}"')
    return "".join(line + "\n" for line in lines)


def configmap(text: str, indent: int = 4) -> str:
    body = "".join(" " * indent + line + "\n" if line else "\n" for line in text.splitlines())
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            "data:\n  config: |\n" + body)


styles = st.sampled_from(["block", "flow", "json"])


@st.composite
def config_texts(draw):
    return render(draw(configs()), draw(styles))


# --- mutating them -------------------------------------------------------------------------------------

LOOKALIKES = {"-": ["\u2013", "\u2014", "\u2212"], ":": ["\uff1a", "\u02d0"], " ": ["\u00a0", "\u3000", "\t"],
              '"': ["\u201c", "\u201d"], "'": ["\u2019"], "[": ["\uff3b"], "0": ["O", "\u0030\u0338"], "s": ["\u017f"]}


@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` with a few mutations: dropped characters, swapped indentation, lookalike
    characters, random bytes, truncation."""
    data = text
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "indent", "lookalike", "bytes", "truncate", "duplicate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "drop":
            data = data[:i] + data[i + draw(st.integers(1, 3)):]
        elif kind == "indent":
            lines = data.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            stripped = lines[k].lstrip(" \t")
            lines[k] = draw(st.sampled_from(["", " ", "  ", "\t", "      ", " \t"])) + stripped
            data = "\n".join(lines)
        elif kind == "lookalike":
            spots = [j for j, ch in enumerate(data) if ch in LOOKALIKES]
            if spots:
                j = draw(st.sampled_from(spots))
                data = data[:j] + draw(st.sampled_from(LOOKALIKES[data[j]])) + data[j + 1:]
        elif kind == "truncate":
            data = data[:i]
        elif kind == "duplicate":
            lines = data.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            data = "\n".join(lines)
        else:
            raw = data.encode("utf-8")
            j = draw(st.integers(0, len(raw)))
            return raw[:j] + draw(st.binary(min_size=1, max_size=6)) + raw[j:]
    return data.encode("utf-8")


@st.composite
def mutated_configs(draw):
    return draw(mutated(draw(config_texts())))


@st.composite
def mutated_manifests(draw):
    text = draw(config_texts())
    return draw(mutated(configmap(text, draw(st.sampled_from([2, 4, 6])))))


# --- nothing raises ----------------------------------------------------------------------------------------


@FAST
@given(mutated_manifests())
def test_lint_never_raises_on_mutated_configmaps(data):
    findings = lint_text(data, "cm.yaml", Settings())
    for f in findings:  # and every finding points somewhere real
        assert f.span.line >= 1 and f.span.column >= 1


@FAST
@given(mutated_configs(), st.sampled_from(["gke", "upstream", "cilium", "azure"]))
def test_lint_never_raises_on_mutated_standalone_configs(data, target):
    lint_text(data, "ip-masq-agent", Settings(target=target), standalone=True)


@FAST
@given(st.one_of(mutated_configs(), st.binary(max_size=300)))
def test_sync_never_raises(data):
    res = sync_bytes(data)
    assert res.accepted == (res.error is None)
    assert (res.iptables_v4 is not None) == res.accepted  # first start: nothing written on rejection


@SLOW
@given(st.binary(max_size=400))
def test_lint_never_raises_on_random_bytes(data):
    lint_text(b"kind: ConfigMap\nmasq: 1\n" + data, "x.yaml", Settings())
    lint_text(data, "ip-masq-agent", Settings(), standalone=True)


# --- decisions against the payload ---------------------------------------------------------------------------

_RETURN = re.compile(r"^-A \S+ .*-d (\S+) -j RETURN$")


def payload_masquerades(payload: str, address: ipaddress.IPv4Address) -> bool:
    """Brute force over the iptables-restore text: the first rule matching the address
    decides; RETURN keeps the pod IP, the final MASQUERADE (matching all) rewrites it."""
    lines = payload.splitlines()
    assert lines[0] == "*nat" and lines[-1] == "COMMIT"
    for line in lines:
        m = _RETURN.match(line)
        if m and address in ipaddress.ip_network(m.group(1)):
            return False
        if line.startswith("-A ") and line.split(" -j ")[-1].startswith("MASQUERADE"):
            return True
    raise AssertionError("no MASQUERADE rule at the end of the chain")


@st.composite
def probes(draw, cidrs):
    """Addresses worth asking about: the edges of each listed range and its neighbours,
    link-local's edges, and a few anywhere."""
    out = [int(ipaddress.IPv4Address(a)) for a in ("169.254.0.0", "169.254.255.255", "169.253.255.255", "169.255.0.0")]
    for c in cidrs:
        net = ipaddress.ip_network(c)
        if net.version == 4:
            first, last = int(net.network_address), int(net.broadcast_address)
            out += [first, last, first - 1, last + 1]
    out += draw(st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=8))
    return [ipaddress.IPv4Address(a) for a in out if 0 <= a < 2**32]


@FAST
@given(st.data(), configs(ipv6=False), styles,
       st.sampled_from([("upstream", {}), ("gke", {}), ("upstream", {"nomasq_all_reserved_ranges": True}),
                        ("upstream", {"masq_chain": "IP-MASQ"})]))
def test_decisions_match_the_rendered_iptables_rules(data, cfg, style, target_spec):
    name, flags = target_spec
    target = get_target(name).with_flags(**flags)
    result = sync_bytes(render(cfg, style).encode(), target.flags)
    assert result.accepted, (render(cfg, style), result.error and result.error.message)
    listed = next((v for k, v in cfg.items() if k.lower() == "nonmasqueradecidrs"), [])
    forces = in_force(result, target)
    for address in data.draw(probes(listed)):
        model = decide(forces, 4, int(address), int(address))
        assert len(model) == 1
        assert model[0].masquerade == payload_masquerades(result.iptables_v4, address), (str(address), result.iptables_v4)


@SLOW
@given(st.data(), configs(ipv6=True), styles)
def test_ipv6_entries_never_change_ipv4_decisions(data, cfg, style):
    """With --enable-ipv6 the IPv6 entries go to ip6tables: IPv4 decisions are the v4 payload's."""
    target = get_target("upstream").with_flags(enable_ipv6=True)
    result = sync_bytes(render(cfg, style).encode(), target.flags)
    assert result.accepted, result.error and result.error.message
    listed = next((v for k, v in cfg.items() if k.lower() == "nonmasqueradecidrs"), [])
    forces = in_force(result, target)
    for address in data.draw(probes(listed)):
        assert decide(forces, 4, int(address), int(address))[0].masquerade == payload_masquerades(result.iptables_v4, address)


# --- anchors, aliases and merges --------------------------------------------------------------------------------


@st.composite
def anchored_documents(draw):
    """A small flow-style YAML document with anchors, aliases (to earlier anchors, ancestors
    included) and merge keys, as text."""
    anchors: list[str] = []
    budget = [draw(st.integers(3, 25))]

    def node(depth):
        budget[0] -= 1
        choices = ["scalar"]
        if anchors:
            choices += ["alias", "alias"]
        if depth < 4 and budget[0] > 0:
            choices += ["seq", "map", "map"]
        kind = draw(st.sampled_from(choices))
        if kind == "alias":
            return "*" + draw(st.sampled_from(anchors))
        anchor = ""
        if draw(st.integers(0, 2)) == 0:
            name = f"a{len(anchors)}"
            anchors.append(name)  # registered before the children, as go-yaml and libyaml do
            anchor = f"&{name} "
        if kind == "scalar":
            return anchor + draw(st.sampled_from(["x", "1", "yes", "~", "'q'", "0x1f", "1.5", "10.0.0.0/8", "1/2",
                                                  "yes/no", "!!str 7", "!!int 7", "\"fd00::/8\""]))
        n = draw(st.integers(0, 3))
        if kind == "seq":
            return anchor + "[" + ", ".join(node(depth + 1) for _ in range(n)) + "]"
        items = []
        for i in range(n):
            if anchors and draw(st.integers(0, 3)) == 0:
                merge = draw(st.sampled_from(["alias", "list", "inline"]))
                if merge == "alias":
                    items.append("<<: *" + draw(st.sampled_from(anchors)))
                elif merge == "list":
                    items.append("<<: [" + ", ".join("*" + draw(st.sampled_from(anchors)) for _ in range(2)) + "]")
                else:
                    items.append("<<: " + node(depth + 1))
            else:
                key = draw(st.sampled_from(["k", "m", "nonMasqueradeCIDRs", "masqLinkLocal", "z"])) + str(i)
                items.append(f"{key}: {node(depth + 1)}")
        return anchor + "{" + ", ".join(items) + "}"

    root = "{" + ", ".join(f"key{i}: {node(1)}" for i in range(draw(st.integers(1, 4)))) + "}"
    return root + "\n"


@settings(max_examples=300, deadline=None)
@given(anchored_documents())
def test_aliases_and_merges_decode_as_go_yaml(text):
    want = ref.decode(text)
    got = parse_agent_text(text, False)
    if want[0] == "error":
        assert isinstance(got, AgentError), (text, want)
        assert got.message.removeprefix("yaml: ").startswith(want[1]), (text, want, got.message)
        return
    assert not isinstance(got, AgentError), (text, got.message)
    expected = ref.plain(want[1])
    assume(expected is not ref.NOT_COMPARABLE)  # keys that are not strings: compared by verdict only
    assert ref.product_plain(got) == expected, text
