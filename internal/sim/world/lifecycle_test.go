package world

import (
	"testing"
	"time"
)

// A cloud whose machines get their addresses once running, delete slowly
// and stay as tombstones, with disk snapshots behind its images.
func newSlowDeleteWorld(now *time.Time) *World {
	w := New(Options{Now: func() time.Time { return *now }, Delays: Delays{MachineReady: 10 * time.Second, ImageReady: 20 * time.Second, Action: 5 * time.Second}})
	w.AddCloud("slow", Cloud{
		Catalog: Catalog{Regions: []Region{{ID: 1, Name: "r1"}}, Sizes: []Size{{ID: 1, Name: "s1", Arch: "x86", Offers: []Offer{{Region: "r1"}}}}},
		Policy:  Policy{IPs: IPsOnceRunning, Snapshots: SnapshotAtOnce, Tombstone: time.Hour},
	}, NewLimiter(0, 10))
	return w
}

func TestIPsOnceRunning(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	w := newSlowDeleteWorld(&now)
	m, _, _ := w.CreateMachine(MachineSpec{Cloud: "slow", Region: "r1", Size: "s1", Zone: "r1a", Start: true, IPv4: true,
		IdempotencyKey: "k", RequestDigest: "d1"}, now)
	if m.IPv4 != "" || m.Zone != "r1a" || m.IdempotencyKey != "k" || m.RequestDigest != "d1" {
		t.Fatalf("new machine: ip %q zone %q key %q digest %q", m.IPv4, m.Zone, m.IdempotencyKey, m.RequestDigest)
	}
	w.Settle(now.Add(10*time.Second - time.Nanosecond))
	if m.IPv4 != "" || m.Phase != Provisioning {
		t.Fatalf("just before ready: %s %q", m.Phase, m.IPv4)
	}
	w.Settle(now.Add(10 * time.Second))
	if m.IPv4 == "" || m.Phase != Running {
		t.Fatalf("ready: %s %q", m.Phase, m.IPv4)
	}
	if got := w.Idempotent("slow", "k"); got != m {
		t.Fatalf("Idempotent = %v", got)
	}
}

func TestDeleteMachineSlowlyKeepsATombstone(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	w := newSlowDeleteWorld(&now)
	m, _, _ := w.CreateMachine(MachineSpec{Cloud: "slow", Region: "r1", Size: "s1", Start: true, IPv4: true, IdempotencyKey: "k"}, now)
	// Deleted while still provisioning: no address comes afterwards.
	a := w.DeleteMachineSlowly(m, now.Add(time.Second))
	if m.Phase != Deleting || a.Kind != KindDelete {
		t.Fatalf("deleting: %s %s", m.Phase, a.Kind)
	}
	gone := now.Add(6 * time.Second)
	w.Settle(gone.Add(-time.Nanosecond))
	if m.Phase != Deleting {
		t.Fatalf("before the delete action ends: %s", m.Phase)
	}
	w.Settle(now.Add(30 * time.Second))
	if m.Phase != Gone || !m.Deleted.Equal(gone) || m.IPv4 != "" {
		t.Fatalf("deleted: %s at %v (want %v), ip %q", m.Phase, m.Deleted, gone, m.IPv4)
	}
	if w.Machine(m.ID) != nil || w.MachineOf("slow", m.ID) != m || w.Idempotent("slow", "k") != m {
		t.Fatal("a tombstone is not live, but is listed and found by its idempotency key")
	}
	w.Settle(gone.Add(time.Hour - time.Nanosecond))
	if w.MachineOf("slow", m.ID) == nil {
		t.Fatal("the tombstone went before its hour")
	}
	w.Settle(gone.Add(time.Hour))
	if w.MachineOf("slow", m.ID) != nil || w.Idempotent("slow", "k") != nil {
		t.Fatal("the tombstone outlived its hour")
	}
}

func TestDiskSnapshots(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	w := newSlowDeleteWorld(&now)
	m, _, _ := w.CreateMachine(MachineSpec{Cloud: "slow", Region: "r1", Size: "s1", DiskGB: 8, Start: true}, now)
	img, _ := w.SnapshotMachine(m, "golden", map[string]string{"a": "1"}, now)
	d := w.AddDisk(img, m.DiskGB, map[string]string{"b": "2"})
	if img.Disk != d.ID || d.SizeGB != 8 || d.Region != "r1" || d.FromMachine != m.ID || d.Labels["b"] != "2" || d.Description != "golden" {
		t.Fatalf("disk %+v of image %+v", d, img)
	}
	if w.DiskDone(d, now.Add(20*time.Second-time.Nanosecond)) || !w.DiskDone(d, now.Add(20*time.Second)) {
		t.Fatal("the disk is written with its image's snapshot action")
	}
	if w.DiskInUse(d.ID) != img {
		t.Fatal("the image's disk is not in use")
	}
	delete(w.Images, img.ID)
	if w.DiskInUse(d.ID) != nil || len(w.DisksOf("slow")) != 1 {
		t.Fatal("the disk outlives its image, no longer in use")
	}
	w.Reset()
	if len(w.DisksOf("slow")) != 0 {
		t.Fatal("Reset keeps disks")
	}
}

func TestAddLimiterIsReset(t *testing.T) {
	w := New(Options{})
	l := NewWindowLimiter(Window{Size: 1, Per: time.Second})
	w.AddLimiter("extra", l)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if _, ok := w.Limiter("extra").Take("t", now); !ok {
		t.Fatal("first request refused")
	}
	if _, ok := l.Take("t", now); ok {
		t.Fatal("second request allowed")
	}
	w.Reset()
	if _, ok := l.Take("t", now); !ok {
		t.Fatal("Reset did not empty the extra limiter's buckets")
	}
}

func TestFailedCreate(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	w := newSlowDeleteWorld(&now)
	w.AddCloud("plain", Cloud{Catalog: Catalog{Regions: []Region{{ID: 1, Name: "r1"}}}}, NewLimiter(0, 10))
	for _, tc := range []struct {
		cloud, fault string
		want         Phase
	}{
		{"slow", "action:create", Gone}, // FailedCreate: Gone
		{"slow", "action:start", Gone},
		{"plain", "action:create", Off}, // the default
	} {
		w.AddFault(Fault{Path: tc.fault}.Normalize(nil))
		if tc.cloud == "slow" {
			w.clouds["slow"].Policy.FailedCreate = Gone
		}
		m, _, _ := w.CreateMachine(MachineSpec{Cloud: tc.cloud, Region: "r1", Size: "s1", Start: true}, now)
		w.Settle(now.Add(10 * time.Second))
		if m.Phase != tc.want || !m.CreateFailed || tc.want == Gone && !m.Deleted.Equal(now.Add(10*time.Second)) {
			t.Errorf("%s with %s: %s (create failed %v, deleted %v)", tc.cloud, tc.fault, m.Phase, m.CreateFailed, m.Deleted)
		}
	}
}
