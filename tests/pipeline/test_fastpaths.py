"""The fast paths change how much work is done, never the answer.

- the byte prefilter never drops a file that holds an ip-masq-agent config, whatever the
  casing, escapes, encoding or format of the keys and names that make it one;
- the cheap glob rejection agrees with the full glob reading;
- settings found per directory are the nearest ones, as before;
- the process pool gives the serial results, in input order.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from pathlib import PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from masqlint.pipeline.prefilter import might_hold_config
from masqlint.pipeline.runner import lint_bytes
from masqlint.config.settings import Settings, glob_match

SETTINGS = Settings()


def holds_config(data: bytes) -> bool:
    """The full pipeline's answer, without any prefilter."""
    return lint_bytes("f.yaml", data, SETTINGS, None).configs > 0


# --- prefilter ---------------------------------------------------------------------------------

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
"""

KNOWN = {
    "plain": CONFIGMAP.format(name="ip-masq-agent").encode(),
    "quoted name": CONFIGMAP.format(name="'ip-masq-agent'").encode(),
    "hex escape in name": CONFIGMAP.format(name='"ip-ma\\x73q-agent"').encode(),
    "unicode escape in name": CONFIGMAP.format(name='"ip-\\u006dasq-agent"').encode(),
    "long unicode escape in name": CONFIGMAP.format(name='"ip-m\\U00000061sq-agent"').encode(),
    "escaped line break in name": CONFIGMAP.format(name='"ip-ma\\\n    sq-agent"').encode(),
    "json configmap": json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ip-masq-agent"},
                                  "data": {"config": "{}"}}).encode(),
    "json configmap, escaped name": b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ip-ma\\u0073q-agent"}, "data": {}}',
    "kind List": b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: ip-masq-agent}\n  data: {config: ''}\n",
    "utf-16-le": ("\ufeff" + CONFIGMAP.format(name="ip-masq-agent")).encode("utf-16-le"),
    "utf-16-be": ("\ufeff" + CONFIGMAP.format(name="ip-masq-agent")).encode("utf-16-be"),
    "utf-8 bom": b"\xef\xbb\xbf" + CONFIGMAP.format(name="ip-masq-agent").encode(),
    "standalone": b"nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n",
    "standalone, upper case": b"NONMASQUERADECIDRS: []\n",
    "standalone, odd case": b"cIdRlImIt: 3\n",
    "standalone, resync only": b"ReSyNcInTeRvAl: 60s\n",
    "standalone, long s": "nonMa\u017fqueradeCIDRs: []\n".encode(),
    "standalone, dotless i": "c\u0131drLimit: 3\n".encode(),
    "standalone, dotted capital I": "C\u0130DRLIMIT: 3\n".encode(),
    "standalone, escaped key": b'"\\x63idrLimit": 3\n',
    "standalone json": b'{"nonMasqueradeCIDRs": ["10.0.0.0/8"]}',
    "standalone json, escaped key": b'{"\\u0063idrLimit": 3}',
    "standalone json, utf-16": "\ufeff{\"cidrLimit\": 3}".encode("utf-16-le"),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_prefilter_keeps_every_config(name):
    data = KNOWN[name]
    assert holds_config(data), f"{name}: the example itself must hold a config"
    assert might_hold_config(data)


@pytest.mark.parametrize("data", [
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n",
    b'{"title": "dashboard", "panels": [{"expr": "rate(x[5m])"}]}',
    "# caf\u00e9 \u2013 notes\nkey: value\n".encode(),
    b'command: ["/bin/sh", "-c", "echo a \\\n b"]\n',
    "kind: Service\n".encode("utf-16"),
])
def test_prefilter_drops_files_without_configs(data):
    assert not holds_config(data)
    assert not might_hold_config(data)


_FOLDS = {"s": ["s", "S", "\u017f"], "i": ["i", "I", "\u0131", "\u0130"], "k": ["k", "K", "\u212a"]}


def _cased(word: str):
    def letter(c):
        return st.sampled_from(_FOLDS.get(c, [c.lower(), c.upper()]))
    return st.tuples(*[letter(c) for c in word]).map("".join)


def _escaped(text: str):
    """Some characters of ``text`` as double-quoted YAML / JSON escapes."""
    def one(c):
        return st.sampled_from([c, f"\\x{ord(c):02x}" if ord(c) < 256 else c, f"\\u{ord(c):04x}", f"\\U{ord(c):08x}"])
    return st.tuples(*[one(c) for c in text]).map("".join)


@st.composite
def config_files(draw):
    kind = draw(st.sampled_from(["standalone", "standalone-json", "configmap", "configmap-json"]))
    if kind.startswith("standalone"):
        key = draw(st.sampled_from(["nonMasqueradeCIDRs", "cidrLimit", "resyncInterval", "masqLinkLocal"]))
        key = draw(_cased(key))
        value = {"nonMasqueradeCIDRs": "[]", "cidrLimit": "3", "resyncInterval": '"60s"', "masqLinkLocal": "false"}
        value = next(v for k, v in value.items() if k.lower() == key.lower()) if key.isascii() else "1"
        quoted = draw(st.booleans()) or kind.endswith("json")
        shown = '"' + draw(_escaped(key)) + '"' if quoted else key
        text = f"{{{shown}: {value}}}" if kind.endswith("json") else f"{shown}: {value}\n"
    else:
        name = '"' + draw(_escaped("ip-masq-agent")) + '"'
        if kind.endswith("json"):
            text = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": %s}, "data": {"config": ""}}' % name
        else:
            text = CONFIGMAP.format(name=name)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom"]))
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_files())
def test_prefilter_never_drops_a_config(data):
    if holds_config(data):
        assert might_hold_config(data)


@hsettings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_prefilter_on_any_bytes(data):
    if holds_config(data):
        assert might_hold_config(data)


# --- globs -------------------------------------------------------------------------------------


def _reference_glob_match(path: str, pattern: str) -> bool:
    """glob_match as it reads patterns, without the cheap rejection."""
    p = PurePosixPath(path)
    if "/" not in pattern.strip("/") and fnmatch.fnmatchcase(p.name, pattern):
        return True
    if p.match(pattern) or fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/"):
        return _reference_glob_match(path, pattern[3:])
    if "**" in pattern:
        rx = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.fullmatch(rx, path) is not None
    return False


_PARTS = ["a", "b", "ip-masq-agent", "ip-masq-agent.conf", "x.yaml", ".", "..", "", "*", "**", "?", "*.yaml", "a*b",
          "[ab]", "c?"]


@hsettings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=4).map("/".join),
       st.lists(st.sampled_from(_PARTS[:8] + ["xa", "ab", "cz"]), min_size=1, max_size=5).map("/".join),
       st.booleans())
def test_glob_rejection_agrees_with_full_reading(pattern, path, absolute):
    if absolute:
        path = "/" + path
    assert _outcome(glob_match, path, pattern) == _outcome(_reference_glob_match, path, pattern)


def _outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError as e:  # PurePosixPath.match refuses an empty pattern
        return type(e)


_POSIX_PARTS = ["", ".", "..", "a", "*", "?", "**", "[ab]", "ip-masq-agent", "x.yaml"]


@hsettings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_POSIX_PARTS), st.sampled_from(["/", "//", "///"])), max_size=4),
       st.sampled_from(["", "/", "//", "///"]),
       st.lists(st.tuples(st.sampled_from(_POSIX_PARTS), st.sampled_from(["/", "//"])), max_size=4),
       st.sampled_from(["", "/", "//", "///"]))
def test_paths_and_patterns_are_read_as_pathlib_reads_them(path_parts, path_lead, pat_parts, pat_lead):
    from masqlint.config.globs import posix_match, posix_name

    path = path_lead + "".join(a + sep for a, sep in path_parts).rstrip("/")
    pattern = pat_lead + "".join(a + sep for a, sep in pat_parts)[:-1]
    assert posix_name(path) == PurePosixPath(path).name
    assert _outcome(posix_match, path, pattern) == _outcome(PurePosixPath(path).match, pattern)


@pytest.mark.parametrize("pattern", ["**/ip-masq-agent", "**/ip-masq-agent.conf", "clusters/**/kube-system/*.yaml",
                                     "*.json", "vendor/", "./x/ip-masq-agent"])
@pytest.mark.parametrize("path", ["clusters/a/kube-system/ip-masq-agent", "x/ip-masq-agent", "ip-masq-agent.conf",
                                  "vendor/a.json", "a/vendor", "clusters/kube-system/c.yaml", "x/y"])
def test_glob_examples(pattern, path):
    assert glob_match(path, pattern) == _reference_glob_match(path, pattern)


# --- settings per directory --------------------------------------------------------------------


def test_nearest_settings_per_directory(tmp_path):
    from masqlint.config.loader import find_settings_for_dir

    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / ".masqlint.yaml").write_text("target: cilium\n")
    (tmp_path / "a" / "b" / "c" / "pyproject.toml").write_text("[tool.masqlint]\ntarget = 'azure'\n")
    (tmp_path / "a" / "b" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: keep looking
    find_settings_for_dir.cache_clear()
    assert find_settings_for_dir(str(tmp_path / "a" / "b" / "c")).target == "azure"
    assert find_settings_for_dir(str(tmp_path / "a" / "b")).target == "cilium"
    assert find_settings_for_dir(str(tmp_path / "a")).target == "cilium"
    (tmp_path / "a" / "b" / ".masqlint.yml").write_text("target: upstream\n")
    assert find_settings_for_dir(str(tmp_path / "a" / "b")).target == "cilium"  # cached until cleared
    find_settings_for_dir.cache_clear()
    assert find_settings_for_dir(str(tmp_path / "a" / "b")).target == "upstream"
    os.symlink(tmp_path / "a" / "b", tmp_path / "link")
    assert find_settings_for_dir(str(tmp_path / "link")).target == "upstream"


# --- type errors without jsonschema ------------------------------------------------------------

_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(1 << 64), max_value=1 << 64) | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=6,
)
_FIELD_NAMES = ["nonMasqueradeCIDRs", "cidrLimit", "masqLinkLocal", "masqLinkLocalIPv6", "resyncInterval"]


def _agent_validator():
    """jsonschema's validator of the agent config's schema, as shipped."""
    import jsonschema

    from paths import REPO

    schema = json.loads((REPO / "schemas" / "ip-masq-agent-config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


_VALIDATOR = _agent_validator()


def _jsonschema_kind_errors(instance) -> list:
    """The type and range errors below the top level, as jsonschema gives them (what MQ204 reports)."""
    return [(tuple(e.absolute_path), e.validator, e.message) for e in _VALIDATOR.iter_errors(instance)
            if e.validator in ("type", "maximum", "minimum") and e.absolute_path]


_ANY_VALUE = (_JSONISH | st.lists(st.none() | st.text(max_size=4) | _JSONISH, max_size=4)
              | st.integers(min_value=-(1 << 70), max_value=1 << 70) | st.floats()
              | st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e19, -1e19, 5.0, 9.223372036854776e18,
                                 (1 << 63) - 1, 1 << 63, -(1 << 63), -(1 << 63) - 1, True, False, "", "60s", [], {}]))


@hsettings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELD_NAMES),
                       _JSONISH | st.lists(st.none() | st.text(max_size=4), max_size=3), max_size=5))
def test_plain_types_need_no_schema(instance):
    from masqlint.agent.schema import _plainly_typed

    if _plainly_typed(instance):
        assert _jsonschema_kind_errors(instance) == []


@hsettings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELD_NAMES), _ANY_VALUE, max_size=5))
def test_type_errors_are_the_schemas_without_jsonschema(instance):
    """Every type and range error, its path, keyword, message and order, as jsonschema finds them."""
    from masqlint.agent.schema import kind_errors

    assert list(kind_errors(instance)) == _jsonschema_kind_errors(instance)


def test_type_errors_of_configs_people_write():
    from masqlint.agent.schema import kind_errors

    cases = [
        {"nonMasqueradeCIDRs": "10.0.0.0/8, 192.168.0.0/16", "masqLinkLocal": "false", "resyncInterval": 60},
        {"nonMasqueradeCIDRs": ["10.0.0.0/8", 172, None, ["a"], {"b": 1}, True], "cidrLimit": "64"},
        {"cidrLimit": 1 << 64, "masqLinkLocalIPv6": 0, "resyncInterval": None},
        {"cidrLimit": -(1 << 64)}, {"cidrLimit": 2.5}, {"cidrLimit": 64.0}, {"cidrLimit": float("inf")},
        {"cidrLimit": float("nan")}, {"cidrLimit": True}, {"masqLinkLocal": None, "nonMasqueradeCIDRs": None},
    ]
    found = 0
    for instance in cases:
        expected = _jsonschema_kind_errors(instance)
        assert list(kind_errors(instance)) == expected, instance
        found += len(expected)
    assert found >= 12


def test_the_direct_type_check_reads_the_schema_as_it_is():
    """The fields, their types, item types and bounds that masqlint.agent.schema walks are the schema file's."""
    from masqlint.agent.schema import FIELD_TYPES

    schema = _VALIDATOR.schema
    props = schema["properties"]
    assert list(props) == list(FIELD_TYPES) == _FIELD_NAMES
    for name, (types, items, maximum, minimum) in FIELD_TYPES.items():
        p = props[name]
        assert tuple(p["type"] if isinstance(p["type"], list) else [p["type"]]) == types
        assert (tuple(p["items"]["type"]) if "items" in p else None) == items
        assert p.get("maximum") == maximum and p.get("minimum") == minimum
        # only these keywords can give a type or range error; the others are the schema's words
        assert set(p) <= {"title", "description", "type", "items", "maximum", "minimum", "pattern"}
        assert set(p.get("items", {})) <= {"type", "pattern", "description"}
    assert set(schema) <= {"$schema", "$id", "title", "description", "type", "additionalProperties", "properties"}


