"""What every form reader shares: the answer it gives (``FormRead``, ``Unit``), its registration
(``Reader``) and the extension test most ``claims`` functions start with."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import Any

    from masqlint.forms.embedded import AgentConfig
    from masqlint.forms.manifest import ParsedFile
    from masqlint.text.source import SourceFile

OTHER = "other"  # a file of no form masqlint reads (a shell script, a Python module, …)


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

    __slots__ = ("configs", "form", "masked", "notes", "parsed", "policies", "standalone", "units", "unknown")

    def __init__(self, form: str, configs: list[AgentConfig], parsed: ParsedFile | None = None,
                 standalone: bool = False, notes: list[Any] | None = None, policies: list[Any] | None = None,
                 units: list[Unit] | None = None, unknown: list | None = None, masked: list | None = None):
        self.form = form
        self.configs = configs
        self.parsed = parsed  # the YAML view of the file, when it was read as YAML
        self.standalone = standalone
        self.notes = notes if notes is not None else []  # file-level checks.Problem, each with a Span
        self.policies = policies if policies is not None else []  # forms.egressnat.Policy (GKE Autopilot)
        self.units = units if units is not None else []  # texts linted as files of their own
        # outer-file ranges whose value comes from a template, and of template markup: findings that
        # start there are not reported (forms.template)
        self.unknown = unknown if unknown is not None else []
        self.masked = masked if masked is not None else []


class Reader:
    """A form: ``claims(display_name, text)`` says cheaply whether the file is of this form;
    ``read(source)`` reads it."""

    __slots__ = ("claims", "name", "read")

    def __init__(self, name: str, claims: Callable[[str, str], bool], read: Callable[[SourceFile], FormRead]):
        self.name = name
        self.claims = claims
        self.read = read


def suffix(name: str) -> str:
    """The file name's extension, lower case, with its dot (``.tf``); "" when it has none."""
    return os.path.splitext(name)[1].lower()
