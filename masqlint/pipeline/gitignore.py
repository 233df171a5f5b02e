"""``.gitignore`` matching for the files most repositories have: no escapes, no bracket expressions.

Such lines are translated here exactly as pathspec's ``GitIgnoreSpec`` translates them (the same
regular expressions, the same last-match-wins order with the same weaker standing for a match that
only names a directory), so a walk decides the same paths either way. Importing pathspec costs more
than a whole small run (typing, dataclasses, inspect, pathlib and its backends load with it), and a
walk meets a ``.gitignore`` whose pattern text appears in an entry's path in most repositories: the
walk uses pathspec only for a file with a line this module does not read.
"""

from __future__ import annotations

import re

_DIR_MARK = "ps_d"  # pathspec's name for the group that matched a directory's trailing "/"
_DIR_MARK_CG = f"(?P<{_DIR_MARK}>/)"
_DIR_MARK_OPT = f"(?:{_DIR_MARK_CG}|$)"


def readable(lines: list[str]) -> bool:
    """Can :class:`IgnoreSpec` read every line (none holds a backslash or a bracket)?"""
    return not any("\\" in line or "[" in line or "]" in line for line in lines)


def translate(line: str) -> tuple[str | None, bool | None]:
    """(the regular expression, True for an ignoring line / False for a ``!`` line) of one line, or
    (None, None) for a line that does nothing (blank, comment, ``/``); ValueError for a line that
    means nothing at all (``!``). Only for lines :func:`readable` accepts."""
    line = line.rstrip()
    if not line or line.startswith("#") or line == "/":
        return None, None
    include = not line.startswith("!")
    if not include:
        line = line[1:]
    segs = line.split("/")
    is_dir = not segs[-1]
    if not segs[0]:
        del segs[0]  # "/x": relative to the .gitignore's directory
    elif len(segs) == 1 or (len(segs) == 2 and not segs[1]):
        if segs[0] != "**":
            segs.insert(0, "**")  # "x" and "x/": at any depth
    if not segs:
        raise ValueError(f"invalid .gitignore pattern: {line!r}")
    if not segs[-1]:
        segs[-1] = "**"  # "x/": everything below it
    for i in range(len(segs) - 1, 0, -1):
        if segs[i - 1] == "**" and segs[i] == "**":
            del segs[i]
    if segs == ["**"]:
        return (_DIR_MARK_CG if is_dir else "."), include
    if segs == ["**", "*"]:
        return ".", include
    if segs == ["**", "*", "**"]:
        return (_DIR_MARK_CG if is_dir else "/"), include
    parts = []
    need_slash = False
    end = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0:
                parts.append("^(?:.+/)?")
            elif i < end:
                parts.append("(?:/.+)?")
                need_slash = True
            else:
                parts.append(_DIR_MARK_CG if is_dir else "/")
            continue
        if i == 0:
            parts.append("^")
        if need_slash:
            parts.append("/")
        parts.append("[^/]+" if seg == "*" else _segment(seg))
        if i == end:
            parts.append(_DIR_MARK_OPT)
        need_slash = True
    return "".join(parts), include


def _segment(seg: str) -> str:
    return "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in seg)


class Pattern:
    __slots__ = ("regex", "include")

    def __init__(self, regex: re.Pattern[str], include: bool):
        self.regex = regex
        self.include = include


class IgnoreSpec:
    """The lines of one ``.gitignore`` file (each :func:`readable`): ``match_file`` as GitIgnoreSpec's."""

    __slots__ = ("patterns", "_last_first")

    def __init__(self, lines: list[str]):
        self.patterns = []
        for line in lines:
            regex, include = translate(line)
            if include is not None:
                assert regex is not None
                self.patterns.append(Pattern(re.compile(regex), include))
        self._last_first = self.patterns[::-1]

    def match_file(self, path: str) -> bool:
        """Is ``path`` (relative to the file's directory, ``/``-separated, a directory's with a trailing
        ``/``) ignored? The last line that matches it decides, and a line that matched only the
        directory part of it gives way to an earlier one that matched the path itself."""
        decided = None
        standing = 0
        for p in self._last_first:
            m = p.regex.search(path)
            if m is None:
                continue
            weight = 1 if _DIR_MARK in m.re.groupindex and m.group(_DIR_MARK) else 2
            if weight > standing:
                decided, standing = p.include, weight
            if weight == 2:
                break
        return bool(decided)