def test_usual_configs_skip_the_schema():
    from masqlint.agent.schema import _plainly_typed

    assert _plainly_typed({"nonMasqueradeCIDRs": ["10.0.0.0/8", None], "cidrLimit": 10, "masqLinkLocal": False,
                           "resyncInterval": "60s"})
    assert not _plainly_typed({"masqLinkLocal": "false"})
    assert not _plainly_typed({"cidrLimit": True})


# --- integer range sets agree with netaddr -------------------------------------------------------

import netaddr  # noqa: E402

from masqlint.agent.ranges import RangeSet, range_blocks  # noqa: E402


def _rng(version):
    bits = 32 if version == 4 else 128
    small = st.integers(0, 40)  # many overlaps and neighbours …
    anywhere = st.integers(0, (1 << bits) - 1)  # … and the whole space
    return st.tuples(st.just(version), st.one_of(small, anywhere), st.one_of(small, anywhere)).map(
        lambda t: (t[0], min(t[1], t[2]), max(t[1], t[2])))


_RANGES = st.lists(st.one_of(_rng(4), _rng(6)), max_size=6)


def _netaddr_set(ranges):
    s = netaddr.IPSet()
    for v, lo, hi in ranges:
        s.add(netaddr.IPRange(netaddr.IPAddress(lo, v), netaddr.IPAddress(hi, v)))
    return s


def _texts(cidrs):
    return sorted((c.version, c.first, c.prefixlen, str(c)) for c in cidrs)


@hsettings(max_examples=400, deadline=None)
@given(_RANGES, _RANGES)
def test_range_sets_agree_with_netaddr(a, b):
    ra, rb = RangeSet(a), RangeSet(b)
    na, nb = _netaddr_set(a), _netaddr_set(b)
    for mine, theirs in ((ra, na), (ra | rb, na | nb), (ra - rb, na - nb), (ra & rb, na & nb), (rb - ra, nb - na)):
        assert _texts(mine.iter_cidrs()) == _texts(theirs.iter_cidrs())
        assert bool(mine) == bool(theirs)
    assert (ra == rb) == (na == nb)


@hsettings(max_examples=400, deadline=None)
@given(st.one_of(_rng(4), _rng(6)))
def test_range_blocks_agree_with_netaddr(r):
    v, lo, hi = r
    theirs = netaddr.iprange_to_cidrs(netaddr.IPAddress(lo, v), netaddr.IPAddress(hi, v))
    assert [str(b) for b in range_blocks(v, lo, hi)] == [str(c) for c in theirs]


def test_ipv4_mapped_text_as_before():
    v6 = int(netaddr.IPAddress("::ffff:10.0.0.0"))
    assert [str(b) for b in range_blocks(6, v6, v6 + 255)] == ["::ffff:10.0.0.0/120"]


# --- CIDR parsing fast path ----------------------------------------------------------------------

from masqlint.agent import gonet  # noqa: E402

_V4ISH = st.lists(st.sampled_from(["0", "00", "01", "1", "9", "10", "99", "100", "199", "249", "250", "255", "256",
                                   "300", "1000", "", "-1", " 1", "\u0661"]), min_size=3, max_size=5).map(".".join)
