"""The library API: ``lint_text``, ``lint_paths`` and the agent model (``render``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Union

from masqlint.agent.azure import AzureResult
from masqlint.agent.cilium import CiliumResult
from masqlint.agent.model import AgentFlags, SyncResult
from masqlint.agent.sync import sync_bytes
from masqlint.agent.targets import get_target
from masqlint.config.loader import load_settings_file, validate_mapping
from masqlint.config.settings import Settings, from_mapping
from masqlint.engine.findings import Finding, RunResult
from masqlint.pipeline.discover import Candidate
from masqlint.pipeline.runner import NO_CONFIG, Options, Prepared, lint_prepared, prepare, run, walk
from masqlint.agent import cilium
from masqlint.agent import azure

#: What ``config=`` accepts: Settings, a mapping as in ``.masqlint.yaml``, or the path of a settings file.
ConfigArg = Union[Settings, Mapping[str, Any], str, os.PathLike[str], None]


def _settings(config: ConfigArg) -> Settings:
    if config is None:
        return Settings()
    if isinstance(config, Settings):
        return config
    if isinstance(config, Mapping):
        data = dict(config)
        validate_mapping(data, "<config>")
        return from_mapping(data)
    return load_settings_file(os.fspath(config))


def lint_text(text: str | bytes, path: str = "<text>", config: ConfigArg = None,
              standalone: bool | None = None) -> list[Finding]:
    """Lint one document given as text (or bytes), as `masqlint check` lints a file at ``path``.

    ``config``: Settings, a settings mapping (as in .masqlint.yaml) or the path of a settings file;
    None: built-in defaults. ``standalone=True`` reads the text as the agent's config file itself
    rather than as a manifest; None decides as the command line does (by ``path`` and content).
    Raises ``masqlint.config.loader.ConfigError`` for invalid settings.
    """
    p = _prepared(text, path, config, standalone)
    if p.outcome is not None:
        return p.outcome.result.findings
    if p.data is None:
        return []
    result = lint_prepared(p)
    return result.findings + [f for r in result.related for f in r.findings]


def _prepared(text: str | bytes, path: str, config: ConfigArg, standalone: bool | None) -> Prepared:
    data = text.encode("utf-8") if isinstance(text, str) else text
    p = prepare(path, None, Options(), data=data, settings=_settings(config))
    if standalone and p.skipped == NO_CONFIG:  # named an agent config file by the caller: no prefilter
        return Prepared(path, None, p.settings, data, True)
    if standalone is not None and p.data is not None:
        p.standalone = standalone
    return p


def lint_paths(paths: Iterable[str | os.PathLike[str]], config: ConfigArg = None, jobs: int = 1) -> RunResult:
    """Lint files and directories as `masqlint check` does (settings files are discovered
    per file unless ``config`` is given). Paths that cannot be read are left out."""
    opts = Options(forced=_settings(config) if config is not None else None, jobs=jobs)
    cands = [c for c in walk([os.fspath(p) for p in paths], opts) if isinstance(c, Candidate)]
    result, _ = run(cands, opts)
    return result


def render(config: str | bytes | None, flags: AgentFlags | None = None, previous: str | bytes | None = None,
           target: str | None = None) -> Union[SyncResult, CiliumResult, AzureResult]:
    """What the agent does with a config file's content (None: no config file).

    ``target="gke"`` uses GKE's flags; ``flags`` gives them explicitly. ``target="cilium"`` returns
    Cilium's result (``agent.cilium.CiliumResult``), ``target="azure"`` the result of ip-masq-agent-v2
    reading the content as its one file ``/etc/config/ip-masq-agent`` (``agent.azure.AzureResult``;
    ``agent.azure.sync_named`` reads several). Every result has ``accepted``, ``error`` and ``to_json()``.
    """
    def b(x: str | bytes | None) -> bytes | None:
        return x.encode("utf-8") if isinstance(x, str) else x

    if target == "cilium":
        prev = cilium.update(b(previous)) if previous is not None else None
        return cilium.update(b(config), prev)
    if flags is None:
        flags = get_target(target).flags if target else AgentFlags()
    if target == "azure":
        data = b(config)
        return azure.sync_named([] if data is None else [("ip-masq-agent", data)], flags)
    return sync_bytes(b(config), flags, b(previous))


def trace(text: str | bytes, dst: str, path: str = "<text>", config: ConfigArg = None,
          standalone: bool | None = None) -> list[dict]:
    """For each ip-masq-agent configuration in ``text``: is a pod's traffic to ``dst`` (an IP or
    CIDR) masqueraded, and which entry decides. Returns what ``masqlint trace --format json``
    prints under ``results``: ``{"path", "dst", "parts": [{"cidr", "masquerade", "reason",
    "entry", "line"}]}``."""
    from masqlint.cli.trace import trace_unit, units_of  # noqa: PLC0415 - lazy: the command line's modules

    p = _prepared(text, path, config, standalone)
    return [trace_unit(u, dst).to_json() for u in units_of(p)]


__all__ = ["lint_text", "lint_paths", "render", "trace", "ConfigArg", "AgentFlags", "SyncResult", "Finding", "RunResult", "Settings"]
