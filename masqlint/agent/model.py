"""The ip-masq-agent's sync loop: read the config file, decode, validate, write iptables.

``sync`` answers what the agent does with one config file: whether it accepts it, the
error it logs, the configuration in force afterwards and the exact ``iptables-restore``
payloads. Every rule and command shares this one model.
"""

from __future__ import annotations

from masqlint.agent.goduration import GoDurationError, format_duration, parse_duration
from masqlint.agent.gonet import GoNetError, parse_cidr, parse_cidrs
from masqlint.agent.goslice import GoStringSlice
from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString, JValue, kind_name
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
RESERVED = (
    "100.64.0.0/10",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
)
LINK_LOCAL_V4 = "169.254.0.0/16"
LINK_LOCAL_V6 = "fe80::/10"
DEFAULT_CIDR_LIMIT = 64
DEFAULT_RESYNC_NS = 60 * 1_000_000_000

FIELDS = ("nonMasqueradeCIDRs", "cidrLimit", "masqLinkLocal", "masqLinkLocalIPv6", "resyncInterval")

NON_MASQ_COMMENT = '-m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE"'
MASQ_COMMENT = '-m comment --comment "ip-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)"'


class AgentFlags(Record):
    __slots__ = ("nomasq_all_reserved_ranges", "enable_ipv6", "masq_chain", "random_fully", "iptables_has_random_fully",
                 "to_ports")

    def __init__(self, nomasq_all_reserved_ranges: bool = False, enable_ipv6: bool = False,
                 masq_chain: str = "IP-MASQ-AGENT", random_fully: bool = True, iptables_has_random_fully: bool = True,
                 to_ports: str = ""):
        self.nomasq_all_reserved_ranges = nomasq_all_reserved_ranges
        self.enable_ipv6 = enable_ipv6
        self.masq_chain = masq_chain
        self.random_fully = random_fully
        self.iptables_has_random_fully = iptables_has_random_fully
        self.to_ports = to_ports

    @classmethod
    def from_conformance(cls, d: dict) -> "AgentFlags":
        return cls(
            nomasq_all_reserved_ranges=bool(d.get("nomasq-all-reserved-ranges", False)),
            enable_ipv6=bool(d.get("enable-ipv6", False)),
            masq_chain=d.get("masq-chain", "IP-MASQ-AGENT"),
            random_fully=bool(d.get("random-fully", True)),
            iptables_has_random_fully=bool(d.get("iptables-has-random-fully", True)),
            to_ports=d.get("to-ports", "") or "",
        )

    def default_cidrs(self) -> tuple[str, ...]:
        return RFC1918 + RESERVED if self.nomasq_all_reserved_ranges else RFC1918


class MasqConfig(Record):
    __slots__ = ("cidrs", "cidr_limit", "masq_link_local", "masq_link_local_ipv6", "resync_ns", "origins")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, cidrs: GoStringSlice, cidr_limit: int = DEFAULT_CIDR_LIMIT, masq_link_local: bool = False,
                 masq_link_local_ipv6: bool = False, resync_ns: int = DEFAULT_RESYNC_NS,
                 origins: dict[str, Any] | None = None):
        self.cidrs = cidrs
        self.cidr_limit = cidr_limit
        self.masq_link_local = masq_link_local
        self.masq_link_local_ipv6 = masq_link_local_ipv6
        self.resync_ns = resync_ns
        # field name -> the JSON value that last set it (None: default)
        self.origins = origins if origins is not None else {}

    @classmethod
    def defaults(cls, flags: AgentFlags) -> "MasqConfig":
        return cls(GoStringSlice.of(list(flags.default_cidrs())))

    @property
    def non_masquerade_cidrs(self) -> list[str] | None:
        return self.cidrs.values()

    def to_json(self) -> dict:
        return {
            "nonMasqueradeCIDRs": self.non_masquerade_cidrs,
            "cidrLimit": self.cidr_limit,
            "masqLinkLocal": self.masq_link_local,
            "masqLinkLocalIPv6": self.masq_link_local_ipv6,
            "resyncInterval": format_duration(self.resync_ns),
        }