_PLEN = st.sampled_from(["", "0", "8", "24", "32", "33", "032", "0032", "000000032", "0000000032", "128", "1e1",
                         "+8", " 8", "8 ", "8\n", "\u0668"])


def _parsed(fn, text):
    try:
        c = fn(text)
        return ("ok", c, c.as_int_range(), c.network_string(), c.ip_string(), c.aligned, c.is_ipv6_family)
    except gonet.GoNetError as e:
        return ("error", e.message)


@hsettings(max_examples=2000, deadline=None)
@given(_V4ISH, st.sampled_from(["/", "//", "", "/ "]), _PLEN)
def test_cidr_fast_path_matches_the_general_parser(addr, slash, plen):
    text = addr + slash + plen
    assert _parsed(gonet.parse_cidr, text) == _parsed(gonet._parse_cidr, text)
    with gonet.parse_cache():
        first = _parsed(gonet.parse_cidr, text)
        assert _parsed(gonet.parse_cidr, text) == first == _parsed(gonet._parse_cidr, text)
    assert gonet._memo is None


@hsettings(max_examples=500, deadline=None)
@given(st.integers(0, (1 << 32) - 1), st.integers(0, 32), st.booleans())
def test_an_ipv4_range_read_from_the_parsed_tuple_is_the_general_one(addr, plen, mapped):
    """The sweep (checks.cidrs) and MQ405 read an IPv4 CIDR's range from its tuple: network at 4,
    prefix length at 1, as V4_HOSTS says; an IPv4-mapped address keeps the general reading."""
    text = ".".join(str(addr >> s & 255) for s in (24, 16, 8, 0))
    c = gonet.parse_cidr(f"::ffff:{text}/{96 + plen}" if mapped else f"{text}/{plen}")
    general = gonet._parse_cidr(c.text).as_int_range()
    if c[2] == 32:
        assert (4, c[4] & 0xFFFFFFFF, (c[4] & 0xFFFFFFFF) | gonet.V4_HOSTS[c[1]]) == c.as_int_range() == general
    else:
        assert mapped and c.as_int_range() == general == (4, addr & ~gonet.V4_HOSTS[plen] & 0xFFFFFFFF,
                                                          addr | gonet.V4_HOSTS[plen])


# --- MQ307 and MQ405 by sweeps, as they were with netaddr and pairwise scans ------------------------


def _unique_sorted_ref(ctx):
    """Valid entries, the first of each range, by (version, start, end descending): by tuples."""
    from masqlint.checks.cidrs import valid_entries

    uniq = {}
    for e in valid_entries(ctx):
        uniq.setdefault(e.rng, e)
    return sorted(uniq.values(), key=lambda e: (e.rng[0], e.rng[1], -e.rng[2]))


def _mq306_pairwise_ref(ctx):
    out, cover = [], None
    for e in _unique_sorted_ref(ctx):
        if cover is not None and cover.rng[0] == e.rng[0] and e.rng[2] <= cover.rng[2]:
            out.append((e.text, cover.text, id(e)))
            continue
        cover = e
    return out


def _mq307_with_netaddr(ctx):
    """MQ307's aggregates as netaddr.cidr_merge finds them: [(member texts, aggregate)]."""
    ents, cover = [], None
    for e in _unique_sorted_ref(ctx):
        if cover is not None and cover.rng[0] == e.rng[0] and e.rng[2] <= cover.rng[2]:
            continue
        cover = e
        ents.append(e)
    out = []
    for v in (4, 6):
        group = [e for e in ents if e.rng[0] == v]
        nets = [netaddr.IPNetwork(f"{netaddr.IPAddress(e.rng[1], v)}/{(32 if v == 4 else 128) - (e.rng[2] - e.rng[1]).bit_length()}")
                for e in group]
        i = 0
        for block in netaddr.cidr_merge(nets):
            members = []
            while i < len(group) and nets[i].first >= block.first and nets[i].last <= block.last:
                members.append(group[i].text)
                i += 1
            if len(members) >= 2:
                out.append((members, str(block)))
    return out


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 63), st.sampled_from([22, 23, 24, 25, 26])), min_size=2, max_size=24),
       st.booleans())
def test_mergeable_cidrs_as_netaddr_merges_them(blocks, ipv6):
    from masqlint.checks.cidrs import mergeable_cidrs
    from masqlint.engine.lint import analyse
    from masqlint.text.source import SourceFile

    items = []
    for n, plen in blocks:
        a = (n << 6) & ~((1 << (32 - plen)) - 1) & 0xFFFF
        items.append(f"10.7.{a >> 8}.{a & 255}/{plen}" if not ipv6 else f"fd00:{a:x}::/{plen + 8}")
    text = "nonMasqueradeCIDRs:\n" + "".join(f"  - {c}\n" for c in items) + f"cidrLimit: {len(items)}\n"
    settings = Settings().merged({"agent-flags": {"enable-ipv6": True}})
    fctx = analyse(SourceFile.from_bytes("ip-masq-agent", text.encode()), settings, True)
    ctx = fctx.configs[0]
    mine = [(p.data["cidrs"], p.data["aggregate"]) for p in mergeable_cidrs(ctx)]
    assert mine == _mq307_with_netaddr(ctx)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 15), st.sampled_from([20, 22, 24, 24, 26, 28])), min_size=1, max_size=30),
       st.lists(st.sampled_from(["fd00::/16", "fd00:1::/32", "fd00::/8", "10.0.0.0/8", "0.0.0.0/0", "0.0.0.0/24",
                                 "0.0.1.0/24", "0.0.2.0/23"]), max_size=3))
def test_redundant_and_mergeable_by_one_integer_sort(blocks, extra):
    from masqlint.checks.cidrs import _range_sweep, redundant_cidr
    from masqlint.engine.lint import analyse
    from masqlint.text.source import SourceFile

    items = [f"10.{n}.{(n * 37) % 256 & ~((1 << max(24 - plen, 0)) - 1) & 255}.0/{plen}" if plen <= 24
             else f"10.{n}.3.{(n * 64) % 256}/{plen}" for n, plen in blocks] + extra
    text = "nonMasqueradeCIDRs:\n" + "".join(f"  - {c}\n" for c in items) + f"cidrLimit: {len(items)}\n"
    settings = Settings().merged({"agent-flags": {"enable-ipv6": True}})
    ctx = analyse(SourceFile.from_bytes("ip-masq-agent", text.encode()), settings, True).configs[0]
    ref = _mq306_pairwise_ref(ctx)
    assert [(e.text, c.text) for e, c in _range_sweep(ctx)[0]] == [(a, b) for a, b, _i in ref]
    found = []  # one finding per covering entry, naming the entries it makes redundant
    for p in redundant_cidr(ctx):
        if "redundant" in p.data:
            found += [(r, p.data["cidr"]) for r in p.data["redundant"]]
        else:
            found.append((p.data["cidr"], p.data["covered_by"]))
    assert sorted(found) == sorted((a, b) for a, b, _i in ref)
    covered = {i for _a, _b, i in ref}
    assert [id(e) for e in _range_sweep(ctx)[1]] == [id(e) for e in _unique_sorted_ref(ctx) if id(e) not in covered]
    kept = [e.rng for e in _range_sweep(ctx)[1]]
    touching = [(i, j) for i in range(len(kept)) for j in range(i + 2, len(kept) + 1)  # the longest runs of touching ranges
                if all(kept[m + 1][0] == kept[m][0] and kept[m + 1][1] == kept[m][2] + 1 for m in range(i, j - 1))
                and (i == 0 or not (kept[i][0] == kept[i - 1][0] and kept[i][1] == kept[i - 1][2] + 1))
                and (j == len(kept) or not (kept[j][0] == kept[j - 1][0] and kept[j][1] == kept[j - 1][2] + 1))]
    assert _range_sweep(ctx)[2] == touching
    # the version, first and last address of each entry of the runs, as its entry has them
    assert list(_range_sweep(ctx)[4]) == [x for i, j in touching for r in kept[i:j] for x in r]


