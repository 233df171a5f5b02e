"""The consumers of the ip-masq-agent ConfigMap, as data: defaults, flags and quirks.

Rules ask a target what it does (``target.host_bits``, ``target.ignored_keys`` ...) rather
than testing its name, so a new consumer is one more entry here. ``apply_target`` is the one
sync loop every rule and command uses: the upstream agent's own loop (``agent.model.apply``)
when the target behaves like it, otherwise the same steps with the target's knobs.

What differs (DESIGN.md section 2):

=================  ============  ===============  =============================
knob               upstream/gke  cilium           azure (ip-masq-agent-v2)
=================  ============  ===============  =============================
defaults when      key absent    file missing or  no ip-masq* file at all
                                 zero bytes
host bits          reject        masked           reject
cidrLimit          honoured      ignored          ignored (no such key), 64/file
resyncInterval     read          ignored          ignored (no such key)
IPv6 entries       need flag     accepted         need flag
a bad file         logged, old   logged, old map  fatal: the agent exits
                   rules kept    kept             (rules in the kernel stay)
which entry wins   first RETURN  longest prefix   first RETURN
                   in order      (BPF LPM map)    in order
=================  ============  ===============  =============================
"""

from __future__ import annotations


from masqlint.agent.goslice import GoStringSlice
from masqlint.agent.cilium import sync_result
from masqlint.agent.model import (
    RESERVED,
    RFC1918,
    AgentError,
    AgentFlags,
    MasqConfig,
    SyncResult,
    apply,
    decode_value,
    iptables_payloads,
    validate,
)
from masqlint.record import Record


class Target(Record):
    __slots__ = ("name", "description", "flags", "host_bits", "defaults_when", "honours_cidr_limit", "ignored_keys",
                 "per_file_limit", "reads_configmap", "iptables", "checks_ipv6_flag", "on_reject", "match", "reload", "reader")

    def __init__(self, name: str, description: str, flags: AgentFlags, host_bits: str = "reject",
                 defaults_when: str = "absent-key", honours_cidr_limit: bool = True,
                 ignored_keys: tuple[str, ...] = (), per_file_limit: int | None = None, reads_configmap: bool = True,
                 iptables: bool = True, checks_ipv6_flag: bool = True, on_reject: str = "keep", match: str = "first",
                 reload: str = "", reader: str = ""):
        self.name = name
        self.description = description
        self.flags = flags
        # "reject": host bits make the agent refuse the file; "mask": the consumer masks them
        self.host_bits = host_bits
        # "absent-key": the decoder starts from the defaults, so an absent key keeps its default (upstream);
        # "empty-file": defaults only when the file is missing or has zero bytes (Cilium);
        # "missing-file": defaults only when there is no config file at all (Azure)
        self.defaults_when = defaults_when
        self.honours_cidr_limit = honours_cidr_limit
        self.ignored_keys = ignored_keys
        self.per_file_limit = per_file_limit  # a fixed CIDR count per file, whatever cidrLimit says
        self.reads_configmap = reads_configmap
        self.iptables = iptables  # the consumer writes iptables rules the way the upstream agent does
        self.checks_ipv6_flag = checks_ipv6_flag  # IPv6 entries are rejected unless the agent runs with --enable-ipv6
        self.on_reject = on_reject  # "keep": logs and keeps the rules it had; "exit": the agent exits (crash loop)
        self.match = match  # "first": the first RETURN rule in file order decides; "longest": longest prefix
        self.reload = reload  # how the consumer picks up a changed file, when it is not resyncInterval
        self.reader = reader  # "cilium": the file is read as Cilium reads it (agent/cilium.py)

    def default_cidrs(self) -> tuple[str, ...]:
        return self.flags.default_cidrs()

    def with_flags(self, **overrides) -> "Target":
        return self.replace(flags=self.flags.replace(**overrides))

    @property
    def prefills_defaults(self) -> bool:
        """The decoder fills a struct that already holds the defaults (so a null item keeps one)."""
        return self.defaults_when == "absent-key"

    @property
    def cidr_limit_rule(self) -> int | bool | None:
        """What ``validate`` limits the list to: True = cidrLimit, an int, or None (no limit)."""
        if self.per_file_limit is not None:
            return self.per_file_limit
        return True if self.honours_cidr_limit else None

    @property
    def upstream_like(self) -> bool:
        return (self.defaults_when == "absent-key" and self.host_bits == "reject" and self.honours_cidr_limit
                and not self.ignored_keys and self.per_file_limit is None and self.checks_ipv6_flag and self.iptables)

    def initial_config(self) -> MasqConfig:
        """The struct the consumer decodes into."""
        if self.prefills_defaults:
            return MasqConfig.defaults(self.flags)
        return MasqConfig(GoStringSlice())

    def defaults_for_file(self, present: bool, empty: bool) -> bool:
        """Does the consumer use its defaults without decoding anything?"""
        if not present:
            return True
        return empty and self.defaults_when == "empty-file"

    def rejection_note(self) -> str:
        if self.on_reject == "exit":
            return (f"the {self.name} agent exits on it (crash loop); the rules it wrote before stay in the kernel, "
                    "at first start there are none")
        if self.reader == "cilium":
            return ("Cilium logs the error and keeps the map it had; at first start its map stays empty, so every "
                    "destination, link-local included, is masqueraded")
        return "it logs an error and keeps the rules it had (at first start it has none; masqlint assumes its defaults)"


