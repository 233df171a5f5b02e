"""MQ007 unread-form, MQ106 disabled-config: what the form readers found about a file as a whole."""

from __future__ import annotations

import os
from collections.abc import Iterator

from masqlint.engine.findings import Span
from masqlint.checks import FILE, Problem, register
from masqlint.forms import OTHER

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from masqlint.engine.lint import ConfigContext, FileContext


@register("MQ007", FILE)
def unread_form(fctx: FileContext) -> Iterator[Problem]:
    if fctx.form != OTHER or not fctx.explicit:
        return
    name = os.path.basename(fctx.source.path) or fctx.source.path
    off = sorted(fctx.settings.disabled_forms)
    why = f" (settings turn off the form{'s' if len(off) > 1 else ''} {', '.join(off)})" if off else ""
    yield Problem(
        f"`{name}` is not a form masqlint reads{why}: it is neither a manifest nor an agent config, nor a "
        "template, values file or other form that holds one, so nothing in it was checked",
        at=Span(1, 1, 1, 1),
    )


@register("MQ106")
def disabled_config(ctx: ConfigContext) -> Iterator[Problem]:
    at = getattr(ctx.config, "disabled_at", None)
    if at is None:
        return
    state = getattr(ctx.config, "disabled_state", "absent")
    what = "`ipMasqAgent.enabled` is false" if state == "false" else "`ipMasqAgent.enabled` is not set (the chart's default is false)"
    yield Problem(
        f"{what}: Cilium does not run its ip-masq-agent and this `ipMasqAgent.config` has no effect. It is checked "
        "as if enabled; set `ipMasqAgent.enabled: true` where it is meant to apply",
        at=ctx.source.index.span(*at),
    )
