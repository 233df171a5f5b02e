"""An agent config found inside a file: its text, and a map from positions in that text to the
line and column of the file the user opened. Every form produces these; every rule consumes them."""

from __future__ import annotations

from array import array
from bisect import bisect_right

from masqlint.engine.findings import ElsewhereSpan, Span
from masqlint.text.source import LineIndex, SourceFile, node_range
from masqlint.text.yamlload import MappingNode, Node, ScalarNode
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from typing import Any



class Locator(Record):
    """Maps positions in a config text to the outer file."""

    __slots__ = ("source", "line_offsets", "config_index", "fallback", "first_line")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, source: SourceFile, line_offsets: Sequence[int] | None = None,
                 config_index: LineIndex | None = None, fallback: tuple[int, int] | None = None,
                 first_line: int = 0):
        self.source = source
        # For an embedded literal block: per config line (0-based), (outer offset of its first char).
        self.line_offsets = line_offsets
        self.config_index = config_index
        # Anything that cannot be mapped precisely points here (the config key).
        self.fallback = fallback
        # with line_offsets: the outer line (1-based) of config line 1, when config line k is outer line
        # first_line + k - 1 (a literal block): where a position is looked for first (0: not known)
        self.first_line = first_line

    def outer_offset(self, inner: int) -> int | None:
        if self.line_offsets is None or self.config_index is None:
            return inner if self.config_index is None else None
        line, col = self.config_index.pos(inner)
        if line - 1 < len(self.line_offsets):
            return self.line_offsets[line - 1] + col - 1
        return None

    def span(self, start: int, end: int) -> Span:
        # a range inside a literal block, on lines the block holds: each line found by one search of
        # the config's line table, the outer lines by the block's first line (a list of 100,000
        # entries asks this of thousands of findings); anything else goes the general way
        offsets, cidx, first = self.line_offsets, self.config_index, self.first_line
        if not first or offsets is None or cidx is None or not 0 <= start < end <= len(cidx.text):
            return self._span(start, end)
        cs = cidx.starts
        l1 = bisect_right(cs, start)
        s1 = cs[l1 - 1]
        if l1 == len(cs) or end < cs[l1]:
            l2, s2 = l1, s1
        else:
            l2 = bisect_right(cs, end)
            s2 = cs[l2 - 1]
        if l2 > len(offsets):
            return self._span(start, end)
        a = offsets[l1 - 1] + start - s1
        b = offsets[l2 - 1] + end - s2
        idx = self.source.index
        os_ = idx.starts
        o1, o2 = first + l1 - 1, first + l2 - 1
        n = len(os_)
        if (a <= b <= len(idx.text) and o2 <= n and os_[o1 - 1] <= a and (o1 == n or a < os_[o1])
                and os_[o2 - 1] <= b and (o2 == n or b < os_[o2])):
            return Span(o1, a - os_[o1 - 1] + 1, o2, b - os_[o2 - 1] + 1)
        return self._span(start, end)

    def _span(self, start: int, end: int) -> Span:
        idx = self.source.index
        offsets, cidx = self.line_offsets, self.config_index
        if offsets is None or cidx is None:
            if cidx is None:
                return idx.span(start, end)
            return idx.span(*self.fallback) if self.fallback else Span(1, 1, 1, 1)
        # outer_offset of start and end, each line found once: the end is looked for on the start's
        # line first, and an outer position on the line that config line holds (first_line)
        l1, c1 = cidx.pos(start)
        l2, c2 = cidx.pos(end, l1) if end > start else (l1, c1)
        if l1 > len(offsets) or l2 > len(offsets):
            return idx.span(*self.fallback) if self.fallback else Span(1, 1, 1, 1)
        a = offsets[l1 - 1] + c1 - 1
        b = offsets[l2 - 1] + c2 - 1 if end > start else a
        first = self.first_line
        o1, oc1 = idx.pos(a, first + l1 - 1 if first else 0)
        o2, oc2 = idx.pos(max(b, a), first + l2 - 1 if first else o1)
        return Span(o1, oc1, o2, oc2)

    @property
    def precise(self) -> bool:
        return self.line_offsets is not None or self.config_index is None


