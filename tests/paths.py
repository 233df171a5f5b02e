"""Where the tests' data lives: everything under tests/data, inside the repository.

A missing data directory is a failure of the checkout, never a reason to collect nothing."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
EXAMPLES = REPO / "examples"
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"


def conformance(agent: str) -> Path:
    """The recorded behaviour of one agent (ip-masq-agent, cilium, azure); fails when absent."""
    path = DATA / "conformance" / agent
    cases = list(path.glob("*.json")) if path.is_dir() else []
    if not cases:
        raise FileNotFoundError(f"recorded cases missing: {path} holds no *.json case")
    return path


CONFORMANCE = conformance("ip-masq-agent")
