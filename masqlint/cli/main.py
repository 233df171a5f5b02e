"""Command line: arguments and subcommands only; the work happens in the pipeline modules."""

from __future__ import annotations

import gc
import os
import sys

from masqlint import __version__
from masqlint.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, MasqlintError, UsageError
from masqlint.cli.plain import plain_check

TYPE_CHECKING = False  # typing's flag, without importing typing (or argparse) at start-up
if TYPE_CHECKING:
    import argparse

COMMANDS = ("check", "render", "rules", "rule", "trace", "diff", "init", "lsp")


def _common_settings_args(p):
    g = p.add_argument_group("settings")
    g.add_argument("--config", metavar="FILE", help="use this settings file (.masqlint.yaml or pyproject.toml) for every file")
    g.add_argument("--no-config", action="store_true", help="ignore settings files; use built-in defaults and flags")
    g.add_argument("--target", choices=("gke", "gke-autopilot", "upstream", "cilium", "azure"),
                   help="the consumer of the ConfigMap (default: what each config's form and "
                   "surroundings say, else gke; gke-autopilot reads EgressNATPolicy instead)")
    g.add_argument("--cluster", metavar="FILE", help="the cluster: `gcloud container clusters describe --format=json` "
                   "output (JSON or YAML, one cluster or a list) or Terraform declaring it (.tf file or directory)")
    g.add_argument("--cluster-name", metavar="NAME", help="which cluster of a --cluster file that describes several")
    g.add_argument("--enable-ipv6", action="store_true", default=None, help="the agent runs with --enable-ipv6")
    g.add_argument("--nomasq-all-reserved-ranges", action="store_true", default=None, help="the agent runs with --nomasq-all-reserved-ranges")


