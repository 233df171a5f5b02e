"""Terraform's template language (heredocs, quoted strings, ``templatefile`` files): literal text,
``${ expr }`` interpolations and ``%{ for }``/``%{ if }`` directives with their ``~`` strip markers.

Rendering keeps, for every output character, the offset of the character of the file it comes
from. A value masqlint cannot know becomes a same-length placeholder marked unknown; a ``for``
over a list it cannot know renders its body once and marks the text's list open."""

from __future__ import annotations

import re

from masqlint.forms.hclvalues import Bool, Str, Text, Tup, Unknown, Value, scalar_text, spread
from masqlint.forms.hclvalues import Num

_WS = " \t\r\n"


class Src:
    """Template source characters: ``text[i]`` sits at file offset ``offs[i]``; ``end`` follows."""

    __slots__ = ("end", "offs", "text")

    def __init__(self, text: str, offs, end: int):
        self.text = text
        self.offs = offs
        self.end = end


def quoted_src(raw: str, start: int) -> Src:
    return Src(raw, range(start, start + len(raw)), start + len(raw))


def heredoc_src(token: str, start: int) -> Src | None:
    """The body of a heredoc token (``<<EOT`` / ``<<-EOT`` … marker line), indentation stripped
    for ``<<-`` as Terraform strips it: by the least indentation of the lines that hold text."""
    trim = token.startswith("<<-")
    nl = token.find("\n")
    if nl < 0:
        return None
    body_start = nl + 1
    closing = token.rstrip("\r\n").rfind("\n") + 1  # the marker's line
    if closing < body_start:
        closing = body_start
    body = token[body_start:closing]
    base = start + body_start
    if not trim:
        return Src(body, range(base, base + len(body)), base + len(body))
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip(" \t\r")]
    cut = min(widths) if widths else 0
    out: list[str] = []
    offs: list[int] = []
    pos = base
    for ln in lines:
        drop = min(cut, len(ln) - len(ln.lstrip(" \t")))
        kept = ln[drop:] + "\n"
        out.append(kept)
        offs.extend(range(pos + drop, pos + len(ln) + 1))
        pos += len(ln) + 1
    return Src("".join(out), offs, base + len(body))


# --- tokens -------------------------------------------------------------------------------------

class Lit:
    __slots__ = ("lit", "offs", "text")

    def __init__(self, text: str, offs: list[int], lit: list[bool]):
        self.text, self.offs, self.lit = text, offs, lit


class Markup:
    """``${ … }`` (kind "interp") or ``%{ … }`` (for / endfor / if / else / endif)."""

    __slots__ = ("a", "b", "body", "body_at", "kind", "strip_l", "strip_r")

    def __init__(self, kind, body, body_at, a, b, strip_l, strip_r):
        self.kind, self.body, self.body_at = kind, body, body_at
        self.a, self.b = a, b  # file offsets: the markup's first character, and after its `}`
        self.strip_l, self.strip_r = strip_l, strip_r


class Unclosed(Exception):
    """A ``${`` or ``%{`` without its ``}``; ``at`` is its file offset."""

    def __init__(self, at: int):
        super().__init__(at)
        self.at = at


_ESC = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _markup_end(t: str, i: int) -> int:
    """Index of the `}` closing markup whose content starts at ``i`` (-1: none)."""
    depth = 0
    n = len(t)
    while i < n:
        c = t[i]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        elif c == '"':
            i += 1
            while i < n and t[i] != '"':
                if t[i] == "\\":
                    i += 1
                elif t.startswith("${", i) or t.startswith("%{", i):
                    j = _markup_end(t, i + 2)
                    if j < 0:
                        return -1
                    i = j
                i += 1
        i += 1
    return -1


_DIRECTIVE = re.compile(r"(for|endfor|if|else|endif)\b")
_SPECIAL = re.compile(r"[$%]")
_SPECIAL_ESC = re.compile(r"[$%\\]")


