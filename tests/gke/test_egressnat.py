"""EgressNATPolicy (GKE Autopilot): each finding at its exact position, the union of a cluster's
policies across files, Autopilot versus Standard in both directions, render and diff."""

from __future__ import annotations

import json

from conftest import policy

from masqlint.cli.main import main
from masqlint.config.settings import Settings, from_mapping
from masqlint.pipeline.runner import lint_bytes

def lint(text: str, settings: Settings | None = None, name: str = "egress-nat.yaml"):
    return lint_bytes(name, text.encode(), settings or Settings(), None).findings


def at(findings, rule):
    return [(f.line, f.column, f.span.end_column) for f in findings if f.rule == rule]


# --- the resource -----------------------------------------------------------------------------------------


def test_invented_action_is_reported_at_its_value():
    fs = lint(policy(action="PredictableSNAT"))
    assert at(fs, "MQ409") == [(6, 11, 26)]
    [f] = [f for f in fs if f.rule == "MQ409"]
    assert "PredictableSNAT does not exist" in f.message and f.severity.label == "error"


def test_action_in_the_wrong_case_names_the_spelling():
    [f] = [f for f in lint(policy(action="nosnat")) if f.rule == "MQ409"]
    assert (f.line, f.column) == (6, 11) and "the case is wrong: write NoSNAT" in f.message


def test_missing_action_points_at_spec():
    text = policy().replace("  action: NoSNAT\n", "")
    assert at(lint(text), "MQ409") == [(5, 1, 5)]


def test_unknown_fields_are_named_where_they_are_written():
    text = """\
apiVersion: networking.gke.io/v1
kind: EgressNATPolicy
metadata:
  name: api-egress
spec:
  action: NoSNAT
  podSelector:
    matchLabels:
      app: api
  egressGateway: nat-gw-1
  destinations:
  - cidr: 10.2.1.0/24
    ports: [443]
  - cidrs: 10.3.0.0/16
"""
    fs = [f for f in lint(text) if f.rule == "MQ410"]
    assert [(f.line, f.column, f.data["field"]) for f in fs] == [
        (7, 3, "podSelector"), (10, 3, "egressGateway"), (13, 5, "ports"), (14, 5, "cidrs")]
    assert fs[3].data["suggestion"] == "cidr" and "Did you mean `cidr`?" in fs[3].message
    assert "it has action, destinations" in fs[0].message
    # the item without `cidr` is also a destination that is not {cidr: …}
    assert at(lint(text), "MQ411") == [(14, 5, 10)]


def test_destinations_that_are_not_cidr_mappings():
    bare = policy(dests=()) + "  - 10.0.0.0/8\n  - cidr: 172.16.0.0/12\n  - cidr: [10.1.0.0/16]\n"
    fs = [f for f in lint(bare) if f.rule == "MQ411"]
    assert [(f.line, f.column) for f in fs] == [(8, 5), (10, 5)]
    assert "write `- cidr: 10.0.0.0/8`" in fs[0].message and "not a string" in fs[1].message
    not_a_list = policy(dests=()).replace("  destinations:\n", "  destinations:\n    cidr: 10.0.0.0/8\n")
    assert at(lint(not_a_list), "MQ411") == [(7, 3, 15)]
    empty = policy(dests=()).replace("  destinations:\n", "  destinations: []\n")
    assert at(lint(empty), "MQ411") == [(7, 3, 15)]
    missing = policy(dests=()).replace("  destinations:\n", "")
    assert at(lint(missing), "MQ411") == [(5, 1, 5)]


def test_cidr_rules_on_destinations_at_exact_positions():
    text = policy(dests=("10.0.0.0/8", "10.1.1.5/24", "10.0.0.0/8", "10.20.0.0/16", "010.2.0.0/16", "8.8.8.0/24",
                         "0.0.0.0/0"))
    fs = lint(text)
    assert at(fs, "MQ302") == [(9, 11, 22)]
    assert at(fs, "MQ305") == [(10, 11, 21)]
    assert at(fs, "MQ306") == [(11, 11, 23)]
    assert at(fs, "MQ301") == [(12, 11, 23)]
    assert at(fs, "MQ405") == [(13, 11, 21)]
    assert at(fs, "MQ404") == [(14, 11, 20)]
    [f301] = [f for f in fs if f.rule == "MQ301"]
    assert "leading zero" in f301.message and "Write 10.2.0.0/16" in f301.message


