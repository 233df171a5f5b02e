"""The CIDR blocks of an IPv4 range as text (a range left by tens of thousands of entries is as
many blocks): netaddr's decomposition, written as ipaddress writes an address."""

from __future__ import annotations

import netaddr
from hypothesis import given, settings
from hypothesis import strategies as st

from masqlint.agent.ranges import range_blocks, range_cidrs, ranges_cidrs

TOP = (1 << 32) - 1


@settings(max_examples=400, deadline=None)
@given(st.integers(0, TOP), st.integers(0, TOP))
def test_ipv4_blocks_as_netaddr_decomposes_the_range(a, b):
    lo, hi = min(a, b), max(a, b)
    want = [str(c) for c in netaddr.iprange_to_cidrs(netaddr.IPAddress(lo, 4), netaddr.IPAddress(hi, 4))]
    assert range_cidrs(4, lo, hi) == want == [str(x) for x in range_blocks(4, lo, hi)]


def test_the_whole_space_and_its_edges():
    assert range_cidrs(4, 0, TOP) == ["0.0.0.0/0"]
    assert range_cidrs(4, TOP, TOP) == ["255.255.255.255/32"]
    assert range_cidrs(4, 1, TOP)[:2] == ["0.0.0.1/32", "0.0.0.2/31"] and len(range_cidrs(4, 1, TOP)) == 32
    # 10.0.0.0/8 less every other /28: 65,536 blocks of the left-over /28s
    lost = [(4, (10 << 24) + i * 32 + 16, (10 << 24) + i * 32 + 31) for i in range(1 << 16)]
    blocks = ranges_cidrs(lost)
    assert len(blocks) == 1 << 16 and blocks[0] == "10.0.0.16/28" and blocks[-1] == "10.31.255.240/28"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([4, 6]), st.integers(0, TOP), st.integers(0, 1 << 20)), max_size=8))
def test_the_count_of_blocks_is_that_of_the_list(spans):
    from masqlint.agent.ranges import ranges_cidr_count

    ranges = [(v, lo, min(lo + n, TOP) if v == 4 else lo + n) for v, lo, n in spans]
    assert ranges_cidr_count(ranges) == len(ranges_cidrs(ranges))
