"""Which ConfigMaps an ip-masq-agent reads, which of their keys become its files, and which agent.

* The upstream / GKE agent reads ``/etc/config/ip-masq-agent``: the ConfigMap ``ip-masq-agent``, key
  ``config`` (the DaemonSet maps it with ``items``); TKE names it ``ip-masq-agent-config``.
* Azure ip-masq-agent-v2 (AKS) reads *every* file named ``ip-masq*`` under ``/etc/config``: the
  ConfigMaps ``azure-ip-masq-agent-config`` and ``…-reconciled``, or any labelled
  ``component: ip-masq-agent``; keys ``ip-masq-agent``, ``ip-masq-agent-reconciled``, …
* A DaemonSet that mounts the ConfigMap (in the same file, else in the same directory) decides:
  with ``items``, the keys mapped to an ``ip-masq*`` path are the files; without, every key is a
  file named after it. Its image names the agent: ``ip-masq-agent-v2`` → azure, the upstream image
  → upstream, GKE's → gke.
"""

from __future__ import annotations

import os
import posixpath

from masqlint.text.source import iter_objects, mapping_get, scalar
from masqlint.text.yamlload import MappingNode, Node, ScalarNode, SequenceNode
from masqlint.text import yamlload

UPSTREAM_NAME = "ip-masq-agent"
NAMES = ("ip-masq-agent", "ip-masq-agent-config")  # upstream / GKE, TKE
AZURE_NAMES = ("azure-ip-masq-agent-config", "azure-ip-masq-agent-config-reconciled")
AGENT_LABEL_VALUES = ("ip-masq-agent", "azure-ip-masq-agent")
FILE_PREFIX = "ip-masq"

_UPSTREAM_IMAGES = ("registry.k8s.io/networking/ip-masq-agent", "k8s.gcr.io/networking/ip-masq-agent",
                    "gcr.io/google-containers/ip-masq-agent", "k8s.gcr.io/ip-masq-agent",
                    "staging-k8s.gcr.io/networking/ip-masq-agent")
_MAX_SIBLINGS = 64
_MAX_SIBLING_BYTES = 1 << 20


class Consumer:
    """What reads one ConfigMap: the data keys that become agent files, the agent's target, and the
    agent flags its DaemonSet sets."""

    __slots__ = ("flags", "keys", "mounted", "target")

    def __init__(self, keys: tuple[str, ...], target: str | None, mounted: bool, flags: dict | None = None):
        self.keys = keys  # data keys the agent reads as files
        self.target = target  # "azure" | "upstream" | "gke" | None (nothing says)
        self.mounted = mounted  # a DaemonSet that mounts it was found
        self.flags = flags or {}  # AgentFlags fields from the DaemonSet's container arguments


def _get(node: Node | None, *path: str) -> Node | None:
    for key in path:
        e = mapping_get(node, key)
        if e is None:
            return None
        node = e[1]
    return node


def _labels(obj: Node) -> dict[str, str]:
    labels = _get(obj, "metadata", "labels")
    if not isinstance(labels, MappingNode):
        return {}
    return {k.value: v.value for k, v in labels.value if isinstance(k, ScalarNode) and isinstance(v, ScalarNode)}


def _kind(obj: Node) -> str | None:
    return scalar(_get(obj, "kind"))


def configmap_name(cm: Node) -> str | None:
    return scalar(_get(cm, "metadata", "name"))


def is_agent_configmap(cm: Node | None, name_unknown_holds_masq: bool = False) -> bool:
    """Is ``cm`` a ConfigMap some ip-masq-agent reads? ``name_unknown_holds_masq``: the name comes
    from a template whose text mentions ``masq`` (``{{ include "ip-masq-agent.fullname" . }}``)."""
    if not isinstance(cm, MappingNode) or _kind(cm) != "ConfigMap":
        return False
    name = configmap_name(cm)
    if name in NAMES or name in AZURE_NAMES:
        return True
    if _labels(cm).get("component") in AGENT_LABEL_VALUES:
        return True
    return name_unknown_holds_masq


def azure_named(cm: Node) -> bool:
    name = configmap_name(cm) or ""
    labels = _labels(cm)
    return (name in AZURE_NAMES or name.startswith("azure-ip-masq-agent")
            or labels.get("component") in AGENT_LABEL_VALUES and name not in NAMES
            or any(k.startswith("kubernetes.azure.com/") for k in labels)
            or labels.get("component") == "azure-ip-masq-agent")


# --- DaemonSets ---------------------------------------------------------------------------------


class Mount:
    __slots__ = ("images", "items")

    def __init__(self, items: list[tuple[str, str]] | None, images: list[str]):
        self.items = items  # (key, path) pairs, or None: every key is a file
        self.images = images


def daemonsets(objects) -> list[Node]:
    return [o for o in objects if isinstance(o, MappingNode) and _kind(o) == "DaemonSet"]


def images_of(ds: Node) -> list[str]:
    out = []
    for group in ("containers", "initContainers"):
        seq = _get(ds, "spec", "template", "spec", group)
        if isinstance(seq, SequenceNode):
            for c in seq.value:
                img = scalar(_get(c, "image"))
                if img:
                    out.append(img)
    return out


def mount_of(ds: Node, cm_name: str) -> Mount | None:
    """How ``ds`` mounts the ConfigMap ``cm_name`` (None when it does not)."""
    vols = _get(ds, "spec", "template", "spec", "volumes")
    if not isinstance(vols, SequenceNode):
        return None
    for vol in vols.value:
        sources = []
        cmv = _get(vol, "configMap")
        if cmv is not None:
            sources.append(cmv)
        proj = _get(vol, "projected", "sources")
        if isinstance(proj, SequenceNode):
            sources.extend(s for s in (_get(p, "configMap") for p in proj.value) if s is not None)
        for src in sources:
            if scalar(_get(src, "name")) != cm_name:
                continue
            items = _get(src, "items")
            pairs = None
            if isinstance(items, SequenceNode):
                pairs = [(scalar(_get(i, "key")) or "", scalar(_get(i, "path")) or "") for i in items.value]
            return Mount(pairs, images_of(ds))
    return None


