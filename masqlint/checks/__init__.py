"""Rule functions, registered by rule id; their docs and examples live in ``rules/<id>-<name>.yaml``.

A check is a plain generator: it gets a context and yields ``Problem``s. A problem says
*where* by naming a thing (a YAML node, a JSON value, an ``Offset`` in the config text,
or a ``Span``); one resolver (``Context.span``) turns every such thing into a line/column
range of the outer file, for every rule alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from masqlint.engine.findings import Fix

FILE = "file"
CONFIG = "config"
RUN = "run"  # once per run, after every file: fn(list of FileResult) yields (FileResult, Finding)


@dataclass
class Problem:
    rule: str
    message: str
    at: Any = None  # node / JValue / Offset / Span / None (the config as a whole)
    outer: bool = False  # `at` is a node of the manifest itself, not of the config text
    fix: Fix | None = None
    data: dict = field(default_factory=dict)
    severity: str | None = None  # the rule's severity for this case (e.g. a target that only masks), unless settings override it


@dataclass(frozen=True)
class Check:
    rule: str
    scope: str
    fn: Callable[[Any], Iterator[Any]]  # Problems; (FileResult, Finding) pairs for RUN scope


REGISTRY: dict[str, list[Check]] = {}
STAGE = "stage"  # findings made by a pipeline stage itself (reader, suppressions)


def register(rule: str, scope: str = CONFIG):
    """Register ``fn`` as (one of) the check(s) of ``rule``."""

    def deco(fn):
        REGISTRY.setdefault(rule, []).append(Check(rule, scope, fn))
        return fn

    return deco


def load_all() -> dict[str, list[Check]]:
    """Import every check module (each registers its rules) and return the registry."""
    from masqlint.checks import (  # noqa: F401
        azure_union, cidrs, cluster, consumers, egressnat, forms, keys, manifest, notes, policy, syntax,
        terraform, traffic,
    )

    return REGISTRY
