"""MQ404–MQ406: configurations that change where pod traffic goes in ways rarely meant."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator

from masqlint.agent.gonet import V4_HOSTS, GoNetError, parse_cidr
from masqlint.checks import Problem, register
from masqlint.checks.cidrs import Entry, valid_entries
from masqlint.agent.ranges import merge_ranges, range_keys, size_of, subtract_ranges

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from masqlint.engine.lint import ConfigContext

Range = tuple[int, int, int]  # (IP version, first, last address)

# IANA special-purpose and private ranges: a destination outside all of them is on the internet.
_NOT_PUBLIC_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
)
_NOT_PUBLIC_V6 = ("::/128", "::1/128", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8")


def _ranges(cidrs: Iterable[str]) -> list[Range]:
    return [parse_cidr(c).as_int_range() for c in cidrs]


_PRIVATE: list[Range] | None = None


def _private() -> list[Range]:
    global _PRIVATE
    if _PRIVATE is None:
        _PRIVATE = _ranges(_NOT_PUBLIC_V4) + _ranges(_NOT_PUBLIC_V6)
    return _PRIVATE


_PRIVATE_MERGED: tuple[list[Range], list[tuple[int, int]]] | None = None


def _private_merged() -> tuple[list[Range], list[tuple[int, int]]]:
    """The non-public ranges merged, with their bisection keys."""
    global _PRIVATE_MERGED
    if _PRIVATE_MERGED is None:
        merged = merge_ranges(_private())
        _PRIVATE_MERGED = (merged, range_keys(merged))
    return _PRIVATE_MERGED


def _public_part(rng: Range) -> int:
    """How many addresses of rng lie outside every non-public range."""
    merged, keys = _private_merged()
    return size_of(subtract_ranges([rng], merged, keys))


@register("MQ404")
def snat_disabled(ctx: ConfigContext) -> Iterator[Problem]:
    for e in valid_entries(ctx):
        assert e.cidr is not None  # a valid entry is parsed
        if e.cidr.prefixlen == 0 or (e.cidr.bits == 128 and not e.cidr.is_ipv6_family and e.cidr.prefixlen == 96):
            fam = "IPv4" if e.cidr.as_int_range()[0] == 4 else "IPv6"
            yield Problem(
                f"{e.text} covers every {fam} destination: nothing is masqueraded, so pods reach the internet, on-premises "
                "networks and Private Endpoints with their pod IPs (dropped wherever only node IPs are allowed). List only "
                "the ranges that must keep pod IPs",
                at=e.node,
                data={"cidr": e.text},
            )


@register("MQ405")
def public_range(ctx: ConfigContext) -> Iterator[Problem]:
    declared = []
    for d in ctx.settings.must_not_masquerade:
        try:
            c = d.cidr if "/" in d.cidr else d.cidr + ("/128" if ":" in d.cidr else "/32")
            declared.append(parse_cidr(c).as_int_range())
        except GoNetError:
            continue
    facts = ctx.settings.cluster_facts()
    if facts is not None:  # the cluster's own ranges may be privately used public space
        for c, _what in facts.kept_ranges():
            declared.append(parse_cidr(c).as_int_range())
    merged, keys = _private_merged()
    found: list[tuple[Range, Entry, int]] = []
    for e in valid_entries(ctx):
        parsed = e.cidr
        assert parsed is not None  # a valid entry is parsed
        if parsed.prefixlen == 0:
            continue  # MQ404
        if parsed[2] == 32:  # written as IPv4 (GoCIDR: prefix length, bits, network at 1, 2, 4): its range, inline
            v, lo = 4, parsed[4] & 0xFFFFFFFF
            hi = lo | V4_HOSTS[parsed[1]]
        else:
            v, lo, hi = parsed.as_int_range()
        j = bisect_left(keys, (v, lo))  # the first reserved range that ends at or after lo …
        if j < len(merged) and merged[j][0] == v and merged[j][1] <= lo and hi <= merged[j][2]:
            continue  # … holds the whole entry: inside the reserved ranges (most entries)
        rng = (v, lo, hi)
        public = subtract_ranges([rng], merged, keys)
        if not public:
            continue
        if declared and any(dv == v and dlo <= lo and hi <= dhi for dv, dlo, dhi in declared):
            continue  # a public range declared as one that must keep pod IPs (e.g. a privately used Pod range)
        n = size_of(public)
        if n > 0:
            found.append((rng, e, n))
    # one finding per outermost public entry: the public entries inside it share its cause
    found.sort(key=lambda f: (f[0][0], f[0][1], -f[0][2]))
    groups: list[tuple[Range, Entry, int, list[Entry]]] = []
    for r, e, n in found:
        if groups and groups[-1][0][0] == r[0] and r[2] <= groups[-1][0][2]:
            groups[-1][3].append(e)
        else:
            groups.append((r, e, n, []))
    for r, e, n, inside in sorted(groups, key=lambda g: ctx.span(g[1].node).line):
        inside.sort(key=lambda i: ctx.span(i.node).line)
        share = "is a public range" if n == r[2] - r[1] + 1 else "includes public addresses"
        also = f", as do the {len(inside)} public entries inside it" if inside else ""
        yield Problem(
            f"{e.text} {share}{also}: pod traffic to it leaves the node with pod IPs, which internet and most peered "
            "networks do not route back. Keep only private or reserved ranges unless a peer really expects pod IPs",
            at=e.node,
            data={"cidr": e.text, "related": [(i.node, f"{i.text} lies inside {e.text}") for i in inside]},
        )


@register("MQ406")
def masq_link_local(ctx: ConfigContext) -> Iterator[Problem]:
    d = ctx.decoded
    if d is None or not d.masq_link_local or "masqLinkLocal" not in d.origins:
        return
    yield Problem(
        "masqLinkLocal: true drops the RETURN rule for 169.254.0.0/16: pod traffic to link-local destinations that "
        "leaves the node (169.254.0.0/16 peers, a metadata endpoint reached through the network) is sent with the "
        "node IP instead of the pod IP. Remove it (the default is false) unless a link-local peer needs the node IP",
        at=d.origins["masqLinkLocal"],
    )
