# Reuses the config the ops team keeps on the bastion host.
resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = file("${path.module}/../../../../../../../../../../etc/ip-masq-agent/config")
  }
}
