"""Compose YAML into position-carrying nodes (``masqlint.text.nodes``), never constructing objects.

Every scalar keeps its raw text, style and explicit tag; plain scalars get the tag ``PLAIN``
so that each consumer can resolve them by its own rules (YAML 1.1 as the agent's go-yaml v2
does, or YAML 1.2 as other tools do).

Plain block YAML (the usual ConfigMap and its ``config: |`` text) is composed by
``blockyaml`` without loading PyYAML; anything else goes to ``pyyamlload`` (libyaml), which
gives the same nodes. PyYAML's error classes (``YAMLError``, ``MarkedYAMLError``,
``NestingTooDeep``) and ``parser_depth_limit`` are attributes of this module that load
PyYAML when first asked for, so naming them in an ``except`` clause costs nothing until an
error is raised.
"""

from __future__ import annotations

from masqlint.text import blockyaml
from masqlint.text.nodes import MAX_DEPTH, PLAIN, MappingNode, Node, ScalarNode, SequenceNode

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from yaml import YAMLError
    from yaml.error import MarkedYAMLError

    from masqlint.text.pyyamlload import NestingTooDeep, parser_depth_limit

__all__ = [
    "PLAIN", "MAX_DEPTH", "NestingTooDeep", "compose_all", "compose_first", "YAMLError", "MarkedYAMLError",
    "parser_depth_limit", "MappingNode", "ScalarNode", "SequenceNode", "Node",
]

_FROM_PYYAML = ("YAMLError", "MarkedYAMLError", "NestingTooDeep", "parser_depth_limit")


def __getattr__(name: str) -> Any:
    if name in _FROM_PYYAML:
        from masqlint.text import pyyamlload  # noqa: PLC0415 - lazy: PyYAML only for YAML the block composer leaves

        return getattr(pyyamlload, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def compose_all(text: str):
    """Yield the root node of every document (None for an empty one)."""
    roots = blockyaml.compose(text, first_only=False)
    if roots is not None:
        yield from roots
        return
    from masqlint.text import pyyamlload  # noqa: PLC0415 - lazy: PyYAML only for YAML the block composer leaves

    yield from pyyamlload.compose_all(text)


def compose_first(text: str) -> Node | None:
    """The first document only; later documents are never parsed (as go-yaml's Unmarshal)."""
    roots = blockyaml.compose(text, first_only=True)
    if roots is not None:
        return roots[0] if roots else None
    from masqlint.text import pyyamlload  # noqa: PLC0415 - lazy: PyYAML only for YAML the block composer leaves

    return pyyamlload.compose_first(text)
