"""Terraform: ip-masq-agent ConfigMaps in HCL, every finding at its own .tf line and column.

Each input is written the way modules write it (kubernetes_config_map with a heredoc, the GKE
module's template loop, yamlencode, kubectl_manifest, kubernetes_manifest, file()/templatefile())."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from masqlint.config.settings import Settings
from masqlint.pipeline.discover import Candidate
from masqlint.pipeline.runner import Options, lint_bytes, process_or_none, run

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"

ALL_GKE_DEFAULTS = """\
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
"""


def lint(text: str, name: str = "main.tf"):
    return lint_bytes(name, text.encode(), Settings(), None)


def spans(result, rule: str | None = None):
    return [(f.rule, f.span.line, f.span.column, f.span.end_line, f.span.end_column)
            for f in result.findings if rule is None or f.rule == rule]


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)  # the repository root
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def check(root: Path, *names: str, **opts) -> dict:
    """Run over the named files; results by path relative to ``root``."""
    cands = [Candidate(str(root / n), str(root / n), True) for n in names]
    rr, _ = run(cands, Options(use_config_files=False, **opts))
    return {Path(f.path).relative_to(root).as_posix(): f for f in rr.files}


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of ``needle`` in ``text``."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


# --- data.config shapes ---------------------------------------------------------------------------

HEREDOC = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = <<EOT
nonMasqueradeCIDRs:
%s  - 10.1.1.5/24
resyncInterval: 60s
EOT
  }
}
""" % ALL_GKE_DEFAULTS


def test_heredoc_positions_are_the_tf_lines():
    res = lint(HEREDOC)
    line, col = at(HEREDOC, "10.1.1.5/24")
    assert (line, col) == (21, 5)
    assert spans(res) == [("MQ302", 21, 5, 21, 16)]


TRIM = """\
resource "kubernetes_manifest" "ip_masq_agent" {
  manifest = {
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata = {
      name      = "ip-masq-agent"
      namespace = "kube-system"
    }
    data = {
      config = <<-EOT
        nonMasqueradeCIDRS:
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
          - 10.1.1.10/24
        resyncInterval: 60s
      EOT
    }
  }
}
"""


def test_indented_heredoc_strips_indentation_and_keeps_columns():
    res = lint(TRIM)
    assert at(TRIM, "nonMasqueradeCIDRS") == (11, 9)
    assert at(TRIM, "10.1.1.10/24") == (23, 13)
    assert sorted(spans(res)) == [("MQ201", 11, 9, 11, 27), ("MQ302", 23, 13, 23, 25)]


def test_fix_inside_indented_heredoc_changes_only_the_key(tmp_path):
    root = tree(tmp_path, {"main.tf": TRIM.replace("          - 10.1.1.10/24\n", "")})
    before = (root / "main.tf").read_text()
    check(root, "main.tf", fix=True)
    after = (root / "main.tf").read_text()
    assert after == before.replace("nonMasqueradeCIDRS:", "nonMasqueradeCIDRs:")
    assert after != before


def test_quoted_string_with_escapes_maps_each_character():
    text = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "default"
  }

  data = {
    config = "nonMasqueradeCIDRs: [\\"10.1.1.5/24\\"]\\nmasqLinkLocal: true\\n"
  }
}
"""
    res = lint(text)
    assert at(text, '"default"') == (4, 17)
    assert at(text, "10.1.1.5/24") == (8, 38)
    got = spans(res)
    assert ("MQ101", 4, 17, 4, 26) in got
    # the YAML string "10.1.1.5/24" starts at the backslash of its opening \" and ends at the one of its closing \"
    assert ("MQ302", 8, 36, 8, 50) in got
    assert at(text, "true") == (8, 69)
    assert ("MQ406", 8, 69, 8, 73) in got


def test_quoted_string_true_link_local():
    text = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = "masqLinkLocal: true\\nresyncInterval: 60s\\n"
  }
}
"""
    res = lint(text)
    assert at(text, "true") == (8, 30)
    assert spans(res) == [("MQ406", 8, 30, 8, 34)]


