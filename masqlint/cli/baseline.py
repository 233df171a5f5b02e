"""A baseline: the findings a repository had when masqlint was adopted, so that later runs report
only new ones. Each finding is recorded by a fingerprint of its rule, its file (relative to the
baseline file) and the text it points at, never its line number, so that lines added above it do
not make it new again; equal fingerprints are counted, so a second copy of an old problem is new.

    {"version": 1, "findings": [{"rule": "MQ306", "path": "clusters/prod/cm.yaml",
                                 "fingerprint": "…", "message": "…"}, …]}
"""

from __future__ import annotations

import json
import os
from collections import Counter

from masqlint.engine.findings import FileResult, Finding, RunResult
from masqlint.report._common import SourceLines, clean_span, digest, locator, ordered

VERSION = 1


class BaselineError(Exception):
    pass


def _relpath(path: str, base_dir: str) -> str:
    if path == "-":
        return path
    try:
        return os.path.relpath(os.path.abspath(path), base_dir).replace(os.sep, "/")
    except ValueError:
        return path.replace(os.sep, "/")


def fingerprints(result: RunResult, baseline_path: str) -> list[tuple[FileResult, Finding, str, str]]:
    """(file, finding, relative path, fingerprint) for every finding, in report order."""
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    sources = SourceLines()
    out = []
    for file, finding in ordered(result):
        span = clean_span(finding.span)
        rel = _relpath(finding.path, base_dir)
        # a grouped finding (one entry making others redundant) is new when its group changes
        group = [what for _sp, what in finding.related]
        out.append((file, finding, rel, digest("baseline", finding.rule, rel, locator(sources.line(file, span.line), span),
                                               *group)))
    return out


def write(result: RunResult, path: str) -> int:
    entries = [{"rule": f.rule, "path": rel, "fingerprint": fp, "message": f.message}
               for _file, f, rel, fp in fingerprints(result, path)]
    doc = {"version": VERSION, "findings": entries}
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)
    return len(entries)


def load(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as e:
        raise BaselineError(f"{path}: cannot read the baseline: {e.strerror or e} (write one with --write-baseline)") from None
    except ValueError as e:
        raise BaselineError(f"{path}: not a masqlint baseline: {e}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a masqlint baseline (version {VERSION} with a findings list)")
    try:
        return Counter(str(e["fingerprint"]) for e in doc["findings"])
    except (KeyError, TypeError):
        raise BaselineError(f"{path}: not a masqlint baseline: every finding needs a fingerprint") from None


def apply(result: RunResult, path: str) -> int:
    """Drop the findings the baseline records (each recorded one once); they count as suppressed."""
    known = load(path)
    gone: set[int] = set()
    for file, finding, _rel, fp in fingerprints(result, path):
        if known[fp] > 0:
            known[fp] -= 1
            gone.add(id(finding))
            file.suppressed += 1
    if gone:
        for file in result.files:
            file.findings = [f for f in file.findings if id(f) not in gone]
    return len(gone)
