"""The rule catalog is data and its examples are tests: every bad example makes its rule fire,
every good example is clean of it, and catalog entries and checks match one to one."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from masqlint.engine.catalog import load_catalog
from masqlint.checks import load_all
from masqlint.pipeline.runner import lint_bytes
from masqlint.config.settings import Settings, from_mapping

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(validate=True)
# rules whose findings come from a pipeline stage rather than a registered check
STAGE_RULES = {"MQ005": "masqlint/engine/suppress.py", "MQ006": "masqlint/pipeline/runner.py"}


def _cases(kind):
    for r in CATALOG.values():
        for i, ex in enumerate(getattr(r, kind)):
            yield pytest.param(r, ex, id=f"{r.id}-{kind}{i}")


def _lint_example(ex, tmp_path):
    # a cluster file named by an example lives in rules/clusters/ (shipped with the catalog)
    settings = from_mapping(ex.settings, root=str(ROOT / "rules")) if ex.settings else Settings()
    data = ex.content.encode(ex.content_encoding)
    if ex.filename and ex.settings.get("max-file-size"):
        p = tmp_path / ex.filename
        p.write_bytes(data)
        from masqlint.pipeline.runner import Options, process

        return process(str(p), str(p), True, Options(forced=settings)).result.findings
    standalone = None
    from masqlint.engine.lint import is_standalone_name

    if is_standalone_name(ex.filename, settings):
        standalone = True
    return lint_bytes(ex.filename, data, settings, standalone).findings


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
    implemented = set(registry) | set(STAGE_RULES)
    assert implemented == set(CATALOG), (implemented ^ set(CATALOG))
    for rid, module in STAGE_RULES.items():
        assert f'"{rid}"' in (ROOT / module).read_text(), (rid, module)


@pytest.mark.parametrize("rule,example", list(_cases("bad")))
def test_bad_example_fires(rule, example, tmp_path):
    findings = _lint_example(example, tmp_path)
    hits = [f for f in findings if f.rule == rule.id]
    assert hits, f"{rule.id} did not fire; got {[(f.rule, f.message) for f in findings]}"
    for f in hits:
        assert f.line >= 1 and f.column >= 1
        assert f.name == rule.name
    if rule.fix_safety != "none":
        fixes = [f.fix for f in hits if f.fix is not None]
        assert fixes, f"{rule.id} says its fix is {rule.fix_safety}, but no finding carries a fix"
        assert any(fx.safe == (rule.fix_safety == "safe") for fx in fixes)
    else:
        assert all(f.fix is None for f in hits)


@pytest.mark.parametrize("rule,example", list(_cases("good")))
def test_good_example_is_clean(rule, example, tmp_path):
    findings = _lint_example(example, tmp_path)
    assert not [f for f in findings if f.rule == rule.id], [f.message for f in findings if f.rule == rule.id]


def test_every_rule_has_examples_and_docs():
    for r in CATALOG.values():
        assert r.bad and r.good, r.id
        assert r.summary and r.rationale.strip() and r.fix_description.strip(), r.id
