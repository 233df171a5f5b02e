"""A mutation fuzzer for masqlint's pipeline and agent model.

    python bench/fuzz.py [--inputs N] [--jobs J] [--seed S] [--timeout SEC] [--out DIR]
    python bench/fuzz.py --replay FILE          # run one saved input again, with its traceback

Seeds: the recorded agent cases (``/work/shared/conformance/ip-masq-agent/*.config`` or
``$MASQLINT_CONFORMANCE``), every file under ``examples/``, and a few built-in manifests
(lists, JSON, anchors and merges, several documents). Each input is one seed (or a
ConfigMap wrapping it) after 1–8 mutations: bit flips, inserted, deleted and repeated bytes,
YAML indicators, anchors, aliases and tags, lookalike characters, indentation changes,
spliced seeds, CRLF, BOM and UTF-16 re-encodings, CIDR and number edge cases.

Every input goes, in process, through ``masqlint.api.lint_text`` as a manifest and as a
standalone agent config, and through ``masqlint.agent.sync.sync_bytes`` (with a previous
config too). Any exception is a crash; so is an input running past ``--timeout`` and a
worker that dies (a C-level crash). Crashing inputs are saved to ``--out`` (default
``bench/out/fuzz``) with their traceback. Input ``i`` of seed ``S`` is always the same
bytes, so a run can be repeated exactly.

The report: inputs run, crashes (must be 0), the slowest input and its time.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

CONFORMANCE = Path(os.environ.get("MASQLINT_CONFORMANCE", "/work/shared/conformance/ip-masq-agent"))

BUILTIN_SEEDS = [
    b"""apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.1.1.0/24
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 100.64.0.0/10
    masqLinkLocal: false
    resyncInterval: 60s
""",
    b"""apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ip-masq-agent, namespace: kube-system}
  data:
    config: '{"nonMasqueradeCIDRs": ["10.0.0.0/8", "::ffff:10.0.0.0/104"], "cidrLimit": 2}'
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: other}
  data: {config: x}
""",
    b"""# masqlint: disable-file=MQ401
base: &b
  masqLinkLocal: yes
  cidrLimit: 0x40
<<: *b
nonMasqueradeCIDRs: &l
  - 10.0.0.0/8   # masqlint: disable=MQ305
  -
  - !!str 10.1.1.5/24
  - 'fd00::/8'
resyncInterval: 1m30s
""",
    b"""---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: >
    nonMasqueradeCIDRs: [10.0.0.0/8]
  nonMasqueradeCIDRs: "[10.0.0.0/8]"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
data:
  config: |2
      nonMasqueradeCIDRS:
      \xe2\x80\x93 10.2.0.0/16
      masqLinkLocal : true