YAMLENCODE = """\
resource "kubernetes_config_map_v1" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = yamlencode({
      nonMasqueradeCIDRs = [
        "100.64.0.0/14",
        "172.16.0.0/12",
        "10.1.1.10/24",
      ]
      masqLinkLocal  = false
      resyncInterval = 60
    })
  }
}
"""


def test_yamlencode_maps_each_value_to_its_hcl():
    res = lint(YAMLENCODE)
    assert at(YAMLENCODE, '"10.1.1.10/24"') == (12, 9)
    assert at(YAMLENCODE, "60\n") == (15, 24)
    got = spans(res)
    assert ("MQ302", 12, 9, 12, 23) in got  # the HCL string, quotes included (yamlencode quotes it too)
    assert ("MQ204", 15, 24, 15, 26) in got
    assert all(f.fix is None for f in res.findings)  # the YAML is not in the file: nothing to edit


def test_jsonencode_string_for_a_bool():
    text = """\
resource "kubernetes_config_map" "ip_masq_agent_batch" {
  provider = kubernetes.batch

  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    "config" = jsonencode({
      masqLinkLocal  = "true"
      resyncInterval = "60s"
    })
  }
}
"""
    res = lint(text)
    assert at(text, '"true"') == (11, 24)
    assert spans(res) == [("MQ204", 11, 24, 11, 30)]


# --- metadata and data keys -----------------------------------------------------------------------


def test_namespace_from_hcl_and_its_fix(tmp_path):
    text = HEREDOC.replace("  - 10.1.1.5/24\n", "").replace('    namespace = "kube-system"\n', "")
    res = lint(text)
    assert spans(res, "MQ101") == [("MQ101", 3, 5, 3, 9)]  # at `name`: no namespace
    assert "creates it in `default`" in res.findings[0].message and 'namespace = "kube-system"' in res.findings[0].message
    root = tree(tmp_path, {"main.tf": text})
    check(root, "main.tf", fix=True, unsafe_fixes=True)
    fixed = (root / "main.tf").read_text()
    assert fixed == text.replace('    name      = "ip-masq-agent"\n',
                                 '    name      = "ip-masq-agent"\n    namespace = "kube-system"\n')
    assert not spans(lint(fixed), "MQ101")


def test_namespace_from_a_variable_default_and_unknown_namespace(tmp_path):
    base = HEREDOC.replace("10.1.1.5/24", "10.1.1.0/24").replace('namespace = "kube-system"', "namespace = var.ns")
    with_default = 'variable "ns" {\n  default = "default"\n}\n\n' + base
    res = lint(with_default)
    line, col = at(with_default, "var.ns")
    assert spans(res, "MQ101") == [("MQ101", line, col, line, col + len("var.ns"))]
    assert all(f.fix is None for f in res.findings if f.rule == "MQ101")  # `var.ns` is not replaced by a string
    no_default = 'variable "ns" {\n  type = string\n}\n\n' + base
    assert not spans(lint(no_default), "MQ101")  # unknown: nothing said


def test_config_under_another_data_key():
    text = HEREDOC.replace("10.1.1.5/24", "10.1.1.0/24").replace("    config = <<EOT", '    "ip-masq-agent" = <<EOT')
    res = lint(text)
    assert at(text, '"ip-masq-agent" = <<EOT') == (8, 5)
    assert spans(res) == [("MQ102", 8, 5, 8, 20)]


def test_agent_keys_directly_under_data():
    text = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    nonMasqueradeCIDRs = "10.0.0.0/8"
    resyncInterval     = "60s"
  }
}
"""
    assert spans(lint(text)) == [("MQ102", 8, 5, 8, 23)]


def test_other_configmaps_and_resources_are_not_read():
    text = """\
resource "kubernetes_config_map" "coredns" {
  metadata {
    name      = "coredns-custom"
    namespace = "kube-system"
  }
  data = {
    config = "nonMasqueradeCIDRs: 10.0.0.0/8"
  }
}

