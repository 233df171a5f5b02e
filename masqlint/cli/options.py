"""The settings options every subcommand shares, from parsed arguments to ``runner.Options``."""

from __future__ import annotations

import os

from masqlint.config.loader import load_settings_file
from masqlint.config.rulesel import check_selectors
from masqlint.config.settings import DEFAULT_STANDALONE_GLOBS, Settings
from masqlint.engine.findings import Severity
from masqlint.errors import UsageError
from masqlint.pipeline.runner import Options


def _split(v):
    return tuple(x.strip() for x in v.split(",") if x.strip()) if v else None


def settings_overrides(args) -> dict:
    o: dict = {}
    if getattr(args, "target", None):
        o["target"] = args.target
    if getattr(args, "cluster", None):
        o["cluster"] = {"file": os.path.abspath(args.cluster), **({"name": args.cluster_name} if args.cluster_name else {})}
    elif getattr(args, "cluster_name", None):
        o["cluster-name"] = args.cluster_name
    flags = {}
    if getattr(args, "enable_ipv6", None):
        flags["enable-ipv6"] = True
    if getattr(args, "nomasq_all_reserved_ranges", None):
        flags["nomasq-all-reserved-ranges"] = True
    if flags:
        o["agent-flags"] = flags
    for key in ("select", "extend_select", "ignore"):
        v = _split(getattr(args, key, None))
        if v is not None:
            check_selectors(v, "--" + key.replace("_", "-"))
            o[key.replace("_", "-")] = list(v)
    sev = {}
    for item in getattr(args, "severity", None) or ():
        rule, sep, level = item.partition("=")
        if not sep:
            raise ValueError(f"--severity expects RULE=LEVEL, got {item!r}")
        Severity.parse(level)
        check_selectors([rule], "--severity")
        sev[rule.strip()] = level.strip()
    if sev:
        o["severity"] = sev
    if getattr(args, "fail_on", None):
        o["fail-on"] = args.fail_on
    if getattr(args, "exclude", None):
        o["exclude"] = list(args.exclude)
    if getattr(args, "standalone", None):
        o["standalone"] = list(DEFAULT_STANDALONE_GLOBS) + list(args.standalone)
    if getattr(args, "max_file_size", None):
        o["max-file-size"] = args.max_file_size
    return o


def build_options(args, stdin_data=None):
    try:
        overrides = settings_overrides(args)
    except ValueError as e:
        raise UsageError(f"masqlint: {e}") from None
    if "cluster" in overrides:  # read now: a broken cluster file stops the run before any file is checked
        Settings().merged(overrides).cluster_facts()
    forced = load_settings_file(args.config) if getattr(args, "config", None) else None
    return Options(
        forced=forced,
        overrides=overrides,
        use_config_files=not getattr(args, "no_config", False),
        fix=getattr(args, "fix", False),
        unsafe_fixes=getattr(args, "unsafe_fixes", False),
        diff=getattr(args, "diff", False),
        jobs=(args.jobs if getattr(args, "jobs", 0) else (os.cpu_count() or 1)),
        follow_symlinks=getattr(args, "follow_symlinks", False),
        skip_unread=getattr(args, "skip_unread", False),
        stdin_filename=getattr(args, "stdin_filename", None),
        stdin_data=stdin_data,
    )
