"""GKE Autopilot's SNAT model: EgressNATPolicy (``networking.gke.io/v1``, cluster-scoped).

On Autopilot the ip-masq-agent ConfigMap is ignored. Pod traffic keeps the pod IP when its
destination is in

* any ``NoSNAT`` destination of any EgressNATPolicy in the cluster (the set is their union; the
  order of policies and of destinations does not matter), or
* a range GKE always keeps: the cluster's node, Pod and Service ranges (the GKE-managed policy
  ``gke-…`` holds them; it cannot be edited).

GKE creates an editable policy named ``default`` whose destinations are the documented default
non-masquerade destinations (the same ranges as ``--nomasq-all-reserved-ranges``). A repository
that holds no ``default`` policy leaves that one in force; one that holds its own ``default``
replaces those destinations. Everything else is masqueraded (leaves with the node IP).

This module turns written destinations into the same ``decide.InForce`` every rule and command
uses, so ``trace``, ``diff`` and the policy rules work on it unchanged.
"""

from __future__ import annotations

from masqlint.agent.decide import ACCEPTED, DEFAULT, ENTRY, InForce, Rule, canonical_range
from masqlint.agent.model import RESERVED, RFC1918, MasqConfig

ACTION = "NoSNAT"  # the only action there is
DEFAULT_POLICY = "default"
MANAGED_PREFIX = "gke-"
# The destinations of GKE's editable `default` policy: the documented default non-masquerade destinations.
DEFAULT_POLICY_CIDRS: tuple[str, ...] = RFC1918 + RESERVED

GKE_KEPT = "gke-kept"  # a Rule kind: a node, Pod or Service range GKE never masquerades
POLICY_DEFAULT = "policy-default"  # a Rule kind: a destination of GKE's own `default` policy (not in the repository)


class Written:
    """One NoSNAT destination as written: its CIDR text and where (any object; ``line`` for people)."""

    __slots__ = ("cidr", "label", "line", "origin", "path", "policy")

    def __init__(self, cidr: str, policy: str, path: str = "", line: int | None = None, origin=None):
        self.cidr = cidr
        self.policy = policy
        self.path = path
        self.line = line
        self.origin = origin
        self.label = f"{cidr} (EgressNATPolicy {policy})"


def policy_in_force(written: list[Written], target, kept=(),
                    repository_has_default: bool = False, why: str = "") -> InForce:
    """The non-masquerade rules of an Autopilot cluster: GKE's kept ranges, GKE's `default` policy
    unless the repository holds its own, then every written destination. Entries that are not
    valid CIDRs are left out (the cluster's admission refuses their policy)."""
    rules: list[Rule] = []
    for cidr, what in kept:
        r = canonical_range(cidr)
        if r is not None:
            rules.append(Rule(len(rules), cidr, r[0], r[1], r[2], r[3], GKE_KEPT, what))
    if not repository_has_default:
        for cidr in DEFAULT_POLICY_CIDRS:
            r = canonical_range(cidr)
            assert r is not None  # the documented ranges are valid CIDRs
            rules.append(Rule(len(rules), cidr, r[0], r[1], r[2], r[3], POLICY_DEFAULT, None))
    for w in written:
        r = canonical_range(w.cidr)
        if r is None:
            continue
        rules.append(Rule(len(rules), w.cidr, r[0], r[1], r[2], r[3], ENTRY, w))
    cfg = MasqConfig.defaults(target.flags)
    return InForce(rules, ACCEPTED, cfg, target, None, why, True)


def describe(rule: Rule) -> str:
    """How a rule of ``policy_in_force`` is named to people."""
    if rule.kind == GKE_KEPT:
        return f"the {rule.origin} {rule.cidr} (GKE always keeps it)"
    if rule.kind == POLICY_DEFAULT:
        return f"{rule.cidr} of GKE's `default` EgressNATPolicy (the repository holds no `default` policy)"
    if rule.kind == ENTRY and isinstance(rule.origin, Written):
        w = rule.origin
        where = f"{w.path}:{w.line}" if w.path and w.line else (f"line {w.line}" if w.line else w.path)
        return f"{w.cidr} of EgressNATPolicy {w.policy} ({where})"
    if rule.kind == DEFAULT:
        return f"the default range {rule.cidr}"
    return rule.cidr
