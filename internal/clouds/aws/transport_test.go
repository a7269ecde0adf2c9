package aws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

type captureBody struct{ body io.Reader }

func (c *captureBody) RoundTrip(r *http.Request) (*http.Response, error) {
	c.body = r.Body
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// smithyBody is a request body as smithy-go builds it, and closes it.
func smithyBody(t *testing.T, form string) (*http.Request, func()) {
	t.Helper()
	sr := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	sr.Method = http.MethodPost
	sr.URL.Scheme, sr.URL.Host = "http", "ec2.test"
	sr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req, err := sr.SetStream(strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	built := req.Build(context.Background())
	built.ContentLength = int64(len(form))
	return built, func() { _ = built.Body.Close() }
}

// The write loop's last probe of a body that smithy closed under it must
// read a clean end, not the io.EOF error that closes the connection.
func TestOwnRequestBodySurvivesSmithysClose(t *testing.T) {
	const form = "Action=DescribeInstances&Version=2016-11-15"

	// The SDK's behaviour that makes the transport necessary: copying a
	// closed body fails with io.EOF. If smithy-go stops doing that, this
	// fails, and OwnRequestBody can go.
	built, closeBody := smithyBody(t, form)
	closeBody()
	if _, err := io.Copy(io.Discard, built.Body); err != io.EOF { //nolint:errorlint // the exact value is the point
		t.Fatalf("copying smithy's closed body: %v, want io.EOF", err)
	}

	built, closeBody = smithyBody(t, form)
	next := &captureBody{}
	resp, err := OwnRequestBody(next).RoundTrip(built)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	closeBody() // what smithy does once Do returns
	var sent bytes.Buffer
	if _, err := io.Copy(&sent, next.body); err != nil {
		t.Fatalf("the transport's body after smithy closed its own: %v", err)
	}
	if sent.String() != form {
		t.Fatalf("sent %q, want %q", sent.String(), form)
	}
}
