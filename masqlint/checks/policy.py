"""MQ401–MQ403, MQ407, MQ408: the configuration against the repository's declared policy
(``must-masquerade``, ``must-not-masquerade``, ``allow-dropped-defaults``) and the target.

Every rule here reads the rules *in force* (``ctx.in_force``): what the target consumer has
installed after reading this config — its own entries when it accepts them, the rules it
keeps when it rejects them (the defaults at first start), the defaults when the ConfigMap
cannot reach it — and says which of these applies.
"""

from __future__ import annotations

import re

import os
from collections.abc import Iterable, Iterator

from masqlint.agent.decide import ACCEPTED, DEFAULT, ENTRY, LINK_LOCAL, Rule, decide, parse_destination, ranges_of
from masqlint.agent.ranges import (intersects, merge_ranges, range_cidrs, range_keys, ranges_cidr_count, ranges_cidrs,
                                   subtract_ranges)
from masqlint.agent.jsonish import JArray, JNull, JObject
from masqlint.agent.model import match_field
from masqlint.checks import COLLECT, RUN, Problem, register
from masqlint.config.loader import cluster_scope, real_file
from masqlint.engine.findings import Edit, Fix, FileResult, Span
from masqlint.engine.unknown import overlaps
from masqlint.forms.claims import TEMPLATED_FORMS
from masqlint.text.source import mapping_get, node_range, scalar
from masqlint.checks.cidrs import FIELD, _key_origin
from masqlint.checks.edits import line_bounds
from masqlint.text.yamlload import MappingNode, Node
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.config.settings import Destination
    from masqlint.engine.lint import ConfigContext, FileContext

MAX_LISTED = 8


def _listing(cidrs: list[str], most: int = MAX_LISTED) -> str:
    if len(cidrs) <= most:
        return ", ".join(cidrs)
    return ", ".join(cidrs[:most]) + f", … ({len(cidrs)} blocks in all)"


def _ranges_listing(ranges: list[tuple[int, int, int]], most: int) -> str:
    """``_listing(ranges_cidrs(ranges), most)``, writing only the blocks it shows (what a default keeps
    of itself can be the tens of thousands of entries inside it)."""
    n = ranges_cidr_count(ranges)
    if n <= most:
        return _listing(ranges_cidrs(ranges), most)
    shown: list[str] = []
    for v, lo, hi in merge_ranges(ranges):
        shown.extend(range_cidrs(v, lo, hi))
        if len(shown) >= most:
            break
    return ", ".join(shown[:most]) + f", … ({n} blocks in all)"


def _few(parts: list[str], most: int = 3) -> str:
    """A few dropped defaults, then how many more (the message stays short; data holds them all)."""
    sep = "; " if any(" except " in d for d in parts[:most]) else ", "
    return sep.join(parts[:most]) + (f" and {len(parts) - most} more" if len(parts) > most else "")


def _line(ctx: ConfigContext, rule: Rule) -> int | None:
    return ctx.span(rule.origin).line if rule.kind == ENTRY and rule.origin is not None else None


def describe_rule(ctx: ConfigContext, rule: Rule) -> str:
    """``10.0.0.0/8 (line 9)``, ``the default range 10.0.0.0/8``, ``link-local 169.254.0.0/16 …``."""
    if rule.kind == ENTRY:
        return f"{rule.cidr} (line {_line(ctx, rule)})"
    if rule.kind == LINK_LOCAL:
        key = "masqLinkLocalIPv6" if rule.version == 6 else "masqLinkLocal"
        return f"link-local {rule.cidr} ({key} is false)"
    inf = ctx.in_force
    if inf.state == ACCEPTED:
        return f"the {ctx.target.name} default range {rule.cidr} (nonMasqueradeCIDRs is absent)"
    return f"the {ctx.target.name} default range {rule.cidr}"


