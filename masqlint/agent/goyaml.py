"""YAML to the agent's JSON, as ``sigs.k8s.io/yaml.YAMLToJSON`` over go-yaml v2 does it.

go-yaml v2 resolves plain scalars by YAML 1.1 rules (``y/yes/on/...`` are booleans,
``0777`` is octal, timestamps stay strings when decoded into ``interface{}``), keeps
the last of duplicate keys, applies ``<<`` merges in order, and refuses documents with
excessive alias expansion. The mapping is then re-encoded as JSON with its keys sorted.
"""

from __future__ import annotations

import math
import re

from masqlint.text.nodes import PlainScalar
from masqlint.text.yamlload import PLAIN, MappingNode, Node, ScalarNode, SequenceNode
from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString, JValue
import struct

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BINARY = "tag:yaml.org,2002:binary"
MERGE = "tag:yaml.org,2002:merge"

_RESOLVABLE = {"", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP}

_MAP: dict[str, tuple[str, object]] = {}
for _vals, _v, _t in (
    (("y", "Y", "yes", "Yes", "YES"), True, BOOL),
    (("true", "True", "TRUE"), True, BOOL),
    (("on", "On", "ON"), True, BOOL),
    (("n", "N", "no", "No", "NO"), False, BOOL),
    (("false", "False", "FALSE"), False, BOOL),
    (("off", "Off", "OFF"), False, BOOL),
    (("", "~", "null", "Null", "NULL"), None, NULL),
    ((".nan", ".NaN", ".NAN"), math.nan, FLOAT),
    ((".inf", ".Inf", ".INF"), math.inf, FLOAT),
    (("+.inf", "+.Inf", "+.INF"), math.inf, FLOAT),
    (("-.inf", "-.Inf", "-.INF"), -math.inf, FLOAT),
    (("<<",), "<<", MERGE),
):
    for _s in _vals:
        _MAP[_s] = (_t, _v)

_HINT = {c: "S" for c in "+-"}
_HINT.update({c: "D" for c in "0123456789"})
_HINT.update({c: "M" for c in "yYnNtTfFoO~"})
_HINT["."] = "."

_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_DEC_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_GO_SPECIAL_FLOAT = re.compile(r"^[+-]?(?:inf|infinity|nan)$", re.IGNORECASE)
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$"
)

INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


class GoYAMLError(Exception):
    """What go-yaml or the YAML-to-JSON step would report; ``node`` locates it."""

    def __init__(self, message: str, node: Node | None = None):
        super().__init__(message)
        self.message = message
        self.node = node


