package main

import (
	"bytes"
	"errors"
	"flag"
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

func TestRunServesWritesURLFileAndStopsOnSignal(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-url-file", urlFile, "-server-ready-delay", "0s", "-token", "secret-token"}, &stdout, &stderr)
	}()

	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(urlFile); err == nil && strings.HasSuffix(string(b), "\n") {
			base = strings.TrimSpace(string(b))
			break
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("url file holds %q; stderr: %s", base, stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, base+"/v1") || !strings.Contains(out, base+"/_sim/") {
		t.Errorf("stdout does not name the endpoints:\n%s", out)
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
	if strings.Contains(stdout.String()+stderr.String(), "secret-token") {
		t.Error("the token was printed")
	}
}

func TestRunRejectsBadInvocations(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"-server-ready-delay", "-1s"},
		{"-nope"},
		{"-token", ""},
		{"-addr", "256.0.0.1:0"},
	} {
		var out bytes.Buffer
		if err := run(args, &out, &out); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"-h"}, &out, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-url-file") {
		t.Errorf("-h = %v with usage:\n%s", err, out.String())
	}
}