def tokens(src: Src, escapes: bool) -> list:
    t, offs = src.text, src.offs
    n = len(t)
    out: list = []
    buf: list[str] = []
    bo: list[int] = []
    bl: list[bool] = []

    def flush():
        if buf:
            out.append(Lit("".join(buf), bo[:], bl[:]))
            buf.clear()
            bo.clear()
            bl.clear()

    special = _SPECIAL_ESC if escapes else _SPECIAL
    i = 0
    while i < n:
        m = special.search(t, i)
        j = m.start() if m else n
        if j > i:  # a run of plain text
            buf.append(t[i:j])
            bo.extend(offs[i:j])
            bl.extend([True] * (j - i))
            i = j
            continue
        c = t[i]
        if c in "$%" and t.startswith("{", i + 1):
            body0 = i + 2
            end = _markup_end(t, body0)
            if end < 0:
                raise Unclosed(offs[i])
            flush()
            body = t[body0:end]
            strip_l = body.startswith("~")
            strip_r = body.endswith("~") and len(body) > (1 if strip_l else 0)
            inner_a = body0 + (1 if strip_l else 0)
            inner = t[inner_a:end - (1 if strip_r else 0)]
            a, b = offs[i], offs[end] + 1
            if c == "$":
                out.append(Markup("interp", inner, offs[inner_a] if inner_a < n else b, a, b, strip_l, strip_r))
            else:
                m = _DIRECTIVE.match(inner.strip())
                kind = m.group(1) if m else "bad"
                lead = len(inner) - len(inner.lstrip())
                rest = inner.strip()[len(kind):] if m else inner
                at = offs[inner_a] + lead + (len(kind) if m else 0) if inner_a < n else b
                out.append(Markup(kind, rest, at, a, b, strip_l, strip_r))
            i = end + 1
            continue
        if c in "$%" and t.startswith(c + "{", i + 1):  # $${ and %%{ stand for the literal text
            buf.append(c + "{")
            bo.extend((offs[i], offs[i + 1]))
            bl.extend((False, False))
            i += 3
            continue
        if escapes and c == "\\" and i + 1 < n:
            e = t[i + 1]
            if e in _ESC:
                buf.append(_ESC[e])
                bo.append(offs[i])
                bl.append(False)
                i += 2
                continue
            if e in "uU":
                w = 4 if e == "u" else 8
                digits = t[i + 2:i + 2 + w]
                if len(digits) == w and all(d in "0123456789abcdefABCDEF" for d in digits):
                    cp = int(digits, 16)
                    if cp < 0x110000 and not 0xD800 <= cp < 0xE000:
                        buf.append(chr(cp))
                        bo.append(offs[i])
                        bl.append(False)
                        i += 2 + w
                        continue
        buf.append(c)
        bo.append(offs[i])
        bl.append(True)
        i += 1
    flush()
    # strip markers: `~` removes the white space on its side, line breaks included
    for k, tok in enumerate(out):
        if not isinstance(tok, Markup):
            continue
        if tok.strip_l and k > 0 and isinstance(out[k - 1], Lit):
            p = out[k - 1]
            keep = len(p.text.rstrip(_WS))
            out[k - 1] = Lit(p.text[:keep], p.offs[:keep], p.lit[:keep])
        if tok.strip_r and k + 1 < len(out) and isinstance(out[k + 1], Lit):
            p = out[k + 1]
            drop = len(p.text) - len(p.text.lstrip(_WS))
            out[k + 1] = Lit(p.text[drop:], p.offs[drop:], p.lit[drop:])
    return out


# --- structure ----------------------------------------------------------------------------------

class For:
    __slots__ = ("body", "coll", "names", "tok")

    def __init__(self, tok, names, coll):
        self.tok, self.names, self.coll, self.body = tok, names, coll, []


class If:
    __slots__ = ("cond", "else_", "then", "tok")

    def __init__(self, tok):
        self.tok, self.cond, self.then, self.else_ = tok, tok.body, [], None


_FOR = re.compile(r"\s*([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\b")


