"""Item 9: adopting masqlint on a repository with findings: a baseline that survives line shifts,
suppression comments written with a reason, and bundled examples that pass or fail on their own."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import GKE_DEFAULTS, ROOT, configmap, write

OLD = configmap(*GKE_DEFAULTS, "10.1.0.0/16", "10.1.1.5/24").replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS")


def test_a_baseline_reports_only_new_findings_after_lines_shift(cli, tmp_path):
    write(tmp_path / "clusters" / "prod" / "cm.yaml", OLD)
    code, _, err = cli("check", "--baseline", "masqlint-baseline.json", "--write-baseline", "--no-config", ".")
    assert code == 0 and err == "masqlint: recorded 3 findings in masqlint-baseline.json\n"
    doc = json.loads((tmp_path / "masqlint-baseline.json").read_text())
    assert [(f["rule"], f["path"]) for f in doc["findings"]] == [
        ("MQ201", "clusters/prod/cm.yaml"), ("MQ306", "clusters/prod/cm.yaml"), ("MQ302", "clusters/prod/cm.yaml")]
    code, out, _ = cli("check", "--baseline", "masqlint-baseline.json", "--no-config", ".")
    assert code == 0 and "No problems found; 1 file checked, 1 ip-masq-agent config, 3 suppressed." in out
    # lines added above the old findings, and one new problem
    shifted = OLD.replace("\ndata:\n", "\n# owned by the network team\n# reviewed 2026-11\ndata:\n")
    shifted = shifted.replace("      - 10.1.1.5/24\n", "      - 10.1.1.5/24\n      - 192.168.7.0/24\n")
    write(tmp_path / "clusters" / "prod" / "cm.yaml", shifted)
    code, out, _ = cli("check", "--baseline", "masqlint-baseline.json", "--no-config", "--format", "concise", ".")
    assert code == 1 and out.count("\n") == 1
    assert out.startswith("clusters/prod/cm.yaml:24:9: MQ306 192.168.7.0/24 lies inside 192.168.0.0/16 (line 13)")


def test_the_baseline_can_come_from_settings_and_a_missing_one_is_an_error(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "baseline: .masqlint-baseline.json\n")
    write(tmp_path / "cm.yaml", OLD)
    code, _, err = cli("check", "cm.yaml")
    assert code == 2 and "masqlint: error: .masqlint-baseline.json: cannot read the baseline" in err
    code, _, err = cli("check", "--write-baseline", "cm.yaml")
    assert code == 0 and (tmp_path / ".masqlint-baseline.json").is_file()
    (tmp_path / "sub").mkdir()
    cli.monkeypatch.chdir(tmp_path / "sub")  # the path is relative to the settings file, wherever one runs
    code, out, _ = cli("check", "../cm.yaml")
    assert code == 0 and "3 suppressed" in out


def test_add_noqa_writes_a_comment_with_a_reason_for_each_finding(cli, tmp_path):
    write(tmp_path / "cm.yaml", OLD)
    code, _, err = cli("check", "--no-config", "--add-noqa", "--reason", "known since NET-1234", "cm.yaml")
    assert code == 0 and err == "masqlint: cm.yaml: 3 suppression comments added\n"
    text = (tmp_path / "cm.yaml").read_text()
    assert "    nonMasqueradeCIDRS: # masqlint: disable=MQ201 -- known since NET-1234\n" in text
    assert "      - 10.1.1.5/24 # masqlint: disable=MQ302 -- known since NET-1234\n" in text
    code, out, _ = cli("check", "--no-config", "cm.yaml")
    assert code == 0 and "3 suppressed" in out


def test_add_noqa_falls_back_to_one_comment_when_a_line_cannot_take_one(cli, tmp_path):
    dashes = configmap("10.0.0.0/8").replace("      - 10.0.0.0/8\n", "      – 10.0.0.0/8\n      – 10.1.0.0/16\n")
    write(tmp_path / "cm.yaml", dashes)
    write(tmp_path / "ip-masq-agent.json", '{"nonMasqueradeCIDRs": ["10.0.0.0/8", "10.1.0.0/16"]}\n')
    code, _, err = cli("check", "--no-config", "--add-noqa", "cm.yaml", "ip-masq-agent.json")
    assert code == 1
    assert "masqlint: cm.yaml: 1 suppression comment added" in err
    assert "ip-masq-agent.json: no suppression comment written" in err
    assert (tmp_path / "cm.yaml").read_text().startswith("# masqlint: disable-file=MQ002 -- present when masqlint was adopted\n")
    assert (tmp_path / "ip-masq-agent.json").read_text() == '{"nonMasqueradeCIDRs": ["10.0.0.0/8", "10.1.0.0/16"]}\n'


@pytest.mark.parametrize("example,expected", [("to-be", 0), ("as-is", 1), ("seed-to-be-printed", 1)])
def test_each_bundled_example_passes_or_fails_on_its_own(cli, tmp_path, example, expected):
    shutil.copytree(ROOT / "examples" / example, tmp_path / example)  # copied anywhere, as pre-commit sees it
    code, out, err = cli("check", f"{example}/configmap.yaml")
    assert code == expected, out
    cli.monkeypatch.chdir(tmp_path / example)
    code, out, _ = cli("check", "configmap.yaml")
    assert code == expected, out


def test_the_readme_first_command_fails_only_on_the_pasted_examples(cli, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    code, out, _ = cli("check", "--format", "concise", "examples/")
    assert code == 1
    assert {ln.split("/")[1] for ln in out.splitlines()} == {"as-is", "seed-to-be-printed"}
