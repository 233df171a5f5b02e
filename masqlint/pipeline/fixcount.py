"""What ``--fix`` would fix in a file, without linting the fixed text again, where that lint is
known to offer no further fix.

``fix_until_stable`` applies the fixes, lints the new text, and goes on while the new lint offers
fixes. The text summary counts what it would do (``runner._count_fixable``), which costs one more
lint of the file per mode: a long list (100,000 entries) with a hundred duplicates is linted three
times over. Most such rounds end at the second lint, which finds nothing more to fix. This module
shows that in the common case without that lint: every fix applied is an edit of single entries of
``nonMasqueradeCIDRs`` (MQ302 writes an entry's network, MQ305 and MQ306 remove an item), and then
the fixed text is the same config with those entries changed, so

* the rules that offer fixes for entries (``ENTRY_RULES``) are decided again here, exactly as the
  lint would see the changed entries: any duplicate or covered range, or (with unsafe fixes) any
  entry with host bits left, and the lint again is needed;
* every other rule that can offer a fix (``UNTOUCHED_RULES``) reads only what such edits leave as it
  was (keys, the manifest around the config, non-ASCII lines, suppression comments, non-string
  values), so it stays as silent as it was on the file.

Any other case (a fix of another rule, a rule of the second kind that spoke, an edit not of that
shape, suppression comments, templates, Cilium's parser, several configs) answers None: lint again.
"""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

from masqlint.agent.gonet import GoNetError, parse_cidr
from masqlint.agent.jsonish import JString
from masqlint.engine.findings import FileResult, Finding
from masqlint.forms.embedded import Locator
from masqlint.pipeline.fix import apply_edits, select_fixes

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

# Rules whose fixes edit single entries; decided again here on the changed entries.
ENTRY_RULES = frozenset({"MQ302", "MQ305", "MQ306"})
# Every other rule that can offer a fix, and why an edit of entries cannot make it speak.
UNTOUCHED_RULES = {
    "MQ002": "lines of non-ASCII characters: edits remove lines or write ASCII network text",
    "MQ005": "suppression comments: none in the file (else no shortcut)",
    "MQ101": "the ConfigMap's name and namespace, outside the config",
    "MQ102": "the ConfigMap's data keys, outside the config",
    "MQ201": "the config's keys",
    "MQ203": "the config's keys",
    "MQ204": "value types: the entries are strings before and after, their texts CIDRs",
    "MQ205": "resyncInterval",
    "MQ206": "resyncInterval",
    "MQ208": "plain scalars that YAML 1.1 reads as booleans: no entry is one, before or after",
    "MQ407": "the config's keys",
}
FIXABLE_RULES = ENTRY_RULES | frozenset(UNTOUCHED_RULES)

_FORMS = ("manifest", "standalone")
# What an MQ305/MQ306 deletion may remove besides the entry: the rest of its block item line
# (indentation, the dash, a comment, the line break) or its comma in a flow list on one line.
_BLOCK_ITEM = re.compile(r"[ \t]*-[ \t]+\0[ \t\r]*(#[^\n]*)?\n?")
_FLOW_ITEM = re.compile(r",[ \t]*\0|\0[ \t]*,[ \t]*")
_NETWORK_TEXT = re.compile(r"[0-9A-Fa-f.:]+/[0-9]+")


def fixed_without_relint(fctx: Any, result: FileResult, unsafe: bool, memo: dict | None = None) -> int | None:
    """The number of fixes ``fix_until_stable(result.text, result.findings, ..., unsafe)`` applies,
    when its first round of fixes provably leaves nothing for a second; else None. ``memo``: a dict
    shared by the calls for one file (both modes), where what they both ask is kept."""
    text = result.text
    if text is None or fctx is None:
        return None
    chosen = select_fixes(result.findings, unsafe)
    if not chosen:
        return 0  # (fix_until_stable stops at once)
    if any(f.rule not in ENTRY_RULES for f in chosen):
        return None
    if any(f.rule in UNTOUCHED_RULES for f in result.findings) or result.related:
        return None
    ctx = _single_config(fctx, text)
    if ctx is None:
        return None
    fixed, n = apply_edits(text, chosen)
    if n != len(chosen) or fixed == text:
        return None  # a fix left for the next round, or nothing changed
    memo = {} if memo is None else memo
    after = _entry_changes(ctx, text, chosen, memo)
    if after is None:
        return None
    return n if _entries_settled(ctx, after, unsafe, memo) else None


