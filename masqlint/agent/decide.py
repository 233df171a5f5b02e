"""Which way does a pod's packet go, and why: the rules in force for one config, and the
entry that decides each part of a destination range.

``InForce`` is what a consumer has installed after reading a config: the non-masquerade
ranges (link-local, the written entries or the defaults) in the order the consumer walks
them, and the state that explains them (accepted, rejected and kept, no ConfigMap, …).
``decide`` splits a destination range into the parts each rule decides, with one
sort-and-sweep over the rules (O(n log n), never pairwise). Set algebra over whole
configurations (dropped defaults, ``diff``) is ``agent.ranges``.
"""

from __future__ import annotations

import functools
import heapq

from masqlint.agent.gonet import GoNetError, parse_cidr
from masqlint.agent.model import LINK_LOCAL_V4, LINK_LOCAL_V6, AgentError, MasqConfig, SyncResult
from masqlint.agent.ranges import RangeSet, merge_ranges, range_cidrs
from masqlint.agent.gonetip import NetipError, parse_prefix
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

# Why the rules in force are what they are.
ACCEPTED = "accepted"  # the consumer took this config
REJECTED = "rejected"  # the consumer refused it and keeps what it had (defaults at first start)
ABSENT = "absent"  # no config file: the ConfigMap or its `config` key is missing
NOT_APPLIED = "not-applied"  # the manifest cannot reach the cluster (not valid YAML, wrong namespace)

# The kinds of non-masquerade rule.
ENTRY, DEFAULT, LINK_LOCAL = "entry", "default", "link-local"


class Rule(Record):
    """One RETURN rule (or BPF map entry): traffic to [lo, hi] keeps the pod IP."""

    __slots__ = ("index", "cidr", "version", "lo", "hi", "prefixlen", "kind", "origin")

    def __init__(self, index: int, cidr: str, version: int, lo: int, hi: int, prefixlen: int, kind: str,
                 origin: Any = None):
        self.index = index  # position in the chain
        self.cidr = cidr  # as written (entries) or canonical (defaults, link-local)
        self.version = version
        self.lo = lo
        self.hi = hi
        self.prefixlen = prefixlen
        self.kind = kind  # ENTRY | DEFAULT | LINK_LOCAL
        self.origin = origin  # the JSON value an entry was written as (for its line)


class InForce(Record):
    __slots__ = ("rules", "state", "effective", "target", "error", "why", "list_written")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, rules: list[Rule], state: str, effective: MasqConfig, target: Any,
                 error: AgentError | None = None, why: str = "", list_written: bool = False):
        self.rules = rules
        self.state = state
        self.effective = effective
        self.target = target
        self.error = error
        self.why = why  # a sentence for humans when the state is not ACCEPTED
        self.list_written = list_written  # nonMasqueradeCIDRs was written in the config that is in force

    @property
    def ipv6(self) -> bool:
        return bool(self.target.flags.enable_ipv6)

    def nonmasq_set(self, version: int | None = None):
        """The addresses that keep the pod IP (one family or both)."""
        return RangeSet(((r.version, r.lo, r.hi) for r in self.rules if version is None or r.version == version))


class Segment(Record):
    __slots__ = ("version", "lo", "hi", "rule", "ipv6_off")

    def __init__(self, version: int, lo: int, hi: int, rule: Rule | None, ipv6_off: bool = False):
        self.version = version
        self.lo = lo
        self.hi = hi
        self.rule = rule  # None: no rule matches, the final MASQUERADE applies
        self.ipv6_off = ipv6_off  # an IPv6 destination while the agent writes no IPv6 rules

    @property
    def masquerade(self) -> bool:
        return self.rule is None and not self.ipv6_off

    def cidrs(self) -> list[str]:
        return range_cidrs(self.version, self.lo, self.hi)