class AgentError(Exception):
    """The agent refused the file. ``kind``: yaml | json | type | duration | validate."""

    def __init__(self, message: str, kind: str, origin: Any = None, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.origin = origin
        self.field = field
        self.index = index
        self.yaml_error: Any = None  # the parser's own error, when the YAML did not parse


# --- key matching -------------------------------------------------------------------------


def fold_key(key: str) -> str:
    """encoding/json's case folding for field names (foldName): ASCII upper-case, and
    the non-ASCII runes whose simple-fold orbit reaches a letter (U+017F ſ → S, U+212A K → K)."""
    out = []
    for ch in key:
        if ch < "\x80":
            out.append(ch.upper() if "a" <= ch <= "z" else ch)
        elif ch == "\u017f":
            out.append("S")
        elif ch == "\u212a":
            out.append("K")
        else:
            out.append(_fold_rune(ch))
    return "".join(out)


def _fold_rune(ch: str) -> str:
    # The smallest rune of the case orbit; only ASCII results can ever match a field name.
    candidates = {ch, ch.lower(), ch.upper()}
    candidates = {c for c in candidates if len(c) == 1}
    return min(candidates)


_FOLDED_FIELDS = {fold_key(f): f for f in FIELDS}


def match_field(key: str) -> str | None:
    """The MasqConfig field a JSON key sets, or None when the agent ignores the key."""
    if key in FIELDS:
        return key
    return _FOLDED_FIELDS.get(fold_key(key))


# --- decoding -----------------------------------------------------------------------------


def _type_error(v: JValue, field_name: str | None, go_type: str, value_text: str | None = None, index=None):
    what = value_text or kind_name(v)
    if field_name is None:
        msg = f"json: cannot unmarshal {what} into Go value of type main.MasqConfig"
    else:
        msg = f"json: cannot unmarshal {what} into Go struct field MasqConfig.{field_name} of type {go_type}"
    return AgentError(msg, "type", v, field_name, index)


def decode_value(root: JValue, cfg: MasqConfig, collect: list | None = None, skip: tuple[str, ...] = ()) -> None:
    """json.Unmarshal(root, cfg): type errors are collected and the first is raised at the end;
    a duration error aborts at once (it comes from an UnmarshalJSON method).

    With ``collect``, every error is appended there instead and decoding goes on, so that a
    linter can report all of them. Fields named in ``skip`` are not in the consumer's struct:
    their keys are ignored like unknown keys (Cilium and Azure have no cidrLimit/resyncInterval).
    """
    saved: list[AgentError] = []
    if isinstance(root, JNull):
        return
    if not isinstance(root, JObject):
        err = _type_error(root, None, "main.MasqConfig")
        if collect is None:
            raise err
        collect.append(err)
        return
    for key, value, _korigin in root.members:
        name = match_field(key)
        if name is None or name in skip:
            continue
        if name == "nonMasqueradeCIDRs":
            _decode_cidrs(value, cfg, saved)
        elif name == "cidrLimit":
            if isinstance(value, JNull):
                continue
            if isinstance(value, JNumber):
                n = _parse_go_int64(value.text)
                if n is None:
                    saved.append(_type_error(value, name, "int", "number " + value.text))
                    continue
                cfg.cidr_limit = n
            else:
                saved.append(_type_error(value, name, "int"))
                continue
        elif name in ("masqLinkLocal", "masqLinkLocalIPv6"):
            if isinstance(value, JNull):
                continue
            if not isinstance(value, JBool):
                saved.append(_type_error(value, name, "bool"))
                continue
            if name == "masqLinkLocal":
                cfg.masq_link_local = value.value
            else:
                cfg.masq_link_local_ipv6 = value.value
        elif name == "resyncInterval":
            if isinstance(value, JNull):
                text = ""
            elif isinstance(value, JString):
                text = value.value
            else:
                err = _type_error(value, name, "string")
                if collect is None:
                    raise err
                collect.append(err)
                continue
            try:
                cfg.resync_ns = parse_duration(text)
            except GoDurationError as e:
                err = AgentError(e.message, "duration", value, name)
                if collect is None:
                    raise err from None
                collect.append(err)
                continue
        cfg.origins[name] = value
    if collect is not None:
        collect.extend(saved)
    elif saved:
        raise saved[0]


def _decode_cidrs(value: JValue, cfg: MasqConfig, saved: list) -> None:
    sl = cfg.cidrs
    if isinstance(value, JNull):
        sl.set_nil()
        return
    if not isinstance(value, JArray):
        saved.append(_type_error(value, "nonMasqueradeCIDRs", "[]string"))
        return
    items = value.items
    if not items:
        sl.set_empty()
        return
    sl.grow_to_index(len(items) - 1)  # the slice grown as element by element, in one step
    array, origins = sl.array, sl.origins
    assert array is not None  # grown to hold every item
    for i, item in enumerate(items):
        if type(item) is JString or isinstance(item, JString):
            array[i] = item.value
            origins[i] = item
        elif isinstance(item, JNull):
            pass  # encoding/json leaves the element as it was
        else:
            saved.append(_type_error(item, "nonMasqueradeCIDRs", "string", index=i))
    sl.length = len(items)


def _parse_go_int64(text: str) -> int | None:
    t = text[1:] if text.startswith(("-", "+")) else text
    if text.startswith("+") or not t.isdigit() or not t.isascii():
        return None
    n = int(text)
    if -(1 << 63) <= n < (1 << 63):
        return n
    return None


# --- validation ---------------------------------------------------------------------------


def validate(cfg: MasqConfig, flags: AgentFlags, limit: int | None | bool = True, mask_host_bits: bool = False,
             check_ipv6: bool = True) -> None:
    """The agent's validation. The keywords describe other consumers (see ``targets``): ``limit``
    True = cidrLimit, an int = a fixed limit, None = no limit; ``mask_host_bits`` masks an unaligned
    entry to its network in ``cfg`` instead of rejecting; ``check_ipv6`` rejects IPv6 entries
    without --enable-ipv6."""
    cidrs = cfg.non_masquerade_cidrs or []
    origins = cfg.cidrs.value_origins()
    n = len(cidrs)
    limit = cfg.cidr_limit if limit is True else (None if limit is False else limit)
    if limit is not None and n > limit:
        raise AgentError(
            f"the daemon can only accept up to {limit} CIDRs (excluding link-local), "
            f"but got {n} CIDRs (excluding link local)",
            "validate",
            cfg.origins.get("nonMasqueradeCIDRs") or cfg.origins.get("cidrLimit"),
            "nonMasqueradeCIDRs",
        )
    for i, (cidr, parsed) in enumerate(zip(cidrs, parse_cidrs(cidrs))):  # (parsed in one call: a list may be long)
        origin = origins[i] if i < len(origins) else None
        if isinstance(parsed, GoNetError):
            raise AgentError(f'CIDR "{_go_q(cidr)}" could not be parsed, {parsed.message}', "validate", origin,
                             "nonMasqueradeCIDRs", i)
        if not parsed.aligned and mask_host_bits:
            assert cfg.cidrs.array is not None  # it holds the CIDR being validated
            cfg.cidrs.array[i] = parsed.network_string()
        elif not parsed.aligned:
            raise AgentError(
                f'CIDR "{_go_q(cidr)}" is not aligned to a CIDR block, ip: "{parsed.ip_string()}" '
                f'network: "{parsed.network_string()}"',
                "validate",
                origin,
                "nonMasqueradeCIDRs",
                i,
            )
        if check_ipv6 and not flags.enable_ipv6 and parsed.is_ipv6_family:
            raise AgentError(
                f"ipv6 is not enabled, but ipv6 cidr {cidr} provided. Enable ipv6 using --enable-ipv6 agent flag",
                "validate",
                origin,
                "nonMasqueradeCIDRs",
                i,
            )


_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t", "\v": "\\v"}


def _go_q(s: str) -> str:
    """The inside of Go's %q for a string (strconv.Quote without the outer quotes)."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o >= 0x80 and not _go_is_print(ch):
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(ch)
    return "".join(out)


def _go_is_print(ch: str) -> bool:
    import unicodedata  # noqa: PLC0415 - lazy: only a character outside ASCII needs it

    cat = unicodedata.category(ch)
    if ch == " ":
        return True
    return not cat.startswith(("C", "Z"))


# --- iptables -----------------------------------------------------------------------------


def is_ipv6_cidr(cidr: str) -> bool:
    """The agent's isIPv6CIDR: a string that does not parse counts as IPv6 (nil IP)."""
    try:
        return parse_cidr(cidr).is_ipv6_family
    except GoNetError:
        return True


def _masq_rules(flags: AgentFlags) -> list[str]:
    base = f"-A {flags.masq_chain} {MASQ_COMMENT} -j MASQUERADE"
    if flags.random_fully and flags.iptables_has_random_fully:
        base += " --random-fully"
    lines = []
    ranges = parse_to_ports(flags.to_ports) if flags.to_ports else []
    if ranges:
        sizes = [hi - lo + 1 for lo, hi in ranges]
        for proto in ("tcp", "udp", "sctp"):
            remaining = sum(sizes)
            for (lo, hi), size in zip(ranges, sizes):
                spec = f"{lo}-{hi}" if lo != hi else f"{lo}"
                if remaining == size:
                    lines.append(f"{base} -p {proto} --to-ports {spec}")
                else:
                    p = size / remaining
                    lines.append(f"{base} -p {proto} -m statistic --mode random --probability {_go_float(p)} --to-ports {spec}")
                remaining -= size
    lines.append(base)
    return lines


def _go_float(f: float) -> str:
    r = repr(f)
    return r[:-2] if r.endswith(".0") else r


def parse_to_ports(spec: str) -> list[tuple[int, int]]:
    """`--to-ports` as the agent takes it: comma-separated ports or port ranges."""
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            raise ValueError(f"empty port range in --to-ports {spec!r}")
        lo_s, _, hi_s = part.partition("-")
        if not lo_s.isdigit() or (hi_s and not hi_s.isdigit()):
            raise ValueError(f"invalid port range {part!r} in --to-ports")
        lo = int(lo_s)
        hi = int(hi_s) if hi_s else lo
        if not (1 <= lo <= hi <= 65535):
            raise ValueError(f"invalid port range {part!r} in --to-ports")
        out.append((lo, hi))
    return out


def iptables_payloads(cfg: MasqConfig, flags: AgentFlags) -> tuple[str, str | None]:
    cidrs = cfg.non_masquerade_cidrs or []
    chain = flags.masq_chain
    v4 = ["*nat", f":{chain} - [0:0]"]
    if not cfg.masq_link_local:
        v4.append(f"-A {chain} {NON_MASQ_COMMENT} -d {LINK_LOCAL_V4} -j RETURN")
    for c in cidrs:
        if not is_ipv6_cidr(c):
            v4.append(f"-A {chain} {NON_MASQ_COMMENT} -d {c} -j RETURN")
    v4 += _masq_rules(flags)
    v4.append("COMMIT")
    v6_text = None
    if flags.enable_ipv6:
        v6 = ["*nat", f":{chain} - [0:0]"]
        if not cfg.masq_link_local_ipv6:
            v6.append(f"-A {chain} {NON_MASQ_COMMENT} -d {LINK_LOCAL_V6} -j RETURN")
        for c in cidrs:
            if is_ipv6_cidr(c):
                v6.append(f"-A {chain} {NON_MASQ_COMMENT} -d {c} -j RETURN")
        v6 += _masq_rules(flags)
        v6.append("COMMIT")
        v6_text = "\n".join(v6) + "\n"
    return "\n".join(v4) + "\n", v6_text


# --- one sync loop ------------------------------------------------------------------------


class SyncResult(Record):
    __slots__ = ("accepted", "error", "effective", "iptables_v4", "iptables_v6", "decoded", "previous")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, accepted: bool, error: AgentError | None, effective: MasqConfig, iptables_v4: str | None,
                 iptables_v6: str | None, decoded: MasqConfig | None = None, previous: "SyncResult | None" = None):
        self.accepted = accepted
        self.error = error
        self.effective = effective
        self.iptables_v4 = iptables_v4
        self.iptables_v6 = iptables_v6
        self.decoded = decoded  # what the file decoded to (also when validation rejected it)
        self.previous = previous

    def to_json(self) -> dict:
        out = {
            "accepted": self.accepted,
            "error": self.error.message if self.error else None,
            "effective": self.effective.to_json(),
            "iptables_v4": self.iptables_v4,
            "iptables_v6": self.iptables_v6,
        }
        if self.previous is not None:
            out["previous"] = self.previous.to_json()
        return out


