"""Terraform (HCL2): the ip-masq-agent ConfigMap declared as a ``kubernetes_config_map`` /
``kubernetes_config_map_v1`` resource (or its data set by ``kubernetes_config_map_v1_data``), a
``kubectl_manifest`` (``yaml_body``) or a ``kubernetes_manifest`` (an HCL object or
``yamldecode(...)``), read with python-hcl2.

``data.config`` may be a heredoc (``<<EOT``, ``<<-EOT``), a quoted string, ``yamlencode({...})``,
``jsonencode({...})``, or ``file()`` / ``templatefile()`` of a file in the repository. Every
character of the config maps back to the ``.tf`` line and column it comes from. ``${var.x}`` takes
the variable's literal default (``variable`` blocks of the module's ``.tf`` files) when it has one;
any other value is unknown: a placeholder no rule reports on. A file read by ``file()`` or
``templatefile()`` is checked at its own lines, and its findings carry its own path.

Template lists that render an empty list or a null item when a list variable is empty are noted
for MQ310. A file python-hcl2 cannot parse, or nested too deep, gets one MQ311 note.
"""

from __future__ import annotations

import functools
import os
import re

from masqlint.forms.base import OTHER, FormRead
from masqlint.forms.claims import terraform as claims  # noqa: F401 - this form's
from masqlint.forms import hcleval, tftemplate
from masqlint.forms.manifest import CONFIGMAP_NAME
from masqlint.forms.embedded import AgentConfig, CharLocator, DataKey, Envelope, here_or_elsewhere
from masqlint.forms.hcleval import Evaluator, Scope, children, is_tree
from masqlint.forms.hclvalues import FileCall, Null, Num, Obj, Str, Tup, Unknown, Value, YamlDecode, relocate
from masqlint.text.source import SourceFile
from masqlint.checks import Problem
from masqlint.forms import refs
from masqlint.forms import manifest
from masqlint.agent.load import is_json_text
from masqlint.agent.jsonish import JArray, JNull, JObject
from masqlint.agent.load import parse_agent_text
from masqlint.agent.model import match_field

CONFIGMAP_RESOURCES = ("kubernetes_config_map", "kubernetes_config_map_v1", "kubernetes_config_map_v1_data")
RESOURCES = (*CONFIGMAP_RESOURCES, "kubectl_manifest", "kubernetes_manifest")
_WORDS = ("kubernetes_config_map", "kubectl_manifest", "kubernetes_manifest")
AGENT_NAMES = (CONFIGMAP_NAME,)  # the names the manifest form reads too
# The agent's ConfigMap names itself (`"ip-masq-agent"` in HCL, `name: ip-masq-agent` in a YAML
# body), or its config names agent keys: a file with neither (a comment that mentions the agent does
# not count) is not parsed. One whose name and config both come from other files is not read.
_AGENTISH = re.compile(r"\"ip-masq-agent\"|:[ \t]*[\"']?ip-masq-agent\b|nonmasquerade|masqlinklocal|cidrlimit|resyncinterval",
                       re.IGNORECASE)
MAX_SIBLING_BYTES = 1024 * 1024


# --- variables ----------------------------------------------------------------------------------


class VarDef:
    __slots__ = ("default", "listy", "name", "nonempty")

    def __init__(self, name: str, default: Value | None, listy: bool, nonempty: bool):
        self.name = name
        self.default = default  # the literal default (None: no default, or one masqlint cannot know)
        self.listy = listy
        self.nonempty = nonempty  # a validation block requires at least one item


class Symbols:
    """What one ``.tf`` file declares: its variables, and its locals (text and expression node,
    evaluated when used)."""

    __slots__ = ("local_nodes", "text", "variables")

    def __init__(self, text: str, variables: dict[str, VarDef], local_nodes: dict):
        self.text = text
        self.variables = variables
        self.local_nodes = local_nodes


NO_SYMBOLS = Symbols("", {}, {})


