"""JSON Schema validation of the agent config, as the agent reads it, with every error mapped
back to the value it is about (and so to its line and column)."""

from __future__ import annotations

from functools import lru_cache

from masqlint.agent.jsonish import JArray, JBool, JNumber, JObject, JString, JValue
from masqlint.agent.model import match_field


@lru_cache(maxsize=1)
def agent_validator():
    import json  # noqa: PLC0415 - lazy: json only for a config the fast type check cannot settle

    import jsonschema  # noqa: PLC0415 - lazy: jsonschema only for configs the fast type check cannot settle

    from masqlint.resources import schema_path  # noqa: PLC0415 - lazy: pathlib only when a schema is read

    schema = json.loads(schema_path("ip-masq-agent-config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def to_instance(v: JValue, top: bool = True):
    """The agent's JSON value as plain Python; top-level keys by the field they set (last wins)."""
    if isinstance(v, JObject):
        out = {}
        for key, val, _ in v.members:
            name = match_field(key) if top else None
            if top and name is None:
                continue
            out[name or key] = to_instance(val, False)
        return out
    if isinstance(v, JArray):  # (a list of 100,000 strings: each read directly)
        return [i.value if type(i) is JString else to_instance(i, False) for i in v.items]
    if isinstance(v, JString):
        return v.value
    if isinstance(v, JNumber):
        t = v.text
        if t.lstrip("-").isdigit():
            return int(t)
        return float(t)
    if isinstance(v, JBool):
        return v.value
    return None


def resolve(root: JValue, path) -> JValue | None:
    """The JSON value at a jsonschema ``absolute_path`` (field names matched as the agent does)."""
    cur: JValue | None = root
    for i, p in enumerate(path):
        if isinstance(cur, JObject):
            nxt: JValue | None = None
            for key, val, _ in cur.members:
                if (match_field(key) if i == 0 else key) == p:
                    nxt = val
            cur = nxt
        elif isinstance(cur, JArray) and isinstance(p, int) and p < len(cur.items):
            cur = cur.items[p]
        else:
            return None
        if cur is None:
            return None
    return cur


def type_errors(root: JValue):
    """(path, JValue, jsonschema error) for each type/range error below the top level."""
    if not isinstance(root, JObject):
        return
    instance = to_instance(root)
    if _plainly_typed(instance):
        return  # the schema can only find pattern errors here; jsonschema is not even loaded
    for err in agent_validator().iter_errors(instance):
        if err.validator not in ("type", "maximum", "minimum") or not err.absolute_path:
            continue
        path = tuple(err.absolute_path)
        yield path, resolve(root, path), err


_INT64 = (-(1 << 63), (1 << 63) - 1)


def _plainly_typed(instance: dict) -> bool:
    """True when every field has a type (and range) the schema accepts, decided without jsonschema:
    null or a list of strings/nulls, null or an int64 (never a bool), null or a bool, a string."""
    for name, v in instance.items():
        if v is None and name != "resyncInterval":
            continue
        if name == "nonMasqueradeCIDRs":
            if type(v) is not list or any(i is not None and type(i) is not str for i in v):
                return False
        elif name == "cidrLimit":
            if type(v) is not int or not _INT64[0] <= v <= _INT64[1]:
                return False
        elif name in ("masqLinkLocal", "masqLinkLocalIPv6"):
            if type(v) is not bool:
                return False
        elif name == "resyncInterval":
            if type(v) is not str:
                return False
        else:
            return False  # not a field the schema describes: let it speak
    return True
