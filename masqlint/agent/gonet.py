"""Go's ``net.ParseCIDR`` and ``net.IP`` / ``net.IPNet`` formatting, reproduced exactly.

The agent parses every ``nonMasqueradeCIDRs`` entry with ``net.ParseCIDR`` (Go 1.26),
which reads the address with ``netip.ParseAddr`` and the prefix length with the
package-private ``dtoi``. The rules that follow from that, all mirrored here:

* the text is split at the *first* ``/``; no ``/`` at all is an error;
* IPv4 is strict dotted-quad: four fields, decimal digits only, each 0..255, no
  leading zeros (``010.0.0.0`` fails), nothing before or after (no spaces);
* IPv6 accepts upper- and lower-case hex, at most four digits per group, one ``::``,
  and a dotted IPv4 tail (``::ffff:10.0.0.0``); a zone (``fe80::%eth0``) parses in
  netip but ``ParseCIDR`` rejects it;
* the prefix length is one or more ASCII digits (leading zeros allowed, no sign, no
  spaces) and at most 32 for an IPv4 address, 128 otherwise (an IPv4-mapped IPv6
  address counts as IPv6 here, so ``::ffff:10.0.0.0/104`` is valid);
* every failure is ``*net.ParseError`` whose text is ``invalid CIDR address: <input>``.
"""

from __future__ import annotations

import re
from _socket import inet_aton as _inet_aton
from contextlib import contextmanager
from operator import itemgetter as _item

__all__ = ["GoNetError", "GoCIDR", "parse_cidr", "parse_cidrs", "ip_string", "ipnet_string", "V4_HOSTS"]

_V4_IN_V6_PREFIX = bytes(10) + b"\xff\xff"
_V4_IN_V6_INT = 0xFFFF << 32
_HEX = "0123456789abcdef"
_BIG = 0xFFFFFF  # net.dtoi gives up at this value


