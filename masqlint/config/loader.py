"""Finding and validating masqlint's own settings: ``.masqlint.yaml`` or ``[tool.masqlint]``.

Settings are searched upward from each checked file (the nearest wins); ``--config``
forces one file. They are data only: nothing in a checked repository is ever imported
or run.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from functools import lru_cache

from masqlint.errors import ConfigError
from masqlint.config.settings import Settings, defaults, from_mapping
from masqlint.config.settings import glob_match
from masqlint.config.rulesel import unknown_key_message
from masqlint.config.rulesel import selector_known, unknown_selector_message

CONFIG_NAMES = (".masqlint.yaml", ".masqlint.yml", "masqlint.yaml")


@lru_cache(maxsize=1)
def _validator():
    import json  # noqa: PLC0415 - lazy: json only when a settings file is read

    import jsonschema  # noqa: PLC0415 - lazy: jsonschema only when a settings file is read

    from masqlint.resources import schema_path  # noqa: PLC0415 - lazy: pathlib only when a settings file is read

    schema = json.loads(schema_path("masqlint-config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _locate(node, path) -> int | None:
    """Line (1-based) of the YAML node at a JSON-schema error path."""
    from masqlint.text.yamlload import MappingNode, SequenceNode  # noqa: PLC0415 - lazy: YAML only when a settings file is read

    cur = node
    line = cur.start_mark.line + 1 if cur is not None else None
    for p in path:
        if isinstance(cur, MappingNode):
            nxt = None
            for k, v in cur.value:
                if getattr(k, "value", None) == p:
                    nxt, line = v, k.start_mark.line + 1
            cur = nxt
        elif isinstance(cur, SequenceNode) and isinstance(p, int) and p < len(cur.value):
            cur = cur.value[p]
            line = cur.start_mark.line + 1
        else:
            break
        if cur is None:
            break
    return line


def validate_mapping(data, path: str, node=None) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        e = errors[0]
        at, message = list(e.absolute_path), e.message
        extra = _unknown_key(e)
        if extra is not None:
            at, message = at + [extra[0]], extra[1]
    else:
        found = next(_destination_errors(data), None) or next(_selector_errors(data), None)
        if found is None:
            return
        at, message = found
    where = ".".join(str(p) for p in at) or "(top level)"
    line = _locate(node, at) if node is not None else None
    loc = f"{path}:{line}" if line else path
    raise ConfigError(f"{loc}: invalid setting {where}: {message}")


def _unknown_key(e):
    """(key, message with a suggestion) for a key the schema does not allow, else None."""
    if e.validator != "additionalProperties" or not isinstance(e.instance, dict):
        return None

    known = list((e.schema.get("properties") or {}))
    extra = [k for k in e.instance if k not in known]
    if not extra or not known:
        return None
    top = _validator().schema.get("properties") or {}
    if e.absolute_path and extra[0] in top:
        return extra[0], f"{extra[0]!r} is a top-level setting; it cannot be set here"
    return extra[0], unknown_key_message(str(extra[0]), known)


def _selector_errors(data):
    """(path, message) for each rule selector (select, ignore, severity keys) that names no rule."""
    def check(m, prefix):
        for key in ("select", "extend-select", "ignore", "extend-ignore"):
            for i, item in enumerate(m.get(key) or ()):
                if not selector_known(str(item)):
                    yield [*prefix, key, i], unknown_selector_message(str(item), key).split(": ", 1)[1]
        for rule in m.get("severity") or {}:
            if not selector_known(str(rule)):
                yield [*prefix, "severity", rule], unknown_selector_message(str(rule), "severity").split(": ", 1)[1]

    if not isinstance(data, dict):
        return
    yield from check(data, [])
    for j, scope in enumerate(data.get("scopes") or ()):
        if isinstance(scope, dict):
            yield from check(scope, ["scopes", j])


def _destination_errors(data):
    """(path, message) for each declared destination or allowed default that is not a CIDR block
    (the schema checks shapes; this checks the addresses)."""
    from masqlint.agent.decide import parse_destination  # noqa: PLC0415 - lazy: the agent model only when a settings file is read

    def check(m, prefix):
        for key in ("must-masquerade", "must-not-masquerade"):
            for i, item in enumerate(m.get(key) or ()):
                try:
                    parse_destination(str(item["cidr"]))
                except ValueError as e:
                    yield [*prefix, key, i, "cidr"], str(e)
        for i, item in enumerate(m.get("allow-dropped-defaults") or ()):
            try:
                parse_destination(str(item))
            except ValueError as e:
                yield [*prefix, "allow-dropped-defaults", i], str(e)

    if not isinstance(data, dict):
        return
    yield from check(data, [])
    for j, scope in enumerate(data.get("scopes") or ()):
        yield from check(scope, ["scopes", j])


def load_yaml_settings(path: str) -> Settings:
    shown = shown_path(path)
    from masqlint.text import yamlload  # noqa: PLC0415 - lazy: YAML only when a settings file is read
    import yaml  # noqa: PLC0415 - lazy: YAML only when a settings file is read

    try:
        raw = _read_settings_bytes(path)
        text = raw.decode("utf-8")
    except OSError as e:
        raise ConfigError(f"{shown}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not valid YAML: not UTF-8 ({e.reason})") from None
    try:
        node = yamlload.compose_first(text)
        _check_expansion(node, shown)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if node is not None else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        loc = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        raise ConfigError(f"{loc}: not valid YAML: {getattr(e, 'problem', e)}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: not valid YAML: nested too deeply") from None
    if data is None:
        data = {}
    validate_mapping(data, shown, node)
    return _with_clusters(from_mapping(data, path=path, root=os.path.dirname(os.path.realpath(path))))


def load_pyproject_settings(path: str) -> Settings | None:
    shown = shown_path(path)
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - lazy: TOML only when a pyproject.toml is read
    else:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415 - lazy: as above
        except ImportError:
            return None
    try:
        raw = _read_settings_bytes(path)
        doc = tomllib.loads(raw.decode("utf-8"))
    except OSError as e:
        raise ConfigError(f"{shown}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not valid TOML: not UTF-8 ({e.reason})") from None
    except RecursionError:
        raise ConfigError(f"{shown}: not valid TOML: nested too deeply") from None
    except Exception as e:  # noqa: BLE001 - tomllib.TOMLDecodeError says "(at line N, column M)" or "(at end of document)"
        raise ConfigError(f"{_toml_error_location(shown, raw, str(e))}: not valid TOML: {re.sub(_TOML_AT, '', str(e))}") from None
    tool = doc.get("tool", {})
    data = tool.get("masqlint") if isinstance(tool, dict) else None
    if data is None:
        return None
    try:
        validate_mapping(data, shown)
    except ConfigError as e:
        raise ConfigError(_toml_setting_location(shown, raw.decode("utf-8"), str(e))) from None
    return _with_clusters(from_mapping(data, path=path, root=os.path.dirname(os.path.realpath(path))))


def _with_clusters(settings: Settings) -> Settings:
    """Read the cluster files the settings name (top level and scopes) now, so that a broken one
    stops the run before any file is checked."""
    settings.cluster_facts()
    for scope in settings.scopes:
        if "cluster" in scope.overrides:
            settings.merged(scope.overrides).cluster_facts()
    return settings


def shown_path(path: str) -> str:
    """A settings file's path as messages show it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def load_settings_file(path: str) -> Settings:
    if path.endswith(".toml"):
        s = load_pyproject_settings(path)
        if s is None:
            raise ConfigError(f"{path}: no [tool.masqlint] table")
        return s
    return load_yaml_settings(path)


