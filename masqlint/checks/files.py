"""Rules about the checked file itself rather than the config in it: suppression comments that
suppress nothing (MQ005) and files too large to read (MQ006)."""

from __future__ import annotations

from collections.abc import Iterator

from masqlint.checks import DIRECTIVES, SKIPPED, Problem, register
from masqlint.engine.emit import WHOLE_FILE, TooLarge
from masqlint.engine.findings import Edit, Fix, Span
from masqlint.engine.suppress import Directive, DirectiveContext, normal_entry


@register("MQ005", DIRECTIVES)
def unused_suppression(dctx: DirectiveContext) -> Iterator[Problem]:
    for d in dctx.directives:
        unused = d.unused
        if not unused:
            continue
        at = Span(d.line, d.column, d.line, d.end_column)
        data = {"directive": (d.line, d.column), "unused": unused}
        where = " (no fence holding an agent config follows it)" if d.kind == "disable-next-fence" and d.block is None else ""
        if len(unused) == len(d.rules) or unused == [""]:
            what = ", ".join(d.rules) if d.rules else "every rule"
            fix = _remove_comment(dctx, d) if dctx.editable else None
            yield Problem(f"this `masqlint: {d.kind}` comment for {what} suppresses nothing here{where}: remove it",
                          at=at, fix=fix, data=data)
        else:
            ids = ", ".join(f"`{r}`" for r in unused)
            fix = _remove_ids(dctx, d, unused) if dctx.editable else None
            yield Problem(f"{ids} in this `masqlint: {d.kind}` comment {'suppress' if len(unused) > 1 else 'suppresses'} "
                          "nothing here (the other ids do): remove "
                          f"{'them' if len(unused) > 1 else 'it'}", at=at, fix=fix, data=data)


def _remove_comment(dctx: DirectiveContext, d: Directive) -> Fix:
    """Remove the comment; the whole line when nothing else is on it."""
    idx = dctx.index
    start = idx.starts[d.line - 1]
    line = idx.line_text(d.line)
    before = line[: d.column - 1]
    if before.strip() == "":
        end = idx.starts[d.line] if d.line < len(idx.starts) else len(dctx.text)
        return Fix("remove the unused suppression", (Edit(start, end, ""),), safe=True)
    cut = len(before.rstrip(" \t"))
    return Fix("remove the unused suppression", (Edit(start + cut, start + len(line), ""),), safe=True)


def _remove_ids(dctx: DirectiveContext, d: Directive, unused: list[str]) -> Fix | None:
    """Remove only the unused ids (and a comma each) from the comment's list."""
    if d.rules_span is None:
        return None
    a, b = d.rules_span
    line = dctx.index.line_text(d.line)
    pieces = line[a:b].split(",")
    kept = [p for p in pieces if p.strip() and normal_entry(p) not in unused]
    if not kept:
        return None
    lead = pieces[0][: len(pieces[0]) - len(pieces[0].lstrip())]
    kept[0] = lead + kept[0].lstrip()
    start = dctx.index.starts[d.line - 1]
    plural = "s" if len(unused) > 1 else ""
    return Fix(f"remove the unused id{plural} {', '.join(unused)}", (Edit(start + a, start + b, ",".join(kept)),), safe=True)


@register("MQ006", SKIPPED)
def file_too_large(skipped: TooLarge) -> Iterator[Problem]:
    limit = skipped.settings.max_file_size
    yield Problem(
        (f"skipped: the stream holds more than --max-file-size {limit:,} bytes; " if skipped.more else
         f"skipped: the file is {skipped.size:,} bytes, more than --max-file-size {limit:,}; ")
        + "an ip-masq-agent ConfigMap is a few kB (raise max-file-size to check it anyway)",
        at=WHOLE_FILE,
    )
