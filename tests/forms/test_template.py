"""forms.template: template markup masked to text of the same length, what it leaves unknown."""

from __future__ import annotations

import pytest

from masqlint.forms.template import has_markup, mask
from masqlint.text import yamlload

HELM_CONFIGMAP = """\
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


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def same_shape(masked: str, original: str) -> None:
    """Same length, same number of lines, and every character that is not a blank or a line
    break where it was (a line left all blanks may hand its blanks to the line before)."""
    assert len(masked) == len(original)
    assert masked.count("\n") == original.count("\n")
    for i, c in enumerate(masked):
        if c not in " \nx-:":  # not a blank, a line break or a placeholder's character: as written
            assert c == original[i], (i, c, original[i])


def test_helm_configmap_masks_to_yaml_with_every_offset_kept():
    m = mask(HELM_CONFIGMAP, "go")
    same_shape(m.text, HELM_CONFIGMAP)
    docs = list(yamlload.compose_all(m.text))  # parses
    assert len(docs) == 1
    out = lines_of(m.text)
    assert out[3] == "  name: " + "x" * len('{{ include "ip-masq-agent.fullname" . }}')
    assert out[10] == "    nonMasqueradeCIDRs:"  # literal text untouched, at its own line and column
    assert out[13].startswith("    masqLinkLocal: xxx")
    assert out[14].startswith("    resyncinterval: xxx")
    assert out[9].strip() == "" and out[12].strip() == ""  # `with` and `end` print nothing
    unknown = [HELM_CONFIGMAP[a:b] for a, b in m.unknown]
    assert '{{ .Values.config.masqLinkLocal }}' in unknown
    assert '{{ .Values.config.resyncInterval | quote }}' in unknown
    # the `with` body may print the list or not: open
    start = HELM_CONFIGMAP.index("    nonMasqueradeCIDRs:")
    assert m.open_in(start, start + 10)
    assert not m.open_in(HELM_CONFIGMAP.index("    masqLinkLocal"), HELM_CONFIGMAP.index("    masqLinkLocal") + 5)


def test_a_multi_line_output_becomes_a_placeholder_at_its_nindent_column():
    text = "config:\n  list:\n{{ toYaml .Values.cidrs | nindent 4 }}\n  other: 1\n"
    m = mask(text, "go")
    same_shape(m.text, text)
    assert lines_of(m.text)[2].startswith("    xxx")
    root = yamlload.compose_first(m.text)
    assert root is not None
    text = "cidrs:\n  - 10.0.0.0/8\n  {{- range .Values.extra }}\n  {{ . | toYaml | nindent 2 }}\n  {{- end }}\n"
    m = mask(text, "go")
    assert lines_of(m.text)[3].startswith("  - xxx")  # among list items: an item
    yamlload.compose_first(m.text)


def test_define_bodies_and_comments_are_not_printed():
    text = '{{/*\nThe name.\n*/}}\n{{- define "x.name" -}}\nname: {{ .Chart.Name }}\n{{- end }}\nkind: ConfigMap\n'
    m = mask(text, "go")
    same_shape(m.text, text)
    assert m.text.strip() == "kind: ConfigMap"
    assert not m.unknown  # nothing inside define is printed here, so nothing is unknown either


def test_if_else_keeps_the_first_branch_with_unknown_values_and_drops_the_others():
    text = (
        "cfg:\n"
        "  a: 1\n"
        "{{- if .Values.x }}\n"
        "  masqLinkLocal: true\n"
        "{{ else -}}\n"
        "  masqLinkLocal: false\n"
        "{{ end -}}\n"
    )
    m = mask(text, "go")
    same_shape(m.text, text)
    root = yamlload.compose_first(m.text)
    keys = [k.value for k, _ in root.value[0][1].value]
    assert keys == ["a", "masqLinkLocal"]  # one key: not a duplicate
    value_start = text.index("true")
    assert m.is_unknown(value_start, value_start + 4)  # which branch is printed is unknown
    assert not m.is_unknown(text.index("a: 1") + 3, text.index("a: 1") + 4)


def test_strings_inside_actions_may_hold_closing_braces():
    text = 'name: {{ printf "%s}}" .Values.name }}\nnext: 1\n'
    m = mask(text, "go")
    assert lines_of(m.text)[0] == "name: " + "x" * len('{{ printf "%s}}" .Values.name }}')
    assert lines_of(m.text)[1] == "next: 1"


def test_jinja_statements_loops_and_comments():
    text = (
        "# {{ ansible_managed }}\n"
        "cfg:\n"
        "{% if cidrs | length > 0 %}\n"
        "  nonMasqueradeCIDRs:\n"
        "{% for cidr in cidrs %}\n"
        "    - {{ cidr }}\n"
        "{% endfor %}\n"
        "{% endif %}\n"
        "  resyncInterval: 60s {# why #}\n"
    )
    m = mask(text, "jinja")
    same_shape(m.text, text)
    out = lines_of(m.text)
    assert out[5].rstrip() == "    - " + "x" * len("{{ cidr }}")
    assert out[8].rstrip() == "  resyncInterval: 60s"
    root = yamlload.compose_first(m.text)
    assert root is not None
    item = text.index("- {{ cidr }}")
    assert m.open_in(item, item + 1)  # produced by a loop
    assert m.is_unknown(item + 2, item + 4)


def test_terraform_directives_and_literal_escapes():
    text = (
        "nonMasqueradeCIDRs:\n"
        "%{ for cidr in cidrs ~}\n"
        "  - ${cidr}\n"
        "%{ endfor ~}\n"
        "note: $${not_a_template} and %%{ neither }\n"
        "masqLinkLocal: ${jsonencode({a = 1})}\n"
    )
    m = mask(text, "terraform")
    same_shape(m.text, text)
    out = lines_of(m.text)
    assert out[1].strip() == "" and out[3].strip() == ""
    assert out[2].rstrip() == "  - " + "x" * len("${cidr}")
    assert out[4] == "note: $${not_a_template} and %%{ neither }"
    assert out[5] == "masqLinkLocal: " + "x" * len("${jsonencode({a = 1})}")


@pytest.mark.parametrize("syntax,text", [
    ("go", "a: 1\nb: {{ .Values.b\nc: 3\n"),
    ("jinja", "a: 1\n{% if x\nc: 3\n"),
    ("terraform", "a: 1\nb: ${var.b\nc: 3\n"),
])
def test_an_unterminated_action_runs_to_the_end_and_stays_unknown(syntax, text):
    m = mask(text, syntax)
    same_shape(m.text, text)
    assert lines_of(m.text)[0].rstrip() == "a: 1"
    start = text.index("\n") + 1
    assert m.masked_in(start + 3, len(text))


def test_text_without_markup_is_returned_as_it_is():
    text = "apiVersion: v1\nkind: ConfigMap\n"
    for syntax in ("go", "jinja", "terraform"):
        m = mask(text, syntax)
        assert m.text == text and not m.unknown and not m.open and not has_markup(text, syntax)


def test_an_unknown_syntax_is_refused():
    with pytest.raises(ValueError):
        mask("{{ x }}", "mustache")


def test_blank_lines_left_by_markup_do_not_break_a_block_scalar():
    """A masked line longer than the block's indentation, first in `config: |`, would be a YAML
    error; it is emptied, its blanks moved to the end of the line before."""
    text = "data:\n  config: |\n    {{- with .Values.x }}\n    a: 1\n    {{- end }}\n"
    m = mask(text, "go")
    same_shape(m.text, text)
    root = yamlload.compose_first(m.text)
    config = root.value[0][1].value[0][1]
    assert config.value.strip() == "a: 1"
    a = text.index("a: 1")
    assert m.text[a:a + 4] == "a: 1"  # literal text keeps its offset


@pytest.mark.parametrize("text", ["a: 1\n{{/* never closed\nb: 2\n", "a: 1\n{{- /* closed */ but no braces\nb: 2\n",
                                  "{{", "{%", "${", "%{", "{{/*", "{{-", "x: {{ '}}' }}\n"])
def test_comments_and_actions_cut_short(text):
    for syntax in ("go", "jinja", "terraform"):
        m = mask(text, syntax)
        assert len(m.text) == len(text) and m.text.count("\n") == text.count("\n")
        assert all(0 <= a <= b <= len(text) for a, b in m.unknown + m.open + m.masked)
