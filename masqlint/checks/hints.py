"""Likely causes of a YAML syntax error, read off the lines around it."""

from __future__ import annotations

import re

from masqlint.lazyre import lazy

LOOKALIKE_DASHES = "\u2013\u2014\u2015\u2212\u2010\u2011\u2012\ufe63\uff0d"
_DASH_ITEM = lazy(r"^\s*[" + LOOKALIKE_DASHES + r"]\s")
_TWO_KEYS = lazy(r"^\s*[A-Za-z0-9_.\-]+:[ \t]+[A-Za-z0-9_.\-]+:(\s|$)")
_COLON_HASH = lazy(r"^\s*[^#\s][^#]*?:#")
_BARE_WORD = lazy(r"^(\s*)([A-Za-z][A-Za-z0-9_.\-]*)\s*$")
_GLUED_KEY = lazy(r"\S[ \t]{2,}[A-Za-z][A-Za-z0-9_.\-]*:(\s|$)")


def hints_for(lines: list[str], line_no: int) -> list[str]:
    """Hints for an error reported at 1-based ``line_no`` (looks at it and the 3 lines before)."""
    out: list[str] = []
    first = max(1, line_no - 3)
    for ln in range(line_no, first - 1, -1):
        if ln > len(lines):
            continue
        text = lines[ln - 1]
        nxt = lines[ln] if ln < len(lines) else ""
        if _DASH_ITEM.match(text):
            ch = text.strip()[0]
            out.append(f"line {ln} starts a list item with {_name(ch)} instead of '-' (a lookalike pasted from a document)")
        if text[: len(text) - len(text.lstrip(" \t"))].find("\t") >= 0 or re.match(r"^\s*-\t", text):
            out.append(f"line {ln} is indented with a tab; YAML allows only spaces")
        if "\u00a0" in text:
            out.append(f"line {ln} contains a no-break space (U+00A0) where YAML expects a plain space")
        if "\uff1a" in text:
            out.append(f"line {ln} uses a fullwidth colon '：' (U+FF1A) instead of ':'")
        if _COLON_HASH.match(text):
            out.append(f"line {ln} has `:#` — a comment needs a space before '#', so `key:# …` is not a key")
        if _TWO_KEYS.match(text):
            out.append(f"line {ln} holds two keys (`{text.strip()}`): put the second on its own line, indented under the first")
        elif _GLUED_KEY.search(text) and not text.lstrip().startswith("#"):
            out.append(f"line {ln} seems to hold two lines run together: put each `key:` on its own line")
        m = _BARE_WORD.match(text)
        if m and nxt and (len(nxt) - len(nxt.lstrip(" "))) > len(m.group(1)) and not text.lstrip().startswith(("-", "#")):
            out.append(f"`{m.group(2)}` on line {ln} has no colon: write `{m.group(2)}:`")
    seen = set()
    uniq = []
    for h in out:
        if h not in seen:
            seen.add(h)
            uniq.append(h)
    for h in _indent_hint(lines, line_no):
        if h not in seen:
            uniq.append(h)
    return uniq


def _indent_hint(lines: list[str], line_no: int) -> list[str]:
    if line_no - 1 >= len(lines) or line_no < 2:
        return []
    cur, prev = lines[line_no - 1], lines[line_no - 2]
    ci = len(cur) - len(cur.lstrip(" "))
    pi = len(prev) - len(prev.lstrip(" "))
    if cur.strip() and prev.strip() and ci != pi and not prev.rstrip().endswith((":", "|", ">", "-")):
        return [f"line {line_no} is indented {ci} spaces but line {line_no - 1} {pi}: keys of one mapping must line up"]
    return []


def _name(ch: str) -> str:
    import unicodedata  # noqa: PLC0415 - lazy: only a message about a character outside ASCII needs it

    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'UNKNOWN')})"


def hazards(lines: list[str], block_ends: list[int]) -> list[tuple[int, int, str]]:
    """Lines that certainly break YAML, anywhere in the file: (line, column, message)."""
    out = []
    for i, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            if i in block_ends and text.lstrip().startswith("#"):
                col = len(text) - len(text.lstrip()) + 1
                out.append((i, col, "this comment is less indented than the `config: |` block around it, so it ends the "
                            "block and the lines after it no longer belong to data.config; indent it like the config lines"))
            continue
        nxt = lines[i] if i < len(lines) else ""
        m = _BARE_WORD.match(text)
        if m and nxt.strip() and (len(nxt) - len(nxt.lstrip(" "))) > len(m.group(1)) and not text.lstrip().startswith("-"):
            out.append((i, len(m.group(1)) + 1, f"`{m.group(2)}` has no colon: write `{m.group(2)}:`"))
        elif _TWO_KEYS.match(text):
            out.append((i, 1, f"two keys on one line (`{text.strip()}`): put the second on its own line, indented under the first"))
        if re.match(r"^\t|^ *\t", text):
            out.append((i, 1, "indented with a tab; YAML allows only spaces"))
    return out
