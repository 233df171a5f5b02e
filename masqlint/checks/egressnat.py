"""EgressNATPolicy (GKE Autopilot): the resource itself, its destinations, and the union of a
cluster's policies against the repository's declared policy.

Per file (``FILE`` scope): MQ409 action, MQ410 unknown fields, MQ411 destination shape, MQ412 a
GKE-managed policy, MQ414 a policy on a Standard cluster, and the CIDR rules the agent config has
too (MQ301 invalid, MQ302 host bits, MQ305 duplicate, MQ306 redundant, MQ404 everything, MQ405
public), each at the destination it is about.

Per cluster (``RUN`` scope, every file of one cluster scope together): the non-masquerade set is the
union of every NoSNAT destination, GKE's own `default` policy when the repository holds none, and
the node, Pod and Service ranges GKE always keeps (``agent.egressnat``). MQ401 (a `default` policy
that drops documented destinations), MQ402 and MQ403 (declared destinations) read that set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from masqlint.agent.egressnat import (
    ACTION,
    DEFAULT_POLICY,
    DEFAULT_POLICY_CIDRS,
    GKE_KEPT,
    MANAGED_PREFIX,
    POLICY_DEFAULT,
    Written,
    describe,
    policy_in_force,
)
from masqlint.agent.gonet import GoCIDR, GoNetError, parse_cidr
from masqlint.checks import COLLECT, FILE, RUN, Problem, register
from masqlint.config.loader import cluster_scope, real_file
from masqlint.engine.findings import FileResult, Span
from masqlint.text.source import node_range
from masqlint.text.yamlload import MappingNode, Node, ScalarNode, SequenceNode
from masqlint.checks.cidrs import _diagnose
from masqlint.checks.traffic import Range, _public_part
from masqlint.agent.targets import get_target
from masqlint.agent.decide import InForce, canonical_range, decide, parse_destination, ranges_of
from masqlint.agent.ranges import merge_ranges, range_cidrs, subtract_ranges
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.config.settings import Settings
    from masqlint.engine.lint import FileContext
    from masqlint.forms.egressnat import Policy


@lru_cache(maxsize=1)
def _schema() -> dict:
    import json  # noqa: PLC0415 - lazy: json only for a file that holds a policy

    from masqlint.resources import schema_path  # noqa: PLC0415 - lazy: pathlib only when the schema is read

    return json.loads(schema_path("egressnatpolicy.schema.json").read_text(encoding="utf-8"))


def known_fields() -> dict[str, tuple[str, ...]]:
    """Field names the schema allows, per level: the object, ``spec``, a destination."""
    s = _schema()["properties"]
    return {
        "object": tuple(_schema()["properties"]),
        "spec": tuple(s["spec"]["properties"]),
        "destination": tuple(s["spec"]["properties"]["destinations"]["items"]["properties"]),
    }


def _policies(fctx: FileContext) -> Sequence[Policy]:
    return getattr(fctx, "policies", None) or ()


# --- MQ409 action -------------------------------------------------------------------------------------


@register("MQ409", FILE)
def invalid_action(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        if p.spec_node is not None and not isinstance(p.spec_node, MappingNode):
            continue  # MQ411 says what spec should be
        if p.action_node is None:
            yield Problem(f"EgressNATPolicy {p.name or '(unnamed)'} has no spec.action: the API server refuses "
                          f"it (action is required). Write `action: {ACTION}`", at=p.spec_key or p.kind_node, outer=True)
            continue
        if p.action == ACTION:
            continue
        got = p.action if p.action is not None else "a value that is not a string"
        hint = (f"the case is wrong: write {ACTION}" if isinstance(p.action, str) and p.action.lower() == ACTION.lower()
                else f"there is no SNAT action to choose (traffic to any destination not listed is masqueraded "
                     f"already); to keep pod IPs for some destinations write `action: {ACTION}`")
        yield Problem(
            f"action {got!s} does not exist: {ACTION} is the only action of an EgressNATPolicy, so the API server "
            f"refuses the policy or it does nothing; {hint}",
            at=p.action_node, outer=True, data={"action": p.action},
        )


# --- MQ410 unknown fields -------------------------------------------------------------------------------


def _unknown(node: Node | None, known: Sequence[str], where: str) -> Iterator[tuple[ScalarNode, str | None, str]]:
    if not isinstance(node, MappingNode):
        return
    for k, _v in node.value:
        if not isinstance(k, ScalarNode) or k.value in known:
            continue
        import difflib  # noqa: PLC0415 - lazy: only an unknown key needs it

        near = difflib.get_close_matches(k.value, known, n=1, cutoff=0.6)
        if not near:
            near = [kn for kn in known if kn.lower() == k.value.lower()]
        yield k, near[0] if near else None, where


@register("MQ410", FILE)
def unknown_field(fctx: FileContext) -> Iterator[Problem]:
    policies = _policies(fctx)
    if not policies:
        return  # (the schema is read only for a file that holds a policy)
    f = known_fields()
    for p in policies:
        found = list(_unknown(p.node, f["object"], "the policy"))
        found += list(_unknown(p.spec_node, f["spec"], "spec"))
        for d in p.destinations:
            found += list(_unknown(d.item, f["destination"], "a destination"))
        for key, near, where in found:
            allowed = {"the policy": f["object"], "spec": f["spec"], "a destination": f["destination"]}[where]
            yield Problem(
                f"`{key.value}` is not a field of {where} of an EgressNATPolicy (it has {', '.join(allowed)}): "
                "`kubectl apply` refuses it or drops it, and nothing selects traffic by it"
                + (f". Did you mean `{near}`?" if near else ". Remove it"),
                at=key, outer=True, data={"field": key.value, "suggestion": near},
            )


# --- MQ411 destination shape ----------------------------------------------------------------------------


@register("MQ411", FILE)
def destination_shape(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        if p.spec_node is not None and not isinstance(p.spec_node, MappingNode):
            yield Problem("spec is not a mapping: write `spec: {action: NoSNAT, destinations: [{cidr: …}]}`",
                          at=p.spec_node, outer=True)
            continue
        if p.dest_node is None:
            yield Problem(f"EgressNATPolicy {p.name or '(unnamed)'} has no spec.destinations: it keeps no pod "
                          "IP anywhere (the API server refuses it). List `destinations: [{cidr: …}]`",
                          at=p.spec_key or p.kind_node, outer=True)
            continue
        if not isinstance(p.dest_node, SequenceNode):
            yield Problem("spec.destinations is not a list: write one `- cidr: 10.0.0.0/8` item per range; "
                          "the API server refuses the policy", at=p.dest_key, outer=True)
            continue
        if not p.dest_node.value:
            yield Problem("spec.destinations is empty: the policy keeps no pod IP anywhere. List the ranges, or "
                          "delete the policy", at=p.dest_key, outer=True)
        for d in p.destinations:
            if d.cidr is not None:
                continue
            item = d.item
            if isinstance(item, ScalarNode) and item.value:
                msg = (f"the destination `{item.value}` is a bare string, but each destination is a mapping: "
                       f"write `- cidr: {item.value}`")
            elif isinstance(item, MappingNode) and d.cidr_node is None:
                msg = "this destination has no `cidr` key: each destination is `{cidr: <CIDR block>}`"
                item = item.value[0][0] if item.value else item
            elif d.cidr_node is not None:
                msg = "the cidr of this destination is not a string: write it as `cidr: 10.2.0.0/16`"
            else:
                msg = "this destination is not `{cidr: <CIDR block>}`"
            yield Problem(msg + "; the API server refuses the policy", at=item, outer=True)


# --- MQ412 a GKE-managed policy --------------------------------------------------------------------------


@register("MQ412", FILE)
def managed_policy(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        if p.name.startswith(MANAGED_PREFIX):
            yield Problem(
                f"EgressNATPolicy {p.name} is managed by GKE: it holds the cluster's own node, Pod and Service ranges, "
                "cannot be edited, and GKE restores it. Put your destinations in the `default` policy or in a policy "
                "of your own name",
                at=p.name_node, outer=True, data={"name": p.name},
            )


# --- MQ414 a policy on a Standard cluster ----------------------------------------------------------------


@register("MQ414", FILE)
def policy_on_standard(fctx: FileContext) -> Iterator[Problem]:
    s = fctx.settings
    if not _policies(fctx) or not s.target_known or s.effective_target == "gke-autopilot":
        return
    facts = s.cluster_facts()
    why = (f"{facts.label} is a Standard cluster ({facts.source}: autopilot is not enabled)"
           if facts is not None and facts.autopilot is False else f"masqlint's target is {s.effective_target}")
    for p in _policies(fctx):
        yield Problem(
            f"EgressNATPolicy {p.name or '(unnamed)'} is read only on GKE Autopilot, and {why}: there the "
            "ip-masq-agent ConfigMap (kube-system/ip-masq-agent) decides SNAT and this policy changes nothing. Put the "
            "destinations in the ConfigMap's nonMasqueradeCIDRs, or set `target: gke-autopilot` if the cluster is "
            "Autopilot",
            at=p.kind_node, outer=True, data={"name": p.name},
        )


# --- the CIDR rules, per destination -----------------------------------------------------------------------


class _Dest:
    __slots__ = ("cidr", "node", "policy", "rng", "text")

    def __init__(self, policy: Policy, text: str, node: Node, cidr: GoCIDR | None):
        self.policy = policy
        self.text = text
        self.node = node
        self.cidr = cidr
        self.rng = cidr.as_int_range() if cidr is not None else None


def _dests(p: Policy, fctx: FileContext | None = None) -> list[_Dest]:
    out = []
    for d in p.destinations:
        if d.cidr is None:
            continue
        assert d.cidr_node is not None  # a cidr string is read from its node
        try:
            out.append(_Dest(p, d.cidr, d.cidr_node, parse_cidr(d.cidr)))
        except GoNetError:
            out.append(_Dest(p, d.cidr, d.cidr_node, None))
    return out


def _valid(p: Policy) -> list[_Dest]:
    return [d for d in _dests(p) if d.cidr is not None and d.cidr.aligned]


def _line(node: Node) -> int:
    return node.start_mark.line + 1


@register("MQ301", FILE)
def invalid_destination(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        for d in _dests(p):
            if d.cidr is not None:
                continue
            why, suggestion = _diagnose(d.text)
            yield Problem(f'"{d.text}" is not a valid CIDR: {why}. The API server refuses the EgressNATPolicy '
                          f"{p.name or ''}".rstrip() + (f". Write {suggestion}" if suggestion else ""),
                          at=d.node, outer=True, data={"cidr": d.text, "suggestion": suggestion})


@register("MQ302", FILE)
def destination_host_bits(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        for d in _dests(p):
            if d.cidr is None or d.cidr.aligned:
                continue
            net = d.cidr.network_string()
            yield Problem(f"{d.text} has host bits set (its network is {net}): an EgressNATPolicy destination "
                          f"must be a network address, and {d.text} is refused or read as {net}, far more than the one "
                          f"host it names. Write {net}, or /{d.cidr.bits} for the single host {d.cidr.ip_string()}",
                          at=d.node, outer=True, data={"cidr": d.text, "network": net})


@register("MQ305", FILE)
def duplicate_destination(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        seen: dict = {}
        for d in _valid(p):
            if d.rng in seen:
                first = seen[d.rng]
                yield Problem(f"{d.text} is already a destination of this policy on line {_line(first.node)}: "
                              "remove this one", at=d.node, outer=True, data={"cidr": d.text})
            else:
                seen[d.rng] = d


@register("MQ306", FILE)
def redundant_destination(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        # 0.0.0.0/0 is MQ404; the entries under it are not called redundant as well
        ents: list[tuple[Range, _Dest]] = []
        for d in _valid(p):
            assert d.cidr is not None and d.rng is not None  # a valid destination is parsed
            if d.cidr.prefixlen > 0:
                ents.append((d.rng, d))
        ents.sort(key=lambda rd: (rd[0][0], rd[0][1], -rd[0][2]))
        cover: tuple[Range, _Dest] | None = None
        for rng, d in ents:
            v, lo, hi = rng
            if cover is not None and cover[0][0] == v and hi <= cover[0][2]:
                if cover[0] != rng:  # the same range twice is MQ305
                    c = cover[1]
                    yield Problem(f"{d.text} lies inside {c.text} (line {_line(c.node)}) of the same "
                                  "policy: it changes nothing. Remove it", at=d.node, outer=True,
                                  data={"cidr": d.text, "covered_by": c.text})
                continue
            cover = (rng, d)


@register("MQ404", FILE)
def destination_everything(fctx: FileContext) -> Iterator[Problem]:
    for p in _policies(fctx):
        if p.action != ACTION:
            continue  # its destinations keep nothing (MQ409)
        for d in _valid(p):
            assert d.cidr is not None and d.rng is not None  # a valid destination is parsed
            if d.cidr.prefixlen == 0:
                yield Problem(f"{d.text} as a NoSNAT destination covers every {'IPv4' if d.rng[0] == 4 else 'IPv6'} "
                              "destination: nothing is masqueraded, so pods reach the internet, on-premises networks "
                              "and Private Endpoints with their pod IPs. List only the ranges that must keep pod IPs",
                              at=d.node, outer=True, data={"cidr": d.text})


@register("MQ405", FILE)
def destination_public(fctx: FileContext) -> Iterator[Problem]:
    private = _privately_used(fctx.settings)
    for p in _policies(fctx):
        if p.action != ACTION:
            continue  # its destinations keep nothing (MQ409)
        for d in _valid(p):
            assert d.cidr is not None and d.rng is not None  # a valid destination is parsed
            if d.cidr.prefixlen == 0:
                continue
            v, lo, hi = d.rng
            if any(pv == v and plo <= lo and hi <= phi for pv, plo, phi in private):
                continue  # a privately used public range the cluster uses, or one declared must-not-masquerade
            n = _public_part(d.rng)
            if n > 0:
                share = "is a public range" if n == hi - lo + 1 else "includes public addresses"
                yield Problem(f"{d.text} {share}: pod traffic to it leaves with pod IPs, which the internet "
                              "and most peered networks do not route back. Keep only private or reserved ranges unless "
                              "a peer really expects pod IPs", at=d.node, outer=True, data={"cidr": d.text})


def _privately_used(settings: Settings) -> list[Range]:
    """Ranges a NoSNAT destination may cover without being called public: declared must-not-masquerade
    destinations and the cluster's own node, Pod and Service ranges."""
    out = []
    cidrs = [d.cidr if "/" in d.cidr else d.cidr + ("/128" if ":" in d.cidr else "/32")
             for d in settings.must_not_masquerade]
    facts = settings.cluster_facts()
    if facts is not None:
        cidrs += [c for c, _ in facts.kept_ranges()]
    for c in cidrs:
        r = canonical_range(c)
        if r is not None:
            out.append(r[:3])
    return out


