"""Item 1: what cannot be right is refused (exit 2) with a "did you mean", never run in silence."""

from __future__ import annotations

from .conftest import configmap, write

CASING = configmap("10.0.0.0/8").replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS")


def test_an_unknown_rule_id_in_select_is_refused_with_a_suggestion(cli, tmp_path):
    write(tmp_path / "cm.yaml", CASING)
    code, out, err = cli("check", "--no-config", "--select", "MQ999", "cm.yaml")
    assert code == 2 and out == ""
    assert err == "masqlint: error: --select: unknown rule 'MQ999'; did you mean 'MQ409'?\n"


def test_a_misspelt_rule_name_in_ignore_is_refused(cli, tmp_path):
    write(tmp_path / "cm.yaml", CASING)
    code, _, err = cli("check", "--no-config", "--ignore", "MQ401,key-casng", "cm.yaml")
    assert code == 2 and "--ignore: unknown rule 'key-casng'; did you mean 'key-casing'?" in err


def test_prefixes_names_and_all_are_still_accepted(cli, tmp_path):
    write(tmp_path / "cm.yaml", CASING)
    code, out, err = cli("check", "--no-config", "--select", "MQ2,mergeable-cidrs,ALL", "--ignore", "mq3,MQ4",
                         "--severity", "key-casing=info", "--fail-on", "warning", "cm.yaml")
    assert err == "" and code == 0 and "MQ201 [info]" in out


def test_an_unknown_severity_override_is_refused(cli, tmp_path):
    write(tmp_path / "cm.yaml", CASING)
    code, _, err = cli("check", "--no-config", "--severity", "MQ3077=warning", "cm.yaml")
    assert code == 2 and "--severity: unknown rule 'MQ3077'" in err


def test_a_settings_file_ignoring_a_misspelt_rule_names_its_line(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "target: gke\nignore:\n  - MQ401\n  - key-casng\n")
    write(tmp_path / "cm.yaml", CASING)
    code, out, err = cli("check", "cm.yaml")
    assert code == 2 and out == ""
    assert err == ("masqlint: error: .masqlint.yaml:4: invalid setting ignore.1: unknown rule 'key-casng'; "
                   "did you mean 'key-casing'?\n")


def test_a_misspelt_rule_in_a_scope_severity_is_refused(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "scopes:\n  - files: ['prod/**']\n    severity:\n      redundant-cdr: info\n")
    write(tmp_path / "prod" / "cm.yaml", CASING)
    code, _, err = cli("check", ".")
    assert code == 2 and ".masqlint.yaml:4: invalid setting scopes.0.severity.redundant-cdr" in err
    assert "did you mean 'redundant-cidr'?" in err


def test_a_misspelt_settings_key_is_named_at_its_line_with_the_right_spelling(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "# team settings\ntarget: gke\nfail_on: error\n")
    write(tmp_path / "cm.yaml", CASING)
    code, _, err = cli("check", "cm.yaml")
    assert code == 2
    assert err == "masqlint: error: .masqlint.yaml:3: invalid setting fail_on: unknown key 'fail_on'; did you mean 'fail-on'?\n"


def test_a_misspelt_key_in_pyproject_is_named_at_its_line(cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.masqlint]\ntarget = "gke"\nallow-dropped-default = []\n')
    write(tmp_path / "cm.yaml", CASING)
    code, _, err = cli("check", "cm.yaml")
    assert code == 2 and "pyproject.toml:6: invalid setting allow-dropped-default" in err
    assert "did you mean 'allow-dropped-defaults'?" in err


def test_show_config_spells_keys_as_settings_do_and_names_the_real_file(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "fail-on: error\nallow-dropped-defaults: [10.0.0.0/8]\n")
    code, out, _ = cli("check", "--show-config", ".")
    import json

    doc = json.loads(out)
    assert code == 0 and doc["settings-file"] == str(tmp_path / ".masqlint.yaml")
    assert doc["fail-on"] == "error" and doc["allow-dropped-defaults"] == ["10.0.0.0/8"]
    assert not [k for k in doc if "_" in k] and not [k for k in doc["agent-flags"] if "_" in k]


def test_a_mistyped_subcommand_is_not_taken_for_a_path(cli, tmp_path):
    write(tmp_path / "cm.yaml", CASING)
    code, out, err = cli("chek", "cm.yaml")
    assert code == 2 and out == ""
    assert err == "masqlint: error: unknown command 'chek'; did you mean `masqlint check`? (a path to check must exist)\n"


def test_a_path_named_like_a_subcommand_is_still_checked(cli, tmp_path):
    write(tmp_path / "rendr", CASING)  # a file that happens to look like a command
    code, out, _ = cli("rendr")
    assert code == 1 and "rendr:8:5: MQ201" in out