def test_a_policy_that_is_not_in_force_gets_no_traffic_findings():
    fs = lint(policy(action="SNAT", dests=("8.8.8.0/24", "0.0.0.0/0")))
    assert at(fs, "MQ409") and not at(fs, "MQ405") and not at(fs, "MQ404")


def test_gke_managed_policy_is_reported_at_its_name():
    fs = lint(policy(name="gke-bbfa6c0e-1", dests=("10.96.0.0/17",)))
    assert at(fs, "MQ412") == [(4, 9, 23)]


def test_distributed_cloud_egress_gateway_policy_is_another_resource():
    text = """\
apiVersion: networking.gke.io/v1
kind: EgressNATPolicy
metadata:
  name: egress
spec:
  sources:
  - namespaceSelector:
      matchLabels:
        user: blue
  action: SNAT
  destinations:
  - cidr: 8.8.8.0/24
  gatewayRef:
    name: default
    namespace: kube-system
"""
    assert lint(text) == []


def test_prefilter_reads_a_policy_file_without_the_word_masq(tmp_path):
    p = tmp_path / "egress.yaml"
    p.write_text(policy(action="PredictableSNAT"), encoding="utf-8")
    assert "masq" not in p.read_text().lower()
    assert main(["check", "--no-config", "--format", "concise", str(p)]) == 1


def test_helm_template_markup_is_not_a_policy_error():
    text = policy(dests=()) + "{{- range .Values.noSnat }}\n  - cidr: {{ . }}\n{{- end }}\n"
    assert lint(text, name="templates/egress-nat.yaml") == []


# --- the union of a cluster's policies ----------------------------------------------------------------------


def _repo(tmp_path, settings: str, files: dict[str, str]):
    (tmp_path / ".masqlint.yaml").write_text(settings, encoding="utf-8")
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def _check(path, capsys, code=None):
    rc = main(["check", "--format", "json", str(path)])
    doc = json.loads(capsys.readouterr().out)
    if code is not None:
        assert rc == code
    return [(f["path"].rsplit("/", 1)[-1], f["rule"], f["line"], f["column"]) for f in doc["findings"]], doc


GKE_DEFAULTS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
                "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4")


def test_union_across_files_covers_a_declared_destination(tmp_path, capsys):
    settings = ("target: gke-autopilot\nmust-not-masquerade:\n  - {cidr: 100.128.0.0/16, name: partner VPN}\n"
                "  - {cidr: 10.60.0.0/16, name: peered VPC}\n")
    repo = _repo(tmp_path, settings, {
        "egress/default.yaml": policy("default", dests=GKE_DEFAULTS),
        "egress/partner.yaml": policy("partner-vpn", dests=("100.128.0.0/16",)),
    })
    found, _ = _check(repo / "egress", capsys, 0)
    assert found == []
    (repo / "egress/partner.yaml").unlink()
    found, doc = _check(repo / "egress", capsys, 1)
    assert found == [("default.yaml", "MQ403", 7, 3)]
    assert "partner VPN (100.128.0.0/16) must keep the pod IP" in doc["findings"][0]["message"]


def test_must_masquerade_points_at_the_destination_in_whichever_file(tmp_path, capsys):
    settings = "target: gke-autopilot\nmust-masquerade:\n  - {cidr: 10.2.1.100/32, name: on-prem endpoint}\n"
    repo = _repo(tmp_path, settings, {
        "a/default.yaml": policy("default", dests=GKE_DEFAULTS[1:]),
        "a/onprem.yaml": policy("onprem", dests=("192.0.2.0/24", "10.2.0.0/16")),
    })
    found, doc = _check(repo / "a", capsys, 1)
    assert ("onprem.yaml", "MQ402", 9, 11) in found
    msg = next(f["message"] for f in doc["findings"] if f["rule"] == "MQ402")
    assert "10.2.0.0/16 of EgressNATPolicy onprem" in msg
    # the dropped 10.0.0.0/8 is reported once, at the `default` policy, as its parts nobody keeps
    [f401] = [f for f in doc["findings"] if f["rule"] == "MQ401"]
    assert f401["path"].endswith("default.yaml") and f401["line"] == 7
    assert "10.0.0.0/8" in f401["message"]


