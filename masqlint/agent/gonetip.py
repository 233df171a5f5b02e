"""Go's ``net/netip`` prefix parsing, as Cilium's ip-masq-agent uses it (``netip.ParsePrefix``).

It differs from ``net.ParseCIDR`` (``gonet``) in ways a config shows:

- the prefix length is a decimal without a sign or a leading zero (``/08`` is "bad bits after slash");
- an IPv4-mapped IPv6 address (``::ffff:10.1.1.0/120``) stays IPv6, with a 128-bit prefix length;
- an IPv6 zone is refused in a prefix;
- host bits are allowed (``Masked()`` clears them), so nothing is "not aligned".

Error texts are Go's own: ``netip.ParsePrefix("…"): …`` wrapping ``ParseAddr("…"): …``.
"""

from __future__ import annotations

from masqlint.agent.gonet import _AddrError, _ipv4_fields, _ipv6, _string6
from masqlint.agent.model import _go_q


class NetipError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def go_quote(s: str) -> str:
    """strconv.Quote."""
    return '"' + _go_q(s) + '"'


def parse_addr(s: str) -> tuple[bytes, str]:
    """netip.ParseAddr: (4 or 16 address bytes, zone). Raises NetipError with Go's text."""
    try:
        for ch in s:
            if ch == ".":
                return _ipv4_fields(s), ""
            if ch == ":":
                return _ipv6(s)
            if ch == "%":
                raise _AddrError("missing IPv6 address")
        raise _AddrError("unable to parse IP")
    except _AddrError as e:
        msg = f"ParseAddr({go_quote(s)}): {e.msg}"
        if e.at:
            msg += f" (at {go_quote(e.at)})"
        raise NetipError(msg) from None


class Prefix:
    """A netip.Prefix: ``addr`` is 4 bytes (IPv4) or 16 bytes (IPv6, IPv4-mapped included)."""

    __slots__ = ("addr", "bits")

    def __init__(self, addr: bytes, bits: int) -> None:
        self.addr, self.bits = addr, bits

    @property
    def is4(self) -> bool:
        return len(self.addr) == 4

    @property
    def is4in6(self) -> bool:
        return len(self.addr) == 16 and self.addr[:12] == b"\x00" * 10 + b"\xff\xff"

    @property
    def width(self) -> int:
        return 32 if self.is4 else 128

    def as_int(self) -> int:
        return int.from_bytes(self.addr, "big")

    def masked(self) -> "Prefix":
        n = self.as_int()
        host = (1 << (self.width - self.bits)) - 1
        return Prefix((n & ~host).to_bytes(len(self.addr), "big"), self.bits)

    def is_masked(self) -> bool:
        return self.masked().addr == self.addr

    def addr_string(self) -> str:
        a = self.addr
        if self.is4:
            return ".".join(str(x) for x in a)
        if self.is4in6:
            return "::ffff:" + ".".join(str(x) for x in a[12:])
        return _string6(a)

    def __str__(self) -> str:
        return f"{self.addr_string()}/{self.bits}"

    def sort_key(self) -> tuple:
        """netip.Prefix.Compare-like order: IPv4 first, then address, then prefix length."""
        return (0 if self.is4 else 1, self.as_int(), self.bits)

    def __eq__(self, other) -> bool:
        return isinstance(other, Prefix) and self.addr == other.addr and self.bits == other.bits

    def __hash__(self) -> int:
        return hash((self.addr, self.bits))

    def __repr__(self) -> str:
        return f"Prefix({self})"


def parse_prefix(s: str) -> Prefix:
    """netip.ParsePrefix. Raises NetipError with Go's message."""
    def fail(msg: str) -> NetipError:
        return NetipError(f"netip.ParsePrefix({go_quote(s)}): {msg}")

    i = s.rfind("/")
    if i < 0:
        raise fail("no '/'")
    try:
        addr, zone = parse_addr(s[:i])
    except NetipError as e:
        raise fail(e.message) from None
    if len(addr) == 16 and zone:
        raise fail("IPv6 zones cannot be present in a prefix")
    bits_str = s[i + 1:]
    if len(bits_str) > 1 and not ("1" <= bits_str[0] <= "9"):
        raise fail("bad bits after slash: " + go_quote(bits_str))
    bits = _atoi(bits_str)
    if bits is None:
        raise fail("bad bits after slash: " + go_quote(bits_str))
    if bits < 0 or bits > (32 if len(addr) == 4 else 128):
        raise fail("prefix length out of range")
    return Prefix(addr, bits)


def _atoi(s: str) -> int | None:
    """strconv.Atoi for what can reach it here (no leading zero but "0" itself)."""
    t = s[1:] if s[:1] in ("+", "-") else s
    if not t or not t.isascii() or not t.isdigit():
        return None
    n = int(s)
    if not -(1 << 63) <= n < (1 << 63):
        return None
    return n
