#!/usr/bin/env bash
# Writes the ip-masq-agent ConfigMap for the current kubectl context.
# Usage: configure-ip-masq.sh <extra-cidr>...
set -euo pipefail

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

{
  echo "nonMasqueradeCIDRs:"
  for cidr in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 "$@"; do
    echo "  - ${cidr}"
  done
  echo "masqLinkLocal: false"
  echo "resyncInterval: 60s"
} >"$tmp"

kubectl -n kube-system create configmap ip-masq-agent \
  --from-file=config="$tmp" --dry-run=client -o yaml | kubectl apply -f -

echo "ip-masq-agent: $(kubectl -n kube-system get cm ip-masq-agent -o jsonpath='{.data.config}' | wc -l) lines applied"
