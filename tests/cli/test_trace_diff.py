"""`masqlint trace` and `masqlint diff`: JSON shapes, text and markdown, rejected configs, git."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from masqlint.cli.main import main

from conftest import GKE_WITHOUT_10, manifest


def _json(argv, capsys, code=0):
    assert main(argv) == code
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "old.yaml").write_text(manifest(None), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(manifest(GKE_WITHOUT_10 + ["10.1.1.0/24"]), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(manifest(["10.1.1.5/24"]), encoding="utf-8")
    (tmp_path / "other.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n", encoding="utf-8")
    return tmp_path


# --- trace ---------------------------------------------------------------------------------------------


def test_trace_json_shape_entry_and_line(files, capsys):
    doc = _json(["trace", "--no-config", "--format", "json", "--dst", "10.1.1.7", str(files / "new.yaml")], capsys)
    assert doc == {"results": [{"path": str(files / "new.yaml"), "dst": "10.1.1.7/32", "parts": [
        {"cidr": "10.1.1.7/32", "masquerade": False, "reason": "entry", "entry": "10.1.1.0/24", "line": 19}]}]}


def test_trace_split_range_lists_each_part_aggregated(files, capsys):
    doc = _json(["trace", "--no-config", "--format", "json", "--dst", "10.1.0.0/22", str(files / "new.yaml")], capsys)
    parts = [(p["cidr"], p["masquerade"], p["reason"], p["entry"], p["line"]) for p in doc["results"][0]["parts"]]
    assert parts == [("10.1.0.0/24", True, "no match", None, None),
                     ("10.1.1.0/24", False, "entry", "10.1.1.0/24", 19),
                     ("10.1.2.0/23", True, "no match", None, None)]


def test_trace_reasons_default_link_local_no_configmap_rejected(files, capsys):
    argv = ["trace", "--no-config", "--format", "json", "--dst", "10.2.1.100", "--dst", "169.254.169.254"]
    doc = _json(argv + [str(files / "old.yaml"), str(files / "other.yaml"), str(files / "bad.yaml")], capsys)
    got = [(r["path"].rsplit("/", 1)[-1], r["dst"], r["parts"][0]["reason"], r["parts"][0]["entry"])
           for r in doc["results"]]
    assert got == [
        ("old.yaml", "10.2.1.100/32", "default", "10.0.0.0/8"),
        ("old.yaml", "169.254.169.254/32", "link-local", "169.254.0.0/16"),
        ("other.yaml", "10.2.1.100/32", "no ConfigMap: agent defaults", "10.0.0.0/8"),
        ("other.yaml", "169.254.169.254/32", "link-local", "169.254.0.0/16"),
        ("bad.yaml", "10.2.1.100/32", "rejected: agent defaults", "10.0.0.0/8"),
        ("bad.yaml", "169.254.169.254/32", "link-local", "169.254.0.0/16"),
    ]
    assert all(set(p) == {"cidr", "masquerade", "reason", "entry", "line"} for r in doc["results"] for p in r["parts"])


def test_trace_manifest_that_kubectl_cannot_apply_means_agent_defaults(tmp_path, capsys):
    p = tmp_path / "multi.yaml"
    p.write_text(manifest(["172.16.0.0/12"]) + "---\nkind: [broken\n", encoding="utf-8")
    doc = _json(["trace", "--no-config", "--format", "json", "--dst", "10.2.1.100", str(p)], capsys)
    [part] = doc["results"][0]["parts"]
    assert (part["masquerade"], part["reason"], part["entry"]) == (False, "no ConfigMap: agent defaults", "10.0.0.0/8")
    assert main(["trace", "--no-config", "--dst", "10.2.1.100", str(p)]) == 0
    assert "not valid YAML, so `kubectl apply` refuses it" in capsys.readouterr().out


def test_trace_text_explains_for_humans(files, capsys):
    assert main(["trace", "--no-config", "--dst", "10.2.1.100", str(files / "bad.yaml"), str(files / "new.yaml")]) == 0
    out = capsys.readouterr().out
    assert "The agent rejects this config (CIDR \"10.1.1.5/24\" is not aligned" in out
    assert "10.2.1.100/32: keep pod IP: default range 10.0.0.0/8 (config rejected: agent defaults)" in out
    assert "10.2.1.100/32: masquerade (node IP)" in out


def test_trace_follows_the_target(files, capsys):
    doc = _json(["trace", "--no-config", "--target", "cilium", "--format", "json", "--dst", "10.1.1.9",
                 str(files / "bad.yaml")], capsys)
    [p] = doc["results"][0]["parts"]
    # masked to its network, not rejected; the line is where 10.1.1.5/24 is written
    assert (p["masquerade"], p["reason"], p["entry"], p["line"]) == (False, "entry", "10.1.1.0/24", 9)


def test_trace_usage_errors(files, capsys):
    assert main(["trace", "--dst", "10.2.1.300", str(files / "new.yaml")]) == 2
    assert "not an IP address" in capsys.readouterr().err
    assert main(["trace", "--dst", "10.2.1.0/16", str(files / "new.yaml")]) == 2
    assert "host bits" in capsys.readouterr().err
    assert main(["trace", "--dst", "10.2.1.1", str(files / "missing.yaml")]) == 2
    assert main(["trace", "--no-config", str(files / "new.yaml")]) == 2  # nothing to trace: no --dst, nothing declared


# --- diff ------------------------------------------------------------------------------------------------


def test_diff_json_shape_and_aggregation(files, capsys):
    doc = _json(["diff", "--no-config", "--format", "json", str(files / "old.yaml"), str(files / "new.yaml")], capsys)
    assert set(doc) == {"now_masqueraded", "no_longer_masqueraded", "changed_keys"}
    assert doc["now_masqueraded"][:3] == ["10.0.0.0/16", "10.1.0.0/24", "10.1.2.0/23"]
    assert len(doc["now_masqueraded"]) == 16 and doc["no_longer_masqueraded"] == []
    assert list(doc["changed_keys"]) == ["nonMasqueradeCIDRs"]
    old, new = doc["changed_keys"]["nonMasqueradeCIDRs"]
    assert old[0] == "10.0.0.0/8" and new[-1] == "10.1.1.0/24"
    back = _json(["diff", "--no-config", "--format", "json", str(files / "new.yaml"), str(files / "old.yaml")], capsys)
    assert back["no_longer_masqueraded"] == doc["now_masqueraded"] and back["now_masqueraded"] == []


def test_diff_changed_keys_only_for_keys_the_target_reads(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(manifest(None, extra="resyncInterval: 60s\n"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(manifest(None, extra="resyncInterval: 1m30s\nmasqLinkLocal: true\n"), encoding="utf-8")
    doc = _json(["diff", "--no-config", "--format", "json", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], capsys)
    assert doc["changed_keys"] == {"masqLinkLocal": [False, True], "resyncInterval": ["1m0s", "1m30s"]}
    assert doc["now_masqueraded"] == ["169.254.0.0/16"]
    doc = _json(["diff", "--no-config", "--target", "cilium", "--format", "json", str(tmp_path / "a.yaml"),
                 str(tmp_path / "b.yaml")], capsys)
    # Cilium: no defaults for a non-empty file without a list, and resyncInterval is not read
    assert doc["changed_keys"] == {"masqLinkLocal": [False, True]}


def test_diff_rejected_new_keeps_old_rules(files, capsys):
    doc = _json(["diff", "--no-config", "--format", "json", str(files / "new.yaml"), str(files / "bad.yaml")], capsys)
    assert doc == {"now_masqueraded": [], "no_longer_masqueraded": [], "changed_keys": {}}
    assert main(["diff", "--no-config", str(files / "new.yaml"), str(files / "bad.yaml")]) == 0
    out = capsys.readouterr().out
    assert "the agent rejects" in out and "stay in force" in out
    # a rejected OLD counts as the defaults it would keep at first start
    doc = _json(["diff", "--no-config", "--format", "json", str(files / "bad.yaml"), str(files / "new.yaml")], capsys)
    assert len(doc["now_masqueraded"]) == 16


def test_diff_markdown_and_exit_code(files, capsys):
    argv = ["diff", "--no-config", "--format", "markdown", str(files / "old.yaml"), str(files / "new.yaml")]
    assert main(argv) == 0
    md = capsys.readouterr().out
    assert md.startswith("### masqlint diff: SNAT changes")
    assert "**Now masqueraded**" in md and "`10.0.0.0/8 except 10.1.1.0/24`" in md
    assert "- `10.128.0.0/9`" in md and "| `nonMasqueradeCIDRs` |" in md
    assert main(argv + ["--exit-code"]) == 1
    capsys.readouterr()
    assert main(["diff", "--no-config", "--exit-code", str(files / "old.yaml"), str(files / "old.yaml")]) == 0


def test_diff_usage_errors(files, capsys):
    assert main(["diff", str(files / "old.yaml")]) == 2
    assert main(["diff", str(files / "old.yaml"), str(files / "nope.yaml")]) == 2
    assert main(["diff", str(files), str(files / "old.yaml")]) == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_base_against_a_git_revision(tmp_path, capsys, monkeypatch):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "cm.yaml").write_text(manifest(None), encoding="utf-8")
    (tmp_path / "deploy" / "gone.yaml").write_text(manifest(GKE_WITHOUT_10), encoding="utf-8")
    (tmp_path / "hook.sh").write_text("#!/bin/sh\ntouch PWNED\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    # a repository cannot make masqlint run its code: textconv and external diff are never used
    git("config", "diff.external", str(tmp_path / "hook.sh"))
    (tmp_path / ".gitattributes").write_text("*.yaml diff=evil\n", encoding="utf-8")
    git("config", "diff.evil.textconv", "sh hook.sh")
    (tmp_path / "deploy" / "cm.yaml").write_text(manifest(GKE_WITHOUT_10 + ["10.1.1.0/24"]), encoding="utf-8")
    (tmp_path / "deploy" / "gone.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    doc = _json(["diff", "--no-config", "--base", "HEAD", "--format", "json", "deploy/cm.yaml"], capsys)
    assert len(doc["now_masqueraded"]) == 16 and doc["no_longer_masqueraded"] == []
    doc = _json(["diff", "--no-config", "--base", "HEAD", "--format", "json"], capsys)
    by_path = {f["path"]: f for f in doc["files"]}
    assert set(by_path) == {"deploy/cm.yaml", "deploy/gone.yaml"}
    # the deleted ConfigMap: the agent goes back to its defaults, 10.0.0.0/8 keeps pod IPs again
    assert by_path["deploy/gone.yaml"]["no_longer_masqueraded"] == ["10.0.0.0/8"]
    assert not (tmp_path / "PWNED").exists()
    assert main(["diff", "--base", "no-such-rev", "deploy/cm.yaml"]) == 2
    assert "unknown revision" in capsys.readouterr().err
    assert main(["diff", "--base", "--output=x", "deploy/cm.yaml"]) == 2
