"""Cilium's eBPF ip-masq-agent (``pkg/ipmasq``): what it programs for a config file.

Its read differs from the upstream agent's in ways the recorded cases show:

- the file goes through k8s ``util/yaml.ToJSON`` and ``encoding/json`` into a struct with only
  ``nonMasqueradeCIDRs`` (a list of its own ``Ipnet`` type), ``masqLinkLocal`` and
  ``masqLinkLocalIPv6``; ``cidrLimit`` and ``resyncInterval`` are unknown keys;
- each list item is parsed from its *raw JSON text* (``Ipnet.UnmarshalJSON``): a non-string item is
  "Invalid CIDR: <text>", and a JSON string written with escapes (``"10.0.0.0\\/8"``) keeps them;
- ``netip.ParsePrefix`` then ``Masked()``: host bits are cleared, ``/08`` is refused, IPv4-mapped
  IPv6 stays IPv6;
- the defaults are used only when the file is missing or has zero bytes;
- ``169.254.0.0/16`` and ``fe80::/10`` are added unless ``masqLinkLocal``/``masqLinkLocalIPv6``;
- on any error the map and flags stay as they were (empty at first start, not even link-local);
- the BPF map is a longest-prefix-match map: the most specific entry decides, file order does not.
"""

from __future__ import annotations

import os

from masqlint.agent.gonetip import NetipError, Prefix, go_quote, parse_prefix
from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString, JValue, kind_name
from masqlint.agent.load import DecodeError, Offset, decode_bytes, is_json_input, parse_agent_text
from masqlint.agent.model import RESERVED, RFC1918, AgentError, SyncResult, match_field
from masqlint.agent.goslice import GoStringSlice
from masqlint.agent.model import MasqConfig

DEFAULTS = RFC1918 + RESERVED  # Cilium's defaultNonMasqCIDRs: every reserved range
LINK_LOCAL_V4 = parse_prefix("169.254.0.0/16")
LINK_LOCAL_V6 = parse_prefix("fe80::/10")
CONFIG_PATH = "/etc/config/ip-masq-agent"  # --ip-masq-agent-config-path default


class Directory:
    """The configured path is a directory (``read …: is a directory``)."""

    __slots__ = ()


DIRECTORY = Directory()


class Entry:
    """One programmed entry of the config: the prefix in the map, the text written, where it came from."""

    __slots__ = ("prefix", "text", "origin", "index")

    def __init__(self, prefix: Prefix, text: str, origin, index: int) -> None:
        self.prefix, self.text, self.origin, self.index = prefix, text, origin, index

    @property
    def masked(self) -> bool:
        return str(self.prefix) != self.text


class State:
    """What the agent holds: the CIDRs from the config (or defaults) and its link-local flags."""

    __slots__ = ("entries", "masq_link_local", "masq_link_local_ipv6", "defaults", "origins")

    def __init__(self, entries=(), masq_link_local=False, masq_link_local_ipv6=False, defaults=False) -> None:
        self.entries: list[Entry] = list(entries)
        self.masq_link_local = masq_link_local
        self.masq_link_local_ipv6 = masq_link_local_ipv6
        self.defaults = defaults
        self.origins: dict = {}  # field name -> the JSON value that last set it

    def config_prefixes(self) -> list[Prefix]:
        seen: dict[Prefix, None] = {}
        for e in self.entries:
            seen.setdefault(e.prefix, None)
        return sorted(seen, key=Prefix.sort_key)

    def map_prefixes(self) -> list[Prefix]:
        """The BPF map's keys: config CIDRs plus the link-local ranges the agent adds itself."""
        out = set(self.config_prefixes())
        if not self.masq_link_local:
            out.add(LINK_LOCAL_V4)
        if not self.masq_link_local_ipv6:
            out.add(LINK_LOCAL_V6)
        return sorted(out, key=Prefix.sort_key)


