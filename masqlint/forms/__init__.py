"""Forms: the kinds of file that hold agent configs.

A form reader turns one file into the agent configs it holds (``forms.embedded.AgentConfig``: the
config text and a map back to the file's own lines), plus file-level notes (``checks.Problem`` with a
``Span``, for instance a reference that leaves the repository). Everything after this stage is the
same for every form. Adding a form is one module with ``claims`` and ``read`` (returning
``forms.base.FormRead``) and one line in ``READERS``; manifests and standalone agent files are the
fallback for every other file.
"""

from __future__ import annotations

import importlib
import os

from masqlint.forms import claims, manifest
from masqlint.forms.base import OTHER, FormRead, Reader, Unit, suffix  # noqa: F401 - Unit: a name of the package
from masqlint.forms import standalone as standalone_form
from masqlint.pipeline.wanted import WALK_SUFFIXES, walk_wants  # noqa: F401  (re-exported)

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from masqlint.text.source import SourceFile


def reader_of(module: str, function: str = "read"):
    """``module.function``, imported when a file of the form is read: deciding a file's form
    (``forms.claims``) loads no reader, so a plain manifest never loads the others."""
    def read(source: SourceFile) -> FormRead:
        return getattr(importlib.import_module(module), function)(source)

    read.__qualname__ = read.__name__ = f"{module}.{function}"
    return read


# Forms tried in order before the manifest / standalone fallback.
READERS: list[Reader] = []
READERS.append(Reader("kustomize", claims.kustomize, reader_of("masqlint.forms.kustomize")))
READERS.append(Reader("markdown", claims.markdown, reader_of("masqlint.forms.markdown")))
READERS.append(Reader("cilium", claims.cilium, reader_of("masqlint.forms.cilium")))
READERS.append(Reader("helm", claims.helm, reader_of("masqlint.forms.templated", "read_go")))
READERS.append(Reader("jinja", claims.jinja, reader_of("masqlint.forms.templated", "read_jinja")))

YAML_SUFFIXES = (".yaml", ".yml", ".json")
# Files never read as YAML by the fallback: other forms' files (when no reader of theirs claims one)
# and code. A file of another extension, or none, is read when its content is an agent config.
NOT_YAML = frozenset(s for s in WALK_SUFFIXES if s not in YAML_SUFFIXES) | frozenset(
    (".sh", ".bash", ".zsh", ".ps1", ".py", ".go", ".js", ".ts", ".rb", ".java", ".rs", ".c", ".h", ".hcl", ".toml",
     ".ini", ".cfg", ".txt", ".rst", ".html", ".xml", ".csv", ".lock"))

READERS.append(Reader("egressnat", claims.egressnat, reader_of("masqlint.forms.egressnat")))
READERS.append(Reader("terraform", claims.terraform, reader_of("masqlint.forms.terraform")))


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
    owner = None
    if pf.configs and source.fspath and _beside_a_kustomization(source.fspath):
        from masqlint.forms.kustomize import namespace_from_owner  # noqa: PLC0415 - lazy: only beside a kustomization

        owner = namespace_from_owner(pf.configs, source.fspath)
    return FormRead("manifest", pf.configs, pf, units=[owner] if owner is not None else None)


def _beside_a_kustomization(fspath: str) -> bool:
    directory = os.path.dirname(fspath)
    return any(os.path.lexists(os.path.join(directory, n)) for n in claims.KUSTOMIZATION_NAMES)


def _helm_values(source: SourceFile) -> bool:
    """A Helm chart's values file (``values*.yaml`` beside ``Chart.yaml``): its keys are the chart's
    settings, not an agent config, even when one of them is called ``masqLinkLocal``."""
    if not source.fspath:
        return False
    base = os.path.basename(source.fspath).lower()
    if not base.startswith("values") or not base.endswith((".yaml", ".yml")):
        return False
    return os.path.exists(os.path.join(os.path.dirname(os.path.abspath(source.fspath)), "Chart.yaml"))
