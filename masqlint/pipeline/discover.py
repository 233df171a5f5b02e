"""Paths → the files to check: recursive, ``.gitignore`` respected, excludes applied.

Only regular files are ever opened: FIFOs, sockets and devices are skipped without
reading. Symbolic links are followed only with ``follow_symlinks`` (and then never into a
loop).
"""

from __future__ import annotations

import os
import re
import stat
from operator import attrgetter
from collections.abc import Callable

from masqlint.config.settings import path_matches
from masqlint.record import Record
from masqlint.pipeline.wanted import walk_wants

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    import pathspec

    from masqlint.pipeline import gitignore

EXTENSIONS = (".yaml", ".yml", ".json", ".md", ".markdown", "/Kustomization", ".tf")
_NAME = attrgetter("name")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache", ".pytest_cache"}


class Candidate(Record):
    __slots__ = ("display", "path", "explicit")

    def __init__(self, display: str, path: str, explicit: bool):
        self.display = display  # path as shown to the user
        self.path = path  # path to open (absolute and normalised when found by walking)
        self.explicit = explicit  # named on the command line (not found by walking a directory)


class Skipped(Record):
    __slots__ = ("display", "reason")

    def __init__(self, display: str, reason: str):
        self.display = display
        self.reason = reason


class _Ignores:
    """.gitignore files met on the way down, each applying below its own directory.

    A file's patterns are compiled only once a path could be ignored: most .gitignore files name
    things a tree of manifests never holds, and a path lacking the literal text of every ignoring
    pattern cannot match one."""

    def __init__(self):
        self.stack: list[_GitIgnore] = []

    def load(self, directory: str) -> None:
        gi = os.path.join(directory, ".gitignore")
        try:
            with open(gi, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        self.stack.append(_GitIgnore(directory, lines))

    def active(self, directory: str, names: list[str]) -> list[tuple[_GitIgnore, str, bool]]:
        """The .gitignore files that may ignore one of the entries ``names`` of ``directory`` (absolute,
        normalised): (the file, the directory's path relative to its base with a trailing ``/``, whether
        every entry needs the full match); none when no entry can be ignored.

        A literal holds no ``/``, so it is in an entry's relative path only if it is in the directory's
        part or in the entry's name: a directory whose part holds none settles each entry by its name
        alone, and when no name holds one (one search of the names joined by ``/``), no entry needs more."""
        out = []
        blob = None
        for gi in self.stack:
            if directory == gi.base:
                rel_dir = ""
            elif directory.startswith(gi.prefix):
                rel_dir = directory[len(gi.prefix):].replace(os.sep, "/") + "/"
            else:
                continue
            full = gi.literals is None or gi.literal_in(rel_dir) is not None
            if not full:
                if blob is None:
                    blob = "/".join(names)
                if gi.literal_in(blob) is None:
                    continue  # no name here holds one of its literals: it ignores no entry of this directory
            out.append((gi, rel_dir, full))
        return out


def _ignored_in(active: list[tuple[_GitIgnore, str, bool]], name: str, is_dir: bool) -> bool:
    """Is the entry ``name`` of a directory ignored by one of its ``active`` .gitignore files?"""
    for gi, rel_dir, full in active:
        if not full and gi.literal_in(name) is None:
            continue  # its path holds no ignoring pattern's text: nothing here can ignore it
        spec, any_include = gi.compiled()
        if spec is None:
            continue  # the file does not parse: it ignores nothing
        rel = rel_dir + name + ("/" if is_dir else "")
        if any_include is not None and any_include.match(rel) is None:
            continue  # no ignoring pattern matches, so nothing can ignore it
        if spec.match_file(rel):
            return True
    return False


class _GitIgnore:
    def __init__(self, base: str, lines: list[str]):
        self.base = base
        self.prefix = base.rstrip(os.sep) + os.sep
        self.lines = lines
        self.literals = _ignoring_literals(lines)
        # finds one of the literals in a text (never, when no line ignores anything)
        self.literal_in = re.compile("|".join(map(re.escape, self.literals)) if self.literals else "(?!)").search
        self._compiled: tuple[gitignore.IgnoreSpec | pathspec.GitIgnoreSpec | None, re.Pattern[str] | None] | None = None

    def compiled(self):
        """(the compiled lines, or None when they do not parse; their _any_include regex)."""
        if self._compiled is None:
            try:
                spec = _spec(self.lines)
            except Exception:  # noqa: BLE001 - a file with a pattern that cannot compile ignores nothing
                self._compiled = (None, None)
            else:
                self._compiled = (spec, _any_include(spec))
        return self._compiled


def _spec(lines: list[str]) -> gitignore.IgnoreSpec | pathspec.GitIgnoreSpec:
    """The lines compiled: by masqlint.pipeline.gitignore when it reads them all, else by pathspec."""
    from masqlint.pipeline import gitignore  # noqa: PLC0415 - lazy: only once a path could be ignored

    if gitignore.readable(lines):
        return gitignore.IgnoreSpec(lines)
    import pathspec  # noqa: PLC0415 - lazy: pathspec only for lines with escapes or bracket expressions

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignoring_literals(lines: list[str]) -> list[str] | None:
    """For each ignoring (not ``!``, not comment) line, a piece of text every path it matches
    contains; None when some line cannot be read so simply (escapes, classes, no literal part)."""
    out = []
    for line in lines:
        if not line.strip() or line.startswith(("#", "!")):
            continue
        if "\\" in line or "[" in line or "]" in line:
            return None
        best = ""
        for component in line.strip().split("/"):
            for run in component.replace("?", "*").split("*"):
                if len(run) > len(best):
                    best = run
        if not best:
            return None  # "*", "**", "/": may match anything
        out.append(best)
    return out


def _any_include(spec):
    """One regex matching where any of the spec's ignoring (not ``!``) patterns matches, or None.

    A path that no ignoring pattern matches is never ignored, whatever the negations say, so
    most paths are settled by this one match instead of one per pattern."""
    try:
        regexes = [p.regex for p in spec.patterns if p.include]
        if not regexes:
            return re.compile(r"(?!)")
        if any(r is None or r.flags != regexes[0].flags or "(?P=" in r.pattern for r in regexes):
            return None
        body = "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", r.pattern) + ")" for r in regexes)
        return re.compile(body, regexes[0].flags)
    except (AttributeError, re.error):  # a pathspec without these attributes: match pattern by pattern
        return None


