"""``masqlint [check] PATH…`` without options: its arguments without building a parser.

Building argparse's parser (and importing argparse, which brings shutil, gettext and
locale) is most of a short run's start-up. The plain form needs none of it: the arguments
are the check command's defaults and the paths. Anything else (an option, ``-`` for
standard input, ``--``) goes to the parser. The defaults below are what the parser gives
(tests compare the two); an option added to the parser but not yet here is answered with
the parser's own default, built on first use, so the plain form is never wrong, only slower.
"""

from __future__ import annotations

from types import SimpleNamespace

_PARSER_DEFAULTS: dict | None = None


class PlainArgs(SimpleNamespace):
    def __getattr__(self, name: str):
        # only for a name not set below: the parser's default for it
        global _PARSER_DEFAULTS
        if name.startswith("__"):
            raise AttributeError(name)
        if _PARSER_DEFAULTS is None:
            from masqlint.cli.main import build_parser  # noqa: PLC0415 - lazy: argparse only for an option the plain form does not list

            _PARSER_DEFAULTS = vars(build_parser("check").parse_args(["check"]))
        if name not in _PARSER_DEFAULTS:
            raise AttributeError(name)
        value = _PARSER_DEFAULTS[name]
        value = list(value) if isinstance(value, list) else value
        setattr(self, name, value)
        return value


def plain_check(argv: list[str]) -> PlainArgs | None:
    """The parsed arguments of ``argv`` (``check`` and paths only), or None when a parser is needed."""
    if not argv or argv[0] != "check" or any(a.startswith("-") for a in argv[1:]):
        return None
    return PlainArgs(
        command="check", paths=argv[1:], formats=None, outputs=None, fail_on=None, select=None, extend_select=None,
        ignore=None, severity=None, exclude=[], standalone=[], stdin_filename=None, fix=False,
        exit_non_zero_on_fix=False, unsafe_fixes=False, diff=False, show_config=False, jobs=0, max_file_size=None,
        follow_symlinks=False, no_gitignore=False, color="auto", debug=False, config=None, no_config=False,
        target=None, enable_ipv6=None, nomasq_all_reserved_ranges=None, cluster=None, cluster_name=None,
        skip_unread=False, sarif_all_rules=False, baseline=None, write_baseline=False, add_noqa=False,
        reason="present when masqlint was adopted", require_config=False,
        format_pairs=None,  # (set by --format/--output only: absent from the parser's answer, read with getattr)
    )
