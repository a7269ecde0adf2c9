package framework

import (
	"errors"
	"testing"
	"time"
)

func TestDefaultTimeouts(t *testing.T) {
	d := DefaultTimeouts()
	want := Timeouts{
		InstanceReady:  300 * time.Second,
		ActionComplete: 600 * time.Second,
		PollInterval:   5 * time.Second,
		HTTPRequest:    30 * time.Second,
		SSHConnect:     300 * time.Second,
		CloudInit:      600 * time.Second,
	}
	if d != want {
		t.Fatalf("DefaultTimeouts() = %+v, want %+v", d, want)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
}

func TestAttempts(t *testing.T) {
	tests := []struct {
		name          string
		t             Timeouts
		ready, action uint32
	}{
		{"defaults", DefaultTimeouts(), 60, 120},
		{"whole seconds", Timeouts{InstanceReady: 10 * time.Second, ActionComplete: 9 * time.Second, PollInterval: 3 * time.Second}, 3, 3},
		// The spec divides whole seconds: 7.9 s counts as 7.
		{"fractional interval", Timeouts{InstanceReady: 300 * time.Second, ActionComplete: 600 * time.Second, PollInterval: 7900 * time.Millisecond}, 42, 85},
		{"sub-second interval", Timeouts{InstanceReady: 300 * time.Second, ActionComplete: 600 * time.Second, PollInterval: 500 * time.Millisecond}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.InstanceReadyAttempts(); got != tt.ready {
				t.Errorf("InstanceReadyAttempts = %d, want %d", got, tt.ready)
			}
			if got := tt.t.ActionCompleteAttempts(); got != tt.action {
				t.Errorf("ActionCompleteAttempts = %d, want %d", got, tt.action)
			}
		})
	}
}

func TestTimeoutsValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Timeouts)
		field string
	}{
		{"ready zero", func(t *Timeouts) { t.InstanceReady = 0 }, "timeouts.instance_ready"},
		{"action negative", func(t *Timeouts) { t.ActionComplete = -time.Second }, "timeouts.action_complete"},
		{"poll zero", func(t *Timeouts) { t.PollInterval = 0 }, "timeouts.poll_interval"},
		{"http zero", func(t *Timeouts) { t.HTTPRequest = 0 }, "timeouts.http_request"},
		{"ssh zero", func(t *Timeouts) { t.SSHConnect = 0 }, "timeouts.ssh_connect"},
		{"cloud-init zero", func(t *Timeouts) { t.CloudInit = 0 }, "timeouts.cloud_init"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := DefaultTimeouts()
			tt.edit(&to)
			var ic *InvalidConfigError
			if err := to.Validate(); !errors.As(err, &ic) || ic.Field != tt.field {
				t.Fatalf("Validate() = %v, want InvalidConfigError for %s", err, tt.field)
			}
		})
	}
}
