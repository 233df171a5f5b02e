"""Go's ``encoding/json`` syntax check and value decoding, reproduced exactly.

This is the default ``encoding/json`` of Go 1.26 (not the ``GOEXPERIMENT=jsonv2``
build, whose messages differ). ``json.Unmarshal`` first runs the whole input through
the byte-level scanner of ``encoding/json/scanner.go`` (``checkValid``) and decodes only
when that succeeds, so a syntax error anywhere means no value at all. :func:`parse`
ports that scanner state by state, with the same messages (``invalid character 'x'
after top-level value``, ``unexpected end of JSON input``, ...), and builds a
:class:`JValue` tree on the way.

The input is a ``str``; positions are character offsets into it. Go scans bytes, so a
non-ASCII character in a bad place is reported as its first UTF-8 byte printed as a rune
(``“`` is byte 0xE2, reported as ``'â'``). Characters U+DC80..U+DCFF are taken as raw
bytes carried by ``surrogateescape`` (an invalid UTF-8 byte in the file); inside strings
they decode to U+FFFD, as Go's decoder does for each invalid byte.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Optional

__all__ = ["GoJSONSyntaxError", "JValue", "parse", "quote_char", "MAX_NESTING_DEPTH"]

MAX_NESTING_DEPTH = 10000  # encoding/json maxNestingDepth

# parseState values
_PARSE_OBJECT_KEY = 0
_PARSE_OBJECT_VALUE = 1
_PARSE_ARRAY_VALUE = 2

# Characters stateInString passes over without changing state.
_STRING_BODY = re.compile(r'[^"\\\x00-\x1f]+')


class GoJSONSyntaxError(ValueError):
    """A ``*json.SyntaxError``.

    ``message`` is Go's ``err.Error()``; ``offset`` is the character offset of the
    offending character (``len(data)`` when the input ended too early).
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class JValue:
    """One JSON value as Go's decoder sees it.

    ``kind`` is one of object, array, string, number, true, false, null; ``start`` and
    ``end`` delimit its text. ``value`` holds the decoded text of a string or the literal
    text of a number (``64.0``, ``1e3``, ``-0``). ``members`` lists every object member
    in file order as ``(key, key_start, key_end, value)``, duplicates included; ``items``
    holds array elements. Slotted (a long list makes one per item); equal only to itself.
    """

    __slots__ = ("kind", "start", "end", "value", "members", "items")

    def __init__(self, kind: str, start: int, end: int, value: Optional[str] = None,
                 members: Optional[list[tuple[str, int, int, "JValue"]]] = None,
                 items: Optional[list["JValue"]] = None) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.members: list[tuple[str, int, int, JValue]] = [] if members is None else members
        self.items: list[JValue] = [] if items is None else items

    def __repr__(self) -> str:
        return (f"JValue(kind={self.kind!r}, start={self.start!r}, end={self.end!r}, value={self.value!r}, "
                f"members={self.members!r}, items={self.items!r})")

    def get(self, key: str) -> Optional["JValue"]:
        """The value of the last member named exactly ``key`` (the one Go keeps)."""
        found = None
        for k, _ks, _ke, v in self.members:
            if k == key:
                found = v
        return found


def _lead_byte(ch: str) -> int:
    """The first byte Go's scanner sees for this character."""
    o = ord(ch)
    if o < 0x80:
        return o
    if 0xDC80 <= o <= 0xDCFF:
        return o - 0xDC00
    return ch.encode("utf-8", "surrogatepass")[0]


def quote_char(c: int) -> str:
    """encoding/json quoteChar: byte c as a Go character literal (via strconv.Quote).

    The byte is taken as the rune U+00xx, so 0xE2 prints as ``'â'``; C0/C1 controls,
    DEL, NBSP and soft hyphen are escaped.
    """
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    if c == 0x5C:
        body = "\\\\"
    elif 0x20 <= c <= 0x7E or (0xA1 <= c <= 0xFF and c != 0xAD):
        body = chr(c)
    elif c in _ESCAPES:
        body = _ESCAPES[c]
    elif c < 0x20 or c == 0x7F:
        body = "\\x%02x" % c
    else:
        body = "\\u%04x" % c
    return "'" + body + "'"


_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def _is_space(c: int) -> bool:
    return c == 0x20 or c == 0x09 or c == 0x0D or c == 0x0A


