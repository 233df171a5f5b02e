"""``masqlint [check] PATH…`` without options: its arguments without building a parser.

Building argparse's parser (and importing argparse, which brings shutil, gettext and
locale) is most of a short run's start-up. The plain form needs none of it: the arguments
are the check command's defaults and the paths. Anything else (an option, ``-`` for
standard input, ``--``) goes to the parser. The defaults below are what the parser gives
(tests compare the two for every option the parser knows).
"""

from __future__ import annotations

from types import SimpleNamespace


def plain_check(argv: list[str]) -> SimpleNamespace | None:
    """The parsed arguments of ``argv`` (``check`` and paths only), or None when a parser is needed."""
    if not argv or argv[0] != "check" or any(a.startswith("-") for a in argv[1:]):
        return None
    return SimpleNamespace(
        command="check", paths=argv[1:], formats=None, outputs=None, fail_on=None, select=None, extend_select=None,
        ignore=None, severity=None, exclude=[], standalone=[], stdin_filename=None, fix=False,
        exit_non_zero_on_fix=False, unsafe_fixes=False, diff=False, show_config=False, jobs=0, max_file_size=None,
        follow_symlinks=False, no_gitignore=False, color="auto", debug=False, config=None, no_config=False,
        target=None, enable_ipv6=None, nomasq_all_reserved_ranges=None, cluster=None, cluster_name=None,
        skip_unread=False,
    )
