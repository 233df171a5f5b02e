terraform {
  required_providers {
    kubectl = {
      source  = "alekc/kubectl"
      version = ">= 2.0.0"
    }
  }
}

resource "kubectl_manifest" "ip_masq_agent" {
  yaml_body = <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: default
data:
  config: |
    nonMasqueradeCIDRs:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 100.64.0.0/10
      - 192.0.0.0/24
      - 192.0.2.0/24
      - 192.88.99.0/24
      - 198.18.0.0/15
      - 198.51.100.0/24
      - 203.0.113.0/24
      - 240.0.0.0/4
      - 192.168.10.0/24
    masqLinkLocal: false
    resyncInterval: 60s
YAML
}