def _preamble(ctx: ConfigContext) -> str:
    inf = ctx.in_force
    if inf.state == ACCEPTED:
        return ""
    why = inf.why
    if len(why) > 150:  # the agent's own words are in the finding that reports the rejection
        why = re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)", "", why, count=1)
    return f"{why}; with those rules, "


def _list_anchor(ctx: ConfigContext) -> Any:
    return _key_origin(ctx, FIELD) if ctx.in_force.state == ACCEPTED else None


# --- MQ401 ----------------------------------------------------------------------------------------


@register("MQ401")
def dropped_default(ctx: ConfigContext) -> Iterator[Problem]:
    if ctx.partial:
        return  # a template decides part of the config: what it drops is not known
    inf = ctx.in_force
    if inf.state != ACCEPTED:
        return  # nothing of this list is in force (the other rules say why)
    written = inf.effective.origins.get(FIELD)
    if isinstance(written, JNull) or (isinstance(written, JArray) and not written.items):
        return  # MQ309 empty-cidr-list
    if written is None and ctx.target.prefills_defaults:
        return  # the defaults are in force
    if written is None and not inf.effective.non_masquerade_cidrs:
        return  # no range at all: MQ420 no-nonmasq-range
    covered = merge_ranges((r.version, r.lo, r.hi) for r in inf.rules)
    keys = range_keys(covered)
    allowed = ranges_of(ctx.settings.allow_dropped_defaults)
    dropped_parts, lost_all = [], []
    for d in ctx.target.default_cidrs():
        whole = ranges_of([d])
        lost = subtract_ranges(whole, covered, keys)
        reported = subtract_ranges(lost, allowed) if lost and allowed else lost
        if not reported:
            continue
        lost_all.extend(reported)
        if lost == whole:
            dropped_parts.append(d)
        else:
            dropped_parts.append(f"{d} except {_ranges_listing(subtract_ranges(whole, lost), 3)}")
    if not lost_all:
        return
    blocks = ranges_cidrs(lost_all)  # aggregated to the fewest blocks (netaddr)
    if written is None:
        why = (f"this config has no nonMasqueradeCIDRs, and the {ctx.target.name} agent applies its default ranges "
               + ("only when the file is missing or empty" if ctx.target.defaults_when == "empty-file"
                  else "only when there is no config file at all")
               + f", so it drops every default: {_few(dropped_parts)}")
    else:
        why = (f"nonMasqueradeCIDRs replaces the {ctx.target.name} defaults (it never adds to them) and drops "
               f"{_few(dropped_parts)}")
    defaults = [d.split(" ")[0] for d in dropped_parts]
    allow = (f"allow-dropped-defaults: [{', '.join(defaults)}]" if len(defaults) <= 3 else
             f"the {len(defaults)} ranges under allow-dropped-defaults")
    whom = "them" if blocks == defaults else _listing(blocks, 4)
    yield Problem(
        f"{why}: pod traffic to {whom} is now masqueraded (leaves with the node IP). If that is intended, "
        f"declare {allow} in masqlint's settings; otherwise add the ranges back",
        at=_key_origin(ctx, FIELD),
        data={"dropped": blocks, "defaults": [d.split(" ")[0] for d in dropped_parts]},
    )


# --- MQ402 / MQ403 --------------------------------------------------------------------------------


class _Dest(Record):
    __slots__ = ("label", "version", "lo", "hi", "cidr")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, label: str, version: int, lo: int, hi: int, cidr: str):
        self.label = label
        self.version = version
        self.lo = lo
        self.hi = hi
        self.cidr = cidr


def _destinations(items: Iterable[Destination]) -> list[_Dest]:
    out = []
    for d in items:
        try:
            v, lo, hi, cidr = parse_destination(d.cidr)
        except ValueError:
            continue  # settings validation reports it
        label = f"{d.name} ({cidr})" if d.name else cidr
        out.append(_Dest(label, v, lo, hi, cidr))
    return out


