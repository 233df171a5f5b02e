"""A walk learns from its own listings what other lookups would ask the file system, and gets their answers.

- the settings of a walked directory are those a fresh lookup finds (nested files, a pyproject.toml
  without a masqlint table, a directory bearing a settings file's name, links followed or not);
- .gitignore files settled per directory ignore exactly what pathspec ignores path by path;
- a walked file is opened without a stat first: same bytes, same MQ006, and a path that stopped being
  a regular file is an error, never a wait;
- the built-in standalone globs are not matched for a YAML or JSON name (they only guess for one):
  the verdict is the one full matching gives.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from masqlint.config import loader
from masqlint.config.settings import DEFAULT_STANDALONE_GLOBS, Settings, path_matches
from masqlint.pipeline.discover import Candidate, discover
from masqlint.pipeline.runner import Options, prepare, read_candidate


def _settings_tree(root):
    (root / ".git").mkdir(parents=True)
    files = {
        ".masqlint.yaml": "target: cilium\n",
        "apps/web/deploy.yaml": "kind: Service\n",
        "apps/pyproject.toml": "[project]\nname = 'apps'\n",  # no [tool.masqlint]: look further up
        "apps/api/pyproject.toml": "[tool.masqlint]\ntarget = 'azure'\n",
        "apps/api/v1/cm.yaml": "kind: Service\n",
        "infra/.masqlint.yml": "target: upstream\n",
        "infra/net/deep/er/cm.yaml": "kind: Service\n",
        "odd/.masqlint.yaml/inside.yaml": "kind: Service\n",  # a directory bearing a settings file's name
        "odd/sub/cm.yaml": "kind: Service\n",
    }
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    # outside the checked tree (its own settings), walked only when links are followed
    outside = root.parent / "outside"
    (outside / "api" / "v1").mkdir(parents=True)
    (outside / ".masqlint.yaml").write_text("target: gke\n", encoding="utf-8")
    (outside / "api" / "v1" / "cm.yaml").write_text("kind: Service\n", encoding="utf-8")
    os.symlink(outside / "api", root / "linked")
    os.symlink(root / "infra", root / "odd" / "sub" / "up")  # walked already by then: not again


@pytest.mark.parametrize("follow", [False, True])
def test_walked_directories_get_the_settings_a_fresh_lookup_finds(tmp_path, monkeypatch, follow):
    _settings_tree(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    loader.find_settings_for_dir.cache_clear()
    walked: dict[str, object] = {}

    def globs_for_dir(d, parent, names):
        if names is not None:
            walked[d] = loader.find_settings_for_walked_dir(d, parent, names)
        from masqlint.pipeline.discover import DirGlobs

        return DirGlobs()

    files = [c.display for c in discover(["."], follow_symlinks=follow, globs_for_dir=globs_for_dir)
             if isinstance(c, Candidate)]
    assert "apps/api/v1/cm.yaml" in files and ("linked/v1/cm.yaml" in files) == follow
    assert len(walked) == (14 if follow else 12)
    loader.find_settings_for_dir.cache_clear()  # nothing known from the walk: every directory looked up anew
    targets = {}
    for d, s in walked.items():
        fresh = loader.find_settings_for_dir(d)
        assert (s.config_path if s else None) == (fresh.config_path if fresh else None), d
        targets[os.path.relpath(d, tmp_path / "repo")] = s.target if s else None
    assert targets["apps/web"] == "cilium" and targets["apps/api/v1"] == "azure"
    assert targets["infra/net/deep/er"] == "upstream" and targets["odd/.masqlint.yaml"] == "cilium"
    if follow:
        assert targets["linked/v1"] == "gke"


def test_a_directory_without_a_settings_name_costs_the_walk_no_lookup(tmp_path, monkeypatch):
    for i in range(12):
        (tmp_path / "team" / f"d{i}" / "x").mkdir(parents=True)
        (tmp_path / "team" / f"d{i}" / "x" / "cm.yaml").write_text("kind: Service\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    loader.find_settings_for_dir.cache_clear()
    looked: list[str] = []
    real_isfile = loader.os.path.isfile
    monkeypatch.setattr(loader.os.path, "isfile", lambda p: looked.append(p) or real_isfile(p))
    from masqlint.pipeline.runner import walk

    assert len([c for c in walk(["."], Options()) if isinstance(c, Candidate)]) == 12
    # the top directory and those above it are looked up; none of the 24 directories below
    assert looked and not any(os.sep + "team" in p for p in looked)


# --- .gitignore per directory -------------------------------------------------------------------

_LINES = ["build/", "*.tgz", "!keep.tgz", "/top.yaml", "a/**", "!a/b/", "*.y*ml", "!c/*.yaml", "[ab].json",
          "x?z.yaml", "**/gen", "!**/gen/keep.yaml", "# c", "", "d/e/", "charts/*/charts/", "*.swp", "b"]
_FILES = ["top.yaml", "a.json", "x.tgz", "keep.tgz", "a/b/f.yaml", "a/c.json", "b/xyz.yaml", "c/f.yaml",
          "c/gen/keep.yaml", "c/gen/n.json", "d/e/f.json", "build/o.json", "charts/m/charts/s.yaml",
          "charts/m/values.yaml", "sub/top.yaml", "sub/a/f.json", "sub/gen/z.json", "sub/q.swp.json", "sub/c/f.yaml"]


def _reference_walk(root: str, respect: bool) -> list[str]:
    """Every file the walk yields, ignored or not by pathspec matching each path against every .gitignore
    at or above it (an ignored directory hides all below it)."""
    import pathspec

    specs = {}
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel_d = os.path.relpath(d, root)
        if respect and ".gitignore" in files:
            with open(os.path.join(d, ".gitignore"), encoding="utf-8") as fh:
                specs[rel_d] = pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())

        def ignored(rel: str) -> bool:
            for base, spec in specs.items():
                if base == ".":
                    if spec.match_file(rel):
                        return True
                elif rel.startswith(base + "/") and spec.match_file(rel[len(base) + 1:]):
                    return True
            return False

        dirs[:] = [x for x in dirs if x != ".git" and not ignored(os.path.normpath(os.path.join(rel_d, x)) + "/")]
        for f in files:
            rel = os.path.normpath(os.path.join(rel_d, f))
            if f.endswith((".yaml", ".json")) and not ignored(rel):
                out.append(rel)
    return sorted(out)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=6), st.lists(st.sampled_from(_LINES), max_size=4))
def test_gitignore_settled_per_directory_ignores_what_pathspec_ignores(top_lines, sub_lines):
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, ".git"))
        for rel in _FILES:
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as fh:
                fh.write("kind: Service\n")
        with open(os.path.join(root, ".gitignore"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(top_lines) + "\n")
        with open(os.path.join(root, "sub", ".gitignore"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(sub_lines) + "\n")
        got = sorted(os.path.relpath(c.path, root) for c in discover([root]) if isinstance(c, Candidate))
        assert got == _reference_walk(root, True)
        assert len(_reference_walk(root, False)) == len([f for f in _FILES if f.endswith((".yaml", ".json"))])


# --- reading a walked file ----------------------------------------------------------------------


def test_a_walked_file_is_read_as_a_named_one(tmp_path):
    settings = Settings(max_file_size=5000)
    for size in (0, 1, 4096, 5000, 5001, 70000):
        p = tmp_path / f"f{size}.yaml"
        p.write_bytes((b"kind: Service\n" * (size // 14 + 1))[:size])
        named = read_candidate(p.name, str(p), settings, Options())
        walked = read_candidate(p.name, str(p), settings, Options(), walked=True)
        assert named[0] == walked[0]
        if size > 5000:
            assert named[0] is None
            assert [f.to_dict() for f in named[1].result.findings] == [f.to_dict() for f in walked[1].result.findings]
            assert [f.rule for f in walked[1].result.findings] == ["MQ006"]
        else:
            assert named[1] is None and walked[1] is None and len(walked[0]) == size


@pytest.mark.parametrize("limit", [1, 5000, 65535, 65536, 65537, 200_000])
def test_the_quick_read_of_a_walked_file_is_the_full_read(tmp_path, limit):
    """A walked file read without a stat (runner._read_plain) gives read_candidate's bytes, or None where
    read_candidate has something to say (too large: MQ006) or the bytes need a second look (empty)."""
    from masqlint.pipeline.runner import _read_plain

    settings = Settings(max_file_size=limit)
    seen = 0
    for size in (0, 1, 2, 4999, 5000, 5001, 65535, 65536, 65537, 131072, 199_999, 200_000, 200_001):
        p = tmp_path / f"f{size}.yaml"
        p.write_bytes((b"kind: Service\n" * (size // 14 + 1))[:size])
        quick = _read_plain(str(p), limit)
        full, early = read_candidate(p.name, str(p), settings, Options(), walked=True)
        if quick is not None:
            seen += 1
            assert early is None and quick == full and len(quick) == size
        else:
            assert size == 0 or size > limit
    assert seen == sum(1 for size in (1, 2, 4999, 5000, 5001, 65535, 65536, 65537, 131072, 199_999, 200_000) if size <= limit)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_the_quick_read_leaves_a_pipe_or_a_directory_to_the_full_read(tmp_path):
    from masqlint.pipeline.runner import _read_plain

    fifo = tmp_path / "cm.yaml"
    os.mkfifo(fifo)  # no writer: nothing read, no wait
    assert _read_plain(str(fifo), 1 << 20) is None
    d = tmp_path / "dir.yaml"
    d.mkdir()
    assert _read_plain(str(d), 1 << 20) is None
    assert _read_plain(str(tmp_path / "gone.yaml"), 1 << 20) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_walked_path_that_became_a_pipe_is_an_error_not_a_wait(tmp_path):
    fifo = tmp_path / "cm.yaml"
    os.mkfifo(fifo)  # listed as a regular file, replaced by a pipe before it was opened
    data, early = read_candidate("cm.yaml", str(fifo), Settings(), Options(), walked=True)
    assert data is None and early is not None and "not a regular file" in early.error
    d = tmp_path / "dir.yaml"
    d.mkdir()
    data, early = read_candidate("dir.yaml", str(d), Settings(), Options(), walked=True)
    assert data is None and "not a regular file" in early.error


# --- the built-in standalone globs --------------------------------------------------------------

_NAMES = ["ip-masq-agent", "ip-masq-agent.conf", "etc/config/ip-masq-agent", "ip-masq-agent-config.yaml",
          "k/ip-masq-agent-config.YAML", "ip-masq-agent.json", "ip-masq-agent.yml", "agent.conf", "web.yaml",
          "deploy/ip-masq-agent.config", "x/ip-masq-agent-config", "docs/ip-masq-agent.md", "IP-MASQ-AGENT",
          "notes.md", "main.tf", "ip-masq-agent-config.tf", "x/ip-masq-agent/values.conf"]


@pytest.mark.parametrize("standalone", [None, ("**/agent.conf",), ("**/*.yaml",), ()])
def test_standalone_verdict_as_full_matching_gives(tmp_path, monkeypatch, standalone):
    monkeypatch.chdir(tmp_path)
    text = b"nonMasqueradeCIDRs: []\n"
    settings = Settings() if standalone is None else Settings(standalone=standalone)
    assert (settings.standalone == DEFAULT_STANDALONE_GLOBS) == (standalone is None)
    checked = 0
    for name in _NAMES:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text)
        for path in (name, str(p)):
            absolute = os.path.abspath(path)
            full = True if path_matches(settings.standalone, absolute, path, (None, os.getcwd(), None)) else None
            if full and settings.standalone == DEFAULT_STANDALONE_GLOBS and path.lower().endswith((".yaml", ".yml", ".json")):
                full = None  # what prepare has always answered for such a name
            got = prepare(name, path, Options(), settings=settings, walked=path == str(p))
            assert got.standalone is full, (name, path)
            assert got.data == text
            checked += 1
    assert checked == 2 * len(_NAMES)


# --- what a worker sends back -------------------------------------------------------------------


def test_settings_travel_between_processes_without_their_memo():
    import pickle

    from masqlint.engine.findings import Severity

    s = Settings(target="cilium", severity={"MQ302": Severity.ERROR}, agent_flags={"enable_ipv6": True},
                 exclude=("vendor/**",), config_root="/repo")
    s.memo()[("checks", "config")] = (lambda: None,)  # derived values may be functions: never pickled
    back = pickle.loads(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == s
    for name in Settings._all_slots():
        if name != "_memo":
            assert getattr(back, name) == getattr(s, name), name
    assert back.memo() == {}


def test_workers_told_the_settings_of_each_directory_lint_as_one_process_does(tmp_path, monkeypatch):
    """Workers are handed the settings the walk found for each directory: the findings (nested settings
    files, a scope, a pyproject.toml table) are those of a run in one process."""
    from masqlint.pipeline import pool
    from masqlint.pipeline.runner import POOL_MIN_FILES, run, walk

    if not pool.available():
        pytest.skip("no fork here")
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
          "data:\n  config: |\n    nonMasqueradeCIDRs:\n      - {cidr}\n      - 10.0.0.0/8\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".masqlint.yaml").write_text("scopes:\n  - files: ['prod/**']\n    severity: {MQ302: error}\n",
                                             encoding="utf-8")
    # the first files (walked, and linted here, before any worker starts) are in directories of their own
    dirs = {"a1": None, "a2": None, "a3": None, "a4": None, "a5": None,
            "dev": None, "prod/eu": None, "legacy": ".masqlint.yaml", "legacy/old": None, "tools": "pyproject.toml"}
    for d, own in dirs.items():
        (tmp_path / d).mkdir(parents=True)
        if own == ".masqlint.yaml":
            (tmp_path / d / own).write_text("ignore: [MQ305]\n", encoding="utf-8")
        elif own:
            (tmp_path / d / own).write_text("[tool.masqlint]\nselect = ['MQ3']\n", encoding="utf-8")
        for i in range(30):
            cidr = f"10.{i}.0.{i % 3}/16"
            (tmp_path / d / f"cm{i:02d}.yaml").write_text(cm.format(cidr=cidr), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def findings(jobs):
        loader.find_settings_for_dir.cache_clear()
        opts = Options(jobs=jobs)
        # lazily, as check does: the workers start before the walk has seen most directories
        rr, _ = run((c for c in walk(["."], opts) if isinstance(c, Candidate)), opts)
        return [(f.path, [(x.rule, x.severity, x.span) for x in f.findings]) for f in rr.files]

    one = findings(1)
    assert len([p for p, _ in one if "/cm" in p]) == 300 > 4 * POOL_MIN_FILES
    assert findings(2) == one
    by_path = dict(one)
    assert any(sev == 3 for rule, sev, _ in by_path["prod/eu/cm01.yaml"] if rule == "MQ302")  # the scope's severity
    assert not any(rule == "MQ305" for rule, _, _ in by_path["legacy/old/cm00.yaml"])  # the nearer settings
    assert all(rule.startswith("MQ3") for rule, _, _ in by_path["tools/cm00.yaml"])  # the pyproject.toml table


def test_walked_files_passed_over_early_get_what_prepare_gives(tmp_path, monkeypatch):
    """Most walked files are read and passed over before ``prepare``; every file gets what the full
    path gives it (configs, files without one, too large, empty, excluded, named standalone, other forms)."""
    from masqlint.pipeline import runner

    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
          "data:\n  config: |\n    nonMasqueradeCIDRs:\n      - 10.0.0.5/8\n")
    files = {
        "a/cm.yaml": cm, "a/svc.yaml": "kind: Service\nmetadata: {name: web}\n", "a/empty.yml": "",
        "a/big.yaml": "# masq\n" + "x: 1\n" * 3000, "a/big-plain.json": "{}" + " " * 20000,
        "a/ip-masq-agent": "nonMasqueradeCIDRs: [10.0.0.5/8]\n", "a/ip-masq-agent.yaml": "nonMasqueradeCIDRs: []\n",
        "a/notes.md": "# notes\nnothing here\n", "a/main.tf": 'resource "x" "y" {}\n',
        "a/ip-masq-agent.conf": "{}\n", "a/ip-masq-agent-notes.md": "# masq\n",
        "b/.masqlint.yaml": "exclude: ['vendor/**']\nstandalone: ['**/agent*.yaml']\nmax-file-size: 100000\n",
        "b/agent-empty.yaml": "{}\n",  # named an agent config by settings: linted, though it never says masq
        "b/vendor/cm.yaml": cm, "b/agent.yaml": "nonMasqueradeCIDRs: [10.0.0.5/8]\n", "b/cm.yaml": cm,
        "b/svc.yaml": "kind: Service\n", "c/.masqlint.yaml": "standalone: []\nmax-file-size: 10000\n",
        "c/cm.yaml": cm, "c/ip-masq-agent": "nonMasqueradeCIDRs: [10.0.0.5/8]\n", "c/svc.yaml": "kind: Service\n",
    }
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def outcomes():
        loader.find_settings_for_dir.cache_clear()
        opts = Options(jobs=1, overrides={"max-file-size": 5000})
        out = []
        for c in runner.walk(["."], opts):
            o = runner.process_or_none(c.display, c.path, c.explicit, opts)
            out.append((c.display, None if o is None else (o.error, o.result.configs,
                                                          [f.to_dict() for f in o.result.findings])))
        return out

    early = outcomes()
    monkeypatch.setattr(runner, "_content_decides", lambda settings, path: False)  # everything through prepare
    assert early == outcomes()
    got = dict(early)
    assert len(got) >= 15 and got["a/svc.yaml"] is None and got["a/cm.yaml"][1] == 1
    assert [f["rule"] for f in got["a/big.yaml"][2]] == ["MQ006"] and got["a/big-plain.json"] is not None
    assert "b/vendor/cm.yaml" not in got or got["b/vendor/cm.yaml"] is None
    assert got["b/agent.yaml"][1] == 1 and got["b/agent-empty.yaml"][1] == 1 and got["c/cm.yaml"][1] == 1
    assert got["a/ip-masq-agent.conf"][1] == 1 and got["a/ip-masq-agent"][1] == 1  # named agent configs by the built-in globs


def test_workers_start_only_when_enough_files_follow_those_linted_here(tmp_path, monkeypatch):
    """The first files are linted in this process; workers start only when enough files follow (fewer
    cannot pay for them). Either way the results are those of one process."""
    from masqlint.pipeline import pool, runner

    if not pool.available():
        pytest.skip("no fork here")
    n = runner.POOL_WARM_FILES + runner.POOL_MIN_FILES  # linted here, then as many as must follow
    for i in range(2 * n):
        (tmp_path / f"f{i:03d}.yaml").write_text(
            "kind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n"
            f"data:\n  config: 'nonMasqueradeCIDRs: [10.{i}.0.1/16]'\n" if i % 5 == 0 else "kind: Service\n",
            encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    forks = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    for count, forked in ((n - 1, False), (n, True), (2 * n, True)):
        forks.clear()
        cands = sorted((c for c in discover(["."]) if isinstance(c, Candidate)), key=lambda c: c.display)[:count]
        pooled, _ = runner.run(iter(cands), Options(jobs=2, use_config_files=False))
        assert bool(forks) == forked, count
        serial, _ = runner.run(cands, Options(jobs=1, use_config_files=False))
        assert [(f.path, [x.to_dict() for x in f.findings]) for f in pooled.files] == \
            [(f.path, [x.to_dict() for x in f.findings]) for f in serial.files]
        assert sum(f.configs for f in serial.files) == len([i for i in range(count) if i % 5 == 0])


# --- the byte prefilter ---------------------------------------------------------------------------


@hsettings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from([b"q", b"m", b"a", b"s", b"masq", b"mas", b"asq", b"qq", b"x", b"\n", b"requests"]),
                max_size=40).map(b"".join))
def test_masq_found_from_its_last_letter_as_a_search_finds_it(low):
    from masqlint.pipeline.prefilter import _has_masq

    assert _has_masq(low) == (b"masq" in low)


def test_masq_after_many_q_is_found():
    from masqlint.pipeline.prefilter import _has_masq, might_hold_config

    text = b"requests: {}\n" * 20 + b"name: ip-masq-agent\n"
    assert _has_masq(text.lower()) and might_hold_config(text)
    assert not _has_masq(b"requests: {}\n" * 20 + b"name: web\n")


# --- the built-in settings, shared -----------------------------------------------------------------


def test_shared_defaults_see_a_check_registered_after_they_were_used(monkeypatch):
    from masqlint import checks
    from masqlint.config.settings import defaults
    from masqlint.engine.lint import _enabled_checks

    s = defaults()
    assert s is defaults() and s == Settings()
    first = _enabled_checks(checks.CONFIG, s)
    assert first and first is _enabled_checks(checks.CONFIG, s)  # worked out once

    def extra(cctx):
        yield from ()

    monkeypatch.setattr(checks, "REGISTRY", {k: list(v) for k, v in checks.REGISTRY.items()})
    monkeypatch.setattr(checks, "_BY_SCOPE", {})
    checks.register("MQ302")(extra)
    now = _enabled_checks(checks.CONFIG, s)
    assert len(now) == len(first) + 1 and any(c.fn is extra for c in now)


# --- this process works beside its workers ------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_pool_that_works_here_too_answers_in_input_order(jobs):
    from masqlint.pipeline import pool

    if not pool.available():
        pytest.skip("no fork here")
    me = os.getpid()
    got = pool.run(iter(range(3000)), lambda i: None if i % 7 else (i * 3, os.getpid() == me), jobs, here=True)
    assert [g[0] if g else None for g in got] == [None if i % 7 else i * 3 for i in range(3000)]
    assert len(got) == 3000 and any(g for g in got)


def test_an_error_in_this_process_stops_the_pool_and_its_workers(tmp_path):
    from masqlint.pipeline import pool

    if not pool.available():
        pytest.skip("no fork here")
    me = os.getpid()

    def work(i):
        if os.getpid() == me and i > 200:
            raise ValueError("broken here")
        return i

    with pytest.raises(ValueError, match="broken here"):
        pool.run(iter(range(100_000)), work, 1, here=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker left behind


def test_a_name_split_by_an_escaped_lone_carriage_return_is_kept():
    """YAML breaks lines at a lone \\r too: a name joined across one is the agent's."""
    from masqlint.pipeline.prefilter import might_hold_config
    from masqlint.pipeline.runner import lint_bytes

    text = (b'apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: "ip-ma\\\rsq-agent"\r  namespace: kube-system\r'
            b'data:\r  config: "{}"\r')
    assert lint_bytes("cm.yaml", text, Settings(), None).configs == 1
    assert might_hold_config(text)


@hsettings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["MaSq", "masq", "ma", "sq", "CIDRlimit", "ResyncInterval", "egressNATpolicy", "x",
                                 " ", "\\", "\n", "\u017f", "\u0131", "\u0130", "\u212a", "q"]), max_size=12).map("".join))
def test_words_found_in_text_as_the_unicode_pattern_finds_them(text):
    import re

    from masqlint.pipeline.prefilter import _TEXT_WORDS, _words_in

    assert _words_in(text) == (re.search(_TEXT_WORDS, text) is not None)


def test_a_shell_continuation_in_a_manifest_is_no_config():
    from masqlint.pipeline.prefilter import might_hold_config

    script = (b"kind: CronJob\nspec:\n  containers:\n    - command: |\n        /usr/local/bin/cleanup --older-than=27d \\\n"
              b"            --dry-run=false\n")
    assert not might_hold_config(script)
    assert might_hold_config(script.replace(b"--dry-run", b"--ma\\\n  sq"))  # an escape joining a word is followed
