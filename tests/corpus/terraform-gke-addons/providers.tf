provider "kubernetes" {
  host                   = "https://${data.google_container_cluster.main.endpoint}"
  token                  = data.google_client_config.default.access_token
  cluster_ca_certificate = base64decode(data.google_container_cluster.main.master_auth[0].cluster_ca_certificate)
}

provider "kubernetes" {
  alias                  = "batch"
  host                   = "https://${data.google_container_cluster.batch.endpoint}"
  token                  = data.google_client_config.default.access_token
  cluster_ca_certificate = base64decode(data.google_container_cluster.batch.master_auth[0].cluster_ca_certificate)
}

data "google_client_config" "default" {}

data "google_container_cluster" "main" {
  name     = "shared-main"
  location = "europe-west1"
}

data "google_container_cluster" "batch" {
  name     = "shared-batch"
  location = "europe-west1"
}