_FLAGS = {"enable-ipv6": "enable_ipv6", "nomasq-all-reserved-ranges": "nomasq_all_reserved_ranges",
          "random-fully": "random_fully", "masq-chain": "masq_chain", "to-ports": "to_ports"}
_BOOL_FLAGS = ("enable_ipv6", "nomasq_all_reserved_ranges", "random_fully")


def agent_flags(ds: Node) -> dict:
    """AgentFlags fields set by the agent container's ``command``/``args`` (Go flag syntax:
    ``--name``, ``-name``, ``--name=value``, ``--name value``)."""
    out: dict = {}
    for group in ("containers",):
        seq = _get(ds, "spec", "template", "spec", group)
        if not isinstance(seq, SequenceNode):
            continue
        for c in seq.value:
            img = (scalar(_get(c, "image")) or "").lower()
            if "masq" not in img and "masq" not in (scalar(_get(c, "name")) or ""):
                continue
            words: list[str] = []
            for key in ("command", "args"):
                items = _get(c, key)
                if isinstance(items, SequenceNode):
                    words.extend(scalar(i) or "" for i in items.value)
            i = 0
            while i < len(words):
                w = words[i]
                i += 1
                if not w.startswith("-"):
                    continue
                name, eq, value = w.lstrip("-").partition("=")
                field = _FLAGS.get(name)
                if field is None:
                    continue
                if field in _BOOL_FLAGS:
                    out[field] = value.lower() in ("", "true", "1", "t") if eq else True
                else:
                    if not eq and i < len(words):
                        value = words[i]
                        i += 1
                    out[field] = value
    return out


def image_target(images: list[str]) -> str | None:
    for img in images:
        low = img.lower()
        if "ip-masq-agent-v2" in low:
            return "azure"
    for img in images:
        low = img.lower()
        if low.startswith(_UPSTREAM_IMAGES):
            return "upstream"
        if "gke.gcr.io/" in low and "ip-masq-agent" in low:
            return "gke"
    return None


_dir_cache: dict[str, list[Node]] = {}


def sibling_daemonsets(fspath: str | None) -> list[Node]:
    """DaemonSets in the other YAML files of ``fspath``'s directory (a few, small files only)."""
    if not fspath:
        return []
    d = os.path.dirname(os.path.abspath(fspath))
    if d in _dir_cache:
        return _dir_cache[d]
    found: list[Node] = []
    try:
        names = sorted(os.listdir(d))
    except OSError:
        names = []
    own = os.path.basename(fspath)

    for name in [n for n in names if n.endswith((".yaml", ".yml")) and n != own][:_MAX_SIBLINGS]:
        p = os.path.join(d, name)
        try:
            if not os.path.isfile(p) or os.path.getsize(p) > _MAX_SIBLING_BYTES:
                continue
            with open(p, "rb") as fh:
                data = fh.read(_MAX_SIBLING_BYTES)
        except OSError:
            continue
        if b"DaemonSet" not in data:
            continue
        try:
            text = data.decode("utf-8")
            if "{{" in text or "{%" in text:
                from masqlint.forms.template import mask  # noqa: PLC0415 - lazy: templates only for a templated sibling

                text = mask(text, "jinja" if "{%" in text else "go").text
            docs = list(yamlload.compose_all(text))
        except (UnicodeDecodeError, yamlload.YAMLError, RecursionError):  # a sibling that does not parse tells nothing
            continue

        for root in docs:
            found.extend(daemonsets(iter_objects(root)))
    if len(_dir_cache) > 256:
        _dir_cache.clear()
    _dir_cache[d] = found
    return found


# --- the decision -------------------------------------------------------------------------------


def consumer_of(cm: MappingNode, data_keys: list[str], same_file: list[Node], fspath: str | None) -> Consumer:
    """Which data keys of ``cm`` an agent reads as files, and which agent (``same_file``: the other
    objects of the file)."""
    name = configmap_name(cm) or ""
    file_ds = daemonsets(same_file)
    target = image_target([img for ds in file_ds for img in images_of(ds)])
    mount = None
    flags: dict = {}
    for ds in file_ds:
        mount = mount_of(ds, name)
        if mount is not None:
            flags = agent_flags(ds)
            break
    if mount is None and target is not None and len(file_ds) == 1:
        flags = agent_flags(file_ds[0])  # the one agent DaemonSet of the file names the flags it runs with
    if mount is None and any(k.startswith(FILE_PREFIX) for k in data_keys):
        for ds in sibling_daemonsets(fspath):
            mount = mount_of(ds, name)
            if mount is not None:
                break
    if target is None and azure_named(cm):
        target = "azure"
    azure = target == "azure"
    if mount is not None:
        if mount.items is not None:
            keys = tuple(k for k, path in mount.items if _reads(posixpath.basename(path.rstrip("/")), azure))
        else:
            keys = tuple(k for k in data_keys if _reads(k, azure))
        return Consumer(keys, target, True, flags)
    if azure:
        return Consumer(tuple(k for k in data_keys if k.startswith(FILE_PREFIX)), target, False, flags)
    return Consumer(("config",), target, False, flags)


def _reads(filename: str, azure: bool) -> bool:
    return filename.startswith(FILE_PREFIX) if azure else filename == UPSTREAM_NAME