resource "kubernetes_manifest" "egress_test" {
  manifest = yamldecode(<<-EOT
    apiVersion: v1
    kind: Pod
    metadata:
      name: connection-test-pod
      namespace: default  # ip-masq-agent test pod
    spec:
      containers:
        - name: netshoot
          image: nicolaka/netshoot
  EOT
  )
}
"""
    res = lint(text)
    assert res.findings == [] and res.configs == 0


# --- manifests in a string ------------------------------------------------------------------------

KUBECTL = """\
terraform {
  required_providers {
    kubectl = {
      source  = "alekc/kubectl"
      version = ">= 2.0.0"
    }
  }
}

resource "kubectl_manifest" "ip_masq_agent" {
  yaml_body = <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: default
data:
  config: |
    nonMasqueradeCIDRs:
%s      - 192.168.10.0/24
    masqLinkLocal: false
    resyncInterval: 60s
YAML
}
""" % "".join("    " + ln + "\n" for ln in ALL_GKE_DEFAULTS.splitlines())


def test_kubectl_manifest_yaml_body():
    res = lint(KUBECTL)
    assert at(KUBECTL, "default") == (16, 14)
    assert at(KUBECTL, "192.168.10.0/24") == (31, 9)
    assert spans(res) == [("MQ101", 16, 14, 16, 21), ("MQ306", 31, 9, 31, 24)]


def test_kubernetes_manifest_yamldecode():
    text = """\
resource "kubernetes_manifest" "ip_masq_agent" {
  manifest = yamldecode(<<-EOT
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: ip-masq-agent
    data:
      config: |
        nonMasqueradeCIDRs:
          - 10.0.0.0/8
          - 10.0.0.0/8
  EOT
  )
}
"""
    res = lint(text)
    got = spans(res)
    assert ("MQ101", 6, 7, 6, 11) in got
    assert ("MQ305", 11, 13, 11, 23) in got


def test_suppression_inside_the_heredoc():
    text = KUBECTL.replace("      - 192.168.10.0/24\n", "      - 192.168.10.0/24  # masqlint: disable=MQ306 -- kept for the VPN\n")
    res = lint(text)
    assert spans(res) == [("MQ101", 16, 14, 16, 21)]
    assert res.suppressed == 1
    unused = text.replace("disable=MQ306", "disable=MQ305")
    got = spans(lint(unused))
    line = unused.splitlines()[30]
    assert line.index("#") == 25
    assert ("MQ005", 31, 26, 31, len(line) + 1) in got and ("MQ306", 31, 9, 31, 24) in got


# --- variables and templates ----------------------------------------------------------------------


def test_gke_module_with_variables(tmp_path):
    root = tmp_path / "gke"
    shutil.copytree(DATA / "gke-module", root)
    (tmp_path / ".git").mkdir()
    masq = (root / "masq.tf").read_text()
    got = check(root, "masq.tf", "variables.tf", "main.tf")
    # named on the command line, the module's other files hold no ConfigMap: one info line each, whether or
    # not they mention masquerading (a walk passes over both)
    assert [f.rule for f in got["variables.tf"].findings] == ["MQ007"]
    assert [f.rule for f in got["main.tf"].findings] == ["MQ007"]
    # the default of var.non_masquerade_cidrs (three RFC 1918 ranges) is what the agent gets
    assert at(masq, "nonMasqueradeCIDRs") == (21, 1)
    assert at(masq, "%{ for") == (22, 1)
    assert spans(got["masq.tf"]) == [("MQ401", 21, 1, 21, 19), ("MQ310", 22, 1, 22, 43)]
    mq401 = next(f for f in got["masq.tf"].findings if f.rule == "MQ401")
    assert "100.64.0.0/10" in mq401.message and "10.0.0.0/8" not in mq401.message.split("drops")[1].split(":")[0]


def test_gke_module_values_from_defaults_are_checked_at_the_interpolation(tmp_path):
    root = tmp_path / "gke"
    shutil.copytree(DATA / "gke-module", root)
    (tmp_path / ".git").mkdir()
    variables = (root / "variables.tf").read_text().replace('"60s"', '"60"').replace(
        '["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]', '["10.0.0.0/8", "10.0.0.0/8"]')
    (root / "variables.tf").write_text(variables)
    got = spans(check(root, "masq.tf")["masq.tf"])
    # the second copy of the default's item is reported where the loop writes it: `${cidr}`
    assert ("MQ305", 23, 5, 23, 12) in got
    # `${var.ip_masq_resync_interval}` = "60" renders `resyncInterval: 60`, a number
    assert ("MQ204", 25, 17, 25, 47) in got


def test_values_without_default_are_unknown():
    text = """\
