"""Template markup → text of the same length that YAML reads, and what in it cannot be known.

    mask(text, syntax) -> Masked        syntax: "go" | "jinja" | "terraform"

* ``go``: Go templates (Helm charts, aks-engine parts): ``{{ }}``, ``{{- -}}``, ``{{/* */}}``,
  if/else/range/with/define/block/end.
* ``jinja``: Jinja (Ansible ``.j2``): ``{{ }}``, ``{% %}``, ``{# #}``, ``{%- -%}``; if/elif/else/for/
  macro/call/filter/raw and their ``end…``.
* ``terraform``: Terraform string templates (``templatefile()``, ``.tpl``): ``${ }``, ``%{ }``,
  ``%{~ ~}``; ``$${`` and ``%%{`` are literal.

Every character keeps its offset and every line its number, so positions found in the masked text
are positions in the original. What a template action becomes:

* a comment, or a directive that prints nothing (if, end, range, set, define …): spaces;
* an expression inside a line (``name: {{ .Values.name }}``, ``- ${cidr}``): a placeholder scalar of
  ``x`` of the same length, recorded in ``Masked.unknown``;
* an expression alone on its line (``{{- toYaml .Values.cidrs | nindent 6 }}``), which may print
  any number of lines: a placeholder at the column its ``indent``/``nindent`` names — a list item
  ``- xxx`` among list items, ``xxx:`` among keys, else a scalar — recorded in ``unknown`` and in
  ``Masked.open`` (what is there, and how many items, is unknown).

Literal text keeps its place and is checked as written, except:

* inside ``define`` / ``macro`` bodies (not printed here): spaces;
* in the branches after the first of an ``if … else`` (one of them is printed, masqlint cannot know
  which): spaces; the values on the lines of the first branch are recorded in ``unknown``;
* the bodies of loops and of conditionals are recorded in ``open``: a list there may have any
  length, so no rule may conclude that it is empty, complete or short.

An action that never ends runs to the end of the text, which then is all unknown. Nothing is
evaluated; nothing recurses (10,000 nested ``if`` cost what 10,000 lines cost).
"""

from __future__ import annotations

import re

from masqlint.forms.claims import has_markup

__all__ = ["Masked", "mask", "has_markup", "SYNTAXES"]

SYNTAXES = ("go", "jinja", "terraform")
PLACEHOLDER = "x"


class Masked:
    """The masked text and what it does not know (ranges are [start, end) character offsets)."""

    __slots__ = ("masked", "open", "text", "unknown")

    def __init__(self, text: str, unknown: list, open_: list, masked: list):
        self.text = text  # same length and line breaks as the input
        self.unknown = unknown  # values that come from the template
        self.open = open_  # loop / conditional bodies and multi-line outputs: list lengths unknown
        self.masked = masked  # every range whose characters were changed

    def is_unknown(self, start: int, end: int) -> bool:
        return _overlaps(self.unknown, start, end)

    def open_in(self, start: int, end: int) -> bool:
        """Does [start, end) touch a loop or conditional body or a multi-line output?"""
        return _overlaps(self.open, start, end)

    def open_within(self, start: int, end: int) -> bool:
        """Is some list in [start, end) of unknown length: a loop, a conditional or a multi-line output
        starts or ends inside it? (A condition around the whole of it leaves what is inside complete.)"""
        return any(a < max(end, start + 1) and start < b and not (a <= start and end <= b) for a, b in self.open)

    def masked_in(self, start: int, end: int) -> bool:
        return _overlaps(self.masked, start, end)


def _overlaps(ranges, start, end) -> bool:
    end = max(end, start + 1)
    return any(a < end and start < b for a, b in ranges)


_OPENERS = {
    "go": re.compile(r"\{\{"),
    "jinja": re.compile(r"\{\{|\{%|\{#"),
    "terraform": re.compile(r"(?<![$%])[$%]\{|[$%]{2}\{"),
}


class _Action:
    __slots__ = ("end", "indent", "kind", "start", "word")

    def __init__(self, start: int, end: int, kind: str, word: str, indent: int | None):
        self.start = start
        self.end = end
        self.kind = kind  # "comment" | "control" | "output"
        self.word = word  # the directive's first word ("if", "end", "range" …), "" for outputs
        self.indent = indent  # N of `indent N` / `nindent N` in an output, else None


