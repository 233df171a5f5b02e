"""net.ParseCIDR / net.IP.String / (*net.IPNet).String as Go 1.26 behaves."""

import ipaddress

import pytest

from masqlint.agent.gonet import GoCIDR, GoNetError, ip_string, ipnet_string, parse_cidr

V4 = bytes(10) + b"\xff\xff"


def v4(a, b, c, d):
    return V4 + bytes([a, b, c, d])


def v6(text):
    return ipaddress.IPv6Address(text).packed


# --- what the real agent showed --------------------------------------------


def test_unaligned_ipv4():
    c = parse_cidr("10.1.1.5/24")
    assert c.ip == v4(10, 1, 1, 5)
    assert c.network == v4(10, 1, 1, 0)
    assert c.ip_string() == "10.1.1.5"
    assert c.network_string() == "10.1.1.0/24"
    assert c.prefixlen == 24 and c.bits == 32
    assert not c.aligned
    assert not c.is_ipv6_family
    assert c.mask == b"\xff\xff\xff\x00"
    assert c.as_int_range() == (4, 0x0A010100, 0x0A0101FF)


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.0/33",
        "10.2.1.100",
        " 10.1.0.0/16",
        "10.1.0.0 /16",
        "10.1.0.0/16 ",
        "fe80::%eth0/64",
        "10.1.0.0/16# comment",
    ],
)
def test_agent_rejections(text):
    with pytest.raises(GoNetError) as ei:
        parse_cidr(text)
    assert ei.value.message == "invalid CIDR address: " + text
    assert str(ei.value) == "invalid CIDR address: " + text


def test_uppercase_ipv6():
    c = parse_cidr("FD00:0::/8")
    assert c.is_ipv6_family
    assert c.bits == 128 and c.prefixlen == 8
    assert c.ip_string() == "fd00::"
    assert c.network_string() == "fd00::/8"
    assert c.aligned


def test_unaligned_ipv6():
    c = parse_cidr("fd00::1/8")
    assert not c.aligned
    assert c.ip_string() == "fd00::1"
    assert c.network_string() == "fd00::/8"
    assert c.network == v6("fd00::")
    assert c.as_int_range() == (6, 0xFD << 120, (0xFE << 120) - 1)


def test_ipv4_mapped_104():
    c = parse_cidr("::ffff:10.0.0.0/104")
    assert not c.is_ipv6_family
    assert c.bits == 128 and c.prefixlen == 104
    assert c.ip_string() == "10.0.0.0"
    assert c.network_string() == "10.0.0.0/8"  # the mask is cut to its last 4 bytes
    assert c.aligned
    assert c.as_int_range() == (4, 0x0A000000, 0x0AFFFFFF)


def test_ipv4_mapped_96():
    c = parse_cidr("::ffff:0.0.0.0/96")
    assert not c.is_ipv6_family
    assert c.network_string() == "0.0.0.0/0"
    assert c.as_int_range() == (4, 0, 0xFFFFFFFF)


def test_ipv4_mapped_short_prefix_leaves_ipv4():
    # The masked network number is no longer IPv4-mapped, so Go prints it as IPv6.
    c = parse_cidr("::ffff:10.0.0.0/80")
    assert not c.is_ipv6_family
    assert not c.aligned
    assert c.network_string() == "::/80"
    assert c.as_int_range() == (6, 0, (1 << 48) - 1)
    c = parse_cidr("::ffff:10.0.0.0/88")
    assert c.network_string() == "::ff00:0:0/88"


def test_ipv4_mapped_hex_tail():
    c = parse_cidr("::ffff:7f01:0203/120")
    assert not c.is_ipv6_family
    assert c.ip_string() == "127.1.2.3"
    assert c.network_string() == "127.1.2.0/24"


# --- Go's parseCIDRTests (net/ip_test.go) ------------------------------------

