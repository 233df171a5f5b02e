variable "non_masquerade_cidrs" {
  type        = list(string)
  description = "Pod secondary ranges of every cluster in the fleet, plus peers that expect Pod IPs."
}

resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = templatefile("${path.module}/templates/ip-masq-agent.yaml.tpl", {
      cidrs           = var.non_masquerade_cidrs
      resync_interval = "60s"
    })
  }
}
