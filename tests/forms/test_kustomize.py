"""kustomize: generators, namespaces, bases and the hash suffix, each at its exact line and column."""

from __future__ import annotations

import textwrap

import pytest

from masqlint.api import lint_paths

GKE_DEFAULTS = """\
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

HOST_BITS = GKE_DEFAULTS.replace("  - 240.0.0.0/4\n", "  - 240.0.0.0/4\n  - 10.1.1.5/24\n")  # line 13, column 5

DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ip-masq-agent
spec:
  selector:
    matchLabels: {k8s-app: ip-masq-agent}
  template:
    metadata:
      labels: {k8s-app: ip-masq-agent}
    spec:
      hostNetwork: true
      containers:
        - name: ip-masq-agent
          image: registry.k8s.io/networking/ip-masq-agent:v2.9.3
          volumeMounts:
            - name: config
              mountPath: /etc/config
      volumes:
        - name: config
          configMap:
            name: ip-masq-agent
            optional: true
            items:
              - key: {key}
                path: ip-masq-agent
"""


def tree(root, files: dict[str, str]):
    (root / ".git").mkdir(exist_ok=True)  # the repository root: references may not leave it
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")


def findings(root, monkeypatch, *paths):
    monkeypatch.chdir(root)
    result = lint_paths(list(paths) or ["."])
    return sorted((f.path.removeprefix("./"), f.line, f.column, f.rule) for f in result.findings), result


def test_generator_file_is_checked_at_its_own_lines_under_its_own_name(tmp_path, monkeypatch):
    tree(tmp_path, {
        "base/kustomization.yaml": "namespace: kube-system\n"
                                   "configMapGenerator:\n"
                                   "  - name: ip-masq-agent\n"
                                   "    options:\n"
                                   "      disableNameSuffixHash: true\n"
                                   "    files:\n"
                                   "      - config=ip-masq-agent.yaml\n",
        "base/ip-masq-agent.yaml": HOST_BITS,
    })
    got, result = findings(tmp_path, monkeypatch, "base/kustomization.yaml")
    assert got == [("base/ip-masq-agent.yaml", 13, 5, "MQ302")]
    assert [f.path for f in result.files] == ["base/kustomization.yaml", "base/ip-masq-agent.yaml"]
    # the walk reaches the same file as a standalone config: still reported once
    got_walk, result = findings(tmp_path, monkeypatch)
    assert got_walk == [("base/ip-masq-agent.yaml", 13, 5, "MQ302")]
    assert result.configs_found == 1


def test_a_referenced_file_that_does_not_look_like_a_config_on_its_own_is_still_checked(tmp_path, monkeypatch):
    # the walk alone would not know ip-masq.conf is an agent config; the generator says so
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "generatorOptions:\n"
                              "  disableNameSuffixHash: true\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    files:\n"
                              "      - config=ip-masq.yaml\n",
        "ip-masq.yaml": "nonMasqueradeCIDRS:\n  - 10.0.0.0/8\n",
    })
    got, _ = findings(tmp_path, monkeypatch)
    assert ("ip-masq.yaml", 1, 1, "MQ201") in got
    assert all(p == "ip-masq.yaml" for p, *_ in got), got


def test_bare_path_makes_the_file_name_the_data_key(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options:\n"
                              "      disableNameSuffixHash: true\n"
                              "    files:\n"
                              "      - ip-masq-agent.yaml\n",
        "ip-masq-agent.yaml": HOST_BITS,
    })
    got, result = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == [("ip-masq-agent.yaml", 13, 5, "MQ302"), ("kustomization.yaml", 7, 9, "MQ102")]
    msg = next(f.message for f in result.findings if f.rule == "MQ102")
    assert "`ip-masq-agent.yaml`" in msg and "config=ip-masq-agent.yaml" in msg


def test_bare_path_is_right_when_a_daemonset_of_the_build_maps_that_key_to_the_agent_file(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "resources:\n"
                              "  - daemonset.yaml\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    files:\n"
                              "      - ip-masq-agent.yaml\n",
        "ip-masq-agent.yaml": GKE_DEFAULTS,
        "daemonset.yaml": DAEMONSET.replace("{key}", "ip-masq-agent.yaml"),
    })
    got, _ = findings(tmp_path, monkeypatch)
    assert got == []  # no MQ102 (the key is mounted as the agent's file), no MQ105 (the build renames the mount)


