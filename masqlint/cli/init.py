"""``masqlint init [DIR]``: write a starting ``.masqlint.yaml`` in DIR (default ``.``).

What goes in: the target (``gke-autopilot`` when the cluster is Autopilot, or when the directory
holds EgressNATPolicies and no ConfigMap; ``gke`` otherwise), the cluster file (``--cluster``, or
the first cluster description the walk finds: a ``gcloud container clusters describe`` JSON/YAML
or Terraform with a ``google_container_cluster``), and the destinations the configs already
declare, as commented examples of ``must-not-masquerade`` to confirm or correct. An existing
settings file is never overwritten (the file is created exclusively).
"""

from __future__ import annotations

import json
import os
import sys

from masqlint.agent.decide import parse_destination
from masqlint.checks.cidrs import valid_entries
from masqlint.config.cluster import load_cluster, looks_like_cluster_file
from masqlint.config.loader import CONFIG_NAMES
from masqlint.config.settings import Settings
from masqlint.errors import EXIT_ERROR, EXIT_OK, UsageError
from masqlint.pipeline.discover import Candidate
from masqlint.pipeline.runner import Options, analyse_prepared, prepare, read_candidate, walk as walk_files

NAME = ".masqlint.yaml"


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser("init", help="write a starting .masqlint.yaml from a cluster file or what the repository holds")
    p.add_argument("directory", nargs="?", default=".", metavar="DIR", help="where to write .masqlint.yaml and what to walk")
    p.add_argument("--cluster", metavar="FILE", help="the cluster: `gcloud container clusters describe --format=json` "
                   "output or Terraform declaring it")
    p.add_argument("--cluster-name", metavar="NAME", help="which cluster of a file that describes several")


class Found:
    __slots__ = ("cluster_files", "configmaps", "destinations", "policies")

    def __init__(self):
        self.cluster_files: list[str] = []
        self.configmaps = 0
        self.policies = 0
        self.destinations: list[tuple[str, str]] = []  # (cidr, where)


def walk(directory: str) -> Found:
    """Cluster files and declared destinations under ``directory``."""
    found = Found()
    seen: set[str] = set()
    bare = Settings()
    opts = Options(base=bare, use_config_files=False)  # the settings being written do not exist yet
    for c in walk_files([directory], opts):
        if not isinstance(c, Candidate) or c.path.endswith(".tf"):
            continue  # Terraform modules: below, by directory
        data, _ = read_candidate(c.display, c.path, bare, opts)
        if data is None:
            continue
        rel = os.path.relpath(c.path, directory).replace(os.sep, "/")
        if looks_like_cluster_file(c.path, data.decode("utf-8", "replace")):
            found.cluster_files.append(rel)
            continue
        p = prepare(rel, c.path, opts, data=data, settings=bare)
        if p.data is None:
            continue
        fctx = analyse_prepared(p)
        for cctx in fctx.configs:
            if cctx.config.configmap is not None or cctx.config.kind == "standalone":
                found.configmaps += 1
            if cctx.decoded is None or "nonMasqueradeCIDRs" not in cctx.decoded.origins:
                continue
            for e in valid_entries(cctx):
                _add(found, seen, e.text, f"{rel}:{cctx.span(e.node).line}")
        for p in fctx.policies:
            found.policies += 1
            for d in p.destinations:
                if d.cidr is not None:
                    _add(found, seen, d.cidr, f"{rel}:{p.line(d.cidr_node)}")
    found.cluster_files += terraform_modules(directory)
    return found


def terraform_modules(directory: str) -> list[str]:
    """Directories (relative) whose .tf files declare a google_container_cluster: a module is read whole,
    since its cluster and the subnetwork holding its ranges are often in different files."""
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for name in sorted(files):
            if not name.endswith(".tf"):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as fh:
                    text = fh.read(4 * 1024 * 1024)
            except OSError:
                continue
            if looks_like_cluster_file(name, text):
                out.append(os.path.relpath(root, directory).replace(os.sep, "/"))
                break
    return out


def _add(found: Found, seen: set, cidr: str, where: str) -> None:
    try:
        canon = parse_destination(cidr)[3]
    except ValueError:
        return
    if canon not in seen:
        seen.add(canon)
        found.destinations.append((canon, where))


