"""A broken settings file stops the run with exit 2 and one line: file, line, what is wrong."""

from __future__ import annotations

import pytest
from hostile_cli import configmap, run

BROKEN_YAML = {
    "syntax": ("target: gke\nselect: [ALL\nfail-on: error\n", r"\.masqlint\.yaml:3:8: not valid YAML: .*expected ',' or ']'"),
    "schema": ("target: gke\nfail-on: 3\n", r"\.masqlint\.yaml:2: invalid setting fail-on: 3 is not one of"),
    "nested-schema": (
        "scopes:\n  - files: ['a/**']\n    must-masquerade:\n      - {cidr: 5}\n",
        r"\.masqlint\.yaml:4: invalid setting scopes\.0\.must-masquerade\.0\.cidr: 5 is not of type 'string'",
    ),
    "not-utf8": (b"target: gke\n# \xff\n", r"\.masqlint\.yaml:2: not valid YAML: not UTF-8"),
    "alias-bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdef", "bcdefg")) + "exclude: *g\n",
        r"\.masqlint\.yaml: not valid settings: its aliases expand to more than 100,000 values",
    ),
    "self-alias": ("select: &s [*s]\n", r"\.masqlint\.yaml:1: not valid settings: an anchor refers to itself"),
    "deep": ("exclude: " + "[" * 50_000 + "]" * 50_000 + "\n", r"\.masqlint\.yaml:1:\d+: not valid YAML: exceeded max depth"),
    "python-tag": ("target: !!python/object/apply:os.system ['false']\n", r"\.masqlint\.yaml:1:9: not valid YAML: could not determine a constructor"),
}

BROKEN_TOML = {
    "syntax": ('[tool.masqlint]\ntarget = "gke"\nselect = ["ALL"\n', r"pyproject\.toml:3:16: not valid TOML: Unclosed array"),
    "syntax-mid": ('[tool.masqlint]\ntarget = gke\n', r"pyproject\.toml:2:10: not valid TOML: Invalid value"),
    "schema": ('[tool.masqlint]\ntarget = "nope"\n', r"pyproject\.toml:2: invalid setting target: 'nope' is not one of"),
    "nested-schema": (
        '[tool.masqlint]\ntarget = "gke"\n\n[[tool.masqlint.scopes]]\nfiles = ["a/**"]\nmust-masquerade = [{cidr = 5}]\n',
        r"pyproject\.toml:6: invalid setting scopes\.0\.must-masquerade\.0\.cidr: 5 is not of type 'string'",
    ),
    "not-utf8": (b'[tool.masqlint]\n# \xff\n', r"pyproject\.toml:2: not valid TOML: not UTF-8"),
}


def _assert_one_line_error(res, pattern):
    import re

    assert res.rc == 2, (res.rc, res.out, res.err)
    assert "Traceback" not in res.err and "internal error" not in res.err
    lines = res.err.splitlines()
    assert len(lines) == 1, lines
    assert re.match(r"^masqlint: error: .*" + pattern, lines[0]), lines[0]
    assert res.findings == []


@pytest.mark.parametrize("name", list(BROKEN_YAML))
def test_malformed_masqlint_yaml(tmp_path, name):
    content, pattern = BROKEN_YAML[name]
    (tmp_path / ".masqlint.yaml").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "cm.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n"))
    res = run(["check", "--format", "concise", "cm.yaml"], tmp_path)  # found by the search upward
    _assert_one_line_error(res, pattern)
    res = run(["check", "--format", "concise", "--config", ".masqlint.yaml", "cm.yaml"], tmp_path)  # named
    _assert_one_line_error(res, pattern)


@pytest.mark.parametrize("name", list(BROKEN_TOML))
def test_malformed_pyproject_toml(tmp_path, name):
    content, pattern = BROKEN_TOML[name]
    (tmp_path / "pyproject.toml").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "cm.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n"))
    res = run(["check", "--format", "concise", "cm.yaml"], tmp_path)
    _assert_one_line_error(res, pattern)


def test_a_settings_file_that_is_a_fifo_is_not_waited_on(tmp_path):
    import os

    os.mkfifo(tmp_path / ".masqlint.yaml")  # not a regular file: not a settings file at all
    (tmp_path / "cm.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n"))
    res = run(["check", "--format", "concise", "cm.yaml"], tmp_path, timeout=20)
    assert res.rc == 1 and res.found("cm.yaml", "MQ302") and res.err == ""
    res = run(["check", "--config", ".masqlint.yaml", "cm.yaml"], tmp_path)  # named: refused, not opened for long
    _assert_one_line_error(res, r"\.masqlint\.yaml: cannot read: not a regular file")


def test_a_huge_settings_file_is_not_read(tmp_path):
    with open(tmp_path / ".masqlint.yaml", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    (tmp_path / "cm.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n"))
    res = run(["check", "cm.yaml"], tmp_path)
    _assert_one_line_error(res, r"\.masqlint\.yaml: cannot read: larger than 4,194,304 bytes")


def test_a_broken_settings_file_stops_a_parallel_run_with_one_line(tmp_path):
    (tmp_path / ".masqlint.yaml").write_text("target: gke\nselect: [ALL\n")
    for i in range(80):  # enough files for worker processes
        (tmp_path / f"cm{i:02d}.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n"))
    res = run(["check", "--format", "concise", "-j", "2", "."], tmp_path)
    _assert_one_line_error(res, r"\.masqlint\.yaml:3:1: not valid YAML: did not find expected ',' or ']'")
