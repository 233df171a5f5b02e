"""Item 6: `diff --base` compares only the files `check` would check that changed between the
revision and the working tree, and reports changed behaviour only."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import GKE_DEFAULTS, configmap, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

WITHOUT_10 = [c for c in GKE_DEFAULTS if c != "10.0.0.0/8"]


@pytest.fixture
def repo(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "netops@example.com")
    git("config", "user.name", "netops")
    write(tmp_path / "clusters" / "prod" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS))
    write(tmp_path / "clusters" / "dev" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS))
    write(tmp_path / "clusters" / "stage" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS))
    write(tmp_path / "docs" / "snat.md", "# SNAT\n\nThe ip-masq-agent ConfigMap lives in clusters/.\n")
    write(tmp_path / "vendor" / "upstream-ip-masq-agent.yaml", configmap("10.0.0.0/8"))
    write(tmp_path / ".masqlint.yaml", "exclude: [vendor/**]\n")
    git("add", ".")
    git("commit", "-q", "-m", "clusters")
    # the change under review: prod drops 10.0.0.0/8; dev only gains a comment; vendor/ changes too
    write(tmp_path / "clusters" / "prod" / "ip-masq-agent.yaml", configmap(*WITHOUT_10))
    write(tmp_path / "clusters" / "dev" / "ip-masq-agent.yaml", "# reviewed\n" + configmap(*GKE_DEFAULTS))
    write(tmp_path / "vendor" / "upstream-ip-masq-agent.yaml", configmap("172.16.0.0/12"))
    write(tmp_path / "docs" / "snat.md", "# SNAT\n\nSee clusters/ for the ip-masq-agent ConfigMap.\n")
    return tmp_path


def test_diff_base_reports_only_changed_behaviour_of_checked_files(cli, repo):
    code, out, err = cli("diff", "--base", "HEAD", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["now_masqueraded"] == ["10.0.0.0/8"]  # a single change: prod (dev, stage, vendor, docs not listed)
    code, out, _ = cli("diff", "--base", "HEAD")
    assert out.startswith("HEAD:clusters/prod/ip-masq-agent.yaml → clusters/prod/ip-masq-agent.yaml")
    assert "clusters/dev" not in out and "clusters/stage" not in out and "vendor" not in out and "docs" not in out


def test_diff_base_says_so_when_nothing_changes_behaviour(cli, repo):
    code, out, _ = cli("diff", "--base", "HEAD", "clusters/dev", "clusters/stage")
    assert code == 0 and out == "no change of SNAT behaviour between HEAD and the working tree\n"


def test_diff_base_sees_a_new_untracked_config_and_a_deleted_one(cli, repo):
    (repo / "clusters" / "stage" / "ip-masq-agent.yaml").unlink()
    write(repo / "clusters" / "edge" / "ip-masq-agent.yaml", configmap(*WITHOUT_10))
    code, out, _ = cli("diff", "--base", "HEAD", "--format", "json", "clusters")
    paths = [f["path"] for f in json.loads(out)["files"]]
    assert paths == ["clusters/edge/ip-masq-agent.yaml", "clusters/prod/ip-masq-agent.yaml"]
