"""Every hook in .pre-commit-hooks.yaml, run by the real pre-commit against a scratch git repository.

``pre-commit try-repo`` installs the hook repository into a fresh virtualenv with pip (so the
project must build and install as users get it) and runs the hook on the scratch repository's
files. try-repo takes a repository's HEAD plus its staged and modified tracked files, but not
untracked ones, so the project is first copied (tracked and untracked, not ignored, files:
exactly what this test run sees) into a git repository of its own and committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from paths import REPO as ROOT

HOOKS = [h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))]
TIMEOUT = 600  # one try-repo builds a virtualenv and installs the project into it

# pre-commit is a test dependency: found next to this interpreter even when its bin directory is not on PATH
PRE_COMMIT = shutil.which("pre-commit") or shutil.which("pre-commit", path=os.path.dirname(sys.executable))
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="needs git")]

HEADER = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
"""
GOOD = HEADER + """    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 100.64.0.0/10
      - 192.0.0.0/24
      - 192.0.2.0/24
      - 192.88.99.0/24
      - 198.18.0.0/15
      - 198.51.100.0/24
      - 203.0.113.0/24
      - 240.0.0.0/4
    masqLinkLocal: false
    resyncInterval: 60s
"""
# An entry that is no CIDR (no fix) on line 9, plus problems with safe fixes: a duplicate entry,
# a key in the wrong case and a YAML 1.1 boolean.
BAD = (GOOD.replace("      - 10.0.0.0/8\n", "      - 10.0.0.0/88\n")
       .replace("      - 240.0.0.0/4\n", "      - 240.0.0.0/4\n      - 172.16.0.0/12\n")
       .replace("masqLinkLocal: false", "masqLinkLocaL: no"))
BAD_FIXED = BAD.replace("      - 240.0.0.0/4\n      - 172.16.0.0/12\n", "      - 240.0.0.0/4\n").replace(
    "masqLinkLocaL: no", "masqLinkLocal: false")

# An Ansible role's template: Jinja decides the list and masqLinkLocal; the literal resyncInterval
# is a number (MQ204, line 15, column 21), the key on line 9 is miscased (MQ201, a safe fix).
J2 = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
{% if ip_masq_agent_cidrs | length > 0 %}
    nonMasqueradeCIDRS:
{% for cidr in ip_masq_agent_cidrs %}
      - {{ cidr }}
{% endfor %}
{% endif %}
    masqLinkLocal: {{ ip_masq_agent_masq_link_local | bool | lower }}
    resyncInterval: 60s
