"""Where the lines of a text start: one table per text, as compact integers.

A config of 100,000 entries has as many lines, and each of its texts (the file, the config)
has a table of line starts: an ``array('q')`` holds one in 8 bytes a line where a list of
Python integers takes 36, and ``bisect`` searches it the same way.
"""

from __future__ import annotations

from array import array
from itertools import accumulate, chain, count, islice
from operator import add

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    import re

    from masqlint.lazyre import LazyPattern


def line_starts(text: str, breaks: re.Pattern[str] | LazyPattern, others: str) -> array:
    """The offset of each line's first character (0 first): after each match of ``breaks``.

    ``others`` are the characters other than ``\\n`` that ``breaks`` matches: a text without any
    of them is split at ``\\n`` by ``str.split`` and the lengths summed in C (no match object per
    line)."""
    if not any(c in text for c in others):
        lengths = map(len, text.split("\n"))
        # line k + 1 starts after the k + 1 first lines and their k + 1 line breaks
        return array("q", chain((0,), islice(map(add, accumulate(lengths), count(1)), text.count("\n"))))
    return array("q", [0, *(m.end() for m in breaks.finditer(text))])
