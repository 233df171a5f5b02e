"""``masqlint render --target cilium|azure``: what Cilium's eBPF agent or AKS's ip-masq-agent-v2 programs.

``--format json`` prints, in the form the recorded agent cases use::

    {"target": "cilium"|"azure", "accepted": bool, "exits": bool, "error": str|null,
     "defaults_applied": bool, "effective": {...}, "nonmasq_v4": [...], "nonmasq_v6": [...], ...}

Cilium adds ``masked`` (entries whose host bits it cleared); Azure adds ``files_read``, the
``iptables_v4``/``iptables_v6`` payloads (RETURN rules sorted: the agent's own order is random) and
the POSTROUTING jump rules.

Inputs: Cilium reads one file (``--raw FILE``; a directory there is what the agent meets when the
path is a directory). Azure reads a directory: ``--raw DIR`` or several ``--raw FILE…`` named as
they sit in ``/etc/config``. Without ``--raw``: the manifests' ConfigMaps (Cilium: the
``ip-masq-agent`` ConfigMap's ``config`` key; Azure: every ``ip-masq*`` data key of every ConfigMap).
``--absent``: there is no config at all (Cilium: no file; Azure: no ``ip-masq*`` file).
"""

from __future__ import annotations

import json
import os

from masqlint.agent import azure, cilium
from masqlint.agent.model import AgentFlags
from masqlint.cli.inputs import config_bytes_from_manifest, read_input
from masqlint.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from masqlint.forms.manifest import iter_objects, parse_manifest
from masqlint.text.source import SourceFile, mapping_get, scalar
from masqlint.text.yamlload import MappingNode, ScalarNode


def _usage(msg: str):
    return UsageError(f"masqlint: {msg}")


def run(args) -> int:
    if args.target == "cilium":
        return _cilium(args)
    return _azure(args)


# --- Cilium ---------------------------------------------------------------------------------------


def _cilium_input(path: str | None, raw: bool, absent: bool):
    if absent:
        return None
    if path is None:
        raise _usage("render needs a FILE (or --absent)")
    if raw:
        if path != "-" and os.path.isdir(path):
            return cilium.DIRECTORY
        return read_input(path)
    return config_bytes_from_manifest(path, read_input(path))


def _cilium(args) -> int:
    files = list(args.file or [])
    if len(files) > 1:
        raise _usage("--target cilium reads one config file; give one FILE")
    prev = None
    if args.previous:
        prev = cilium.update(_cilium_input(args.previous, args.raw, False))
    res = cilium.update(_cilium_input(files[0] if files else None, args.raw, args.absent), prev)
    out = res.to_json()
    if args.format == "json":
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(cilium_text(res, out, files[0] if files else None))
    return EXIT_OK if res.accepted else EXIT_FINDINGS


def cilium_text(res, out: dict, path: str | None) -> str:
    lines = []
    if out["defaults_applied"]:
        lines.append("No config file, or a zero-byte one: Cilium uses its default ranges (every reserved range).")
    if res.accepted:
        lines.append("accepted: yes")
    else:
        lines.append("accepted: no — Cilium logs:")
        lines.append(f"  {res.error.message}")
        lines.append("  and keeps the map it had" if res.previous is not None else
                     "  and, at first start, programs nothing (not even link-local)")
    for m in out["masked"]:
        lines.append(f"host bits masked: {m['entry']} is programmed as {m['programmed']}")
    lines.append("")
    lines.append("non-masquerade map (longest prefix decides):")
    for key in ("nonmasq_v4", "nonmasq_v6"):
        lines.append(f"  {'IPv4' if key.endswith('v4') else 'IPv6'}: " + (", ".join(out[key]) if out[key] else "(none)"))
    if res.accepted and not res.state.defaults and not res.state.config_prefixes():
        lines.append("  (no range from the config: every pod destination but link-local is masqueraded)")
    lines.append(f"  masqLinkLocal: {str(out['effective']['masqLinkLocal']).lower()}, "
                 f"masqLinkLocalIPv6: {str(out['effective']['masqLinkLocalIPv6']).lower()}")
    return "\n".join(lines)


# --- Azure ----------------------------------------------------------------------------------------


def _azure_flags(args):
    return AgentFlags(nomasq_all_reserved_ranges=bool(args.nomasq_all_reserved_ranges), enable_ipv6=bool(args.enable_ipv6),
                      masq_chain=args.masq_chain or "IP-MASQ-AGENT", random_fully=False)