variable "non_masquerade_cidrs" {
  type        = list(string)
  description = "CIDRs that keep the Pod IP (no SNAT)."
}

variable "ip_masq_resync_interval" {
  type = string
}

resource "kubernetes_config_map" "ip-masq-agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = <<EOF
nonMasqueradeCIDRs:
  - ${join("\\n  - ", var.non_masquerade_cidrs)}
  - 10.1.1.5/24
resyncInterval: ${var.ip_masq_resync_interval}
masqlinklocal: false
EOF
  }
}
"""
    res = lint(text)
    assert at(text, "${join") == (19, 5)
    got = spans(res)
    # the literal parts are checked; nothing about the unknown list or interval, no MQ401
    assert at(text, "join(") == (19, 7)
    # MQ310 at the join() call
    assert sorted(got) == [("MQ201", 22, 1, 22, 14), ("MQ302", 20, 5, 20, 16), ("MQ310", 19, 7, 19, 47)]
    mq310 = next(f for f in res.findings if f.rule == "MQ310")
    assert "null item" in mq310.message and "10.0.0.0/8" in mq310.message


def test_mq310_is_quiet_when_the_list_is_required_or_guarded():
    required = """\
variable "non_masquerade_cidrs" {
  type = list(string)
  validation {
    condition     = length(var.non_masquerade_cidrs) > 0
    error_message = "At least one range."
  }
}

resource "kubernetes_config_map" "ip-masq-agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }
  data = {
    config = <<EOF
nonMasqueradeCIDRs:
%{ for cidr in var.non_masquerade_cidrs ~}
  - ${cidr}
%{ endfor ~}
EOF
  }
}
"""
    assert not spans(lint(required), "MQ310")
    guarded = required.replace("  validation {\n    condition     = length(var.non_masquerade_cidrs) > 0\n"
                               "    error_message = \"At least one range.\"\n  }\n", "").replace(
        "nonMasqueradeCIDRs:\n%{ for cidr in var.non_masquerade_cidrs ~}\n  - ${cidr}\n%{ endfor ~}\n",
        "%{ if length(var.non_masquerade_cidrs) > 0 ~}\nnonMasqueradeCIDRs:\n"
        "%{ for cidr in var.non_masquerade_cidrs ~}\n  - ${cidr}\n%{ endfor ~}\n%{ endif ~}\n")
    assert "validation" not in guarded and "%{ if" in guarded
    assert not spans(lint(guarded), "MQ310")
    # a literal item before the loop: an empty variable still leaves one entry
    literal = required.replace("  validation {\n    condition     = length(var.non_masquerade_cidrs) > 0\n"
                               "    error_message = \"At least one range.\"\n  }\n", "").replace(
        "nonMasqueradeCIDRs:\n", "nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n")
    assert not spans(lint(literal), "MQ310")


def test_yamlencode_of_a_list_variable_that_may_be_empty():
    text = """\
variable "pod_ranges" {
  type = list(string)
}

