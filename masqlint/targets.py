"""The consumers of the ip-masq-agent ConfigMap, as data: defaults, flags and quirks.

Rules ask a target what it does (``target.host_bits``, ``target.ignored_keys`` ...) rather
than testing its name, so a new consumer is one more entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .agent.model import RESERVED, RFC1918, AgentFlags


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    flags: AgentFlags
    # "reject": host bits make the agent refuse the file; "mask": the consumer masks them
    host_bits: str = "reject"
    # "absent-key": an absent key keeps its default (upstream agent);
    # "empty-file": defaults only when the file is missing or empty (Cilium)
    defaults_when: str = "absent-key"
    honours_cidr_limit: bool = True
    ignored_keys: tuple[str, ...] = ()
    per_file_limit: int | None = None  # a fixed CIDR count per file, whatever cidrLimit says
    reads_configmap: bool = True
    iptables: bool = True  # the consumer writes iptables rules the way the upstream agent does

    def default_cidrs(self) -> tuple[str, ...]:
        return self.flags.default_cidrs()

    def with_flags(self, **overrides) -> "Target":
        return replace(self, flags=replace(self.flags, **overrides))


TARGETS: dict[str, Target] = {
    "gke": Target(
        name="gke",
        description="GKE's ip-masq-agent DaemonSet (upstream agent run with --nomasq-all-reserved-ranges --masq-chain=IP-MASQ)",
        flags=AgentFlags(nomasq_all_reserved_ranges=True, masq_chain="IP-MASQ"),
    ),
    "upstream": Target(
        name="upstream",
        description="kubernetes-sigs/ip-masq-agent with its default flags (set agent-flags to match your DaemonSet)",
        flags=AgentFlags(),
    ),
    "cilium": Target(
        name="cilium",
        description="Cilium / GKE Dataplane V2 ip-masq-agent mode (pkg/ipmasq): eBPF map, no iptables",
        flags=AgentFlags(nomasq_all_reserved_ranges=True, enable_ipv6=True),
        host_bits="mask",
        defaults_when="empty-file",
        honours_cidr_limit=False,
        ignored_keys=("cidrLimit", "resyncInterval"),
        iptables=False,
    ),
    "azure": Target(
        name="azure",
        description="Azure ip-masq-agent-v2: reads every ip-masq* file, unions lists, ORs booleans, 64 CIDRs per file",
        flags=AgentFlags(),
        honours_cidr_limit=False,
        ignored_keys=("cidrLimit", "resyncInterval"),
        per_file_limit=64,
        iptables=False,
    ),
}

ALL_RESERVED = RFC1918 + RESERVED


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise ValueError(f"unknown target {name!r} (expected one of: {', '.join(TARGETS)})") from None
