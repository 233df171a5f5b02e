"""Kubernetes manifests: a ConfigMap named ``ip-masq-agent`` in any document (inside ``kind: List``
items too). For a ``data.config`` literal block (``|``), every position inside the block maps to its
own line and column of the outer file; for other string styles, positions map to the ``config`` key.
A manifest that is not valid YAML still has its ``config: |`` blocks found by indentation."""

from __future__ import annotations

import re

from masqlint.agent.load import is_json_text
from masqlint.forms import consumers
from masqlint.forms.embedded import AgentConfig, DataKey, Envelope, Locator, embedded_locator
from masqlint.text import yamlload
from masqlint.text.source import LineIndex, SourceFile, iter_objects, mapping_get, node_range, scalar
from masqlint.text.yamlload import MappingNode, Node, ScalarNode
from masqlint.agent.goyaml import GoYAMLError, yaml_node_to_json
from masqlint.record import Record
from masqlint.lazyre import lazy

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


CONFIGMAP_NAME = "ip-masq-agent"
CONFIG_KEY = "config"


class Document(Record):
    __slots__ = ("index", "root")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, index: int, root: Node | None):
        self.index = index
        self.root = root


class ParsedFile(Record):
    __slots__ = ("source", "documents", "yaml_error", "configs", "original", "unknown")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, source: SourceFile, documents: list[Document] | None = None, yaml_error: Any = None,
                 configs: list[AgentConfig] | None = None, original: str | None = None, unknown: list | None = None):
        self.source = source
        self.documents = documents if documents is not None else []
        self.yaml_error = yaml_error  # a PyYAML MarkedYAMLError for the manifest
        self.configs = configs if configs is not None else []
        # a template: the text before masking, and the ranges whose values the template decides
        self.original = original
        self.unknown = unknown if unknown is not None else []


def is_agent_configmap(node: Node | None, pf: ParsedFile | None = None) -> bool:
    """A ConfigMap some ip-masq-agent reads (forms.consumers); in a template, one whose name comes
    from the template and mentions ``masq`` too."""
    return consumers.is_agent_configmap(node, pf is not None and _templated_masq_name(pf, node))


def _templated_masq_name(pf: ParsedFile, node: Node | None) -> bool:
    if not pf.unknown or pf.original is None or not isinstance(node, MappingNode):
        return False
    md = mapping_get(node, "metadata")
    name = mapping_get(md[1], "name") if md else None
    r = node_range(name[1]) if name else None
    if r is None or not any(a < r[1] and r[0] < b for a, b in pf.unknown):
        return False
    return "masq" in pf.original[r[0]:r[1]].lower()


def find_configs(pf: ParsedFile) -> None:
    objects = [(doc.index, obj) for doc in pf.documents for obj in iter_objects(doc.root)]
    others = None
    for doc_index, obj in objects:
        if is_agent_configmap(obj, pf):
            if others is None:
                others = [o for _, o in objects]
            pf.configs.extend(configmap_configs(pf.source, obj, doc_index, others))


def configmap_configs(source: SourceFile, cm: MappingNode, doc_index: int, same_file: list) -> list[AgentConfig]:
    """One config per data key the consuming agent reads (one without text when there is none)."""
    data = mapping_get(cm, "data")
    data_node = data[1] if data else None
    keys = [k.value for k, _ in data_node.value if isinstance(k, ScalarNode)] if isinstance(data_node, MappingNode) else []
    consumer = consumers.consumer_of(cm, keys, same_file, source.fspath)
    found = [k for k in consumer.keys if k in keys]
    out = []
    for i, key in enumerate(found or [None]):
        cfg = _configmap_config(source, cm, doc_index, key)
        cfg.data_keys = consumer.keys
        cfg.target_hint = consumer.target
        cfg.flags_hint = consumer.flags or None
        cfg.sibling = i
        out.append(cfg)
    return out


def _configmap_config(source: SourceFile, cm: MappingNode, doc_index: int, config_key: str | None = CONFIG_KEY) -> AgentConfig:
    md = mapping_get(cm, "metadata")
    ns = scalar((mapping_get(md[1], "namespace") or (None, None))[1]) if md else None
    data = mapping_get(cm, "data")
    cfg = AgentConfig(source, "configmap", None, Locator(source, None, LineIndex(""), node_range(cm)), configmap=cm,
                      document_index=doc_index, namespace=ns, data_node=data[1] if data else None,
                      envelope=_envelope(cm, md, data))
    entry = mapping_get(data[1], config_key) if data and config_key is not None else None
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


def _envelope(cm: MappingNode, md, data) -> Envelope:
    env = Envelope(node_range(cm) or (0, 0))
    if md is not None:
        env.metadata_range = node_range(md[0])
        name = mapping_get(md[1], "name")
        if name is not None:
            env.name, env.name_range = scalar(name[1]), node_range(name[0])
        ns = mapping_get(md[1], "namespace")
        if ns is not None:
            env.namespace, env.namespace_range = scalar(ns[1]), node_range(ns[1])
    if data is not None:
        env.data_range = node_range(data[0])
        if isinstance(data[1], MappingNode):
            env.data_keys = [DataKey(k.value, node_range(k) or (0, 0)) for k, _v in data[1].value
                             if isinstance(k, ScalarNode)]
    return env


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

    for doc in documents:
        if doc.root is None:
            continue
        try:
            yaml_node_to_json(doc.root)
        except GoYAMLError as e:
            if "aliasing" in e.message or "contains itself" in e.message:
                mark = getattr(e.node, "start_mark", None) or doc.root.start_mark
                return yamlload.MarkedYAMLError(problem=e.message.removeprefix("yaml: "), problem_mark=mark)
    return None


_BLOCK_HEADER = lazy(r"(?:^|\s)(?P<key>config):[ \t]*\|(?P<ind>[1-9]?)[-+]?(?P<ind2>[1-9]?)[ \t]*(?:#.*)?$")


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
        cfg.recovered_block_end = k if k <= n else None
        cfg.recovered_key_span = (key_start, key_start + len("config"))
        pf.configs.append(cfg)
        ln = last + 1