""",
    b'{"nonMasqueradeCIDRs": ["10.0.0.0/8", null, "192.168.0.0/16"], "masqLinkLocal": "true", "resyncInterval": 60}',
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n",
    # shapes a manifest should not have
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: [kube-system]}\ndata: [config, x]\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent}\ndata: {config: [10.0.0.0/8], cidrLimit: 1}\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent}\ndata:\n  config: {nonMasqueradeCIDRs: [10.0.0.0/8]}\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n"
    b"data:\n  config: !!binary bm9uTWFzcXVlcmFkZUNJRFJzOiBbMTAuMC4wLjAvOF0K\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n"
    b"data:\n  config: \"nonMasqueradeCIDRs:\\n  \\u2013 10.0.0.0/8\\n\\tmasqLinkLocal: on\"\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n"
    b"data:\n  config: |+4\n      nonMasqueradeCIDRs: [10.0.0.0/8]\n\n\n  config: >-\n    masqLinkLocal: y\n",
    b"kind: List\nitems:\n- kind: List\n  items:\n  - &cm {apiVersion: v1, kind: ConfigMap, metadata: {name: ip-masq-agent,"
    b" namespace: kube-system}, data: {config: 'masqLinkLocal: true'}}\n  - *cm\n- 5\n- [x]\nmetadata: *cm\n",
    b"kind: ConfigMapList\nitems: *x\n",
    b'{"nonMasqueradeCIDRs": {"a": "10.0.0.0/8"}, "cidrLimit": 1e1000, "masqLinkLocal": null, "resyncInterval": "-1s",'
    b' "nonmasqueradecidrs": "10.0.0.0/8", "linkLocal": true, "masqLinkLocalIPv6": 1}',
    b"nonMasqueradeCIDRs:\n- ::ffff:10.0.0.0/104\n- fe80::%eth0/64\n- 010.0.0.0/8\n- 10.0.0.0/8 \n- 0.0.0.0/0\n- ::/0\n- 8.8.8.0/24\n"
    b"- 10.0.0.0/8\n- 10.0.0.0/9\n- 10.128.0.0/9\n- ~\n- \ncidrLimit: -1\nresyncInterval: 0s\n",
    b"# masqlint: disable-file=MQ999,not-a-rule -- why\nnonMasqueradeCIDRs: [10.0.0.0/8] # masqlint: disable\n"
    b"# masqlint: disable-next-line=MQ306\n",
]

TOKENS = [
    b"\x00", b"\xff", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\t", b"\n", b" ", b"  ", b"\\", b":", b": ", b"- ", b"-",
    b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"&b ", b"*b", b"<<: ", b"<<: *a", b"? ", b"!", b"!!str ",
    b"!!binary ", b"!!int ", b"!!float ", b"!!bool ", b"!!null ", b"!!map ", b"!!seq ", b"!!merge ",
    b"!!python/object/apply:os.system ", b"!Ref ", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"---\n", b"...\n",
    b"#", b" # masqlint: disable=MQ305", b"# masqlint: disable-next-line\n", b"|", b"|-", b"|2", b">", b"'", b'"',
    b"~", b"null", b"yes", b"no", b"on", b"0x", b"0o17", b"0b101", b"1e400", b"-0", b".nan", b".inf", b"1_000",
    b"2001-01-01", b"9223372036854775808", b"/33", b"/0", b"/32", b"::", b"::ffff:", b"%eth0", b"0.0.0.0/0",
    b"169.254.0.0/16", b"10.1.1.5/24", b"fe80::/10", b"nonMasqueradeCIDRs", b"masqLinkLocal", b"cidrLimit",
    b"resyncInterval", b"masqLinkLocalIPv6", b"linkLocal", b"config", b"data", b"kube-system", b"ip-masq-agent",
    "\u2013 ".encode(), "\u00a0".encode(), "\uff1a".encode(), "\u201c".encode(), "\u017f".encode(),
    "\u212a".encode(), "\u2028".encode(), "\ufeff".encode(), b"\x85", b"\xc3\x28", b"\xed\xa0\x80",
]


def load_seeds() -> list[tuple[str, bytes]]:
    seeds = []
    for p in sorted(CONFORMANCE.glob("*.config")):
        seeds.append((f"conformance/{p.name}", p.read_bytes()))
    examples = REPO / "examples"
    if examples.is_dir():
        for p in sorted(examples.rglob("*")):
            if p.is_file():
                seeds.append((f"examples/{p.relative_to(examples)}", p.read_bytes()))
    seeds += [(f"builtin/{i}", s) for i, s in enumerate(BUILTIN_SEEDS)]
    return seeds


def wrap(config: bytes, indent: int = 4) -> bytes:
    body = b"".join(b" " * indent + line + b"\n" for line in config.split(b"\n"))
    return (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            b"data:\n  config: |\n" + body)


# --- mutations ------------------------------------------------------------------------------------------------


def _pos(rng, data):
    return rng.randrange(len(data) + 1)


def m_flip(rng, data, seeds):
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]


def m_delete(rng, data, seeds):
    i = _pos(rng, data)
    return data[:i] + data[i + rng.randint(1, 8):]


def m_insert_token(rng, data, seeds):
    i = _pos(rng, data)
    return data[:i] + rng.choice(TOKENS) + data[i:]


def m_replace_token(rng, data, seeds):
    i = _pos(rng, data)
    return data[:i] + rng.choice(TOKENS) + data[i + rng.randint(1, 4):]


def m_random_bytes(rng, data, seeds):
    i = _pos(rng, data)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))) + data[i:]


def m_repeat(rng, data, seeds):
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 40))
    return data[:j] + data[i:j] * rng.randint(1, 20) + data[j:]


def m_lines(rng, data, seeds):
    lines = data.split(b"\n")
    k = rng.randrange(len(lines))
    op = rng.randrange(5)
    if op == 0:
        lines.insert(k, lines[k])
    elif op == 1:
        del lines[k]
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif op == 3:  # indentation
        lines[k] = rng.choice([b"", b" ", b"  ", b"\t", b"      ", b" \t", b"\xc2\xa0"]) + lines[k].lstrip(b" \t")
    else:
        lines[k] = b" " * rng.randint(0, 12) + lines[k]
    return b"\n".join(lines)


def m_splice(rng, data, seeds):
    other = rng.choice(seeds)[1]
    i, j = _pos(rng, data), _pos(rng, other)
    return data[:i] + other[j:j + rng.randint(1, 200)] + data[i:]


def m_number(rng, data, seeds):
    digits = [i for i, b in enumerate(data) if 0x30 <= b <= 0x39]
    if not digits:
        return data
    i = rng.choice(digits)
    return data[:i] + str(rng.choice([0, 1, 9, 32, 33, 64, 65, 128, 255, 256, 999, 10 ** 20])).encode() + data[i + 1:]


def m_truncate(rng, data, seeds):
    return data[:_pos(rng, data)]


def m_encoding(rng, data, seeds):
    op = rng.randrange(4)
    if op == 0:
        return data.replace(b"\n", b"\r\n")
    if op == 1:
        return codecs.BOM_UTF8 + data
    text = data.decode("utf-8", "replace")
    if op == 2:
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


MUTATORS = [m_flip, m_delete, m_insert_token, m_insert_token, m_replace_token, m_random_bytes, m_repeat,
            m_lines, m_lines, m_splice, m_number, m_truncate, m_encoding]


def make_input(seed: int, index: int, seeds) -> tuple[bytes, str]:
    rng = random.Random(f"{seed}:{index}")
    name, data = rng.choice(seeds)
    manifest = data.lstrip().startswith((b"apiVersion", b"kind", b"---"))
    mode = rng.random()
    if mode < 0.35 and not manifest:  # a ConfigMap, then mutated anywhere
        data = wrap(data, rng.choice([2, 4, 6]))
        name += "+configmap"
    for _ in range(rng.randint(1, 8)):
        data = rng.choice(MUTATORS)(rng, data, seeds)
        if len(data) > 200_000:
            data = data[:200_000]
    if mode > 0.7 and not manifest:  # the mutated config in an intact ConfigMap: positions map into the block
        data = wrap(data, rng.choice([2, 4, 6]))
        name += "+mutated-then-configmap"
    return data, name


# --- one worker ------------------------------------------------------------------------------------------------

TARGETS = ("gke", "upstream", "cilium", "azure")


class Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise Timeout()


def run_one(data: bytes, index: int):
    """Every pipeline entry on one input. Raises whatever escapes.

    Besides the required paths, every input's fixes are applied (safe and unsafe) and the
    result linted again, and every 10th input's findings go through all report formats."""
    from masqlint.agent.model import AgentFlags
    from masqlint.agent.sync import sync_bytes
    from masqlint.api import lint_text
    from masqlint.config.settings import Settings

    settings = _SETTINGS[index % len(_SETTINGS)]
    findings = lint_text(data, "fuzz.yaml", settings)
    lint_text(data, "ip-masq-agent", settings, standalone=True)
    flags = AgentFlags(nomasq_all_reserved_ranges=bool(index & 1), enable_ipv6=bool(index & 2))
    sync_bytes(data, flags)
    sync_bytes(data, flags, previous=b"nonMasqueradeCIDRs: [10.0.0.0/8]\n")
    if any(f.fix is not None for f in findings):
        fix_and_relint(data, findings, settings)
    if index % 10 == 0:
        render_all(data, settings)


