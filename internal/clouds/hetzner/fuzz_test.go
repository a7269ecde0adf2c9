package hetzner

// Fuzz tests for the validation of user input and the image mapping. The
// f.Add seeds and the corpus under testdata/fuzz/<FuzzName>/ run as ordinary
// tests; run a target for longer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzValidateLabel$' -fuzztime 30s ./internal/clouds/hetzner/
//
// or all of them with `make fuzz`.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// invalidConfigField returns the Field of err, which must be an
// *framework.InvalidConfigError with a message.
func invalidConfigField(t *testing.T, err error) string {
	t.Helper()
	var ice *framework.InvalidConfigError
	if !errors.As(err, &ice) {
		t.Fatalf("error %v (%T) is not an *InvalidConfigError", err, err)
	}
	if ice.Message == "" {
		t.Fatalf("error %v has an empty message", err)
	}
	return ice.Field
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Reference implementations of Hetzner's rules, written without regular
// expressions so that the fuzzer compares two independent readings.

// refHostLabel: 1-63 letters, digits or hyphens, alphanumeric at both ends.
func refHostLabel(s string) bool {
	if len(s) < 1 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := range len(s) {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func refDottedName(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !refHostLabel(l) {
			return false
		}
	}
	return true
}

// refLabelPart: a label key's name or a non-empty value.
func refLabelPart(s string) bool {
	if len(s) < 1 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// refLabelKey: an optional DNS-subdomain prefix (lower case, as in
// Kubernetes, whose syntax Hetzner's labels follow) and '/', then a name.
func refLabelKey(k string) bool {
	prefix, name, ok := strings.Cut(k, "/")
	if !ok {
		return refLabelPart(k)
	}
	return refLabelPart(name) && refDottedName(prefix, 253) && strings.ToLower(prefix) == prefix &&
		!strings.EqualFold(prefix, "hetzner.cloud")
}

func FuzzValidateServerName(f *testing.F) {
	for _, s := range []string{
		"spuff-a1b2c3d4", "a", "web.example.com", "A-1", "-a", "a-", "a..b", ".a", "a.", "",
		"under_score", strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 126) + "ab", "ümlaut", "a\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := validateServerName(name)
		if want := refDottedName(name, maxHostnameLen); (err == nil) != want {
			t.Fatalf("validateServerName(%q) = %v, but the RFC 1123 reading says valid=%v", name, err, want)
		}
		if err == nil {
			return
		}
		if f := invalidConfigField(t, err); f != "name" {
			t.Fatalf("validateServerName(%q): error on field %q, want \"name\"", name, f)
		}
		if !strings.Contains(err.Error(), strconv.Quote(name)) {
			t.Fatalf("validateServerName(%q): error %q does not quote the name", name, err)
		}
	})
}

func FuzzValidateLabel(f *testing.F) {
	for _, kv := range [][2]string{
		{"env", "dev"}, {"env", ""}, {"example.com/team", "infra"}, {"sub.example.com/k", "a.b_c-d"},
		{"hetzner.cloud/k", "v"}, {"Hetzner.Cloud/k", "v"}, {"/k", "v"}, {"example.com/", "v"},
		{"a/b/c", "v"}, {"-k", "v"}, {"k", "-v"}, {"k", "v "}, {"Example.com/k", "v"},
		{strings.Repeat("k", 63), strings.Repeat("v", 63)}, {strings.Repeat("k", 64), "v"},
		{"k", strings.Repeat("v", 64)}, {strings.Repeat("a.", 126) + "a/k", "v"}, {"", ""}, {"k=v", "x"},
	} {
		f.Add(kv[0], kv[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		labels := map[string]string{key: value}
		err := validateLabels(labels)
		want := refLabelKey(key) && (value == "" || refLabelPart(value))
		if (err == nil) != want {
			t.Fatalf("validateLabels({%q: %q}) = %v, but the reference reading says valid=%v", key, value, err, want)
		}
		if keyErr := validateLabelKey(key); (keyErr == nil) != refLabelKey(key) {
			t.Fatalf("validateLabelKey(%q) = %v, reference says valid=%v", key, keyErr, refLabelKey(key))
		}
		if err != nil {
			if f := invalidConfigField(t, err); f != "labels" {
				t.Fatalf("validateLabels: error on field %q, want \"labels\"", f)
			}
			if !strings.Contains(err.Error(), strconv.Quote(key)) {
				t.Fatalf("validateLabels({%q: %q}): error %q does not name the key", key, value, err)
			}
		}

		// With more labels around it the verdict is the same, and the first
		// invalid key in sorted order is the one reported, every time.
		for _, k := range []string{"aaa", "zzz"} {
			if k != key {
				labels[k] = "ok"
			}
		}
		err2 := validateLabels(labels)
		if (err2 == nil) != (err == nil) {
			t.Fatalf("adding valid labels to {%q: %q} changed the verdict: %v -> %v", key, value, err, err2)
		}
		if err2 != nil {
			if again := validateLabels(labels); again.Error() != err2.Error() {
				t.Fatalf("validateLabels is not deterministic: %q then %q", err2, again)
			}
		}

		// The request-level check applies the same rule.
		req := validRequest()
		req.Labels[key] = value
		if rerr := validateRequest(req); (rerr == nil) != (err == nil) && key != framework.ManagedByKey {
			t.Fatalf("validateRequest with label {%q: %q} = %v, validateLabels = %v", key, value, rerr, err)
		}
	})
}

// FuzzLabelsMatchSimulator checks that the provider's plan-time label rules
// and the simulator's (which stand in for the Hetzner API) agree on a key and
// value: the provider must not accept at plan time what the API then
// refuses, nor refuse what it accepts. The simulator is asked through its
// HTTP handler, in process, with a label selector "key=value".
func FuzzLabelsMatchSimulator(f *testing.F) {
	for _, kv := range [][2]string{
		{"env", "dev"}, {"env", ""}, {"example.com/team", "core"}, {"a.b-c_d", "x.y"},
		{"hetzner.cloud/k", "v"}, {"-k", "v"}, {"k", "v-"}, {"a/b/c", "v"}, {"", "v"}, {"k", "a/b"},
	} {
		f.Add(kv[0], kv[1])
	}
	h := sim.New(sim.Options{RateLimit: -1}).Handler()
	simAccepts := func(t *testing.T, key, value string) bool { return simAcceptsLabel(t, h, key, value) }
	f.Fuzz(func(t *testing.T, key, value string) {
		// Only inputs the selector syntax carries unchanged can be compared:
		// keys and values of the characters labels allow at all.
		for _, s := range []string{key, value} {
			for i := range len(s) {
				if c := s[i]; !isAlnum(c) && !strings.ContainsRune("-_./", rune(c)) {
					if validateLabels(map[string]string{key: value}) == nil {
						t.Fatalf("validateLabels accepted {%q: %q} with the character %q", key, value, c)
					}
					return
				}
			}
		}
		provider := validateLabels(map[string]string{key: value}) == nil
		if api := simAccepts(t, key, value); provider != api {
			t.Fatalf("label {%q: %q}: the provider's validation says valid=%v, the simulator's says valid=%v", key, value, provider, api)
		}
	})
}

// simAcceptsLabel asks the simulator's handler, in process, whether it
// accepts the label key and value, through the selector "key=value" of a
// server list (the simulator checks selectors and the labels of a create
// with the same rules).
func simAcceptsLabel(t *testing.T, h http.Handler, key, value string) bool {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/v1/servers?label_selector="+url.QueryEscape(key+"="+value), nil)
	req.Header.Set("Authorization", "Bearer fuzz-token")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	switch rec.Code {
	case http.StatusOK:
		return true
	case http.StatusBadRequest:
		return false
	}
	t.Fatalf("simulator answered %d to the selector %q=%q: %s", rec.Code, key, value, rec.Body)
	return false
}

// Regression test for what FuzzLabelsMatchSimulator found: a label key whose
// DNS-subdomain prefix has an upper-case letter passes validateLabels (so
// plan succeeds), but the simulator, like the Kubernetes rule Hetzner's
// label syntax follows, refuses it, so apply fails with invalid_input. The
// two must agree, whichever side is changed.
func TestLabelKeyPrefixCaseAgreesWithSimulator(t *testing.T) {
	h := sim.New(sim.Options{RateLimit: -1}).Handler()
	for _, kv := range [][2]string{
		{"example.com/team", "core"}, // both accept
		{"Example.com/team", "core"},
		{"0A/0", "0"}, // as the fuzzer minimised it
	} {
		key, value := kv[0], kv[1]
		provider := validateLabels(map[string]string{key: value}) == nil
		if api := simAcceptsLabel(t, h, key, value); provider != api {
			t.Errorf("label {%q: %q}: validateLabels says valid=%v, the simulator says valid=%v", key, value, provider, api)
		}
	}
}

func FuzzImageRoundTrip(f *testing.F) {
	f.Add(int(framework.ImageUbuntu), "24.04")
	f.Add(int(framework.ImageDebian), "12")
	f.Add(int(framework.ImageCustom), "rocky-9")
	f.Add(int(framework.ImageCustom), "114690387")
	f.Add(int(framework.ImageCustom), "ubuntu-24.04")
	f.Add(int(framework.ImageCustom), "0")
	f.Add(int(framework.ImageSnapshot), "4711")
	f.Add(int(framework.ImageSnapshot), "+4711")
	f.Add(int(framework.ImageSnapshot), "04711")
	f.Add(int(framework.ImageSnapshot), "-3")
	f.Add(int(framework.ImageSnapshot), "9223372036854775808")
	f.Add(int(framework.ImageNone), "")
	f.Fuzz(func(t *testing.T, kind int, value string) {
		spec := framework.ImageSpec{Kind: framework.ImageKind(kind), Value: value}
		if spec.Validate() != nil {
			// Not an image a user can configure; imageFor still must not panic.
			if _, err := imageFor(spec); err == nil && (spec.Kind < framework.ImageUbuntu || spec.Kind > framework.ImageSnapshot) {
				t.Fatalf("imageFor(%+v) accepted a spec of no known kind", spec)
			}
			return
		}
		sent, err := imageFor(spec)
		if err != nil {
			if f := invalidConfigField(t, err); f != "image."+spec.Kind.String() {
				t.Fatalf("imageFor(%+v): error on field %q", spec, f)
			}
			if spec.Kind != framework.ImageSnapshot {
				t.Fatalf("imageFor(%+v) refused a valid %s image: %v", spec, spec.Kind, err)
			}
			if n, perr := strconv.ParseInt(value, 10, 64); perr == nil && n > 0 {
				t.Fatalf("imageFor(%+v) refused the snapshot ID %d", spec, n)
			}
			return
		}
		if (sent.ID == 0) == (sent.Name == "") {
			t.Fatalf("imageFor(%+v) = {ID:%d Name:%q}: want exactly one of ID and name", spec, sent.ID, sent.Name)
		}
		if sent.ID < 0 {
			t.Fatalf("imageFor(%+v) = ID %d", spec, sent.ID)
		}

		// What Hetzner reports for the image spuff sent.
		back := &hcloud.Image{ID: sent.ID, Name: sent.Name, Type: hcloud.ImageTypeSystem}
		if spec.Kind == framework.ImageSnapshot {
			back.Type = hcloud.ImageTypeSnapshot
		}
		got := imageSpecOf(back)
		if err := got.Validate(); err != nil {
			t.Fatalf("imageSpecOf(%+v) = %+v, which does not validate: %v", *back, got, err)
		}
		// It names the same image...
		again, err := imageFor(got)
		if err != nil || again.ID != sent.ID || again.Name != sent.Name {
			t.Fatalf("round trip of %+v: sent {ID:%d Name:%q}, mapped back to %+v, which sends %+v (%v)", spec, sent.ID, sent.Name, got, again, err)
		}
		// ... and Ubuntu, Debian and canonical IDs come back exactly.
		canonicalID := strconv.FormatInt(sent.ID, 10) == value
		switch spec.Kind {
		case framework.ImageUbuntu, framework.ImageDebian:
			if got != spec {
				t.Fatalf("round trip of %+v gave %+v", spec, got)
			}
		case framework.ImageSnapshot:
			if got != framework.FromSnapshot(strconv.FormatInt(sent.ID, 10)) || canonicalID && got != spec {
				t.Fatalf("round trip of %+v gave %+v", spec, got)
			}
		case framework.ImageCustom:
			if sent.ID != 0 && got != framework.Custom(strconv.FormatInt(sent.ID, 10)) {
				t.Fatalf("round trip of %+v gave %+v", spec, got)
			}
		}
	})
}

func FuzzImageSpecOf(f *testing.F) {
	f.Add(int64(1), "ubuntu-24.04", "system")
	f.Add(int64(2), "debian-12", "system")
	f.Add(int64(3), "debian-testing", "system")
	f.Add(int64(4), "ubuntu-docker", "app")
	f.Add(int64(4711), "x", "snapshot")
	f.Add(int64(7), "", "backup")
	f.Add(int64(8), "ubuntu-24.04 ", "system")
	f.Add(int64(0), "", "")
	f.Fuzz(func(t *testing.T, id int64, name, typ string) {
		img := &hcloud.Image{ID: id, Name: name, Type: hcloud.ImageType(typ)}
		got := imageSpecOf(img)
		idStr := strconv.FormatInt(id, 10)
		switch {
		case img.Type == hcloud.ImageTypeSnapshot:
			if got != framework.FromSnapshot(idStr) {
				t.Fatalf("imageSpecOf(%+v) = %+v, want the snapshot by ID", *img, got)
			}
		case name == "":
			if got != framework.Custom(idStr) {
				t.Fatalf("imageSpecOf(%+v) = %+v, want the image by ID", *img, got)
			}
		default:
			if got.String() != "custom:"+name && "ubuntu-"+got.Value != name && "debian-"+got.Value != name {
				t.Fatalf("imageSpecOf(%+v) = %+v: not the image's name", *img, got)
			}
		}
		if got.Kind == framework.ImageUbuntu || got.Kind == framework.ImageDebian {
			if err := got.Validate(); err != nil {
				t.Fatalf("imageSpecOf(%+v) = %+v, which does not validate: %v", *img, got, err)
			}
		}
		// Real Hetzner IDs are positive and names are non-blank and not
		// numbers; for those, the spec names the same image again.
		if id <= 0 || name != "" && (strings.TrimSpace(name) == "" || isDecimal(name)) {
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("imageSpecOf(%+v) = %+v, which does not validate: %v", *img, got, err)
		}
		sent, err := imageFor(got)
		if err != nil {
			t.Fatalf("imageSpecOf(%+v) = %+v, which imageFor refuses: %v", *img, got, err)
		}
		if name != "" && img.Type != hcloud.ImageTypeSnapshot {
			if sent.Name != name {
				t.Fatalf("imageSpecOf(%+v) = %+v, which sends the name %q", *img, got, sent.Name)
			}
		} else if sent.ID != id {
			t.Fatalf("imageSpecOf(%+v) = %+v, which sends the ID %d", *img, got, sent.ID)
		}
	})
}

func isDecimal(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