_WALKED: dict[str, Settings | None] = {}  # answers known from a walk's listing, by directory
SETTINGS_FILE_NAMES = frozenset((*CONFIG_NAMES, "pyproject.toml"))  # what a directory's settings are read from


@lru_cache(maxsize=None)
def find_settings_for_dir(directory: str) -> Settings | None:
    """The nearest settings at or above ``directory`` (None: built-in defaults)."""
    if directory in _WALKED:
        return _WALKED[directory]
    return _settings_at_or_above(_real_dir(os.path.abspath(directory)))


def find_settings_for_walked_dir(directory: str, parent: str | None, names) -> Settings | None:
    """``find_settings_for_dir(directory)`` for a directory a walk has listed (``names``: its entries).

    ``parent``: the directory the walk entered it from, through an entry that is no symbolic link
    (both absolute and normalised), or None. Then ``directory`` resolves to its parent's real path
    plus its name, and when its listing holds no settings file's name its settings are its parent's:
    known without a call to the file system."""
    if parent is None or directory in _WALKED or not SETTINGS_FILE_NAMES.isdisjoint(names):
        return find_settings_for_dir(directory)
    s = _WALKED[directory] = find_settings_for_dir(parent)
    return s


@lru_cache(maxsize=None)
def _real_dir(d: str) -> str:
    """os.path.realpath of an absolute, normalised path, one lstat per new directory: the
    parent's answer is reused (realpath itself walks every component of every path)."""
    parent, name = os.path.split(d)
    if not name or parent == d:
        return d
    p = os.path.join(_real_dir(parent), name)
    return os.path.realpath(p) if os.path.islink(p) else p


