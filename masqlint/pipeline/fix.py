"""Apply fixes as text edits on the original text; write atomically; never touch what is not meant.

Edits come from findings as character ranges of the decoded text; the result is encoded
back with the file's own encoding and BOM, so comments, quoting, key order, indentation and
line endings stay as they were. The file is replaced by a rename of a temporary file in the
same directory (mode bits kept), only if it did not change on disk since it was read, and a
symbolic link is never replaced by a file (its target is written).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from masqlint.engine.findings import Edit, FileResult, Finding


def select_fixes(findings: list[Finding], unsafe: bool) -> list[Finding]:
    return [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]


def apply_edits(text: str, findings: list[Finding]) -> tuple[str, int]:
    """Apply the fixes of ``findings`` that do not overlap an earlier-chosen one. Returns (text, count)."""
    chosen: list[tuple[list[Edit], Finding]] = []
    taken: list[tuple[int, int]] = []
    fixable = [(f, f.fix.edits) for f in findings if f.fix is not None and f.fix.edits]
    for f, fedits in sorted(fixable, key=lambda fe: min(e.start for e in fe[1])):
        edits = sorted(fedits, key=lambda e: e.start)
        if any(not (e.end <= a or e.start >= b) or (e.start == e.end == a) for e in edits for a, b in taken):
            continue
        if any(e.start < 0 or e.end > len(text) or e.start > e.end for e in edits):
            continue
        chosen.append((edits, f))
        taken.extend((e.start, e.end) for e in edits)
    all_edits = sorted((e for edits, _ in chosen for e in edits), key=lambda e: e.start, reverse=True)
    if all(later.start >= e.end and later.start > e.start for later, e in zip(all_edits, all_edits[1:])):
        # apart from one another: the text between the edits and the edits' own, in one join (a long
        # list with hundreds of fixes would otherwise copy the whole text once per edit)
        pieces = []
        at = 0
        for e in reversed(all_edits):
            pieces.append(text[at:e.start])
            pieces.append(e.text)
            at = e.end
        pieces.append(text[at:])
        return "".join(pieces), len(chosen)
    out = text
    for e in all_edits:
        out = out[: e.start] + e.text + out[e.end:]
    return out, len(chosen)


def fix_until_stable(text: str, findings: list[Finding], relint: Callable[[str], FileResult], unsafe: bool,
                     rounds: int = 5) -> tuple[str, int, FileResult | None]:
    """Apply the fixes, lint the new text again, until nothing more applies (at most ``rounds``).
    Returns (text, fixes applied, the last lint; None when nothing changed)."""
    current = None
    total = 0
    for _ in range(rounds):
        fixes = select_fixes(findings, unsafe)
        if not fixes:
            break
        new_text, n = apply_edits(text, fixes)
        if n == 0 or new_text == text:
            break
        total += n
        text = new_text
        current = relint(text)
        findings = current.findings
    return text, total, current


def unified_diff(path: str, old: str, new: str) -> str:
    import difflib  # noqa: PLC0415 - lazy: difflib only for --diff (counting fixes needs none of it)

    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for ln in lines:
        out.append(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n")
    return "".join(out)


class ChangedOnDisk(Exception):
    pass


def write_atomic(path: str, data: bytes, expected: bytes) -> None:
    """Replace the file's bytes, if it still holds ``expected``."""
    import tempfile  # noqa: PLC0415 - lazy: tempfile (and random, shutil) only when a fix is written

    real = os.path.realpath(path)  # write through a symlink, never replace it
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(real, flags), "rb") as fh:  # non-blocking: a FIFO put in its place must not hang us
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or fh.read(len(expected) + 1) != expected:
            raise ChangedOnDisk(f"{path} changed on disk since it was read; not overwritten")
    directory = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(prefix=".masqlint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
