// Package digitalocean is the simulator's DigitalOcean API front end,
// served at the root of a listener of its own (godo resolves relative
// paths such as "v2/droplets" against its BaseURL and so drops any path
// prefix). It translates requests into world operations and world state
// into the wire format godo and terraform-provider-digitalocean decode:
// the world's phases and action kinds become DigitalOcean's status words
// (new, active, off, archive) and action types (create, power_off,
// power_on, shutdown, reboot, power_cycle, resize, rename, snapshot,
// destroy) here, and nowhere else.
//
// # Endpoints
//
// Droplets: GET/POST/DELETE(?tag_name=) /v2/droplets (create with "name"
// or up to ten "names"; 202 with links.actions), GET/DELETE
// /v2/droplets/{id} (204), GET /v2/droplets/{id}/snapshots, GET/POST
// /v2/droplets/{id}/actions, GET /v2/droplets/{id}/actions/{id}. Actions:
// GET /v2/actions[/{id}]. Images: GET /v2/images (type, private, tag_name),
// GET /v2/images/{id or slug}, DELETE /v2/images/{id}. Snapshots: GET
// /v2/snapshots (resource_type), GET/DELETE /v2/snapshots/{id}. SSH keys:
// GET/POST /v2/account/keys, GET/PUT/DELETE /v2/account/keys/{id or
// fingerprint}. Tags: GET/POST /v2/tags, GET/DELETE /v2/tags/{tag},
// POST/DELETE /v2/tags/{tag}/resources. Catalogue: GET /v2/regions, GET
// /v2/sizes; GET /v2/account.
//
// Every list paginates with page and per_page (default 20, max 200) and
// answers "meta": {"total": n} and "links": {"pages": {...}} whose first,
// prev, next and last are absolute URLs (from the request's Host) carrying
// page=, only the keys that make sense, and "links": {} for one page:
// godo's Links.CurrentPage parses the prev link's page=.
//
// # Lifecycle
//
// A new droplet is "new" with empty networks; half way through the
// server-ready delay it gets its public IPv4 (networks.v4, "public", from
// 198.18.0.0/15, with a private 10.x address beside it) and IPv6 if asked
// for; at the end its create action completes and it is "active". An
// action runs "in-progress" -> "completed" (or "errored", with
// completed_at set as well: clients wait for completed_at). A droplet runs
// one event at a time: any action while another is in progress, a create
// or a snapshot included, gets 422 {"id": "unprocessable_entity",
// "message": "Droplet already has a pending event."}, and "locked" is true
// meanwhile. A resize needs the droplet off (422 "Droplet is currently on.
// Please power it off to run this event."), a size sold in its region and
// a disk at least its current one; with "disk": true the disk grows to the
// size's; the droplet stays off afterwards. A rename takes effect at once
// and runs a rename action. DELETE answers 204 and the droplet is gone at
// once (GET 404); its actions stay queryable.
//
// A snapshot image exists only once its snapshot action completed (never
// when it errored): then it is in /v2/images?private=true and GET
// /v2/images/{id} (integer "id"), /v2/droplets/{id}/snapshots (integer)
// and /v2/snapshots (string "id" and "resource_id"), and in the droplet's
// snapshot_ids. Its created_at is the action's started_at, both rendered
// "2006-01-02T15:04:05Z" (UTC, whole seconds), because the digitalocean
// Terraform provider finds the snapshot a droplet action made by comparing
// the two with ==.
//
// # Tags
//
// Tags are DigitalOcean's flat strings (letters, digits, ':', '-', '_',
// at most 255). The world keeps labels: the tag "k:v" is the label k=v,
// the tag "k" the label k="", and a tag that would not round-trip that way
// is kept whole; so an out-of-band label managed-by=spuff shows as the tag
// "managed-by:spuff" and every set of tags comes back as written. Tagging
// a resource creates the tag; a tag exists while it was created with POST
// /v2/tags or is on a droplet or snapshot.
//
// # Errors, auth, rate limits
//
// Errors are {"id", "message", "request_id"} with an x-request-id header
// of the same value: not_found 404 ("The resource you requested could not
// be found."), unauthorized 401 ("Unable to authenticate you"),
// unprocessable_entity 422, too_many_requests 429 ("API Rate limit
// exceeded."), bad_request 400 for an unreadable body, server_error 500.
// Authentication is "Authorization: Bearer <token>", any non-empty token
// or only the allow-list. Each token has 5,000 requests per hour and 250
// per minute (continuously refilled buckets); every answer carries
// ratelimit-limit, ratelimit-remaining and ratelimit-reset (Unix time) of
// the hourly window. Faults are matched on the request path ("/v2/droplets"
// with Method "POST") through the shared pipeline.
//
// The catalogue (catalog.go) is twelve regions (nyc1, sfo2, nyc3, ams3,
// sgp1, lon1, fra1, tor1, blr1, sfo3, syd1, atl1), the Basic sizes from
// s-1vcpu-512mb-10gb ($4) to s-8vcpu-16gb ($96), two Basic AMD sizes and
// one each of c-2, g-2vcpu-8gb and m-2vcpu-16gb, each with the regions it
// is sold in, and the distribution images ubuntu-22-04-x64,
// ubuntu-24-04-x64, ubuntu-26-04-x64, debian-12-x64 and debian-13-x64.
package digitalocean
