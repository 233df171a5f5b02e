"""Small text edits shared by the fixes: exact ranges in the outer file, the file's own newline."""

from __future__ import annotations

import re

from masqlint.engine.findings import Edit


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def scalar_inner(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop the quotes around a quoted scalar's range."""
    if b > a and text[a] in "\"'" and text[b - 1] == text[a]:
        return a + 1, b - 1
    return a, b


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    """[start, end) of the line holding offset, end including its line break."""
    start = text.rfind("\n", 0, offset) + 1
    nl = text.find("\n", offset)
    return start, (nl + 1 if nl >= 0 else len(text))


def delete_block_item(text: str, a: int, b: int) -> Edit | None:
    """Delete a list item whose value spans [a, b): its whole line for a block item (when nothing
    else is on it but a comment), or `, item` inside a flow list."""
    line_start = text.rfind("\n", 0, a) + 1
    before = text[line_start:a]
    if re.fullmatch(r"[ \t]*-[ \t]+", before):
        nl = text.find("\n", b)
        rest = text[b: nl if nl >= 0 else len(text)]
        if re.fullmatch(r"[ \t\r]*(#.*)?\r?", rest):
            return Edit(line_start, nl + 1 if nl >= 0 else len(text), "")
        return None
    j = a - 1
    while j >= 0 and text[j] in " \t\r\n":
        j -= 1
    if j >= 0 and text[j] == ",":
        return Edit(j, b, "")
    k = b
    while k < len(text) and text[k] in " \t":
        k += 1
    if k < len(text) and text[k] == "," and j >= 0 and text[j] == "[":
        k += 1
        while k < len(text) and text[k] in " \t":
            k += 1
        return Edit(a, k, "")
    return None
