// Package resources is the Terraform side of spuff: the provider block,
// the spuff_instance and spuff_snapshot resources and the spuff_instances
// data source. It talks only to framework types; the cloud behind them is
// chosen through a framework.Registry when the provider is configured.
package resources