def test_literal_config_is_checked_inside_the_kustomization(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: true}\n"
                              "    literals:\n"
                              "      - 'config={\"nonMasqueradeCIDRs\": [\"10.1.1.5/24\"], \"resyncInterval\": \"60s\"}'\n",
    })
    got, _ = findings(tmp_path, monkeypatch)
    line = "      - 'config={\"nonMasqueradeCIDRs\": [\"10.1.1.5/24\"], \"resyncInterval\": \"60s\"}'"
    assert ("kustomization.yaml", 6, line.index("\"10.1.1.5/24\"") + 1, "MQ302") in got


def test_plain_literal_config_is_checked_at_its_characters(tmp_path, monkeypatch):
    line = '      - config={"nonMasqueradeCIDRs":["10.1.1.5/24"],"resyncInterval":"60s"}'  # plain: no ": " in it
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: true}\n"
                              "    literals:\n" + line + "\n",
    })
    got, _ = findings(tmp_path, monkeypatch)
    assert ("kustomization.yaml", 6, line.index('"10.1.1.5/24"') + 1, "MQ302") in got


def test_agent_keys_as_literals_are_keys_of_the_configmap(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: true}\n"
                              "    literals:\n"
                              "      - masqLinkLocal=false\n"
                              "      - resyncInterval=60s\n",
    })
    got, result = findings(tmp_path, monkeypatch)
    assert got == [("kustomization.yaml", 6, 9, "MQ102")]
    assert "`masqLinkLocal` becomes a key of its own" in result.findings[0].message


def test_kustomization_namespace_applies_to_listed_manifests(tmp_path, monkeypatch):
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\ndata:\n  config: |\n"
          + "".join(f"    {ln}\n" for ln in GKE_DEFAULTS.splitlines()))
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\nresources:\n  - configmap.yaml\n",
        "configmap.yaml": cm,
    })
    got, _ = findings(tmp_path, monkeypatch)
    assert got == []  # no MQ101 for the manifest without a namespace
    # without the kustomization, the same manifest has no namespace
    (tmp_path / "kustomization.yaml").unlink()
    got, _ = findings(tmp_path, monkeypatch)
    assert got == [("configmap.yaml", 4, 3, "MQ101")]


def test_kustomization_namespace_default_is_reported_at_its_line(tmp_path, monkeypatch):
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n"
          "  config: |\n" + "".join(f"    {ln}\n" for ln in GKE_DEFAULTS.splitlines()))
    tree(tmp_path, {
        "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                              "kind: Kustomization\n"
                              "namespace: default\n"
                              "resources:\n"
                              "  - configmap.yaml\n",
        "configmap.yaml": cm,
    })
    got, result = findings(tmp_path, monkeypatch)
    assert got == [("kustomization.yaml", 3, 12, "MQ101")]
    assert "`default`" in result.findings[0].message


def test_generated_configmap_in_another_namespace(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: networking\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: true}\n"
                              "    files: [config=c.yaml]\n",
        "c.yaml": GKE_DEFAULTS,
    })
    got, _ = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == [("kustomization.yaml", 1, 12, "MQ101")]


@pytest.mark.parametrize("options, fires", [
    ("", True),
    ("    options:\n      disableNameSuffixHash: true\n", False),
    ("    options:\n      disableNameSuffixHash: false\n", True),
])
def test_hash_suffix(tmp_path, monkeypatch, options, fires):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              + options +
                              "    files:\n"
                              "      - config=c.yaml\n",
        "c.yaml": GKE_DEFAULTS,
    })
    got, _ = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == ([("kustomization.yaml", 3, 11, "MQ105")] if fires else [])


def test_global_generator_options_win_over_a_generator_false(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "generatorOptions:\n"
                              "  disableNameSuffixHash: true\n"
                              "configMapGenerator:\n"
                              "  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: false}\n"
                              "    files: [config=c.yaml]\n",
        "c.yaml": GKE_DEFAULTS,
    })
    got, _ = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == []


def test_a_daemonset_in_the_build_mounting_the_configmap_takes_the_suffix_along(tmp_path, monkeypatch):
    tree(tmp_path, {
        "base/kustomization.yaml": "namespace: kube-system\nresources:\n  - daemonset.yaml\n",
        "base/daemonset.yaml": DAEMONSET.replace("{key}", "config"),
        "overlay/kustomization.yaml": "resources:\n"
                                      "  - ../base\n"
                                      "configMapGenerator:\n"
                                      "  - name: ip-masq-agent\n"
                                      "    files: [config=c.yaml]\n",
        "overlay/c.yaml": GKE_DEFAULTS,
    })
    got, _ = findings(tmp_path, monkeypatch, "overlay/kustomization.yaml")
    assert got == []


