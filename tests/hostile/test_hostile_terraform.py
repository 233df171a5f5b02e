"""Hostile Terraform files through the real command line: a finding at file:line:col or a skip,
within a hard time limit, never a traceback, the other files still checked."""

from __future__ import annotations

from hostile_cli import assert_control_checked, check, with_control

HEAD = """\
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
"""


def test_unterminated_heredoc_is_one_finding_at_the_heredoc(tmp_path):
    with_control(tmp_path)
    (tmp_path / "main.tf").write_text(HEAD + "    config = <<EOT\nnonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  }\n}\n")
    res = check(["main.tf", "control.yaml"], tmp_path)
    assert res.rc == 1
    assert [(f[1], f[2], f[3]) for f in res.found("main.tf")] == [(8, 14, "MQ311")]
    assert "heredoc" in res.found("main.tf")[0][4]
    assert_control_checked(res)


def test_unterminated_template_directive_in_a_heredoc(tmp_path):
    with_control(tmp_path)
    (tmp_path / "main.tf").write_text(HEAD + "    config = <<EOT\nnonMasqueradeCIDRs:\n  - 10.0.0.0/8\n%{ for c in x\nEOT\n  }\n}\n")
    res = check(["main.tf", "control.yaml"], tmp_path)
    # python-hcl2 takes the heredoc whole; the template inside it is read by masqlint
    assert [(f[3], f[1], f[2]) for f in res.found("main.tf")] == [("MQ311", 11, 1)]
    assert_control_checked(res)


def test_hcl_nested_100000_blocks_deep(tmp_path):
    with_control(tmp_path)
    deep = HEAD.replace("  data = {\n", "") + "  a {\n" * 100_000 + "  }\n" * 100_000 + "}\n"
    (tmp_path / "deep.tf").write_text(deep)
    res = check(["deep.tf", "control.yaml"], tmp_path)
    found = res.found("deep.tf")
    # line 7 opens the second level (the resource is the first): line 70 the 65th
    assert [(f[3], f[1], f[2]) for f in found] == [("MQ311", 70, 5)]
    assert_control_checked(res)


def test_hcl_nested_100000_objects_deep_inside_data(tmp_path):
    with_control(tmp_path)
    deep = HEAD + "    config = " + "{ a = " * 100_000 + "1" + " }" * 100_000 + "\n  }\n}\n"
    (tmp_path / "deep.tf").write_text(deep)
    res = check(["deep.tf", "control.yaml"], tmp_path)
    assert [f[3] for f in res.found("deep.tf")] == ["MQ311"]
    assert_control_checked(res)


def test_nul_and_binary_bytes_in_tf(tmp_path):
    with_control(tmp_path)
    (tmp_path / "nul.tf").write_bytes(HEAD.encode() + b'    config = "nonMasqueradeCIDRs: []\x00"\n  }\n}\n')
    (tmp_path / "binary.tf").write_bytes(HEAD.encode() + b"    config = \"\xff\xfe\x00masq\x80\"\n  }\n}\n")
    (tmp_path / "nul-outside.tf").write_bytes(HEAD.encode().replace(b"metadata {", b"metadata {\x00") + b"  }\n}\n")
    res = check(["nul.tf", "binary.tf", "nul-outside.tf", "control.yaml"], tmp_path)
    # a NUL inside a string is a character of the config: the agent's YAML reader refuses it
    assert {f[3] for f in res.found("nul.tf")} <= {"MQ001", "MQ002", "MQ309"} and res.found("nul.tf")
    assert [f[3] for f in res.found("binary.tf")] == ["MQ004"]  # not UTF-8
    assert [(f[3], f[1]) for f in res.found("nul-outside.tf")] == [("MQ311", 2)]
    assert_control_checked(res)


def test_file_and_templatefile_outside_the_module_or_at_itself(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "secret.yaml").write_text("nonMasqueradeCIDRs: [10.0.0.0/8]\n")
    with_control(repo)
    cases = {
        "outside.tf": 'config = file("${path.module}/../secret.yaml")',
        "absolute.tf": 'config = templatefile("/etc/passwd", {})',
        "itself.tf": 'config = file("${path.module}/itself.tf")',
        "self-template.tf": 'config = templatefile("self-template.tf", { cidrs = [] })',
        "directory.tf": 'config = file("${path.module}/.git")',
    }
    for name, line in cases.items():
        (repo / name).write_text(HEAD + "    " + line + "\n  }\n}\n")
    res = check([*cases, "control.yaml"], repo)
    for name in cases:
        found = res.found(name)
        # one finding, at the call; nothing from inside the other file
        assert [(f[1], f[2], f[3]) for f in found] == [(8, 14, "MQ008")], (name, found)
    assert not [f for f in res.findings if "secret" in f[0] or "passwd" in f[0]]
    assert_control_checked(res)
