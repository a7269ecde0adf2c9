package resources

// Fuzz tests for the parsing of user input. The f.Add seeds and the corpus
// under testdata/fuzz/<FuzzName>/ run as ordinary tests; run a target for
// longer with
//
//	go test -run '^$' -fuzz '^FuzzParsePositiveDuration$' -fuzztime 30s ./internal/resources/
//
// or all of them with `make fuzz`.

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzParsePositiveDuration(f *testing.F) {
	for _, s := range []string{
		"30s", "5m", "1h30m", "1.5h", "1ns", "+1s", "0", "0s", "-1s", "-0s", "", " 30s", "30",
		"1d", "2562047h47m16.854775807s", "2562047h47m16.854775808s", "9223372036854775807ns",
		".5s", "1e3s", "1µs", "1us", "\"30s\"", "30s\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parsePositiveDuration(s)
		want, perr := time.ParseDuration(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("parsePositiveDuration(%q) failed (%v) but returned %v", s, err, d)
			}
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("parsePositiveDuration(%q): error %q does not quote the input", s, err)
			}
			if perr == nil && want > 0 {
				t.Fatalf("parsePositiveDuration(%q) refused the positive duration %v: %v", s, want, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("parsePositiveDuration(%q) = %v, want a positive duration", s, d)
		}
		if perr != nil || d != want {
			t.Fatalf("parsePositiveDuration(%q) = %v, but time.ParseDuration says %v, %v", s, d, want, perr)
		}
	})
}