def _symbols(text: str, tree) -> Symbols:
    variables: dict[str, VarDef] = {}
    local_nodes: dict = {}
    ev = Evaluator(text, 0, Scope(_NoModule()))
    for blk in _blocks(tree):
        kind = _block_type(blk)
        if kind == "locals":
            for name, (_node, value, _n) in _attributes(blk).items():
                local_nodes[name] = value
            continue
        if kind != "variable":
            continue
        labels = _labels(blk, text)
        if len(labels) != 1:
            continue
        name = labels[0]
        attrs = _attributes(blk)
        default = None
        if "default" in attrs:
            v = ev.ev(attrs["default"][1], {})
            default = None if isinstance(v, Unknown) or (isinstance(v, Str) and not v.known) else v
        type_text = _source(text, attrs["type"][1]) if "type" in attrs else ""
        listy = type_text.lstrip().startswith(("list", "set", "tuple")) or isinstance(default, Tup)
        nonempty = False
        for sub in _nested(blk, "validation"):
            cond = _attributes(sub).get("condition")
            if cond and re.search(r"length\(\s*var\." + re.escape(name) + r"\s*\)", _source(text, cond[1])):
                nonempty = True
        variables[name] = VarDef(name, default, listy, nonempty)
    return Symbols(text, variables, local_nodes)


class _NoModule:
    """The scope of a variable's default: it may name no variable and no local."""

    def __call__(self, name: str):
        return None

    def local(self, name: str, rng, scope):
        return None


@functools.lru_cache(maxsize=256)
def _file_symbols(path: str, mtime_ns: int, size: int) -> Symbols:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SIBLING_BYTES + 1)
        if len(data) > MAX_SIBLING_BYTES or (b"variable" not in data and b"locals" not in data):
            return NO_SYMBOLS
        text = data.decode("utf-8")
        if hcleval.nesting_too_deep(text) is not None:
            return NO_SYMBOLS
        return _symbols(text, hcleval.parse_tree(text))
    except Exception:  # noqa: BLE001 - a sibling that cannot be read declares nothing masqlint can use
        return NO_SYMBOLS


class Module:
    """The variables and locals of the module (the directory) the file belongs to; the other
    files of the directory are read when a name is not declared in this one."""

    def __init__(self, source: SourceFile, own: Symbols):
        self.source = source
        self.files: list[Symbols] = [own]
        self.others_read = False
        self.evaluating: set[str] = set()  # locals being evaluated (a cycle is unknown)

    def _all(self):
        yield self.files[0]
        if not self.others_read:
            self.others_read = True
            self.files.extend(_sibling_symbols(self.source.fspath))
        yield from self.files[1:]

    def __call__(self, name: str) -> VarDef | None:
        for f in self._all():
            if name in f.variables:
                return f.variables[name]
        return None

    def local(self, name: str, rng, scope: Scope) -> Value | None:
        """``local.NAME`` as used at ``rng``, when its expression gives a value masqlint knows."""
        if name in self.evaluating:
            return None
        for f in self._all():
            node = f.local_nodes.get(name)
            if node is None:
                continue
            self.evaluating.add(name)
            try:
                v = Evaluator(f.text, 0, Scope(self, scope.empty, scope.joins, scope.unclosed)).ev(node, {})
            finally:
                self.evaluating.discard(name)
            if f is self.files[0]:
                return v  # written in this file: keep its own positions
            return relocate(v, rng)
        return None


def _sibling_symbols(fspath: str | None) -> list[Symbols]:
    if not fspath:
        return []
    d = os.path.dirname(os.path.abspath(fspath))
    me = os.path.abspath(fspath)
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return []
    out = []
    for n in names:
        p = os.path.join(d, n)
        if not n.endswith(".tf") or p == me:
            continue
        try:
            st = os.stat(p)
        except OSError:
            continue
        out.append(_file_symbols(p, st.st_mtime_ns, st.st_size))
    return out


# --- the tree -----------------------------------------------------------------------------------


def _blocks(tree):
    body = children(tree)[0]
    return [c for c in children(body) if is_tree(c) and c.data == "block"]


def _block_type(blk) -> str:
    first = blk.children[0]
    return str(first.children[0]) if is_tree(first) else str(first)


def _labels(blk, text: str) -> list[str]:
    out = []
    for c in blk.children[1:]:
        if not is_tree(c):
            break
        if c.data == "string":
            out.append(text[c.meta.start_pos + 1:c.meta.end_pos - 1])
        elif c.data == "identifier":
            out.append(str(c.children[0]))
        else:
            break
    return out