resource "kubernetes_config_map" "ip-masq-agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }
  data = {
    config = yamlencode({
      nonMasqueradeCIDRs = var.pod_ranges
      resyncInterval     = "60s"
    })
  }
}
"""
    res = lint(text)
    assert spans(res) == [("MQ310", 12, 28, 12, 42)]


# --- file() and templatefile() --------------------------------------------------------------------

FILE_MAIN = """\
resource "kubernetes_config_map_v1" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = file("${path.module}/files/ip-masq-agent.yaml")
  }
}
"""

FILE_CONFIG = """\
# Rendered into kube-system/ip-masq-agent by ../main.tf.
nonMasqueradeCIDRs:
%s  - 172.16.0.0/12
masqLinkLocal: false
""" % ALL_GKE_DEFAULTS


def test_file_reference_is_checked_at_its_own_lines(tmp_path):
    root = tree(tmp_path, {"mod/main.tf": FILE_MAIN, "mod/files/ip-masq-agent.yaml": FILE_CONFIG})
    got = check(root, "mod/main.tf")
    assert got["mod/main.tf"].findings == []
    ref = got["mod/files/ip-masq-agent.yaml"]
    assert spans(ref) == [("MQ305", 14, 5, 14, 18)]
    assert ref.text == FILE_CONFIG and all(f.fix is None for f in ref.findings)


def test_file_reached_twice_is_reported_once(tmp_path):
    root = tree(tmp_path, {"mod/main.tf": FILE_MAIN, "mod/files/ip-masq-agent.yaml": FILE_CONFIG})
    got = check(root, "mod/main.tf", "mod/files/ip-masq-agent.yaml")
    assert set(got) == {"mod/main.tf", "mod/files/ip-masq-agent.yaml"}
    assert spans(got["mod/files/ip-masq-agent.yaml"]) == [("MQ305", 14, 5, 14, 18)]
    # the copy checked by itself keeps its fix
    assert got["mod/files/ip-masq-agent.yaml"].findings[0].fix is not None


def test_suppression_in_the_referenced_file(tmp_path):
    config = FILE_CONFIG.replace("  - 172.16.0.0/12\nmasq", "  - 172.16.0.0/12  # masqlint: disable=MQ305\nmasq")
    assert config != FILE_CONFIG
    root = tree(tmp_path, {"mod/main.tf": FILE_MAIN, "mod/files/ip-masq-agent.yaml": config})
    got = check(root, "mod/main.tf")
    assert got["mod/files/ip-masq-agent.yaml"].findings == []
    assert got["mod/files/ip-masq-agent.yaml"].suppressed == 1


TEMPLATEFILE_MAIN = """\
variable "non_masquerade_cidrs" {
  type        = list(string)
  description = "Pod secondary ranges of every cluster in the fleet, plus peers that expect Pod IPs."
}

resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = templatefile("${path.module}/templates/ip-masq-agent.yaml.tpl", {
      cidrs           = var.non_masquerade_cidrs
      resync_interval = "60"
    })
  }
}
"""

TEMPLATE = """\
nonMasqueradeCIDRs:
%{~ for c in cidrs }
  - ${c}
%{~ endfor }
MasqLinkLocal: false
resyncInterval: ${resync_interval}
"""


def test_templatefile_is_rendered_with_its_arguments(tmp_path):
    root = tree(tmp_path, {"main.tf": TEMPLATEFILE_MAIN, "templates/ip-masq-agent.yaml.tpl": TEMPLATE})
    got = check(root, "main.tf")
    assert got["main.tf"].findings == []
    tpl = got["templates/ip-masq-agent.yaml.tpl"]
    assert spans(tpl) == [("MQ310", 2, 1, 2, 21), ("MQ201", 5, 1, 5, 14), ("MQ204", 6, 17, 6, 35)]


# --- files that are not configs -------------------------------------------------------------------


def test_tf_without_the_resources_is_skipped_in_a_walk(tmp_path):
    text = """\
