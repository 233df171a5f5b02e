"""Rule functions, registered by rule id; their docs and examples live in ``rules/<id>-<name>.yaml``.

A check is a plain generator registered with ``@register("MQnnn", SCOPE)``: it gets its scope's input
and yields ``Problem``s. The rule id is bound by the registration, never retyped in the problem: the
engine stamps it and turns every problem into a finding through one factory (``engine.emit``).

A problem says *where* by naming a thing (a YAML node, a JSON value, an ``Offset`` in the config
text, or a ``Span``); one resolver (``Context.span``) turns every such thing into a line/column
range of the outer file, for every rule alike.

Scopes and what the check gets:
  CONFIG      one ip-masq-agent config (``engine.lint.ConfigContext``)
  FILE        one file (``engine.lint.FileContext``)
  DIRECTIVES  one file's suppression comments after suppression (``engine.suppress.DirectiveContext``)
  SKIPPED     a file not read because of its size (``engine.emit.TooLarge``)
  COLLECT     one file (``FileContext``); yields facts (any values) kept in ``FileResult.facts[rule]``
              for the RUN check of the same rule
  RUN         the files of the run that hold facts (list of ``FileResult``, in run order); yields
              (FileResult, Problem) pairs

A rule across files is one COLLECT and one RUN function in one module, both registered for its id.
"""

from __future__ import annotations

import importlib
import os

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterator
    from typing import Any

    from masqlint.engine.findings import Fix

FILE = "file"
CONFIG = "config"
DIRECTIVES = "directives"
SKIPPED = "skipped"
COLLECT = "collect"
RUN = "run"
SCOPES = (CONFIG, FILE, DIRECTIVES, SKIPPED, COLLECT, RUN)


class Problem:
    """What a check found: a message and where. The rule is the check's registration."""

    __slots__ = ("at", "data", "fix", "message", "outer", "rule", "severity")

    def __init__(self, message: str, *misplaced: Any, at: Any = None, outer: bool = False, fix: Fix | None = None,
                 data: dict | None = None, severity: str | None = None, rule: str = ""):
        if misplaced:
            raise TypeError("Problem(message, at=..., fix=..., data=...): the rule id comes from @register, "
                            f"not from the problem (got {message!r}, {misplaced[0]!r})")
        self.message = message
        self.at = at  # node / JValue / Offset / Span / None (the config as a whole)
        self.outer = outer  # `at` is a node of the manifest itself, not of the config text
        self.fix = fix
        self.data = data if data is not None else {}
        self.severity = severity  # the rule's severity for this case (e.g. a target that only masks), unless settings override it
        self.rule = rule  # stamped by the engine from the registration; set by hand only for a form's notes

    def __repr__(self) -> str:
        return f"Problem({self.rule or '?'}: {self.message!r})"


class Check:
    __slots__ = ("fn", "rule", "scope")

    def __init__(self, rule: str, scope: str, fn: Callable[..., Iterator[Any]]):
        self.rule = rule
        self.scope = scope
        self.fn = fn

    def problems(self, *args: Any) -> Iterator[Problem]:
        """The check's problems with its rule id stamped (a problem naming another rule is a bug)."""
        for p in self.fn(*args):
            if p.rule and p.rule != self.rule:
                raise ValueError(f"a check registered for {self.rule} yielded a problem of {p.rule}")
            p.rule = self.rule
            yield p

    def pairs(self, files: list[Any]) -> Iterator[tuple[Any, Problem]]:
        """A RUN check's (FileResult, Problem) pairs, the rule id stamped."""
        for fr, p in self.fn(files):
            if p.rule and p.rule != self.rule:
                raise ValueError(f"a check registered for {self.rule} yielded a problem of {p.rule}")
            p.rule = self.rule
            yield fr, p


REGISTRY: dict[str, list[Check]] = {}


def register(rule: str, scope: str = CONFIG) -> Callable[[Callable[..., Iterator[Any]]], Callable[..., Iterator[Any]]]:
    """Register ``fn`` as (one of) the check(s) of ``rule``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown check scope {scope!r}")

    def deco(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        REGISTRY.setdefault(rule, []).append(Check(rule, scope, fn))
        _BY_SCOPE.clear()
        return fn

    return deco


_BY_SCOPE: dict[str, list[Check]] = {}


def checks_of(scope: str) -> list[Check]:
    """Every registered check of one scope, in rule id order."""
    got = _BY_SCOPE.get(scope)
    if got is None:
        load_all()
        got = _BY_SCOPE[scope] = [c for rid in sorted(REGISTRY) for c in REGISTRY[rid] if c.scope == scope]
    return got


_loaded = False


def load_all() -> dict[str, list[Check]]:
    """Import every module of this package (each registers its rules) and return the registry.
    A new module of checks needs no line here."""
    global _loaded
    if not _loaded:
        for name in sorted(n[:-3] for n in os.listdir(__path__[0]) if n.endswith(".py") and n != "__init__.py"):
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return REGISTRY
