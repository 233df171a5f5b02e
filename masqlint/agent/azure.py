"""Azure's ip-masq-agent-v2 (AKS): what it programs for a config *directory*.

The agent reads ``/etc/config/`` (``os.ReadDir``, sorted by name) and takes every entry whose name
starts with ``ip-masq`` (case-sensitive: ``ip-masq-agent.yaml~`` counts, ``IP-MASQ-AGENT`` does not).
Each file goes through k8s ``util/yaml.ToJSON`` and ``encoding/json`` into an *empty* config (no
defaults, no ``cidrLimit``/``resyncInterval`` keys) and is validated on its own: at most 64 entries,
counted before duplicates go, each parsed by ``net.ParseCIDR`` and aligned, IPv6 only with
``--enable-ipv6`` (an IPv4-mapped ``::ffff:a.b.c.d/n`` counts as IPv4). The lists are then unioned,
duplicates removed by exact text (``fd00::/8`` and ``FD00::/8`` both stay), the booleans OR'd; there is
no limit on the total. The defaults are used only when no ``ip-masq*`` entry exists at all.

Any error, in any file, is returned to the resync loop and the agent exits (``klog.Fatalf``, status
255): it keeps nothing, and the pod restarts into the same error (a crash loop). A missing directory
and an ``ip-masq*`` entry that cannot be read (a subdirectory, a dangling link) are errors too.

The RETURN rules come from a Go map, so their order changes from run to run; the model lists them
sorted (order never matters for what they match: every rule is a RETURN).
"""

from __future__ import annotations

import os

from masqlint.agent.load import DecodeError, decode_bytes, is_json_input, parse_agent_text
from masqlint.agent.goslice import GoStringSlice
from masqlint.agent.model import MASQ_COMMENT, NON_MASQ_COMMENT, AgentError, AgentFlags, MasqConfig, decode_value, is_ipv6_cidr, validate

CONFIG_DIR = "/etc/config/"
PREFIX = "ip-masq"
PER_FILE_LIMIT = 64
IGNORED_KEYS = ("cidrLimit", "resyncInterval")
POSTROUTING_COMMENT = ('"ip-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom '
                       '{chain} chain"')


class ConfigFile:
    """One entry of the config directory as the agent meets it.

    ``data``: the bytes (a regular file, or a link to one); None with ``kind`` "dir" (a directory, or a
    link to one) or "dangling" (a link to nothing).
    """

    __slots__ = ("name", "data", "kind", "source")

    def __init__(self, name: str, data: bytes | None, kind: str = "file", source=None) -> None:
        self.name, self.data, self.kind, self.source = name, data, kind, source

    @property
    def read(self) -> bool:
        return self.name.startswith(PREFIX)


class FileRead:
    """What one ``ip-masq*`` file decoded to (``config`` is None when it could not be decoded)."""

    __slots__ = ("file", "config", "error")

    def __init__(self, file: ConfigFile, config: MasqConfig | None, error: AgentError | None) -> None:
        self.file, self.config, self.error = file, config, error