# --- building the rules ------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def canonical_range(text: str) -> tuple[int, int, int, int] | None:
    """(version, first, last, prefix length) of a CIDR the agent accepts, or None."""
    try:
        c = parse_cidr(text)
    except GoNetError:
        return None
    v, lo, hi = c.as_int_range()
    plen = c.prefixlen - (96 if (v == 4 and c.bits == 128) else 0)
    return v, lo, hi, plen


@functools.lru_cache(maxsize=4096)
def netip_range(text: str) -> tuple[int, int, int, int] | None:
    """(version, first, last, prefix length) as netip.ParsePrefix(...).Masked() has it, or None."""
    try:
        p = parse_prefix(text).masked()
    except NetipError:
        return None
    lo = p.as_int()
    return (4 if p.is4 else 6), lo, lo + (1 << (p.width - p.bits)) - 1, p.bits


def rules_from(cfg: MasqConfig, target, written: bool) -> list[Rule]:
    """The consumer's non-masquerade rules for an effective config, in the order it walks them."""
    out: list[Rule] = []
    if not cfg.masq_link_local:
        out.append(_fixed(len(out), LINK_LOCAL_V4, LINK_LOCAL))
    ipv6 = bool(target.flags.enable_ipv6)
    if ipv6 and not cfg.masq_link_local_ipv6:
        out.append(_fixed(len(out), LINK_LOCAL_V6, LINK_LOCAL))
    values = cfg.non_masquerade_cidrs or []
    origins = cfg.cidrs.value_origins()
    netip = getattr(target, "reader", "") == "cilium"  # netip keeps IPv4-mapped prefixes IPv6
    for i, text in enumerate(values):
        r = netip_range(text) if netip else canonical_range(text)
        if r is None:
            continue
        v, lo, hi, plen = r
        if v == 6 and not ipv6:
            continue
        origin = origins[i] if i < len(origins) else None
        kind = ENTRY if (written and origin is not None) else DEFAULT
        out.append(Rule(len(out), text, v, lo, hi, plen, kind, origin if kind == ENTRY else None))
    return out


def _fixed(index: int, cidr: str, kind: str) -> Rule:
    r = canonical_range(cidr)
    assert r is not None  # the agent's fixed link-local ranges
    v, lo, hi, plen = r
    return Rule(index, cidr, v, lo, hi, plen, kind)


def in_force(result: SyncResult, target, state: str | None = None, why: str = "") -> InForce:
    """The rules in force after one loop of ``target`` (``result`` from ``targets.apply_target``)."""
    if state is None:
        state = ACCEPTED if result.accepted else REJECTED
    cfg = result.effective
    written = state == ACCEPTED and "nonMasqueradeCIDRs" in cfg.origins
    if state == REJECTED and not why:
        assert result.error is not None  # a rejected config carries the agent's error
        why = f"the agent rejects this config ({result.error.message}); {target.rejection_note()}"
    return InForce(rules_from(cfg, target, written), state, cfg, target, result.error, why, written)


def defaults_in_force(target, state: str, why: str) -> InForce:
    cfg = MasqConfig.defaults(target.flags)
    return InForce(rules_from(cfg, target, False), state, cfg, target, None, why, False)


def in_force_for_config(ctx) -> InForce:
    """The rules in force for a lint ``ConfigContext``: its own when the cluster can get it."""
    cfg = ctx.config
    t = ctx.target
    if not t.reads_configmap:
        return defaults_in_force(t, NOT_APPLIED, f"the {t.name} target ignores the ip-masq-agent ConfigMap (SNAT is "
                                 "set by EgressNATPolicy there)")
    pf = getattr(getattr(ctx, "file", None), "parsed", None)
    broken = pf is not None and pf.yaml_error is not None
    if cfg.kind == "configmap" and (broken or getattr(cfg, "recovered_key_span", None) is not None):
        return defaults_in_force(t, NOT_APPLIED, "the manifest is not valid YAML, so `kubectl apply` refuses it and "
                                 "the cluster keeps what it had (masqlint assumes no ConfigMap: the agent defaults)")
    if cfg.kind == "configmap" and cfg.namespace not in (None, "kube-system"):
        return defaults_in_force(t, NOT_APPLIED, f"the ConfigMap is in namespace `{cfg.namespace}`, where the agent "
                                 "never looks, so it keeps its defaults")
    if cfg.text is None:
        return in_force(ctx.result, t, ABSENT, "no config file (no `data.config` key): the agent uses its defaults")
    return in_force(ctx.result, t)


