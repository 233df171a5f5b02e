"""MQ201–MQ208: the keys of the agent config and the types of their values."""

from __future__ import annotations

import re
from collections.abc import Iterator

from masqlint.agent.goyaml import _MAP as _GO_YAML_WORDS
from masqlint.agent.goyaml import BOOL, resolve_scalar
from masqlint.agent.jsonish import JObject, JString, JValue
from masqlint.agent.model import FIELDS, format_duration, match_field
from masqlint.engine.findings import Edit, Fix
from masqlint.text.yamlload import PLAIN, MappingNode, Node, ScalarNode, SequenceNode
from masqlint.checks import Problem, register
from masqlint.checks.syntax import REJECTS
from masqlint.agent.schema import type_errors
from masqlint.agent.jsonish import JArray, JBool, JNumber
from masqlint.agent.goduration import GoDurationError, parse_duration
from masqlint.lazyre import lazy

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.engine.lint import ConfigContext

    Member = tuple[str, JValue, Any]  # (key, value, key origin)

_LOOKALIKE_ITEMS = lazy(r"(^|\s)[\u2013\u2014\u2015\u2212\u2010\u2011\u2012\ufe63\uff0d]\s")
MANIFEST_KEYS = {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"}
LEGACY_KEYS = {"linklocal": "masqLinkLocal"}



def members(ctx: ConfigContext) -> list[Member]:
    """(key, value, key origin) of the top-level config mapping as the agent sees them."""
    root = ctx.parsed
    if isinstance(root, JObject):
        return root.members
    return []


def _written_order(ctx: ConfigContext, ms: list[Member]) -> list[Member]:
    """Members in the order they are written (YAML members are sorted by key for the agent)."""
    def pos(m: Member) -> tuple[int, int]:
        r = ctx.span(m[2])
        return (r.line, r.column)

    return sorted(ms, key=pos)


def _key_edit(ctx: ConfigContext, korigin: Any, new: str) -> Edit | None:
    r = ctx.value_range(korigin)
    return None if r is None else Edit(r[0], r[1], new)


def _groups(ctx: ConfigContext) -> dict[str, list[Member]]:
    groups: dict[str, list[Member]] = {}
    for m in members(ctx):
        f = match_field(m[0])
        if f is not None:
            groups.setdefault(f, []).append(m)
    return groups


@register("MQ201")
def key_casing(ctx: ConfigContext) -> Iterator[Problem]:
    for field, ms in _groups(ctx).items():
        if len({m[0] for m in ms}) > 1:
            continue  # two spellings: MQ202 says which wins
        key, _v, korigin = ms[-1]
        if key == field:
            continue
        edit = _key_edit(ctx, korigin, field)
        yield Problem(
            f"`{key}` is not spelled `{field}`: the agent matches keys case-insensitively and accepts it, but other tools, "
            f"reviewers and JSON Schema validation do not. Write `{field}`",
            at=korigin,
            fix=Fix(f"rename `{key}` to `{field}`", (edit,), safe=True) if edit else None,
            data={"key": key, "field": field},
        )


@register("MQ202")
def conflicting_keys(ctx: ConfigContext) -> Iterator[Problem]:
    yaml_input = not ctx.config.json_input
    for field, ms in _groups(ctx).items():
        spellings = {m[0] for m in ms}
        if len(spellings) < 2:
            continue
        winner = ms[-1]  # the decoder applies members in order; the last one sets the field
        written = _written_order(ctx, ms)
        listing = ", ".join(f"`{k}` (line {ctx.span(ko).line})" for k, _v, ko in written[:3])
        if len(written) > 3:
            listing += f" and {len(written) - 3} more"
        why = (
            "YAML keys reach the agent sorted in byte order and the last one wins"
            if yaml_input
            else "the agent applies JSON members in file order and the last one wins"
        )
        for key, _v, korigin in written:
            if korigin is winner[2]:
                continue
            yield Problem(
                f"`{field}` is given as {listing}: {why}, so the agent uses `{winner[0]}` (line "
                f"{ctx.span(winner[2]).line}) and silently ignores `{key}`. Keep one key, spelled `{field}`",
                at=korigin,
                data={"field": field, "used": winner[0]},
            )


@register("MQ203")
def unknown_key(ctx: ConfigContext) -> Iterator[Problem]:
    for key, _v, korigin in members(ctx):
        if match_field(key) is not None or key in MANIFEST_KEYS or key.lower() in LEGACY_KEYS or key == "config":
            continue
        lowered = {f.lower(): f for f in FIELDS}
        squashed = key.lower().replace("_", "").replace("-", "")
        import difflib  # noqa: PLC0415 - lazy: only an unknown key needs it

        near = difflib.get_close_matches(squashed, list(lowered), n=1, cutoff=0.75)
        hint = f"; did you mean `{lowered[near[0]]}`?" if near else f"; known keys: {', '.join(FIELDS)}"
        fix = None
        taken = {match_field(k) for k, _v, _o in members(ctx)}
        if near and lowered[near[0]] not in taken:
            edit = _key_edit(ctx, korigin, lowered[near[0]])
            if edit:
                fix = Fix(f"rename `{key}` to `{lowered[near[0]]}`", (edit,), safe=False)
        yield Problem(
            f"the agent does not know `{key}` and ignores it silently{hint}",
            at=korigin,
            fix=fix,
            data={"key": key, "suggestion": lowered[near[0]] if near else None},
        )


_GO_TYPES = {"nonMasqueradeCIDRs": "a list of CIDR strings", "cidrLimit": "an integer", "masqLinkLocal": "true or false",
             "masqLinkLocalIPv6": "true or false", "resyncInterval": "a duration string such as 60s"}


@register("MQ204")
def wrong_type(ctx: ConfigContext) -> Iterator[Problem]:
    """Type errors come from the JSON Schema (schemas/ip-masq-agent-config.schema.json), each mapped
    to its value; the agent's own log line for the same value is quoted when there is one."""
    root = ctx.parsed
    if not isinstance(root, JObject):
        return
    go_errors = {id(e.origin): e for e in ctx.decode_errors if e.kind == "type"}
    for path, v, schema_message in type_errors(root):
        field = path[0]
        if field in ctx.target.ignored_keys:
            continue  # the target never reads it: MQ407 ignored-by-target
        if isinstance(v, JString) and _LOOKALIKE_ITEMS.search(v.value):
            continue  # list items written with a lookalike dash: MQ002 names the cause and fixes it
        shown = _shown(v)
        if len(path) == 2:
            what = f"item {path[1] + 1} of nonMasqueradeCIDRs is {shown}"
            expect = 'write each CIDR as a string, e.g. "10.0.0.0/8"'
        else:
            what = f"`{field}` is {shown}"
            expect = f"it must be {_GO_TYPES.get(field, 'of another type')}"
            if field in ("masqLinkLocal", "masqLinkLocalIPv6") and isinstance(v, JString) and v.value.lower() in ("true", "false"):
                expect += f" (unquoted: {v.value.lower()})"
            if field == "nonMasqueradeCIDRs" and isinstance(v, JString):
                expect += " (one `- CIDR` item per line)"
            if field == "cidrLimit" and isinstance(v, JString) and v.value.strip().isdigit():
                expect += f" (unquoted: {v.value.strip()})"
        go = go_errors.get(id(v))
        if go is None and field == "resyncInterval":
            go = next((e for e in ctx.decode_errors if e.field == "resyncInterval"), None)
        logs = f"the agent logs `{go.message}`, {REJECTS}" if go else f"the agent {REJECTS}"
        yield Problem(f"{what}: {logs}; {expect}", at=v, fix=_type_fix(ctx, field, v, len(path)),
                      data={"field": field, "schema": schema_message})


def _type_fix(ctx: ConfigContext, field: str, v: JValue, depth: int) -> Fix | None:
    """An unsafe rewrite of a mistyped value into the type the agent needs, when the intent is plain."""
    r = ctx.outer_range(v)
    if r is None or depth != 1:
        return None
    new = None
    if field in ("masqLinkLocal", "masqLinkLocalIPv6") and isinstance(v, JString) and v.value.strip().lower() in ("true", "false"):
        new = v.value.strip().lower()
    elif field == "cidrLimit" and isinstance(v, JString) and v.value.strip().isdigit():
        new = v.value.strip()
    elif field == "resyncInterval" and isinstance(v, JNumber) and v.text.isdigit():
        new = f"{v.text}s"
    elif field == "nonMasqueradeCIDRs" and isinstance(v, JString) and v.value.strip():
        parts = [p.strip() for p in v.value.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
        new = "[" + ", ".join(f'"{p}"' for p in parts) + "]"
    if new is None:
        return None
    return Fix(f"write {new}", (Edit(r[0], r[1], new),), safe=False)


def _shown(v: JValue) -> str:
    if isinstance(v, JString):
        s = v.value if len(v.value) <= 40 else v.value[:37] + "..."
        return f'the string "{s}"'
    if isinstance(v, JNumber):
        return f"the number {v.text}"
    if isinstance(v, JBool):
        return f"the boolean {'true' if v.value else 'false'}"
    if isinstance(v, JArray):
        return "a list"
    if isinstance(v, JObject):
        return "a mapping"
    return "null"


@register("MQ205")
def invalid_duration(ctx: ConfigContext) -> Iterator[Problem]:
    for err in ctx.decode_errors:
        if err.kind != "duration":
            continue
        v = err.origin
        raw = v.value if isinstance(v, JString) else ""
        hint = "a Go duration needs a unit: 60s, 1m30s, 1h (units ns, us, ms, s, m, h; no days, no spaces)"
        if raw.strip().isdigit():
            hint = f"write {raw.strip()}s for {raw.strip()} seconds"
        elif raw.upper().startswith("P"):
            hint = "ISO 8601 durations are not understood; write e.g. 60s"
        elif raw.endswith("d") and raw[:-1].isdigit():
            hint = f"there is no day unit; write {int(raw[:-1]) * 24}h"
        elif " " in raw:
            hint = f"remove the spaces: {raw.replace(' ', '')}"
        elif raw == "":
            hint = "give a value such as 60s, or remove the key to keep the default (60s)"
        yield Problem(
            f'resyncInterval "{raw}" is not a Go duration: the agent logs `{err.message}`, {REJECTS}; {hint}',
            at=v if v is not None else None,
            fix=_duration_fix(ctx, v, raw),
            data={"value": raw},
        )


def _duration_fix(ctx: ConfigContext, v: Any, raw: str) -> Fix | None:

    new = None
    t = raw.strip()
    if t.isdigit():
        new = f"{t}s"
    elif re.fullmatch(r"\d+d", t):
        new = f"{int(t[:-1]) * 24}h"
    elif " " in t:
        new = t.replace(" ", "")
    else:
        m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", t.upper())
        if m and any(m.groups()):
            new = "".join(f"{n}{u}" for n, u in zip(m.groups(), "hms") if n)
    if new is None or v is None:
        return None
    try:
        parse_duration(new)
    except GoDurationError:
        return None
    r = ctx.value_range(v)
    if r is None:
        return None
    return Fix(f"write {new}", (Edit(r[0], r[1], new),), safe=False)


@register("MQ206")
def resync_nonpositive(ctx: ConfigContext) -> Iterator[Problem]:
    d = ctx.decoded
    if d is None or "resyncInterval" not in d.origins or d.resync_ns > 0 or "resyncInterval" in ctx.target.ignored_keys:
        return
    yield Problem(
        f"resyncInterval {format_duration(d.resync_ns)} is not positive: the agent accepts it and re-syncs in a tight "
        "loop, rewriting iptables continuously and burning a CPU on every node. Use 60s (the default) or more",
        at=d.origins["resyncInterval"],
        fix=_replace_value(ctx, d.origins["resyncInterval"], "60s"),
    )


def _replace_value(ctx: ConfigContext, v: Any, new: str) -> Fix | None:
    r = ctx.value_range(v)
    return None if r is None else Fix(f"write {new}", (Edit(r[0], r[1], new),), safe=False)


@register("MQ207")
def legacy_key(ctx: ConfigContext) -> Iterator[Problem]:
    for key, _v, korigin in members(ctx):
        new = LEGACY_KEYS.get(key.lower())
        if new is None:
            continue
        yield Problem(
            f"`{key}` is the first agent version's key and the current agent ignores it silently; note the meaning is "
            f"inverted: `{key}: true` meant \"do not masquerade link-local\", which is `{new}: false` (the default)",
            at=korigin,
            data={"key": key},
        )


_YAML12_BOOLS = {"true", "True", "TRUE", "false", "False", "FALSE"}
# go-yaml resolves a plain scalar to a bool only through its table of words (y, yes, on, …):
# other scalars (a 100,000-entry list, say) need not be resolved at all
_YAML11_ONLY_BOOLS = frozenset(w for w, (t, _v) in _GO_YAML_WORDS.items() if t == BOOL) - _YAML12_BOOLS


@register("MQ208")
def yaml11_boolean(ctx: ConfigContext) -> Iterator[Problem]:
    root = ctx.root
    if root is None:
        return
    bool_fields = {"masqLinkLocal", "masqLinkLocalIPv6"}
    stack: list[tuple[Node | None, str | None]] = [(root, None)]
    seen = set()
    while stack:
        node, field = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                f = match_field(k.value) if isinstance(k, ScalarNode) and node is root else None
                stack.append((v, f))
        elif isinstance(node, SequenceNode):
            # a scalar item is visited only if it could be a YAML 1.1-only boolean
            stack.extend((i, None) for i in node.value
                         if not isinstance(i, ScalarNode) or (i.tag == PLAIN and i.value in _YAML11_ONLY_BOOLS))
        elif isinstance(node, ScalarNode) and node.tag == PLAIN and node.value in _YAML11_ONLY_BOOLS:
            tag, val = resolve_scalar("", node.value)
            if tag != BOOL:
                continue
            canonical = "true" if val else "false"
            fix = None
            if field in bool_fields:
                edit = _key_edit(ctx, node, canonical)
                fix = Fix(f"replace `{node.value}` with `{canonical}`", (edit,), safe=True) if edit else None
            yield Problem(
                f"`{node.value}` is the boolean {canonical} to the agent (YAML 1.1) but the string \"{node.value}\" to "
                f"YAML 1.2 tools and JSON Schema validators; write `{canonical}`",
                at=node,
                fix=fix,
                data={"value": node.value},
            )
