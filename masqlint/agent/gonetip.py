"""Go's ``net/netip`` prefix parsing, as Cilium's ip-masq-agent uses it (``netip.ParsePrefix``).

It differs from ``net.ParseCIDR`` (``gonet``) in ways a config shows:

- the prefix length is a decimal without a sign or a leading zero (``/08`` is "bad bits after slash");
- an IPv4-mapped IPv6 address (``::ffff:10.1.1.0/120``) stays IPv6, with a 128-bit prefix length;
- an IPv6 zone is refused in a prefix;
- host bits are allowed (``Masked()`` clears them), so nothing is "not aligned".

Error texts are Go's own: ``netip.ParsePrefix("…"): …`` wrapping ``ParseAddr("…"): …``.
"""

from __future__ import annotations

from masqlint.agent.gonet import _string6
from masqlint.agent.model import _go_q


class NetipError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def go_quote(s: str) -> str:
    """strconv.Quote."""
    return '"' + _go_q(s) + '"'


class _AddrError(Exception):
    def __init__(self, msg: str, at: str = "") -> None:
        super().__init__(msg)
        self.msg, self.at = msg, at


def _ipv4_fields(s: str) -> bytes:
    fields = [0, 0, 0, 0]
    val = pos = dig = 0
    for i, ch in enumerate(s):
        if "0" <= ch <= "9":
            if dig == 1 and val == 0:
                raise _AddrError("IPv4 field has octet with leading zero")
            val = val * 10 + ord(ch) - 48
            dig += 1
            if val > 255:
                raise _AddrError("IPv4 field has value >255")
        elif ch == ".":
            if i == 0 or i == len(s) - 1 or s[i - 1] == ".":
                raise _AddrError("IPv4 field must have at least one digit", s[i:])
            if pos == 3:
                raise _AddrError("IPv4 address too long")
            fields[pos] = val
            pos += 1
            val = dig = 0
        else:
            raise _AddrError("unexpected character", s[i:])
    if pos < 3:
        raise _AddrError("IPv4 address too short")
    fields[3] = val
    return bytes(fields)


def _hexval(ch: str) -> int:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "a" <= ch <= "f":
        return ord(ch) - 87
    if "A" <= ch <= "F":
        return ord(ch) - 55
    return -1


def _ipv6(full: str) -> tuple[bytes, str]:
    s, zone = full, ""
    pct = s.find("%")
    if pct != -1:
        s, zone = s[:pct], s[pct + 1:]
        if zone == "":
            raise _AddrError("zone must be a non-empty string")
    ip = bytearray(16)
    ellipsis = -1
    if len(s) >= 2 and s[0] == ":" and s[1] == ":":
        ellipsis = 0
        s = s[2:]
        if not s:
            return bytes(ip), zone
    i = 0
    while i < 16:
        off = 0
        acc = 0
        while off < len(s):
            h = _hexval(s[off])
            if h < 0:
                break
            acc = (acc << 4) + h
            if off > 3:
                raise _AddrError("each group must have 4 or less digits", s)
            if acc > 0xFFFF:
                raise _AddrError("IPv6 field has value >=2^16", s)
            off += 1
        if off == 0:
            raise _AddrError("each colon-separated field must have at least one digit", s)
        if off < len(s) and s[off] == ".":
            if ellipsis < 0 and i != 12:
                raise _AddrError("embedded IPv4 address must replace the final 2 fields of the address", s)
            if i + 4 > 16:
                raise _AddrError("too many hex fields to fit an embedded IPv4 at the end of the address", s)
            ip[i:i + 4] = _ipv4_fields(s)
            s = ""
            i += 4
            break
        ip[i] = acc >> 8
        ip[i + 1] = acc & 0xFF
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ":":
            raise _AddrError("unexpected character, want colon", s)
        if len(s) == 1:
            raise _AddrError("colon must be followed by more characters", s)
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                raise _AddrError("multiple :: in address", s)
            ellipsis = i
            s = s[1:]
            if not s:
                break
    if s:
        raise _AddrError("trailing garbage after address", s)
    if i < 16:
        if ellipsis < 0:
            raise _AddrError("address string too short")
        n = 16 - i
        for j in range(i - 1, ellipsis - 1, -1):
            ip[j + n] = ip[j]
        for j in range(ellipsis, ellipsis + n):
            ip[j] = 0
    elif ellipsis >= 0:
        raise _AddrError("the :: must expand to at least one field of zeros", s)
    return bytes(ip), zone


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
