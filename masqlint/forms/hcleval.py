"""Evaluate the Terraform expressions that can hold an ip-masq-agent config, over the parse tree of
python-hcl2 (Lark, with positions): literals, strings and heredocs (templates), tuples, objects,
``var.NAME`` (the variable's literal default), ``path.module``, and the functions that build a
config: ``yamlencode``, ``jsonencode``, ``join``, ``file``, ``templatefile``, ``yamldecode``.
Everything else is ``Unknown``: masqlint never guesses a value."""

from __future__ import annotations

from masqlint.forms import tftemplate
import re

from masqlint.forms.hclvalues import (Bool, FileCall, Null, Num, Obj, Str, Text, Tup, Unknown, Value, YamlDecode,
                                      relocate)

MAX_NESTING = 64  # brackets deeper than this: the file is not read (real configs nest a few levels)


def parse_tree(text: str):
    """The Lark tree of an HCL text; raises for text that is not HCL."""
    import hcl2  # noqa: PLC0415 - lazy: the HCL parser loads only for a Terraform file that may hold the agent

    return hcl2.parses_to_tree(text)


def nesting_too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """Offset where brackets first nest deeper than ``limit`` (None: they never do). Counted over
    the whole text, strings and heredocs included: an over-estimate, never an under-estimate."""
    depth = 0
    for m in re.finditer(r"[\[{(]|[\]})]", text):
        if m.group() in "[{(":
            depth += 1
            if depth > limit:
                return m.start()
        elif depth:
            depth -= 1
    return None


def children(node):
    return [c for c in node.children if not _is_nl(c)]


def _is_nl(c) -> bool:
    return getattr(c, "data", None) == "new_line_or_comment" or getattr(c, "type", None) == "NL_OR_COMMENT"


def is_tree(c) -> bool:
    return hasattr(c, "data")


class Scope:
    """What names mean where an expression is evaluated: the module's variables and the
    template's own names (loop variables, ``templatefile`` arguments)."""

    def __init__(self, variables, empty: frozenset = frozenset(), joins: list | None = None,
                 unclosed: list | None = None):
        self.variables = variables  # name -> VarDef (forms.terraform), looked up lazily
        self.empty = empty  # list variables taken as empty
        self.joins = joins if joins is not None else []  # (variable, a, b) of join() over a list variable
        self.unclosed = unclosed if unclosed is not None else []  # offsets of `${` / `%{` never closed


