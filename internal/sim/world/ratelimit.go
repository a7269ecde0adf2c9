package world

import (
	"crypto/sha256"
	"math"
	"time"
)

// Limiter keeps one token bucket per API token, refilled at one request per
// second. Buckets are keyed by a hash
// so the simulator never holds a token it doesn't need.
type Limiter struct {
	size     int  // bucket capacity
	disabled bool // never refuse; the headers are still sent
	buckets  map[[sha256.Size]byte]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// RateState is what the RateLimit-* headers report.
type RateState struct {
	Limit     int
	Remaining int
	Reset     time.Time // when the bucket is full again
}

// NewLimiter returns a limiter with buckets of n requests; n == 0 means
// def (the cloud's real bucket), n < 0 the same size but never refusing.
func NewLimiter(n, def int) *Limiter {
	l := &Limiter{size: n}
	switch {
	case n == 0:
		l.size = def
	case n < 0:
		l.size, l.disabled = def, true
	}
	l.Reset()
	return l
}

// Size is the bucket capacity.
func (l *Limiter) Size() int { return l.size }

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
		b = &bucket{tokens: float64(l.size), last: now}
		l.buckets[k] = b
	}
	if now.After(b.last) {
		b.tokens = math.Min(float64(l.size), b.tokens+now.Sub(b.last).Seconds())
		b.last = now
	}
	return b
}

// Take spends one request from the token's bucket; ok is false when the
// bucket is empty (and limiting is enabled).
func (l *Limiter) Take(token string, now time.Time) (RateState, bool) {
	b := l.refill(token, now)
	ok := b.tokens >= 1 || l.disabled
	if b.tokens >= 1 {
		b.tokens--
	}
	return l.state(b, now), ok
}

// Peek reports the bucket without spending from it.
func (l *Limiter) Peek(token string, now time.Time) RateState {
	if token == "" {
		return RateState{Limit: l.size, Remaining: l.size, Reset: now}
	}
	return l.state(l.refill(token, now), now)
}

func (l *Limiter) state(b *bucket, now time.Time) RateState {
	missing := float64(l.size) - b.tokens
	return RateState{
		Limit:     l.size,
		Remaining: int(math.Floor(b.tokens)),
		Reset:     now.Add(time.Duration(math.Ceil(missing)) * time.Second),
	}
}

// Emptied is what the headers of a 429 report: a bucket with nothing left,
// full again after size seconds of refilling. Injected 429s send it without
// touching the real bucket, so they agree with the ones the bucket gives.
func (l *Limiter) Emptied(now time.Time) RateState {
	return RateState{Limit: l.size, Remaining: 0, Reset: now.Add(time.Duration(l.size) * time.Second)}
}
