"""The errors masqlint stops on, and the exit codes of every command."""

from __future__ import annotations

EXIT_OK = 0  # nothing at or above --fail-on (diff: no destination changes)
EXIT_FINDINGS = 1  # some finding reaches --fail-on (diff --exit-code: some destination changes)
EXIT_ERROR = 2  # usage error, unreadable input or settings, internal error
EXIT_INTERRUPTED = 130  # Ctrl-C


class MasqlintError(Exception):
    """An error reported as one line ``masqlint: error: …`` with exit code 2."""


class UsageError(MasqlintError):
    """The command line asks for something impossible."""


class ConfigError(MasqlintError):
    """A settings file that cannot be used: message names the file, line and key."""


class CatalogError(MasqlintError):
    """A rule file of the catalog does not validate."""


class GitError(MasqlintError):
    """git could not answer (``diff --base``)."""
