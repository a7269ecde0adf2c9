package readybench

import (
	"slices"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // descending: Summarize must sort
	}
	for _, tt := range []struct {
		name string
		lags []time.Duration
		want Stats
	}{
		{"one", ms(7), Stats{7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond}},
		{"odd", ms(30, 10, 20), Stats{20 * time.Millisecond, 30 * time.Millisecond, 30 * time.Millisecond}},
		{"hundred", ms(hundred...), Stats{51 * time.Millisecond, 96 * time.Millisecond, 100 * time.Millisecond}},
	} {
		in := slices.Clone(tt.lags)
		if got := Summarize(tt.lags); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		if !slices.Equal(in, tt.lags) {
			t.Errorf("%s: Summarize reordered its argument", tt.name)
		}
	}
}

func TestSpread(t *testing.T) {
	d := Spread(50, time.Second, 30*time.Second)
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	if sorted[0] != time.Second || sorted[49] != 30*time.Second {
		t.Errorf("range %v..%v, want 1s..30s", sorted[0], sorted[49])
	}
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			t.Fatalf("delay %v twice: a slot was left empty or filled twice", sorted[i])
		}
	}
	if slices.Equal(d, sorted) {
		t.Error("delays come in ascending order; want short and long mixed")
	}
}