def real_file(path: str) -> str:
    """os.path.realpath of a file: its directory's answer is cached, so only the file itself is
    looked at (one lstat) rather than every component of its path."""
    if ".." in path.split(os.sep):  # realpath resolves a link before the ".." that follows it
        return os.path.realpath(path)
    d, name = os.path.split(os.path.abspath(path))
    p = os.path.join(_real_dir(d), name)
    return os.path.realpath(p) if os.path.islink(p) else p


@lru_cache(maxsize=None)
def _settings_at_or_above(d: str) -> Settings | None:
    # One answer per directory, the parent's reused: a tree of thousands of directories costs
    # a few stat calls per directory instead of a walk to the root for each.
    for name in CONFIG_NAMES:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return _seen(load_yaml_settings(p))
    pp = os.path.join(d, "pyproject.toml")
    if os.path.isfile(pp):
        s = load_pyproject_settings(pp)
        if s is not None:
            return _seen(s)
    parent = os.path.dirname(d)
    return None if parent == d else _settings_at_or_above(parent)


_SCOPED: list[Settings] = []  # settings files found in this process that have scopes


def _seen(s: Settings) -> Settings:
    if s.scopes:
        _SCOPED.append(s)
    return s


def scoped_settings_found() -> bool:
    """Has this process found a settings file with scopes (then a scope glob may match no file checked)?"""
    return bool(_SCOPED)


def note_settings_found(directory: str, settings: Settings | None) -> None:
    """What ``find_settings_for_dir(directory)`` answered in the process that walked the directory (a worker
    process is told, so that it does not look again)."""
    _WALKED.setdefault(directory, settings)


def _clear_settings_caches() -> None:
    _settings_at_or_above.cache_clear()
    _SCOPED.clear()
    _real_dir.cache_clear()
    _WALKED.clear()
    _find_settings_cache_clear()


_find_settings_cache_clear = find_settings_for_dir.cache_clear
find_settings_for_dir.cache_clear = _clear_settings_caches  # type: ignore[method-assign]


def settings_for_path(path: str, base: Settings | None = None, forced: Settings | None = None, overrides: dict | None = None) -> Settings:
    """Settings for one checked file: forced or discovered, then its matching scopes, then the
    command line's flags (which win over both)."""
    if forced is not None:
        s = forced
    else:
        directory = os.path.dirname(os.path.abspath(path)) if path != "-" else os.getcwd()
        s = find_settings_for_dir(directory) or base or defaults()
    if s.scopes:
        root = s.config_root or os.getcwd()
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/") if path != "-" else path
        s = s.for_file(rel)
    if overrides:
        s = s.merged(overrides)
    return s


