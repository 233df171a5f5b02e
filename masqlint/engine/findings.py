"""The one findings model every stage and every output format shares."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
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


class Span(Record):
    """A 1-based, inclusive-start / exclusive-end range; columns count characters."""

    __slots__ = ("line", "column", "end_line", "end_column")

    def __init__(self, line: int, column: int, end_line: int, end_column: int):
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column


class ElsewhereSpan(Span):
    """A span in another file than the one being linted: a file the linted one reads (Terraform
    ``file()``); the finding is reported with that file's path."""

    __slots__ = ("path",)

    def __init__(self, line: int, column: int, end_line: int, end_column: int, path: str = ""):
        super().__init__(line, column, end_line, end_column)
        self.path = path


class Edit(Record):
    """Replace the characters [start, end) of the decoded file text with `text`."""

    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str):
        self.start = start
        self.end = end
        self.text = text


class Fix(Record):
    __slots__ = ("description", "edits", "safe")

    def __init__(self, description: str, edits: tuple[Edit, ...], safe: bool = True):
        self.description = description
        self.edits = edits
        self.safe = safe


class Finding(Record):
    __slots__ = ("rule", "name", "severity", "message", "path", "span", "fix", "data", "target", "related")
    # mutable: not hashable
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, rule: str, name: str, severity: Severity, message: str, path: str, span: Span,
                 fix: Fix | None = None, data: dict | None = None, target: str | None = None,
                 related: tuple = ()):
        self.rule = rule  # "MQ301"
        self.name = name  # "invalid-cidr"
        self.severity = severity
        self.message = message
        self.path = path  # file path as shown to the user
        self.span = span
        self.fix = fix
        # Extra machine-readable facts (the CIDR, the key, ...); never needed to print.
        self.data = {} if data is None else data
        # the agent the finding assumes (settings' target, else the one the config's surroundings name,
        # else gke); None for findings about the file rather than about an agent config
        self.target = target
        # Other places that share this finding's cause: ((Span, what is there), ...)
        self.related = related

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


class RuleInfo(Record):
    """What output formats need to know about a rule (from the catalog in rules/)."""

    __slots__ = ("id", "name", "severity", "summary", "rationale", "fix", "fix_safety", "help_uri")

    def __init__(self, id: str, name: str, severity: Severity, summary: str, rationale: str = "", fix: str = "",
                 fix_safety: str = "none", help_uri: str = ""):
        self.id = id
        self.name = name
        self.severity = severity
        self.summary = summary
        self.rationale = rationale
        self.fix = fix
        self.fix_safety = fix_safety  # none | safe | unsafe
        self.help_uri = help_uri


class FileResult(Record):
    """One checked file (a clean file is this object and its empty list of findings, nothing more)."""

    __slots__ = ("path", "text", "findings", "configs", "suppressed", "error", "related", "facts", "settings",
                 "policies")
    # mutable: not hashable
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, path: str, text: str | None = None, findings: list[Finding] | None = None, configs: int = 0,
                 suppressed: int = 0, error: str | None = None, related: list | None = None,
                 facts: dict[str, list[Any]] | None = None, settings: Any = None, policies: int = 0):
        self.path = path  # as shown to the user
        self.text = text  # decoded text when it could be read (for source lines in reports)
        self.findings = [] if findings is None else findings
        self.configs = configs  # ip-masq-agent configurations found in the file
        self.suppressed = suppressed
        self.error = error  # could not be read at all (a finding is also emitted)
        # files this one refers to (a kustomize generator's `files:`, a Terraform file()), checked as agent
        # configs of their own
        self.related: list[FileResult] = [] if related is None else related
        # what COLLECT-scope checks gathered from the file for the RUN-scope check of the same rule id
        self.facts: dict[str, list[Any]] = {} if facts is None else facts
        self.settings = settings  # the settings the file was checked with (config.settings.Settings)
        self.policies = policies  # GKE EgressNATPolicy objects found in the file


class RunResult(Record):
    __slots__ = ("files", "rules")
    # mutable: not hashable
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, files: list[FileResult] | None = None, rules: Mapping[str, RuleInfo] | None = None):
        self.files: list[FileResult] = [] if files is None else files
        self.rules: Mapping[str, RuleInfo] = {} if rules is None else rules  # id -> info, for SARIF & co.

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
