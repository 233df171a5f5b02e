"""The library API as another tool uses it: from a built wheel, installed, outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from paths import REPO as ROOT

EXAMPLES = ROOT / "examples"

CONSUMER = textwrap.dedent(
    r'''
    import inspect, json, sys, typing
    from pathlib import Path

    import masqlint
    from masqlint import lint_paths, lint_text, render
    from masqlint.engine.findings import Finding, RunResult, Severity
    from masqlint.config.loader import ConfigError

    site, examples, work = (Path(a) for a in sys.argv[1:4])
    out = {"file": masqlint.__file__, "py_typed": (Path(masqlint.__file__).parent / "py.typed").is_file()}

    # lint_text on the ConfigMap from the field (Hangul comment, EN DASH list markers, run-together lines)
    broken = (examples / "as-is" / "configmap.yaml").read_text(encoding="utf-8")
    findings = lint_text(broken, path="as-is/configmap.yaml")
    assert all(isinstance(f, Finding) for f in findings)
    out["rules"] = sorted({f.rule for f in findings})
    out["first"] = [findings[0].rule, findings[0].severity.label, findings[0].path, findings[0].line, findings[0].column]
    out["bytes_same"] = [f.to_dict() for f in lint_text(broken.encode("utf-8"), path="as-is/configmap.yaml")] == [
        f.to_dict() for f in findings]
    out["ignored"] = sorted({f.rule for f in lint_text(broken, path="x.yaml", config={"ignore": ["MQ201"]})})
    (work / "settings.yaml").write_text("severity: {MQ201: error}\n", encoding="utf-8")
    out["from_file"] = sorted({f.severity.label for f in lint_text(broken, config=work / "settings.yaml") if f.rule == "MQ201"})
    try:
        lint_text(broken, config={"ignore": 5})
        out["bad_config"] = None
    except ConfigError as e:
        out["bad_config"] = str(e)
    out["standalone"] = [f.rule for f in lint_text("nonMasqueradeCIDRs: [10.1.1.5/24]\n", path="etc/ip-masq-agent")]

    # lint_paths: directories and Path objects, settings discovered as the command line does
    run = lint_paths([examples, str(examples / "to-be" / "configmap.yaml")])
    assert isinstance(run, RunResult)
    out["paths"] = sorted({f.path for f in run.findings})
    out["files_checked"] = run.files_checked
    out["clean"] = [f.rule for f in run.findings if f.path.endswith("to-be/configmap.yaml")]
    from masqlint.report import render as report
    sarif = json.loads(report("sarif", run))
    out["sarif_rules"] = sorted(r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"])
    out["used_rules"] = sorted({f.rule for f in run.findings})
    every = json.loads(report("sarif", run, sarif_all_rules=True))
    out["all_rules"] = len(every["runs"][0]["tool"]["driver"]["rules"])

    # the agent model
    ok = render("nonMasqueradeCIDRs: [10.1.1.0/24]\nresyncInterval: 60s\n", target="gke")
    out["render_ok"] = [ok.accepted, ok.effective.to_json()["nonMasqueradeCIDRs"], "-d 10.1.1.0/24 -j RETURN" in ok.iptables_v4]
    bad = render(b"nonMasqueradeCIDRs: [10.1.1.5/24]\n", previous="nonMasqueradeCIDRs: [10.9.0.0/16]\n")
    out["render_bad"] = [bad.accepted, bad.error.message, bad.effective.to_json()["nonMasqueradeCIDRs"]]
    out["render_none"] = render(None).effective.to_json()["nonMasqueradeCIDRs"]

    # every public function is annotated in full, and the hints resolve
    missing = []
    for name in ("lint_text", "lint_paths", "render"):
        fn = getattr(masqlint, name)
        hints = typing.get_type_hints(fn)
        params = inspect.signature(fn).parameters
        missing += [f"{name}({p})" for p in params if p not in hints] + ([f"{name} -> ?"] if "return" not in hints else [])
    out["unannotated"] = missing
    out["lint_text_returns"] = str(typing.get_type_hints(lint_text)["return"])
    print(json.dumps(out))
    '''
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project built into a wheel and installed into a directory of its own (no checkout on the path)."""
    dist = tmp_path_factory.mktemp("dist")
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("masqlint-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return site


@pytest.mark.slow
def test_library_api_from_an_installed_wheel(installed, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MASQLINT_DEBUG")}
    env["PYTHONPATH"] = str(installed)  # the wheel's files; dependencies from this interpreter
    script = work / "consumer.py"
    script.write_text(CONSUMER, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(installed), str(EXAMPLES), str(work)], cwd=work, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)

    assert Path(out["file"]).is_relative_to(installed)  # not the checkout
    assert out["py_typed"]
    assert {"MQ001", "MQ002", "MQ201"} <= set(out["rules"])
    assert out["first"][:3] == ["MQ001", "error", "as-is/configmap.yaml"] and out["first"][3:] == [5, 3]
    assert out["bytes_same"]
    assert "MQ201" not in out["ignored"] and "MQ002" in out["ignored"]
    assert out["from_file"] == ["error"]
    assert out["bad_config"] and "<config>" in out["bad_config"]
    assert out["standalone"] == ["MQ302"]
    assert any(p.endswith("as-is/configmap.yaml") for p in out["paths"])
    assert out["files_checked"] >= 3
    assert out["clean"] == []
    assert out["sarif_rules"] == out["used_rules"] and out["all_rules"] >= 30

    assert out["render_ok"] == [True, ["10.1.1.0/24"], True]
    accepted, error, in_force = out["render_bad"]
    assert not accepted and "not aligned" in error and in_force == ["10.9.0.0/16"]  # the previous config stays
    assert "10.0.0.0/8" in out["render_none"]

    assert out["unannotated"] == []
    assert "Finding" in out["lint_text_returns"]


def test_trace_from_the_package_namespace():
    import masqlint

    text = (ROOT / "examples" / "to-be" / "configmap.yaml").read_text()
    [pe] = masqlint.trace(text, "10.2.1.100", path="to-be.yaml")
    assert pe == {"path": "to-be.yaml", "dst": "10.2.1.100/32",
                  "parts": [{"cidr": "10.2.1.100/32", "masquerade": True, "reason": "no match", "entry": None, "line": None}]}
    [ops] = masqlint.trace(text, "10.1.0.0/23")
    assert [(p["cidr"], p["masquerade"], p["entry"], p["line"]) for p in ops["parts"]] == [
        ("10.1.0.0/24", True, None, None), ("10.1.1.0/24", False, "10.1.1.0/24", 25)]
