"""Hostile file contents through the real command line: a finding naming file:line:col or a
one-line error, within a hard time limit, never a traceback, the other files still checked."""

from __future__ import annotations

import os
import random

import pytest
from hostile_cli import assert_control_checked, check, configmap, with_control



def billion_laughs(levels: int = 9, width: int = 9) -> str:
    text = "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]\n"
    return text


def shared_chain(levels: int = 60) -> str:
    """Each anchor used twice by the next: 2**levels nodes once expanded, 3 lines of text each."""
    text = "s0: &s0 {k: v}\n"
    for i in range(1, levels):
        text += f"s{i}: &s{i} [*s{i - 1}, *s{i - 1}]\n"
    return text


# --- aliases -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bomb", [billion_laughs(), shared_chain()], ids=["billion-laughs", "shared-chain"])
def test_alias_bomb_inside_data_config_is_the_agents_excessive_aliasing(tmp_path, bomb):
    with_control(tmp_path)
    (tmp_path / "bomb.yaml").write_text(configmap("nonMasqueradeCIDRs: [10.0.0.0/8]\n" + bomb))
    res = check(["bomb.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    mq001 = res.found("bomb.yaml", "MQ001")
    assert len(mq001) == 1 and "document contains excessive aliasing" in mq001[0][4]
    assert mq001[0][1] >= 9  # inside the block, not at the top of the file
    assert_control_checked(res)


@pytest.mark.parametrize("bomb", [billion_laughs(), shared_chain()], ids=["billion-laughs", "shared-chain"])
def test_alias_bomb_in_the_manifest_is_never_walked_out(tmp_path, bomb):
    # the bomb sits in the ConfigMap itself (an annotation) and in a document before it
    manifest = bomb + "---\n" + configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n").replace(
        "metadata:\n", "metadata:\n  annotations:\n    note: x\n  labels: &labels {app: x}\n"
    ) + "extra: *labels\n"
    bombed = "bombs:\n" + "".join("  " + line + "\n" for line in bomb.splitlines())
    manifest = manifest.replace("kind: ConfigMap\n", "kind: ConfigMap\n" + bombed, 1)
    (tmp_path / "bomb.yaml").write_text(manifest)
    with_control(tmp_path)
    res = check(["bomb.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    # kubectl reads the manifest with go-yaml, which refuses the bomb: nothing is applied
    [mq001] = res.found("bomb.yaml", "MQ001")
    assert "document contains excessive aliasing" in mq001[4] and "kubectl cannot apply it" in mq001[4]
    # the config inside is still modelled: its host-bits error is found at its own line
    assert [f[3] for f in res.found("bomb.yaml", "MQ302")] == ["MQ302"]
    assert_control_checked(res)


def test_alias_bomb_in_a_standalone_agent_config(tmp_path):
    (tmp_path / "ip-masq-agent").write_text("nonMasqueradeCIDRs: [10.0.0.0/8]\n" + billion_laughs())
    with_control(tmp_path)
    res = check(["ip-masq-agent", "control.yaml"], tmp_path)
    assert res.rc == 1
    [mq001] = res.found("ip-masq-agent", "MQ001")
    assert "the agent config" in mq001[4] and "document contains excessive aliasing" in mq001[4]
    assert_control_checked(res)


def test_ordinary_anchors_in_the_manifest_are_fine(tmp_path):
    manifest = configmap("nonMasqueradeCIDRs: [10.0.0.0/8]\n").replace(
        "metadata:\n", "metadata:\n  labels: &labels {app: masq}\n  annotations: *labels\n")
    (tmp_path / "anchors.yaml").write_text(manifest)
    res = check(["--select", "MQ001", "anchors.yaml"], tmp_path)
    assert res.rc == 0 and res.findings == []


def test_anchors_and_merges_in_data_config_decode_as_the_agent_does(tmp_path):
    """Conformance case h18 (a `<<` merge of an anchored map), embedded in a ConfigMap."""
    case = (CONFORMANCE / "h18_merge_key.config").read_text()
    (tmp_path / "h18.yaml").write_text(configmap(case))
    res = check(["--select", "MQ001,MQ104,MQ203,MQ406", "h18.yaml"], tmp_path)
    rules = {f[3] for f in res.found("h18.yaml")}
    assert "MQ001" not in rules  # accepted by the agent
    assert "MQ406" in rules  # masqLinkLocal: true arrived through the merge


# --- nesting -------------------------------------------------------------------------------------

from masqlint.text.yamlload import parser_depth_limit  # noqa: E402
from paths import CONFORMANCE  # noqa: E402

DEEP = 100_000


@pytest.mark.parametrize(
    "nested",
    ["[" * DEEP + "]" * DEEP, "{a: " * DEEP + "x" + "}" * DEEP, "\n" + "- " * DEEP + "x"],
    ids=["flow-sequence", "flow-mapping", "block-sequence"],
)
def test_nesting_100000_deep_in_data_config(tmp_path, nested):
    with_control(tmp_path)
    (tmp_path / "deep.yaml").write_text(configmap("nonMasqueradeCIDRs: " + nested))
    res = check(["deep.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    [finding] = res.found("deep.yaml", "MQ001")
    assert "exceeded max depth" in finding[4]
    assert finding[1] in (8, 9) and finding[2] > parser_depth_limit()  # one level past the limit, inside the block
    assert_control_checked(res)


@pytest.mark.parametrize(
    "nested",
    ["[" * DEEP + "]" * DEEP, "\n" + "- " * DEEP + "x"],
    ids=["flow", "block"],
)
def test_nesting_100000_deep_in_the_manifest(tmp_path, nested):
    with_control(tmp_path)
    (tmp_path / "deep.yaml").write_text("ok: 1\n---\nmasquerade: " + nested + "\n")
    res = check(["deep.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    [finding] = res.found("deep.yaml", "MQ001")
    assert "exceeded max depth" in finding[4] and finding[1] in (3, 4) and finding[2] > parser_depth_limit()
    assert_control_checked(res)


# --- size ----------------------------------------------------------------------------------------


def test_a_one_megabyte_line(tmp_path):
    with_control(tmp_path)
    long = "x" * 1_000_000
    (tmp_path / "long.yaml").write_text(configmap(f"nonMasqueradeCIDRs: [10.0.0.0/8]\nnote: {long}\n"))
    (tmp_path / "long-flow.yaml").write_text("masquerade: [" + ", ".join(["a"] * 300_000) + "]\n")
    res = check(["long.yaml", "long-flow.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    assert [(f[1], f[2]) for f in res.found("long.yaml", "MQ203")] == [(9, 5)]  # the unknown key `note`
    assert res.found("long-flow.yaml") == []  # not an ip-masq-agent config: nothing to say
    assert_control_checked(res)


def test_a_200_megabyte_file_is_skipped_with_an_info_finding(tmp_path):
    with_control(tmp_path)
    with open(tmp_path / "huge.yaml", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    res = check(["huge.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1  # the control's error, not the info finding
    [(path, line, col, rule, message)] = res.found("huge.yaml")
    assert (line, col, rule) == (1, 1, "MQ006") and "209,715,200 bytes" in message
    assert_control_checked(res)


def test_standard_input_is_held_to_the_same_limit(tmp_path):
    from hostile_cli import run

    data = configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n").encode() + b"# " + b"x" * 3000 + b"\n"
    res = run(["check", "--no-config", "--format", "concise", "--max-file-size", "2000", "-"], tmp_path, stdin=data)
    assert res.rc == 0 and [(f[1], f[2], f[3]) for f in res.found("-")] == [(1, 1, "MQ006")]
    res = run(["check", "--no-config", "--format", "concise", "-"], tmp_path, stdin=data)
    assert res.rc == 1 and [(f[1], f[2]) for f in res.found("-", "MQ302")] == [(8, 26)]


def test_a_large_file_is_never_opened(tmp_path, monkeypatch):
    """Above --max-file-size the file is judged by its size alone: not opened, not read."""
    from masqlint.pipeline import runner
    from masqlint.config.settings import Settings

    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(10 * 1024 * 1024)
    opened = []
    real_open = os.open
    monkeypatch.setattr(runner.os, "open", lambda p, *a, **k: opened.append(p) or real_open(p, *a, **k))
    out = runner.process("big.yaml", str(big), True, runner.Options(base=Settings(), use_config_files=False))
    assert [f.rule for f in out.result.findings] == ["MQ006"] and out.error is None
    assert opened == []


# --- bytes that are not text ---------------------------------------------------------------------


def test_binary_file_and_nul_bytes(tmp_path):
    with_control(tmp_path)
    rnd = random.Random(7)
    (tmp_path / "binary.yaml").write_bytes(b"\x80masq" + bytes(rnd.randrange(256) for _ in range(4096)))
    (tmp_path / "nul.yaml").write_bytes(configmap("nonMasqueradeCIDRs: [10.0.0.0/8]\n").encode().replace(b"10.0.0.0", b"10.0\x00.0.0"))
    res = check(["binary.yaml", "nul.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    assert [(f[1], f[2], f[3]) for f in res.found("binary.yaml")] == [(1, 1, "MQ004")]
    nul = res.found("nul.yaml", "MQ001")
    assert nul and all((f[1], f[2]) == (8, 30) for f in nul)  # at the NUL itself
    assert any("control characters are not allowed" in f[4] for f in nul)
    assert_control_checked(res)


def test_invalid_utf8_and_utf16(tmp_path):
    with_control(tmp_path)
    text = configmap("nonMasqueradeCIDRs: [10.0.0.0/8] # café\n")
    (tmp_path / "latin1.yaml").write_bytes(text.encode("latin-1"))
    (tmp_path / "utf16.yaml").write_bytes(b"\xff\xfe" + configmap("nonMasqueradeCIDRs: [10.1.1.5/24]\n").encode("utf-16-le"))
    (tmp_path / "utf16-surrogate.yaml").write_bytes(b"\xff\xfe" + text.encode("utf-16-le") + "\ud800".encode("utf-16-le", "surrogatepass") + b"a\x00")
    (tmp_path / "utf16-odd.yaml").write_bytes(b"\xfe\xff" + text.encode("utf-16-be") + b"\x00")
    res = check(["latin1.yaml", "utf16.yaml", "utf16-surrogate.yaml", "utf16-odd.yaml", "control.yaml"], tmp_path)
    assert res.rc == 1
    assert [(f[1], f[2], f[3]) for f in res.found("latin1.yaml")] == [(8, 43, "MQ004")]  # at the é
    assert [(f[1], f[2]) for f in res.found("utf16.yaml", "MQ302")] == [(8, 26)]  # UTF-16 with a BOM is read
    assert [(f[1], f[3]) for f in res.found("utf16-surrogate.yaml")] == [(9, "MQ004")]
    assert [(f[1], f[3]) for f in res.found("utf16-odd.yaml")] == [(9, "MQ004")]
    assert_control_checked(res)


# --- tags ------------------------------------------------------------------------------------------


def test_unknown_tags_are_never_constructed(tmp_path):
    with_control(tmp_path)
    canary = tmp_path / "PWNED"
    (tmp_path / "tags.yaml").write_text(configmap(
        f"nonMasqueradeCIDRs: !!python/object/apply:os.system ['touch {canary}']\n"
        "masqLinkLocal: !Ref Foo\n"
        "cidrLimit: !!python/name:os.system\n"
    ))
    (tmp_path / "tags-manifest.yaml").write_text(
        f"apiVersion: !!python/object/apply:os.system ['touch {canary}']\n"
        "kind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
        "data:\n  config: !Sub |\n    nonMasqueradeCIDRs: [10.1.1.5/24]\n"
    )
    (tmp_path / "tags-namespace.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n"
        f"  namespace: !!python/object/apply:os.system ['touch {canary}']\n"
        "data:\n  config: |\n    masqLinkLocal: false\n"
    )
    res = check(["tags.yaml", "tags-manifest.yaml", "tags-namespace.yaml", "control.yaml"], tmp_path)
    assert not canary.exists()
    [(path, line, col, rule, message)] = res.found("tags-namespace.yaml", "MQ101")
    assert (line, col) == (5, 14) and "namespace that is not a string" in message
    assert res.rc == 1
    found = {(f[1], f[3]) for f in res.found("tags.yaml")}
    # where they matter: the list the tag sits on holds a command, not a CIDR; the tagged
    # scalars are strings to the agent, not a bool and an int
    assert {(8, "MQ301"), (9, "MQ204"), (10, "MQ204")} <= found
    assert [(f[1], f[2]) for f in res.found("tags-manifest.yaml", "MQ302")] == [(8, 26)]
    assert_control_checked(res)
