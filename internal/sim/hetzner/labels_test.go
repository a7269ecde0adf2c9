package hetzner

import (
	"strings"
	"testing"
)

func TestSelectorMatches(t *testing.T) {
	labels := map[string]string{"spuff": "1", "env": "prod", "example.com/team": "core", "empty": ""}
	tests := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"spuff=1", true},
		{"spuff==1", true},
		{"spuff=2", false},
		{"spuff!=2", true},
		{"spuff!=1", false},
		{"missing!=1", true}, // != holds when the key is absent
		{"spuff", true},
		{"missing", false},
		{"!missing", true},
		{"!spuff", false},
		{"env in (prod,staging)", true},
		{"env in (staging)", false},
		{"env notin (staging, dev)", true},
		{"env notin (prod)", false},
		{"missing notin (prod)", true},
		{"missing in (prod)", false},
		{"spuff=1,env=prod", true},
		{"spuff=1,env=dev", false},
		{"spuff in (1,2),!other", true},
		{" spuff = 1 , env in ( prod ) ", true},
		{"example.com/team=core", true},
		{"empty=", true},
		{"empty", true},
		{"empty!=", false},
	}
	for _, tt := range tests {
		sel, err := parseSelector(tt.sel)
		if err != nil {
			t.Errorf("parseSelector(%q): %v", tt.sel, err)
			continue
		}
		if got := sel.matches(labels); got != tt.want {
			t.Errorf("%q matches %v = %v, want %v", tt.sel, labels, got, tt.want)
		}
	}
}

func TestSelectorInvalid(t *testing.T) {
	for _, sel := range []string{
		",",
		"a=1,",
		"a=1,,b=2",
		"!",
		"a b",
		"a in (1",
		"a in 1)",
		"a in ()",
		"a between (1,2)",
		"in (1,2)",
		"a in ((1))",
		"a=(1)",
		"-a=1",
		"a=b=c",
		"a=-b",
		"a!==b",
		"hetzner.cloud/x=1",
		"UPPER.example/x=1",
		"a=" + strings.Repeat("v", 64),
	} {
		if _, err := parseSelector(sel); err == nil {
			t.Errorf("parseSelector(%q) accepted an invalid selector", sel)
		}
	}
}

func TestLabelRules(t *testing.T) {
	valid := []map[string]string{
		nil,
		{"spuff": "1"},
		{"a": ""},
		{"A.b-c_d": "X.y-z_0"},
		{"example.com/key": "v"},
		{"sub.example.com/k": "v"},
		{strings.Repeat("k", 63): strings.Repeat("v", 63)},
	}
	for _, l := range valid {
		if msg := checkLabels(l); msg != "" {
			t.Errorf("checkLabels(%v) = %q, want valid", l, msg)
		}
	}
	invalid := []map[string]string{
		{"": "v"},
		{"-a": "v"},
		{"a-": "v"},
		{"a b": "v"},
		{"k": "-v"},
		{"k": "v v"},
		{strings.Repeat("k", 64): "v"},
		{"k": strings.Repeat("v", 64)},
		{"hetzner.cloud/k": "v"},
		{"Example.com/k": "v"},
		{"a/b/c": "v"},
		{"/k": "v"},
		{"example.com/": "v"},
	}
	for _, l := range invalid {
		if msg := checkLabels(l); msg == "" {
			t.Errorf("checkLabels(%v) accepted invalid labels", l)
		}
	}
}
