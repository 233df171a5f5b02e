"""Cluster facts from `gcloud container clusters describe --format=json` (and Terraform): what is
read, each rule they drive, and a broken or unrecognisable cluster file stopping the run."""

from __future__ import annotations

import json
import shutil

import pytest

from masqlint.cli.main import main
from masqlint.config.cluster import ClusterError, load_cluster
from masqlint.config.settings import from_mapping
from masqlint.pipeline.runner import lint_bytes
from paths import DATA

GKE = DATA / "gke"


def configmap(cidrs) -> str:
    items = "".join(f"      - {c}\n" for c in cidrs)
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n"
            f"  config: |\n    nonMasqueradeCIDRs:\n{items}    resyncInterval: 60s\n")


def lint_with(cluster: str, text: str, **more):
    s = from_mapping({"cluster": cluster, **more}, root=str(GKE))
    return lint_bytes("ip-masq-agent.yaml", text.encode(), s, None).findings


def rules(fs, rule):
    return [f for f in fs if f.rule == rule]


# --- what is read --------------------------------------------------------------------------------------------


def test_standard_cluster_with_an_additional_pod_range():
    f = load_cluster(str(GKE / "standard-extra-pods.json"))
    assert (f.name, f.autopilot, f.dataplane_v2, f.default_snat_disabled) == ("prod-eu", False, False, False)
    assert [(p.cidr, p.pools, p.kind) for p in f.pod_ranges] == [
        ("10.64.0.0/14", ("default-pool",), "default"), ("100.72.0.0/16", ("batch-pool",), "additional")]
    assert f.services_range == "10.68.0.0/20" and f.master_range is None


def test_autopilot_cluster():
    f = load_cluster(str(GKE / "autopilot.json"))
    assert f.autopilot is True and f.dataplane_v2
    assert [p.cidr for p in f.pod_ranges] == ["10.96.0.0/17"] and f.services_range == "34.118.224.0/20"


def test_private_cluster_with_default_snat_disabled():
    f = load_cluster(str(GKE / "standard-private-nosnat.json"))
    assert f.default_snat_disabled is True and f.master_range == "172.16.0.32/28" and f.datapath == "ADVANCED_DATAPATH"
    assert [p.cidr for p in f.pod_ranges] == ["172.20.0.0/16"]


def test_a_list_of_clusters_needs_a_name(tmp_path):
    with pytest.raises(ClusterError, match=r"clusters-list\.json:1: 2 clusters \(prod-eu, web-autopilot\)"):
        load_cluster(str(GKE / "clusters-list.json"))
    assert load_cluster(str(GKE / "clusters-list.json"), "web-autopilot").autopilot is True
    with pytest.raises(ClusterError, match="no cluster named 'staging'"):
        load_cluster(str(GKE / "clusters-list.json"), "staging")


def test_yaml_description_is_read_too(tmp_path):
    import yaml

    p = tmp_path / "prod.yaml"
    p.write_text(yaml.safe_dump(json.loads((GKE / "standard-extra-pods.json").read_text())), encoding="utf-8")
    assert [x.cidr for x in load_cluster(str(p)).pod_ranges] == ["10.64.0.0/14", "100.72.0.0/16"]


def test_terraform_declared_cluster():
    f = load_cluster(str(GKE / "terraform"))
    assert (f.name, f.autopilot, f.datapath, f.default_snat_disabled) == ("payments", False, "ADVANCED_DATAPATH", False)
    assert [(p.cidr, p.pools, p.kind) for p in f.pod_ranges] == [
        ("10.124.0.0/14", ("general",), "default"), ("100.80.0.0/16", ("gpu",), "additional")]
    assert f.services_range == "10.128.0.0/20" and f.node_ranges == ["10.120.0.0/22"]
    assert f.master_range == "172.16.0.16/28"


def test_terraform_value_from_a_variable_is_unknown(tmp_path):
    for f in (GKE / "terraform").iterdir():
        shutil.copy(f, tmp_path / f.name)
    tf = tmp_path / "network.tf"
    tf.write_text(tf.read_text().replace('"100.80.0.0/16"', "var.gpu_pod_range"), encoding="utf-8")
    f = load_cluster(str(tmp_path))
    assert [p.cidr for p in f.pod_ranges] == ["10.124.0.0/14"]  # the gpu pool's range is not known: nothing said


# --- broken or unrecognisable cluster files: exit 2 with file:line -------------------------------------------


