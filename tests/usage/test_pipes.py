"""Item 3: what the user names is read: a FIFO or /dev/fd/N (process substitution), held to
--max-file-size; walks never open a FIFO; `-` works for trace and diff."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import pytest

from .conftest import GOOD, ROOT, write

BROKEN = GOOD.replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS")


def masqlint(*args, cwd, shell=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    if shell is not None:
        return subprocess.run(["bash", "-c", shell], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    return subprocess.run([sys.executable, "-m", "masqlint", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(shutil.which("bash") is None, reason="process substitution needs bash")
def test_process_substitution_is_read(tmp_path):
    write(tmp_path / "live.yaml", BROKEN)
    py = sys.executable
    r = masqlint(cwd=tmp_path, shell=f"'{py}' -m masqlint check --no-config <(cat live.yaml)")
    assert r.returncode == 1, r.stderr
    assert ":8:5: MQ201 [warning] (target gke) `nonMasqueradeCIDRS` is not spelled" in r.stdout
    assert r.stdout.startswith("/dev/fd/") and r.stderr == ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="process substitution needs bash")
def test_process_substitution_is_held_to_max_file_size(tmp_path):
    write(tmp_path / "live.yaml", BROKEN)
    py = sys.executable
    r = masqlint(cwd=tmp_path, shell=f"'{py}' -m masqlint check --no-config --max-file-size 200 <(cat live.yaml)")
    assert "MQ006 [info] skipped: the stream holds more than --max-file-size 200 bytes" in r.stdout
    assert "MQ201" not in r.stdout


def _feed(fifo, data: bytes):
    def writer():
        with open(fifo, "wb") as fh:
            fh.write(data)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return t


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_on_the_command_line_is_read(cli, tmp_path):
    fifo = tmp_path / "from-cluster.yaml"
    os.mkfifo(fifo)
    t = _feed(fifo, BROKEN.encode())
    code, out, err = cli("check", "--no-config", "from-cluster.yaml")
    t.join(5)
    assert code == 1 and "from-cluster.yaml:8:5: MQ201" in out and err == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_walk_never_opens_a_fifo(cli, tmp_path):
    write(tmp_path / "deploy" / "cm.yaml", BROKEN)
    os.mkfifo(tmp_path / "deploy" / "pipe.yaml")  # nobody writes: opening it would hang the run
    code, out, err = cli("check", "--no-config", "deploy")
    assert code == 1 and "deploy/cm.yaml:8:5: MQ201" in out and "pipe.yaml" not in out + err


def test_trace_reads_standard_input(cli, tmp_path):
    code, out, err = cli("trace", "--no-config", "--dst", "10.2.1.100", "-", stdin=GOOD.encode())
    assert code == 0 and err == ""
    assert out == "- (target gke)\n  10.2.1.100/32: keep pod IP: entry 10.0.0.0/8 on line 9\n"


def test_diff_reads_standard_input_for_one_side(cli, tmp_path):
    write(tmp_path / "old.yaml", GOOD)
    new = GOOD.replace("      - 10.0.0.0/8\n", "")
    code, out, err = cli("diff", "--no-config", "old.yaml", "-", stdin=new.encode())
    assert code == 0 and err == ""
    assert out.startswith("old.yaml → - (target gke)\n")
    assert "now masqueraded (pods reach these with the node IP): 10.0.0.0/8" in out
    code, _, err = cli("diff", "-", "-", stdin=b"")
    assert code == 2 and "standard input for one side only" in err
