"""Markdown pages (``.md``, ``.markdown``): the fenced blocks that show an agent config.

A fence (```` ``` ```` or ``~~~``, also inside list items and blockquotes) tagged ``yaml``, ``yml`` or
``json``, or untagged, is checked when it holds a config: an ``ip-masq-agent`` ConfigMap or agent
keys. Each such fence is linted as a file of its own kind (a manifest or a standalone config) and
its findings are moved to the page's lines (``forms.place``). Front matter, prose, indented code
and fences in other languages are never read as YAML; fixes only change text inside a fence.
Fences that hold template markup (``{{ }}``, ``{% %}``) are left alone: their values are unknown.

The page is parsed with markdown-it-py, imported only when a page gets past the byte prefilter.
"""

from __future__ import annotations

import re

from masqlint.forms.place import Placement
from masqlint.text.source import SourceFile
from masqlint.forms.base import FormRead, Unit
from masqlint.checks import Problem
from masqlint.engine.findings import Span
from masqlint.forms.claims import MARKDOWN_SUFFIXES, markdown as claims  # noqa: F401 - claims: this form's

SUFFIXES = MARKDOWN_SUFFIXES
MAX_FENCES = 200  # config fences checked in one page; the rest are reported as not checked
_TAGS = {"yaml": ".yaml", "yml": ".yaml", "json": ".json", "": ""}
_AGENT_KEY = re.compile(r"""(?:^|[\s{,])["']?(?:nonmasquerade|masqlinklocal|cidrlimit|resyncinterval)\w*["']?\s*:""",
                        re.IGNORECASE | re.MULTILINE)
_AGENT_CONFIGMAP = re.compile(r"""\bname\s*:\s*["']?ip-masq-agent["']?\s*$""", re.MULTILINE)
_TEMPLATE = re.compile(r"\{\{|\{%|%\{|\$\{")


def holds_config(content: str) -> bool:
    if _AGENT_KEY.search(content):
        return True
    return "ConfigMap" in content and _AGENT_CONFIGMAP.search(content) is not None


def _tag(info: str) -> str | None:
    """The fence's language as a unit suffix, None for a language that is not YAML/JSON."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    word = word.strip("{}").lstrip(".").lower()
    return _TAGS.get(word)


_PARSER = None


def _parser():
    """One parser for the process: parsing keeps no state in it (and a new one per page would leave
    a reference cycle, its renderer's bound methods, for the cyclic GC)."""
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt  # noqa: PLC0415 - lazy: markdown-it-py only for a Markdown page

        # block structure only: fences, and the containers they can sit in
        _PARSER = MarkdownIt("zero").enable(["fence", "code", "blockquote", "list", "html_block"]).disable(
            ["inline", "text_join"])
    return _PARSER


def fences(text: str):
    """(info, content, first line, last line) of every fenced block; lines 1-based."""
    for tok in _parser().parse(text):
        if tok.type == "fence" and tok.map:
            yield tok.info, tok.content, tok.map[0] + 1, tok.map[1]


def read(source: SourceFile):
    text = source.text or ""
    if "```" not in text and "~~~" not in text:
        return FormRead("markdown", [])
    units: list[Unit] = []
    skipped = 0
    for info, content, first, last in fences(text):
        tag = _tag(info)
        if tag is None or not holds_config(content) or _TEMPLATE.search(content):
            continue
        if len(units) >= MAX_FENCES:
            skipped += 1
            continue
        suffix = tag or (".json" if content.lstrip().startswith(("{", "[")) else ".yaml")
        try:
            data = content.encode("utf-8")
        except UnicodeEncodeError:
            continue
        unit = SourceFile.from_bytes(f"{source.path}:{first}{suffix}", data)
        units.append(Unit(unit, None, placement(source, content, first, last)))
    notes = []
    if skipped:
        notes.append(Problem(f"skipped: {skipped:,} more fences of this page hold an agent config; only the first {MAX_FENCES} are "
            "checked (split the page to check the rest)",
            at=Span(1, 1, 1, 1), rule="MQ006"))
    return FormRead("markdown", [], None, False, notes, units=units)


def placement(source: SourceFile, content: str, first: int, last: int) -> Placement:
    """Match each content line to its page line: what precedes it there is the line's prefix
    (a blockquote's ``>``, a list item's indentation)."""
    idx = source.index
    lines = content.split("\n")
    if content.endswith("\n"):
        lines.pop()
    offsets: list[int] = []
    prefixes: list[str] = []
    exact = True
    for i, inner in enumerate(lines):
        ln = first + 1 + i
        if ln > len(idx.starts):
            exact = False
            break
        outer = idx.line_text(ln)
        if not outer.endswith(inner):
            exact = False
            break
        prefix = outer[: len(outer) - len(inner)]
        if prefix.strip(" >\t"):
            exact = False  # something else than indentation and quote markers: do not guess
            break
        offsets.append(idx.starts[ln - 1] + len(prefix))
        prefixes.append(prefix)
    start = idx.starts[first - 1]
    line = idx.line_text(first)
    marker = start + len(line) - len(line.lstrip(" >\t"))
    anchor = (marker, start + len(line))
    p = Placement(source, content, offsets, prefixes, anchor, exact)
    p.lines = (first, last)
    return p