class Evaluator:
    """Evaluates nodes of a tree parsed from ``text``; tree position p is file offset p + base."""

    def __init__(self, text: str, base: int, scope: Scope):
        self.text = text
        self.base = base
        self.scope = scope

    def rng(self, node) -> tuple[int, int]:
        if is_tree(node):
            return node.meta.start_pos + self.base, node.meta.end_pos + self.base
        return node.start_pos + self.base, node.end_pos + self.base

    # --- expressions ----------------------------------------------------------------------------

    def ev(self, node, env: dict) -> Value:
        kind = getattr(node, "data", None)
        fn = getattr(self, "_" + str(kind), None)
        if fn is None:
            return Unknown(self.rng(node))
        return fn(node, env)

    def _expr_term(self, node, env):
        kids = children(node)
        if kids and not is_tree(kids[0]) and kids[0].type == "LPAR":
            return self.ev(kids[1], env)
        return self.ev(kids[0], env) if kids else Unknown(self.rng(node))

    def _int_lit(self, node, env):
        return Num(str(node.children[0]), self.rng(node))

    _float_lit = _int_lit

    def _literal_value(self, node, env):
        word = str(node.children[0])
        if word == "null":
            return Null(self.rng(node))
        return Bool(word == "true", self.rng(node))

    def _tuple(self, node, env):
        return Tup([self.ev(c, env) for c in children(node) if is_tree(c)], self.rng(node))

    def _object(self, node, env):
        entries = []
        partial = False
        for el in children(node):
            if not is_tree(el) or el.data != "object_elem":
                continue
            parts = [c for c in children(el) if is_tree(c)]
            key_node, value_node = parts[0], parts[-1]
            key = self.key_of(key_node, env)
            if key is None:
                partial = True
                continue
            entries.append((key, self.rng(key_node), self.ev(value_node, env)))
        return Obj(entries, self.rng(node), partial)

    def key_of(self, key_node, env) -> str | None:
        inner = key_node
        while is_tree(inner) and inner.data in ("object_elem_key", "expr_term") and len(children(inner)) == 1:
            inner = children(inner)[0]
        if is_tree(inner) and inner.data == "identifier":
            return str(inner.children[0])
        if is_tree(inner) and inner.data == "keyword":
            return str(inner.children[0])
        if is_tree(inner) and inner.data == "string":
            v = self.ev(inner, env)
            return v.text if isinstance(v, Str) and v.known else None
        return None

    def _string(self, node, env):
        a, b = node.meta.start_pos, node.meta.end_pos
        raw = self.text[a + 1:b - 1]
        src = tftemplate.quoted_src(raw, a + 1 + self.base)
        return self.template(src, True, env, self.rng(node))

    def _heredoc_template(self, node, env):
        tok = node.children[0]
        src = tftemplate.heredoc_src(str(tok), tok.start_pos + self.base)
        if src is None:
            return Unknown(self.rng(node))
        return self.template(src, False, env, self.rng(node))

    _heredoc_template_trim = _heredoc_template

    def template(self, src, escapes: bool, env: dict, rng) -> Value:
        try:
            nodes = tftemplate.structure(tftemplate.tokens(src, escapes))
        except tftemplate.Unclosed as e:
            self.scope.unclosed.append(e.at)
            return Unknown(rng)
        value, r = tftemplate.render(nodes, self.markup_evaluator(), env, rng, src.end, self.scope.empty)
        note_loops(r, self.scope)
        return value

    def markup_evaluator(self):
        """``evaluate(expr, at, env, markup)`` for the template engine: parses the expression text of
        an interpolation or directive (written at file offset ``at``) and evaluates it here."""
        return lambda expr, at, env, markup: evaluate_text(expr, at, env, self.scope, markup)

    def _identifier(self, node, env):
        name = str(node.children[0])
        if name in env:
            return env[name]
        return Unknown(self.rng(node))

    def _get_attr_expr_term(self, node, env):
        path = traversal(node)
        r = self.rng(node)
        if path is None:
            return Unknown(r)
        head, rest = path[0], path[1:]
        if head == "var" and len(rest) >= 1:
            v: Value | None = self.variable(rest[0], r)
            for name in rest[1:]:
                v = v.get(name) if isinstance(v, Obj) else None
                if v is None:
                    return Unknown(r)
            return v
        if head == "path" and rest in (["module"], ["root"], ["cwd"]):
            return Str.plain(".", r)
        if head == "local" and len(rest) >= 1:
            lv = self.scope.variables.local(rest[0], r, self.scope)
            for name in rest[1:]:
                lv = lv.get(name) if isinstance(lv, Obj) else None
            return lv if lv is not None else Unknown(r)
        if head in env:
            v = env[head]
            for name in rest:
                v = v.get(name) if isinstance(v, Obj) else None
                if v is None:
                    return Unknown(r)
            return v
        return Unknown(r)

    def variable(self, name: str, r) -> Value:
        vd = self.scope.variables(name)
        if vd is None or vd.default is None:
            v: Value = Unknown(r, listy=bool(vd and vd.listy))
        else:
            v = relocate(vd.default, r)
        v.var = name
        return v

    def _function_call(self, node, env):
        kids = children(node)
        name = str(children(kids[0])[0]) if is_tree(kids[0]) else str(kids[0])
        args_node = next((c for c in kids if is_tree(c) and c.data == "arguments"), None)
        args = [c for c in children(args_node) if is_tree(c)] if args_node is not None else []
        r = self.rng(node)
        if name in ("yamlencode", "jsonencode") and len(args) == 1:
            v = self.ev(args[0], env)
            out = Text()
            (encode_yaml if name == "yamlencode" else encode_json)(v, out, self.scope)
            return out.value(r)
        if name in ("file", "templatefile") and args:
            path = self.ev(args[0], env)
            vars_ = self.ev(args[1], env) if name == "templatefile" and len(args) > 1 else None
            return FileCall(name, path, vars_, r)
        if name == "yamldecode" and len(args) == 1:
            return YamlDecode(self.ev(args[0], env), r)
        if name == "join" and len(args) == 2:
            return self.join(self.ev(args[0], env), self.ev(args[1], env), r)
        if name in ("chomp", "trimspace") and len(args) == 1:
            v = self.ev(args[0], env)
            if isinstance(v, Str):
                t = v.text.rstrip("\r\n") if name == "chomp" else v.text.strip()
                lead = 0 if name == "chomp" else len(v.text) - len(v.text.lstrip())
                return Str(t, v.chars[lead:lead + len(t)] + [v.chars[lead + len(t)]], v.lit[lead:lead + len(t)],
                           tuple((max(a - lead, 0), min(b - lead, len(t))) for a, b in v.unknown if b > lead),
                           v.range, v.open_list)
            return Unknown(r)
        return Unknown(r)

    def join(self, sep: Value, lst: Value, r) -> Value:
        if lst.var is not None:
            self.scope.joins.append((lst.var, r[0], r[1]))
            if lst.var in self.scope.empty:
                return Str.plain("", r)
        if not (isinstance(sep, Str) and sep.known and isinstance(lst, Tup)):
            return Unknown(r)
        out = Text()
        for i, item in enumerate(lst.items):
            if i:
                out.made(sep.text, sep.range[0])
            if isinstance(item, Str) and item.known:
                out.mapped(item.text, item.chars[:len(item.text)])
            elif isinstance(item, (Num, Bool)):
                out.made(item.text if isinstance(item, Num) else ("true" if item.value else "false"), item.range[0])
            else:
                return Unknown(r)
        return out.value(r)


