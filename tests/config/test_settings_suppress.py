"""Settings files (discovery, validation, scopes, --show-config) and inline suppressions,
checked the way the issue asks for them."""

from __future__ import annotations

import json

import pytest

from masqlint import lint_text
from masqlint.cli.main import main
from masqlint.config.loader import find_settings_for_dir

from conftest import GKE_WITHOUT_10, manifest


def show(path, capsys, *extra):
    assert main(["check", "--show-config", *extra, str(path)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "clusters" / "prod").mkdir(parents=True)
    (tmp_path / "clusters" / "dev" / "team").mkdir(parents=True)
    for d in ("clusters/prod", "clusters/dev/team"):
        (tmp_path / d / "cm.yaml").write_text(manifest(None), encoding="utf-8")
    return tmp_path


# --- discovery ------------------------------------------------------------------------------------------


def test_settings_are_found_upward_and_the_nearest_wins(repo, capsys):
    (repo / ".masqlint.yaml").write_text("target: upstream\n", encoding="utf-8")
    doc = show(repo / "clusters" / "dev" / "team" / "cm.yaml", capsys)
    assert doc["settings-file"] == str(repo / ".masqlint.yaml") and doc["target"] == "upstream"
    assert doc["default-cidrs"] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    (repo / "clusters" / "dev" / ".masqlint.yaml").write_text("target: cilium\n", encoding="utf-8")
    find_settings_for_dir.cache_clear()  # one run reads each settings file once
    doc = show(repo / "clusters" / "dev" / "team" / "cm.yaml", capsys)
    assert doc["target"] == "cilium" and doc["target-behaviour"]["host-bits"] == "mask"
    assert doc["target-behaviour"]["ignored-keys"] == ["cidrLimit", "resyncInterval"]


def test_pyproject_tool_table_and_forced_config(repo, capsys):
    (repo / "pyproject.toml").write_text(
        '[tool.masqlint]\ntarget = "azure"\nmust-masquerade = [{cidr = "10.2.1.100", name = "pe"}]\n', encoding="utf-8")
    doc = show(repo / "clusters" / "prod" / "cm.yaml", capsys)
    assert doc["target"] == "azure" and doc["must-masquerade"] == [{"cidr": "10.2.1.100", "name": "pe"}]
    assert doc["target-behaviour"]["cidr-limit"] == 64 and doc["target-behaviour"]["on-reject"] == "exit"
    forced = repo / "other.yaml"
    forced.write_text("target: gke\nallow-dropped-defaults: [10.0.0.0/8]\n", encoding="utf-8")
    doc = show(repo / "clusters" / "prod" / "cm.yaml", capsys, "--config", str(forced))
    assert doc["target"] == "gke" and doc["allow-dropped-defaults"] == ["10.0.0.0/8"]
    doc = show(repo / "clusters" / "prod" / "cm.yaml", capsys, "--config", str(forced), "--target", "upstream")
    assert doc["target"] == "upstream"  # the command line wins


@pytest.mark.parametrize("text,expected", [
    ("target: calico\n", ":1: invalid setting target: 'calico' is not one of"),
    ("must-masquerade:\n  - {cidr: 10.2.1.300, name: pe}\n", ":2: invalid setting must-masquerade.0.cidr: 10.2.1.300 is not an IP"),
    ("must-not-masquerade:\n  - {name: no cidr}\n", ":2: invalid setting must-not-masquerade.0: 'cidr' is a required property"),
    ("scopes:\n  - files: [a/**]\n    must-masquerade:\n      - {cidr: 10.2.1.100/24}\n",
     ":4: invalid setting scopes.0.must-masquerade.0.cidr: 10.2.1.100/24 has host bits set: write 10.2.1.0/24"),
    ("allow-dropped-defaults: [ten]\n", ":1: invalid setting allow-dropped-defaults.0: ten is not an IP"),
    ("scopes:\n  - files: [a/**]\n    fail-on: error\n", ":3: invalid setting scopes.0.fail-on: "
     "'fail-on' is a top-level setting; it cannot be set here"),
])
def test_invalid_settings_name_the_file_line_and_key(repo, capsys, text, expected):
    (repo / ".masqlint.yaml").write_text(text, encoding="utf-8")
    assert main(["check", str(repo / "clusters" / "prod" / "cm.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{repo / '.masqlint.yaml'}{expected}" in err, err


# --- scopes ---------------------------------------------------------------------------------------------


def test_scopes_set_target_destinations_selection_and_severity_per_glob(repo, capsys):
    (repo / ".masqlint.yaml").write_text(
        "must-masquerade: [{cidr: 10.2.1.100, name: endpoint}]\n"
        "scopes:\n"
        "  - files: ['clusters/prod/**']\n"
        "    severity: {must-masquerade: warning}\n"
        "  - files: ['clusters/dev/**']\n"
        "    target: upstream\n"
        "    ignore: [MQ402]\n",
        encoding="utf-8",
    )
    assert show(repo / "clusters" / "dev" / "team" / "cm.yaml", capsys)["target"] == "upstream"
    assert show(repo / "clusters" / "prod" / "cm.yaml", capsys)["severity"] == {"must-masquerade": "warning"}
    assert main(["check", "--format", "json", str(repo)]) == 1
    found = [(f["path"].split("/clusters/")[1], f["rule"], f["severity"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert found == [("prod/cm.yaml", "MQ402", "warning")]


# --- suppressions ---------------------------------------------------------------------------------------

REDUNDANT = manifest(GKE_WITHOUT_10 + ["10.0.0.0/8", "10.1.1.0/24"])


def _suppressed_run(tmp_path, text, capsys, *extra):
    p = tmp_path / "cm.yaml"
    p.write_text(text, encoding="utf-8")
    main(["check", "--no-config", "--format", "json", *extra, str(p)])
    doc = json.loads(capsys.readouterr().out)
    return [(f["rule"], f["line"]) for f in doc["findings"]], doc["suppressed"]


def test_redundant_entry_is_reported_without_suppression(tmp_path, capsys):
    assert _suppressed_run(tmp_path, REDUNDANT, capsys) == ([("MQ306", 20)], 0)


@pytest.mark.parametrize("edit", [
    ("      - 10.1.1.0/24\n", "      - 10.1.1.0/24  # masqlint: disable=MQ306\n"),
    ("      - 10.1.1.0/24\n", "      - 10.1.1.0/24  # masqlint: disable=redundant-cidr -- kept for the audit trail\n"),
    ("      - 10.1.1.0/24\n", "      # masqlint: disable-next-line=MQ306,redundant-cidr\n      - 10.1.1.0/24\n"),
    ("apiVersion: v1\n", "# masqlint: disable-file=MQ3 -- generated\napiVersion: v1\n"),
    ("      - 10.1.1.0/24\n", "      - 10.1.1.0/24  # masqlint: disable\n"),
])
def test_suppressions_inside_data_config_are_counted_in_json(tmp_path, capsys, edit):
    text = REDUNDANT.replace(*edit)
    assert _suppressed_run(tmp_path, text, capsys) == ([], 1)


def test_unused_suppression_is_reported(tmp_path, capsys):
    text = REDUNDANT.replace("      - 172.16.0.0/12\n", "      - 172.16.0.0/12  # masqlint: disable=MQ306\n")
    found, suppressed = _suppressed_run(tmp_path, text, capsys)
    assert found == [("MQ005", 9), ("MQ306", 20)] and suppressed == 0
    found, _ = _suppressed_run(tmp_path, text, capsys, "--ignore", "MQ005")
    assert found == [("MQ306", 20)]


def test_policy_findings_can_be_suppressed_with_a_reason():
    text = manifest(None).replace("    masqLinkLocal: false\n",
                                  "    # masqlint: disable-next-line=must-masquerade -- firewall opened for pods, INC-42\n"
                                  "    masqLinkLocal: false\n")
    settings = {"must-masquerade": [{"cidr": "10.2.1.100", "name": "pe"}]}
    found = lint_text(text, config=settings)
    assert sorted(f.rule for f in found) == ["MQ005", "MQ402"]  # MQ402 points at the config key, not that line
    text2 = manifest(None).replace("  config: |\n", "  config: |  # masqlint: disable=MQ402 -- firewall opened, INC-42\n")
    assert lint_text(text2, config=settings) == []
