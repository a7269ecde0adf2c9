package framework

// Fuzz tests for the parsers and mappers of user input. The f.Add seeds and
// the corpus under testdata/fuzz/<FuzzName>/ run as ordinary tests; run a
// target for longer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzParseImageSpec$' -fuzztime 30s ./internal/framework/
//
// or all of them with `make fuzz`.

import (
	"errors"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// assertInvalidConfig fails unless err is an *InvalidConfigError whose Field
// is one of fields.
func assertInvalidConfig(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ice *InvalidConfigError
	if !errors.As(err, &ice) {
		t.Fatalf("error %v (%T) is not an *InvalidConfigError", err, err)
	}
	if !slices.Contains(fields, ice.Field) {
		t.Fatalf("error field %q, want one of %q (error: %v)", ice.Field, fields, err)
	}
	if ice.Message == "" {
		t.Fatalf("error %v has an empty message", err)
	}
}

func FuzzParseImageSpec(f *testing.F) {
	for _, s := range []string{
		"ubuntu:24.04", "UBUNTU:22.04", "Debian:12", "debian:9", "custom:fedora-40",
		"custom:ubuntu-24.04:x", "snapshot:12345", "snapshot:", "custom: ", "ubuntu:24.4",
		"ubuntu:24.04\n", "debian:123", "ubuntu", "", ":", "windows:11", "none:x", "ſnapshot:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseImageSpec(s)
		if err != nil {
			if spec != (ImageSpec{}) && (spec.Kind < ImageUbuntu || spec.Kind > ImageSnapshot) {
				t.Fatalf("ParseImageSpec(%q) failed with spec %+v of no known kind", s, spec)
			}
			fields := []string{"image"}
			for _, k := range ImageKinds {
				fields = append(fields, "image."+k)
			}
			assertInvalidConfig(t, err, fields...)
			// A known kind whose value is invalid names the kind.
			if spec.Kind != ImageNone {
				assertInvalidConfig(t, err, "image."+spec.Kind.String())
			}
			return
		}
		if spec.Kind < ImageUbuntu || spec.Kind > ImageSnapshot {
			t.Fatalf("ParseImageSpec(%q) = %+v: kind out of range", s, spec)
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("ParseImageSpec(%q) = %+v, which does not validate: %v", s, spec, err)
		}
		// The value is everything after the first ':' verbatim; only the kind
		// is case-insensitive.
		if _, value, _ := strings.Cut(s, ":"); spec.Value != value {
			t.Fatalf("ParseImageSpec(%q).Value = %q, want %q", s, spec.Value, value)
		}
		back, err := ParseImageSpec(spec.String())
		if err != nil {
			t.Fatalf("ParseImageSpec(%q) = %+v, but its String() %q does not parse: %v", s, spec, spec.String(), err)
		}
		if back != spec {
			t.Fatalf("round trip of %q: %q parses to %+v, want %+v", s, spec.String(), back, spec)
		}
	})
}

