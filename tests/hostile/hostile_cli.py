"""Running the real command line on hostile input: a subprocess with a hard time limit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import configmap
from paths import REPO

TIMEOUT = 20  # seconds; every check here should take well under a few

FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rule>MQ\d{3}) (?P<message>.*)$")
ERROR = re.compile(r"^masqlint: error: (?P<message>.+)$")

# A file every run also checks: its one known finding proves the others were still checked.
CONTROL_NAME = "control.yaml"
CONTROL = configmap("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - 10.1.1.5/24\n")
CONTROL_FINDING = ("control.yaml", 10, 9, "MQ302")


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def findings(self) -> list[tuple[str, int, int, str, str]]:
        found = []
        for line in self.out.splitlines():
            m = FINDING.match(line)
            if m:
                found.append((m["path"], int(m["line"]), int(m["col"]), m["rule"], m["message"]))
        return found

    def found(self, path: str, rule: str | None = None) -> list[tuple[str, int, int, str, str]]:
        return [f for f in self.findings if f[0] == path and (rule is None or f[3] == rule)]

    @property
    def errors(self) -> list[str]:
        return [m["message"] for m in map(ERROR.match, self.err.splitlines()) if m]


def _drop_root_file_override():
    """In the child, before exec: give up root's power to read any file (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH), so that a chmod 000 file is unreadable as it is for a user."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(97)


def run(args, cwd, *, timeout: float = TIMEOUT, permissions_apply: bool = False, stdin: bytes | None = None) -> Result:
    """``masqlint ARGS`` in ``cwd``; fails the test if it does not finish within ``timeout``.

    ``permissions_apply``: file modes bind the process even when the tests run as root."""
    env = {k: v for k, v in os.environ.items() if k not in ("MASQLINT_DEBUG", "GITHUB_ACTIONS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(REPO)
    env["NO_COLOR"] = "1"
    preexec = _drop_root_file_override if permissions_apply and os.geteuid() == 0 else None
    proc = subprocess.run(
        [sys.executable, "-m", "masqlint", *map(str, args)],
        cwd=str(cwd), env=env, input=stdin, capture_output=True, timeout=timeout, preexec_fn=preexec,
    )
    if proc.returncode == 97 and preexec is not None:
        import pytest

        pytest.skip("cannot drop root's file-permission override here")
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def check(args, cwd, **kw) -> Result:
    """``masqlint check --no-config --format concise ARGS`` with the common sanity assertions:
    it ended by itself (no signal), printed no traceback, and every stderr line is one
    ``masqlint: error: …`` line."""
    res = run(["check", "--no-config", "--format", "concise", *args], cwd, **kw)
    assert res.rc >= 0, f"killed by signal {-res.rc}: {res.err[-2000:]}"
    assert "Traceback" not in res.out + res.err, res.err[-4000:]
    assert "internal error" not in res.err, res.err
    for line in res.err.splitlines():
        assert ERROR.match(line) or re.match(r"^Fixed \d+ problems?\.$", line), f"unexpected stderr line: {line!r}"
    return res


def with_control(tmp: Path) -> Path:
    (tmp / CONTROL_NAME).write_text(CONTROL)
    return tmp / CONTROL_NAME


def assert_control_checked(res: Result, prefix: str = "") -> None:
    path, line, col, rule = CONTROL_FINDING
    assert res.found(prefix + path, rule) and res.found(prefix + path, rule)[0][1:3] == (line, col), res.out[-3000:]