def fix_and_relint(data: bytes, findings, settings) -> None:
    """The --fix --unsafe-fixes loop on the text: edits apply, encode back, lint again."""
    from masqlint.pipeline.fix import apply_edits, select_fixes
    from masqlint.pipeline.runner import lint_bytes
    from masqlint.text.source import SourceFile

    sf = SourceFile.from_bytes("fuzz.yaml", data)
    if sf.text is None:
        raise AssertionError("a fix offered on a file that could not be decoded")
    text = sf.text
    for _ in range(3):
        new_text, n = apply_edits(text, select_fixes(findings, True))
        if n == 0 or new_text == text:
            return
        text = new_text
        findings = lint_bytes("fuzz.yaml", sf.encode(text), settings, None).findings


def render_all(data: bytes, settings) -> None:
    from masqlint.engine.catalog import rule_infos
    from masqlint.engine.findings import RunResult
    from masqlint.report import FORMATS, render
    from masqlint.pipeline.runner import lint_bytes

    result = RunResult(files=[lint_bytes("fuzz.yaml", data, settings, None)], rules=rule_infos())
    for fmt in FORMATS:
        render(fmt, result)


_SETTINGS: list = []


def _settings_variants() -> list:
    from masqlint.config.settings import Destination, Settings

    policy = dict(
        must_masquerade=(Destination("10.2.1.100/32", "endpoint"), Destination("8.8.8.0/24", "")),
        must_not_masquerade=(Destination("100.64.0.0/16", "pods"), Destination("fd00::/64", "v6 pods")),
        allow_dropped_defaults=("10.0.0.0/8",),
    )
    return [Settings(target=t) for t in TARGETS] + [
        Settings(target="gke", **policy),
        Settings(target="cilium", agent_flags={"enable-ipv6": True}, **policy),
        Settings(target="upstream", agent_flags={"nomasq-all-reserved-ranges": True, "enable-ipv6": True}),
    ]


