package hetzner

import (
	"errors"
	"maps"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func TestImageFor(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spec     framework.ImageSpec
		wantID   int64
		wantName string
		errField string
	}{
		{"ubuntu", framework.Ubuntu("24.04"), 0, "ubuntu-24.04", ""},
		{"debian", framework.Debian("12"), 0, "debian-12", ""},
		{"custom name", framework.Custom("rocky-9"), 0, "rocky-9", ""},
		{"custom numeric is an ID", framework.Custom("114690387"), 114690387, "", ""},
		{"custom zero is a name", framework.Custom("0"), 0, "0", ""},
		{"snapshot", framework.FromSnapshot("4711"), 4711, "", ""},
		{"snapshot not numeric", framework.FromSnapshot("my-snap"), 0, "", "image.snapshot"},
		{"snapshot negative", framework.FromSnapshot("-3"), 0, "", "image.snapshot"},
		{"no image", framework.ImageSpec{}, 0, "", "image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := imageFor(tc.spec)
			if tc.errField != "" {
				var ic *framework.InvalidConfigError
				if !errors.As(err, &ic) || ic.Field != tc.errField {
					t.Fatalf("imageFor(%v) error = %v, want InvalidConfigError on %s", tc.spec, err, tc.errField)
				}
				return
			}
			if err != nil {
				t.Fatalf("imageFor(%v): %v", tc.spec, err)
			}
			if img.ID != tc.wantID || img.Name != tc.wantName {
				t.Errorf("imageFor(%v) = {ID:%d Name:%q}, want {ID:%d Name:%q}", tc.spec, img.ID, img.Name, tc.wantID, tc.wantName)
			}
		})
	}
}

func TestImageSpecOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		img  *hcloud.Image
		want framework.ImageSpec
	}{
		{"nil", nil, framework.ImageSpec{}},
		{"ubuntu", &hcloud.Image{ID: 1, Name: "ubuntu-24.04", Type: hcloud.ImageTypeSystem}, framework.Ubuntu("24.04")},
		{"debian", &hcloud.Image{ID: 2, Name: "debian-12", Type: hcloud.ImageTypeSystem}, framework.Debian("12")},
		{"snapshot by ID even with a name", &hcloud.Image{ID: 4711, Name: "x", Type: hcloud.ImageTypeSnapshot}, framework.FromSnapshot("4711")},
		{"other system image", &hcloud.Image{ID: 3, Name: "rocky-9", Type: hcloud.ImageTypeSystem}, framework.Custom("rocky-9")},
		{"ubuntu-like app name stays custom", &hcloud.Image{ID: 5, Name: "ubuntu-docker", Type: hcloud.ImageTypeApp}, framework.Custom("ubuntu-docker")},
		{"debian-like bad version stays custom", &hcloud.Image{ID: 6, Name: "debian-testing", Type: hcloud.ImageTypeSystem}, framework.Custom("debian-testing")},
		{"backup without name by ID", &hcloud.Image{ID: 7, Type: hcloud.ImageTypeBackup}, framework.Custom("7")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := imageSpecOf(tc.img); got != tc.want {
				t.Errorf("imageSpecOf = %v, want %v", got, tc.want)
			}
		})
	}
}

// Every spec imageFor accepts must come back as itself when the cloud
// reports the image under the name or ID spuff sent.
func TestImageRoundTrip(t *testing.T) {
	for _, spec := range []framework.ImageSpec{
		framework.Ubuntu("24.04"), framework.Ubuntu("22.04"), framework.Debian("12"), framework.Debian("13"),
		framework.Custom("rocky-9"), framework.FromSnapshot("99"),
	} {
		sent, err := imageFor(spec)
		if err != nil {
			t.Fatalf("imageFor(%v): %v", spec, err)
		}
		back := &hcloud.Image{ID: sent.ID, Name: sent.Name, Type: hcloud.ImageTypeSystem}
		if spec.Kind == framework.ImageSnapshot {
			back.Type = hcloud.ImageTypeSnapshot
		}
		if got := imageSpecOf(back); got != spec {
			t.Errorf("round trip of %v gave %v", spec, got)
		}
	}
}

func TestServerToInstanceStatus(t *testing.T) {
	for _, tc := range []struct {
		status   hcloud.ServerStatus
		wantKind framework.StatusKind
		wantStr  string
	}{
		{hcloud.ServerStatusInitializing, framework.StatusNew, "new"},
		{hcloud.ServerStatusStarting, framework.StatusNew, "new"},
		{hcloud.ServerStatusRunning, framework.StatusActive, "active"},
		{hcloud.ServerStatusStopping, framework.StatusOff, "off"},
		{hcloud.ServerStatusOff, framework.StatusOff, "off"},
		{hcloud.ServerStatusDeleting, framework.StatusUnknown, "deleting"},
		{hcloud.ServerStatusMigrating, framework.StatusUnknown, "migrating"},
		{hcloud.ServerStatusRebuilding, framework.StatusUnknown, "rebuilding"},
		{hcloud.ServerStatusUnknown, framework.StatusUnknown, "unknown"},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			inst := serverToInstance(&hcloud.Server{ID: 1, Status: tc.status})
			if inst.Status.Kind != tc.wantKind || inst.Status.String() != tc.wantStr {
				t.Errorf("status %q -> %v (%q), want kind %v (%q)", tc.status, inst.Status.Kind, inst.Status, tc.wantKind, tc.wantStr)
			}
			if inst.Status.Raw != string(tc.status) {
				t.Errorf("Raw = %q, want %q", inst.Status.Raw, tc.status)
			}
		})
	}
}

