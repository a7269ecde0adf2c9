package world

import (
	"testing"
	"time"
)

// DigitalOcean's shape: 5,000 an hour and 250 a minute, here scaled down
// to 5 an hour and 2 a minute.
func TestWindowLimiter(t *testing.T) {
	l := NewWindowLimiter(Window{Size: 5, Per: time.Hour}, Window{Size: 2, Per: time.Minute})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	take := func() (RateState, bool) { return l.Take("tok", now) }
	if rs, ok := take(); !ok || rs.Limit != 5 || rs.Remaining != 4 {
		t.Fatalf("first: %+v %v", rs, ok)
	}
	if _, ok := take(); !ok {
		t.Fatal("second refused")
	}
	if rs, ok := take(); ok || rs.Remaining != 3 {
		t.Fatalf("third within the minute: %+v %v, want refused by the minute window", rs, ok)
	}
	now = now.Add(time.Minute)
	for i := range 2 {
		if _, ok := take(); !ok {
			t.Fatalf("after a minute, request %d refused", i)
		}
	}
	now = now.Add(time.Minute)
	if rs, ok := take(); !ok || rs.Remaining != 0 {
		t.Fatalf("fifth: %+v %v", rs, ok)
	}
	now = now.Add(time.Minute)
	if _, ok := take(); ok {
		t.Fatal("the hour window must refuse a sixth request")
	}
	if e := l.Emptied(now); e.Remaining != 0 || !e.Reset.Equal(now.Add(time.Hour)) {
		t.Errorf("Emptied = %+v", e)
	}
	h := NewLimiter(0, 3600)
	if rs, _ := h.Take("t", now); rs.Limit != 3600 || !rs.Reset.Equal(now.Add(time.Second)) {
		t.Errorf("Hetzner bucket: %+v", rs)
	}
}
