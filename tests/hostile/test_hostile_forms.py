"""Hostile Markdown pages and kustomizations through the real command line: a finding or a skip,
within a hard time limit, never a traceback, never a read outside the repository, the other
files still checked. Nothing is ever executed (no kustomize binary exists in these runs)."""

from __future__ import annotations

import os

from hostile_cli import assert_control_checked, check, with_control

FENCE = "```yaml\nnonMasqueradeCIDRs:\n  - 10.1.1.5/24\n```\n"


def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    with_control(tmp_path)
    return tmp_path


def test_unterminated_fence_runs_to_the_end_of_the_page(tmp_path):
    repo(tmp_path)
    (tmp_path / "open.md").write_text("# Notes\n\n```yaml\nnonMasqueradeCIDRs:\n  - 10.1.1.5/24\n")
    res = check(["open.md", "control.yaml"], tmp_path)
    assert [f[:4] for f in res.found("open.md")] == [("open.md", 5, 5, "MQ302")]
    assert_control_checked(res)


def test_unterminated_fence_inside_a_blockquote_and_a_list(tmp_path):
    repo(tmp_path)
    (tmp_path / "q.md").write_text("> ```yaml\n> nonMasqueradeCIDRs:\n>   - 10.1.1.5/24\n\n- ```\n  masqLinkLocal: yes\n")
    res = check(["q.md", "control.yaml"], tmp_path)
    assert {f[1:4] for f in res.found("q.md")} == {(3, 7, "MQ302"), (6, 18, "MQ208"), (6, 18, "MQ406")}
    assert_control_checked(res)


def test_a_five_megabyte_page_of_fifty_thousand_fences(tmp_path):
    repo(tmp_path)
    parts = []
    for i in range(50_000):
        parts.append(f"Step {i:05d}: apply the next range on a node pool.\n\n"
                     f"```yaml\nnonMasqueradeCIDRs:\n  - 10.{i // 256 % 256}.{i % 256}.0/24\n```\n\n")
    page = "".join(parts)
    assert 5_000_000 < len(page) < 5 * 1024 * 1024
    (tmp_path / "big.md").write_text(page)
    res = check(["big.md", "control.yaml"], tmp_path, timeout=120)
    skipped = res.found("big.md", "MQ006")
    assert len(skipped) == 1 and "49,800 more fences" in skipped[0][4]
    assert len(res.found("big.md", "MQ401")) == 200  # the first 200 fences are checked
    assert_control_checked(res)


def test_nul_and_binary_bytes_in_a_page(tmp_path):
    repo(tmp_path)
    (tmp_path / "nul.md").write_bytes(b"# masq\n\n```yaml\nnonMasqueradeCIDRs: [10.0.0.0/8]\x00\n```\n")
    (tmp_path / "bin.md").write_bytes(b"```yaml\nnonMasqueradeCIDRs: [10.0.0.0/8]\n```\n\xff\xfe\x00\x01masq\x80\x81")
    res = check(["nul.md", "bin.md", "control.yaml"], tmp_path)
    nul = res.found("nul.md")
    assert [f[3] for f in nul] == ["MQ001"] and nul[0][1] in (3, 4)  # the fence line, or the NUL itself
    assert [f[1:4] for f in res.found("bin.md")] == [(4, 1, "MQ004")]
    assert_control_checked(res)


def test_many_nested_blockquotes_and_lists(tmp_path):
    repo(tmp_path)
    page = ("> " * 2000) + "```yaml\n" + ("> " * 2000) + "nonMasqueradeCIDRs: [10.1.1.5/24]\n" + ("> " * 2000) + "```\n"
    page += "".join("  " * i + "- item\n" for i in range(3000)) + FENCE
    (tmp_path / "deep.md").write_text(page)
    res = check(["deep.md", "control.yaml"], tmp_path, timeout=60)
    assert_control_checked(res)


KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: kube-system
configMapGenerator:
  - name: ip-masq-agent
    options:
      disableNameSuffixHash: true
    files:
      - config={ref}
