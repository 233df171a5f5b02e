"""Forms: the kinds of file that hold agent configs. ``read_forms`` turns one file into the agent
configs it holds (``forms.embedded.AgentConfig``: the config text and a map back to the file's own lines),
so that everything after this stage is the same for every form."""

from __future__ import annotations

from masqlint.forms import manifest, standalone as standalone_form
from masqlint.forms.embedded import AgentConfig
from masqlint.forms.manifest import ParsedFile
from masqlint.text.source import SourceFile


def read_forms(source: SourceFile, standalone: bool | None = None) -> tuple[ParsedFile, list[AgentConfig], bool]:
    """The parsed file, the agent configs in it, and whether the file is itself an agent config.

    ``standalone``: True when settings name the file an agent config, None to decide by content."""
    pf = manifest.parse_manifest(source)
    if standalone is None:
        standalone = standalone_form.looks_standalone(pf)
    if standalone:
        return pf, [standalone_form.standalone_config(source)], True
    manifest.find_configs(pf)
    if pf.yaml_error is not None and not pf.configs:
        manifest.recover_configs(pf)
    return pf, pf.configs, False
