"""Files a form refers to (kustomize ``files:``, Terraform ``file()``): read only inside the repository.

The repository root is the nearest directory above the referring file that holds ``.git``, else the
working directory. A reference that leaves it, names a directory, a device or a missing file, is not
read: the caller reports it (MQ008) instead. Nothing is ever executed."""

from __future__ import annotations

import functools
import os
import stat

MAX_REFERENCED_BYTES = 5 * 1024 * 1024


def repo_root(fspath: str) -> str:
    """The directory holding ``.git`` above ``fspath``, else the working directory."""
    return _git_dir_above(os.path.dirname(os.path.abspath(fspath))) or os.getcwd()


@functools.lru_cache(maxsize=256)
def _git_dir_above(d: str) -> str | None:
    if os.path.exists(os.path.join(d, ".git")):
        return d
    parent = os.path.dirname(d)
    return None if parent == d else _git_dir_above(parent)


class Reference:
    """A referenced file: ``data`` when it could be read, else ``problem`` says why not."""

    __slots__ = ("data", "display", "fspath", "problem")

    def __init__(self, display: str, fspath: str, data: bytes | None, problem: str | None):
        self.display = display
        self.fspath = fspath
        self.data = data
        self.problem = problem


def resolve(referrer: str, ref: str, root: str | None = None) -> Reference:
    """Read ``ref`` (relative to the referring file's directory, or absolute) if it lies inside the
    repository root; ``referrer`` is the referring file's path on disk."""
    root = os.path.realpath(root or repo_root(referrer))
    base = os.path.dirname(os.path.abspath(referrer))
    target = os.path.realpath(os.path.join(base, ref))
    if os.path.commonpath([root, target]) != root:
        return Reference(ref, target, None, f"`{ref}` leaves the repository ({root}); masqlint reads no file outside it")
    if target == os.path.realpath(referrer):
        return Reference(ref, target, None, f"`{ref}` names the referring file itself")
    try:
        st = os.stat(target)
    except OSError as e:
        return Reference(ref, target, None, f"`{ref}` cannot be read: {e.strerror or e}")
    if stat.S_ISDIR(st.st_mode):
        return Reference(ref, target, None, f"`{ref}` is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        return Reference(ref, target, None, f"`{ref}` is not a regular file; not opened")
    if st.st_size > MAX_REFERENCED_BYTES:
        return Reference(ref, target, None, f"`{ref}` is {st.st_size:,} bytes; not read")
    with open(target, "rb") as f:
        return Reference(ref, target, f.read(MAX_REFERENCED_BYTES + 1), None)
