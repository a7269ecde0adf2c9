package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer lets the test read what run writes from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRun runs spuff-sim with args until stop, which sends SIGINT and
// checks that run returns cleanly.
func startRun(t *testing.T, args ...string) (base string, stdout, stderr *syncBuffer, stop func()) {
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), "url")
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(append([]string{"-url-file", urlFile}, args...), stdout, stderr)
	}()

	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(urlFile); err == nil && strings.HasSuffix(string(b), "\n") {
			base = strings.TrimSpace(string(b))
			break
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("url file holds %q; stderr: %s", base, stderr.String())
	}
	stop = func() {
		t.Helper()
		// run is listening for SIGINT by now (it wrote the URL file after
		// installing the handler), so the signal reaches it, not the test.
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after SIGINT = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not stop on SIGINT")
		}
	}
	return base, stdout, stderr, stop
}

func TestRunServesWritesURLFileAndStopsOnSignal(t *testing.T) {
	base, stdout, stderr, stop := startRun(t, "-server-ready-delay", "0s", "-token", "secret-token")
	if out := stdout.String(); !strings.Contains(out, base+"/v1") || !strings.Contains(out, base+"/_sim/") || strings.Contains(out, "random faults") {
		t.Errorf("stdout does not name the endpoints, or names faults that are off:\n%s", out)
	}
	// One line per cloud API and one for the admin API, as
	// ../shared/checks/lib/tfsim.sh reads them.
	var hetznerLine, doLine, awsLine, adminLine string
	for _, l := range strings.Split(stdout.String(), "\n") {
		switch {
		case strings.Contains(strings.ToLower(l), "hetzner"):
			hetznerLine = l
		case strings.Contains(strings.ToLower(l), "digitalocean"):
			doLine = l
		case strings.Contains(l, "AWS EC2 API"):
			awsLine = l
		case strings.Contains(strings.ToLower(l), "admin"):
			adminLine = l
		}
	}
	if !strings.HasSuffix(hetznerLine, " "+base+"/v1") || !strings.HasSuffix(adminLine, " "+base+"/_sim/") {
		t.Errorf("endpoint lines: hetzner %q, admin %q", hetznerLine, adminLine)
	}
	// DigitalOcean is served at the root of its own port: godo drops path
	// prefixes.
	doURL := doLine[strings.LastIndex(doLine, " ")+1:]
	if !strings.HasPrefix(doLine, "  DigitalOcean API (digitalocean): http://127.0.0.1:") || doURL == base {
		t.Errorf("DigitalOcean line %q", doLine)
	} else {
		req, _ := http.NewRequest(http.MethodGet, doURL+"/v2/regions", nil)
		req.Header.Set("Authorization", "Bearer secret-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Ratelimit-Limit") != "5000" {
			t.Errorf("GET %s/v2/regions: %d, ratelimit-limit %q", doURL, resp.StatusCode, resp.Header.Get("Ratelimit-Limit"))
		}
	}

	// EC2 too: every call is POST / of its own port; the -token allow-list
	// holds access key IDs.
	awsURL := awsLine[strings.LastIndex(awsLine, " ")+1:]
	if !strings.HasPrefix(awsLine, "  AWS EC2 API (aws): http://127.0.0.1:") || awsURL == base || awsURL == doURL {
		t.Errorf("AWS line %q", awsLine)
	} else {
		for _, tc := range []struct {
			key    string
			status int
		}{{"secret-token", http.StatusOK}, {"AKIDOTHER", http.StatusUnauthorized}} {
			req, _ := http.NewRequest(http.MethodPost, awsURL+"/", strings.NewReader("Action=DescribeRegions&Version=2016-11-15"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tc.key+"/20261120/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "text/xml;charset=UTF-8" {
				t.Errorf("EC2 DescribeRegions as %s: %d %q, want %d", tc.key, resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
			}
		}
	}

	req, _ := http.NewRequest(http.MethodGet, base+"/v1/locations", nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("allowed token: %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/v1/locations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", resp.StatusCode)
	}

	stop()
	if strings.Contains(stdout.String()+stderr.String(), "secret-token") {
		t.Error("the token was printed")
	}
}

func TestRunWithFaultFlags(t *testing.T) {
	base, stdout, stderr, stop := startRun(t, "-v", "-fault-5xx", "1", "-latency", "1ms", "-latency-jitter", "2ms", "-seed", "7", "-progress", "stall")
	defer stop()
	if out := stdout.String(); !strings.Contains(out, "random faults:     5xx 1, 429 0, drop 0, latency 1ms + up to 2ms, seed 7") ||
		!strings.Contains(out, "action progress:   stall") {
		t.Errorf("stdout does not show the faults and the progress profile:\n%s", out)
	}
	get := func(path string) (int, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer t")
		// A fresh connection each time, so a dropped one is not re-sent.
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if code, err := get("/v1/locations"); err != nil || code < 500 {
		t.Fatalf("GET at -fault-5xx 1 = %d, %v", code, err)
	}
	if code, err := get("/_sim/faults/rates"); err != nil || code != http.StatusOK {
		t.Fatalf("admin API at -fault-5xx 1 = %d, %v", code, err)
	}

	// Switch to drops at run time; the log says no answer went out.
	req, _ := http.NewRequest(http.MethodPost, base+"/_sim/faults/rates", strings.NewReader(`{"server_error":0,"drop":1}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST rates = %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code, err := get("/v1/locations"); err == nil {
		t.Fatalf("GET at drop 1 answered %d", code)
	}
	// The client may see the closed connection before the line is logged.
	logged := func() bool {
		log := stderr.String()
		return strings.Contains(log, "GET /v1/locations -> no answer") && strings.Contains(log, "GET /v1/locations -> 5")
	}
	for deadline := time.Now().Add(5 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !logged() {
		t.Errorf("log:\n%s", stderr.String())
	}
}

func TestRunRejectsBadInvocations(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"-server-ready-delay", "-1s"},
		{"-nope"},
		{"-token", ""},
		{"-addr", "256.0.0.1:0"},
		{"-fault-5xx", "1.5"},
		{"-fault-429", "-0.1"},
		{"-fault-drop", "0.6", "-fault-5xx", "0.6"},
		{"-fault-drop", "lots"},
		{"-fault-5xx", "NaN"},
		{"-latency", "-1s"},
		{"-latency-jitter", "-1ms"},
		{"-seed", "x"},
		{"-progress", "jumpy"},
	} {
		var out bytes.Buffer
		if err := run(args, &out, &out); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"-h"}, &out, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-url-file") || !strings.Contains(out.String(), "-fault-drop") {
		t.Errorf("-h = %v with usage:\n%s", err, out.String())
	}
}
