# Non-masquerade ranges for the shared-VPC clusters.
# Everything outside these ranges leaves the node with the node IP, which is
# what the on-prem firewall expects (see NET-1432).

resource "kubernetes_config_map_v1" "ip_masq_agent" {
  metadata {
    name      = "ip-masq-agent"
    namespace = "kube-system"
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
    }
  }

  data = {
    config = yamlencode({
      nonMasqueradeCIDRs = [
        "100.64.0.0/14",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "10.1.1.0/24",
      ]
      masqLinkLocal  = false
      resyncInterval = 60
    })
  }
}
