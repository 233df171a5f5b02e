"""Configs where they live: every consumer's ConfigMap, the target each assumes, Helm / aks-engine /
Ansible templates, Cilium values, files of no form, and walks — each at exact lines and columns."""

from __future__ import annotations

import json
import os

import pytest

from masqlint.api import lint_text
from masqlint.cli.main import main

GKE_DEFAULTS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
                "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4"]


def found(findings):
    return [(f.rule, f.span.line, f.span.column) for f in findings]


def rules(findings):
    return sorted({f.rule for f in findings})


# --- every consumer's ConfigMap -----------------------------------------------------------------

AKS_CUSTOM = """\
# ip-masq-agent-v2 merges this with the managed -reconciled ConfigMap.
apiVersion: v1
kind: ConfigMap
metadata:
  name: azure-ip-masq-agent-config
  namespace: kube-system
  labels:
    component: ip-masq-agent
    kubernetes.io/cluster-service: "true"
data:
  ip-masq-agent: |-
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 10.244.0.0/16
    masqLinkLocal: false
"""


def test_aks_configmap_is_read_under_its_ip_masq_key_as_an_azure_config():
    fs = lint_text(AKS_CUSTOM, "aks/azure-ip-masq-agent-config.yaml")
    assert found(fs) == [("MQ306", 16, 9)]  # 10.244.0.0/16 inside 10.0.0.0/8; no MQ102 for the key
    assert fs[0].target == "azure"
    assert fs[0].span.end_column == 22


def test_the_reconciled_copy_and_a_second_key_are_configs_too():
    text = AKS_CUSTOM.replace("azure-ip-masq-agent-config\n", "azure-ip-masq-agent-config-reconciled\n").replace(
        "  ip-masq-agent: |-", "  ip-masq-agent-reconciled: |-").replace("      - 10.244.0.0/16\n", "") + (
        "  ip-masq-agent-extra: |-\n"
        "    nonMasqueradeCIDRs:\n"
        "      - 10.240.0.0/12\n"
        "      - 10.240.0.0/12\n")
    fs = lint_text(text, "dump/reconciled.yaml")
    # each file the agent reads is checked: the second drops the RFC 1918 defaults and repeats an entry
    assert found(fs) == [("MQ401", 18, 5), ("MQ305", 20, 9)]
    assert {f.target for f in fs} == {"azure"}


def test_a_daemonset_without_items_makes_every_key_a_file():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  ip-masq-agent: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 10.0.0.0/8
    masqLinkLocal: false
    resyncInterval: 60s
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ip-masq-agent
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: ip-masq-agent
          image: registry.k8s.io/networking/ip-masq-agent:v2.11.0
      volumes:
        - name: config
          configMap:
            name: ip-masq-agent
            optional: true
"""
    fs = lint_text(text, "upstream/ip-masq-agent.yaml")
    # no MQ102: /etc/config/ip-masq-agent is this key; upstream defaults are RFC 1918 (dropped 172.16/12 …)
    assert ("MQ102", 7, 3) not in found(fs)
    assert ("MQ305", 10, 9) in found(fs)
    assert {f.target for f in fs} == {"upstream"}


def test_a_daemonset_with_items_decides_which_key_is_read():
    base = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  ip-masq-agent: |
    nonMasqueradeCIDRs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
"""
    ds = """\
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ip-masq-agent, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: a, image: registry.k8s.io/networking/ip-masq-agent:v2.11.0}]
      volumes:
        - name: config
          configMap:
            name: ip-masq-agent
            items:
              - key: config
                path: ip-masq-agent
"""
    fs = lint_text(base + ds, "cm.yaml")
    (mq102,) = [f for f in fs if f.rule == "MQ102"]
    assert (mq102.span.line, mq102.span.column) == (7, 3)
    assert "`config`" in mq102.message
    # the same ConfigMap in a directory whose DaemonSet maps the key it holds: read
    fixed = ds.replace("key: config", "key: ip-masq-agent")
    assert "MQ102" not in rules(lint_text(base + fixed, "cm.yaml"))


