"""The fixable count without a second lint (pipeline.fixcount) is the count fix_until_stable makes by
fixing in memory and linting again: the same number on every file it answers for, and it answers
for the common long-list case (duplicates, covered entries, host bits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from masqlint.config.settings import Settings
from masqlint.engine.catalog import load_catalog
from masqlint.pipeline import runner
from masqlint.pipeline.fix import fix_until_stable
from masqlint.pipeline.fixcount import ENTRY_RULES, FIXABLE_RULES, UNTOUCHED_RULES, fixed_without_relint

from paths import DATA, EXAMPLES, TESTS

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n  config: |\n"


def configmap(*lines: str, limit: int | None = None) -> str:
    body = (f"    cidrLimit: {limit}\n" if limit else "") + "    nonMasqueradeCIDRs:\n"
    return HEAD + body + "".join(f"      {ln}\n" for ln in lines) + "    resyncInterval: 60s\n"


def both_ways(text: str, name: str = "cm.yaml", settings: Settings | None = None):
    """[(unsafe, the count without a second lint or None, the count fix_until_stable makes)]."""
    settings = settings or Settings()
    data = text.encode()
    out = []
    with runner.lint_scope():
        kept: list = []
        result = runner.lint_bytes(name, data, settings, None, None, True, kept)
        _, relint = runner._relinter(name, "-", data, settings, None)
        for unsafe in (False, True):
            fast = fixed_without_relint(kept[0] if kept else None, result, unsafe)
            slow = fix_until_stable(result.text, result.findings, relint, unsafe)[1] if result.text is not None else 0
            out.append((unsafe, fast, slow))
    return out


def test_every_rule_that_offers_a_fix_is_accounted_for():
    """A rule given a fix later must be weighed here before the count may skip a lint for it."""
    fixable = {r.id for r in load_catalog().values() if r.fix_safety != "none"}
    assert fixable == set(FIXABLE_RULES)
    assert not ENTRY_RULES & set(UNTOUCHED_RULES)


LONG = [f"- 10.{i // 256}.{i % 256}.0/24" for i in range(0, 600, 2)]  # apart: nothing to merge or cover


@pytest.mark.parametrize("name,lines,safe,both", [
    ("duplicates", LONG + ["- 10.0.0.0/24", "- 10.0.4.0/24  # again", "- 10.0.4.0/24"], 3, 3),
    ("host bits", LONG + ["- 10.9.0.7/24", "- 172.16.3.9/12"], 0, 2),
    ("both", LONG + ["- 10.0.2.0/24", "- 10.9.0.7/24"], 1, 2),
    ("a covered entry twice", ["- 10.0.0.0/8", "- 10.1.0.0/16", "- 10.1.0.0/16"], 2, 2),
    ("covered", ["- 10.0.0.0/8", "- 10.1.0.0/16", "- 10.2.0.0/16", "- 192.168.0.0/16", "- 192.168.1.0/24"], 2, 2),
    ("quoted", LONG + ['- "10.0.0.0/24"', "- '10.9.0.7/24'"], 1, 2),
    ("flow", ["[10.0.0.0/8, 192.168.0.0/16, 10.0.0.0/8, 172.16.5.0/12]"], 1, 2),
])
def test_the_long_list_cases_are_counted_without_a_second_lint(name, lines, safe, both):
    text = configmap(*lines) if not lines[0].startswith("[") else configmap().replace(
        "nonMasqueradeCIDRs:\n", f"nonMasqueradeCIDRs: {lines[0]}\n")
    rounds = both_ways(text)
    assert [(fast, slow) for _, fast, slow in rounds] == [(safe, safe), (both, both)]


@pytest.mark.parametrize("name,lines", [
    # the network written for a host-bits entry is already listed, or covers / lies inside another
    ("rewrite makes a duplicate", ["- 10.0.0.0/24", "- 10.0.0.9/24"]),
    ("rewrite lies inside another", ["- 10.0.0.0/16", "- 10.0.3.9/24"]),
    ("rewrite covers another", ["- 10.0.3.0/24", "- 10.0.0.9/16"]),
    ("two rewrites meet", ["- 10.0.0.7/24", "- 10.0.0.9/24", "- 10.0.1.0/24"]),
])
def test_a_fix_that_uncovers_another_is_left_to_the_second_lint(name, lines):
    rounds = both_ways(configmap(*lines))
    for unsafe, fast, slow in rounds:
        assert fast is None or fast == slow, (unsafe, fast, slow)
    assert rounds[1][1] is None  # the second lint finds more to fix: the count includes it
    assert rounds[1][2] > sum(1 for ln in lines if "/" in ln and not ln.endswith(".0/24") and not ln.endswith(".0/16"))


@pytest.mark.parametrize("name,text", [
    ("a null item", configmap("- 10.0.0.0/8", "-", "- 10.0.0.0/8")),
    ("a suppression comment", configmap("- 10.0.0.0/8", "- 10.0.0.0/8  # masqlint: disable=MQ307")),
    ("a key of the wrong case", configmap("- 10.0.0.0/8", "- 10.0.0.0/8").replace("resyncInterval", "resyncinterval")),
    ("an anchor", configmap("- &a 10.0.0.0/8", "- 10.0.0.0/8")),
    ("two configs", configmap("- 10.0.0.0/8", "- 10.0.0.0/8") + "---\n" + configmap("- 10.0.0.0/8", "- 10.0.0.0/8")),
])
def test_what_the_shortcut_cannot_see_through_is_linted_again(name, text):
    rounds = both_ways(text)
    assert all(fast is None for _, fast, slow in rounds if slow)  # (nothing to fix: 0 either way)
    assert any(slow for _, _, slow in rounds)


def test_crlf_lines_and_a_standalone_file():
    crlf = configmap(*LONG[:20], "- 10.0.0.0/24", "- 10.9.0.7/24").replace("\n", "\r\n")
    assert [(f, s) for _, f, s in both_ways(crlf)] == [(1, 1), (2, 2)]
    standalone = "nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - 10.0.0.0/8\n  - 192.168.7.1/16\nresyncInterval: 60s\n"
    assert [(f, s) for _, f, s in both_ways(standalone, "ip-masq-agent")] == [(1, 1), (2, 2)]


def _files() -> list[Path]:
    roots = [TESTS / "corpus", EXAMPLES, DATA / "gke", DATA / "markdown", DATA / "terraform"]
    files = [p for r in roots for p in sorted(r.rglob("*")) if p.is_file()
             and p.suffix in (".yaml", ".yml", ".json", ".md", ".tf", ".tpl", "")]
    assert len(files) > 50  # the repository's own corpus is there
    return files


def test_every_file_of_the_corpus_counts_the_same_either_way():
    answered = 0
    compared = 0
    for path in _files():
        text = path.read_bytes().decode("utf-8", "replace")
        if "masq" not in text.lower():
            continue
        for unsafe, fast, slow in both_ways(text, path.name):
            compared += 1
            if fast is not None:
                answered += 1
                assert fast == slow, (path, unsafe)
    assert compared > 50 and answered > 0


def _random_list(r) -> str:
    """A list as people grow them: blocks of a few /8../28 sizes in a small space, so that
    duplicates, covered entries, host bits and their networks meet; some quoted, some commented."""
    lines = []
    for _ in range(r.randint(2, 14)):
        plen = r.choice((8, 16, 20, 24, 24, 26, 28))
        addr = r.choice((10 << 24, (10 << 24) | (1 << 16), (192 << 24) | (168 << 16))) + r.randrange(1 << 10) * 64
        if r.random() < 0.7:
            addr &= ~((1 << (32 - plen)) - 1) & 0xFFFFFFFF
        text = f"{addr >> 24}.{addr >> 16 & 255}.{addr >> 8 & 255}.{addr & 255}/{plen}"
        if lines and r.random() < 0.2:
            text = lines[r.randrange(len(lines))]
        lines.append(text)
    if r.random() < 0.25:
        return configmap().replace("nonMasqueradeCIDRs:\n", f"nonMasqueradeCIDRs: [{', '.join(lines)}]\n")
    shown = [f'- "{t}"' if r.random() < 0.1 else f"- {t}" + ("  # why" if r.random() < 0.1 else "") for t in lines]
    return configmap(*shown)


def test_random_lists_count_the_same_either_way():
    import random

    r = random.Random(14)
    answered = 0
    for _ in range(300):
        text = _random_list(r)
        for unsafe, fast, slow in both_ways(text):
            if fast is not None:
                answered += 1
                assert fast == slow, (text, unsafe)
    assert answered > 200
