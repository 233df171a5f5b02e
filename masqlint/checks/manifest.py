"""MQ101–MQ104: the ConfigMap around the agent config, and the config's overall shape."""

from __future__ import annotations

from collections.abc import Iterator

from masqlint.agent.jsonish import JArray, JNull, JObject, JString
from masqlint.agent.model import AgentError, match_field
from masqlint.text.source import mapping_get, split_lines
from masqlint.text.yamlload import MappingNode, Node, ScalarNode
from masqlint.engine.findings import Edit, Fix
from masqlint.checks import Problem, register
from masqlint.checks.keys import MANIFEST_KEYS
from masqlint.forms.claims import TEMPLATED_FORMS
from masqlint.checks.edits import line_bounds, newline_of, scalar_inner
from masqlint.agent.load import parse_agent_text
from masqlint.checks.hints import hints_for
import re

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.engine.findings import Span
    from masqlint.engine.lint import ConfigContext
    from masqlint.forms.embedded import Envelope

DEFAULTS_NOTE = "the agent falls back to its defaults"


@register("MQ101")
def configmap_location(ctx: ConfigContext) -> Iterator[Problem]:
    c = ctx.config
    env = c.envelope
    if env is None or c.sibling or c.namespace_set_by is not None:
        return  # (one ConfigMap speaks once; a kustomization that lists the manifest sets the namespace: checked there)
    if env.namespace_range is None:
        if c.form in TEMPLATED_FORMS:
            return  # a chart or role template takes the namespace it is installed into (helm install -n …)
        at = env.name_range or env.metadata_range or env.anchor
        where = ("`kubectl apply` puts it in the current namespace (usually `default`)" if env.syntax == "yaml"
                 else "Terraform's kubernetes provider creates it in `default`")
        yield Problem(
            f"the ip-masq-agent ConfigMap has no namespace: {where}, where the agent never looks; it reads only "
            f"kube-system/ip-masq-agent. Add {_ns_text(env)} under metadata",
            at=_outer_span(ctx, at),
            outer=True,
            fix=_insert_namespace(ctx, env),
        )
    elif env.namespace_known and env.namespace != "kube-system":
        where = (f"is in namespace `{env.namespace}`" if env.namespace is not None
                 else "has a namespace that is not a string (kubectl refuses it)")
        name = env.name or "ip-masq-agent"
        yield Problem(
            f"the ip-masq-agent ConfigMap {where}, but the agent reads only "
            f"kube-system/{name}: this ConfigMap has no effect and the agent keeps its defaults. Use "
            f"{_ns_text(env)}",
            at=_outer_span(ctx, env.namespace_range),
            outer=True,
            fix=(_replace_outer(ctx, env.namespace_range, "kube-system", "set the namespace to kube-system")
                 if env.namespace_fixable else None),
        )


def _ns_text(env: Envelope) -> str:
    return "`namespace: kube-system`" if env.syntax == "yaml" else '`namespace = "kube-system"`'


def _outer_span(ctx: ConfigContext, r: tuple[int, int]) -> Span:
    """A range of the envelope → a span of the file being linted."""
    return ctx.file_source.index.span(*r)


def _replace_outer(ctx: ConfigContext, r: tuple[int, int] | None, new: str, description: str) -> Fix | None:
    text = ctx.file_source.text
    if r is None or text is None:
        return None
    a, b = scalar_inner(text, *r)
    return Fix(description, (Edit(a, b, new),), safe=False)


def _insert_namespace(ctx: ConfigContext, env: Envelope) -> Fix | None:
    if ctx.config.configmap is None:
        if env.namespace_insert is None:
            return None
        at, text = env.namespace_insert
        return Fix("add `namespace = \"kube-system\"`", (Edit(at, at, text),), safe=False)
    md = mapping_get(ctx.config.configmap, "metadata")
    name_entry = mapping_get(md[1], "name") if md else None
    return _insert_yaml_namespace(ctx, name_entry) if name_entry else None