def test_a_daemonset_in_the_same_directory_decides_too(tmp_path):
    (tmp_path / "configmap.yaml").write_text(AKS_CUSTOM.replace("azure-ip-masq-agent-config", "ip-masq-agent")
                                             .replace("    component: ip-masq-agent\n", ""), encoding="utf-8")
    (tmp_path / "daemonset.yaml").write_text("""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ip-masq-agent, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: a, image: registry.k8s.io/networking/ip-masq-agent:v2.11.0}]
      volumes: [{name: c, configMap: {name: ip-masq-agent}}]
""", encoding="utf-8")
    from masqlint.api import lint_paths

    rr = lint_paths([str(tmp_path / "configmap.yaml")], config={})
    assert [(f.rule, f.line) for f in rr.findings if f.rule in ("MQ102", "MQ306")] == [("MQ306", 15)]


def test_tke_configmap_name_is_recognised():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent-config
  namespace: kube-system
data:
  config: '{"NonMasqueradeCIDRs":["172.16.0.0/16","10.0.0.0/8"],"MasqLinkLocal":true,"ResyncInterval":"1m0s"}'
"""
    fs = lint_text(text, "tke/ip-masq-agent-config.yaml")
    assert ("MQ406", 7, 3) in found(fs) and ("MQ401", 7, 3) in found(fs)
    assert "MQ103" not in rules(fs)  # named like an agent file, but a manifest: not the agent file itself


def test_two_azure_configmaps_are_not_duplicates_but_two_of_one_name_are():
    both = AKS_CUSTOM + "---\n" + AKS_CUSTOM.replace("azure-ip-masq-agent-config\n", "azure-ip-masq-agent-config-reconciled\n")
    assert "MQ408" not in rules(lint_text(both, "aks.yaml"))
    twice = AKS_CUSTOM + "---\n" + AKS_CUSTOM
    assert "MQ408" in rules(lint_text(twice, "aks.yaml"))


# --- target inference ---------------------------------------------------------------------------

PLAIN = """\
apiVersion: v1
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
    resyncInterval: 60s
"""
DS = """\
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ip-masq-agent, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: ip-masq-agent, image: IMAGE}]
      volumes: [{name: c, configMap: {name: ip-masq-agent, items: [{key: config, path: ip-masq-agent}]}}]
"""


@pytest.mark.parametrize("image,target,dropped", [
    (None, "gke", True),  # GKE's 11 defaults: the RFC 1918 list drops the 8 reserved ranges
    ("registry.k8s.io/networking/ip-masq-agent:v2.11.0", "upstream", False),  # exactly its defaults
    ("mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.9", "azure", False),
])
def test_the_daemonset_image_in_the_file_names_the_target(image, target, dropped):
    text = PLAIN if image is None else PLAIN + DS.replace("IMAGE", image)
    fs = lint_text(text, "cm.yaml")
    assert {f.target for f in fs if f.rule != "MQ007"} <= {target}
    assert ("MQ401" in rules(fs)) is dropped
    if target == "azure":
        assert ("MQ407", 12, 5) in found(fs)  # resyncInterval is no key of ip-masq-agent-v2


def test_settings_name_the_target_over_what_the_file_says():
    text = PLAIN + DS.replace("IMAGE", "registry.k8s.io/networking/ip-masq-agent:v2.11.0")
    fs = lint_text(text, "cm.yaml", config={"target": "gke"})
    assert {f.target for f in fs} == {"gke"} and "MQ401" in rules(fs)


def test_each_finding_says_its_target_in_text_and_json(tmp_path, capsys):
    p = tmp_path / "aks.yaml"
    p.write_text(AKS_CUSTOM, encoding="utf-8")
    assert main(["check", "--no-config", "--format", "json", str(p)]) == 1
    (f,) = json.loads(capsys.readouterr().out)["findings"]
    assert f["rule"] == "MQ306" and f["target"] == "azure" and f["line"] == 16 and f["column"] == 9
    main(["check", "--no-config", str(p)])
    out = capsys.readouterr().out
    assert f"{p}:16:9: MQ306 [warning] (target azure) 10.244.0.0/16 lies inside 10.0.0.0/8" in out


# --- templates ----------------------------------------------------------------------------------

HELM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "ip-masq-agent.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "ip-masq-agent.labels" . | nindent 4 }}
data:
  config: |
    {{- with .Values.config.nonMasqueradeCIDRs }}
    nonMasqueradeCIDRs:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    masqLinkLocal: {{ .Values.config.masqLinkLocal }}
    resyncinterval: {{ .Values.config.resyncInterval | quote }}
"""


