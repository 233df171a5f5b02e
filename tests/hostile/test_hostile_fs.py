"""Hostile file systems through the real command line: unreadable and vanishing files,
directories named like files, FIFOs and devices, symlink loops and links leaving the tree."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from hostile_cli import CONTROL, REPO, TIMEOUT, assert_control_checked, check, configmap, with_control

HOST_BITS = configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n")  # MQ302 at 8:26


def test_unreadable_file(tmp_path):
    with_control(tmp_path)
    locked = tmp_path / "locked.yaml"
    locked.write_text(HOST_BITS)
    locked.chmod(0)
    try:
        res = check(["locked.yaml", "control.yaml"], tmp_path, permissions_apply=True)
    finally:
        locked.chmod(0o644)
    assert res.rc == 2
    assert res.errors == ["locked.yaml: cannot read: Permission denied"]
    assert res.found("locked.yaml") == []
    assert_control_checked(res)


def test_unreadable_file_found_by_walking_a_directory(tmp_path):
    (tmp_path / "tree").mkdir()
    with_control(tmp_path / "tree")
    locked = tmp_path / "tree" / "locked.yaml"
    locked.write_text(HOST_BITS)
    locked.chmod(0)
    try:
        res = check(["tree"], tmp_path, permissions_apply=True)
    finally:
        locked.chmod(0o644)
    assert res.rc == 2 and res.errors == ["tree/locked.yaml: cannot read: Permission denied"]
    assert_control_checked(res, "tree/")


def test_a_path_that_does_not_exist(tmp_path):
    with_control(tmp_path)
    res = check(["gone.yaml", "control.yaml"], tmp_path)
    assert res.rc == 2 and res.errors == ["gone.yaml: cannot read: No such file or directory"]
    assert_control_checked(res)


def test_a_file_that_vanishes_between_discovery_and_reading(tmp_path, monkeypatch):
    from masqlint.pipeline import runner
    from masqlint.pipeline.discover import discover
    from masqlint.config.settings import Settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a-vanishing.yaml").write_text(HOST_BITS)
    (tmp_path / "tree" / "b-staying.yaml").write_text(HOST_BITS)
    candidates = list(discover(["tree"]))
    assert [c.display for c in candidates] == ["tree/a-vanishing.yaml", "tree/b-staying.yaml"]
    (tmp_path / "tree" / "a-vanishing.yaml").unlink()
    result, outcomes = runner.run(candidates, runner.Options(base=Settings(), use_config_files=False))
    assert outcomes[0].error == "tree/a-vanishing.yaml: cannot read: No such file or directory"
    assert outcomes[0].result.findings == []
    assert "MQ302" in [f.rule for f in outcomes[1].result.findings]
    # the same in one call of process(): a path gone since it was listed
    out = runner.process("tree/a-vanishing.yaml", "tree/a-vanishing.yaml", False, runner.Options(base=Settings(), use_config_files=False))
    assert out.error == "tree/a-vanishing.yaml: cannot read: No such file or directory"


def test_a_directory_named_like_a_yaml_file(tmp_path):
    with_control(tmp_path)
    (tmp_path / "x.yaml").mkdir()
    (tmp_path / "x.yaml" / "inner.yaml").write_text(HOST_BITS)
    res = check(["x.yaml", "control.yaml"], tmp_path)  # named on the command line: walked
    assert res.rc == 1 and res.errors == []
    assert [(f[1], f[2]) for f in res.found("x.yaml/inner.yaml", "MQ302")] == [(8, 26)]
    res = check(["."], tmp_path)  # met while walking: walked too
    assert res.rc == 1 and res.errors == []
    assert [(f[1], f[2]) for f in res.found("x.yaml/inner.yaml", "MQ302")] == [(8, 26)]
    assert_control_checked(res, "")


def test_fifos_and_devices_are_never_opened(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: the run must not wait."""
    (tmp_path / "tree").mkdir()
    with_control(tmp_path / "tree")
    os.mkfifo(tmp_path / "tree" / "pipe.yaml")
    os.symlink("/dev/zero", tmp_path / "tree" / "zero.yaml")
    res = check(["tree"], tmp_path)
    assert res.rc == 1 and res.errors == []  # met while walking: skipped quietly
    assert_control_checked(res, "tree/")
    res = check(["--follow-symlinks", "tree"], tmp_path)
    assert res.rc == 1 and res.errors == []
    assert_control_checked(res, "tree/")
    res = check(["tree/zero.yaml", "/dev/zero", "tree/control.yaml"], tmp_path)
    assert res.rc == 2  # devices named on the command line: each one reported, none opened
    assert res.errors == [  # (a FIFO named there is read, as `<(kubectl get …)` is: tests/usage/test_pipes.py)
        "tree/zero.yaml: not a regular file (device or socket): not opened",
        "/dev/zero: not a regular file (device or socket): not opened",
    ]
    assert_control_checked(res, "tree/")