# --- scanning ---------------------------------------------------------------------------------

_GO_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'')
_JINJA_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
# Go `indent 4` / `nindent 4`, Jinja `indent(4)` / `indent(width=4)`
_INDENT = re.compile(r"\bn?indent\s*(?:\(\s*(?:width\s*=\s*)?)?(\d{1,3})\b")
_WORD = re.compile(r"[A-Za-z_]+")


def _scan(text: str, syntax: str) -> list[_Action]:
    if syntax == "go":
        return _scan_go(text)
    if syntax == "jinja":
        return _scan_jinja(text)
    if syntax == "terraform":
        return _scan_terraform(text)
    raise ValueError(f"unknown template syntax {syntax!r} (expected one of {', '.join(SYNTAXES)})")


def _find_close(text: str, i: int, close: str, strings) -> int:
    """Offset just after ``close``, skipping string literals; len(text) when unterminated."""
    n = len(text)
    while i < n:
        j = text.find(close, i)
        k = _next_quote(text, i, j if j >= 0 else n)
        if k is None:
            return n if j < 0 else j + len(close)
        m = strings.match(text, k)
        if m is None:
            i = k + 1  # a lone quote: not a string
            continue
        i = m.end()
    return n


def _next_quote(text: str, i: int, limit: int) -> int | None:
    best = None
    for q in "\"'`":
        k = text.find(q, i, limit)
        if k >= 0 and (best is None or k < best):
            best = k
    return best


def _classify_go(body: str) -> tuple[str, str]:
    b = body.strip()
    if b.startswith("/*"):
        return "comment", ""
    m = _WORD.match(b)
    word = m.group(0) if m else ""
    if word in ("if", "else", "end", "range", "with", "define", "block", "break", "continue"):
        return "control", word
    if b.startswith("$") and ":=" in b.split("|", 1)[0] or re.match(r"^\$\w*\s*=[^=]", b):
        return "control", "set"  # a variable assignment prints nothing
    if word == "template":
        return "output", ""
    return "output", ""


def _scan_go(text: str) -> list[_Action]:
    out: list[_Action] = []
    i = 0
    while True:
        s = text.find("{{", i)
        if s < 0:
            return out
        j = s + 2
        if text.startswith("-", j) and j + 1 < len(text) and text[j + 1] in " \t\r\n":
            j += 1
        jj = j
        while jj < len(text) and text[jj] in " \t":
            jj += 1
        if text.startswith("/*", jj):
            c = text.find("*/", jj + 2)
            close = -1 if c < 0 else text.find("}}", c + 2)
            e = len(text) if close < 0 else close + 2
            out.append(_Action(s, e, "comment", "", None))
        else:
            e = _find_close(text, j, "}}", _GO_STRING)
            body = text[j:e - 2] if e <= len(text) and text.startswith("}}", e - 2) else text[j:e]
            if body.endswith("-") and body[:-1].endswith((" ", "\t", "\n")):
                body = body[:-1]
            kind, word = _classify_go(body)
            out.append(_Action(s, e, kind, word, _indent_of(body) if kind == "output" else None))
        i = out[-1].end


_JINJA_BLOCKS = {"if", "elif", "else", "endif", "for", "endfor", "macro", "endmacro", "call", "endcall",
                 "filter", "endfilter", "raw", "endraw", "block", "endblock", "with", "endwith", "set",
                 "endset", "autoescape", "endautoescape", "trans", "endtrans", "pluralize", "do", "break",
                 "continue", "extends", "import", "from"}


