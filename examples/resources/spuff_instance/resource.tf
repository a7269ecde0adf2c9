# A dev box on Ubuntu 24.04 with cloud-init and an SSH key from the account.
resource "spuff_instance" "dev" {
  name     = "dev-box"
  region   = "fsn1"
  size     = "cx23"
  image    = { ubuntu = "24.04" }
  ssh_keys = ["my-laptop"]

  # Write-only (Terraform/OpenTofu >= 1.11): sent to the cloud, never stored
  # in plan or state. Bump the version to boot a new machine with new data.
  user_data_wo         = file("${path.module}/cloud-init.yaml")
  user_data_wo_version = 1

  # managed-by = "spuff" is added by the provider and cannot be set here.
  # Labels, name and size change in place on Hetzner.
  labels = {
    team = "platform"
  }

  timeouts {
    create = "10m"
    update = "15m"
    delete = "5m"
  }
}

# A CI runner restored from a snapshot; its disk must be at least the
# snapshot's, which the plan checks.
resource "spuff_instance" "runner" {
  name   = "ci-runner-1"
  region = "fsn1"
  size   = "cx33"
  image  = { snapshot = spuff_snapshot.golden.id }
}

output "dev_ip" {
  value = spuff_instance.dev.ipv4_address
}
