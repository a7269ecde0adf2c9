# spuff quickstart: one instance, a snapshot of it, and a data source that lists
# the instances carrying the team label.
#
# The provider block names the cloud only. The token and the API endpoint come
# from the environment, so this file runs unchanged against:
#   - the local simulator (scripts/demo.sh, `make demo`):
#       SPUFF_ENDPOINT=http://127.0.0.1:PORT/v1  SPUFF_TOKEN=<any 64 characters>
#   - a real Hetzner Cloud project:
#       HCLOUD_TOKEN=<your API token>  (and no SPUFF_ENDPOINT)
# A real project is billed for the instance and the snapshot until you run
# `terraform destroy`.

terraform {
  required_version = ">= 1.5"

  required_providers {
    spuff = {
      source = "spuff/spuff"
    }
  }
}

provider "spuff" {
  cloud = "hetzner"
}

variable "name" {
  description = "Name of the instance (a valid hostname, unique in the project)."
  type        = string
  default     = "spuff-quickstart"
}

variable "region" {
  description = "Hetzner location."
  type        = string
  default     = "fsn1"
}

variable "size" {
  description = "Hetzner server type."
  type        = string
  default     = "cx23"
}

variable "team" {
  description = "Value of the team label; the data source lists instances with this label."
  type        = string
  default     = "platform"
}

resource "spuff_instance" "dev" {
  name      = var.name
  region    = var.region
  size      = var.size
  image     = { ubuntu = "24.04" }
  user_data = file("${path.module}/cloud-init.yaml")

  # managed-by = "spuff" is added by the provider.
  labels = {
    team    = var.team
    purpose = "quickstart"
  }

  timeouts {
    create = "10m"
    delete = "5m"
  }
}

resource "spuff_snapshot" "golden" {
  instance_id = spuff_instance.dev.id
  name        = "${var.name}-golden"
}

data "spuff_instances" "team" {
  labels = {
    team = var.team
  }

  # Read after the instance exists, so the list includes it.
  depends_on = [spuff_instance.dev]
}

output "instance_id" {
  description = "ID of the instance."
  value       = spuff_instance.dev.id
}

output "ipv4_address" {
  description = "Public IPv4 address of the instance."
  value       = spuff_instance.dev.ipv4_address
}

output "status" {
  description = "Instance status as reported by the cloud."
  value       = spuff_instance.dev.status
}

output "snapshot_id" {
  description = "ID of the snapshot."
  value       = spuff_snapshot.golden.id
}

output "team_instance_count" {
  description = "How many instances with the team label the data source sees."
  value       = length(data.spuff_instances.team.instances)
}

output "team_instance_names" {
  description = "Names of those instances."
  value       = data.spuff_instances.team.instances[*].name
}