def _scan_jinja(text: str) -> list[_Action]:
    out: list[_Action] = []
    i = 0
    n = len(text)
    while True:
        m = _OPENERS["jinja"].search(text, i)
        if m is None:
            return out
        s = m.start()
        opener = m.group(0)
        if opener == "{#":
            c = text.find("#}", s + 2)
            e = n if c < 0 else c + 2
            out.append(_Action(s, e, "comment", "", None))
        elif opener == "{%":
            e = _find_close(text, s + 2, "%}", _JINJA_STRING)
            body = text[s + 2:e - 2].strip(" \t\r\n-+")
            wm = _WORD.match(body)
            word = wm.group(0) if wm else ""
            if word == "raw":
                close = re.compile(r"\{%-?\s*endraw\s*-?%\}").search(text, e)
                e2 = n if close is None else close.end()
                out.append(_Action(s, e, "control", "raw", None))
                if close is not None:
                    out.append(_Action(close.start(), e2, "control", "endraw", None))
                e = e2
            elif word in ("include",):
                out.append(_Action(s, e, "output", "", None))
            else:
                out.append(_Action(s, e, "control", word if word in _JINJA_BLOCKS else "set", None))
        else:
            e = _find_close(text, s + 2, "}}", _JINJA_STRING)
            body = text[s + 2:e - 2]
            out.append(_Action(s, e, "output", "", _indent_of(body)))
        i = out[-1].end


def _scan_terraform(text: str) -> list[_Action]:
    out: list[_Action] = []
    i = 0
    n = len(text)
    while True:
        s1 = text.find("${", i)
        s2 = text.find("%{", i)
        cands = [x for x in (s1, s2) if x >= 0]
        if not cands:
            return out
        s = min(cands)
        if s > 0 and text[s - 1] == text[s]:  # $${ and %%{ are the literal text ${ and %{
            i = s + 2
            continue
        e = _close_braces(text, s + 2)
        body = text[s + 2:e - 1] if e <= n and text[e - 1:e] == "}" else text[s + 2:e]
        if text[s] == "%":
            b = body.strip(" \t\r\n~")
            wm = _WORD.match(b)
            word = wm.group(0) if wm else ""
            out.append(_Action(s, e, "control", {"endif": "end", "endfor": "end"}.get(word, word), None))
        else:
            out.append(_Action(s, e, "output", "", _indent_of(body)))
        i = e


def _close_braces(text: str, i: int) -> int:
    """After the ``}`` that closes a ``${``/``%{`` opened just before ``i`` (nested braces, strings)."""
    depth = 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _indent_of(body: str) -> int | None:
    m = _INDENT.search(body)
    return int(m.group(1)) if m else None


# --- blocks -----------------------------------------------------------------------------------

_CLOSERS = {"go": ("}}",), "jinja": ("}}", "%}", "#}"), "terraform": ("}",)}
_OPEN_WORDS = {
    "go": {"if": "cond", "with": "cond", "range": "loop", "define": "define", "block": "cond"},
    "jinja": {"if": "cond", "for": "loop", "macro": "define", "call": "cond", "filter": "cond", "raw": "raw",
              "block": "cond", "with": "cond", "autoescape": "cond", "trans": "cond"},
    "terraform": {"if": "cond", "for": "loop"},
}
_ELSE_WORDS = {"else", "elif"}


class _Block:
    __slots__ = ("branches", "end", "kind", "start")

    def __init__(self, kind: str, start: int):
        self.kind = kind
        self.start = start  # end of the opening action
        self.branches: list[tuple[int, int]] = []  # (start of the branch's action, end of that action)
        self.end = -1  # start of the closing action (set when the block is closed, or at the end of the text)


def _is_block_set(text: str, a: _Action) -> bool:
    """``{% set x %}…{% endset %}`` (a block assignment) rather than ``{% set x = … %}``."""
    return "=" not in text[a.start:a.end]


def _blocks(text: str, actions: list[_Action], syntax: str) -> list[_Block]:
    opens = _OPEN_WORDS[syntax]
    stack: list[_Block] = []
    blocks: list[_Block] = []
    for a in actions:
        if a.kind != "control":
            continue
        w = a.word
        if w == "set" and syntax == "jinja" and _is_block_set(text, a) and "endset" in text:
            b = _Block("define", a.end)
            stack.append(b)
            blocks.append(b)
        elif w in opens:
            b = _Block(opens[w], a.end)
            stack.append(b)
            blocks.append(b)
        elif w in _ELSE_WORDS:
            if stack:
                stack[-1].branches.append((a.start, a.end))
        elif w == "end" or w.startswith("end"):
            if stack:
                stack.pop().end = a.start
    for b in stack:  # unterminated: the block runs to the end
        b.end = len(text)
    return blocks


