"""Azure configs checked together, as ip-masq-agent-v2 reads its mounted directory (MQ305, MQ306,
MQ420 and MQ421 across files).

AKS mounts several ConfigMap keys side by side in ``/etc/config`` (the user's
``azure-ip-masq-agent-config`` and its ``-reconciled`` copy; or several ``ip-masq*`` keys of one
ConfigMap), and the agent reads every ``ip-masq*`` file there as one config: lists unioned by exact
text, booleans OR'd, each file validated on its own, any error fatal (``agent.azure.sync_named``).

Every config of target azure that has a *mount name* starting with ``ip-masq`` becomes a ``MountRef``
in its file's result (``FileResult.facts["MQ421"]``, collected by ``mounts_of_file``): a stand-alone agent file by its file name, a ConfigMap key by the name a form
reader gives it (``AgentConfig.mount_name``). After every file is linted, the refs of one cluster
scope (as for MQ408: the settings scope, or else the directory), in one file or several, are one
directory to the agent:

- MQ421: a file the agent accepts, mounted beside one it rejects: the agent exits on the other one,
  so nothing here is programmed either;
- MQ305: an entry another file of the set already lists (removed by exact text), or lists with another
  spelling (both RETURN rules are written); MQ306: an entry inside another file's entry;
- MQ420 is judged on the union: a file with no range of its own beside one that has ranges is fine.
The 64-entry limit stays per file (MQ304 on each file).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from masqlint.agent.azure import PREFIX, AzureResult, sync_named
from masqlint.agent.decide import canonical_range, ranges_of
from masqlint.agent.ranges import range_keys, ranges_cidrs, subtract_ranges
from masqlint.checks import COLLECT, RUN, Problem, register
from masqlint.checks.cidrs import entries
from masqlint.config.loader import cluster_scope, real_file
from masqlint.engine.findings import FileResult, Finding, Span
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from typing import Any

    from masqlint.engine.lint import ConfigContext, FileContext

PER_FILE_ONLY = ("MQ309", "MQ401", "MQ420")  # judged on the union when the files are read together


class MountRef(Record):
    """One ``ip-masq*`` file of Azure's config directory, as a checked file holds it."""

    __slots__ = ("name", "data", "span", "entries", "defaults", "allow_dropped", "scope", "file")

    def __init__(self, name: str, data: bytes, span: Span, entries: tuple = (), defaults: tuple = (),
                 allow_dropped: tuple = (), scope: str = "", file: str = ""):
        self.name = name  # the file name in /etc/config
        self.data = data  # the config text
        self.span = span  # where the config is in the checked file
        self.entries = entries  # (text, Span) of every list entry, for positions
        self.defaults = defaults  # the target's default ranges
        self.allow_dropped = allow_dropped  # allow-dropped-defaults of the file's settings
        self.scope = scope  # the cluster scope: the settings scope, or else the directory
        self.file = file  # the file's real path


def mount_name(cctx: ConfigContext) -> str | None:
    """The name the agent finds this config under in /etc/config, when it reads it at all."""
    cfg = cctx.config
    name = getattr(cfg, "mount_name", None)
    if name is None and cfg.kind == "configmap" and cfg.config_key_node is not None:
        name = cfg.config_key_node.value  # each data key is a file of the mounted ConfigMap
    if name is None and cfg.kind == "standalone" and cfg.source.path not in ("-", ""):
        name = os.path.basename(getattr(cfg.source, "fspath", None) or cfg.source.path)
    return name if name and name.startswith(PREFIX) else None


@register("MQ421", COLLECT)  # the facts MQ421, MQ305, MQ306, MQ401 and MQ420 read across files
def mounts_of_file(fctx: FileContext) -> Iterator[MountRef]:
    """The file's configs that Azure's agent reads from its directory (target azure, an ip-masq* name)."""
    name_of_file = fctx.source.fspath or fctx.source.path
    scope = real = None
    for cctx in fctx.configs:
        if cctx.target.name != "azure" or cctx.config.text is None:
            continue
        name = mount_name(cctx)
        if name is None:
            continue
        if scope is None:
            scope = cluster_scope(name_of_file, fctx.settings)
            real = real_file(name_of_file) if name_of_file != "-" else name_of_file
        ents = tuple((e.text, cctx.span(e.node)) for e in entries(cctx))
        yield MountRef(name, cctx.config.text.encode("utf-8"), cctx.config.anchor_span(), ents,
                       tuple(cctx.target.default_cidrs()), tuple(cctx.settings.allow_dropped_defaults), scope, real or "")


