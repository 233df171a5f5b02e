"""Bytes → text → YAML documents with positions → the ip-masq-agent configs they hold.

A config is found either as a ConfigMap named ``ip-masq-agent`` (in any document of a
manifest, inside ``kind: List`` items too) or as a standalone agent config file. For a
ConfigMap whose ``data.config`` is a literal block (``|``), every position inside the
block maps to its own line and column of the outer file; for other string styles,
positions inside the config map to the ``config`` key.
"""

from __future__ import annotations

import bisect
import re
import re
from dataclasses import dataclass, field
from typing import Any

from . import yamlload
from .agent.load import DecodeError, Offset, Text, decode_bytes, is_json_input, is_json_text
from .findings import Span
from .yamlload import MappingNode, Node, ScalarNode, SequenceNode

CONFIGMAP_NAME = "ip-masq-agent"
CONFIG_KEY = "config"


_LINE_BREAK = re.compile(r"\r\n?|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LineIndex counts them (``str.splitlines`` also breaks at
    \\x1c, \\x85, U+2028 and more, which would shift every line number after them)."""
    return _LINE_BREAK.split(text)


class LineIndex:
    """Character offsets ↔ 1-based (line, column) for one text."""

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))  # after each \r\n, \r or \n
        self.starts = starts

    def pos(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """1-based line/column → character offset."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def span(self, start: int, end: int) -> Span:
        l1, c1 = self.pos(start)
        l2, c2 = self.pos(max(end, start))
        return Span(l1, c1, l2, c2)


@dataclass
class SourceFile:
    path: str  # as shown to the user
    data: bytes
    text: str | None = None
    encoding: str = "utf-8"
    bom: bytes = b""
    decode_error: DecodeError | None = None
    _index: LineIndex | None = None

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> "SourceFile":
        sf = cls(path, data)
        try:
            t: Text = decode_bytes(data)
            sf.text, sf.encoding, sf.bom = t.text, t.encoding, t.bom
        except DecodeError as e:
            sf.decode_error = e
        return sf

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text or "")
        return self._index

    def encode(self, text: str) -> bytes:
        """Text back to bytes in the file's own encoding, BOM included."""
        return self.bom + text.encode(self.encoding)


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
        if self.line_offsets is None:
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


def node_range(node: Any) -> tuple[int, int] | None:
    if node is None:
        return None
    if isinstance(node, Offset):
        return node.start, node.end
    origin = getattr(node, "origin", None)
    if origin is not None and not isinstance(node, Node):
        return node_range(origin)
    sm, em = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if sm is None:
        return None
    end = em.index if em is not None else sm.index
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        end = min(end, _line_end(sm.buffer, sm.index) if sm.buffer else end)
    return sm.index, max(end, sm.index)


def _line_end(buf, index):
    i = buf.find("\n", index)
    return len(buf) if i < 0 else i


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
    config_key_node: ScalarNode | None = None
    config_value_node: Node | None = None
    data_node: Node | None = None
    root: Any = None  # the composed first document of the config (YAML) — filled by parse
    parse: Any = None  # JValue | AgentError — filled by parse

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
        if self.config_key_node is not None:
            s, e = node_range(self.config_key_node)
            return self.source.index.span(s, e)
        if self.configmap is not None:
            s, e = node_range(self.configmap)
            return self.source.index.span(s, s)
        return Span(1, 1, 1, 1)


@dataclass
class Document:
    index: int
    root: Node | None


@dataclass
class ParsedFile:
    source: SourceFile
    documents: list[Document] = field(default_factory=list)
    yaml_error: Any = None  # a PyYAML MarkedYAMLError for the manifest
    configs: list[AgentConfig] = field(default_factory=list)


def scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def mapping_get(node: Node | None, key: str, fold: bool = False) -> tuple[ScalarNode, Node] | None:
    """The last (key node, value node) pair whose key is ``key`` (as YAML tools take it)."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and (k.value == key or (fold and k.value.lower() == key.lower())):
            found = (k, v)
    return found


def is_agent_configmap(node: Node | None) -> bool:
    if not isinstance(node, MappingNode):
        return False
    kind = scalar((mapping_get(node, "kind") or (None, None))[1])
    if kind != "ConfigMap":
        return False
    md = mapping_get(node, "metadata")
    name = scalar((mapping_get(md[1], "name") or (None, None))[1]) if md else None
    return name == CONFIGMAP_NAME


def iter_objects(root: Node | None):
    """Kubernetes objects in a document, unwrapping ``kind: List`` (and ``*List``) items."""
    if not isinstance(root, MappingNode):
        return
    kind = scalar((mapping_get(root, "kind") or (None, None))[1]) or ""
    items = mapping_get(root, "items")
    if kind.endswith("List") and items and isinstance(items[1], SequenceNode):
        for item in items[1].value:
            yield from iter_objects(item)
        return
    yield root


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


def find_configs(pf: ParsedFile) -> None:
    for doc in pf.documents:
        for obj in iter_objects(doc.root):
            if is_agent_configmap(obj):
                pf.configs.append(_configmap_config(pf.source, obj, doc.index))


def _configmap_config(source: SourceFile, cm: MappingNode, doc_index: int) -> AgentConfig:
    md = mapping_get(cm, "metadata")
    ns = scalar((mapping_get(md[1], "namespace") or (None, None))[1]) if md else None
    data = mapping_get(cm, "data")
    cfg = AgentConfig(source, "configmap", None, Locator(source, None, LineIndex(""), node_range(cm)), configmap=cm,
                      document_index=doc_index, namespace=ns, data_node=data[1] if data else None)
    entry = mapping_get(data[1], CONFIG_KEY) if data else None
    if entry is None:
        return cfg
    key, value = entry
    cfg.config_key_node, cfg.config_value_node = key, value
    if isinstance(value, ScalarNode) and (value.tag != yamlload.PLAIN or value.value not in ("", "~", "null", "Null", "NULL")):
        text = value.value
        cfg.text = text
        cfg.json_input = is_json_text(text)
        cfg.locator = embedded_locator(source, key, value, text)
    else:
        cfg.locator = Locator(source, None, LineIndex(""), node_range(key))
    return cfg


def standalone_config(source: SourceFile) -> AgentConfig:
    text = source.text or ""
    return AgentConfig(source, "standalone", text, Locator(source), json_input=is_json_input(source.data))


def parse_manifest(source: SourceFile) -> ParsedFile:
    pf = ParsedFile(source)
    if source.text is None:
        return pf
    try:
        for i, root in enumerate(yamlload.compose_all(source.text)):
            pf.documents.append(Document(i, root))
    except yamlload.YAMLError as e:
        pf.yaml_error = e
    except RecursionError:
        pf.yaml_error = RecursionError("nesting is too deep")
    if pf.yaml_error is None and _ALIAS.search(source.text):
        pf.yaml_error = _alias_trouble(pf.documents)
    return pf


# An alias (`*name`) where YAML allows one: only then can a document alias too much.
_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s,\[\]{}]")


def _alias_trouble(documents) -> Any:
    """kubectl reads each document with go-yaml too: one whose aliases go-yaml refuses
    (excessive aliasing, an anchor containing itself) cannot be applied. That error, else None."""
    from yaml.error import MarkedYAMLError

    from .agent.goyaml import GoYAMLError, yaml_node_to_json

    for doc in documents:
        if doc.root is None:
            continue
        try:
            yaml_node_to_json(doc.root)
        except GoYAMLError as e:
            if "aliasing" in e.message or "contains itself" in e.message:
                mark = getattr(e.node, "start_mark", None) or doc.root.start_mark
                return MarkedYAMLError(problem=e.message.removeprefix("yaml: "), problem_mark=mark)
    return None


_BLOCK_HEADER = re.compile(r"(?:^|\s)(?P<key>config):[ \t]*\|(?P<ind>[1-9]?)[-+]?(?P<ind2>[1-9]?)[ \t]*(?:#.*)?$")


def recover_configs(pf: ParsedFile) -> None:
    """For a manifest that is not valid YAML, find `config: |` blocks by their indentation so the
    agent config inside can still be checked (positions stay exact)."""
    source = pf.source
    idx = source.index
    n = len(idx.starts)
    if "ip-masq-agent" not in (source.text or ""):
        return
    ln = 1
    while ln <= n:
        line = idx.line_text(ln)
        m = _BLOCK_HEADER.search(line)
        if not m:
            ln += 1
            continue
        key_col = m.start("key")
        first = ln + 1
        indent = None
        k = first
        while k <= n:
            t = idx.line_text(k)
            if t.strip():
                indent = len(t) - len(t.lstrip(" "))
                break
            k += 1
        if indent is None or indent <= key_col - (0 if line[:key_col].strip() == "" else key_col):
            ln += 1
            continue
        last = first - 1
        k = first
        while k <= n:
            t = idx.line_text(k)
            if t.strip() and len(t) - len(t.lstrip(" ")) < indent:
                break
            last = k
            k += 1
        while last >= first and not idx.line_text(last).strip():
            last -= 1
        lines = [idx.line_text(i)[indent:] for i in range(first, last + 1)]
        text = "\n".join(lines) + "\n"
        offsets = [idx.starts[i - 1] + indent for i in range(first, last + 1)]
        key_start = idx.starts[ln - 1] + m.start("key")
        loc = Locator(source, offsets, LineIndex(text), (key_start, key_start + len("config")))
        cfg = AgentConfig(source, "configmap", text, loc, json_input=is_json_text(text))
        cfg.recovered_block_end = k if k <= n else None  # type: ignore[attr-defined]
        cfg.recovered_key_span = (key_start, key_start + len("config"))  # type: ignore[attr-defined]
        pf.configs.append(cfg)
        ln = last + 1