# Cloud NAT for the private GKE nodes. Pods are masqueraded to the node IP by
# ip-masq-agent first, so only the node subnet needs to be NATed here.
resource "google_compute_router_nat" "nat" {
  name   = "${var.network_name}-nat"
  router = google_compute_router.router.name
}
"""
    root = tree(tmp_path, {"nat.tf": text})
    out = process_or_none("nat.tf", str(root / "nat.tf"), False, Options(use_config_files=False))
    assert out is not None and out.result.findings == [] and out.result.configs == 0
    # named on the command line: one info line, nothing else
    named = process_or_none("nat.tf", str(root / "nat.tf"), True, Options(use_config_files=False))
    assert named is not None and [(f.rule, f.line) for f in named.result.findings] == [("MQ007", 1)]


@pytest.mark.parametrize("name", ["outside", "itself"])
def test_file_outside_the_repository_or_itself_is_not_read(tmp_path, name):
    ref = "${path.module}/../../../../../../../../etc/passwd" if name == "outside" else "${path.module}/main.tf"
    root = tree(tmp_path / "repo", {"main.tf": FILE_MAIN.replace("${path.module}/files/ip-masq-agent.yaml", ref)})
    got = check(root, "main.tf")
    assert list(got) == ["main.tf"]
    res = got["main.tf"]
    assert [(f.rule, f.span.line, f.span.column) for f in res.findings] == [("MQ008", 8, 14)]
    assert ("leaves the repository" if name == "outside" else "the referring file itself") in res.findings[0].message


# --- cost -------------------------------------------------------------------------------------------


def _imports_after_check(tmp_path, name: str, text: str) -> str:
    import os
    import subprocess
    import sys

    (tmp_path / name).write_text(text)
    code = ("import sys; from masqlint.cli.main import main; code = main(['check', '--no-config', sys.argv[1]]); "
            "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'hcl2', 'lark'}))")
    repo = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code, name], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": repo}, timeout=60)
    return out.stdout.strip().splitlines()[-1]


def test_the_hcl_parser_is_loaded_only_for_a_tf_with_a_configmap_resource(tmp_path):
    nat = ('# Pods are masqueraded to the node IP by ip-masq-agent first.\n'
           'resource "google_compute_router_nat" "nat" {\n  name = "nat"\n}\n')
    assert _imports_after_check(tmp_path, "nat.tf", nat) == "0 []"
    assert _imports_after_check(tmp_path, "main.tf", HEREDOC) == "1 ['hcl2', 'lark']"


# --- other commands -----------------------------------------------------------------------------------


def test_trace_and_render_read_the_module(tmp_path, capsys, monkeypatch):
    from masqlint.cli.main import main

    root = tmp_path / "gke"
    shutil.copytree(DATA / "gke-module", root)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(root)
    assert main(["trace", "--no-config", "--dst", "100.64.1.1", "--dst", "10.2.1.100", "masq.tf"]) == 0
    out = capsys.readouterr().out
    assert "100.64.1.1/32: masquerade (node IP)" in out
    assert "10.2.1.100/32: keep pod IP: entry 10.0.0.0/8 on line 23" in out  # the loop's `${cidr}` line
    assert main(["render", "masq.tf"]) == 0
    out = capsys.readouterr().out
    assert "accepted: yes" in out and "- 192.168.0.0/16" in out and "100.64.0.0/10" not in out


def test_render_refuses_a_config_it_cannot_know(tmp_path, capsys, monkeypatch):
    from masqlint.cli.main import main

    text = 'variable "cidrs" {\n  type = list(string)\n}\n\n' + HEREDOC.replace(
        "nonMasqueradeCIDRs:\n", "nonMasqueradeCIDRs:\n%{ for c in var.cidrs ~}\n  - ${c}\n%{ endfor ~}\n")
    tree(tmp_path, {"main.tf": text})
    monkeypatch.chdir(tmp_path)
    assert main(["render", "main.tf"]) == 2
    assert "values masqlint cannot know" in capsys.readouterr().err


def test_a_reference_that_leaves_the_repository_is_a_note_at_the_call(tmp_path):
    from masqlint.forms import read_forms
    from masqlint.text.source import SourceFile

    root = tree(tmp_path / "repo", {"main.tf": FILE_MAIN.replace("files/ip-masq-agent.yaml", "../../x.yaml")})
    (tmp_path / "x.yaml").write_text("nonMasqueradeCIDRs: []\n")
    p = root / "main.tf"
    found = read_forms(SourceFile.from_bytes("main.tf", p.read_bytes(), str(p)))
    assert found.form == "terraform"
    [note] = found.notes
    assert note.rule == "MQ008" and "leaves the repository" in note.message
    assert (note.at.line, note.at.column, note.at.end_line) == (8, 14, 8)
    [cfg] = found.configs  # the ConfigMap is still read (its namespace, its data key); its config is unknown
    assert cfg.unknown and cfg.envelope.namespace == "kube-system"


def test_suppression_comment_in_hcl_above_the_namespace():
    text = HEREDOC.replace("  - 10.1.1.5/24\n", "").replace(
        '    namespace = "kube-system"\n',
        '    # masqlint: disable-next-line=MQ101 -- moved to kube-system by the platform pipeline\n'
        '    namespace = "networking"\n')
    res = lint(text)
    assert res.findings == [] and res.suppressed == 1


def test_two_unknown_keys_are_not_one_key_written_twice():
    text = """\
