"""``masqlint trace [--dst IP[/N]] PATH…``: for each ip-masq-agent configuration, does a pod's
packet to the destination leave with the node IP (masquerade) or keep the pod IP, and which
rule decides — the entry and its line, a default range, link-local, or the agent defaults when
there is no ConfigMap. A range that different rules decide is split into its parts.

``--format json`` prints::

    {"results": [{"path": …, "dst": "10.2.1.100/32",
                  "parts": [{"cidr": …, "masquerade": true|false, "reason": …,
                             "entry": "10.0.0.0/8" | null, "line": N | null}]}]}

``reason`` is one of ``entry``, ``default``, ``link-local``, ``no ConfigMap: agent defaults``,
``rejected: agent defaults`` (the agent refuses the config and keeps the rules it had, the
defaults at first start), ``no match`` (the final MASQUERADE rule applies) and ``IPv6 disabled``
(the agent writes no IPv6 rules, so IPv6 traffic keeps the pod IP). On GKE Autopilot the unit is a
cluster scope's EgressNATPolicies together (their union): ``EgressNATPolicy`` (a NoSNAT destination;
the part also names its ``file``), ``GKE default policy`` (GKE's own `default` policy, when the
repository holds none) and ``kept by GKE`` (the cluster's node, Pod and Service ranges). With default
SNAT disabled and no ConfigMap, the reason is ``default SNAT disabled``.

Without ``--dst`` the destinations traced are the declared ones (``must-masquerade``,
``must-not-masquerade``) and the cluster's Pod ranges (which must keep pod IPs); each result then
carries ``expect`` (``node IP`` or ``pod IP``) and ``ok``, and the exit status is 1 when one is not
where the policy wants it, so the command can gate CI on its own.
The iptables agents stop at the first RETURN rule in chain order; Cilium's BPF map takes the longest
matching prefix (said in the text).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Callable

from masqlint.cli.options import build_options
from masqlint.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from masqlint.pipeline.discover import Candidate
from masqlint.pipeline.runner import Options, Prepared, analyse_prepared, prepare, settings_for, walk
from masqlint.agent.decide import (
    ABSENT,
    ACCEPTED,
    ENTRY,
    LINK_LOCAL,
    NOT_APPLIED,
    REJECTED,
    InForce,
    Rule,
    Segment,
    decide,
    defaults_in_force,
    parse_destination,
)
from masqlint.agent.egressnat import ACTION, DEFAULT_POLICY, GKE_KEPT, POLICY_DEFAULT, Written, policy_in_force
from masqlint.agent.model import MasqConfig
from masqlint.agent.targets import get_target
from masqlint.config.loader import cluster_scope
from masqlint.engine.lint import configs_in


REASON_ENTRY = "entry"
REASON_DEFAULT = "default"
REASON_LINK_LOCAL = "link-local"
REASON_NO_CONFIGMAP = "no ConfigMap: agent defaults"
REASON_REJECTED = "rejected: agent defaults"
REASON_NO_MATCH = "no match"
REASON_IPV6_OFF = "IPv6 disabled"
REASON_POLICY = "EgressNATPolicy"
REASON_POLICY_DEFAULT = "GKE default policy"
REASON_GKE_KEPT = "kept by GKE"
REASON_SNAT_OFF = "default SNAT disabled"
SNAT_OFF = "snat-off"  # a Rule kind: the cluster's default SNAT is disabled and no agent config is in force


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser("trace", help="which way a pod's packet to a destination goes (node IP or pod IP), and why")
    p.add_argument("paths", nargs="+", metavar="PATH", help="manifests, agent config files or directories")
    p.add_argument("--dst", action="append", metavar="IP[/N]",
                   help="a destination address or CIDR block (repeat for several); without it, the declared "
                        "destinations and the cluster's Pod ranges are traced and checked (exit 1 when one is wrong)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--standalone", action="append", metavar="GLOB", default=[],
                   help="treat files matching GLOB as agent config files (the bytes at /etc/config/ip-masq-agent)")
    common_settings_args(p)


# --- the model --------------------------------------------------------------------------------------


@dataclass
class Unit:
    """One configuration: where it is, the rules in force, how to name an entry's line."""

    path: str
    inf: InForce
    line: int | None = None  # where the config is, when a file holds several
    line_of: Callable[[Rule], int | None] | None = None  # rule -> line (None for defaults)
    expect: list = field(default_factory=list)  # (cidr, want masquerade, label): what the settings want


