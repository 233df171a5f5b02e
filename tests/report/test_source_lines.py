"""The source lines shown under a finding: split at every line break YAML counts."""

from __future__ import annotations

import re

import pytest

from masqlint.report._common import _LINE_BREAK, _split_lines

TEXTS = ["a: 1\nb: 2\n", "a: 1\r\nb: 2\r\n", "a: 1\rb: 2", "a\x85b\u2028c\u2029d\n", "", "\n\n", "x",
         "config: |\n  nonMasqueradeCIDRs:\n    - 10.0.0.0/8\n"]


@pytest.mark.parametrize("text", TEXTS)
def test_lines_are_those_of_every_yaml_line_break(text):
    assert _split_lines(text) == re.split(_LINE_BREAK, text)
