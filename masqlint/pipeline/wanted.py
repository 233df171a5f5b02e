"""Which files a directory walk reads: cheap, by name only (imports nothing heavy; discovery uses it
before any file is opened). What a file holds is decided later, by the forms and their content."""

from __future__ import annotations

import os

# Files a walk reads, by extension, and the form each extension belongs to (a walk also reads
# files whose name holds `masq`, and `config` in a directory whose name holds `masq`: see
# ``walk_wants``). Turning a form off in settings leaves its files unread.
WALK_SUFFIXES: dict[str, tuple[str, ...]] = {
    ".yaml": ("manifest", "standalone", "helm", "jinja", "cilium", "kustomize"),
    ".yml": ("manifest", "standalone", "helm", "jinja", "cilium", "kustomize"),
    ".json": ("manifest", "standalone"),
    ".tpl": ("helm", "terraform"),
    ".tmpl": ("helm", "terraform"),
    ".gotmpl": ("helm",),
    ".j2": ("jinja",),
    ".jinja": ("jinja",),
    ".jinja2": ("jinja",),
    ".tf": ("terraform",),
    ".md": ("markdown",),
    ".markdown": ("markdown",),
}


def walk_wants(name: str, parent: str, disabled=frozenset()) -> bool:
    """Does a directory walk read the file ``name`` in the directory ``parent`` (its path as the walk
    shows it: a `config` file below a directory whose name holds `masq` is read)?"""
    low = name.lower()
    forms = WALK_SUFFIXES.get(os.path.splitext(low)[1])
    if forms is not None and (not disabled or any(f not in disabled for f in forms)):
        return True
    if "masq" in name or "ip-masc" in name:
        # ip-masq-agent.conf, configmap-ip-masc-agent (sic), …: confirmed by content. Lower case, as the
        # agents spell their files (ip-masq-agent-v2 reads ip-masq*, never IP-MASQ-AGENT)
        return True
    return low == "config" and "masq" in parent  # upstream's agent-config/config