def test_without_a_default_policy_gke_keeps_its_own(tmp_path, capsys):
    settings = "target: gke-autopilot\nmust-masquerade:\n  - {cidr: 10.2.1.100/32, name: on-prem endpoint}\n"
    repo = _repo(tmp_path, settings, {"p/extra.yaml": policy("extra", dests=("100.128.0.0/16",))})
    found, doc = _check(repo / "p", capsys, 1)
    assert [x for x in found if x[1] != "MQ405"] == [("extra.yaml", "MQ402", 7, 3)]
    assert "GKE's `default` EgressNATPolicy" in doc["findings"][0]["message"]


def test_separate_scopes_are_separate_clusters(tmp_path, capsys):
    settings = ("target: gke-autopilot\nscopes:\n  - files: [prod/**]\n    must-not-masquerade: [{cidr: 100.128.0.0/16}]\n"
                "  - files: [dev/**]\n")
    repo = _repo(tmp_path, settings, {
        "prod/default.yaml": policy("default", dests=GKE_DEFAULTS),
        "dev/partner.yaml": policy("partner", dests=("100.128.0.0/16",)),
    })
    found, _ = _check(repo, capsys, 1)
    assert sorted(found) == [("default.yaml", "MQ403", 7, 3), ("partner.yaml", "MQ405", 8, 11)]  # declared for prod only


