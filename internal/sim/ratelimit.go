package sim

import (
	"crypto/sha256"
	"math"
	"time"
)

// defaultRateLimit is the real Hetzner bucket: 3600 requests, refilled at
// one request per second.
const defaultRateLimit = 3600

// limiter keeps one token bucket per API token. Buckets are keyed by a hash
// so the simulator never holds a token it doesn't need.
type limiter struct {
	size     int  // bucket capacity
	disabled bool // never refuse; the headers are still sent
	buckets  map[[sha256.Size]byte]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// rateState is what the RateLimit-* headers report.
type rateState struct {
	Limit     int
	Remaining int
	Reset     time.Time // when the bucket is full again
}

func newLimiter(n int) limiter {
	l := limiter{size: n}
	switch {
	case n == 0:
		l.size = defaultRateLimit
	case n < 0:
		l.size, l.disabled = defaultRateLimit, true
	}
	return l
}

func (l *limiter) reset() { l.buckets = map[[sha256.Size]byte]*bucket{} }

func tokenKey(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// refill returns the token's bucket brought up to now.
func (l *limiter) refill(token string, now time.Time) *bucket {
	k := tokenKey(token)
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

// take spends one request from the token's bucket; ok is false when the
// bucket is empty (and limiting is enabled).
func (l *limiter) take(token string, now time.Time) (rateState, bool) {
	b := l.refill(token, now)
	ok := b.tokens >= 1 || l.disabled
	if b.tokens >= 1 {
		b.tokens--
	}
	return l.state(b, now), ok
}

// peek reports the bucket without spending from it.
func (l *limiter) peek(token string, now time.Time) rateState {
	if token == "" {
		return rateState{Limit: l.size, Remaining: l.size, Reset: now}
	}
	return l.state(l.refill(token, now), now)
}

func (l *limiter) state(b *bucket, now time.Time) rateState {
	missing := float64(l.size) - b.tokens
	return rateState{
		Limit:     l.size,
		Remaining: int(math.Floor(b.tokens)),
		Reset:     now.Add(time.Duration(math.Ceil(missing)) * time.Second),
	}
}

// emptied is what the headers of a 429 report: a bucket with nothing left,
// full again after size seconds of refilling. Injected 429s send it without
// touching the real bucket, so they agree with the ones the bucket gives.
func (l *limiter) emptied(now time.Time) rateState {
	return rateState{Limit: l.size, Remaining: 0, Reset: now.Add(time.Duration(l.size) * time.Second)}
}
