"""MQ413, MQ415–MQ417: an ip-masq-agent config against what the cluster is (``config.cluster``):
Autopilot or Standard, its Pod and Services ranges, default SNAT. Each says nothing when the
settings name no cluster (or the fact is unknown)."""

from __future__ import annotations

from collections.abc import Iterator

from masqlint.agent.decide import ACCEPTED, decide, parse_destination
from masqlint.checks import Problem, register
from masqlint.checks.cidrs import FIELD, _key_origin, valid_entries
from masqlint.checks.policy import _name_node

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from masqlint.config.cluster import ClusterFacts
    from masqlint.engine.lint import ConfigContext

DPV2 = ("The cluster runs GKE Dataplane V2 (datapathProvider ADVANCED_DATAPATH); the same holds there: the "
        "ConfigMap's list decides, and it must include every Pod range")


def _facts(ctx: ConfigContext) -> ClusterFacts | None:
    return ctx.settings.cluster_facts()


def _preamble(ctx: ConfigContext) -> str:
    inf = ctx.in_force
    return "" if inf.state == ACCEPTED else f"{inf.why[0].upper()}{inf.why[1:]}. With those rules, "


# --- MQ413 ----------------------------------------------------------------------------------------------


@register("MQ413")
def ignored_on_autopilot(ctx: ConfigContext) -> Iterator[Problem]:
    if ctx.target.reads_configmap or ctx.settings.effective_target != "gke-autopilot":
        return
    c = ctx.config
    facts = _facts(ctx)
    why = f"{facts.label} is an Autopilot cluster" if facts is not None and facts.autopilot else "the target is gke-autopilot"
    cidrs = [e.text for e in valid_entries(ctx)] if ctx.decoded is not None and FIELD in ctx.decoded.origins else None
    if cidrs is None:
        equivalent = ("its nonMasqueradeCIDRs is absent, which GKE's `default` EgressNATPolicy already stands for: "
                      "delete the ConfigMap")
        policy = None
    else:
        policy = ("apiVersion: networking.gke.io/v1\nkind: EgressNATPolicy\nmetadata:\n  name: default\nspec:\n"
                  "  action: NoSNAT\n  destinations:\n" + "".join(f"  - cidr: {x}\n" for x in cidrs))
        flow = ", ".join(f"{{cidr: {x}}}" for x in cidrs[:6]) + (", …" if len(cidrs) > 6 else "")
        equivalent = ("the equivalent is an EgressNATPolicy — apiVersion: networking.gke.io/v1, kind: EgressNATPolicy, "
                      f"metadata: {{name: default}}, spec: {{action: NoSNAT, destinations: [{flow}]}} — (GKE keeps the "
                      "node, Pod and Service ranges on its own)")

    yield Problem(
        f"{why}, and Autopilot ignores the ip-masq-agent {'ConfigMap' if c.configmap is not None else 'config'}: "
        f"nothing here changes SNAT. {equivalent[0].upper()}{equivalent[1:]}",
        at=_name_node(c.configmap) if c.configmap is not None else None,
        outer=c.configmap is not None,
        data={"egressnatpolicy": policy},
    )


# --- MQ415 ----------------------------------------------------------------------------------------------


@register("MQ415")
def pod_range_masqueraded(ctx: ConfigContext) -> Iterator[Problem]:
    facts = _facts(ctx)
    if facts is None or not facts.pod_ranges or not ctx.target.reads_configmap:
        return
    inf = ctx.in_force
    key = _key_origin(ctx, FIELD) if inf.state == ACCEPTED else None
    for pr in facts.pod_ranges:
        v, lo, hi, cidr = parse_destination(pr.cidr)
        masq = [s for s in decide(inf, v, lo, hi) if s.masquerade]
        if not masq:
            continue
        uncovered = [c for s in masq for c in s.cidrs()]
        whole = uncovered == [cidr]
        part = "none of it is" if whole else f"{', '.join(uncovered[:8])} of it is not"
        where = "nonMasqueradeCIDRs" if key is not None else "the ranges in force"
        yield Problem(
            f"{_preamble(ctx)}{pr.label()} of {facts.label} must keep pod IPs, but {part} covered by {where}: "
            f"pod-to-pod traffic to {'it' if whole else 'that part'} across nodes is masqueraded (GKE requires a custom "
            f"list to include every Pod range; Network Analyzer reports \"nonMasqueradeCIDRs does not fully cover the "
            f"Pod CIDR ranges\" once it is deployed). Add {cidr if whole else ', '.join(uncovered[:8])} to "
            "nonMasqueradeCIDRs" + (f". {DPV2}" if facts.dataplane_v2 else ""),
            at=key,
            data={"pod_range": cidr, "uncovered": uncovered, "node_pools": list(pr.pools)},
        )


# --- MQ416 ----------------------------------------------------------------------------------------------


@register("MQ416")
def services_range_listed(ctx: ConfigContext) -> Iterator[Problem]:
    facts = _facts(ctx)
    if facts is None or not facts.services_range or not ctx.target.reads_configmap:
        return
    sv, slo, shi, scidr = parse_destination(facts.services_range)
    for e in valid_entries(ctx):
        assert e.rng is not None  # a valid entry has a range
        v, lo, hi = e.rng
        if v == sv and slo <= lo and hi <= shi:
            yield Problem(
                f"{e.text} is {'the' if (lo, hi) == (slo, shi) else 'inside the'} Services range {scidr} of "
                f"{facts.label}: ClusterIP traffic is DNATed to a Pod IP before SNAT is decided, so no packet leaves "
                "with a Services address as its destination and this entry changes nothing (the Pod ranges are what "
                "must be listed). Remove it to free a slot",
                at=e.node,
                data={"cidr": e.text, "services_range": scidr},
            )


# --- MQ417 ----------------------------------------------------------------------------------------------


@register("MQ417")
def default_snat_disabled(ctx: ConfigContext) -> Iterator[Problem]:
    facts = _facts(ctx)
    if facts is None or not facts.default_snat_disabled or not ctx.target.reads_configmap:
        return
    c = ctx.config

    yield Problem(
        f"{facts.label} has default SNAT disabled (networkConfig.defaultSnatStatus.disabled, --disable-default-snat): "
        "without the ip-masq-agent every destination keeps the pod IP. Where the ip-masq-agent DaemonSet runs, this "
        "config decides instead: every destination outside its non-masquerade ranges is masqueraded to the node IP "
        "after all. Make sure that is the intent — keep the list only if some destinations need the node IP",
        at=_name_node(c.configmap) if c.configmap is not None else None,
        outer=c.configmap is not None,
        data={"cluster": facts.name},
    )
