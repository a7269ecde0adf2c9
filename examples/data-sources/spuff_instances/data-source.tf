# Every machine the provider manages in the account.
data "spuff_instances" "all" {}

# Only the platform team's machines.
data "spuff_instances" "platform" {
  labels = {
    team = "platform"
  }
}

output "platform_ips" {
  value = { for i in data.spuff_instances.platform.instances : i.name => i.ipv4_address }
}
