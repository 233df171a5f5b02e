"""``check --add-noqa``: a ``# masqlint: disable=RULE -- reason`` comment at the end of each line
that has findings, so that a repository adopting masqlint starts clean and every later finding is
new. A file is written only when checking the commented text again shows exactly that: the
findings suppressed and nothing else changed (a comment inside JSON, say, would break the file)."""

from __future__ import annotations

import os
import re

from masqlint.checks import RUN, checks_of
from masqlint.pipeline.fix import write_atomic
from masqlint.pipeline.runner import lint_bytes, prepare

_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029])?")


def _late_rules() -> set[str]:
    """Rules whose findings are made across files (a per-file check cannot see them used)."""
    return {c.rule for c in checks_of(RUN)}


def commented(text: str, by_line: dict[int, set[str]], reason: str) -> str | None:
    """``text`` with a directive at the end of each line of ``by_line``; None when a line already
    holds a masqlint directive (one comment per line is read)."""
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    out = []
    for i, line in enumerate(lines, start=1):
        rules = by_line.get(i)
        if rules:
            body = line.rstrip("\r\n\x85\u2028\u2029")
            if "masqlint:" in body:
                return None
            sep = " " if body.strip() else ""
            out.append(f"{body}{sep}# masqlint: disable={','.join(sorted(rules))} -- {reason}" + line[len(body):])
        else:
            out.append(line)
    return "".join(out)


def add_noqa(outcomes, opts, reason: str) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
    """Comment every file with findings; ([(path, lines commented)], [(path, why not)])."""
    reason = " ".join(reason.split()) or "present when masqlint was adopted"
    written: list[tuple[str, int]] = []
    left: list[tuple[str, str]] = []
    late = None
    for o in outcomes:
        res = o.result
        if not res.findings:
            continue
        path = res.path
        if path == "-" or not os.path.isfile(path):
            left.append((path, "not a file on disk"))
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            left.append((path, "not UTF-8"))
            continue
        if text != res.text:
            left.append((path, "it changed since it was checked"))
            continue
        by_line: dict[int, set[str]] = {}
        for f in res.findings:
            by_line.setdefault(f.span.line, set()).add(f.rule)
        p = prepare(path, path, opts, data=data)
        if p.data is None:
            left.append((path, "it is not read as holding an agent config"))
            continue
        settings, standalone = p.settings, p.standalone
        if late is None:
            late = _late_rules()
        expected = sum(1 for f in res.findings if f.rule not in late)

        def clean(new: str, lines: dict[int, set[str]], path=path, settings=settings, standalone=standalone,
                  late=late, expected=expected) -> bool:
            after = lint_bytes(path, new.encode("utf-8"), settings, standalone, path)
            rest = [f for f in after.findings if not (f.rule == "MQ005" and lines.get(f.span.line, set()) & late)]
            return not rest and after.suppressed >= expected

        new = commented(text, by_line, reason)
        if new is not None and clean(new, by_line):
            write_atomic(path, new.encode("utf-8"), data)
            written.append((path, len(by_line)))
            continue
        # a comment at the end of some line would change the YAML (inside a plain multi-line scalar,
        # in JSON): one comment for the whole file at its top, when the file can take one
        rules = sorted({f.rule for f in res.findings})
        nl = "\r\n" if "\r\n" in text else "\n"
        top = f"# masqlint: disable-file={','.join(rules)} -- {reason}{nl}"
        if not text.lstrip().startswith(("{", "[")) and clean(top + text, {1: set(rules)}):
            write_atomic(path, (top + text).encode("utf-8"), data)
            written.append((path, 1))
            continue
        left.append((path, "a comment would change what the file means (JSON, or a line inside a multi-line value)"))
    return written, left
