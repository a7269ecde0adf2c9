package framework

import "strings"

// StatusKind is the spuff-level state of a machine.
type StatusKind int

// The spec's InstanceStatus variants. StatusUnknown carries the cloud's raw
// state in InstanceStatus.Raw.
const (
	StatusUnknown StatusKind = iota
	StatusNew
	StatusActive
	StatusOff
	StatusArchive
)

// InstanceStatus is a machine's status: a mapped kind plus the cloud's own
// state string, kept for diagnostics and for Unknown.
type InstanceStatus struct {
	Kind StatusKind
	// Raw is the provider state as the cloud reported it.
	Raw string
}

// statusTable is the spec's mapping table.
var statusTable = map[string]StatusKind{
	"new": StatusNew, "initializing": StatusNew, "starting": StatusNew, "pending": StatusNew,
	"active": StatusActive, "running": StatusActive,
	"stopping": StatusOff, "off": StatusOff, "stopped": StatusOff,
	"archive": StatusArchive, "terminated": StatusArchive,
}

// ParseStatus maps a cloud's state to a spuff status per the spec's table.
// Matching ignores case and surrounding space; anything else is Unknown.
func ParseStatus(providerState string) InstanceStatus {
	kind := statusTable[strings.ToLower(strings.TrimSpace(providerState))]
	return InstanceStatus{Kind: kind, Raw: providerState}
}

// String returns "new", "active", "off" or "archive", or for Unknown the
// cloud's raw state, so a Terraform user sees e.g. "deleting" as it is.
func (s InstanceStatus) String() string {
	switch s.Kind {
	case StatusNew:
		return "new"
	case StatusActive:
		return "active"
	case StatusOff:
		return "off"
	case StatusArchive:
		return "archive"
	}
	if raw := strings.ToLower(strings.TrimSpace(s.Raw)); raw != "" {
		return raw
	}
	return "unknown"
}