variable "key_a" {
  type = string
}

variable "key_b" {
  type = string
}

resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }
  data = {
    config = <<EOT
${var.key_a}: true
${var.key_b}: true
nonMasqueradeCIDRs:
%s\
EOT
  }
}
""" % ALL_GKE_DEFAULTS
    res = lint(text)
    assert res.configs == 1 and res.findings == []


def test_language_server_lints_a_tf_buffer_and_fixes_inside_the_heredoc(tmp_path):
    from masqlint.lsp.server import fix_all_safe, lint_buffer

    path = str(tree(tmp_path, {}) / "main.tf")
    buf = lint_buffer(path, TRIM, Options(use_config_files=False), str(tmp_path))
    assert sorted((f.rule, f.span.line, f.span.column) for f in buf.findings) == [("MQ201", 11, 9), ("MQ302", 23, 13)]
    fixed = fix_all_safe(buf, path)
    assert fixed == TRIM.replace("nonMasqueradeCIDRS:", "nonMasqueradeCIDRs:")


def test_a_walk_reads_the_module_and_stays_silent_on_other_tf_files(tmp_path):
    root = tmp_path / "infra"
    shutil.copytree(DATA / "gke-module", root / "gke")
    (tmp_path / ".git").mkdir()
    (root / "network").mkdir()
    (root / "network" / "nat.tf").write_text(
        "# Pods are masqueraded to the node IP by ip-masq-agent first.\n"
        'resource "google_compute_router_nat" "nat" {\n  name = "nat"\n}\n')
    from masqlint.pipeline.discover import discover

    cands = [c for c in discover([str(root)]) if isinstance(c, Candidate)]
    assert sorted(Path(c.path).name for c in cands) == ["main.tf", "masq.tf", "nat.tf", "variables.tf"]
    rr, _ = run(cands, Options(use_config_files=False))
    got = {Path(f.path).relative_to(root).as_posix(): [(x.rule, x.line) for x in f.findings] for f in rr.files}
    assert got == {"gke/main.tf": [], "gke/masq.tf": [("MQ401", 21), ("MQ310", 22)], "gke/variables.tf": [],
                   "network/nat.tf": []}


def test_config_map_v1_data_sets_the_data_of_the_existing_configmap():
    text = HEREDOC.replace('resource "kubernetes_config_map" "ip_masq_agent" {',
                           'resource "kubernetes_config_map_v1_data" "ip_masq_agent" {\n  force = true\n')
    res = lint(text)
    assert spans(res) == [("MQ302", 23, 5, 23, 16)]


def test_locals_with_literal_values_are_known(tmp_path):
    main = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = local.masq_namespace
  }

  data = {
    config = yamlencode(local.ip_masq_config)
  }
}
"""
    locals_tf = """\
locals {
  masq_namespace = "default"
  pod_ranges     = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "10.1.1.5/24"]
  ip_masq_config = {
    nonMasqueradeCIDRs = local.pod_ranges
    masqLinkLocal      = local.link_local
    resyncInterval     = "60s"
  }
  link_local = "yes"
  loop       = local.loop
}
"""
    root = tree(tmp_path, {"main.tf": main, "locals.tf": locals_tf})
    got = spans(check(root, "main.tf")["main.tf"])
    # values written in locals.tf are reported where main.tf uses them (the whole `local.…` reference)
    assert ("MQ101", 4, 17, 4, 37) in got
    assert ("MQ204", 8, 25, 8, 45) in got  # masqLinkLocal = "yes" (a string): yamlencode quotes it
    assert ("MQ302", 8, 25, 8, 45) in got  # 10.1.1.5/24, from the list in locals.tf