# --- the union of a cluster's policies ----------------------------------------------------------------------


class PolicyRef(Record):
    """One EgressNATPolicy of a checked file, for the checks across a cluster's files (picklable)."""

    __slots__ = ("name", "name_span", "anchor_span", "destinations", "applies", "inputs", "scope", "file")

    def __init__(self, name: str, name_span: Span, anchor_span: Span, destinations: tuple, applies: bool,
                 inputs: "ScopeInputs", scope: str = "", file: str = ""):
        self.name = name
        self.name_span = name_span
        self.anchor_span = anchor_span  # spec.destinations (or spec, or the name)
        self.destinations = destinations  # ((cidr, Span), …) of a policy whose action is NoSNAT
        self.applies = applies  # action NoSNAT: the destinations keep pod IPs
        self.inputs = inputs
        self.scope = scope
        self.file = file


class ScopeInputs(Record):
    """What the settings of a file say about its cluster, for the union checks."""

    __slots__ = ("must_masquerade", "must_not_masquerade", "allow_dropped_defaults", "kept", "standard")

    def __init__(self, must_masquerade: tuple = (), must_not_masquerade: tuple = (),
                 allow_dropped_defaults: tuple = (), kept: tuple = (), standard: bool = False):
        self.must_masquerade = must_masquerade
        self.must_not_masquerade = must_not_masquerade
        self.allow_dropped_defaults = allow_dropped_defaults
        self.kept = kept  # ((cidr, what), …) from the cluster facts
        self.standard = standard  # the cluster is known not to be Autopilot (MQ414 says so; nothing else here)


