"""From the bytes at /etc/config/ip-masq-agent to the JSON value the agent decodes.

``k8s.io/apimachinery/pkg/util/yaml.ToJSON`` passes input whose first non-space
character is ``{`` straight to encoding/json; everything else goes through go-yaml v2
(first document only) and is re-encoded as JSON.
"""

from __future__ import annotations


from masqlint.text import yamlload
from masqlint.agent.gojson import GoJSONSyntaxError
from masqlint.agent.gojson import parse as parse_json
from masqlint.agent.goyaml import GoYAMLError, yaml_node_to_json
from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString, JValue
from masqlint.agent.model import AgentError
from masqlint.record import Record


class Offset(Record):
    """A position in the config text: character offsets [start, end)."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end


# --- bytes to text, as go-yaml's reader sees them -------------------------------------------------

_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


class DecodeError(Exception):
    def __init__(self, message: str, offset: int, line: int, column: int):
        super().__init__(message)
        self.message, self.offset, self.line, self.column = message, offset, line, column


class Text(Record):
    __slots__ = ("text", "encoding", "bom")

    def __init__(self, text: str, encoding: str, bom: bytes):
        self.text = text
        self.encoding = encoding  # utf-8 | utf-16-le | utf-16-be
        self.bom = bom


def decode_bytes(data: bytes) -> Text:
    """Detect the encoding by BOM as libyaml does (UTF-8 otherwise) and decode strictly.

    Raises DecodeError with libyaml's wording and the 1-based line/column (in characters)
    of the first bad byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        bom, enc, body = data[:3], "utf-8", data[3:]
    elif data.startswith(b"\xff\xfe"):
        bom, enc, body = data[:2], "utf-16-le", data[2:]
    elif data.startswith(b"\xfe\xff"):
        bom, enc, body = data[:2], "utf-16-be", data[2:]
    else:
        bom, enc, body = b"", "utf-8", data
    try:
        return Text(body.decode(enc), enc, bom)
    except UnicodeDecodeError as e:
        good = body[: e.start].decode(enc, errors="replace")
        line = good.count("\n") + 1
        col = len(good) - (good.rfind("\n") + 1) + 1
        if enc == "utf-8":
            msg = _utf8_problem(body, e.start)
        else:
            msg = "incomplete UTF-16 character" if e.end >= len(body) else "invalid UTF-16 surrogate pair"
        raise DecodeError(msg, len(good), line, col) from None


def _utf8_problem(b: bytes, i: int) -> str:
    """libyaml's reader messages for the bad sequence starting at byte i."""
    c = b[i]
    if c & 0x80 == 0:
        return "invalid leading UTF-8 octet"
    if c & 0xE0 == 0xC0:
        width = 2
    elif c & 0xF0 == 0xE0:
        width = 3
    elif c & 0xF8 == 0xF0:
        width = 4
    else:
        return "invalid leading UTF-8 octet"
    if i + width > len(b):
        return "incomplete UTF-8 octet sequence"
    for k in range(1, width):
        if b[i + k] & 0xC0 != 0x80:
            return "invalid trailing UTF-8 octet"
    return "invalid length of a UTF-8 sequence" if c in (0xC0, 0xC1) else "invalid Unicode character"


def is_json_input(data: bytes) -> bool:
    """hasJSONPrefix: after Unicode white space, the bytes start with '{'."""
    text = data.decode("utf-8", errors="replace")
    return text.lstrip(_GO_SPACE).startswith("{")


def is_json_text(text: str) -> bool:
    return text.lstrip(_GO_SPACE).startswith("{")


# --- text to the JSON value ----------------------------------------------------------------------


def yaml_error_message(err: yamlload.YAMLError) -> tuple[str, int | None]:
    """go-yaml's "yaml: line N: problem" for a PyYAML error, and the 0-based char offset."""
    problem = getattr(err, "problem", None) or str(err)
    mark = getattr(err, "problem_mark", None)
    if type(err).__name__ == "ReaderError":  # go-yaml's reader errors carry no line
        return f"yaml: {getattr(err, 'reason', problem)}", (mark.index if mark is not None else None)
    context_mark = getattr(err, "context_mark", None)
    line = 0
    if mark is not None and mark.line != 0:
        line = mark.line
        if type(err).__name__ == "ScannerError":
            line += 1
    elif context_mark is not None and context_mark.line != 0:
        line = context_mark.line
    where = f"line {line}: " if line else ""
    offset = mark.index if mark is not None else (context_mark.index if context_mark is not None else None)
    return f"yaml: {where}{problem}", offset


def parse_agent_text(text: str, json_input: bool | None = None) -> JValue | AgentError:
    """What ToJSON + the first document give the decoder, or the error that rejects the file.

    Origins of values are yaml nodes (YAML input) or ``Offset`` ranges (JSON input).
    """
    return parse_agent_text_with_root(text, json_input)[1]


def parse_agent_text_with_root(text: str, json_input: bool | None = None):
    """(composed YAML root or None, JSON value or AgentError)."""
    if json_input is None:
        json_input = is_json_text(text)
    if json_input:
        try:
            return None, _from_gojson(parse_json(text))
        except GoJSONSyntaxError as e:
            return None, AgentError(e.message, "json", Offset(e.offset, e.offset + 1))
        except RecursionError:
            return None, AgentError("exceeded max depth", "json", None)
    try:
        root = yamlload.compose_first(text)
    except yamlload.NestingTooDeep as e:
        assert e.problem_mark is not None  # raised with the mark of the level too deep
        off = e.problem_mark.index
        if e.limit < yamlload.MAX_DEPTH:
            # deeper than this parser composes, though the agent might read it: say so, not what the agent says
            return None, AgentError(f"exceeded max depth: nested deeper than {e.limit:,} levels, more than masqlint's YAML parser reads "
                                    f"(the agent's own limit is {yamlload.MAX_DEPTH:,})", "yaml", Offset(off, off + 1))
        # go-yaml nests without limit; encoding/json then refuses the converted document
        return None, AgentError(f"invalid character '{e.opener}' exceeded max depth", "json", Offset(off, off + 1))
    except yamlload.YAMLError as e:
        msg, yoff = yaml_error_message(e)
        err = AgentError(msg, "yaml", Offset(yoff, yoff + 1) if yoff is not None else None)
        err.yaml_error = e
        return None, err
    except RecursionError:
        return None, AgentError("yaml: exceeded max depth of nesting", "yaml", None)
    try:
        return root, yaml_node_to_json(root, text)
    except GoYAMLError as e:
        return root, AgentError(e.message, "yaml", e.node)
    except RecursionError:
        return root, AgentError("yaml: exceeded max depth of nesting", "yaml", root)


def _from_gojson(v) -> JValue:
    origin = Offset(v.start, v.end)
    k = v.kind
    if k == "object":
        return JObject([(key, _from_gojson(val), Offset(ks, ke)) for key, ks, ke, val in v.members], origin)
    if k == "array":
        return JArray([_from_gojson(x) for x in v.items], origin)
    if k == "string":
        return JString(v.value, origin)
    if k == "number":
        return JNumber(v.value, origin)
    if k in ("true", "false"):
        return JBool(k == "true", origin)
    return JNull(origin)