def _part(dest: _Dest, cidrs: list[str]) -> str:
    return "it" if cidrs == [dest.cidr] else f"its part {_listing(cidrs)}"


@register("MQ402")
def must_masquerade(ctx: ConfigContext) -> Iterator[Problem]:
    if not ctx.target.reads_configmap:
        return  # the target ignores the ConfigMap; its EgressNATPolicies are checked instead (checks.egressnat)
    if ctx.partial:
        return  # the rules in force depend on what the template renders
    inf = ctx.in_force
    for dest in _destinations(ctx.settings.must_masquerade):
        kept = [s for s in decide(inf, dest.version, dest.lo, dest.hi) if not s.masquerade]
        if not kept:
            continue
        if kept[0].ipv6_off:
            yield Problem(
                f"{_preamble(ctx)}{dest.label} must be masqueraded, but the {ctx.target.name} agent runs without "
                "--enable-ipv6 and writes no IPv6 rules: IPv6 pod traffic keeps the pod IP. Enable IPv6 on the agent "
                "(and set agent-flags: {enable-ipv6: true} for masqlint)",
                at=_list_anchor(ctx),
                data={"destination": dest.cidr, "entries": []},
            )
            continue
        by_rule: dict[int, tuple[Rule, list[str]]] = {}
        for s in kept:
            assert s.rule is not None  # a part that keeps the pod IP is kept by a rule
            by_rule.setdefault(s.rule.index, (s.rule, []))[1].extend(s.cidrs())
        parts = []
        whole = False
        for rule, cidrs in by_rule.values():
            parts.append(f"{describe_rule(ctx, rule)} matches {_part(dest, cidrs)}")
            whole = whole or cidrs == [dest.cidr]
        first = next(iter(by_rule.values()))[0]
        fixes = {
            ENTRY: f"Remove {first.cidr} and list instead the subnets inside it that must keep pod IPs (a narrower "
                   "entry cannot carve the destination out: any matching RETURN rule keeps the pod IP)",
            DEFAULT: f"Write a nonMasqueradeCIDRs list with the defaults except {first.cidr} (a list replaces the "
                     f"defaults) plus the subnets of {first.cidr} that must keep pod IPs, and declare "
                     f"allow-dropped-defaults: [{first.cidr}]",
            LINK_LOCAL: "Set masqLinkLocal: true if this link-local destination really needs the node IP (metadata "
                        "server traffic then leaves with the node IP too)",
        }
        entry_rule = next((r for r, _ in by_rule.values() if r.kind == ENTRY), None)
        yield Problem(
            f"{_preamble(ctx)}{dest.label} must be masqueraded (reach it with the node IP), but "
            f"{'; '.join(parts[:3])}{f' (and {len(parts) - 3} more entries)' if len(parts) > 3 else ''}: pod traffic to {'it' if whole else 'that part'} keeps the pod IP and is dropped where "
            "only node IPs are admitted. "
            f"{fixes[first.kind]}",
            at=entry_rule.origin if entry_rule is not None else _list_anchor(ctx),
            data={
                "destination": dest.cidr,
                "entries": [{"cidr": r.cidr, "kind": r.kind, "line": _line(ctx, r), "parts": c} for r, c in by_rule.values()],
            },
        )


