"""time.ParseDuration / time.Duration.String as Go 1.26 behaves."""

import pytest

from masqlint.agent.goduration import GoDurationError, format_duration, parse_duration, quote

NS = 1
US = 1000 * NS
MS = 1000 * US
S = 1000 * MS
M = 60 * S
H = 60 * M
MAX = (1 << 63) - 1
MIN = -(1 << 63)


# --- what the real agent showed --------------------------------------------


@pytest.mark.parametrize(
    "text,want",
    [
        ("1m30s", "1m30s"),
        ("60s", "1m0s"),
        ("1h", "1h0m0s"),
        ("0s", "0s"),
        ("-5s", "-5s"),
        ("1.5m", "1m30s"),
    ],
)
def test_agent_round_trips(text, want):
    assert format_duration(parse_duration(text)) == want


@pytest.mark.parametrize(
    "text,message",
    [
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("1m 30s", 'time: unknown unit "m " in duration "1m 30s"'),
        ("1:30", 'time: unknown unit ":" in duration "1:30"'),
        ("PT60S", 'time: invalid duration "PT60S"'),
        ("", 'time: invalid duration ""'),
        ("60", 'time: missing unit in duration "60"'),
    ],
)
def test_agent_errors(text, message):
    with pytest.raises(GoDurationError) as ei:
        parse_duration(text)
    assert ei.value.message == message
    assert str(ei.value) == message


# --- Go's parseDurationTests (time/time_test.go) -------------------------------

