"""The one way a finding is made: a registered check's problem, the rule's catalog entry and the
file's settings (is the rule selected? at which severity?) give a ``Finding``.

Every producer goes through ``finding``: checks of every scope, the suppression comments (MQ005),
the size limit (MQ006) and the checks across files (MQ408).
"""

from __future__ import annotations

from collections.abc import Iterable

from masqlint.checks import SKIPPED, checks_of
from masqlint.config.settings import Settings
from masqlint.engine.findings import Finding, Fix, Severity, Span
from masqlint.engine.headers import RuleHeader, rule_headers

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from masqlint.engine.catalog import Rule

WHOLE_FILE = Span(1, 1, 1, 1)


def _matches(rule: Rule | RuleHeader, selectors: Iterable[str]) -> bool:
    for s in selectors:
        s = s.strip()
        if s.upper() == "ALL" or rule.id.startswith(s.upper()) or rule.name == s.lower():
            return True
    return False


def rule_enabled(rule: Rule | RuleHeader, settings: Settings) -> bool:
    """Is ``rule`` selected? Decided once per rule and settings (every file of a directory shares them)."""
    memo = settings.memo()
    key = ("enabled", rule.id)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = not _matches(rule, settings.ignore) and (
            _matches(rule, settings.select) or _matches(rule, settings.extend_select))
    return hit


def rule_severity(rule: Rule | RuleHeader, settings: Settings, default: str | None = None) -> Severity:
    """The severity settings give ``rule``, else ``default`` (a check's own for one finding), else the catalog's."""
    for key in (rule.id, rule.name):
        if key in settings.severity:
            return settings.severity[key]
    for key, sev in settings.severity.items():
        if rule.id.startswith(str(key).upper()):
            return sev
    return Severity.parse(default) if default else rule.severity


def enabled(rule_id: str, settings: Settings) -> bool:
    """Is the rule in the catalog and selected by these settings?"""
    rule = rule_headers().get(rule_id)
    return rule is not None and rule_enabled(rule, settings)


def finding(rule_id: str, settings: Settings, message: str, path: str, span: Span, fix: Fix | None = None,
            data: dict | None = None, severity: str | None = None, target: str | None = None,
            related: tuple = ()) -> Finding | None:
    """The finding of ``rule_id`` (as registered), or None when the settings turn the rule off.
    ``severity``: the check's own for this finding (settings still win), else the catalog's.
    ``target``: the agent the finding assumes, when one is known; ``related``: (Span, what) of other
    places the finding is about."""
    rule = rule_headers().get(rule_id)
    if rule is None or not rule_enabled(rule, settings):
        return None
    if rule.fix == "none":
        fix = None  # a rule offers fixes only where its catalog entry says how safe they are
    return Finding(rule=rule.id, name=rule.name, severity=rule_severity(rule, settings, severity), message=message,
                   path=path, span=span, fix=fix, data=data if data is not None else {}, target=target, related=related)


def scope_findings(scope: str, ctx, settings: Settings, path: str) -> list[Finding]:
    """The findings of every check of ``scope`` run on ``ctx``, whose problems are placed by a Span
    (a file not read, the directives of a file): no config context to resolve them against."""
    out = []
    for check in checks_of(scope):
        for p in check.problems(ctx):
            f = finding(p.rule, settings, p.message, path, p.at, p.fix, p.data)
            if f is not None:
                out.append(f)
    return out


def skipped_findings(skipped: TooLarge) -> list[Finding]:
    """The findings of the SKIPPED-scope checks (MQ006) for a file not read."""
    return scope_findings(SKIPPED, skipped, skipped.settings, skipped.path)


class TooLarge:
    """A file not read because of its size: what a SKIPPED-scope check gets."""

    __slots__ = ("more", "path", "settings", "size")

    def __init__(self, path: str, size: int, settings: Settings, more: bool = False):
        self.path = path
        self.size = size
        self.settings = settings
        self.more = more  # a stream that holds more than the limit (its size is not known)
