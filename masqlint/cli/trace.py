"""``masqlint trace --dst IP[/N] PATH…``: for each ip-masq-agent configuration, does a pod's
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
(the agent writes no IPv6 rules, so IPv6 traffic keeps the pod IP).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Callable

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

EXIT_OK, EXIT_ERROR = 0, 2

REASON_ENTRY = "entry"
REASON_DEFAULT = "default"
REASON_LINK_LOCAL = "link-local"
REASON_NO_CONFIGMAP = "no ConfigMap: agent defaults"
REASON_REJECTED = "rejected: agent defaults"
REASON_NO_MATCH = "no match"
REASON_IPV6_OFF = "IPv6 disabled"


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser("trace", help="which way a pod's packet to a destination goes (node IP or pod IP), and why")
    p.add_argument("paths", nargs="+", metavar="PATH", help="manifests, agent config files or directories")
    p.add_argument("--dst", action="append", required=True, metavar="IP[/N]",
                   help="a destination address or CIDR block (repeat for several)")
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


@dataclass
class Part:
    cidr: str
    masquerade: bool
    reason: str
    entry: str | None
    line: int | None

    def to_json(self) -> dict:
        return {"cidr": self.cidr, "masquerade": self.masquerade, "reason": self.reason, "entry": self.entry,
                "line": self.line}


@dataclass
class Result:
    unit: Unit
    dst: str
    parts: list[Part] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"path": self.unit.path, "dst": self.dst, "parts": [p.to_json() for p in self.parts]}


def reason_of(inf: InForce, seg: Segment) -> str:
    if seg.ipv6_off:
        return REASON_IPV6_OFF
    if seg.rule is None:
        return REASON_NO_MATCH
    if seg.rule.kind == LINK_LOCAL:
        return REASON_LINK_LOCAL
    if seg.rule.kind == ENTRY:
        return REASON_ENTRY
    if inf.state in (ABSENT, NOT_APPLIED):
        return REASON_NO_CONFIGMAP
    if inf.state == REJECTED:
        return REASON_REJECTED
    return REASON_DEFAULT


def trace_unit(unit: Unit, dst: str) -> Result:
    v, lo, hi, cidr = parse_destination(dst)
    res = Result(unit, cidr)
    for seg in decide(unit.inf, v, lo, hi):
        reason = reason_of(unit.inf, seg)
        entry = seg.rule.cidr if seg.rule is not None else None
        line = unit.line_of(seg.rule) if (seg.rule is not None and seg.rule.kind == ENTRY and unit.line_of) else None
        for block in seg.cidrs():
            res.parts.append(Part(block, seg.masquerade, reason, entry, line))
    return res


def units_for_paths(paths, opts, standalone_globs=()) -> list[Unit]:
    """Every ip-masq-agent configuration under ``paths``; a path with none is one unit with the
    agent defaults (no ConfigMap)."""
    from masqlint.pipeline.discover import Candidate, discover
    from masqlint.pipeline.runner import settings_for

    from masqlint.cli.main import UsageError

    units: list[Unit] = []
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"masqlint: {p}: no such file or directory")
        base = settings_for(p, opts)
        before = len(units)
        for c in discover([p], exclude=base.exclude, standalone=tuple(base.standalone) + tuple(standalone_globs),
                          follow_symlinks=opts.follow_symlinks):
            if not isinstance(c, Candidate):
                continue
            units.extend(units_for_file(c.display, c.path, settings_for(c.path, opts), standalone_globs))
        if len(units) == before:
            t = base.target_model()
            units.append(Unit(p, defaults_in_force(t, ABSENT, f"no ip-masq-agent ConfigMap in {p}: the agent uses its defaults")))
    return units


def units_for_file(display: str, path: str, settings, standalone_globs=()) -> list[Unit]:
    from masqlint.engine.lint import is_standalone_name
    from masqlint.pipeline.prefilter import might_hold_config
    from masqlint.config.settings import glob_match

    try:
        with open(path, "rb") as fh:
            data = fh.read(settings.max_file_size + 1)
    except OSError:
        return []
    rel = os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")
    standalone = True if (is_standalone_name(rel, settings) or any(glob_match(rel, g) for g in standalone_globs)) else None
    if standalone is None and not might_hold_config(data):
        return []
    return units_for_bytes(display, data, settings, standalone)


def units_for_bytes(display: str, data: bytes, settings, standalone=None) -> list[Unit]:
    from masqlint.engine.lint import analyse
    from masqlint.text.source import SourceFile

    fctx = analyse(SourceFile.from_bytes(display, data), settings, standalone)
    several = len(fctx.configs) > 1
    out = []
    for cctx in fctx.configs:
        line = cctx.config.anchor_span().line if several else None
        out.append(Unit(display, cctx.in_force, line, _line_of(cctx)))
    return out


def _line_of(cctx):
    def f(rule):
        return cctx.span(rule.origin).line if rule.origin is not None else None

    return f


# --- output -----------------------------------------------------------------------------------------


def _decision(p: Part) -> str:
    if p.reason == REASON_IPV6_OFF:
        return "keep pod IP (the agent runs without --enable-ipv6 and writes no IPv6 rules)"
    if p.masquerade:
        return "masquerade (node IP): no non-masquerade range matches, so the final MASQUERADE rule applies"
    if p.reason == REASON_ENTRY:
        return f"keep pod IP: entry {p.entry} on line {p.line}"
    if p.reason == REASON_LINK_LOCAL:
        return f"keep pod IP: link-local {p.entry} (masqLinkLocal is false)"
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
            lines.append(f"{where} (target {u.inf.target.name})")
            if u.inf.state != ACCEPTED:
                lines.append(f"  {u.inf.why[0].upper()}{u.inf.why[1:]}.")
            last = u
        if len(r.parts) == 1:
            lines.append(f"  {r.dst}: {_decision(r.parts[0])}")
        else:
            lines.append(f"  {r.dst}: split in {len(r.parts)} parts")
            width = max(len(p.cidr) for p in r.parts)
            for p in r.parts:
                lines.append(f"    {p.cidr:<{width}}  {_decision(p)}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from masqlint.cli.main import UsageError
    from masqlint.cli.commands import build_options

    dsts = []
    for d in args.dst:
        try:
            parse_destination(d)
        except ValueError as e:
            raise UsageError(f"masqlint: --dst {d}: {e}") from None
        dsts.append(d)
    opts = build_options(args)
    units = units_for_paths(args.paths, opts, tuple(args.standalone or ()))
    results = [trace_unit(u, d) for u in units for d in dsts]
    if args.format == "json":
        sys.stdout.write(json.dumps({"results": [r.to_json() for r in results]}, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(results))
    return EXIT_OK
