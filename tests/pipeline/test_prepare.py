"""One way into linting: the settings a walk finds in a directory apply to its files exactly as to a
file named on the command line, and every front end (check, the language server, trace, the
library) reads a file the same way."""

from __future__ import annotations

import json

from conftest import configmap, run_cli
from masqlint import lint_text
from masqlint.cli.trace import units_for_paths
from masqlint.config.loader import find_settings_for_dir
from masqlint.lsp.server import lint_buffer
from masqlint.pipeline.runner import EXCLUDED, NO_CONFIG, Options, prepare

HOST_BITS = configmap("nonMasqueradeCIDRs:\n  - 10.1.1.5/24\nmasqLinkLocal: false\nresyncInterval: 60s\n")
# an agent config file as the agent reads it (no ConfigMap around it, no .yaml extension)
AGENT_FILE = "nonMasqueradeCIDRs:\n  - 10.1.1.5/24\nmasqLinkLocal: false\nresyncInterval: 60s\n"


def _tree(tmp_path):
    team = tmp_path / "clusters" / "team"
    (team / "vendor").mkdir(parents=True)
    (team / ".masqlint.yaml").write_text("exclude: ['vendor/**']\nstandalone: ['**/agent.conf']\n", encoding="utf-8")
    (team / "vendor" / "cm.yaml").write_text(HOST_BITS, encoding="utf-8")
    (team / "cm.yaml").write_text(HOST_BITS, encoding="utf-8")
    (team / "agent.conf").write_text(AGENT_FILE, encoding="utf-8")
    find_settings_for_dir.cache_clear()
    return team


def _found(out: str) -> list[tuple[str, str, int]]:
    return sorted((f["path"].replace("\\", "/").split("clusters/team/")[-1], f["rule"], f["line"])
                  for f in json.loads(out)["findings"])


def test_a_settings_file_met_in_the_walk_excludes_and_names_standalone_files(tmp_path, capsys, monkeypatch):
    team = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["check", "--format", "json", "."], capsys)
    assert code == 1
    walked = _found(out)
    assert walked == [("agent.conf", "MQ302", 2), ("cm.yaml", "MQ302", 9)]
    # the same files named one by one: the same answer
    code, out, _ = run_cli(["check", "--format", "json", *(str(p) for p in sorted(team.rglob("*")) if p.is_file()
                                                           and p.name != ".masqlint.yaml")], capsys)
    assert _found(out) == walked


def test_the_settings_directory_is_what_globs_are_relative_to(tmp_path, capsys, monkeypatch):
    team = _tree(tmp_path)
    monkeypatch.chdir(team / "vendor")  # below the settings file: vendor/** still names vendor/cm.yaml
    code, out, _ = run_cli(["check", "--format", "json", "."], capsys)
    assert code == 0 and json.loads(out)["findings"] == []


def test_prepare_says_why_a_file_is_not_linted(tmp_path, monkeypatch):
    team = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    opts = Options()
    assert prepare("v", str(team / "vendor" / "cm.yaml"), opts).skipped == EXCLUDED
    (team / "notes.yaml").write_text("title: release notes\n", encoding="utf-8")
    assert prepare("n", str(team / "notes.yaml"), opts).skipped == NO_CONFIG
    p = prepare("a", str(team / "agent.conf"), opts)
    assert p.standalone is True and p.data == AGENT_FILE.encode() and p.skipped is None
    big = prepare("b", str(team / "cm.yaml"), Options(overrides={"max-file-size": 10}))
    assert big.outcome is not None and [f.rule for f in big.outcome.result.findings] == ["MQ006"]


def test_the_editor_trace_and_library_read_files_as_check_does(tmp_path, monkeypatch):
    team = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    opts = Options()
    # the language server: an excluded buffer gets nothing, a standalone one is read as the agent's file
    assert lint_buffer(str(team / "vendor" / "cm.yaml"), HOST_BITS, opts).findings == []
    assert [f.rule for f in lint_buffer(str(team / "agent.conf"), AGENT_FILE, opts).findings] == ["MQ302"]
    # trace: the excluded file's ConfigMap is not a unit; the standalone file is
    units = units_for_paths([str(team)], opts)
    assert sorted(u.path.split("team/")[-1] for u in units) == ["agent.conf", "cm.yaml"]
    # the library, with the settings given: exclude and standalone apply to the path it is told
    settings = {"exclude": ["vendor/**"], "standalone": ["**/agent.conf"]}
    assert lint_text(HOST_BITS, "vendor/cm.yaml", settings) == []
    assert [f.rule for f in lint_text(AGENT_FILE, "deploy/agent.conf", settings)] == ["MQ302"]
    assert [f.rule for f in lint_text(AGENT_FILE, "deploy/agent.txt", settings, standalone=True)] == ["MQ302"]