# --- the union, once per run ------------------------------------------------------------------------


class _Union:
    __slots__ = ("members", "result")

    def __init__(self, members: list[tuple[FileResult, MountRef]], result: AzureResult):
        self.members = members  # [(FileResult, MountRef)] in name order
        self.result = result  # agent.azure.AzureResult


_CACHE: dict = {}


def unions(files: list[FileResult]) -> list[_Union]:
    """The mount sets of the run with two files or more, each run through the agent's read (cached per run)."""
    key = id(files)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is files:
        return hit[1]
    groups: dict[str, dict[str, tuple]] = {}
    seen_files: set = set()
    for fr in files:
        refs = fr.facts.get("MQ421") or ()
        if not refs or (refs[0].file and refs[0].file in seen_files):
            continue
        seen_files.add(refs[0].file)
        for ref in refs:
            groups.setdefault(ref.scope, {})[ref.name] = (fr, ref)  # one name, one file: the later one
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = [members[n] for n in sorted(members)]
        res = sync_named([(ref.name, ref.data) for _fr, ref in ordered], stop_at_error=False)
        u = _Union(ordered, res)
        _judge_on_union(u)  # once, before any check of the run adds the union's own findings
        out.append(u)
    _CACHE.clear()
    _CACHE[key] = (files, out)
    return out


def _problem(fr: FileResult, message: str, span: Span, data: dict[str, Any]) -> tuple[FileResult, Problem]:
    return fr, Problem(message, at=span, data=data)


