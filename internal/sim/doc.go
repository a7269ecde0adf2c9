// Package sim is a stateful local simulator of a public cloud API that the
// unchanged official SDKs work against. Users run it (cmd/spuff-sim) to test
// Terraform modules offline; the project's acceptance tests and demo use it
// too. It is a product, not a mock: a behavior the real cloud has and the
// simulator lacks is a bug.
//
// It lives in internal/sim, not under internal/clouds: it is the far side
// of the wire, the cloud itself, and no cloud client may import it (only
// tests and cmd/spuff-sim do). It is layered so that a cloud is one front
// end package:
//
//   - world: cloud-neutral state. Machines in neutral phases (provisioning,
//     running, stopping, off, resizing, deleting, gone), actions of neutral
//     kinds, images, disk snapshots behind images, SSH keys, a catalogue per cloud, tombstones, an
//     idempotency index, the clock, scripted faults, random fault rates with
//     their seeded stream, request and fault counts and per-token rate-limit
//     buckets. Each cloud registers a Policy: IPs at create, while
//     booting or once running, deletes instant or tombstoned, snapshot images present at
//     once or only when their action completes.
//
//   - frontend: the one request pipeline (count, delay, scripted and random
//     faults before any change, auth, rate limit, route, handler, faults
//     after) with the hooks a front end fills in: routes, fault key, auth
//     scheme, error bodies, rate-limit headers, content type.
//
//   - hetzner: the Hetzner Cloud API under /v1/, mapping phases and action
//     kinds to Hetzner's status words and commands.
//
//   - digitalocean: the DigitalOcean API (/v2/) at the root of a listener
//     of its own (FrontEnd.OwnPort: godo drops path prefixes), with
//     droplet statuses and action types, flat tags over the world's
//     labels, {"id","message","request_id"} errors and the 5,000/hour and
//     250/minute limits.
//
//   - ec2 (package ec2sim): the AWS EC2 API (cloud "aws") at the root of a
//     listener of its own, since every call is POST / in the Query
//     protocol: XML answers and error envelope, instance states, AMIs
//     with their EBS snapshots, ClientToken idempotency, terminated
//     instances listed for an hour, SigV4 access key IDs as tokens, faults
//     and request counts keyed by action name, per-action-class token
//     buckets throttling with 503 RequestLimitExceeded.
//
//   - this package: the facade tests and cmd/spuff-sim use (New, Handler,
//     FrontEnds, Servers, Images, faults, counts) and the admin API under
//     /_sim/, including out-of-band changes in no cloud's wire format
//     (CreateMachine, DeleteMachine, SetLabels, StopMachine, DeleteImage,
//     SetImageLabels; POST /_sim/machines, POST /_sim/machines/{id}/delete,
//     PUT /_sim/machines/{id}/labels, ...).
//
// Time never advances in the background: every status (server initializing
// -> running, image creating -> available, action running -> success) is
// computed from the clock on each read, so tests can inject a fake clock via
// Options.Now and the admin API can move the clock forward.
//
// # Fault injection
//
// Faults sit where a load balancer would: in front of authentication, the
// rate limit and the handlers of the cloud API, and never in front of the
// admin API. They strike before the request changes anything, unless a
// scripted fault says After.
//
// Random faults (FaultRates: Options.Faults, SetFaultRates, POST
// /_sim/faults/rates, spuff-sim -fault-5xx -fault-429 -fault-drop -latency
// -latency-jitter) hit a share of all cloud requests: a 5xx (500
// server_error, 502 bad_gateway, 503 unavailable, 504 timeout in equal
// shares; of these hcloud-go retries only bad_gateway and timeout), a 429
// rate_limit_exceeded, or a connection closed without any answer. Latency
// delays every request, in wall-clock time even under a fake clock; a
// client that gives up meanwhile leaves nothing behind. Each request takes
// the same three values from a generator seeded with Options.Seed (0 = from
// the time; Seed reports it), so the same seed and the same sequence of
// requests meet the same faults, and Reset starts the stream over.
//
// Every error answer is JSON and carries the RateLimit-* headers. The
// headers of a fault that struck before the backend show the caller's
// bucket unspent; a 429 (injected or real) shows an empty bucket:
// RateLimit-Remaining 0 and RateLimit-Reset, the time the bucket is full
// again, Limit seconds ahead (one request is allowed again after a second).
// Injected 429s never spend the real bucket.
//
// Scripted faults (Fault: InjectFault, POST /_sim/faults) make the next
// Times matching requests fail with a status, or drop the connection
// (Drop). With After the request is handled first and its effect stays:
// the "create succeeded but the answer was lost" case, so a client's retry
// can be proved not to duplicate a machine. Scripted faults go before the
// random ones. A Fault whose Path is "action:<command>" (for example
// "action:create_image") instead makes the next Times actions with that
// command end in status "error" with code "action_failed" (or
// Fault.Code/Message when given). A failed create_image leaves its
// snapshot "unavailable"; a failed create_server leaves the server "off"
// (with the primary IPv4 it was created with: as on Hetzner, addresses come
// with the create answer, and only the status waits for ServerReadyDelay).
//
// An action's progress (Hetzner's "progress"; DigitalOcean's actions have
// none) follows a ProgressProfile, set with SetProgress or spuff-sim
// -progress: linear (the default), steps (0, 25, 50, 75 at each quarter),
// stall (80 within the first tenth, then 80 until done) or none (0 until
// done). Every profile reports 100 exactly when the action is done; the
// others exist because real progress jumps and stalls, which linear
// progress, the best case for a client estimating the finish, never does.
//
// RequestCounts (GET /_sim/requests) counts requests per route, faulted
// ones included; FaultCounts (GET /_sim/faults/counts) counts the faults
// applied by kind. Reset clears the world, both counts, the scripted faults
// and the buckets; the fault rates stay, being configuration.
//
// A dropped connection is seen by Go's http.Transport as EOF. The transport
// silently re-sends a GET (HEAD, OPTIONS, TRACE) once when the dropped
// connection had been reused, so such drops often stay invisible to the
// client while counting twice here. POST, PUT and DELETE are not re-sent
// (hcloud-go sets no Idempotency-Key), and hcloud-go itself retries only
// timeouts among network errors.
//
// # Cloud APIs
//
// The Hetzner Cloud API and its choices are documented in package hetzner,
// the DigitalOcean API's in package digitalocean, the EC2 API's in package
// ec2sim (internal/sim/ec2).
package sim
