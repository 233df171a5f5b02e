"""Which files can hold an ip-masq-agent config, decided from their bytes before any parsing.

A file holds a config when a YAML document in it is a ConfigMap *named* ``ip-masq-agent``
(the name always contains ``masq``) or when it is a standalone agent config whose first
mapping has a key that begins like an agent field (``nonMasquerade…``, ``masqLinkLocal``,
``cidrLimit``, ``resyncInterval``), compared case-insensitively. So a file can only hold a
config if its text, once YAML escapes are undone, contains ``masq``, ``cidrlimit`` or
``resyncinterval`` in some casing. The answer here is a superset of that:

* ASCII casing: searched in ``bytes.lower()`` (fast substring search, no regex);
* non-ASCII letters that match case-insensitively (``ſ`` for s, ``ı``/``İ`` for i, ``K``
  for k): files with any non-ASCII byte are decoded and searched with a Unicode-aware
  case-insensitive pattern;
* escapes in double-quoted YAML and JSON strings (``\\x73``, ``\\u0073``, ``\\U…``, and
  an escaped line break joining two halves of a word): undone before searching;
* UTF-16 files (with a BOM): decoded first.

Terraform files (``forms/terraform.py``) pass too: a resource declaring the ConfigMap names it
``ip-masq-agent``. Only one whose name and config both come from elsewhere (a variable's default in
another file, ``file()``) holds no ``masq``; such a file is not read.

Nothing here imports more than ``re``: files without configs pay only for a read and a
substring search.
"""

from __future__ import annotations

import re

# Patterns, compiled by re's own cache on first use: most runs only meet ASCII text without escapes.
_TEXT_WORDS = r"(?i)masq|cidrlimit|resyncinterval|egressnatpolicy"  # Unicode-aware: ſ, ı, İ, K
# ``resyncinterval`` or ``egressnatpolicy`` in lowered bytes, found from their shared ``y``: one scan for a
# byte that text holds less often than the words' other letters, each ``y`` then checked in place, where
# two substring searches would each stop at nearly every letter
_Y_WORDS = re.compile(rb"y(?:(?<=resy)ncinterval|(?<=egressnatpolicy))")
# An escape that may stand for a letter, or an escaped line break (a lone \r breaks a line too) joining two
# halves of a word
_ESCAPE = rb"\\(?:[xuU]|[ \t]*[\r\n])"
# One escape at a time, left to right as YAML reads them (so ``\\\\x73`` stays a backslash and text).
_TEXT_ESCAPE = r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([ \t]*(?:\r\n|\r|\n)[ \t]*)|.)"


def might_hold_config(data: bytes) -> bool:
    """False only when the bytes cannot hold an ip-masq-agent config in any form masqlint reads."""
    low = data.lower()
    if _has_masq(low) or b"cidrlimit" in low or _Y_WORDS.search(low) is not None:
        return True  # (an EgressNATPolicy, GKE Autopilot's SNAT configuration, need not say `masq`)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data[2:].decode("utf-16-le" if data[0] == 0xFF else "utf-16-be", errors="replace")
        return _might_hold_text(text)
    if not data.isascii():
        return _might_hold_text(data.decode("utf-8", errors="replace"))
    if b"\\" in data and re.search(_ESCAPE, data) is not None:
        return _might_hold_text(data.decode("ascii"))
    return False


def _has_masq(low: bytes) -> bool:
    """``b"masq" in low``, found from its last letter, which text seldom holds: each ``q`` is found by a
    scan for one byte, far faster than a search for a word whose first letters are everywhere. Text
    with many ``q`` is searched for the word."""
    i = low.find(b"q", 3)
    for _ in range(8):
        if i < 0:
            return False
        if low.startswith(b"mas", i - 3):
            return True
        i = low.find(b"q", i + 1)
    return b"masq" in low


def _unescape(m: re.Match) -> str:
    for g in m.groups()[:3]:
        if g is not None:
            cp = int(g, 16)
            return chr(cp) if cp < 0x110000 and not 0xD800 <= cp < 0xE000 else "\ufffd"
    if m.group(4) is not None:
        return ""  # an escaped line break joins the lines
    return "\x00"  # any other escape stands for a character that is not a letter


def _might_hold_text(text: str) -> bool:
    if _words_in(text):
        return True
    if "\\" in text:
        return _words_in(re.sub(_TEXT_ESCAPE, _unescape, text))
    return False


def _words_in(text: str) -> bool:
    """Does ``text`` hold one of the words in any casing? ASCII text has no letters that match them but its
    own, so it is searched as lowered text (fast); other text by the Unicode-aware pattern."""
    if text.isascii():
        low = text.lower()
        return "masq" in low or "cidrlimit" in low or "resyncinterval" in low or "egressnatpolicy" in low
    return re.search(_TEXT_WORDS, text) is not None
