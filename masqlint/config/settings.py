"""masqlint's own settings: defaults, ``.masqlint.yaml`` / ``[tool.masqlint]``, scopes, CLI overrides."""

from __future__ import annotations

import fnmatch
import os
import re

from masqlint.engine.findings import Severity
from masqlint.config.globs import could_match_relpath, posix_match, posix_name, required_literal
from masqlint.record import Record

DEFAULT_STANDALONE_GLOBS = (
    "**/ip-masq-agent",
    "**/ip-masq-agent.conf",
    "**/ip-masq-agent.config",
    "**/ip-masq-agent-config",
    "**/ip-masq-agent-config.yaml",
    "**/ip-masq-agent-config.yml",
    "**/ip-masq-agent-config.json",
)
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
DEFAULT_TARGET = "gke"


class Destination(Record):
    __slots__ = ("cidr", "name")

    def __init__(self, cidr: str, name: str = ""):
        self.cidr = cidr
        self.name = name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.cidr})" if self.name else self.cidr


class Scope(Record):
    __slots__ = ("files", "overrides")
    _fields = ("files",)  # the overrides (a dict) are not part of the value

    def __init__(self, files: tuple[str, ...], overrides: dict | None = None):
        self.files = files
        self.overrides = {} if overrides is None else overrides


class Settings(Record):
    """Resolved settings for a file; treated as immutable (``merged`` and ``replace`` make new ones)."""

    __slots__ = ("target", "agent_flags", "select", "ignore", "extend_select", "severity", "fail_on", "exclude",
                 "standalone", "max_file_size", "must_masquerade", "must_not_masquerade", "allow_dropped_defaults",
                 "scopes", "baseline", "cluster", "cluster_name", "explicit_target", "disabled_forms", "config_path",
                 "config_root", "_memo")
    # the dicts (agent flags, severity overrides) and the memo of derived values are not part of the value
    _fields = ("target", "select", "ignore", "extend_select", "fail_on", "exclude", "standalone", "max_file_size",
               "must_masquerade", "must_not_masquerade", "allow_dropped_defaults", "scopes", "baseline", "cluster",
               "cluster_name",
               "explicit_target", "disabled_forms", "config_path", "config_root")

    def __init__(self, target: str = DEFAULT_TARGET, agent_flags: dict | None = None, select: tuple[str, ...] = ("ALL",),
                 ignore: tuple[str, ...] = (), extend_select: tuple[str, ...] = (), severity: dict | None = None,
                 fail_on: Severity = Severity.WARNING, exclude: tuple[str, ...] = (),
                 standalone: tuple[str, ...] = DEFAULT_STANDALONE_GLOBS, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
                 must_masquerade: tuple[Destination, ...] = (), must_not_masquerade: tuple[Destination, ...] = (),
                 allow_dropped_defaults: tuple[str, ...] = (), scopes: tuple[Scope, ...] = (),
                 baseline: str | None = None, cluster: str | None = None, cluster_name: str | None = None,
                 explicit_target: bool = False,
                 disabled_forms: frozenset = frozenset(), config_path: str | None = None, config_root: str | None = None):
        # unless set (explicit_target), each config's form and surroundings decide (forms.consumers), else this
        self.target = target
        self.agent_flags = {} if agent_flags is None else agent_flags
        self.select = select
        self.ignore = ignore
        self.extend_select = extend_select
        self.severity = {} if severity is None else severity  # rule id/name -> Severity
        self.fail_on = fail_on
        self.exclude = exclude
        self.standalone = standalone
        self.max_file_size = max_file_size
        self.must_masquerade = must_masquerade
        self.must_not_masquerade = must_not_masquerade
        self.allow_dropped_defaults = allow_dropped_defaults
        self.scopes = scopes
        self.baseline = baseline  # as written in the settings (relative to config_root)
        self.cluster = cluster  # a cluster description (gcloud JSON/YAML or Terraform), relative to config_root
        self.cluster_name = cluster_name  # which cluster of a file that describes several
        self.explicit_target = explicit_target  # `target` was written in settings or on the command line
        # forms turned off by settings (``forms: {terraform: false}``); every form is read by default
        self.disabled_forms = disabled_forms
        self.config_path = config_path  # where these settings came from
        self.config_root = config_root  # directory scope globs are relative to
        self._memo: dict | None = None  # values derived from these settings (see memo())

    def replace(self, **changes) -> "Settings":
        new = super().replace(**changes)
        new._memo = None
        return new

    def __getstate__(self):
        """Pickled (to and from worker processes) without the memo: it is derived, and may hold functions."""
        return None, {n: getattr(self, n) for n in self._all_slots() if n != "_memo"}

    def __setstate__(self, state) -> None:
        for n, v in state[1].items():
            object.__setattr__(self, n, v)
        self._memo = None

    def memo(self) -> dict:
        """A per-settings cache for values derived from them alone (the selected rules, ...)."""
        if self._memo is None:
            self._memo = {}
        return self._memo

    def cluster_facts(self):
        """The facts of the cluster these settings name (``config.cluster.ClusterFacts``), or None."""
        if not self.cluster:
            return None

        from masqlint.config.cluster import load_cluster  # noqa: PLC0415 - lazy: cluster facts only when settings name a cluster

        return load_cluster(os.path.join(self.config_root or os.getcwd(), self.cluster), self.cluster_name,
                            self.config_path)

    @property
    def effective_target(self) -> str:
        """The target, as the cluster's facts correct it: an Autopilot cluster is ``gke-autopilot``."""
        facts = self.cluster_facts()
        if facts is not None and facts.autopilot is not None:
            if facts.autopilot:
                return "gke-autopilot"
            if self.target == "gke-autopilot":
                return "gke"
        return self.target

    @property
    def target_known(self) -> bool:
        """Is the kind of cluster known (set in settings or learnt from cluster facts), not just the default?"""
        if self.explicit_target:
            return True
        facts = self.cluster_facts()
        return facts is not None and facts.autopilot is not None

    def target_model(self, hint: str | None = None):
        """The target agent: the one settings name (or cluster facts establish), else ``hint`` (what a
        config's form and surroundings say: forms.consumers), else the default, gke."""
        from masqlint.agent.targets import get_target  # noqa: PLC0415 - lazy: the agent model only when a target is asked for

        t = get_target(hint if hint and not self.target_known else self.effective_target)
        flags = {k.replace("-", "_"): v for k, v in (self.agent_flags or {}).items()}
        return t.with_flags(**flags) if flags else t

    def for_file(self, relpath: str) -> "Settings":
        """These settings with every scope whose ``files`` globs match ``relpath`` applied in order."""
        out = self
        for scope in self.scopes:
            if any(glob_match(relpath, g) for g in scope.files):
                out = out.merged(scope.overrides)
        return out

    def merged(self, mapping: dict) -> "Settings":
        return self.replace(**_fields_from_mapping(mapping, base=self))