@register("MQ403")
def must_not_masquerade(ctx: ConfigContext) -> Iterator[Problem]:
    if not ctx.target.reads_configmap:
        return  # the target ignores the ConfigMap; its EgressNATPolicies are checked instead (checks.egressnat)
    if ctx.partial:
        return  # an item the template renders may keep the destination's pod IP
    inf = ctx.in_force
    defaults = None
    for dest in _destinations(ctx.settings.must_not_masquerade):
        masq = [s for s in decide(inf, dest.version, dest.lo, dest.hi) if s.masquerade]
        if not masq:
            continue
        uncovered = []
        for v, lo, hi in merge_ranges((s.version, s.lo, s.hi) for s in masq):
            uncovered.extend(range_cidrs(v, lo, hi))
        whole = uncovered == [dest.cidr]
        what = "no non-masquerade range covers it" if whole else f"{_listing(uncovered)} of it is not covered"
        hint = f"Add {dest.cidr if whole else _listing(uncovered)} to nonMasqueradeCIDRs"
        if defaults is None:
            defaults = [(d, ranges_of([d])) for d in ctx.target.default_cidrs()]
        lost = ranges_of(uncovered)
        back = [d for d, r in defaults if intersects(r, lost)]
        if back and inf.state == ACCEPTED and inf.list_written:
            hint += f", or keep the default range{'s' if len(back) > 1 else ''} {', '.join(back)} that covered it"
        yield Problem(
            f"{_preamble(ctx)}{dest.label} must keep the pod IP, but {what}: pod traffic to "
            f"{'it' if whole else 'that part'} is masqueraded and arrives with the node IP. {hint}",
            at=_list_anchor(ctx),
            data={"destination": dest.cidr, "uncovered": uncovered},
        )


# --- MQ407 ----------------------------------------------------------------------------------------


@register("MQ407")
def ignored_by_target(ctx: ConfigContext) -> Iterator[Problem]:
    t = ctx.target
    if not t.ignored_keys or not isinstance(ctx.parsed, JObject):
        return
    for key, value, korigin in ctx.parsed.members:
        field = match_field(key)
        if field not in t.ignored_keys:
            continue
        extra = ""
        if field == "cidrLimit" and t.per_file_limit is not None:
            extra = f"; it applies a fixed limit of {t.per_file_limit} entries per file instead"
        elif field == "cidrLimit":
            extra = "; it has no limit on the number of entries"
        elif field == "resyncInterval":
            extra = f"; {t.reload}" if t.reload else ""
        yield Problem(
            f"`{key}` does nothing on the {t.name} target: its agent does not read this key{extra}. "
            "Remove it, unless the same ConfigMap also feeds an agent that reads it",
            at=korigin,
            fix=_delete_key_line(ctx, korigin, value),
            data={"key": key, "target": t.name},
        )


def _delete_key_line(ctx: ConfigContext, korigin: Any, value: Any) -> Fix | None:
    k = ctx.outer_range(korigin)
    v = ctx.outer_range(value)
    text = ctx.source.text
    if k is None or v is None or text is None or isinstance(value, (JArray, JObject)):
        return None
    start, end = line_bounds(text, k[0])
    if v[1] > end or text[start:k[0]].strip():
        return None
    rest = text[v[1]:end].strip()
    if rest and not rest.startswith("#"):
        return None
    return Fix(f"remove `{text[k[0]:k[1]]}`", (Edit(start, end, ""),), safe=False)


# --- MQ408 ----------------------------------------------------------------------------------------


def _name_node(cm: MappingNode) -> Node:
    md = mapping_get(cm, "metadata")
    name = mapping_get(md[1], "name") if md else None
    return name[1] if name else cm


@register("MQ408")
def duplicate_configmap(ctx: ConfigContext) -> Iterator[Problem]:
    """Two definitions in one file (across files of one run: ``duplicate_configmap_across_files``)."""
    c = ctx.config
    if c.configmap is None or ctx.file is None or c.sibling:
        return
    name = _name_of(c.configmap)
    for other in ctx.file.configs:
        oc = other.config
        if other is ctx:
            return
        if oc.configmap is not None and not oc.sibling and oc.namespace == c.namespace and _name_of(oc.configmap) == name:
            where = _outer_line(ctx, oc.configmap)
            yield Problem(
                f"a second ip-masq-agent ConfigMap{_ns(c.namespace)} in this file (the first is on line {where}): "
                "`kubectl apply` applies both in order and this one silently replaces the first, which is the one a "
                "reviewer reads. Keep one definition per cluster",
                at=_name_node(c.configmap),
                outer=True,
                data={"first_line": where},
            )
            return