class DirGlobs:
    """The ``exclude`` and ``standalone`` globs that apply in one directory, and the directories
    they are relative to (besides the working directory): the settings file's own."""

    __slots__ = ("bases", "exclude", "standalone")

    def __init__(self, exclude=(), standalone=(), bases=()):
        self.exclude = tuple(exclude)
        self.standalone = tuple(standalone)
        self.bases = tuple(bases)


def discover(paths, *, exclude=(), standalone=(), follow_symlinks=False, respect_gitignore=True,
             globs_for_dir: Callable[[str, str | None, list[str] | None], DirGlobs] | None = None):
    """Yield Candidate or Skipped for each input, in a stable order.

    ``globs_for_dir(absolute directory, parent, names)``: the globs of the settings that apply there (a
    settings file met in the walk counts from its directory down); else ``exclude`` and ``standalone``
    everywhere. A directory found by walking comes with the ``parent`` it was entered from through no
    symbolic link (else None) and the ``names`` of its entries (None for a file's own directory)."""
    cwd = os.getcwd()
    if globs_for_dir is None:
        fixed = DirGlobs(exclude, standalone)

        def globs_for_dir(_d: str, _parent: str | None = None, _names: list[str] | None = None) -> DirGlobs:
            return fixed
    for raw in paths:
        if raw == "-":
            yield Candidate("-", "-", True)
            continue
        try:
            st = os.stat(raw) if follow_symlinks or not os.path.islink(raw) else os.lstat(raw)
        except OSError as e:
            yield Skipped(raw, f"cannot read: {e.strerror or e}")
            continue
        if stat.S_ISLNK(st.st_mode) and _names_a_pipe(raw):
            st = os.stat(raw)  # /dev/fd/N of a process substitution: a link to the pipe the shell made
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(raw, cwd, globs_for_dir, follow_symlinks, respect_gitignore)
        elif stat.S_ISREG(st.st_mode) or (os.path.islink(raw) and os.path.isfile(raw)):
            if os.path.islink(raw) and not follow_symlinks and not _inside(os.path.realpath(raw), cwd):
                yield Skipped(raw, "a symbolic link to a file outside the checked tree: not followed "
                                   "(--follow-symlinks follows it)")
            elif not _excluded(raw, cwd, globs_for_dir(os.path.dirname(os.path.abspath(raw)), None, None)):
                yield Candidate(shown(raw), raw, True)
        elif stat.S_ISFIFO(st.st_mode):
            yield Candidate(shown(raw), raw, True)  # named by the user (`<(kubectl get …)`): read as a stream
        else:
            yield Skipped(raw, "not a regular file (device or socket): not opened")