GO_PARSE = [
    ("0", 0),
    ("5s", 5 * S),
    ("30s", 30 * S),
    ("1478s", 1478 * S),
    ("-5s", -5 * S),
    ("+5s", 5 * S),
    ("-0", 0),
    ("+0", 0),
    ("5.0s", 5 * S),
    ("5.6s", 5 * S + 600 * MS),
    ("5.s", 5 * S),
    (".5s", 500 * MS),
    ("1.0s", 1 * S),
    ("1.00s", 1 * S),
    ("1.004s", 1 * S + 4 * MS),
    ("1.0040s", 1 * S + 4 * MS),
    ("100.00100s", 100 * S + 1 * MS),
    ("10ns", 10 * NS),
    ("11us", 11 * US),
    ("12\u00b5s", 12 * US),
    ("12\u03bcs", 12 * US),
    ("13ms", 13 * MS),
    ("14s", 14 * S),
    ("15m", 15 * M),
    ("16h", 16 * H),
    ("3h30m", 3 * H + 30 * M),
    ("10.5s4m", 4 * M + 10 * S + 500 * MS),
    ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
    ("1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
    ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
    ("52763797000ns", 52763797000 * NS),
    ("0.3333333333333333333h", 20 * M),
    ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", MAX),
    ("9223372036854775.807us", MAX),
    ("9223372036s854ms775us807ns", MAX),
    ("-9223372036854775808ns", MIN),
    ("-9223372036854775.808us", MIN),
    ("-9223372036s854ms775us808ns", MIN),
    ("-2562047h47m16.854775808s", MIN),
    ("0.100000000000000000000h", 6 * M),
    ("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS),
]


@pytest.mark.parametrize("text,want", GO_PARSE)
def test_go_parse_duration(text, want):
    assert parse_duration(text) == want


# parseDurationErrorTests: Go checks that the error contains the quoted input.
GO_PARSE_ERRORS = [
    ("", '""'),
    ("3", '"3"'),
    ("-", '"-"'),
    ("s", '"s"'),
    (".", '"."'),
    ("-.", '"-."'),
    (".s", '".s"'),
    ("+.s", '"+.s"'),
    ("1d", '"1d"'),
    ("\udc85\udc85", '"\\x85\\x85"'),  # the bytes 0x85 0x85
    ("\udcffff", '"\\xffff"'),  # the byte 0xff, then "ff"
    ("hello \udcffff world", '"hello \\xffff world"'),
    ("\ufffd", '"\\xef\\xbf\\xbd"'),
    ("\ufffd hello \ufffd world", '"\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world"'),
    ("9223372036854775810ns", '"9223372036854775810ns"'),
    ("9223372036854775808ns", '"9223372036854775808ns"'),
    ("-9223372036854775809ns", '"-9223372036854775809ns"'),
    ("9223372036854776us", '"9223372036854776us"'),
    ("3000000h", '"3000000h"'),
    ("9223372036854775.808us", '"9223372036854775.808us"'),
    ("9223372036854ms775us808ns", '"9223372036854ms775us808ns"'),
]


@pytest.mark.parametrize("text,quoted", GO_PARSE_ERRORS)
def test_go_parse_duration_errors(text, quoted):
    with pytest.raises(GoDurationError) as ei:
        parse_duration(text)
    assert quoted in ei.value.message


@pytest.mark.parametrize(
    "text,message",
    [
        ("", 'time: invalid duration ""'),
        ("3", 'time: missing unit in duration "3"'),
        ("-", 'time: invalid duration "-"'),
        ("s", 'time: invalid duration "s"'),
        (".", 'time: invalid duration "."'),
        ("-.", 'time: invalid duration "-."'),
        (".s", 'time: invalid duration ".s"'),
        ("+.s", 'time: invalid duration "+.s"'),
        ("1.5", 'time: missing unit in duration "1.5"'),
        ("1s2", 'time: missing unit in duration "1s2"'),
        ("1S", 'time: unknown unit "S" in duration "1S"'),
        ("1sec", 'time: unknown unit "sec" in duration "1sec"'),
        ("1 s", 'time: unknown unit " s" in duration "1 s"'),
        (" 1s", 'time: invalid duration " 1s"'),
        ("1s ", 'time: unknown unit "s " in duration "1s "'),
        ("--1s", 'time: invalid duration "--1s"'),
        ("1e3s", 'time: unknown unit "e" in duration "1e3s"'),
        ("1,5s", 'time: unknown unit "," in duration "1,5s"'),
        ('1"s', 'time: unknown unit "\\"s" in duration "1\\"s"'),
        ("1\\s", 'time: unknown unit "\\\\s" in duration "1\\\\s"'),
        ("1\ts", 'time: unknown unit "\\x09s" in duration "1\\x09s"'),
        ("1日", 'time: unknown unit "\\xe6\\x97\\xa5" in duration "1\\xe6\\x97\\xa5"'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("3000000h", 'time: invalid duration "3000000h"'),
        ("99999999999999999999s", 'time: invalid duration "99999999999999999999s"'),
    ],
)
def test_exact_error_messages(text, message):
    with pytest.raises(GoDurationError) as ei:
        parse_duration(text)
    assert ei.value.message == message


def test_uint64_wraparound_is_not_caught():
    # Each term is exactly 1<<63, which passes Go's checks; their uint64 sum wraps to 0.
    assert parse_duration("9223372036854775808ns9223372036854775808ns") == 0
    assert parse_duration("-9223372036854775808ns9223372036854775808ns") == 0


def test_signs_and_zero():
    assert parse_duration("-0s") == 0
    assert parse_duration("+1.5h") == 90 * M
    assert parse_duration("-1.5h") == -90 * M
    assert parse_duration("0.0s") == 0
    assert parse_duration("00001s") == S


def test_micro_spellings():
    assert parse_duration("1us") == parse_duration("1\u00b5s") == parse_duration("1\u03bcs") == US


def test_fraction_precision_is_float64():
    assert parse_duration("1.000000001s") == S + 1
    assert parse_duration("0.0000000001s") == 0
    assert parse_duration("1.9999999999ns") == 1


# --- Go's durationTests (time/time_test.go) -------------------------------------

GO_STRING = [
    ("0s", 0),
    ("1ns", 1 * NS),
    ("1.1\u00b5s", 1100 * NS),
    ("2.2ms", 2200 * US),
    ("3.3s", 3300 * MS),
    ("4m5s", 4 * M + 5 * S),
    ("4m5.001s", 4 * M + 5001 * MS),
    ("5h6m7.001s", 5 * H + 6 * M + 7001 * MS),
    ("8m0.000000001s", 8 * M + 1 * NS),
    ("2562047h47m16.854775807s", MAX),
    ("-2562047h47m16.854775808s", MIN),
]


@pytest.mark.parametrize("want,d", GO_STRING)
def test_go_duration_string(want, d):
    assert format_duration(d) == want
    if d > 0:
        assert format_duration(-d) == "-" + want


@pytest.mark.parametrize(
    "d,want",
    [
        (M, "1m0s"),
        (H, "1h0m0s"),
        (90 * S, "1m30s"),
        (1500 * MS, "1.5s"),
        (500 * MS, "500ms"),
        (US, "1\u00b5s"),
        (NS, "1ns"),
        (-5 * S, "-5s"),
        (999 * NS, "999ns"),
        (1001 * NS, "1.001\u00b5s"),
        (S + 1, "1.000000001s"),
        (24 * H, "24h0m0s"),
        (H + 1, "1h0m0.000000001s"),
    ],
)
def test_duration_string_examples(d, want):
    assert format_duration(d) == want


def test_format_rejects_out_of_range():
    with pytest.raises(ValueError):
        format_duration(MAX + 1)
    with pytest.raises(ValueError):
        format_duration(MIN - 1)


def test_round_trip_of_string():
    for d in (0, 1, 999, 1000, 1234567, S, 61 * S, 25 * H + 1, MAX, MIN, -7 * MS):
        assert parse_duration(format_duration(d)) == d


def test_quote_is_not_strconv_quote():
    assert quote("a\"b\\c") == '"a\\"b\\\\c"'
    assert quote("\x7f") == '"\x7f"'  # DEL is printed as is
    assert quote("\n") == '"\\x0a"'
    assert quote("\u00b5") == '"\\xc2\\xb5"'
