"""Item 8: findings grouped by cause, with the others as related locations (SARIF
relatedLocations, JSON `related`), and every message a few hundred characters at most."""

from __future__ import annotations

import json

import pytest

from .conftest import GKE_DEFAULTS, configmap, write

MAX_MESSAGE = 600  # a few hundred characters, whatever the length of the list


def wide_entry_config(n: int) -> str:
    """One wide entry (8.0.0.0/6, public in part) swallowing 10.0.0.0/8, n /16s of it and five 9.x /16s."""
    inside = [f"10.{i // 256}.{i % 256}.0/24" for i in range(n)]
    return configmap("10.0.0.0/8", "8.0.0.0/6", *inside, *(f"9.{i}.0.0/16" for i in range(5)))


def test_one_entry_that_makes_many_redundant_is_one_finding_with_related_locations(cli, tmp_path):
    write(tmp_path / "cm.yaml", wide_entry_config(49))
    code, out, _ = cli("check", "--no-config", "--ignore", "MQ401", "--format", "json", "cm.yaml")
    doc = json.loads(out)
    mq306 = [f for f in doc["findings"] if f["rule"] == "MQ306"]
    assert len(mq306) == 1
    (f,) = mq306
    assert f["line"] == 10 and f["message"].startswith("8.0.0.0/6 makes 55 other entries redundant (")
    assert len(f["related"]) == 55
    assert {r["line"] for r in f["related"]} == set(range(9, 10)) | set(range(11, 65))
    assert f["related"][0]["message"].endswith("lies inside 8.0.0.0/6")
    mq405 = [f for f in doc["findings"] if f["rule"] == "MQ405"]
    assert len(mq405) == 1 and "as do the 5 public entries inside it" in mq405[0]["message"]
    assert sorted(r["line"] for r in mq405[0]["related"]) == list(range(60, 65))


def test_sarif_carries_the_related_locations(cli, tmp_path):
    write(tmp_path / "cm.yaml", wide_entry_config(3))
    code, out, _ = cli("check", "--no-config", "--format", "sarif", "cm.yaml")
    results = json.loads(out)["runs"][0]["results"]
    (mq306,) = [r for r in results if r["ruleId"] == "MQ306"]
    related = mq306["relatedLocations"]
    assert len(related) == 9 and [r["id"] for r in related] == list(range(1, 10))
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "cm.yaml"
    assert related[0]["physicalLocation"]["region"]["startLine"] == 9
    assert related[0]["message"]["text"] == "10.0.0.0/8 lies inside 8.0.0.0/6"


def test_the_fix_of_a_grouped_finding_removes_every_redundant_entry(cli, tmp_path):
    write(tmp_path / "cm.yaml", configmap(*GKE_DEFAULTS, "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"))
    code, out, _ = cli("check", "--no-config", "cm.yaml")
    assert "10.0.0.0/8 makes 3 other entries redundant" in out and "[*] 1 fixable with --fix" in out
    code, _, err = cli("check", "--no-config", "--fix", "cm.yaml")
    assert code == 0 and "Fixed 1 problem." in err
    assert (tmp_path / "cm.yaml").read_text() == configmap(*GKE_DEFAULTS)


def test_a_single_redundant_entry_keeps_its_own_finding(cli, tmp_path):
    write(tmp_path / "cm.yaml", configmap(*GKE_DEFAULTS, "10.1.0.0/16"))
    code, out, _ = cli("check", "--no-config", "--format", "json", "cm.yaml")
    (f,) = json.loads(out)["findings"]
    assert f["line"] == 20 and f["message"].startswith("10.1.0.0/16 lies inside 10.0.0.0/8 (line 9)")
    assert f["related"] == [{"line": 9, "column": 9, "end_line": 9, "end_column": 19, "message": "10.0.0.0/8 covers it"}]


@pytest.mark.parametrize("name,entries", [
    ("mergeable", [f"10.{i // 256}.{i % 256}.0/24" for i in range(20_000)]),  # MQ307: one run of 20,000 /24s
    ("redundant", ["0.0.0.0/1"] + [f"{1 + i // 65536}.{i // 256 % 256}.{i % 256}.0/24" for i in range(5_000)]),
    ("public", [f"{11 + i // 256}.{i % 256}.0.0/16" for i in range(3_000)]),
    ("dropped", ["10.1.1.0/24"]),
])
def test_every_message_is_a_few_hundred_characters_at_most(cli, tmp_path, name, entries):
    write(tmp_path / ".masqlint.yaml", "must-masquerade:\n  - {cidr: 10.1.1.10, name: endpoint}\n"
                                       "  - {cidr: 11.0.0.0/8, name: partner}\n")
    write(tmp_path / "cm.yaml", configmap(*entries))
    code, out, _ = cli("check", "--format", "json", "cm.yaml")
    findings = json.loads(out)["findings"]
    assert findings, "the list must give something to say"
    longest = max(findings, key=lambda f: len(f["message"]))
    assert len(longest["message"]) <= MAX_MESSAGE, longest


def test_a_merge_of_thousands_lists_a_hundred_related_locations_and_counts_the_rest(cli, tmp_path):
    """2,048 adjacent /24s are exactly 10.0.0.0/13: one MQ307 finding; its 2,047 other entries are
    not all listed (a 100,000-entry list would name 65,535), the last location says how many are left."""
    write(tmp_path / "cm.yaml", configmap(*(f"10.{i // 256}.{i % 256}.0/24" for i in range(2048))).replace(
        "    nonMasqueradeCIDRs:\n", "    cidrLimit: 3000\n    nonMasqueradeCIDRs:\n"))
    code, out, _ = cli("check", "--no-config", "--select", "MQ307", "--format", "json", "cm.yaml")
    (f,) = json.loads(out)["findings"]
    assert "together are exactly 10.0.0.0/13" in f["message"] and f["line"] == 10
    related = f["related"]
    assert len(related) == 101
    assert [r["line"] for r in related[:100]] == list(range(11, 111))
    assert related[0]["message"] == "10.0.1.0/24 is part of 10.0.0.0/13"
    assert related[100] == {"line": 111, "column": 9, "end_line": 111, "end_column": 22,
                            "message": "and 1,947 more like these, not listed"}
    code, out, _ = cli("check", "--no-config", "--select", "MQ307", "--format", "sarif", "cm.yaml")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert len(result["relatedLocations"]) == 101
    assert result["relatedLocations"][-1]["message"]["text"] == "and 1,947 more like these, not listed"