func TestServerToInstanceFields(t *testing.T) {
	created := time.Date(2026, 1, 30, 23, 50, 0, 0, time.UTC)
	labels := map[string]string{"managed-by": "spuff", "env": "dev"}
	s := &hcloud.Server{
		ID:         42,
		Name:       "spuff-1",
		Status:     hcloud.ServerStatusRunning,
		Created:    created,
		PublicNet:  hcloud.ServerPublicNet{IPv4: hcloud.ServerPublicNetIPv4{IP: net.ParseIP("1.2.3.4")}},
		ServerType: &hcloud.ServerType{Name: "cx23"},
		Location:   &hcloud.Location{Name: "fsn1"},
		Image:      &hcloud.Image{ID: 1, Name: "ubuntu-24.04", Type: hcloud.ImageTypeSystem},
		Labels:     labels,
	}
	inst := serverToInstance(s)
	want := framework.Instance{
		ID: "42", IP: netip.MustParseAddr("1.2.3.4"), Status: framework.ParseStatus("running"),
		CreatedAt: created, Name: "spuff-1", Region: "fsn1", Size: "cx23",
		Image: framework.Ubuntu("24.04"), Labels: labels,
	}
	if inst.ID != want.ID || inst.IP != want.IP || inst.Status != want.Status || !inst.CreatedAt.Equal(want.CreatedAt) ||
		inst.Name != want.Name || inst.Region != want.Region || inst.Size != want.Size || inst.Image != want.Image ||
		!maps.Equal(inst.Labels, want.Labels) {
		t.Fatalf("serverToInstance =\n %+v\nwant\n %+v", *inst, want)
	}
	if !inst.IsReady() {
		t.Error("a running server with an IPv4 must be ready")
	}
	// The instance must not alias the SDK's label map.
	inst.Labels["env"] = "changed"
	if labels["env"] != "dev" {
		t.Error("Instance.Labels aliases the server's labels")
	}
}

func TestServerToInstanceWithoutIP(t *testing.T) {
	for name, ip := range map[string]net.IP{
		"none":        nil,
		"unspecified": net.IPv4zero,
	} {
		t.Run(name, func(t *testing.T) {
			inst := serverToInstance(&hcloud.Server{
				ID: 1, Status: hcloud.ServerStatusRunning,
				PublicNet: hcloud.ServerPublicNet{IPv4: hcloud.ServerPublicNetIPv4{IP: ip}},
			})
			if inst.IP != framework.IPUnassigned {
				t.Errorf("IP = %v, want %v", inst.IP, framework.IPUnassigned)
			}
			if inst.IsReady() {
				t.Error("a server without a public IPv4 must not be ready")
			}
			if inst.Labels == nil {
				t.Error("Labels must be an empty map, not nil")
			}
		})
	}
}

func TestImageToSnapshot(t *testing.T) {
	created := time.Date(2026, 1, 30, 23, 55, 0, 0, time.UTC)
	snap := imageToSnapshot(&hcloud.Image{
		ID: 555, Type: hcloud.ImageTypeSnapshot, Description: "before upgrade", Created: created,
		CreatedFrom: &hcloud.Server{ID: 42, Name: "spuff-1"},
		Labels:      map[string]string{"managed-by": "spuff"},
	})
	if snap.ID != "555" || snap.Name != "before upgrade" || snap.InstanceID != "42" ||
		snap.CreatedAt == nil || !snap.CreatedAt.Equal(created) || !framework.IsManaged(snap.Labels) {
		t.Fatalf("imageToSnapshot = %+v", *snap)
	}

	bare := imageToSnapshot(&hcloud.Image{ID: 7, Type: hcloud.ImageTypeSnapshot})
	if bare.CreatedAt != nil || bare.InstanceID != "" || bare.Labels == nil {
		t.Errorf("snapshot without created/created_from = %+v, want nil CreatedAt, empty InstanceID, empty Labels", *bare)
	}
}

func TestParseID(t *testing.T) {
	if n, err := parseID("id", "4711"); err != nil || n != 4711 {
		t.Fatalf("parseID(4711) = %d, %v", n, err)
	}
	for _, bad := range []string{"", "abc", "0", "-1", "12a", "99999999999999999999"} {
		_, err := parseID("id", bad)
		var ic *framework.InvalidConfigError
		if !errors.As(err, &ic) || ic.Field != "id" {
			t.Errorf("parseID(%q) error = %v, want InvalidConfigError on id", bad, err)
		}
	}
}
