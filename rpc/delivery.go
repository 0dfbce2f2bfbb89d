package rpc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Delivery is what a call or a cast promises when the network or a server fails.
type Delivery uint8

const (
	// AtMostOnce (the default) sends a request once: a server lost with it in flight fails the
	// call with Unavailable, and the handler may or may not have run.
	AtMostOnce Delivery = iota
	// AtLeastOnce sends an idempotency key with the request and retries it on Unavailable and
	// NoResponders (with WithRetries' count, or until the deadline when none is set). Servers
	// keep the key in their dedup store (WithDedup) for a window, so that a retry of a
	// request already run gets the cached reply instead of running the handler again. A cast
	// is acknowledged once its handler has run, and retried like a call until it is; a server
	// that does not acknowledge (not of this package, or older) leaves it waiting for its
	// deadline. A fanout cast cannot be at-least-once.
	AtLeastOnce
)

// String names d: at-most-once, at-least-once.
func (d Delivery) String() string {
	switch d {
	case AtMostOnce:
		return "at-most-once"
	case AtLeastOnce:
		return "at-least-once"
	}
	return fmt.Sprintf("Delivery(%d)", uint8(d))
}

// DefaultMaxInFlight bounds a client's calls waiting for replies (WithMaxInFlight).
const DefaultMaxInFlight = 10000

// deliveryConfig is the options of this file, heartbeat.go, dedup.go and trace.go.
type deliveryConfig struct {
	// Client and Prepare.
	mode    Delivery
	modeSet bool
	monitor time.Duration
	inject  func(context.Context) map[string]string

	// Client.
	maxInFlight int

	// Server.
	dedup              DedupStore
	dedupSet, leaseSet bool
	window, lease      time.Duration
	extract            func(context.Context, map[string]string) context.Context

	// Client and server.
	hbSet    bool
	hbIvl    time.Duration
	hbMisses int
}

// serverOnly, clientOnly and connOnly say whether options of one kind were given, for the
// checks of NewClient, NewServer and Prepare.
func (d *deliveryConfig) serverOnly() bool { return d.dedupSet || d.leaseSet }
func (d *deliveryConfig) clientOnly() bool { return d.modeSet || d.monitor != 0 || d.maxInFlight != 0 }
func (d *deliveryConfig) connOnly() bool   { return d.hbSet || d.maxInFlight != 0 }

// clientDelivery is what a Client (and each prepared copy) uses of deliveryConfig.
type clientDelivery struct {
	mode    Delivery
	monitor time.Duration
	inject  func(context.Context) map[string]string
}

func (d *deliveryConfig) client() clientDelivery {
	return clientDelivery{mode: d.mode, monitor: d.monitor, inject: d.inject}
}

// prepared is a Prepare's starting point: the client's own choices.
func (cd clientDelivery) prepared() deliveryConfig {
	return deliveryConfig{mode: cd.mode, monitor: cd.monitor, inject: cd.inject}
}

// WithDelivery sets the delivery of a client's calls and casts (NewClient or Prepare).
// Default AtMostOnce.
func WithDelivery(d Delivery) Option {
	return func(c *config) error {
		if d != AtMostOnce && d != AtLeastOnce {
			return fmt.Errorf("rpc: %v", d)
		}
		c.dl.mode, c.dl.modeSet = d, d != AtMostOnce
		return nil
	}
}

// WithCallMonitor is oslo's call_monitor_timeout (NewClient or Prepare): each request asks
// the server for a PROGRESS every d/3 while its handler runs, and a call that hears nothing
// (progress or reply) for d fails with Unavailable, however far its deadline. Servers of
// this package send PROGRESS; other servers must, or long calls fail. Default 0: off.
func WithCallMonitor(d time.Duration) Option {
	return func(c *config) error {
		if d != 0 && (d < minCallMonitor || d > time.Duration(1<<32-1)*time.Millisecond) {
			return fmt.Errorf("rpc: call monitor %v: want %v to 49 days, or 0 for none", d, minCallMonitor)
		}
		c.dl.monitor = d.Round(time.Millisecond)
		return nil
	}
}

