package ec2sim

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWildcard(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261118", true},
		{"ubuntu/images/*/ubuntu-noble-*-server-*", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261118", true},
		{"ubuntu/images/hvm-ssd/*", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261118", false},
		{"debian-12-amd64-????????-*", "debian-12-amd64-20261109-2290", true},
		{"debian-12-amd64-???????-*", "debian-12-amd64-20261109-2290", false},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?`, "a?", true},
		{`a\?`, "ab", false},
		{"[x]", "[x]", true}, // brackets are literal
		{"x", "X", false},    // case-sensitive
		{`trailing\`, "trailing", false},
	} {
		if got := wildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcard(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

func TestIDs(t *testing.T) {
	for _, prefix := range []string{"i", "ami", "snap", "r", "key"} {
		for _, id := range []int64{1, 100001, 910000001, 1 << 40} {
			s := encodeID(prefix, id)
			if !strings.HasPrefix(s, prefix+"-0") || len(s) != len(prefix)+18 || strings.ToLower(s) != s {
				t.Fatalf("encodeID(%s, %d) = %s", prefix, id, s)
			}
			if got, ok := decodeID(prefix, s); !ok || got != id {
				t.Fatalf("decodeID(%s) = %d %v, want %d", s, got, ok, id)
			}
		}
	}
	if encodeID("i", 100001) == strings.Replace(encodeID("ami", 100001), "ami", "i", 1) {
		t.Fatal("prefixes share one permutation")
	}
	for _, tc := range []struct {
		s      string
		ok     bool
		unseen bool
	}{
		{"i-0000000000000dead", true, true},
		{"i-1234abcd", true, true}, // the old 8-digit form
		{"i-1234567890abcdef0", true, true},
		{"i-", false, false},
		{"i-0123456789ABCDEF0", false, false},
		{"ami-0123456789abcdef0", false, false}, // another prefix
		{"i-0123456789abcdef", false, false},    // 16 digits
		{"instance", false, false},
	} {
		id, ok := decodeID("i", tc.s)
		if ok != tc.ok || tc.unseen && id > 0 && id < 1<<41 {
			t.Errorf("decodeID(%q) = %d %v", tc.s, id, ok)
		}
	}
}

func FuzzWildcardStar(f *testing.F) {
	f.Add("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261118", 10)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		if cut < 0 || cut > len(s) || strings.ContainsAny(s, `*?\`) || !utf8.ValidString(s[:cut]) || !utf8.ValidString(s[cut:]) {
			return
		}
		if !wildcard(s[:cut]+"*", s) || !wildcard(s, s) || !wildcard("*"+s[cut:], s) {
			t.Fatalf("prefix, literal or suffix pattern does not match %q at %d", s, cut)
		}
	})
}
