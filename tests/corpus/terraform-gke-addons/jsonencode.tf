# Second cluster (batch) keeps the GKE defaults but masquerades link-local,
# so the metadata proxy sees node IPs.

resource "kubernetes_config_map" "ip_masq_agent_batch" {
  provider = kubernetes.batch

  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
  }

  data = {
    config = jsonencode({
      masqLinkLocal  = "true"
      resyncInterval = "60s"
    })
  }
}