def _insert_yaml_namespace(ctx: ConfigContext, name_entry: tuple[ScalarNode, Node]) -> Fix | None:
    key, value = name_entry
    text = ctx.source.text
    if text is None or not isinstance(value, ScalarNode) or value.style in ("|", ">"):
        return None
    ls, le = line_bounds(text, value.end_mark.index)
    if text[ls:le].strip() == "" or le <= value.end_mark.index:
        return None
    indent = key.start_mark.column
    line_start = text.rfind("\n", 0, key.start_mark.index) + 1
    if text[line_start:key.start_mark.index].strip():
        return None  # flow style or keys on one line: leave it to the author
    nl = newline_of(text)
    prefix = "" if text[:le].endswith("\n") else nl
    return Fix("add `namespace: kube-system`", (Edit(le, le, f"{prefix}{' ' * indent}namespace: kube-system{nl}"),), safe=False)


@register("MQ102")
def data_key(ctx: ConfigContext) -> Iterator[Problem]:
    c = ctx.config
    env = c.envelope
    if env is None or c.config_key_node is not None or any(k.name in c.data_keys for k in env.data_keys):
        return  # (the manifest form found the key the agent reads; another form lists it among the data keys)
    if not env.data_keys:
        yield Problem(
            "the ConfigMap has no `data.config` key: the agent finds no config file and uses its defaults. Put the "
            "agent config under `data:` → `config: |`",
            at=_outer_span(ctx, env.data_range or env.anchor),
            outer=True,
        )
        return
    agent_keys = [k for k in env.data_keys if match_field(k.name)]
    if agent_keys:
        k = agent_keys[0]
        data = c.data_node
        fix = (_move_into_config(ctx, data) if isinstance(data, MappingNode) and len(agent_keys) == len(data.value)
               else None)
        yield Problem(
            f"`{k.name}` sits directly under `data`, but the agent reads only the file `config` (data.config): "
            f"these keys are ignored and {DEFAULTS_NOTE}. Move them into `config: |`",
            at=_outer_span(ctx, k.range),
            outer=True,
            fix=fix,
        )
        return
    k = env.data_keys[0]
    other = ", ".join(f"`{kk.name}`" for kk in env.data_keys)
    if tuple(c.data_keys) != ("config",):
        reads = (f"the key{'s' if len(c.data_keys) > 1 else ''} {', '.join(f'`{x}`' for x in c.data_keys)}"
                 if c.data_keys else "no key of it (its DaemonSet maps no key to a file named ip-masq*)")
        yield Problem(
            f"the config is stored under {other}, but the agent that mounts this ConfigMap reads {reads} "
            f"(files named ip-masq* under /etc/config): {DEFAULTS_NOTE}. Store the config under the key the agent reads",
            at=_outer_span(ctx, k.range),
            outer=True,
        )
        return
    yield Problem(
        f"the config is stored under {other}, but the agent reads only the key `config` (mounted as "
        f"/etc/config/ip-masq-agent): {DEFAULTS_NOTE}. Rename the key to `config` "
        "(with kubectl: --from-file=config=FILE)",
        at=_outer_span(ctx, k.range),
        outer=True,
        fix=_replace_outer(ctx, k.range, "config", f"rename `{k.name}` to `config`") if len(env.data_keys) == 1 else None,
    )


def _move_into_config(ctx: ConfigContext, data: MappingNode) -> Fix | None:
    """Rewrite `data:` keys that belong to the agent as a `config: |` block (values taken as written)."""
    text = ctx.source.text
    if text is None:
        return None
    nl = newline_of(text)
    lines = []
    first_key = data.value[0][0]
    indent = first_key.start_mark.column
    if text[text.rfind("\n", 0, first_key.start_mark.index) + 1: first_key.start_mark.index].strip():
        return None
    for k, v in data.value:
        if not isinstance(v, ScalarNode) or v.style in ("|", ">") or v.start_mark.line != k.start_mark.line:
            return None
        lines.append(f"{' ' * (indent + 2)}{k.value}: {v.value}{nl}")
    start = line_bounds(text, first_key.start_mark.index)[0]
    end = line_bounds(text, data.value[-1][1].end_mark.index)[1]
    new = f"{' ' * indent}config: |{nl}" + "".join(lines)
    return Fix("move the keys into `config: |`", (Edit(start, end, new),), safe=False)


def _inner_manifest(root: JObject) -> set[str]:
    keys = {k for k, _v, _o in root.members}
    return keys & MANIFEST_KEYS


