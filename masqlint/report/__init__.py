"""Output formats for a lint run.

Each format lives in its own module and is imported only when it is used, so that
``import masqlint.report`` stays cheap.  Every module exposes the same function::

    render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str

The returned text is the complete output: every line, the last one included, ends
with a newline, and an output with nothing to say is the empty string.  Write it
as is (``sys.stdout.write``), without adding a newline.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing's own flag, without importing typing

if TYPE_CHECKING:  # pragma: no cover
    from masqlint.engine.findings import RunResult

__all__ = ["FORMATS", "DEFAULT_FORMAT", "render"]

#: Output formats in the order they are documented; the first one is the default.
FORMATS: tuple[str, ...] = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
DEFAULT_FORMAT = "text"


def render(fmt: str, result: "RunResult", *, color: bool = False, tool_version: str = "",
           sarif_all_rules: bool = False) -> str:
    """Render `result` in the output format `fmt` (one of `FORMATS`).

    `color` asks for ANSI colours; only the ``text`` format uses them.
    `tool_version` is the version reported by formats that carry one (SARIF);
    empty means the version of this package. `sarif_all_rules` describes every rule of the
    catalog in SARIF, not only the rules its results use.
    Raises ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})")

    module = import_module(f"{__name__}.{fmt}")
    if fmt == "sarif" and sarif_all_rules:
        return module.render(result, color=color, tool_version=tool_version, all_rules=True)
    return module.render(result, color=color, tool_version=tool_version)