def _mq305_by_dict(ctx):
    """MQ305's (entry, first entry of its range) pairs by a dict of ranges, walked in written order."""
    from masqlint.checks.cidrs import valid_entries

    seen, out = {}, []
    for e in valid_entries(ctx):
        if e.rng in seen:
            out.append((e, seen[e.rng]))
        else:
            seen[e.rng] = e
    return out


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["10.1.0.0/16", "10.1.0.0/24", "10.1.1.0/24", "10.1.0.0/23", "10.1.0.5/24", "10.0.0.0/8",
                                 "::ffff:10.0.0.0/104", "::ffff:10.1.0.0/120", "::ffff:10.1.0.0/88", "fd00::/16",
                                 "fd00:0::/16", "fd00::/17", "0.0.0.0/0", "bad", "10.1.1.0/24"]), min_size=1, max_size=30))
def test_duplicates_found_by_the_sweep_as_by_a_dict_of_ranges(items):
    from masqlint.checks.cidrs import _range_sweep, duplicate_cidr
    from masqlint.engine.lint import analyse
    from masqlint.text.source import SourceFile

    text = "nonMasqueradeCIDRs:\n" + "".join(f"  - {c}\n" for c in items) + f"cidrLimit: {len(items)}\n"
    settings = Settings().merged({"agent-flags": {"enable-ipv6": True}})
    ctx = analyse(SourceFile.from_bytes("ip-masq-agent", text.encode()), settings, True).configs[0]
    ref = _mq305_by_dict(ctx)
    assert [(id(e), id(first)) for e, first in _range_sweep(ctx)[3]] == [(id(e), id(first)) for e, first in ref]
    assert [p.data["cidr"] for p in duplicate_cidr(ctx)] == [e.text for e, _first in ref]


def _public_part_pairwise(rng):
    from masqlint.checks.traffic import _private

    v, lo, hi = rng
    covered = sorted((a, b) for (vv, a, b) in _private() if vv == v and b >= lo and a <= hi)
    cur, inside = lo, 0
    for a, b in covered:
        a, b = max(a, cur), min(b, hi)
        if b >= a:
            inside += b - a + 1
            cur = b + 1
    return hi - lo + 1 - inside


@hsettings(max_examples=500, deadline=None)
@given(st.one_of(_rng(4), _rng(6)))
def test_public_part_by_bisection(r):
    from masqlint.checks.traffic import _public_part

    assert _public_part(r) == _public_part_pairwise(r)


# --- line index and the literal-block locator ------------------------------------------------------


def _line_starts_by_scan(text):
    starts, i, n = [0], 0, len(text)
    while i < n:
        if text[i] == "\n":
            starts.append(i + 1)
        elif text[i] == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            starts.append(i + 1)
        i += 1
    return starts


@hsettings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab \r\n\t\u2028\x0b\x0c\x85", max_size=40))
def test_line_index_breaks_only_at_cr_lf(text):
    from masqlint.text.source import LineIndex

    assert list(LineIndex(text).starts) == _line_starts_by_scan(text)


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n\t\u2028\x85", max_size=40))
def test_line_tables_without_cr_as_by_their_patterns(text):
    from masqlint.text.nodes import Positions
    from masqlint.text.source import LineIndex

    assert list(LineIndex(text).starts) == _line_starts_by_scan(text)
    yaml_breaks = [0, *(m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text))]
    pos = Positions(text)
    assert [(m.line, m.column) for m in map(pos.mark, range(len(text) + 1))] == [
        (n - 1, i - yaml_breaks[n - 1]) for i in range(len(text) + 1) for n in [sum(1 for b in yaml_breaks if b <= i)]]


def _embedded_locator_by_lines(source, key, value, text):
    """embedded_locator as it read the block line by line through LineIndex.line_text."""
    from masqlint.forms.embedded import Locator
    from masqlint.text.source import LineIndex, node_range

    fallback = node_range(key)
    cidx = LineIndex(text)
    if value.style != "|":
        return Locator(source, None, cidx, fallback)
    outer = source.index
    header_line, _ = outer.pos(value.start_mark.index)
    first = header_line + 1
    header = outer.line_text(header_line)[outer.pos(value.start_mark.index)[1] - 1:]
    indent = None
    for ch in header[1:3]:
        if ch.isdigit() and ch != "0":
            key_line_text = outer.line_text(outer.pos(key.start_mark.index)[0])
            indent = len(key_line_text) - len(key_line_text.lstrip(" ")) + int(ch)
    if indent is None:
        for ln in range(first, len(outer.starts) + 1):
            t = outer.line_text(ln)
            if t.strip(" "):
                indent = len(t) - len(t.lstrip(" "))
                break
    if indent is None:
        return Locator(source, None, cidx, fallback)
    offsets = []
    for k in range(len(cidx.starts)):
        ln = first + k
        if ln > len(outer.starts):
            break
        inner, out = cidx.line_text(k + 1), outer.line_text(ln)
        if inner and out[indent:indent + len(inner)] != inner:
            return Locator(source, None, cidx, fallback)
        offsets.append(outer.starts[ln - 1] + indent)
    return Locator(source, offsets, cidx, fallback)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["- 10.0.0.0/8", "cidrLimit: 3", "", "  # c", "x: 'a\tb'", "\t- y", "z"]), min_size=1,
                max_size=6),
       st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["|", "|2", "|-", "|+", "|4", ">"]),
       st.lists(st.integers(0, 3), min_size=6, max_size=6))
def test_block_locator_as_line_by_line(lines, nl, header, extra):
    from masqlint.forms.embedded import embedded_locator
    from masqlint.forms.manifest import find_configs, parse_manifest
    from masqlint.text.source import SourceFile

    body = nl.join(" " * (4 + extra[i]) + ln if ln else "" for i, ln in enumerate(lines))
    text = ("apiVersion: v1" + nl + "kind: ConfigMap" + nl + "metadata:" + nl + "  name: ip-masq-agent" + nl + "data:" + nl
            + "  config: " + header + nl + body + nl + "other: 1" + nl)
    sf = SourceFile.from_bytes("f.yaml", text.encode())
    pf = parse_manifest(sf)
    if pf.yaml_error is not None:
        return
    find_configs(pf)
    cfg = pf.configs[0]
    if cfg.text is None:
        return
    args = (sf, cfg.config_key_node, cfg.config_value_node, cfg.text)
    loc = embedded_locator(*args)
    fast, plain = loc.line_offsets, _embedded_locator_by_lines(*args).line_offsets
    assert (fast is None and plain is None) or list(fast or ()) == list(plain or ())
    n = len(cfg.text)
    for start in range(n + 2):
        for end in (start - 1, start, start + 1, start + 5, n + 1):
            assert loc.span(start, end) == _span_by_offsets(loc, start, end), (start, end)


def _span_by_offsets(loc, start, end):
    """Locator.span as it was: outer_offset of each end, each position searched for in its line table."""
    from masqlint.engine.findings import Span

    def pos(index, offset):
        offset = max(0, min(offset, len(index.text)))
        line = max(i for i, s in enumerate(index.starts) if s <= offset)
        return line + 1, offset - index.starts[line] + 1

    def outer_offset(inner):
        line, col = pos(loc.config_index, inner)
        return loc.line_offsets[line - 1] + col - 1 if line - 1 < len(loc.line_offsets) else None

    if loc.line_offsets is None:
        return loc.source.index.span(*loc.fallback)
    a = outer_offset(start)
    b = outer_offset(end) if end > start else a
    if a is None or b is None:
        return loc.source.index.span(*loc.fallback)
    return Span(*pos(loc.source.index, a), *pos(loc.source.index, max(a, b)))


def test_real_dir_is_realpath(tmp_path):
    from masqlint.config.loader import _real_dir

    (tmp_path / "a" / "b").mkdir(parents=True)
    os.symlink(tmp_path / "a", tmp_path / "l1")
    os.symlink("l1/b", tmp_path / "l2")
    os.symlink(tmp_path / "missing", tmp_path / "dangling")
    _real_dir.cache_clear()
    for p in ["a", "a/b", "l1", "l1/b", "l2", "l2/x/y", "dangling", "dangling/q", "nope/x", ""]:
        d = os.path.abspath(os.path.join(str(tmp_path), p))
        assert _real_dir(d) == os.path.realpath(d), p
    assert _real_dir("/") == "/"


