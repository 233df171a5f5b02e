"""The language server's pure parts: character offsets → LSP positions, buffer linting, fix all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from masqlint.engine.findings import Span
from masqlint.lsp.server import PositionMap, fix_all_safe, lint_buffer, minimal_edit
from masqlint.pipeline.runner import Options

CM = (
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata:\n"
    "  name: ip-masq-agent\n"
    "  namespace: kube-system\n"
    "data:\n"
    "  config: |\n"
    '    nonMasqueradeCIDRs: ["링크😀", 10.8.0.0/16, 10.8.0.0/16]\n'
    "    masqLinkLocaL: no\n"
)


def test_columns_in_each_encoding():
    text = "a😀é b\r\nx\ry"
    b = text.index("b")
    assert PositionMap(text, "utf-16").position(b) == (0, 5)  # a, 2 units for the emoji, é, space
    assert PositionMap(text, "utf-8").position(b) == (0, 8)  # 1 + 4 + 2 + 1
    assert PositionMap(text, "utf-32").position(b) == (0, 4)
    # \r\n and a lone \r both end a line, as the LSP specification says
    assert PositionMap(text).position(text.index("x")) == (1, 0)
    assert PositionMap(text).position(text.index("y")) == (2, 0)
    assert PositionMap(text).end() == (2, 1)


def test_span_range_is_end_exclusive():
    pm = PositionMap("k: 😀😀 v\n")
    assert pm.span_range(Span(1, 7, 1, 8)) == ((0, 8), (0, 9))


def test_leading_bom_in_the_buffer_shifts_the_first_line_only(tmp_path):
    path = str(tmp_path / "cm.yaml")
    plain = lint_buffer(path, CM, Options(use_config_files=False))
    bom = lint_buffer(path, "\ufeff" + CM, Options(use_config_files=False))
    assert bom.shift == 1 and bom.linted == CM
    assert [(f.rule, f.span) for f in bom.findings] == [(f.rule, f.span) for f in plain.findings]
    pm = PositionMap(bom.linted, "utf-16", bom.shift)
    assert pm.position(0) == (0, 1)
    assert pm.position(CM.index("kind")) == (1, 0)


def test_fix_all_applies_safe_fixes_only(tmp_path):
    path = str(tmp_path / "cm.yaml")
    text = CM + '    resyncInterval: 60s\n'
    bl = lint_buffer(path, text.replace("10.8.0.0/16]", "10.8.0.5/16]"), Options(use_config_files=False))
    rules = {f.rule for f in bl.findings}
    assert {"MQ201", "MQ208", "MQ302", "MQ301"} <= rules
    fixed = fix_all_safe(bl, path)
    assert "masqLinkLocal: false\n" in fixed
    assert "10.8.0.5/16" in fixed  # host bits: an unsafe fix, left alone
    after = {f.rule for f in lint_buffer(path, fixed, Options(use_config_files=False)).findings}
    assert not after & {"MQ201", "MQ208"}


def test_files_without_config_and_excluded_files_are_not_linted(tmp_path):
    (tmp_path / ".masqlint.yaml").write_text("exclude: ['vendor/**']\n", encoding="utf-8")
    (tmp_path / "vendor").mkdir()
    assert lint_buffer(str(tmp_path / "vendor" / "cm.yaml"), CM, Options()).findings == []
    assert lint_buffer(str(tmp_path / "cm.yaml"), CM, Options()).findings != []
    assert lint_buffer(str(tmp_path / "chart.yaml"), "a: {{ b }\n", Options()).findings == []


@given(st.text(max_size=30), st.text(max_size=30))
def test_minimal_edit_turns_old_into_new(old, new):
    a, b, repl = minimal_edit(old, new)
    assert old[:a] + repl + old[b:] == new
    assert 0 <= a <= b <= len(old)
