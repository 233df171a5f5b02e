"""The snippets in docs/ci.md, docs/pre-commit.md and docs/editors.md: valid where they go, and they work."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from junitparser import JUnitXml
from paths import REPO as ROOT

DOCS = ROOT / "docs"

BROKEN = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.1.1.5/24
    masqLinkLocal: no
"""


def blocks(doc: str, lang: str) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)]


def ci_block(first_line: str) -> str:
    (block,) = [b for b in blocks("ci.md", "yaml") if b.startswith(first_line)]
    return block


def masqlint_commands(text: str) -> list[str]:
    """Every `masqlint check ...` command line in a snippet (YAML values, shell lines, `a && b` chains)."""
    return [m.group(0).strip() for m in re.finditer(r"masqlint check[^\n&]*", text)]


def run_masqlint(command: str, cwd: Path, env_extra=None) -> subprocess.CompletedProcess:
    args = shlex.split(command)
    assert args[0] == "masqlint"
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "MASQLINT_DEBUG")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "masqlint", *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def checkout(tmp_path) -> Path:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "ip-masq-agent.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def _schema_check(builtin: str, text: str, tmp_path: Path) -> None:
    exe = shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed")
    f = tmp_path / "snippet.yaml"
    f.write_text(text, encoding="utf-8")
    r = subprocess.run([exe, "--builtin-schema", builtin, str(f)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("first_line, schema", [
    ("# .github/workflows/masqlint.yml", "vendor.github-workflows"),
    ("# .gitlab-ci.yml", "vendor.gitlab-ci"),
    ("# cloudbuild.yaml", "vendor.cloudbuild"),
])
def test_ci_snippets_are_valid_configurations(first_line, schema, tmp_path):
    _schema_check(schema, ci_block(first_line), tmp_path)


def test_github_actions_snippet_works(checkout):
    wf = yaml.safe_load(ci_block("# .github/workflows/masqlint.yml"))
    steps = wf["jobs"]["masqlint"]["steps"]
    (cmd,) = [c for s in steps if "run" in s for c in masqlint_commands(s["run"])]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert wf["jobs"]["masqlint"]["permissions"]["security-events"] == "write"
    r = run_masqlint(cmd, checkout, {"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1
    assert "::error file=k8s/ip-masq-agent.yaml,line=9,col=9," in r.stdout
    sarif = json.loads((checkout / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "k8s/ip-masq-agent.yaml"  # relative to the checkout, as code scanning needs


def test_gitlab_snippet_works(checkout):
    job = yaml.safe_load(ci_block("# .gitlab-ci.yml"))["masqlint"]
    (cmd,) = [c for line in job["script"] for c in masqlint_commands(line)]
    r = run_masqlint(cmd, checkout)
    assert r.returncode == 1 and r.stdout.startswith("k8s/ip-masq-agent.yaml:9:9: MQ302")
    reports = job["artifacts"]["reports"]
    cq = json.loads((checkout / reports["codequality"]).read_text(encoding="utf-8"))
    assert cq and all(i["location"]["path"] == "k8s/ip-masq-agent.yaml" for i in cq)
    xml = JUnitXml.fromfile(str(checkout / reports["junit"]))
    assert {c.name.split(":")[0] for s in xml for c in s} == {"k8s/ip-masq-agent.yaml"}  # as the other reports name it
    assert job["artifacts"]["when"] == "always"


def test_cloud_build_snippet_works(checkout):
    (step,) = yaml.safe_load(ci_block("# cloudbuild.yaml"))["steps"]
    (cmd,) = masqlint_commands(" ".join(step["args"]))
    assert "$" not in " ".join(step["args"])  # Cloud Build would substitute it
    r = run_masqlint(cmd, checkout)
    assert r.returncode == 1 and "MQ302" in r.stdout


def test_every_command_in_ci_md_runs(checkout):
    cmds = [c for lang in ("sh", "yaml") for b in blocks("ci.md", lang) for c in masqlint_commands(b)]
    assert len(cmds) >= 5
    for cmd in cmds:
        r = run_masqlint(cmd, checkout)
        assert r.returncode == 1, (cmd, r.stderr)  # the broken ConfigMap fails, no usage error


def test_pre_commit_snippets(tmp_path):
    from pre_commit.clientlib import load_config

    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    snippets = blocks("pre-commit.md", "yaml")
    config = next(s for s in snippets if s.startswith("# .pre-commit-config.yaml"))
    (tmp_path / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    loaded = load_config(str(tmp_path / ".pre-commit-config.yaml"))  # pre-commit's own validation
    (repo,) = loaded["repos"]
    assert repo["repo"] == "https://github.com/masqlint/masqlint"
    assert {h["id"] for h in repo["hooks"]} <= hooks
    assert "masqlint-fix" in config and "masqlint-fix" in hooks
    # the hook fragments are hook entries with the ids that exist
    for fragment in snippets:
        if fragment.startswith("      - id:"):
            (entry,) = yaml.safe_load(fragment)
            assert entry["id"] in hooks
            if "files" in entry:
                assert re.search(entry["files"], "clusters/prod/ip-masq-agent.yaml")
    standalone = next(yaml.safe_load(f)[0] for f in snippets if "snat\\.conf)$" in f)
    for path in ("snat.conf", "etc/snat.conf", "k8s/cm.yaml", "cm.json"):
        assert re.search(standalone["files"], path), path
    for path in ("README.md", "not-snat.conf"):
        assert not re.search(standalone["files"], path), path


def test_editor_snippets():
    (vscode, on_save) = [json.loads(b) for b in blocks("editors.md", "json")]
    assert vscode["glspc.server.command"] == "masqlint" and vscode["glspc.server.commandArguments"] == ["lsp"]
    assert on_save["[yaml]"]["editor.codeActionsOnSave"] == {"source.fixAll.masqlint": "explicit"}
    toml = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    (helix,) = [toml.loads(b) for b in blocks("editors.md", "toml")]
    assert helix["language-server"]["masqlint"] == {"command": "masqlint", "args": ["lsp"]}
    assert all("masqlint" in lang["language-servers"] for lang in helix["language"])
    lua = "\n".join(blocks("editors.md", "lua"))
    assert 'cmd = { "masqlint", "lsp" }' in lua and "source.fixAll.masqlint" in lua
    from masqlint.lsp.server import FIX_ALL_KIND

    assert FIX_ALL_KIND == "source.fixAll.masqlint"
