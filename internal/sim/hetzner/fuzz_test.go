package hetzner

// Fuzz tests for the label selector parser. The f.Add seeds and the corpus
// under testdata/fuzz/<FuzzName>/ run as ordinary tests; run a target for
// longer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzParseSelector$' -fuzztime 30s ./internal/sim/hetzner/
//
// or all of them with `make fuzz`.

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// render writes a parsed selector back in the grammar parseSelector reads.
func (sel selector) render() string {
	parts := make([]string, 0, len(sel))
	for _, r := range sel {
		switch r.op {
		case opEqual:
			parts = append(parts, r.key+"="+r.values[0])
		case opNotEqual:
			parts = append(parts, r.key+"!="+r.values[0])
		case opExists:
			parts = append(parts, r.key)
		case opNotExists:
			parts = append(parts, "!"+r.key)
		case opIn:
			parts = append(parts, r.key+" in ("+strings.Join(r.values, ",")+")")
		case opNotIn:
			parts = append(parts, r.key+" notin ("+strings.Join(r.values, ",")+")")
		}
	}
	return strings.Join(parts, ",")
}

// negation returns the requirement that holds exactly when r does not.
func (r requirement) negation() requirement {
	n := r
	n.op = map[selectorOp]selectorOp{
		opEqual: opNotEqual, opNotEqual: opEqual, opExists: opNotExists,
		opNotExists: opExists, opIn: opNotIn, opNotIn: opIn,
	}[r.op]
	return n
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{
		"", " ", "spuff=1", "spuff==1", "spuff!=2", "spuff", "!spuff", "! spuff",
		"env in (prod,staging)", "env notin ( staging , dev )", "managed-by=spuff,env=dev",
		"example.com/team=core", "empty=", "a,", ",a", "a,,b", "a in (1", "a in 1)", "a in ()",
		"a in ((1))", "a between (1,2)", "in (1,2)", "a=b=c", "a!==b", "hetzner.cloud/x=1",
		"UPPER.example/x=1", "a in (1),b notin (2,3),!c,d", "a in (x)y)", ")(", "\xff=1", "k=\u00e9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := parseSelector(s)
		if err != nil {
			if sel != nil {
				t.Fatalf("parseSelector(%q) failed (%v) but returned %v", s, err, sel)
			}
			return
		}
		if strings.TrimSpace(s) == "" {
			if sel != nil {
				t.Fatalf("parseSelector(%q) = %v, want the empty selector", s, sel)
			}
			return
		}
		if len(sel) != strings.Count(s, ",")-countInParens(s, ',')+1 {
			t.Fatalf("parseSelector(%q) = %d requirements, want one per top-level comma-separated part", s, len(sel))
		}
		for _, r := range sel {
			if !validLabelKey(r.key) {
				t.Fatalf("parseSelector(%q) accepted the key %q", s, r.key)
			}
			for _, v := range r.values {
				if !validLabelValue(v) {
					t.Fatalf("parseSelector(%q) accepted the value %q", s, v)
				}
			}
			n := len(r.values)
			switch r.op {
			case opEqual, opNotEqual:
				if n != 1 {
					t.Fatalf("parseSelector(%q): %v has %d values", s, r, n)
				}
			case opExists, opNotExists:
				if n != 0 {
					t.Fatalf("parseSelector(%q): %v has %d values", s, r, n)
				}
			case opIn, opNotIn:
				if n == 0 {
					t.Fatalf("parseSelector(%q): %v has no values", s, r)
				}
			default:
				t.Fatalf("parseSelector(%q): unknown operator in %v", s, r)
			}
		}

		// Rendered back in canonical form, it parses to the same selector.
		canon := sel.render()
		again, err := parseSelector(canon)
		if err != nil || !slices.EqualFunc(sel, again, func(a, b requirement) bool {
			return a.key == b.key && a.op == b.op && slices.Equal(a.values, b.values)
		}) {
			t.Fatalf("parseSelector(%q) = %v, rendered %q, which parses to %v (%v)", s, sel, canon, again, err)
		}

		// Against label sets built from its own keys and values: no panic,
		// each requirement and its negation disagree, and the selector is
		// the AND of its requirements.
		for _, labels := range labelSetsFor(sel) {
			all := true
			for _, r := range sel {
				one := selector{r}.matches(labels)
				if one == (selector{r.negation()}).matches(labels) {
					t.Fatalf("requirement %v and its negation agree (%v) on %v", r, one, labels)
				}
				all = all && one
			}
			if got := sel.matches(labels); got != all {
				t.Fatalf("parseSelector(%q).matches(%v) = %v, want the AND of its requirements: %v", s, labels, got, all)
			}
		}
	})
}

