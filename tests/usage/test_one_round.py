"""Item 7: everything in one round: a blocking finding does not hide the rest while the config is
readable; the fixable count is what --fix fixes; `--fix -` prints what is left on stderr."""

from __future__ import annotations

from .conftest import write

WRONG_KEY = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  ip-masq-agent.conf: |
    nonMasqueradeCIDRS:
      - 10.0.0.0/8
      - 10.1.0.0/16
      - 10.1.1.5/24
    resyncInterval: 60s
"""

BAD_DURATION = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRS:
      - 10.0.0.0/8
      - 10.1.0.0/16
    masqLinkLocal: yes
    resyncInterval: 1min
"""


def _rules(out):
    return [(ln.split(":")[1], ln.split(" ")[1]) for ln in out.splitlines() if ln.count(":") >= 3]


def test_a_config_under_the_wrong_data_key_is_still_checked(cli, tmp_path):
    write(tmp_path / "cm.yaml", WRONG_KEY)
    code, out, _ = cli("check", "--no-config", "--format", "concise", "cm.yaml")
    assert code == 1
    assert _rules(out) == [("7", "MQ102"), ("8", "MQ201"), ("10", "MQ306"), ("11", "MQ302")]
    assert "cm.yaml:11:9: MQ302 once `ip-masq-agent.conf` is renamed to `config`: 10.1.1.5/24 has host bits set" in out
    assert "the agent falls back to its defaults" in out  # what the agent does today


def test_a_bad_duration_does_not_hide_the_other_rules(cli, tmp_path):
    write(tmp_path / "cm.yaml", BAD_DURATION)
    code, out, _ = cli("check", "--no-config", "--format", "concise", "cm.yaml")
    assert code == 1
    rules = [r for _, r in _rules(out)]
    assert {"MQ205", "MQ201", "MQ306", "MQ208", "MQ406"} <= set(rules), out


# en dashes hide the list from YAML; once they are fixed, the duplicate and the redundant entry show
DASHES = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      – 10.0.0.0/8
      – 10.0.0.0/8
      - 10.1.0.0/16
    masqLinkLocal: no
"""


def test_the_fixable_count_is_what_fix_then_fixes(cli, tmp_path):
    write(tmp_path / "cm.yaml", DASHES)
    code, out, _ = cli("check", "--no-config", "cm.yaml")
    promised = int(out.rsplit("[*] ", 1)[1].split()[0])
    code, _, err = cli("check", "--no-config", "--fix", "cm.yaml")
    assert f"Fixed {promised} problems." in err and promised == 5
    fixed = (tmp_path / "cm.yaml").read_text()
    assert "–" not in fixed and fixed.count("10.0.0.0/8") == 1 and "10.1.0.0/16" not in fixed
    code, out, _ = cli("check", "--no-config", "cm.yaml")
    assert "fixable" not in out  # nothing left for a second round


def test_fix_on_stdin_prints_the_fixed_text_and_what_is_left_on_stderr(cli, tmp_path):
    bad = DASHES.replace("masqLinkLocal: no\n", "masqLinkLocal: no\n    resyncInterval: 1min\n")
    code, out, err = cli("check", "--no-config", "--fix", "-", stdin=bad.encode())
    assert code == 1
    assert out.startswith("apiVersion: v1\n") and "      - 10.0.0.0/8\n    masqLinkLocal: false\n" in out
    assert "MQ205" not in out  # on stderr, at the lines of the fixed text printed on stdout
    assert "-:11:21: MQ205 [error] (target gke) resyncInterval \"1min\" is not a Go duration" in err
    assert "Fixed 5 problems." in err