def _go_parse_int(s: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0 (sign, 0x, 0o, 0b, leading-0 octal)."""
    sign = 1
    body = s
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    base = 10
    low = body.lower()
    if low.startswith("0x"):
        base, body = 16, body[2:]
    elif low.startswith("0o"):
        base, body = 8, body[2:]
    elif low.startswith("0b"):
        base, body = 2, body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, body = 8, body[1:]
    if not body:
        return None
    if base == 10:
        if not (body.isascii() and body.isdigit()):  # ASCII digits only, as the scan below
            return None
        return sign * int(body)
    digits = "0123456789abcdef"[:base]
    if any(c not in digits for c in body.lower()):
        return None
    return sign * int(body, base)


def go_parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64) for the decimal and special forms; None on error (incl. range)."""
    if _GO_SPECIAL_FLOAT.match(s):
        return float(s.lower().replace("infinity", "inf"))
    if not _GO_DEC_FLOAT.match(s):
        return None
    f = float(s)
    if math.isinf(f):
        return None  # ErrRange
    return f


def resolve_scalar(tag: str, value: str, node: Node | None = None):
    """go-yaml v2 ``resolve``: returns (resolved tag, Python value)."""
    if tag not in _RESOLVABLE:
        return tag, value
    rtag: str = STR
    out: object = value
    hint = _HINT.get(value[0], "") if value else "N"
    if hint and tag not in (STR, BINARY):
        item = _MAP.get(value)
        if item is not None:
            rtag, out = item
        elif "/" in value:
            pass  # no float, int or timestamp form holds a slash: a string (every CIDR is one; _Decoder._scalar_item)
        elif hint == ".":
            f = go_parse_float(value)
            if f is not None:
                rtag, out = FLOAT, f
        elif hint in ("D", "S"):
            if tag in ("", TIMESTAMP) and _TIMESTAMP.match(value):
                rtag, out = TIMESTAMP, value
            else:
                plain = value.replace("_", "")
                iv = _go_parse_int(plain)
                if iv is not None and INT64_MIN <= iv <= UINT64_MAX:
                    rtag, out = INT, iv
                elif _YAML_STYLE_FLOAT.match(plain) and go_parse_float(plain) is not None:
                    rtag, out = FLOAT, go_parse_float(plain)
    if tag in ("", rtag, STR, BINARY):
        return rtag, out
    if tag == FLOAT and rtag == INT:
        return FLOAT, float(out)  # type: ignore[arg-type]
    raise GoYAMLError(f"yaml: cannot decode {_short(rtag)} `{value}` as a {_short(tag)}", node)


def _short(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def go_float_json(f: float) -> str:
    """encoding/json's float64 encoding (shortest digits, 'e' form outside [1e-6, 1e21))."""
    if math.isnan(f) or math.isinf(f):
        raise GoYAMLError(f"json: unsupported value: {'NaN' if math.isnan(f) else ('+Inf' if f > 0 else '-Inf')}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        r = repr(f)  # Python's shortest repr, e.g. '1e+21', '1.5e-07'
        mant, exp = r.split("e")
        sign = exp[0]
        digits = exp[1:].lstrip("0") or "0"
        if len(digits) < 2 and sign == "+":
            digits = digits.rjust(2, "0")
        if sign == "-" and len(digits) == 1:
            pass  # Go cleans e-07 to e-7
        elif sign == "-":
            digits = digits.rjust(2, "0")
        if mant.endswith(".0"):
            mant = mant[:-2]
        return f"{mant}e{sign}{digits}"
    from decimal import Decimal  # noqa: PLC0415 - lazy: a float's long form is rarely needed

    s = format(Decimal(repr(f)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _scalar_value(node: ScalarNode):
    if node.tag == PLAIN:
        return resolve_scalar("", node.value, node)
    if node.style is not None and node.tag == STR:
        return STR, node.value
    tag, out = resolve_scalar(node.tag, node.value, node)
    if tag == BINARY:
        import base64  # noqa: PLC0415 - lazy: only a !!binary value needs it

        try:
            data = base64.b64decode("".join(node.value.split()), validate=True)
        except (ValueError, TypeError):
            raise GoYAMLError("yaml: !!binary value contains invalid base64 data", node) from None
        out = data.decode("utf-8", errors="replace")
        tag = STR
    return tag, out


# go-yaml v2's defence against "billion laughs" documents.
_RATIO_LOW, _RATIO_HIGH = 400_000, 4_000_000


def _allowed_alias_ratio(decode_count: int) -> float:
    if decode_count <= _RATIO_LOW:
        return 0.99
    if decode_count >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * ((decode_count - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW))


def _drive(gen):
    """Run a decoder generator whose nested steps are yielded sub-generators.

    The explicit stack keeps the decoding of a document nested 10,000 levels deep off
    Python's call stack (and off the C stack).
    """
    stack = [gen]
    value = None
    while True:
        try:
            child = stack[-1].send(value)
        except StopIteration as stop:
            stack.pop()
            if not stack:
                return stop.value
            value = stop.value
            continue
        stack.append(child)
        value = None


_ANCHOR = re.compile(r"(?:![^\s&]*\s+)?&([^\s,\[\]{}]+)")


class _Decoder:
    """go-yaml v2's ``decoder.unmarshal`` over a composed document, into JSON values.

    go-yaml keeps alias nodes in its tree; the composed document has the aliased node in
    their place. Each child position ("slot") is therefore classified: the slot where a
    node is written (it starts after the previous sibling written in place) or an alias
    slot. Counts follow go-yaml exactly: the document node, every alias node and every
    node it expands count as decodes (mapping keys too, ``<<`` keys and merge sequences
    not), which drives the same "excessive aliasing" verdict at the same point.
    """

    def __init__(self, text: str | None = None):
        self.text = text
        self.decode_count = 0
        self.alias_count = 0
        self.alias_depth = 0
        self.expanding: set[tuple[int, int]] = set()  # alias slots being expanded
        self.open: dict[int, int] = {}  # collections being decoded

    def decode(self, root: Node) -> JValue:
        self._count(root)  # the document node
        return _drive(self._unmarshal(root, (0, 0), False))

    # -- bookkeeping ---------------------------------------------------------------------------

    def _count(self, node: Node | None):
        self.decode_count += 1
        if self.alias_depth > 0:
            self.alias_count += 1
        if (
            self.alias_count > 100
            and self.decode_count > 1000
            and self.alias_count / self.decode_count > _allowed_alias_ratio(self.decode_count)
        ):
            raise GoYAMLError("yaml: document contains excessive aliasing", node)

    def _slots(self, parent: Node, children):
        """(child, slot key, is_alias) for the child positions of ``parent`` in order."""
        lower = parent.start
        for i, child in enumerate(children):
            alias = child is parent or child.start < lower or id(child) in self.open
            if not alias:
                lower = child.end
            yield child, (id(parent), i), alias

    def _enter_alias(self, node: Node, slot):
        if slot in self.expanding:
            raise GoYAMLError(f"yaml: anchor '{self._anchor_name(node)}' value contains itself", node)
        self.expanding.add(slot)
        self.alias_depth += 1
        self._count(node)  # the aliased node, decoded at one more alias level

    def _leave_alias(self, slot):
        self.alias_depth -= 1
        self.expanding.discard(slot)

    def _anchor_name(self, node: Node) -> str:
        if self.text is not None:
            m = _ANCHOR.match(self.text, node.start)
            if m:
                return m.group(1)
        return ""

    # -- unmarshal -------------------------------------------------------------------------------

    def _unmarshal(self, node: Node, slot, alias: bool):
        """One ``unmarshal`` of a slot (a generator returning the JSON value)."""
        self._count(node)  # the node written here, or the alias node
        if alias:
            self._enter_alias(node, slot)
        try:
            if isinstance(node, ScalarNode):
                return _json_scalar(_scalar_value(node)[1], node)
            nid = id(node)
            self.open[nid] = self.open.get(nid, 0) + 1
            try:
                if isinstance(node, SequenceNode):
                    items = []
                    lower = node.start  # (_slots, inline: a list of 100,000 CIDRs has as many)
                    plain = None  # the last plain one-line item since: its end is asked for only when needed
                    for i, child in enumerate(node.value):
                        if type(child) is PlainScalar:  # written here: it has no anchor, no alias names it
                            plain = child
                            items.append(self._scalar_item(child))
                            continue
                        if plain is not None:
                            lower, plain = plain.end, None
                        calias = child is node or child.start < lower or id(child) in self.open
                        if calias:
                            items.append((yield self._unmarshal(child, (nid, i), True)))
                            continue
                        lower = child.end
                        if isinstance(child, ScalarNode):
                            items.append(self._scalar_item(child))  # without a generator step each
                        else:
                            items.append((yield self._unmarshal(child, (nid, i), False)))
                    return JArray(items, node)
                if isinstance(node, MappingNode):
                    entries: dict[tuple, tuple] = {}
                    yield self._mapping_into(node, entries)
                    return _to_json_object(entries, node)
                raise GoYAMLError("yaml: unsupported node", node)  # pragma: no cover
            finally:
                self.open[nid] -= 1
                if not self.open[nid]:
                    del self.open[nid]
        finally:
            if alias:
                self._leave_alias(slot)

    def _scalar_item(self, node: ScalarNode) -> JValue:
        """``_unmarshal`` of a scalar written in place, inline (a list of 100,000 CIDRs is as many)."""
        if self.alias_depth or self.alias_count > 100:
            self._count(node)
        else:
            self.decode_count += 1  # (_count: no alias level to count, no ratio to check yet)
        if node.tag == PLAIN:
            value = node.value
            if "/" in value:  # resolve_scalar's answer for a plain scalar with a slash (every CIDR)
                return JString(value, node)
            out = resolve_scalar("", value, node)[1]
            return JString(out, node) if type(out) is str else _json_scalar(out, node)
        return _json_scalar(_scalar_value(node)[1], node)

    def _mapping_into(self, node: MappingNode, entries: dict):
        flat = [n for pair in node.value for n in pair]
        slots = list(self._slots(node, flat))
        for i in range(0, len(slots), 2):
            knode, kslot, kalias = slots[i]
            vnode, vslot, valias = slots[i + 1]
            if not kalias and _is_merge(knode):
                yield self._merge(vnode, vslot, valias, entries)
                continue
            key = yield self._key(knode, kslot, kalias)
            entries[key] = (knode, (yield self._unmarshal(vnode, vslot, valias)))

    def _into(self, node: MappingNode, slot, alias: bool, entries: dict):
        """``unmarshal`` of a mapping (or an alias to one) into the map being built."""
        self._count(node)
        if alias:
            self._enter_alias(node, slot)
        nid = id(node)
        self.open[nid] = self.open.get(nid, 0) + 1
        try:
            yield self._mapping_into(node, entries)
        finally:
            self.open[nid] -= 1
            if not self.open[nid]:
                del self.open[nid]
            if alias:
                self._leave_alias(slot)

    def _merge(self, vnode: Node, slot, alias: bool, entries: dict):
        if isinstance(vnode, MappingNode):
            yield self._into(vnode, slot, alias, entries)
        elif isinstance(vnode, SequenceNode) and not alias:
            # Step backwards as earlier maps take precedence; the sequence itself is not decoded.
            slots = list(self._slots(vnode, vnode.value))
            for item, islot, ialias in reversed(slots):
                if not isinstance(item, MappingNode):
                    raise GoYAMLError("yaml: map merge requires map or sequence of maps as the value", item)
                yield self._into(item, islot, ialias, entries)
        else:
            raise GoYAMLError("yaml: map merge requires map or sequence of maps as the value", vnode)

    def _key(self, knode: Node, slot, alias: bool):
        if not isinstance(knode, ScalarNode):
            yield self._unmarshal(knode, slot, alias)
            raise GoYAMLError("yaml: invalid map key: a mapping or sequence cannot be a key", knode)
        self._count(knode)
        if alias:
            self._enter_alias(knode, slot)
            self._leave_alias(slot)
        tag, out = _scalar_value(knode)
        if out is None:
            return ("null", None)
        if isinstance(out, bool):
            return ("bool", out)
        if isinstance(out, int):
            return ("int", out)
        if isinstance(out, float):
            return ("float", out)
        return ("str", out)


def _is_merge(knode: Node) -> bool:
    return isinstance(knode, ScalarNode) and knode.value == "<<" and knode.tag in (PLAIN, MERGE)


def _json_scalar(out, node) -> JValue:
    if out is None:
        return JNull(node)
    if isinstance(out, bool):
        return JBool(out, node)
    if isinstance(out, int):
        return JNumber(str(out), node)
    if isinstance(out, float):
        return JNumber(go_float_json(out), node)
    return JString(str(out), node)


def _key_string(key: tuple, knode: Node) -> str:
    kind, v = key
    if kind == "str":
        return v
    if kind == "int":
        return str(v)
    if kind == "bool":
        return "true" if v else "false"
    if kind == "float":
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        return _format_g32(v)
    raise GoYAMLError("yaml: unsupported map key of type <nil> (a null key)", knode)


def _format_g32(v: float) -> str:
    f32 = struct.unpack("f", struct.pack("f", v))[0]
    for prec in range(1, 10):
        s = f"{f32:.{prec}g}"
        if struct.unpack("f", struct.pack("f", float(s)))[0] == f32:
            break
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{exp[0]}{exp[1:].rjust(2, '0')}"
    return s


def _to_json_object(entries: dict, node: MappingNode) -> JObject:
    by_name: dict[str, tuple] = {}
    for key, (knode, val) in entries.items():
        by_name[_key_string(key, knode)] = (knode, val)
    members = [(name, val, knode) for name, (knode, val) in sorted(by_name.items())]
    return JObject(members, node)


def yaml_node_to_json(root: Node | None, text: str | None = None) -> JValue:
    """The JSON value YAMLToJSON produces for the first document (null when empty).

    ``text``, the composed text, lets error messages name anchors as go-yaml does.
    """
    if root is None:
        return JNull(None)
    return _Decoder(text).decode(root)
