"""Go's ``time.ParseDuration`` and ``time.Duration.String``, reproduced exactly.

The agent reads ``resyncInterval`` with ``time.ParseDuration`` and logs durations with
``Duration.String()``. Both work on int64 nanoseconds; the parser accumulates in a
uint64 and applies Go's own overflow checks (including the wrap-around they miss, see
:func:`parse_duration`). Error texts quote the input with the ``quote`` helper of
``time/format.go``, which escapes every non-ASCII or control byte as ``\\xNN`` (it is
not ``strconv.Quote``).
"""

from __future__ import annotations

__all__ = ["GoDurationError", "parse_duration", "format_duration", "quote"]

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_U64 = (1 << 64) - 1
_MAX_INT64 = (1 << 63) - 1
_MIN_INT64 = -(1 << 63)

_UNIT_MAP = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,  # micro sign
    "\u03bcs": MICROSECOND,  # Greek small letter mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}


class GoDurationError(ValueError):
    """An error from ``time.ParseDuration``; ``message`` is Go's ``err.Error()``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _go_bytes(ch: str) -> bytes:
    """The bytes Go sees for one character of the input.

    U+DC80..U+DCFF are taken as raw bytes smuggled through ``surrogateescape``; other
    lone surrogates as their three-byte encoding.
    """
    o = ord(ch)
    if 0xDC80 <= o <= 0xDCFF:
        return bytes([o - 0xDC00])
    return ch.encode("utf-8", "surrogatepass")


def quote(s: str) -> str:
    """``time.quote``: double-quote s, escaping ``"`` and ``\\`` with a backslash and
    every byte of a non-ASCII or control (< 0x20) character as ``\\xNN``."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if o >= 0x80 or o < 0x20:
            out.extend("\\x%02x" % b for b in _go_bytes(ch))
        else:
            if ch == '"' or ch == "\\":
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


def _leading_int(s: str) -> tuple[int, str] | None:
    """time.leadingInt: consume [0-9]*; None on uint64 overflow past 1<<63."""
    x = 0
    i = 0
    while i < len(s):
        c = s[i]
        if c < "0" or c > "9":
            break
        if x > (1 << 63) // 10:
            return None
        x = x * 10 + (ord(c) - 48)
        if x > 1 << 63:
            return None
        i += 1
    return x, s[i:]


def _leading_fraction(s: str) -> tuple[int, float, str]:
    """time.leadingFraction: consume [0-9]*, silently dropping precision on overflow."""
    x = 0
    scale = 1.0
    overflow = False
    i = 0
    while i < len(s):
        c = s[i]
        if c < "0" or c > "9":
            break
        i += 1
        if overflow:
            continue
        if x > ((1 << 63) - 1) // 10:
            overflow = True
            continue
        y = x * 10 + (ord(c) - 48)
        if y > 1 << 63:
            overflow = True
            continue
        x = y
        scale *= 10
    return x, scale, s[i:]


def parse_duration(s: str) -> int:
    """Go 1.26 ``time.ParseDuration``: nanoseconds, or :class:`GoDurationError`.

    Accepts ``[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+`` with units ns, us, µs (U+00B5),
    μs (U+03BC), ms, s, m, h; a bare ``0`` (optionally signed) is zero. As in Go, the
    running total is a uint64 checked only against ``1<<63`` after each term, so two
    terms of exactly ``1<<63`` wrap to zero without an error.
    """
    orig = s
    d = 0
    neg = False
    if s != "":
        c = s[0]
        if c == "-" or c == "+":
            neg = c == "-"
            s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise GoDurationError("time: invalid duration " + quote(orig))
    while s != "":
        f = 0
        scale = 1.0
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise GoDurationError("time: invalid duration " + quote(orig))
        pl = len(s)
        r = _leading_int(s)
        if r is None:
            raise GoDurationError("time: invalid duration " + quote(orig))
        v, s = r
        pre = pl != len(s)
        post = False
        if s != "" and s[0] == ".":
            s = s[1:]
            pl = len(s)
            f, scale, s = _leading_fraction(s)
            post = pl != len(s)
        if not pre and not post:
            raise GoDurationError("time: invalid duration " + quote(orig))
        i = 0
        while i < len(s):
            c = s[i]
            if c == "." or "0" <= c <= "9":
                break
            i += 1
        if i == 0:
            raise GoDurationError("time: missing unit in duration " + quote(orig))
        u = s[:i]
        s = s[i:]
        unit = _UNIT_MAP.get(u)
        if unit is None:
            raise GoDurationError(
                "time: unknown unit " + quote(u) + " in duration " + quote(orig)
            )
        if v > (1 << 63) // unit:
            raise GoDurationError("time: invalid duration " + quote(orig))
        v *= unit
        if f > 0:
            # float64 keeps fractions of hours nanosecond-accurate, exactly as in Go.
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise GoDurationError("time: invalid duration " + quote(orig))
        d = (d + v) & _U64
        if d > 1 << 63:
            raise GoDurationError("time: invalid duration " + quote(orig))
    if neg:
        return -d  # -(1<<63) is min int64; Go's int64 negation gives the same value
    if d > _MAX_INT64:
        raise GoDurationError("time: invalid duration " + quote(orig))
    return d


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    """time.fmtFrac: '.digits' of v/10**prec without trailing zeros ('' if zero)."""
    digits = []
    printing = False
    for _ in range(prec):
        digit = v % 10
        printing = printing or digit != 0
        if printing:
            digits.append(chr(48 + digit))
        v //= 10
    if printing:
        digits.append(".")
    return "".join(reversed(digits)), v


def format_duration(ns: int) -> str:
    """Go's ``time.Duration(ns).String()``, e.g. ``1h0m0s``, ``1m30s``, ``1.5s``,
    ``500ms``, ``1µs`` (U+00B5), ``0s``, ``-2562047h47m16.854775808s``."""
    if not _MIN_INT64 <= ns <= _MAX_INT64:
        raise ValueError("duration out of int64 range: %d" % ns)
    neg = ns < 0
    u = -ns if neg else ns
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            prec, unit = 0, "ns"
        elif u < MILLISECOND:
            prec, unit = 3, "\u00b5s"
        else:
            prec, unit = 6, "ms"
        frac, u = _fmt_frac(u, prec)
        text = str(u) + frac + unit
    else:
        frac, u = _fmt_frac(u, 9)
        text = str(u % 60) + frac + "s"
        u //= 60
        if u > 0:
            text = str(u % 60) + "m" + text
            u //= 60
            if u > 0:
                text = str(u) + "h" + text
    return "-" + text if neg else text
