# A dev box on Ubuntu 24.04 with cloud-init and an SSH key from the account.
resource "spuff_instance" "dev" {
  name      = "dev-box"
  region    = "fsn1"
  size      = "cx23"
  image     = { ubuntu = "24.04" }
  user_data = file("${path.module}/cloud-init.yaml")
  ssh_keys  = ["my-laptop"]

  # managed-by = "spuff" is added by the provider and cannot be set here.
  labels = {
    team = "platform"
  }

  timeouts {
    create = "10m"
    delete = "5m"
  }
}

# A CI runner restored from a snapshot.
resource "spuff_instance" "runner" {
  name   = "ci-runner-1"
  region = "fsn1"
  size   = "cx33"
  image  = { snapshot = spuff_snapshot.golden.id }
}

output "dev_ip" {
  value = spuff_instance.dev.ipv4_address
}
