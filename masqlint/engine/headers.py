"""What linting needs of each rule: its id, name, default severity and whether it offers a fix.

Generated from ``rules/*.yaml`` by ``python -m masqlint.engine.catalog > masqlint/engine/headers.py``;
edit the rule files, not this table. Linting reads this table instead of the rule files, so a run
that finds problems never parses the catalog's texts and examples.
"""

from __future__ import annotations

from masqlint.engine.findings import Severity
from masqlint.record import Record

_TABLE = (
    ("MQ001", "yaml-syntax", "error", "none"),
    ("MQ002", "lookalike-character", "error", "safe"),
    ("MQ003", "duplicate-key", "error", "none"),
    ("MQ004", "encoding", "error", "none"),
    ("MQ005", "unused-suppression", "warning", "safe"),
    ("MQ006", "file-too-large", "info", "none"),
    ("MQ007", "unread-form", "info", "none"),
    ("MQ008", "reference-not-read", "error", "none"),
    ("MQ101", "configmap-location", "error", "unsafe"),
    ("MQ102", "data-key", "error", "unsafe"),
    ("MQ103", "nested-manifest", "error", "none"),
    ("MQ104", "config-shape", "error", "none"),
    ("MQ105", "generated-name-suffix", "error", "none"),
    ("MQ106", "disabled-config", "info", "none"),
    ("MQ201", "key-casing", "warning", "safe"),
    ("MQ202", "conflicting-keys", "error", "none"),
    ("MQ203", "unknown-key", "error", "unsafe"),
    ("MQ204", "wrong-type", "error", "unsafe"),
    ("MQ205", "invalid-duration", "error", "unsafe"),
    ("MQ206", "resync-nonpositive", "error", "unsafe"),
    ("MQ207", "legacy-key", "error", "none"),
    ("MQ208", "yaml11-boolean", "warning", "safe"),
    ("MQ301", "invalid-cidr", "error", "none"),
    ("MQ302", "cidr-host-bits", "error", "unsafe"),
    ("MQ303", "ipv6-disabled", "error", "none"),
    ("MQ304", "cidr-limit", "error", "none"),
    ("MQ305", "duplicate-cidr", "warning", "safe"),
    ("MQ306", "redundant-cidr", "warning", "safe"),
    ("MQ307", "mergeable-cidrs", "info", "none"),
    ("MQ308", "null-cidr-item", "error", "none"),
    ("MQ309", "empty-cidr-list", "warning", "none"),
    ("MQ310", "templated-empty-list", "warning", "none"),
    ("MQ311", "hcl-syntax", "warning", "none"),
    ("MQ315", "ipv4-mapped-cidr", "warning", "none"),
    ("MQ401", "dropped-default", "warning", "none"),
    ("MQ402", "must-masquerade", "error", "none"),
    ("MQ403", "must-not-masquerade", "error", "none"),
    ("MQ404", "snat-disabled", "warning", "none"),
    ("MQ405", "public-range", "warning", "none"),
    ("MQ406", "masq-link-local", "warning", "none"),
    ("MQ407", "ignored-by-target", "warning", "unsafe"),
    ("MQ408", "duplicate-configmap", "error", "none"),
    ("MQ409", "egressnat-action", "error", "none"),
    ("MQ410", "egressnat-unknown-field", "error", "none"),
    ("MQ411", "egressnat-destination", "error", "none"),
    ("MQ412", "gke-managed-policy", "error", "none"),
    ("MQ413", "ignored-on-autopilot", "warning", "none"),
    ("MQ414", "egressnat-on-standard", "warning", "none"),
    ("MQ415", "pod-range-masqueraded", "error", "none"),
    ("MQ416", "services-range-listed", "info", "none"),
    ("MQ417", "default-snat-disabled", "info", "none"),
    ("MQ420", "no-nonmasq-range", "error", "none"),
    ("MQ421", "agent-exits", "error", "none"),
)


class RuleHeader(Record):
    __slots__ = ("fix", "id", "name", "severity")

    def __init__(self, id: str, name: str, severity: Severity, fix: str = "none"):
        self.id = id
        self.name = name
        self.severity = severity
        self.fix = fix  # "none", "safe" or "unsafe": what the rule's findings may carry


FIXABLE: frozenset[str] = frozenset(rid for rid, _name, _sev, fix in _TABLE if fix != "none")


_HEADERS: dict[str, RuleHeader] | None = None


def rule_headers() -> dict[str, RuleHeader]:
    """Id, name, severity and fix of every rule, in id order."""
    global _HEADERS
    if _HEADERS is None:
        _HEADERS = {rid: RuleHeader(rid, name, Severity[sev.upper()], fix) for rid, name, sev, fix in _TABLE}
    return _HEADERS
