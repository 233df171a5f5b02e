"""Machine-readable JSON; the keys are a stable contract::

    {"findings": [...], "files_checked": N, "configs_found": M, "suppressed": S}

Each finding is `Finding.to_dict()`.
"""

from __future__ import annotations

import json

from masqlint.engine.findings import RunResult
from masqlint.report._common import ordered


def render(result: RunResult, *, color: bool = False, tool_version: str = "") -> str:
    document = {
        "findings": [finding.to_dict() for _file, finding in ordered(result)],
        "files_checked": result.files_checked,
        "configs_found": result.configs_found,
        "suppressed": result.suppressed,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
