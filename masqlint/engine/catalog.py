"""The rule catalog: ``rules/*.yaml`` (validated by ``schemas/rule.schema.json``) joined to check functions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from masqlint.engine.findings import RuleInfo, Severity
from masqlint.engine.headers import RuleHeader, rule_headers  # noqa: F401 - rule_headers: a name of the catalog
from masqlint.errors import CatalogError
from masqlint.resources import data_dir, schema_path

DOCS_URL = "https://github.com/masqlint/masqlint/blob/main/docs/rules.md#{anchor}"


# Rule texts cite the recorded agent runs they rest on (`conformance: a1_key_capital_S`): evidence for
# the catalog's maintainers, noise to its readers. Docs, `masqlint rule` and SARIF show the text without.
_CASE_ID = r"[a-z][a-z0-9]*_[A-Za-z0-9_]+"
_CITED = re.compile(r"[ \t]*\n?[ \t]*\((?:[^()]|\([^()]*\))*?conformance(?:\s+on\s+\w+)?:(?:[^()]|\([^()]*\))*\)")
_LOOSE = re.compile(rf"(?:\w+ )?conformance(?:\s+on\s+\w+)?:\s*{_CASE_ID}(?:,\s*(?:and\s+)?{_CASE_ID})*;?\s*")
_BARE = re.compile(rf"[ \t]*\(\s*{_CASE_ID}(?:,\s*{_CASE_ID})*\s*\)")


def public_text(text: str) -> str:
    """``text`` without citations of recorded runs."""
    if "conformance:" not in text and "_" not in text:
        return text
    out = _CITED.sub("", text)
    out = _LOOSE.sub("", out)
    return _BARE.sub("", out)


@dataclass(frozen=True)
class Example:
    description: str
    content: str
    filename: str = "configmap.yaml"
    settings: dict = field(default_factory=dict, hash=False, compare=False)
    content_encoding: str = "utf-8"
    findings: tuple[str, ...] = ()  # bad examples: "line:column" of each finding of the rule
    fixed: str | None = None  # bad examples of a fixable rule: the text after its fixes


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    category: str
    summary: str
    rationale: str
    fix_description: str
    fix_safety: str
    bad: tuple[Example, ...]
    good: tuple[Example, ...]
    references: tuple[str, ...] = ()
    source: str = ""

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            name=self.name,
            severity=self.severity,
            summary=self.summary,
            rationale=public_text(self.rationale).strip(),
            fix=public_text(self.fix_description).strip(),
            fix_safety=self.fix_safety,
            help_uri=DOCS_URL.format(anchor=f"{self.id.lower()}-{self.name}"),
        )


def _examples(items) -> tuple[Example, ...]:
    return tuple(
        Example(
            description=i.get("description", ""),
            content=i["content"],
            filename=i.get("filename", "configmap.yaml"),
            settings=i.get("settings") or {},
            content_encoding=i.get("content_encoding", "utf-8"),
            findings=tuple(i.get("findings") or ()),
            fixed=i.get("fixed"),
        )
        for i in items or ()
    )


@lru_cache(maxsize=1)
def load_catalog(validate: bool = False) -> dict[str, Rule]:
    """All rules by id, in id order."""
    rules: dict[str, Rule] = {}
    validator = None
    if validate:
        import jsonschema  # noqa: PLC0415 - lazy: validation is for the catalog's own tests and docs

        schema = json.loads(schema_path("rule.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
    import yaml  # noqa: PLC0415 - lazy: YAML only once a rule is needed (a file with an agent config)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(data_dir("rules").glob("MQ*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        if validator is not None:
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
            if errors:
                e = errors[0]
                where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                raise CatalogError(f"{path.name}: {where}: {e.message}")
        fix = doc.get("fix") or {}
        rule = Rule(
            id=doc["id"],
            name=doc["name"],
            severity=Severity.parse(doc["severity"]),
            category=doc.get("category", ""),
            summary=doc["summary"],
            rationale=doc.get("rationale", ""),
            fix_description=fix.get("description", ""),
            fix_safety=fix.get("safety", "none"),
            bad=_examples((doc.get("examples") or {}).get("bad")),
            good=_examples((doc.get("examples") or {}).get("good")),
            references=tuple(doc.get("references") or ()),
            source=path.name,
        )
        if rule.id in rules:
            raise CatalogError(f"{path.name}: duplicate rule id {rule.id}")
        rules[rule.id] = rule
    return dict(sorted(rules.items()))


def _headers_of(catalog: dict[str, Rule]) -> dict[str, RuleHeader]:
    return {rid: RuleHeader(r.id, r.name, r.severity, r.fix_safety) for rid, r in catalog.items()}


def headers_module() -> str:
    """The text of ``masqlint/engine/headers.py``: each rule's id, name, severity and fix from the catalog."""
    rows = "".join(f'    ("{r.id}", "{r.name}", "{r.severity.label}", "{r.fix_safety}"),\n' for r in load_catalog().values())
    return HEADERS_TEMPLATE.replace("@ROWS@\n", rows)


HEADERS_TEMPLATE = '''"""What linting needs of each rule: its id, name, default severity and whether it offers a fix.

Generated from ``rules/*.yaml`` by ``python -m masqlint.engine.catalog > masqlint/engine/headers.py``;
edit the rule files, not this table. Linting reads this table instead of the rule files, so a run
that finds problems never parses the catalog's texts and examples.
"""

from __future__ import annotations

from masqlint.engine.findings import Severity
from masqlint.record import Record

_TABLE = (
@ROWS@
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
'''


if __name__ == "__main__":
    print(headers_module(), end="")


def lookup(key: str) -> Rule | None:
    """A rule by id (``MQ201``) or name (``key-casing``), case-insensitive."""
    cat = load_catalog()
    k = key.strip()
    if k.upper() in cat:
        return cat[k.upper()]
    for r in cat.values():
        if r.name == k.lower():
            return r
    return None


def rule_infos() -> dict[str, RuleInfo]:
    return {rid: r.info for rid, r in load_catalog().items()}
