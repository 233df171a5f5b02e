"""MQ310–MQ311: what the Terraform form found in the markup around a config."""

from __future__ import annotations

from collections.abc import Iterator

from masqlint.checks import CONFIG, FILE, Problem, register

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from masqlint.engine.lint import ConfigContext, FileContext


@register("MQ310", CONFIG)
def templated_empty_list(ctx: ConfigContext) -> Iterator[Problem]:
    """The form rendered the template again with each list variable empty (forms.terraform)."""
    for p in ctx.config.template_notes:
        if p.rule == "MQ310":
            yield p


@register("MQ311", FILE)
def hcl_syntax(fctx: FileContext) -> Iterator[Problem]:
    for p in fctx.notes:
        if p.rule == "MQ311":
            yield p
