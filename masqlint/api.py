"""The library API: ``lint_text``, ``lint_paths`` and the agent model (``render``)."""

from __future__ import annotations

from typing import Iterable

from .agent.model import AgentFlags, SyncResult
from .findings import Finding, RunResult
from .settings import Settings, from_mapping


def _settings(config) -> Settings:
    if config is None:
        return Settings()
    if isinstance(config, Settings):
        return config
    if isinstance(config, dict):
        from .policy import validate_mapping

        validate_mapping(config, "<config>")
        return from_mapping(config)
    from .policy import load_settings_file

    return load_settings_file(str(config))


def lint_text(text: str | bytes, path: str = "<text>", config: Settings | dict | str | None = None,
              standalone: bool | None = None) -> list[Finding]:
    """Lint one document given as text (or bytes). ``config``: Settings, a settings mapping (as in
    .masqlint.yaml) or a path to a settings file. ``standalone=True`` reads the text as the agent's
    config file itself rather than as a manifest."""
    from .runner import lint_bytes

    data = text.encode("utf-8") if isinstance(text, str) else text
    settings = _settings(config)
    return lint_bytes(path, data, settings, standalone).findings


def lint_paths(paths: Iterable[str], config: Settings | dict | str | None = None, jobs: int = 1) -> RunResult:
    """Lint files and directories as `masqlint check` does (settings files are discovered
    per file unless ``config`` is given)."""
    from .discover import Candidate, discover
    from .runner import Options, run

    forced = _settings(config) if config is not None else None
    base = forced or Settings()
    cands = [c for c in discover(list(paths), exclude=base.exclude, standalone=base.standalone) if isinstance(c, Candidate)]
    result, _ = run(cands, Options(forced=forced, jobs=jobs))
    return result


def render(config: str | bytes | None, flags: AgentFlags | None = None, previous: str | bytes | None = None,
           target: str | None = None) -> SyncResult:
    """What the agent does with a config file's content (None: no config file).

    ``target="gke"`` uses GKE's flags; ``flags`` gives them explicitly.
    """
    from .agent.sync import sync_bytes
    from .targets import get_target

    if flags is None:
        flags = get_target(target).flags if target else AgentFlags()

    def b(x):
        return x.encode("utf-8") if isinstance(x, str) else x

    return sync_bytes(b(config), flags, b(previous))


__all__ = ["lint_text", "lint_paths", "render", "AgentFlags", "SyncResult", "Finding", "RunResult", "Settings"]
