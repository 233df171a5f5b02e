"""Azure config files checked together, as ip-masq-agent-v2 reads its directory: every recorded case with
several files, run through `masqlint check --target azure` with the files as stand-alone agent files."""

from __future__ import annotations

import json
import shutil

import pytest
from paths import conformance

from masqlint.cli.main import main

AZURE = conformance("azure")


def _multi_file_cases():
    out = []
    for j in sorted(AZURE.glob("*.json")):
        exp = json.loads(j.read_text())
        files = exp["input_files"]
        if len(files) > 1 and not any("->" in f or f.endswith("/") for f in files):
            out.append(j.stem)
    return out


CASES = _multi_file_cases()


def test_the_multi_file_cases_are_there():
    assert len(CASES) >= 13
    assert {"az_invalid_cidr_second_file", "az_two_files_second_null_list", "az_64_plus_64_two_files"} <= set(CASES)


def check(paths, flags: dict, capsys) -> list[dict]:
    args = ["check", "--no-config", "--target", "azure", "--standalone", "**/ip-masq*", "--format", "json"]
    if flags.get("enable-ipv6"):
        args.append("--enable-ipv6")
    if flags.get("nomasq-all-reserved-ranges"):
        args.append("--nomasq-all-reserved-ranges")
    main(args + [str(p) for p in paths])
    return json.loads(capsys.readouterr().out)["findings"]


def rules_by_file(findings) -> dict:
    out: dict = {}
    for f in findings:
        out.setdefault(f["path"].rsplit("/", 1)[-1], set()).add(f["rule"])
    return out


@pytest.mark.parametrize("name", CASES)
def test_the_union_is_judged_as_the_recorded_agent_reads_it(name, capsys):
    exp = json.loads((AZURE / f"{name}.json").read_text())
    found = check([AZURE / name], exp["agent_flags"], capsys)
    by_file = rules_by_file(found)
    read = exp["files_read"]
    if exp["exits"]:
        # one bad file takes the agent down: every file it reads before exiting is reported with MQ421
        for fname in read:
            assert "MQ421" in by_file.get(fname, set()), (fname, by_file)
        return
    assert not any("MQ421" in r for r in by_file.values())
    # each file keeps its own 64-entry limit, the union has none
    assert not any("MQ304" in r for r in by_file.values())
    union = exp["nonmasq_v4"] + exp["nonmasq_v6"]
    no_range = not exp["defaults_applied"] and not union
    assert any("MQ420" in r for r in by_file.values()) == no_range, by_file
    # an empty list or a file without a list beside one with ranges is no problem of the union
    if union:
        assert not any({"MQ309", "MQ420"} & r for r in by_file.values()), by_file


def test_an_invalid_entry_in_the_reconciled_copy_takes_the_user_file_down(capsys):
    found = check([AZURE / "az_invalid_cidr_second_file"], {}, capsys)
    (sib,) = [f for f in found if f["rule"] == "MQ421" and f["path"].endswith("/ip-masq-agent")]
    assert "ip-masq-agent-reconciled" in sib["message"] and "not-a-cidr" in sib["message"]
    assert sib["severity"] == "error"


def test_duplicates_across_files_by_exact_text_and_by_range(capsys):
    found = check([AZURE / "az_two_files_dup_cidr"], {}, capsys)
    cross = [f for f in found if f["rule"] == "MQ305" and f["path"].endswith("-reconciled")]
    assert len(cross) == 1 and "also listed in ip-masq-agent" in cross[0]["message"]
    found = check([AZURE / "az_two_files_same_net_diff_text_v6"], {"enable-ipv6": True}, capsys)
    msgs = [f["message"] for f in found if f["rule"] == "MQ305"]
    assert any("two RETURN rules" in m for m in msgs), msgs


def test_ranges_spread_over_files_keep_the_defaults(tmp_path, capsys):
    for name in ("az_three_files",):
        found = check([AZURE / name], {}, capsys)
        assert not [f for f in found if f["rule"] == "MQ401"], found  # RFC1918 across three files
    d = tmp_path / "etc-config"
    shutil.copytree(AZURE / "az_three_files", d)
    (d / "ip-masq-agent-b").write_text("nonMasqueradeCIDRs:\n  - 192.168.0.0/24\n")
    found = check([d], {}, capsys)
    dropped = [f for f in found if f["rule"] == "MQ401"]
    assert len(dropped) == 1 and dropped[0]["path"].endswith("/ip-masq-agent")
    assert "192.168.1.0/24" in dropped[0]["message"] and "ip-masq-agent-b" in dropped[0]["message"]


def test_a_file_not_named_ip_masq_is_not_part_of_the_set(tmp_path, capsys):
    d = tmp_path / "etc-config"
    d.mkdir()
    (d / "ip-masq-agent").write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n")
    (d / "IP-MASQ-AGENT").write_text("nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - not-a-cidr\n")  # the agent never reads it
    found = check([d], {}, capsys)
    assert not [f for f in found if f["rule"] in ("MQ421", "MQ305")], found
