resource "google_container_cluster" "payments" {
  name     = "payments"
  location = "europe-west3"

  network    = google_compute_network.vpc.id
  subnetwork = google_compute_subnetwork.gke.id

  remove_default_node_pool = true
  initial_node_count       = 1
  datapath_provider        = "ADVANCED_DATAPATH"

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.16/28"
  }

  release_channel {
    channel = "REGULAR"
  }
}

resource "google_container_node_pool" "general" {
  name       = "general"
  cluster    = google_container_cluster.payments.id
  location   = "europe-west3"
  node_count = 2

  node_config {
    machine_type = "e2-standard-4"
  }
}

resource "google_container_node_pool" "gpu" {
  name     = "gpu"
  cluster  = google_container_cluster.payments.id
  location = "europe-west3"

  network_config {
    create_pod_range = false
    pod_range        = "pods-gpu"
  }

  node_config {
    machine_type = "g2-standard-8"
  }
}