// WithMaxInFlight bounds a client's calls (and acknowledged casts) waiting for replies, over
// all its prepared copies: a call beyond it fails at once with ResourceExhausted. Default
// DefaultMaxInFlight.
func WithMaxInFlight(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("rpc: %d calls in flight: want at least 1", n)
		}
		c.dl.maxInFlight = n
		return nil
	}
}

// callMetaKey carries a Call's metadata to each of its attempts.
type callMetaKey struct{}

// withCallMeta puts the metadata of one Call or Cast (trace context, idempotency key, call
// monitor) in ctx, the same for every retry.
func (cl *Client) withCallMeta(ctx context.Context) context.Context {
	meta := cl.traceMeta(ctx)
	add := func(k, v string) {
		if meta == nil {
			meta = map[string]string{}
		}
		meta[k] = v
	}
	if cl.dl.mode == AtLeastOnce && !cl.target.Fanout {
		add(metaIdemKey, newIdemKey())
	}
	if cl.dl.monitor > 0 {
		add(metaCallMonitor, strconv.FormatInt(cl.dl.monitor.Milliseconds(), 10))
	}
	if meta == nil {
		return ctx
	}
	return context.WithValue(ctx, callMetaKey{}, meta)
}

func callMeta(ctx context.Context) map[string]string {
	m, _ := ctx.Value(callMetaKey{}).(map[string]string)
	return m
}

// newIdemKey is 128 random bits in hex.
func newIdemKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// maxRetries is how often a failed attempt is tried again: at-least-once without a count
// retries until the deadline.
func (cl *Client) maxRetries() int {
	if cl.dl.mode == AtLeastOnce && cl.retries == 0 {
		return int(^uint(0) >> 1)
	}
	return cl.retries
}

// ackedCast: an at-least-once cast to one server waits for its acknowledgement.
func (cl *Client) ackedCast() bool { return cl.dl.mode == AtLeastOnce && !cl.target.Fanout }

// errFanoutAtLeastOnce: a fanout would need an acknowledgement of every server, and a dedup key
// of each, which at-least-once does not do.
func errFanoutAtLeastOnce() *Error {
	return newError(InvalidTarget, "a fanout cast cannot be at-least-once; prepare it WithDelivery(AtMostOnce)")
}

// errNoProgress ends a call that heard nothing for its call monitor's time.
var errNoProgress = errors.New("rpc: call monitor: no progress")

// watchProgress returns a ctx that ends when p hears nothing for the call monitor's time (each
// PROGRESS or reply restarts the count), and its stop. Without a monitor it is ctx.
func (cl *Client) watchProgress(ctx context.Context, p *pending) (context.Context, func()) {
	d := cl.dl.monitor
	if d <= 0 {
		return ctx, func() {}
	}
	mctx, cancel := context.WithCancelCause(ctx)
	t := time.AfterFunc(d, func() { cancel(errNoProgress) })
	p.progress = func() { t.Reset(d) }
	return mctx, func() { t.Stop(); cancel(nil) }
}

// silent is the error of a call whose monitor ctx ended for want of progress, or nil.
func silent(ctx, mctx context.Context) *Error {
	if ctx.Err() == nil && errors.Is(context.Cause(mctx), errNoProgress) {
		return &Error{Code: Unavailable, Message: "no progress from the server for the call monitor's time",
			Details: map[string]string{"reason": "call-monitor"}}
	}
	return nil
}

// progress restarts the call monitor of call id, if it waits.
func (c *clientCore) progress(id uint64) {
	c.pmu.Lock()
	p := c.pending[id]
	c.pmu.Unlock()
	if p != nil && p.progress != nil {
		p.progress()
	}
}