"""
J2_BAD = J2.replace("resyncInterval: 60s", "resyncInterval: 60")
J2_FIXED = J2.replace("nonMasqueradeCIDRS:", "nonMasqueradeCIDRs:")
# A Helm template with its whole config from toYaml: nothing known, nothing to say.
HELM = """{{- if .Values.ipMasq.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |-
{{ toYaml .Values.ipMasq.config | indent 4 }}
{{- end }}
"""

# Files every run also sees: YAML and JSON without an ip-masq-agent config, files of other types,
# a script whose name holds `masq` (passed to masqlint, of no form it reads: skipped without a word).
BYSTANDERS = {
    "charts/values.yaml": "replicaCount: 2\nimage: {repository: nginx, tag: '1.27'}\n",
    "charts/net/templates/ip-masq-agent.yaml": HELM,
    "package.json": '{"name": "site", "private": true}\n',
    "README.md": "# cluster config\n\nnonMasqueradeCIDRs: this file is not YAML to pre-commit\n",
    "scripts/configure-ip-masq.sh": "#!/bin/sh\necho 'nonMasqueradeCIDRs: [10.0.0.0/8]' > /tmp/ip-masq-agent\n",
}

# What each hook must do: (files to commit, exit code, text the output must hold, file contents after the run).
# A hook without a case here fails test_every_hook_has_a_case: no hook ships untested.
CASES = {
    "masqlint": [
        ({"deploy/ip-masq-agent.yaml": BAD}, 1,
         ["masqlint....", "Failed", "deploy/ip-masq-agent.yaml:9:9: MQ301 [error]", "MQ305", "MQ201"],
         {"deploy/ip-masq-agent.yaml": BAD}),
        ({"deploy/ip-masq-agent.yaml": GOOD}, 0, ["masqlint....", "Passed"], {"deploy/ip-masq-agent.yaml": GOOD}),
        ({"roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2": J2_BAD}, 1,
         ["masqlint....", "Failed", "roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2:15:21: MQ204 [error]",
          "ip-masq-agent.yaml.j2:9:5: MQ201"],
         {"roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2": J2_BAD}),
    ],
    "masqlint-fix": [
        ({"deploy/ip-masq-agent.yaml": BAD}, 1,
         ["masqlint (fix)....", "Failed", "files were modified by this hook", "Fixed 3 problems.",
          "deploy/ip-masq-agent.yaml:9:9: MQ301 [error]"],
         {"deploy/ip-masq-agent.yaml": BAD_FIXED}),
        ({"deploy/ip-masq-agent.yaml": GOOD}, 0, ["masqlint (fix)....", "Passed"], {"deploy/ip-masq-agent.yaml": GOOD}),
        # a fix inside a template touches the literal key only
        ({"roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2": J2}, 1,
         ["masqlint (fix)....", "Failed", "files were modified by this hook", "Fixed 1 problem"],
         {"roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2": J2_FIXED}),
    ],
}


def _git(cwd: Path, *args: str, env=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture(scope="session")
def git_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "GITHUB_ACTIONS", "MASQLINT_DEBUG", "NO_COLOR") and not k.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(home),  # never the user's cache
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="masqlint tests", GIT_AUTHOR_EMAIL="tests@masqlint.invalid",
        GIT_COMMITTER_NAME="masqlint tests", GIT_COMMITTER_EMAIL="tests@masqlint.invalid",
        GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
    )
    return env


@pytest.fixture(scope="session")
def project_repo(tmp_path_factory, git_env) -> Path:
    """The project as this test run sees it, committed in a git repository of its own."""
    dest = tmp_path_factory.mktemp("project")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, timeout=120).stdout.decode("utf-8").split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q", "-b", "main", env=git_env)
    _git(dest, "add", "-A", env=git_env)
    _git(dest, "commit", "-q", "-m", "snapshot", env=git_env)
    return dest


def _try_repo(project: Path, hook: str, work: Path, env) -> subprocess.CompletedProcess:
    assert PRE_COMMIT, "pre-commit is a test dependency (pip install '.[test]')"
    return subprocess.run([PRE_COMMIT, "try-repo", str(project), hook, "--all-files"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_every_hook_has_a_case():
    assert HOOKS, ".pre-commit-hooks.yaml lists no hook"
    assert set(HOOKS) == set(CASES)


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    import re

    for h in hooks.values():
        assert h["language"] == "python"
        assert h["types"] == ["text"] and "types_or" not in h
        assert h["require_serial"] is False
        assert h["entry"].startswith("masqlint check --skip-unread")
        # every form's files reach the hook; other files do not
        wanted = re.compile(h["files"])
        for name in ["a/b.yaml", "c.yml", "d.json", "charts/x/templates/_helpers.tpl", "t.tmpl", "roles/r/t.yaml.j2",
                     "modules/gke/main.tf", "docs/ip-masq-agent.md", "docs/old.markdown", "configmap-ip-masc-agent",
                     "ops/ip-masq-agent.conf", "upstream-ip-masq-agent/agent-config/config", "k8s/ip-masq/config"]:
            assert wanted.search(name), name
        for name in ["src/app.py", "Makefile", "etc/config", "docs/logo.png", "build.sh"]:
            assert not wanted.search(name), name
    assert "--fix" in hooks["masqlint-fix"]["entry"].split()
    assert "--exit-non-zero-on-fix" in hooks["masqlint-fix"]["entry"].split()
    from pre_commit.clientlib import load_manifest

    load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))  # pre-commit's own validation


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_with_real_pre_commit(hook, project_repo, git_env, tmp_path):
    work = tmp_path / "scratch"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main", env=git_env)
    for files, code, expected, after in CASES[hook]:
        for rel, text in {**BYSTANDERS, **files}.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text, encoding="utf-8")
        _git(work, "add", "-A", env=git_env)
        _git(work, "commit", "-q", "--allow-empty", "-m", "change", env=git_env)
        r = _try_repo(project_repo, hook, work, git_env)
        out = r.stdout + r.stderr
        assert r.returncode == code, out
        for text in expected:
            assert text in out, f"{text!r} not in:\n{out}"
        for rel, text in after.items():
            assert (work / rel).read_text(encoding="utf-8") == text, rel
        for rel, text in BYSTANDERS.items():  # never touched, never reported
            assert (work / rel).read_text(encoding="utf-8") == text
            assert rel not in out, out