class AzureResult:
    __slots__ = ("flags", "accepted", "error", "failed_file", "files", "files_read", "cidrs", "masq_link_local",
                 "masq_link_local_ipv6", "defaults_applied", "iptables_v4", "iptables_v6", "config_dir")

    def __init__(self, flags: AgentFlags) -> None:
        self.flags = flags
        self.accepted = False
        self.error: AgentError | None = None
        self.failed_file: str | None = None
        self.files: list[FileRead] = []
        self.files_read: list[str] = []
        self.cidrs: list[str] = []  # the union, in first-seen order
        self.masq_link_local = False
        self.masq_link_local_ipv6 = False
        self.defaults_applied = False
        self.iptables_v4: str | None = None
        self.iptables_v6: str | None = None
        self.config_dir = True

    @property
    def exits(self) -> bool:
        return not self.accepted

    def nonmasq(self, ipv6: bool) -> list[str] | None:
        if not self.accepted:
            return None
        return sorted(c for c in self.cidrs if is_ipv6_cidr(c) == ipv6)

    def effective(self) -> MasqConfig:
        cfg = MasqConfig(GoStringSlice.of(list(self.cidrs)) if self.cidrs else GoStringSlice())
        cfg.masq_link_local = self.masq_link_local
        cfg.masq_link_local_ipv6 = self.masq_link_local_ipv6
        return cfg

    def to_json(self) -> dict:
        chain = self.flags.masq_chain
        return {
            "target": "azure",
            "accepted": self.accepted,
            "exits": self.exits,
            "error": self.error.message if self.error else None,
            "fatal_log": f"the daemon encountered an error: error syncing configuration: {self.error.message}"
            if self.error else None,
            "files_read": list(self.files_read),
            "defaults_applied": self.defaults_applied,
            "effective": {
                "nonMasqueradeCIDRs": list(self.cidrs) if self.accepted else None,
                "masqLinkLocal": self.masq_link_local if self.accepted else None,
                "masqLinkLocalIPv6": self.masq_link_local_ipv6 if self.accepted else None,
            },
            "nonmasq_v4": self.nonmasq(False),
            "nonmasq_v6": self.nonmasq(True),
            "iptables_v4": self.iptables_v4,
            "iptables_v6": self.iptables_v6,
            "postrouting_rule_v4": postrouting_rule(chain) if self.accepted else None,
            "postrouting_rule_v6": postrouting_rule(chain) if self.accepted and self.flags.enable_ipv6 else None,
        }


def postrouting_rule(chain: str) -> list[str]:
    return ["-A", "nat", "POSTROUTING", "-m", "comment", "--comment", POSTROUTING_COMMENT.format(chain=chain),
            "-m", "addrtype", "!", "--dst-type", "LOCAL", "-j", chain]


# --- the directory --------------------------------------------------------------------------------


def read_dir(path: str) -> list[ConfigFile] | None:
    """The entries of a config directory as the agent sees them (None: the directory does not exist).
    Only ``ip-masq*`` entries are read; links are followed as ``os.ReadFile`` follows them."""
    try:
        names = sorted(os.listdir(path))
    except FileNotFoundError:
        return None
    out = []
    for name in names:
        full = os.path.join(path, name)
        if not name.startswith(PREFIX):
            out.append(ConfigFile(name, None, "other", full))
        elif os.path.isdir(full):
            out.append(ConfigFile(name, None, "dir", full))
        elif not os.path.exists(full):
            out.append(ConfigFile(name, None, "dangling", full))
        else:
            with open(full, "rb") as fh:
                out.append(ConfigFile(name, fh.read(), "file", full))
    return out


def decode_file(f: ConfigFile, flags: AgentFlags) -> FileRead:
    """One file, read, converted, decoded and validated on its own."""
    where = CONFIG_DIR + f.name
    if f.kind == "dir":
        return FileRead(f, None, AgentError(f'failed to read config file "{f.name}", error: read {where}: is a directory', "read"))
    if f.kind == "dangling" or f.data is None:
        return FileRead(f, None, AgentError(
            f'failed to read config file "{f.name}", error: open {where}: no such file or directory', "read"))
    try:
        text = decode_bytes(f.data).text
    except DecodeError as e:
        return FileRead(f, None, _wrap(f.name, AgentError(f"yaml: {e.message}", "encoding", None)))
    root = parse_agent_text(text, is_json_input(f.data))
    if isinstance(root, AgentError):
        return FileRead(f, None, _wrap(f.name, root))
    cfg = MasqConfig(GoStringSlice())
    try:
        decode_value(root, cfg, skip=IGNORED_KEYS)
    except AgentError as err:
        return FileRead(f, None, _wrap(f.name, err))
    try:
        validate(cfg, flags, limit=PER_FILE_LIMIT)
    except AgentError as err:
        return FileRead(f, cfg, _wrap(f.name, err))
    return FileRead(f, cfg, None)


