"""Cheap rejection for path globs, so that matching every discovered file stays fast.

``settings.glob_match`` tries several readings of a pattern (base name, ``PurePosixPath.match``,
``fnmatch`` on the whole path, ``**`` as any number of directories). Under every reading the
literal characters of one path component of the pattern appear verbatim in a matching path,
so a path that lacks them is rejected with one substring test before any of that runs.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1024)
def required_literal(pattern: str) -> str | None:
    """A substring every path matching ``pattern`` contains (None: no such guarantee)."""
    if "[" in pattern or "\\" in pattern:
        return None  # character classes (and escapes) are not plain text
    best = ""
    for component in pattern.split("/"):
        if component in ("", "."):
            continue  # PurePosixPath drops these
        for run in component.replace("?", "*").split("*"):
            if len(run) > len(best):
                best = run
    return best or None


def could_match_relpath(abspath: str, patterns) -> bool:
    """False when no pattern can match the path of ``abspath`` relative to any directory.

    A relative path is ``..`` components followed by components of the absolute path, so a
    literal it holds is either in ``abspath`` or is ``.``/``..`` itself.
    """
    lits = _literals(tuple(patterns))
    if lits is None:
        return True
    for lit in lits:
        if lit in abspath:
            return True
    return False


@lru_cache(maxsize=64)
def _literals(patterns: tuple) -> tuple[str, ...] | None:
    """The patterns' required literals (None: some pattern might match any path)."""
    out = []
    for p in patterns:
        lit = required_literal(p)
        if lit is None or lit in (".", ".."):
            return None
        out.append(lit)
    return tuple(out)