_DEFAULTS: list[Settings] = []


def defaults() -> Settings:
    """The built-in settings: one instance for every file they apply to (settings are never changed in
    place), so that what is derived from them, such as the rules they select, is worked out once."""
    if not _DEFAULTS:
        _DEFAULTS.append(Settings())
    return _DEFAULTS[0]


def glob_match(path: str, pattern: str) -> bool:
    """Glob with ``**`` spanning directories; a pattern without ``/`` matches the base name too."""
    lit = required_literal(pattern)
    if lit is not None and lit not in path:
        return False  # cheap rejection; see globs.py
    if "/" not in pattern.strip("/") and fnmatch.fnmatchcase(posix_name(path), pattern):
        return True
    if posix_match(path, pattern) or fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/"):
        return glob_match(path, pattern[3:])
    if "**" in pattern:
        rx = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.fullmatch(rx, path) is not None
    return False


def path_matches(globs, absolute: str | None, given: str, bases=()) -> bool:
    """Does one of ``globs`` name this file? A glob is matched against the path as given and
    against the path relative to each of ``bases`` (the settings file's directory, the working
    directory). ``absolute`` (normalised) is None for a buffer with no file behind it."""
    if not globs:
        return False
    if given == absolute and not could_match_relpath(absolute, globs):
        return False  # a walked file's path: no glob's literal is in it, nor in any path relative to it
    given = given.replace(os.sep, "/")
    if any(glob_match(given, g) for g in globs):
        return True
    if absolute is None or not could_match_relpath(absolute, globs):
        return False
    for base in bases:
        if not base:
            continue
        try:
            rel = os.path.relpath(absolute, base).replace(os.sep, "/")
        except ValueError:  # another drive
            continue
        if rel != given and any(glob_match(rel, g) for g in globs):
            return True
    return False


def _dests(items) -> tuple[Destination, ...]:
    out = []
    for it in items or ():
        if isinstance(it, str):
            out.append(Destination(it))
        else:
            out.append(Destination(str(it["cidr"]), str(it.get("name", ""))))
    return tuple(out)


def _fields_from_mapping(m: dict, base: Settings | None = None) -> dict:
    """Settings keys (kebab-case, as in .masqlint.yaml) → dataclass fields."""
    out: dict = {}
    for key, value in (m or {}).items():
        k = key.replace("-", "_")
        if k == "target":
            out["target"] = str(value)
            out["explicit_target"] = True
        elif k == "cluster":
            if isinstance(value, dict):
                out["cluster"] = str(value.get("file")) if value.get("file") else None
                out["cluster_name"] = str(value["name"]) if value.get("name") else None
            else:
                out["cluster"] = str(value) if value else None
                out["cluster_name"] = None
        elif k == "cluster_name":
            out["cluster_name"] = str(value) if value else None
        elif k == "agent_flags":
            merged = dict(base.agent_flags) if base else {}
            merged.update(value or {})
            out["agent_flags"] = merged
        elif k in ("select", "ignore", "extend_select", "exclude", "allow_dropped_defaults", "standalone"):
            out[k] = tuple(str(v) for v in (value or ()))
        elif k == "extend_ignore":
            out["ignore"] = tuple((base.ignore if base else ())) + tuple(str(v) for v in value or ())
        elif k == "severity":
            merged = dict(base.severity) if base else {}
            merged.update({str(r): Severity.parse(str(s)) for r, s in (value or {}).items()})
            out["severity"] = merged
        elif k == "fail_on":
            out["fail_on"] = Severity.parse(str(value))
        elif k == "max_file_size":
            out["max_file_size"] = int(value)
        elif k in ("must_masquerade", "must_not_masquerade"):
            out[k] = _dests(value)
        elif k == "forms":
            off = set(base.disabled_forms) if base else set()
            for name, on in (value or {}).items():
                (off.discard if on else off.add)(str(name))
            out["disabled_forms"] = frozenset(off)
        elif k == "baseline":
            out["baseline"] = str(value)
        elif k == "scopes":
            out["scopes"] = tuple(
                Scope(tuple(str(g) for g in (s.get("files") or ())), {kk: vv for kk, vv in s.items() if kk != "files"})
                for s in value or ()
            )
    return out


def from_mapping(m: dict, path: str | None = None, root: str | None = None) -> Settings:
    return Settings(config_path=path, config_root=root, **_fields_from_mapping(m))