def _inputs(settings: Settings) -> ScopeInputs:
    facts = settings.cluster_facts()
    return ScopeInputs(
        tuple(settings.must_masquerade), tuple(settings.must_not_masquerade), tuple(settings.allow_dropped_defaults),
        tuple(facts.kept_ranges()) if facts is not None else (),
        settings.target_known and settings.effective_target != "gke-autopilot")


@register("MQ401", COLLECT)  # the facts MQ401, MQ402 and MQ403 read across the files of a cluster scope
def policies_of_file(fctx: FileContext) -> Iterator[PolicyRef]:
    """The file's EgressNATPolicies, with the cluster scope its path gives them."""
    if not _policies(fctx):
        return
    inputs = _inputs(fctx.settings)
    name = fctx.source.fspath or fctx.source.path
    scope = cluster_scope(name, fctx.settings)
    real = real_file(name) if name != "-" else name
    idx = fctx.source.index

    def span(node: Node) -> Span:
        r = node_range(node)
        return idx.span(*r) if r else Span(1, 1, 1, 1)

    for p in _policies(fctx):
        dests = tuple((d.text, span(d.node)) for d in _valid(p))
        yield PolicyRef(p.name, span(p.name_node), span(p.anchor), dests, p.action == ACTION, inputs, scope, real)


