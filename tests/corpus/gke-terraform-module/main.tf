/**
 * Copyright 2024 Example Platform Team
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 */

locals {
  cluster_type           = "private"
  master_authorized_list = [for cidr in var.master_authorized_networks : { cidr_block = cidr.cidr_block, display_name = cidr.display_name }]
}

resource "google_container_cluster" "primary" {
  provider = google-beta

  name            = var.name
  description     = var.description
  project         = var.project_id
  location        = var.region
  networking_mode = "VPC_NATIVE"

  network    = "projects/${var.network_project_id}/global/networks/${var.network}"
  subnetwork = "projects/${var.network_project_id}/regions/${var.region}/subnetworks/${var.subnetwork}"

  default_snat_status {
    disabled = var.disable_default_snat
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = var.ip_range_pods
    services_secondary_range_name = var.ip_range_services
  }

  private_cluster_config {
    enable_private_endpoint = var.enable_private_endpoint
    enable_private_nodes    = var.enable_private_nodes
    master_ipv4_cidr_block  = var.master_ipv4_cidr_block
  }

  remove_default_node_pool = true
  initial_node_count       = 1
}