GO_VALID = [
    ("135.104.0.0/32", "135.104.0.0", "135.104.0.0/32"),
    ("0.0.0.0/24", "0.0.0.0", "0.0.0.0/24"),
    ("135.104.0.0/24", "135.104.0.0", "135.104.0.0/24"),
    ("135.104.0.1/32", "135.104.0.1", "135.104.0.1/32"),
    ("135.104.0.1/24", "135.104.0.1", "135.104.0.0/24"),
    ("::1/128", "::1", "::1/128"),
    ("abcd:2345::/127", "abcd:2345::", "abcd:2345::/127"),
    ("abcd:2345::/65", "abcd:2345::", "abcd:2345::/65"),
    ("abcd:2345::/64", "abcd:2345::", "abcd:2345::/64"),
    ("abcd:2345::/63", "abcd:2345::", "abcd:2345::/63"),
    ("abcd:2345::/33", "abcd:2345::", "abcd:2345::/33"),
    ("abcd:2345::/32", "abcd:2345::", "abcd:2345::/32"),
    ("abcd:2344::/31", "abcd:2344::", "abcd:2344::/31"),
    ("abcd:2300::/24", "abcd:2300::", "abcd:2300::/24"),
    ("abcd:2345::/24", "abcd:2345::", "abcd:2300::/24"),
    ("2001:DB8::/48", "2001:db8::", "2001:db8::/48"),
    ("2001:DB8::1/48", "2001:db8::1", "2001:db8::/48"),
]


@pytest.mark.parametrize("text,ip,net", GO_VALID)
def test_go_parse_cidr_valid(text, ip, net):
    c = parse_cidr(text)
    assert c.ip_string() == ip
    assert c.network_string() == net


@pytest.mark.parametrize(
    "text",
    [
        "192.168.1.1/255.255.255.0",
        "192.168.1.1/35",
        "2001:db8::1/-1",
        "2001:db8::1/-0",
        "-0.0.0.0/32",
        "0.-1.0.0/32",
        "0.0.-2.0/32",
        "0.0.0.-3/32",
        "0.0.0.0/-0",
        "",
    ],
)
def test_go_parse_cidr_invalid(text):
    with pytest.raises(GoNetError, match="^invalid CIDR address: "):
        parse_cidr(text)


def test_empty_message():
    with pytest.raises(GoNetError) as ei:
        parse_cidr("")
    assert ei.value.message == "invalid CIDR address: "


# --- netip.ParseAddr rules, seen through ParseCIDR ---------------------------

# netip_test.go invalidIPs, each given a valid-looking prefix length.
NETIP_INVALID = [
    "",
    "bad",
    "1234",
    "1.2.3.4%eth0",
    ".1.2.3",
    "1.2.3.",
    "1..2.3",
    "1.2.3.4.5",
    "0300.0250.0214.0377",
    "0xc0.0xa8.0x8c.0xff",
    "192.168.12345",
    "127.0.1",
    "192.1234567",
    "127.1",
    "192.168.300.1",
    "192.168.0.1.5.6",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4::5:6:7:8",
    "fe801::1",
    "fe80:tail:scal:e::",
    "fe80::1%",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:192.168.140.255",
    "ffff::ffff:ffff:ffff:ffff:ffff:ffff:192.168.140.255",
    "::ffff:192.168.140.bad",
    "fe80::1::1",
    "fe80:1?:1",
    "fe80:",
    "0:0:0:0:0:ffff:0:00000",
    "0:0:0:0:00000:ffff:127.1.2.3",
    # leading zeros in IPv4 octets, also inside IPv6
    "010.000.015.001",
    "000001.00000002.00000003.000000004",
    "::ffff:1.2.03.4",
    "::ffff:1.2.3.z",
    "127.001.002.003",
    "::ffff:127.001.002.003",
    # zones are parsed by netip but refused by ParseCIDR
    "fe80::1%lo0",
    "fe80::1%911",
    "::ffff:192.168.140.255%eth1",
    "%eth0",
]


@pytest.mark.parametrize("addr", NETIP_INVALID)
def test_netip_invalid_addresses(addr):
    text = addr + "/8"
    with pytest.raises(GoNetError) as ei:
        parse_cidr(text)
    assert ei.value.message == "invalid CIDR address: " + text


