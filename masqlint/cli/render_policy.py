"""``masqlint render FILE`` for EgressNATPolicies (GKE Autopilot): there is no iptables payload to
show, so the explanation is the set itself — which destinations keep the pod IP and why (each
NoSNAT destination with its policy and line, GKE's own `default` policy when the file holds none,
the ranges GKE keeps), the policies that are not in force and why, and that every other
destination is masqueraded."""

from __future__ import annotations

import json
import sys

from masqlint.agent.egressnat import ACTION, DEFAULT_POLICY, DEFAULT_POLICY_CIDRS, Written, policy_in_force
from masqlint.agent.decide import canonical_range
from masqlint.agent.ranges import merge_ranges, range_cidrs
from masqlint.agent.targets import get_target
from masqlint.errors import EXIT_FINDINGS, EXIT_OK


def render_policies(path: str, policies, fmt: str = "text") -> int:
    applied = [p for p in policies if p.action == ACTION]
    skipped = [(p.name, f"action {p.action!r} is not {ACTION}" if p.action else "no action") for p in policies
               if p.action != ACTION]
    written = [Written(d.cidr, p.name, path, p.line(d.cidr_node)) for p in applied for d in p.destinations if d.cidr]
    invalid = [(p.name, None, p.line(d.cidr_node or d.item)) for p in applied for d in p.destinations if d.cidr is None]
    has_default = any(p.name == DEFAULT_POLICY for p in applied)
    inf = policy_in_force(written, get_target("gke-autopilot"), [], has_default)
    kept = [c for v, lo, hi in merge_ranges((r.version, r.lo, r.hi) for r in inf.rules) for c in range_cidrs(v, lo, hi)]

    bad = [(w.policy, w.cidr, w.line) for w in written if canonical_range(w.cidr) is None]
    if fmt == "json":
        doc = {
            "kind": "EgressNATPolicy",
            "policies": [{"name": p.name, "action": p.action, "in_force": p.action == ACTION,
                          "destinations": [d.cidr for d in p.destinations]} for p in policies],
            "gke_default_policy_in_force": not has_default,
            "non_masquerade": kept,
            "also_kept_by_gke": "the cluster's node, Pod and Service ranges",
            "masquerade": "every other destination",
            "invalid": [{"policy": n, "cidr": c, "line": ln} for n, c, ln in bad + invalid],
        }
        print(json.dumps(doc, indent=2))
        return EXIT_FINDINGS if (bad or invalid or skipped) else EXIT_OK
    out = [f"{path}: {len(policies)} EgressNATPolicy object{'s' if len(policies) != 1 else ''} (GKE Autopilot: the "
           "ip-masq-agent ConfigMap is not read there)", "",
           "pod traffic keeps the pod IP for:"]
    for w in written:
        if canonical_range(w.cidr) is not None:
            out.append(f"  {w.cidr:<18} NoSNAT destination of EgressNATPolicy {w.policy} (line {w.line})")
    if not has_default:
        out.append(f"  {', '.join(DEFAULT_POLICY_CIDRS)}")
        out.append("                     GKE's own `default` policy (this file holds no `default` policy)")
    out.append("  the cluster's node, Pod and Service ranges (GKE's managed policy gke-…; always)")
    out += ["", "the same set, aggregated: " + ", ".join(kept), "",
            "every other destination is masqueraded (leaves with the node IP)."]
    for name, why in skipped:
        out.append(f"not in force: EgressNATPolicy {name}: {why}")
    for name, cidr, line in bad + invalid:
        what = f"{cidr} is not a CIDR block" if cidr else "the destination is not a {cidr: …} item"
        out.append(f"refused: EgressNATPolicy {name}, line {line}: {what} (masqlint check says more)")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_FINDINGS if (bad or invalid or skipped) else EXIT_OK
