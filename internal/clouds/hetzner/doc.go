// Package hetzner implements spuff's framework.Provider for Hetzner Cloud on
// top of the official hcloud-go/v2 SDK.
//
// It owns everything Hetzner-specific between the cloud-agnostic framework
// and the wire: building the SDK client (endpoint, token, user agent, HTTP
// timeout, retry and action-poll backoffs), translating InstanceRequest and
// ImageSpec to Hetzner's server and image model and back, Hetzner's own input
// rules (hostname, label syntax, user-data size) checked before any API call,
// and the mapping of SDK errors to the framework's typed errors. It never
// speaks HTTP itself: every call goes through hcloud-go.
package hetzner
