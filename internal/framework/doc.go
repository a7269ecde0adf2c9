// Package framework is the cloud-agnostic core of spuff: the Provider contract
// every cloud implements, the request, instance and snapshot types, the status
// mapping, the timeouts with their defaults, the typed errors with their retry
// semantics, the shared wait helpers, and the Factory/Registry that turn a cloud
// name into a Provider.
//
// It is a Go port of the spuff provider API (shared/spec/provider-api.md).
// It imports no cloud SDK and nothing from Terraform, so the cloud packages and
// the Terraform resources can both depend on it without depending on each other.
package framework
