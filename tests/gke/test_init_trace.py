"""`masqlint init` (a starting .masqlint.yaml, never overwritten) and `masqlint trace` without --dst
(the declared destinations and the cluster's Pod ranges, exit 1 when one is misplaced)."""

from __future__ import annotations

import json
import shutil

import yaml

from masqlint.cli.main import main
from masqlint.config.loader import load_yaml_settings
from paths import DATA

from .test_cluster import configmap
from .test_egressnat import GKE_DEFAULTS, policy

GKE = DATA / "gke"


# --- init ----------------------------------------------------------------------------------------------------


def test_init_from_a_walk_finds_the_cluster_file_and_the_declared_destinations(tmp_path, capsys):
    (tmp_path / "clusters").mkdir()
    shutil.copy(GKE / "standard-extra-pods.json", tmp_path / "clusters/prod-eu.json")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/ip-masq-agent.yaml").write_text(configmap(["10.64.0.0/14", "10.2.1.0/24"]), encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    text = (tmp_path / ".masqlint.yaml").read_text()
    data = yaml.safe_load(text)
    assert data == {"target": "gke", "cluster": "clusters/prod-eu.json"}  # everything else is commented out
    assert '#   - {cidr: 10.2.1.0/24, name: "listed in k8s/ip-masq-agent.yaml:10"}' in text
    assert "Pod ranges 10.64.0.0/14, 100.72.0.0/16" in text
    s = load_yaml_settings(str(tmp_path / ".masqlint.yaml"))  # valid settings, the cluster file found
    assert [p.cidr for p in s.cluster_facts().pod_ranges] == ["10.64.0.0/14", "100.72.0.0/16"]
    # and the settings work: the batch pool's range is uncovered
    assert main(["check", "--format", "concise", str(tmp_path / "k8s")]) == 1
    assert "MQ415" in capsys.readouterr().out


def test_init_with_an_autopilot_cluster_file(tmp_path, capsys):
    shutil.copy(GKE / "autopilot.json", tmp_path / "web.json")
    (tmp_path / "egress.yaml").write_text(policy("default", dests=GKE_DEFAULTS), encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    assert main(["init", "--cluster", str(tmp_path / "web.json"), str(repo)]) == 0
    data = yaml.safe_load((repo / ".masqlint.yaml").read_text())
    assert data == {"target": "gke-autopilot", "cluster": "../web.json"}


def test_init_from_policies_alone_means_autopilot(tmp_path, capsys):
    (tmp_path / "egress.yaml").write_text(policy("partner", dests=("100.128.0.0/16",)), encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / ".masqlint.yaml").read_text()
    assert yaml.safe_load(text) == {"target": "gke-autopilot"}
    assert "#   - {cidr: 100.128.0.0/16" in text


def test_init_never_overwrites(tmp_path, capsys):
    original = b"target: cilium\nselect: [MQ3]\n"
    (tmp_path / ".masqlint.yaml").write_bytes(original)
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / ".masqlint.yaml").read_bytes() == original
    other = tmp_path / "other"
    other.mkdir()
    (other / "masqlint.yaml").write_bytes(original)  # any settings name counts
    assert main(["init", str(other)]) == 2
    assert not (other / ".masqlint.yaml").exists()


def test_init_on_an_empty_directory(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / ".masqlint.yaml").read_text()
    assert yaml.safe_load(text) == {"target": "gke"}
    assert "# cluster: " in text and "# must-not-masquerade:" in text and "# must-masquerade:" in text


# --- trace without --dst ---------------------------------------------------------------------------------------


def _standard_repo(tmp_path, cidrs, extra_settings=""):
    shutil.copy(GKE / "standard-extra-pods.json", tmp_path / "prod-eu.json")
    (tmp_path / ".masqlint.yaml").write_text("cluster: prod-eu.json\n" + extra_settings, encoding="utf-8")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/ip-masq-agent.yaml").write_text(configmap(cidrs), encoding="utf-8")
    return tmp_path / "k8s"


