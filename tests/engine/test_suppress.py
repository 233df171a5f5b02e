"""Suppression comments and MQ005: a comment reports exactly the ids that suppressed nothing, and its
fix removes only those."""

from __future__ import annotations

import json

from conftest import manifest, run_cli
from masqlint import lint_text
from masqlint.pipeline.fix import fix_until_stable
from masqlint.engine.findings import FileResult

# 10.1.1.0/24 inside 10.0.0.0/8: MQ306 (redundant) on the second entry; yes: MQ208 (a YAML 1.1 boolean)
REDUNDANT = manifest(["10.0.0.0/8", "10.1.1.0/24"], extra="masqLinkLocal: yes\n")


def _mq005(text):
    return [f for f in lint_text(text, "cm.yaml") if f.rule == "MQ005"]


def _fix_mq005(text):
    def relint(t):
        return FileResult("cm.yaml", t, _mq005(t))

    fixed, _, _ = fix_until_stable(text, _mq005(text), relint, unsafe=False)
    return fixed


def test_a_partly_used_comment_names_only_its_unused_ids():
    text = REDUNDANT.replace("- 10.1.1.0/24\n", "- 10.1.1.0/24  # masqlint: disable=MQ306, MQ301,MQ208 -- audit\n")
    [f] = _mq005(text)
    assert f.data["unused"] == ["MQ301", "MQ208"]
    assert "`MQ301`, `MQ208` in this `masqlint: disable` comment suppress nothing here" in f.message
    assert (f.line, f.column) == (10, 22)
    fixed = _fix_mq005(text)
    assert fixed == REDUNDANT.replace("- 10.1.1.0/24\n", "- 10.1.1.0/24  # masqlint: disable=MQ306 -- audit\n")
    assert _mq005(fixed) == [] and _fix_mq005(fixed) == fixed


def test_names_prefixes_and_every_rule():
    # a name and a prefix that both cover the finding are both used; an unknown name is not
    text = REDUNDANT.replace("- 10.1.1.0/24\n", "- 10.1.1.0/24  # masqlint: disable=redundant-cidr,MQ3,no-such-rule\n")
    [f] = _mq005(text)
    assert f.data["unused"] == ["no-such-rule"]
    assert _fix_mq005(text) == REDUNDANT.replace("- 10.1.1.0/24\n", "- 10.1.1.0/24  # masqlint: disable=redundant-cidr,MQ3\n")
    # a comment naming no rule is used or unused as a whole
    assert _mq005(REDUNDANT.replace("- 10.1.1.0/24\n", "- 10.1.1.0/24  # masqlint: disable\n")) == []
    [whole] = _mq005(REDUNDANT.replace("- 10.0.0.0/8\n", "- 10.0.0.0/8  # masqlint: disable\n"))
    assert "comment for every rule suppresses nothing here" in whole.message


def test_a_comment_no_id_of_which_is_used_is_removed_whole():
    text = REDUNDANT.replace("- 10.0.0.0/8\n", "- 10.0.0.0/8  # masqlint: disable=MQ306,MQ301\n")
    [f] = _mq005(text)
    assert f.data["unused"] == ["MQ306", "MQ301"] and "comment for MQ306, MQ301 suppresses nothing" in f.message
    assert _fix_mq005(text) == REDUNDANT


def test_an_id_used_only_by_a_check_across_files_counts_as_used(tmp_path, capsys):
    first = manifest(["10.0.0.0/8"])
    second = manifest(["10.0.0.0/8"]).replace("  name: ip-masq-agent\n",
                                              "  name: ip-masq-agent  # masqlint: disable=MQ408,MQ301\n")
    (tmp_path / "a.yaml").write_text(first, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(second, encoding="utf-8")
    code, out, _ = run_cli(["check", "--no-config", "--format", "json", str(tmp_path)], capsys)
    doc = json.loads(out)
    found = [(f["path"].rsplit("/", 1)[-1], f["rule"], f["message"]) for f in doc["findings"] if f["rule"] in ("MQ005", "MQ408")]
    assert [(p, r) for p, r, _ in found] == [("b.yaml", "MQ005")]  # MQ408 suppressed by its id; MQ301 still unused
    assert "`MQ301` in this `masqlint: disable` comment suppresses nothing" in found[0][2]
    # without the comment, MQ408 is reported on b.yaml: the comment did suppress it
    (tmp_path / "b.yaml").write_text(first, encoding="utf-8")
    code, out, _ = run_cli(["check", "--no-config", "--format", "json", str(tmp_path)], capsys)
    assert [f["rule"] for f in json.loads(out)["findings"] if f["rule"] in ("MQ005", "MQ408")] == ["MQ408"]
