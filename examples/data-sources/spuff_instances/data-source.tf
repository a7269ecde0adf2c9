# Every machine the provider manages in the account.
data "spuff_instances" "all" {}

# Only the platform team's machines (filtered by the cloud's label selector).
data "spuff_instances" "platform" {
  labels = {
    team = "platform"
  }
}

# Running CI runners in Falkenstein, by name.
data "spuff_instances" "runners" {
  name_regex = "^ci-runner-"
  region     = "fsn1"
  status     = "active"
}

output "platform_ips" {
  value = { for i in data.spuff_instances.platform.instances : i.name => i.ipv4_address }
}
