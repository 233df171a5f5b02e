"""Item 10: the GitHub composite action (action.yml): valid against the action metadata schema
(tests/data/github-action.schema.json, SchemaStore's github-action.json), and its steps' commands
run as the runner runs them: inputs through the environment, outputs through $GITHUB_OUTPUT."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys

import jsonschema
import pytest
import yaml

from .conftest import GKE_DEFAULTS, ROOT, configmap, write

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")

SCHEMA = json.loads((ROOT / "tests" / "data" / "github-action.schema.json").read_text(encoding="utf-8"))
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def test_action_yml_is_valid_action_metadata():
    jsonschema.Draft7Validator(SCHEMA).validate(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "format", "fail-on", "upload-sarif"} <= set(ACTION["inputs"])


def test_the_schema_refuses_what_github_refuses():
    broken = json.loads(json.dumps(ACTION))
    del broken["runs"]["steps"][1]["shell"]  # a run step without a shell
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(broken))
    broken = json.loads(json.dumps(ACTION))
    broken["inputs"]["paths"].pop("description")
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(broken))


def _condition(expr: str, inputs: dict) -> str:
    """The few expressions an `if:` of this action uses: `!cancelled()`, `inputs.X == 'v'`, joined by &&."""
    parts = []
    for part in expr.split("&&"):
        part = part.strip()
        if part == "!cancelled()":
            parts.append(True)
            continue
        m = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", part)
        assert m, f"an expression the test does not know: {part}"
        parts.append(str(inputs[m.group(1)]) == m.group(2))
    return "true" if all(parts) else "false"


def _value(expr: str, inputs: dict, outputs: dict) -> str:
    if "&&" in expr or "==" in expr:
        return _condition(expr, inputs)
    if expr.startswith("inputs."):
        return str(inputs[expr[len("inputs."):]])
    if expr == "github.action_path":
        return str(ROOT)
    m = re.fullmatch(r"steps\.(\w+)\.outputs\.([\w-]+)", expr)
    if m:
        return outputs.get(m.group(1), {}).get(m.group(2), "")
    raise AssertionError(f"an expression the test does not know: {expr}")


def run_action(workspace, tmp_path, **given):
    """Run the action's `run` steps in order as the runner would; (step results, uses-steps with resolved `with`)."""
    inputs = {k: v.get("default", "") for k, v in ACTION["inputs"].items()} | given
    outputs: dict = {}
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    # `python` records what it is asked to install (no network in tests); `masqlint` is this checkout
    (bin_dir / "python").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/pip-args"\n')
    (bin_dir / "masqlint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m masqlint "$@"\n')
    for f in bin_dir.iterdir():
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    ran, uses = [], []
    for step in ACTION["runs"]["steps"]:
        sub = lambda text: EXPR.sub(lambda m: _value(m.group(1), inputs, outputs), str(text))  # noqa: E731
        if "uses" in step:
            cond = step.get("if", "true")
            uses.append((step["uses"], {k: sub(v) for k, v in (step.get("with") or {}).items()}, sub(cond)))
            continue
        out_file = tmp_path / f"out-{len(ran)}"
        out_file.write_text("")
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
        env.update({k: sub(v) for k, v in (step.get("env") or {}).items()})
        env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", GITHUB_OUTPUT=str(out_file), PYTHONPATH=str(ROOT))
        cwd = workspace / sub(step.get("working-directory", "."))
        r = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                           timeout=120)
        if step.get("id"):
            outputs[step["id"]] = dict(ln.split("=", 1) for ln in out_file.read_text().splitlines() if "=" in ln)
        ran.append((step.get("name"), r))
    return ran, uses


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "checkout"
    write(ws / "clusters" / "prod" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS, "10.1.1.5/24"))
    write(ws / "clusters" / "dev" / "ip-masq-agent.yaml", configmap(*GKE_DEFAULTS))
    return ws


def test_the_steps_install_from_the_action_checkout_annotate_and_fail(workspace, tmp_path):
    ran, uses = run_action(workspace, tmp_path)
    (install, r1), (check, r2), (last, r3) = ran
    assert r1.returncode == 0 and (tmp_path / "pip-args").read_text().splitlines()[-1] == str(ROOT)
    assert r2.returncode == 0, r2.stderr  # the check step records the code; the last step fails with it
    assert r2.stdout.startswith("::error file=clusters/prod/ip-masq-agent.yaml,line=20,col=9,")
    assert r3.returncode == 1
    assert [u[0].split("@")[0] for u in uses] == ["actions/setup-python", "github/codeql-action/upload-sarif"]
    assert uses[1][2] == "false"  # no upload unless asked


def test_inputs_choose_paths_format_fail_on_and_the_sarif_upload(workspace, tmp_path):
    ran, uses = run_action(workspace, tmp_path, paths="clusters/dev clusters/prod", format="concise",
                           **{"fail-on": "error", "upload-sarif": "true"})
    (_, r1), (_, r2), (_, r3) = ran
    assert r2.stdout.startswith("clusters/prod/ip-masq-agent.yaml:20:9: MQ302 ") and r3.returncode == 1
    sarif_file = uses[1][1]["sarif_file"]
    assert sarif_file == "./masqlint.sarif" and uses[1][2] == "true"
    sarif = json.loads((workspace / sarif_file).read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["MQ302"]
    ran, _ = run_action(workspace, tmp_path, paths="clusters/dev", **{"fail-on": "error"})
    assert ran[2][1].returncode == 0 and ran[1][1].stdout == ""


def test_the_documented_workflow_uses_the_action_with_inputs_it_has():
    import re as _re

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (block,) = [b for b in _re.findall(r"^```yaml\n(.*?)^```", text, _re.S | _re.M) if b.startswith("# with the action:")]
    (step,) = [s for s in yaml.safe_load(block)["jobs"]["masqlint"]["steps"] if s.get("uses", "").startswith("masqlint/")]
    ref = step["uses"].split("@", 1)[1]
    assert _re.fullmatch(r"[0-9a-f]{40}", ref)  # a commit until there is a release tag
    assert set(step["with"]) <= set(ACTION["inputs"])
