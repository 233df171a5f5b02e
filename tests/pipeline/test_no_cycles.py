"""A run keeps the cyclic GC off (pipeline.runner.run): that holds only while linting a file leaves no
reference cycles behind, or a long walk would keep every file's garbage until the run ends."""

from __future__ import annotations

import gc

from masqlint.config.settings import defaults
from masqlint.pipeline.runner import lint_bytes
from tests.paths import REPO, TESTS

SUFFIXES = (".yaml", ".yml", ".json", ".md", ".tf")


def _files():
    roots = [TESTS / "corpus", REPO / "examples"]
    return sorted(p for r in roots for p in r.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))


def test_linting_leaves_no_reference_cycles():
    files = _files()
    forms = {p.suffix for p in files}
    assert len(files) > 50 and {".yaml", ".md", ".tf"} <= forms, (len(files), forms)
    settings = defaults()
    for p in files:  # once to load what the forms need (a first import makes cycles of its own)
        lint_bytes(str(p), p.read_bytes(), settings, None, str(p))
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        left = {}
        for p in files:
            lint_bytes(str(p), p.read_bytes(), settings, None, str(p))
            n = gc.collect()
            if n:
                left[str(p.relative_to(REPO))] = n
    finally:
        if was_on:
            gc.enable()
    assert left == {}, f"objects left in reference cycles, by file: {left}"
