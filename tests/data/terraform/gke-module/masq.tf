/**
 * Copyright 2024 Example Platform Team
 */

// This file was automatically generated from a template in ./autogen/main

resource "kubernetes_config_map" "ip-masq-agent" {
  count = var.configure_ip_masq ? 1 : 0

  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"

    labels = {
      maintained_by = "terraform"
    }
  }

  data = {
    config = <<EOF
nonMasqueradeCIDRs:
%{ for cidr in var.non_masquerade_cidrs ~}
  - ${cidr}
%{ endfor ~}
resyncInterval: ${var.ip_masq_resync_interval}
masqLinkLocal: ${var.ip_masq_link_local}
EOF
  }

  depends_on = [
    google_container_cluster.primary,
  ]
}