def _single_config(fctx: Any, text: str) -> Any:
    """The one config context of a plain file whose entries this module may reason about."""
    if (fctx.form not in _FORMS or len(fctx.configs) != 1 or fctx.units or fctx.unknown or fctx.masked
            or "masqlint:" in text or fctx.source.text is not text):
        return None
    ctx = fctx.configs[0]
    cfg = ctx.config
    # a config copied line by line (a literal block, or the file itself): an edit of whole
    # lines or of characters within a line is the same edit of the config text
    # (no anchor: a rewritten entry would change every alias of it)
    if (type(cfg.locator) is not Locator or not cfg.locator.precise or cfg.unknown or cfg.open_list
            or ctx.target.reader == "cilium" or cfg.text is None or "&" in cfg.text):
        return None
    return ctx


def _entry_changes(ctx: Any, text: str, chosen: list[Finding], memo: dict) -> dict[int, Any] | None:
    """{entry index: its parsed CIDR after the fixes, or _REMOVED}, when each edit removes one entry
    item or rewrites one entry's text as a network; else None."""
    from masqlint.checks.cidrs import cidr_list, entries  # noqa: PLC0415 - lazy: the checks are loaded by the lint that ran

    lst = cidr_list(ctx)
    ents = entries(ctx)
    if lst is None or len(ents) != len(lst.items):
        return None
    strings = memo.get("strings")
    if strings is None:
        strings = memo["strings"] = all(type(i) is JString for i in lst.items)
    if not strings:
        return None  # null or non-string items: indices and defaults come into play
    starts: list[int | None] = [None] * len(ents)

    def outer_start(i: int) -> int:
        s = starts[i]
        if s is None:
            r = ctx.outer_range(ents[i].node)
            s = starts[i] = -1 if r is None else r[0]
        return s

    after: dict[int, Any] = {}
    for f in chosen:
        assert f.fix is not None  # chosen fixes have one
        for e in f.fix.edits:
            i = _entry_at(ents, outer_start, e.start, e.end)
            if i is None or i in after:
                return None
            r = ctx.outer_range(ents[i].node)
            if r is None:
                return None
            c = ents[i].cidr
            if e.text == "" and f.rule in ("MQ305", "MQ306"):
                if (c is None or not c.aligned or not e.start <= r[0] < r[1] <= e.end
                        or not _removes_item(text, e.start, e.end, r)):
                    return None
                after[i] = _REMOVED
            elif f.rule == "MQ302" and c is not None and not c.aligned and (e.start, e.end) == ctx.value_range(ents[i].node):
                new = _network(e.text, text[e.start:e.end])
                if new is None:
                    return None
                after[i] = new
            else:
                return None
    if sum(1 for v in after.values() if v is _REMOVED) >= len(ents):
        return None  # the list would be empty
    return after


_REMOVED = object()


def _entry_at(ents: list, outer_start, a: int, b: int) -> int | None:
    """The index of the last entry (in written order) that starts before ``b``, by bisection: the
    one an edit of [a, b) touches, if any (the caller checks that it does)."""
    lo, hi = 0, len(ents)
    while lo < hi:
        mid = (lo + hi) // 2
        s = outer_start(mid)
        if s < 0:
            return None
        if s < b:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if lo else None


