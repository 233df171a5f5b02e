resource "kubernetes_config_map_v1" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = file("${path.module}/files/ip-masq-agent.yaml")
  }
}