@register("MQ421", RUN)
def taken_down_by_sibling(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    for u in unions(files):
        bad = [fres for fres in u.result.files if fres.error is not None]
        if not bad:
            continue
        names = ", ".join(f.file.name for f in bad)
        first_error = bad[0].error
        assert first_error is not None  # `bad` holds the files with an error
        for (fr, ref), fres in zip(u.members, u.result.files):
            if fres.error is not None:
                continue
            yield _problem(
            fr,
                f"this file is fine on its own, but the agent reads it together with {names} from /etc/config and "
                f"exits on {'that file' if len(bad) == 1 else 'those files'} (`{first_error.message}`): none of the "
                "ranges here are programmed, and the pod crash-loops until every ip-masq* file is valid",
                ref.span, {"rejected": [b.file.name for b in bad]},
            )


def _overlaps(files: list[FileResult]) -> Iterator[tuple[str, FileResult, MountRef, str, Span, str]]:
    """(rule, FileResult, MountRef, message, span, entry) for every entry another file of its set already
    lists (MQ305) or covers (MQ306); files in the agent's read order (by name)."""
    for u in unions(files):
        earlier: list[tuple[str, str, tuple[int, int, int, int] | None]] = []  # (file name, text, canonical range)
        for fr, ref in u.members:
            mine = []
            rngs = [canonical_range(t) for t, _s in ref.entries]
            for i, (text, span) in enumerate(ref.entries):
                rng = rngs[i]
                mine.append((ref.name, text, rng))
                if rng is None or _covered_in_file(i, rngs):
                    continue  # MQ305/MQ306 in the file itself say it
                hit = None
                for other_name, other_text, other_rng in earlier:
                    if other_text == text:
                        hit = ("MQ305", f"{text} is also listed in {other_name}, read from the same /etc/config: the "
                               "agent unions the files and keeps it once (duplicates are removed by exact text). "
                               "Keep it in one file")
                        break
                    if other_rng is not None and rng[:3] == other_rng[:3]:
                        hit = ("MQ305", f"{text} is listed in {other_name} as {other_text}: the agent removes "
                               "duplicates by exact text only, so both are kept and the same range gets two RETURN "
                               "rules. Keep one, written the same way")
                        break
                    if other_rng is not None and rng[0] == other_rng[0] \
                            and other_rng[1] <= rng[1] and rng[2] <= other_rng[2]:
                        hit = ("MQ306", f"{text} lies inside {other_text}, which {other_name} lists: the agent unions "
                               "the files, so this entry changes nothing. Remove it, or keep the ranges in one file")
                        break
                if hit:
                    yield hit[0], fr, ref, hit[1], span, text
            earlier.extend(mine)


def _covered_in_file(i: int, rngs: list) -> bool:
    """Does another entry of the same file repeat (earlier) or cover entry ``i``?"""
    v, lo, hi = rngs[i][:3]
    for j, r in enumerate(rngs):
        if j == i or r is None or r[0] != v:
            continue
        if r[1] <= lo and hi <= r[2] and (r[:3] != rngs[i][:3] or j < i):
            return True
    return False


@register("MQ305", RUN)
def cross_file_duplicate(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    for rule, fr, ref, msg, span, text in _overlaps(files):
        if rule == "MQ305":
            yield _problem(fr, msg, span, {"cidr": text, "file": ref.name})


@register("MQ306", RUN)
def cross_file_redundant(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    for rule, fr, ref, msg, span, text in _overlaps(files):
        if rule == "MQ306":
            yield _problem(fr, msg, span, {"cidr": text, "file": ref.name})


def _judge_on_union(u: "_Union") -> None:
    """The per-file findings that speak of the whole config (no range, empty list, dropped defaults) are
    about the union when files are read together: drop them from each member; the union's own verdict
    is made by ``union_dropped_defaults`` and ``union_no_range``. Called once per union, by ``unions``."""
    for fr, ref in u.members:
        keep = [f for f in fr.findings if not (f.rule in PER_FILE_ONLY and _within(f, ref, fr))]
        if len(keep) != len(fr.findings):
            fr.findings = keep


@register("MQ401", RUN)
def union_dropped_defaults(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    for u in unions(files):
        if not u.result.accepted or not u.result.cidrs or u.result.defaults_applied:
            continue
        fr, ref = u.members[0]
        covered = ranges_of(u.result.cidrs)
        lost = subtract_ranges(ranges_of(ref.defaults), covered, range_keys(covered))
        if lost and ref.allow_dropped:
            lost = subtract_ranges(lost, ranges_of(ref.allow_dropped))
        if not lost:
            continue
        blocks = ranges_cidrs(lost)
        names = ", ".join(r.name for _f, r in u.members)
        yield _problem(
            fr,
            f"the agent reads {names} together, and their union replaces the azure defaults (it never adds to them): "
            f"pod traffic to {', '.join(blocks)} is now masqueraded (leaves with the node IP). If that is intended, "
            f"declare it in masqlint's settings (allow-dropped-defaults: [{', '.join(blocks)}]); otherwise add the "
            "ranges back in one of the files",
            ref.span, {"dropped": blocks, "files": [r.name for _f, r in u.members]},
        )


@register("MQ420", RUN)
def union_no_range(files: list[FileResult]) -> Iterator[tuple[FileResult, Problem]]:
    for u in unions(files):
        res = u.result
        if not res.accepted or res.cidrs or res.defaults_applied:
            continue
        fr, ref = u.members[0]
        names = ", ".join(r.name for _f, r in u.members)
        yield _problem(
            fr,
            f"the agent reads {names} together and none of them lists a range: it uses its defaults only when there "
            "is no ip-masq* file at all, so every pod destination except link-local is masqueraded, pod-to-pod traffic "
            f"across nodes included. List the ranges that must keep pod IPs (the defaults are {', '.join(ref.defaults)}) "
            "in one of the files",
            ref.span, {"files": [r.name for _f, r in u.members]},
        )


def _within(f: Finding, ref: MountRef, fr: FileResult) -> bool:
    """Is finding ``f`` about the config of ``ref`` (the first one at or after its anchor)?"""
    starts = sorted(r.span.line for r in (fr.facts.get("MQ421") or ()))
    nxt = [ln for ln in starts if ln > ref.span.line]
    return f.span.line < nxt[0] if nxt else True