def _removes_item(text: str, start: int, end: int, r: tuple[int, int]) -> bool:
    """Does deleting text[start:end] remove exactly the item written at r: its whole block item line,
    or the item and its comma in a flow list on one line?"""
    rest = text[start:r[0]] + "\0" + text[r[1]:end]
    if _BLOCK_ITEM.fullmatch(rest):  # whole lines
        return (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end - 1] == "\n")
    return _FLOW_ITEM.fullmatch(rest) is not None


def _network(new: str, old: str) -> Any:
    """The parsed CIDR of a rewritten entry, when the new text is a network that reads as the same
    kind of scalar as the old one (a plain string in YAML, no quote or escape in it)."""
    if _NETWORK_TEXT.fullmatch(new) is None or _NETWORK_TEXT.fullmatch(old) is None:
        return None
    try:
        c = parse_cidr(new)
    except GoNetError:
        return None
    return c if c.aligned else None


def _entries_settled(ctx: Any, after: dict[int, Any], unsafe: bool, memo: dict) -> bool:
    """After the fixes: no two valid entries of one range and none inside another (MQ305 and MQ306
    have nothing to offer), and with unsafe fixes no entry with host bits left (MQ302).

    The lint's own sweep of the valid entries (``cidrs._range_sweep``) holds the ones no other
    covers or repeats, apart and in address order: the fixes must remove every other valid entry
    and none of those, and each entry they rewrite must meet none of them nor another rewritten one."""
    facts = _facts(ctx, memo)
    kept = facts.kept
    removed = [facts.ents[i] for i, c in after.items() if c is _REMOVED]
    # every other valid entry removed (each removed one is valid: _entry_changes saw to it), and no
    # entry of the sweep (each of a range of its own: found by it)
    if facts.not_kept != len(removed) or any(_kept_at(facts, e) is e for e in removed):
        return False
    # with unsafe fixes every entry with host bits rewritten (each rewritten one had them: _entry_changes)
    if unsafe and facts.host_bits != sum(1 for c in after.values() if c is not _REMOVED):
        return False
    added = sorted(c.as_int_range() for c in after.values() if c is not _REMOVED)
    if not added:
        return True
    for k, (v, lo, hi) in enumerate(added):
        if k and added[k - 1][0] == v and added[k - 1][2] >= lo:
            return False  # two rewritten entries meet
        j = bisect.bisect_right(kept, (v, hi, _BEYOND), key=_range)  # the kept entries starting at or before hi …
        if j and _reaches(kept[j - 1].rng, v, lo):  # … the last of which reaches lo
            return False
    return True


_BEYOND = 1 << 129  # past every address


def _reaches(r: Any, v: int, lo: int) -> bool:
    return r[0] == v and r[2] >= lo


_range = attrgetter("rng")  # an entry's (version, first, last): bisected by, not kept per entry


def _kept_at(facts: "_Facts", e: Any) -> Any:
    """The entry of the sweep with the range of ``e``, if any (the sweep's ranges are apart)."""
    r = e.rng
    j = bisect.bisect_left(facts.kept, r, key=_range)
    return facts.kept[j] if j < len(facts.kept) and facts.kept[j].rng == r else None


class _Facts:
    """What both modes ask about the lint's entries, gathered once per config."""

    __slots__ = ("ents", "kept", "not_kept", "host_bits")

    def __init__(self, ctx: Any):
        from masqlint.checks.cidrs import _range_sweep, entries, valid_entries  # noqa: PLC0415 - lazy: as above

        self.ents = entries(ctx)
        self.kept = _range_sweep(ctx)[1]  # valid entries, each of a range no other covers, in address order
        self.not_kept = len(valid_entries(ctx)) - len(self.kept)
        self.host_bits = sum(1 for e in self.ents if e.cidr is not None and not e.cidr.aligned)


def _facts(ctx: Any, memo: dict) -> _Facts:
    """The facts of ``ctx``, gathered on first use and kept in ``memo`` (one per file's count)."""
    facts = memo.get(id(ctx))
    if facts is None or facts[0] is not ctx:
        facts = memo[id(ctx)] = (ctx, _Facts(ctx))
    return facts[1]