def test_discovery_with_gitignore_and_excludes(tmp_path, monkeypatch):
    from masqlint.pipeline.discover import Candidate, discover

    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.tmp.yaml\n!keep.tmp.yaml\n")
    for rel in ["a.yaml", "build/b.yaml", "c/d.yml", "c/e.tmp.yaml", "c/keep.tmp.yaml", "c/ip-masq-agent", "c/x.txt",
                "c/sub/.gitignore", "c/sub/f.json", "c/sub/g.yaml"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("g.yaml\n" if rel.endswith(".gitignore") else "x: 1\n")
    monkeypatch.chdir(tmp_path)
    got = [c.display for c in discover(["."], standalone=("**/ip-masq-agent",)) if isinstance(c, Candidate)]
    assert got == ["a.yaml", "c/d.yml", "c/ip-masq-agent", "c/keep.tmp.yaml", "c/sub/f.json"]
    got = [c.display for c in discover(["."], exclude=("c/sub",)) if isinstance(c, Candidate)]
    # a name that holds `masq` is read by every walk (its content decides), settings glob or not
    assert got == ["a.yaml", "c/d.yml", "c/ip-masq-agent", "c/keep.tmp.yaml"]


# --- the process pool ----------------------------------------------------------------------------

AGENT_CM = CONFIGMAP.format(name="ip-masq-agent").replace("      - 10.0.0.0/8\n", "      - {cidr}\n")


def _tree(root):
    """A tree of more files than the pool threshold: configs with and without findings, other
    manifests, a standalone config, bad encodings, a file over the size limit."""
    import random

    rnd = random.Random(5)
    files = []
    for i in range(180):
        kind = i % 6
        if kind == 0:
            text = AGENT_CM.format(cidr=f"10.{i}.1.{rnd.choice([0, 5])}/24").encode()
        elif kind == 1:
            text = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        elif kind == 2:
            text = "nonMasqueradeCIDRS:\n  \u2013 10.0.0.0/8\n".encode("utf-16")
        elif kind == 3:
            text = b"masq: \xff\xfe broken utf-8\n"
        elif kind == 4:
            text = b'{"kind": "ConfigMap", "metadata": {"name": "ip-masq-agent", "namespace": "x"}, "data": {"config": "{}"}}'
        else:
            text = b"a: [unclosed\nmasq: 1\n"
        p = root / f"d{i % 7}" / f"f{i:03d}.yaml"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(text)
        files.append(p)
    (root / "d0" / "ip-masq-agent").write_text("nonMasqueradeCIDRs: [10.0.0.0/8, 10.0.0.0/8]\n")
    (root / "d1" / "big.yaml").write_bytes(b"# masq\n" + b"x" * 3000)
    return files


def _summary(rr, outcomes):
    return ([(f.path, f.configs, f.suppressed, f.text is not None, [fd.to_dict() for fd in f.findings]) for f in rr.files],
            [o.error for o in outcomes])


@pytest.mark.parametrize("jobs,forked", [(2, True), (3, True), (2, False)])
def test_pool_gives_the_serial_results_in_input_order(tmp_path, monkeypatch, jobs, forked):
    from masqlint.pipeline import pool
    from masqlint.pipeline.discover import Candidate
    from masqlint.pipeline.runner import POOL_MIN_FILES, Options, run

    if forked and not pool.available():
        pytest.skip("no fork here")
    monkeypatch.setattr(pool, "available", lambda: forked)  # False: the multiprocessing pool
    monkeypatch.chdir(tmp_path)
    files = _tree(tmp_path)
    import random

    order = [Candidate(str(p.relative_to(tmp_path)), str(p), False) for p in files]
    order += [Candidate("d0/ip-masq-agent", str(tmp_path / "d0" / "ip-masq-agent"), True),
              Candidate("d1/big.yaml", str(tmp_path / "d1" / "big.yaml"), True),
              Candidate("gone.yaml", str(tmp_path / "gone.yaml"), True)]
    random.Random(1).shuffle(order)  # not the order of the disk: the input order must come back
    assert len(order) > POOL_MIN_FILES
    base = Settings().merged({"max-file-size": 2000})
    serial = run(order, Options(jobs=1, base=base, use_config_files=False))
    pooled = run(iter(order), Options(jobs=jobs, base=base, use_config_files=False))
    assert [f.path for f in pooled[0].files] == [c.display for c in order]
    assert _summary(*pooled) == _summary(*serial)
    assert sum(len(f.findings) for f in serial[0].files) > 100  # the tree does exercise the checks


def test_cli_output_is_the_same_with_jobs(tmp_path, monkeypatch, capsys):
    from masqlint.cli.main import main

    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    outputs = []
    for jobs in ("1", "2"):
        code = main(["check", "--no-config", "--jobs", jobs, "--max-file-size", "2000", "--format", "json", "."])
        outputs.append((code, capsys.readouterr()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1
    rules = {f["rule"] for f in json.loads(outputs[0][1].out)["findings"]}
    assert {"MQ001", "MQ004", "MQ006", "MQ101", "MQ302", "MQ305"} <= rules


_GI_LINES = ["build/", "*.tgz", "!keep.tgz", "/top.yaml", "docs/**/*.md", "a/**", "!a/b/", "*.y*ml", "!c/*.yaml",
             "[ab].json", "\\#x", "x?z", "**/gen", "!**/gen/keep", "# comment", "", "d/e/"]
_GI_PATHS = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "gen", "keep", "build", "docs", "top.yaml", "x.tgz",
                                      "keep.tgz", "f.yaml", "a.json", "xyz", "#x", "n.md"]), min_size=1, max_size=4)


@hsettings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GI_LINES), max_size=6), _GI_PATHS, st.booleans())
def test_gitignore_precheck_never_hides_a_match(lines, parts, is_dir):
    import pathspec

    from masqlint.pipeline.discover import _any_include

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    fast = _any_include(spec)
    rel = "/".join(parts) + ("/" if is_dir else "")
    if spec.match_file(rel):
        assert fast is None or fast.match(rel) is not None


# --- rule headers and the process pool ----------------------------------------------------------


def test_rule_headers_are_the_catalogs():
    from masqlint.engine.catalog import _headers_of, headers_module, load_catalog
    from masqlint.engine.headers import rule_headers
    from paths import REPO

    table = (REPO / "masqlint" / "engine" / "headers.py").read_text(encoding="utf-8")
    assert table == headers_module(), \
        "masqlint/engine/headers.py is stale: run `python -m masqlint.engine.catalog > masqlint/engine/headers.py`"
    assert len(rule_headers()) == len(load_catalog()) > 50
    assert rule_headers() == _headers_of(load_catalog())
    assert list(rule_headers()) == list(load_catalog())


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_broken_settings_file_stops_the_run_from_a_worker(tmp_path, monkeypatch, jobs):
    from masqlint.pipeline.discover import discover
    from masqlint.config.loader import ConfigError
    from masqlint.pipeline.runner import Options, run

    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    (tmp_path / "d3" / ".masqlint.yaml").write_text("target: [not, a, target]\n")
    with pytest.raises(ConfigError, match="d3/.masqlint.yaml"):
        run(discover(["."]), Options(jobs=jobs))


def test_pool_of_more_workers_than_chunks(tmp_path, monkeypatch):
    from masqlint.pipeline import pool

    if not pool.available():
        pytest.skip("no fork here")
    results = pool.run(iter(range(5)), lambda i: None if i % 2 else i * 10, 4)
    assert results == [0, None, 20, None, 40]
    assert pool.run(iter([]), lambda i: i, 2) == []
    big = pool.run(iter(range(1000)), lambda i: "x" * 5000 if i % 3 == 0 else None, 2)  # results fill the pipes
    assert big == ["x" * 5000 if i % 3 == 0 else None for i in range(1000)]


# --- a linted file leaves no reference cycles behind ---------------------------------------------


def test_lint_leaves_no_cyclic_garbage():
    import gc

    samples = [
        KNOWN["plain"],
        AGENT_CM.format(cidr="10.1.1.5/24").encode(),  # rejected by the agent: an AgentError kept as data
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent}\ndata:\n  config: |\n    a: [\n",  # YAML error
        b"masq: \xff\n",  # not UTF-8
        b"kind: [\nmasq\n",  # broken manifest
        KNOWN["standalone json, escaped key"],
    ]
    for data in samples:  # warm: imports and caches
        lint_bytes("f.yaml", data, SETTINGS, None)
    gc.collect()
    was = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for data in samples:
            lint_bytes("f.yaml", data, SETTINGS, None)
        found = gc.collect()
        kinds = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(was)
        gc.garbage.clear()
    assert found == 0, kinds


# --- caret lines for ASCII source ------------------------------------------------------------------