def test_helm_template_literal_key_is_checked_at_its_line_values_are_not():
    fs = lint_text(HELM, "charts/ip-masq-agent/templates/configmap.yaml")
    assert found(fs) == [("MQ201", 15, 5)]
    assert (fs[0].span.end_line, fs[0].span.end_column) == (15, 19)
    # no MQ101 for the templated namespace, no MQ309/MQ104 for the templated list, no MQ001 anywhere


def test_helm_items_from_a_range_are_unknown_literal_ones_are_checked():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - {{ .Values.cluster.podCIDR }}
      - 172.16.0.0/12
      - 10.1.1.0/24
      - 10.1.1.0/24
      - 10.1.1.5/24
    {{- range .Values.extraNonMasqueradeCIDRs }}
      - {{ . | quote }}
    {{- end }}
    masqLinkLocal: {{ .Values.masqLinkLocal | default false }}
    resyncInterval: 60s
"""
    fs = lint_text(text, "charts/egress/templates/ip-masq-agent.yaml")
    assert found(fs) == [("MQ305", 12, 9), ("MQ302", 13, 9)]  # nothing about the list as a whole (no MQ401)
    # the unsafe host-bits fix edits the literal only
    (fix,) = [f.fix for f in fs if f.rule == "MQ302"]
    (edit,) = fix.edits
    assert text[edit.start:edit.end] == "10.1.1.5/24" and edit.text == "10.1.1.0/24"


def test_helm_whole_config_from_toyaml_says_nothing():
    text = """\
{{- if .Values.ipMasq.enabled }}
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
    fs = lint_text(text, "charts/net/templates/ip-masq-agent-configmap.yaml")
    assert fs == []


def test_aks_engine_if_else_branches_are_unknown_not_duplicates():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: azure-ip-masq-agent-config
  namespace: kube-system
  labels:
    addonmanager.kubernetes.io/mode: {{GetMode}}
data:
  ip-masq-agent: |-
    nonMasqueradeCIDRs:
      - {{ContainerConfig "non-masquerade-cidr"}}
{{- if ContainerConfig "non-masq-cni-cidr"}}
      - {{ContainerConfig "non-masq-cni-cidr"}}
    masqLinkLocal: true
{{else -}}
    masqLinkLocal: false
{{end -}}
"""
    assert lint_text(text, "parts/k8s/addons/ip-masq-agent.yaml") == []


ANSIBLE = """\
# {{ ansible_managed }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
{% if ip_masq_agent_non_masquerade_cidrs | length > 0 %}
    nonMasqueradeCIDRs:
{% for cidr in ip_masq_agent_non_masquerade_cidrs %}
      - {{ cidr }}
{% endfor %}
{% endif %}
    masqLinkLocal: {{ ip_masq_agent_masq_link_local | bool | lower }}
    resyncInterval: 60