class CiliumResult:
    __slots__ = ("accepted", "error", "state", "decoded", "previous", "programmed")

    def __init__(self, accepted: bool, error: AgentError | None, state: State, decoded: State | None,
                 previous: "CiliumResult | None", programmed: bool) -> None:
        self.accepted = accepted
        self.error = error
        self.state = state  # in force after this update
        self.decoded = decoded  # what the file decoded to (None when the read failed)
        self.previous = previous
        self.programmed = programmed  # the map holds something (False: rejected at first start)

    @property
    def defaults_applied(self) -> bool:
        return self.accepted and self.state.defaults

    def nonmasq(self) -> list[Prefix]:
        return self.state.map_prefixes() if self.programmed else []

    def to_json(self) -> dict:
        pre = self.nonmasq()
        return {
            "target": "cilium",
            "accepted": self.accepted,
            "exits": False,
            "error": self.error.message if self.error else None,
            "defaults_applied": self.defaults_applied,
            "effective": {
                "nonMasqueradeCIDRs": [str(p) for p in self.state.config_prefixes()] if self.programmed else [],
                "masqLinkLocal": self.state.masq_link_local,
                "masqLinkLocalIPv6": self.state.masq_link_local_ipv6,
            },
            "nonmasq_v4": [str(p) for p in pre if p.is4],
            "nonmasq_v6": [str(p) for p in pre if not p.is4],
            "masked": [{"entry": e.text, "programmed": str(e.prefix)} for e in (self.decoded.entries if self.decoded else ())
                       if e.masked],
        }


# --- reading the file ---------------------------------------------------------------------------


def read_path(path: str):
    """What ``os.ReadFile`` gives the agent at ``path``: bytes, None (no such file) or DIRECTORY."""
    if os.path.isdir(path):
        return DIRECTORY
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _fail(kind: str, err: AgentError) -> AgentError:
    prefix = "Failed to convert to json: " if kind == "convert" else "Failed to de-serialize json: "
    out = AgentError(prefix + err.message, err.kind, err.origin, err.field, err.index)
    out.__dict__.update({k: v for k, v in err.__dict__.items() if k not in out.__dict__})
    return out


def parse(data: bytes) -> tuple[JValue | AgentError, bool, str]:
    """(the value encoding/json sees or the error, JSON input?, the text)."""
    try:
        text = decode_bytes(data).text
    except DecodeError as e:
        return _fail("convert", AgentError(f"yaml: {e.message}", "encoding", Offset(e.offset, e.offset + 1))), False, ""
    json_input = is_json_input(data)
    root = parse_agent_text(text, json_input)
    if isinstance(root, AgentError):
        return _fail("convert" if root.kind in ("yaml", "encoding") else "de-serialize", root), json_input, text
    return root, json_input, text


def decode(root: JValue, json_input: bool, text: str, collect: list | None = None) -> State:
    """json.Unmarshal into Cilium's config struct. Raises the AgentError Cilium returns; with
    ``collect``, type errors are appended there and decoding goes on (an Ipnet error still stops it)."""
    state = State()
    saved: list[AgentError] = []
    if isinstance(root, JNull):
        return state
    if not isinstance(root, JObject):
        raise _fail("de-serialize", AgentError(
            f"json: cannot unmarshal {kind_name(root)} into Go value of type ipmasq.config", "type", root))
    for key, value, _korigin in root.members:
        name = match_field(key)
        if name in ("nonMasqueradeCIDRs", "masqLinkLocal", "masqLinkLocalIPv6"):
            state.origins[name] = value
        if name == "nonMasqueradeCIDRs":
            if isinstance(value, JNull):
                state.entries = []
            elif isinstance(value, JArray):
                state.entries = [_ipnet(item, i, json_input, text) for i, item in enumerate(value.items)]
            else:
                saved.append(_type_error(value, name, "[]ipmasq.Ipnet"))
        elif name in ("masqLinkLocal", "masqLinkLocalIPv6"):
            if isinstance(value, JBool):
                setattr(state, "masq_link_local" if name == "masqLinkLocal" else "masq_link_local_ipv6", value.value)
            elif not isinstance(value, JNull):
                saved.append(_type_error(value, name, "bool"))
    if collect is not None:
        collect.extend(saved)
    elif saved:
        raise saved[0]
    return state


def _type_error(v: JValue, field: str, go_type: str) -> AgentError:
    return _fail("de-serialize", AgentError(
        f"json: cannot unmarshal {kind_name(v)} into Go struct field config.{field} of type {go_type}",
        "type", v, field))


def raw_json(v: JValue, json_input: bool, text: str) -> str:
    """The bytes encoding/json hands to UnmarshalJSON for ``v``: the text as written for JSON input,
    json.Marshal's output for YAML input (sigs.k8s.io/yaml re-encodes it)."""
    if json_input and isinstance(v.origin, Offset):
        return text[v.origin.start:v.origin.end]
    return go_marshal(v)


def _ipnet(item: JValue, index: int, json_input: bool, text: str) -> Entry:
    raw = raw_json(item, json_input, text)
    if not raw.startswith('"'):
        raise _fail("de-serialize", AgentError(f"Invalid CIDR: {raw}", "validate", item, "nonMasqueradeCIDRs", index))
    s = raw.strip('"')
    try:
        p = parse_prefix(s)
    except NetipError as e:
        raise _fail("de-serialize", AgentError(f"Invalid CIDR {go_quote(s)}: {e.message}", "validate", item,
                                               "nonMasqueradeCIDRs", index)) from None
    return Entry(p.masked(), s, item, index)


