"""The one findings model every stage and every output format shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True)
class Span:
    """A 1-based, inclusive-start / exclusive-end range; columns count characters."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class ElsewhereSpan(Span):
    """A span in another file than the one being linted: a file the linted one reads (Terraform
    ``file()``); the finding is reported with that file's path."""

    path: str = ""


@dataclass(frozen=True)
class Edit:
    """Replace the characters [start, end) of the decoded file text with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass
class Finding:
    rule: str  # "MQ301"
    name: str  # "invalid-cidr"
    severity: Severity
    message: str
    path: str  # file path as shown to the user
    span: Span
    fix: Fix | None = None
    # Extra machine-readable facts (the CIDR, the key, ...); never needed to print.
    data: dict = field(default_factory=dict)
    # the agent the finding assumes (settings' target, else the one the config's surroundings name,
    # else gke); None for findings about the file rather than about an agent config
    target: str | None = None
    # Other places that share this finding's cause: ((Span, what is there), ...)
    related: tuple = ()

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self):
        return (self.path, self.span.line, self.span.column, self.rule, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "fixable": self.fixable,
            "target": self.target,
            "related": [
                {"line": sp.line, "column": sp.column, "end_line": sp.end_line, "end_column": sp.end_column, "message": m}
                for sp, m in self.related
            ],
        }


@dataclass(frozen=True)
class RuleInfo:
    """What output formats need to know about a rule (from the catalog in rules/)."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str = ""
    fix: str = ""
    fix_safety: str = "none"  # none | safe | unsafe
    help_uri: str = ""


@dataclass
class FileResult:
    path: str  # as shown to the user
    text: str | None = None  # decoded text when it could be read (for source lines in reports)
    findings: list[Finding] = field(default_factory=list)
    configs: int = 0  # ip-masq-agent configurations found in the file
    suppressed: int = 0
    error: str | None = None  # could not be read at all (a finding is also emitted)
    # files this one refers to (a kustomize generator's `files:`, a Terraform file()), checked as agent
    # configs of their own
    related: list = field(default_factory=list)
    # what COLLECT-scope checks gathered from the file for the RUN-scope check of the same rule id
    facts: dict[str, list[Any]] = field(default_factory=dict)
    settings: Any = None  # the settings the file was checked with (config.settings.Settings)


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)  # id -> info, for SARIF & co.

    @property
    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for f in self.files:
            out.extend(f.findings)
        return out

    @property
    def files_checked(self) -> int:
        return len(self.files)

    @property
    def configs_found(self) -> int:
        return sum(f.configs for f in self.files)

    @property
    def suppressed(self) -> int:
        return sum(f.suppressed for f in self.files)
