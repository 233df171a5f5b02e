"""Shared test setup and the helpers several test modules use.

tests/ is importable from every test module (``paths``, ``hostile_cli``, and this module's helpers:
``from conftest import configmap, manifest, run_cli``)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from masqlint.cli.main import main  # noqa: E402 - after tests/ is importable

# GKE's default non-masquerade ranges without 10.0.0.0/8 (so that MQ401 has one default to report)
GKE_WITHOUT_10 = ["172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
                  "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4"]


def configmap(config: str) -> str:
    """A kube-system/ip-masq-agent ConfigMap whose data.config block holds ``config``."""
    body = "".join(f"    {line}\n" for line in config.splitlines())
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            f"data:\n  config: |\n{body}")


def manifest(cidrs=None, extra: str = "masqLinkLocal: false\n", name: str = "ip-masq-agent",
             namespace: str | None = "kube-system") -> str:
    """An ip-masq-agent ConfigMap listing ``cidrs`` (None: no nonMasqueradeCIDRs key), then ``extra``."""
    lines = []
    if cidrs is not None:
        lines.append("nonMasqueradeCIDRs:")
        lines += [f"  - {c}" for c in cidrs]
    lines += extra.splitlines()
    body = "".join(f"    {ln}\n" for ln in lines)
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{ns}data:\n  config: |\n{body}"


POLICY = """\
apiVersion: networking.gke.io/v1
kind: EgressNATPolicy
metadata:
  name: {name}
spec:
  action: {action}
  destinations:
{dests}"""


def policy(name="default", action="NoSNAT", dests=("10.0.0.0/8",)) -> str:
    """A GKE EgressNATPolicy (Autopilot's SNAT settings) with these destinations."""
    return POLICY.format(name=name, action=action, dests="".join(f"  - cidr: {d}\n" for d in dests))


def run_cli(args, capsys, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """``masqlint ARGS`` in this process: (exit code, standard output, standard error)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(ARGS, stdin=None)`` → (exit code, stdout, stderr) of ``masqlint ARGS`` in this process."""
    return lambda args, stdin=None: run_cli(args, capsys, stdin, monkeypatch)
