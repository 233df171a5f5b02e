"""trace and diff see the configs of Markdown fences and of kustomize generator files, with the
lines of the file that holds them."""

from __future__ import annotations

import json

from masqlint.cli.main import main

PAGE = (
    "# SNAT\n"                                   # 1
    "\n"                                         # 2
    "> ```yaml\n"                                # 3
    "> nonMasqueradeCIDRs:\n"                    # 4
    ">   - 172.16.0.0/12\n"                      # 5
    ">   - 10.1.1.0/24\n"                        # 6
    "> ```\n"                                    # 7
)


def _json(argv, capsys, code=0):
    assert main(argv) == code
    return json.loads(capsys.readouterr().out)


def test_trace_through_a_fence_names_the_page_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snat.md").write_text(PAGE, encoding="utf-8")
    doc = _json(["trace", "--no-config", "--format", "json", "--dst", "10.1.1.7", "snat.md"], capsys)
    assert doc["results"] == [{"path": "snat.md", "dst": "10.1.1.7/32", "parts": [
        {"cidr": "10.1.1.7/32", "masquerade": False, "reason": "entry", "entry": "10.1.1.0/24", "line": 6}]}]


def test_trace_through_a_kustomization_names_the_generator_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "kustomization.yaml").write_text(
        "namespace: kube-system\ngeneratorOptions: {disableNameSuffixHash: true}\n"
        "configMapGenerator:\n  - name: ip-masq-agent\n    files: [config=agent.yaml]\n", encoding="utf-8")
    (tmp_path / "agent.yaml").write_text("nonMasqueradeCIDRs:\n  - 172.16.0.0/12\n  - 10.1.1.0/24\n", encoding="utf-8")
    doc = _json(["trace", "--no-config", "--format", "json", "--dst", "10.1.1.7", "kustomization.yaml"], capsys)
    assert doc["results"] == [{"path": "agent.yaml", "dst": "10.1.1.7/32", "parts": [
        {"cidr": "10.1.1.7/32", "masquerade": False, "reason": "entry", "entry": "10.1.1.0/24", "line": 3}]}]


def test_diff_of_two_pages(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "new.md").write_text(PAGE.replace("10.1.1.0/24", "10.1.2.0/24"), encoding="utf-8")
    main(["diff", "--no-config", "old.md", "new.md"])
    out = capsys.readouterr().out
    assert "now masqueraded (pods reach these with the node IP): 10.1.1.0/24" in out
    assert "no longer masqueraded (pods reach these with their pod IP): 10.1.2.0/24" in out
