"""A config the agent never reads because it sits under the wrong ``data`` key (MQ102 ``conf: |``):
the agent uses its defaults, yet the text is readable, and whatever is wrong in it is wrong the
moment the key is renamed. Its key, type and CIDR rules run on it in the same round, each message
saying that it applies once the key is `config`."""

from __future__ import annotations

from masqlint.agent.load import is_json_text
from masqlint.agent.model import match_field
from masqlint.forms.embedded import embedded_locator
from masqlint.text.yamlload import MappingNode, ScalarNode

# Rules about the config text itself; the ConfigMap (MQ1xx) and what is in force (MQ4xx: the
# agent's defaults here) are judged on the ConfigMap as it is.
TEXT_RULE_PREFIXES = ("MQ0", "MQ2", "MQ3")


def misplaced_configs(fctx, build) -> list:
    """A ConfigContext for each ConfigMap whose only data key is not `config` but holds an agent config
    (``build``: the engine's ``build_config_context``)."""
    out = []
    for cctx in fctx.configs:
        cfg = cctx.config
        data = cfg.data_node
        if cfg.configmap is None or cfg.config_key_node is not None or not isinstance(data, MappingNode):
            continue
        if len(data.value) != 1:
            continue
        key, value = data.value[0]
        if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode) and value.style in ("|", ">")):
            continue
        if match_field(str(key.value)):
            continue  # an agent key directly under data: a different mistake
        text = value.value
        if not any(match_field(line.split(":", 1)[0].strip().strip("\"'")) for line in text.splitlines() if ":" in line):
            continue  # not an agent config
        shadow = cfg.replace(text=text, json_input=is_json_text(text), locator=embedded_locator(fctx.source, key, value, text),
                             config_key_node=key, config_value_node=value)
        sctx = build(shadow, cctx.settings)
        sctx.file = fctx
        out.append((sctx, str(key.value)))
    return out


def run_on_misplaced(fctx, run_one, build) -> list:
    """(problem, context) for the text rules on each misplaced config; messages say when they apply."""
    out: list = []
    for sctx, key in misplaced_configs(fctx, build):
        found: list = []
        run_one(sctx, found)
        for p, c in found:
            if p.rule.startswith(TEXT_RULE_PREFIXES):
                p.message = f"once `{key}` is renamed to `config`: {p.message}"
                out.append((p, c))
    return out