def worker(seed: int, start: int, stop: int, out: Path, timeout: float, progress_file: str) -> dict:
    _SETTINGS[:] = _settings_variants()
    seeds = load_seeds()
    signal.signal(signal.SIGALRM, _alarm)
    crashes, slowest, slowest_index, done = [], 0.0, None, 0
    fd = os.open(progress_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for i, warm in enumerate(BUILTIN_SEEDS * 2):  # warm up (catalog, schemas, lazy imports) before timing
        run_one(warm, i * 10)
    for index in range(start, stop):
        data, name = make_input(seed, index, seeds)
        os.pwrite(fd, f"{index:012d}".encode(), 0)  # where a C-level crash happened, for the parent
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            run_one(data, index)
        except Timeout:
            crashes.append(save_crash(out, seed, index, name, data, f"timeout: over {timeout}s"))
        except BaseException:  # noqa: BLE001 - anything escaping is a crash
            crashes.append(save_crash(out, seed, index, name, data, traceback.format_exc()))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - t0
        if elapsed > slowest:
            slowest, slowest_index = elapsed, index
        done += 1
    os.close(fd)
    return {"done": done, "crashes": crashes, "slowest": slowest, "slowest_index": slowest_index}


def save_crash(out: Path, seed: int, index: int, name: str, data: bytes, why: str) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    signature = why.strip().splitlines()[-1][:200] if why.strip() else "?"
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = out / f"crash-{digest}.bin"
    path.write_bytes(data)
    (out / f"crash-{digest}.txt").write_text(f"seed {seed} index {index} from {name}\n\n{why}\n")
    return {"index": index, "seed_file": name, "file": str(path), "signature": signature}


# --- the driver ---------------------------------------------------------------------------------------------------


def drive(args) -> dict:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chunk = max(100, min(5000, args.inputs // (args.jobs * 4) or 1))
    pending = [(s, min(s + chunk, args.inputs)) for s in range(0, args.inputs, chunk)]
    lock = threading.Lock()
    totals = {"inputs": 0, "crashes": [], "slowest": 0.0, "slowest_index": None}
    t0 = time.perf_counter()

    def take():
        with lock:
            return pending.pop(0) if pending else None

    def run_chunk(slot: int):
        progress = str(out / f".progress-{slot}")
        while (job := take()) is not None:
            start, stop = job
            cmd = [sys.executable, __file__, "--worker", str(start), str(stop), "--seed", str(args.seed),
                   "--out", str(out), "--timeout", str(args.timeout), "--progress", progress]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode == 0:
                res = json.loads(proc.stdout.strip().splitlines()[-1])
            else:  # the worker died: the input it was on is a crash; go on after it
                try:
                    at = int(Path(progress).read_text()[:12])
                except (OSError, ValueError):
                    at = start
                data, name = make_input(args.seed, at, load_seeds())
                crash = save_crash(out, args.seed, at, name, data, f"worker died (exit {proc.returncode})\n{proc.stderr[-3000:]}")
                res = {"done": at - start + 1, "crashes": [crash], "slowest": 0.0, "slowest_index": None}
                if at + 1 < stop:
                    with lock:
                        pending.append((at + 1, stop))
            with lock:
                totals["inputs"] += res["done"]
                totals["crashes"] += res["crashes"]
                if res["slowest"] > totals["slowest"]:
                    totals["slowest"], totals["slowest_index"] = res["slowest"], res["slowest_index"]
                if not args.quiet:
                    print(f"  {totals['inputs']:>8} inputs  {len(totals['crashes'])} crashes  "
                          f"{time.perf_counter() - t0:6.0f}s", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=run_chunk, args=(i,)) for i in range(args.jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals["seconds"] = round(time.perf_counter() - t0, 1)
    if totals["slowest_index"] is not None:
        data, name = make_input(args.seed, totals["slowest_index"], load_seeds())
        totals["slowest_input"] = {"index": totals["slowest_index"], "from": name, "bytes": len(data)}
    return totals


def replay(path: str) -> int:
    _SETTINGS[:] = _settings_variants()
    data = Path(path).read_bytes()
    meta = Path(path).with_suffix(".txt")
    index = int(meta.read_text().split()[3]) if meta.exists() else 0
    run_one(data, index)
    print("no crash")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--inputs", type=int, default=100_000)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=10.0, help="an input running longer is a crash (a hang)")
    p.add_argument("--out", default=str(HERE / "out" / "fuzz"))
    p.add_argument("--json", help="also write the report to this file")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--replay", metavar="FILE")
    p.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    p.add_argument("--progress", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    if args.worker:
        res = worker(args.seed, args.worker[0], args.worker[1], Path(args.out), args.timeout, args.progress)
        print(json.dumps(res))
        return 0
    seeds = load_seeds()
    print(f"fuzzing {args.inputs:,} inputs from {len(seeds)} seeds with {args.jobs} workers (seed {args.seed})",
          file=sys.stderr)
    totals = drive(args)
    signatures = sorted({c["signature"] for c in totals["crashes"]})
    report = {
        "inputs": totals["inputs"],
        "paths_per_input": ["lint_text (manifest)", "lint_text (standalone)", "sync_bytes", "sync_bytes (previous)",
                            "fixes applied and linted again (when offered)", "every report format (every 10th input)"],
        "crashes": len(totals["crashes"]),
        "distinct_crashes": signatures,
        "slowest_seconds": round(totals["slowest"], 3),
        "slowest_input": totals.get("slowest_input"),
        "seconds": totals["seconds"],
        "seeds": len(seeds),
        "seed": args.seed,
        "saved_to": args.out if totals["crashes"] else None,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 1 if totals["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