@dataclass
class Part:
    cidr: str
    masquerade: bool
    reason: str
    entry: str | None
    line: int | None
    file: str | None = None  # the file of an EgressNATPolicy destination (a unit spans several files)

    def to_json(self) -> dict:
        out = {"cidr": self.cidr, "masquerade": self.masquerade, "reason": self.reason, "entry": self.entry,
               "line": self.line}
        if self.file is not None:
            out["file"] = self.file
        return out


@dataclass
class Result:
    unit: Unit
    dst: str
    parts: list[Part] = field(default_factory=list)
    expect: bool | None = None  # True: must be masqueraded (node IP); False: must keep the pod IP
    label: str = ""

    @property
    def ok(self) -> bool:
        return self.expect is None or all(p.masquerade == self.expect for p in self.parts)

    def to_json(self) -> dict:
        out: dict = {"path": self.unit.path, "dst": self.dst, "parts": [p.to_json() for p in self.parts]}
        if self.expect is not None:
            out.update(expect="node IP" if self.expect else "pod IP", ok=self.ok, label=self.label)
        return out


def reason_of(inf: InForce, seg: Segment) -> str:
    if seg.ipv6_off:
        return REASON_IPV6_OFF
    if seg.rule is None:
        return REASON_NO_MATCH

    if seg.rule.kind == GKE_KEPT:
        return REASON_GKE_KEPT
    if seg.rule.kind == POLICY_DEFAULT:
        return REASON_POLICY_DEFAULT
    if seg.rule.kind == SNAT_OFF:
        return REASON_SNAT_OFF
    if isinstance(seg.rule.origin, Written):
        return REASON_POLICY
    if seg.rule.kind == LINK_LOCAL:
        return REASON_LINK_LOCAL
    if seg.rule.kind == ENTRY:
        return REASON_ENTRY
    if inf.state in (ABSENT, NOT_APPLIED):
        return REASON_NO_CONFIGMAP
    if inf.state == REJECTED:
        return REASON_REJECTED
    return REASON_DEFAULT


def trace_unit(unit: Unit, dst: str, expect: bool | None = None, label: str = "") -> Result:
    v, lo, hi, cidr = parse_destination(dst)
    res = Result(unit, cidr, expect=expect, label=label)
    for seg in decide(unit.inf, v, lo, hi):
        reason = reason_of(unit.inf, seg)
        entry = seg.rule.cidr if seg.rule is not None else None
        w = seg.rule.origin if seg.rule is not None and isinstance(seg.rule.origin, Written) else None
        if w is not None:
            line, file = w.line, w.path
        else:
            file = None
            line = unit.line_of(seg.rule) if (seg.rule is not None and seg.rule.kind == ENTRY and unit.line_of) else None
        for block in seg.cidrs():
            res.parts.append(Part(block, seg.masquerade, reason, entry, line, file))
    return res


def units_for_paths(paths, opts: Options) -> list[Unit]:
    """Every ip-masq-agent configuration under ``paths``; a path with none is one unit with the
    agent defaults (no ConfigMap)."""
    units: list[Unit] = []
    for p in paths:
        if p == "-":  # standard input, held to max-file-size like every file
            s = settings_for(opts.stdin_filename or "-", opts)
            data = sys.stdin.buffer.read(s.max_file_size + 1)
            if len(data) > s.max_file_size:
                raise UsageError(f"masqlint: standard input holds more than --max-file-size {s.max_file_size:,} bytes")
            name = opts.stdin_filename or "-"
            found = units_of(prepare(name, "-", opts, data=data))
            units.extend(found or [no_config_unit(name, s)])
            continue
        if not os.path.exists(p):
            raise UsageError(f"masqlint: {p}: no such file or directory")
        before = len(units)
        policies: dict[str, list] = {}  # cluster scope -> [(display, Policy, settings)]
        for c in walk([p], opts):
            if isinstance(c, Candidate):
                units.extend(units_of(prepare(c.display, c.path, opts), policies))
        units.extend(policy_units(p, policies))
        if len(units) == before:
            base = settings_for(p, opts)
            t = base.target_model()
            if not t.reads_configmap:
                units.extend(policy_units(p, {"": [(p, None, base)]}))
            else:
                units.append(no_config_unit(p, base))
    return units