def _caret_line_per_char(source, span):
    from masqlint.report._common import char_width, visible_char

    start = span.column - 1
    end = span.end_column - 1 if span.end_line == span.line else len(source)
    end = min(end, len(source))
    pad = ["\t" if visible_char(ch) == "\t" else " " * char_width(visible_char(ch)) for ch in source[:start]]
    if start > len(source):
        pad.append(" " * (start - len(source)))
    width = sum(char_width(visible_char(ch)) for ch in source[start:end])
    return "".join(pad) + "^" + "~" * max(width - 1, 0)


@hsettings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "\t", "\x00", "\x1b", "\x7f", "-", "\u00e9", "\u4e00", "\u0301"]),
               max_size=12), st.integers(1, 15), st.integers(0, 6), st.booleans())
def test_caret_line_fast_path(source, column, length, same_line):
    from masqlint.engine.findings import Span
    from masqlint.report._common import caret_line

    span = Span(3, column, 3 if same_line else 4, column + length)
    assert caret_line(source, span) == _caret_line_per_char(source, span)


@hsettings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_GI_LINES + ["  x.tgz  ", "*", "/", "**", "b\\ ", "*.js?n", "c/*/d/"]), max_size=6),
       _GI_PATHS, st.booleans())
def test_gitignore_literals_never_hide_a_match(lines, parts, is_dir):
    import pathspec

    from masqlint.pipeline.discover import _ignoring_literals

    rel = "/".join(parts) + ("/" if is_dir else "")
    lits = _ignoring_literals(lines)
    if pathspec.GitIgnoreSpec.from_lines(lines).match_file(rel):
        assert lits is None or any(lit in rel for lit in lits)


