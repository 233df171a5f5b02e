"""Forms: the kinds of file that hold agent configs.

A form reader turns one file into the agent configs it holds (``forms.embedded.AgentConfig``: the
config text and a map back to the file's own lines), plus file-level notes (``checks.Problem`` with a
``Span``, for instance a reference that leaves the repository). Everything after this stage is the
same for every form. Adding a form is one module with ``claims`` and ``read`` and one line in
``READERS``; manifests and standalone agent files are the fallback for every other file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from masqlint.forms import kustomize, manifest, markdown
from masqlint.forms import standalone as standalone_form
from masqlint.forms.embedded import AgentConfig
from masqlint.forms.manifest import ParsedFile
from masqlint.text.source import SourceFile


class Unit:
    """A piece of text linted as a file of its own: a file the form refers to (``place`` None: its
    findings name that file), or a region of this file such as a Markdown fence (``place`` maps the
    unit's positions back to this file's lines; ``forms.place.Placement``)."""

    __slots__ = ("place", "source", "standalone")

    def __init__(self, source: SourceFile, standalone: bool | None, place: Any = None):
        self.source = source
        self.standalone = standalone
        self.place = place


class FormRead:
    """What a form reader found in one file."""

    __slots__ = ("configs", "form", "notes", "parsed", "policies", "standalone", "units")

    def __init__(self, form: str, configs: list[AgentConfig], parsed: ParsedFile | None = None,
                 standalone: bool = False, notes: list[Any] | None = None, policies: list[Any] | None = None,
                 units: list[Unit] | None = None):
        self.form = form
        self.configs = configs
        self.parsed = parsed  # the YAML view of the file, when it was read as YAML
        self.standalone = standalone
        self.notes = notes if notes is not None else []  # file-level checks.Problem, each with a Span
        self.policies = policies if policies is not None else []  # forms.egressnat.Policy (GKE Autopilot)
        self.units = units if units is not None else []  # texts linted as files of their own


class Reader:
    """A form: ``claims(display_name, text)`` says cheaply whether the file is of this form;
    ``read(source)`` reads it."""

    __slots__ = ("claims", "name", "read")

    def __init__(self, name: str, claims: Callable[[str, str], bool], read: Callable[[SourceFile], FormRead]):
        self.name = name
        self.claims = claims
        self.read = read


# Forms tried in order before the manifest / standalone fallback.
READERS: list[Reader] = []
READERS.append(Reader("kustomize", kustomize.claims, kustomize.read))
READERS.append(Reader("markdown", markdown.claims, markdown.read))

from masqlint.forms import egressnat  # noqa: E402

READERS.append(Reader("egressnat", egressnat.claims, egressnat.read))


def form_by_name(name: str) -> str:
    """The form a file is of by its name alone (for a file whose text cannot be decoded)."""
    return next((r.name for r in READERS if r.name in ("kustomize", "markdown") and r.claims(name, "")), "manifest")


def form_names() -> list[str]:
    return [r.name for r in READERS] + ["manifest", "standalone"]


def read_forms(source: SourceFile, standalone: bool | None = None) -> FormRead:
    """The agent configs in one file.

    ``standalone``: True when settings name the file an agent config, None to decide by content."""
    if not standalone and source.text is not None:
        name = source.fspath or source.path
        for reader in READERS:
            if reader.claims(name, source.text):
                return reader.read(source)
    pf = manifest.parse_manifest(source)
    if standalone is None:
        standalone = standalone_form.looks_standalone(pf)
    if standalone:
        return FormRead("standalone", [standalone_form.standalone_config(source)], pf, True)
    manifest.find_configs(pf)
    if pf.yaml_error is not None and not pf.configs:
        manifest.recover_configs(pf)
    owner = kustomize.namespace_from_owner(pf.configs, source.fspath) if pf.configs and source.fspath else None
    return FormRead("manifest", pf.configs, pf, units=[owner] if owner is not None else None)


def suffix(name: str) -> str:
    """The file name's extension, lower case, with its dot (``.tf``); "" when it has none."""
    return os.path.splitext(name)[1].lower()
