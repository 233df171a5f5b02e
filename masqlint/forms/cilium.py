"""Cilium Helm values: ``ipMasqAgent.config`` (the Cilium chart renders it with ``toYaml`` into the
``ip-masq-agent`` ConfigMap that its agent reads), at any depth — charts that wrap Cilium put it under
``cilium:`` — and inside an rke2 ``HelmChartConfig``'s ``spec.valuesContent``.

The config is the YAML mapping under ``config:``, checked as a ``cilium`` config at its own lines
whether or not ``ipMasqAgent.enabled`` is true (a disabled config gets MQ106).
"""

from __future__ import annotations

from masqlint.forms import manifest
from masqlint.forms.embedded import AgentConfig, Locator, embedded_locator
from masqlint.text import yamlload
from masqlint.text.source import LineIndex, SourceFile, mapping_get, node_range, scalar
from masqlint.text.yamlload import MappingNode, Node, ScalarNode, SequenceNode
from masqlint.forms.base import FormRead
from masqlint.forms.claims import cilium as claims  # noqa: F401 - this form's

KEY = "ipMasqAgent"
_MAX_VISIT = 200_000


def read(source: SourceFile):
    pf = manifest.parse_manifest(source)
    configs: list[AgentConfig] = []
    for doc in pf.documents:
        for obj in manifest.iter_objects(doc.root):
            if scalar(_get(obj, "kind")) == "HelmChartConfig":
                configs.extend(_from_values_content(source, obj, doc.index))
            else:
                configs.extend(_find(source, obj, doc.index, None))
    # a ConfigMap of the agent in the same file is read as in any manifest
    if pf.yaml_error is None:
        manifest.find_configs(pf)
        configs.extend(pf.configs)
        pf.configs = configs
    return FormRead("cilium", configs, pf)


def _get(node, key):
    e = mapping_get(node, key)
    return e[1] if e else None


def _find(source: SourceFile, root: Node | None, doc_index: int, inner) -> list[AgentConfig]:
    """``ipMasqAgent: {config: …}`` anywhere under ``root`` (``inner``: (text, locator) when the
    values are a string inside the file)."""
    out = []
    stack = [root]
    visited = 0
    while stack and visited < _MAX_VISIT:
        n = stack.pop()
        visited += 1
        if isinstance(n, MappingNode):
            for k, v in n.value:
                if isinstance(k, ScalarNode) and k.value == KEY and isinstance(v, MappingNode):
                    entry = mapping_get(v, "config")
                    if entry is not None and isinstance(entry[1], MappingNode):
                        out.append(_config(source, v, entry, doc_index, inner))
                        continue
                stack.append(v)
        elif isinstance(n, SequenceNode):
            stack.extend(i for i in n.value if not isinstance(i, ScalarNode))
    out.reverse()
    return out


def _from_values_content(source: SourceFile, obj: Node, doc_index: int) -> list[AgentConfig]:
    spec = _get(obj, "spec")
    entry = mapping_get(spec, "valuesContent")
    if entry is None or not isinstance(entry[1], ScalarNode):
        return []
    key, value = entry
    assert isinstance(value, ScalarNode)
    text = value.value
    if KEY not in text:
        return []
    try:
        root = yamlload.compose_first(text)
    except (yamlload.YAMLError, RecursionError):  # values that do not parse: rke2's helm-controller fails on them, not the agent
        return []
    return _find(source, root, doc_index, (text, embedded_locator(source, key, value, text)))


def _config(source: SourceFile, section: MappingNode, entry, doc_index: int, inner) -> AgentConfig:
    key, node = entry
    host_text = inner[0] if inner else source.text or ""
    text, in_host = region(host_text, node)
    offsets: list[int] | None = in_host
    if inner:
        outer = inner[1]
        offsets = None
        if outer.precise and outer.line_offsets is not None:
            mapped = [outer.outer_offset(o) for o in in_host]
            if all(m is not None for m in mapped):
                offsets = [m for m in mapped if m is not None]
    fallback = node_range(key) if not inner else inner[1].fallback
    if offsets is None:
        loc = Locator(source, None, LineIndex(text), fallback)
    else:
        loc = Locator(source, offsets, LineIndex(text), fallback)
    cfg = AgentConfig(source, "values", text, loc, document_index=doc_index, form="cilium", target_hint="cilium")
    enabled = mapping_get(section, "enabled")
    on = enabled is not None and isinstance(enabled[1], ScalarNode) and enabled[1].value.lower() in ("true", "yes", "on")
    if not on:
        kr = node_range(key)
        at = None
        if kr is not None:
            a = inner[1].outer_offset(kr[0]) if inner else kr[0]
            at = (a, a + len(key.value)) if a is not None else None
        cfg.disabled_at = at or fallback  # outer offsets of `config:`
        cfg.disabled_state = "false" if enabled is not None else "absent"
    return cfg


def region(text: str, node: Node) -> tuple[str, list[int]]:
    """The lines of ``node`` (a block or flow mapping), without the indentation of its first key;
    and the offset in ``text`` of each such line's first character."""
    idx = LineIndex(text)
    start = node.start_mark.index
    end = node.end_mark.index
    first_line, first_col = idx.pos(start)
    last = end - 1
    while last > start and text[last] in " \t\r\n":
        last -= 1
    last_line = idx.pos(last)[0]
    indent = first_col - 1
    lines, offsets = [], []
    for ln in range(first_line, last_line + 1):
        line = idx.line_text(ln)
        base = idx.starts[ln - 1]
        if ln == first_line:
            cut = indent
        else:
            lead = len(line) - len(line.lstrip(" "))
            cut = min(indent, lead)
        lines.append(line[cut:])
        offsets.append(base + cut)
    return "\n".join(lines) + "\n", offsets
