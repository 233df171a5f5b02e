# ip-masq-agent configuration, kept from the 2019 version of the cluster module.
# The list is rendered with join(); see the module README for the inputs.

variable "non_masquerade_cidrs" {
  type        = list(string)
  description = "CIDRs that keep the Pod IP (no SNAT)."
}

variable "ip_masq_resync_interval" {
  type    = string
  default = "60s"
}

resource "kubernetes_config_map" "ip-masq-agent" {
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
  - ${join("\n  - ", var.non_masquerade_cidrs)}
resyncInterval: ${var.ip_masq_resync_interval}
EOF
  }
}
