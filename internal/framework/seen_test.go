package framework

import (
	"net/netip"
	"testing"
)

func TestSeenAndReadyState(t *testing.T) {
	var s Seen
	for i := 1; i < NotFoundPolls; i++ {
		if n := s.Miss("a", false); n != i {
			t.Fatalf("miss %d counted %d", i, n)
		}
		if st := ReadyState("a", nil, i); st.Done || st.Err != nil {
			t.Fatalf("after %d misses: %+v, want still waiting", i, st)
		}
	}
	if st := ReadyState("a", nil, s.Miss("a", false)); !IsNotFound(st.Err) {
		t.Fatalf("after %d misses: %+v, want not found", NotFoundPolls, st)
	}
	if n := s.Miss("a", true); n != 0 {
		t.Fatalf("found reset the count to %d", n)
	}
	ready := &Instance{ID: "a", IP: netip.MustParseAddr("198.51.100.7"), Status: ParseStatus("running")}
	if st := ReadyState("a", ready, 0); !st.Done {
		t.Fatalf("running with an IP: %+v", st)
	}
	if st := ReadyState("a", &Instance{ID: "a", IP: IPUnassigned, Status: ParseStatus("running")}, 0); st.Done {
		t.Fatal("running without an IP counted as ready")
	}
	if st := ReadyState("a", &Instance{ID: "a", Status: ParseStatus("terminated")}, 0); st.Err == nil {
		t.Fatal("an archived machine did not fail the wait")
	}
	s.Put("a", ready)
	if got := s.Take("a"); got != ready || s.Take("a") != nil {
		t.Fatalf("Take = %v, then not forgotten", got)
	}
}

// One poll's states: the ready machine is kept for Take, a missing one
// waits (until NotFoundPolls), a booting one waits and is not kept.
func TestSeenReadyStates(t *testing.T) {
	var s Seen
	ready := &Instance{ID: "up", IP: netip.MustParseAddr("198.51.100.7"), Status: ParseStatus("running")}
	booting := &Instance{ID: "boot", IP: IPUnassigned, Status: ParseStatus("initializing")}
	ids := map[string]struct{}{"up": {}, "boot": {}, "gone": {}}
	for poll := 1; poll <= NotFoundPolls; poll++ {
		got := s.ReadyStates(ids, map[string]*Instance{"up": ready, "boot": booting})
		if len(got) != 3 || !got["up"].Done || got["boot"].Done || got["boot"].Err != nil {
			t.Fatalf("poll %d: %+v", poll, got)
		}
		if missing := got["gone"]; poll < NotFoundPolls && (missing.Done || missing.Err != nil) || poll == NotFoundPolls && !IsNotFound(missing.Err) {
			t.Fatalf("poll %d: the missing machine's state is %+v", poll, missing)
		}
	}
	if s.Take("up") != ready || s.Take("boot") != nil {
		t.Fatal("only the ready machine's state is kept")
	}
}