NETIP_VALID = [
    ("0.0.0.0", "0.0.0.0"),
    ("192.168.140.255", "192.168.140.255"),
    ("::", "::"),
    ("::1", "::1"),
    ("fd7a:115c:a1e0:ab12:4843:cd96:626b:430b", "fd7a:115c:a1e0:ab12:4843:cd96:626b:430b"),
    ("fd7a:115c::626b:430b", "fd7a:115c::626b:430b"),
    ("fd7a:115c:a1e0:ab12:4843:cd96::", "fd7a:115c:a1e0:ab12:4843:cd96::"),
    ("fd7a:115c:a1e0:ab12:4843:cd96:626b::", "fd7a:115c:a1e0:ab12:4843:cd96:626b:0"),
    ("fd7a:115c:a1e0::4843:cd96:626b:430b", "fd7a:115c:a1e0:0:4843:cd96:626b:430b"),
    ("::ffff:192.168.140.255", "192.168.140.255"),  # net.IP prints 4-in-6 as IPv4
    ("FD9E:1A04:F01D::1", "fd9e:1a04:f01d::1"),
    ("0:0:0:0:0000:ffff:127.1.2.3", "127.1.2.3"),
    ("0:0:0:0::ffff:127.1.2.3", "127.1.2.3"),
    ("::1.2.3.4", "::102:304"),
    ("1:2::ffff:192.168.140.255", "1:2::ffff:c0a8:8cff"),
    ("2001:4860:0:2001::68", "2001:4860:0:2001::68"),
    ("2001:4860:0000:2001:0000:0000:0000:0068", "2001:4860:0:2001::68"),
]


@pytest.mark.parametrize("addr,want", NETIP_VALID)
def test_netip_valid_addresses(addr, want):
    bits = 32 if ":" not in addr else 128
    c = parse_cidr("%s/%d" % (addr, bits))
    assert c.ip_string() == want
    assert c.aligned
    assert c.bits == bits


# --- prefix length (net.dtoi) -------------------------------------------------


def test_prefix_leading_zeros_accepted():
    c = parse_cidr("10.0.0.0/08")
    assert c.prefixlen == 8
    assert c.network_string() == "10.0.0.0/8"
    assert parse_cidr("10.0.0.0/0000000000000000000000008").prefixlen == 8


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.0/",
        "10.0.0.0/+8",
        "10.0.0.0/ 8",
        "10.0.0.0/8/8",
        "10.0.0.0/8a",
        "10.0.0.0/16777215",
        "10.0.0.0/99999999999999999999",
        "::/129",
        "/8",
        "10.0.0.0/８",  # a full-width digit is not an ASCII digit
    ],
)
def test_prefix_rejections(text):
    with pytest.raises(GoNetError) as ei:
        parse_cidr(text)
    assert ei.value.message == "invalid CIDR address: " + text


def test_prefix_limits():
    assert parse_cidr("1.2.3.4/32").prefixlen == 32
    assert parse_cidr("1.2.3.4/0").network_string() == "0.0.0.0/0"
    assert parse_cidr("::/128").prefixlen == 128
    assert parse_cidr("::ffff:1.2.3.4/128").network_string() == "1.2.3.4/32"
    with pytest.raises(GoNetError):
        parse_cidr("::ffff:1.2.3.4/129")


def test_first_slash_splits():
    with pytest.raises(GoNetError):
        parse_cidr("10.0.0.0//8")


# --- formatting helpers -------------------------------------------------------

IP_STRINGS = [  # net/ip_test.go ipStringTests
    (bytes([192, 0, 2, 1]), "192.0.2.1"),
    (bytes([0, 0, 0, 0]), "0.0.0.0"),
    (v4(192, 0, 2, 1), "192.0.2.1"),
    (v4(0, 0, 0, 0), "0.0.0.0"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1]), "2001:db8::123:12:1"),
    (bytes([0x20, 0x1, 0xD, 0xB8] + [0] * 11 + [1]), "2001:db8::1"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1]), "2001:db8:0:1:0:1:0:1"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0]), "2001:db8:1:0:1:0:1:0"),
    (bytes([0x20, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1]), "2001::1:0:0:1"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0]), "2001:db8:0:0:1::"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1]), "2001:db8::1:0:0:1"),
    (bytes([0x20, 0x1, 0xD, 0xB8, 0, 0, 0, 0, 0, 0xA, 0, 0xB, 0, 0xC, 0, 0xD]), "2001:db8::a:b:c:d"),
    (bytes(16), "::"),
    (b"", "<nil>"),
    (bytes([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]), "?0123456789abcdef"),
]


@pytest.mark.parametrize("raw,want", IP_STRINGS)
def test_ip_string(raw, want):
    assert ip_string(raw) == want