def note_loops(r, scope: Scope) -> None:
    """The template's ``for`` loops over a list variable, unless an ``if`` around them tests it."""
    for var, a, b, guards, coll in r.loops:
        if not any(var in g or coll.strip() in g for g in guards):
            scope.joins.append((var, a, b))


def traversal(node) -> list[str] | None:
    """``a.b.c`` → ["a", "b", "c"]; None for anything else (indexes, splats, calls)."""
    names: list[str] = []
    while is_tree(node):
        if node.data == "get_attr_expr_term":
            base, attr = [c for c in children(node) if is_tree(c)]
            ident = [c for c in children(attr) if is_tree(c)]
            if not ident:
                return None
            names.append(str(ident[0].children[0]))
            node = base
        elif node.data == "expr_term":
            kids = children(node)
            if len(kids) != 1:
                return None
            node = kids[0]
        elif node.data == "identifier":
            names.append(str(node.children[0]))
            return names[::-1]
        else:
            return None
    return None


def evaluate_text(expr: str, at: int, env: dict, scope: Scope, markup=None) -> Value:
    """Evaluate an expression written at file offset ``at`` (inside template markup)."""
    rng = markup or (at, at + len(expr))
    if not expr.strip():
        return Unknown(rng)
    prefix = "x = "
    try:
        tree = parse_tree(prefix + expr)
    except Exception:  # noqa: BLE001 - an expression python-hcl2 cannot read is unknown
        return Unknown(rng)
    body = children(tree)[0]
    attrs = [c for c in children(body) if is_tree(c) and c.data == "attribute"]
    if len(attrs) != 1:
        return Unknown(rng)
    value_node = [c for c in children(attrs[0]) if is_tree(c)][-1]
    return Evaluator(prefix + expr, at - len(prefix), scope).ev(value_node, env)


# --- yamlencode / jsonencode ----------------------------------------------------------------------


def _sorted_entries(o: Obj):
    last: dict = {}
    for k, kr, v in o.entries:
        last[k] = (k, kr, v)  # a key written twice: the last one wins
    return [last[k] for k in sorted(last, key=lambda s: s.encode("utf-8"))]


def _quoted(out: Text, s: str, chars, unknown, rng, json: bool) -> None:
    """A double-quoted string whose characters map to ``chars`` (escapes at their character)."""
    out.made('"', rng[0])
    for i, ch in enumerate(s):
        off = chars[i] if i < len(chars) else rng[0]
        inside = any(a <= i < b for a, b in unknown)
        if ch == '"' or ch == "\\":
            out.made("\\" + ch, off)
        elif ch == "\n":
            out.made("\\n", off)
        elif ch == "\t":
            out.made("\\t", off)
        elif ord(ch) < 0x20 or (json and ch in "<>&"):
            out.made("\\u%04x" % ord(ch) if json else "\\x%02x" % ord(ch), off)
        elif inside:
            out.hole(1, off, off + 1)
        else:
            out.mapped(ch, (off,))
    out.made('"', max(rng[0], rng[1] - 1))


def _scalar(out: Text, v: Value, json: bool, scope: Scope) -> bool:
    if isinstance(v, Str):
        _quoted(out, v.text, v.chars, v.unknown, v.range, json)
    elif isinstance(v, Num):
        out.mapped(v.text, [min(v.range[0] + i, v.range[1] - 1) for i in range(len(v.text))])
    elif isinstance(v, Bool):
        out.made("true" if v.value else "false", v.range[0])
    elif isinstance(v, Null):
        out.made("null", v.range[0])
    elif isinstance(v, Unknown) and not v.listy:
        if json:
            out.made('"', v.range[0])
        out.hole(v.range[1] - v.range[0], *v.range)
        if json:
            out.made('"', v.range[1] - 1)
    else:
        return False
    return True


