"""Standalone agent config files: the file the agent reads itself (``/etc/config/ip-masq-agent``),
YAML or JSON, picked by a settings glob or recognised by its keys."""

from __future__ import annotations

import re

from masqlint.agent.load import is_json_input
from masqlint.forms.embedded import AgentConfig, Locator
from masqlint.forms.manifest import ParsedFile
from masqlint.text.source import SourceFile, mapping_get
from masqlint.text.yamlload import MappingNode, ScalarNode
from masqlint.lazyre import lazy

_AGENTISH_KEY = lazy(r"^(nonmasquerade|masqlinklocal|cidrlimit|resyncinterval)", re.IGNORECASE)


def standalone_config(source: SourceFile) -> AgentConfig:
    text = source.text or ""
    return AgentConfig(source, "standalone", text, Locator(source), json_input=is_json_input(source.data))


def _is_k8s_object(root) -> bool:
    return isinstance(root, MappingNode) and mapping_get(root, "kind") is not None and mapping_get(root, "apiVersion") is not None


_AGENTISH_LINE = lazy(r"^[ \t]*[\"']?(nonmasquerade|masqlinklocal|cidrlimit|resyncinterval)", re.IGNORECASE | re.MULTILINE)
_MANIFESTISH = lazy(r"^[ \t]*(kind|apiVersion)[ \t]*:", re.MULTILINE)


def looks_standalone(pf: ParsedFile) -> bool:
    text = pf.source.text or ""
    if pf.yaml_error is not None:
        # a broken file: an agent config if agent keys start lines and nothing looks like a manifest
        return bool(_AGENTISH_LINE.search(text)) and not _MANIFESTISH.search(text)
    if not pf.documents:
        return False
    root = pf.documents[0].root
    if not isinstance(root, MappingNode) or _is_k8s_object(root):
        return False
    return any(isinstance(k, ScalarNode) and _AGENTISH_KEY.match(k.value) for k, _ in root.value)
