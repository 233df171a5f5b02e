"""The lint done only to count fixes (``lint_source(..., fixes_only=True)``) runs only the checks of
rules that can offer a fix; it offers exactly the fixes the full lint offers, in the same order, so
the summary's "N fixable" is the count the full lint gives: on every file of the corpus, every
rule example, every data file, and configs with several fixable mistakes at once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from masqlint.config.settings import Settings, from_mapping
from masqlint.engine.catalog import load_catalog
from masqlint.engine.headers import FIXABLE
from masqlint.engine.lint import lint_source
from masqlint.pipeline import runner
from masqlint.pipeline.fix import fix_until_stable
from masqlint.text.source import SourceFile

from paths import DATA, EXAMPLES, REPO, TESTS


def _offered(result) -> list:
    return [(f.rule, f.span, f.message, f.fix.safe, tuple((e.start, e.end, e.text) for e in f.fix.edits))
            for f in result.findings if f.fix is not None]


def _lint(name: str, data: bytes, settings: Settings, fixes_only: bool):
    with runner.lint_scope():
        return lint_source(SourceFile.from_bytes(name, data, None), settings, None, fixes_only=fixes_only)


def _counts(name: str, data: bytes, settings: Settings, fixes_only: bool) -> list[int]:
    """What --fix and --fix --unsafe-fixes would fix, the fixed texts linted again in full or for fixes only."""
    first = _lint(name, data, settings, False)
    if first.text is None:
        return [0, 0]
    _, relint = runner._relinter(name, "-", data, settings, None, fixes_only=fixes_only)
    return [fix_until_stable(first.text, first.findings, relint, unsafe)[1] for unsafe in (False, True)]


def assert_same_fixes(name: str, data: bytes, settings: Settings | None = None) -> bool:
    """The fixes-only lint offers what the full lint offers, and the counts agree; True when a fix was offered."""
    settings = settings or Settings()
    full = _lint(name, data, settings, False)
    only = _lint(name, data, settings, True)
    offered = _offered(full)
    assert _offered(only) == offered, name
    if offered:
        assert _counts(name, data, settings, True) == _counts(name, data, settings, False), name
    return bool(offered)


def test_only_rules_that_can_fix_are_left_out_of_nothing():
    """Every rule whose catalog entry offers a fix is in FIXABLE (so its checks run in the lint for fixes)."""
    catalog = load_catalog()
    assert FIXABLE == {r.id for r in catalog.values() if r.fix_safety != "none"}
    assert {"MQ002", "MQ005", "MQ201", "MQ302", "MQ305"} <= FIXABLE and "MQ401" not in FIXABLE


def test_the_lint_for_fixes_runs_fewer_checks_but_keeps_every_fix():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: default\ndata:\n"
            "  config: |\n    nonMasqueradeCIDRS:\n      - 10.0.0.0/8\n      - 10.0.0.0/8\n      - 34.120.0.0/16\n"
            "    masqLinkLocal: no\n")
    full = _lint("cm.yaml", text.encode(), Settings(), False)
    only = _lint("cm.yaml", text.encode(), Settings(), True)
    assert "MQ405" in {f.rule for f in full.findings}  # a public range: no fix
    assert {f.rule for f in only.findings} == {f.rule for f in full.findings} & FIXABLE
    assert {"MQ101", "MQ201", "MQ208", "MQ305"} <= {f.rule for f in only.findings}
    assert _offered(only) == _offered(full) and len(_offered(full)) >= 4
    assert only.facts == {}


def test_suppression_comments_make_the_lint_for_fixes_a_full_one():
    """MQ005 (an unused suppression, fixable) weighs every rule's findings: with a comment, every check runs."""
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n"
            "  config: |\n    nonMasqueradeCIDRs:  # masqlint: disable=MQ401\n      - 10.0.0.0/8\n"
            "    masqLinkLocal: false  # masqlint: disable=MQ405\n")
    full = _lint("cm.yaml", text.encode(), Settings(), False)
    only = _lint("cm.yaml", text.encode(), Settings(), True)
    assert [f.rule for f in full.findings] == [f.rule for f in only.findings] == ["MQ005"]
    assert full.suppressed == only.suppressed == 1  # MQ401 was suppressed: its check ran
    assert_same_fixes("cm.yaml", text.encode())


def _repository_files() -> list[Path]:
    roots = [TESTS / "corpus", EXAMPLES, DATA]
    files = [p for r in roots for p in sorted(r.rglob("*")) if p.is_file()
             and p.suffix in (".yaml", ".yml", ".json", ".md", ".tf", ".tpl", ".txt", ".env", "")]
    assert len(files) > 500  # the repository's own corpus and data are there
    return files