def _body(blk):
    return next(c for c in blk.children if is_tree(c) and c.data == "body")


def _attributes(blk) -> dict:
    """name -> (attribute node, value node, name node), the last one when written twice."""
    out = {}
    for c in children(_body(blk)):
        if is_tree(c) and c.data == "attribute":
            parts = [x for x in c.children if is_tree(x)]
            out[str(parts[0].children[0])] = (c, parts[-1], parts[0])
    return out


def _nested(blk, name: str) -> list:
    return [c for c in children(_body(blk)) if is_tree(c) and c.data == "block" and _block_type(c) == name]


def _source(text: str, node) -> str:
    return text[node.meta.start_pos:node.meta.end_pos]


def _rng(node) -> tuple[int, int]:
    return node.meta.start_pos, node.meta.end_pos


# --- reading ------------------------------------------------------------------------------------


def _note(rule: str, message: str, span):
    return Problem(message, at=span, rule=rule)


def read(source: SourceFile) -> FormRead:
    text = source.text or ""
    if not any(w in text for w in _WORDS) or not _AGENTISH.search(text):
        # no ConfigMap resource, or none that can be the agent's: a file of no form masqlint reads
        # (MQ007 when it is named on the command line; a walk skips it)
        return FormRead(OTHER, [])
    found = FormRead("terraform", [])
    deep = hcleval.nesting_too_deep(text)
    if deep is not None:
        found.notes.append(_note(
            "MQ311", f"brackets nest more than {hcleval.MAX_NESTING} levels deep here: masqlint does not read this "
            "Terraform file, so the ip-masq-agent ConfigMap in it is not checked", source.index.span(deep, deep + 1)))
        return found
    try:
        tree = hcleval.parse_tree(text)
    except Exception as e:  # noqa: BLE001 - python-hcl2 (Lark) raises several kinds of errors
        found.notes.append(_syntax_note(source, e))
        return found
    module = Module(source, _symbols(text, tree))
    reading = Reading(source, text, module, found)
    for blk in _blocks(tree):
        if _block_type(blk) != "resource":
            continue
        labels = _labels(blk, text)
        if len(labels) == 2 and labels[0] in RESOURCES:
            reading.resource(labels[0], blk)
    reading.unclosed_notes()
    return found


def _syntax_note(source: SourceFile, e: Exception):
    line, col = getattr(e, "line", None), getattr(e, "column", None)
    idx = source.index
    if isinstance(line, int) and isinstance(col, int) and line >= 1:
        at = idx.offset(line, col)
        span = idx.span(at, at + 1)
        where = ""
    else:
        span = idx.span(0, 0)
        where = " (python-hcl2 gives no position)"
    what = "an unterminated heredoc or string" if "<<" in idx.line_text(span.line)[span.column - 1:] else "text that is not HCL"
    return _note("MQ311", f"this Terraform file cannot be read as HCL: {what} at line {span.line}, column "
                 f"{span.column}{where}. `terraform` rejects it too; the ip-masq-agent ConfigMap in it is not checked",
                 span)