# --- masking ----------------------------------------------------------------------------------


def mask(text: str, syntax: str) -> Masked:
    """Mask the template markup of ``text`` (see the module's doc)."""
    actions = _scan(text, syntax)
    if not actions:
        return Masked(text, [], [], [])
    buf = list(text)
    unknown: list[tuple[int, int]] = []
    open_: list[tuple[int, int]] = []
    masked: list[tuple[int, int]] = []

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if buf[k] not in "\r\n":
                buf[k] = " "
        masked.append((a, b))

    dead: list[tuple[int, int]] = []  # not printed here: define bodies, branches after the first
    for b in _blocks(text, actions, syntax):
        if b.kind == "define":
            blank(b.start, b.end)
            dead.append((b.start, b.end))
            continue
        if b.kind == "raw":
            continue
        open_.append((b.start, b.end))
        if b.branches:
            first_end = b.branches[0][0]
            unknown.extend(_line_values(text, b.start, first_end))
            blank(b.branches[0][0], b.end)
            dead.append((b.branches[0][0], b.end))
    last = actions[-1]
    if last.end >= len(text) and not text.rstrip().endswith(_CLOSERS[syntax]):
        # an action that never ends swallows the rest: what the template would print there is unknown
        open_.append((last.start, len(text)))
        unknown.append((last.start, len(text)))
    line_starts = _line_starts(text)
    dead = _merge(dead)
    for a in actions:
        if dead and _inside(dead, a.start, a.end):
            continue
        if a.kind != "output":
            blank(a.start, a.end)
            continue
        if _alone_on_line(text, a, actions):
            _block_output(text, buf, a, line_starts, unknown, open_, masked)
        else:
            _inline_output(buf, a, unknown, masked)
    return Masked(_empty_blanked_lines(text, "".join(buf)), _merge(unknown), _merge(open_), _merge(masked))


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _empty_blanked_lines(original: str, masked: str) -> str:
    """A line that masking left all blanks becomes empty, its blanks moved to the end of the line
    before (YAML refuses a blank line longer than the indentation of the block scalar it opens;
    trailing blanks mean nothing to it). Lengths and line numbers stay; only blank columns move."""
    out: list[str] = []
    pos = 0
    for m in _LINES.finditer(masked):
        piece = m.group(0)
        if not piece:
            break
        body = piece.rstrip("\r\n")
        if body and not body.strip() and original[pos:pos + len(body)].strip() and out:
            prev = out[-1]
            prev_body = prev.rstrip("\r\n")
            out[-1] = prev_body + body + prev[len(prev_body):]
            piece = piece[len(body):]
        out.append(piece)
        pos = m.end()
    return "".join(out)


