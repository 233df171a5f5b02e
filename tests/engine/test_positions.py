"""Exact positions: inside literal blocks, folded and quoted strings, JSON, multi-document files, Lists."""

from __future__ import annotations

from masqlint.api import lint_text


def _at(findings, rule):
    return [(f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in findings if f.rule == rule]


CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: {style}
"""


def test_literal_block_points_inside_the_block():
    text = CM.format(style="|") + "    nonMasqueradeCIDRs:\n      - 10.0.0.0/8\n      - 10.1.1.5/24\n    resyncInterval: 1d\n"
    f = lint_text(text, "cm.yaml")
    assert _at(f, "MQ302") == [(10, 9, 10, 20)]
    assert _at(f, "MQ205") == [(11, 21, 11, 23)]


def test_literal_block_with_crlf_and_non_ascii_before_the_error():
    text = (CM.format(style="|") + "    # café 網絡\n    nonMasqueradeCIDRs: [10.0.0.0/8, \"é10.0.0.0/8\"]\n").replace("\n", "\r\n")
    f = lint_text(text, "cm.yaml")
    assert _at(f, "MQ301") == [(9, 38, 9, 51)]


def test_explicit_indentation_indicator_and_keep_chomping():
    text = CM.format(style="|2+") + "    nonMasqueradeCIDRs:\n      - 10.1.1.5/24\n\n"
    f = lint_text(text, "cm.yaml")
    assert _at(f, "MQ302") == [(9, 9, 9, 20)]


def test_folded_and_quoted_config_point_at_the_config_key():
    folded = CM.format(style=">") + "    nonMasqueradeCIDRs: [10.1.1.5/24]\n"
    assert _at(lint_text(folded, "cm.yaml"), "MQ302") == [(7, 3, 7, 9)]
    quoted = CM.format(style='"nonMasqueradeCIDRs: [10.1.1.5/24]\\n"')
    assert _at(lint_text(quoted, "cm.yaml"), "MQ302") == [(7, 3, 7, 9)]


def test_json_manifest_with_json_config_string():
    text = (
        '{"apiVersion": "v1", "kind": "ConfigMap",\n'
        ' "metadata": {"name": "ip-masq-agent", "namespace": "kube-system"},\n'
        ' "data": {"config": "{\\"nonMasqueradeCIDRs\\": [\\"10.1.1.5/24\\"]}"}}\n'
    )
    f = lint_text(text, "cm.json")
    assert _at(f, "MQ302") == [(3, 11, 3, 19)]  # the "config" key


def test_standalone_json_config_positions():
    text = '{\n  "nonMasqueradeCIDRs": [\n    "10.0.0.0/8",\n    "10.1.1.5/24"\n  ]\n}\n'
    f = lint_text(text, "ip-masq-agent", standalone=True)
    assert _at(f, "MQ302") == [(4, 5, 4, 18)]


def test_multi_document_file_positions_in_the_second_document():
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n---\n" + CM.format(style="|") + "    nonMasqueradeCIDRs:\n      - 10.2.1.100\n"
    f = lint_text(text, "all.yaml")
    assert _at(f, "MQ301") == [(13, 9, 13, 19)]


def test_kind_list_items():
    text = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: ip-masq-agent
      namespace: kube-system
    data:
      config: |
        nonMasqueradeCIDRS:
          - 10.0.0.0/8
"""
    f = lint_text(text, "list.yaml")
    assert _at(f, "MQ201") == [(11, 9, 11, 27)]


def test_yaml_error_inside_config_block_maps_to_the_outer_line():
    text = CM.format(style="|") + "    nonMasqueradeCIDRs:\n    \t- 10.0.0.0/8\n"
    f = lint_text(text, "cm.yaml")
    [(line, col, _, _)] = _at(f, "MQ001")
    assert line == 9
    msg = next(x.message for x in f if x.rule == "MQ001")
    assert "tab" in msg


def test_manifest_yaml_error_position_and_hint_for_the_seed_paste():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n   name: ip-masq-agent\n"
        "  namespace: kube-systemdata  config:  |\n    nonMasqueradeCIDRS:\n      \u2013 10.1.1.0/24\n"
    )
    f = lint_text(text, "cm.yaml")
    first = [x for x in f if x.rule == "MQ001"][0]
    assert (first.line, first.column) == (5, 3)
    assert "run together" in first.message
    assert _at(f, "MQ002") == [(7, 7, 7, 8)]
    assert _at(f, "MQ201") == [(6, 5, 6, 23)]


def test_duplicate_key_inside_the_block_points_at_the_second_key():
    text = CM.format(style="|") + "    resyncInterval: 30s\n    masqLinkLocal: false\n    resyncInterval: 60s\n"
    f = lint_text(text, "cm.yaml")
    assert _at(f, "MQ003") == [(10, 5, 10, 19)]
    assert "first on line 8" in next(x.message for x in f if x.rule == "MQ003")