def test_every_file_of_the_corpus_and_data_offers_the_same_fixes():
    fixing = 0
    compared = 0
    for path in _repository_files():
        data = path.read_bytes()
        if b"masq" not in data.lower() and b"cidrlimit" not in data.lower():
            continue
        compared += 1
        fixing += assert_same_fixes(path.name, data)
    assert compared > 200 and fixing > 30


def test_every_rule_example_offers_the_same_fixes():
    fixing = 0
    examples = [ex for r in load_catalog().values() for ex in (*r.bad, *r.good)]
    assert len(examples) > 100
    for ex in examples:
        if ex.settings.get("max-file-size"):
            continue  # not read at all (MQ006)
        settings = from_mapping(ex.settings, root=str(REPO / "rules")) if ex.settings else Settings()
        fixing += assert_same_fixes(ex.filename, ex.content.encode(ex.content_encoding), settings)
    assert fixing > 20


# --- configs with several fixable (and unfixable) mistakes at once ------------------------------

_MISTAKES = {
    "key casing": lambda b: b.replace("nonMasqueradeCIDRs:", "nonMasqueradeCIDRS:"),
    "typo": lambda b: b.replace("resyncInterval:", "resyncIntervall:"),
    "space before colon": lambda b: b.replace("nonMasqueradeCIDRs:", "nonMasqueradeCIDRs :"),
    "string boolean": lambda b: b.replace("masqLinkLocal: false", 'masqLinkLocal: "false"'),
    "yaml 1.1 boolean": lambda b: b.replace("masqLinkLocal: false", "masqLinkLocal: no"),
    "string limit": lambda b: b.replace("cidrLimit: 32", "cidrLimit: '32'"),
    "number interval": lambda b: b.replace("resyncInterval: 60s", "resyncInterval: 60"),
    "bad interval": lambda b: b.replace("resyncInterval: 60s", "resyncInterval: 0s"),
    "en dashes": lambda b: b.replace("      - 10.", "      \u2013 10."),
    "one en dash": lambda b: b.replace("      - 192.", "      \u2013 192.", 1),
    "azure key": lambda b: b + "    masqLinkLocalIPv6: true\n",
    "list as a string": lambda b: b.replace("    nonMasqueradeCIDRs:\n      - 10.0.0.0/8\n",
                                            '    nonMasqueradeCIDRs: "10.0.0.0/8, 192.168.0.0/16"\n      # was\n'),
}
_ENTRIES = ["10.0.0.0/8", "10.0.0.0/8", "10.1.0.0/16", "10.9.0.7/24", "192.168.0.0/16", "192.168.1.0/24",
            "172.16.0.0/12", "34.120.0.0/16", "100.64.0.0/10", "192.168.7.1/16", "fd00::/8"]


def _mixed_config(r: random.Random) -> tuple[str, str]:
    entries = ["10.0.0.0/8"] + r.sample(_ENTRIES, r.randint(1, 6))
    body = ("    nonMasqueradeCIDRs:\n" + "".join(f"      - {e}\n" for e in entries)
            + "    cidrLimit: 32\n    masqLinkLocal: false\n    resyncInterval: 60s\n")
    for name in r.sample(sorted(_MISTAKES), r.randint(1, 4)):
        body = _MISTAKES[name](body)
    ns = r.choice(["kube-system", "kube-system", "default"])
    key = r.choice(["config", "config", "config.yaml"])
    manifest = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: {ns}\n"
                f"data:\n  {key}: |\n{body}")
    if r.random() < 0.15:
        manifest = manifest.replace("      - 10.0.0.0/8\n", "      - 10.0.0.0/8  # masqlint: disable=MQ305\n", 1)
    if r.random() < 0.2:
        standalone = "\n".join(line[4:] for line in body.splitlines()) + "\n"
        return "ip-masq-agent", standalone
    return "cm.yaml", manifest


def test_configs_with_many_mistakes_offer_the_same_fixes():
    r = random.Random(1415)
    fixing = 0
    for _ in range(250):
        name, text = _mixed_config(r)
        fixing += assert_same_fixes(name, text.encode())
    assert fixing > 200


@pytest.mark.parametrize("target", ["gke", "azure", "cilium"])
def test_each_target_offers_the_same_fixes(target):
    r = random.Random(len(target) * 7 + ord(target[0]))
    settings = from_mapping({"target": target}, root=str(REPO))
    fixing = 0
    for _ in range(40):
        name, text = _mixed_config(r)
        fixing += assert_same_fixes(name, text.encode(), settings)
    assert fixing > 20