// countInParens counts c inside parentheses (value sets) of s.
func countInParens(s string, c rune) int {
	n, depth := 0, 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == c && depth > 0:
			n++
		}
	}
	return n
}

// labelSetsFor returns label sets that exercise every requirement of sel:
// none of its keys, each key with each of its values, and each key with a
// value the selector does not mention.
func labelSetsFor(sel selector) []map[string]string {
	sets := []map[string]string{{}}
	first := map[string]string{}
	for _, r := range sel {
		for _, v := range r.values {
			sets = append(sets, map[string]string{r.key: v})
			if _, ok := first[r.key]; !ok {
				first[r.key] = v
			}
		}
		sets = append(sets, map[string]string{r.key: "other-value"}, map[string]string{r.key: ""})
	}
	return append(sets, first)
}

// labelsFrom decodes fuzz input into labels: one "key=value" per line.
func labelsFrom(data string) map[string]string {
	m := map[string]string{}
	if data == "" {
		return m
	}
	for line := range strings.SplitSeq(data, "\n") {
		k, v, _ := strings.Cut(line, "=")
		m[k] = v
	}
	return m
}

func FuzzSelectorFromLabels(f *testing.F) {
	for _, s := range []string{
		"", "spuff=1", "managed-by=spuff\nenv=dev", "empty=", "example.com/team=core\nA.b-c_d=X.y-z_0",
		"a=1\nb=1\nc=", "k=v\nk2=v", "bad key=v", "hetzner.cloud/k=v",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data string, spaced bool) {
		labels := labelsFrom(data)
		if checkLabels(labels) != "" {
			return
		}
		// "k1=v1,k2=v2", or with "==" and spaces around keys, operators and values.
		eq, sep := "=", ","
		if spaced {
			eq, sep = " == ", " , "
		}
		keys := slices.Sorted(maps.Keys(labels))
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+eq+labels[k])
		}
		s := strings.Join(parts, sep)
		sel, err := parseSelector(s)
		if err != nil {
			t.Fatalf("parseSelector(%q), built from the valid labels %v: %v", s, labels, err)
		}
		if len(sel) != len(labels) {
			t.Fatalf("parseSelector(%q) = %d requirements, want %d", s, len(sel), len(labels))
		}
		if !sel.matches(labels) {
			t.Fatalf("parseSelector(%q) does not match the labels it was built from: %v", s, labels)
		}
		// Extra labels do not matter...
		extra := maps.Clone(labels)
		extra["fuzz-extra"] = "1"
		if _, ok := labels["fuzz-extra"]; !ok && !sel.matches(extra) {
			t.Fatalf("parseSelector(%q) does not match %v, a superset of its labels", s, extra)
		}
		// ... but a missing or changed one does.
		for _, k := range keys {
			missing := maps.Clone(labels)
			delete(missing, k)
			if sel.matches(missing) {
				t.Fatalf("parseSelector(%q) matches %v, which lacks %q", s, missing, k)
			}
			changed := maps.Clone(labels)
			changed[k] += "x"
			if sel.matches(changed) {
				t.Fatalf("parseSelector(%q) matches %v, where %q changed", s, changed, k)
			}
		}
	})
}