def structure(toks: list) -> list:
    """Nest the tokens: for … endfor, if … else … endif. Unbalanced directives become literal-free
    unknowns (the caller sees them as ``Markup`` of kind "bad")."""
    root: list = []
    stack: list = [(None, root)]
    for tok in toks:
        cur = stack[-1][1]
        if isinstance(tok, Lit) or tok.kind == "interp":
            cur.append(tok)
        elif tok.kind == "for":
            m = _FOR.match(tok.body)
            if not m:
                cur.append(Markup("bad", "", tok.body_at, tok.a, tok.b, False, False))
                continue
            names = [x for x in m.groups() if x]
            loop = For(tok, names, (tok.body[m.end():], tok.body_at + m.end()))
            cur.append(loop)
            stack.append((loop, loop.body))
        elif tok.kind == "if":
            cond = If(tok)
            cur.append(cond)
            stack.append((cond, cond.then))
        elif tok.kind == "else" and isinstance(stack[-1][0], If) and stack[-1][0].else_ is None:
            open_if = stack[-1][0]
            open_if.else_ = []
            stack[-1] = (open_if, open_if.else_)
        elif tok.kind == "endfor" and isinstance(stack[-1][0], For):
            stack.pop()
        elif tok.kind == "endif" and isinstance(stack[-1][0], If):
            stack.pop()
        else:
            cur.append(Markup("bad", "", tok.body_at, tok.a, tok.b, False, False))
    return root


# --- rendering ----------------------------------------------------------------------------------

class Render:
    """One rendering of a template. ``evaluate(expr, at, env)`` gives the Value of an expression;
    ``empty`` names the list variables taken as empty (to see what an empty input renders);
    ``loops`` collects the ``for`` directives over a list variable (for MQ310)."""

    def __init__(self, evaluate, empty: frozenset = frozenset()):
        self.evaluate = evaluate
        self.empty = empty
        self.loops: list = []  # (variable, markup a, markup b, enclosing if conditions, list expression)
        self.guards: list[str] = []  # texts of the enclosing `if` conditions

    def render(self, nodes: list, env: dict, out: Text) -> None:
        for node in nodes:
            if isinstance(node, Lit):
                start = len(out)
                out.literal(node.text, node.offs)
                for k, flag in enumerate(node.lit):
                    if not flag:
                        out.lit[start + k] = False
            elif isinstance(node, Markup):
                if node.kind == "interp":
                    self._interp(node, env, out)
                else:
                    out.hole(node.b - node.a, node.a, node.b)
            elif isinstance(node, For):
                self._for(node, env, out)
            elif isinstance(node, If):
                self._if(node, env, out)

    def _interp(self, node: Markup, env: dict, out: Text) -> None:
        v = self.evaluate(node.body, node.body_at, env, (node.a, node.b))
        s = scalar_text(v)
        if s is not None:
            out.mapped(s, spread(node.a, node.b, len(s)))
        elif isinstance(v, Str):  # partly known: keep its unknown parts
            shifted = Str(v.text, spread(node.a, node.b, len(v.text)) + [node.b],
                          [False] * len(v.text), v.unknown, v.range, v.open_list)
            out.append(shifted)
        else:
            out.hole(node.b - node.a, node.a, node.b)

    def _for(self, node: For, env: dict, out: Text) -> None:
        expr, at = node.coll
        coll = self.evaluate(expr, at, env, (node.tok.a, node.tok.b))
        if coll.var is not None:
            self.loops.append((coll.var, node.tok.a, node.tok.b, tuple(self.guards), expr))
            if coll.var in self.empty:
                return
        if isinstance(coll, Tup):
            for i, item in enumerate(coll.items):
                inner = dict(env)
                if len(node.names) == 2:
                    inner[node.names[0]] = Num(str(i), item.range)
                inner[node.names[-1]] = item
                self.render(node.body, inner, out)
            return
        # a list nobody can know: its body once, with the loop variables unknown
        inner = dict(env)
        for name in node.names:
            inner[name] = Unknown(coll.range)
        self.render(node.body, inner, out)
        out.open_list = True

    def _if(self, node: If, env: dict, out: Text) -> None:
        cond = self.evaluate(node.cond, node.tok.body_at, env, (node.tok.a, node.tok.b))
        self.guards.append(node.cond)
        try:
            if isinstance(cond, Bool):
                self.render(node.then if cond.value else (node.else_ or []), env, out)
                return
            self.render(node.then, env, out)  # either branch may be rendered: what one gives is not known
            out.open_list = True
        finally:
            self.guards.pop()


def render(nodes: list, evaluate, env: dict, rng: tuple[int, int], end: int, empty: frozenset = frozenset()):
    """(Str, Render) for a structured template."""
    r = Render(evaluate, empty)
    out = Text()
    r.render(nodes, env, out)
    return out.value(rng, end), r


def is_value(v) -> bool:
    return isinstance(v, Value)
