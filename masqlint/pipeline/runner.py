"""The pipeline for each file (``prepare``: settings, exclude, standalone globs, bytes, prefilter; then
lint and fix), and over many files (``run``: in order, in worker processes when there are many)."""

from __future__ import annotations

import gc
import itertools
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from masqlint.config.loader import (ConfigError, find_settings_for_dir, find_settings_for_walked_dir, note_settings_found,
                                   settings_for_path)
from masqlint.config.settings import DEFAULT_STANDALONE_GLOBS, Settings, defaults, path_matches
from masqlint.engine.findings import FileResult, Finding, RunResult
from masqlint.pipeline.discover import Candidate, DirGlobs, Skipped, discover
from masqlint.pipeline.prefilter import might_hold_config
from masqlint.pipeline.wanted import WALK_SUFFIXES
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from masqlint.engine.lint import FileContext
    from masqlint.text.source import SourceFile


class Options(Record):
    __slots__ = ("forced", "base", "overrides", "use_config_files", "fix", "unsafe_fixes", "diff", "jobs",
                 "follow_symlinks", "skip_unread", "stdin_filename", "stdin_data", "settings_by_dir", "count_fixable")

    def __init__(self, forced: Settings | None = None, base: Settings | None = None, overrides: dict | None = None,
                 use_config_files: bool = True, fix: bool = False, unsafe_fixes: bool = False, diff: bool = False,
                 jobs: int = 1, follow_symlinks: bool = False, skip_unread: bool = False,
                 stdin_filename: str | None = None, stdin_data: bytes | None = None):
        self.forced = forced  # --config FILE
        self.base = base  # defaults when no settings file is found
        self.overrides = {} if overrides is None else overrides  # from CLI flags
        self.use_config_files = use_config_files
        self.fix = fix
        self.unsafe_fixes = unsafe_fixes
        self.diff = diff
        self.jobs = jobs
        self.follow_symlinks = follow_symlinks
        self.skip_unread = skip_unread  # named files of no form are skipped silently, as in a walk
        self.stdin_filename = stdin_filename
        self.stdin_data = stdin_data
        self.settings_by_dir: dict[str, Settings] = {}  # a directory -> its files' settings, for one run
        # count what --fix (and --fix --unsafe-fixes) would fix in each file, from the run's own lint:
        # the text summary's "N fixable" (FileOutcome.fixable)
        self.count_fixable = False


class FileOutcome:
    __slots__ = ("result", "diff", "fixed", "error", "fixable")

    def __init__(self, result: FileResult, diff: str = "", fixed: int = 0, error: str | None = None,
                 fixable: tuple[int, int] = (0, 0)):
        self.result = result
        self.diff = diff
        self.fixed = fixed
        self.error = error  # could not be read / written
        self.fixable = fixable  # (safe, unsafe only): what --fix would fix, with Options.count_fixable


def settings_for(path: str, opts: Options) -> Settings:
    if not opts.use_config_files and opts.forced is None:
        s = (opts.base or defaults()).merged(opts.overrides) if opts.overrides else (opts.base or defaults())
        return s
    return settings_for_path(path, base=opts.base, forced=opts.forced, overrides=opts.overrides)


def dir_settings(directory: str, opts: Options, parent: str | None = None, names: list[str] | None = None) -> Settings:
    """The settings that apply in a directory before any scope: found there or above (or forced),
    with the command line's on top. ``parent`` and ``names``: as a walk found the directory
    (``loader.find_settings_for_walked_dir``)."""
    if opts.forced is not None:
        s = opts.forced
    elif opts.use_config_files:
        found = find_settings_for_dir(directory) if names is None else find_settings_for_walked_dir(directory, parent, names)
        s = found or opts.base or defaults()
    else:
        s = opts.base or defaults()
    return s.merged(opts.overrides) if opts.overrides else s


def _settings_in_run(path: str, opts: Options) -> Settings:
    """``settings_for`` once per directory of a run: the files of a directory share their
    settings unless scopes tell them apart (settings files do not change during a run)."""
    d = dir_key(path)
    s = opts.settings_by_dir.get(d)
    if s is None:
        s = settings_for(path, opts)
        if not s.scopes:
            opts.settings_by_dir[d] = s
    return s