class CharLocator(Locator):
    """Maps every character of a config text to its own outer offset: for texts that are not a
    contiguous slice of the file line by line (quoted strings with escapes, heredocs whose
    indentation was stripped, template output, values rendered by ``yamlencode``).
    ``chars[i]`` is the outer offset of config character i; one more entry stands for the end.
    Spans land in ``source``; when that is not the file being linted, they carry its path."""

    def __init__(self, source: SourceFile, chars, text: str, fallback: tuple[int, int] | None = None,
                 lit=None, elsewhere: bool = False):
        super().__init__(source, None, LineIndex(text), fallback)
        self.chars = chars
        self.lit = lit  # lit[i]: character i is copied one to one from the file (None: none is)
        self.elsewhere = elsewhere

    def exact_range(self, start: int, end: int) -> tuple[int, int] | None:
        """The outer range of config characters [start, end) when they are copied one to one from
        the file, in order (a fix may then replace them); else None."""
        if self.elsewhere or self.lit is None or not 0 <= start < end <= len(self.lit):
            return None
        chars, lit = self.chars, self.lit
        a = chars[start]
        for i in range(start, end):
            if not lit[i] or chars[i] != a + (i - start):
                return None
        return a, a + (end - start)

    def outer_offset(self, inner: int) -> int | None:
        if 0 <= inner < len(self.chars):
            return self.chars[inner]
        return self.chars[-1] if self.chars and inner >= len(self.chars) else None

    def span(self, start: int, end: int) -> Span:
        a = self.outer_offset(start)
        # the end: just after the range's last character (the character after the range may have
        # been placed anywhere, e.g. by yamlencode)
        last = self.outer_offset(end - 1) if end > start else None
        if a is None:
            sp = self.source.index.span(*self.fallback) if self.fallback else Span(1, 1, 1, 1)
        else:
            b = last + 1 if last is not None and last >= a else (a if end <= start else a + 1)
            sp = self.source.index.span(a, b)
        return here_or_elsewhere(sp, self.source.path if self.elsewhere else None)

    @property
    def precise(self) -> bool:
        return not self.elsewhere  # edits apply to the linted file only


def here_or_elsewhere(span: Span, path: str | None) -> Span:
    if path is None:
        return span
    return ElsewhereSpan(span.line, span.column, span.end_line, span.end_column, path)


class DataKey:
    """One key of a ConfigMap's ``data``, with outer ranges (character offsets of the file)."""

    __slots__ = ("name", "range")

    def __init__(self, name: str, range_: tuple[int, int]):
        self.name = name
        self.range = range_  # the key as written (quotes included)


class Envelope:
    """The ConfigMap around an agent config, whatever form wrote it (YAML manifest, Terraform
    resource, ...): its name, namespace and data keys, each with its outer range, so that the
    checks of the ConfigMap (MQ101, MQ102) need not know the form. Ranges are character offsets
    in the file being linted; ``None`` when the thing is absent."""

    __slots__ = ("anchor", "data_keys", "data_range", "metadata_range", "name", "name_range", "namespace",
                 "namespace_fixable", "namespace_insert", "namespace_known", "namespace_range", "syntax")

    def __init__(self, anchor: tuple[int, int]):
        self.anchor = anchor  # the ConfigMap (resource) itself: where a finding goes when nothing nearer exists
        self.syntax = "yaml"  # how the ConfigMap is written: "yaml" (a manifest) or "hcl" (a Terraform resource)
        self.name: str | None = None
        self.name_range: tuple[int, int] | None = None
        self.metadata_range: tuple[int, int] | None = None
        self.namespace: str | None = None
        self.namespace_range: tuple[int, int] | None = None  # the namespace's value as written (quotes included)
        self.namespace_known = True  # False: the namespace comes from a value masqlint cannot know
        self.namespace_fixable = True  # False: the value is not written as a plain string there (a variable…)
        self.namespace_insert: tuple[int, str] | None = None  # (offset, text) that adds `namespace: kube-system`
        self.data_range: tuple[int, int] | None = None  # the `data` key
        self.data_keys: list[DataKey] = []


