"""A second, independent reading of go-yaml v2's decoder, for tests only.

It rebuilds go-yaml's own node tree from the YAML event stream (alias nodes kept as
nodes, anchors redefinable, as in go-yaml's ``parser``) and transcribes ``decoder.unmarshal``
into ``interface{}`` line by line: decode counting, alias depth, the excessive-aliasing
ratio, ``anchor 'x' value contains itself``, merges. The product decodes composed nodes
instead (no alias nodes there), so agreement between the two is evidence, not tautology.
Only scalar resolution is shared (``resolve_scalar``), as it is not what is under test.
"""

from __future__ import annotations

import yaml
from yaml import events as ev

from masqlint.agent.goyaml import BINARY, TIMESTAMP, GoYAMLError, go_float_json, resolve_scalar

DOCUMENT, MAPPING, SEQUENCE, SCALAR, ALIAS = "document", "mapping", "sequence", "scalar", "alias"


class GNode:
    __slots__ = ("kind", "tag", "value", "implicit", "children", "alias")

    def __init__(self, kind, tag="", value="", implicit=False):
        self.kind, self.tag, self.value, self.implicit = kind, tag, value, implicit
        self.children: list[GNode] = []
        self.alias: GNode | None = None


class Failure(Exception):
    pass


def parse_first_document(text: str) -> GNode | None:
    """go-yaml's ``parser.parse()`` for the first document (None for an empty stream)."""
    stream = list(_events(text))
    pos = 1  # after StreamStart
    anchors: dict[str, GNode] = {}

    def node() -> GNode:
        nonlocal pos
        e = stream[pos]
        pos += 1
        if isinstance(e, ev.AliasEvent):
            n = GNode(ALIAS, value=e.anchor)
            n.alias = anchors.get(e.anchor)
            if n.alias is None:
                raise Failure(f"unknown anchor '{e.anchor}' referenced")
            return n
        if isinstance(e, ev.ScalarEvent):
            n = GNode(SCALAR, e.tag or "", e.value, bool(e.implicit[0]))
        elif isinstance(e, ev.SequenceStartEvent):
            n = GNode(SEQUENCE, e.tag or "")
        elif isinstance(e, ev.MappingStartEvent):
            n = GNode(MAPPING, e.tag or "")
        else:  # pragma: no cover
            raise AssertionError(e)
        if e.anchor is not None:
            anchors[e.anchor] = n
        if n.kind in (SEQUENCE, MAPPING):
            while not isinstance(stream[pos], (ev.SequenceEndEvent, ev.MappingEndEvent)):
                n.children.append(node())
            pos += 1
        return n

    if isinstance(stream[pos], ev.StreamEndEvent):
        return None
    pos += 1  # DocumentStart
    doc = GNode(DOCUMENT)
    doc.children.append(node())
    return doc


def _events(text):
    loader = yaml.SafeLoader(text)  # the pure-Python parser: a separate implementation too
    try:
        while True:
            e = loader.get_event()
            yield e
            if isinstance(e, (ev.StreamEndEvent, ev.DocumentEndEvent)):
                return
    finally:
        loader.dispose()


def _allowed_alias_ratio(decode_count: int) -> float:
    if decode_count <= 400000:
        return 0.99
    if decode_count >= 4000000:
        return 0.10
    return 0.99 - 0.89 * (float(decode_count - 400000) / float(4000000 - 400000))


