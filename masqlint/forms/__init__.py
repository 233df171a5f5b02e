"""Forms: the kinds of file that hold agent configs.

A form reader turns one file into the agent configs it holds (``forms.embedded.AgentConfig``: the
config text and a map back to the file's own lines), plus file-level notes (``checks.Problem`` with a
``Span``, for instance a reference that leaves the repository). Everything after this stage is the
same for every form. Adding a form is one module with ``claims`` and ``read`` (returning
``forms.base.FormRead``) and one line in ``READERS``; manifests and standalone agent files are the
fallback for every other file.
"""

from __future__ import annotations

import os

from masqlint.forms import cilium, egressnat, kustomize, manifest, markdown, templated
from masqlint.forms.base import OTHER, FormRead, Reader, Unit, suffix  # noqa: F401 - Unit: a name of the package
from masqlint.forms import standalone as standalone_form
from masqlint.pipeline.wanted import WALK_SUFFIXES, walk_wants  # noqa: F401  (re-exported)
from masqlint.text.source import SourceFile




# Forms tried in order before the manifest / standalone fallback.
READERS: list[Reader] = []
READERS.append(Reader("kustomize", kustomize.claims, kustomize.read))
READERS.append(Reader("markdown", markdown.claims, markdown.read))
READERS.append(Reader("cilium", cilium.claims, cilium.read))
READERS.append(Reader("helm", templated.claims_go, templated.read_go))
READERS.append(Reader("jinja", templated.claims_jinja, templated.read_jinja))

YAML_SUFFIXES = (".yaml", ".yml", ".json")
# Files never read as YAML by the fallback: other forms' files (when no reader of theirs claims one)
# and code. A file of another extension, or none, is read when its content is an agent config.
NOT_YAML = frozenset(s for s in WALK_SUFFIXES if s not in YAML_SUFFIXES) | frozenset(
    (".sh", ".bash", ".zsh", ".ps1", ".py", ".go", ".js", ".ts", ".rb", ".java", ".rs", ".c", ".h", ".hcl", ".toml",
     ".ini", ".cfg", ".txt", ".rst", ".html", ".xml", ".csv", ".lock"))

READERS.append(Reader("egressnat", egressnat.claims, egressnat.read))

from masqlint.forms import terraform  # noqa: E402

READERS.append(Reader("terraform", terraform.claims, terraform.read))


def form_by_name(name: str) -> str:
    """The form a file is of by its name alone (for a file whose text cannot be decoded)."""
    return next((r.name for r in READERS if r.name in ("kustomize", "markdown", "terraform") and r.claims(name, "")), "manifest")


def form_names() -> list[str]:
    """Every form masqlint reads, in the order they are tried."""
    return [r.name for r in READERS] + ["manifest", "standalone"]


def forms_in_force(disabled=frozenset()) -> dict[str, bool]:
    """Each form and whether settings leave it on (for --show-config)."""
    return {name: name not in disabled for name in form_names()}


def read_forms(source: SourceFile, standalone: bool | None = None, disabled=frozenset()) -> FormRead:
    """The agent configs in one file.

    ``standalone``: True when settings name the file an agent config, None to decide by content.
    ``disabled``: names of forms settings turned off. A file whose name says neither YAML nor JSON
    and that no form claims is read only when its content is a manifest holding an agent config or
    an agent config; otherwise it is of no form masqlint reads (``OTHER``)."""
    name = source.fspath or source.path
    if not standalone and source.text is not None:
        for reader in READERS:
            if reader.claims(name, source.text):
                if reader.name in disabled:
                    return FormRead(OTHER, [], None)  # turned off: not read, and not misread as another form
                return reader.read(source)
    if suffix(name) in NOT_YAML and not standalone:
        return FormRead(OTHER, [], None)  # another form's file (no reader claimed it) or code: never read as YAML
    pf = manifest.parse_manifest(source)
    yamlish = suffix(name) in YAML_SUFFIXES or source.path == "-" or (source.fspath is None and not suffix(name))
    if standalone is None:
        standalone = standalone_form.looks_standalone(pf) and (yamlish or pf.yaml_error is None)
        if standalone and _helm_values(source):
            standalone = False
    if standalone:
        if "standalone" in disabled:
            return FormRead(OTHER, [], None)
        return FormRead("standalone", [standalone_form.standalone_config(source)], pf, True)
    if "manifest" in disabled:
        return FormRead(OTHER, [], None)
    if not pf.configs:
        manifest.find_configs(pf)
    if not yamlish and (pf.yaml_error is not None or not pf.configs):
        return FormRead(OTHER, [], None)  # a script, a module, a config of another tool: not ours to read
    if pf.yaml_error is not None and not pf.configs:
        manifest.recover_configs(pf)
    owner = kustomize.namespace_from_owner(pf.configs, source.fspath) if pf.configs and source.fspath else None
    return FormRead("manifest", pf.configs, pf, units=[owner] if owner is not None else None)


def _helm_values(source: SourceFile) -> bool:
    """A Helm chart's values file (``values*.yaml`` beside ``Chart.yaml``): its keys are the chart's
    settings, not an agent config, even when one of them is called ``masqLinkLocal``."""
    if not source.fspath:
        return False
    base = os.path.basename(source.fspath).lower()
    if not base.startswith("values") or not base.endswith((".yaml", ".yml")):
        return False
    return os.path.exists(os.path.join(os.path.dirname(os.path.abspath(source.fspath)), "Chart.yaml"))
