resource "spuff_snapshot" "golden" {
  instance_id = spuff_instance.dev.id
  name        = "dev-golden"

  # Name and labels change in place on Hetzner: the snapshot, and machines
  # restored from it, stay.
  labels = {
    team = "platform"
  }

  timeouts {
    create = "20m"
  }
}

# Boot new machines from it.
resource "spuff_instance" "from_golden" {
  name   = "dev-box-2"
  region = "fsn1"
  size   = "cx23"
  image  = { snapshot = spuff_snapshot.golden.id }
}