_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
              '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def go_marshal_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _HTML_SAFE:
            out.append(_HTML_SAFE[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_marshal(v: JValue) -> str:
    """json.Marshal of the value sigs.k8s.io/yaml built from YAML (compact, HTML-escaped)."""
    if isinstance(v, JString):
        return go_marshal_string(v.value)
    if isinstance(v, JNumber):
        return v.text
    if isinstance(v, JBool):
        return "true" if v.value else "false"
    if isinstance(v, JArray):
        return "[" + ",".join(go_marshal(x) for x in v.items) + "]"
    if isinstance(v, JObject):
        return "{" + ",".join(go_marshal_string(k) + ":" + go_marshal(x) for k, x, _ in v.members) + "}"
    return "null"


# --- one update -----------------------------------------------------------------------------------


def defaults_state() -> State:
    return State([Entry(parse_prefix(c), c, None, i) for i, c in enumerate(DEFAULTS)], defaults=True)


def update(data, previous: CiliumResult | None = None, config_path: str = CONFIG_PATH) -> CiliumResult:
    """One ``Update()`` of the agent: ``data`` is the file's bytes, None (no file) or DIRECTORY.

    ``previous`` is the result of the update before, on the same running agent.
    """
    def rejected(err: AgentError) -> CiliumResult:
        if previous is not None:
            return CiliumResult(False, err, previous.state, None, previous, previous.programmed)
        return CiliumResult(False, err, State(), None, None, False)

    if data is None or (isinstance(data, (bytes, bytearray)) and len(data) == 0):
        st = defaults_state()
        return CiliumResult(True, None, st, st, previous, True)
    if isinstance(data, Directory):
        return rejected(AgentError(f"Failed to read {config_path}: read {config_path}: is a directory", "read"))
    root, json_input, text = parse(bytes(data))
    if isinstance(root, AgentError):
        return rejected(root)
    try:
        st = decode(root, json_input, text)
    except AgentError as err:
        return rejected(err)
    return CiliumResult(True, None, st, st, previous, True)


# --- as the shared sync result (rules, trace and diff read that) --------------------------------


def to_masq_config(state: State):
    """The state as the MasqConfig rules read: entries as programmed (masked), each with its origin."""
    sl = GoStringSlice.of([str(e.prefix) for e in state.entries])
    for i, e in enumerate(state.entries):
        sl.origins[i] = e.origin
    cfg = MasqConfig(sl)
    cfg.masq_link_local, cfg.masq_link_local_ipv6 = state.masq_link_local, state.masq_link_local_ipv6
    cfg.origins.update(state.origins)
    return cfg


def sync_result(root_or_error, empty: bool, previous, text: str | None, json_input: bool, flags=None):
    """Cilium's update on an already parsed config, as a ``model.SyncResult`` (no iptables).

    On rejection the configuration in force is the previous one, or, at first start, an empty map
    (not even link-local: the update stops before adding it)."""
    if root_or_error is None or empty:
        cfg = to_masq_config(defaults_state())
        return SyncResult(True, None, cfg, None, None, cfg, previous)
    in_force = previous.effective if previous is not None else to_masq_config(State((), True, True))
    if isinstance(root_or_error, AgentError):
        kind = "convert" if root_or_error.kind in ("yaml", "encoding") else "de-serialize"
        return SyncResult(False, _fail(kind, root_or_error), in_force, None, None, None, previous)
    try:
        st = decode(root_or_error, json_input, text or "")
    except AgentError as err:
        return SyncResult(False, err, in_force, None, None, None, previous)
    cfg = to_masq_config(st)
    return SyncResult(True, None, cfg, None, None, cfg, previous)


def read_item(item: JValue, json_input: bool, text: str | None) -> tuple[str, Prefix | None, str | None]:
    """One list item as Cilium reads it: (the raw text it parses, the prefix it programs or None,
    Cilium's error or None). For linters, which look at every item even after the first bad one."""
    raw = raw_json(item, json_input and text is not None, text or "")
    try:
        entry = _ipnet(item, 0, json_input and text is not None, text or "")
    except AgentError as err:
        return raw.strip('"'), None, err.message
    return entry.text, entry.prefix, None


def decoded_text(item: JValue) -> str | None:
    """What a JSON string item means once its escapes are decoded (None for other items)."""
    return item.value if isinstance(item, JString) else None
