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