def _names_a_pipe(path: str) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def shown(path: str) -> str:
    """A path as the user gave it, without leading ``./`` (``./clusters/`` → ``clusters/``)."""
    out = path
    while out.startswith("./") and len(out) > 2:
        out = out[2:].lstrip("/")
    return out or path


def _inside(path: str, directory: str) -> bool:
    top = os.path.realpath(directory)
    try:
        return os.path.commonpath([path, top]) == top
    except ValueError:  # different drives
        return False


def _excluded(path: str, cwd: str, globs: DirGlobs) -> bool:
    if not globs.exclude:
        return False
    return path_matches(globs.exclude, os.path.abspath(path), path, (cwd, *globs.bases))


def _walk(top, cwd, globs_for_dir, follow_symlinks, respect_gitignore):
    ignores = _Ignores()
    top_abs = os.path.abspath(top)
    if respect_gitignore:
        # .gitignore files from the repository root down to `top` apply too
        chain = []
        d = top_abs
        while True:
            chain.append(d)
            if os.path.isdir(os.path.join(d, ".git")):
                break
            parent = os.path.dirname(d)
            if parent == d:
                chain = [top_abs]
                break
            d = parent
        for d in reversed(chain):
            ignores.load(d)
    seen_dirs: set[tuple[int, int]] = set()
    stack: list[tuple[str, str, str | None]] = [(shown(top), top_abs, None)]
    while stack:
        disp_dir, abs_dir, parent = stack.pop()
        try:
            if follow_symlinks:  # only a followed link can lead back into a directory already walked
                st = os.stat(abs_dir)
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    continue
                seen_dirs.add(key)
            entries = list(os.scandir(abs_dir))
        except OSError as e:
            yield Skipped(disp_dir, f"cannot read directory: {e.strerror or e}")
            continue
        entries.sort(key=_NAME)
        names = [e.name for e in entries]
        if respect_gitignore and abs_dir != top_abs and ".gitignore" in names:
            ignores.load(abs_dir)
        active = ignores.active(abs_dir, names) if respect_gitignore else []
        globs = globs_for_dir(abs_dir, parent, names)
        exclude, standalone = globs.exclude, globs.standalone
        subdirs = []
        # + name is os.path.join(disp_dir, name), without a call per file; nothing for the working directory
        disp_prefix = "" if disp_dir == "." else os.path.join(disp_dir, "")
        for entry in entries:
            try:
                if follow_symlinks:
                    is_dir = entry.is_dir()
                    is_file = not is_dir and entry.is_file()
                elif entry.is_file(follow_symlinks=False):  # a regular file (a link is neither of these)
                    is_dir, is_file = False, True
                else:
                    is_dir, is_file = entry.is_dir(follow_symlinks=False), False
            except OSError:
                continue
            name = entry.name
            disp = disp_prefix + name
            if is_dir:
                if name in SKIP_DIRS:
                    continue
                if active and _ignored_in(active, name, True):
                    continue
                if exclude and _excluded(disp, cwd, globs):
                    continue
                # entry.path: os.path.join(abs_dir, name), made by scandir; a followed link is no plain child
                subdirs.append((disp, entry.path, None if follow_symlinks else abs_dir))
                continue
            if not is_file:
                continue  # FIFO, socket, device: never opened
            if not (disp.endswith(EXTENSIONS) or walk_wants(name, disp_dir) or (
                    standalone and path_matches(standalone, entry.path, disp, (cwd, *globs.bases)))):
                continue
            if active and _ignored_in(active, name, False):
                continue
            if exclude and _excluded(disp, cwd, globs):
                continue
            yield Candidate(disp, entry.path, False)
        stack.extend(reversed(subdirs))  # depth-first, in name order
