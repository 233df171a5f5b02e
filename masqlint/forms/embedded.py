"""An agent config found inside a file: its text, and a map from positions in that text to the
line and column of the file the user opened. Every form produces these; every rule consumes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from masqlint.engine.findings import Span
from masqlint.text.source import LineIndex, SourceFile, node_range
from masqlint.text.yamlload import MappingNode, Node, ScalarNode


@dataclass
class Locator:
    """Maps positions in a config text to the outer file."""

    source: SourceFile
    # For an embedded literal block: per config line (0-based), (outer offset of its first char).
    line_offsets: list[int] | None = None
    config_index: LineIndex | None = None
    # Anything that cannot be mapped precisely points here (the config key).
    fallback: tuple[int, int] | None = None

    def outer_offset(self, inner: int) -> int | None:
        if self.line_offsets is None or self.config_index is None:
            return inner if self.config_index is None else None
        line, col = self.config_index.pos(inner)
        if line - 1 < len(self.line_offsets):
            return self.line_offsets[line - 1] + col - 1
        return None

    def span(self, start: int, end: int) -> Span:
        idx = self.source.index
        if self.line_offsets is None and self.config_index is None:
            return idx.span(start, end)
        a = self.outer_offset(start)
        b = self.outer_offset(end) if end > start else a
        if a is None or b is None:
            return idx.span(*self.fallback) if self.fallback else Span(1, 1, 1, 1)
        return idx.span(a, b)

    @property
    def precise(self) -> bool:
        return self.line_offsets is not None or self.config_index is None


@dataclass
class AgentConfig:
    """One ip-masq-agent configuration found in a file."""

    source: SourceFile
    kind: str  # "configmap" | "standalone"
    text: str | None  # the agent's config file text; None when there is no `config` key
    locator: Locator
    json_input: bool = False
    configmap: MappingNode | None = None  # the ConfigMap node (configmap kind)
    document_index: int = 0
    namespace: str | None = None
    # the kustomization whose `namespace:` overrides the manifest's own (it reports a wrong one)
    namespace_set_by: str | None = None
    config_key_node: ScalarNode | None = None
    config_value_node: Node | None = None
    data_node: Node | None = None
    root: Any = None  # the composed first document of the config (YAML) — filled by parse
    parse: Any = None  # JValue | AgentError — filled by parse
    form: str = "manifest"  # the form that found it (forms.FORMS names)
    # the consumer the surroundings point at ("azure", "cilium", "upstream", ...); settings' target wins
    target_hint: str | None = None
    # character ranges of ``text`` whose value comes from a template and cannot be known; the text
    # there is a placeholder of the same length, so positions stay exact
    unknown: tuple[tuple[int, int], ...] = ()
    # the list's items (some or all) are produced by a template loop: its length is unknown
    open_list: bool = False
    # the ConfigMap data keys the consuming agent reads as files (``config`` for the upstream agent
    # mapped by GKE's DaemonSet; ``ip-masq*`` for ip-masq-agent-v2 or a mount without ``items``)
    data_keys: tuple[str, ...] = ("config",)
    # the n-th config of one ConfigMap (0: the first); ConfigMap-level rules speak once, for the first
    sibling: int = 0
    # agent flags (AgentFlags field → value) set by the DaemonSet that runs the agent, when the file shows it
    flags_hint: Any = None

    def is_unknown(self, start: int, end: int) -> bool:
        """Does the config-text range [start, end) touch a value that comes from a template?"""
        return any(a < end and start < b for a, b in self.unknown) if self.unknown else False

    def span_of(self, thing) -> Span:
        """A position inside the config (node / Offset / JValue) → span in the outer file."""
        r = node_range(thing)
        if r is None:
            return self.anchor_span()
        return self.locator.span(*r)

    def anchor_span(self) -> Span:
        key_span = getattr(self, "recovered_key_span", None)
        if key_span is not None:
            return self.source.index.span(*key_span)
        key = node_range(self.config_key_node)
        if key is not None:
            return self.source.index.span(*key)
        cm = node_range(self.configmap)
        if cm is not None:
            return self.source.index.span(cm[0], cm[0])
        return Span(1, 1, 1, 1)


def embedded_locator(source: SourceFile, key: ScalarNode, value: ScalarNode, text: str) -> Locator:
    """Map a ``config`` string back to the outer file (exactly for literal blocks)."""
    fallback = node_range(key)
    cidx = LineIndex(text)
    if value.style != "|":
        return Locator(source, None, cidx, fallback)
    outer = source.index
    header_line, _ = outer.pos(value.start_mark.index)  # the line holding `|`
    n_lines = len(cidx.starts)
    first = header_line + 1
    # content indentation: explicit indicator or the first non-blank line's indent
    header = outer.line_text(header_line)[outer.pos(value.start_mark.index)[1] - 1:]
    indent = None
    for ch in header[1:3]:
        if ch.isdigit() and ch != "0":
            key_line_text = outer.line_text(outer.pos(key.start_mark.index)[0])
            parent = len(key_line_text) - len(key_line_text.lstrip(" "))
            indent = parent + int(ch)
    if indent is None:
        for ln in range(first, len(outer.starts) + 1):
            t = outer.line_text(ln)
            if t.strip(" "):
                indent = len(t) - len(t.lstrip(" "))
                break
    if indent is None:
        return Locator(source, None, cidx, fallback)
    offsets = []
    ostarts, otext, n_outer = outer.starts, outer.text, len(outer.starts)
    cstarts, ctext = cidx.starts, cidx.text
    for k in range(n_lines):  # (LineIndex.line_text, inlined: this runs once per line of the config)
        ln = first + k
        if ln > n_outer:
            break
        a = cstarts[k]
        b = cstarts[k + 1] if k + 1 < n_lines else len(ctext)
        inner_line = ctext[a:b].rstrip("\r\n")
        start = ostarts[ln - 1]
        if inner_line:
            end = ostarts[ln] if ln < n_outer else len(otext)
            while end > start and otext[end - 1] in "\r\n":
                end -= 1
            if not otext.startswith(inner_line, start + indent, end):
                return Locator(source, None, cidx, fallback)
        offsets.append(start + indent)
    return Locator(source, offsets, cidx, fallback)
