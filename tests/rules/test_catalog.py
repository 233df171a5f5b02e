"""The rule catalog is data and its examples are tests: every bad example makes its rule fire,
every good example is clean of it, and catalog entries and checks match one to one."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from masqlint.checks import load_all
from masqlint.config.settings import Settings, from_mapping
from masqlint.engine.catalog import load_catalog
from masqlint.engine.findings import FileResult
from masqlint.pipeline.fix import fix_until_stable
from masqlint.pipeline.runner import Options, lint_prepared, prepare, process
from paths import REPO as ROOT

CATALOG = load_catalog(validate=True)


def _cases(kind):
    cases = [pytest.param(r, ex, id=f"{r.id}-{kind}{i}") for r in CATALOG.values() for i, ex in enumerate(getattr(r, kind))]
    assert len(cases) >= len(CATALOG), f"every rule has {kind} examples"
    return cases


def _lint_example(ex, tmp_path, text=None):
    """The example's findings, as `masqlint check` reports them for a file of that name."""
    # a cluster file named by an example lives in rules/clusters/ (shipped with the catalog)
    settings = from_mapping(ex.settings, root=str(ROOT / "rules")) if ex.settings else Settings()
    data = (ex.content if text is None else text).encode(ex.content_encoding)
    if ex.settings.get("max-file-size"):
        f = tmp_path / ex.filename
        f.write_bytes(data)
        return process(str(f), str(f), True, Options(forced=settings)).result
    p = prepare(ex.filename, None, Options(), data=data, settings=settings)
    return lint_prepared(p) if p.data is not None else FileResult(ex.filename)


def _of_rule(result, rule):
    return FileResult(result.path, result.text, [f for f in result.findings if f.rule == rule.id])


def _fixed(rule, ex, tmp_path, text):
    """``text`` after this rule's fixes (safe and unsafe), re-checked until none applies."""
    first = _of_rule(_lint_example(ex, tmp_path, text), rule)
    fixed, _, _ = fix_until_stable(text, first.findings, lambda t: _of_rule(_lint_example(ex, tmp_path, t), rule), unsafe=True)
    return fixed


def test_every_rule_file_validates_against_the_rule_schema():
    schema = json.loads((ROOT / "schemas" / "rule.schema.json").read_text())
    v = jsonschema.Draft202012Validator(schema)
    files = sorted((ROOT / "rules").glob("MQ*.yaml"))
    assert len(files) == len(CATALOG) >= 35
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert not list(v.iter_errors(doc)), f.name
        assert f.name == f"{doc['id']}-{doc['name']}.yaml"


def test_catalog_and_checks_match_one_to_one():
    registry = load_all()
    assert set(registry) == set(CATALOG), set(registry) ^ set(CATALOG)


@pytest.mark.parametrize("rule,example", _cases("bad"))
def test_bad_example_reports_exactly_its_findings(rule, example, tmp_path):
    findings = _lint_example(example, tmp_path).findings
    hits = [f for f in findings if f.rule == rule.id]
    assert [f"{f.line}:{f.column}" for f in hits] == list(example.findings), [(f.rule, f.message) for f in findings]
    for f in hits:
        assert f.name == rule.name
    if rule.fix_safety != "none":
        fixes = [f.fix for f in hits if f.fix is not None]
        assert fixes, f"{rule.id} says its fix is {rule.fix_safety}, but no finding carries a fix"
        assert any(fx.safe == (rule.fix_safety == "safe") for fx in fixes)
    else:
        assert all(f.fix is None for f in hits)


@pytest.mark.parametrize("rule,example", [c for c in _cases("bad") if c.values[0].fix_safety != "none"])
def test_bad_example_fixes_to_its_fixed_text_and_a_second_fix_changes_nothing(rule, example, tmp_path):
    assert example.fixed is not None, f"{rule.id}: a fixable rule's bad example gives its fixed text"
    fixed = _fixed(rule, example, tmp_path, example.content)
    assert fixed == example.fixed
    assert _fixed(rule, example, tmp_path, fixed) == fixed


@pytest.mark.parametrize("rule,example", _cases("good"))
def test_good_example_is_clean(rule, example, tmp_path):
    findings = _lint_example(example, tmp_path).findings
    assert not [f for f in findings if f.rule == rule.id], [f.message for f in findings if f.rule == rule.id]


def test_every_rule_has_examples_and_docs():
    for r in CATALOG.values():
        assert r.bad and r.good, r.id
        assert r.summary and r.rationale.strip() and r.fix_description.strip(), r.id
