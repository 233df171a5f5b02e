"""encoding/json syntax checking and decoding as Go 1.26 behaves."""

import pytest

from masqlint.agent.gojson import (
    MAX_NESTING_DEPTH,
    GoJSONSyntaxError,
    JValue,
    parse,
    quote_char,
)


def raw(b: bytes) -> str:
    """File bytes as the caller hands them over (invalid UTF-8 kept via surrogateescape)."""
    return b.decode("utf-8", "surrogateescape")


def syntax_error(data: str) -> GoJSONSyntaxError:
    with pytest.raises(GoJSONSyntaxError) as ei:
        parse(data)
    return ei.value


# --- what the real agent showed --------------------------------------------


def test_comment_in_object():
    e = syntax_error('{\n  // comment\n  "a": 1\n}')
    assert e.message == "invalid character '/' looking for beginning of object key string"
    assert str(e) == e.message
    assert e.offset == 4


# --- Go's decode_test.go / scanner_test.go syntax errors ----------------------
# Go's Offset counts bytes read including the bad one; ours is the index of that
# character, so for ASCII input ours is Go's minus one.

GO_SYNTAX = [
    ('{"X": "foo", "Y"}', "invalid character '}' after object key", 17),
    ("[1, 2, 3+]", "invalid character '+' after array element", 9),
    ('{"X":12x}', "invalid character 'x' after object key:value pair", 8),
    ("[2, 3", "unexpected end of JSON input", 5),
    ('{"F3": -}', "invalid character '}' in numeric literal", 9),
    ("\x01 42", "invalid character '\\x01' looking for beginning of value", 1),
    (" 42 \x01", "invalid character '\\x01' after top-level value", 5),
    ("\x01 true", "invalid character '\\x01' looking for beginning of value", 1),
    (" false \x01", "invalid character '\\x01' after top-level value", 8),
    ("\x01 1.2", "invalid character '\\x01' looking for beginning of value", 1),
    (" 3.4 \x01", "invalid character '\\x01' after top-level value", 6),
    ('\x01 "string"', "invalid character '\\x01' looking for beginning of value", 1),
    (' "string" \x01', "invalid character '\\x01' after top-level value", 11),
    ('{"X": "foo" "Y": "bar"}', "invalid character '\"' after object key:value pair", 13),
]


@pytest.mark.parametrize("data,message,go_offset", GO_SYNTAX)
def test_go_syntax_errors(data, message, go_offset):
    e = syntax_error(data)
    assert e.message == message
    if message == "unexpected end of JSON input":
        assert e.offset == go_offset == len(data)
    else:
        assert e.offset == go_offset - 1


@pytest.mark.parametrize(
    "data,valid",
    [  # scanner_test.go TestValid
        ("foo", False),
        ("}{", False),
        ("{]", False),
        ("{}", True),
        ('{"foo":"bar"}', True),
        ('{"foo":"bar","bar":{"baz":["qux"]}}', True),
    ],
)
def test_go_valid(data, valid):
    if valid:
        assert parse(data).kind == "object"
    else:
        syntax_error(data)


# --- every scanner state -------------------------------------------------------

