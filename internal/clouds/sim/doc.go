// Package sim is a stateful local simulator of a public cloud API that the
// unchanged official SDKs work against. Users run it (cmd/spuff-sim) to test
// Terraform modules offline; the project's acceptance tests and demo use it
// too. It is a product, not a mock: a behavior the real cloud has and the
// simulator lacks is a bug.
//
// The package owns two layers:
//
//   - The world (world.go, seeds.go, faults.go, ratelimit.go, sshkeys.go): cloud-neutral
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
// # Hetzner endpoints
//
// Servers: GET/POST /v1/servers, GET/PUT/DELETE /v1/servers/{id}, POST
// /v1/servers/{id}/actions/{create_image,poweron,poweroff,shutdown,reboot,reset}.
// Images: GET /v1/images, GET/PUT/DELETE /v1/images/{id}. Actions: GET
// /v1/actions?id=.., /v1/actions/{id}, /v1/{servers,images}/actions[/{id}],
// /v1/{servers,images}/{id}/actions[/{id}]. SSH keys: GET/POST /v1/ssh_keys,
// GET/PUT/DELETE /v1/ssh_keys/{id}. Catalog: GET /v1/{locations,datacenters,
// server_types}[/{id}]. Every list paginates (per_page default 25, max 50)
// and answers meta.pagination; every response carries RateLimit-* headers.
//
// Where the simulator notes leave a choice open, the simulator answers:
// 405 method_not_allowed for a known path with the wrong method; 403
// forbidden when deleting or changing a system image; 423 locked for any
// server action while another action runs on the server, and for DELETE of
// a server or snapshot while a snapshot is being written; invalid_input
// naming the field for unknown references (server type, location,
// datacenter, image, SSH key, and volumes, networks, firewalls, placement
// groups and primary IPs, which the simulator doesn't have). A deleted
// server disappears at once; its actions stay queryable.
//
// Tokens and user_data are never logged or echoed.
package sim
