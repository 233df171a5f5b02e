"""Where the shipped data lives: ``masqlint/_data`` in a wheel, the repository top level in a checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """``schemas`` or ``rules``."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"masqlint data directory {name!r} is missing from the installation")


def schema_path(name: str) -> Path:
    return data_dir("schemas") / name