def build_parser(wanted: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``wanted`` (the subcommand about to run) only that subcommand's
    module is imported (``--help`` without a subcommand builds every one)."""
    from masqlint.cli.argparsing import FormatAction as _FormatAction, Parser as _Parser  # noqa: PLC0415 - lazy: argparse only when the arguments need a parser

    p = _Parser(prog="masqlint", description="Lint and check policy for the ip-masq-agent ConfigMap (SNAT on GKE and Kubernetes).")
    p.add_argument("--version", action="version", version=f"masqlint {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    c = sub.add_parser("check", help="lint files and directories (the default command)")
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' reads standard input); default: .")
    c.add_argument("--format", action=_FormatAction, dest="formats", metavar="FMT",
                   help="text (default), concise, json, sarif, github, gitlab, junit; repeat with --output for several")
    c.add_argument("--sarif-all-rules", action="store_true",
                   help="describe every rule in SARIF output (default: only the rules its results use)")
    c.add_argument("--output", action=_FormatAction, dest="outputs", metavar="FILE", help="write the preceding --format to FILE")
    c.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default warning)")
    c.add_argument("--select", metavar="RULES", help="comma-separated ids, prefixes (MQ3) or names to run (default ALL)")
    c.add_argument("--extend-select", metavar="RULES", help="rules to add to the selection")
    c.add_argument("--ignore", metavar="RULES", help="rules not to run")
    c.add_argument("--severity", action="append", metavar="RULE=LEVEL", help="override a rule's severity, e.g. MQ307=warning")
    c.add_argument("--exclude", action="append", metavar="GLOB", default=[], help="skip paths matching GLOB")
    c.add_argument("--standalone", action="append", metavar="GLOB", default=[],
                   help="treat files matching GLOB as agent config files (the bytes at /etc/config/ip-masq-agent)")
    c.add_argument("--stdin-filename", metavar="NAME", help="name to show (and match settings against) for '-'")
    c.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    c.add_argument("--exit-non-zero-on-fix", action="store_true",
                   help="with --fix: exit 1 when a file was changed, even if no problem remains (for pre-commit)")
    c.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff)")
    c.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and change nothing")
    c.add_argument("--baseline", metavar="FILE",
                   help="report only findings this baseline does not record (default: baseline: in settings)")
    c.add_argument("--write-baseline", action="store_true",
                   help="record today's findings in the baseline file (--baseline FILE or baseline: in settings) and exit 0")
    c.add_argument("--add-noqa", action="store_true",
                   help="write a `# masqlint: disable=…` comment for each finding where it is (see --reason)")
    c.add_argument("--reason", metavar="TEXT", default="present when masqlint was adopted",
                   help="the reason --add-noqa writes after `--` in each comment")
    c.add_argument("--require-config", action="store_true",
                   help="exit 1 when no ip-masq-agent config (nor EgressNATPolicy) is found (a CI job pointed at the wrong path)")
    c.add_argument("--show-config", action="store_true", help="print the resolved settings for each PATH and exit")
    c.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes that lint (default: all cores)")
    c.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip larger files with an info finding (default 5 MiB)")
    c.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (never into a loop)")
    c.add_argument("--skip-unread", action="store_true",
                   help="skip named files of no form masqlint reads without MQ007, as a directory walk does "
                        "(for hooks that pass every file of some types)")
    c.add_argument("--no-gitignore", action="store_true", help="do not apply .gitignore files")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    c.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    _common_settings_args(c)

    r = sub.add_parser("render", help="what the agent does with a config: accepted?, effective config, iptables payloads")
    r.add_argument("file", nargs="*", metavar="FILE",
                   help="a manifest holding the ip-masq-agent ConfigMap or EgressNATPolicies (or, with --raw, the config "
                        "file itself); '-' for stdin; azure: a config directory or several files")
    r.add_argument("--target", choices=("gke", "upstream", "cilium", "azure"),
                   help="the consumer of the config (default: the settings' target, else gke, as for every command)")
    r.add_argument("--config", metavar="FILE", help="use this settings file (target, agent-flags)")
    r.add_argument("--no-config", action="store_true", help="ignore settings files; use built-in defaults and flags")
    r.add_argument("--raw", action="store_true", help="FILE is the agent's config file (the bytes at /etc/config/ip-masq-agent)")
    r.add_argument("--absent", action="store_true", help="there is no config file: show what the agent does without one")
    r.add_argument("--previous", metavar="FILE", help="the config applied one loop earlier (stays in force if FILE is rejected)")
    r.add_argument("--nomasq-all-reserved-ranges", action="store_true", default=None)
    r.add_argument("--enable-ipv6", action="store_true", default=None)
    r.add_argument("--masq-chain", metavar="NAME")
    r.add_argument("--to-ports", metavar="SPEC", help="e.g. 1024-29999,32768-65535")
    r.add_argument("--no-random-fully", action="store_true", help="the agent runs with --random-fully=false")
    r.add_argument("--iptables-without-random-fully", action="store_true", help="the node's iptables lacks --random-fully")
    r.add_argument("--format", choices=("text", "json"), default="text")

    rl = sub.add_parser("rules", help="list the rule catalog")
    rl.add_argument("--format", choices=("text", "json"), default="text")
    ru = sub.add_parser("rule", help="explain one rule (id or name)")
    ru.add_argument("rule", metavar="ID")
    ru.add_argument("--format", choices=("text", "json"), default="text")

    from masqlint.cli import commands  # noqa: PLC0415 - lazy: the subcommands' modules after the arguments are parsed

    commands.add_parsers(sub, _common_settings_args, wanted)
    return p


def _mistyped_command(word: str) -> str | None:
    """The message for a first argument that is no path but close to a subcommand's name."""
    if word.startswith("-") or word == "-" or os.path.lexists(word) or "/" in word or os.sep in word:
        return None
    import difflib  # noqa: PLC0415 - lazy: difflib only for a first argument that is neither a command nor a path

    hit = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    if not hit:
        return None
    return f"unknown command {word!r}; did you mean `masqlint {hit[0]}`? (a path to check must exist)"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        typo = _mistyped_command(argv[0])
        if typo is not None:
            print(f"masqlint: error: {typo}", file=sys.stderr)
            return EXIT_ERROR
        argv.insert(0, "check")  # `masqlint PATH…` is `masqlint check PATH…`
    if not argv:
        argv = ["check"]
    debug = "--debug" in argv or bool(os.environ.get("MASQLINT_DEBUG"))
    try:
        args = plain_check(argv) or build_parser(argv[0] if argv[0] in COMMANDS else None).parse_args(argv)
        from masqlint.cli import commands  # noqa: PLC0415 - lazy: the subcommands' modules after the arguments are parsed

        return commands.dispatch(args)
    except UsageError as e:
        print(f"masqlint: error: {str(e).split(': ', 1)[-1]}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except SystemExit as e:  # argparse --help / --version
        return int(e.code or 0)
    except Exception as e:
        if debug:
            raise
        if isinstance(e, MasqlintError):
            print(f"masqlint: error: {e}", file=sys.stderr)
        else:
            print(f"masqlint: error: internal error: {type(e).__name__}: {e} (run with --debug for details)", file=sys.stderr)
        return EXIT_ERROR


def run() -> None:
    """The ``masqlint`` program: :func:`main`, then out without tearing the interpreter down.

    Once the output is flushed nothing is left to do: freeing every object the run made
    (module tables, the rule catalog, parsed files) is the last tenth of a short run. The
    language server ends the ordinary way (its streams and threads close themselves), and
    :func:`main` itself always returns, for callers in the same process."""
    if sys.argv[1:2] == ["lsp"]:
        raise SystemExit(main())
    # No cyclic GC in a command-line run: linting leaves no reference cycles (tests/pipeline/test_no_cycles.py),
    # and what start-up and the report make lives until the process ends anyway.
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: nothing more can be told
        pass
    os._exit(code)
