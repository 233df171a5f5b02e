"""Fixes never lose data: atomic writes keeping mode bits, no overwrite of a file changed
since it was read, symlinks kept, idempotence, CRLF and BOM kept, every fix in one pass."""

from __future__ import annotations

import os
import stat

import pytest
from hostile_cli import check, configmap

from masqlint.pipeline import fix, runner
from masqlint.config.settings import Settings

# Three safe fixes in one config: key casing (MQ201), a duplicate entry (MQ305), a YAML 1.1
# boolean (MQ208).
MULTI = configmap(
    "nonMasqueradeCIDRS:\n"
    "  - 10.1.0.0/16\n"
    "  - 10.1.0.0/16\n"
    "  - 172.16.0.0/12\n"
    "masqLinkLocal: yes\n"
)
FIXED = configmap(
    "nonMasqueradeCIDRs:\n"
    "  - 10.1.0.0/16\n"
    "  - 172.16.0.0/12\n"
    "masqLinkLocal: true\n"
)
FIXABLE = {"MQ201", "MQ305", "MQ208"}


def _fixable(res, path):
    return {f[3] for f in res.found(path)} & FIXABLE


# --- write_atomic --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_write_atomic_replaces_the_file_and_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "cm.yaml"
    target.write_bytes(b"old\n")
    target.chmod(mode)
    before = target.stat().st_ino
    fix.write_atomic(str(target), b"new\n", b"old\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.stat().st_ino != before  # a new file renamed into place, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.yaml"]  # no temporary left behind


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path):
    target = tmp_path / "cm.yaml"
    target.write_bytes(b"someone else's edit\n")
    with pytest.raises(fix.ChangedOnDisk):
        fix.write_atomic(str(target), b"fixed\n", b"what was linted\n")
    assert target.read_bytes() == b"someone else's edit\n"
    # a longer file that merely starts with the linted bytes is a change too
    target.write_bytes(b"what was linted\nand more\n")
    with pytest.raises(fix.ChangedOnDisk):
        fix.write_atomic(str(target), b"fixed\n", b"what was linted\n")
    assert target.read_bytes() == b"what was linted\nand more\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.yaml"]


def test_write_atomic_refuses_a_path_that_became_a_fifo(tmp_path):
    target = tmp_path / "cm.yaml"
    os.mkfifo(target)
    with pytest.raises(fix.ChangedOnDisk):  # and does not block opening it
        fix.write_atomic(str(target), b"fixed\n", b"linted\n")
    assert stat.S_ISFIFO(target.stat().st_mode)


def test_write_atomic_writes_through_a_symlink_and_keeps_it(tmp_path):
    (tmp_path / "real.yaml").write_bytes(b"old\n")
    os.symlink("real.yaml", tmp_path / "link.yaml")
    fix.write_atomic(str(tmp_path / "link.yaml"), b"new\n", b"old\n")
    assert os.readlink(tmp_path / "link.yaml") == "real.yaml"
    assert (tmp_path / "real.yaml").read_bytes() == b"new\n"


# --- the runner's fix path -------------------------------------------------------------------------


def test_runner_does_not_overwrite_a_file_changed_after_it_was_read(tmp_path, monkeypatch):
    target = tmp_path / "cm.yaml"
    target.write_text(MULTI)
    edited = MULTI.replace("172.16.0.0/12", "192.168.0.0/16")
    real_read = runner.read_candidate

    def read_then_someone_edits(*args, **kwargs):
        out = real_read(*args, **kwargs)
        target.write_text(edited)  # after masqlint read it, before it writes the fix
        return out

    monkeypatch.setattr(runner, "read_candidate", read_then_someone_edits)
    opts = runner.Options(base=Settings(), use_config_files=False, fix=True)
    out = runner.process("cm.yaml", str(target), True, opts)
    assert out.error == "cm.yaml changed on disk since it was read; not overwritten"
    assert target.read_text() == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.yaml"]


# --- the command line ------------------------------------------------------------------------------


def test_fix_applies_every_fix_in_one_pass_and_twice_is_a_no_op(tmp_path):
    target = tmp_path / "cm.yaml"
    target.write_text(MULTI)
    target.chmod(0o640)
    assert _fixable(check(["cm.yaml"], tmp_path), "cm.yaml") == FIXABLE
    res = check(["--fix", "cm.yaml"], tmp_path)
    assert "Fixed 3 problems." in res.err
    assert target.read_text() == FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _fixable(res, "cm.yaml") == set()  # re-checked after fixing: nothing fixable is left
    after = target.read_bytes(), target.stat().st_ino
    res = check(["--fix", "cm.yaml"], tmp_path)
    assert "Fixed" not in res.err
    assert (target.read_bytes(), target.stat().st_ino) == after  # not even rewritten
    assert check(["--diff", "cm.yaml"], tmp_path).out == ""


def test_fix_keeps_crlf_and_bom(tmp_path):
    target = tmp_path / "cm.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + MULTI.replace("\n", "\r\n").encode())
    res = check(["--fix", "cm.yaml"], tmp_path)
    assert "Fixed 3 problems." in res.err
    assert target.read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()


def test_fix_keeps_utf16(tmp_path):
    target = tmp_path / "cm.yaml"
    target.write_bytes(b"\xff\xfe" + MULTI.encode("utf-16-le"))
    check(["--fix", "cm.yaml"], tmp_path)
    assert target.read_bytes() == b"\xff\xfe" + FIXED.encode("utf-16-le")


def test_fix_through_a_symlink_keeps_the_link(tmp_path):
    (tmp_path / "real.yaml").write_text(MULTI)
    os.symlink("real.yaml", tmp_path / "link.yaml")
    res = check(["--fix", "link.yaml"], tmp_path)
    assert "Fixed 3 problems." in res.err
    assert os.path.islink(tmp_path / "link.yaml") and os.readlink(tmp_path / "link.yaml") == "real.yaml"
    assert (tmp_path / "real.yaml").read_text() == FIXED


def test_fix_leaves_files_it_cannot_parse_untouched(tmp_path):
    broken = configmap("nonMasqueradeCIDRS: [10.1.0.0/16, 10.1.0.0/16\n").encode() + b"\xff"
    (tmp_path / "broken.yaml").write_bytes(broken)
    (tmp_path / "cm.yaml").write_text(MULTI)
    res = check(["--fix", "broken.yaml", "cm.yaml"], tmp_path)
    assert (tmp_path / "broken.yaml").read_bytes() == broken
    assert (tmp_path / "cm.yaml").read_text() == FIXED
    assert "Fixed 3 problems." in res.err
