# A snapshot is imported by its cloud ID. Only snapshots carrying the label
# managed-by=spuff can be imported.
terraform import spuff_snapshot.golden 98765432
