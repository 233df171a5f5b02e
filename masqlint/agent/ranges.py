"""The one interval algebra over IP addresses, used by the agent model (what is in force), the
policy rules (dropped defaults, declared destinations, public ranges) and trace/diff.

Ranges are ``(version, first, last)`` with ``version`` 4 or 6 and inclusive integer bounds; a
"merged" list is sorted with no two ranges overlapping or touching. Union, difference,
intersection and the CIDR blocks that cover a set exactly are each one sort-and-sweep
(O(n log n)), or a bisection per range against a merged list. ``RangeSet`` wraps a merged list
with set operators. IPv4 block text is formatted here; IPv6 text is left to netaddr (imported only
then), so that it reads exactly as it always has, IPv4-mapped forms included.
"""

from __future__ import annotations

import bisect

_BITS = {4: 32, 6: 128}


def merge_ranges(ranges) -> list[tuple[int, int, int]]:
    """(version, first, last) ranges sorted and merged where they overlap or touch."""
    out: list[tuple[int, int, int]] = []
    cv, clo, chi = 0, 0, 0  # version 0: no range yet
    for v, lo, hi in sorted(ranges):
        if v == cv and lo <= chi + 1:
            if hi > chi:
                chi = hi
            continue
        if cv:
            out.append((cv, clo, chi))
        cv, clo, chi = v, lo, hi
    if cv:
        out.append((cv, clo, chi))
    return out


def range_keys(b) -> list[tuple[int, int]]:
    """Bisection keys of a merged range list, for many ``subtract_ranges`` against it."""
    return [(v, hi) for v, _lo, hi in b]


def subtract_ranges(a, b, keys=None) -> list[tuple[int, int, int]]:
    """``a`` minus ``b``, both merged: each range of ``a`` meets only the ranges of ``b`` that
    overlap it, found by bisection (O((|a| + overlaps) log |b|))."""
    out = []
    keys = range_keys(b) if keys is None else keys
    for v, lo, hi in a:
        cur = lo
        j = bisect.bisect_left(keys, (v, lo))
        while j < len(b) and b[j][0] == v and b[j][1] <= hi:
            _v, blo, bhi = b[j]
            if blo > cur:
                out.append((v, cur, blo - 1))
            cur = max(cur, bhi + 1)
            j += 1
        if cur <= hi:
            out.append((v, cur, hi))
    return out


def intersect_ranges(a, b, keys=None) -> list[tuple[int, int, int]]:
    """``a`` and ``b`` in common, both merged (bisection into ``b`` per range of ``a``)."""
    out = []
    keys = range_keys(b) if keys is None else keys
    for v, lo, hi in a:
        j = bisect.bisect_left(keys, (v, lo))  # the first range of b that ends at or after lo
        while j < len(b) and b[j][0] == v and b[j][1] <= hi:
            out.append((v, max(lo, b[j][1]), min(hi, b[j][2])))
            j += 1
    return out


def intersects(a, b) -> bool:
    """Do two merged range lists share an address?"""
    return bool(intersect_ranges(a, b))


def size_of(ranges) -> int:
    """How many addresses a merged range list holds."""
    return sum(hi - lo + 1 for _v, lo, hi in ranges)


class Block:
    """One CIDR block; ``str()`` gives its canonical text."""

    __slots__ = ("version", "first", "last", "prefixlen")

    def __init__(self, version: int, first: int, prefixlen: int):
        self.version = version
        self.first = first
        self.prefixlen = prefixlen
        self.last = first | ((1 << (_BITS[version] - prefixlen)) - 1)

    def __str__(self) -> str:
        if self.version == 4:
            a = self.first
            return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/{self.prefixlen}"
        import netaddr  # noqa: PLC0415 - lazy: netaddr only where the integer path does not reach

        return f"{netaddr.IPAddress(self.first, 6)}/{self.prefixlen}"

    __repr__ = __str__

    def __eq__(self, other) -> bool:
        return isinstance(other, Block) and (self.version, self.first, self.prefixlen) == (other.version, other.first, other.prefixlen)

    def __hash__(self) -> int:
        return hash((self.version, self.first, self.prefixlen))