func FuzzImageSpecValidate(f *testing.F) {
	f.Add(int(ImageUbuntu), "24.04")
	f.Add(int(ImageUbuntu), "24.04\n")
	f.Add(int(ImageDebian), "12")
	f.Add(int(ImageDebian), "012")
	f.Add(int(ImageCustom), "fedora-40")
	f.Add(int(ImageCustom), " \t")
	f.Add(int(ImageSnapshot), "1")
	f.Add(int(ImageNone), "")
	f.Add(-1, "x")
	f.Add(5, "x")
	f.Fuzz(func(t *testing.T, kind int, value string) {
		spec := ImageSpec{Kind: ImageKind(kind), Value: value}
		err := spec.Validate()
		known := spec.Kind >= ImageUbuntu && spec.Kind <= ImageSnapshot
		if !known {
			if err == nil {
				t.Fatalf("%+v of no known kind validates", spec)
			}
			assertInvalidConfig(t, err, "image")
			if got := spec.String(); spec.Kind == ImageNone && got != "" {
				t.Fatalf("ImageSpec{}.String() = %q, want \"\"", got)
			}
			return
		}
		if err != nil {
			assertInvalidConfig(t, err, "image."+spec.Kind.String())
			return
		}
		// A valid spec survives String() and ParseImageSpec unchanged.
		back, perr := ParseImageSpec(spec.String())
		if perr != nil || back != spec {
			t.Fatalf("valid %+v: ParseImageSpec(%q) = %+v, %v", spec, spec.String(), back, perr)
		}
		switch spec.Kind {
		case ImageUbuntu:
			if len(value) != 5 || value[2] != '.' {
				t.Fatalf("Ubuntu(%q) validates but is not YY.MM", value)
			}
		case ImageDebian:
			if len(value) < 1 || len(value) > 2 {
				t.Fatalf("Debian(%q) validates but is not a 1-2 digit major version", value)
			}
		case ImageCustom, ImageSnapshot:
			if strings.TrimSpace(value) == "" {
				t.Fatalf("%+v validates with a blank value", spec)
			}
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{
		"running", "RUNNING", " off ", "initializing", "starting", "pending", "stopping",
		"stopped", "archive", "terminated", "new", "active", "deleting", "rebuilding",
		"migrating", "unknown", "", "  ", "\u00a0running\u2003", "Ｒunning", "\xff",
	} {
		f.Add(s)
	}
	names := map[StatusKind]string{StatusNew: "new", StatusActive: "active", StatusOff: "off", StatusArchive: "archive"}
	f.Fuzz(func(t *testing.T, raw string) {
		st := ParseStatus(raw)
		if st.Raw != raw {
			t.Fatalf("ParseStatus(%q).Raw = %q: the raw state must be kept as given", raw, st.Raw)
		}
		want, inTable := statusTable[strings.ToLower(strings.TrimSpace(raw))]
		if inTable != (st.Kind != StatusUnknown) || st.Kind != want {
			t.Fatalf("ParseStatus(%q).Kind = %d, want %d (in table: %v)", raw, st.Kind, want, inTable)
		}
		got := st.String()
		if st.Kind == StatusUnknown {
			if raw == "" && got != "unknown" {
				t.Fatalf("ParseStatus(\"\").String() = %q, want \"unknown\"", got)
			}
			for _, name := range names {
				if got == name {
					t.Fatalf("ParseStatus(%q) is Unknown but renders as the known status %q", raw, got)
				}
			}
			return
		}
		if got != names[st.Kind] {
			t.Fatalf("ParseStatus(%q).String() = %q, want %q", raw, got, names[st.Kind])
		}
		// Parsing what String() returned gives the same kind again.
		if again := ParseStatus(got); again.Kind != st.Kind {
			t.Fatalf("ParseStatus(%q) = kind %d, but its String() %q parses to kind %d", raw, st.Kind, got, again.Kind)
		}
	})
}

func FuzzValidateEndpoint(f *testing.F) {
	for _, s := range []string{
		"", "https://api.hetzner.cloud/v1", "http://127.0.0.1:8080/v1", "http://localhost/v1",
		"http://LOCALHOST:1", "http://[::1]:8080", "http://127.255.0.1", "http://[::ffff:127.0.0.1]/",
		"http://example.com", "http://127.0.0.1.example.com", "http://127.0.0.1@example.com/",
		"http://example.com@127.0.0.1/", "http://[::1%25lo]:1", "http://0x7f.1/", "http://127.1/",
		"ftp://127.0.0.1", "HTTP://127.0.0.1", "https://", "127.0.0.1:8080", "//localhost", "http:/localhost",
		"http://localhost./", "http://localhost:99999999", "http:// localhost",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, endpoint string) {
		err := ValidateEndpoint(endpoint)
		if err != nil {
			assertInvalidConfig(t, err, "endpoint")
			return
		}
		if endpoint == "" {
			return
		}
		u, perr := url.Parse(endpoint)
		if perr != nil {
			t.Fatalf("ValidateEndpoint(%q) accepted a URL url.Parse rejects: %v", endpoint, perr)
		}
		if u.Host == "" {
			t.Fatalf("ValidateEndpoint(%q) accepted a URL without a host", endpoint)
		}
		switch u.Scheme {
		case "https":
		case "http":
			// Checked independently of IsLoopbackHost: the host an HTTP
			// client would dial must be localhost or a loopback address.
			host := u.Hostname()
			if strings.EqualFold(host, "localhost") {
				return
			}
			addr, aerr := netip.ParseAddr(host)
			if aerr != nil || addr.Zone() != "" || !addr.Unmap().IsLoopback() {
				t.Fatalf("ValidateEndpoint(%q) accepted plain http to the non-loopback host %q", endpoint, host)
			}
		default:
			t.Fatalf("ValidateEndpoint(%q) accepted the scheme %q", endpoint, u.Scheme)
		}
	})
}

// labelMap decodes fuzz input into labels: one "key=value" per line, split
// at the first '='; a line without '=' is a key with an empty value.
func labelMap(data string) map[string]string {
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

// providerOwned reports keys the provider may set and hide besides
// managed-by (a request-ID label, say): spuff's own keys start with "spuff-".
func providerOwned(k string) bool {
	return k == ManagedByKey || strings.HasPrefix(k, "spuff-")
}

func FuzzManagedUserLabels(f *testing.F) {
	for _, s := range []string{
		"", "team=platform", "managed-by=someone-else\nteam=platform", "managed-by=spuff",
		"managed-by", "Managed-By=x", "=\n=x", "env=dev\nenv=prod", "example.com/team=core\nempty=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		user := labelMap(data)
		before := maps.Clone(user)

		managed := ManagedLabels(user)
		if !maps.Equal(user, before) {
			t.Fatalf("ManagedLabels mutated its input: %q became %q", before, user)
		}
		if managed[ManagedByKey] != ManagedByValue || !IsManaged(managed) {
			t.Fatalf("ManagedLabels(%q) = %q: %s is not %s", user, managed, ManagedByKey, ManagedByValue)
		}
		for k, v := range user {
			if k != ManagedByKey && managed[k] != v {
				t.Fatalf("ManagedLabels(%q) lost or changed the user's %q=%q: %q", user, k, v, managed)
			}
		}
		wantLen := len(user) + 1
		if _, ok := user[ManagedByKey]; ok {
			wantLen--
		}
		if len(managed) != wantLen {
			t.Fatalf("ManagedLabels(%q) = %q: %d labels, want %d", user, managed, len(managed), wantLen)
		}

		for _, labels := range []map[string]string{user, managed} {
			in := maps.Clone(labels)
			got := UserLabels(labels)
			if !maps.Equal(labels, in) {
				t.Fatalf("UserLabels mutated its input: %q became %q", in, labels)
			}
			if _, ok := got[ManagedByKey]; ok {
				t.Fatalf("UserLabels(%q) = %q still has %s", labels, got, ManagedByKey)
			}
			for k, v := range got {
				if w, ok := labels[k]; !ok || w != v {
					t.Fatalf("UserLabels(%q) = %q invents %q=%q", labels, got, k, v)
				}
			}
			for k, v := range labels {
				if !providerOwned(k) && got[k] != v {
					t.Fatalf("UserLabels(%q) = %q drops the user's %q=%q", labels, got, k, v)
				}
			}
			if got == nil {
				t.Fatalf("UserLabels(%q) = nil, want a map", labels)
			}
		}
		// UserLabels returns a copy: writing to it leaves the source alone.
		snapshot := maps.Clone(managed)
		got := UserLabels(managed)
		clear(got)
		got["fuzz-write"] = "x"
		if !maps.Equal(managed, snapshot) {
			t.Fatalf("UserLabels returned a map aliasing its input: %q became %q", snapshot, managed)
		}
	})
}
