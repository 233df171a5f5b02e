"""What each subcommand does, given parsed arguments (kept apart from argument parsing)."""

from __future__ import annotations

import gc
import importlib
import os
import sys

from masqlint.cli.options import build_options
from masqlint.config.loader import load_settings_file, settings_for_path
from masqlint.config.settings import Settings
from masqlint.engine.findings import Severity
from masqlint.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError


# Subcommands living in their own modules: name -> module exposing add_parser(sub, common) and run(args)
EXTRA_COMMANDS: dict[str, str] = {"lsp": "masqlint.lsp.server", "trace": "masqlint.cli.trace", "diff": "masqlint.cli.diff",
                                  "init": "masqlint.cli.init"}


def add_parsers(sub, common_settings_args, wanted: str | None = None) -> None:
    """Add the subcommands of EXTRA_COMMANDS. With ``wanted`` (the subcommand being run), the
    others get a bare placeholder so that their modules, and all they import, stay unloaded."""
    for name, module in EXTRA_COMMANDS.items():
        if wanted is not None and name != wanted:
            sub.add_parser(name)
            continue
        importlib.import_module(module).add_parser(sub, common_settings_args)


def dispatch(args) -> int:
    cmd = args.command or "check"
    if cmd == "check":
        return cmd_check(args)
    if cmd == "render":
        return cmd_render(args)
    if cmd == "rules":
        return cmd_rules(args)
    if cmd == "rule":
        return cmd_rule(args)

    return importlib.import_module(EXTRA_COMMANDS[cmd]).run(args)


# --- check ----------------------------------------------------------------------------------------