TARGETS: dict[str, Target] = {
    "gke": Target(
        name="gke",
        description="GKE's ip-masq-agent DaemonSet (upstream agent run with --nomasq-all-reserved-ranges --masq-chain=IP-MASQ)",
        flags=AgentFlags(nomasq_all_reserved_ranges=True, masq_chain="IP-MASQ"),
    ),
    "gke-autopilot": Target(
        name="gke-autopilot",
        description="GKE Autopilot: the ip-masq-agent ConfigMap is ignored; SNAT is set by EgressNATPolicy "
                    "(networking.gke.io/v1, action NoSNAT) on top of the node, Pod and Service ranges GKE keeps",
        flags=AgentFlags(nomasq_all_reserved_ranges=True, masq_chain="IP-MASQ"),
        reads_configmap=False,
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
        checks_ipv6_flag=False,
        match="longest",
        reload="it watches the file and reloads on every change instead",
        reader="cilium",
    ),
    "azure": Target(
        name="azure",
        description="Azure ip-masq-agent-v2: reads every ip-masq* file, unions lists, ORs booleans, 64 CIDRs per file",
        flags=AgentFlags(),
        defaults_when="missing-file",
        honours_cidr_limit=False,
        ignored_keys=("cidrLimit", "resyncInterval"),
        per_file_limit=64,
        on_reject="exit",
        reload="it re-reads its files every --resync-interval seconds, a flag of its DaemonSet, instead",
    ),
}

ALL_RESERVED = RFC1918 + RESERVED


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise ValueError(f"unknown target {name!r} (expected one of: {', '.join(TARGETS)})") from None


def decode_for(target: Target, root, collect: list | None = None) -> MasqConfig:
    """What ``root`` decodes to for ``target`` (errors raised, or appended to ``collect``)."""
    cfg = target.initial_config()
    decode_value(root, cfg, collect=collect, skip=target.ignored_keys)
    return cfg


def apply_target(target: Target, root_or_error, empty: bool = False, previous: SyncResult | None = None,
                 text: str | None = None, json_input: bool = False) -> SyncResult:
    """One loop of ``target`` on a config parsed to ``root_or_error`` (None: no config file).

    ``empty``: the file exists and has zero bytes. On rejection the configuration in force is the
    previous one, or the defaults at first start (see ``Target.rejection_note``). ``text`` and
    ``json_input``: the config text, for consumers that read list items from the raw JSON (Cilium).
    """
    if target.upstream_like:
        return apply(root_or_error, target.flags, previous)
    if target.reader == "cilium":
        return sync_result(root_or_error, empty, previous, text, json_input, target.flags)
    flags = target.flags
    in_force = previous.effective if previous is not None else MasqConfig.defaults(flags)
    if target.defaults_for_file(root_or_error is not None, empty):
        cfg = MasqConfig.defaults(flags)
        return SyncResult(True, None, cfg, *_payloads(target, cfg), cfg, previous)
    cfg = target.initial_config()
    try:
        if isinstance(root_or_error, AgentError):
            raise root_or_error
        decode_value(root_or_error, cfg, skip=target.ignored_keys)
    except AgentError as err:
        return SyncResult(False, err, in_force, None, None, None, previous)
    try:
        validate(cfg, flags, limit=target.cidr_limit_rule, mask_host_bits=target.host_bits == "mask",
                 check_ipv6=target.checks_ipv6_flag)
    except AgentError as err:
        return SyncResult(False, err, in_force, None, None, cfg, previous)
    return SyncResult(True, None, cfg, *_payloads(target, cfg), cfg, previous)


def _payloads(target: Target, cfg: MasqConfig) -> tuple[str | None, str | None]:
    if not target.iptables:
        return None, None
    return iptables_payloads(cfg, target.flags)
