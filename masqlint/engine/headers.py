"""What linting needs of each rule: its id, name and default severity.

Generated from ``rules/*.yaml`` by ``python -m masqlint.engine.catalog > masqlint/engine/headers.py``;
edit the rule files, not this table. Linting reads this table instead of the rule files, so a run
that finds problems never parses the catalog's texts and examples.
"""

from __future__ import annotations

from masqlint.engine.findings import Severity
from masqlint.record import Record

_TABLE = (
    ("MQ001", "yaml-syntax", "error"),
    ("MQ002", "lookalike-character", "error"),
    ("MQ003", "duplicate-key", "error"),
    ("MQ004", "encoding", "error"),
    ("MQ005", "unused-suppression", "warning"),
    ("MQ006", "file-too-large", "info"),
    ("MQ007", "unread-form", "info"),
    ("MQ008", "reference-not-read", "error"),
    ("MQ101", "configmap-location", "error"),
    ("MQ102", "data-key", "error"),
    ("MQ103", "nested-manifest", "error"),
    ("MQ104", "config-shape", "error"),
    ("MQ105", "generated-name-suffix", "error"),
    ("MQ106", "disabled-config", "info"),
    ("MQ201", "key-casing", "warning"),
    ("MQ202", "conflicting-keys", "error"),
    ("MQ203", "unknown-key", "error"),
    ("MQ204", "wrong-type", "error"),
    ("MQ205", "invalid-duration", "error"),
    ("MQ206", "resync-nonpositive", "error"),
    ("MQ207", "legacy-key", "error"),
    ("MQ208", "yaml11-boolean", "warning"),
    ("MQ301", "invalid-cidr", "error"),
    ("MQ302", "cidr-host-bits", "error"),
    ("MQ303", "ipv6-disabled", "error"),
    ("MQ304", "cidr-limit", "error"),
    ("MQ305", "duplicate-cidr", "warning"),
    ("MQ306", "redundant-cidr", "warning"),
    ("MQ307", "mergeable-cidrs", "info"),
    ("MQ308", "null-cidr-item", "error"),
    ("MQ309", "empty-cidr-list", "warning"),
    ("MQ310", "templated-empty-list", "warning"),
    ("MQ311", "hcl-syntax", "warning"),
    ("MQ315", "ipv4-mapped-cidr", "warning"),
    ("MQ401", "dropped-default", "warning"),
    ("MQ402", "must-masquerade", "error"),
    ("MQ403", "must-not-masquerade", "error"),
    ("MQ404", "snat-disabled", "warning"),
    ("MQ405", "public-range", "warning"),
    ("MQ406", "masq-link-local", "warning"),
    ("MQ407", "ignored-by-target", "warning"),
    ("MQ408", "duplicate-configmap", "error"),
    ("MQ409", "egressnat-action", "error"),
    ("MQ410", "egressnat-unknown-field", "error"),
    ("MQ411", "egressnat-destination", "error"),
    ("MQ412", "gke-managed-policy", "error"),
    ("MQ413", "ignored-on-autopilot", "warning"),
    ("MQ414", "egressnat-on-standard", "warning"),
    ("MQ415", "pod-range-masqueraded", "error"),
    ("MQ416", "services-range-listed", "info"),
    ("MQ417", "default-snat-disabled", "info"),
    ("MQ420", "no-nonmasq-range", "error"),
    ("MQ421", "agent-exits", "error"),
)


class RuleHeader(Record):
    __slots__ = ("id", "name", "severity")

    def __init__(self, id: str, name: str, severity: Severity):
        self.id = id
        self.name = name
        self.severity = severity


_HEADERS: dict[str, RuleHeader] | None = None


def rule_headers() -> dict[str, RuleHeader]:
    """Id, name and severity of every rule, in id order."""
    global _HEADERS
    if _HEADERS is None:
        _HEADERS = {rid: RuleHeader(rid, name, Severity[sev.upper()]) for rid, name, sev in _TABLE}
    return _HEADERS
