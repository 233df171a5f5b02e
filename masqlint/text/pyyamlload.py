"""Compose YAML with PyYAML (libyaml where built) into masqlint's nodes, never constructing objects.

Every scalar keeps its raw text, style and explicit tag; plain scalars get the tag
``PLAIN`` so that each consumer can resolve them by its own rules (YAML 1.1 as the
agent's go-yaml v2 does, or YAML 1.2 as other tools do). Nothing is ever
constructed from a tag, so ``!!python/object`` and friends are inert data.

libyaml's composer recurses in C once per nesting level, so a document nested tens of
thousands of levels deep would overflow the C stack. Before composing, the nesting depth
is bounded cheaply (and measured exactly from the event stream only when the bound is
high); a document deeper than ``MAX_DEPTH`` raises ``NestingTooDeep`` instead of being
composed. An anchor defined twice is accepted, the later definition winning, as go-yaml
does.

PyYAML's composed nodes and their marks are dropped as soon as they are converted into
``masqlint.text.nodes`` (offsets only; aliased nodes stay shared).
"""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer
from yaml.error import Mark, MarkedYAMLError
from yaml.events import (
    AliasEvent, CollectionEndEvent, CollectionStartEvent, DocumentEndEvent, DocumentStartEvent, MappingStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode as _PyMapping, ScalarNode as _PyScalar, SequenceNode as _PySequence
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from masqlint.text.nodes import MAX_DEPTH, PLAIN, MappingNode, Node, Positions, ScalarNode, SequenceNode

try:  # the libyaml parser is several times faster; fall back to pure Python
    from yaml import CParser as _Parser  # type: ignore[attr-defined, unused-ignore]
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    try:
        from yaml._yaml import CParser as _Parser  # type: ignore[no-redef, unused-ignore]
    except ImportError:
        _Parser = None

__all__ = [
    "PLAIN", "MAX_DEPTH", "NestingTooDeep", "compose_all", "compose_first", "YAMLError", "MarkedYAMLError",
    "parser_depth_limit",
]

YAMLError = yaml.YAMLError

# MAX_DEPTH: libyaml composes 10,000 levels in about 3.5 MB of C stack, well inside the usual 8 MB.


class NestingTooDeep(MarkedYAMLError):
    """The document nests collections deeper than MAX_DEPTH; it was not composed."""

    def __init__(self, mark, document: int, opener: str = "[", limit: int = MAX_DEPTH):
        why = "" if limit >= MAX_DEPTH else " (the limit of this build of libyaml)"
        super().__init__(None, None, f"exceeded max depth of {limit:,} nested collections{why}", mark)
        self.document = document
        self.opener = opener  # "[" (a sequence) or "{" (a mapping): how JSON writes the level too deep
        self.limit = limit


def _is_nesting_limit(err: BaseException) -> bool:
    """libyaml builds that cap nesting themselves (PyYAML wheels from 6.0.4 stop at 1,000 levels)."""
    return "exceeded maximum nesting depth" in str(getattr(err, "problem", "") or "")


def _capped(err, text: str, document: int) -> "NestingTooDeep":
    mark = err.problem_mark
    ch = text[mark.index] if mark is not None and mark.index < len(text) else "["
    return NestingTooDeep(mark, document, "{" if ch == "{" else "[", limit=parser_depth_limit())


_DEPTH_LIMIT: int | None = None


def parser_depth_limit() -> int:
    """The deepest nesting the YAML parser composes: MAX_DEPTH, or less where libyaml caps it."""
    global _DEPTH_LIMIT
    if _DEPTH_LIMIT is None:
        _DEPTH_LIMIT = MAX_DEPTH
        if _Parser is not None:
            for n in (1000, 4000, 10000):
                probe = "[" * (n + 1) + "]" * (n + 1)
                p = _Parser(probe)
                try:
                    while not p.check_event(StreamEndEvent):
                        p.get_event()
                except yaml.YAMLError as e:
                    if _is_nesting_limit(e):
                        _DEPTH_LIMIT = n
                        break
                except Exception:  # noqa: BLE001 - a probe that fails otherwise leaves the default limit
                    break
                finally:
                    p.dispose()
    return _DEPTH_LIMIT


class _Resolver(BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is _PyScalar and implicit[0]:
            return PLAIN
        return BaseResolver.resolve(self, kind, value, implicit)


if _Parser is not None:

    class _Loader(_Parser, _Resolver):  # type: ignore[misc, valid-type, unused-ignore]
        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _Resolver.__init__(self)


class _PyLoader(Reader, Scanner, Parser, Composer, _Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


class _RedefiningLoader(_PyLoader):
    """Composes like go-yaml: an anchor defined again replaces the earlier definition."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not self.check_event(AliasEvent):
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


if _Parser is None:  # pragma: no cover
    _Loader = _PyLoader  # type: ignore[misc, assignment]
    _EventParser: type = _PyLoader
else:
    _EventParser = _Parser


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, in linear time without parsing.

    Flow collections need a bracket each; block collections nest only at strictly growing
    indentation (an indentless sequence under a mapping key adds one level per column).
    """
    flow = text.count("[") + text.count("{")
    if flow > MAX_DEPTH:
        return flow
    widest = max(map(len, text.replace("\r", "\n").split("\n")))  # columns restart only after a break
    return flow + 2 * (widest + 1)


def _find_too_deep(text: str, first_only: bool):
    """(document index, mark, "[" or "{") of the first collection deeper than MAX_DEPTH, else None.

    Reads parser events only (libyaml's parser is iterative) and stops at the first
    collection too deep. A syntax error met before it is left for the composer to report.
    """
    if _depth_bound(text) <= MAX_DEPTH:
        return None
    parser = _EventParser(text)
    depth, doc = 0, -1
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return doc, event.start_mark, "{" if isinstance(event, MappingStartEvent) else "[", MAX_DEPTH
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, DocumentStartEvent):
                doc += 1
            elif isinstance(event, StreamEndEvent) or (first_only and isinstance(event, DocumentEndEvent)):
                return None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        if _is_nesting_limit(e) and mark is not None:
            opener = "{" if text[mark.index: mark.index + 1] == "{" else "["
            return max(doc, 0), mark, opener, parser_depth_limit()
        return None
    finally:
        parser.dispose()


# What libyaml's reader refuses (YAML 1.1 printable set); the first one met is the one it reports.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _locate(err: yaml.YAMLError, text: str) -> None:
    """Give a reader error (a control character, say) the position and wording others carry."""
    if isinstance(err, ReaderError) and getattr(err, "problem_mark", None) is None:
        m = _NOT_PRINTABLE.search(text)
        index = m.start() if m else 0
        line = text.count("\n", 0, index)
        column = index - (text.rfind("\n", 0, index) + 1)
        err.problem = err.reason  # type: ignore[attr-defined]
        err.problem_mark = Mark(err.name, index, line, column, None, None)  # type: ignore[attr-defined, arg-type]


def _convert(root, pos: Positions) -> Node:
    """masqlint nodes for a composed PyYAML document, aliases (and cycles) kept shared."""
    natural, forced, n = pos, pos.forced, len(pos.text)
    ends_with_break = pos.text.endswith(_ENDS)
    done: dict[int, Node] = {}
    todo: list = []

    def one(node) -> Node:
        new = done.get(id(node))
        if new is not None:
            return new
        sm, em = node.start_mark, node.end_mark
        p = natural
        if em.index >= n > 0 and em.column == 0 and not ends_with_break:
            p = forced  # the parser's stream end: one more line
        if isinstance(node, _PyScalar):
            new = ScalarNode(node.tag, node.value, sm.index, em.index, p, node.style)
        else:
            cls = MappingNode if isinstance(node, _PyMapping) else SequenceNode
            new = cls(node.tag, [], sm.index, em.index, p, bool(node.flow_style))
            todo.append((node, new))
        done[id(node)] = new
        return new

    top = one(root)
    while todo:
        node, new = todo.pop()
        if isinstance(node, _PySequence):
            new.value = [one(c) for c in node.value]
        else:
            new.value = [(one(k), one(v)) for k, v in node.value]
    return top


_ENDS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def _loader(text: str, redefine: bool):
    return _RedefiningLoader(text) if redefine else _Loader(text)


def _duplicate_anchor(err: yaml.YAMLError) -> bool:
    return type(err).__name__ == "ComposerError" and "found duplicate anchor" in str(getattr(err, "context", "") or "")


def _compose_again(err: yaml.YAMLError, text: str, redefine: bool) -> bool:
    """After a YAML error (located in ``text`` here): compose again with a loader that lets an anchor be
    defined twice? Only when the first loader met a duplicate anchor."""
    _locate(err, text)
    return not redefine and _duplicate_anchor(err)


def _too_deep_to_redefine() -> yaml.YAMLError:
    """What composing again with redefined anchors reports when the document nests too deeply for it."""
    return yaml.YAMLError("an anchor defined twice in a document nested too deeply to compose")


def compose_all(text: str):
    """Yield the root node of every document (None for an empty one)."""
    deep = _find_too_deep(text, first_only=False)
    pos = Positions(text)
    done = 0
    redefine = False
    while True:
        loader = _loader(text, redefine)
        try:
            index = 0
            while loader.check_node():
                if deep is not None and index == deep[0]:
                    raise NestingTooDeep(deep[1], index, deep[2], deep[3])
                try:
                    node = loader.get_node()
                except yaml.YAMLError as e:
                    if _is_nesting_limit(e):
                        raise _capped(e, text, index) from None
                    raise
                if index >= done:
                    done += 1
                    yield _convert(node, pos)
                index += 1
            return
        except yaml.YAMLError as e:
            if not _compose_again(e, text, redefine):
                raise
            redefine = True  # compose again, skipping the documents already given
        except RecursionError:
            if not redefine:
                raise
            raise _too_deep_to_redefine() from None
        finally:
            loader.dispose()


def compose_first(text: str) -> Node | None:
    """The first document only; later documents are never parsed (as go-yaml's Unmarshal)."""
    deep = _find_too_deep(text, first_only=True)
    if deep is not None:
        raise NestingTooDeep(deep[1], 0, deep[2], deep[3])
    for redefine in (False, True):
        loader = _loader(text, redefine)
        try:
            if loader.check_node():
                return _convert(loader.get_node(), Positions(text))
            return None
        except NestingTooDeep:
            raise
        except yaml.YAMLError as e:
            if _is_nesting_limit(e):
                raise _capped(e, text, 0) from None
            if not _compose_again(e, text, redefine):
                raise
        except RecursionError:
            if not redefine:
                raise
            raise _too_deep_to_redefine() from None
        finally:
            loader.dispose()
    return None  # pragma: no cover
