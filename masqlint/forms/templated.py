"""Templates of manifests and agent configs: Helm charts and aks-engine parts (Go templates),
Ansible ``.j2`` (Jinja), Terraform ``.tpl`` / ``.tmpl`` (``%{ }``, ``${ }``).

The markup is masked (``forms.template``): the text keeps every offset, the literal YAML around
the markup is read as a manifest or a standalone config at its own lines, and what the template
decides is unknown to the rules.
"""

from __future__ import annotations

from masqlint.forms import manifest
from masqlint.forms import standalone as standalone_form
from masqlint.forms.embedded import AgentConfig
from masqlint.forms.template import Masked, mask
from masqlint.text.source import SourceFile, node_range
from masqlint.forms.base import FormRead
from masqlint.forms.claims import TEMPLATED_FORMS, helm as claims_go, jinja as claims_jinja, template_syntax as syntax_of  # noqa: F401 - claims: this form's


def read_go(source: SourceFile):
    name = source.fspath or source.path
    syntax = syntax_of(name, source.text or "") or "go"
    return read_template(source, syntax, "helm" if syntax == "go" else "template")


def read_jinja(source: SourceFile):
    return read_template(source, "jinja", "jinja")


def read_template(source: SourceFile, syntax: str, form: str):
    """Read a template of a manifest or of an agent config (``syntax`` as ``forms.template.mask``)."""
    m = mask(source.text or "", syntax)
    masked_source = source.replace(text=m.text, _index=None)
    pf = manifest.parse_manifest(masked_source)
    pf.original = source.text
    pf.unknown = m.unknown
    if standalone_form.looks_standalone(pf):
        cfg = standalone_form.standalone_config(masked_source)
        configs = [cfg]
        is_standalone = True
    else:
        manifest.find_configs(pf)
        if pf.yaml_error is not None and not pf.configs:
            manifest.recover_configs(pf)
        configs = pf.configs
        is_standalone = False
    for cfg in configs:
        cfg.form = form
        mark_config(cfg, m)
    return FormRead(form, configs, pf, is_standalone, unknown=m.unknown, masked=m.masked)


def mark_config(cfg: AgentConfig, m: Masked) -> None:
    """Carry the template's unknown ranges and open lists over to one config found in the masked text."""
    if cfg.text is None:
        return
    outer = _outer_extent(cfg)
    if outer is None:
        return
    if m.open_within(*outer):
        cfg.open_list = True
    if m.is_unknown(*outer):
        cfg.unknown = tuple(inner_ranges(cfg, m.unknown))


def _outer_extent(cfg: AgentConfig) -> tuple[int, int] | None:
    loc = cfg.locator
    if loc.line_offsets is None and loc.config_index is None:
        return 0, len(cfg.text or "")
    if cfg.config_value_node is not None:
        return node_range(cfg.config_value_node) if loc.line_offsets is None else _block_extent(cfg)
    if loc.line_offsets:
        return _block_extent(cfg)
    return None


def _block_extent(cfg: AgentConfig) -> tuple[int, int]:
    """Outer offsets from the config's first character to the end of its last non-blank line (blanks
    that a masked line handed to the line before are not the config's)."""
    offs = cfg.locator.line_offsets or [0]
    cidx = cfg.locator.config_index
    for i in range(len(offs), 0, -1):
        last = cidx.line_text(i).rstrip() if cidx is not None else ""
        if last:
            return offs[0], offs[i - 1] + len(last)
    return offs[0], offs[0]


def inner_ranges(cfg: AgentConfig, outer: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Outer-file ranges → ranges of the config text (each line of the config maps to its own line)."""
    loc = cfg.locator
    text = cfg.text or ""
    if loc.line_offsets is None and loc.config_index is None:
        return list(outer)  # the config is the file
    if loc.line_offsets is None:
        # a quoted or folded string: positions inside cannot be mapped; if any part is unknown, all is
        r = node_range(cfg.config_value_node) if cfg.config_value_node is not None else None
        if r and any(a < r[1] and r[0] < b for a, b in outer):
            return [(0, len(text))]
        return []
    cidx = loc.config_index
    if cidx is None:
        return []
    out = []
    starts = cidx.starts
    for i, off in enumerate(loc.line_offsets):
        a_in = starts[i]
        line_len = len(cidx.line_text(i + 1))
        for a, b in outer:
            lo, hi = max(a, off), min(b, off + line_len)
            if lo < hi:
                out.append((a_in + lo - off, a_in + hi - off))
    return out
