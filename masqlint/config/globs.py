"""Cheap rejection for path globs, so that matching every discovered file stays fast.

``settings.glob_match`` tries several readings of a pattern (base name, ``PurePosixPath.match``,
``fnmatch`` on the whole path, ``**`` as any number of directories). Under every reading the
literal characters of one path component of the pattern appear verbatim in a matching path,
so a path that lacks them is rejected with one substring test before any of that runs.
"""

from __future__ import annotations

import fnmatch
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


# --- PurePosixPath's reading of a path and a pattern, without pathlib ----------------------------------


def posix_parts(path: str) -> tuple[str, list[str]]:
    """(root, components) as ``PurePosixPath`` splits ``path``: the root is "", "/" or "//" (POSIX
    keeps exactly two leading slashes), and empty and ``.`` components are dropped."""
    root = ""
    if path.startswith("/"):
        rest = path.lstrip("/")
        root = "//" if len(path) - len(rest) == 2 else "/"
        path = rest
    return root, [p for p in path.split("/") if p and p != "."]


def posix_name(path: str) -> str:
    """``PurePosixPath(path).name``: the last component ("" for a root or an empty path)."""
    parts = posix_parts(path)[1]
    return parts[-1] if parts else ""


def posix_match(path: str, pattern: str) -> bool:
    """``PurePosixPath(path).match(pattern)``: a relative pattern matches the last components of
    the path, one component each; an absolute one matches the whole path."""
    pat_root, pat_parts = posix_parts(pattern)
    if not pat_parts and not pat_root:
        raise ValueError("empty pattern")
    root, parts = posix_parts(path)
    if pat_root:
        if pat_root != root or len(pat_parts) != len(parts):
            return False
    else:
        if root:
            parts = [root, *parts]  # pathlib counts the root as a component a relative pattern may reach
        if len(pat_parts) > len(parts):
            return False
    for part, pat in zip(reversed(parts), reversed(pat_parts)):
        if not fnmatch.fnmatchcase(part, pat):
            return False
    return True
