resource "google_compute_network" "vpc" {
  name                    = "payments-vpc"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "gke" {
  name          = "payments-gke-nodes"
  region        = "europe-west3"
  network       = google_compute_network.vpc.id
  ip_cidr_range = "10.120.0.0/22"

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.124.0.0/14"
  }

  secondary_ip_range {
    range_name    = "pods-gpu"
    ip_cidr_range = "100.80.0.0/16"
  }

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = "10.128.0.0/20"
  }
}