def no_config_unit(p: str, settings) -> Unit:
    """No agent config under ``p``: the agent's defaults, or nothing masqueraded when the cluster
    has default SNAT disabled (and so, as far as the repository says, no ip-masq-agent runs)."""
    t = settings.target_model()
    facts = settings.cluster_facts()
    if facts is not None and facts.default_snat_disabled:
        why = (f"no ip-masq-agent ConfigMap in {p}, and {facts.label} has default SNAT disabled: without the agent "
               "nothing is masqueraded")
        rules = [Rule(0, "0.0.0.0/0", 4, 0, (1 << 32) - 1, 0, SNAT_OFF), Rule(1, "::/0", 6, 0, (1 << 128) - 1, 0, SNAT_OFF)]
        inf = InForce(rules, ABSENT, MasqConfig.defaults(t.flags), t.with_flags(enable_ipv6=True), None, why, False)
        return Unit(p, inf, expect=expectations(settings))
    return Unit(p, defaults_in_force(t, ABSENT, f"no ip-masq-agent ConfigMap in {p}: the agent uses its defaults"),
                expect=expectations(settings))


def expectations(settings) -> list:
    """(cidr, must be masqueraded, label) the settings and the cluster ask for."""
    out = [(d.cidr, True, f"must-masquerade {d.label}") for d in settings.must_masquerade]
    out += [(d.cidr, False, f"must-not-masquerade {d.label}") for d in settings.must_not_masquerade]
    facts = settings.cluster_facts()
    if facts is not None and settings.target_model().reads_configmap:
        out += [(pr.cidr, False, pr.label()) for pr in facts.pod_ranges]
    return out


def policy_units(p: str, policies: dict) -> list[Unit]:
    """One unit per cluster scope of EgressNATPolicies: their union (GKE Autopilot)."""
    out = []
    for _scope, items in policies.items():
        settings = items[0][2]
        t = settings.target_model()
        if t.reads_configmap and settings.target_known:
            continue  # a Standard cluster does not read them (MQ414)
        if t.reads_configmap:
            t = get_target("gke-autopilot")
        written, files, has_default = [], [], False
        for display, pol, _s in items:
            if pol is None:
                continue
            files.append(display)
            if pol.action != ACTION:
                continue
            has_default = has_default or pol.name == DEFAULT_POLICY
            for d in pol.destinations:
                if d.cidr is not None:
                    written.append(Written(d.cidr, pol.name, display, pol.line(d.cidr_node)))
        facts = settings.cluster_facts()
        kept = facts.kept_ranges() if facts is not None else []
        label = files[0] if len(set(files)) == 1 else p
        why = "" if files else f"no EgressNATPolicy in {p}: GKE's own `default` policy and the ranges GKE keeps"
        out.append(Unit(label, policy_in_force(written, t, kept, has_default, why), expect=expectations(settings)))
    return out


def units_of(p: Prepared, policies: dict | None = None) -> list[Unit]:
    """One unit per ip-masq-agent config of a prepared file (none when it was not read); its
    EgressNATPolicies are added to ``policies`` by cluster scope."""
    if p.data is None:
        return []
    display, settings = p.display, p.settings
    fctx = analyse_prepared(p)
    if policies is not None and fctx.policies:
        scope = cluster_scope(p.fspath or display, settings)
        policies.setdefault(scope, []).extend((display, pol, settings) for pol in fctx.policies)
    if not settings.target_model().reads_configmap:
        return []  # Autopilot ignores the ConfigMap: its policies are traced instead

    found = configs_in(fctx)  # a kustomization's generator file, a page's fences too
    several = len(found) > 1
    out = []
    for cctx, where, place in found:
        anchor = cctx.config.anchor_span() if place is None else place.span(cctx.config.anchor_span())
        line = anchor.line if several else None
        out.append(Unit(where, cctx.in_force, line, _line_of(cctx, place), expectations(settings)))
    return out


