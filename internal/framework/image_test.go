package framework

import (
	"errors"
	"testing"
)

func TestParseImageSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    ImageSpec
		errFld  string
		wantErr bool
	}{
		{in: "ubuntu:24.04", want: Ubuntu("24.04")},
		{in: "UBUNTU:22.04", want: Ubuntu("22.04")},
		{in: "debian:12", want: Debian("12")},
		{in: "custom:fedora-40", want: Custom("fedora-40")},
		{in: "custom:ubuntu-24.04:x", want: Custom("ubuntu-24.04:x")},
		{in: "snapshot:12345", want: FromSnapshot("12345")},
		{in: "ubuntu:24", wantErr: true, errFld: "image.ubuntu"},
		{in: "ubuntu:", wantErr: true, errFld: "image.ubuntu"},
		{in: "debian:bookworm", wantErr: true, errFld: "image.debian"},
		{in: "snapshot: ", wantErr: true, errFld: "image.snapshot"},
		{in: "custom:", wantErr: true, errFld: "image.custom"},
		{in: "fedora:40", wantErr: true, errFld: "image"},
		{in: "ubuntu-24.04", wantErr: true, errFld: "image"},
		{in: "", wantErr: true, errFld: "image"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseImageSpec(tt.in)
			if tt.wantErr {
				var ic *InvalidConfigError
				if !errors.As(err, &ic) || ic.Field != tt.errFld {
					t.Fatalf("ParseImageSpec(%q) error = %v, want InvalidConfigError on %s", tt.in, err, tt.errFld)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseImageSpec(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if back, err := ParseImageSpec(got.String()); err != nil || back != got {
				t.Errorf("round trip of %v gave %v, %v", got, back, err)
			}
		})
	}
}

func TestImageSpecValidateNone(t *testing.T) {
	var ic *InvalidConfigError
	if err := (ImageSpec{}).Validate(); !errors.As(err, &ic) || ic.Field != "image" {
		t.Fatalf("zero ImageSpec must be invalid on field image, got %v", err)
	}
	if ic.Message != "exactly one of ubuntu, debian, custom, snapshot must be set" {
		t.Errorf("message must list the kinds, got %q", ic.Message)
	}
}

func TestInstanceRequestValidate(t *testing.T) {
	valid := InstanceRequest{Name: "dev", Region: "fsn1", Size: "cx23", Image: Ubuntu("24.04"), Labels: ManagedLabels(nil)}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid request rejected: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*InstanceRequest)
		field string
	}{
		{"empty name", func(r *InstanceRequest) { r.Name = "" }, "name"},
		{"empty region", func(r *InstanceRequest) { r.Region = "" }, "region"},
		{"empty size", func(r *InstanceRequest) { r.Size = "" }, "size"},
		{"no image", func(r *InstanceRequest) { r.Image = ImageSpec{} }, "image"},
		{"bad image", func(r *InstanceRequest) { r.Image = Debian("x") }, "image.debian"},
		{"unmanaged", func(r *InstanceRequest) { r.Labels = map[string]string{"team": "a"} }, "labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.edit(&r)
			var ic *InvalidConfigError
			if err := r.Validate(); !errors.As(err, &ic) || ic.Field != tt.field {
				t.Fatalf("Validate() = %v, want InvalidConfigError on %s", err, tt.field)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	user := map[string]string{"team": "platform", ManagedByKey: "someone-else"}
	got := ManagedLabels(user)
	if got[ManagedByKey] != ManagedByValue || got["team"] != "platform" || len(got) != 2 {
		t.Fatalf("ManagedLabels = %v", got)
	}
	if user[ManagedByKey] != "someone-else" {
		t.Error("ManagedLabels must not modify its input")
	}
	if !IsManaged(got) || IsManaged(user) || IsManaged(nil) {
		t.Error("IsManaged wrong")
	}
	back := UserLabels(got)
	if len(back) != 1 || back["team"] != "platform" {
		t.Errorf("UserLabels = %v", back)
	}
}
