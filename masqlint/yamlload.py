"""Compose YAML into position-carrying nodes, never constructing objects.

Every scalar keeps its raw text, style and explicit tag; plain scalars get the tag
``PLAIN`` so that each consumer can resolve them by its own rules (YAML 1.1 as the
agent's go-yaml v2 does, or YAML 1.2 as other tools do). Nothing is ever
constructed from a tag, so ``!!python/object`` and friends are inert data.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:  # the libyaml parser is several times faster; fall back to pure Python
    from yaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    try:
        from yaml._yaml import CParser as _Parser  # type: ignore
    except ImportError:
        _Parser = None

PLAIN = "?"

__all__ = ["PLAIN", "compose_all", "compose_first", "YAMLError", "MappingNode", "ScalarNode", "SequenceNode", "Node"]

YAMLError = yaml.YAMLError


class _Resolver(BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return PLAIN
        return BaseResolver.resolve(self, kind, value, implicit)


if _Parser is not None:

    class _Loader(_Parser, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)


def compose_all(text: str):
    """Yield the root node of every document (None for an empty one)."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def compose_first(text: str) -> Node | None:
    """The first document only; later documents are never parsed (as go-yaml's Unmarshal)."""
    loader = _Loader(text)
    try:
        if loader.check_node():
            return loader.get_node()
        return None
    finally:
        loader.dispose()