def _list_input(v: Value, scope: Scope) -> Value:
    """A list variable written whole into the output: noted (MQ310), and empty when asked."""
    if v.var is not None and isinstance(v, (Tup, Unknown)):
        scope.joins.append((v.var, v.range[0], v.range[1]))
        if v.var in scope.empty:
            return Tup([], v.range)
    return v


def encode_yaml(v: Value, out: Text, scope: Scope, indent: int = 0) -> None:
    """What Terraform's yamlencode writes (keys sorted, strings double-quoted, lists at the key's
    indentation), each character placed at the HCL it comes from."""
    v = _list_input(v, scope)
    if isinstance(v, Obj) and v.entries:
        for n, (k, kr, item) in enumerate(_sorted_entries(v)):
            if n:
                out.made(" " * indent, kr[0])
            _quoted(out, k, [min(kr[0] + i + (1 if _quoted_key(kr, k) else 0), kr[1] - 1) for i in range(len(k))],
                    (), kr, False)
            out.made(":", kr[1] - 1)
            _yaml_value(item, out, scope, indent)
    elif isinstance(v, Tup) and v.items:
        for n, item in enumerate(v.items):
            if n:
                out.made(" " * indent, item.range[0])
            out.made("- ", item.range[0])
            if isinstance(item, (Obj, Tup)) and _nonempty(item):
                encode_yaml(item, out, scope, indent + 2)
            else:
                _yaml_scalar_line(item, out, scope)
    else:
        _yaml_scalar_line(v, out, scope)


def _quoted_key(kr, k) -> bool:
    return kr[1] - kr[0] == len(k) + 2


def _nonempty(v) -> bool:
    return bool(v.entries) if isinstance(v, Obj) else bool(v.items)


def _yaml_scalar_line(v: Value, out: Text, scope: Scope) -> None:
    if isinstance(v, Obj):
        out.made("{}", v.range[0])
    elif isinstance(v, Tup):
        out.made("[]", v.range[0])
    elif isinstance(v, Unknown) and v.listy:
        out.hole(v.range[1] - v.range[0], *v.range)
        out.open_list = True
    elif not _scalar(out, v, False, scope):
        out.hole(v.range[1] - v.range[0], *v.range)
    out.made("\n", v.range[1])


def _yaml_value(item: Value, out: Text, scope: Scope, indent: int) -> None:
    item = _list_input(item, scope)
    if isinstance(item, Obj) and item.entries:
        out.made("\n" + " " * (indent + 2), item.range[0])
        encode_yaml(item, out, scope, indent + 2)
    elif isinstance(item, Tup) and item.items:
        out.made("\n" + " " * indent, item.range[0])
        encode_yaml(item, out, scope, indent)
    elif isinstance(item, Unknown) and item.listy:
        out.made("\n" + " " * indent + "- ", item.range[0])
        out.hole(item.range[1] - item.range[0], *item.range)
        out.made("\n", item.range[1])
        out.open_list = True
    else:
        out.made(" ", item.range[0])
        _yaml_scalar_line(item, out, scope)


def encode_json(v: Value, out: Text, scope: Scope) -> None:
    """What Terraform's jsonencode writes (compact, keys sorted)."""
    v = _list_input(v, scope)
    if isinstance(v, Obj):
        out.made("{", v.range[0])
        for n, (k, kr, item) in enumerate(_sorted_entries(v)):
            if n:
                out.made(",", kr[0])
            _quoted(out, k, [min(kr[0] + i + (1 if _quoted_key(kr, k) else 0), kr[1] - 1) for i in range(len(k))],
                    (), kr, True)
            out.made(":", kr[1] - 1)
            encode_json(item, out, scope)
        out.made("}", max(v.range[0], v.range[1] - 1))
    elif isinstance(v, Tup):
        out.made("[", v.range[0])
        for n, item in enumerate(v.items):
            if n:
                out.made(",", item.range[0])
            encode_json(item, out, scope)
        out.made("]", max(v.range[0], v.range[1] - 1))
    elif isinstance(v, Unknown) and v.listy:
        out.made('["', v.range[0])
        out.hole(v.range[1] - v.range[0], *v.range)
        out.made('"]', max(v.range[0], v.range[1] - 1))
        out.open_list = True
    elif not _scalar(out, v, True, scope):
        out.hole(v.range[1] - v.range[0], *v.range)
