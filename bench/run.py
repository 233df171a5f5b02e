"""Time masqlint against its peers on the same inputs and check the performance targets.

    python bench/run.py [--quick] [--rounds N] [--out DIR] [--json FILE]

Peers: yamllint, check-jsonschema (with schemas/ip-masq-agent-configmap.schema.json) and
``grep -rli masq`` as the floor for "read every file". Inputs come from bench/gen_tree.py.
Commands of one case run alternately, round after round, so that drift of the machine hits
every tool alike; each figure is the median of its runs. With hyperfine installed it times
the runs (no shell, ``-N``); otherwise each run is a subprocess timed here. Peak RSS is the
child's ``ru_maxrss`` from ``os.wait4`` (the largest process of a run, workers included),
started from a small launcher so that the benchmark's own memory does not count.
The checkout's bytecode is compiled first, as pip does on install (the peers have theirs).
The language-server figures come from a real ``masqlint lsp`` process driven over its pipes
by bench/lspclient.py: start → ``initialize`` reply (one process per sample), and a single
``didChange`` of a 64-entry ConfigMap → its ``publishDiagnostics`` (the editor idle before
each edit); the in-process time of ``masqlint.pipeline.runner.lint_bytes`` on the same text is shown
beside it. T2F (T2 plus Markdown and Terraform files without configs) alternates with T2.

Install the peers with ``pip install .[bench]`` (hyperfine: ``apt-get install hyperfine``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, REPO)

import gen_tree  # noqa: E402
import lspclient  # noqa: E402

SCHEMA = os.path.join(REPO, "schemas", "ip-masq-agent-configmap.schema.json")
MAX_HYPERFINE_CMDLINE = 100_000
# argv[1] is a file descriptor to report on; the rest is the command to run
RSS_LAUNCHER = ("import os, sys\npid = os.fork()\nif pid == 0:\n    os.execvp(sys.argv[2], sys.argv[2:])\n"
                "_, status, ru = os.wait4(pid, 0)\nos.write(int(sys.argv[1]), str(ru.ru_maxrss).encode())\n")
JOBS_NOISE = 0.03  # two medians of the same work differ by this much from run to run


# --- commands ------------------------------------------------------------------------------------


def _script(name: str) -> list[str] | None:
    """A console script, bypassing wrappers (pyenv shims) that would add their own start-up."""
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(cand) and os.access(cand, os.X_OK):
        return [cand]
    found = shutil.which(name)
    if found and "shims" in found and shutil.which("pyenv"):
        try:
            real = subprocess.run(["pyenv", "which", name], capture_output=True, text=True, check=True).stdout.strip()
            if real:
                return [real]
        except (OSError, subprocess.CalledProcessError):
            pass
    return [found] if found else None


def masqlint_cmd() -> list[str]:
    """What the installed ``masqlint`` console script runs, taken from this checkout."""
    return [sys.executable, "-c", "from masqlint.cli.main import run; run()"]


def tool_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("MASQLINT_DEBUG", None)
    env["NO_COLOR"] = "1"
    return env


def version_of(cmd: list[str] | None, args=("--version",)) -> str:
    if not cmd:
        return "not installed"
    try:
        out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60, env=tool_env())
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


# --- timing --------------------------------------------------------------------------------------


class Runner:
    def __init__(self, use_hyperfine: bool):
        self.hyperfine = shutil.which("hyperfine") if use_hyperfine else None
        self.env = tool_env()

    def once(self, argv: list[str], cwd: str) -> tuple[float, float, int]:
        """(wall seconds, CPU seconds (user + system), exit status) of one run, timed here."""
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        return dt, ru.ru_utime + ru.ru_stime, p.returncode

    def peak_rss(self, argv: list[str], cwd: str) -> int:
        """Peak RSS in KiB of one run (the largest process of it, workers included).

        Started from a small launcher process: Linux carries the high-water mark of the
        process that forks into the child's ``ru_maxrss``, and this one holds the trees'
        file lists and more."""
        r, w = os.pipe()
        try:
            p = subprocess.Popen([sys.executable, "-S", "-c", RSS_LAUNCHER, str(w)] + argv, cwd=cwd, env=self.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(w,))
            os.close(w)
            w = -1
            with os.fdopen(r, "rb") as fh:
                r = -1
                out = fh.read()
            p.wait()
            return int(out or 0)
        finally:
            for fd in (r, w):
                if fd >= 0:
                    os.close(fd)

    def times(self, argv: list[str], cwd: str, runs: int) -> tuple[list[float], list[float]]:
        """Wall seconds of each run, and CPU seconds (user + system, workers included) of each
        (hyperfine gives the mean CPU time of its runs: repeated once per run)."""
        line = " ".join(shlex.quote(a) for a in argv)
        if self.hyperfine and len(line) < MAX_HYPERFINE_CMDLINE:
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
                out = fh.name
            try:
                subprocess.run(
                    [self.hyperfine, "-N", "-i", "--runs", str(runs), "--warmup", "0", "--style", "none",
                     "--output", "null", "--export-json", out, line],
                    cwd=cwd, env=self.env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
                with open(out, encoding="utf-8") as fh:
                    res = json.load(fh)["results"][0]
                return list(res["times"]), [res["user"] + res["system"]] * len(res["times"])
            except (OSError, subprocess.CalledProcessError, KeyError, ValueError):
                pass
            finally:
                os.unlink(out)
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu, _ = self.once(argv, cwd)
            walls.append(wall)
            cpus.append(cpu)
        return walls, cpus


class Case:
    """Several commands on one input, run alternately."""

    def __init__(self, name: str, cwd: str, commands: dict[str, list[str] | None], cwds: dict[str, str] | None = None):
        self.name = name
        self.cwd = cwd
        self.commands = {k: v for k, v in commands.items() if v}
        self.cwds = {k: (cwds or {}).get(k, cwd) for k in self.commands}
        self.samples: dict[str, list[float]] = {k: [] for k in self.commands}
        self.cpu: dict[str, list[float]] = {k: [] for k in self.commands}
        self.rss: dict[str, int] = {}

    def run(self, runner: Runner, rounds: int, per_round: int, skip_warmup=()) -> "Case":
        for label, argv in self.commands.items():  # warm the page cache, measure memory
            if label not in skip_warmup:
                self.rss[label] = runner.peak_rss(argv, self.cwds[label])
        for _ in range(rounds):
            for label, argv in self.commands.items():
                walls, cpus = runner.times(argv, self.cwds[label], per_round)
                self.samples[label] += walls
                self.cpu[label] += cpus
        return self

    def median(self, label: str) -> float | None:
        s = self.samples.get(label)
        return statistics.median(s) if s else None

    def cpu_median(self, label: str) -> float | None:
        s = self.cpu.get(label)
        return statistics.median(s) if s else None


# --- in-process figures --------------------------------------------------------------------------


def _median_time(fn, runs: int, warm: int = 3) -> float:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def configmap_with(n: int, change: int = 0) -> bytes:
    body = "".join(f"      - 10.{(i + change) // 256 % 256}.{(i + change) % 256}.0/24\n" for i in range(n))
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\ndata:\n"
            f"  config: |\n    nonMasqueradeCIDRs:\n{body}    masqLinkLocal: false\n    resyncInterval: 60s\n").encode()


def lsp_relint_ms(runs: int) -> float:
    """Median server-side time to re-lint a 64-entry ConfigMap after an edit (alternating two texts)."""
    from masqlint.pipeline.runner import lint_bytes
    from masqlint.config.settings import Settings

    settings = Settings()
    texts = [configmap_with(64, 0), configmap_with(64, 1)]
    k = [0]

    def once():
        k[0] += 1
        lint_bytes("file:///cluster/ip-masq-agent.yaml", texts[k[0] % 2], settings, None)

    return _median_time(once, runs, warm=5) * 1000


def per_entry_us(out: str, quick: bool) -> dict[str, float]:
    """In-process lint time per CIDR entry, over the small ConfigMap's time (no start-up in it)."""
    from masqlint.pipeline.runner import lint_bytes
    from masqlint.config.settings import Settings

    settings = Settings()

    def data(name):
        with open(os.path.join(out, name + ".yaml"), "rb") as fh:
            return fh.read()

    small = data("C-small")
    base = _median_time(lambda: lint_bytes("C-small.yaml", small, settings, None), 20)
    res = {}
    for name, n in gen_tree.C_SIZES.items():
        d = data(name)
        runs = {1000: 31, 10000: 11, 100000: 3 if quick else 5}[n]
        t = _median_time(lambda: lint_bytes(name + ".yaml", d, settings, None), runs, warm=1)
        res[name] = (t - base) / n * 1e6
    return res