def test_trace_without_dst_checks_the_cluster_pod_ranges(tmp_path, capsys):
    k8s = _standard_repo(tmp_path, ["10.0.0.0/8"])
    assert main(["trace", "--format", "json", str(k8s)]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert [(r["dst"], r["expect"], r["ok"]) for r in results] == [
        ("10.64.0.0/14", "pod IP", True), ("100.72.0.0/16", "pod IP", False)]
    assert results[1]["parts"][0]["reason"] == "no match"
    assert main(["trace", str(k8s)]) == 1
    out = capsys.readouterr().out
    assert "100.72.0.0/16 [an additional Pod range 100.72.0.0/16 (node pool batch-pool); wants pod IP: WRONG]" in out


def test_trace_without_dst_passes_when_everything_is_where_the_policy_wants_it(tmp_path, capsys):
    k8s = _standard_repo(tmp_path, ["10.64.0.0/14", "100.72.0.0/16", "172.16.0.0/12"],
                         "must-masquerade: [{cidr: 10.2.1.100/32, name: on-prem endpoint}]\n")
    assert main(["trace", "--format", "json", str(k8s)]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [(r["dst"], r["expect"], r["ok"]) for r in results] == [
        ("10.2.1.100/32", "node IP", True), ("10.64.0.0/14", "pod IP", True), ("100.72.0.0/16", "pod IP", True)]


def test_trace_without_dst_on_autopilot_policies(tmp_path, capsys):
    shutil.copy(GKE / "autopilot.json", tmp_path / "web.json")
    (tmp_path / ".masqlint.yaml").write_text(
        "cluster: web.json\nmust-masquerade: [{cidr: 10.2.1.100/32, name: on-prem endpoint}]\n"
        "must-not-masquerade: [{cidr: 100.128.0.0/16, name: partner}]\n", encoding="utf-8")
    (tmp_path / "egress").mkdir()
    (tmp_path / "egress/default.yaml").write_text(policy("default", dests=GKE_DEFAULTS[1:]), encoding="utf-8")
    (tmp_path / "egress/partner.yaml").write_text(policy("partner", dests=("100.128.0.0/16",)), encoding="utf-8")
    (tmp_path / "egress/stray-configmap.yaml").write_text(configmap(["10.0.0.0/8"]), encoding="utf-8")
    assert main(["trace", "--format", "json", str(tmp_path / "egress")]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == 2  # one unit: the cluster's policies together; the ConfigMap is not read on Autopilot
    by = {r["dst"]: r for r in results}
    assert by["10.2.1.100/32"]["parts"][0]["masquerade"] is True
    part = by["100.128.0.0/16"]["parts"][0]
    assert (part["reason"], part["file"].rsplit("/", 1)[-1], part["line"]) == ("EgressNATPolicy", "partner.yaml", 8)
    (tmp_path / "egress/partner.yaml").unlink()
    assert main(["trace", str(tmp_path / "egress")]) == 1
    assert "100.128.0.0/16 [must-not-masquerade partner (100.128.0.0/16); wants pod IP: WRONG]" in capsys.readouterr().out


def test_trace_with_dst_keeps_its_exit_status(tmp_path, capsys):
    k8s = _standard_repo(tmp_path, ["10.0.0.0/8"])
    assert main(["trace", "--dst", "100.72.0.1", str(k8s)]) == 0  # an explicit question, not a check
    out = capsys.readouterr().out
    assert "WRONG" not in out and "masquerade (node IP)" in out


def test_init_finds_a_terraform_module_declaring_the_cluster(tmp_path, capsys):
    (tmp_path / "infra/gke").mkdir(parents=True)
    for f in (GKE / "terraform").iterdir():
        shutil.copy(f, tmp_path / "infra/gke" / f.name)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/ip-masq-agent.yaml").write_text(configmap(["10.0.0.0/8"]), encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / ".masqlint.yaml").read_text()
    assert yaml.safe_load(text) == {"target": "gke", "cluster": "infra/gke"}
    assert "Pod ranges 10.124.0.0/14, 100.80.0.0/16" in text and "Dataplane V2" in text
    capsys.readouterr()
    assert main(["check", "--format", "concise", str(tmp_path / "k8s")]) == 1
    assert "100.80.0.0/16 (node pool gpu)" in capsys.readouterr().out
