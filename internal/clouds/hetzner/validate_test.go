package hetzner

import (
	"errors"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func validRequest() framework.InstanceRequest {
	return framework.InstanceRequest{
		Name:   "spuff-a1b2c3d4",
		Region: "fsn1",
		Size:   "cx23",
		Image:  framework.Ubuntu("24.04"),
		Labels: framework.ManagedLabels(map[string]string{"env": "dev"}),
	}
}

// wantInvalid fails unless err is an InvalidConfigError on field whose
// message contains every fragment.
func wantInvalid(t *testing.T, err error, field string, fragments ...string) {
	t.Helper()
	var ic *framework.InvalidConfigError
	if !errors.As(err, &ic) {
		t.Fatalf("error = %v, want InvalidConfigError on %s", err, field)
	}
	if ic.Field != field {
		t.Fatalf("field = %q (%v), want %q", ic.Field, err, field)
	}
	for _, f := range fragments {
		if !strings.Contains(ic.Message, f) {
			t.Errorf("message %q does not contain %q", ic.Message, f)
		}
	}
}

func TestValidateRequestAcceptsValid(t *testing.T) {
	req := validRequest()
	req.UserData = strings.Repeat("x", maxUserDataBytes)
	req.SSHKeys = []string{"laptop", "12345"}
	req.Labels["example.com/team"] = "infra"
	req.Labels["empty"] = ""
	if err := validateRequest(req); err != nil {
		t.Fatalf("validateRequest(valid) = %v", err)
	}
}

func TestValidateServerName(t *testing.T) {
	for _, name := range []string{
		"a", "spuff-1", "1abc", "web.example.com", "A-Name", strings.Repeat("a", 63),
		strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 61), // 253
	} {
		if err := validateServerName(name); err != nil {
			t.Errorf("validateServerName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{
		"", "-spuff", "spuff-", "spuff_1", "spuff 1", "spuff..x", ".spuff", "spuff.", "spüff",
		strings.Repeat("a", 64),
		strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 62), // 254
	} {
		err := validateServerName(name)
		wantInvalid(t, err, "name", "RFC 1123", "1-63 letters, digits or hyphens")
	}
}

func TestValidateLabels(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		// fragments of the message; "" when the labels are valid
		want []string
	}{
		{"simple", map[string]string{"managed-by": "spuff"}, nil},
		{"inner punctuation", map[string]string{"a.b_c-d": "x.y_z-1"}, nil},
		{"63-char key and value", map[string]string{long: long}, nil},
		{"empty value", map[string]string{"k": ""}, nil},
		{"prefix", map[string]string{"example.com/k": "v"}, nil},
		{"empty key", map[string]string{"": "v"}, []string{`key ""`, "1-63 characters"}},
		{"key starts with dash", map[string]string{"-k": "v"}, []string{`key "-k"`, "starts and ends with a letter or digit"}},
		{"key ends with dot", map[string]string{"k.": "v"}, []string{`key "k."`}},
		{"key too long", map[string]string{long + "a": "v"}, []string{"1-63 characters"}},
		{"key bad char", map[string]string{"k:v": "v"}, []string{`key "k:v"`, "'-', '_' and '.'"}},
		{"empty name after prefix", map[string]string{"example.com/": "v"}, []string{`key "example.com/"`}},
		{"bad prefix", map[string]string{"exa_mple.com/k": "v"}, []string{"DNS subdomain"}},
		{"empty prefix", map[string]string{"/k": "v"}, []string{"DNS subdomain"}},
		{"two slashes", map[string]string{"a/b/c": "v"}, []string{`key "a/b/c"`}},
		{"reserved prefix", map[string]string{"hetzner.cloud/k": "v"}, []string{"reserved", "hetzner.cloud/"}},
		{"reserved prefix any case", map[string]string{"Hetzner.Cloud/k": "v"}, []string{"reserved"}},
		{"value too long", map[string]string{"k": long + "a"}, []string{`value "` + long + `a" of label "k"`, "empty or 1-63 characters"}},
		{"value bad char", map[string]string{"k": "a b"}, []string{`of label "k"`, "letters, digits, '-', '_' and '.'"}},
		{"value ends with dash", map[string]string{"k": "a-"}, []string{"start and end with a letter or digit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateLabels(tc.labels)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("validateLabels(%v) = %v, want nil", tc.labels, err)
				}
				return
			}
			wantInvalid(t, err, "labels", tc.want...)
		})
	}
}

func TestValidateLabelsReportsFirstKeyInOrder(t *testing.T) {
	labels := map[string]string{"z-": "v", "-a": "v", "m_": "v"}
	for range 20 { // map order varies between runs; the report must not
		wantInvalid(t, validateLabels(labels), "labels", `key "-a"`)
	}
}

func TestValidateRequestUserDataSize(t *testing.T) {
	req := validRequest()
	req.UserData = strings.Repeat("x", maxUserDataBytes+1)
	wantInvalid(t, validateRequest(req), "user_data", "32769 bytes", "at most 32 KiB")
}

func TestValidateRequestSnapshotID(t *testing.T) {
	req := validRequest()
	req.Image = framework.FromSnapshot("nightly")
	wantInvalid(t, validateRequest(req), "image.snapshot", `"nightly"`, "numeric")
}

func TestValidateRequestEmptySSHKey(t *testing.T) {
	req := validRequest()
	req.SSHKeys = []string{"laptop", " "}
	wantInvalid(t, validateRequest(req), "ssh_keys", "names or numeric IDs")
}

// framework.ValidateRequest runs the generic checks first and then this
// provider's, through the RequestValidator interface.
func TestFrameworkValidateRequestUsesHetznerRules(t *testing.T) {
	p, err := New(framework.Config{Token: strings.Repeat("t", 64), Timeouts: framework.DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	req := validRequest()
	req.Name = "not_a_hostname"
	wantInvalid(t, framework.ValidateRequest(p, req), "name", "RFC 1123")

	req = validRequest()
	req.Labels = map[string]string{"env": "dev"} // no managed-by: the framework's rule
	wantInvalid(t, framework.ValidateRequest(p, req), "labels", "managed-by=spuff")
}
