#!/usr/bin/env python3
"""Render the ip-masq-agent config for every cluster listed in clusters.json."""

import json
import sys

DEFAULTS = [
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
]


def render(cluster: dict) -> str:
    cidrs = DEFAULTS + cluster.get("extra_non_masquerade_cidrs", [])
    lines = ["nonMasqueradeCIDRs:"] + [f"  - {c}" for c in cidrs]
    lines.append(f"masqLinkLocal: {str(cluster.get('masq_link_local', False)).lower()}")
    lines.append("resyncInterval: 60s")
    return "\n".join(lines) + "\n"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        clusters = json.load(fh)
    for name, cluster in clusters.items():
        sys.stdout.write(f"# --- {name}\n{render(cluster)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "clusters.json")