def _is_hex(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x61 <= c <= 0x66 or 0x41 <= c <= 0x46


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


# ---------------------------------------------------------------------------
# String decoding (decode.go unquoteBytes)
# ---------------------------------------------------------------------------


def _getu4(s: str, r: int) -> int:
    """decode.go getu4: the \\uXXXX at s[r:], or -1."""
    if r + 6 > len(s) or s[r] != "\\" or s[r + 1] != "u":
        return -1
    h = s[r + 2 : r + 6]
    if not all(_is_hex(ord(x)) for x in h):
        return -1
    return int(h, 16)


def _unquote(s: str) -> str:
    """The decoded value of an already validated string body (without its quotes).

    Escapes as Go; a \\u surrogate not followed by its partner escape becomes U+FFFD;
    bytes that are not valid UTF-8 become one U+FFFD each.
    """
    if "\\" not in s and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in s):
        return s
    out = []
    r = 0
    n = len(s)
    while r < n:
        ch = s[r]
        if ch == "\\":
            e = s[r + 1]
            if e == "u":
                rr = _getu4(s, r)
                r += 6
                if 0xD800 <= rr <= 0xDFFF:
                    rr1 = _getu4(s, r)
                    if 0xD800 <= rr < 0xDC00 and 0xDC00 <= rr1 < 0xE000:
                        out.append(chr(0x10000 + ((rr - 0xD800) << 10) + (rr1 - 0xDC00)))
                        r += 6
                        continue
                    rr = 0xFFFD
                out.append(chr(rr))
                continue
            out.append(_SIMPLE_ESCAPES[e])
            r += 2
            continue
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF:
            # Not valid UTF-8: Go writes one U+FFFD per byte.
            width = 1 if 0xDC80 <= o <= 0xDCFF else 3
            out.append("\ufffd" * width)
        else:
            out.append(ch)
        r += 1
    return "".join(out)


_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "'": "'",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


# ---------------------------------------------------------------------------
# The scanner (scanner.go), with the tree builder hooked into its transitions
# ---------------------------------------------------------------------------


class _Frame:
    __slots__ = ("node", "key", "key_start", "key_end")

    def __init__(self, node: JValue) -> None:
        self.node = node
        self.key = ""
        self.key_start = 0
        self.key_end = 0