def test_gitignore_without_a_possible_match_needs_no_pathspec(tmp_path, monkeypatch):
    import subprocess
    import sys

    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*.tgz\n.terraform/\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text("kind: Service\n")
    code = ("import sys; from masqlint.pipeline.discover import discover; "
            "print([c.display for c in discover(['.'])], 'pathspec' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})
    assert out.stdout.strip() == "['a/x.yaml'] False"
    (tmp_path / "a" / "y.tgz.yaml").write_text("kind: Service\n")  # holds ".tgz": the lines decide (not ignored)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})
    assert out.stdout.strip() == "['a/x.yaml', 'a/y.tgz.yaml'] False"  # lines without escapes or brackets: no pathspec
    (tmp_path / ".gitignore").write_text("*.[t]gz\n.terraform/\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})
    assert out.stdout.strip() == "['a/x.yaml', 'a/y.tgz.yaml'] True"  # a bracket expression: pathspec compiles them


# --- what a run imports -------------------------------------------------------------------------------

HEAVY = ("jsonschema", "netaddr", "pathspec", "concurrent", "multiprocessing", "yaml")


def _imported_after_check(tmp_path, name, text):
    import subprocess
    import sys

    (tmp_path / name).write_bytes(text)
    code = ("import sys; from masqlint.cli.main import main; code = main(['check', '--no-config', sys.argv[1]]); "
            f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    from paths import REPO

    repo = str(REPO)
    out = subprocess.run([sys.executable, "-c", code, name], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": repo})
    return out.stdout.strip().splitlines()[-1]


def test_a_file_without_config_loads_nothing_heavy(tmp_path):
    out = _imported_after_check(tmp_path, "deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
    assert out == "0 []"


def test_a_plain_configmap_needs_neither_jsonschema_nor_netaddr(tmp_path):
    out = _imported_after_check(tmp_path, "cm.yaml", AGENT_CM.format(cidr="10.0.0.0/8").encode())
    assert out == "1 []"  # MQ401: the list drops defaults; plain block YAML is composed without PyYAML


def test_yaml_outside_plain_block_style_is_composed_by_pyyaml(tmp_path):
    text = AGENT_CM.format(cidr="10.0.0.0/8").replace("metadata:\n  name: ip-masq-agent\n", "metadata: {name: ip-masq-agent}\n")
    assert "{name: ip-masq-agent}" in text
    out = _imported_after_check(tmp_path, "cm.yaml", text.encode())
    assert out == "1 ['yaml']"  # the same finding, from PyYAML's nodes


def test_a_type_error_needs_no_jsonschema(tmp_path):
    text = AGENT_CM.format(cidr="10.0.0.0/8").replace("    nonMasqueradeCIDRs:", "    masqLinkLocal: 'no'\n    nonMasqueradeCIDRs:")
    out = _imported_after_check(tmp_path, "cm.yaml", text.encode())
    assert out == "1 []"  # MQ204 from the schema's own types, checked directly


def test_a_pooled_run_over_a_repository_loads_nothing_heavy(tmp_path):
    """Workers, a .gitignore that names a directory present, configs and other manifests in plain block YAML:
    the process that walks, forks the workers and lints beside them loads none of the heavy or slow-to-import
    modules (a module it loads before forking, every worker holds)."""
    import subprocess
    import sys

    from paths import REPO

    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*.tgz\ncharts/*/charts/\n.terraform/\n")
    for i in range(120):
        d = tmp_path / ("charts/web/charts" if i % 10 == 0 else "charts/web" if i % 10 == 1 else f"apps/a{i % 9}")
        d.mkdir(parents=True, exist_ok=True)
        text = (AGENT_CM.format(cidr=f"10.{i}.0.{5 if i % 8 == 0 else 0}/16") if i % 4 == 0 else  # host bits: a fix
                f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\nspec:\n  replicas: 2\n")
        (d / f"m{i:03d}.yaml").write_text(text)
    heavy = HEAVY + ("typing", "dataclasses", "inspect", "pathlib", "json")
    code = ("import sys; from masqlint.cli.main import main; code = main(['check', '--no-config', '--jobs', '2', '.']); "
            f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "108 files checked" in out.stdout  # charts/web/charts/ is ignored
    assert "fixable with --fix" in out.stdout  # the count of what --fix would fix ran too
    assert out.stdout.strip().splitlines()[-1] == "1 []"


def test_fix_through_the_pool_writes_what_the_serial_run_writes(tmp_path, monkeypatch, capsys):
    import shutil

    from masqlint.cli.main import main

    base = tmp_path / "base"
    base.mkdir()
    _tree(base)
    trees = {}
    for jobs in ("1", "2"):
        root = tmp_path / f"j{jobs}"
        shutil.copytree(base, root)
        monkeypatch.chdir(root)
        code = main(["check", "--no-config", "--jobs", jobs, "--fix", "--unsafe-fixes", "--format", "concise", "."])
        out = capsys.readouterr()
        trees[jobs] = (code, out.out, out.err, {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                                                if p.is_file()})
    assert trees["1"] == trees["2"]
    changed = [k for k, v in trees["1"][3].items() if (base / k).read_bytes() != v]
    assert len(changed) > 20  # the fixes did rewrite files


@hsettings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.yaml", "ip-masq-agent", "x..y"]), max_size=5).map("/".join),
       st.sampled_from(["", "/", "//", "///"]))
def test_normal_absolute_paths_are_left_alone(rest, lead):
    from masqlint.pipeline.runner import _normal_absolute

    path = lead + rest
    if _normal_absolute(path):
        assert os.path.abspath(path) == path


@hsettings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["**/ip-masq-agent", "*.conf", "a/*/b", "*", "x[ab]", "..", "./c", "ip-masq-agent*"]),
                max_size=4), st.lists(st.sampled_from(["a", "b", "ip-masq-agent", "x.conf", "..", "c"]), max_size=4))
def test_standalone_literal_prefilter(patterns, parts):
    from masqlint.config.globs import could_match_relpath

    absolute = "/" + "/".join(parts)
    rel = os.path.relpath(absolute, "/tmp/q").replace(os.sep, "/")
    if any(glob_match(rel, p) for p in patterns if p.strip("/")):
        assert could_match_relpath(absolute, patterns)


def test_pool_failures_are_errors_not_silence(monkeypatch):
    from masqlint.pipeline import pool

    if not pool.available():
        pytest.skip("no fork here")

    def crash(i):
        if i == 70:
            os._exit(3)  # a worker killed mid-run (out of memory, say)
        return i

    with pytest.raises(pool.WorkerFailed):
        pool.run(iter(range(400)), crash, 2)

    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    items = iter(range(10))
    with pytest.raises(pool.Unavailable):
        pool.run(items, lambda i: i, 2)
    assert next(items) == 0  # nothing was taken from the items: the caller can lint them itself


def test_no_fork_means_linting_here(tmp_path, monkeypatch):
    from masqlint.pipeline import pool
    from masqlint.pipeline.discover import discover
    from masqlint.pipeline.runner import Options, run

    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    serial = run(discover(["."]), Options(jobs=1, use_config_files=False))

    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr(pool, "available", lambda: True)
    assert _summary(*run(discover(["."]), Options(jobs=2, use_config_files=False))) == _summary(*serial)


# --- start-up: what a cold run of a file without a config loads ---------------------------------------

# Modules a plain `masqlint check FILE` may load for a file that holds no agent config; anything else
# (YAML, the rule catalog, the checks, argparse, dataclasses, json, pathlib, typing) is for files with
# configs or for other commands. masqlint.errors (the exit codes and the errors every command stops on) and
# masqlint.cli.options (the check command's settings from its arguments) are what every check needs.
PLAIN_RUN_MODULES = {
    "masqlint", "masqlint.cli", "masqlint.cli.commands", "masqlint.cli.main", "masqlint.cli.options", "masqlint.errors",
    "masqlint.cli.plain", "masqlint.config", "masqlint.config.globs", "masqlint.config.loader", "masqlint.config.rulesel",
    "masqlint.config.settings", "masqlint.engine", "masqlint.engine.findings", "masqlint.pipeline",
    "masqlint.pipeline.discover", "masqlint.pipeline.prefilter", "masqlint.pipeline.runner",
    "masqlint.pipeline.wanted", "masqlint.record",
    "masqlint.report", "masqlint.report._common", "masqlint.report.text",
}
NOT_ON_THE_START_PATH = ("argparse", "dataclasses", "inspect", "typing", "json", "pathlib", "hashlib", "unicodedata",
                         "shutil", "difflib", "yaml", "jsonschema", "netaddr", "pathspec", "multiprocessing", "concurrent")


def test_a_cold_check_of_a_file_without_config_loads_only_the_start_path(tmp_path):
    import subprocess
    import sys

    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
    code = ("import sys; before = set(sys.modules); from masqlint.cli.main import main; "
            "code = main(['check', 'deploy.yaml']); new = set(sys.modules) - before; "
            "print(code, sorted(m for m in new if m.startswith('masqlint.') or m == 'masqlint'), "
            "sorted({m.split('.')[0] for m in new} & set(sys.argv[1:])))")
    from paths import REPO

    repo = str(REPO)
    out = subprocess.run([sys.executable, "-c", code, *NOT_ON_THE_START_PATH], cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": repo})
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("0 "), out.stdout + out.stderr
    assert last == f"0 {sorted(PLAIN_RUN_MODULES)!r} []"


# What a cold `masqlint check` of a file holding an agent ConfigMap loads: the linter, the agent model
# and every check, but no reader of another form (Terraform, HCL, Markdown, kustomize, Cilium values,
# templates), not the rule catalog's texts, and none of the libraries those need.
AGENT_RUN_MODULES = PLAIN_RUN_MODULES | {
    "masqlint.agent", "masqlint.agent.azure", "masqlint.agent.cilium", "masqlint.agent.decide",
    "masqlint.agent.egressnat", "masqlint.agent.goduration", "masqlint.agent.gojson", "masqlint.agent.gonet",
    "masqlint.agent.gonetip", "masqlint.agent.goslice", "masqlint.agent.goyaml", "masqlint.agent.jsonish",
    "masqlint.agent.load", "masqlint.agent.model", "masqlint.agent.ranges", "masqlint.agent.schema",
    "masqlint.agent.targets", "masqlint.checks", "masqlint.checks.azure_union", "masqlint.checks.cidrs",
    "masqlint.checks.cluster", "masqlint.checks.consumers", "masqlint.checks.edits", "masqlint.checks.egressnat",
    "masqlint.checks.files", "masqlint.checks.forms", "masqlint.checks.hints", "masqlint.checks.keys",
    "masqlint.checks.manifest", "masqlint.checks.notes", "masqlint.checks.policy", "masqlint.checks.syntax",
    "masqlint.checks.terraform", "masqlint.checks.traffic", "masqlint.engine.emit", "masqlint.engine.headers",
    "masqlint.engine.lint", "masqlint.engine.suppress", "masqlint.engine.unknown",
    "masqlint.forms", "masqlint.forms.base", "masqlint.forms.claims", "masqlint.forms.consumers",
    "masqlint.forms.embedded", "masqlint.forms.manifest", "masqlint.forms.standalone", "masqlint.lazyre",
    "masqlint.text", "masqlint.text.blockyaml", "masqlint.text.lines", "masqlint.text.nodes", "masqlint.text.source",
    "masqlint.text.yamlload",
}
# PyYAML (and masqlint.text.pyyamlload) only for YAML outside plain block style
NOT_ON_THE_AGENT_PATH = ("argparse", "json", "pathlib", "pkgutil", "hashlib", "urllib", "tomllib", "socket", "shutil",
                         "difflib", "unicodedata", "jsonschema", "netaddr", "pathspec", "markdown_it", "hcl2", "lark",
                         "multiprocessing", "concurrent", "yaml", "dataclasses", "inspect", "typing",
                         "ipaddress")


def test_a_cold_check_of_an_agent_configmap_loads_no_other_form(tmp_path):
    import subprocess
    import sys

    (tmp_path / "ip-masq-agent.yaml").write_text(AGENT_CM.format(cidr="10.1.1.0/24"))
    code = ("import sys; before = set(sys.modules); from masqlint.cli.main import main; "
            "code = main(['check', 'ip-masq-agent.yaml']); new = set(sys.modules) - before; "
            "print(code, sorted(m for m in new if m.startswith('masqlint.') or m == 'masqlint'), "
            "sorted({m.split('.')[0] for m in new} & set(sys.argv[1:])))")
    from paths import REPO

    out = subprocess.run([sys.executable, "-c", code, *NOT_ON_THE_AGENT_PATH], cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "MQ401" in out.stdout, out.stdout + out.stderr  # the config was linted: it drops GKE's defaults
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("1 "), out.stdout + out.stderr
    assert last == f"1 {sorted(AGENT_RUN_MODULES)!r} []"


def test_the_plain_form_is_parsed_as_the_parser_would():
    from masqlint.cli.main import build_parser
    from masqlint.cli.plain import plain_check

    for argv in (["check"], ["check", "deploy.yaml"], ["check", "charts", "kube-system/ip-masq-agent.yaml", "."]):
        fast = plain_check(argv)
        assert fast is not None
        parsed = vars(build_parser("check").parse_args(argv))
        # every option the parser knows has its value without asking the parser (add new ones to plain.py)
        missing = {k: v for k, v in parsed.items() if k not in vars(fast)}
        assert not missing, f"options of `check` that masqlint/cli/plain.py does not know yet (add their defaults): {missing}"
        assert fast.format_pairs is None and getattr(build_parser("check").parse_args(argv), "format_pairs", None) is None
        assert {k: v for k, v in vars(fast).items() if k != "format_pairs"} == parsed
    # an option the plain form does not list still gets the parser's default (slower, never wrong)
    fast = plain_check(["check", "deploy.yaml"])
    assert fast is not None
    del fast.fix
    assert fast.fix is False and vars(fast)["fix"] is False
    with pytest.raises(AttributeError):
        fast.no_such_option  # noqa: B018
    for argv in (["check", "-"], ["check", "--fix", "a.yaml"], ["check", "a.yaml", "-j1"], ["check", "--", "a"],
                 ["render", "a.yaml"], ["check", "-h"], []):
        assert plain_check(argv) is None


def test_a_file_is_read_with_one_call(tmp_path, monkeypatch):
    from masqlint.config.settings import Settings
    from masqlint.pipeline import runner

    for size in (0, 1, 4096, 3 * (1 << 20) + 5):
        p = tmp_path / f"f{size}.yaml"
        data = (b"kind: Service\n" * (size // 14 + 1))[:size]
        p.write_bytes(data)
        calls: list[int] = []

        def counting_read(fd, n, calls=calls, real_read=os.read):
            calls.append(n)
            return real_read(fd, n)

        monkeypatch.setattr(runner.os, "read", counting_read)
        got, early = runner.read_candidate(p.name, str(p), Settings(), runner.Options())
        monkeypatch.undo()
        assert early is None and got == data
        assert len(calls) == 1  # no second read to learn that the end was reached


def test_a_file_that_grows_while_read_is_read_to_its_end(tmp_path):
    from masqlint.pipeline.runner import _read_at_most

    p = tmp_path / "growing.yaml"
    p.write_bytes(b"a" * 100)
    fd = os.open(p, os.O_RDONLY)
    try:
        with open(p, "ab") as fh:  # it grew after fstat said 10 bytes
            fh.write(b"b" * 50)
        assert _read_at_most(fd, 1000, 10) == b"a" * 100 + b"b" * 50
    finally:
        os.close(fd)


def test_settings_taken_once_per_directory_give_what_each_file_would_get(tmp_path, monkeypatch):
    """A run reuses a directory's settings for its files; linting each file on its own, with
    nothing reused, gives the same findings, fixes and order (nested settings, scopes, flags)."""
    from masqlint.pipeline.discover import Candidate, discover
    from masqlint.pipeline.runner import Options, across_files, process, run

    (tmp_path / ".git").mkdir()
    (tmp_path / ".masqlint.yaml").write_text(
        "scopes:\n  - files: ['prod/**']\n    severity: {MQ302: error}\n", encoding="utf-8")
    for d, extra in (("dev", ""), ("prod/eu", ""), ("legacy", "ignore: [MQ305]\n"), ("legacy/old", None)):
        (tmp_path / d).mkdir(parents=True)
        if extra:
            (tmp_path / d / ".masqlint.yaml").write_text(extra, encoding="utf-8")
        for i, cidr in enumerate(("10.8.0.5/16", "10.8.0.0/16", "10.9.0.0/16")):
            text = AGENT_CM.format(cidr=cidr).replace("      - 10.9", "      - 10.9.0.0/16\n      - 10.9") if i == 2 else \
                AGENT_CM.format(cidr=cidr)
            (tmp_path / d / f"cm{i}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def summary(files):
        return [(f.path, [(x.rule, x.severity, x.span, x.fix) for x in f.findings]) for f in files]

    for overrides in ({}, {"select": ["MQ3", "MQ4"]}):
        cands = [c for c in discover(["."]) if isinstance(c, Candidate)]
        assert len([c for c in cands if c.path.endswith(".yaml") and "/cm" in c.path]) == 12
        rr, _ = run(cands, Options(jobs=1, overrides=overrides))
        alone = [process(c.display, c.path, c.explicit, Options(overrides=overrides)).result for c in cands]
        across_files(alone)  # duplicates across files, as the run does
        assert summary(rr.files) == summary(alone)
        by_path = {os.path.normpath(p): found for p, found in summary(rr.files)}
        assert any(sev == 3 for _, sev, _, _ in by_path["prod/eu/cm0.yaml"])  # the scope made MQ302 an error
        assert not any(rule == "MQ305" for rule, *_ in by_path["legacy/old/cm2.yaml"])  # the nearer settings


def test_a_real_path_from_the_cached_directory_is_realpath(tmp_path, monkeypatch):
    from masqlint.config.loader import find_settings_for_dir, real_file

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.yaml").write_text("k: v\n")
    os.symlink(tmp_path / "a", tmp_path / "link")
    os.symlink(tmp_path / "a" / "b" / "x.yaml", tmp_path / "a" / "y.yaml")
    monkeypatch.chdir(tmp_path)
    find_settings_for_dir.cache_clear()
    for p in ("a/b/x.yaml", "link/b/x.yaml", str(tmp_path / "link" / "b" / "x.yaml"), "link/y.yaml", "a/y.yaml",
              "link/b/../b/x.yaml", "link/../a/b/x.yaml", "./a/./b/x.yaml", "a/missing.yaml"):
        assert real_file(p) == os.path.realpath(p), p


def test_a_walked_path_no_glob_can_match_is_rejected_as_the_full_match_would(tmp_path):
    """path_matches answers False at once for an absolute path holding no glob's literal; the
    answer is the one matching the path and every path relative to the bases would give."""
    from masqlint.config.settings import DEFAULT_STANDALONE_GLOBS, path_matches

    base = str(tmp_path)
    globs_sets = [DEFAULT_STANDALONE_GLOBS, ("deploy/**/agent.yaml",), ("**/*.conf", "kube-system/*"), ("nomatch",)]
    names = ["deploy/prod/agent.yaml", "kube-system/ip-masq-agent", "etc/config/ip-masq-agent", "x/y.conf",
             "apps/web.yaml", "nomatch", "a/nomatch/b"]
    checked = 0
    for globs in globs_sets:
        for n in names:
            absolute = os.path.join(base, n)
            rel = os.path.relpath(absolute, base).replace(os.sep, "/")
            full = any(glob_match(absolute, g) or glob_match(rel, g) for g in globs)
            assert path_matches(globs, absolute, absolute, (base,)) == full, (globs, n)
            checked += 1
    assert checked == len(globs_sets) * len(names)


# --- patterns compiled on first use --------------------------------------------------------------


@pytest.mark.parametrize("pattern,flags", [
    (r"#\s*masqlint:\s*(?P<kind>disable-next-line|disable)\s*(?:=\s*(?P<rules>[A-Z0-9, ]+?))?\s*$", 0),
    (r"^[ \t]*[\"']?(nonmasquerade|cidrlimit)", re.IGNORECASE | re.MULTILINE),
    ("\r\n|\r|\n", 0),
])
def test_a_lazy_pattern_answers_as_the_compiled_one(pattern, flags):
    from masqlint.lazyre import lazy

    texts = ["data:\n  config: |\n    nonMasqueradeCIDRs: []  # masqlint: disable=MQ401\n",
             "  CIDRLIMIT: 3\r\nkind: ConfigMap\r# masqlint: disable\n", ""]
    fast, plain = lazy(pattern, flags), re.compile(pattern, flags)
    assert fast._compiled is None  # nothing compiled until used
    for t in texts:
        for pos, end in ((0, len(t)), (3, len(t) - 2), (0, 10**9)):
            assert _groups(fast.search(t, pos, end)) == _groups(plain.search(t, pos, end))
            assert _groups(fast.match(t, pos, end)) == _groups(plain.match(t, pos, end))
            assert _groups(fast.fullmatch(t, pos, end)) == _groups(plain.fullmatch(t, pos, end))
            assert [_groups(m) for m in fast.finditer(t, pos, end)] == [_groups(m) for m in plain.finditer(t, pos, end)]
            assert fast.findall(t, pos, end) == plain.findall(t, pos, end)
        assert fast.split(t) == plain.split(t) and fast.split(t, 1) == plain.split(t, 1)
        assert fast.sub("-", t) == plain.sub("-", t) and fast.sub(lambda m: m.group(0).upper(), t, 1) == \
            plain.sub(lambda m: m.group(0).upper(), t, 1)
    assert fast.compiled() is fast.compiled() and fast.compiled().pattern == pattern
    assert any(plain.search(t) for t in texts)  # the texts do exercise the pattern


def _groups(m):
    return None if m is None else (m.span(), m.groups())


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", ".", "..", ".git", "x.", "", "é"]), max_size=4),
       st.sampled_from(["/", "//", ""]), st.sampled_from(["/", "/work/tree", "/t"]))
def test_the_directory_of_a_path_as_written_is_made_absolute_as_normpath_makes_it(parts, lead, cwd):
    from masqlint.cli.commands import _absolute_dir
    from masqlint.pipeline.runner import dir_key

    path = lead + "/".join(parts) + ("/" if parts else "") + "f.yaml"
    d = dir_key(path)
    assert _absolute_dir(cwd, d) == os.path.normpath(os.path.join(cwd, d))


_WORDS = ("masq", "cidrlimit", "resyncinterval", "egressnatpolicy")


@st.composite
def ascii_texts_near_the_words(draw):
    """ASCII YAML-ish text made of the words' own letters, pieces of the words and the words themselves, in
    any casing: the places where a search that starts from one letter could go wrong."""
    pieces = st.sampled_from(["y", "resy", "ncinterval", "egressnatpolic", "cidr", "limit", "mas", "q", " ", "\n",
                              ": ", "- ", *_WORDS])
    parts = draw(st.lists(pieces, max_size=12))
    return "".join(draw(st.sampled_from([p, p.upper(), p.title()])) for p in parts).encode()


@hsettings(max_examples=400, deadline=None)
@given(ascii_texts_near_the_words())
def test_prefilter_on_ascii_text_is_the_word_search(data):
    assert might_hold_config(data) == any(w.encode() in data.lower() for w in _WORDS)


def test_prefilter_finds_each_word_after_near_misses():
    for word in _WORDS:
        for before in (b"", b"y", b"resy resyn egressnatpolic ", b"egressnatpolicy"[:-1] + b"\n"):
            data = b"kind: Deployment\n# " + before + word.upper().encode() + b"\n"
            assert might_hold_config(data), data
    assert not might_hold_config(b"policy: resync\ninterval: 60s\negress: nat\nyy: y\n")
