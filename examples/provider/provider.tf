terraform {
  required_providers {
    spuff = {
      source = "spuff/spuff"
    }
  }
}

variable "hcloud_token" {
  description = "Hetzner Cloud API token (64 characters). Alternatively leave token unset and export HCLOUD_TOKEN, HETZNER_TOKEN or SPUFF_TOKEN."
  type        = string
  sensitive   = true
}

provider "spuff" {
  # Which cloud to talk to. Also settable with SPUFF_CLOUD; "hcloud" is an alias of "hetzner".
  cloud = "hetzner"

  # Sensitive. Falls back to HCLOUD_TOKEN, HETZNER_TOKEN, then SPUFF_TOKEN.
  token = var.hcloud_token

  # Optional API base URL (or SPUFF_ENDPOINT). Must be https, or http on a loopback
  # address, e.g. the local simulator: endpoint = "http://127.0.0.1:8080/v1"

  # Optional, Go duration strings. The values shown are the defaults.
  timeouts = {
    instance_ready  = "5m"
    action_complete = "10m"
    poll_interval   = "5s"
    http_request    = "30s"
    ssh_connect     = "5m"
    cloud_init      = "10m"
  }
}
