"""Hostile templates and values files through the real command line, each under a hard time limit:
a finding or a silent skip, never a traceback, never a hang, the other files still checked."""

from __future__ import annotations

import pytest
from hostile_cli import assert_control_checked, check, with_control

CM_HEAD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
"""


@pytest.mark.parametrize("name,text", [
    ("templates/cm.yaml", CM_HEAD + "    nonMasqueradeCIDRs:\n      - {{ .Values.cidr\n    masqLinkLocal: true\n"),
    ("templates/cm.yaml", CM_HEAD + "    {{- range .Values.cidrs }}\n      - {{ . }}\n    masqLinkLocal: true\n"),
    ("cm.yaml.j2", CM_HEAD + "{% for c in cidrs %}\n      - {{ c }}\n    masqLinkLocal: {{ x\n"),
    ("cm.yaml.j2", CM_HEAD + "{# a comment that never ends\n    masqLinkLocal: true\n"),
    ("ip-masq-agent.yaml.tpl", "nonMasqueradeCIDRs:\n%{ for c in cidrs ~}\n  - ${c\nmasqLinkLocal: true\n"),
], ids=["go-expression", "go-range-without-end", "jinja-expression", "jinja-comment", "terraform-interpolation"])
def test_an_unterminated_template_action(tmp_path, name, text):
    with_control(tmp_path)
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    res = check([name, "control.yaml"], tmp_path)
    # what the unterminated action swallows is unknown: no syntax error, no empty list, no shape complaint
    assert not [f for f in res.found(name) if f[3] in ("MQ001", "MQ104", "MQ308", "MQ309")], res.out
    assert_control_checked(res)


@pytest.mark.parametrize("syntax", ["go", "jinja"])
def test_ten_thousand_nested_ifs(tmp_path, syntax):
    n = 10_000
    if syntax == "go":
        opened, closed, name = "{{ if .Values.x }}\n" * n, "{{ end }}\n" * n, "templates/deep.yaml"
    else:
        opened, closed, name = "{% if x %}\n" * n, "{% endif %}\n" * n, "deep.yaml.j2"
    body = "    nonMasqueradeCIDRs:\n      - 10.1.1.5/24\n"
    with_control(tmp_path)
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(CM_HEAD + opened + body + closed, encoding="utf-8")
    res = check([name, "control.yaml"], tmp_path)
    # the literal item inside every condition is still checked, at its own line
    line = CM_HEAD.count("\n") + n + 2
    assert [(f[1], f[2], f[3]) for f in res.found(name)] == [(line, 9, "MQ302")], res.out[-2000:]
    assert_control_checked(res)


def test_ten_thousand_unclosed_ifs_and_binary_bytes(tmp_path):
    with_control(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "open.yaml").write_text(CM_HEAD + "{{ if .x }}\n" * 10_000, encoding="utf-8")
    (tmp_path / "templates" / "nul.yaml").write_bytes(CM_HEAD.encode() + b"    masqLinkLocal: {{ .x \x00\xff }}\n")
    res = check(["templates", "control.yaml"], tmp_path)
    assert not res.found("templates/open.yaml")
    assert [f[3] for f in res.found("templates/nul.yaml")] == ["MQ004"]  # not UTF-8: the file's own finding
    assert_control_checked(res)


def test_cilium_values_nested_deep_and_broken(tmp_path):
    with_control(tmp_path)
    deep = "ipMasqAgent:\n  enabled: true\n  config:\n    nonMasqueradeCIDRs: " + "[" * 50_000 + "]" * 50_000 + "\n"
    (tmp_path / "values-deep.yaml").write_text(deep, encoding="utf-8")
    (tmp_path / "values-broken.yaml").write_text("ipMasqAgent:\n  config: [\n", encoding="utf-8")
    res = check(["values-deep.yaml", "values-broken.yaml", "control.yaml"], tmp_path)
    assert [f[3] for f in res.found("values-deep.yaml")] == ["MQ001"]
    assert [(f[1], f[3]) for f in res.found("values-broken.yaml")] == [(3, "MQ001")]
    assert_control_checked(res)
