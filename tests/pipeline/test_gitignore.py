"""masqlint's own .gitignore matching against pathspec's GitIgnoreSpec, the reference it follows:
the same regular expression for every line it reads, the same verdict for every path."""

from __future__ import annotations

import subprocess
import sys

import pathspec
import pytest
from hypothesis import example, given, settings as hsettings, strategies as st
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from masqlint.pipeline import gitignore

# pieces lines are made of: every wildcard form, anchors, negation, comments, spaces, dots
_PIECES = ["a", "b", "c.yaml", ".", "*", "**", "?", "/", "!", "#", " ", "\t", "x y", "-", "é"]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=7).map("".join)
# paths as the walk asks: relative, "/"-separated, a directory's with a trailing "/"
_PATH = st.builds(lambda parts, is_dir: "/".join(parts) + ("/" if is_dir else ""),
                  st.lists(st.sampled_from(["a", "b", "c.yaml", "ab", ".a", "x y", "a.b", "é"]), min_size=1,
                           max_size=5),
                  st.booleans())

REAL_LINES = [
    "# build output and local state", "*.tgz", ".terraform/", "charts/*/charts/", "*.swp", "/dist", "node_modules/",
    "!keep/", "**/secrets/*.yaml", "a/**/b", "a/**", "**/", "**", "*", "*/", "/", "!", "!/", "//", "a//b", "***",
    "foo/**/**/bar", "trailing   ", " leading", "#not/comment", "!**/gen/keep.yaml", "?.yml", "**/x/**/",
]


@pytest.mark.parametrize("line", REAL_LINES)
def test_each_real_line_becomes_pathspecs_expression(line):
    assert gitignore.readable([line])
    try:
        want = GitIgnoreSpecPattern.pattern_to_regex(line)
    except ValueError:
        with pytest.raises(ValueError):
            gitignore.translate(line)
    else:
        assert gitignore.translate(line) == want


@hsettings(max_examples=1500, deadline=None)
@given(_LINE)
def test_every_readable_line_becomes_pathspecs_expression(line):
    if not gitignore.readable([line]):
        return
    try:
        want = GitIgnoreSpecPattern.pattern_to_regex(line)
    except ValueError:
        with pytest.raises(ValueError):
            gitignore.translate(line)
        return
    assert gitignore.translate(line) == want


def _verdicts(lines, paths):
    try:
        ref = pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:
        with pytest.raises(ValueError):
            gitignore.IgnoreSpec(lines)
        return None
    own = gitignore.IgnoreSpec(lines)
    return [(p, own.match_file(p), ref.match_file(p)) for p in paths]


@hsettings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(_LINE, st.sampled_from(REAL_LINES)), max_size=6), st.lists(_PATH, min_size=1, max_size=8))
@example(["a/", "!a/b"], ["a/b", "a/", "a/c"])  # a file put back inside an ignored directory
@example(["*", "!*/"], ["a/", "a/b", "b"])
def test_every_path_gets_pathspecs_verdict(lines, paths):
    lines = [ln for ln in lines if gitignore.readable([ln])]
    for path, own, ref in _verdicts(lines, paths) or ():
        assert own == ref, (lines, path)


def test_the_verdicts_are_not_all_alike():
    """The examples above reach both verdicts and the directory-only rule."""
    got = _verdicts(["a/", "!a/b", "*.tgz", "charts/*/charts/"],
                    ["a/b", "a/", "a/c", "x.tgz", "charts/m/charts/", "charts/", "charts/m/charts/s.yaml"])
    assert [(p, own) for p, own, _ in got] == [
        ("a/b", False), ("a/", True), ("a/c", True), ("x.tgz", True), ("charts/m/charts/", True),
        ("charts/", False), ("charts/m/charts/s.yaml", True)]
    assert all(own == ref for _, own, ref in got)


@pytest.mark.parametrize("line", ["\\#x", "[ab].json", "a]"])
def test_escapes_and_brackets_are_left_to_pathspec(line):
    assert not gitignore.readable(["*.tgz", line])


def _walk_loads_pathspec(tmp_path, lines: list[str]) -> bool:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    (tmp_path / "charts" / "m" / "charts").mkdir(parents=True)
    (tmp_path / "charts" / "m" / "charts" / "s.yaml").write_text("kind: Service\n")
    (tmp_path / "charts" / "m" / "values.yaml").write_text("kind: Service\n")
    code = ("import sys\nfrom masqlint.pipeline.discover import discover\n"
            "names = sorted(c.display for c in discover(['.']))\n"
            "print(names, 'pathspec' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.startswith("['charts/m/values.yaml']"), out  # charts/m/charts/ is ignored either way
    return out.rstrip().endswith("True")


def test_a_walk_reads_plain_lines_without_pathspec(tmp_path):
    assert not _walk_loads_pathspec(tmp_path, ["*.tgz", "charts/*/charts/"])


def test_a_walk_reads_bracket_expressions_with_pathspec(tmp_path):
    assert _walk_loads_pathspec(tmp_path, ["*.t[g]z", "charts/*/charts/"])
