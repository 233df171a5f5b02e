"""Values a template decides: left out of what the agent model sees, and never reported on.

``known_part`` drops from a config's JSON value every scalar, list item and key that lies in an
unknown range (its text is a placeholder), so decoding, validation and every rule work on what the
file says for certain. ``drop_unknown`` removes findings that point into template markup (a
placeholder, a masked directive) and syntax errors next to it, and fixes that would edit it.
"""

from __future__ import annotations

from masqlint.agent.jsonish import JArray, JObject
from masqlint.text.source import node_range
from masqlint.agent.model import match_field


def overlaps(ranges, r) -> bool:
    """Does the range ``r`` (start, end) touch one of ``ranges``? (An empty range counts as one character.)"""
    if r is None:
        return False
    a, b = r
    b = max(b, a + 1)
    return any(x < b and a < y for x, y in ranges)


def known_part(value, cfg) -> tuple:
    """(``value`` without the parts in ``cfg.unknown``, the agent fields whose value is unknown).

    An unknown root becomes an empty mapping. A literal key whose value comes from the template
    stays (rules about keys still see it), and its field is named so that the agent model leaves
    it out of decoding: neither its default nor an error is assumed."""
    ranges = cfg.unknown
    if not isinstance(value, (JObject, JArray)):
        return (JObject([], getattr(value, "origin", None)) if overlaps(ranges, node_range(value)) else value), ()
    skip: list[str] = []
    if isinstance(value, JObject):
        for key, val, korigin in value.members:
            if not overlaps(ranges, node_range(korigin)) and overlaps(ranges, node_range(val)) and not isinstance(val, (JObject, JArray)):
                field = match_field(key)
                if field is not None and field not in skip:
                    skip.append(field)
    stack: list = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, JObject):
            kept_members = []
            for key, val, korigin in v.members:
                if overlaps(ranges, node_range(korigin)):
                    continue
                if v is not value and not isinstance(val, (JObject, JArray)) and overlaps(ranges, node_range(val)):
                    continue
                kept_members.append((key, val, korigin))
                stack.append(val)
            v.members = kept_members
        elif isinstance(v, JArray):
            kept_items = []
            for item in v.items:
                if not isinstance(item, (JObject, JArray)) and overlaps(ranges, node_range(item)):
                    continue
                kept_items.append(item)
                stack.append(item)
            v.items = kept_items
    return value, tuple(skip)


def outer_unknown(fctx) -> tuple[list, list]:
    """(unknown, masked) ranges of the outer file: the form's, plus each config's unknown ranges
    mapped through its locator."""
    unknown = list(fctx.unknown)
    masked = list(fctx.masked)
    for cctx in fctx.configs:
        cfg = cctx.config
        if not cfg.unknown or cfg.elsewhere:
            continue  # (a config in a file this one reads: its ranges are not this file's)
        loc = cfg.locator
        for a, b in cfg.unknown:
            if loc.line_offsets is None and loc.config_index is None:
                unknown.append((a, b))
                continue
            oa, ob = loc.outer_offset(a), loc.outer_offset(max(a, b - 1))
            if oa is not None and ob is not None:
                unknown.append((oa, ob + 1))
    return unknown, masked


# Rules whose findings are about the markup or the reading itself, not about a value it produces:
# a reference that is not read (MQ008), a loop or join() over a list variable (MQ310), markup that
# cannot be read (MQ311). They point into it on purpose.
ABOUT_THE_MARKUP = frozenset({"MQ008", "MQ310", "MQ311"})


def drop_unknown(fctx, findings: list) -> list:
    """Findings that say something the template does not decide; fixes that only touch literal text."""
    unknown, masked = outer_unknown(fctx)
    if not unknown and not masked:
        return findings
    idx = fctx.source.index
    near = _lines_of(idx, masked)
    out = []
    for f in findings:
        if f.rule in ABOUT_THE_MARKUP or f.path != fctx.source.path:
            out.append(f)
            continue
        start = idx.offset(f.span.line, f.span.column)
        if overlaps(unknown, (start, start + 1)) or overlaps(masked, (start, start + 1)):
            continue
        if f.rule == "MQ001" and (f.span.line in near or f.span.line - 1 in near or f.span.line + 1 in near):
            continue  # a syntax error next to template markup: the rendered text decides
        if f.fix is not None and any(overlaps(masked + unknown, (e.start, max(e.end, e.start))) for e in f.fix.edits):
            f = f.replace(fix=None)
        out.append(f)
    return out


def _lines_of(idx, ranges) -> set[int]:
    lines: set[int] = set()
    for a, b in ranges:
        l1 = idx.pos(a)[0]
        l2 = idx.pos(max(a, b - 1))[0]
        if l2 - l1 > 10000:
            l2 = l1 + 10000
        lines.update(range(l1, l2 + 1))
    return lines
