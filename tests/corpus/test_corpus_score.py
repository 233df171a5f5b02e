"""The gate on the labelled corpus: masqlint, run as a user runs it, finds the labelled problems
(recall) and little else (precision), in every form it reads."""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_precision_and_recall_on_the_corpus_are_at_least_95_percent():
    r = subprocess.run(
        [sys.executable, os.path.join(HERE, "score.py"), "--verbose", "--min-precision", "0.95", "--min-recall", "0.95"],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    total = [line for line in r.stdout.splitlines() if line.startswith("TOTAL")]
    assert total, r.stdout
    labels = int(total[0].split()[2])
    assert labels >= 50, total[0]  # the gate means something only with the labels there