"""


def test_ansible_jinja_literal_value_is_checked_at_its_line():
    fs = lint_text(ANSIBLE, "roles/ip-masq-agent/templates/ip-masq-agent.yaml.j2")
    assert found(fs) == [("MQ204", 16, 21)]


def test_suppressions_inside_templates():
    text = ANSIBLE.replace("    resyncInterval: 60\n", "    resyncInterval: 60  # masqlint: disable=MQ204\n")
    assert lint_text(text, "roles/r/templates/cm.yaml.j2") == []
    # a suppression on a templated line that hides nothing is still reported as unused
    text = ANSIBLE.replace("      - {{ cidr }}\n", "      - {{ cidr }}  # masqlint: disable=MQ301\n")
    assert ("MQ005", 12, 21) in found(lint_text(text, "roles/r/templates/cm.yaml.j2"))
    # and one inside a Helm template's literal part works the same
    text = HELM.replace("resyncinterval: {{", "resyncinterval: {{") + "    # masqlint: disable-file=MQ201\n"
    assert lint_text(text, "charts/c/templates/configmap.yaml") == []


def test_template_markup_is_never_broken_yaml():
    text = """\
{{- /* a chart that renders no agent config at all */ -}}
{{- range $name, $np := .Values.policies }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $name }}
  annotations: {{ toYaml $np.annotations | nindent 4 }}
spec:
  {{- toYaml $np.spec | nindent 2 }}
{{- end }}
# ip-masq-agent lives in another chart
"""
    assert lint_text(text, "charts/net/templates/policies.yaml") == []


# --- Cilium Helm values -------------------------------------------------------------------------

CILIUM = """\
# Cilium 1.16 values
kubeProxyReplacement: true
routingMode: native
ipMasqAgent:
  enabled: true
  config:
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 100.64.0.0/10
      - 10.96.0.0/12
    masqLinkLocal: false
    cidrLimit: 32
"""


def test_cilium_values_are_a_cilium_config_at_their_own_lines():
    fs = lint_text(CILIUM, "cilium/values-prod.yaml")
    assert found(fs) == [("MQ401", 7, 5), ("MQ306", 12, 9), ("MQ407", 14, 5)]
    assert {f.target for f in fs} == {"cilium"}


def test_a_disabled_cilium_config_is_an_info_finding_and_still_checked():
    text = CILIUM.replace("  enabled: true\n", "")
    fs = lint_text(text, "values.yaml")
    assert found(fs)[0] == ("MQ106", 5, 3)
    assert fs[0].severity.label == "info" and "not set" in fs[0].message
    assert ("MQ306", 11, 9) in found(fs)
    fs = lint_text(CILIUM.replace("enabled: true", "enabled: false"), "values.yaml")
    assert ("MQ106", 6, 3) in found(fs) and "is false" in fs[0].message


def test_cilium_under_an_umbrella_chart_and_in_an_rke2_helmchartconfig():
    umbrella = "global:\n  clusterName: edge\ncilium:\n" + "".join("  " + ln + "\n" for ln in CILIUM.splitlines())
    fs = lint_text(umbrella, "platform/values.yaml")
    assert found(fs) == [("MQ401", 10, 7), ("MQ306", 15, 11), ("MQ407", 17, 7)]
    rke2 = """\
apiVersion: helm.cattle.io/v1
kind: HelmChartConfig
metadata:
  name: rke2-cilium
  namespace: kube-system
spec:
  valuesContent: |-
    kubeProxyReplacement: true
    ipMasqAgent:
      enabled: true
      config:
        nonMasqueradeCIDRs:
          - 10.42.0.0/16
          - 10.0.0.0/8
        masqLinkLocal: false
