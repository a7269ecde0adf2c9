package digitalocean

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func TestTagsRoundTripEveryValidLabel(t *testing.T) {
	for _, labels := range []map[string]string{
		{},
		{"a": "b"},
		{"a": ""},
		{"url": "a:b:c", "x_y-Z": "::", "k": "v-"},
		{framework.ManagedByKey: framework.ManagedByValue, framework.RequestIDKey: "0123abcd"},
	} {
		if err := validateLabels(labels); err != nil {
			t.Fatalf("%v: %v", labels, err)
		}
		if got := tagsToLabels(labelsToTags(labels)); !equal(got, labels) {
			t.Errorf("%v round-tripped to %v", labels, got)
		}
	}
}

func FuzzTagsRoundTrip(f *testing.F) {
	f.Add("k", "v")
	f.Add("k", "")
	f.Add("k", "a:b")
	f.Fuzz(func(t *testing.T, k, v string) {
		labels := map[string]string{k: v}
		if validateLabels(labels) != nil {
			return
		}
		tags := labelsToTags(labels)
		for _, tag := range tags {
			if len(tag) > maxTagLen || !labelValue.MatchString(tag) {
				t.Fatalf("tag %q is not a DigitalOcean tag", tag)
			}
		}
		if got := tagsToLabels(tags); !equal(got, labels) {
			t.Fatalf("%v round-tripped to %v", labels, got)
		}
	})
}

func TestImageSlugs(t *testing.T) {
	for _, tc := range []struct {
		spec framework.ImageSpec
		want godo.DropletCreateImage
	}{
		{framework.Ubuntu("24.04"), godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}},
		{framework.Debian("12"), godo.DropletCreateImage{Slug: "debian-12-x64"}},
		{framework.Custom("123"), godo.DropletCreateImage{ID: 123}},
		{framework.Custom("docker-20-04"), godo.DropletCreateImage{Slug: "docker-20-04"}},
		{framework.FromSnapshot("7938206"), godo.DropletCreateImage{ID: 7938206}},
	} {
		got, err := imageFor(tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("%v: %+v %v, want %+v", tc.spec, got, err, tc.want)
		}
	}
	if _, err := imageFor(framework.FromSnapshot("abc")); err == nil {
		t.Error("non-numeric snapshot accepted")
	}
	for slug, want := range map[string]framework.ImageSpec{
		"ubuntu-24-04-x64": framework.Ubuntu("24.04"),
		"debian-12-x64":    framework.Debian("12"),
	} {
		if got, ok := imageSpecOfSlug(slug); !ok || got != want {
			t.Errorf("%s: %v", slug, got)
		}
	}
	if _, ok := imageSpecOfSlug("fedora-39-x64"); ok {
		t.Error("fedora mapped")
	}
}

func TestFingerprints(t *testing.T) {
	if !isFingerprint("3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa") {
		t.Error("fingerprint not recognised")
	}
	for _, s := range []string{"mykey", "3b:16", "zz:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"} {
		if isFingerprint(s) {
			t.Errorf("%q taken for a fingerprint", s)
		}
	}
}

func errorResponse(status int, msg string, h http.Header) error {
	if h == nil {
		h = http.Header{}
	}
	return &godo.ErrorResponse{Response: &http.Response{StatusCode: status, Header: h}, Message: msg}
}

func TestMapError(t *testing.T) {
	inst := subject{Type: "instance", ID: "1"}
	retryAfter := http.Header{}
	retryAfter.Set("Retry-After", "7")
	for _, tc := range []struct {
		name  string
		err   error
		about subject
		check func(error) bool
	}{
		{"404 named", errorResponse(404, "not found", nil), inst, framework.IsNotFound},
		{"404 unnamed", errorResponse(404, "not found", nil), subject{}, func(err error) bool {
			var a *framework.APIError
			return errors.As(err, &a) && a.Status == 404
		}},
		{"401", errorResponse(401, "Unable to authenticate you", nil), inst, func(err error) bool {
			var a *framework.AuthenticationError
			return errors.As(err, &a)
		}},
		{"403", errorResponse(403, "forbidden", nil), inst, func(err error) bool {
			var a *framework.AuthenticationError
			return errors.As(err, &a)
		}},
		{"429 retry-after", errorResponse(429, "API Rate limit exceeded.", retryAfter), inst, func(err error) bool {
			d, ok := framework.RetryAfter(err)
			return ok && d == 7*time.Second
		}},
		{"422 pending", errorResponse(422, "Droplet already has a pending event.", nil), inst, framework.IsBusy},
		{"422 size", errorResponse(422, "You specified an invalid size for Droplet creation.", nil), subject{}, func(err error) bool {
			var ic *framework.InvalidConfigError
			return errors.As(err, &ic) && ic.Field == "size"
		}},
		{"422 region", errorResponse(422, "Region is not available", nil), subject{}, func(err error) bool {
			var ic *framework.InvalidConfigError
			return errors.As(err, &ic) && ic.Field == "region"
		}},
		{"422 field given", errorResponse(422, "whatever", nil), subject{Field: "name"}, func(err error) bool {
			var ic *framework.InvalidConfigError
			return errors.As(err, &ic) && ic.Field == "name"
		}},
		{"422 limit", errorResponse(422, "creating this/these droplet(s) will exceed your droplet limit", nil), subject{}, func(err error) bool {
			var q *framework.QuotaExceededError
			return errors.As(err, &q)
		}},
		{"500", errorResponse(500, "Server Error", nil), inst, func(err error) bool {
			var a *framework.APIError
			return errors.As(err, &a) && a.Status == 500
		}},
		{"cancelled", context.Canceled, inst, func(err error) bool { return errors.Is(err, context.Canceled) }},
	} {
		if got := mapError(tc.err, tc.about); !tc.check(got) {
			t.Errorf("%s: mapped to %T %v", tc.name, got, got)
		}
	}
}