def written_of(members: Iterable[tuple[FileResult, PolicyRef]]) -> list[Written]:
    """The NoSNAT destinations of (FileResult, PolicyRef) pairs, each knowing its file and line."""
    out = []
    for fr, ref in members:
        if not ref.applies:
            continue
        for cidr, sp in ref.destinations:
            out.append(Written(cidr, ref.name, fr.path, sp.line, (fr, sp)))
    return out


def scope_in_force(members: list[tuple[FileResult, PolicyRef]], target: Any = None) -> InForce:
    refs = [ref for _fr, ref in members]
    has_default = any(r.name == DEFAULT_POLICY and r.applies for r in refs)
    return policy_in_force(written_of(members), target or get_target("gke-autopilot"), list(refs[0].inputs.kept),
                           has_default)


def _groups(files: list[FileResult]) -> dict[str, list[tuple[FileResult, PolicyRef]]]:
    groups: dict[str, list[tuple[FileResult, PolicyRef]]] = {}
    seen: set = set()
    for fr in files:
        refs = fr.facts.get("MQ401") or ()
        if not refs or (refs[0].file and refs[0].file in seen):
            continue
        seen.add(refs[0].file)
        for ref in refs:
            groups.setdefault(ref.scope, []).append((fr, ref))
    return groups


