"""argparse's parts of the command line (imported only when the arguments need a parser)."""

from __future__ import annotations

import argparse

from masqlint.errors import UsageError


class Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with one line, as for every usage error
        raise UsageError(f"{self.prog}: {message}")


class FormatAction(argparse.Action):
    """``--format`` / ``--output`` in command-line order: each --output belongs to the --format before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), values])
        pairs = [list(p) for p in getattr(namespace, "format_pairs", None) or []]
        if self.dest == "formats":
            pairs.append([values, None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = values
        elif not pairs:
            pairs.append([None, values])  # --output before any --format: the default format
        else:
            raise UsageError(f"masqlint check: --output {values}: each --output follows its own --format")
        namespace.format_pairs = [tuple(p) for p in pairs]