def _name_of(cm: MappingNode) -> str | None:
    return scalar(_name_node(cm))


def _outer_line(ctx: ConfigContext, node: MappingNode) -> int:
    r = node_range(_name_node(node))
    return ctx.source.index.pos(r[0])[0] if r else 1


def _ns(ns: str | None) -> str:
    return f" in namespace {ns}" if ns else ""


class ConfigMapRef(Record):
    """One ip-masq-agent ConfigMap of a checked file, for the cross-file check."""

    __slots__ = ("scope", "namespace", "span", "file", "name")

    def __init__(self, scope: str, namespace: str | None, span: Span, file: str = "", name: str | None = None):
        self.scope = scope  # the cluster scope: the settings scope(s) the file matched, or its directory
        self.namespace = namespace
        self.span = span
        self.file = file  # the file's real path (one file named twice on the command line is one file)
        self.name = name  # the ConfigMap's name (AKS keeps two: azure-ip-masq-agent-config and its -reconciled copy)


@register("MQ408", COLLECT)
def configmaps_of_file(fctx: FileContext) -> Iterator[ConfigMapRef]:
    """The file's ip-masq-agent ConfigMaps, with the cluster scope its path gives them."""
    refs = [c for c in fctx.configs if c.config.configmap is not None and not c.config.sibling
            and c.config.form not in TEMPLATED_FORMS and not (fctx.unknown and _templated_identity(fctx, c.config.configmap))]
    if not refs:
        return  # a ConfigMap rendered under conditions masqlint cannot evaluate is not compared with other files
    name = fctx.source.fspath or fctx.source.path
    scope = cluster_scope(name, fctx.settings)
    real = real_file(name) if name != "-" else name
    for cctx in refs:
        cm = cctx.config.configmap
        assert cm is not None  # refs are the configs of a ConfigMap
        r = node_range(_name_node(cm))
        span = fctx.source.index.span(*r) if r else Span(1, 1, 1, 1)
        yield ConfigMapRef(scope, cctx.config.namespace, span, real, name=scalar(_name_node(cm)))


def _templated_identity(fctx: FileContext, cm: MappingNode) -> bool:
    md = mapping_get(cm, "metadata")
    for key in ("name", "namespace"):
        e = mapping_get(md[1], key) if md else None
        if e is not None and overlaps(fctx.unknown, node_range(e[1])):
            return True
    return False


@register("MQ408", RUN)
def duplicate_configmap_across_files(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    """``files``: FileResults in run order. Yields (FileResult, Problem). One pass to group
    by scope and namespace, then one sort per group: O(n log n)."""
    groups: dict[tuple[str, str | None, str | None], list[tuple[FileResult, ConfigMapRef]]] = {}
    files_seen: set[str] = set()
    for fr in files:
        refs = fr.facts.get("MQ408") or ()
        if not refs or (refs[0].file and refs[0].file in files_seen):
            continue
        files_seen.add(refs[0].file)
        seen_here = set()
        for ref in refs:
            key = (ref.scope, ref.namespace, ref.name)
            if key in seen_here:
                continue  # later ones in the same file: the in-file check reports them
            seen_here.add(key)
            groups.setdefault(key, []).append((fr, ref))
    for (_scope, ns, _name), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: (m[0].path, m[1].span.line))
        first_fr, first_ref = members[0]
        for fr, ref in members[1:]:
            yield fr, Problem(
                f"another ip-masq-agent ConfigMap{_ns(ns)} for this cluster scope is defined in "
                f"{first_fr.path}:{first_ref.span.line}: `kubectl apply -f {os.path.dirname(fr.path) or '.'}` "
                "applies files in name order and the last one silently wins. Keep one definition per cluster, or "
                "give each cluster its own directory or scope in masqlint's settings",
                at=ref.span,
                data={"first": f"{first_fr.path}:{first_ref.span.line}"},
            )
