"""The command line as users run it: exit codes, formats, stdin, render, fixes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from paths import CONFORMANCE, EXAMPLES
from paths import REPO as ROOT


GOOD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
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


run = run_cli  # (args, capsys, stdin=None, monkeypatch=None)


def test_exit_0_on_clean_config(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_text(GOOD)
    code, out, _ = run(["check", "--no-config", str(p)], capsys)
    assert code == 0, out
    assert "No problems found" in out


def test_exit_1_on_findings_and_json_contract(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_text(GOOD.replace("10.0.0.0/8", "10.0.0.5/8"))
    code, out, _ = run(["check", "--no-config", "--format", "json", str(p)], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["files_checked"] == 1 and doc["configs_found"] == 1
    [f] = doc["findings"]
    assert f == {"rule": "MQ302", "name": "cidr-host-bits", "severity": "error", "message": f["message"], "path": str(p),
                 "line": 9, "column": 9, "end_line": 9, "end_column": 19, "fixable": True, "target": "gke", "related": []}


def test_fail_on_error_ignores_warnings(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_text(GOOD.replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS"))
    assert run(["check", "--no-config", str(p)], capsys)[0] == 1
    assert run(["check", "--no-config", "--fail-on", "error", str(p)], capsys)[0] == 0


def test_select_ignore_and_severity_override(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_text(GOOD.replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS"))
    assert run(["check", "--no-config", "--ignore", "key-casing", str(p)], capsys)[0] == 0
    assert run(["check", "--no-config", "--select", "MQ3", str(p)], capsys)[0] == 0
    code, out, _ = run(["check", "--no-config", "--severity", "MQ201=info", "--format", "json", str(p)], capsys)
    assert code == 0 and json.loads(out)["findings"][0]["severity"] == "info"


def test_usage_error_exits_2_with_one_line(capsys):
    code, out, err = run(["check", "--format", "xml", "."], capsys)
    assert code == 2
    assert err.startswith("masqlint: error:") and err.count("\n") == 1


def test_malformed_settings_file_exits_2_naming_file_and_line(tmp_path, capsys, monkeypatch):
    (tmp_path / ".masqlint.yaml").write_text("target: gke\nselect: [MQ3]\nfail-on: sometimes\n")
    (tmp_path / "cm.yaml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "cm.yaml"], capsys)
    assert code == 2
    assert ".masqlint.yaml:3" in err and "fail-on" in err


def test_stdin_with_stdin_filename(capsys, monkeypatch):
    code, out, _ = run(["check", "--no-config", "--format", "concise", "--stdin-filename", "k8s/cm.yaml", "-"], capsys,
                       stdin=GOOD.replace("10.0.0.0/8", "10.2.1.100").encode(), monkeypatch=monkeypatch)
    assert code == 1
    assert out.startswith("k8s/cm.yaml:9:9: MQ301 ")


def test_non_config_yaml_is_skipped_silently(tmp_path, capsys):
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web\n")
    code, out, err = run(["check", "--no-config", str(tmp_path)], capsys)
    assert code == 0 and "deploy.yaml" not in out + err  # its broken YAML is not masqlint's business
    assert err.startswith("masqlint: warning: no ip-masq-agent config found in the 1 file checked")
    assert "1 file checked, 0 ip-masq-agent configs" in out


def test_directory_walk_respects_gitignore_and_exclude(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored/\n")
    for d in ("ignored", "kept", "skip"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "cm.yaml").write_text(GOOD.replace("10.0.0.0/8", "10.0.0.5/8"))
    code, out, _ = run(["check", "--no-config", "--format", "json", "--exclude", "skip", str(tmp_path)], capsys)
    paths = {Path(f["path"]).parent.name for f in json.loads(out)["findings"]}
    assert paths == {"kept"}


@pytest.mark.parametrize("name", sorted(p.stem for p in CONFORMANCE.glob("*.json") if not json.loads(p.read_text()).get("config_absent")))
def test_render_raw_matches_the_real_agent(name, capsys):
    expected = json.loads((CONFORMANCE / f"{name}.json").read_text())
    fl = expected["agent_flags"]
    args = ["render", "--raw", "--no-config", "--target", "upstream", "--format", "json", str(CONFORMANCE / f"{name}.config")]
    if fl["nomasq-all-reserved-ranges"]:
        args.append("--nomasq-all-reserved-ranges")
    if fl["enable-ipv6"]:
        args.append("--enable-ipv6")
    if fl["masq-chain"] != "IP-MASQ-AGENT":
        args += ["--masq-chain", fl["masq-chain"]]
    if fl["to-ports"]:
        args += ["--to-ports", fl["to-ports"]]
    if not fl["random-fully"]:
        args.append("--no-random-fully")
    if not fl["iptables-has-random-fully"]:
        args.append("--iptables-without-random-fully")
    prev = CONFORMANCE / f"{name}.previous.config"
    if prev.exists():
        args += ["--previous", str(prev)]
    code, out, _ = run(args, capsys)
    got = json.loads(out)
    assert set(got) == {"accepted", "error", "effective", "iptables_v4", "iptables_v6"}
    for k in ("accepted", "effective", "iptables_v4", "iptables_v6"):
        assert got[k] == expected[k], k
    assert code == (0 if expected["accepted"] else 1)


def test_render_manifest_with_gke_target(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_text((EXAMPLES / "to-be" / "configmap.yaml").read_text())
    code, out, _ = run(["render", "--target", "gke", "--format", "json", str(p)], capsys)
    got = json.loads(out)
    assert code == 0 and got["accepted"]
    assert "-A IP-MASQ -m comment" in got["iptables_v4"] and "-d 10.1.1.0/24 -j RETURN" in got["iptables_v4"]
    assert "-d 10.0.0.0/8 " not in got["iptables_v4"]


def test_fix_seed_as_is_then_config_is_accepted_and_fix_is_idempotent(tmp_path, capsys):
    from masqlint.agent.sync import sync_bytes
    from masqlint.engine.lint import analyse
    from masqlint.config.settings import Settings
    from masqlint.text.source import SourceFile

    p = tmp_path / "configmap.yaml"
    shutil.copy(EXAMPLES / "as-is" / "configmap.yaml", p)
    before = p.read_bytes()
    code, out, _ = run(["check", "--no-config", "--diff", str(p)], capsys)
    assert code == 1 and "+      - 10.1.1.0/24" in out and p.read_bytes() == before
    run(["check", "--no-config", "--fix", str(p)], capsys)
    once = p.read_bytes()
    assert once != before and "\u2013" not in once.decode()
    run(["check", "--no-config", "--fix", str(p)], capsys)
    assert p.read_bytes() == once
    fctx = analyse(SourceFile.from_bytes(str(p), once), Settings())
    [cfg] = fctx.configs
    res = sync_bytes(cfg.config.text.encode(), None)
    assert res.accepted, res.error
    assert res.effective.non_masquerade_cidrs == ["10.1.1.0/24", "10.1.2.0/24"]
    # what the reviewer still has to do by hand: the broken indentation of the manifest
    code, out, _ = run(["check", "--no-config", "--format", "concise", str(p)], capsys)
    assert {ln.split()[1] for ln in out.splitlines()} == {"MQ001"}


def test_fix_keeps_crlf_bom_and_mode(tmp_path, capsys):
    p = tmp_path / "cm.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("nonMasqueradeCIDRs", "NonMasqueradeCIDRs").replace("\n", "\r\n").encode())
    p.chmod(0o640)
    run(["check", "--no-config", "--fix", str(p)], capsys)
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"    nonMasqueradeCIDRs:\r\n" in data
    assert (p.stat().st_mode & 0o777) == 0o640


def test_rules_and_rule_commands(capsys):
    code, out, _ = run(["rules", "--format", "json"], capsys)
    rules = json.loads(out)
    assert code == 0 and len(rules) >= 35 and rules[0]["id"] == "MQ001"
    code, out, _ = run(["rule", "key-casing"], capsys)
    assert code == 0 and out.startswith("MQ201 key-casing (warning)") and "Bad" in out and "Good" in out
    assert run(["rule", "MQ999"], capsys)[0] == 2


def _env():
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_check_is_the_default_command_and_version(tmp_path):
    p = tmp_path / "cm.yaml"
    p.write_text(GOOD)
    r = subprocess.run([sys.executable, "-m", "masqlint", "--no-config", str(p)], capture_output=True, text=True, cwd=tmp_path, env=_env())
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "masqlint", "--version"], capture_output=True, text=True, env=_env())
    assert r.stdout.startswith("masqlint ") and r.returncode == 0


def test_agent_schema_works_with_check_jsonschema(tmp_path):
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency"
    schema = ROOT / "schemas" / "ip-masq-agent-config.schema.json"
    good = tmp_path / "good.yaml"
    good.write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\nmasqLinkLocal: false\nresyncInterval: 60s\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonMasqueradeCIDRS:\n  - 10.0.0.0/8\nmasqLinkLocal: \"false\"\nresyncInterval: 60\n")
    ok = subprocess.run([exe, "--schemafile", str(schema), str(good)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ko = subprocess.run([exe, "--schemafile", str(schema), str(bad)], capture_output=True, text=True)
    assert ko.returncode == 1
    assert "nonMasqueradeCIDRS" in ko.stdout and "resyncInterval" in ko.stdout


@pytest.mark.slow
def test_wheel_ships_schemas_and_rules(tmp_path):
    import zipfile

    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    [whl] = tmp_path.glob("masqlint-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    assert "masqlint/_data/schemas/ip-masq-agent-config.schema.json" in names
    assert "masqlint/_data/schemas/rule.schema.json" in names
    assert len([n for n in names if n.startswith("masqlint/_data/rules/MQ")]) >= 35
    assert "masqlint/py.typed" in names