class Decoder:
    """decoder.unmarshal into interface{}; maps are dicts keyed by (kind, value)."""

    def __init__(self):
        self.aliases: set[int] = set()
        self.decode_count = 0
        self.alias_count = 0
        self.alias_depth = 0

    def unmarshal(self, n: GNode, into: dict | None = None):
        self.decode_count += 1
        if self.alias_depth > 0:
            self.alias_count += 1
        if (self.alias_count > 100 and self.decode_count > 1000
                and float(self.alias_count) / float(self.decode_count) > _allowed_alias_ratio(self.decode_count)):
            raise Failure("document contains excessive aliasing")
        if n.kind == DOCUMENT:
            return self.unmarshal(n.children[0], into) if len(n.children) == 1 else None
        if n.kind == ALIAS:
            if id(n) in self.aliases:
                raise Failure(f"anchor '{n.value}' value contains itself")
            self.aliases.add(id(n))
            self.alias_depth += 1
            out = self.unmarshal(n.alias, into)
            self.alias_depth -= 1
            self.aliases.discard(id(n))
            return out
        if n.kind == SCALAR:
            return self.scalar(n)
        if n.kind == SEQUENCE:
            return [self.unmarshal(c) for c in n.children]
        out = {} if into is None else into
        for i in range(0, len(n.children), 2):
            k, v = n.children[i], n.children[i + 1]
            if k.kind == SCALAR and k.value == "<<" and (k.implicit or k.tag == "tag:yaml.org,2002:merge"):
                self.merge(v, out)
                continue
            key = self.unmarshal(k)
            if isinstance(key, (dict, list)):
                raise Failure("invalid map key")
            out[_key(key)] = self.unmarshal(v)
        return out

    def merge(self, n: GNode, out: dict):
        if n.kind == MAPPING:
            self.unmarshal(n, out)
        elif n.kind == ALIAS:
            if n.alias is not None and n.alias.kind != MAPPING:
                raise Failure("map merge requires map or sequence of maps as the value")
            self.unmarshal(n, out)
        elif n.kind == SEQUENCE:
            for ni in reversed(n.children):
                if ni.kind == ALIAS:
                    if ni.alias is not None and ni.alias.kind != MAPPING:
                        raise Failure("map merge requires map or sequence of maps as the value")
                elif ni.kind != MAPPING:
                    raise Failure("map merge requires map or sequence of maps as the value")
                self.unmarshal(ni, out)
        else:
            raise Failure("map merge requires map or sequence of maps as the value")

    def scalar(self, n: GNode):
        if n.tag in ("", "!") and not n.implicit:
            return ("str", n.value)
        try:
            tag, resolved = resolve_scalar("" if n.tag in ("", "!") else n.tag, n.value)
        except GoYAMLError as e:
            raise Failure(e.message.removeprefix("yaml: ")) from None
        if tag == BINARY:
            return ("str", "<binary>")
        if tag == TIMESTAMP:
            return ("str", n.value)
        if resolved is None:
            return None
        if isinstance(resolved, bool):
            return ("bool", resolved)
        if isinstance(resolved, int):
            return ("int", resolved)
        if isinstance(resolved, float):
            return ("float", resolved)
        return ("str", resolved)


def _key(k):
    return ("null", None) if k is None else k


def decode(text: str):
    """("ok", value) or ("error", go-yaml's message without the "yaml: " prefix)."""
    try:
        doc = parse_first_document(text)
        if doc is None:
            return "ok", None
        return "ok", Decoder().unmarshal(doc)
    except Failure as e:
        return "error", str(e)


class _NotComparable:
    def __repr__(self):
        return "NOT_COMPARABLE"


NOT_COMPARABLE = _NotComparable()  # a map somewhere has keys that are not strings


def plain(value):
    """The reference's value as JSON-ish data with string keys (NOT_COMPARABLE when a map
    has other keys: their JSON spelling is not what is under test here)."""
    if isinstance(value, dict):
        out = {}
        for (kind, k), v in value.items():
            out[k] = plain(v)
            if kind != "str" or out[k] is NOT_COMPARABLE:
                return NOT_COMPARABLE
        return out
    if isinstance(value, list):
        out = [plain(v) for v in value]
        return NOT_COMPARABLE if any(v is NOT_COMPARABLE for v in out) else out
    if value is None:
        return None
    kind, v = value
    if kind == "int":
        return str(v)
    if kind == "float":
        try:
            return go_float_json(v)
        except GoYAMLError:
            return "<unsupported>"
    return v


def product_plain(jv):
    """masqlint's JValue in the same shape as ``plain``."""
    from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString

    if isinstance(jv, JObject):
        return {k: product_plain(v) for k, v, _ in jv.members}
    if isinstance(jv, JArray):
        return [product_plain(v) for v in jv.items]
    if isinstance(jv, JString):
        return jv.value
    if isinstance(jv, JNumber):
        return jv.text
    if isinstance(jv, JBool):
        return jv.value
    assert isinstance(jv, JNull)
    return None