def render(target: str, why: str, cluster_rel: str | None, cluster_name: str | None, facts, found: Found) -> str:
    out = ["# masqlint settings (`masqlint check` reads them for every file below this directory).",
           "# Written by `masqlint init`; see docs/rules.md for the rules and README.md (Policy as code) for the keys.",
           "",
           f"target: {target}  # {why}"]
    if cluster_rel:
        if cluster_name:
            out.append(f"cluster: {{file: {_q(cluster_rel)}, name: {_q(cluster_name)}}}")
        else:
            out.append(f"cluster: {_q(cluster_rel)}")
        what = ["Pod ranges " + ", ".join(p.cidr for p in facts.pod_ranges)] if facts.pod_ranges else []
        if facts.services_range:
            what.append(f"Services range {facts.services_range}")
        if facts.default_snat_disabled:
            what.append("default SNAT disabled")
        if facts.dataplane_v2:
            what.append("Dataplane V2")
        out.append(f"# read from {facts.label}: {'; '.join(what) or 'no ranges'}")
        for other in found.cluster_files[1:]:
            out.append(f"# another cluster file in this directory: {other} (a scope can name it: scopes: [{{files: [...], "
                       f"cluster: {_q(other)}}}])")
    else:
        out.append("# cluster: clusters/prod.json  # `gcloud container clusters describe NAME --format=json > clusters/prod.json`")
    out += ["",
            "# Destinations that must keep the pod IP. The configs in this directory list these; keep the ones your",
            "# network really needs (peers that admit pod IPs), then uncomment:",
            "# must-not-masquerade:"]
    if found.destinations:
        for cidr, where in found.destinations:
            out.append(f"#   - {{cidr: {cidr}, name: \"listed in {where}\"}}")
    else:
        out.append("#   - {cidr: 10.0.0.0/8, name: \"internal peers that expect pod IPs\"}")
    out += ["",
            "# Destinations that must be reached with the node IP (e.g. on-premises endpoints behind a firewall that",
            "# admits node addresses only):",
            "# must-masquerade:",
            "#   - {cidr: 192.0.2.10/32, name: \"on-premises private endpoint\"}",
            ""]
    return "\n".join(out)


def _q(s: str) -> str:
    return s if all(ch.isalnum() or ch in "._/-" for ch in s) else json.dumps(s)


def run(args) -> int:
    directory = args.directory
    if not os.path.isdir(directory):
        raise UsageError(f"masqlint: {directory}: not a directory")
    target_path = os.path.join(directory, NAME)
    for name in CONFIG_NAMES:
        existing = os.path.join(directory, name)
        if os.path.exists(existing):
            print(f"masqlint: error: {existing} already exists; masqlint init never overwrites settings", file=sys.stderr)
            return EXIT_ERROR
    found = walk(directory)
    cluster_rel = None
    facts = None
    if args.cluster:
        facts = load_cluster(args.cluster, args.cluster_name)
        cluster_rel = os.path.relpath(os.path.abspath(args.cluster), os.path.abspath(directory)).replace(os.sep, "/")
    elif found.cluster_files:
        cluster_rel = found.cluster_files[0]
        facts = load_cluster(os.path.join(directory, cluster_rel), args.cluster_name)
    if facts is not None and facts.autopilot:
        target, why = "gke-autopilot", f"{facts.label} has autopilot.enabled"
    elif facts is not None and facts.autopilot is False:
        target, why = "gke", f"{facts.label} is a Standard cluster"
    elif found.policies and not found.configmaps:
        target, why = "gke-autopilot", "the directory holds EgressNATPolicies and no ip-masq-agent ConfigMap"
    else:
        target, why = "gke", ("the directory holds an ip-masq-agent ConfigMap" if found.configmaps
                              else "GKE Standard; use gke-autopilot for an Autopilot cluster")
    text = render(target, why, cluster_rel, args.cluster_name, facts, found)
    try:
        fd = os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        print(f"masqlint: error: {target_path} already exists; masqlint init never overwrites settings", file=sys.stderr)
        return EXIT_ERROR
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {target_path}: target {target}"
          + (f", cluster {cluster_rel}" if cluster_rel else "")
          + f", {len(found.destinations)} declared destination{'s' if len(found.destinations) != 1 else ''} as examples")
    return EXIT_OK
