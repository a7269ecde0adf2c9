# An instance is imported by its cloud ID. Only machines carrying the label
# managed-by=spuff can be imported. user_data is not read back from the cloud.
terraform import spuff_instance.dev 12345678
