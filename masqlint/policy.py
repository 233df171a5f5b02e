"""Finding and validating masqlint's own settings: ``.masqlint.yaml`` or ``[tool.masqlint]``.

Settings are searched upward from each checked file (the nearest wins); ``--config``
forces one file. They are data only: nothing in a checked repository is ever imported
or run.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from .resources import schema_path
from .settings import Settings, from_mapping

CONFIG_NAMES = (".masqlint.yaml", ".masqlint.yml", "masqlint.yaml")


class ConfigError(Exception):
    """A settings file that cannot be used: message names the file, line and key."""


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(schema_path("masqlint-config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _locate(node, path) -> int | None:
    """Line (1-based) of the YAML node at a JSON-schema error path."""
    from .yamlload import MappingNode, SequenceNode

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
    if not errors:
        return
    e = errors[0]
    where = ".".join(str(p) for p in e.absolute_path) or "(top level)"
    line = _locate(node, list(e.absolute_path)) if node is not None else None
    loc = f"{path}:{line}" if line else path
    raise ConfigError(f"{loc}: invalid setting {where}: {e.message}")


def load_yaml_settings(path: str) -> Settings:
    from . import yamlload
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    try:
        node = yamlload.compose_first(text)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if node is not None else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        loc = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise ConfigError(f"{loc}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if data is None:
        data = {}
    validate_mapping(data, path, node)
    return from_mapping(data, path=path, root=str(Path(path).resolve().parent))


def load_pyproject_settings(path: str) -> Settings | None:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    except Exception as e:  # tomllib.TOMLDecodeError carries "(at line N, column M)"
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    data = doc.get("tool", {}).get("masqlint")
    if data is None:
        return None
    validate_mapping(data, f"{path} [tool.masqlint]")
    return from_mapping(data, path=path, root=str(Path(path).resolve().parent))


def load_settings_file(path: str) -> Settings:
    if path.endswith(".toml"):
        s = load_pyproject_settings(path)
        if s is None:
            raise ConfigError(f"{path}: no [tool.masqlint] table")
        return s
    return load_yaml_settings(path)


@lru_cache(maxsize=256)
def find_settings_for_dir(directory: str) -> Settings | None:
    """The nearest settings at or above ``directory`` (None: built-in defaults)."""
    d = Path(directory).resolve()
    for cur in (d, *d.parents):
        for name in CONFIG_NAMES:
            p = cur / name
            if p.is_file():
                return load_yaml_settings(str(p))
        pp = cur / "pyproject.toml"
        if pp.is_file():
            s = load_pyproject_settings(str(pp))
            if s is not None:
                return s
    return None


def settings_for_path(path: str, base: Settings | None = None, forced: Settings | None = None, overrides: dict | None = None) -> Settings:
    """Settings for one checked file: forced or discovered, then CLI overrides, then matching scopes."""
    if forced is not None:
        s = forced
    else:
        directory = os.path.dirname(os.path.abspath(path)) if path != "-" else os.getcwd()
        s = find_settings_for_dir(directory) or base or Settings()
    if overrides:
        s = s.merged(overrides)
    if s.scopes:
        root = s.config_root or os.getcwd()
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/") if path != "-" else path
        s = s.for_file(rel)
    return s