class Reading:
    def __init__(self, source: SourceFile, text: str, module: Module, found: FormRead):
        self.source = source
        self.text = text
        self.module = module
        self.found = found
        self.unclosed: list[int] = []
        self.joins: list = []  # (variable, a, b): list variables a template iterates, joins or encodes

    def evaluator(self) -> Evaluator:
        """Evaluates this file's expressions; list variables met are noted in ``self.joins``."""
        return Evaluator(self.text, 0, Scope(self.module, joins=self.joins, unclosed=self.unclosed))

    def unclosed_notes(self) -> None:
        for at in sorted(set(self.unclosed)):
            self.found.notes.append(_note(
                "MQ311", f"this `{self.text[at:at + 2]}` is never closed: `terraform` rejects the template "
                "(\"Unterminated template\"), and the ip-masq-agent config in it is not checked",
                self.span(at, at + 2)))

    def span(self, a: int, b: int):
        return self.source.index.span(a, b)

    # --- resources ------------------------------------------------------------------------------

    def resource(self, rtype: str, blk) -> None:
        self.joins = []
        attrs = _attributes(blk)
        anchor = (blk.meta.start_pos, next(c for c in blk.children if not is_tree(c) and c.type == "LBRACE").end_pos)
        if rtype in CONFIGMAP_RESOURCES:
            md = _nested(blk, "metadata")
            env = Envelope(anchor)
            env.syntax = "hcl"
            if md:
                self._metadata_block(env, md[-1])
            if not self._agent_name(env):
                return
            self._configmap(env, attrs.get("data"))
        elif rtype == "kubernetes_manifest" and "manifest" in attrs:
            v = self.evaluator().ev(attrs["manifest"][1], {})
            if isinstance(v, Obj):
                self._manifest_object(v, anchor, attrs["manifest"][1])
            elif isinstance(v, YamlDecode) and isinstance(v.text, Str):
                self._manifest_text(v.text)
            elif isinstance(v, YamlDecode) and isinstance(v.text, FileCall):
                self._referenced(v.text, read_it=False)
        elif rtype == "kubectl_manifest" and "yaml_body" in attrs:
            v = self.evaluator().ev(attrs["yaml_body"][1], {})
            if isinstance(v, Str):
                self._manifest_text(v)
            elif isinstance(v, FileCall):
                self._referenced(v, read_it=False)

    def _agent_name(self, env: Envelope) -> bool:
        return env.name in AGENT_NAMES

    def _metadata_block(self, env: Envelope, md) -> None:
        env.metadata_range = _rng(md.children[0])
        attrs = _attributes(md)
        ev = self.evaluator()
        if "name" in attrs:
            node, value, name_node = attrs["name"]
            v = ev.ev(value, {})
            env.name = v.text if isinstance(v, Str) and v.known else None
            env.name_range = _rng(name_node)
            env.namespace_insert = self._insert_after(_rng(node), 'namespace = "kube-system"')
        if "namespace" in attrs:
            _node, value, _n = attrs["namespace"]
            self._namespace(env, ev.ev(value, {}), _rng(value))

    def _namespace(self, env: Envelope, v: Value, rng) -> None:
        if isinstance(v, Null):
            return  # `namespace = null`: as if it were not written
        env.namespace_range = rng
        if isinstance(v, Num):  # Terraform turns a number into its text
            env.namespace, env.namespace_fixable = v.text, False
        elif isinstance(v, Str) and v.known:
            env.namespace = v.text
            env.namespace_fixable = all(v.lit) and self.text[rng[0]:rng[1]] == f'"{v.text}"'
        elif isinstance(v, Unknown) or (isinstance(v, Str) and not v.known):
            env.namespace_known = False
        else:
            env.namespace = None  # a number, a list…: not a string

    def _insert_after(self, rng: tuple[int, int], line: str):
        """(offset, text) adding ``line`` below the attribute written at ``rng``, at its
        indentation, when it is alone on its line."""
        a, b = rng
        t = self.text
        ls = t.rfind("\n", 0, a) + 1
        nl = t.find("\n", b)
        if t[ls:a].strip(" \t") or nl < 0 or t[b:nl].strip(" \t\r"):
            return None
        eol = "\r\n" if t[nl - 1:nl] == "\r" else "\n"
        return nl + 1, f"{t[ls:a]}{line}{eol}"

    def _configmap(self, env: Envelope, data) -> None:
        """A ConfigMap resource: ``data = { config = ... }``."""
        if data is None:
            self._emit_config(env, None, None)
            return
        _node, value_node, name_node = data
        env.data_range = _rng(name_node)
        v = self.evaluator().ev(value_node, {})
        if not isinstance(v, Obj):
            return  # data from somewhere masqlint cannot see

        def redo(scope: Scope):
            again = Evaluator(self.text, 0, scope).ev(value_node, {})
            return again.get("config") if isinstance(again, Obj) else None

        self._data_object(env, v, redo)

    def _data_object(self, env: Envelope, v: Obj, redo) -> None:
        env.data_keys = [DataKey(k, kr) for k, kr, _x in v.entries]
        if v.partial:
            return
        entry = v.entry("config")
        self._emit_config(env, entry, redo)

    def _manifest_object(self, v: Obj, anchor, node) -> None:
        """``manifest = { apiVersion = "v1", kind = "ConfigMap", metadata = {...}, data = {...} }``."""
        kind = v.get("kind")
        if not (isinstance(kind, Str) and kind.text == "ConfigMap"):
            return
        env = Envelope(anchor)
        env.syntax = "hcl"
        md = v.entry("metadata")
        if md is not None and isinstance(md[2], Obj):
            env.metadata_range = md[1]
            name = md[2].entry("name")
            if name is not None:
                env.name = name[2].text if isinstance(name[2], Str) and name[2].known else None
                env.name_range = name[1]
                env.namespace_insert = self._insert_after((name[1][0], name[2].range[1]), 'namespace = "kube-system"')
            ns = md[2].entry("namespace")
            if ns is not None:
                self._namespace(env, ns[2], ns[2].range)
        if not self._agent_name(env):
            return
        data = v.entry("data")
        if data is None:
            self._emit_config(env, None, None)
            return
        env.data_range = data[1]

        def redo(scope: Scope):
            again = Evaluator(self.text, 0, scope).ev(node, {})
            d = again.get("data") if isinstance(again, Obj) else None
            return d.get("config") if isinstance(d, Obj) else None

        if isinstance(data[2], Obj):
            self._data_object(env, data[2], redo)

    # --- one config -----------------------------------------------------------------------------

    def _emit_config(self, env: Envelope, entry, redo) -> None:
        """The AgentConfig for ``data.config`` (``entry``: (key, key range, value)), or for a
        ConfigMap without one."""
        src = self.source
        if entry is None:
            cfg = AgentConfig(src, "configmap", None, CharLocator(src, [env.anchor[0]], "", env.anchor), form="terraform",
                              namespace=env.namespace, envelope=env)
            cfg.anchor = self.span(*env.anchor)
            self._add(cfg, env)
            return
        key, kr, v = entry
        made = self._config_text(v, kr, redo)
        if made is None:
            return
        text, locator, unknown, open_list, notes = made
        cfg = AgentConfig(locator.source, "configmap", text, locator, json_input=_is_json(text), form="terraform",
                          namespace=env.namespace, envelope=env, unknown=tuple(unknown), open_list=open_list)
        cfg.anchor = self.span(*kr) if not locator.elsewhere else here_or_elsewhere(
            locator.source.index.span(0, 0), locator.source.path)
        cfg.template_notes = notes
        self._add(cfg, env)

    def _add(self, cfg: AgentConfig, env: Envelope) -> None:
        self.found.configs.append(cfg)

    def _config_text(self, v: Value, kr, redo=None):
        """(text, locator, unknown, open_list, MQ310 notes) of a config value, or None."""
        if isinstance(v, FileCall):
            return self._referenced(v, read_it=True, key_range=kr, redo=redo)
        if isinstance(v, Num):
            v = Str(v.text, [v.range[0] + i for i in range(len(v.text))] + [v.range[1]], [True] * len(v.text), (),
                    v.range)
        if isinstance(v, Null):
            return None
        if isinstance(v, Str):
            loc = CharLocator(self.source, v.chars, v.text, kr, lit=v.lit)
            notes = self._empty_lists(redo, self.source, None, self.joins)
            return v.text, loc, list(v.unknown), v.open_list, notes
        # a value masqlint cannot know: the whole config is unknown
        a, b = v.range
        text = "x" * max(1, b - a)
        loc = CharLocator(self.source, [min(a + i, b - 1) for i in range(len(text))] + [b], text, kr)
        return text, loc, [(0, len(text))], True, []

    # --- MQ310: what an empty list variable renders --------------------------------------------------

    def _empty_lists(self, redo, where: SourceFile, path: str | None, joins: list) -> list:
        """Render again with each list variable the template iterates, joins or encodes (``joins``)
        taken as empty; a list the agent then reads as empty, or with a null item, is noted at the
        markup."""
        notes = []
        seen = set()
        for var, a, b in joins:
            if var in seen:
                continue
            vd = self.module(var)
            if vd is None or vd.nonempty:
                continue  # not a variable of this module, or one that must hold items
            again = redo(Scope(self.module, frozenset([var]), []))
            if not isinstance(again, Str):
                continue
            what = _empty_effect(again.text)
            if what is None:
                continue
            seen.add(var)
            markup = where.text[a:b] if where.text else ""
            first = markup.split("\n", 1)[0]
            notes.append(_note("MQ310", _mq310_message(var, first, what), here_or_elsewhere(where.index.span(a, b), path)))
        return notes

    # --- file() and templatefile() ----------------------------------------------------------------

    def _referenced(self, call: FileCall, read_it: bool, key_range=None, redo=None):
        path = call.path
        if not (isinstance(path, Str) and path.known):
            return self._unknown_config(call, key_range) if read_it else None
        where = self.span(*call.range)
        if not self.source.fspath:
            return self._unknown_config(call, key_range) if read_it else None

        ref = refs.resolve(self.source.fspath, path.text)
        if ref.problem is not None:
            self.found.notes.append(_note("MQ008", f"`{call.fn}()`: {ref.problem}; the agent config it would hold "
                                          "is not checked", where))
            return self._unknown_config(call, key_range) if read_it else None
        if not read_it:
            return None
        display = _display(self.source, ref.fspath)
        rsrc = SourceFile.from_bytes(display, ref.data or b"", ref.fspath)
        if rsrc.text is None:
            self.found.notes.append(_note("MQ008", f"`{call.fn}()`: `{path.text}` is not UTF-8 text (Terraform "
                                          "refuses it too); the agent config it holds is not checked", where))
            return self._unknown_config(call, key_range)
        if call.fn == "file":
            n = len(rsrc.text)
            loc = CharLocator(rsrc, list(range(n + 1)), rsrc.text, (0, 0), lit=[True] * n, elsewhere=True)
            return rsrc.text, loc, [], False, []
        return self._templatefile(call, rsrc, redo)

    def _templatefile(self, call: FileCall, rsrc: SourceFile, redo):
        text = rsrc.text or ""
        try:
            nodes = tftemplate.structure(tftemplate.tokens(tftemplate.Src(text, range(len(text)), len(text)), False))
        except tftemplate.Unclosed as e:
            self.found.notes.append(_note("MQ311", "this template's `${` or `%{` is never closed: `templatefile()` "
                                          "fails on it, and the agent config in it is not checked",
                                          here_or_elsewhere(rsrc.index.span(e.at, e.at + 2), rsrc.path)))
            return None

        def render(scope: Scope):
            again = redo(scope) if redo is not None else call  # the call, its arguments evaluated in this scope
            vars_ = again.vars if isinstance(again, FileCall) else None
            env = {k: v for k, _kr, v in vars_.entries} if isinstance(vars_, Obj) else {}
            ev = lambda expr, at, e, markup: hcleval.evaluate_text(expr, at, e, scope, markup)  # noqa: E731
            value, r = tftemplate.render(nodes, ev, env, (0, len(text)), len(text), scope.empty)
            hcleval.note_loops(r, scope)
            return value

        first = Scope(self.module)
        v = render(first)
        loc = CharLocator(rsrc, v.chars, v.text, (0, 0), lit=v.lit, elsewhere=True)
        notes = self._empty_lists(render, rsrc, rsrc.path, first.joins)
        return v.text, loc, list(v.unknown), v.open_list, notes

    def _unknown_config(self, call: Value, key_range):
        a, b = call.range
        text = "x" * max(1, b - a)
        loc = CharLocator(self.source, [min(a + i, b - 1) for i in range(len(text))] + [b], text, key_range)
        return text, loc, [(0, len(text))], True, []

    # --- manifests in a string --------------------------------------------------------------------

    def _manifest_text(self, v: Str) -> None:
        """A whole manifest (``yaml_body``, ``yamldecode(<<EOT …)``): its ConfigMap found by the
        manifest form, every position mapped through the string to the ``.tf``."""
        inner_src = SourceFile(self.source.path, b"", v.text)
        pf = manifest.parse_manifest(inner_src)
        manifest.find_configs(pf)
        if pf.yaml_error is not None and not pf.configs:
            manifest.recover_configs(pf)
        unknown_at = bytearray(len(v.text) + 1)
        for a, b in v.unknown:
            unknown_at[a:b] = b"\x01" * (b - a)
        chars, lit = v.chars, v.lit

        def outer(i: int) -> int:
            return chars[min(max(i, 0), len(chars) - 1)]

        def orange(r):
            return None if r is None else (outer(r[0]), outer(r[1] - 1) + 1 if r[1] > r[0] else outer(r[0]))

        for c in pf.configs:
            ienv = c.envelope
            env = Envelope(orange(ienv.anchor) if ienv else v.range)
            if ienv is not None:
                env.name, env.name_range = ienv.name, orange(ienv.name_range)
                env.metadata_range = orange(ienv.metadata_range)
                env.namespace, env.namespace_range = ienv.namespace, orange(ienv.namespace_range)
                if ienv.namespace_range is not None:
                    a, b = ienv.namespace_range
                    if any(unknown_at[a:b]):
                        env.namespace_known = False
                    if not all(lit[a:b]):
                        env.namespace_fixable = False
                env.data_range = orange(ienv.data_range)
                env.data_keys = [DataKey(k.name, orange(k.range)) for k in ienv.data_keys]
            key_range = orange(c.locator.fallback) if c.locator.fallback else v.range
            if c.text is None:
                cfg = AgentConfig(self.source, "configmap", None, CharLocator(self.source, [key_range[0]], "", key_range),
                                  form="terraform", namespace=c.namespace, envelope=env)
                cfg.anchor = self.span(*key_range)
                self._add(cfg, env)
                continue
            n = len(c.text)
            cchars, clit, unknown = [], [], []
            start_u = None
            for i in range(n + 1):
                vo = c.locator.outer_offset(i) if c.locator.precise else None
                if vo is None:
                    cchars.append(key_range[0])
                    clit.append(False)
                else:
                    cchars.append(outer(vo))
                    clit.append(vo < len(lit) and lit[vo])
                u = i < n and vo is not None and vo < len(unknown_at) and unknown_at[vo]
                if u and start_u is None:
                    start_u = i
                elif not u and start_u is not None:
                    unknown.append((start_u, i))
                    start_u = None
            loc = CharLocator(self.source, cchars, c.text, key_range, lit=clit[:n])
            cfg = AgentConfig(self.source, "configmap", c.text, loc, json_input=c.json_input, form="terraform",
                              namespace=c.namespace, envelope=env, unknown=tuple(unknown), open_list=v.open_list)
            cfg.anchor = self.span(*key_range)
            self._add(cfg, env)