@register("MQ401", RUN)
def dropped_default_across_files(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    yield from _union(files, "MQ401")


@register("MQ402", RUN)
def must_masquerade_across_files(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    yield from _union(files, "MQ402")


@register("MQ403", RUN)
def must_not_masquerade_across_files(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    yield from _union(files, "MQ403")


def _union(files: list[FileResult], rid: str) -> Iterator[tuple[FileResult, Problem]]:
    """``rid`` (MQ401, MQ402 or MQ403) over the union of each cluster scope's policies. Yields (FileResult, Problem)."""
    for _scope, members in _groups(files).items():
        members.sort(key=lambda m: (m[0].path, m[1].name_span.line))
        inputs = members[0][1].inputs
        if inputs.standard:
            continue  # not read on this cluster (MQ414)
        inf = scope_in_force(members)
        covered = merge_ranges((r.version, r.lo, r.hi) for r in inf.rules)
        default = next(((fr, ref) for fr, ref in members if ref.name == DEFAULT_POLICY and ref.applies), None)
        anchor_fr, anchor_ref = default or members[0]

        def finding(fr: FileResult, sp: Span, message: str, data: dict[str, Any]) -> tuple[FileResult, Problem]:
            return fr, Problem(message, at=sp, data=data)

        if rid == "MQ401" and default is not None:
            allowed = ranges_of(inputs.allow_dropped_defaults)
            lost_parts, lost_all, allow = [], [], []
            for d in DEFAULT_POLICY_CIDRS:
                whole = ranges_of([d])
                lost = subtract_ranges(whole, covered)
                lost = subtract_ranges(lost, allowed) if allowed else lost
                if not lost:
                    continue
                lost_all.extend(lost)
                allow.append(d)
                if lost == whole:
                    lost_parts.append(d)
                else:
                    kept_here = [c for v, lo, hi in subtract_ranges(whole, lost) for c in range_cidrs(v, lo, hi)]
                    lost_parts.append(f"{d} except {', '.join(kept_here[:8])}{' …' if len(kept_here) > 8 else ''}")
            if lost_all:
                blocks = [c for v, lo, hi in merge_ranges(lost_all) for c in range_cidrs(v, lo, hi)]
                sep = "; " if any(" except " in p for p in lost_parts) else ", "
                yield finding(
                    anchor_fr, anchor_ref.anchor_span,
                    f"this `default` EgressNATPolicy replaces GKE's own, and no policy of this cluster keeps these "
                    f"documented default destinations: {sep.join(lost_parts)}. Pod traffic there is now masqueraded "
                    f"(leaves with the node IP). If that is intended, declare it in masqlint's settings "
                    f"(allow-dropped-defaults: [{', '.join(allow)}]); otherwise add them back",
                    {"dropped": blocks, "defaults": allow})

        if rid == "MQ402":
            for dest in inputs.must_masquerade:
                try:
                    v, lo, hi, cidr = parse_destination(dest.cidr)
                except ValueError:
                    continue
                kept = [s for s in decide(inf, v, lo, hi) if not s.masquerade]
                if not kept:
                    continue
                by_rule: dict[int, tuple] = {}
                for s in kept:
                    assert s.rule is not None  # a part that keeps the pod IP is kept by a rule
                    by_rule.setdefault(s.rule.index, (s.rule, []))[1].extend(s.cidrs())
                label = dest.label
                for rule, parts in by_rule.values():
                    part = "it" if parts == [cidr] else f"its part {', '.join(parts[:8])}"
                    if rule.kind == GKE_KEPT:
                        fix = ("GKE never masquerades its own node, Pod and Service ranges: this destination cannot be "
                               "reached with the node IP; correct the declaration")
                    elif rule.kind == POLICY_DEFAULT:
                        fix = (f"Write your own `default` EgressNATPolicy: GKE's default destinations without "
                               f"{rule.cidr}, plus the parts of {rule.cidr} that must keep pod IPs")
                    else:
                        fix = (f"Remove {rule.cidr} and list instead the subnets inside it that must keep pod IPs (a "
                               "NoSNAT destination cannot be carved out: the union of all policies keeps the pod IP)")
                    w = rule.origin if rule.kind not in (GKE_KEPT, POLICY_DEFAULT) else None
                    fr, sp = w.origin if isinstance(w, Written) else (anchor_fr, anchor_ref.anchor_span)
                    yield finding(
                        fr, sp,
                        f"{label} must be masqueraded (reach it with the node IP), but {describe(rule)} matches {part}: "
                        "pod traffic to it keeps the pod IP and is dropped where only node IPs are admitted. " + fix,
                        {"destination": cidr, "entry": rule.cidr})

        if rid == "MQ403":
            for dest in inputs.must_not_masquerade:
                try:
                    v, lo, hi, cidr = parse_destination(dest.cidr)
                except ValueError:
                    continue
                masq = [s for s in decide(inf, v, lo, hi) if s.masquerade]
                if not masq:
                    continue
                uncovered = [c for s in masq for c in s.cidrs()]
                all_of_it = uncovered == [cidr]
                what = "no NoSNAT destination covers it" if all_of_it else f"{', '.join(uncovered[:8])} of it is not covered"
                yield finding(
                    anchor_fr, anchor_ref.anchor_span,
                    f"{dest.label} must keep the pod IP, but {what} in this cluster's EgressNATPolicies: pod traffic to "
                    f"{'it' if all_of_it else 'that part'} is masqueraded and arrives with the node IP. Add "
                    f"`- cidr: {cidr if all_of_it else uncovered[0]}` to the destinations of "
                    f"{'this' if default else 'a'} NoSNAT policy",
                    {"destination": cidr, "uncovered": uncovered})

