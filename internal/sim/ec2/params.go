package ec2sim

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// get is a parameter's value; "" when absent.
func (c *call) get(name string) string { return c.p.Get(name) }

// bool is a boolean parameter; absent is false.
func (c *call) bool(name string) bool { return strings.EqualFold(c.p.Get(name), "true") }

// indices are the N of the parameters "prefix.N" and "prefix.N.<rest>", in
// order: EC2 flattens lists with 1-based indices.
func (c *call) indices(prefix string) []int {
	seen := map[int]bool{}
	for k := range c.p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// list is the flattened list "prefix.1", "prefix.2", ...
func (c *call) list(prefix string) []string {
	var out []string
	for _, n := range c.indices(prefix) {
		if v, ok := c.p[fmt.Sprintf("%s.%d", prefix, n)]; ok {
			out = append(out, v[0])
		}
	}
	return out
}

// filter is one Filter.N: its values are OR-ed, filters are AND-ed, and
// values may hold the wildcards * and ?.
type filter struct {
	name   string
	values []string
}

// filters are the request's Filter.N; a filter without a name is refused.
func (c *call) filters(known func(name string) bool) ([]filter, error) {
	var out []filter
	for _, n := range c.indices("Filter") {
		f := filter{name: c.get(fmt.Sprintf("Filter.%d.Name", n)), values: c.list(fmt.Sprintf("Filter.%d.Value", n))}
		if f.name == "" {
			return nil, invalidValue("The filter 'null' is invalid")
		}
		if !strings.HasPrefix(f.name, "tag:") && f.name != "tag-key" && f.name != "tag-value" && !known(f.name) {
			return nil, invalidValue(fmt.Sprintf("The filter '%s' is invalid", f.name))
		}
		out = append(out, f)
	}
	return out, nil
}

func knownFilters(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) }
}

// wildcard matches s against an EC2 filter value: * is any run of
// characters ('/' included: AMI names have slashes), ? any one character,
// a backslash makes the next character literal ("\\*" is a star).
func wildcard(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Greedy matching with backtracking to the last star: linear in
	// practice, no recursion.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == t[ti]:
			pi, ti = pi+2, ti+1
		case pi < len(p) && p[pi] != '\\' && (p[pi] == '?' || p[pi] == t[ti]):
			pi, ti = pi+1, ti+1
		case star >= 0:
			pi, mark = star+1, mark+1
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matches reports whether every filter has a value matching one of the
// resource's values for it (fields gives them by filter name; tags are
// "tag:<key>" and "tag-key").
func matches(fs []filter, fields func(name string) []string, tags map[string]string) bool {
	for _, f := range fs {
		var have []string
		switch {
		case strings.HasPrefix(f.name, "tag:"):
			if v, ok := tags[strings.TrimPrefix(f.name, "tag:")]; ok {
				have = []string{v}
			}
		case f.name == "tag-key":
			for k := range tags {
				have = append(have, k)
			}
		case f.name == "tag-value":
			for _, v := range tags {
				have = append(have, v)
			}
		default:
			have = fields(f.name)
		}
		if !slices.ContainsFunc(f.values, func(p string) bool {
			return slices.ContainsFunc(have, func(h string) bool { return wildcard(p, h) })
		}) {
			return false
		}
	}
	return true
}

// tagSpecs are TagSpecification.N's tags by resource type; allowed are the
// types the action tags (others are refused).
func (c *call) tagSpecs(allowed ...string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, n := range c.indices("TagSpecification") {
		pre := fmt.Sprintf("TagSpecification.%d", n)
		typ := c.get(pre + ".ResourceType")
		if !slices.Contains(allowed, typ) {
			return nil, invalidValue(fmt.Sprintf("'%s' is not a valid taggable resource type for this operation.", typ))
		}
		tags, err := c.tags(pre + ".Tag")
		if err != nil {
			return nil, err
		}
		if out[typ] == nil {
			out[typ] = map[string]string{}
		}
		for k, v := range tags {
			out[typ][k] = v
		}
	}
	return out, nil
}

// tags are "prefix.N.Key" / "prefix.N.Value" pairs.
func (c *call) tags(prefix string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range c.indices(prefix) {
		k := c.get(fmt.Sprintf("%s.%d.Key", prefix, n))
		v := c.get(fmt.Sprintf("%s.%d.Value", prefix, n))
		if err := validTag(k, v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func validTag(k, v string) error {
	switch {
	case k == "":
		return invalidValue("Tag keys must not be empty")
	case len(k) > 128:
		return invalidValue(fmt.Sprintf("Tag key exceeds the maximum length of 128 characters: %s", k))
	case len(v) > 256:
		return invalidValue(fmt.Sprintf("Tag value exceeds the maximum length of 256 characters: %s", v))
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return invalidValue("Tag keys starting with 'aws:' are reserved for internal use")
	}
	return nil
}

// tagSet renders tags as <tagSet><item><key/><value/></item>...</tagSet>,
// by key; nothing when there are none.
func tagSet(tags map[string]string) *node {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var list []*node
	for _, k := range keys {
		list = append(list, item(tx("key", k), tx("value", tags[k])))
	}
	return items("tagSet", list)
}

// page cuts a list of resources (ordered by ID) at MaxResults after
// NextToken. ok(max) bounds MaxResults; exclusive names a list parameter
// that can't be combined with MaxResults ("" = none). The token is
// opaque: the last ID of the page before, encoded.
func page[T any](c *call, all []T, id func(T) int64, lo, hi int, exclusive string) ([]T, string, error) {
	start := 0
	if tok := c.get("NextToken"); tok != "" {
		after, ok := decodeToken(c.action, tok)
		if !ok {
			return nil, "", apiErr("InvalidPaginationToken", fmt.Sprintf("Invalid pagination token: %s", tok))
		}
		start = len(all)
		for i, v := range all {
			if id(v) > after {
				start = i
				break
			}
		}
	}
	ms := c.get("MaxResults")
	if ms == "" {
		return all[start:], "", nil
	}
	if exclusive != "" && len(c.indices(exclusive)) > 0 {
		return nil, "", combination(fmt.Sprintf("The parameter %ss cannot be used with the parameter maxResults", exclusive))
	}
	size, err := strconv.Atoi(ms)
	if err != nil || size < lo || size > hi {
		return nil, "", invalidValue(fmt.Sprintf("Value ( %s ) for parameter maxResults is invalid. Expecting a value between %d and %d.", ms, lo, hi))
	}
	end := min(start+size, len(all))
	out := all[start:end]
	next := ""
	if end < len(all) {
		next = encodeToken(c.action, id(all[end-1]))
	}
	return out, next, nil
}

func encodeToken(action string, after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("spuff-sim/" + action + "/" + strconv.FormatInt(after, 10)))
}

func decodeToken(action, tok string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "spuff-sim/"+action+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil
}