def _is_json(text: str) -> bool:
    return is_json_text(text)


def _display(source: SourceFile, target: str) -> str:
    """The referenced file's path as the user would write it next to the referring file's."""
    here = os.path.dirname(os.path.abspath(source.fspath or source.path))
    rel = os.path.relpath(target, here)
    return os.path.normpath(os.path.join(os.path.dirname(source.path), rel))


def _empty_effect(text: str) -> tuple[str, int] | None:
    """("empty", -1) when the agent reads ``nonMasqueradeCIDRs`` as an empty list, ("null", i) when
    item i is null; None when neither."""
    root = parse_agent_text(text)
    if not isinstance(root, JObject):
        return None
    value = None
    for k, v, _o in root.members:
        if match_field(k) == "nonMasqueradeCIDRs":
            value = v
    if value is None:
        return None
    if isinstance(value, JNull) or (isinstance(value, JArray) and not value.items):
        return "empty", -1
    if isinstance(value, JArray):
        for i, item in enumerate(value.items):
            if isinstance(item, JNull):
                return "null", i
    return None


_DEFAULT_AT = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def _mq310_message(var: str, markup: str, what) -> str:
    kind, index = what
    if kind == "empty":
        effect = ("renders `nonMasqueradeCIDRs` with no items: the agent reads an empty list and masquerades all "
                  "traffic but link-local, pod-to-pod traffic included")
    else:
        default = f" ({_DEFAULT_AT[index]} for item {index + 1})" if index < len(_DEFAULT_AT) else ""
        effect = (f"renders a list item with no value: the agent replaces that null item with its default range at "
                  f"the same position{default}, silently")
    return (f"with `var.{var}` empty, `{markup.strip()}` {effect}. Require a non-empty list (a `validation` block "
            f"with `length(var.{var}) > 0`) or leave the key out when the list is empty")
