package hetzner

import (
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"

	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Hetzner label rules (simulator notes 2.6): a key is an optional
// DNS-subdomain prefix and "/", then a name of 1-63 characters that starts
// and ends alphanumeric with "-_." allowed inside. A value is empty or
// follows the name rule. The "hetzner.cloud/" prefix is reserved.
var (
	labelNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$`)
	dnsLabelRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

const reservedLabelPrefix = "hetzner.cloud"

func validLabelKey(key string) bool {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		return labelNameRE.MatchString(key)
	}
	if prefix == reservedLabelPrefix || !validDNSSubdomain(prefix) {
		return false
	}
	return labelNameRE.MatchString(name)
}

func validDNSSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !dnsLabelRE.MatchString(part) {
			return false
		}
	}
	return true
}

func validLabelValue(v string) bool { return v == "" || labelNameRE.MatchString(v) }

// checkLabels returns a message describing the first invalid label, in key
// order so the answer is stable.
func checkLabels(labels map[string]string) string {
	for _, k := range world.SortedKeys(labels) {
		if !validLabelKey(k) {
			return fmt.Sprintf("label key %q is invalid", k)
		}
		if !validLabelValue(labels[k]) {
			return fmt.Sprintf("label value %q of key %q is invalid", labels[k], k)
		}
	}
	return ""
}

// selector is a parsed label selector: every requirement must hold.
type selector []requirement

type selectorOp int

const (
	opEqual selectorOp = iota
	opNotEqual
	opExists
	opNotExists
	opIn
	opNotIn
)

type requirement struct {
	key    string
	op     selectorOp
	values []string
}

// parseSelector parses the grammar of simulator notes 2.6, comma = AND:
// k=v, k==v, k!=v, k, !k, "k in (v1,v2)", "k notin (v1,v2)". Whitespace
// around keys, operators and values is ignored. An empty selector matches
// everything.
func parseSelector(s string) (selector, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts, err := splitTopLevel(s)
	if err != nil {
		return nil, err
	}
	sel := make(selector, 0, len(parts))
	for _, p := range parts {
		r, err := parseRequirement(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		sel = append(sel, r)
	}
	return sel, nil
}

// splitTopLevel splits at commas that are not inside a value set.
func splitTopLevel(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
			if depth > 1 {
				return nil, fmt.Errorf("nested parentheses at offset %d", i)
			}
		case ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unexpected ')' at offset %d", i)
			}
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unclosed '('")
	}
	return append(parts, s[start:]), nil
}

func parseRequirement(p string) (requirement, error) {
	if p == "" {
		return requirement{}, fmt.Errorf("empty requirement")
	}
	if open := strings.IndexByte(p, '('); open >= 0 {
		return parseSetRequirement(p, open)
	}
	if rest, ok := strings.CutPrefix(p, "!"); ok {
		return keyRequirement(strings.TrimSpace(rest), opNotExists, nil)
	}
	for _, o := range []struct {
		token string
		op    selectorOp
	}{{"!=", opNotEqual}, {"==", opEqual}, {"=", opEqual}} {
		if k, v, ok := strings.Cut(p, o.token); ok {
			return keyRequirement(strings.TrimSpace(k), o.op, []string{strings.TrimSpace(v)})
		}
	}
	return keyRequirement(p, opExists, nil)
}

// parseSetRequirement parses "key in (a,b)" and "key notin (a,b)".
func parseSetRequirement(p string, open int) (requirement, error) {
	head := strings.Fields(p[:open])
	if len(head) != 2 || !strings.HasSuffix(p, ")") {
		return requirement{}, fmt.Errorf("malformed set requirement %q", p)
	}
	var op selectorOp
	switch head[1] {
	case "in":
		op = opIn
	case "notin":
		op = opNotIn
	default:
		return requirement{}, fmt.Errorf("unknown operator %q in %q", head[1], p)
	}
	inner := p[open+1 : len(p)-1]
	if strings.TrimSpace(inner) == "" {
		return requirement{}, fmt.Errorf("empty value set in %q", p)
	}
	var values []string
	for _, v := range strings.Split(inner, ",") {
		values = append(values, strings.TrimSpace(v))
	}
	return keyRequirement(head[0], op, values)
}

func keyRequirement(key string, op selectorOp, values []string) (requirement, error) {
	if !validLabelKey(key) {
		return requirement{}, fmt.Errorf("invalid label key %q", key)
	}
	for _, v := range values {
		if !validLabelValue(v) {
			return requirement{}, fmt.Errorf("invalid label value %q", v)
		}
	}
	return requirement{key: key, op: op, values: values}, nil
}

// matches applies Kubernetes semantics, which Hetzner follows: != and notin
// also hold when the key is absent.
func (sel selector) matches(labels map[string]string) bool {
	for _, r := range sel {
		v, has := labels[r.key]
		var ok bool
		switch r.op {
		case opEqual:
			ok = has && v == r.values[0]
		case opNotEqual:
			ok = !has || v != r.values[0]
		case opExists:
			ok = has
		case opNotExists:
			ok = !has
		case opIn:
			ok = has && slices.Contains(r.values, v)
		case opNotIn:
			ok = !has || !slices.Contains(r.values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}