"""


def _kustomize(tmp_path, ref: str):
    repo(tmp_path)
    d = tmp_path / "deploy"
    d.mkdir()
    (d / "kustomization.yaml").write_text(KUSTOMIZATION.format(ref=ref))
    return check(["deploy/kustomization.yaml", "control.yaml"], tmp_path)


def test_generator_naming_etc_passwd(tmp_path):
    res = _kustomize(tmp_path, "../../etc/passwd")
    got = res.found("deploy/kustomization.yaml")
    assert [f[1:4] for f in got] == [(9, 9, "MQ008")] and "leaves the repository" in got[0][4]
    assert "root:" not in res.out  # nothing of the file was read or shown
    assert_control_checked(res)


def test_generator_naming_an_absolute_path_outside(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("nonMasqueradeCIDRs: [10.1.1.5/24]\n")
    try:
        res = _kustomize(tmp_path, str(outside))
    finally:
        outside.unlink()
    assert [f[1:4] for f in res.found("deploy/kustomization.yaml")] == [(9, 9, "MQ008")]
    assert not [f for f in res.findings if "outside" in f[0]]  # the file itself is never checked


def test_generator_naming_a_symlink_that_points_outside(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-target.yaml"
    outside.write_text("nonMasqueradeCIDRs: [10.1.1.5/24]\n")
    repo(tmp_path)
    (tmp_path / "deploy").mkdir()
    os.symlink(outside, tmp_path / "deploy" / "link.yaml")
    (tmp_path / "deploy" / "kustomization.yaml").write_text(KUSTOMIZATION.format(ref="link.yaml"))
    try:
        res = check(["deploy/kustomization.yaml", "control.yaml"], tmp_path)
    finally:
        outside.unlink()
    assert [f[1:4] for f in res.found("deploy/kustomization.yaml")] == [(9, 9, "MQ008")]
    assert_control_checked(res)


def test_generator_naming_a_directory_a_fifo_and_itself(tmp_path):
    repo(tmp_path)
    d = tmp_path / "deploy"
    d.mkdir()
    (d / "conf.d").mkdir()
    os.mkfifo(d / "pipe")
    (d / "kustomization.yaml").write_text(
        "namespace: kube-system\nconfigMapGenerator:\n  - name: ip-masq-agent\n    options: {disableNameSuffixHash: true}\n"
        "    files:\n      - config=conf.d\n      - pipe\n      - kustomization.yaml\n")
    res = check(["deploy/kustomization.yaml", "control.yaml"], tmp_path)
    got = {(f[1], f[3]): f[4] for f in res.found("deploy/kustomization.yaml")}
    assert "is a directory" in got[(6, "MQ008")]
    assert "not a regular file" in got[(7, "MQ008")]
    assert "names the referring file itself" in got[(8, "MQ008")]
    assert_control_checked(res)


def test_bases_that_refer_to_each_other_end(tmp_path):
    repo(tmp_path)
    for a, b in (("a", "b"), ("b", "a")):
        (tmp_path / a).mkdir()
        (tmp_path / a / "kustomization.yaml").write_text(
            f"namespace: kube-system\nresources: [../{b}]\nconfigMapGenerator:\n  - name: ip-masq-agent\n"
            "    behavior: merge\n    literals: [resyncInterval=60s]\n")
    res = check(["a/kustomization.yaml", "b/kustomization.yaml", "control.yaml"], tmp_path)
    assert_control_checked(res)


def test_a_kustomization_that_is_not_yaml(tmp_path):
    repo(tmp_path)
    (tmp_path / "kustomization.yaml").write_bytes(b"configMapGenerator: [ {name: ip-masq-agent, files: [\x00\n")
    (tmp_path / "k2").mkdir()
    (tmp_path / "k2" / "kustomization.yaml").write_bytes(b"resources:\n  - ip-masq-agent\xff\xfe.yaml\n")
    res = check(["kustomization.yaml", "k2/kustomization.yaml", "control.yaml"], tmp_path)
    assert [f[3] for f in res.found("kustomization.yaml")] == ["MQ001"]
    assert [f[3] for f in res.found("k2/kustomization.yaml")] == ["MQ004"]
    assert_control_checked(res)