def _line_of(cctx, place=None):
    def f(rule):
        if rule.origin is None:
            return None
        span = cctx.span(rule.origin)
        return (span if place is None else place.span(span)).line

    return f


# --- output -----------------------------------------------------------------------------------------


def _decision(p: Part, longest: bool = False) -> str:
    if p.reason == REASON_IPV6_OFF:
        return "keep pod IP (the agent runs without --enable-ipv6 and writes no IPv6 rules)"
    if p.masquerade and longest:
        return "masquerade (node IP): no entry of the non-masquerade map matches"
    if p.masquerade:
        return "masquerade (node IP): no non-masquerade range matches, so the final MASQUERADE rule applies"
    if p.reason == REASON_ENTRY:
        return f"keep pod IP: entry {p.entry} on line {p.line}"
    if p.reason == REASON_POLICY:
        return f"keep pod IP: NoSNAT destination {p.entry} ({p.file}:{p.line})"
    if p.reason == REASON_POLICY_DEFAULT:
        return f"keep pod IP: {p.entry} of GKE's own `default` EgressNATPolicy (the repository holds none)"
    if p.reason == REASON_GKE_KEPT:
        return f"keep pod IP: {p.entry}, a node, Pod or Service range GKE always keeps"
    if p.reason == REASON_SNAT_OFF:
        return "keep pod IP: default SNAT is disabled on the cluster and no ip-masq-agent config is in force"
    if p.reason == REASON_LINK_LOCAL:
        key = "masqLinkLocalIPv6" if ":" in (p.entry or "") else "masqLinkLocal"
        return f"keep pod IP: link-local {p.entry} ({key} is false)"
    if p.reason == REASON_NO_CONFIGMAP:
        return f"keep pod IP: default range {p.entry} (no ConfigMap: agent defaults)"
    if p.reason == REASON_REJECTED:
        return f"keep pod IP: default range {p.entry} (config rejected: agent defaults)"
    return f"keep pod IP: default range {p.entry} (nonMasqueradeCIDRs is absent)"


def render_text(results: list[Result]) -> str:
    lines: list[str] = []
    last = None
    for r in results:
        u = r.unit
        if u is not last:
            if lines:
                lines.append("")
            where = f"{u.path}:{u.line}" if u.line else u.path
            longest = getattr(u.inf.target, "match", "first") == "longest"
            how = "; the longest matching prefix decides, not the order of the list" if longest else ""
            lines.append(f"{where} (target {u.inf.target.name}{how})")
            if u.inf.state != ACCEPTED or u.inf.why:
                lines.append(f"  {u.inf.why[0].upper()}{u.inf.why[1:]}.")
            last = u
        head = f"  {r.dst}"
        if r.expect is not None:
            mark = "ok" if r.ok else "WRONG"
            head += f" [{r.label}; wants {'node IP' if r.expect else 'pod IP'}: {mark}]"
        if len(r.parts) == 1:
            lines.append(f"{head}: {_decision(r.parts[0], longest)}")
        else:
            lines.append(f"{head}: split in {len(r.parts)} parts")
            width = max(len(p.cidr) for p in r.parts)
            for p in r.parts:
                lines.append(f"    {p.cidr:<{width}}  {_decision(p, longest)}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    dsts = []
    for d in args.dst or ():
        try:
            parse_destination(d)
        except ValueError as e:
            raise UsageError(f"masqlint: --dst {d}: {e}") from None
        dsts.append(d)
    opts = build_options(args)
    units = units_for_paths(args.paths, opts)
    if dsts:
        results = [trace_unit(u, d) for u in units for d in dsts]
    else:
        results = []
        for u in units:
            for cidr, want, label in u.expect:
                try:
                    results.append(trace_unit(u, cidr, want, label))
                except ValueError:
                    continue  # settings validation reports it
        if not results:
            raise UsageError("masqlint: nothing to trace: give --dst, or declare must-masquerade / must-not-masquerade "
                             "destinations or a cluster (cluster: / --cluster) in the settings")
    if args.format == "json":
        sys.stdout.write(json.dumps({"results": [r.to_json() for r in results]}, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(results))
    if not dsts and not all(r.ok for r in results):
        return EXIT_FINDINGS
    return EXIT_OK
