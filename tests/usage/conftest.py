"""The command line as a newcomer meets it: each test runs `masqlint` through its entry point in
a repository laid out the way people lay theirs out."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from masqlint.cli.main import main
from masqlint.config.loader import find_settings_for_dir

ROOT = Path(__file__).resolve().parents[2]

GKE_DEFAULTS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
                "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4"]


def configmap(*cidrs: str, extra: str = "") -> str:
    items = "".join(f"      - {c}\n" for c in cidrs)
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            "data:\n  config: |\n    nonMasqueradeCIDRs:\n" + items + "    masqLinkLocal: false\n"
            "    resyncInterval: 60s\n" + extra)


GOOD = configmap(*GKE_DEFAULTS)


class Cli:
    def __init__(self, capsys, monkeypatch):
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args, stdin: bytes | None = None):
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        find_settings_for_dir.cache_clear()
        code = main([str(a) for a in args])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """`masqlint ARGS…` run in a fresh repository (the working directory is ``tmp_path``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return Cli(capsys, monkeypatch)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
