resource "kubernetes_manifest" "ip_masq_agent" {
  manifest = {
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata = {
      name      = "ip-masq-agent"
      namespace = "kube-system"
    }
    data = {
      config = <<-EOT
        nonMasqueradeCIDRs:
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
          - 10.1.1.10/24
        masqLinkLocal: false
        resyncInterval: 60s
      EOT
    }
  }
}

resource "kubernetes_manifest" "egress_test" {
  manifest = yamldecode(<<-EOT
    apiVersion: v1
    kind: Pod
    metadata:
      name: connection-test-pod
      namespace: default
    spec:
      containers:
        - name: connection-test-pod
          image: nicolaka/netshoot
          command: ["sleep", "3600"]
  EOT
  )
}