def test_a_path_that_becomes_a_fifo_after_it_was_listed_is_not_waited_on(tmp_path):
    """The stat said regular file; by the time it is opened it is a FIFO with no writer."""
    os.mkfifo(tmp_path / "pipe.yaml")
    regular = tmp_path / "regular.yaml"
    regular.write_text(HOST_BITS)
    script = textwrap.dedent(f"""
        import os
        from masqlint.pipeline import runner
        from masqlint.config.settings import Settings
        real_stat = os.stat
        runner.os.stat = lambda p, *a, **k: real_stat({str(regular)!r}) if p == {str(tmp_path / "pipe.yaml")!r} else real_stat(p, *a, **k)
        data, out = runner.read_candidate("pipe.yaml", {str(tmp_path / "pipe.yaml")!r}, Settings(), runner.Options())
        print(data, out.error)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "None pipe.yaml: not a regular file; not read"


def _tree_with_links(tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    with_control(tree)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "out.yaml").write_text(HOST_BITS)
    os.symlink("..", tree / "sub" / "loop")  # a directory loop
    os.symlink("self.yaml", tree / "self.yaml")  # a link to itself
    os.symlink("ping.yaml", tree / "pong.yaml")
    os.symlink("pong.yaml", tree / "ping.yaml")
    os.symlink("../outside/out.yaml", tree / "link-out.yaml")  # leaves the tree
    os.symlink("../outside", tree / "outdir")
    return tree


def test_symlinks_are_not_followed_by_default(tmp_path):
    _tree_with_links(tmp_path)
    res = check(["tree"], tmp_path)
    assert res.rc == 1 and res.errors == []
    assert {f[0] for f in res.findings} == {"tree/control.yaml"}
    assert_control_checked(res, "tree/")


def test_follow_symlinks_follows_links_out_of_the_tree_but_never_loops(tmp_path):
    _tree_with_links(tmp_path)
    res = check(["--follow-symlinks", "tree"], tmp_path)
    assert res.rc == 1 and res.errors == []
    assert [(f[1], f[2]) for f in res.found("tree/link-out.yaml", "MQ302")] == [(8, 26)]
    assert [(f[1], f[2]) for f in res.found("tree/outdir/out.yaml", "MQ302")] == [(8, 26)]
    # the loop back to the tree is not walked a second time
    assert not [f for f in res.findings if "/loop/" in f[0]]
    assert_control_checked(res, "tree/")


def test_a_link_out_of_the_tree_named_on_the_command_line_is_followed_only_when_asked(tmp_path):
    tree = _tree_with_links(tmp_path)
    os.symlink("control.yaml", tree / "inside.yaml")  # a link within the tree is read as its target
    res = check(["link-out.yaml", "inside.yaml"], tree)
    assert res.rc == 2
    assert res.errors == ["link-out.yaml: a symbolic link to a file outside the checked tree: not followed "
                          "(--follow-symlinks follows it)"]
    assert [(f[1], f[2]) for f in res.found("inside.yaml", "MQ302")] == [(10, 9)]
    res = check(["--follow-symlinks", "link-out.yaml"], tree)
    assert res.rc == 1 and res.errors == []
    assert [(f[1], f[2]) for f in res.found("link-out.yaml", "MQ302")] == [(8, 26)]


@pytest.mark.parametrize("follow", [[], ["--follow-symlinks"]], ids=["default", "follow"])
def test_a_symlink_loop_named_on_the_command_line(tmp_path, follow):
    _tree_with_links(tmp_path)
    res = check([*follow, "tree/self.yaml", "tree/ping.yaml", "tree/control.yaml"], tmp_path)
    assert res.rc == 2
    assert len(res.errors) == 2 and all(e.startswith(("tree/self.yaml: ", "tree/ping.yaml: ")) for e in res.errors)
    assert_control_checked(res, "tree/")


def test_control_is_what_it_claims(tmp_path):
    """The control file alone: its one known finding, nothing else wrong."""
    (tmp_path / "control.yaml").write_text(CONTROL)
    res = check(["control.yaml"], tmp_path)
    assert res.rc == 1 and res.errors == []
    assert_control_checked(res)