"""
    fs = lint_text(rke2, "rke2-cilium-config.yaml")
    assert found(fs) == [("MQ401", 12, 9), ("MQ306", 13, 13)]


def test_other_charts_values_are_not_agent_configs(tmp_path):
    chart = tmp_path / "charts" / "egress"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: egress\nversion: 0.1.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text("cluster:\n  podCIDR: 100.64.0.0/14\nextraNonMasqueradeCIDRs: []\n"
                                       "masqLinkLocal: false\n", encoding="utf-8")
    from masqlint.api import lint_paths

    assert lint_paths([str(tmp_path)], config={}).findings == []


# --- files of no form; walks --------------------------------------------------------------------

SCRIPT = """\
#!/usr/bin/env bash
set -euo pipefail
{
  echo "nonMasqueradeCIDRs:"
  for cidr in 10.0.0.0/8 "$@"; do echo "  - ${cidr}"; done
  echo "masqLinkLocal: false"
} >/tmp/ip-masq-agent
"""


def test_a_named_script_gets_one_info_line_and_a_walk_skips_it(tmp_path, capsys):
    s = tmp_path / "configure-ip-masq.sh"
    s.write_text(SCRIPT, encoding="utf-8")
    py = tmp_path / "render_ip_masq.py"
    py.write_text('"""Render the ip-masq-agent config."""\nCIDRS = ["10.0.0.0/8"]\nprint("masqLinkLocal: false")\n',
                  encoding="utf-8")
    assert main(["check", "--no-config", "--format", "json", str(s), str(py)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["line"], f["column"], f["severity"]) for f in doc["findings"]] == [
        ("MQ007", 1, 1, "info"), ("MQ007", 1, 1, "info")]
    assert "not a form masqlint reads" in doc["findings"][0]["message"]
    assert main(["check", "--no-config", "--format", "json", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["check", "--no-config", "--format", "json", "--skip-unread", str(s)]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_named_file_that_never_mentions_the_agent_still_says_it_was_not_read(tmp_path, capsys):
    (tmp_path / "network.tf").write_text('resource "google_compute_network" "vpc" {\n  name = "vpc"\n}\n')
    (tmp_path / "deploy.py").write_text('print("hello")\n')
    (tmp_path / "service.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    (tmp_path / "blob.tf").write_bytes(bytes(range(256)) * 4)  # binary: nothing to read, no agent to reject it
    names = ["network.tf", "deploy.py", "service.yaml", "blob.tf"]
    assert main(["check", "--no-config", "--format", "json", *(str(tmp_path / n) for n in names)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert sorted((os.path.basename(f["path"]), f["rule"]) for f in doc["findings"]) == [
        ("deploy.py", "MQ007"), ("network.tf", "MQ007")]
    assert main(["check", "--no-config", "--format", "json", str(tmp_path)]) == 0  # a walk passes over them
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_walks_read_config_under_a_masq_directory_and_masq_names(tmp_path, capsys):
    agent = tmp_path / "upstream-ip-masq-agent" / "agent-config"
    agent.mkdir(parents=True)
    (agent / "config").write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\nresyncInterval: 60s\nmasqLinkLocal: false\n",
                                  encoding="utf-8")
    (tmp_path / "configmap-ip-masc-agent").write_text(PLAIN.replace("resyncInterval: 60s", "resyncInterval: 1d"),
                                                      encoding="utf-8")
    other = tmp_path / "app" / "config"
    other.parent.mkdir()
    other.write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n", encoding="utf-8")  # not under a masq directory
    main(["check", "--no-config", "--format", "json", str(tmp_path)])
    got = sorted((f["path"].replace(str(tmp_path), ""), f["rule"], f["line"])
                 for f in json.loads(capsys.readouterr().out)["findings"])
    assert ("/upstream-ip-masq-agent/agent-config/config", "MQ401", 1) in got
    assert ("/configmap-ip-masc-agent", "MQ205", 12) in got
    assert not [g for g in got if g[0] == "/app/config"]


def test_a_form_turned_off_in_settings(tmp_path, capsys):
    j2 = tmp_path / "roles" / "r" / "templates" / "ip-masq-agent.yaml.j2"
    j2.parent.mkdir(parents=True)
    j2.write_text(ANSIBLE, encoding="utf-8")
    cil = tmp_path / "values.yaml"
    cil.write_text(CILIUM, encoding="utf-8")
    (tmp_path / ".masqlint.yaml").write_text("forms:\n  jinja: false\n  cilium: false\n", encoding="utf-8")
    main(["check", "--format", "json", str(tmp_path)])
    assert json.loads(capsys.readouterr().out)["findings"] == []  # skipped, and never misread as YAML
    main(["check", "--format", "json", str(j2)])
    (f,) = json.loads(capsys.readouterr().out)["findings"]
    assert f["rule"] == "MQ007" and "cilium, jinja" in f["message"]
    main(["check", "--show-config", str(j2)])
    forms = json.loads(capsys.readouterr().out)["forms"]
    assert forms["jinja"] is False and forms["cilium"] is False and forms["helm"] is True and forms["manifest"] is True


def test_helm_template_through_standard_input(capsys, monkeypatch):
    """`helm template … | masqlint check - --stdin-filename …`: a rendered chart is a manifest."""
    import io

    rendered = "---\n# Source: gke-egress/templates/ip-masq-agent.yaml\n" + PLAIN.replace("10.0.0.0/8", "10.0.0.5/8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(rendered.encode())))
    assert main(["check", "--no-config", "--format", "json", "-", "--stdin-filename", "rendered.yaml"]) == 1
    fs = json.loads(capsys.readouterr().out)["findings"]
    assert ("MQ302", 11) in [(f["rule"], f["line"]) for f in fs]


def test_the_daemonset_s_arguments_are_the_agent_s_flags():
    text = PLAIN.replace("      - 192.168.0.0/16\n", "      - 192.168.0.0/16\n      - fd00::/8\n") + DS.replace(
        "image: IMAGE}", "image: registry.k8s.io/networking/ip-masq-agent:v2.11.0, args: [--enable-ipv6=true, --v=2]}")
    assert "MQ303" not in rules(lint_text(text, "cm.yaml"))
    without = text.replace("--enable-ipv6=true, ", "")
    assert ("MQ303", 12, 9) in found(lint_text(without, "cm.yaml"))
    # settings still decide when they name the target
    assert "MQ303" in rules(lint_text(text, "cm.yaml", config={"target": "upstream"}))


def test_templated_names_are_not_duplicates_across_charts(tmp_path):
    for chart in ("a", "b"):
        d = tmp_path / "charts" / chart / "templates"
        d.mkdir(parents=True)
        (d / "configmap.yaml").write_text(HELM, encoding="utf-8")
    from masqlint.api import lint_paths

    got = [(f.rule, f.line) for f in lint_paths([str(tmp_path)], config={}).findings]
    assert got == [("MQ201", 15), ("MQ201", 15)]  # no MQ408, no MQ101 for the release namespace


def test_a_chart_template_without_namespace_takes_the_release_s():
    text = HELM.replace("  namespace: {{ .Release.Namespace }}\n", "")
    assert found(lint_text(text, "charts/c/templates/configmap.yaml")) == [("MQ201", 14, 5)]
    plain = PLAIN.replace("  namespace: kube-system\n", "")
    assert ("MQ101", 4, 3) in found(lint_text(plain, "cm.yaml"))  # a manifest without one is still reported


def test_jinja_indent_filter_places_the_output(tmp_path):
    text = ANSIBLE.split("\ndata:")[0] + (
        "\ndata:\n"
        "  config: |\n"
        "    nonMasqueradeCIDRs:\n"
        "      {{ ip_masq_cidrs | to_nice_yaml | indent(6) }}\n"
        "    masqLinkLocal: false\n"
        "    resyncInterval: 60\n"
    )
    assert found(lint_text(text, "roles/r/templates/cm.yaml.j2")) == [("MQ204", 12, 21)]


def test_two_chart_templates_of_one_configmap_are_left_to_the_rendered_chart(tmp_path):
    d = tmp_path / "charts" / "c" / "templates"
    d.mkdir(parents=True)
    for name, cond in (("gke.yaml", "gke"), ("dpv2.yaml", "dataplaneV2")):
        (d / name).write_text("{{- if .Values.%s }}\n" % cond + PLAIN + "{{- end }}\n", encoding="utf-8")
    from masqlint.api import lint_paths

    got = {(f.rule, f.line) for f in lint_paths([str(tmp_path)], config={}).findings}
    assert got == {("MQ401", 9)}  # each file's own finding; which one renders is the chart's condition, not MQ408