@pytest.mark.parametrize("name,content,where,what", [
    ("broken.json", '{\n  "name": "prod",\n  "clusterIpv4Cidr": "10.4.0.0/14",\n}\n', "broken.json:4", "not valid JSON"),
    ("service.json", '{\n  "apiVersion": "v1",\n  "kind": "Service"\n}\n', "service.json:1", "not a GKE cluster description"),
    ("badcidr.json", '{\n  "name": "prod",\n  "nodePools": [],\n  "clusterIpv4Cidr": "10.4.0.0/33"\n}\n',
     "badcidr.json:4", "clusterIpv4Cidr"),
    ("main.tf", 'resource "google_container_cluster" "c" {\n  name = \n}\n', "main.tf:2", "not valid Terraform"),
    ("vpc.tf", 'resource "google_compute_network" "vpc" {\n  name = "vpc"\n}\n', "vpc.tf:1", "no google_container_cluster"),
])
def test_broken_cluster_file_stops_the_run(tmp_path, capsys, name, content, where, what):
    (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "cm.yaml").write_text(configmap(["10.0.0.0/8"]), encoding="utf-8")
    assert main(["check", "--no-config", "--cluster", str(tmp_path / name), str(tmp_path / "cm.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("masqlint: error: ") and where in err and what in err and "Traceback" not in err
    # named by settings instead of the command line: the same
    (tmp_path / ".masqlint.yaml").write_text(f"cluster: {name}\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "cm.yaml")]) == 2
    assert where in capsys.readouterr().err


# --- the rules -----------------------------------------------------------------------------------------------


def test_uncovered_additional_pod_range_is_an_error_at_the_list_naming_its_pool():
    fs = lint_with("standard-extra-pods.json", configmap(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]))
    [f] = rules(fs, "MQ415")
    assert (f.line, f.column, f.severity.label) == (8, 5, "error")
    assert "100.72.0.0/16 (node pool batch-pool)" in f.message and f.data["uncovered"] == ["100.72.0.0/16"]
    assert f.data["node_pools"] == ["batch-pool"]


def test_partly_covered_pod_range_names_the_uncovered_part():
    fs = lint_with("standard-extra-pods.json", configmap(["10.64.0.0/15", "100.72.0.0/16"]))
    [f] = rules(fs, "MQ415")
    assert f.data["uncovered"] == ["10.66.0.0/15"] and "10.66.0.0/15 of it is not covered" in f.message
    assert "default-pool" in f.message


def test_pod_ranges_covered_by_the_list_or_the_defaults_are_fine():
    assert not rules(lint_with("standard-extra-pods.json", configmap(["10.0.0.0/8", "100.64.0.0/10"])), "MQ415")
    absent = configmap([]).replace("    nonMasqueradeCIDRs:\n", "")
    assert not rules(lint_with("standard-extra-pods.json", absent), "MQ415")  # defaults cover both


def test_list_absent_points_at_the_config_key():
    absent = configmap([]).replace("    nonMasqueradeCIDRs:\n", "")
    [f] = rules(lint_with("standard-pupi.json", absent), "MQ415")  # 45.10.0.0/16 is outside every default
    assert (f.line, f.column) == (7, 3)


def test_dataplane_v2_is_said_where_it_matters():
    [f] = rules(lint_with("standard-private-nosnat.json", configmap(["10.0.0.0/8"])), "MQ415")
    assert "Dataplane V2" in f.message
    [g] = rules(lint_with("standard-extra-pods.json", configmap(["10.0.0.0/8"])), "MQ415")
    assert "Dataplane V2" not in g.message


def test_services_range_listed_is_info_at_the_entry():
    fs = lint_with("standard-extra-pods.json", configmap(["10.64.0.0/14", "10.68.0.0/20", "100.72.0.0/16"]))
    [f] = rules(fs, "MQ416")
    assert (f.line, f.column, f.severity.label) == (10, 9, "info") and "DNAT" in f.message


def test_default_snat_disabled_with_an_agent_config():
    fs = lint_with("standard-private-nosnat.json", configmap(["172.20.0.0/16"]))
    [f] = rules(fs, "MQ417")
    assert (f.line, f.column) == (4, 9) and "without the ip-masq-agent every destination keeps the pod IP" in f.message
    assert not rules(lint_with("standard-extra-pods.json", configmap(["10.0.0.0/8", "100.64.0.0/10"])), "MQ417")


def test_default_snat_disabled_without_an_agent_config_keeps_every_pod_ip(tmp_path, capsys):
    (tmp_path / "README.md").write_text("no ConfigMap here\n", encoding="utf-8")
    shutil.copy(GKE / "standard-private-nosnat.json", tmp_path / "cluster.json")
    argv = ["trace", "--no-config", "--cluster", str(tmp_path / "cluster.json"), "--format", "json",
            "--dst", "8.8.8.8", str(tmp_path / "README.md")]
    assert main(argv) == 0
    [r] = json.loads(capsys.readouterr().out)["results"]
    assert r["parts"] == [{"cidr": "8.8.8.8/32", "masquerade": False, "reason": "default SNAT disabled", "entry": "0.0.0.0/0",
                           "line": None}]


def test_privately_used_public_pod_range_is_not_a_public_range():
    fs = lint_with("standard-pupi.json", configmap(["10.0.0.0/8", "45.10.0.0/16", "45.11.0.0/16"]))
    assert [f.data["cidr"] for f in rules(fs, "MQ405")] == ["45.11.0.0/16"]
    from masqlint.config.settings import Settings

    plain = lint_bytes("ip-masq-agent.yaml", configmap(["10.0.0.0/8", "45.10.0.0/16"]).encode(), Settings(), None)
    assert [f.data["cidr"] for f in rules(plain.findings, "MQ405")] == ["45.10.0.0/16"]  # without the cluster: reported


def test_terraform_cluster_drives_the_pod_range_rule():
    fs = lint_with("terraform", configmap(["10.0.0.0/8"]))
    [f] = rules(fs, "MQ415")
    assert "100.80.0.0/16 (node pool gpu)" in f.message and "cluster payments" in f.message


def test_scope_cluster_overrides_the_top_level_one(tmp_path, capsys):
    for n in ("standard-extra-pods.json", "standard-pupi.json"):
        shutil.copy(GKE / n, tmp_path / n)
    (tmp_path / ".masqlint.yaml").write_text(
        "cluster: standard-extra-pods.json\nscopes:\n  - files: [edge/**]\n    cluster: standard-pupi.json\n", encoding="utf-8")
    for d in ("prod", "edge"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "cm.yaml").write_text(configmap(["10.0.0.0/8", "100.64.0.0/10"]), encoding="utf-8")
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    found = [(f["path"].split("/")[-2], f["rule"], f["line"]) for f in json.loads(capsys.readouterr().out)["findings"]
             if f["rule"] == "MQ415"]
    assert found == [("edge", "MQ415", 8)]  # 45.10.0.0/16 of cluster edge; prod's ranges are covered
