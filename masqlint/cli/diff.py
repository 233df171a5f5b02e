"""``masqlint diff OLD NEW`` and ``masqlint diff --base GITREF [PATH…]``: which destinations
change SNAT behaviour between two versions of an ip-masq-agent configuration.

Each side counts as what the agent would have in force: its own rules when it accepts the
config; when it rejects NEW, the rules of OLD (it keeps what it had); when it rejects OLD, its
defaults (first start); with no ConfigMap, or one ``kubectl`` cannot apply, the defaults.

``--format json`` prints, for one pair of files::

    {"now_masqueraded": [CIDR…], "no_longer_masqueraded": [CIDR…], "changed_keys": {KEY: [OLD, NEW]}}

with the CIDR lists aggregated to the fewest blocks. ``--base`` over several files prints
``{"files": [{"path": …, <the same three keys>}, …]}``. ``--format markdown`` is made for
pull-request comments. Git is asked for blobs only (``git show REV:path``); nothing of the
repository is ever run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

from masqlint.agent.decide import (
    ABSENT,
    ACCEPTED,
    NOT_APPLIED,
    REJECTED,
    InForce,
    cidr_set,
    defaults_in_force,
    in_force,
    set_cidrs,
)
from masqlint.agent.model import FIELDS, SyncResult
from masqlint.agent.targets import apply_target
from masqlint.cli.options import build_options
from masqlint.config.settings import Settings, glob_match
from masqlint.errors import EXIT_FINDINGS, EXIT_OK, GitError, UsageError
from masqlint.engine.lint import configs_in
from masqlint.pipeline.discover import EXTENSIONS, Candidate
from masqlint.pipeline.runner import Options, Prepared, analyse_prepared, prepare, settings_for, walk
from masqlint.agent.egressnat import ACTION, DEFAULT_POLICY, Written, policy_in_force
from masqlint.agent.targets import get_target


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser("diff", help="which destinations change SNAT behaviour between two versions of the config")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="OLD NEW (two files), or with --base the files or directories to compare (default .)")
    p.add_argument("--base", metavar="GITREF", help="compare the working tree against this git revision")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when some destination changes SNAT behaviour")
    p.add_argument("--standalone", action="append", metavar="GLOB", default=[],
                   help="treat files matching GLOB as agent config files (the bytes at /etc/config/ip-masq-agent)")
    common_settings_args(p)


# --- one side ---------------------------------------------------------------------------------------


@dataclass
class Side:
    label: str
    inf: InForce
    parsed: object = None  # the config's JSON value / AgentError (None: no config text)
    empty: bool = False
    state: str = ABSENT
    policy: bool = False  # the side is a file of EgressNATPolicies (GKE Autopilot), not an agent config
    text: str | None = None  # the config text (Cilium reads list items from it as written)
    json_input: bool = False


def load_side(p: Prepared | None, label: str, settings: Settings) -> tuple[Side, list[str]]:
    """The first ip-masq-agent config of one side (None: the file does not exist)."""
    t = settings.target_model()
    warnings: list[str] = []
    if p is None:
        return Side(label, defaults_in_force(t, ABSENT, f"{label} does not exist: no ConfigMap, the agent uses its defaults")), warnings
    fctx = analyse_prepared(p) if p.data is not None else None
    configs = [c for c, _, _ in configs_in(fctx)] if fctx is not None else []  # a page's fences and a generator's file count too
    if fctx is not None and fctx.policies and (not configs or not t.reads_configmap):
        return Side(label, policy_side(label, fctx.policies, settings), None, False, ACCEPTED, policy=True), warnings
    if not configs:
        return Side(label, defaults_in_force(t, ABSENT, f"{label} holds no ip-masq-agent ConfigMap: the agent uses its defaults")), warnings
    if len(configs) > 1:
        warnings.append(f"{label}: {len(configs)} ip-masq-agent configs; comparing the first (see MQ408)")
    cctx = configs[0]
    inf = cctx.in_force
    return Side(label, inf, cctx.parsed, cctx.config.text == "", inf.state, text=cctx.config.text,
                json_input=cctx.config.json_input), warnings


def policy_side(label: str, policies, settings) -> InForce:
    """The union of one file's EgressNATPolicies, GKE's `default` policy when the file holds none,
    and the ranges GKE keeps (from the cluster facts)."""
    applied = [p for p in policies if p.action == ACTION]
    written = [Written(d.cidr, p.name, label, p.line(d.cidr_node)) for p in applied for d in p.destinations if d.cidr]
    facts = settings.cluster_facts()
    return policy_in_force(written, get_target("gke-autopilot"), facts.kept_ranges() if facts is not None else [],
                           any(p.name == DEFAULT_POLICY for p in applied))


def chain(old: Side, new: Side) -> InForce:
    """What is in force after NEW reaches a cluster that runs OLD."""
    t = new.inf.target
    if new.policy:
        return new.inf  # policies are not a file the agent reads: what they say is what is in force
    if new.state == NOT_APPLIED:
        return InForce(old.inf.rules, NOT_APPLIED, old.inf.effective, t, None,
                       f"{new.inf.why}: the rules of {old.label} stay in force", old.inf.list_written)
    if new.state == ABSENT:
        return new.inf
    previous = SyncResult(True, None, old.inf.effective, None, None)
    res = apply_target(t, new.parsed, empty=new.empty, previous=previous, text=new.text, json_input=new.json_input)
    if res.accepted:
        return in_force(res, t)
    assert res.error is not None  # a rejected config carries the agent's error
    why = f"the agent rejects {new.label} ({res.error.message}); {'it exits, and ' if t.on_reject == 'exit' else ''}" \
          f"the rules of {old.label} stay in force"
    return InForce(old.inf.rules, REJECTED, old.inf.effective, t, res.error, why, old.inf.list_written)


# --- the comparison ---------------------------------------------------------------------------------


@dataclass
class Change:
    old: str
    new: str
    now_masqueraded: list[str] = field(default_factory=list)
    no_longer_masqueraded: list[str] = field(default_factory=list)
    changed_keys: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary_now: list[str] = field(default_factory=list)  # "10.0.0.0/8 except 10.1.1.0/24"
    summary_no_longer: list[str] = field(default_factory=list)
    target: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.now_masqueraded or self.no_longer_masqueraded or self.changed_keys)

    def to_json(self) -> dict:
        return {"now_masqueraded": self.now_masqueraded, "no_longer_masqueraded": self.no_longer_masqueraded,
                "changed_keys": self.changed_keys}


def compare(old: Side, new: Side) -> Change:
    before = old.inf
    after = chain(old, new)
    t = after.target
    s_old, s_new = before.nonmasq_set(), after.nonmasq_set()
    now, no_longer = s_old - s_new, s_new - s_old
    ch = Change(old.label, new.label, set_cidrs(now), set_cidrs(no_longer), target=t.name)
    e_old, e_new = before.effective.to_json(), after.effective.to_json()
    for key in FIELDS:
        if key in t.ignored_keys:
            continue
        if e_old[key] != e_new[key]:
            ch.changed_keys[key] = [e_old[key], e_new[key]]
    if before.state != ACCEPTED:
        ch.notes.append(f"{old.label}: {before.why}")
    if after.state != ACCEPTED:
        ch.notes.append(f"{new.label}: {after.why}")
    ch.summary_now = _summarise(now, before)
    ch.summary_no_longer = _summarise(no_longer, after)
    return ch


def _summarise(changed, side: InForce) -> list[str]:
    """Each changed part named by the rule it fell out of: ``10.0.0.0/8 except 10.1.1.0/24``."""
    if not changed:
        return []
    out = []
    rest = changed
    for r in sorted(side.rules, key=lambda r: (r.version, r.lo, -r.hi)):
        whole = cidr_set([r.cidr])
        part = rest & whole
        if not part:
            continue
        rest = rest - part
        if part == whole:
            out.append(r.cidr)
        else:
            kept = set_cidrs(whole - part)
            out.append(f"{r.cidr} except {', '.join(kept[:8])}{' …' if len(kept) > 8 else ''}")
    out.extend(set_cidrs(rest))
    return out


# --- output -----------------------------------------------------------------------------------------


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(v) + "]"
    return str(v)


def render_text(changes: list[Change]) -> str:
    out: list[str] = []
    for ch in changes:
        if out:
            out.append("")
        out.append(f"{ch.old} → {ch.new} (target {ch.target})")
        for n in ch.notes:
            out.append(f"  note: {n}")
        if not ch.changed:
            out.append("  no destination changes SNAT behaviour, and no key changes its effective value")
            continue
        for title, blocks, summary in (
            ("now masqueraded (pods reach these with the node IP)", ch.now_masqueraded, ch.summary_now),
            ("no longer masqueraded (pods reach these with their pod IP)", ch.no_longer_masqueraded, ch.summary_no_longer),
        ):
            if not blocks:
                out.append(f"  {title}: none")
                continue
            out.append(f"  {title}: {'; '.join(summary)}")
            for b in blocks:
                out.append(f"    {b}")
        if ch.changed_keys:
            out.append("  changed keys:")
            for k, (a, b) in ch.changed_keys.items():
                out.append(f"    {k}: {_value(a)} → {_value(b)}")
    return "\n".join(out) + "\n"


def render_markdown(changes: list[Change]) -> str:
    out = ["### masqlint diff: SNAT changes", ""]
    for ch in changes:
        out.append(f"**`{ch.old}` → `{ch.new}`** (target `{ch.target}`)")
        out.append("")
        for n in ch.notes:
            out.append(f"> **Note:** {n}")
            out.append("")
        if not ch.changed:
            out.append("No destination changes SNAT behaviour, and no key changes its effective value.")
            out.append("")
            continue
        for title, what, blocks, summary in (
            ("Now masqueraded", "pods reach these destinations with the **node IP**", ch.now_masqueraded, ch.summary_now),
            ("No longer masqueraded", "pods reach these destinations with their **pod IP**", ch.no_longer_masqueraded,
             ch.summary_no_longer),
        ):
            if not blocks:
                out.append(f"**{title}:** none")
                out.append("")
                continue
            out.append(f"**{title}** ({what}): {'; '.join(f'`{s}`' for s in summary)}")
            out.append("")
            out.append("<details><summary>" + f"{len(blocks)} CIDR block{'s' if len(blocks) != 1 else ''}" + "</summary>")
            out.append("")
            out.extend(f"- `{b}`" for b in blocks)
            out.append("")
            out.append("</details>")
            out.append("")
        if ch.changed_keys:
            out.append("| key | old | new |")
            out.append("|---|---|---|")
            for k, (a, b) in ch.changed_keys.items():
                out.append(f"| `{k}` | `{_value(a)}` | `{_value(b)}` |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --- git --------------------------------------------------------------------------------------------

_GIT = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-pager"]


def _git(args, cwd, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        r = subprocess.run([*_GIT, *args], cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and r.returncode != 0:
        raise GitError(r.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return r


def git_toplevel(cwd: str) -> str:
    return _git(["rev-parse", "--show-toplevel"], cwd).stdout.decode().strip()


def git_verify(rev: str, cwd: str) -> None:
    if rev.startswith("-"):
        raise GitError(f"{rev!r} is not a revision")
    r = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, check=False)
    if r.returncode != 0:
        raise GitError(f"unknown revision {rev!r}")


def git_blob(rev: str, relpath: str, top: str) -> bytes | None:
    """The file at ``rev`` (None: it does not exist there). A blob is printed, nothing is run."""
    r = _git(["show", "--no-textconv", "--no-ext-diff", f"{rev}:{relpath}"], top, check=False)
    return r.stdout if r.returncode == 0 else None


# --- command ----------------------------------------------------------------------------------------


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def run(args) -> int:
    opts = build_options(args)
    warnings: list[str] = []
    changes: list[Change] = []
    if args.base is None:
        if len(args.paths) != 2:
            raise UsageError("masqlint: diff needs OLD and NEW files (or --base GITREF [PATH…])")
        old_path, new_path = args.paths
        datas = []
        if old_path == new_path == "-":
            raise UsageError("masqlint: diff reads standard input for one side only")
        for p in (old_path, new_path):
            if p == "-":
                datas.append(sys.stdin.buffer.read(settings_for(opts.stdin_filename or "-", opts).max_file_size + 1))
                continue
            if os.path.isdir(p):
                raise UsageError(f"masqlint: {p} is a directory; diff compares two files (or use --base)")
            d = _read(p)
            if d is None:
                raise UsageError(f"masqlint: {p}: no such file")
            datas.append(d)
        settings = settings_for(new_path, opts)
        old, w1 = load_side(prepare(old_path, old_path, opts, data=datas[0], settings=settings), old_path, settings)
        new, w2 = load_side(prepare(new_path, new_path, opts, data=datas[1], settings=settings), new_path, settings)
        warnings += w1 + w2
        changes.append(compare(old, new))
    else:
        try:
            changes, found = diff_against_git(args.base, args.paths or ["."], opts)
        except GitError as e:
            raise UsageError(f"masqlint: --base {args.base}: {e}") from None
        warnings += found
    for w in warnings:
        print(f"masqlint: warning: {w}", file=sys.stderr)
    if args.format == "json":
        doc = changes[0].to_json() if len(changes) == 1 else {
            "files": [{"path": c.new, **c.to_json()} for c in changes]}
        if not changes:
            doc = {"now_masqueraded": [], "no_longer_masqueraded": [], "changed_keys": {}}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(changes) if changes else "### masqlint diff: SNAT changes\n\nNo ip-masq-agent configuration found.\n")
    else:
        none = (f"no change of SNAT behaviour between {args.base} and the working tree\n" if args.base is not None
                else "no ip-masq-agent configuration found\n")
        sys.stdout.write(render_text(changes) if changes else none)
    return EXIT_FINDINGS if args.exit_code and any(c.changed for c in changes) else EXIT_OK


def git_changed(rev: str, relpath: str, top: str) -> list[str]:
    """Files under ``relpath`` that differ between ``rev`` and the working tree, new untracked ones
    included (ignored ones not); by name only, nothing of the repository is run."""
    spec = ["--", relpath or "."]
    r = _git(["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", rev, *spec], top)
    u = _git(["ls-files", "-z", "--others", "--exclude-standard", *spec], top)
    names = (r.stdout + u.stdout).decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


def diff_against_git(rev: str, paths: list[str], opts: Options) -> tuple[list[Change], list[str]]:
    """The configs that changed between ``rev`` and the working tree under ``paths``, among the
    files ``check`` would check (a deleted file: one it would have checked); only changes of
    behaviour are reported."""
    cwd = os.getcwd()
    top = git_toplevel(cwd)
    git_verify(rev, top)
    rels: dict[str, None] = {}
    for p in paths:
        absolute = os.path.abspath(p)
        rel = os.path.relpath(absolute, top).replace(os.sep, "/")
        if rel.startswith(".."):
            raise GitError(f"{p} is outside the repository {top}")
        changed = git_changed(rev, "" if rel == "." else rel, top)
        if not changed:
            continue
        base = settings_for(os.path.join(p, "_") if os.path.isdir(p) else (p if os.path.exists(p) else cwd), opts)
        standalone = tuple(base.standalone)
        checked = {os.path.relpath(os.path.abspath(c.path), top).replace(os.sep, "/")
                   for c in walk([p], opts) if isinstance(c, Candidate)} if os.path.exists(p) else set()
        for f in changed:
            if f in checked:
                rels[f] = None
            elif not os.path.lexists(os.path.join(top, f)):  # deleted: a file check would have checked
                shown = os.path.relpath(os.path.join(top, f), cwd).replace(os.sep, "/")
                wanted = f.endswith(EXTENSIONS) or any(glob_match(shown, g) for g in standalone)
                if wanted and not any(glob_match(shown, g) for g in base.exclude):
                    rels[f] = None
    changes, warnings = [], []
    for rel in sorted(rels):
        display = os.path.relpath(os.path.join(top, rel), cwd).replace(os.sep, "/")
        path = os.path.join(top, rel)
        new_data = _read(path)
        old_data = git_blob(rev, rel, top)
        settings = settings_for(path, opts)
        sides = [None if d is None else prepare(label, path, opts, data=d, settings=settings, blob=blob)
                 for label, d, blob in ((f"{rev}:{rel}", old_data, True), (display, new_data, False))]
        if not any(s is not None and s.data is not None for s in sides):
            continue  # neither side can hold an agent config (or settings exclude the file)
        old, w1 = load_side(sides[0], f"{rev}:{rel}", settings)
        new, w2 = load_side(sides[1], display, settings)
        if old.state == ABSENT and new.state == ABSENT and old_data is not None and new_data is not None:
            continue  # no agent config on either side
        change = compare(old, new)
        if not change.changed:
            continue  # the file changed, what the agent does did not
        warnings += w1 + w2
        changes.append(change)
    return changes, warnings