class _Scanner:
    def __init__(self, data: str) -> None:
        self.data = data
        self.step = self.state_begin_value
        self.parse_state: list[int] = []
        self.end_top = False
        self.frames: list[_Frame] = []
        self.top: Optional[JValue] = None
        self.lit_start = 0
        self.i = 0  # character offset of the byte being stepped

    # -- errors -------------------------------------------------------------

    def error(self, c: int, context: str) -> int:
        raise GoJSONSyntaxError("invalid character " + quote_char(c) + " " + context, self.i)

    # -- tree building ------------------------------------------------------

    def _attach(self, node: JValue) -> None:
        if not self.frames:
            self.top = node
            return
        frame = self.frames[-1]
        parent = frame.node
        if parent.kind == "array":
            parent.items.append(node)
        elif self.parse_state[-1] == _PARSE_OBJECT_KEY:
            frame.key = node.value or ""
            frame.key_start = node.start
            frame.key_end = node.end
        else:
            parent.members.append((frame.key, frame.key_start, frame.key_end, node))

    def _begin_literal(self) -> None:
        self.lit_start = self.i

    def _end_literal(self, kind: str, end: int) -> None:
        start = self.lit_start
        if kind == "string":
            value: Optional[str] = _unquote(self.data[start + 1 : end - 1])
        elif kind == "number":
            value = self.data[start:end]
        else:
            value = None
        self._attach(JValue(kind, start, end, value))

    def _begin_container(self, kind: str) -> None:
        self.frames.append(_Frame(JValue(kind, self.i, self.i)))

    def _end_container(self) -> None:
        node = self.frames.pop().node
        node.end = self.i + 1
        # parse_state has been popped already: attach against the enclosing state.
        self._attach(node)

    # -- parse state stack --------------------------------------------------

    def push_parse_state(self, c: int, new_state: int) -> None:
        self.parse_state.append(new_state)
        if len(self.parse_state) > MAX_NESTING_DEPTH:
            self.error(c, "exceeded max depth")

    def pop_parse_state(self) -> None:
        self.parse_state.pop()
        if not self.parse_state:
            self.step = self.state_end_top
            self.end_top = True
        else:
            self.step = self.state_end_value

    # -- states -------------------------------------------------------------

    def state_begin_value_or_empty(self, c: int) -> None:
        if _is_space(c):
            return
        if c == 0x5D:  # ]
            self.state_end_value(c)
            return
        self.state_begin_value(c)

    def state_begin_value(self, c: int) -> None:
        if _is_space(c):
            return
        if c == 0x7B:  # {
            self.step = self.state_begin_string_or_empty
            self._begin_container("object")
            self.push_parse_state(c, _PARSE_OBJECT_KEY)
            return
        if c == 0x5B:  # [
            self.step = self.state_begin_value_or_empty
            self._begin_container("array")
            self.push_parse_state(c, _PARSE_ARRAY_VALUE)
            return
        if c == 0x22:
            self.step = self.state_in_string
        elif c == 0x2D:  # -
            self.step = self.state_neg
        elif c == 0x30:
            self.step = self.state_0
        elif c == 0x74:
            self.step = self.state_t
        elif c == 0x66:
            self.step = self.state_f
        elif c == 0x6E:
            self.step = self.state_n
        elif 0x31 <= c <= 0x39:
            self.step = self.state_1
        else:
            self.error(c, "looking for beginning of value")
        self._begin_literal()

    def state_begin_string_or_empty(self, c: int) -> None:
        if _is_space(c):
            return
        if c == 0x7D:  # }
            self.parse_state[-1] = _PARSE_OBJECT_VALUE
            self.state_end_value(c)
            return
        self.state_begin_string(c)

    def state_begin_string(self, c: int) -> None:
        if _is_space(c):
            return
        if c == 0x22:
            self.step = self.state_in_string
            self._begin_literal()
            return
        self.error(c, "looking for beginning of object key string")

    def state_end_value(self, c: int) -> None:
        if not self.parse_state:
            self.step = self.state_end_top
            self.end_top = True
            self.state_end_top(c)
            return
        if _is_space(c):
            self.step = self.state_end_value
            return
        ps = self.parse_state[-1]
        if ps == _PARSE_OBJECT_KEY:
            if c == 0x3A:  # :
                self.parse_state[-1] = _PARSE_OBJECT_VALUE
                self.step = self.state_begin_value
                return
            self.error(c, "after object key")
        elif ps == _PARSE_OBJECT_VALUE:
            if c == 0x2C:  # ,
                self.parse_state[-1] = _PARSE_OBJECT_KEY
                self.step = self.state_begin_string
                return
            if c == 0x7D:
                self.pop_parse_state()
                self._end_container()
                return
            self.error(c, "after object key:value pair")
        else:
            if c == 0x2C:
                self.step = self.state_begin_value
                return
            if c == 0x5D:
                self.pop_parse_state()
                self._end_container()
                return
            self.error(c, "after array element")

    def state_end_top(self, c: int) -> None:
        if not _is_space(c):
            self.error(c, "after top-level value")

    def state_in_string(self, c: int) -> None:
        if c == 0x22:
            self.step = self.state_end_value
            self._end_literal("string", self.i + 1)
            return
        if c == 0x5C:
            self.step = self.state_in_string_esc
            return
        if c < 0x20:
            self.error(c, "in string literal")

    def state_in_string_esc(self, c: int) -> None:
        if c in (0x62, 0x66, 0x6E, 0x72, 0x74, 0x5C, 0x2F, 0x22):  # b f n r t \ / "
            self.step = self.state_in_string
            return
        if c == 0x75:  # u
            self.step = self.state_in_string_esc_u
            return
        self.error(c, "in string escape code")

    def state_in_string_esc_u(self, c: int) -> None:
        if _is_hex(c):
            self.step = self.state_in_string_esc_u1
            return
        self.error(c, "in \\u hexadecimal character escape")

    def state_in_string_esc_u1(self, c: int) -> None:
        if _is_hex(c):
            self.step = self.state_in_string_esc_u12
            return
        self.error(c, "in \\u hexadecimal character escape")

    def state_in_string_esc_u12(self, c: int) -> None:
        if _is_hex(c):
            self.step = self.state_in_string_esc_u123
            return
        self.error(c, "in \\u hexadecimal character escape")

    def state_in_string_esc_u123(self, c: int) -> None:
        if _is_hex(c):
            self.step = self.state_in_string
            return
        self.error(c, "in \\u hexadecimal character escape")

    def state_neg(self, c: int) -> None:
        if c == 0x30:
            self.step = self.state_0
            return
        if 0x31 <= c <= 0x39:
            self.step = self.state_1
            return
        self.error(c, "in numeric literal")

    def state_1(self, c: int) -> None:
        if _is_digit(c):
            self.step = self.state_1
            return
        self.state_0(c)

    def state_0(self, c: int) -> None:
        if c == 0x2E:  # .
            self.step = self.state_dot
            return
        if c == 0x65 or c == 0x45:  # e E
            self.step = self.state_e
            return
        self._end_literal("number", self.i)
        self.state_end_value(c)

    def state_dot(self, c: int) -> None:
        if _is_digit(c):
            self.step = self.state_dot0
            return
        self.error(c, "after decimal point in numeric literal")

    def state_dot0(self, c: int) -> None:
        if _is_digit(c):
            return
        if c == 0x65 or c == 0x45:
            self.step = self.state_e
            return
        self._end_literal("number", self.i)
        self.state_end_value(c)

    def state_e(self, c: int) -> None:
        if c == 0x2B or c == 0x2D:  # + -
            self.step = self.state_e_sign
            return
        self.state_e_sign(c)

    def state_e_sign(self, c: int) -> None:
        if _is_digit(c):
            self.step = self.state_e0
            return
        self.error(c, "in exponent of numeric literal")

    def state_e0(self, c: int) -> None:
        if _is_digit(c):
            return
        self._end_literal("number", self.i)
        self.state_end_value(c)

    def _literal_char(self, c: int, want: int, nxt, context: str, kind: str = "") -> None:
        # One letter of true/false/null; the last letter (kind set) completes the value.
        if c == want:
            if kind:
                self.step = self.state_end_value
                self._end_literal(kind, self.i + 1)
            else:
                self.step = nxt
            return
        self.error(c, context)

    def state_t(self, c: int) -> None:
        self._literal_char(c, 0x72, self.state_tr, "in literal true (expecting 'r')")

    def state_tr(self, c: int) -> None:
        self._literal_char(c, 0x75, self.state_tru, "in literal true (expecting 'u')")

    def state_tru(self, c: int) -> None:
        self._literal_char(c, 0x65, None, "in literal true (expecting 'e')", "true")

    def state_f(self, c: int) -> None:
        self._literal_char(c, 0x61, self.state_fa, "in literal false (expecting 'a')")

    def state_fa(self, c: int) -> None:
        self._literal_char(c, 0x6C, self.state_fal, "in literal false (expecting 'l')")

    def state_fal(self, c: int) -> None:
        self._literal_char(c, 0x73, self.state_fals, "in literal false (expecting 's')")

    def state_fals(self, c: int) -> None:
        self._literal_char(c, 0x65, None, "in literal false (expecting 'e')", "false")

    def state_n(self, c: int) -> None:
        self._literal_char(c, 0x75, self.state_nu, "in literal null (expecting 'u')")

    def state_nu(self, c: int) -> None:
        self._literal_char(c, 0x6C, self.state_nul, "in literal null (expecting 'l')")

    def state_nul(self, c: int) -> None:
        self._literal_char(c, 0x6C, None, "in literal null (expecting 'l')", "null")

    # -- driver -------------------------------------------------------------

    def run(self) -> JValue:
        data = self.data
        n = len(data)
        i = 0
        in_string = self.state_in_string
        while i < n:
            if self.step == in_string:
                m = _STRING_BODY.match(data, i)
                if m is not None:
                    i = m.end()
                    if i >= n:
                        break
            self.i = i
            self.step(_lead_byte(data[i]))
            i += 1
        # scanner.eof: one more virtual space, then the top-level value must be done.
        self.i = n
        if not self.end_top:
            self.step(0x20)
        if not self.end_top:
            raise GoJSONSyntaxError("unexpected end of JSON input", n)
        assert self.top is not None
        return self.top


def parse(data: str) -> JValue:
    """Validate ``data`` exactly as ``json.Unmarshal`` does and return its value.

    Raises :class:`GoJSONSyntaxError` with Go's message for the first syntax error; no
    partial value is returned, because Go checks the whole input before decoding.
    """
    scanner = _Scanner(data)
    try:
        return scanner.run()
    finally:
        scanner.step = None  # type: ignore[assignment]  # a bound method of the scanner: leave no cycle holding the parsed value