if os.sep == "/" and not os.altsep:
    def dir_key(path: str) -> str:
        """A key for the directory of ``path``: the same for the files of one directory as written, different
        for different directories (the path up to its last separator, kept: ``x`` and ``/x`` differ)."""
        return path[:path.rfind("/") + 1]
else:  # pragma: no cover - other separators: the full reading
    def dir_key(path: str) -> str:
        return os.path.dirname(path)


def walk(paths, opts: Options, *, respect_gitignore: bool = True) -> Iterator[Candidate | Skipped]:
    """The files under ``paths`` (discover.discover), with the ``exclude`` and ``standalone``
    globs of the settings of each directory walked, exactly as ``prepare`` applies them to one file."""
    cache: dict[str, DirGlobs] = {}
    of_settings: dict[int, tuple[Settings, DirGlobs]] = {}  # directories with the same settings share their globs

    def globs_for_dir(d: str, parent: str | None = None, names: list[str] | None = None) -> DirGlobs:
        g = cache.get(d)
        if g is None:
            s = dir_settings(d, opts, parent, names)
            known = of_settings.get(id(s))
            if known is None or known[0] is not s:
                standalone = s.standalone + tuple(x for sc in s.scopes for x in sc.overrides.get("standalone") or ())
                known = of_settings[id(s)] = (s, DirGlobs(s.exclude, standalone, (s.config_root,) if s.config_root else ()))
            g = cache[d] = known[1]
        return g

    return discover(paths, follow_symlinks=opts.follow_symlinks, respect_gitignore=respect_gitignore,
                    globs_for_dir=globs_for_dir)


def _too_large(display: str, size: int, settings: Settings, more: bool = False) -> FileOutcome:
    """MQ006 for a file (or a stream: ``more``, its size unknown beyond the limit) not read."""
    from masqlint.engine.emit import TooLarge, skipped_findings  # noqa: PLC0415 - lazy: the catalog loads only for a file too large

    return FileOutcome(FileResult(display, findings=skipped_findings(TooLarge(display, size, settings, more))))