# --- deciding destinations -----------------------------------------------------------------------


def parse_destination(text: str) -> tuple[int, int, int, str]:
    """``10.2.1.100`` or ``10.2.1.100/32`` or ``100.64.0.0/16`` → (version, first, last, canonical CIDR).

    Raises ValueError with a message fit for users (host bits set, not an address, …)."""
    import ipaddress  # noqa: PLC0415 - lazy: destinations come from settings, which few runs have

    t = text.strip()
    try:
        net = ipaddress.ip_network(t if "/" in t else t + ("/128" if ":" in t else "/32"), strict=True)
    except ValueError as e:
        if "has host bits set" in str(e):
            loose = ipaddress.ip_network(t, strict=False)
            raise ValueError(f"{t} has host bits set: write {loose} for the block, or "
                             f"{t.split('/')[0]}/{loose.max_prefixlen} for one address") from None
        raise ValueError(f"{t} is not an IP address or CIDR block") from None
    return net.version, int(net.network_address), int(net.broadcast_address), str(net)


def decide(inf: InForce, version: int, lo: int, hi: int) -> list[Segment]:
    """Split [lo, hi] into maximal parts decided by one rule each (None: MASQUERADE).

    The deciding rule for an address is the first in chain order (iptables) or the longest
    prefix (Cilium's BPF map), as the target says. One sweep over the rules sorted by start,
    a heap ordered by that priority: O(n log n)."""
    if version == 6 and not inf.ipv6:
        return [Segment(version, lo, hi, None, ipv6_off=True)]
    longest = getattr(inf.target, "match", "first") == "longest"
    cands = sorted(
        (r for r in inf.rules if r.version == version and r.hi >= lo and r.lo <= hi),
        key=lambda r: max(r.lo, lo),
    )
    points = {lo}
    for r in cands:
        points.add(max(r.lo, lo))
        if r.hi < hi:
            points.add(r.hi + 1)
    bounds = sorted(points)
    heap: list = []
    out: list[Segment] = []
    j = 0
    for k, b in enumerate(bounds):
        end = bounds[k + 1] - 1 if k + 1 < len(bounds) else hi
        while j < len(cands) and max(cands[j].lo, lo) <= b:
            r = cands[j]
            heapq.heappush(heap, ((-r.prefixlen, r.index) if longest else (r.index,), r.hi, r.index, r))
            j += 1
        while heap and heap[0][1] < b:
            heapq.heappop(heap)
        rule = heap[0][3] if heap else None
        if out and out[-1].rule is rule and out[-1].hi + 1 == b:
            out[-1] = Segment(version, out[-1].lo, end, rule)
        else:
            out.append(Segment(version, b, end, rule))
    return out


# --- sets ----------------------------------------------------------------------------------------


def set_cidrs(s: RangeSet) -> list[str]:
    """The aggregated CIDR blocks of a set, IPv4 first, in address order."""
    return s.cidrs()


def cidr_set(cidrs) -> RangeSet:
    """The set of CIDR strings the agent accepts (others are skipped)."""
    return RangeSet(ranges_of(cidrs), merged=True)


# --- interval algebra (sorted, merged (version, first, last) lists; sort + sweep) -------------------------


def ranges_of(cidrs) -> list[tuple[int, int, int]]:
    """Merged ranges of CIDR strings the agent accepts (others are skipped)."""
    out = []
    for c in cidrs:
        r = canonical_range(c)
        if r is not None:
            out.append(r[:3])
    return merge_ranges(out)