def test_overlay_merge_keeps_the_base_suffix_and_checks_its_own_file(tmp_path, monkeypatch):
    tree(tmp_path, {
        "base/kustomization.yaml": "namespace: kube-system\n"
                                   "configMapGenerator:\n"
                                   "  - name: ip-masq-agent\n"
                                   "    options: {disableNameSuffixHash: true}\n"
                                   "    files: [config=c.yaml]\n",
        "base/c.yaml": GKE_DEFAULTS,
        "overlays/prod/kustomization.yaml": "resources:\n"
                                            "  - ../../base\n"
                                            "configMapGenerator:\n"
                                            "  - name: ip-masq-agent\n"
                                            "    behavior: merge\n"
                                            "    files:\n"
                                            "      - config=prod.yaml\n",
        "overlays/prod/prod.yaml": HOST_BITS,
    })
    got, _ = findings(tmp_path, monkeypatch, "overlays/prod/kustomization.yaml")
    # no MQ105: the base disabled the suffix and merge keeps it so; no MQ102: `config` is there
    assert got == [("overlays/prod/prod.yaml", 13, 5, "MQ302")]


def test_overlay_merge_over_a_hashed_base_inherits_the_suffix(tmp_path, monkeypatch):
    tree(tmp_path, {
        "base/kustomization.yaml": "namespace: kube-system\n"
                                   "configMapGenerator:\n"
                                   "  - name: ip-masq-agent\n"
                                   "    files: [config=c.yaml]\n",
        "base/c.yaml": GKE_DEFAULTS,
        "overlays/prod/kustomization.yaml": "resources:\n"
                                            "  - ../../base\n"
                                            "configMapGenerator:\n"
                                            "  - name: ip-masq-agent\n"
                                            "    behavior: merge\n"
                                            "    options: {disableNameSuffixHash: true}\n"
                                            "    literals:\n"
                                            "      - 'config=nonMasqueradeCIDRs: [10.0.0.0/8]'\n",
    })
    got, _ = findings(tmp_path, monkeypatch, "overlays/prod/kustomization.yaml")
    assert ("overlays/prod/kustomization.yaml", 4, 11, "MQ105") in got


def test_overlay_replace_over_a_listed_manifest_gets_no_suffix(tmp_path, monkeypatch):
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n"
          "  config: |\n" + "".join(f"    {ln}\n" for ln in GKE_DEFAULTS.splitlines()))
    tree(tmp_path, {
        "base/kustomization.yaml": "resources: [configmap.yaml]\n",
        "base/configmap.yaml": cm,
        "overlay/kustomization.yaml": "resources: [../base]\n"
                                      "configMapGenerator:\n"
                                      "  - name: ip-masq-agent\n"
                                      "    behavior: replace\n"
                                      "    files: [ip-masq-agent.yaml]\n",
        "overlay/ip-masq-agent.yaml": GKE_DEFAULTS,
    })
    got, _ = findings(tmp_path, monkeypatch, "overlay/kustomization.yaml")
    # replace drops the base's `config`: the bare path's key is what the ConfigMap holds now
    assert got == [("overlay/kustomization.yaml", 5, 13, "MQ102")]


@pytest.mark.parametrize("ref, why", [
    ("config=../../etc/passwd", "leaves the repository"),
    ("config=conf", "is a directory"),
    ("config=missing.yaml", "cannot be read"),
    ("config=kustomization.yaml", "names the referring file itself"),
])
def test_references_that_are_not_read(tmp_path, monkeypatch, ref, why):
    tree(tmp_path, {
        "k/kustomization.yaml": "namespace: kube-system\n"
                                "configMapGenerator:\n"
                                "  - name: ip-masq-agent\n"
                                "    options: {disableNameSuffixHash: true}\n"
                                "    files:\n"
                                f"      - {ref}\n",
    })
    (tmp_path / "k" / "conf").mkdir()
    got, result = findings(tmp_path, monkeypatch, "k/kustomization.yaml")
    assert got == [("k/kustomization.yaml", 6, 9, "MQ008")]
    assert why in result.findings[0].message