def range_blocks(version: int, lo: int, hi: int) -> list[Block]:
    """The fewest CIDR blocks that cover [lo, hi] exactly, in address order."""
    bits = _BITS[version]
    out = []
    while lo <= hi:
        size = (lo & -lo) if lo else 1 << bits  # the largest block aligned at lo …
        span = hi - lo + 1
        while size > span:  # … that still fits
            size >>= 1
        out.append(Block(version, lo, bits - size.bit_length() + 1))
        lo += size
    return out


def range_cidrs(version: int, lo: int, hi: int) -> list[str]:
    """The fewest CIDR blocks of one range (netaddr's decomposition; one aligned block directly)."""
    if version == 4:  # dotted quads written directly (what ipaddress and Block print for IPv4)
        return _v4_cidrs(lo, hi)
    size = hi - lo + 1
    if size & (size - 1) == 0 and lo % size == 0:
        import ipaddress  # noqa: PLC0415 - lazy: IPv6 blocks only (IPv4 is written above)

        addr = ipaddress.IPv4Address(lo) if version == 4 else ipaddress.IPv6Address(lo)
        return [f"{addr}/{(32 if version == 4 else 128) - size.bit_length() + 1}"]
    return [str(c) for c in range_blocks(version, lo, hi)]


def _v4_cidrs(lo: int, hi: int) -> list[str]:
    """``range_blocks(4, lo, hi)`` as text: a range left by tens of thousands of entries is as many blocks."""
    out = []
    o = _OCTETS
    while lo <= hi:
        # the largest block aligned at lo that still fits: both are powers of two, the smaller wins
        size = min((lo & -lo) if lo else 1 << 32, 1 << ((hi - lo + 1).bit_length() - 1))
        out.append(f"{o[lo >> 24]}.{o[(lo >> 16) & 255]}.{o[(lo >> 8) & 255]}.{o[lo & 255]}/{o[33 - size.bit_length()]}")
        lo += size
    return out


def ranges_cidr_count(ranges) -> int:
    """``len(ranges_cidrs(ranges))``, without writing the blocks."""
    n = 0
    for v, lo, hi in merge_ranges(ranges):
        bits = _BITS[v]
        while lo <= hi:
            size = min((lo & -lo) if lo else 1 << bits, 1 << ((hi - lo + 1).bit_length() - 1))
            n += 1
            lo += size
    return n


_OCTETS = [str(i) for i in range(256)]


def ranges_cidrs(ranges) -> list[str]:
    """The fewest CIDR blocks covering ranges, IPv4 first, in address order."""
    out = []
    for v, lo, hi in merge_ranges(ranges):
        out.extend(range_cidrs(v, lo, hi))
    return out


class RangeSet:
    """An immutable set of addresses of both families."""

    __slots__ = ("ranges",)

    def __init__(self, ranges=(), *, merged: bool = False):
        self.ranges: tuple[tuple[int, int, int], ...] = tuple(ranges) if merged else tuple(merge_ranges(ranges))

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __eq__(self, other) -> bool:
        return isinstance(other, RangeSet) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return hash(self.ranges)

    def __or__(self, other: "RangeSet") -> "RangeSet":
        return RangeSet(self.ranges + other.ranges)

    def __and__(self, other: "RangeSet") -> "RangeSet":
        return RangeSet(intersect_ranges(self.ranges, other.ranges), merged=True)

    def __sub__(self, other: "RangeSet") -> "RangeSet":
        return RangeSet(subtract_ranges(self.ranges, other.ranges), merged=True)

    def iter_cidrs(self) -> list[Block]:
        """The CIDR blocks of the set (fewest per range), IPv4 first, in address order."""
        out = []
        for v, lo, hi in self.ranges:
            out.extend(range_blocks(v, lo, hi))
        return out

    @property
    def size(self) -> int:
        """How many addresses the set holds."""
        return size_of(self.ranges)

    def cidrs(self) -> list[str]:
        """The set as the fewest CIDR block texts, IPv4 first, in address order."""
        return [str(b) for b in self.iter_cidrs()]

    def __repr__(self) -> str:
        return f"RangeSet({self.cidrs()})"