# --- where a problem sits in a settings file -----------------------------------------------------

_SETTINGS_MAX_BYTES = 4 * 1024 * 1024


def _read_settings_bytes(path: str) -> bytes:
    """A settings file's bytes: a regular file of sane size, never a FIFO or device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags), "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path}: cannot read: not a regular file")
        data = fh.read(_SETTINGS_MAX_BYTES + 1)
    if len(data) > _SETTINGS_MAX_BYTES:
        raise ConfigError(f"{path}: cannot read: larger than {_SETTINGS_MAX_BYTES:,} bytes")
    return data


_TOML_AT = r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$"  # compiled on first use by re's cache
_EXPANSION_LIMIT = 100_000
_DEPTH_LIMIT = 100  # settings nest a few levels; deeper input would only exhaust the validators


def _toml_error_location(path: str, raw: bytes, message: str) -> str:
    m = re.search(_TOML_AT, message)
    if m is None:
        return path
    if m.group(1):
        return f"{path}:{m.group(1)}:{m.group(2)}"
    lines = raw.decode("utf-8", "replace").splitlines() or [""]
    return f"{path}:{len(lines)}:{len(lines[-1]) + 1}"


def _toml_setting_location(path: str, text: str, message: str) -> str:
    """``path: invalid setting a.b.c: …`` → ``path:LINE: invalid setting a.b.c: …`` (the key's line
    inside the [tool.masqlint] tables, as near as the text tells)."""
    m = re.match(re.escape(path) + r": invalid setting (\S+): ", message)
    lines = text.splitlines()
    header = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[+\s*tool\.masqlint\b", ln)), None)
    if header is None:
        return message
    line = header
    if m:
        for key in [k for k in m.group(1).split(".") if not k.isdigit()]:
            pat = re.compile(r"(^|[\s{,.\[])[\"']?" + re.escape(key) + r"[\"']?\s*(=|\])")
            hit = next((i for i in range(line, len(lines)) if pat.search(lines[i])), None)
            if hit is None:
                break
            line = hit
    return f"{path}:{line + 1}:" + message[len(path) + 1:]


def _check_expansion(root, path: str) -> None:
    """Refuse settings whose aliases expand beyond reason (or into themselves) before any walk."""
    from masqlint.text.yamlload import MappingNode, SequenceNode  # noqa: PLC0415 - lazy: YAML only when a settings file is read

    if root is None:
        return
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        kids = []
        if isinstance(node, MappingNode):
            kids = [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            kids = node.value
        if done:
            on_path.discard(nid)
            size[nid] = min(1 + sum(size[id(k)] for k in kids), _EXPANSION_LIMIT + 1)
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise ConfigError(f"{path}:{node.start_mark.line + 1}: not valid settings: an anchor refers to itself")
        on_path.add(nid)
        if len(on_path) > _DEPTH_LIMIT:
            raise ConfigError(f"{path}:{node.start_mark.line + 1}: not valid settings: nested more than {_DEPTH_LIMIT} levels deep")
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    if size[id(root)] > _EXPANSION_LIMIT:
        raise ConfigError(f"{path}: not valid settings: its aliases expand to more than {_EXPANSION_LIMIT:,} values")


def cluster_scope(path: str, settings: Settings) -> str:
    """Which cluster a checked file belongs to, for duplicate ConfigMaps (MQ408): the settings
    scopes its path matches, or else its directory."""
    absolute = os.path.abspath(path)
    if settings.scopes:
        root = settings.config_root or os.getcwd()
        rel = os.path.relpath(absolute, root).replace(os.sep, "/")
        matched = tuple(i for i, sc in enumerate(settings.scopes) if any(glob_match(rel, g) for g in sc.files))
        if matched:
            return f"{settings.config_path}#scopes{list(matched)}"
    return "dir:" + os.path.dirname(absolute)
