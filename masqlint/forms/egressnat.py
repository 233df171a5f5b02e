"""EgressNATPolicy manifests (GKE Autopilot's SNAT configuration, ``networking.gke.io/v1``).

Representation. An EgressNATPolicy is not an agent config file: the agent never reads it, it has
no decoding quirks, no defaults of its own, no ``cidrLimit``. So it is *not* turned into an
``AgentConfig`` (the agent-config rules would have nothing true to say about it). The form reads
each policy into a ``Policy`` — its YAML nodes in the file the user opened, so every position is
exact without any map — and hands them over in ``FormRead.policies``; ConfigMaps in the same file
are still found as by the manifest form (a stray ip-masq-agent ConfigMap next to the policies is
what Autopilot repositories get wrong). The rules that apply to policies are a subset of the
agent's: the CIDR rules per destination, the policy rules over the union of a cluster's policies,
and the rules of the resource itself (checks/egressnat.py).

Google Distributed Cloud has a resource of the same kind and group for its egress NAT gateway
(``spec.sources``, ``spec.gatewayRef``, ``action: SNAT``). A policy with a ``gatewayRef`` is that
resource and is left alone.
"""

from __future__ import annotations

import re

from masqlint.forms import manifest
from masqlint.forms.base import FormRead
from masqlint.forms.claims import EGRESS_NAT_KIND, egressnat as claims  # noqa: F401 - claims: this form's
from masqlint.text.source import SourceFile, mapping_get, node_range, scalar
from masqlint.text.yamlload import MappingNode, Node, ScalarNode, SequenceNode

KIND = EGRESS_NAT_KIND
GROUP = "networking.gke.io/"


class Destination:
    """One item of ``spec.destinations``; ``cidr`` is None when the item is not ``{cidr: "<string>"}``."""

    __slots__ = ("cidr", "cidr_node", "item")

    def __init__(self, item: Node, cidr: str | None, cidr_node: Node | None):
        self.item = item
        self.cidr = cidr
        self.cidr_node = cidr_node


class Policy:
    """One EgressNATPolicy object, with the nodes every rule points at."""

    __slots__ = ("action", "action_node", "dest_key", "dest_node", "destinations", "doc_index", "kind_node",
                 "name", "name_node", "node", "source", "spec_key", "spec_node")

    def __init__(self, source: SourceFile, node: MappingNode, doc_index: int):
        self.source = source
        self.node = node
        self.doc_index = doc_index
        kind = mapping_get(node, "kind")
        self.kind_node = kind[1] if kind else node
        md = mapping_get(node, "metadata")
        name = mapping_get(md[1], "name") if md else None
        self.name_node = name[1] if name else self.kind_node
        self.name = name[1].value if name and isinstance(name[1], ScalarNode) else ""
        spec = mapping_get(node, "spec")
        self.spec_key: Node | None = spec[0] if spec else None
        self.spec_node: Node | None = spec[1] if spec else None
        action = mapping_get(self.spec_node, "action") if isinstance(self.spec_node, MappingNode) else None
        self.action_node = action[1] if action else None
        self.action = scalar(action[1]) if action and isinstance(action[1], ScalarNode) else None
        dests = mapping_get(self.spec_node, "destinations") if isinstance(self.spec_node, MappingNode) else None
        self.dest_key: Node | None = dests[0] if dests else None
        self.dest_node: Node | None = dests[1] if dests else None
        self.destinations: list[Destination] = []
        if isinstance(self.dest_node, SequenceNode):
            for item in self.dest_node.value:
                self.destinations.append(_destination(item))

    @property
    def anchor(self) -> Node:
        """Where a finding about the policy's destinations as a whole points."""
        return self.dest_key or self.spec_key or self.name_node

    def line(self, node: Node | None = None) -> int:
        r = node_range(node if node is not None else self.name_node)
        return self.source.index.pos(r[0])[0] if r else 1


def _destination(item: Node) -> Destination:
    if isinstance(item, MappingNode):
        c = mapping_get(item, "cidr")
        if c and isinstance(c[1], ScalarNode) and c[1].tag in ("?", "tag:yaml.org,2002:str"):
            return Destination(item, c[1].value, c[1])
        return Destination(item, None, c[1] if c else None)
    return Destination(item, None, None)


def is_policy(node: Node | None) -> bool:
    if not isinstance(node, MappingNode):
        return False
    if scalar((mapping_get(node, "kind") or (None, None))[1]) != KIND:
        return False
    api = scalar((mapping_get(node, "apiVersion") or (None, None))[1]) or ""
    if not api.startswith(GROUP):
        return False
    spec = mapping_get(node, "spec")
    return not (spec and isinstance(spec[1], MappingNode) and mapping_get(spec[1], "gatewayRef"))


def find_policies(pf: manifest.ParsedFile) -> list[Policy]:
    out = []
    for doc in pf.documents:
        for obj in manifest.iter_objects(doc.root):
            if is_policy(obj):
                out.append(Policy(pf.source, obj, doc.index))
    return out


def read(source: SourceFile):
    pf = manifest.parse_manifest(source)
    manifest.find_configs(pf)
    if pf.yaml_error is not None and not pf.configs:
        manifest.recover_configs(pf)
    if pf.yaml_error is not None and not pf.configs and _TEMPLATE.search(source.text or ""):
        return FormRead("egressnat", [], None)  # a template (Helm, Jinja): its YAML exists only once rendered
    return FormRead("egressnat", pf.configs, pf, policies=find_policies(pf))


_TEMPLATE = re.compile(r"\{\{|\{%|\$\{|%\{")
