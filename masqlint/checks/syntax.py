"""MQ001 yaml-syntax, MQ002 lookalike-character, MQ003 duplicate-key, MQ004 encoding."""

from __future__ import annotations

import re
from collections.abc import Iterator

from masqlint.agent.model import AgentError
from masqlint.engine.findings import Edit, Fix, Span
from masqlint.text.source import split_lines
from masqlint.text.yamlload import MappingNode, Node, ScalarNode, SequenceNode
from masqlint.checks import CONFIG, FILE, Problem, register
from masqlint.checks.hints import LOOKALIKE_DASHES, hints_for
from masqlint.checks.hints import hazards
from masqlint.agent.load import Offset
from masqlint.agent.jsonish import JArray, JObject, JValue
from masqlint.lazyre import lazy

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.engine.lint import ConfigContext, FileContext

REJECTS = "rejects the whole file, keeping the rules it had (at first start it installs no rules at all)"

# --- MQ001 --------------------------------------------------------------------------------------


def _mark_offset(err: BaseException) -> int | None:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return None if mark is None else mark.index


def _describe(err: BaseException) -> str:
    problem = getattr(err, "problem", None)
    context = getattr(err, "context", None)
    if problem:
        return f"{context}: {problem}" if context else problem
    return str(err).splitlines()[0]


@register("MQ001", FILE)
def manifest_yaml_syntax(fctx: FileContext) -> Iterator[Problem]:
    pf = fctx.parsed
    if pf is None or pf.yaml_error is None or fctx.standalone:
        return
    err = pf.yaml_error
    text = fctx.source.text or ""
    off = _mark_offset(err)
    line = fctx.source.index.pos(off)[0] if off is not None else 1
    hints = hints_for(split_lines(text), line)
    msg = f"this manifest is not valid YAML ({_describe(err)}): kubectl cannot apply it"
    if hints:
        msg += "; likely cause: " + "; ".join(hints)
    at = Span(*fctx.source.index.pos(off), *fctx.source.index.pos(off + 1)) if off is not None else Span(1, 1, 1, 1)
    yield Problem(msg, at=at)
    # YAML stops at its first error; show the other lines that break the manifest too.
    mentioned = {line} | {int(h.split()[1]) for h in hints if h.startswith("line ")}
    yield from _other_hazards(fctx, split_lines(text), mentioned)


def _other_hazards(fctx: FileContext, lines: list[str], mentioned: set[int]) -> Iterator[Problem]:
    blocks = [(getattr(c.config, "recovered_block_end", None)) for c in fctx.configs]
    for ln, col, msg in hazards(lines, [b for b in blocks if b]):
        if ln in mentioned:
            continue
        yield Problem(msg + "; this line also breaks the manifest", at=Span(ln, col, ln, col + 1))


@register("MQ001", CONFIG)
def config_yaml_syntax(ctx: ConfigContext) -> Iterator[Problem]:
    err = ctx.parsed
    if not isinstance(err, AgentError) or err.kind not in ("yaml", "json"):
        return
    where = "data.config" if ctx.config.kind == "configmap" else "the agent config"
    msg = f"{where} is not valid {'JSON' if err.kind == 'json' else 'YAML'} to the agent (`{err.message}`): the agent {REJECTS}"
    span = ctx.span(err.origin) if err.origin is not None else ctx.config.anchor_span()
    m = re.match(r"yaml: line (\d+):", err.message)
    if m and ctx.config.text is not None and ctx.config.kind == "configmap" and ctx.config.locator.precise \
            and int(m.group(1)) > 0:
        outer = ctx.span(_line_start(ctx.config.text, int(m.group(1)))).line
        msg += f" (the agent counts lines within data.config: its line {m.group(1)} is line {outer} of this file)"
    if ctx.config.text is not None:
        ye = getattr(err, "yaml_error", None)
        off = _mark_offset(ye) if ye is not None else None
        line_in_config = (ctx.config.text[:off].count("\n") + 1) if off is not None else 1
        hints = hints_for(split_lines(ctx.config.text), line_in_config)
        if hints:
            # speak of outer-file lines
            delta = span.line - line_in_config if ctx.config.locator.precise else 0
            hints = [re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + delta}", h) for h in hints]
            msg += "; likely cause: " + "; ".join(hints)
    yield Problem(msg, at=span)


def _line_start(text: str, line: int) -> Offset:
    off = 0
    for _ in range(line - 1):
        nxt = text.find("\n", off)
        if nxt < 0:
            break
        off = nxt + 1
    return Offset(off, off)


# --- MQ002 --------------------------------------------------------------------------------------

_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u00ab": '"', "\u00bb": '"'}
_LOOKALIKE_LINE = lazy(
    r"^(?P<indent>[ \t\u00a0]*)(?P<dash>[" + LOOKALIKE_DASHES + r"])(?=[ \t\u00a0])"
)


def _comment_start(line: str) -> int:
    """Index of a '#' that starts a comment (naively: outside quotes, at start or after a blank)."""
    q = None
    for i, ch in enumerate(line):
        if q:
            if ch == q:
                q = None
        elif ch in "\"'":
            if i == 0 or line[i - 1] in " \t[{,:-":
                q = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return len(line)


def _label(ch: str) -> str:
    import unicodedata  # noqa: PLC0415 - lazy: only a message about a character outside ASCII needs it

    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'UNKNOWN')})"