def azure_entries(paths: list[str], raw: bool, absent: bool):
    """The config directory the agent reads: a list of entries, or None when it is missing."""
    if absent:
        return []
    if not paths:
        raise _usage("render needs a config directory or FILEs (or --absent)")
    if raw:
        if len(paths) == 1 and paths[0] != "-" and (os.path.isdir(paths[0]) or not os.path.exists(paths[0])):
            return azure.read_dir(paths[0])  # a directory that does not exist is the agent's own fatal error
        entries = []
        for p in paths:
            if p != "-" and os.path.isdir(p):
                entries.append(azure.ConfigFile(os.path.basename(os.path.normpath(p)), None, "dir", p))
            else:
                name = "ip-masq-agent" if p == "-" else os.path.basename(p)
                entries.append(azure.ConfigFile(name, read_input(p), "file", p))
        return entries
    entries = []
    for p in paths:
        entries.extend(azure.ConfigFile(name, data, "file", p) for name, data in configmap_files(p, read_input(p)))
    if not entries:
        raise _usage(f"{', '.join(paths)}: no ConfigMap data key named ip-masq* (use --raw for the agent's files)")
    return entries


def configmap_files(path: str, data: bytes) -> list[tuple[str, bytes]]:
    """The files a ConfigMap volume puts in /etc/config: every ``ip-masq*`` data key of every ConfigMap."""
    sf = SourceFile.from_bytes(path, data)
    if sf.decode_error is not None:
        raise _usage(f"{path}:{sf.decode_error.line}:{sf.decode_error.column}: {sf.decode_error.message}")
    pf = parse_manifest(sf)
    if pf.yaml_error is not None:
        raise _usage(f"{path}: not valid YAML; use --raw for the agent's config files")
    out = []
    for doc in pf.documents:
        for obj in iter_objects(doc.root):
            if scalar((mapping_get(obj, "kind") or (None, None))[1]) != "ConfigMap":
                continue
            d = mapping_get(obj, "data")
            if not d or not isinstance(d[1], MappingNode):
                continue
            for k, v in d[1].value:
                if isinstance(k, ScalarNode) and k.value.startswith("ip-masq") and isinstance(v, ScalarNode):
                    out.append((k.value, v.value.encode("utf-8")))
    return out


def _azure(args) -> int:
    if args.previous:
        raise _usage("--previous: Azure's agent keeps nothing between resyncs (any error exits the process)")
    entries = azure_entries(list(args.file or []), args.raw, args.absent)
    res = azure.sync(entries, _azure_flags(args))
    out = res.to_json()
    if args.format == "json":
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(azure_text(res, out, (args.file or [None])[0] if args.raw else None))
    return EXIT_OK if res.accepted else EXIT_FINDINGS


def azure_text(res, out: dict, path: str | None = None) -> str:
    lines = []
    if not res.config_dir:
        lines.append(f"{path or 'the config directory'} does not exist: the agent meets a missing /etc/config like this.")
    if res.files_read:
        lines.append("files read (ip-masq*, by name): " + ", ".join(res.files_read))
    if out["defaults_applied"]:
        lines.append("No ip-masq* file: the agent uses its defaults.")
    if res.accepted:
        lines.append("accepted: yes")
    else:
        lines.append("accepted: no — the agent exits (status 255) and its pod restarts into the same error (crash loop):")
        lines.append(f"  {out['fatal_log']}")
        return "\n".join(lines)
    lines.append("")
    lines.append("merged configuration (lists unioned by exact text, booleans OR'd):")
    lines.append("  nonMasqueradeCIDRs: " + ("[]" if not res.cidrs else ""))
    lines.extend(f"    - {c}" for c in res.cidrs)
    lines.append(f"  masqLinkLocal: {str(res.masq_link_local).lower()}")
    lines.append(f"  masqLinkLocalIPv6: {str(res.masq_link_local_ipv6).lower()}")
    lines.append("")
    lines.append("iptables-restore (IPv4; the agent writes the RETURN rules in random order, shown sorted):")
    lines.extend("  " + ln for ln in res.iptables_v4.splitlines())
    if res.iptables_v6:
        lines.append("ip6tables-restore (IPv6):")
        lines.extend("  " + ln for ln in res.iptables_v6.splitlines())
    return "\n".join(lines)