class GoNetError(ValueError):
    """A ``*net.ParseError``; ``message`` is exactly what Go's ``err.Error()`` returns."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# netip.ParseAddr
# ---------------------------------------------------------------------------


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


def _parse_addr(s: str) -> tuple[bytes, int, str] | None:
    """netip.ParseAddr: returns (As16 bytes, BitLen, zone) or None on any error.

    The family is decided by the first ``.``, ``:`` or ``%`` in the text.
    """
    try:
        for c in s:
            if c == ".":
                return _V4_IN_V6_PREFIX + _ipv4_fields(s), 32, ""
            if c == ":":
                ip16, zone = _ipv6(s)
                return ip16, 128, zone
            if c == "%":
                return None  # zone without an address
    except _AddrError:
        return None
    return None


def _dtoi(s: str) -> tuple[int, int, bool]:
    """net.dtoi: decimal prefix of s -> (value, characters consumed, ok)."""
    n = 0
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        n = n * 10 + (ord(s[i]) - 48)
        if n >= _BIG:
            return _BIG, i, False
        i += 1
    if i == 0:
        return 0, 0, False
    return n, i, True


# ---------------------------------------------------------------------------
# net.IP / net.IPMask / net.IPNet helpers
# ---------------------------------------------------------------------------


def _to4(ip: bytes) -> bytes | None:
    """net.IP.To4."""
    if len(ip) == 4:
        return ip
    if len(ip) == 16 and ip[:12] == _V4_IN_V6_PREFIX:
        return ip[12:]
    return None


def _cidr_mask(ones: int, bits: int) -> bytes:
    """net.CIDRMask for a valid (ones, bits)."""
    value = ((1 << ones) - 1) << (bits - ones)
    return value.to_bytes(bits // 8, "big")


def _mask_ip(ip: bytes, mask: bytes) -> bytes | None:
    """net.IP.Mask."""
    if len(mask) == 16 and len(ip) == 4 and mask[:12] == b"\xff" * 12:
        mask = mask[12:]
    if len(mask) == 4 and len(ip) == 16 and ip[:12] == _V4_IN_V6_PREFIX:
        ip = ip[12:]
    if len(ip) != len(mask):
        return None
    return bytes(a & b for a, b in zip(ip, mask))


def _simple_mask_length(mask: bytes) -> int:
    """net.simpleMaskLength: number of leading ones, or -1 if not ones-then-zeros."""
    n = 0
    for i, v in enumerate(mask):
        if v == 0xFF:
            n += 8
            continue
        while v & 0x80:
            n += 1
            v = (v << 1) & 0xFF
        if v != 0:
            return -1
        if any(mask[i + 1 :]):
            return -1
        break
    return n


def _hex_string(b: bytes) -> str:
    return "".join(_HEX[x >> 4] + _HEX[x & 0xF] for x in b)


def _string6(ip16: bytes) -> str:
    """netip.Addr.appendTo6: RFC 5952 text (longest run of >= 2 zero groups, first on ties)."""
    groups = [(ip16[k] << 8) | ip16[k + 1] for k in range(0, 16, 2)]
    zero_start = zero_end = 255
    for i in range(8):
        j = i
        while j < 8 and groups[j] == 0:
            j += 1
        length = j - i
        if length >= 2 and length > zero_end - zero_start:
            zero_start, zero_end = i, j
    out = []
    i = 0
    while i < 8:
        if i == zero_start:
            out.append("::")
            i = zero_end
            if i >= 8:
                break
        elif i > 0:
            out.append(":")
        out.append(format(groups[i], "x"))
        i += 1
    return "".join(out)


def ip_string(ip: bytes) -> str:
    """net.IP.String: dotted quad for IPv4 and IPv4-mapped, RFC 5952 for other IPv6."""
    if len(ip) == 0:
        return "<nil>"
    if len(ip) not in (4, 16):
        return "?" + _hex_string(ip)
    p4 = _to4(ip)
    if p4 is not None:
        return ".".join(str(x) for x in p4)
    return _string6(ip)


def ipnet_string(ip: bytes, mask: bytes) -> str:
    """(*net.IPNet).String for IPNet{IP: ip, Mask: mask}.

    An IPv4(-mapped) network number with a 16-byte mask keeps only the mask's last four
    bytes; a mask that is not ones-then-zeros is printed as bare hex.
    """
    nn = _to4(ip)
    if nn is None:
        nn = ip
        if len(nn) != 16:
            return "<nil>"
    m = mask
    if len(m) == 4:
        if len(nn) != 4:
            return "<nil>"
    elif len(m) == 16:
        if len(nn) == 4:
            m = m[12:]
    else:
        return "<nil>"
    ones = _simple_mask_length(m)
    if ones == -1:
        return ip_string(nn) + "/" + ("<nil>" if len(m) == 0 else _hex_string(m))
    return ip_string(nn) + "/" + str(ones)


# ---------------------------------------------------------------------------
# net.ParseCIDR
# ---------------------------------------------------------------------------


class GoCIDR(tuple):
    """The result of Go's ``ip, ipnet, err := net.ParseCIDR(s)`` for a valid ``s``.

    ``ip`` and ``network`` are in Go's 16-byte form; ``mask`` is Go's ``ipnet.Mask``
    (4 bytes for a plain IPv4 address, 16 otherwise). Immutable, and small: a config can
    hold 100,000 entries, each parsed into one of these, so it is a tuple of the text and
    four integers (prefix length, bits, address, network: one object when they are equal)
    and everything else (the bytes, the range) is computed on request.
    """

    __slots__ = ()

    text = property(_item(0))
    prefixlen = property(_item(1))
    bits = property(_item(2))
    _ip = property(_item(3))  # the 16-byte forms, as integers
    _net = property(_item(4))

    def __repr__(self) -> str:
        return f"GoCIDR(text={self.text!r}, prefixlen={self.prefixlen}, bits={self.bits}, ip={self.ip_string()})"

    @property
    def ip(self) -> bytes:
        return self._ip.to_bytes(16, "big")

    @property
    def network(self) -> bytes:
        return self._net.to_bytes(16, "big")

    @property
    def mask(self) -> bytes:
        return _cidr_mask(self.prefixlen, self.bits)

    @property
    def is_ipv6_family(self) -> bool:
        """Go's ``ip.To4() == nil``: false for IPv4 and IPv4-mapped addresses (the 16-byte form
        starts with ten zero bytes and two 0xff bytes)."""
        return self[3] >> 32 != 0xFFFF

    @property
    def aligned(self) -> bool:
        """Go's ``ip.Equal(ipnet.IP)``: the address has no bits set past the prefix."""
        return self[3] == self[4]

    def _go_net_ip(self) -> bytes:
        # ipnet.IP as Go returns it: 4 bytes for IPv4, 16 otherwise.
        return self.network[12:] if self.bits == 32 else self.network

    def ip_string(self) -> str:
        """Go's ``ip.String()``."""
        return ip_string(self.ip)

    def network_string(self) -> str:
        """Go's ``ipnet.String()``."""
        return ipnet_string(self._go_net_ip(), self.mask)

    def as_int_range(self) -> tuple[int, int, int]:
        """(version, first, last) of the addresses ``ipnet.Contains`` accepts.

        A network whose number is IPv4 or IPv4-mapped (``::ffff:a.b.c.d`` with a prefix
        of at least 96) is reported as version 4 with IPv4 integers; everything else as
        version 6 with 128-bit integers.
        """
        if self[2] == 32:  # an IPv4 address: its network is IPv4 (the common case, without bytes)
            first = self[4] & 0xFFFFFFFF
            return 4, first, first | _V4_HOSTS[self[1]]
        nn = _to4(self._go_net_ip())
        m = self.mask
        if nn is not None:
            if len(m) == 16:
                m = m[12:]
            first = int.from_bytes(nn, "big")
            return 4, first, first | (~int.from_bytes(m, "big") & 0xFFFFFFFF)
        first = int.from_bytes(self.network, "big")
        host = ~int.from_bytes(m, "big") & ((1 << 128) - 1)
        return 6, first, first | host


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The common case, a dotted quad netip accepts and a short prefix length: parsed in one match.
_PLAIN_V4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/([0-9]{{1,9}})\Z")


