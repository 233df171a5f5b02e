"""Sets of IP addresses as sorted, merged integer ranges: union, difference, intersection and
the CIDR blocks that cover a set exactly, each one sort-and-sweep (O(n log n)).

Ranges are ``(version, first, last)`` with ``version`` 4 or 6 and inclusive integer bounds.
IPv4 block text is formatted here; IPv6 text is left to netaddr (imported only then), so
that it reads exactly as it always has, IPv4-mapped forms included.
"""

from __future__ import annotations

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
        import netaddr

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
        out = []
        a, b = self.ranges, other.ranges
        i = j = 0
        while i < len(a) and j < len(b):
            (va, la, ha), (vb, lb, hb) = a[i], b[j]
            if (va, ha) < (vb, lb):
                i += 1
                continue
            if (vb, hb) < (va, la):
                j += 1
                continue
            out.append((va, max(la, lb), min(ha, hb)))  # same version and overlapping
            if (va, ha) < (vb, hb):
                i += 1
            else:
                j += 1
        return RangeSet(out, merged=True)

    def __sub__(self, other: "RangeSet") -> "RangeSet":
        out = []
        b = other.ranges
        j = 0
        for v, lo, hi in self.ranges:
            while j < len(b) and (b[j][0], b[j][2]) < (v, lo):
                j += 1  # ends before this range starts
            k = j
            cur = lo
            while k < len(b) and b[k][0] == v and b[k][1] <= hi:
                if b[k][1] > cur:
                    out.append((v, cur, b[k][1] - 1))
                cur = max(cur, b[k][2] + 1)
                k += 1
            if cur <= hi:
                out.append((v, cur, hi))
        return RangeSet(out, merged=True)

    def iter_cidrs(self) -> list[Block]:
        """The CIDR blocks of the set (fewest per range), IPv4 first, in address order."""
        out = []
        for v, lo, hi in self.ranges:
            out.extend(range_blocks(v, lo, hi))
        return out

    def __repr__(self) -> str:
        return f"RangeSet({[str(b) for b in self.iter_cidrs()]})"