# --- report --------------------------------------------------------------------------------------


def ms(x):
    return "—" if x is None else (f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s")


def ratio_text(a, b):
    return "—" if not a or not b else f"{a / b:.2f}×"


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def machine() -> str:
    cores = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{usable} usable cores ({cores} online), {model or 'unknown CPU'}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=gen_tree.default_out(), help="benchmark trees (made by gen_tree.py when missing)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds for the tree cases (default 3)")
    ap.add_argument("--quick", action="store_true", help="fewer runs (for a first look; figures are noisier)")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with subprocess runs even if hyperfine is installed")
    ap.add_argument("--json", metavar="FILE", help="also write every sample as JSON")
    args = ap.parse_args(argv)

    out = gen_tree.generate(os.path.abspath(args.out))
    # pip compiles an installed package's bytecode, as it did for the peers; do the same for the
    # checkout (PYTHONDONTWRITEBYTECODE would otherwise make every run compile masqlint anew)
    import compileall

    compileall.compile_dir(os.path.join(REPO, "masqlint"), quiet=1)
    runner = Runner(not args.no_hyperfine)
    ml = masqlint_cmd()
    yl = _script("yamllint")
    cj = _script("check-jsonschema")
    grep = shutil.which("grep")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    rounds = 1 if args.quick else args.rounds
    cold_rounds, cold_runs = (3, 5) if args.quick else (6, 10)

    def cj_on(files):
        return cj + ["--schemafile", SCHEMA] + files if cj else None

    def tree_files(tree):
        found = []
        for d, dirs, files in os.walk(os.path.join(out, tree)):
            dirs[:] = sorted(x for x in dirs if x != ".git")
            found += [os.path.relpath(os.path.join(d, f), os.path.join(out, tree)) for f in sorted(files)
                      if f.endswith((".yaml", ".yml", ".json"))]
        return found

    print(f"machine: {machine()}")
    print(f"tools:   masqlint {__import__('masqlint').__version__} (this checkout); {version_of(yl)}; "
          f"{version_of(cj)}; {version_of([grep]) if grep else 'grep not installed'}; "
          f"timer: {'hyperfine (' + version_of([runner.hyperfine]) + ')' if runner.hyperfine else 'subprocess runs'}")
    print(f"inputs:  {out}")
    print(f"load:    {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) at the start", flush=True)

    t_all = time.perf_counter()
    small = Case("cold start, small agent ConfigMap", out, {
        "masqlint": ml + ["check", "small-configmap.yaml"],
        "yamllint": yl + ["small-configmap.yaml"] if yl else None,
    }).run(runner, cold_rounds, cold_runs)
    other = Case("cold start, not an agent config", out, {
        "masqlint": ml + ["check", "not-agent.yaml"],
        "yamllint": yl + ["not-agent.yaml"] if yl else None,
    }).run(runner, cold_rounds, cold_runs)
    print(f"  cold start done ({time.perf_counter() - t_all:.0f} s)", flush=True)

    trees = {}
    for tree in ("T1", "T2"):
        files = tree_files(tree)
        cwd = os.path.join(out, tree)
        commands = {
            "masqlint -j1": ml + ["check", "--jobs", "1", "."],
            "masqlint": ml + ["check", "."],
            "yamllint": yl + ["."] if yl and tree == "T1" else None,  # T2's targets name only grep
            "check-jsonschema": cj_on(files) if tree == "T1" else None,
            "grep": [grep, "-rli", "masq", "."] if grep else None,
        }
        cwds = {}
        if tree == "T2":  # T2F alternates with T2 in the same rounds: its ratio to T2 is side by side
            commands["masqlint T2F -j1"] = ml + ["check", "--jobs", "1", "."]
            commands["masqlint T2F"] = ml + ["check", "."]
            cwds = {"masqlint T2F -j1": os.path.join(out, "T2F"), "masqlint T2F": os.path.join(out, "T2F")}
        trees[tree] = (len(files), Case(tree, cwd, commands, cwds).run(runner, rounds, 1))
        print(f"  {tree} done ({time.perf_counter() - t_all:.0f} s)", flush=True)

    big = Case("C(n)", out, {name: ml + ["check", name + ".yaml"] for name in gen_tree.C_SIZES}).run(runner, 1 if args.quick else 3, 1)
    per_entry = per_entry_us(out, args.quick)
    print(f"  C(n) done ({time.perf_counter() - t_all:.0f} s)", flush=True)

    lsp_dir = tempfile.mkdtemp(prefix="masqlint-lsp-")
    lsp_argv = ml + ["lsp"]
    lsp_init: list[float] = []
    lsp_change: list[float] = []
    try:
        lsp_init = lspclient.start_to_initialize(lsp_argv, lsp_dir, runner.env, 5 if args.quick else 15)
        texts = [configmap_with(64, 0).decode(), configmap_with(64, 1).decode()]
        lsp_change = lspclient.change_to_diagnostics(lsp_argv, lsp_dir, runner.env, texts, 10 if args.quick else 40,
                                                     pause=0.4)
    except (OSError, EOFError, TimeoutError) as e:  # a server that does not start or does not answer
        print(f"  language server not measured: {type(e).__name__}: {e}", flush=True)
    finally:
        shutil.rmtree(lsp_dir, ignore_errors=True)
    lsp_lint = lsp_relint_ms(100 if args.quick else 400)
    print(f"  LSP done ({time.perf_counter() - t_all:.0f} s)\n", flush=True)

    # --- the table: the targets of the performance issue ---
    rows = []

    def row(case, target, measured, ok, cpu=""):
        rows.append((case, target, measured, verdict(ok), cpu))

    def cpu_ratio(case, a, b):
        ca, cb = case.cpu_median(a), case.cpu_median(b)
        return f"{ms(ca)} vs {ms(cb)} = {ratio_text(ca, cb)}" if ca and cb else ""

    m, y = small.median("masqlint"), small.median("yamllint")
    row("cold start, small agent ConfigMap", "≤ 0.55× yamllint",
        f"{ms(m)} vs {ms(y)} = {ratio_text(m, y)}", None if not y else m <= 0.55 * y,
        cpu_ratio(small, "masqlint", "yamllint"))
    m, y = other.median("masqlint"), other.median("yamllint")
    row("cold start, a YAML file that is not an agent config", "≤ 0.5× yamllint",
        f"{ms(m)} vs {ms(y)} = {ratio_text(m, y)}", None if not y else m <= 0.5 * y,
        cpu_ratio(other, "masqlint", "yamllint"))

    def fps(n, t):
        return n / t if t else None

    n1, t1 = trees["T1"]
    f_m, f_y, f_c = fps(n1, t1.median("masqlint -j1")), fps(n1, t1.median("yamllint")), fps(n1, t1.median("check-jsonschema"))
    def cpu_speedup(case, a, peer):
        ca, cp = case.cpu_median(a), case.cpu_median(peer)
        return f"{ms(ca)} vs {ms(cp)}: {cp / ca:.1f}× less" if ca and cp else ""

    row("T1 (2,000 files, 25% agent), one process", "≥ 15× yamllint",
        f"{f_m:,.0f} vs {f_y:,.0f} files/s = {f_m / f_y:.1f}×" if f_y else "—", None if not f_y else f_m >= 15 * f_y,
        cpu_speedup(t1, "masqlint -j1", "yamllint"))
    row("", "≥ 8× check-jsonschema",
        f"{f_m:,.0f} vs {f_c:,.0f} files/s = {f_m / f_c:.1f}×" if f_c else "—", None if not f_c else f_m >= 8 * f_c,
        cpu_speedup(t1, "masqlint -j1", "check-jsonschema"))

    n2, t2 = trees["T2"]
    m2, m2j, g2 = t2.median("masqlint -j1"), t2.median("masqlint"), t2.median("grep")
    row("T2 (20,000 files, 0.5% agent), default jobs", "≤ 2.5× `grep -rli masq`",
        f"{ms(m2j)} vs {ms(g2)} = {ratio_text(m2j, g2)}", None if not g2 else m2j <= 2.5 * g2,
        "one process: " + cpu_ratio(t2, "masqlint -j1", "grep"))
    jobs_cases = [("T1", t1, "masqlint -j1", "masqlint"), ("T2", t2, "masqlint -j1", "masqlint"),
                  ("T2F", t2, "masqlint T2F -j1", "masqlint T2F")]
    for i, (tree, case, one, default) in enumerate(jobs_cases):
        a, b = case.median(one), case.median(default)
        row("`--jobs` (default, " + f"{cores} cores) vs one process" if i == 0 else "",
            f"{tree}: ≤ 1.0× one process (+{JOBS_NOISE:.0%} noise)",
            f"{ms(b)} vs {ms(a)} = {ratio_text(b, a)}", b <= a * (1 + JOBS_NOISE), cpu_ratio(case, default, one))
    t100 = big.median("C100k")
    rss100 = big.rss.get("C100k", 0) / 1024
    row("one ConfigMap, 100,000 entries", "≤ 1.0 s", f"{ms(t100)} (1k {ms(big.median('C1k'))}, 10k {ms(big.median('C10k'))})",
        t100 <= 1.0, ms(big.cpu_median("C100k")))
    row("", "≤ 100 MB peak RSS", f"{rss100:.0f} MB", rss100 <= 100)
    pe = per_entry
    grow = pe["C100k"] / pe["C1k"] if pe["C1k"] > 0 else None
    row("", "time per entry at 100k ≤ 1.2× at 1k",
        f"{pe['C100k']:.1f} vs {pe['C1k']:.1f} µs/entry = {grow:.2f}× (10k: {pe['C10k']:.1f})" if grow else "—",
        None if grow is None else grow <= 1.2)
    if lsp_change and lsp_init:
        lc, li = lspclient.median_ms(lsp_change), lspclient.median_ms(lsp_init)
        row("`masqlint lsp` (a real process over stdio)", "didChange → diagnostics ≤ 20 ms (single edit)",
            f"{lc:.1f} ms (64 entries; max {max(lsp_change) * 1000:.1f} ms; the lint itself {lsp_lint:.1f} ms)", lc <= 20)
        row("", "start → initialize ≤ 250 ms", f"{li:.0f} ms (max {max(lsp_init) * 1000:.0f} ms)", li <= 250)
    else:
        row("`masqlint lsp` (a real process over stdio)", "didChange ≤ 20 ms; start → initialize ≤ 250 ms",
            "not measured (the server did not start or answer: see above)", None)
    mf = t2.median("masqlint T2F")
    row("T2F = T2 + 1,000 .md + 1,000 .tf without configs", "≤ 1.1× T2 (default jobs)",
        f"{ms(mf)} vs {ms(m2j)} = {ratio_text(mf, m2j)}", mf <= 1.1 * m2j)

    head = ("case", "target", "measured (wall, medians)", "", "CPU time, user + system (medians)")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
    print("| " + " | ".join(f"{head[i]:<{w[i]}}" for i in range(5)) + " |")
    print("|" + "|".join("-" * (w[i] + 2) for i in range(5)) + "|")
    for r in rows:
        print("| " + " | ".join(f"{r[i]:<{w[i]}}" for i in range(5)) + " |")
    missed = sum(1 for r in rows if r[3] == "MISS")
    print(f"\n{sum(1 for r in rows if r[3] == 'PASS')} PASS, {missed} MISS")

    print("\nmedians (peak RSS):")
    for case in [small, other] + [c for _, c in trees.values()] + [big]:
        parts = [f"{k} {ms(case.median(k))}" + (f" ({case.rss[k] / 1024:.0f} MB)" if k in case.rss else "")
                 for k in case.commands]
        print(f"  {case.name}: " + "; ".join(parts))
    print(f"  T2 one process: {ms(m2)} = {ratio_text(m2, g2)} grep")
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    print(f"  files: T1 {n1}, T2 {n2}, T2F {n2 + gen_tree.T2F_DOCS + gen_tree.T2F_TF}; total {time.perf_counter() - t_all:.0f} s")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": machine(), "rows": rows, "per_entry_us": per_entry, "lsp_lint_ms": lsp_lint,
                       "lsp_change_s": lsp_change, "lsp_init_s": lsp_init,
                       "samples": {c.name: c.samples for c in [small, other, big] + [c for _, c in trees.values()]},
                       "rss_kib": {c.name: c.rss for c in [small, other, big] + [c for _, c in trees.values()]}},
                      fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