def _wrap(name: str, err: AgentError) -> AgentError:
    if err.kind in ("yaml", "encoding"):
        msg = f'failed to convert config file "{name}" to JSON, error: {err.message}'
    elif err.kind in ("json", "type", "duration"):
        msg = f'failed to unmarshal config file "{name}", error: {err.message}'
    else:
        msg = f'config file "{name}" is invalid: {err.message}'
    return AgentError(msg, err.kind, err.origin, err.field, err.index)


def sync(entries: list[ConfigFile] | None, flags: AgentFlags, stop_at_error: bool = True) -> AzureResult:
    """One resync of the agent over a directory's entries (None: the directory is missing).

    With ``stop_at_error=False`` every file is decoded (a linter reports each bad file); the
    result is the same, the agent stops at the first.
    """
    res = AzureResult(flags)
    if entries is None:
        res.config_dir = False
        res.error = AgentError(f"failed to read config directory, error: open {CONFIG_DIR}: no such file or directory", "read")
        return res
    files = sorted((f for f in entries if f.read), key=lambda f: f.name)
    seen: dict[str, None] = {}
    for f in files:
        fr = decode_file(f, flags)
        res.files.append(fr)
        if res.error is None:
            res.files_read.append(f.name)
        if fr.error is not None:
            if res.error is None:
                res.error, res.failed_file = fr.error, f.name
            if stop_at_error:
                break
            continue
        if res.error is not None:
            continue
        cfg = fr.config
        assert cfg is not None  # a file without an error was decoded
        for c in cfg.non_masquerade_cidrs or []:
            seen.setdefault(c, None)
        res.masq_link_local = res.masq_link_local or cfg.masq_link_local
        res.masq_link_local_ipv6 = res.masq_link_local_ipv6 or cfg.masq_link_local_ipv6
    if res.error is not None:
        res.masq_link_local = res.masq_link_local_ipv6 = False
        return res
    if not files:
        res.defaults_applied = True
        seen = dict.fromkeys(flags.default_cidrs())
    res.cidrs = list(seen)
    res.accepted = True
    res.iptables_v4, res.iptables_v6 = payloads(res.cidrs, res.masq_link_local, res.masq_link_local_ipv6, flags)
    return res


def sync_named(texts: list[tuple[str, bytes]], flags: AgentFlags | None = None, stop_at_error: bool = False) -> AzureResult:
    """The agent over several named config texts mounted side by side in /etc/config (for AKS, the keys
    of ``azure-ip-masq-agent-config`` and of its ``-reconciled`` copy). Names that do not start with
    ``ip-masq`` are not read; two texts under one name: the later one is what the directory holds."""
    by_name = {name: ConfigFile(name, data) for name, data in texts}
    return sync(list(by_name.values()), flags or AgentFlags(), stop_at_error=stop_at_error)


def payloads(cidrs: list[str], masq_ll: bool, masq_ll6: bool, flags: AgentFlags) -> tuple[str, str | None]:
    chain = flags.masq_chain

    def one(ipv6: bool, masq: bool, link_local: str) -> str:
        lines = ["*nat", f":{chain} - [0:0]"]
        if not masq:
            lines.append(f"-A {chain} {NON_MASQ_COMMENT} -d {link_local} -j RETURN")
        for c in sorted(c for c in cidrs if is_ipv6_cidr(c) == ipv6):
            lines.append(f"-A {chain} {NON_MASQ_COMMENT} -d {c} -j RETURN")
        lines.append(f"-A {chain} {MASQ_COMMENT} -j MASQUERADE")
        lines.append("COMMIT")
        return "\n".join(lines) + "\n"

    return one(False, masq_ll, "169.254.0.0/16"), (one(True, masq_ll6, "fe80::/10") if flags.enable_ipv6 else None)
