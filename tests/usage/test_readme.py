"""Item 12: the README a newcomer reads: the two set-up commands on top, then a quick start of about ten
lines whose commands work as written; how the agent model is built lives in docs/."""

from __future__ import annotations

import re

import yaml

from .conftest import GKE_DEFAULTS, ROOT, configmap, write

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP = """```sh
python3 -m venv .venv && . .venv/bin/activate && pip install . && masqlint check examples/
python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && python -m pytest -q
```"""


def quick_start() -> str:
    m = re.search(r"^## Quick start\n\n(.*?)\n\n(?=\S)(?!\d\.|   )", README, re.S | re.M)
    assert m, "the README has a Quick start section"
    return m.group(1)


def test_the_two_setup_commands_stay_on_top():
    assert README.startswith("# masqlint\n\n" + SETUP + "\n")
    assert README.index("## Quick start") < README.index("## Checking files")


def test_the_quick_start_is_about_ten_lines_install_check_read_fix_hook():
    text = quick_start()
    assert len(text.splitlines()) <= 10
    steps = [ln.split(":", 1)[0] for ln in text.splitlines() if re.match(r"\d\. ", ln)]
    assert steps == ["1. Install", "2. Check your own file, or a directory", "3. Read a finding", "4. Fix it",
                     "5. Add the hook to `.pre-commit-config.yaml` (a commit as `rev` until there is a release tag), then `pre-commit install`"]


def test_the_quick_start_commands_work_as_written(cli, tmp_path):
    text = quick_start()
    commands = re.findall(r"`(masqlint [^`]+)`", text)
    assert commands == ["masqlint check k8s/ip-masq-agent.yaml", "masqlint rule MQ201",
                        "masqlint check --fix k8s/ip-masq-agent.yaml"]
    write(tmp_path / "k8s" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS).replace("nonMasqueradeCIDRs", "nonMasqueradeCIDRS"))
    shown = re.search(r"`(k8s/ip-masq-agent.yaml:\d+:\d+: MQ\d+ \[\w+\]) …`", text).group(1)
    code, out, _ = cli(*commands[0].split()[1:])
    assert code == 1 and out.startswith(shown + " ")
    code, out, _ = cli(*commands[1].split()[1:])
    assert code == 0 and out.startswith("MQ201 key-casing")
    code, _, err = cli(*commands[2].split()[1:])
    assert "Fixed 1 problem." in err
    code, out, _ = cli(*commands[0].split()[1:])
    assert code == 0 and "No problems found" in out


def test_the_pre_commit_line_names_a_commit_and_a_hook_that_exists():
    (flow,) = re.findall(r"`(repos: .*)`", quick_start())
    (repo,) = yaml.safe_load(flow)["repos"]
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert repo["repo"] == "https://github.com/masqlint/masqlint" and re.fullmatch(r"[0-9a-f]{40}", repo["rev"])
    assert {h["id"] for h in repo["hooks"]} <= hooks
    assert "rev: v0.1.0" not in (ROOT / "docs" / "pre-commit.md").read_text(encoding="utf-8")


def test_docs_point_at_installs_that_work():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for cmd in re.findall(r"pip install[^\n`]*", text):
            assert "git+https://github.com/masqlint/masqlint@" in cmd or re.search(r"pip install (-e )?['\"]?\.", cmd), (doc, cmd)


def test_how_the_agent_model_is_built_lives_in_docs():
    assert "## How it is built" not in README and "## What it knows about the agent" not in README
    model = (ROOT / "docs" / "agent-model.md").read_text(encoding="utf-8")
    assert "## What it knows about the agent" in model and "## How it is built" in model
    assert "docs/agent-model.md" in README
