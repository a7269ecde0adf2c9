// Package hetzner is the simulator's Hetzner Cloud API front end (served
// under /v1/). It translates requests into world operations and world
// state into the wire format hcloud-go and terraform-provider-hcloud
// decode: the world's neutral phases and action kinds become Hetzner's
// status words and commands here, and nowhere else.
//
// # Endpoints
//
// Servers: GET/POST /v1/servers, GET/PUT/DELETE /v1/servers/{id}, POST
// /v1/servers/{id}/actions/{create_image,change_type,poweron,poweroff,
// shutdown,reboot,reset}. Images: GET /v1/images, GET/PUT/DELETE
// /v1/images/{id}. Actions: GET /v1/actions?id=.., /v1/actions/{id},
// /v1/{servers,images}/actions[/{id}], /v1/{servers,images}/{id}/actions[/{id}].
// SSH keys: GET/POST /v1/ssh_keys, GET/PUT/DELETE /v1/ssh_keys/{id}.
// Catalog: GET /v1/{locations,server_types}[/{id}]. Every list paginates
// (per_page default 25, max 50) and answers meta.pagination; every response
// carries RateLimit-* headers.
//
// The catalogue is Hetzner's of late 2026 (seeds.go): the cx23-cx53,
// cpx12-cpx62, cax11-cax41 and ccx13-ccx63 server types, and the old
// cpx11-cpx51, deprecated per location (announced 2025-10-16, unavailable
// after 2025-12-31T23:59:59Z) in the EU and Singapore but still sold in
// Ashburn and Hillsboro. A server type that can't be ordered anywhere any
// more, like cx22-cx52 since 2026, is gone from the API (lists, by name and
// by ID; a create naming it gets "server type 'cx22' not found"), though
// servers created with it keep it. Whether a type can be ordered follows the
// simulator's clock. Servers have a location and no datacenter, and GET
// /v1/datacenters[/{id}] answers 410 deprecated_api_endpoint, as the API
// does since 2026-10-01.
//
// A change of server type (change_type) needs the server off (else 422
// server_not_stopped), the same architecture, a disk at least the server's
// current one and a type sold in its location (else 422
// invalid_server_type); the server shows "migrating" during the
// change_server_type action and is started again after it, with the new
// type and, only with upgrade_disk, the new type's disk. A snapshot is as
// big as its server's disk (disk_size), and booting it on a type with a
// smaller disk is refused (422 invalid_input, "image disk is bigger than
// server type disk").
//
// Where the simulator notes leave a choice open, the simulator answers:
// 405 method_not_allowed for a known path with the wrong method; 403
// forbidden when deleting or changing a system image; 423 locked for any
// server action while another action runs on the server, and for DELETE of
// a server or snapshot while a snapshot is being written; invalid_input
// naming the field for unknown references (server type, location, image,
// SSH key, and volumes, networks, firewalls, placement groups and primary
// IPs, which the simulator doesn't have). Invalid request bodies get 422
// (invalid_input, json_error), invalid query parameters 400. A deleted
// server disappears at once; its actions stay queryable.
//
// Tokens and user_data are never logged or echoed by the cloud API; the
// admin API shows user_data only in GET /_sim/state?secrets=1.
package hetzner
