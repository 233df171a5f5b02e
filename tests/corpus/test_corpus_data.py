"""The labelled corpus is well-formed: every file labelled, every label points into its file."""

from __future__ import annotations

import os
import re

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = {"expected.yaml", "score.py", "test_corpus_data.py", "test_corpus_score.py"}
SETTINGS = {".masqlint.yaml"}
FORMS = {"helm", "terraform", "kustomize", "markdown", "manifest", "standalone", "ansible", "azure", "cilium", "other"}
LABEL = re.compile(r"^(MQ\d{3}):([1-9]\d*)$")


def corpus_files() -> set[str]:
    out = set()
    for root, dirs, files in os.walk(HERE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), HERE).replace(os.sep, "/")
            if rel in HARNESS or name in SETTINGS or name.endswith(".pyc"):
                continue
            out.add(rel)
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    with open(os.path.join(HERE, "expected.yaml"), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict) and data, "expected.yaml holds no entries"
    return data


def line_count(rel: str) -> int:
    with open(os.path.join(HERE, rel), "rb") as fh:
        data = fh.read()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def test_every_file_is_listed(expected):
    missing = sorted(corpus_files() - set(expected))
    assert not missing, f"files without an entry in expected.yaml: {missing}"


def test_every_listed_file_exists(expected):
    absent = sorted(rel for rel in expected if not os.path.isfile(os.path.join(HERE, rel)))
    assert not absent, f"expected.yaml lists files that do not exist: {absent}"


def test_entries_have_a_form_and_a_findings_list(expected):
    for rel, entry in expected.items():
        assert isinstance(entry, dict), rel
        assert set(entry) == {"form", "findings"}, f"{rel}: keys {sorted(entry)}"
        assert entry["form"] in FORMS, f"{rel}: unknown form {entry['form']!r}"
        assert isinstance(entry["findings"], list), rel


def test_labels_are_rule_and_line_inside_the_file(expected):
    checked = 0
    for rel, entry in expected.items():
        lines = line_count(rel)
        for label in entry["findings"]:
            m = LABEL.match(str(label))
            assert m, f"{rel}: {label!r} is not RULE:LINE with a rule id MQnnn"
            assert int(m.group(2)) <= lines, f"{rel}: {label} is past the last line ({lines})"
            checked += 1
    assert checked >= 50, f"only {checked} labels in the corpus"


def test_corpus_size(expected):
    assert len(expected) >= 40
    silent = [rel for rel, entry in expected.items() if not entry["findings"]]
    assert len(silent) >= 12, f"only {len(silent)} files that must stay silent"


def test_every_form_is_covered(expected):
    forms = {entry["form"] for entry in expected.values()}
    assert forms == FORMS, f"forms without a file: {sorted(FORMS - forms)}"


def test_labelled_rules_exist_or_are_being_added(expected):
    shipped = {name[:5] for name in os.listdir(os.path.join(HERE, "..", "..", "rules")) if re.match(r"MQ\d{3}-", name)}
    new = {"MQ008", "MQ105", "MQ106", "MQ310"}
    used = {str(label).split(":")[0] for entry in expected.values() for label in entry["findings"]}
    assert used - shipped <= new, f"labels use unknown rules: {sorted(used - shipped - new)}"
