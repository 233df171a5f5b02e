"""MQ315, MQ420, MQ421: traps of the consumers that are not the upstream agent (Cilium, Azure's v2).

- MQ315: an IPv4-mapped IPv6 entry means an IPv4 block to the iptables agents and an IPv6 prefix to Cilium.
- MQ420: a config that is not empty but writes no range: Cilium and Azure fall back to their defaults only
  for a missing (Cilium: or zero-byte) file, so every pod destination is masqueraded.
- MQ421: Azure's agent exits on any file it rejects, and crash-loops.
"""

from __future__ import annotations

from collections.abc import Iterator

from masqlint.agent.gonetip import NetipError, Prefix, parse_prefix
from masqlint.agent.jsonish import JArray, JNull
from masqlint.agent.model import LINK_LOCAL_V4, LINK_LOCAL_V6
from masqlint.engine.findings import Span
from masqlint.checks import FILE, Problem, register
from masqlint.checks.cidrs import FIELD, _key_origin, entries
from masqlint.agent.jsonish import JObject

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.engine.lint import ConfigContext, FileContext

# --- MQ315 ----------------------------------------------------------------------------------------


def mapped_v4(text: str) -> tuple[Prefix, str | None] | None:
    """(the prefix as netip reads it, the IPv4 block it stands for or None) for an IPv4-mapped entry, else None."""
    if ":" not in text:  # an IPv4 entry: nothing to parse (a long list is mostly these)
        return None
    try:
        p = parse_prefix(text)
    except NetipError:
        return None
    if not p.is4in6:
        return None
    if p.bits < 96:
        return p, None
    v4 = parse_prefix(".".join(str(x) for x in p.addr[12:]) + f"/{p.bits - 96}").masked()
    return p, str(v4)


@register("MQ315")
def ipv4_mapped_cidr(ctx: ConfigContext) -> Iterator[Problem]:
    cilium = ctx.target.reader == "cilium"
    for e in entries(ctx):
        if e.error is not None:
            continue
        m = mapped_v4(e.text)
        if m is None:
            continue
        p, v4 = m
        programmed = str(p.masked())
        if v4 is None:
            block = f"a /{p.bits} reaches beyond the IPv4-mapped range ::ffff:0:0/96, so it stands for no IPv4 block"
            write = "Write the IPv4 block you mean"
        else:
            block = f"it stands for the IPv4 block {v4}"
            write = f"Write {v4}, which every consumer reads the same way"
        if cilium:
            what = (f"Cilium keeps it IPv6 and programs {programmed} into its IPv6 map, which IPv4 packets never "
                    "reach, so IPv4 traffic it was meant for is masqueraded. The upstream agent and Azure's read the "
                    "same text as IPv4 and write it into their IPv4 iptables rules")
        else:
            what = (f"the {ctx.target.name} agent (net.ParseCIDR) counts it as IPv4, needs no --enable-ipv6 for it "
                    f"and writes `-d {e.text}` into its IPv4 iptables rules as written; Cilium reads the same text as "
                    f"the IPv6 prefix {programmed}, which IPv4 packets never match")
        yield Problem(
            f"{e.text} is an IPv4-mapped IPv6 prefix ({block}): {what}. {write}",
            at=e.node,
            data={"cidr": e.text, "ipv4": v4, "cilium": programmed},
        )


# --- MQ420 ----------------------------------------------------------------------------------------


@register("MQ420")
def no_nonmasq_range(ctx: ConfigContext) -> Iterator[Problem]:
    t = ctx.target
    if t.prefills_defaults or ctx.config.text is None or t.defaults_for_file(True, ctx.config.text == ""):
        return
    res = ctx.result
    if not res.accepted or res.effective.non_masquerade_cidrs:
        return
    written = res.effective.origins.get(FIELD)
    if isinstance(written, JNull) or (isinstance(written, JArray) and not written.items):
        return  # an explicit null or []: MQ309
    when = ("only when the file is missing or has zero bytes" if t.defaults_when == "empty-file"
            else "only when there is no ip-masq* file at all")
    kept = []
    if not res.effective.masq_link_local:
        kept.append(LINK_LOCAL_V4)
    if not res.effective.masq_link_local_ipv6 and (t.reader == "cilium" or t.flags.enable_ipv6):
        kept.append(LINK_LOCAL_V6)
    but = f"every pod destination except link-local ({', '.join(kept)})" if kept else "every pod destination, link-local included,"
    yield Problem(
        f"this config programs no non-masquerade range: it has no nonMasqueradeCIDRs, and the {t.name} agent uses its "
        f"default ranges {when}, which this file is not. So {but} is masqueraded, pod-to-pod traffic across nodes "
        f"included. List the ranges that must keep pod IPs (the {t.name} defaults are {', '.join(t.default_cidrs())}), "
        "or remove the file to get the defaults",
        at=_first_key(ctx),
        data={"defaults": list(t.default_cidrs())},
    )


def _first_key(ctx: ConfigContext) -> Any:
    root = ctx.parsed
    if isinstance(root, JObject) and root.members:
        return root.members[0][2]
    return None


# --- MQ421 ----------------------------------------------------------------------------------------


@register("MQ421")
def agent_exits(ctx: ConfigContext) -> Iterator[Problem]:
    t = ctx.target
    if t.on_reject != "exit" or ctx.config.text is None or ctx.result.accepted:
        return
    err = ctx.result.error
    assert err is not None  # a rejected config carries the agent's error
    yield Problem(
        f"the {t.name} agent rejects this file and exits (`the daemon encountered an error: error syncing "
        f"configuration: … {err.message}`, status 255). Its pod restarts, reads the same file and exits again: a crash "
        "loop, in which no rules are re-synced, and one bad file takes every other ip-masq* file down with it. Fix "
        "what the other findings name before this reaches a cluster",
        at=err.origin if err.origin is not None else _key_origin(ctx, err.field) if err.field else None,
        data={"error": err.message},
    )


@register("MQ421", scope=FILE)
def agent_exits_on_bytes(fctx: FileContext) -> Iterator[Problem]:
    """An agent file that is not valid UTF-8: no config to read, and Azure's agent exits on it."""
    err = fctx.source.decode_error
    if err is None or not fctx.standalone:
        return
    t = fctx.settings.target_model()
    if t.on_reject != "exit":
        return
    yield Problem(
        f"the {t.name} agent cannot convert this file (`yaml: {err.message}`) and exits (status 255). Its pod restarts, "
        "reads the same file and exits again: a crash loop, and one bad file takes every other ip-masq* file down "
        "with it. Save the file as UTF-8",
        at=Span(err.line, err.column, err.line, err.column + 1),
        data={"error": f"yaml: {err.message}"},
    )