@register("MQ002", FILE)
def lookalike_characters(fctx: FileContext) -> Iterator[Problem]:
    if not fctx.configs and fctx.parsed is not None and fctx.parsed.yaml_error is None:
        return
    if fctx.form in ("markdown", "kustomize"):
        return  # prose and the kustomization itself are not YAML the agent reads (fences are checked as units)
    idx = fctx.source.index
    for ln in range(1, len(idx.starts) + 1):
        line = idx.line_text(ln)
        if not line or line.isascii():
            continue
        base = idx.starts[ln - 1]
        code = line[: _comment_start(line)]
        edits: list[tuple[int, str, str]] = []  # (col index, char, replacement)
        m = _LOOKALIKE_LINE.match(code)
        if m:
            for i, ch in enumerate(m.group("indent")):
                if ch == "\u00a0":
                    edits.append((i, ch, " "))
            edits.append((m.start("dash"), m.group("dash"), "-"))
        for i, ch in enumerate(code):
            if ch == "\u00a0" and not any(e[0] == i for e in edits):
                prev = code[i - 1] if i else ""
                if i == 0 or prev in " -:\u00a0" or code[:i].strip() == "":
                    edits.append((i, ch, " "))
            elif ch == "\uff1a":
                edits.append((i, ch, ":" if (i + 1 >= len(code) or code[i + 1] in " \t") else ": "))
            elif ch in _QUOTES:
                edits.append((i, ch, _QUOTES[ch]))
        for col, ch, rep in sorted(edits):
            fix = Fix(f"replace {_label(ch)} with {rep!r}", (Edit(base + col, base + col + 1, rep),), safe=True)
            if rep == "-":
                what = (f"{_label(ch)} is used as a list item marker: YAML reads `{code.strip()[:40]}` as text, not as a "
                        "list item, so the list is not what it looks like. Write '-'")
            elif rep == " ":
                what = (f"{_label(ch)} stands where YAML needs a plain space: YAML reads it as part of the text, so "
                        "indentation and `- item` markers break. Write a space")
            elif rep.startswith(":"):
                what = f"{_label(ch)} stands where YAML needs ':': `{code.strip()[:40]}` is not a key. Write ':'"
            else:
                what = f"{_label(ch)} stands where YAML needs the quote {rep}: the quotes become part of the value. Write {rep}"
            yield Problem(what, at=Span(ln, col + 1, ln, col + 2), fix=fix, data={"char": ch})


# --- MQ003 --------------------------------------------------------------------------------------


def _dup_keys_in(node: Node) -> Iterator[tuple[ScalarNode, ScalarNode, Node]]:
    """(first key node, duplicate key node, mapping) for identical keys in any mapping under node."""
    stack: list[Node | None] = [node]
    visited = set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in visited:
            continue
        visited.add(id(n))
        if isinstance(n, MappingNode):
            first: dict[str, ScalarNode] = {}
            for k, v in n.value:
                if isinstance(k, ScalarNode):
                    if k.value == "<<":
                        pass
                    elif k.value in first:
                        yield first[k.value], k, v
                    else:
                        first[k.value] = k
                stack.append(v)
        elif isinstance(n, SequenceNode):
            # scalar items hold no mapping: not worth a visit (a long CIDR list is all scalars)
            stack.extend(i for i in n.value if not isinstance(i, ScalarNode))


def _value_text(v: Node) -> str:
    if isinstance(v, ScalarNode):
        return v.value if len(v.value) < 40 else v.value[:37] + "..."
    if isinstance(v, SequenceNode):
        return f"a list of {len(v.value)}"
    return "a mapping"


@register("MQ003", FILE)
def duplicate_keys(fctx: FileContext) -> Iterator[Problem]:
    idx = fctx.source.index
    # in the manifest: only inside ip-masq-agent ConfigMaps
    for c in fctx.configs:
        if c.config.configmap is not None and not c.config.sibling:
            for first, dup, val in _dup_keys_in(c.config.configmap):
                line = idx.pos(first.start_mark.index)[0]
                yield Problem(
                    f"key `{dup.value}` appears twice in this mapping (first on line {line}): kubectl keeps only the last "
                    f"value ({_value_text(val)}) and drops the first silently",
                    at=dup,
                    outer=True,
                )
        # inside the config text
        if c.root is not None:
            for first, dup, val in _dup_keys_in(c.root):
                line = c.span(first).line
                yield _config_dup(c, dup.value, line, _value_text(val), dup)
        elif c.config.json_input and c.parsed is not None and not isinstance(c.parsed, AgentError):
            yield from _json_dups(c, c.parsed)


def _config_dup(c: ConfigContext, key: str, line: int, value_text: str, at: Any) -> Problem:
    return Problem(
        f"key `{key}` appears twice in the agent config (first on line {line}): the agent silently uses the last "
        f"value ({value_text}) and ignores the first",
        at=c.span(at),  # a position inside the config text, resolved through the config's locator
        data={"key": key},
    )


def _json_dups(c: ConfigContext, obj: JValue) -> Iterator[Problem]:
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, JObject):
            first: dict[str, Any] = {}
            for key, val, korigin in o.members:
                if key in first:
                    yield _config_dup(c, key, c.span(first[key]).line, "the later one", korigin)
                else:
                    first[key] = korigin
                stack.append(val)
        elif isinstance(o, JArray):
            stack.extend(o.items)


# --- MQ004 --------------------------------------------------------------------------------------


@register("MQ004", FILE)
def encoding(fctx: FileContext) -> Iterator[Problem]:
    err = fctx.source.decode_error
    if err is None:
        return
    what = f"the agent {REJECTS}"
    if fctx.form in ("markdown", "kustomize"):  # a file the agent never reads itself
        what = "masqlint cannot read the configs it shows, and tools that read it as UTF-8 stop there too"
    yield Problem(
        f"the file is not valid {'UTF-8' if fctx.source.encoding == 'utf-8' else fctx.source.encoding.upper()} "
        f"({err.message}): {what}. Save the file as UTF-8",
        at=Span(err.line, err.column, err.line, err.column + 1),
    )