IPNET_STRINGS = [  # net/ip_test.go ipNetStringTests
    (v4(192, 168, 1, 0), b"\xff\xff\xff\xc0", "192.168.1.0/26"),
    (v4(192, 168, 1, 0), b"\xff\x00\xff\x00", "192.168.1.0/ff00ff00"),
    (v6("2001:db8::"), ((1 << 55) - 1 << 73).to_bytes(16, "big"), "2001:db8::/55"),
    (v6("2001:db8::"), v6("8000:f123:0:cafe::"), "2001:db8::/8000f1230000cafe0000000000000000"),
]


@pytest.mark.parametrize("ip,mask,want", IPNET_STRINGS)
def test_ipnet_string(ip, mask, want):
    assert ipnet_string(ip, mask) == want


def test_ipnet_string_nil_cases():
    assert ipnet_string(v6("2001:db8::1"), b"\xff\xff\xff\x00") == "<nil>"
    assert ipnet_string(b"\xc0\xa8\x00", b"\xff\xff\xff\x00") == "<nil>"


def test_rfc5952_first_longest_run_wins():
    assert ip_string(v6("1:0:0:2:0:0:3:4")) == "1::2:0:0:3:4"
    assert ip_string(v6("1:0:0:2:0:0:0:4")) == "1:0:0:2::4"
    assert ip_string(v6("1:0:2:3:4:5:6:7")) == "1:0:2:3:4:5:6:7"


def test_result_is_immutable():
    c = parse_cidr("10.0.0.0/8")
    assert isinstance(c, GoCIDR)
    with pytest.raises(AttributeError):  # shared by every entry with the same text: never changed
        c.prefixlen = 9  # type: ignore[misc]
    assert c == parse_cidr("10.0.0.0/8")


def test_a_list_parses_as_each_entry_does():
    from masqlint.agent.gonet import parse_cache, parse_cidrs

    texts = ["10.0.0.0/8", "10.1.1.5/24", "010.0.0.0/8", "fd00::/8", "::ffff:10.0.0.0/104", "10.0.0.0", "",
             "10.0.0.0/33", "10.0.0.0/8"]

    def one(t):
        try:
            return parse_cidr(t)
        except GoNetError as e:
            return ("error", e.message)

    want = [one(t) for t in texts]
    for cached in (False, True):
        if cached:
            with parse_cache():
                got = parse_cidrs(texts)
        else:
            got = parse_cidrs(texts)
        assert [("error", g.message) if isinstance(g, GoNetError) else g for g in got] == want
        assert got[2].__traceback__ is None  # an error kept as a value holds no frame (no cycle through the list)
    assert want[2] == ("error", "invalid CIDR address: 010.0.0.0/8") and want[1].network_string() == "10.1.1.0/24"


def test_the_same_list_again_in_a_scope_gets_the_same_answers():
    from masqlint.agent.gonet import parse_cache, parse_cidrs

    def shown(got):
        return [("error", g.message) if isinstance(g, GoNetError) else g for g in got]

    texts = ["10.0.0.0/8", "10.1.1.5/24", "bad", "fd00::/8"]
    with parse_cache():
        first = parse_cidrs(texts)
        again = parse_cidrs(list(texts))  # an equal list (the checks' entries after the agent's validation)
        assert shown(again) == shown(first)
        texts[1] = "192.168.0.0/16"  # changing the list parsed before changes no later answer
        assert shown(parse_cidrs(texts)) == [parse_cidr("10.0.0.0/8"), parse_cidr("192.168.0.0/16"),
                                             ("error", "invalid CIDR address: bad"), parse_cidr("fd00::/8")]
        assert shown(parse_cidrs(["10.0.0.0/8"])) == [parse_cidr("10.0.0.0/8")]


def test_a_text_of_the_last_list_is_answered_from_it():
    from masqlint.agent import gonet
    from masqlint.agent.gonet import parse_cache, parse_cidrs

    with parse_cache():
        listed = parse_cidrs(["10.0.0.0/8", "bad", "fd00::/8"])
        assert gonet._memo == {}  # a list parsed as a whole is not put in the memo text by text …
        assert parse_cidr("fd00::/8") is listed[2]  # … until one of its texts is asked for alone
        with pytest.raises(GoNetError, match="invalid CIDR address: bad"):
            parse_cidr("bad")
        other = parse_cidrs(["10.0.0.0/8", "192.168.0.0/16"])
        assert other[0] is listed[0] and other[1] == parse_cidr("192.168.0.0/16") is other[1]
    assert gonet._memo is None and gonet._last is None