_memo: dict | None = None  # text -> GoCIDR while a parse_cache() scope is open
# the last list parse_cidrs parsed in the scope and its answers, kept out of _memo until a single
# text is asked for (a long list is answered again as a whole: its texts need no dictionary)
_last: tuple[list[str], list] | None = None


@contextmanager
def parse_cache():
    """Within this scope each CIDR text is parsed once (validation, checks and iptables all
    parse every entry); outside it nothing is kept. Results never differ: a GoCIDR is immutable."""
    global _memo, _last
    opened = _memo is None
    if opened:
        _memo = {}
    try:
        yield
    finally:
        if opened:
            _memo = _last = None


def _remember_last(memo: dict) -> None:
    """Put the last list's parsed texts in the memo (once), before it is asked text by text."""
    global _last
    if _last is not None:
        memo.update((t, c) for t, c in zip(*_last) if type(c) is GoCIDR)
        _last = None


def parse_cidr(s: str) -> GoCIDR:
    """Go 1.26 ``net.ParseCIDR``; raises :class:`GoNetError` with Go's exact message."""
    memo = _memo
    if memo is not None:
        hit = memo.get(s)
        if hit is None:
            _remember_last(memo)
            hit = memo.get(s)
            if hit is None:
                hit = memo[s] = _parse_plain(s)
        return hit
    return _parse_plain(s)


def parse_cidrs(texts: list[str]) -> list:
    """``parse_cidr`` of each text, in order: its GoCIDR, or the GoNetError it raises (the same
    cache; one call for a whole list of 100,000 entries). The same list again in the scope (the
    agent's validation, then the checks' entries) is answered at once, without a lookup per text,
    with the same list of answers: callers read the list, they do not change it."""
    global _last
    memo = _memo
    if memo is not None:
        if _last is not None and _last[0] == texts:
            return _last[1]
        _remember_last(memo)
    out: list = []
    append = out.append
    for s in texts:
        hit = memo.get(s) if memo is not None else None
        if hit is None:
            try:
                hit = _parse_plain(s)
            except GoNetError as e:
                append(e.with_traceback(None))  # (its frames would hold this list: a cycle)
                continue
        append(hit)
    if memo is not None:
        _last = (texts[:], out)  # (a copy of the texts: the caller may change its list)
    return out


def _parse_plain(s: str) -> GoCIDR:
    m = _PLAIN_V4.match(s)
    if m is not None:
        n = int(m.group(5))
        if n <= 32:  # the same result as the general path below, without its byte juggling
            ip = _from_bytes(_inet_aton(s[: m.end(4)]), "big")  # a strict dotted quad (checked above)
            net = ip & _V4_MASKS[n]
            mapped = _V4_IN_V6_INT | ip
            return _tuple_new(GoCIDR, (s, n, 32, mapped, mapped if net == ip else _V4_IN_V6_INT | net))
    return _parse_cidr(s)


_from_bytes = int.from_bytes
_V4_MASKS = [(0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF for n in range(33)]
_V4_HOSTS = [~m & 0xFFFFFFFF for m in _V4_MASKS]
V4_HOSTS = _V4_HOSTS  # the host part of an IPv4 /n, by n: an IPv4 GoCIDR's range is (4, net, net | V4_HOSTS[n])


_tuple_new = tuple.__new__


def _parse_cidr(s: str) -> GoCIDR:
    slash = s.find("/")
    if slash < 0:
        raise GoNetError("invalid CIDR address: " + s)
    addr, mask_text = s[:slash], s[slash + 1 :]
    parsed = _parse_addr(addr)
    if parsed is None or parsed[2] != "":
        raise GoNetError("invalid CIDR address: " + s)
    ip16, bitlen, _zone = parsed
    n, consumed, ok = _dtoi(mask_text)
    if not ok or consumed != len(mask_text) or n < 0 or n > bitlen:
        raise GoNetError("invalid CIDR address: " + s)
    mask = _cidr_mask(n, bitlen)
    net = _mask_ip(ip16, mask)
    assert net is not None
    network16 = _V4_IN_V6_PREFIX + net if len(net) == 4 else net
    ip, net16 = int.from_bytes(ip16, "big"), int.from_bytes(network16, "big")
    return _tuple_new(GoCIDR, (s, n, bitlen, ip, ip if net16 == ip else net16))