# --- Autopilot versus Standard ---------------------------------------------------------------------------------


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 100.64.0.0/16
"""


def test_configmap_on_autopilot_shows_the_equivalent_policy():
    fs = lint(CONFIGMAP, from_mapping({"target": "gke-autopilot", "must-masquerade": [{"cidr": "10.2.1.100/32"}]}),
              name="ip-masq-agent.yaml")
    assert [(f.rule, f.line, f.column) for f in fs] == [("MQ413", 4, 9)]  # not MQ402 on a config that is ignored
    f = fs[0]
    assert "Autopilot ignores the ip-masq-agent ConfigMap" in f.message
    assert f.data["egressnatpolicy"].endswith("  - cidr: 10.0.0.0/8\n  - cidr: 100.64.0.0/16\n")


def test_policy_on_a_standard_cluster_only_when_standard_is_known():
    assert not at(lint(policy()), "MQ414")  # the default target says nothing about the kind of cluster
    fs = lint(policy(), from_mapping({"target": "gke"}))
    assert at(fs, "MQ414") == [(2, 7, 22)]
    assert not at(lint(policy(), from_mapping({"target": "gke-autopilot"})), "MQ414")


def test_cluster_file_decides_autopilot_or_standard_both_ways(tmp_path, capsys):
    from paths import DATA

    for name in ("autopilot.json", "standard-extra-pods.json"):
        (tmp_path / name).write_bytes((DATA / "gke" / name).read_bytes())
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/ip-masq-agent.yaml").write_text(CONFIGMAP, encoding="utf-8")
    (tmp_path / "k8s/egress.yaml").write_text(policy("default", dests=GKE_DEFAULTS), encoding="utf-8")
    (tmp_path / ".masqlint.yaml").write_text("cluster: autopilot.json\n", encoding="utf-8")
    found, doc = _check(tmp_path / "k8s", capsys, 1)
    assert [r for _, r, _, _ in found] == ["MQ413"]
    assert "cluster web-autopilot is an Autopilot cluster" in doc["findings"][0]["message"]
    (tmp_path / ".masqlint.yaml").write_text("cluster: standard-extra-pods.json\n", encoding="utf-8")
    from masqlint.config.loader import find_settings_for_dir

    find_settings_for_dir.cache_clear()
    found, doc = _check(tmp_path / "k8s", capsys, 1)
    assert ("egress.yaml", "MQ414", 2, 7) in found and not any(r == "MQ413" for _, r, _, _ in found)
    assert ("ip-masq-agent.yaml", "MQ415", 8, 5) in found  # the batch pool's range 100.128.0.0/16


# --- render and diff ---------------------------------------------------------------------------------------------


def test_render_explains_the_union_of_a_files_policies(tmp_path, capsys):
    p = tmp_path / "egress.yaml"
    p.write_text(policy("partner", dests=("100.128.0.0/16",)) + "---\n" + policy("bad", action="PredictableSNAT"),
                 encoding="utf-8")
    assert main(["render", str(p)]) == 1  # one policy is not in force
    out = capsys.readouterr().out
    assert any(ln.split() == ["100.128.0.0/16", "NoSNAT", "destination", "of", "EgressNATPolicy", "partner", "(line", "8)"]
               for ln in out.splitlines())
    assert "GKE's own `default` policy" in out and "not in force: EgressNATPolicy bad" in out
    assert main(["render", "--format", "json", str(p)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert "100.128.0.0/16" in doc["non_masquerade"] and "10.0.0.0/8" in doc["non_masquerade"]
    assert doc["gke_default_policy_in_force"] is True


def test_diff_between_two_policy_files(tmp_path, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(policy("default", dests=GKE_DEFAULTS), encoding="utf-8")
    new.write_text(policy("default", dests=GKE_DEFAULTS[1:] + ("10.1.0.0/16",)), encoding="utf-8")
    assert main(["diff", "--no-config", "--format", "json", str(old), str(new)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["no_longer_masqueraded"] == []
    assert doc["now_masqueraded"] == ["10.0.0.0/16", "10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12",
                                      "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9"]


def test_suppressions_work_in_policy_files_and_for_the_union(tmp_path, capsys):
    text = policy("partner", dests=()) + ("  # masqlint: disable-next-line=MQ405 -- the partner routes our pod range back\n"
                                          "  - cidr: 45.10.0.0/16\n")
    assert not at(lint(text), "MQ405")
    assert at(lint(text.replace("disable-next-line=MQ405", "disable-next-line=MQ306")), "MQ005")  # unused: reported
    settings = "target: gke-autopilot\nmust-not-masquerade: [{cidr: 100.128.0.0/16}]\n"
    repo = _repo(tmp_path, settings, {"e/default.yaml": policy("default", dests=GKE_DEFAULTS).replace(
        "  destinations:\n", "  # masqlint: disable-next-line=MQ403 -- the partner link is not live yet\n  destinations:\n")})
    found, _ = _check(repo / "e", capsys, 0)
    assert found == []


def test_the_schema_describes_what_the_rules_accept():
    import jsonschema
    import yaml

    from masqlint.checks.egressnat import known_fields
    from paths import REPO

    schema = json.loads((REPO / "schemas/egressnatpolicy.schema.json").read_text())
    v = jsonschema.Draft202012Validator(schema)
    good = yaml.safe_load(policy("default", dests=GKE_DEFAULTS))
    assert not list(v.iter_errors(good)) and lint(policy("default", dests=GKE_DEFAULTS)) == []
    for bad in (policy(action="PredictableSNAT"), policy().replace("  action:", "  podSelector: {}\n  action:"),
                policy(dests=()) + "  - 10.0.0.0/8\n"):
        assert list(v.iter_errors(yaml.safe_load(bad))) and lint(bad)
    assert known_fields() == {"object": ("apiVersion", "kind", "metadata", "spec", "status"),
                              "spec": ("action", "destinations"), "destination": ("cidr",)}


def test_the_union_holds_when_files_are_linted_by_worker_processes(tmp_path, capsys):
    files = {f"egress/p{i:02d}.yaml": policy(f"p{i:02d}", dests=(f"10.{i}.0.0/16",)) for i in range(70)}
    files["egress/partner.yaml"] = policy("partner", dests=("100.128.0.0/16",))
    repo = _repo(tmp_path, "target: gke-autopilot\nmust-not-masquerade: [{cidr: 100.128.0.0/16}]\n", files)
    assert main(["check", "-j", "2", "--format", "json", str(repo / "egress")]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    (repo / "egress/partner.yaml").unlink()
    assert main(["check", "-j", "2", "--format", "concise", str(repo / "egress")]) == 1
    out = capsys.readouterr().out
    assert out.count("MQ403") == 1 and "p00.yaml:7:3: MQ403" in out
