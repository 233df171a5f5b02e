"""Cluster facts: what a GKE cluster keeps, learnt from its description instead of typed by hand.

Two sources, both data only:

* the JSON (or YAML) that ``gcloud container clusters describe --format=json`` prints, or a list of
  such clusters (``gcloud container clusters list --format=json``): one of them is picked by name;
* Terraform: a ``google_container_cluster`` and the ``google_compute_subnetwork`` whose secondary
  ranges it names, read with python-hcl2 (imported only then). Only literal values count; a value
  computed by an expression (``var.pods``, ``"${…}"``) is unknown, and masqlint says nothing about it.

What is read: the Pod ranges (``clusterIpv4Cidr`` / ``ipAllocationPolicy.clusterIpv4CidrBlock`` and
the additional ranges of ``nodePools[].networkConfig.podIpv4CidrBlock``, each with the node pools
that use it), the Services range, the node range when the description has it, ``autopilot.enabled``,
``networkConfig.defaultSnatStatus.disabled``, ``networkConfig.datapathProvider`` and the private
control plane range. A file that is not a cluster description stops the run (``ClusterError``, a
``ConfigError``: exit 2 with ``file:line: what is wrong``).
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import NoReturn

from masqlint.config.loader import ConfigError
import yaml
from masqlint.agent.decide import parse_destination


class ClusterError(ConfigError):
    """A cluster file that cannot be used: ``file:line: what is wrong``."""


class PodRange:
    """One Pod range and the node pools that take Pod IPs from it."""

    __slots__ = ("cidr", "pools", "kind")

    def __init__(self, cidr: str, pools: tuple[str, ...] = (), kind: str = "default"):
        self.cidr = cidr
        self.pools = pools
        self.kind = kind  # "default" (the cluster's) | "additional" (a node pool's own)

    def label(self) -> str:
        what = "the cluster's Pod range" if self.kind == "default" else "an additional Pod range"
        if self.pools:
            return f"{what} {self.cidr} (node pool{'s' if len(self.pools) > 1 else ''} {', '.join(self.pools)})"
        return f"{what} {self.cidr}"


class ClusterFacts:
    __slots__ = ("autopilot", "datapath", "default_snat_disabled", "master_range", "name", "node_ranges",
                 "pod_ranges", "services_range", "source")

    def __init__(self, source: str, name: str = ""):
        self.source = source  # the file (or directory) the facts come from
        self.name = name
        self.autopilot: bool | None = None
        self.pod_ranges: list[PodRange] = []
        self.services_range: str | None = None
        self.node_ranges: list[str] = []
        self.default_snat_disabled: bool | None = None
        self.datapath: str | None = None  # LEGACY_DATAPATH | ADVANCED_DATAPATH (Dataplane V2)
        self.master_range: str | None = None

    @property
    def dataplane_v2(self) -> bool:
        return self.datapath == "ADVANCED_DATAPATH"

    @property
    def label(self) -> str:
        return f"cluster {self.name}" if self.name else f"the cluster in {self.source}"

    def kept_ranges(self) -> list[tuple[str, str]]:
        """(cidr, what) that GKE never masquerades on Autopilot: node, Pod and Service ranges."""
        out = [(c, "node range") for c in self.node_ranges]
        out += [(p.cidr, "Pod range") for p in self.pod_ranges]
        if self.services_range:
            out.append((self.services_range, "Services range"))
        return out


# --- reading ------------------------------------------------------------------------------------


def load_cluster(path: str, name: str | None = None, referrer: str | None = None) -> ClusterFacts:
    """The facts of the cluster described at ``path`` (a file, or a directory of ``.tf`` files)."""
    return _load(os.path.abspath(path), name or None, referrer)


@lru_cache(maxsize=64)
def _load(path: str, name: str | None, referrer: str | None) -> ClusterFacts:
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    where = f" (named by {referrer})" if referrer else ""
    if os.path.isdir(path):
        tfs = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".tf"))
        if not tfs:
            raise ClusterError(f"{shown}:1: a directory without .tf files is not a cluster description{where}")
        return _from_terraform([(f, _read(f, shown)) for f in tfs], name, shown)
    text = _read(path, shown, where)
    if path.endswith(".tf"):
        return _from_terraform([(path, text)], name, shown)
    return _from_description(text, name, shown)


def _read(path: str, shown: str, where: str = "") -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(16 * 1024 * 1024)
    except OSError as e:
        raise ClusterError(f"{shown}:1: cannot read the cluster file{where}: {e.strerror or e}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ClusterError(f"{shown}:{line}: the cluster file is not UTF-8 text") from None


# --- gcloud container clusters describe --------------------------------------------------------


class _Doc:
    """A parsed description with the line of each key (for ``file:line`` errors)."""

    __slots__ = ("data", "lines", "shown", "text")

    def __init__(self, data, text: str, shown: str):
        self.data = data
        self.text = text
        self.shown = shown
        self.lines: dict[int, int] = {}

    def line_of(self, key: str, near: int = 1) -> int:
        m = re.compile(r"[\"']?" + re.escape(key) + r"[\"']?\s*:").search(self.text, _offset_of_line(self.text, near))
        return self.text.count("\n", 0, m.start()) + 1 if m else near

    def fail(self, line: int, what: str) -> NoReturn:
        raise ClusterError(f"{self.shown}:{line}: {what}")


def _offset_of_line(text: str, line: int) -> int:
    off = 0
    for _ in range(max(0, line - 1)):
        nxt = text.find("\n", off)
        if nxt < 0:
            return off
        off = nxt + 1
    return off


_DESCRIBE_KEYS = ("clusterIpv4Cidr", "ipAllocationPolicy", "nodePools", "autopilot", "servicesIpv4Cidr",
                  "networkConfig", "privateClusterConfig")


def _from_description(text: str, name: str | None, shown: str) -> ClusterFacts:
    data = _parse_data(text, shown)
    doc = _Doc(data, text, shown)
    clusters = data if isinstance(data, list) else [data]
    if not clusters:
        doc.fail(1, "an empty list: no cluster to read (expected the output of `gcloud container clusters describe "
                    "--format=json`)")
    for i, c in enumerate(clusters):
        if not isinstance(c, dict) or not any(k in c for k in _DESCRIBE_KEYS):
            line = doc.line_of("name") if isinstance(c, dict) and "name" in c else 1
            doc.fail(line, f"{'item ' + str(i + 1) + ' is ' if isinstance(data, list) else ''}not a GKE cluster "
                           "description: none of clusterIpv4Cidr, ipAllocationPolicy, nodePools, autopilot (expected "
                           "the output of `gcloud container clusters describe --format=json`)")
    if name:
        chosen = [c for c in clusters if c.get("name") == name]
        if not chosen:
            names = ", ".join(str(c.get("name")) for c in clusters)
            doc.fail(1, f"no cluster named {name!r} here (it describes {names})")
        cluster = chosen[0]
    elif len(clusters) > 1:
        names = ", ".join(str(c.get("name")) for c in clusters)
        doc.fail(1, f"{len(clusters)} clusters ({names}): name one in the settings (cluster: {{file: …, name: …}}) "
                    "or with --cluster-name")
    else:
        cluster = clusters[0]
    start = doc.line_of("name") if isinstance(data, list) and name else 1
    if isinstance(data, list) and name:
        m = re.search(r"[\"']?name[\"']?\s*:\s*[\"']?" + re.escape(name) + r"[\"']?", text)
        start = text.count("\n", 0, m.start()) + 1 if m else 1
    return _facts_from_describe(cluster, doc, start)


def _parse_data(text: str, shown: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as je:
        if text.lstrip().startswith(("{", "[")):
            raise ClusterError(f"{shown}:{je.lineno}: not valid JSON: {je.msg}") from None

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ClusterError(f"{shown}:{line}: not valid JSON or YAML: {getattr(e, 'problem', None) or e}") from None


def _cidr(doc: _Doc, value, key: str, near: int) -> str | None:
    if value in (None, ""):
        return None

    text = str(value)
    try:
        if "/" not in text:
            raise ValueError(f"{text!r} is not a CIDR block")
        return parse_destination(text)[3]
    except ValueError as e:
        doc.fail(doc.line_of(key, near), f"{key}: {e}")


def _mapping(c: dict, key: str) -> dict:
    v = c.get(key)
    return v if isinstance(v, dict) else {}


def _facts_from_describe(c: dict, doc: _Doc, start: int) -> ClusterFacts:
    f = ClusterFacts(doc.shown, str(c.get("name") or ""))
    ap = c.get("autopilot")
    f.autopilot = bool(ap.get("enabled")) if isinstance(ap, dict) else False
    ip: dict = _mapping(c, "ipAllocationPolicy")
    default_pod = _cidr(doc, ip.get("clusterIpv4CidrBlock") or c.get("clusterIpv4Cidr"),
                        "clusterIpv4CidrBlock" if ip.get("clusterIpv4CidrBlock") else "clusterIpv4Cidr", start)
    f.services_range = _cidr(doc, ip.get("servicesIpv4CidrBlock") or c.get("servicesIpv4Cidr"),
                             "servicesIpv4CidrBlock" if ip.get("servicesIpv4CidrBlock") else "servicesIpv4Cidr", start)
    node = _cidr(doc, ip.get("nodeIpv4CidrBlock"), "nodeIpv4CidrBlock", start)
    if node:
        f.node_ranges.append(node)
    pools: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    if default_pod:
        pools[default_pod] = []
        kinds[default_pod] = "default"
    for extra in (ip.get("additionalPodRangesConfig") or {}).get("podRangeInfo") or ():
        r = _cidr(doc, extra.get("rangeCidr"), "rangeCidr", start) if isinstance(extra, dict) else None
        if r:
            pools.setdefault(r, [])
            kinds.setdefault(r, "additional")
    node_pools = c.get("nodePools") or []
    if not isinstance(node_pools, list):
        doc.fail(doc.line_of("nodePools", start), "nodePools is not a list")
    for np in node_pools:
        if not isinstance(np, dict):
            continue
        nc: dict = _mapping(np, "networkConfig")
        r = _cidr(doc, nc.get("podIpv4CidrBlock"), "podIpv4CidrBlock", start) or default_pod
        if r is None:
            continue
        pools.setdefault(r, []).append(str(np.get("name") or "?"))
        kinds.setdefault(r, "default" if r == default_pod else "additional")
    f.pod_ranges = [PodRange(r, tuple(p), kinds[r]) for r, p in pools.items()]
    net: dict = _mapping(c, "networkConfig")
    snat = net.get("defaultSnatStatus")
    f.default_snat_disabled = bool(snat.get("disabled")) if isinstance(snat, dict) else False
    f.datapath = str(net.get("datapathProvider") or "LEGACY_DATAPATH")
    pc: dict = _mapping(c, "privateClusterConfig")
    f.master_range = _cidr(doc, pc.get("masterIpv4CidrBlock"), "masterIpv4CidrBlock", start)
    return f


# --- Terraform ----------------------------------------------------------------------------------


def _unquote(v):
    """A literal HCL value, or None when an expression computes it."""
    if isinstance(v, str) and "${" in v:
        return None
    return v


def _blocks(v) -> list[dict]:
    if isinstance(v, list):
        return [b for b in v if isinstance(b, dict)]
    return [v] if isinstance(v, dict) else []


def _tf_resources(files) -> tuple[dict, dict]:
    import hcl2  # noqa: PLC0415 - lazy: the HCL parser loads only for a Terraform cluster

    options = hcl2.SerializationOptions(strip_string_quotes=True)
    resources: dict[str, dict] = {}
    where: dict[tuple[str, str], tuple[str, str]] = {}
    for path, text in files:
        shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
        try:
            doc = hcl2.loads(text, serialization_options=options)
        except Exception as e:  # noqa: BLE001 - python-hcl2 raises lark's errors (and others); each carries its line
            line = getattr(e, "line", None) or 1
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise ClusterError(f"{shown}:{line}: not valid Terraform (HCL): {first}") from None
        for block in doc.get("resource") or ():
            for rtype, named in (block or {}).items():
                for rname, body in (named or {}).items():
                    rtype, rname = _unquote(rtype), _unquote(rname)
                    resources.setdefault(rtype, {})[rname] = body
                    where[(rtype, rname)] = (shown, text)
    return resources, where


def _tf_line(shown_text: tuple[str, str], rtype: str, rname: str, attr: str | None = None) -> tuple[str, int]:
    shown, text = shown_text
    m = re.search(r'resource\s+"' + re.escape(rtype) + r'"\s+"' + re.escape(rname) + r'"', text)
    off = m.start() if m else 0
    if attr:
        m2 = re.compile(r"\b" + re.escape(attr) + r"\b").search(text, off)
        off = m2.start() if m2 else off
    return shown, text.count("\n", 0, off) + 1


_REF = re.compile(r"google_compute_subnetwork\.([A-Za-z0-9_-]+)\.")


def _from_terraform(files, name: str | None, shown: str) -> ClusterFacts:
    resources, where = _tf_resources(files)
    clusters = resources.get("google_container_cluster") or {}
    if not clusters:
        raise ClusterError(f"{shown}:1: no google_container_cluster resource: not a cluster description")
    if name:
        picked = [k for k, v in clusters.items() if k == name or _unquote(v.get("name")) == name]
        if not picked:
            raise ClusterError(f"{shown}:1: no google_container_cluster named {name!r} (found {', '.join(clusters)})")
        key = picked[0]
    elif len(clusters) > 1:
        raise ClusterError(f"{shown}:1: {len(clusters)} google_container_cluster resources ({', '.join(clusters)}): "
                           "name one in the settings (cluster: {file: …, name: …}) or with --cluster-name")
    else:
        key = next(iter(clusters))
    c = clusters[key]
    f = ClusterFacts(where[("google_container_cluster", key)][0], str(_unquote(c.get("name")) or key))
    ap = _unquote(c.get("enable_autopilot"))
    f.autopilot = bool(ap) if isinstance(ap, bool) else (None if c.get("enable_autopilot") is not None else False)
    dp = _unquote(c.get("datapath_provider"))
    f.datapath = dp if isinstance(dp, str) else ("LEGACY_DATAPATH" if c.get("datapath_provider") is None else None)
    for b in _blocks(c.get("default_snat_status")):
        d = _unquote(b.get("disabled"))
        f.default_snat_disabled = d if isinstance(d, bool) else None
    if c.get("default_snat_status") is None:
        f.default_snat_disabled = False
    for b in _blocks(c.get("private_cluster_config")):
        f.master_range = _tf_cidr(b.get("master_ipv4_cidr_block"), where, key, "master_ipv4_cidr_block")

    # the subnetwork it names, when it is declared here
    subnet = None
    ref = c.get("subnetwork")
    m = _REF.search(ref) if isinstance(ref, str) else None
    subnets = resources.get("google_compute_subnetwork") or {}
    if m and m.group(1) in subnets:
        subnet = subnets[m.group(1)]
    elif isinstance(_unquote(ref), str):
        subnet = next((s for s in subnets.values() if _unquote(s.get("name")) == ref.rsplit("/", 1)[-1]), None)
    secondary = {}
    if subnet is not None:
        node = _tf_cidr(subnet.get("ip_cidr_range"), where, key, "ip_cidr_range")
        if node:
            f.node_ranges.append(node)
        for b in _blocks(subnet.get("secondary_ip_range")):
            rn, rc = _unquote(b.get("range_name")), _tf_cidr(b.get("ip_cidr_range"), where, key, "ip_cidr_range")
            if isinstance(rn, str) and rc:
                secondary[rn] = rc

    default_pod = None
    for b in _blocks(c.get("ip_allocation_policy")):
        default_pod = _tf_cidr(b.get("cluster_ipv4_cidr_block"), where, key, "cluster_ipv4_cidr_block") \
            or secondary.get(_unquote(b.get("cluster_secondary_range_name")) or "")
        f.services_range = _tf_cidr(b.get("services_ipv4_cidr_block"), where, key, "services_ipv4_cidr_block") \
            or secondary.get(_unquote(b.get("services_secondary_range_name")) or "")
    pools: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    if default_pod:
        pools[default_pod], kinds[default_pod] = [], "default"
    pool_blocks = [(str(_unquote(b.get("name")) or "default-pool"), b) for b in _blocks(c.get("node_pool"))]
    for pname, p in (resources.get("google_container_node_pool") or {}).items():
        owner = p.get("cluster")
        if isinstance(owner, str) and (f"google_container_cluster.{key}." in owner or _unquote(owner) == f.name):
            pool_blocks.append((str(_unquote(p.get("name")) or pname), p))
    for pname, p in pool_blocks:
        r = default_pod
        for nc in _blocks(p.get("network_config")):
            r = _tf_cidr(nc.get("pod_ipv4_cidr_block"), where, key, "pod_ipv4_cidr_block") \
                or secondary.get(_unquote(nc.get("pod_range")) or "") or r
        if r:
            pools.setdefault(r, []).append(pname)
            kinds.setdefault(r, "default" if r == default_pod else "additional")
    f.pod_ranges = [PodRange(r, tuple(p), kinds[r]) for r, p in pools.items()]
    return f


def _tf_cidr(value, where, key: str, attr: str) -> str | None:
    v = _unquote(value)
    if not isinstance(v, str) or not v:
        return None

    try:
        if "/" not in v:
            raise ValueError(f"{v!r} is not a CIDR block")
        return parse_destination(v)[3]
    except ValueError as e:
        shown, line = _tf_line(where[("google_container_cluster", key)], "google_container_cluster", key, attr)
        raise ClusterError(f"{shown}:{line}: {attr}: {e}") from None


def looks_like_cluster_file(name: str, text: str) -> bool:
    """Cheap: could this file describe a cluster (for ``masqlint init``'s walk)?"""
    if name.endswith(".tf"):
        return "google_container_cluster" in text
    if name.endswith((".json", ".yaml", ".yml")):
        return ("clusterIpv4Cidr" in text or "ipAllocationPolicy" in text) and "nodePools" in text
    return False
