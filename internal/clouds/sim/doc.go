// Package sim is a stateful local simulator of a public cloud API that the
// unchanged official SDKs work against. Users run it (cmd/spuff-sim) to test
// Terraform modules offline; the project's acceptance tests and demo use it
// too. It is a product, not a mock: a behavior the real cloud has and the
// simulator lacks is a bug.
//
// The package owns two layers:
//
//   - The world (world.go, seeds.go, faults.go, ratelimit.go): cloud-neutral
//     state. Machines, images, actions, SSH keys, the seeded regions, sizes
//     and system images, a clock, lazily computed transitions, injected
//     faults, request counts and per-token rate-limit buckets. Nothing in it
//     knows a wire format, so DigitalOcean (JSON /v2) and EC2 (Query/XML on
//     POST /) front ends can later be added over the same world.
//
//   - Front ends that translate HTTP to and from the world. Today there is
//     the Hetzner Cloud API under /v1/ (hetzner.go, hetzner_json.go,
//     labels.go) and the simulator's own admin API under /_sim/ (admin.go).
//
// Time never advances in the background: every status (server initializing
// -> running, image creating -> available, action running -> success) is
// computed from the clock on each read, so tests can inject a fake clock via
// Options.Now and the admin API can move the clock forward.
//
// Failure injection: a Fault with an HTTP path answers matching requests
// with an error before anything changes. A Fault whose Path is
// "action:<command>" (for example "action:create_image") instead makes the
// next Times actions with that command end in status "error" with code
// "action_failed" (or Fault.Code/Message when given). A failed create_image
// leaves its snapshot "unavailable"; a failed create_server leaves the
// server "off" without a public IPv4.
//
// Tokens and user_data are never logged or echoed.
package sim
