"""Every recorded Cilium and Azure case through ``masqlint render --target cilium|azure --raw --format json``.

The cases live in tests/data/conformance/{cilium,azure}/ (see each README). Cilium: one config file per
case, sequence cases with a previous config. Azure: one config *directory* per case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import DATA, conformance

from masqlint.cli.main import main

CILIUM = conformance("cilium")
AZURE = conformance("azure")
CILIUM_CASES = sorted(p.stem for p in CILIUM.glob("*.json"))
AZURE_CASES = sorted(p.stem for p in AZURE.glob("*.json"))

# The sequence probes whose first config is written only in their notes (no .previous.config file):
# "first 'nonMasqueradeCIDRs: [10.1.0.0/16], masqLinkLocal: true' (accepted)".
SEQ_FIRST = "nonMasqueradeCIDRs: [10.1.0.0/16]\nmasqLinkLocal: true\n"


def test_the_recorded_cases_are_all_there():
    assert CILIUM.parent == AZURE.parent == DATA / "conformance"
    assert len(CILIUM_CASES) == 224
    assert len(AZURE_CASES) == 187


def render(args, capsys) -> tuple[int, dict]:
    code = main(["render", "--raw", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert not err, err
    return code, json.loads(out)


# --- Cilium ---------------------------------------------------------------------------------------


def cilium_args(name: str, expected: dict, tmp_path: Path) -> list[str]:
    args = ["--target", "cilium"]
    prev = CILIUM / f"{name}.previous.config"
    if prev.exists():
        args += ["--previous", str(prev)]
    elif "sequence on one running agent" in expected.get("notes", ""):
        assert SEQ_FIRST.split("\n")[0].split(": ")[1] in expected["notes"], expected["notes"]
        first = tmp_path / "first.config"
        first.write_text(SEQ_FIRST)
        args += ["--previous", str(first)]
    cfg = CILIUM / f"{name}.config"
    if cfg.exists():
        args.append(str(cfg))
    elif "is a directory" in (expected["error"] or ""):
        args.append(str(tmp_path))
    else:
        assert expected["defaults_applied"], name  # no file at the configured path
        args.append("--absent")
    return args


@pytest.mark.parametrize("name", CILIUM_CASES)
def test_cilium_render_matches_the_recorded_agent(name, tmp_path, capsys):
    expected = json.loads((CILIUM / f"{name}.json").read_text())
    code, got = render(cilium_args(name, expected, tmp_path), capsys)
    error = got["error"].replace("/etc/config/ip-masq-agent", "<config-path>") if got["error"] else None
    assert (got["accepted"], got["exits"], error) == (expected["accepted"], False, expected["error"])
    assert got["nonmasq_v4"] == expected["nonmasq_v4"]
    assert got["nonmasq_v6"] == expected["nonmasq_v6"]
    assert got["defaults_applied"] == expected["defaults_applied"]
    assert got["effective"]["masqLinkLocal"] == expected["masq_link_local"]
    assert got["effective"]["masqLinkLocalIPv6"] == expected["masq_link_local_ipv6"]
    assert code == (0 if expected["accepted"] else 1)


# --- Azure ----------------------------------------------------------------------------------------


def azure_flags(expected: dict) -> list[str]:
    fl = expected["agent_flags"]
    args = ["--target", "azure"]
    if fl["enable-ipv6"]:
        args.append("--enable-ipv6")
    if fl["nomasq-all-reserved-ranges"]:
        args.append("--nomasq-all-reserved-ranges")
    if fl["masq-chain"] != "IP-MASQ-AGENT":
        args += ["--masq-chain", fl["masq-chain"]]
    return args


def azure_dir(name: str, expected: dict, tmp_path: Path) -> Path:
    if expected["config_dir"] == "missing":
        return tmp_path / "etc-config"  # the agent was pointed at a directory that does not exist
    d = AZURE / name
    if not expected["input_files"]:
        assert not d.exists() or not any(d.iterdir())
        d = tmp_path / "etc-config"  # an empty directory (git keeps none)
        d.mkdir()
    return d


AZURE_KEYS = ("accepted", "exits", "error", "fatal_log", "files_read", "defaults_applied", "nonmasq_v4", "nonmasq_v6",
              "iptables_v4", "iptables_v6", "postrouting_rule_v4", "postrouting_rule_v6")


def assert_azure(got: dict, expected: dict, code: int):
    for key in AZURE_KEYS:
        assert got[key] == expected[key], key
    assert got["effective"]["masqLinkLocal"] == expected["masq_link_local"]
    assert got["effective"]["masqLinkLocalIPv6"] == expected["masq_link_local_ipv6"]
    assert code == (0 if expected["accepted"] else 1)


@pytest.mark.parametrize("name", AZURE_CASES)
def test_azure_render_of_the_directory_matches_the_recorded_agent(name, tmp_path, capsys):
    expected = json.loads((AZURE / f"{name}.json").read_text())
    code, got = render([*azure_flags(expected), str(azure_dir(name, expected, tmp_path))], capsys)
    assert_azure(got, expected, code)


MULTI_FILE = [n for n in AZURE_CASES if len(json.loads((AZURE / f"{n}.json").read_text())["input_files"]) > 1
              and not any("->" in f or f.endswith("/") for f in json.loads((AZURE / f"{n}.json").read_text())["input_files"])]


def test_there_are_multi_file_cases():
    assert len(MULTI_FILE) >= 10, MULTI_FILE


@pytest.mark.parametrize("name", MULTI_FILE)
def test_azure_render_of_files_named_as_in_etc_config(name, capsys):
    expected = json.loads((AZURE / f"{name}.json").read_text())
    files = [str(AZURE / name / f) for f in reversed(expected["input_files"])]  # given in any order
    code, got = render([*azure_flags(expected), *files], capsys)
    assert_azure(got, expected, code)