class AgentConfig(Record):
    """One ip-masq-agent configuration found in a file."""

    _fields = ("source", "kind", "text", "locator", "json_input", "configmap", "document_index", "namespace",
               "namespace_set_by", "config_key_node", "config_value_node", "data_node", "root", "parse", "form",
               "target_hint", "unknown", "open_list", "data_keys", "sibling", "flags_hint", "envelope", "anchor",
               "template_notes")
    # and what a form may add: the `config` key and the end of its block recovered from broken YAML
    # (forms.manifest), the file name the agent reads the config under (checks.azure_union), where and
    # why a Cilium config is disabled (forms.cilium: the outer range of `config:`, "false" or "absent")
    __slots__ = (*_fields, "recovered_key_span", "recovered_block_end", "mount_name", "disabled_at",
                 "disabled_state")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, source: SourceFile, kind: str, text: str | None, locator: Locator, json_input: bool = False,
                 configmap: MappingNode | None = None, document_index: int = 0, namespace: str | None = None,
                 namespace_set_by: str | None = None, config_key_node: ScalarNode | None = None,
                 config_value_node: Node | None = None, data_node: Node | None = None, root: Any = None,
                 parse: Any = None, form: str = "manifest", target_hint: str | None = None,
                 unknown: tuple[tuple[int, int], ...] = (), open_list: bool = False,
                 data_keys: tuple[str, ...] = ("config",), sibling: int = 0, flags_hint: Any = None,
                 envelope: Envelope | None = None, anchor: Span | None = None, template_notes: list | None = None):
        self.source = source
        self.kind = kind  # "configmap" | "standalone"
        self.text = text  # the agent's config file text; None when there is no `config` key
        self.locator = locator
        self.json_input = json_input
        self.configmap = configmap  # the ConfigMap node (configmap kind)
        self.document_index = document_index
        self.namespace = namespace
        # the kustomization whose `namespace:` overrides the manifest's own (it reports a wrong one)
        self.namespace_set_by = namespace_set_by
        self.config_key_node = config_key_node
        self.config_value_node = config_value_node
        self.data_node = data_node
        self.root = root  # the composed first document of the config (YAML) — filled by parse
        self.parse = parse  # JValue | AgentError — filled by parse
        self.form = form  # the form that found it (forms.FORMS names)
        # the consumer the surroundings point at ("azure", "cilium", "upstream", ...); settings' target wins
        self.target_hint = target_hint
        # character ranges of ``text`` whose value comes from a template and cannot be known; the text
        # there is a placeholder of the same length, so positions stay exact
        self.unknown = unknown
        # the list's items (some or all) are produced by a template loop: its length is unknown
        self.open_list = open_list
        # the ConfigMap data keys the consuming agent reads as files (``config`` for the upstream agent
        # mapped by GKE's DaemonSet; ``ip-masq*`` for ip-masq-agent-v2 or a mount without ``items``)
        self.data_keys = data_keys
        # the n-th config of one ConfigMap (0: the first); ConfigMap-level rules speak once, for the first
        self.sibling = sibling
        # agent flags (AgentFlags field → value) set by the DaemonSet that runs the agent, when the file shows it
        self.flags_hint = flags_hint
        # the ConfigMap around the config (name, namespace, data keys with outer ranges); None for a
        # standalone agent file
        self.envelope = envelope
        # where a finding about the config as a whole goes, when the form knows better than the key
        self.anchor = anchor
        # problems the form found in the markup that produces the config (checks.Problem, each at a Span)
        self.template_notes = template_notes if template_notes is not None else []
        self.recovered_key_span: tuple[int, int] | None = None
        self.recovered_block_end: int | None = None
        self.mount_name: str | None = None
        self.disabled_at: tuple[int, int] | None = None
        self.disabled_state = "absent"

    @property
    def elsewhere(self) -> bool:
        """Is the config in another file than the one being linted (one it reads, Terraform file())?"""
        return bool(getattr(self.locator, "elsewhere", False))

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
        if self.anchor is not None:
            return self.anchor
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
    header_line, header_col = outer.pos(value.start)  # the line holding `|`
    n_lines = len(cidx.starts)
    first = header_line + 1
    # content indentation: explicit indicator or the first non-blank line's indent
    header = outer.line_text(header_line)[header_col - 1:]
    indent = None
    for ch in header[1:3]:
        if ch.isdigit() and ch != "0":
            key_line_text = outer.line_text(outer.pos(key.start)[0])
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
    offsets = array("q")  # (8 bytes a line: a config may have 100,000 lines)
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
    return Locator(source, offsets, cidx, fallback, first)