def read_candidate(display: str, path: str, settings: Settings, opts: Options,
                   walked: bool = False) -> tuple[bytes | None, FileOutcome | None]:
    """The bytes of a file, held to max-file-size, or the outcome that ends it (too large, unreadable).

    ``walked``: a directory walk found the path as a regular file (not a FIFO: no stat before opening)."""
    if path == "-":
        data = opts.stdin_data or b""
        if len(data) > settings.max_file_size:  # standard input is held to the same limit
            return None, _too_large(display, len(data), settings)
        return data, None
    try:
        if not walked:
            st = os.stat(path)
            if stat.S_ISFIFO(st.st_mode):  # only ever named on the command line: walks never yield one
                return _read_stream(display, path, settings)
            if not stat.S_ISREG(st.st_mode):
                return None, FileOutcome(FileResult(display), error=f"{display}: not a regular file; not opened")
            if st.st_size > settings.max_file_size:
                return None, _too_large(display, st.st_size, settings)
        # O_NONBLOCK: should the path have become a FIFO since it was listed or stat'ed, opening it must not wait
        fd = os.open(path, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, FileOutcome(FileResult(display), error=f"{display}: not a regular file; not read")
            if walked and st.st_size > settings.max_file_size:
                return None, _too_large(display, st.st_size, settings)
            data = _read_at_most(fd, settings.max_file_size + 1, st.st_size)
        finally:
            os.close(fd)
        if len(data) > settings.max_file_size:
            return None, FileOutcome(FileResult(display), error=f"{display}: grew beyond --max-file-size while reading")
        return data, None
    except OSError as e:
        return None, FileOutcome(FileResult(display), error=f"{display}: cannot read: {e.strerror or e}")


def _read_stream(display: str, path: str, settings: Settings) -> tuple[bytes | None, FileOutcome | None]:
    """A pipe the user named (process substitution, a FIFO): read to its end, held to max-file-size."""
    with open(path, "rb", buffering=0) as fh:
        chunks, total = [], 0
        while total <= settings.max_file_size:
            b = fh.read(min(1 << 20, settings.max_file_size + 1 - total))
            if not b:
                break
            chunks.append(b)
            total += len(b)
    data = b"".join(chunks)
    if len(data) > settings.max_file_size:
        return None, _too_large(display, len(data), settings, more=True)
    return data, None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _read_at_most(fd: int, limit: int, size_hint: int) -> bytes:
    """Up to ``limit`` bytes from the regular file ``fd``; one read call for a file of the size
    fstat gave (no buffer of ``limit`` bytes is ever allocated). A regular file's read returns
    less than asked only at its end, so a short read ends it without a second call."""
    want = size_hint + 1 if size_hint < limit else limit  # limit is at least 1
    first = os.read(fd, want)
    if len(first) < want or len(first) >= limit:
        return first  # the usual case: the whole file in the one read
    chunks = [first]
    total = len(first)
    want = max(1, min(1 << 20, limit - total))
    while total < limit:
        b = os.read(fd, want)
        chunks.append(b)
        total += len(b)
        if len(b) < want:
            break
        want = max(1, min(1 << 20, limit - total))
    return b"".join(chunks)


def _content_decides(settings: Settings, path: str) -> bool:
    """Do these settings leave everything about the file ``path`` to its content (``prepare`` would match
    no exclude glob and no standalone glob that can decide)?"""
    return not settings.exclude and (not settings.standalone or _standalone_undecided(settings, path))


def _standalone_undecided(settings: Settings, name: str) -> bool:
    """Can the standalone globs not decide for ``name``, so that there is no need to match them? The
    built-in ones only guess for a YAML or JSON name (content decides), and each matches one file
    name beginning ``ip-masq-agent`` (a page, a Terraform file or a chart's other files match none)."""
    if not (settings.standalone is DEFAULT_STANDALONE_GLOBS or settings.standalone == DEFAULT_STANDALONE_GLOBS):
        return False
    low = name.lower()
    return low.endswith((".yaml", ".yml", ".json")) or not os.path.basename(low).startswith("ip-masq-agent")


def _read_plain(path: str, limit: int) -> bytes | None:
    """The bytes of a file a walk listed as regular, of at most ``limit`` bytes; None for anything else
    (not regular, too large, empty, unreadable): ``read_candidate`` says what it is.

    Most files of a tree are small: one read of up to 64 KiB that returns less than it asked for, and
    something, is the whole of such a file (a regular file's read stops short only at its end), known
    without a stat. Only a file that fills that read is looked at (fstat) before the rest is read. (A path
    replaced by a pipe since the walk listed it gives no bytes, or what a writer put in it, without a wait.)"""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        want = limit + 1 if limit < _FIRST_READ else _FIRST_READ
        data = os.read(fd, want)
        if len(data) < want:
            return data or None  # (an empty file: read_candidate tells it from a pipe with no writer)
        if len(data) > limit:
            return None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        data += _read_at_most(fd, limit + 1 - len(data), max(0, st.st_size - len(data)))
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


_FIRST_READ = 1 << 16  # bytes a walked file's first read asks for


def _normal_absolute(path: str) -> bool:
    """Is ``path`` already what os.path.abspath would make of it (as discovery's paths are)?"""
    return (os.sep == "/" and path.startswith("/") and not path.startswith("//") and "//" not in path
            and "/./" not in path and "/../" not in path and not path.endswith(("/", "/.", "/..")))


# --- the one way into linting, for every front end ---------------------------------------------------

EXCLUDED = "excluded by settings"
NO_CONFIG = "cannot hold an ip-masq-agent config"


class Prepared:
    """A file ready to lint: its settings, bytes and standalone verdict; or why it is not linted.

    ``outcome`` is set when the file is done before linting (too large: MQ006; unreadable: an
    error). ``data`` is None and ``skipped`` says why when there is nothing to report."""

    __slots__ = ("data", "display", "explicit", "fspath", "outcome", "settings", "skipped", "standalone")

    def __init__(self, display: str, fspath: str | None, settings: Settings, data: bytes | None = None,
                 standalone: bool | None = None, outcome: FileOutcome | None = None, skipped: str | None = None,
                 explicit: bool = True):
        self.display = display
        self.fspath = fspath  # the file on disk, for reads relative to it (None: standard input, a blob)
        self.settings = settings
        self.data = data
        self.standalone = standalone  # True: settings name it an agent config file; None: decide by content
        self.outcome = outcome
        self.skipped = skipped
        self.explicit = explicit  # the user named the file: one of no form is still reported on

    def source(self) -> SourceFile:
        from masqlint.text.source import SourceFile  # noqa: PLC0415 - lazy: YAML loads once a file may hold a config

        assert self.data is not None  # only a prepared file with bytes is read
        return SourceFile.from_bytes(self.display, self.data, self.fspath)


def prepare(display: str, path: str | None, opts: Options, *, data: bytes | None = None, root: str | None = None,
            settings: Settings | None = None, blob: bool = False, explicit: bool = True,
            walked: bool = False) -> Prepared:
    """Everything between a file and its lint, the same for check, the language server, trace, diff,
    render and the library: settings (found from the file's directory, the command line's on top),
    ``exclude`` and ``standalone`` globs, the bytes (read here unless given) held to max-file-size,
    and the prefilter.

    ``path``: the file on disk, ``-`` for standard input, None for a buffer with no file behind it.
    ``root``: one more directory globs are relative to (an editor's workspace folder).
    ``settings``: use these instead of finding them (both sides of a diff).
    ``blob``: ``data`` is not the file's content on disk (an old revision): references are not read.
    ``explicit``: the user named the file (a walk found it otherwise, and a file of no form is passed over).
    ``walked``: a directory walk found ``path`` as a regular file."""
    name = (opts.stdin_filename or display) if path == "-" else display if path is None else path
    if settings is None:
        settings = settings_for(name, opts)
    standalone: bool | None = None
    undecided = _standalone_undecided(settings, name)
    if settings.exclude or (settings.standalone and not undecided):
        if path == "-":
            absolute = os.path.abspath(opts.stdin_filename) if opts.stdin_filename else None
        elif path is None:
            absolute = None
        else:
            absolute = path if _normal_absolute(path) else os.path.abspath(path)
        bases = (settings.config_root, _CWD(), root)
        if settings.exclude and path_matches(settings.exclude, absolute, name if path is None else display, bases):
            return Prepared(display, None, settings, skipped=EXCLUDED)
        if not undecided and path_matches(settings.standalone, absolute, name, bases):
            standalone = True
    if data is None:
        if path is None:
            raise ValueError("prepare: a buffer with no file needs its data")
        data, early = read_candidate(display, path, settings, opts, walked)
        if early is not None:
            return Prepared(display, None, settings, outcome=early)
        assert data is not None  # read_candidate answers bytes or an outcome
    elif len(data) > settings.max_file_size:
        return Prepared(display, None, settings, outcome=_too_large(display, len(data), settings))
    if standalone is None and not might_hold_config(data) and not (explicit and _unread_by_name(name, data)):
        return Prepared(display, None, settings, skipped=NO_CONFIG)
    fspath = None if (blob or path in (None, "-")) else path
    return Prepared(display, fspath, settings, data, standalone, explicit=explicit)


_CWD = os.getcwd


def _unread_by_name(name: str, data: bytes) -> bool:
    """A text file named on the command line that may be of no form masqlint reads (a script, a module,
    a Terraform file): it is read on although it cannot hold a config, so that MQ007 can say it was not
    checked. A manifest, a page or a template without a config stays silent, as in a walk, and so does a
    binary file (nothing in it is a config, and its bytes are no agent's to reject)."""
    ext = os.path.splitext(name)[1].lower()
    if not (ext == ".tf" or ext not in WALK_SUFFIXES) or b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True




def lint_prepared(p: Prepared) -> FileResult:
    assert p.data is not None  # only a prepared file with bytes is linted
    return lint_bytes(p.display, p.data, p.settings, p.standalone, p.fspath, p.explicit)


def analyse_prepared(p: Prepared) -> FileContext:
    """The contexts of every config in a prepared file (what trace and diff read), no checks run."""
    from masqlint.agent.gonet import parse_cache  # noqa: PLC0415 - lazy: the linter loads once a file may hold a config
    from masqlint.engine.lint import analyse  # noqa: PLC0415 - lazy: as above

    with parse_cache():
        return analyse(p.source(), p.settings, p.standalone)


def lint_bytes(display: str, data: bytes, settings: Settings, standalone: bool | None,
               fspath: str | None = None, explicit: bool = True, keep: list | None = None) -> FileResult:
    from masqlint.engine.lint import lint_source  # noqa: PLC0415 - lazy: the linter loads once a file may hold a config
    from masqlint.text.source import SourceFile  # noqa: PLC0415 - lazy: as above

    with lint_scope():
        return lint_source(SourceFile.from_bytes(display, data, fspath), settings, standalone, explicit, keep)


@contextmanager
def lint_scope():
    """Around every lint of a file (and each lint again of its fixed text): each CIDR text is parsed
    once (nothing kept after the scope), and the cyclic GC is off. The GC would walk the file's many
    young objects (100,000 YAML nodes for a long list) again and again while they are all still
    alive; it runs once the file is done instead."""
    from masqlint.agent.gonet import parse_cache  # noqa: PLC0415 - lazy: the linter loads once a file may hold a config

    with gc_off(), parse_cache():
        yield


@contextmanager
def gc_off():
    """No cyclic GC within (it is enabled again after, if it was on)."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_was_on:
            gc.enable()


def process(display: str, path: str, explicit: bool, opts: Options) -> FileOutcome:
    out = process_or_none(display, path, explicit, opts)
    return FileOutcome(FileResult(display)) if out is None else out


def process_or_none(display: str, path: str, explicit: bool, opts: Options) -> FileOutcome | None:
    """``process``, answering None for a file with nothing to report (excluded, or no config)."""
    try:
        name_for_settings = (opts.stdin_filename or display) if path == "-" else path
        settings = _settings_in_run(name_for_settings, opts) if path != "-" else None
        data = None
        if not explicit and settings is not None and _content_decides(settings, path):
            # most files of a walk: read and passed over here, without the layers of prepare
            data = _read_plain(path, settings.max_file_size)
            if data is not None and not might_hold_config(data):
                return None
        # a candidate not named on the command line was found by a walk, as a regular file
        p = prepare(display, path, opts, data=data, settings=settings, explicit=explicit and not opts.skip_unread,
                    walked=not explicit)
        if p.outcome is not None:
            return p.outcome
        if p.data is None:
            return None
        if not (opts.fix or opts.diff):
            if not opts.count_fixable:
                return FileOutcome(lint_prepared(p))
            with gc_off():  # the analysis kept for the count is as many objects as the lint made
                kept: list = []
                result = lint_bytes(p.display, p.data, p.settings, p.standalone, p.fspath, p.explicit, kept)
                if not any(f.fix is not None for f in result.findings):
                    return FileOutcome(result)
                return FileOutcome(result, fixable=_count_fixable(display, path, p.data, result, p.settings,
                                                                  p.standalone, kept))
        result = lint_prepared(p)
        return _fix(display, path, p.data, result, p.settings, p.standalone, opts)
    except ConfigError:
        raise  # a broken settings file stops the run with its own one-line error
    except Exception as e:  # one bad file never stops the others
        if os.environ.get("MASQLINT_DEBUG"):
            raise
        return FileOutcome(FileResult(display), error=f"{display}: internal error: {type(e).__name__}: {e}")


def _relinter(display: str, path: str, data: bytes, settings: Settings, standalone: bool | None,
              fixes_only: bool = False):
    """Lint a fixed text again as this file: (the file's codec, the function). ``fixes_only``: the lint
    is only asked for the fixes it offers (``engine.lint.lint_source``), to count them."""
    from masqlint.engine.lint import lint_source  # noqa: PLC0415 - lazy: the linter loads once a file may hold a config
    from masqlint.text.source import SourceFile  # noqa: PLC0415 - lazy: as above

    codec = SourceFile.from_bytes(display, data)  # the file's own encoding and BOM, for writing back
    fspath = None if path == "-" else path

    def relint(text: str) -> FileResult:
        with lint_scope():  # as lint_bytes: its own parse cache, no cyclic GC while it runs
            return lint_source(SourceFile.from_bytes(display, codec.encode(text), fspath), settings, standalone,
                               fixes_only=fixes_only)

    return codec, relint


def _count_fixable(display: str, path: str, data: bytes, result: FileResult, settings: Settings,
                   standalone: bool | None, kept: list | None = None) -> tuple[int, int]:
    """(safe, unsafe only): what --fix and --fix --unsafe-fixes would fix, found by fixing in memory from
    this lint (a fix may uncover another one: those count too). ``kept``: holds the lint's FileContext,
    which can show that linting the fixed text again would offer no further fix (pipeline.fixcount);
    it is emptied before any such lint, so that two analyses of a long file are never held at once."""
    from masqlint.pipeline.fix import fix_until_stable  # noqa: PLC0415 - lazy: fixes load only when one is offered
    from masqlint.pipeline.fixcount import fixed_without_relint  # noqa: PLC0415 - lazy: as above

    text = result.text
    if text is None:
        return 0, 0
    fixes = [f.fix for f in result.findings if f.fix is not None]
    modes = ([False] if any(f.safe for f in fixes) else []) + ([True] if not all(f.safe for f in fixes) else [])
    analysis = kept.pop() if kept else None
    shared: dict = {}  # what both modes ask about the lint's entries
    known = {unsafe: fixed_without_relint(analysis, result, unsafe, shared) if analysis is not None else None
             for unsafe in modes}
    del analysis, shared
    relint = None
    counts: dict[bool, int] = {}
    for unsafe in modes:
        n = known[unsafe]
        if n is None:
            if relint is None:
                relint = _relinter(display, path, data, settings, standalone, fixes_only=True)[1]
            n = fix_until_stable(text, result.findings, relint, unsafe)[1]
        counts[unsafe] = n
    safe = counts.get(False, 0)
    both = counts.get(True, safe)
    return safe, max(both - safe, 0)


def _fix(display: str, path: str, data: bytes, result: FileResult, settings: Settings, standalone: bool | None,
         opts: Options) -> FileOutcome:
    from masqlint.pipeline.fix import (  # noqa: PLC0415 - lazy: fixes load only for --fix and --diff
        ChangedOnDisk, fix_until_stable, unified_diff, write_atomic)

    original = result.text
    if original is None:
        return FileOutcome(result)
    codec, relint = _relinter(display, path, data, settings, standalone)
    text, total, current = fix_until_stable(original, result.findings, relint, opts.unsafe_fixes)
    if text == original or current is None:
        return FileOutcome(result)
    if opts.diff:
        return FileOutcome(result, diff=unified_diff(display, original, text), fixed=total)
    if path == "-":
        return FileOutcome(current, fixed=total, diff=text)
    try:
        write_atomic(path, codec.encode(text), data)
    except ChangedOnDisk:
        return FileOutcome(result, error=f"{display} changed on disk since it was read; not overwritten")
    except OSError as e:
        return FileOutcome(result, error=f"{display}: cannot write the fix: {e.strerror or e}")
    return FileOutcome(current, fixed=total)


def across_files(files: list[FileResult]) -> None:
    """Run the checks that need every file (RUN scope) and add their findings, suppressions applied."""
    if not any(f.facts for f in files):
        return  # nothing to compare across files (and no need to load the checks)
    from masqlint.engine.lint import lint_across  # noqa: PLC0415 - lazy: the linter loads once a file held a config

    lint_across(files)


class CatalogRules(Mapping):
    """The catalog's RuleInfo by id, read on first use: only some output formats (SARIF) need
    it, and a run over files without agent configs should not parse the rule files."""

    def __init__(self):
        self._infos = None

    def _load(self) -> dict:
        if self._infos is None:
            from masqlint.engine.catalog import rule_infos  # noqa: PLC0415 - lazy: the catalog loads when a format asks for it

            self._infos = rule_infos()
        return self._infos

    def __getitem__(self, key):
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())


def run(candidates, opts: Options) -> tuple[RunResult, list[FileOutcome]]:
    """Lint every candidate: a FileResult for each, in input order, and the outcomes of the
    files that had something to say (findings, an error, fixes); a file with nothing to report
    (excluded, or no config) is one small FileResult and nothing else.

    ``candidates`` may be a lazy iterable (discovery still walking): with several jobs, files
    are linted by worker processes while the rest of the tree is being listed.

    The cyclic GC is off meanwhile: a file's lint leaves no cycles behind (its parts are released
    when it is done), and the collector would walk the growing list of results again and again."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _run(candidates, opts)
    finally:
        if gc_was_on:
            gc.enable()


def _run(candidates, opts: Options) -> tuple[RunResult, list[FileOutcome]]:
    it = iter(candidates)
    pairs: Iterable[tuple[str, FileOutcome | None]]
    here = ((c.display, process_or_none(c.display, c.path, c.explicit, opts)) for c in it)
    if opts.jobs > 1:
        # The first files are linted here, before any worker starts: what they load (the linter, and whatever
        # their configs need) is loaded once and shared, not once per worker. Workers start only when enough
        # files follow.
        head = list(itertools.islice(here, POOL_WARM_FILES))
        more = list(itertools.islice(it, POOL_MIN_FILES))
        if len(more) == POOL_MIN_FILES and not any(c.path == "-" for c in more):
            rest: Iterable[tuple[str, FileOutcome | None]] = _run_pool(itertools.chain(more, it), opts)
        else:
            rest = ((c.display, process_or_none(c.display, c.path, c.explicit, opts)) for c in itertools.chain(more, it))
        pairs = itertools.chain(head, rest)
    else:
        pairs = here
    files: list[FileResult] = []
    outcomes: list[FileOutcome] = []
    for display, o in pairs:
        if o is None:
            files.append(FileResult(display))
        else:
            files.append(o.result)
            outcomes.append(o)
    rr = RunResult(files=with_related(files), rules=CatalogRules())
    across_files(rr.files)
    return rr, outcomes


def _merge_findings(into: FileResult, other: FileResult) -> None:
    seen = {(f.rule, f.span) for f in into.findings}
    into.findings.extend(f for f in other.findings if (f.rule, f.span) not in seen)
    into.findings.sort(key=Finding.sort_key)
    into.configs = max(into.configs, other.configs)
    into.policies = max(into.policies, other.policies)
    into.suppressed = max(into.suppressed, other.suppressed)


def with_related(files: list[FileResult]) -> list[FileResult]:
    """The results of the files checked, then those of the files they refer to (a kustomize
    generator's config file) that were not checked in their own right. A file both walked and
    referred to is reported once: as walked when that found its config (then --fix saw it too),
    with the findings only the reference could make added (a template rendered with the arguments
    of a Terraform templatefile() call), else as the reference found it; each finding once."""
    related = [r for f in files for r in f.related]
    if not related:
        return files
    by_path = {os.path.normpath(f.path): i for i, f in enumerate(files)}
    out = list(files)
    as_referenced: set[int] = set()  # results that hold a referenced view
    for r in related:
        key = os.path.normpath(r.path)
        i = by_path.get(key)
        if i is None:
            by_path[key] = len(out)
            as_referenced.add(len(out))
            out.append(r)
        elif i in as_referenced:
            _merge_findings(out[i], r)
        elif not out[i].configs:  # walked, but not seen as an agent config on its own
            _merge_findings(r, out[i])
            out[i] = r
            as_referenced.add(i)
        else:
            _merge_findings(out[i], r)
    for f in files:
        f.related = []
    return out


POOL_WARM_FILES = 16  # files linted in this process before workers start (what they load, workers share)
POOL_MIN_FILES = 64  # workers start only when this many files follow those: fewer are linted here
_POOL_CHUNK = 64  # files per task sent to a worker: few messages, yet even load at the end
_worker_opts: Options | None = None


def _worker_init(opts: Options) -> None:
    global _worker_opts
    _worker_opts = opts


def _worker_lint(item) -> FileOutcome | None:
    """One file (display, path, explicit) in a worker; None stands for "nothing to report"
    (most files), so that only files with something to say are sent back."""
    assert _worker_opts is not None  # set by _worker_init
    display, path, explicit = item
    return process_or_none(display, path, explicit, _worker_opts)


def _preload() -> None:
    """Import the linter once here rather than once in every forked worker."""
    from masqlint.engine import lint, suppress  # noqa: F401, PLC0415 - lazy: loaded once here before the workers fork
    from masqlint.agent import gonet  # noqa: F401, PLC0415 - lazy: as above
    from masqlint.engine.headers import rule_headers  # noqa: PLC0415 - lazy: loaded once here before the workers fork
    from masqlint.checks import load_all  # noqa: PLC0415 - lazy: loaded once here before the workers fork

    load_all()
    rule_headers()


def _dir_of_walked(c: Candidate) -> str | None:
    """The directory of a file found by walking, as settings are looked up for it: ``os.path.dirname`` of
    its absolute, normalised path (the fork pool runs where the separator is ``/``)."""
    return None if c.explicit else c.path[:c.path.rfind("/")] or "/"


def _run_pool(candidates, opts: Options) -> list[tuple[str, FileOutcome | None]]:
    """Lint in ``opts.jobs`` processes, this one and workers: (display, outcome or None) in input order."""
    from masqlint.pipeline import pool as fork_pool  # noqa: PLC0415 - lazy: worker processes only for a run of many files

    if fork_pool.available():
        _preload()
        kept: list = []
        hints = opts.forced is None and opts.use_config_files

        def items():
            last = None
            for i, c in enumerate(candidates):  # the walk goes on here while the workers lint
                kept.append(c)
                # the settings found for a walked file's directory (the walk looked them up): with the first
                # file of each directory and of each chunk, so that no worker looks them up again
                d = _dir_of_walked(c) if hints else None
                if d is not None and (d != last or i % fork_pool.PIECE == 0):
                    last = d
                    yield c.display, c.path, c.explicit, (d, find_settings_for_dir(d))
                else:
                    yield c.display, c.path, c.explicit, None

        def work(item):
            if item[3] is not None:
                note_settings_found(*item[3])
            return process_or_none(item[0], item[1], item[2], opts)

        try:
            # jobs - 1 workers and this process, which lints a chunk whenever the workers have their fill
            results = fork_pool.run(items(), work, opts.jobs - 1, here=True)
        except fork_pool.Unavailable:  # no process could be started: lint here
            return [(c.display, process_or_none(c.display, c.path, c.explicit, opts)) for c in candidates]
        return [(c.display, o) for c, o in zip(kept, results)]
    import multiprocessing  # noqa: PLC0415 - lazy: multiprocessing only where the fork pool is unavailable

    try:
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        from multiprocessing.pool import Pool  # noqa: PLC0415 - lazy: multiprocessing only where the fork pool is unavailable

        pool = Pool(opts.jobs, _worker_init, (opts,), context=ctx)
    except (OSError, RuntimeError, ImportError):  # no process pool on this platform: do it here
        return [(c.display, process_or_none(c.display, c.path, c.explicit, opts)) for c in candidates]
    sent_kept: list = []

    def sent():
        for c in candidates:  # discovery goes on in the pool's feeder thread
            sent_kept.append(c)
            yield c.display, c.path, c.explicit

    try:
        results = list(pool.imap(_worker_lint, sent(), chunksize=_POOL_CHUNK))
    finally:
        pool.terminate()
    return [(c.display, o) for c, o in zip(sent_kept, results)]
