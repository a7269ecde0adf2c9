# An instance is imported by its cloud ID. Only machines carrying the label
# managed-by=spuff can be imported (anything else is refused, untouched).
#
# The cloud never returns user data. After an import, state has no
# user_data and no user_data_wo_version; the first plan with the
# configuration that made the machine shows them as an in-place update,
# never a replacement, and the apply records them in state without any
# cloud call. From then on a change of either replaces the machine as usual.
# A timeouts block in the configuration is recorded the same way: timeouts
# are Terraform's, not the cloud's. A configuration without user data or
# timeouts plans no change at all after the import.
terraform import spuff_instance.dev 12345678