def _format_pairs(args) -> list[tuple[str, str | None]]:
    from masqlint.report import FORMATS  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    given = list(getattr(args, "format_pairs", None) or [])
    if not given:  # no --format and no --output: annotations on GitHub Actions, text elsewhere
        given = [("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text", None)]
    pairs = []
    for fmt, out in given:
        fmt = fmt or "text"
        if fmt not in FORMATS:
            raise UsageError(f"masqlint: unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
        pairs.append((fmt, out))
    if sum(1 for _, o in pairs if o is None) > 1:
        raise UsageError("masqlint: only one --format can go to standard output; give the others an --output FILE")
    return pairs


def cmd_check(args) -> int:
    from masqlint.pipeline.discover import Candidate, Skipped  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.report import render  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.pipeline.runner import run, walk  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    pairs = _format_pairs(args)
    paths = args.paths or ["."]
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    opts = build_options(args, stdin_data)
    opts.count_fixable = not (opts.fix or opts.diff) and any(fmt == "text" for fmt, _ in pairs)
    if args.show_config:
        return _show_config(paths, opts)
    errors = []
    baseline = _baseline_path(args, opts)
    own = os.path.abspath(baseline) if baseline else None

    def candidates():  # consumed by run() as the walk goes (workers start on the first files)
        for item in walk(paths, opts, respect_gitignore=not args.no_gitignore):
            if isinstance(item, Skipped):
                errors.append(f"{item.display}: {item.reason}")
            elif own is None or os.path.abspath(item.path) != own:  # the baseline file is no file to check
                if item.path == "-" and args.stdin_filename:
                    item = Candidate(args.stdin_filename, "-", True)
                yield item

    gc.freeze()  # what start-up made lives to the end: the collector need not walk it again and again
    result, outcomes = run(candidates(), opts)
    errors += [o.error for o in outcomes if o.error]
    if getattr(args, "write_baseline", False) or getattr(args, "add_noqa", False):
        return _adopt(args, result, outcomes, opts, baseline, errors)
    if baseline is not None:
        from masqlint.cli.baseline import BaselineError, apply  # noqa: PLC0415 - lazy: each subcommand loads what it needs

        try:
            apply(result, baseline)
        except BaselineError as bad:
            raise UsageError(f"masqlint: {bad}") from None
    for e in errors:
        print(f"masqlint: error: {e}", file=sys.stderr)

    if opts.diff:
        diffs = "".join(o.diff for o in outcomes if o.diff)
        sys.stdout.write(diffs)
        return EXIT_FINDINGS if diffs else (EXIT_ERROR if errors else EXIT_OK)
    stdin_fix = opts.fix and "-" in paths
    if stdin_fix:  # the fixed text goes to standard output; what is left to fix, to standard error
        fixed = next((o.diff for o in outcomes if o.result.path in ("-", args.stdin_filename)), None)
        sys.stdout.write(fixed if fixed else (stdin_data or b"").decode("utf-8", "replace"))
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    for fmt, out in pairs:
        stream = sys.stderr if (stdin_fix and out is None) else sys.stdout
        if fmt == "text":  # no "No problems found" beside an error that ended the run
            from masqlint.report.text import findings_text, summary  # noqa: PLC0415 - lazy: each subcommand loads what it needs

            text = findings_text(result, color=color and out is None and stream is sys.stdout)
            if not errors:
                text += summary(result, None if opts.fix else _fixable(outcomes))
        else:
            text = render(fmt, result, color=color and out is None and fmt == "text" and stream is sys.stdout,
                          tool_version=__import__("masqlint").__version__,
                          sarif_all_rules=getattr(args, "sarif_all_rules", False))
        if out is None:
            stream.write(text)
        else:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
    fixed_total = sum(o.fixed for o in outcomes)
    if opts.fix and fixed_total:
        print(f"Fixed {fixed_total} problem{'s' if fixed_total != 1 else ''}.", file=sys.stderr)
    for w in () if errors else _run_warnings(result, opts):
        print(f"masqlint: warning: {w}", file=sys.stderr)
    fail_on = _fail_on(args, opts)
    worst = any(f.severity >= fail_on for f in result.findings)
    if errors:
        return EXIT_ERROR
    if getattr(args, "require_config", False) and not _found_any(result):
        return EXIT_FINDINGS
    if fixed_total and getattr(args, "exit_non_zero_on_fix", False):
        return EXIT_FINDINGS
    return EXIT_FINDINGS if worst else EXIT_OK


def _fixable(outcomes) -> tuple[int, int]:
    """(safe, unsafe): what --fix and --fix --unsafe-fixes would fix, counted by each file's lint in the run."""
    return sum(o.fixable[0] for o in outcomes), sum(o.fixable[1] for o in outcomes)


def _found_any(result) -> bool:
    """Did the run find an agent config, or an EgressNATPolicy (what GKE Autopilot reads instead)?"""
    return any(f.configs or f.policies for f in result.files)


def _run_warnings(result, opts):
    """What a run that otherwise passes must not keep quiet about."""
    if not _found_any(result):
        n = result.files_checked
        yield (f"no ip-masq-agent config found in the {n} file{'s' if n != 1 else ''} checked (a ConfigMap named "
               "ip-masq-agent, an agent config file, or a GKE EgressNATPolicy); is the path right? (--require-config makes "
               "this fail)")
    yield from _unmatched_scope_globs(result.files, opts)


def _unmatched_scope_globs(files, opts):
    """A scope glob that matches none of the files checked under its settings file."""
    from masqlint.config.loader import find_settings_for_dir, scoped_settings_found, shown_path  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.config.settings import glob_match  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    if opts.forced is not None and not opts.forced.scopes or opts.forced is None and not opts.use_config_files:
        return  # no settings file found from the files, and the one forced has no scopes
    if opts.forced is None and not scoped_settings_found():
        return  # the walk looked up every directory's settings here: none of the files found has scopes
    from masqlint.pipeline.runner import dir_key  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    groups: dict[int, tuple] = {}
    by_dir: dict = {}  # a file's directory as written -> its settings
    cwd = os.getcwd()
    for fr in files:
        if fr.path == "-" or not fr.path:
            continue
        d = dir_key(fr.path)
        s = by_dir.get(d, by_dir)
        if s is by_dir:  # os.path.abspath without asking for the working directory again
            s = by_dir[d] = opts.forced if opts.forced is not None else find_settings_for_dir(_absolute_dir(cwd, d))
        if s is None or not s.scopes:
            continue
        absolute = os.path.abspath(fr.path)
        rel = os.path.relpath(absolute, s.config_root or os.getcwd()).replace(os.sep, "/")
        groups.setdefault(id(s), (s, []))[1].append(rel)
    for s, rels in groups.values():
        for scope in s.scopes:
            for g in scope.files:
                if not any(glob_match(r, g) for r in rels):
                    yield (f"{shown_path(s.config_path)}: scope glob {g!r} matches none of the {len(rels)} "
                           f"file{'s' if len(rels) != 1 else ''} checked, so its settings apply to nothing")


def _absolute_dir(cwd: str, d: str) -> str:
    """``os.path.normpath(os.path.join(cwd, d))`` for the directory part ``d`` of a path as written
    (``runner.dir_key``), without normpath for a plain relative one (no ``.`` or empty component)."""
    if not d:
        return cwd
    if os.sep == "/" and d[0] != "/" and d[-1] == "/" and "//" not in d and "/." not in "/" + d:
        return (cwd if cwd != "/" else "") + "/" + d[:-1]
    return os.path.normpath(os.path.join(cwd, d))


def _run_settings(opts):
    """The settings of the run as a whole (fail-on, baseline): --config, or those found from here."""
    if opts.forced is not None:
        return opts.forced
    if opts.use_config_files:
        from masqlint.config.loader import find_settings_for_dir  # noqa: PLC0415 - lazy: each subcommand loads what it needs

        return find_settings_for_dir(os.getcwd())
    return None


def _baseline_path(args, opts) -> str | None:
    if getattr(args, "baseline", None):
        return args.baseline
    s = _run_settings(opts)
    if s is None or not s.baseline:
        return None
    from masqlint.config.loader import shown_path  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    return shown_path(os.path.join(s.config_root or os.getcwd(), s.baseline))


def _adopt(args, result, outcomes, opts, baseline, errors) -> int:
    """--write-baseline and --add-noqa: record today's findings so that later runs report new ones."""
    for e in errors:
        print(f"masqlint: error: {e}", file=sys.stderr)
    if errors:
        return EXIT_ERROR
    if getattr(args, "write_baseline", False):
        if baseline is None:
            raise UsageError("masqlint: --write-baseline needs --baseline FILE (or baseline: in settings)")
        from masqlint.cli.baseline import write  # noqa: PLC0415 - lazy: each subcommand loads what it needs

        n = write(result, baseline)
        print(f"masqlint: recorded {n} finding{'s' if n != 1 else ''} in {baseline}", file=sys.stderr)
        return EXIT_OK
    from masqlint.cli.noqa import add_noqa  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    written, left = add_noqa(outcomes, opts, args.reason)
    for path, n in written:
        print(f"masqlint: {path}: {n} suppression comment{'s' if n != 1 else ''} added", file=sys.stderr)
    for path, why in left:
        print(f"masqlint: warning: {path}: no suppression comment written: {why}", file=sys.stderr)
    return EXIT_FINDINGS if left else EXIT_OK


def _fail_on(args, opts) -> Severity:
    if args.fail_on:
        return Severity.parse(args.fail_on)
    if opts.forced is not None:
        return opts.forced.fail_on
    if opts.use_config_files:
        from masqlint.config.loader import find_settings_for_dir  # noqa: PLC0415 - lazy: each subcommand loads what it needs

        s = find_settings_for_dir(os.getcwd())
        if s is not None:
            return s.fail_on
    return Severity.WARNING


def _show_config(paths, opts) -> int:
    import json  # noqa: PLC0415 - lazy: json only for the JSON output of this subcommand

    from masqlint.forms import forms_in_force  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.pipeline.runner import settings_for  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    out = []
    for p in paths:
        # a directory's settings are those of a file inside it (the search starts in the directory)
        s = settings_for(os.path.join(p, "-") if p != "-" and os.path.isdir(p) else p, opts)
        t = s.target_model()
        out.append({
            "path": p,
            "settings_file": s.config_path,
            "target": s.effective_target,
            "cluster": s.cluster,
            "agent_flags": {
                "nomasq-all-reserved-ranges": t.flags.nomasq_all_reserved_ranges,
                "enable-ipv6": t.flags.enable_ipv6,
                "masq-chain": t.flags.masq_chain,
                "random-fully": t.flags.random_fully,
                "to-ports": t.flags.to_ports,
            },
            "default_cidrs": list(t.default_cidrs()),
            "target_behaviour": {
                "defaults_when": t.defaults_when,
                "host_bits": t.host_bits,
                "cidr_limit": ("cidrLimit key" if t.cidr_limit_rule is True else t.cidr_limit_rule),
                "ignored_keys": list(t.ignored_keys),
                "on_reject": t.on_reject,
                "match": t.match,
            },
            "select": list(s.select),
            "extend_select": list(s.extend_select),
            "ignore": list(s.ignore),
            "severity": {k: v.label for k, v in s.severity.items()},
            "fail_on": s.fail_on.label,
            "exclude": list(s.exclude),
            "standalone": list(s.standalone),
            "max_file_size": s.max_file_size,
            "forms": forms_in_force(s.disabled_forms),
            "must_masquerade": [{"cidr": d.cidr, "name": d.name} for d in s.must_masquerade],
            "must_not_masquerade": [{"cidr": d.cidr, "name": d.name} for d in s.must_not_masquerade],
            "allow_dropped_defaults": list(s.allow_dropped_defaults),
        })
    out = [_kebab(doc) for doc in out]  # keys as settings files spell them
    print(json.dumps(out if len(out) > 1 else out[0], indent=2))
    return EXIT_OK


def _kebab(doc: dict) -> dict:
    return {k.replace("_", "-"): (_kebab(v) if isinstance(v, dict) and k != "severity" else v) for k, v in doc.items()}


# --- render ---------------------------------------------------------------------------------------


def render_flags(args):
    from masqlint.agent.model import parse_to_ports  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.agent.targets import get_target  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    settings = _render_settings(args)
    t = get_target(_render_target(args, settings))
    flags = {k.replace("-", "_"): v for k, v in (settings.agent_flags or {}).items()}
    if flags:
        t = t.with_flags(**flags)
    over = {}
    if args.nomasq_all_reserved_ranges:
        over["nomasq_all_reserved_ranges"] = True
    if args.enable_ipv6:
        over["enable_ipv6"] = True
    if args.masq_chain:
        over["masq_chain"] = args.masq_chain
    if args.to_ports:
        try:
            parse_to_ports(args.to_ports)
        except ValueError as e:
            raise UsageError(f"masqlint: {e}") from None
        over["to_ports"] = args.to_ports
    if args.no_random_fully:
        over["random_fully"] = False
    if args.iptables_without_random_fully:
        over["iptables_has_random_fully"] = False
    return t.with_flags(**over).flags


RENDER_TARGETS = ("gke", "upstream", "cilium", "azure")


def _render_target(args, settings) -> str:
    """--target, else the settings' target (gke by default), as for every command."""
    name = args.target or settings.target
    if name not in RENDER_TARGETS:
        raise UsageError(f"masqlint: render knows the targets {', '.join(RENDER_TARGETS)}; the settings "
                         f"{settings.config_path or ''} say target {name}: pass --target")
    return name


def _render_settings(args):
    """The settings for the rendered file, as ``check`` finds them (target and agent-flags are used)."""
    if getattr(args, "no_config", False):
        return Settings()
    if getattr(args, "config", None):
        return load_settings_file(args.config)
    files = [f for f in (args.file or []) if f != "-"]
    return settings_for_path(os.path.join(files[0], "_") if files and os.path.isdir(files[0])
                             else (files[0] if files else "-"))


def cmd_render(args) -> int:
    import json  # noqa: PLC0415 - lazy: json only for the JSON output of this subcommand

    from masqlint.agent.sync import sync_bytes  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.cli.inputs import config_bytes_from_manifest, file_context, read_input  # noqa: PLC0415 - lazy: as above

    args.target = _render_target(args, _render_settings(args))
    if args.target in ("cilium", "azure"):
        from masqlint.cli.render_targets import run  # noqa: PLC0415 - lazy: each subcommand loads what it needs

        return run(args)
    flags = render_flags(args)
    if len(args.file) != (0 if args.absent else 1):
        raise UsageError("masqlint: render takes one FILE (none with --absent)")
    data: bytes | None = None if args.absent else read_input(args.file[0])
    if not args.raw and data is not None:
        fctx = file_context(args.file[0], data)
        if fctx is not None and fctx.policies:
            from masqlint.cli.render_policy import render_policies  # noqa: PLC0415 - lazy: only for EgressNATPolicies

            return render_policies(args.file[0], fctx.policies, args.format)
        data = config_bytes_from_manifest(args.file[0], data, fctx)
    prev = None
    if args.previous:
        prev = read_input(args.previous)
        if not args.raw:
            prev = config_bytes_from_manifest(args.previous, prev)
    res = sync_bytes(data, flags, prev)
    if args.format == "json":
        out = res.to_json()
        out.pop("previous", None)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return EXIT_OK if res.accepted else EXIT_FINDINGS
    eff = res.effective.to_json()
    lines = []
    if data is None:
        lines.append("No config file: the agent uses its defaults.")
    if res.accepted:
        lines.append("accepted: yes")
    else:
        lines.append("accepted: no — the agent logs:")
        assert res.error is not None  # a rejected config carries the agent's error
        lines.append(f"  error syncing configuration: {res.error.message}")
        lines.append("  and keeps the rules it had" if prev is not None else "  and, at first start, writes no rules at all")
    lines.append("")
    lines.append("effective configuration:" if res.accepted else "configuration in force:")
    cidrs = eff["nonMasqueradeCIDRs"]
    lines.append("  nonMasqueradeCIDRs: " + ("null (empty)" if cidrs is None else ("[]" if not cidrs else "")))
    for c in cidrs or []:
        lines.append(f"    - {c}")
    for k in ("cidrLimit", "masqLinkLocal", "masqLinkLocalIPv6", "resyncInterval"):
        v = eff[k]
        lines.append(f"  {k}: {str(v).lower() if isinstance(v, bool) else v}")
    lines.append("")
    lines.append("iptables-restore (IPv4):" if res.iptables_v4 else "iptables-restore (IPv4): nothing written")
    if res.iptables_v4:
        lines.extend("  " + ln for ln in res.iptables_v4.splitlines())
    if flags.enable_ipv6:
        lines.append("ip6tables-restore (IPv6):" if res.iptables_v6 else "ip6tables-restore (IPv6): nothing written")
        if res.iptables_v6:
            lines.extend("  " + ln for ln in res.iptables_v6.splitlines())
    print("\n".join(lines))
    return EXIT_OK if res.accepted else EXIT_FINDINGS


# --- rules / rule -----------------------------------------------------------------------------------


def cmd_rules(args) -> int:
    import json  # noqa: PLC0415 - lazy: json only for the JSON output of this subcommand

    from masqlint.engine.catalog import load_catalog  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    cat = load_catalog()
    if args.format == "json":
        print(json.dumps([
            {"id": r.id, "name": r.name, "severity": r.severity.label, "category": r.category, "summary": r.summary,
             "fix": r.fix_safety}
            for r in cat.values()
        ], indent=2))
        return EXIT_OK
    width = max(len(r.name) for r in cat.values())
    for r in cat.values():
        fix = {"safe": "fix", "unsafe": "fix*"}.get(r.fix_safety, "")
        print(f"{r.id}  {r.name:<{width}}  {r.severity.label:<7}  {fix:<4}  {r.summary}")
    print("\nfix = masqlint --fix applies it; fix* = only with --unsafe-fixes. `masqlint rule ID` explains one rule.")
    return EXIT_OK


def cmd_rule(args) -> int:
    import json  # noqa: PLC0415 - lazy: json only for the JSON output of this subcommand

    from masqlint.engine.catalog import lookup  # noqa: PLC0415 - lazy: each subcommand loads what it needs
    from masqlint.engine.docs import public_text, rule_text  # noqa: PLC0415 - lazy: each subcommand loads what it needs

    r = lookup(args.rule)
    if r is None:
        raise UsageError(f"masqlint: no rule {args.rule!r} (see `masqlint rules`)")
    if args.format == "json":
        print(json.dumps({
            "id": r.id, "name": r.name, "severity": r.severity.label, "category": r.category, "summary": r.summary,
            "rationale": public_text(r.rationale), "fix": {"description": public_text(r.fix_description), "safety": r.fix_safety},
            "examples": {"bad": [e.content for e in r.bad], "good": [e.content for e in r.good]},
        }, indent=2, ensure_ascii=False))
        return EXIT_OK
    sys.stdout.write(rule_text(r))
    return EXIT_OK