def apply(root_or_error: "JValue | AgentError | None", flags: AgentFlags, previous: SyncResult | None = None) -> SyncResult:
    """One loop of the agent for a config that was parsed to ``root_or_error``.

    ``None`` means the file does not exist (the ConfigMap or its ``config`` key is absent).
    On rejection the configuration in force is the previous one; at first start, the defaults
    with nothing written to iptables.
    """
    in_force = previous.effective if previous is not None and previous.accepted else (
        previous.effective if previous is not None else MasqConfig.defaults(flags)
    )
    if root_or_error is None:
        cfg = MasqConfig.defaults(flags)
        v4, v6 = iptables_payloads(cfg, flags)
        return SyncResult(True, None, cfg, v4, v6, cfg, previous)
    cfg = MasqConfig.defaults(flags)
    try:
        if isinstance(root_or_error, AgentError):
            raise root_or_error
        decode_value(root_or_error, cfg)
    except AgentError as err:
        return SyncResult(False, err, in_force, None, None, None, previous)
    try:
        validate(cfg, flags)
    except AgentError as err:
        return SyncResult(False, err, in_force, None, None, cfg, previous)
    v4, v6 = iptables_payloads(cfg, flags)
    return SyncResult(True, None, cfg, v4, v6, cfg, previous)
