resource "kubernetes_config_map" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "default"
  }

  data = {
    config = "masqLinkLocal: true\nresyncInterval: 60s\n"
  }
}
