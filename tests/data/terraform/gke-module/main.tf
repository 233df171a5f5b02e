/**
 * Copyright 2024 Example Platform Team
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 */

resource "google_container_cluster" "primary" {
  provider = google-beta

  name     = var.name
  project  = var.project_id
  location = var.region

  remove_default_node_pool = true
  initial_node_count       = 1
}
