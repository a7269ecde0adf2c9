package world

import (
	"testing"
	"time"
)

// A cloud that gives IPs while booting, keeps tombstones and shows
// snapshots only once done (DigitalOcean and EC2 in one), to prove the
// world's policies without any front end.
func TestPolicies(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	w := New(Options{Now: func() time.Time { return now }, Delays: Delays{MachineReady: 10 * time.Second, ImageReady: 5 * time.Second}})
	cat := Catalog{
		Regions: []Region{{ID: 1, Name: "r1"}},
		Sizes:   []Size{{ID: 1, Name: "s1", DiskGB: 25, Arch: "x86", Offers: []Offer{{Region: "r1"}}}},
	}
	w.AddCloud("nimbus", Cloud{Catalog: cat, Policy: Policy{
		IPs: IPsWhileBooting, Snapshots: SnapshotOnCompletion, Tombstone: time.Hour,
		ActionName: func(k Kind) string { return "nimbus." + string(k) },
	}}, NewLimiter(0, 10))

	spec := MachineSpec{Cloud: "nimbus", Name: "m", Region: "r1", Size: "s1", Start: true, IPv4: true, IPv6: true, IdempotencyKey: "tok-1"}
	m, create, start2 := w.CreateMachine(spec, now)
	if m.IPv4 != "" || m.Phase != Provisioning || create.Kind != KindCreate || start2.Kind != KindStart {
		t.Fatalf("created: %+v", m)
	}
	if len(w.MachinesOf("nimbus")) != 1 || len(w.MachinesOf("other")) != 0 || w.MachineOf("other", m.ID) != nil ||
		len(w.ActionsOf("nimbus")) != 2 || w.ActionOf("other", create.ID) != nil {
		t.Error("a cloud must see only its own machines and actions")
	}
	if w.Idempotent("nimbus", "tok-1") != m || w.Idempotent("other", "tok-1") != nil || w.Idempotent("nimbus", "") != nil {
		t.Error("idempotency index")
	}
	now = start.Add(5 * time.Second)
	w.Settle(now)
	if m.IPv4 == "" || m.IPv6Net == "" || m.Phase != Provisioning {
		t.Errorf("half way through booting: ip %q phase %s", m.IPv4, m.Phase)
	}
	now = start.Add(10 * time.Second)
	w.Settle(now)
	if m.Phase != Running {
		t.Errorf("after booting: %s", m.Phase)
	}

	w.AddFault(Fault{Path: "action:nimbus.snapshot", Times: 1}.Normalize(nil))
	img, a := w.SnapshotMachine(m, "s", nil, now)
	if !a.Failed || w.ImageVisible(img, now) {
		t.Errorf("failed snapshot: failed=%v visible=%v", a.Failed, w.ImageVisible(img, now))
	}
	img, _ = w.SnapshotMachine(m, "s", nil, now.Add(5*time.Second))
	if w.ImageVisible(img, now.Add(9*time.Second)) || !w.ImageVisible(img, now.Add(10*time.Second)) ||
		w.ImageState(img, now.Add(10*time.Second)) != ImageAvailable {
		t.Error("a snapshot of a SnapshotOnCompletion cloud must appear only when its action is done")
	}

	w.DeleteMachine(m, now)
	if w.Machines[m.ID] == nil || m.Phase != Gone || w.Machine(m.ID) != nil || w.MachineByName("nimbus", "m") != nil {
		t.Errorf("tombstone: %+v", m)
	}
	w.Settle(now.Add(time.Hour - time.Second))
	if w.Machines[m.ID] == nil {
		t.Error("tombstone forgotten early")
	}
	w.Settle(now.Add(time.Hour))
	if w.Machines[m.ID] != nil {
		t.Error("tombstone kept past its time")
	}
}
