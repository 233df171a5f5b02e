#!/usr/bin/env python3
"""Score masqlint against the labelled corpus in this directory.

Runs ``python -m masqlint check --format json`` over the corpus the way a user runs it on a
repository (a walk, settings files found upward from each file, no --no-config), then matches
every finding to the labels of expected.yaml by (path, rule, line). A label may appear more
than once on a line; matching counts them. Findings in files that expected.yaml does not list
count as false positives too.

    python tests/corpus/score.py [--verbose] [--min-precision P] [--min-recall R]

Prints labels, found, true positives, false positives, misses, precision and recall per form
and in total. Exit status is 0, or 1 when a threshold is given and not met (2 when masqlint
itself could not be run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected.yaml")
# The harness itself lives in the corpus directory; it is not part of the measured tree.
HARNESS = ("expected.yaml", "score.py", "test_corpus_data.py", "test_corpus_score.py")
SETTINGS = (".masqlint.yaml",)
LABEL = re.compile(r"^(MQ\d{3}):([1-9]\d*)$")


def load_expected(path: str = EXPECTED) -> dict[str, dict]:
    """path -> {"form": str, "findings": Counter[(rule, line)]}."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    out = {}
    for rel, entry in data.items():
        counts: Counter = Counter()
        for label in entry.get("findings") or []:
            m = LABEL.match(str(label))
            if not m:
                raise ValueError(f"{rel}: bad label {label!r} (expected RULE:LINE such as MQ201:14)")
            counts[(m.group(1), int(m.group(2)))] += 1
        out[rel] = {"form": entry["form"], "findings": counts}
    return out


def run_masqlint(corpus: str = HERE) -> list[dict]:
    """Findings of one masqlint walk over the corpus, paths relative to the corpus."""
    cmd = [sys.executable, "-m", "masqlint", "check", "--format", "json", "--fail-on", "error", "--color", "never"]
    for name in HARNESS:
        cmd += ["--exclude", name]
    cmd.append(".")
    proc = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"masqlint exited {proc.returncode}:\n{proc.stderr.strip()}")
    report = json.loads(proc.stdout)
    findings = report["findings"] if isinstance(report, dict) else report
    out = []
    for f in findings:
        path = f.get("path") or ""
        rel = os.path.relpath(os.path.join(corpus, path), corpus).replace(os.sep, "/")
        out.append({"path": rel, "rule": f.get("rule"), "line": f.get("line"), "message": f.get("message", "")})
    return out


def score(expected: dict[str, dict], findings: list[dict]):
    """Per form: Counter of labels/found/tp/fp/fn, plus the lists of false positives and misses."""
    got: dict[str, Counter] = {}
    messages: dict[tuple, str] = {}
    for f in findings:
        got.setdefault(f["path"], Counter())[(f["rule"], f["line"])] += 1
        messages.setdefault((f["path"], f["rule"], f["line"]), f["message"])
    stats: dict[str, Counter] = {}
    fps, misses = [], []
    for path in sorted(set(expected) | set(got)):
        form = expected[path]["form"] if path in expected else "unlisted"
        want = expected[path]["findings"] if path in expected else Counter()
        have = got.get(path, Counter())
        s = stats.setdefault(form, Counter())
        s["files"] += 1
        s["labels"] += sum(want.values())
        s["found"] += sum(have.values())
        tp = want & have
        s["tp"] += sum(tp.values())
        for (rule, line), n in sorted((have - want).items()):
            s["fp"] += n
            fps.extend([(path, rule, line, messages.get((path, rule, line), ""))] * n)
        for (rule, line), n in sorted((want - have).items()):
            s["fn"] += n
            misses.extend([(path, rule, line)] * n)
    return stats, fps, misses


def ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def table(stats: dict[str, Counter]) -> tuple[str, float, float]:
    total: Counter = Counter()
    for s in stats.values():
        total.update(s)
    head = f"{'form':<12}{'files':>6}{'labels':>8}{'found':>7}{'tp':>5}{'fp':>5}{'miss':>6}{'precision':>11}{'recall':>8}"
    rows = [head, "-" * len(head)]
    for form, s in sorted(stats.items()) + [("TOTAL", total)]:
        if form == "TOTAL":
            rows.append("-" * len(head))
        p, r = ratio(s["tp"], s["found"]), ratio(s["tp"], s["labels"])
        rows.append(f"{form:<12}{s['files']:>6}{s['labels']:>8}{s['found']:>7}{s['tp']:>5}{s['fp']:>5}{s['fn']:>6}"
                    f"{p:>10.1%}{r:>9.1%}")
    return "\n".join(rows), ratio(total["tp"], total["found"]), ratio(total["tp"], total["labels"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="list every false positive and miss")
    ap.add_argument("--min-precision", type=float, metavar="P", help="exit 1 when total precision is below P (0..1)")
    ap.add_argument("--min-recall", type=float, metavar="R", help="exit 1 when total recall is below R (0..1)")
    args = ap.parse_args(argv)
    expected = load_expected()
    try:
        findings = run_masqlint()
    except (RuntimeError, ValueError) as err:
        print(f"score.py: cannot run masqlint: {err}", file=sys.stderr)
        return 2
    stats, fps, misses = score(expected, findings)
    text, precision, recall = table(stats)
    print(text)
    if args.verbose:
        print(f"\nfalse positives ({len(fps)}):")
        for path, rule, line, msg in fps:
            print(f"  {path}:{line} {rule} {msg[:140]}")
        print(f"\nmisses ({len(misses)}):")
        for path, rule, line in misses:
            print(f"  {path}:{line} {rule}")
    failed = []
    if args.min_precision is not None and precision < args.min_precision:
        failed.append(f"precision {precision:.1%} < {args.min_precision:.1%}")
    if args.min_recall is not None and recall < args.min_recall:
        failed.append(f"recall {recall:.1%} < {args.min_recall:.1%}")
    if failed:
        print("\nbelow threshold: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
