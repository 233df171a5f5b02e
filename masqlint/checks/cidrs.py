"""MQ301–MQ309: the entries of ``nonMasqueradeCIDRs``."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator

from masqlint.agent.gonet import V4_HOSTS, GoCIDR, GoNetError, parse_cidr, parse_cidrs
from masqlint.agent.jsonish import JArray, JNull, JString
from masqlint.engine.findings import Edit, Fix
from masqlint.checks import Problem, register
from masqlint.checks.syntax import REJECTS
from masqlint.agent.jsonish import JObject
from masqlint.agent.model import match_field
from masqlint.checks.edits import delete_block_item
from masqlint.agent.ranges import range_blocks
from masqlint.agent.cilium import read_item
from masqlint.agent.cilium import decoded_text
from masqlint.agent.gonetip import parse_prefix
from masqlint.text.source import node_range
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TypeVar

    from masqlint.engine.lint import ConfigContext

    T = TypeVar("T")

FIELD = "nonMasqueradeCIDRs"


class Entry(Record):
    """One written entry (a long list has 100,000 of these: a small slotted object each)."""

    __slots__ = ("text", "node", "cidr", "error", "reader")
    _fields = __slots__

    def __init__(self, text: str, node: JString, cidr: GoCIDR | None, error: str | None, reader: str = ""):
        self.text = text
        self.node = node  # where it is written
        self.cidr = cidr
        self.error = error
        self.reader = reader  # "cilium": ``error`` is Cilium's own (it reads the raw JSON text with netip)

    @property
    def rng(self) -> tuple[int, int, int] | None:
        """(version, first, last) of its addresses (GoCIDR.as_int_range), made on request: a long list
        is swept by the integers of its CIDRs (``_range_sweep``), without a range kept per entry."""
        return self.cidr.as_int_range() if self.cidr is not None else None


def cidr_list(ctx: ConfigContext) -> JArray | None:
    """The list value that decided ``nonMasqueradeCIDRs`` (None when absent or not a list)."""
    v = ctx.decoded.origins.get(FIELD) if ctx.decoded is not None else None
    return v if isinstance(v, JArray) else None


def _memo(ctx: ConfigContext, name: str, make: Callable[[ConfigContext], T]) -> T:
    """``make(ctx)``, kept on the context as attribute ``name``: computed once per config context."""
    cached = getattr(ctx, name, None)
    if cached is None:
        cached = make(ctx)
        try:
            setattr(ctx, name, cached)
        except AttributeError:  # a context that takes no attributes: compute each time
            pass
    return cached


def entries(ctx: ConfigContext) -> list[Entry]:
    """The written entries that are in force, in order (null items and defaults excluded).

    Computed once per config context (every MQ3xx/MQ40x check walks them); do not mutate."""
    return _memo(ctx, "_cidr_entries", _entries)


def _entries(ctx: ConfigContext) -> list[Entry]:
    if ctx.decoded is None or FIELD not in ctx.decoded.origins:
        return []
    out: list[Entry] = []
    values = ctx.decoded.cidrs.values() or []
    origins = ctx.decoded.cidrs.value_origins()
    cilium = ctx.target.reader == "cilium"
    append = out.append
    if not cilium:  # the agent's net.ParseCIDR on every string written, in one call
        texts, items = values, origins  # (the usual list: every item a string)
        if not all(type(origin) is JString for origin in origins):
            written = [i for i, origin in enumerate(origins) if isinstance(origin, JString)]
            texts, items = [values[i] for i in written], [origins[i] for i in written]
        for text, origin, c in zip(texts, items, parse_cidrs(texts)):
            if isinstance(c, GoNetError):
                append(Entry(text, origin, None, c.message))
            else:
                append(Entry(text, origin, c, None))
        return out
    for text, origin in zip(values, origins):  # Cilium reads the raw text with netip
        if type(origin) is not JString and not isinstance(origin, JString):
            continue
        raw, _prefix, err = read_item(origin, ctx.config.json_input, ctx.config.text)
        if err is not None:
            append(Entry(raw, origin, None, err, "cilium"))
            continue
        try:
            append(Entry(text, origin, parse_cidr(text), None))
        except GoNetError:
            pass  # (what netip takes, net.ParseCIDR takes too: not reached)
    return out


def valid_entries(ctx: ConfigContext) -> list[Entry]:
    """The entries the agent accepts (parsable, no host bits); once per context, do not mutate."""
    return _memo(ctx, "_cidr_valid_entries", _valid_entries)


def _valid_entries(ctx: ConfigContext) -> list[Entry]:
    return [e for e in entries(ctx) if e.cidr is not None and e.cidr.aligned]


_M129 = (1 << 129) - 1
_M32 = 0xFFFFFFFF
Sweep = tuple[list[tuple[Entry, Entry]], list[Entry], list[tuple[int, int]], list[tuple[Entry, Entry]],
              "Sequence[int]"]


def _range_sweep(ctx: ConfigContext) -> Sweep:
    """One walk of the valid entries in address order (longest first where two start together,
    the first written where two are the same range): the (entry, entry covering it) pairs of
    MQ306, the entries no other covers, the runs of two or more of those that touch, each
    [start, end) in that list, for MQ307, and the (entry, first entry of the same range) pairs of
    MQ305 in written order, and the version, first and last address of each entry of the runs, run
    after run, three integers an entry (MQ307 reads them from here, not from entries met in address
    order). Once per context.

    Sorted by one integer per entry (version, start, then end descending), which long lists
    sort faster than tuples."""
    return _memo(ctx, "_cidr_sweep", _sweep)


def _sweep(ctx: ConfigContext) -> Sweep:
    ents = valid_entries(ctx)
    if all(e.cidr is not None and e.cidr[2] == 32 for e in ents):  # (GoCIDR.bits: written as IPv4)
        return _sweep_v4(ents)
    rngs = _ranges(ents)
    redundant: list[tuple[Entry, Entry]] = []
    kept: list[Entry] = []
    dups: list[tuple[int, int]] = []
    keys = [((v == 6) << 258) | (lo << 129) | (_M129 - hi) for v, lo, hi in rngs]
    prev: int | None = None
    first = 0
    cover: tuple[int, int, int] | None = None
    for i in sorted(range(len(ents)), key=keys.__getitem__):  # stable: the first written first
        if keys[i] == prev:
            dups.append((i, first))  # the same range again (MQ305)
            continue
        prev, first = keys[i], i
        v, _lo, hi = rngs[i]
        if cover is not None and cover[0] == v and hi <= cover[2]:
            redundant.append((ents[i], kept[-1]))
            continue
        cover = rngs[i]
        kept.append(ents[i])
    kept_rngs = _ranges(kept)
    runs = _runs(kept_rngs)
    return redundant, kept, runs, _written(ents, dups), [x for a, b in runs for r in kept_rngs[a:b] for x in r]


def _ranges(valid: list[Entry]) -> list[tuple[int, int, int]]:
    """The (version, first, last) of each of these valid entries (each is parsed)."""
    return [e.cidr.as_int_range() for e in valid]  # type: ignore[union-attr]


def _written(ents: list[Entry], dups: list[tuple[int, int]]) -> list[tuple[Entry, Entry]]:
    """The (entry, first entry of its range) pairs by position in ``ents``, in written order."""
    dups.sort()
    return [(ents[i], ents[first]) for i, first in dups]


def _runs(rngs: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """[start, end) of each run of two or more ranges (in address order, apart) that touch."""
    runs: list[tuple[int, int]] = []
    start = 0
    pv, pend = 0, 0  # no version 0: the first range starts a run
    for i, (v, lo, hi) in enumerate(rngs):
        if v != pv or lo != pend + 1:
            if i - start >= 2:
                runs.append((start, i))
            start = i
        pv, pend = v, hi
    if len(rngs) - start >= 2:
        runs.append((start, len(rngs)))
    return runs


def _sweep_v4(ents: list[Entry]) -> Sweep:
    """``_sweep`` of entries written as IPv4, the common case: each CIDR's network (as Go's 16-byte
    form: the same leading bits for every IPv4 address), prefix length and written position packed
    in one integer, sorted as they are (a longer prefix is a shorter range: where two start
    together the longer range comes first), and the runs found on the way (no key function, and
    no range kept or made per entry: only the entries of a run, once it has two)."""
    redundant: list[tuple[Entry, Entry]] = []
    kept: list[Entry] = []
    runs: list[tuple[int, int]] = []
    run_rngs = array("Q")  # 4, first, last of each entry of the runs (a few bytes an entry, no object)
    in_run = False  # the current run has two entries or more
    slo = shi = -1  # the current run's first range
    dups: list[tuple[int, int]] = []
    shift = len(ents).bit_length()
    at = (1 << shift) - 1
    hosts = V4_HOSTS
    prev = chi = -1
    start = first = 0
    # (valid entries: parsed, so e.cidr is a GoCIDR: [1] the prefix length, [4] the network)
    for p in sorted([(((c[4] << 6) | c[1]) << shift) | i for i, c in enumerate([e.cidr for e in ents])]):  # type: ignore[index]
        k = p >> shift
        if k == prev:
            dups.append((p & at, first))  # the same range again (MQ305)
            continue
        prev, first = k, p & at
        lo = (k >> 6) & _M32
        hi = lo | hosts[k & 63]
        if hi <= chi:
            redundant.append((ents[first], kept[-1]))
            continue
        if lo != chi + 1 or not kept:  # apart from the last one kept (or the first): a run ends
            if in_run:
                runs.append((start, len(kept)))
                in_run = False
            start = len(kept)
            slo, shi = lo, hi
        elif in_run:
            run_rngs.extend((4, lo, hi))
        else:
            run_rngs.extend((4, slo, shi, 4, lo, hi))
            in_run = True
        chi = hi
        kept.append(ents[first])
    if in_run:
        runs.append((start, len(kept)))
    return redundant, kept, runs, _written(ents, dups), run_rngs


def line_of(ctx: ConfigContext, node: Any) -> int:
    return ctx.span(node).line


# --- MQ301 --------------------------------------------------------------------------------------

_IPV4ISH = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _diagnose(text: str) -> tuple[str, str | None]:
    """(what is wrong, suggested replacement or None)."""
    if text == "":
        return "it is an empty string", None
    if text != text.strip() or " " in text or "\t" in text:
        if "#" in text:
            return "a comment is glued to it (`#` needs a space before it to start a comment)", text.split("#")[0].strip()
        squeezed = re.sub(r"\s+", "", text)
        try:
            parse_cidr(squeezed)
            return "it contains white space", squeezed
        except GoNetError:
            return "it contains white space", None
    if "#" in text:
        return "a comment is glued to it (`#` needs a space before it to start a comment)", text.split("#")[0].strip()
    if "\\" in text:
        return ("it is written with JSON escapes, and Cilium parses the raw text of the item, escapes included; "
                "write the characters themselves"), None
    if "," in text:
        return "it holds several CIDRs in one string; write one per list item", None
    if "%" in text:
        return "it carries a zone (`%…`), which CIDRs cannot have", None
    addr, slash, plen = text.partition("/")
    if not slash:
        try:
            c = parse_cidr(text + ("/32" if ":" not in text else "/128"))
            host = "/32" if c.bits == 32 else "/128"
            return f"it is a bare IP address without a prefix length (for one host write {text}{host})", text + host
        except GoNetError:
            return "it is not an IP prefix", None
    if _IPV4ISH.match(addr) and any(len(o) > 1 and o.startswith("0") for o in addr.split(".")):
        fixed = ".".join(str(int(o)) for o in addr.split(".")) + "/" + plen
        return "an octet has a leading zero, which the agent's parser rejects", fixed
    if len(plen) > 1 and plen.startswith("0") and plen.isdigit():
        return f"the prefix length /{plen} has a leading zero", f"{addr}/{int(plen)}"
    if plen.isdigit():
        maxbits = 32 if _IPV4ISH.match(addr) else 128
        if int(plen) > maxbits:
            return f"the prefix length /{plen} is larger than {maxbits}", None
    return "it is not an IP prefix the agent can parse", None


@register("MQ301")
def invalid_cidr(ctx: ConfigContext) -> Iterator[Problem]:
    for e in entries(ctx):
        if e.cidr is not None:
            continue
        why, suggestion = _diagnose(e.text)
        if e.reader == "cilium":
            if suggestion is None and "\\" in e.text:
                suggestion = decoded_text(e.node)
            msg = (f'"{e.text}" is not a valid CIDR for Cilium: {why}. Cilium logs `{e.error}` and rejects the whole '
                   "file, keeping the map it had (at first start it programs nothing, not even link-local)")
        else:
            msg = f'"{e.text}" is not a valid CIDR: {why}. The agent logs `CIDR "{e.text}" could not be parsed`, {REJECTS}'
        if suggestion:
            msg += f". Write {suggestion}"
        yield Problem(msg, at=e.node, data={"cidr": e.text, "suggestion": suggestion})


# --- MQ302 --------------------------------------------------------------------------------------


@register("MQ302")
def cidr_host_bits(ctx: ConfigContext) -> Iterator[Problem]:
    if ctx.target.reader == "cilium":
        yield from _cilium_host_bits(ctx)
        return
    for e in entries(ctx):
        if e.cidr is None or e.cidr.aligned:
            continue
        net = e.cidr.network_string()
        fix = None
        r = ctx.value_range(e.node)
        mapped = e.cidr.bits == 128 and not e.cidr.is_ipv6_family
        if r is not None and not mapped:
            fix = Fix(f"replace {e.text} with {net}", (Edit(r[0], r[1], net),), safe=False)
        if ctx.target.host_bits == "mask":
            what = (f"the {ctx.target.name} agent masks it to {net} without a word, so it silently stands for the "
                    "whole block, which may be far more than the one host that was meant")
        else:
            what = f"the agent logs `is not aligned to a CIDR block`, {REJECTS}"
        yield Problem(
            f"{e.text} has host bits set (its network is {net}): {what}. Write {net}, or a /{e.cidr.bits} for the "
            f"single host {e.cidr.ip_string()}",
            at=e.node,
            fix=fix,
            data={"cidr": e.text, "network": net},
        )


def _cilium_host_bits(ctx: ConfigContext) -> Iterator[Problem]:
    """Cilium masks (``netip.Prefix.Masked``): a warning that names the range it programs."""
    for e in entries(ctx):
        if e.cidr is None and e.error is not None:
            continue
        p = parse_prefix(e.text)
        if p.is_masked():
            continue
        net = str(p.masked())
        r = ctx.value_range(e.node)
        fix = Fix(f"replace {e.text} with {net}", (Edit(r[0], r[1], net),), safe=False) if r is not None else None
        host = p.addr_string()
        yield Problem(
            f"{e.text} has host bits set: Cilium masks it to {net} without a word and programs that whole block, which "
            f"may be far more than the one host that was meant. Write {net}, or {host}/{p.width} for the single host",
            at=e.node,
            fix=fix,
            data={"cidr": e.text, "network": net, "programmed": net},
            severity="warning",
        )


# --- MQ303 --------------------------------------------------------------------------------------


@register("MQ303")
def ipv6_disabled(ctx: ConfigContext) -> Iterator[Problem]:
    if ctx.target.flags.enable_ipv6 or not ctx.target.checks_ipv6_flag:
        return
    for e in valid_entries(ctx):  # (parsed, no host bits)
        if e.cidr is not None and e.cidr.is_ipv6_family:
            yield Problem(
                f"{e.text} is an IPv6 range but the {ctx.target.name} agent runs without --enable-ipv6: it logs "
                f"`ipv6 is not enabled, but ipv6 cidr {e.text} provided`, {REJECTS}. Remove it, or enable IPv6 "
                "on the agent (and set agent-flags: {enable-ipv6: true} for masqlint)",
                at=e.node,
                data={"cidr": e.text},
            )


# --- MQ304 --------------------------------------------------------------------------------------


@register("MQ304")
def cidr_limit(ctx: ConfigContext) -> Iterator[Problem]:
    d = ctx.decoded
    if d is None:
        return
    n = len(d.non_masquerade_cidrs or [])
    t = ctx.target
    if t.per_file_limit is not None:
        limit, source = t.per_file_limit, f"the {t.name} agent's fixed limit"
    elif t.honours_cidr_limit:
        limit, source = d.cidr_limit, ("cidrLimit" if "cidrLimit" in d.origins else "the default cidrLimit")
    else:
        return
    if n <= limit:
        return
    listed = FIELD in d.origins
    at = d.origins.get(FIELD) if listed else d.origins.get("cidrLimit")
    at_key = _key_origin(ctx, FIELD if listed else "cidrLimit")
    what = f"the list has {n} entries" if listed else f"the list is absent, so the {n} default ranges count"
    yield Problem(
        f"{what} but {source} is {limit}: the agent logs `the daemon can only accept up to {limit} CIDRs`, "
        f"{REJECTS}. Merge entries (see MQ307) or raise cidrLimit",
        at=at_key or at,
        data={"count": n, "limit": limit},
    )


def _key_origin(ctx: ConfigContext, field_name: str) -> Any:
    root = ctx.parsed
    if not isinstance(root, JObject):
        return None
    found = None
    for key, _val, korigin in root.members:
        if match_field(key) == field_name:
            found = korigin
    return found


# --- MQ305 / MQ306 / MQ307 -------------------------------------------------------------------------


def _has_nulls(ctx: ConfigContext) -> bool:
    """Does the list hold a null item (removing an entry then shifts what the nulls stand for)?"""
    lst = cidr_list(ctx)
    return lst is not None and any(type(i) is JNull or isinstance(i, JNull) for i in lst.items)


def _item_delete_range(ctx: ConfigContext, e: Entry) -> tuple[int, int] | None:
    """Outer offsets that remove a list item: its whole line for a block item, `, item` in a flow list."""
    r = ctx.outer_range(e.node)
    if r is None or ctx.source.text is None:
        return None
    ed = delete_block_item(ctx.source.text, *r)
    return None if ed is None else (ed.start, ed.end)


@register("MQ305")
def duplicate_cidr(ctx: ConfigContext) -> Iterator[Problem]:
    has_nulls = _memo(ctx, "_cidr_has_nulls", _has_nulls)
    for e, first in _range_sweep(ctx)[3]:  # each valid entry whose range an earlier one has, in written order
        fix = None
        r = _item_delete_range(ctx, e)
        if r is not None:
            fix = Fix(f"remove the second {e.text}", (Edit(r[0], r[1], ""),), safe=not has_nulls)
        same = "" if first.text == e.text else f" (written as {first.text})"
        effect = "the agent writes the same RETURN rule twice and counts both against cidrLimit"
        if ctx.target.per_file_limit is not None and first.text == e.text:
            effect = (f"the {ctx.target.name} agent keeps one (it removes duplicates by exact text) but counts both "
                      f"against its {ctx.target.per_file_limit} entries per file")
        yield Problem(
            f"{e.text} is already listed on line {line_of(ctx, first.node)}{same}: {effect}. Remove this one",
            at=e.node,
            fix=fix,
            data={"cidr": e.text},
        )


@register("MQ306")
def redundant_cidr(ctx: ConfigContext) -> Iterator[Problem]:
    """One finding per covering entry: the entries it makes redundant are its related locations."""
    has_nulls = _memo(ctx, "_cidr_has_nulls", _has_nulls)
    groups: dict[int, list] = {}
    covers: dict[int, Entry] = {}
    for e, cover in _range_sweep(ctx)[0]:
        groups.setdefault(id(cover), []).append(e)
        covers[id(cover)] = cover
    for key, inside in groups.items():
        cover = covers[key]
        if len(inside) > 1:
            inside.sort(key=lambda e: _position(e.node))  # in the order they are written
        ranges = [_item_delete_range(ctx, e) for e in inside]
        fix = None
        if all(ranges):
            what = f"remove {inside[0].text}" if len(inside) == 1 else f"remove the {len(inside)} entries inside {cover.text}"
            fix = Fix(what, tuple(Edit(r[0], r[1], "") for r in ranges if r is not None), safe=not has_nulls)
        cover_line = line_of(ctx, cover.node)
        if len(inside) == 1:
            e = inside[0]
            yield Problem(
                f"{e.text} lies inside {cover.text} (line {cover_line}): it changes nothing and uses "
                "one of the cidrLimit slots. Remove it",
                at=e.node,
                fix=fix,
                data={"cidr": e.text, "covered_by": cover.text, "related": [(cover.node, f"{cover.text} covers it")]},
            )
            continue
        yield Problem(
            f"{cover.text} makes {len(inside)} other entries redundant ({_names(inside)}): each lies inside it, "
            f"changes nothing and uses a cidrLimit slot. Remove them",
            at=cover.node,
            fix=fix,
            data={"cidr": cover.text, "redundant": [e.text for e in inside],
                  "related": [(e.node, f"{e.text} lies inside {cover.text}") for e in inside]},
        )


def _position(node: Any) -> int:
    r = node_range(node)
    return r[0] if r else 0


def _names(entries: list[Entry], most: int = 3) -> str:
    """A few entries by text and line, then how many more: messages stay short whatever the list."""
    shown = ", ".join(e.text for e in entries[:most])
    return shown + (f" and {len(entries) - most} more" if len(entries) > most else "")


@register("MQ307")
def mergeable_cidrs(ctx: ConfigContext) -> Iterator[Problem]:
    # adjacent blocks that aggregate: the entries no other covers (apart, in address order) form
    # runs of touching ranges; the fewest blocks covering a run are the aggregates (one sweep)
    _redundant, ents, runs, _dups, run_rngs = _range_sweep(ctx)
    pos = 0  # where the run's entries start in run_rngs
    for a, b in runs:
        group = ents[a:b]
        n = b - a
        firsts, lasts = run_rngs[pos + 1:pos + 3 * n:3], run_rngs[pos + 2:pos + 3 * n:3]
        version = run_rngs[pos]
        pos += 3 * n
        i = 0
        for block in range_blocks(version, firsts[0], lasts[-1]):
            members = []
            while i < n and firsts[i] >= block.first and lasts[i] <= block.last:
                members.append(group[i])
                i += 1
            if len(members) >= 2:
                agg = str(block)
                yield Problem(
                    f"{_names(members)} together are exactly {agg}: one entry instead of {len(members)} leaves the "
                    "same traffic unmasqueraded and frees cidrLimit slots",
                    at=members[0].node,
                    data={"cidrs": [m.text for m in members], "aggregate": agg,
                          "related": [(m.node, f"{m.text} is part of {agg}") for m in members[1:]]},
                )


# --- MQ308 / MQ309 ---------------------------------------------------------------------------------


@register("MQ308")
def null_cidr_item(ctx: ConfigContext) -> Iterator[Problem]:
    lst = cidr_list(ctx)
    if lst is None or ctx.decoded is None or ctx.partial:
        return
    values = ctx.decoded.cidrs.values() or []
    defaults = ctx.target.default_cidrs()
    for i, item in enumerate(lst.items):
        if not isinstance(item, JNull):
            continue
        got = values[i] if i < len(values) else ""
        if got == "" and not ctx.target.prefills_defaults:
            what = (
                f"the {ctx.target.name} agent decodes the list without defaults to fall back on, so this item is an "
                f"empty CIDR and the file is invalid: {ctx.target.rejection_note()}"
            )
        elif got == "":
            what = (
                f"there is no default at index {i} (the target has {len(defaults)}), so the agent gets an empty "
                f"string and {REJECTS}"
            )
        else:
            what = f"the agent keeps the value already at that index, {got}, so this item silently means {got}"
        yield Problem(
            f"list item {i + 1} is empty (null): {what}. Write the CIDR you mean, or remove the item",
            at=item,
            data={"index": i, "substituted": got},
        )


@register("MQ309")
def empty_cidr_list(ctx: ConfigContext) -> Iterator[Problem]:
    d = ctx.decoded
    if d is None or FIELD not in d.origins or ctx.partial:
        return
    v = d.origins[FIELD]
    if isinstance(v, JNull) or (isinstance(v, JArray) and not v.items):
        shape = "null" if isinstance(v, JNull) else "[]"
        yield Problem(
            f"nonMasqueradeCIDRs is {shape}: the agent masquerades every destination except link-local, pod-to-pod and "
            "node-to-pod traffic included (GKE needs the Pod ranges listed). Remove the key to keep the defaults, or "
            "list the ranges that must keep pod IPs",
            at=_key_origin(ctx, FIELD) or v,
        )