def test_a_base_outside_the_repository_is_reported_and_never_read(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "kustomization.yaml").write_text("configMapGenerator:\n  - name: ip-masq-agent\n    files: [config=../secret]\n")
    tree(repo, {"kustomization.yaml": "namespace: kube-system\nresources:\n  - ../elsewhere\n"
                                      "configMapGenerator:\n  - name: ip-masq-agent\n    behavior: merge\n"
                                      "    literals: [resyncInterval=60s]\n"})
    got, result = findings(repo, monkeypatch, "kustomization.yaml")
    # the base is unknown: nothing said about its suffix or its keys
    assert got == [("kustomization.yaml", 3, 5, "MQ008")]
    assert "leaves the repository" in result.findings[0].message


def test_kustomization_without_the_agent_stays_silent(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: default\nresources: [deployment.yaml, ../../outside]\n"
                              "configMapGenerator:\n  - name: app\n    files: [app.properties]\n",
        "deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n",
    })
    got, _ = findings(tmp_path, monkeypatch)
    # nothing about the agent: not even the reference that leaves the repository is masqlint's business
    assert got == []


def test_checking_only_the_listed_manifest_still_names_the_kustomization_line(tmp_path, monkeypatch):
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\ndata:\n"
          "  config: |\n" + "".join(f"    {ln}\n" for ln in GKE_DEFAULTS.splitlines()))
    tree(tmp_path, {"kustomization.yaml": "namespace: networking\nresources:\n  - configmap.yaml\n", "configmap.yaml": cm})
    got, result = findings(tmp_path, monkeypatch, "configmap.yaml")
    assert got == [("kustomization.yaml", 1, 12, "MQ101")]
    assert result.files_checked == 2


def test_suppressions_in_a_referenced_file_and_in_the_kustomization(tmp_path, monkeypatch):
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\n"
                              "configMapGenerator:\n"
                              "  # masqlint: disable-next-line=MQ105 -- the DaemonSet is built elsewhere with the same suffix\n"
                              "  - name: ip-masq-agent\n"
                              "    files: [config=c.yaml]\n",
        "c.yaml": HOST_BITS.replace("  - 10.1.1.5/24\n", "  - 10.1.1.5/24  # masqlint: disable=MQ302 -- lab range\n"),
    })
    got, result = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == []
    assert result.suppressed == 2


def test_a_file_two_kustomizations_refer_to_is_reported_once(tmp_path, monkeypatch):
    gen = ("namespace: kube-system\ngeneratorOptions: {disableNameSuffixHash: true}\n"
           "configMapGenerator:\n  - name: ip-masq-agent\n    files: [config=../common/agent.conf]\n")
    tree(tmp_path, {"prod/kustomization.yaml": gen, "staging/kustomization.yaml": gen, "common/agent.conf": HOST_BITS})
    got, result = findings(tmp_path, monkeypatch)
    assert got == [("common/agent.conf", 13, 5, "MQ302")]
    assert [f.path.removeprefix("./") for f in result.files].count("common/agent.conf") == 1


def test_an_extensionless_kustomization_is_found_by_the_walk(tmp_path, monkeypatch):
    tree(tmp_path, {
        "cluster/Kustomization": "namespace: default\nconfigMapGenerator:\n  - name: ip-masq-agent\n"
                                 "    options: {disableNameSuffixHash: true}\n    literals: ['config=masqLinkLocal: false']\n",
    })
    got, _ = findings(tmp_path, monkeypatch)
    assert got == [("cluster/Kustomization", 1, 12, "MQ101")]


def test_an_env_file_config_line_is_checked_in_the_env_file(tmp_path, monkeypatch):
    line = 'config={"nonMasqueradeCIDRs": ["10.0.0.0/8", "10.1.1.5/24"], "resyncInterval": "60s"}'
    tree(tmp_path, {
        "kustomization.yaml": "namespace: kube-system\nconfigMapGenerator:\n  - name: ip-masq-agent\n"
                              "    options: {disableNameSuffixHash: true}\n    envs: [ip-masq-agent.env]\n",
        "ip-masq-agent.env": "# the agent's config, one line\n" + line + "\n",
    })
    got, _ = findings(tmp_path, monkeypatch, "kustomization.yaml")
    assert got == [("ip-masq-agent.env", 2, line.index('"10.1.1.5/24"') + 1, "MQ302")]