STATE_ERRORS = [
    ("", "unexpected end of JSON input", 0),
    ("   ", "unexpected end of JSON input", 3),
    ("{", "unexpected end of JSON input", 1),
    ("[", "unexpected end of JSON input", 1),
    ('{"a"', "unexpected end of JSON input", 4),
    ('{"a":', "unexpected end of JSON input", 5),
    ('{"a":1', "unexpected end of JSON input", 6),
    ('{"a":1,', "unexpected end of JSON input", 7),
    ("[1,", "unexpected end of JSON input", 3),
    ('"abc', "unexpected end of JSON input", 4),
    ("x", "invalid character 'x' looking for beginning of value", 0),
    ("]", "invalid character ']' looking for beginning of value", 0),
    (".0", "invalid character '.' looking for beginning of value", 0),
    ("+1", "invalid character '+' looking for beginning of value", 0),
    ("'a'", "invalid character '\\'' looking for beginning of value", 0),
    ("[,]", "invalid character ',' looking for beginning of value", 1),
    ("[1,]", "invalid character ']' looking for beginning of value", 3),
    ('{"a":}', "invalid character '}' looking for beginning of value", 5),
    ("{,}", "invalid character ',' looking for beginning of object key string", 1),
    ('{"a":1,}', "invalid character '}' looking for beginning of object key string", 7),
    ("{a:1}", "invalid character 'a' looking for beginning of object key string", 1),
    ("{'a':1}", "invalid character '\\'' looking for beginning of object key string", 1),
    ('{"a" 1}', "invalid character '1' after object key", 5),
    ('{"a"=1}', "invalid character '=' after object key", 4),
    ('{"a":1]', "invalid character ']' after object key:value pair", 6),
    ('{"a":1;"b":2}', "invalid character ';' after object key:value pair", 6),
    ("[1}", "invalid character '}' after array element", 2),
    ("[1 2]", "invalid character '2' after array element", 3),
    ("{}}", "invalid character '}' after top-level value", 2),
    ('{"a":1}x', "invalid character 'x' after top-level value", 7),
    ("{} {}", "invalid character '{' after top-level value", 3),
    ("00", "invalid character '0' after top-level value", 1),
    ("01", "invalid character '1' after top-level value", 1),
    ("-", "invalid character ' ' in numeric literal", 1),
    ("-a", "invalid character 'a' in numeric literal", 1),
    ("[-]", "invalid character ']' in numeric literal", 2),
    ("1.", "invalid character ' ' after decimal point in numeric literal", 2),
    ("1.e5", "invalid character 'e' after decimal point in numeric literal", 2),
    ("1e", "invalid character ' ' in exponent of numeric literal", 2),
    ("1e+", "invalid character ' ' in exponent of numeric literal", 3),
    ("[1e]", "invalid character ']' in exponent of numeric literal", 3),
    ("1.5.2", "invalid character '.' after top-level value", 3),
    ("t", "invalid character ' ' in literal true (expecting 'r')", 1),
    ("tx", "invalid character 'x' in literal true (expecting 'r')", 1),
    ("trx", "invalid character 'x' in literal true (expecting 'u')", 2),
    ("tru", "invalid character ' ' in literal true (expecting 'e')", 3),
    ("tru3", "invalid character '3' in literal true (expecting 'e')", 3),
    ("True", "invalid character 'T' looking for beginning of value", 0),
    ("fx", "invalid character 'x' in literal false (expecting 'a')", 1),
    ("fax", "invalid character 'x' in literal false (expecting 'l')", 2),
    ("falx", "invalid character 'x' in literal false (expecting 's')", 3),
    ("fals", "invalid character ' ' in literal false (expecting 'e')", 4),
    ("falsee", "invalid character 'e' after top-level value", 5),
    ("nx", "invalid character 'x' in literal null (expecting 'u')", 1),
    ("nux", "invalid character 'x' in literal null (expecting 'l')", 2),
    ("nul", "invalid character ' ' in literal null (expecting 'l')", 3),
    ('"\\', "invalid character ' ' in string escape code", 2),
    ('"\\x"', "invalid character 'x' in string escape code", 2),
    ('"\\\'"', "invalid character '\\'' in string escape code", 2),
    ('"\\u"', "invalid character '\"' in \\u hexadecimal character escape", 3),
    ('"\\u1"', "invalid character '\"' in \\u hexadecimal character escape", 4),
    ('"\\u12"', "invalid character '\"' in \\u hexadecimal character escape", 5),
    ('"\\u123"', "invalid character '\"' in \\u hexadecimal character escape", 6),
    ('"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape", 5),
    ('"\\u12', "invalid character ' ' in \\u hexadecimal character escape", 5),
    ('"a\nb"', "invalid character '\\n' in string literal", 2),
    ('"a\tb"', "invalid character '\\t' in string literal", 2),
    ('"a\x00b"', "invalid character '\\x00' in string literal", 2),
    ('{"a":\x1f}', "invalid character '\\x1f' looking for beginning of value", 5),
    ('{"a":\x7f}', "invalid character '\\x7f' looking for beginning of value", 5),
    ("{\x0b}", "invalid character '\\v' looking for beginning of object key string", 1),
    ("{\x0c}", "invalid character '\\f' looking for beginning of object key string", 1),
    ("{\x08}", "invalid character '\\b' looking for beginning of object key string", 1),
    ("{\x07}", "invalid character '\\a' looking for beginning of object key string", 1),
    ("[\\]", "invalid character '\\\\' looking for beginning of value", 1),
    ("NaN", "invalid character 'N' looking for beginning of value", 0),
]


@pytest.mark.parametrize("data,message,offset", STATE_ERRORS)
def test_state_errors(data, message, offset):
    e = syntax_error(data)
    assert (e.message, e.offset) == (message, offset)


def test_first_error_wins_even_late_in_input():
    e = syntax_error('{"a": [1, 2, {"b": tru}]}')
    assert e.message == "invalid character '}' in literal true (expecting 'e')"
    assert e.offset == 22


# --- non-ASCII: Go reports the first UTF-8 byte as a rune ---------------------

NON_ASCII = [
    ("{ \u201chello\u201d: \u201cworld\u201d }", "'\u00e2' looking for beginning of object key string", 2),
    ("[1, \u201ca\u201d]", "'\u00e2' looking for beginning of value", 4),
    ('{"a":1}\u00a0', "'\u00c2' after top-level value", 7),
    ("\u00a0{}", "'\u00c2' looking for beginning of value", 0),
    ("\ufeff{}", "'\u00ef' looking for beginning of value", 0),
    ("\u2003{}", "'\u00e2' looking for beginning of value", 0),
    ("\u0085{}", "'\u00c2' looking for beginning of value", 0),
    ("[\U0001f600]", "'\u00f0' looking for beginning of value", 1),
    ('{"a":\u00e9}', "'\u00c3' looking for beginning of value", 5),
    (raw(b"[\x85]"), "'\\u0085' looking for beginning of value", 1),
    (raw(b"[\xa0]"), "'\\u00a0' looking for beginning of value", 1),
    (raw(b"[\xad]"), "'\\u00ad' looking for beginning of value", 1),
    (raw(b"[\xff]"), "'\u00ff' looking for beginning of value", 1),
    (raw(b"[\xa1]"), "'\u00a1' looking for beginning of value", 1),
]


@pytest.mark.parametrize("data,tail,offset", NON_ASCII)
def test_non_ascii_errors(data, tail, offset):
    e = syntax_error(data)
    assert e.message == "invalid character " + tail
    assert e.offset == offset


def test_non_ascii_inside_strings_is_fine():
    v = parse('{"\u201ckey\u201d": "\u00e9\U0001f600\u00a0"}')
    assert v.members[0][0] == "\u201ckey\u201d"
    assert v.members[0][3].value == "\u00e9\U0001f600\u00a0"


@pytest.mark.parametrize(
    "c,want",
    [
        (ord("'"), "'\\''"),
        (ord('"'), "'\"'"),
        (ord("\\"), "'\\\\'"),
        (ord("a"), "'a'"),
        (ord(" "), "' '"),
        (0x00, "'\\x00'"),
        (0x07, "'\\a'"),
        (0x08, "'\\b'"),
        (0x09, "'\\t'"),
        (0x0A, "'\\n'"),
        (0x0B, "'\\v'"),
        (0x0C, "'\\f'"),
        (0x0D, "'\\r'"),
        (0x1B, "'\\x1b'"),
        (0x7F, "'\\x7f'"),
        (0x80, "'\\u0080'"),
        (0x9F, "'\\u009f'"),
        (0xA0, "'\\u00a0'"),
        (0xA1, "'\u00a1'"),
        (0xAD, "'\\u00ad'"),
        (0xC2, "'\u00c2'"),
        (0xE2, "'\u00e2'"),
        (0xFF, "'\u00ff'"),
    ],
)
def test_quote_char(c, want):
    assert quote_char(c) == want


# --- nesting depth ---------------------------------------------------------------


def test_max_depth_allowed():
    data = "[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH
    v = parse(data)
    depth = 0
    while v.items:
        v = v.items[0]
        depth += 1
    assert depth == MAX_NESTING_DEPTH - 1


def test_max_depth_exceeded():
    e = syntax_error("[" * (MAX_NESTING_DEPTH + 1))
    assert e.message == "invalid character '[' exceeded max depth"
    assert e.offset == MAX_NESTING_DEPTH
    e = syntax_error('{"a":' * (MAX_NESTING_DEPTH + 1))
    assert e.message == "invalid character '{' exceeded max depth"


# --- values -----------------------------------------------------------------------


def test_object_members_in_order_with_duplicates():
    data = '{"b": 1, "a": "x", "b": 2}'
    v = parse(data)
    assert v.kind == "object" and (v.start, v.end) == (0, len(data))
    keys = [(k, ks, ke) for k, ks, ke, _ in v.members]
    assert keys == [("b", 1, 4), ("a", 9, 12), ("b", 19, 22)]
    assert [m[3].value for m in v.members] == ["1", "x", "2"]
    assert v.get("b").value == "2"  # last one wins, as in Go's decoder
    assert v.get("c") is None
    assert data[keys[1][1] : keys[1][2]] == '"a"'


def test_positions_of_every_value():
    data = ' {"a" : [ 1 , -2.5e+3 , true,false ,null , "s\\n" , {} , [] ] } '
    v = parse(data)
    assert (v.start, v.end) == (1, len(data) - 1)
    arr = v.members[0][3]
    assert arr.kind == "array"
    assert data[arr.start : arr.end].startswith("[") and data[arr.end - 1] == "]"
    got = [(x.kind, data[x.start : x.end], x.value) for x in arr.items]
    assert got == [
        ("number", "1", "1"),
        ("number", "-2.5e+3", "-2.5e+3"),
        ("true", "true", None),
        ("false", "false", None),
        ("null", "null", None),
        ("string", '"s\\n"', "s\n"),
        ("object", "{}", None),
        ("array", "[]", None),
    ]


@pytest.mark.parametrize(
    "lit", ["64.0", "1e3", "-0", "0", "1E+2", "-0.0e-0", "123456789012345678901234567890"]
)
def test_number_literal_kept(lit):
    v = parse('{"n": %s}' % lit)
    n = v.members[0][3]
    assert n.kind == "number" and n.value == lit


@pytest.mark.parametrize(
    "data,kind,value,span",
    [
        ("\n true ", "true", None, (2, 6)),
        ("\n false ", "false", None, (2, 7)),
        ("\t 1 ", "number", "1", (2, 3)),
        ("\r 1.2 ", "number", "1.2", (2, 5)),
        ("\t -5 \n", "number", "-5", (2, 4)),
        ('\t "a\\u1234" \n', "string", "a\u1234", (2, 11)),
        ("null", "null", None, (0, 4)),
        ("12", "number", "12", (0, 2)),
    ],
)
def test_top_level_scalars(data, kind, value, span):
    v = parse(data)
    assert (v.kind, v.value, (v.start, v.end)) == (kind, value, span)


STRINGS = [
    (r'"a\u1234"', "a\u1234"),
    (r'"\"\\\/\b\f\n\r\t"', '"\\/\b\f\n\r\t'),
    (r'"\u0000"', "\x00"),
    (r'"\u00E9\u00e9"', "\u00e9\u00e9"),
    (r'"g-clef: \uD834\uDD1E"', "g-clef: \U0001d11e"),
    (r'"invalid: \uD834x\uDD1E"', "invalid: \ufffdx\ufffd"),
    (r'"hello\ud800world"', "hello\ufffdworld"),
    (r'"hello\ud800\ud800world"', "hello\ufffd\ufffdworld"),
    (r'"hello\ud800\ud800\udc00world"', "hello\ufffd\U00010000world"),
    (r'"\udc00\ud800"', "\ufffd\ufffd"),
    (r'"\ud800\u0041"', "\ufffdA"),
    (r'"\ud800"', "\ufffd"),
    ("\"\u2028\u2029\"", "\u2028\u2029"),
    ("\"\x7f\"", "\x7f"),
    # invalid UTF-8 is coerced: one U+FFFD per bad byte (decode_test.go)
    (raw(b'"hello\xffworld"'), "hello\ufffdworld"),
    (raw(b'"hello\xc2\xc2world"'), "hello\ufffd\ufffdworld"),
    (raw(b'"hello\xc2\xffworld"'), "hello\ufffd\ufffdworld"),
    (raw(b'"hello\xed\xa0\x80\xed\xb0\x80world"'), "hello" + "\ufffd" * 6 + "world"),
    (raw(b'"\xf0\x9f\x98"'), "\ufffd" * 3),
]


@pytest.mark.parametrize("data,want", STRINGS)
def test_string_decoding(data, want):
    v = parse(data)
    assert v.kind == "string" and v.value == want


def test_keys_are_decoded_too():
    v = parse(r'{"\u006eonMasqueradeCIDRs": [], "a\/b": 1}')
    assert [m[0] for m in v.members] == ["nonMasqueradeCIDRs", "a/b"]


def test_realistic_config():
    data = (
        "{\n"
        '  "nonMasqueradeCIDRs": ["10.0.0.0/8", "fd00::/8"],\n'
        '  "masqLinkLocal": false,\n'
        '  "resyncInterval": "60s"\n'
        "}\n"
    )
    v = parse(data)
    assert [m[0] for m in v.members] == ["nonMasqueradeCIDRs", "masqLinkLocal", "resyncInterval"]
    cidrs = v.get("nonMasqueradeCIDRs")
    assert [c.value for c in cidrs.items] == ["10.0.0.0/8", "fd00::/8"]
    first = cidrs.items[0]
    assert data[first.start : first.end] == '"10.0.0.0/8"'
    assert v.get("masqLinkLocal").kind == "false"
    assert v.get("resyncInterval").value == "60s"


def test_jvalue_is_a_dataclass():
    v = parse("[]")
    assert isinstance(v, JValue)
    assert v.members == [] and v.items == [] and v.value is None


def test_large_input_is_linear_enough():
    data = "[" + ",".join('"%s"' % ("x" * 50) for _ in range(20000)) + "]"
    v = parse(data)
    assert len(v.items) == 20000
