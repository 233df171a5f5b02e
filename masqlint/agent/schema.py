"""JSON Schema validation of the agent config, as the agent reads it, with every error mapped
back to the value it is about (and so to its line and column).

The schema (schemas/ip-masq-agent-config.schema.json) describes five fields by type and range; its
type and range errors are found here by a direct walk of those fields, as jsonschema finds them
(tests/pipeline/test_fastpaths.py compares the two), so that no config loads jsonschema."""

from __future__ import annotations

from masqlint.agent.jsonish import JArray, JBool, JNumber, JObject, JString, JValue
from masqlint.agent.model import match_field


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
    """(path, JValue, message) for each type/range error below the top level, as the schema
    (schemas/ip-masq-agent-config.schema.json) gives them: the errors of jsonschema's
    ``iter_errors`` whose keyword is ``type``, ``maximum`` or ``minimum``, in its order and with its
    messages, found by a direct walk of the schema's few fields (``FIELD_TYPES``) without loading it."""
    if not isinstance(root, JObject):
        return
    instance = to_instance(root)
    if _plainly_typed(instance):
        return  # the usual config: nothing to find
    for path, _keyword, message in kind_errors(instance):
        yield path, resolve(root, path), message


# What the schema says of each field, in the order of its ``properties``: (types, item types or None,
# maximum, minimum). tests/pipeline/test_fastpaths.py holds this to the schema file and to jsonschema.
FIELD_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, int | None, int | None]] = {
    "nonMasqueradeCIDRs": (("array", "null"), ("string", "null"), None, None),
    "cidrLimit": (("integer", "null"), None, (1 << 63) - 1, -(1 << 63)),
    "masqLinkLocal": (("boolean", "null"), None, None, None),
    "masqLinkLocalIPv6": (("boolean", "null"), None, None, None),
    "resyncInterval": (("string",), None, None, None),
}


def kind_errors(instance: dict):
    """(path, keyword, message) of each ``type``, ``maximum`` and ``minimum`` error below the top level
    of the agent config ``instance`` (``to_instance``), as jsonschema's Draft 2020-12 validator of the
    schema yields them: fields in the schema's order, a field's type before its items or its bounds."""
    for name, (types, items, maximum, minimum) in FIELD_TYPES.items():
        if name not in instance:
            continue
        v = instance[name]
        if not any(_is_type(v, t) for t in types):
            yield (name,), "type", _type_message(v, types)
        if items is not None and type(v) is list:
            for i, item in enumerate(v):
                if not any(_is_type(item, t) for t in items):
                    yield (name, i), "type", _type_message(item, items)
        if _is_type(v, "number"):
            if maximum is not None and v > maximum:
                yield (name,), "maximum", f"{v!r} is greater than the maximum of {maximum!r}"
            if minimum is not None and v < minimum:
                yield (name,), "minimum", f"{v!r} is less than the minimum of {minimum!r}"


def _type_message(v, types: tuple[str, ...]) -> str:
    return f"{v!r} is not of type {', '.join(repr(t) for t in types)}"


def _is_type(v, name: str) -> bool:
    """jsonschema's Draft 2020-12 type checker, for the types the schema names."""
    if name == "null":
        return v is None
    if name == "string":
        return isinstance(v, str)
    if name == "array":
        return isinstance(v, list)
    if name == "boolean":
        return isinstance(v, bool)
    if isinstance(v, bool):
        return False
    if name == "integer":
        return isinstance(v, int) or (isinstance(v, float) and v.is_integer())
    if name == "number":
        return isinstance(v, (int, float))
    raise ValueError(f"a type the agent's schema does not name: {name}")
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