@register("MQ103")
def nested_manifest(ctx: ConfigContext) -> Iterator[Problem]:
    root = ctx.parsed
    if not isinstance(root, JObject):
        return
    if any(match_field(k) for k, _v, _o in root.members):
        return
    inner = _inner_manifest(root)
    wrapper = next(((k, v, o) for k, v, o in root.members if k == "config"), None)
    if not inner and wrapper is None:
        return
    ignored = _find_inner_cidrs(root)
    shown = ", ".join(ignored[:3]) + (f" and {len(ignored) - 3} more" if len(ignored) > 3 else "")
    lost = f" (the {shown} in it are ignored)" if ignored else ""
    if inner:
        what = "a whole Kubernetes manifest" if {"apiVersion", "kind"} <= inner else f"manifest keys ({', '.join(sorted(inner))})"
        how = ("this is what `kubectl create configmap --from-file=config=configmap.yaml` does with a ConfigMap manifest; "
               "apply the manifest with `kubectl apply -f` instead, or put only the agent keys into the file")
    else:
        what = "a `config:` key wrapping the real config"
        how = "remove the wrapper so that `nonMasqueradeCIDRs:` and friends are at the top of the file"
    yield Problem(
        f"the agent config holds {what}: the agent knows none of these keys, accepts the file and uses its defaults{lost}. "
        f"{how.capitalize()}",
        at=root.members[0][2] if root.members else root,
        data={"ignored_cidrs": ignored},
    )


def _find_inner_cidrs(root: JObject) -> list[str]:
    """CIDRs of an agent config buried in a manifest's data.config text (for the message)."""
    return _inner_cidrs(root, 0)[:5]


def _inner_cidrs(o: Any, depth: int) -> list[str]:
    if depth > 6:
        return []
    if isinstance(o, JObject):
        for k, v, _ in o.members:
            if match_field(k) == "nonMasqueradeCIDRs" and isinstance(v, JArray):
                return [i.value for i in v.items if isinstance(i, JString) and i.value]
            if k == "config" and hasattr(v, "value") and isinstance(v.value, str):
                inner = parse_agent_text(v.value)
                if not isinstance(inner, AgentError):
                    got = _inner_cidrs(inner, depth + 1)
                    if got:
                        return got
            got = _inner_cidrs(v, depth + 1)
            if got:
                return got
    return []


@register("MQ104")
def config_shape(ctx: ConfigContext) -> Iterator[Problem]:
    c = ctx.config
    v = c.config_value_node
    if c.configmap is not None and v is not None and not isinstance(v, ScalarNode):
        kind = "a mapping" if isinstance(v, MappingNode) else "a list"
        yield Problem(
            f"data.config is {kind}, but ConfigMap data values must be strings: the API server rejects the manifest. "
            "Write `config: |` and indent the agent config below it as text",
            at=c.config_key_node,
            outer=True,
        )
        return
    root = ctx.parsed
    if isinstance(root, AgentError) or root is None or ctx.partial:
        return  # (a template decides part of it: its shape is what the template renders)
    if isinstance(root, JNull):
        if not ctx.target.prefills_defaults and not ctx.target.defaults_for_file(True, c.text == ""):
            return  # no defaults on this target: MQ420 no-nonmasq-range says what happens
        yield Problem(
            "the agent config is empty (or only comments): the agent accepts it and uses its defaults; if that is the "
            "intent, delete the ConfigMap instead, otherwise write the keys",
            at=None,
        )
    elif not isinstance(root, JObject):
        kind = "a list" if isinstance(root, JArray) else "a single value"
        hint = ""
        if c.text:
            start = ctx.span(root).line
            inner = c.text[: (root.origin.start_mark.index if hasattr(root.origin, "start_mark") else 0)].count("\n") + 1
            found = hints_for(split_lines(c.text), inner)
            if found:
                delta = start - inner
                hint = " Likely cause: " + "; ".join(re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + delta}", h) for h in found) + "."
        yield Problem(
            f"the agent config is {kind}, not a mapping of keys: the agent cannot decode it and rejects the whole file "
            f"(keeping the rules it had). Write `nonMasqueradeCIDRs:` with one `- CIDR` item per line.{hint}",
            at=root,
        )
