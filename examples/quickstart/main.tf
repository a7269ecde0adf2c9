# spuff quickstart: one instance, a snapshot of it, and a data source that lists
# the instances carrying the team label.
#
# The provider block names the cloud only (var.cloud: hetzner, digitalocean
# or aws). The token and the API endpoint come from the environment, so
# this file runs unchanged against:
#   - the local simulator (scripts/demo.sh, `make demo`, `CLOUD=digitalocean make demo`):
#       SPUFF_ENDPOINT=<the simulator's URL for the cloud>  SPUFF_TOKEN=<a token of the cloud's shape>
#   - a real Hetzner Cloud project:
#       HCLOUD_TOKEN=<your API token>  (and no SPUFF_ENDPOINT)
#   - a real DigitalOcean team (with -var cloud=digitalocean):
#       DIGITALOCEAN_TOKEN=<your personal access token>  (and no SPUFF_ENDPOINT)
#   - a real AWS account (with -var cloud=aws): the standard AWS credential
#       chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...), and no SPUFF_ENDPOINT
# A real account is billed for the instance and the snapshot until you run
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
  cloud = var.cloud
}

variable "cloud" {
  description = "The cloud to create the instance on: hetzner, digitalocean or aws."
  type        = string
  default     = "hetzner"
}

variable "name" {
  description = "Name of the instance (a valid hostname)."
  type        = string
  default     = "spuff-quickstart"
}

variable "region" {
  description = "Region of the cloud (Hetzner location, DigitalOcean or AWS region); null for the cloud's default below."
  type        = string
  default     = null
}

variable "size" {
  description = "Size of the cloud (Hetzner server type, DigitalOcean droplet size, EC2 instance type); null for the cloud's default below."
  type        = string
  default     = null
}

locals {
  # The smallest current x86 size of each cloud, in a region that sells it.
  defaults = {
    hetzner      = { region = "fsn1", size = "cx23" }
    digitalocean = { region = "nyc3", size = "s-1vcpu-1gb" }
    aws          = { region = "eu-central-1", size = "t3.micro" }
  }
  region = coalesce(var.region, local.defaults[var.cloud].region)
  size   = coalesce(var.size, local.defaults[var.cloud].size)
}

variable "team" {
  description = "Value of the team label; the data source lists instances with this label."
  type        = string
  default     = "platform"
}

resource "spuff_instance" "dev" {
  name      = var.name
  region    = local.region
  size      = local.size
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
