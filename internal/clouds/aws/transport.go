package aws

import (
	"bytes"
	"io"
	"net/http"
)

// OwnRequestBody returns a transport that hands next a copy of each
// request's body, so that net/http alone reads what it sends.
//
// Why: smithy-go closes the request body as soon as http.Client.Do
// returns, and its closed body's WriteTo answers io.EOF. When the answer
// arrives before net/http's write loop has made its last probe of the body
// (the answer to a small request on a fast link), the probe reads that
// io.EOF as a write error and the transport closes the connection under
// the answer still being read: "use of closed network connection"
// (aws/aws-sdk-go-v2#1825, #2737; the SDK's retryer retries it, and that
// retryer is off here). Query requests are small form bodies, so the copy
// costs nothing.
func OwnRequestBody(next http.RoundTripper) http.RoundTripper {
	return ownBody{next: next}
}

type ownBody struct{ next http.RoundTripper }

func (t ownBody) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.next.RoundTrip(req)
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close() // a RoundTripper closes the body it was given
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	return t.next.RoundTrip(r)
}
