package framework

import (
	"fmt"
	"time"
)

// Timeouts bounds the provider's operations (the spec's ProviderTimeouts).
type Timeouts struct {
	// InstanceReady bounds WaitReady. Default 300 s.
	InstanceReady time.Duration
	// ActionComplete bounds waits for cloud actions such as snapshots. Default 600 s.
	ActionComplete time.Duration
	// PollInterval is the longest pause between two polls. Default 5 s.
	PollInterval time.Duration
	// HTTPRequest bounds one HTTP request. Default 30 s.
	HTTPRequest time.Duration
	// SSHConnect bounds SSH connection attempts. Default 300 s.
	SSHConnect time.Duration
	// CloudInit bounds the wait for cloud-init. Default 600 s.
	CloudInit time.Duration
}

// The spec's defaults.
const (
	DefaultInstanceReady  = 300 * time.Second
	DefaultActionComplete = 600 * time.Second
	DefaultPollInterval   = 5 * time.Second
	DefaultHTTPRequest    = 30 * time.Second
	DefaultSSHConnect     = 300 * time.Second
	DefaultCloudInit      = 600 * time.Second
)

// DefaultTimeouts returns the spec's defaults.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		InstanceReady:  DefaultInstanceReady,
		ActionComplete: DefaultActionComplete,
		PollInterval:   DefaultPollInterval,
		HTTPRequest:    DefaultHTTPRequest,
		SSHConnect:     DefaultSSHConnect,
		CloudInit:      DefaultCloudInit,
	}
}

// InstanceReadyAttempts is the spec's max number of ready polls:
// InstanceReady / PollInterval in whole seconds (0 when the interval is
// under a second, where the spec would divide by zero).
func (t Timeouts) InstanceReadyAttempts() uint32 {
	return attempts(t.InstanceReady, t.PollInterval)
}

// ActionCompleteAttempts is the spec's max number of action polls.
func (t Timeouts) ActionCompleteAttempts() uint32 {
	return attempts(t.ActionComplete, t.PollInterval)
}

func attempts(total, interval time.Duration) uint32 {
	secs := uint64(interval / time.Second)
	if secs == 0 {
		return 0
	}
	return uint32(uint64(total/time.Second) / secs)
}

// Validate reports the first non-positive timeout, named as the Terraform
// provider's attribute.
func (t Timeouts) Validate() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{
		{"instance_ready", t.InstanceReady},
		{"action_complete", t.ActionComplete},
		{"poll_interval", t.PollInterval},
		{"http_request", t.HTTPRequest},
		{"ssh_connect", t.SSHConnect},
		{"cloud_init", t.CloudInit},
	} {
		if f.d <= 0 {
			return InvalidConfig("timeouts."+f.name, fmt.Sprintf("must be a positive duration, got %s", f.d))
		}
	}
	return nil
}
