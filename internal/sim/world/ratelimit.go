package world

import (
	"crypto/sha256"
	"math"
	"time"
)

// Window is one rate limit: Size requests per Per, refilled continuously
// (Hetzner: 3600 per hour, one request back each second; DigitalOcean:
// 5,000 per hour and 250 per minute at once).
type Window struct {
	Size int
	Per  time.Duration
}

func (w Window) rate() float64 { return float64(w.Size) / w.Per.Seconds() }

// Limiter keeps token buckets per API token, one per window. Buckets are
// keyed by a hash so the simulator never holds a token it doesn't need.
type Limiter struct {
	windows  []Window // the first is the one the headers report
	disabled bool     // never refuse; the headers are still sent
	buckets  map[[sha256.Size]byte]*bucket
}

type bucket struct {
	tokens []float64 // one per window
	last   time.Time
}

// RateState is what a cloud's rate-limit headers report.
type RateState struct {
	Limit     int
	Remaining int
	Reset     time.Time // when the bucket is full again
}

// NewLimiter returns a limiter with one bucket of n requests refilled at
// one request per second; n == 0 means def (the cloud's real bucket), n < 0
// the same size but never refusing.
func NewLimiter(n, def int) *Limiter {
	disabled := false
	switch {
	case n == 0:
		n = def
	case n < 0:
		n, disabled = def, true
	}
	l := NewWindowLimiter(Window{Size: n, Per: time.Duration(n) * time.Second})
	l.disabled = disabled
	return l
}

// NewWindowLimiter returns a limiter that refuses a request when any window
// is spent; the headers report the first window.
func NewWindowLimiter(first Window, more ...Window) *Limiter {
	l := &Limiter{windows: append([]Window{first}, more...)}
	l.Reset()
	return l
}

// Disable makes the limiter never refuse; the headers are still sent.
func (l *Limiter) Disable() *Limiter {
	l.disabled = true
	return l
}

// Size is the capacity of the first window.
func (l *Limiter) Size() int { return l.windows[0].Size }

// Enabled reports whether the limiter ever refuses.
func (l *Limiter) Enabled() bool { return !l.disabled }

// Reset empties every bucket.
func (l *Limiter) Reset() { l.buckets = map[[sha256.Size]byte]*bucket{} }

// TokenKey hashes a token.
func TokenKey(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// refill returns the token's bucket brought up to now.
func (l *Limiter) refill(token string, now time.Time) *bucket {
	k := TokenKey(token)
	b := l.buckets[k]
	if b == nil {
		b = &bucket{tokens: make([]float64, len(l.windows)), last: now}
		for i, w := range l.windows {
			b.tokens[i] = float64(w.Size)
		}
		l.buckets[k] = b
	}
	if now.After(b.last) {
		elapsed := now.Sub(b.last).Seconds()
		for i, w := range l.windows {
			b.tokens[i] = math.Min(float64(w.Size), b.tokens[i]+elapsed*w.rate())
		}
		b.last = now
	}
	return b
}

// Take spends one request from the token's buckets; ok is false when any
// of them is empty (and limiting is enabled).
func (l *Limiter) Take(token string, now time.Time) (RateState, bool) {
	b := l.refill(token, now)
	ok := true
	for _, t := range b.tokens {
		ok = ok && t >= 1
	}
	if ok {
		for i := range b.tokens {
			b.tokens[i]--
		}
	}
	return l.state(b, now), ok || l.disabled
}

// Peek reports the bucket without spending from it.
func (l *Limiter) Peek(token string, now time.Time) RateState {
	if token == "" {
		return RateState{Limit: l.Size(), Remaining: l.Size(), Reset: now}
	}
	return l.state(l.refill(token, now), now)
}

func (l *Limiter) state(b *bucket, now time.Time) RateState {
	w := l.windows[0]
	missing := float64(w.Size) - b.tokens[0]
	return RateState{
		Limit:     w.Size,
		Remaining: int(math.Floor(b.tokens[0])),
		Reset:     now.Add(time.Duration(math.Ceil(missing/w.rate())) * time.Second),
	}
}

// Emptied is what the headers of a 429 report: a bucket with nothing left,
// full again after a whole window of refilling. Injected 429s send it
// without touching the real bucket, so they agree with the ones the bucket
// gives.
func (l *Limiter) Emptied(now time.Time) RateState {
	w := l.windows[0]
	return RateState{Limit: w.Size, Remaining: 0, Reset: now.Add(w.Per)}
}
