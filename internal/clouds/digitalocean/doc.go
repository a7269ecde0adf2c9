// Package digitalocean is the DigitalOcean plug-in: framework.Provider over
// github.com/digitalocean/godo, with no hand-written HTTP.
//
// Choices:
//
//   - Labels are flat tags: k=v is the tag "k:v", k="" the tag "k". Keys
//     are letters, digits, '-' and '_' (no colon), values may add ':', each
//     tag at most 255 characters; so every accepted label set round-trips,
//     and ValidateRequest/ValidateLabels refuse the rest at plan time.
//     managed-by=spuff is the tag "managed-by:spuff", the server-side
//     tag_name filter of every list; the request ID is a tag like the rest.
//   - Names: DigitalOcean does not keep droplet names unique, spuff does
//     among its own droplets: a create first looks the name up (?name=) and
//     refuses a managed droplet's name under the attribute "name", so the
//     framework's wrapper adopts it when it carries this call's request ID
//     (an answer lost after the create) or reports its ID to import.
//   - Snapshots: the droplet snapshot action, waited for; the image is the
//     one that joined the droplet's snapshot_ids during the action under the
//     given name (a droplet runs one action at a time), else the newest of
//     its snapshots created within the action's time window, compared as
//     parsed times (not strings: the timestamp trap). It is then tagged.
//     When the wait fails, the snapshot is known as "action-<id>", which
//     GetSnapshot and DeleteSnapshot resolve once the action completes.
//   - Retries: godo's are off (no WithRetryAndBackoffs); the framework's
//     policy rules, lists retry page by page, a 422 "pending event" is
//     framework.Busy and waited out within the caller's bound.
//   - Waits: the framework's watchers poll droplets (DigitalOcean reports no
//     progress), by ID while that is cheaper than one list, and share polls.
package digitalocean