def _inside(ranges, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def _inline_output(buf, a: _Action, unknown, masked) -> None:
    for k in range(a.start, a.end):
        if buf[k] in "\r\n":
            break
        buf[k] = PLACEHOLDER
    else:
        k = a.end
    for j in range(k, a.end):
        if buf[j] not in "\r\n":
            buf[j] = " "
    unknown.append((a.start, a.end))
    masked.append((a.start, a.end))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\r\n?|\n", text))
    return starts


def _line_bounds(text: str, i: int) -> tuple[int, int]:
    s = max(text.rfind("\n", 0, i), text.rfind("\r", 0, i)) + 1
    e = len(text)
    for nl in "\r\n":
        k = text.find(nl, i)
        if 0 <= k < e:
            e = k
    return s, e


def _alone_on_line(text: str, a: _Action, actions) -> bool:
    """Only blanks and actions that print nothing share the output action's line(s)."""
    s, _ = _line_bounds(text, a.start)
    _, e = _line_bounds(text, a.end - 1 if a.end > a.start else a.start)
    rest = text[s:a.start] + text[a.end:e]
    if not rest.strip():
        return True
    if "{" not in rest and "%" not in rest:
        return False
    # other actions on the line: blank those that print nothing and look again
    chars = list(text[s:e])
    for b in actions:
        if b is a or b.end <= s or b.start >= e:
            continue
        if b.kind == "output":
            return False
        for k in range(max(b.start, s), min(b.end, e)):
            chars[k - s] = " "
    for k in range(a.start, a.end):
        if s <= k < e:
            chars[k - s] = " "
    return not "".join(chars).strip()


_KEY_LINE = re.compile(r"^(\s*)(-\s+)?[^\s#:][^#]*?:(\s|$)")
_ITEM_LINE = re.compile(r"^(\s*)-(\s|$)")


def _block_output(text: str, buf, a: _Action, line_starts, unknown, open_, masked) -> None:
    """An output alone on its line: may print any lines. Placeholder at its column."""
    s, e = _line_bounds(text, a.start)
    col = a.indent if a.indent is not None else a.start - s
    # what surrounds it decides what it must look like to YAML
    prev = _neighbour(text, s, -1)
    nxt = _neighbour(text, e, +1)
    shape = "scalar"
    for line in (prev, nxt):
        if line is None:
            continue
        ind = len(line) - len(line.lstrip(" "))
        if ind != col:
            continue
        if _ITEM_LINE.match(line):
            shape = "item"
            break
        if _KEY_LINE.match(line):
            shape = "key"
            break
    if shape == "scalar" and prev is not None and prev.rstrip().endswith(":"):
        ind = len(prev) - len(prev.lstrip(" "))
        if nxt is not None and _ITEM_LINE.match(nxt) and len(nxt) - len(nxt.lstrip(" ")) == col:
            shape = "item"
        elif col <= ind:
            col = ind + 2  # a value must sit deeper than its key
    # blank the action's whole extent, then write the placeholder on its first line
    for k in range(a.start, a.end):
        if buf[k] not in "\r\n":
            buf[k] = " "
    masked.append((a.start, a.end))
    _, first_end = _line_bounds(text, a.start)
    avail_end = min(first_end, a.end) if a.end > a.start else first_end
    pstart = s + col
    body = {"item": "- ", "key": "", "scalar": ""}[shape]
    room = avail_end - pstart - len(body) - (1 if shape == "key" else 0)
    if pstart < s or room < 1:
        open_.append((s, a.end))
        return
    # left of the placeholder: blanks, or the action itself (`{{ toYaml . | indent 4 }}` at column 0)
    if text[s:min(pstart, a.start)].strip():
        open_.append((s, a.end))
        return
    seq = body + PLACEHOLDER * room + (":" if shape == "key" else "")
    for k, ch in enumerate(seq):
        buf[pstart + k] = ch
    masked.append((min(pstart, a.start), a.end))
    unknown.append((pstart + len(body), pstart + len(seq)))
    open_.append((s, a.end))


def _neighbour(text: str, pos: int, step: int) -> str | None:
    """The nearest line before (step -1, pos = start of the current line) or after (step +1,
    pos = end of the current line) that holds literal text rather than template markup only."""
    for _ in range(50):
        if step < 0:
            if pos <= 0:
                return None
            e = pos - 1
            if e > 0 and text[e] == "\n" and text[e - 1] == "\r":
                e -= 1
            s, _ = _line_bounds(text, e)
            line = text[s:e]
            pos = s
        else:
            if pos >= len(text):
                return None
            s = pos + (2 if text.startswith("\r\n", pos) else 1)
            if s > len(text):
                return None
            _, e = _line_bounds(text, s)
            line = text[s:e]
            pos = e
        st = line.strip()
        if not st or st.startswith(("{{", "{%", "{#", "%{")):
            continue
        return line
    return None


def _line_values(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The value part of every literal line in [start, end): after ``key:`` or ``- ``."""
    out = []
    i = start
    while i < end:
        s, e = _line_bounds(text, i)
        e2 = min(e, end)
        line = text[max(s, start):e2]
        base = max(s, start)
        m = re.match(r"^(\s*(?:-\s+)?)(?:[^\s#:'\"][^#:]*:(?:\s+|$))?", line)
        v = base + (m.end() if m else 0)
        if v < e2 and text[v:e2].strip() and not text[v:e2].lstrip().startswith("#"):
            out.append((v, e2))
        i = e + 1
    return out


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not ranges:
        return []
    ranges = sorted(ranges)
    out = [list(ranges[0])]
    for a, b in ranges[1:]:
        if a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
