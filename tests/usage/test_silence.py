"""Item 2: a run never passes in silence: scopes that match nothing, no config found, and no
summary line beside an error that ended the run."""

from __future__ import annotations

from conftest import GKE_WITHOUT_10, policy

from .conftest import GOOD, write

SCOPED = """# production clusters must keep the pod range
scopes:
  - files: ["clusters/prd/**"]
    must-not-masquerade:
      - {cidr: 100.64.0.0/16, name: pod range}
"""


def test_a_scope_glob_that_matches_no_checked_file_is_named(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", SCOPED)
    write(tmp_path / "clusters" / "prod" / "ip-masq-agent.yaml", GOOD)
    code, out, err = cli("check", "clusters")
    assert code == 0 and "No problems found; 1 file checked, 1 ip-masq-agent config." in out
    assert err == ("masqlint: warning: .masqlint.yaml: scope glob 'clusters/prd/**' matches none of the 1 file "
                   "checked, so its settings apply to nothing\n")


def test_a_scope_that_matches_says_nothing(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", SCOPED.replace("prd", "prod"))
    write(tmp_path / "clusters" / "prod" / "ip-masq-agent.yaml", GOOD)
    code, out, err = cli("check", ".")
    assert err == "" and code == 0


def test_no_config_found_is_a_warning_and_require_config_fails(cli, tmp_path):
    write(tmp_path / "deploy" / "values.yaml", "replicaCount: 2\nimage: {repository: nginx, tag: '1.25'}\n")
    code, out, err = cli("check", "deploy")
    assert code == 0 and "0 ip-masq-agent configs" in out
    assert err.startswith("masqlint: warning: no ip-masq-agent config found in the 1 file checked")
    code, _, err = cli("check", "--require-config", "deploy")
    assert code == 1 and "no ip-masq-agent config found" in err
    write(tmp_path / "deploy" / "ip-masq-agent.yaml", GOOD)
    code, _, err = cli("check", "--require-config", "deploy")
    assert code == 0 and err == ""


def test_an_egressnatpolicy_is_what_an_autopilot_repository_holds_so_nothing_is_missing(cli, tmp_path):
    write(tmp_path / "autopilot" / "egress-nat.yaml", policy(dests=["10.0.0.0/8", "172.16.0.0/12", *GKE_WITHOUT_10[1:]]))
    write(tmp_path / "autopilot" / "values.yaml", "replicaCount: 2\n")
    code, out, err = cli("check", "--require-config", "autopilot")
    assert code == 0 and err == ""
    assert "No problems found; 2 files checked, 0 ip-masq-agent configs, 1 EgressNATPolicy." in out
    write(tmp_path / "autopilot" / "more.yaml", policy(name="second"))
    code, out, err = cli("check", "autopilot")
    assert "3 files checked, 0 ip-masq-agent configs, 2 EgressNATPolicies." in out


def test_no_summary_line_beside_an_error_that_ended_the_run(cli, tmp_path):
    code, out, err = cli("check", "nope")
    assert code == 2 and out == ""
    assert err == "masqlint: error: nope: cannot read: No such file or directory\n"


def test_findings_of_the_readable_files_are_still_printed_beside_the_error(cli, tmp_path):
    write(tmp_path / "cm.yaml", GOOD.replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS"))
    code, out, err = cli("check", "cm.yaml", "nope")
    assert code == 2 and "cm.yaml:8:5: MQ201" in out
    assert "problems found" not in out.lower() and "checked" not in out
    assert "nope: cannot read" in err and "warning" not in err


def test_settings_exclude_is_applied_to_the_walk(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", "exclude: [vendor/**]\n")
    write(tmp_path / "vendor" / "upstream" / "ip-masq-agent.yaml", GOOD.replace("10.0.0.0/8", "10.0.0.5/8"))
    write(tmp_path / "clusters" / "ip-masq-agent.yaml", GOOD)
    code, out, err = cli("check", ".")
    assert code == 0 and "vendor" not in out and "1 ip-masq-agent config" in out


def test_a_scope_glob_matching_nothing_is_named_for_a_named_file_and_a_pooled_tree(cli, tmp_path):
    write(tmp_path / ".masqlint.yaml", SCOPED)
    write(tmp_path / "clusters" / "prod" / "ip-masq-agent.yaml", GOOD)
    warning = "scope glob 'clusters/prd/**' matches none of the"
    _, _, err = cli("check", "clusters/prod/ip-masq-agent.yaml")
    assert warning in err
    for i in range(150):  # enough files for worker processes
        write(tmp_path / "clusters" / "prod" / "apps" / f"svc-{i:03d}.yaml", "apiVersion: v1\nkind: Service\n")
    _, _, err = cli("check", "--jobs", "2", "clusters")
    assert warning + " 151 files checked" in err
