# Cloud NAT for the private GKE nodes. Pods are masqueraded to the node IP by
# ip-masq-agent first, so only the node subnet needs to be NATed here.

resource "google_compute_router" "router" {
  name    = "${var.network_name}-router"
  region  = var.region
  network = var.network_name
}

resource "google_compute_router_nat" "nat" {
  name                               = "${var.network_name}-nat"
  router                             = google_compute_router.router.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = var.subnetwork_self_link
    source_ip_ranges_to_nat = ["PRIMARY_IP_RANGE"]
  }

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

variable "network_name" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west1"
}

variable "subnetwork_self_link" {
  type = string
}

output "nat_name" {
  value = google_compute_router_nat.nat.name
}
